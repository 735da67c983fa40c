// Tests of the alert notifications: the desktop notice, the in-app banner,
// bursts, and notices held while the feed catches up.

package views

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// TestNotificationsOnce: each new high alert and trial match raises one
// desktop notification and one banner, never again: not on later change
// notices, not after a restart (the engine keeps them seen); a new high alert
// raises a new one, and its banner opens the patient on the Alerts tab.
func TestNotificationsOnce(t *testing.T) {
	s := smallStore(t, demo.RecoveringPatient, demo.DeterioratingPatient, demo.HeartFailurePatient)
	clock := newTestClock()
	eng := testEngine(t, s, "dr-a", "ws-a", clock.now)
	sub := s.Subscribe()
	defer sub.Close()
	var sent []*fyne.Notification
	start := func() *env {
		e, _ := newTestEnvWith(t, s, ui.ModeLight, func(o *envOptions) {
			o.engine = eng
			o.notify = func(n *fyne.Notification) { sent = append(sent, n) }
		})
		return e
	}
	e := start()
	// The fixtures hold one current high alert (pt-0005's NEWS2 episode; its
	// sepsis risk of 60 h ago is information) and one trial match (pt-0008).
	if len(sent) != 2 || e.notifier.pending() != 2 || e.notifier.sent != 2 {
		t.Fatalf("%d notifications and %d banners at start, want 2 and 2", len(sent), e.notifier.pending())
	}
	for _, n := range sent {
		for _, phi := range []string{"Kjærgaard", "Lefèvre", "KV-", demo.RecoveringPatient} {
			if strings.Contains(n.Title+n.Content, phi) {
				t.Errorf("a desktop notification names the patient: %q %q", n.Title, n.Content)
			}
		}
	}
	var unseen []engine.Notice
	s.View(func(r *store.Reader) error { unseen, _ = engine.Notices(r); return nil })
	if len(unseen) != 0 {
		t.Errorf("%d notices still unseen after they were shown", len(unseen))
	}
	follow(e, sub) // the marks as seen, and anything else
	e.live.dispatch(store.Change{Docs: map[string]bool{engine.KindNotice: true, engine.KindAlert: true}})
	if len(sent) != 2 {
		t.Fatalf("change notices repeated notifications: %d sent", len(sent))
	}
	// A restart shows nothing again.
	e = start()
	if len(sent) != 2 || e.notifier.pending() != 0 {
		t.Fatalf("after a restart: %d notifications, %d banners", len(sent), e.notifier.pending())
	}
	follow(e, sub)

	// The deteriorating patient's vitals turn high: one new notification.
	clock.add(10 * time.Minute)
	if _, err := s.Apply(&store.Batch{Puts: highVitals(t, demo.DeterioratingPatient, clock.now())}); err != nil {
		t.Fatal(err)
	}
	if err := eng.Evaluate(context.Background(), demo.DeterioratingPatient); err != nil {
		t.Fatal(err)
	}
	follow(e, sub)
	follow(e, sub)
	if len(sent) != 3 || e.notifier.pending() != 1 {
		t.Fatalf("after a new high alert: %d notifications, %d banners, want 3 and 1", len(sent), e.notifier.pending())
	}
	if got := sent[2]; got.Title != "Chartline: high alert" || !strings.Contains(got.Content, "NEWS2") {
		t.Errorf("notification %q %q", got.Title, got.Content)
	}
	b := e.notifier.strip
	if !strings.Contains(b.Text, "Ñúñez Ortega, José") {
		t.Errorf("banner %q does not name the patient", b.Text)
	}
	b.Open()
	if e.patient == nil || e.patient.id != demo.DeterioratingPatient || e.patient.tabs.SelectedIndex() != tabAlerts {
		t.Fatalf("the banner did not open the patient's alerts")
	}
	if e.notifier.pending() != 0 {
		t.Errorf("the opened banner stayed")
	}
	if got := e.shell.Current(); got != screenCensus {
		t.Errorf("screen %s", got)
	}
}

