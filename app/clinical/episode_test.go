package clinical

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chartline/chartline/store"
)

// Bands, short, for the tables.
const (
	L  = BandLow
	LM = BandLowMedium
	M  = BandMedium
	H  = BandHigh
)

// pt is a scored set at t0+min minutes in a band.
func pt(min int, band string) ScorePoint {
	score := map[string]int{BandLow: 1, BandLowMedium: 3, BandMedium: 5, BandHigh: 8}[band]
	at := t0.Add(time.Duration(min) * time.Minute)
	return ScorePoint{Kind: ScoreNEWS2, At: at, Score: score, Band: band, Severity: NEWS2Severity(band), Complete: true,
		Trigger: store.Ref{Collection: testPatient, Type: "Observation", ID: fmt.Sprintf("o-%d", min)}, Version: "1"}
}

func TestNEWS2PointSeverity(t *testing.T) {
	low := scored(t0, 16, 70)     // 0: low
	lowMed := scored(t0, 8, 70)   // respiration 3: low-medium
	medium := scored(t0, 25, 111) // 3 + 2 = 5: medium
	hot := replace(normal(t0), "temp", vital("temp", t0, CodeBodyTemperature, 39.5, "Cel"))
	hot = replace(hot, "rr", vital("rr", t0, CodeRespiratoryRate, 25, "/min"))
	high := NEWS2(replace(hot, "hr", vital("hr", t0, CodeHeartRate, 131, "/min")), nil, NEWS2Options{}) // 3 + 3 + 2 = 8
	for _, c := range []struct {
		name string
		r    Result
		band string
		sev  string
	}{
		{"low", low, BandLow, ""}, {"low-medium", lowMed, BandLowMedium, SeverityLowMedium},
		{"medium", medium, BandMedium, SeverityMedium}, {"high", high, BandHigh, SeverityHigh},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, ok := NEWS2Point(c.r)
			if !ok || p.Band != c.band || p.Severity != c.sev || !p.At.Equal(t0) || p.Score != c.r.Total {
				t.Fatalf("point %+v ok %v", p, ok)
			}
			if len(p.Cause.Readings) != 7 || p.Cause.Readings[0].Time.IsZero() {
				t.Fatalf("readings %+v: the card needs each value with its time", p.Cause.Readings)
			}
		})
	}
	if _, ok := NEWS2Point(NEWS2(nil, nil, NEWS2Options{})); ok {
		t.Fatal("a point without any reading")
	}
	// The trigger is the newest reading.
	cur := scored(t0, 25, 111, vital("hr-late", t0.Add(time.Minute), CodeHeartRate, 111, "/min"))
	if p, _ := NEWS2Point(cur); p.Trigger.ID != "hr-late" || !p.At.Equal(t0.Add(time.Minute)) {
		t.Fatalf("trigger %+v at %s", p.Trigger, p.At)
	}
}

