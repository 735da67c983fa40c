package views

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

func TestBannerBandLeft(t *testing.T) {
	alert := func(announced, latest string, episode bool) clinical.Alert {
		a := clinical.Alert{Cause: clinical.Cause{Band: announced}}
		if episode {
			a.Episode = &clinical.EpisodeInfo{Latest: clinical.Rise{Band: latest}}
		}
		return a
	}
	for _, c := range []struct {
		name string
		a    clinical.Alert
		want bool
	}{
		{"still high", alert(clinical.BandHigh, clinical.BandHigh, true), false},
		{"risen further", alert(clinical.BandMedium, clinical.BandHigh, true), false},
		{"high fell to medium", alert(clinical.BandHigh, clinical.BandMedium, true), true},
		{"medium fell to low-medium", alert(clinical.BandMedium, clinical.BandLowMedium, true), true},
		{"PEWS emergency fell to high", alert(clinical.PEWSEmergency, clinical.BandHigh, true), true},
		{"no episode (upstream risk)", alert(clinical.BandHigh, "", false), false},
		{"no latest set", alert(clinical.BandHigh, "", true), false},
	} {
		if got := bandLeft(c.a); got != c.want {
			t.Errorf("%s: bandLeft = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestBannerFollowsItsAlert: a banner follows its alert's state. Escalating
// the alert changes its text (it stays: the alert needs a clinician until
// resolved); an alert whose title changed (it rose) reads the new title;
// when the patient falls below the band it announces, the banner comes down
// (the alert stays open in the inbox) and the strip moves on.
func TestBannerFollowsItsAlert(t *testing.T) {
	s := smallStore(t, demo.RecoveringPatient, demo.DeterioratingPatient, demo.HeartFailurePatient)
	clock := newTestClock()
	eng := testEngine(t, s, "dr-a", "ws-a", clock.now)
	sub := s.Subscribe()
	defer sub.Close()
	e, _ := newTestEnvWith(t, s, ui.ModeLight, func(o *envOptions) {
		o.engine = eng
		o.notify = func(*fyne.Notification) {}
		o.now = clock.now
	})
	follow(e, sub)
	round := func(tag string, v vitalSet) {
		t.Helper()
		clock.add(10 * time.Minute)
		if _, err := s.Apply(&store.Batch{Puts: vitalsRound(t, demo.DeterioratingPatient, tag, clock.now(), v)}); err != nil {
			t.Fatal(err)
		}
		if err := eng.Evaluate(context.Background(), demo.DeterioratingPatient); err != nil {
			t.Fatal(err)
		}
		follow(e, sub)
		follow(e, sub)
	}
	banner := func() (shownBanner, bool) {
		for _, b := range e.notifier.banners {
			if b.patient == demo.DeterioratingPatient && b.kind == "alert" {
				return b, true
			}
		}
		return shownBanner{}, false
	}
	round("hi", highSet) // NEWS2 17
	b, ok := banner()
	if !ok || !strings.Contains(b.text, "NEWS2 17") || e.notifier.strip.Text != b.text {
		t.Fatalf("after a high set: banner %q (%v), strip %q; want NEWS2 17 on the strip", b.text, ok, e.notifier.strip.Text)
	}
	pending := e.notifier.pending()

	// Escalated (here or elsewhere): the text says so; the banner stays.
	clock.add(time.Minute)
	at := clock.now()
	if _, err := eng.Act(b.patient, b.id, clinical.VerbEscalate, "called the outreach team"); err != nil {
		t.Fatal(err)
	}
	follow(e, sub)
	follow(e, sub)
	esc, ok := banner()
	want := " · escalated " + clockText(at, clock.now(), e.loc)
	if !ok || !strings.HasSuffix(esc.text, want) || e.notifier.strip.Text != esc.text || e.notifier.pending() != pending {
		t.Fatalf("after escalating: banner %q (%v), strip %q, %d pending; want the text to end %q", esc.text, ok, e.notifier.strip.Text, e.notifier.pending(), want)
	}

	// The alert's title changed (a rise): the banner reads the new title.
	st, err := func() (st standing, err error) {
		err = s.View(func(r *store.Reader) error { st, err = readStanding(r); return err })
		return st, err
	}()
	if err != nil {
		t.Fatal(err)
	}
	st.titles[b.id] = "NEWS2 19: high"
	e.notifier.follow(st)
	if b, _ := banner(); !strings.Contains(b.text, "— NEWS2 19: high · escalated") || e.notifier.strip.Text != b.text {
		t.Errorf("after a rise: banner %q, strip %q; want the alert's title now", b.text, e.notifier.strip.Text)
	}

	// A medium set (RR 22 (2), SpO2 95 % (1) on air, systolic 105 (1), pulse
	// 95 (1), alert, 38.5 °C (1) = 6): the patient left high; the banner
	// comes down, the strip shows the next notice, the alert stays open.
	round("mid", vitalSet{22, 95, 0, 105, 95, "248234008", 38.5})
	if b, ok := banner(); ok {
		t.Errorf("the banner stayed after the patient left its band: %q", b.text)
	}
	if e.notifier.pending() != pending-1 || pending > 1 && (e.notifier.strip == nil || e.notifier.strip.Text == esc.text) {
		t.Errorf("after leaving the band: %d pending (want %d), strip %v", e.notifier.pending(), pending-1, e.notifier.strip)
	}
	var alerts []engine.AlertView
	s.View(func(r *store.Reader) error {
		alerts, _ = engine.PatientAlerts(r, demo.DeterioratingPatient)
		return nil
	})
	open := 0
	for _, a := range alerts {
		if a.Open() && a.Alert.Severity == clinical.SeverityHigh {
			open++
		}
	}
	if open != 1 {
		t.Errorf("%d high alerts open in the inbox, want 1", open)
	}
}