// TestNoticeBurst: more notices at once than maxDesktopNotices make one
// counting notification; the five pending notices make one strip, the
// newest with "+4 more" in a menu, one row tall.
func TestNoticeBurst(t *testing.T) {
	s := smallStore(t, demo.RecoveringPatient, demo.HeartFailurePatient, "pt-0009", "pt-0018")
	eng := testEngine(t, s, "dr-a", "ws-a", nil)
	var sent []*fyne.Notification
	e, w := newTestEnvWith(t, s, ui.ModeLight, func(o *envOptions) {
		o.engine = eng
		o.notify = func(n *fyne.Notification) { sent = append(sent, n) }
	})
	n := e.notifier.pending()
	if n <= maxDesktopNotices || len(sent) != 1 || !strings.HasPrefix(sent[0].Content, fmt.Sprintf("%d new high alerts and trial matches", n)) {
		t.Fatalf("a burst of %d sent %d notifications: %v", n, len(sent), sent)
	}
	if e.shell.Notices() != 1 {
		t.Fatalf("%d notices pending in %d strips, want %d in 1", n, e.shell.Notices(), n)
	}
	strip := e.notifier.strip
	if len(strip.Others) != n-1 || strip.Text != e.notifier.banners[n-1].text || strip.Heading != "High alert" {
		t.Errorf("the strip shows %q %q with %d others; want the newest high alert with %d", strip.Heading, strip.Text, len(strip.Others), n-1)
	}
	// One row: no taller than a button with the theme's padding around it.
	row := widget.NewButton("Open chart", nil).MinSize().Height + 2*theme.Padding()
	if h := strip.Size().Height; h > row+0.5 {
		t.Errorf("the strip is %v px tall, more than one row (%v px)", h, row)
	}
	test.AssertRendersToMarkup(t, "notice_strip.xml", w.Canvas())
	shot(t, w, "notice-strip")
	// The menu lists the others, newest first; its entry opens that chart.
	strip.ShowMore()
	strip.Others[n-2].Open()
	if e.patient == nil || e.patient.id != e.notifier.banners[0].patient && e.notifier.pending() == n {
		t.Errorf("the menu's last entry did not open the oldest notice's patient")
	}
	before := e.notifier.pending()
	top := e.notifier.strip
	top.Dismiss()
	if e.notifier.pending() != before-1 || e.shell.Notices() != 1 {
		t.Errorf("dismiss left %d notices in %d strips", e.notifier.pending(), e.shell.Notices())
	}
}

// TestBannerFollowsAlert: acknowledging the alert a banner announces takes
// the banner down (as another workstation's acknowledgement does when it
// arrives), and the strip moves on to the next pending notice.
func TestBannerFollowsAlert(t *testing.T) {
	s := smallStore(t, demo.RecoveringPatient, demo.HeartFailurePatient)
	eng := testEngine(t, s, "dr-a", "ws-a", nil)
	sub := s.Subscribe()
	defer sub.Close()
	e, _ := newTestEnvWith(t, s, ui.ModeLight, func(o *envOptions) {
		o.engine = eng
		o.notify = func(*fyne.Notification) {}
	})
	n := e.notifier.pending()
	var alert shownBanner
	for _, b := range e.notifier.banners {
		if b.kind == "alert" {
			alert = b
		}
	}
	if n < 2 || alert.id == "" {
		t.Fatalf("%d notices pending, want the high alerts and the match", n)
	}
	if _, err := eng.Act(alert.patient, alert.id, clinical.VerbAcknowledge, "seen"); err != nil {
		t.Fatal(err)
	}
	follow(e, sub)
	if e.notifier.pending() != n-1 {
		t.Fatalf("after acknowledging: %d notices pending, want %d", e.notifier.pending(), n-1)
	}
	for _, b := range e.notifier.banners {
		if b.id == alert.id {
			t.Errorf("the acknowledged alert's banner stayed")
		}
	}
	if e.notifier.strip == nil || e.shell.Notices() != 1 {
		t.Errorf("the strip went with one notice of %d", n)
	}
}

// vitalSet is one NEWS2 round's values.
type vitalSet struct {
	rr, spo2, o2flow, sbp, pulse float64
	acvpu                        string // SNOMED CT ACVPU answer
	temp                         float64
}

// Rounds scored by the RCP NEWS2 chart 2017: high is RR 26 (3), SpO2 90 %
// (3) on oxygen (2), systolic 95 (2), pulse 125 (2), voice (3), 39.5 °C (2) =
// 17; low is RR 16, SpO2 97 % on air, systolic 125, pulse 70, alert, 37.0 °C
// = 0.
var (
	highSet = vitalSet{26, 90, 4, 95, 125, "300202002", 39.5}
	lowSet  = vitalSet{16, 97, 0, 125, 70, "248234008", 37.0}
)

// highVitals is a high NEWS2 round.
func highVitals(t *testing.T, patient string, at time.Time) []store.Resource {
	return vitalsRound(t, patient, "hi", at, highSet)
}