func TestEpisodes(t *testing.T) {
	type want struct {
		opened  int // minutes
		sev     string
		rises   int
		cleared int // minutes; -1 open, -2 lapsed
	}
	cases := []struct {
		name   string
		points []ScorePoint
		want   []want
	}{
		{"low only", []ScorePoint{pt(0, L), pt(60, L)}, nil},
		{"one rise opens", []ScorePoint{pt(0, L), pt(60, M)}, []want{{60, SeverityMedium, 1, -1}}},
		{"rises escalate one episode", []ScorePoint{pt(0, LM), pt(30, M), pt(60, H)}, []want{{0, SeverityHigh, 3, -1}}},
		{"staying or falling within band is no rise", []ScorePoint{pt(0, H), pt(30, M), pt(60, H)}, []want{{0, SeverityHigh, 1, -1}}},
		{"one set below does not clear", []ScorePoint{pt(0, M), pt(30, L)}, []want{{0, SeverityMedium, 1, -1}}},
		{"two sets below 59 min apart do not clear", []ScorePoint{pt(0, M), pt(30, L), pt(89, L)}, []want{{0, SeverityMedium, 1, -1}}},
		{"two sets below 60 min apart clear", []ScorePoint{pt(0, M), pt(30, L), pt(90, L)}, []want{{0, SeverityMedium, 1, 90}}},
		{"a set back in band restarts the fall", []ScorePoint{pt(0, M), pt(30, L), pt(60, M), pt(90, L), pt(149, L)}, []want{{0, SeverityMedium, 1, -1}}},
		{"below the trigger band, not below the peak", []ScorePoint{pt(0, LM), pt(10, H), pt(20, LM), pt(100, LM)}, []want{{0, SeverityHigh, 2, -1}}},
		{"a new alert only after clearance", []ScorePoint{pt(0, M), pt(30, L), pt(90, L), pt(120, H)}, []want{{0, SeverityMedium, 1, 90}, {120, SeverityHigh, 1, -1}}},
		{"a gap longer than the window ends it", []ScorePoint{pt(0, H), pt(24*60+1, L)}, []want{{0, SeverityHigh, 1, -2}}},
		{"a gap longer than the window, then in band: a new alert", []ScorePoint{pt(0, H), pt(24*60+1, H)}, []want{{0, SeverityHigh, 1, -2}, {24*60 + 1, SeverityHigh, 1, -1}}},
		{"a gap of exactly the window continues it", []ScorePoint{pt(0, H), pt(24*60, H)}, []want{{0, SeverityHigh, 1, -1}}},
		{"order of arrival does not matter", []ScorePoint{pt(90, L), pt(0, M), pt(120, H), pt(30, L)}, []want{{0, SeverityMedium, 1, 90}, {120, SeverityHigh, 1, -1}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eps := Episodes(c.points, AlertPolicy{}, 0)
			if len(eps) != len(c.want) {
				t.Fatalf("%d episodes, want %d: %+v", len(eps), len(c.want), eps)
			}
			for i, w := range c.want {
				ep := eps[i]
				cl := -1 // open
				switch {
				case ep.Lapsed:
					cl = -2
				case !ep.Cleared.IsZero():
					cl = int(ep.Cleared.Sub(t0) / time.Minute)
				}
				if got := int(ep.Opened.At.Sub(t0) / time.Minute); got != w.opened || ep.Peak.Severity != w.sev || len(ep.Rises) != w.rises || cl != w.cleared {
					t.Fatalf("episode %d: opened %d sev %s rises %d cleared %d; want %+v", i, got, ep.Peak.Severity, len(ep.Rises), cl, w)
				}
			}
		})
	}
	t.Run("policy sets and period", func(t *testing.T) {
		eps := Episodes([]ScorePoint{pt(0, M), pt(10, L), pt(20, L), pt(40, L)}, AlertPolicy{ClearSets: 3, ClearAfter: 30 * time.Minute}, 0)
		if len(eps) != 1 || eps[0].Open() || !eps[0].Cleared.Equal(t0.Add(40*time.Minute)) {
			t.Fatalf("%+v", eps)
		}
	})
}

func TestEpisodeAlertCurrentOrPast(t *testing.T) {
	day := 24 * time.Hour
	open := Episodes([]ScorePoint{pt(0, M), pt(60, H)}, AlertPolicy{}, 0)[0]
	cleared := Episodes([]ScorePoint{pt(0, M), pt(30, L), pt(90, L)}, AlertPolicy{}, 0)[0]
	cases := []struct {
		name string
		ep   Episode
		now  time.Time
		past bool
	}{
		{"opened just now", open, t0.Add(time.Hour), false},
		{"opened just inside the window", open, t0.Add(day), false},
		{"open, latest set inside the window", open, t0.Add(day + time.Hour), false},
		{"open, latest set just outside", open, t0.Add(day + time.Hour + time.Second), true},
		{"cleared, opened inside the window", cleared, t0.Add(day), false},
		{"cleared, opened just outside", cleared, t0.Add(day + time.Second), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := EpisodeAlert(testPatient, c.ep, c.now, 0)
			if a.Past != c.past {
				t.Fatalf("past %v, want %v", a.Past, c.past)
			}
			if !a.Raised.Equal(c.ep.Opened.At) || !strings.HasPrefix(a.ID, "al-") {
				t.Fatalf("raised %s id %s", a.Raised, a.ID)
			}
		})
	}
	// The id is the opening set's: the same through every rise, another for another episode.
	a1 := EpisodeAlert(testPatient, Episodes([]ScorePoint{pt(0, M)}, AlertPolicy{}, 0)[0], t0, 0)
	a2 := EpisodeAlert(testPatient, open, t0, 0)
	a3 := EpisodeAlert(testPatient, Episodes([]ScorePoint{pt(5, M)}, AlertPolicy{}, 0)[0], t0, 0)
	if a1.ID != a2.ID || a1.ID == a3.ID || a2.Severity != SeverityHigh || a2.Cause.PrevBand != BandMedium || len(a2.Episode.Rises) != 2 {
		t.Fatalf("ids %s %s %s, escalated %+v", a1.ID, a2.ID, a3.ID, a2)
	}
	if b := EpisodeAlert(testPatient, Episodes([]ScorePoint{pt(0, L), pt(30, M)}, AlertPolicy{}, 0)[0], t0, 0); b.Cause.PrevBand != BandLow {
		t.Fatalf("an opening from low says it rose from %q", b.Cause.PrevBand)
	}
	if b := EpisodeAlert(testPatient, Episodes([]ScorePoint{pt(0, L), pt(24*60+1, M)}, AlertPolicy{}, 0)[0], t0, 0); b.Cause.PrevBand != "" {
		t.Fatalf("an opening a day after the last set says it rose from %q", b.Cause.PrevBand)
	}
	if s := DisplayState(EpisodeAlert(testPatient, cleared, t0, 0), AlertState{}); s != StateCleared {
		t.Fatalf("cleared episode shown %s", s)
	}
}

func TestFollowUp(t *testing.T) {
	pol := AlertPolicy{}
	ack := func(min int) Action {
		return NewAction("al-x", VerbAcknowledge, "nurse", "ws-a", "", t0.Add(time.Duration(min)*time.Minute))
	}
	st := func(acts ...Action) AlertState {
		return AlertState{Alert: "al-x", Patient: testPatient, Kind: KindNEWS2, Actions: acts}
	}
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	high := Episodes([]ScorePoint{pt(0, H), pt(20, H), pt(40, H)}, pol, 0)[0]
	highThenMedium := Episodes([]ScorePoint{pt(0, H), pt(20, M)}, pol, 0)[0]
	medium := Episodes([]ScorePoint{pt(0, M), pt(50, M)}, pol, 0)[0]
	rising := Episodes([]ScorePoint{pt(0, M), pt(15, H)}, pol, 0)[0]
	cases := []struct {
		name  string
		ep    Episode
		st    AlertState
		now   time.Time
		state string
		renew int
	}{
		{"high, acknowledged 29 min ago: stays", high, st(ack(1)), at(30), StateAcknowledged, 0},
		{"high, acknowledged 30 min ago, still high: New again", high, st(ack(1)), at(31), StateNew, 1},
		{"high fell to medium by the deadline: stays", highThenMedium, st(ack(1)), at(40), StateAcknowledged, 0},
		{"medium, 59 min: stays", medium, st(ack(1)), at(60), StateAcknowledged, 0},
		{"medium, 60 min, still medium: New again", medium, st(ack(1)), at(61), StateNew, 1},
		{"a rise after the acknowledgement: New again", rising, st(ack(5)), at(16), StateNew, 1},
		{"re-acknowledged after the renewal: stays", high, st(ack(1), ack(32)), at(40), StateAcknowledged, 1},
		{"unacknowledged: nothing", high, st(), at(90), StateNew, 0},
		{"resolved, then a rise: New again", rising, st(NewAction("al-x", VerbResolve, "nurse", "ws-a", "", at(5))), at(16), StateNew, 1},
		{"resolved, no rise, still high: stays resolved", high, st(NewAction("al-x", VerbResolve, "nurse", "ws-a", "", at(1))), at(90), StateResolved, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := FollowUp(c.st, c.ep, pol, c.now)
			n := 0
			for _, a := range got.Actions {
				if a.Verb == VerbRenew {
					n++
					if a.Workstation != SystemWorkstation || a.By != SystemUser {
						t.Fatalf("system action signed %s at %s", a.By, a.Workstation)
					}
				}
			}
			if got.State() != c.state || n != c.renew {
				t.Fatalf("state %s with %d renewals, want %s with %d: %+v", got.State(), n, c.state, c.renew, got.Actions)
			}
			// Deterministic: another workstation derives the same actions.
			if again := FollowUp(c.st, c.ep, pol, c.now); fmt.Sprint(again.Actions) != fmt.Sprint(got.Actions) {
				t.Fatal("not deterministic")
			}
			// Idempotent: applying it to its own result adds nothing.
			if again := FollowUp(got, c.ep, pol, c.now); len(again.Actions) != len(got.Actions) {
				t.Fatal("not idempotent")
			}
		})
	}
	if _, err := st().Apply(NewAction("al-x", VerbRenew, "nurse", "ws-a", "", t0)); err == nil {
		t.Fatal("a user may not take a system action")
	}
}