// vitalsRound is one NEWS2 round of six Observations taken at one time, as
// the feed would store them.
func vitalsRound(t *testing.T, patient, tag string, at time.Time, v vitalSet) []store.Resource {
	t.Helper()
	when := at.UTC().Format(time.RFC3339)
	q := func(v float64, unit string) string {
		return fmt.Sprintf(`{"value":%g,"unit":%q,"system":"http://unitsofmeasure.org","code":%q}`, v, unit, unit)
	}
	obs := func(id, code, value string) string {
		return fmt.Sprintf(`{"resourceType":"Observation","id":"%s-%s-%s","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":%q}]},"subject":{"reference":"Patient/%s"},"effectiveDateTime":%q%s}`,
			patient, tag, id, code, patient, when, value)
	}
	var out []store.Resource
	for _, js := range []string{
		obs("rr", "9279-1", `,"valueQuantity":`+q(v.rr, "/min")),
		obs("spo2", "59408-5", `,"valueQuantity":`+q(v.spo2, "%")+`,"component":[{"code":{"coding":[{"system":"http://loinc.org","code":"3151-8"}]},"valueQuantity":`+q(v.o2flow, "L/min")+`}]`),
		obs("bp", "85354-9", `,"component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":`+q(v.sbp, "mm[Hg]")+`},{"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":`+q(60, "mm[Hg]")+`}]`),
		obs("hr", "8867-4", `,"valueQuantity":`+q(v.pulse, "/min")),
		obs("acvpu", "67775-7", `,"valueCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"`+v.acvpu+`"}]}`),
		obs("temp", "8310-5", `,"valueQuantity":`+q(v.temp, "Cel")),
	} {
		out = append(out, resource(t, patient, js))
	}
	return out
}

// TestNoticesHeldWhileCatchingUp: while the feed catches up, notices wait;
// once live, a NEWS2 alert the patient's score has since fallen below is
// marked seen without a notification (it stays in the inbox), and one still
// current is notified.
func TestNoticesHeldWhileCatchingUp(t *testing.T) {
	s := smallStore(t, demo.DeterioratingPatient, demo.COPDPatient)
	clock := newTestClock()
	eng := testEngine(t, s, "dr-a", "ws-a", clock.now)
	sub := s.Subscribe()
	defer sub.Close()
	var sent []*fyne.Notification
	e, _ := newTestEnvWith(t, s, ui.ModeLight, func(o *envOptions) {
		o.engine = eng
		o.notify = func(n *fyne.Notification) { sent = append(sent, n) }
	})
	follow(e, sub)
	base, banners := len(sent), e.notifier.pending() // what the fixtures hold
	e.notifier.feedState(true)
	// History arrives: both patients pass through a high score; one is low
	// again by the time the feed is live.
	for i, p := range []string{demo.DeterioratingPatient, demo.COPDPatient} {
		clock.add(time.Minute)
		if _, err := s.Apply(&store.Batch{Puts: highVitals(t, p, clock.now())}); err != nil {
			t.Fatal(err)
		}
		if err := eng.Evaluate(context.Background(), p); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			clock.add(time.Minute)
			if _, err := s.Apply(&store.Batch{Puts: vitalsRound(t, p, "lo", clock.now(), lowSet)}); err != nil {
				t.Fatal(err)
			}
			if err := eng.Evaluate(context.Background(), p); err != nil {
				t.Fatal(err)
			}
		}
		follow(e, sub)
	}
	if len(sent) != base || e.notifier.pending() != banners {
		t.Fatalf("notified while catching up: %d", len(sent)-base)
	}
	e.notifier.feedState(false)
	follow(e, sub)
	if len(sent) != base+1 || e.notifier.pending() != banners+1 || !strings.Contains(e.notifier.banners[len(e.notifier.banners)-1].text, "Øster") {
		var texts []string
		for _, b := range e.notifier.banners {
			texts = append(texts, b.text)
		}
		t.Fatalf("once live: %d notifications, banners %q; want only the patient still high", len(sent), texts)
	}
	var unseen []engine.Notice
	var alerts []engine.AlertView
	s.View(func(r *store.Reader) error {
		unseen, _ = engine.Notices(r)
		alerts, _ = engine.PatientAlerts(r, demo.DeterioratingPatient)
		return nil
	})
	if len(unseen) != 0 {
		t.Errorf("%d notices left unseen", len(unseen))
	}
	high := 0
	for _, a := range alerts {
		if a.Alert.Severity == clinical.SeverityHigh && a.Status() == clinical.StateNew {
			high++
		}
	}
	if high != 1 {
		t.Errorf("the passed-through high alert is not in the inbox (%d)", high)
	}
}