func TestRiskRecencyAndHorizon(t *testing.T) {
	doc := func(extra string) []byte {
		return []byte(`{"resourceType":"RiskAssessment","id":"r1","status":"final","subject":{"reference":"Patient/pt-1"}` + extra + `}`)
	}
	high := `{"qualitativeRisk":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/risk-probability","code":"high"}]}`
	pred := func(when string) string { return `,"prediction":[` + high + when + `}]` }
	occ := func(d time.Duration) string { return `,"occurrenceDateTime":"` + t0.Add(-d).Format(time.RFC3339) + `"` }
	cases := []struct {
		name     string
		raw      []byte
		produced time.Time
		inbox    bool
		severity string
	}{
		{"occurred an hour ago", doc(occ(time.Hour) + pred("")), time.Time{}, true, SeverityHigh},
		{"occurred just inside the window", doc(occ(24*time.Hour) + pred("")), time.Time{}, true, SeverityHigh},
		{"occurred just outside the window", doc(occ(24*time.Hour+time.Second) + pred("")), time.Time{}, false, SeverityInfo},
		{"dated 2010", doc(`,"occurrenceDateTime":"2010-03-01"` + pred("")), time.Time{}, false, SeverityInfo},
		{"undated, lastUpdated recent", doc(`,"meta":{"lastUpdated":"` + t0.Add(-time.Hour).Format(time.RFC3339) + `"}` + pred("")), time.Time{}, true, SeverityHigh},
		{"undated, produced recently", doc(pred("")), t0.Add(-time.Hour), true, SeverityHigh},
		{"undated, produced long ago", doc(pred("")), t0.Add(-48 * time.Hour), false, SeverityInfo},
		{"undated, no production time", doc(pred("")), time.Time{}, false, SeverityInfo},
		{"horizon 30 days", doc(occ(time.Hour) + pred(`,"whenRange":{"high":{"value":30,"unit":"d","system":"http://unitsofmeasure.org","code":"d"}}`)), time.Time{}, true, SeverityHigh},
		{"horizon 31 days", doc(occ(time.Hour) + pred(`,"whenRange":{"high":{"value":31,"unit":"d","system":"http://unitsofmeasure.org","code":"d"}}`)), time.Time{}, false, SeverityInfo},
		{"by age 65", doc(occ(time.Hour) + pred(`,"whenRange":{"high":{"value":65,"unit":"years","system":"http://unitsofmeasure.org","code":"a"}}`)), time.Time{}, false, SeverityInfo},
		{"whenPeriod 48 h", doc(occ(time.Hour) + pred(`,"whenPeriod":{"start":"`+t0.Format(time.RFC3339)+`","end":"`+t0.Add(48*time.Hour).Format(time.RFC3339)+`"}`)), time.Time{}, true, SeverityHigh},
		{"whenPeriod 10 years", doc(occ(time.Hour) + pred(`,"whenPeriod":{"start":"`+t0.Format(time.RFC3339)+`","end":"2036-11-22"}`)), time.Time{}, false, SeverityInfo},
		{"lifetime genetic risk", doc(occ(time.Hour) + `,"prediction":[{"outcome":{"text":"Type 2 diabetes, lifetime risk"},"probabilityDecimal":0.9}]`), time.Time{}, false, SeverityInfo},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, ok, err := RiskAlert(c.raw, "", c.produced, RiskOptions{}, t0)
			if err != nil || !ok {
				t.Fatalf("ok %v err %v", ok, err)
			}
			if a.Info == c.inbox || a.Severity != c.severity {
				t.Fatalf("info %v severity %s, want inbox %v %s (%s)", a.Info, a.Severity, c.inbox, c.severity, a.Cause.Why)
			}
			if !c.inbox && a.Cause.Why == "" {
				t.Fatal("information without a reason")
			}
			if len(a.Cause.Predictions) != 1 {
				t.Fatalf("predictions %+v", a.Cause.Predictions)
			}
		})
	}
}

// TestEpisodesAnyOrder: points in order (read in place) and the same points
// shuffled, with ties at one instant, give the same episodes, and the
// caller's slice is left as it was.
func TestEpisodesAnyOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	bands := []string{L, L, LM, M, H}
	for round := range 50 {
		var sorted []ScorePoint
		for i := range 60 {
			p := pt(i*20, bands[rng.IntN(len(bands))])
			if rng.IntN(5) == 0 && len(sorted) > 0 { // a tie: same instant, another trigger
				p.At = sorted[len(sorted)-1].At
				p.Trigger.ID = sorted[len(sorted)-1].Trigger.ID + "b"
			}
			sorted = append(sorted, p)
		}
		want := Episodes(sorted, AlertPolicy{}, 0)
		shuffled := slices.Clone(sorted)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		before := slices.Clone(shuffled)
		got := Episodes(shuffled, AlertPolicy{}, 0)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d: shuffled points give %d episodes, in order %d", round, len(got), len(want))
		}
		if !reflect.DeepEqual(shuffled, before) {
			t.Fatalf("round %d: Episodes changed the caller's points", round)
		}
	}
}
