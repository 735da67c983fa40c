package clinical

import (
	"strings"
	"testing"
	"time"

	"github.com/chartline/chartline/app/jsontime"
	"github.com/chartline/chartline/store"
)

// TestNEWS2Status covers every status, with the window measured back from an
// injected now (never from the patient's own newest reading).
func TestNEWS2Status(t *testing.T) {
	cases := []struct {
		name   string
		items  []store.Item
		now    time.Time
		window time.Duration
		status string
		band   string
		why    string
	}{
		{"complete, 2 h old", normal(t0), t0.Add(2 * time.Hour), 0, StatusComplete, BandLow, ""},
		{"complete at the window's edge", normal(t0), t0.Add(24 * time.Hour), 0, StatusComplete, BandLow, ""},
		{"stale 1 s past the window", normal(t0), t0.Add(24*time.Hour + time.Second), 0, StatusStale, BandNone, "stale — no vital signs in the last 24 h"},
		{"six weeks old set is stale though it is the newest", normal(t0), t0.AddDate(0, 0, 42), 0, StatusStale, BandNone, ""},
		{"policy window of 4 h", normal(t0), t0.Add(5 * time.Hour), 4 * time.Hour, StatusStale, BandNone, "stale — no vital signs in the last 4 h"},
		{"partial — 5 of 7", without(without(normal(t0), "temp"), "avpu"), t0.Add(time.Hour), 0, StatusPartial, BandLow, "partial — 5 of 7; missing consciousness, temperature"},
		{"partial at the minimum (4 of 7)", []store.Item{vital("rr", t0, CodeRespiratoryRate, 16, "/min"), pulseOx("ox", t0, 97, 0), vital("hr", t0, CodeHeartRate, 70, "/min")}, t0, 0, StatusPartial, BandLow, "partial — 4 of 7"},
		{"insufficient below the minimum (3 of 7)", []store.Item{vital("rr", t0, CodeRespiratoryRate, 16, "/min"), vital("hr", t0, CodeHeartRate, 70, "/min"), vital("temp", t0, CodeBodyTemperature, 37, "Cel")}, t0, 0, StatusInsufficient, BandNone, "insufficient — 3 of 7 (at least 4 needed)"},
		{"a single systolic pressure from 2020 is never Low", []store.Item{vital("sbp", time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC), CodeSystolicBP, 120, "mm[Hg]")}, t0, 0, StatusStale, BandNone, ""},
		{"a single current reading is insufficient", []store.Item{vital("sbp", t0, CodeSystolicBP, 80, "mm[Hg]")}, t0, 0, StatusInsufficient, BandNone, "insufficient — 1 of 7"},
		{"no vital signs at all", nil, t0, 0, StatusInsufficient, BandNone, "insufficient — no current vital signs"},
		{"fresh rr with a 3-day-old rest: insufficient", append(without(normal(t0.AddDate(0, 0, -3)), "rr"), vital("rr", t0, CodeRespiratoryRate, 30, "/min")), t0.Add(time.Hour), 0, StatusInsufficient, BandNone, "1 of 7"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := NEWS2At(c.items, nil, NEWS2Options{Window: c.window}, c.now)
			if r.Status != c.status || r.Band != c.band || (c.why != "" && !contains(r.Why, c.why)) {
				t.Fatalf("status %s band %s why %q; want %s %s %q", r.Status, r.Band, r.Why, c.status, c.band, c.why)
			}
			if !r.At.Equal(c.now) {
				t.Fatalf("at %v", r.At)
			}
			if ScoreCurrent(r.Status) && !r.ObservedAt.Equal(t0) {
				t.Fatalf("observedAt %v, want the oldest value used %v", r.ObservedAt, t0)
			}
		})
	}
	t.Run("observedAt is the oldest value used", func(t *testing.T) {
		items := replace(normal(t0), "temp", vital("temp", t0.Add(-5*time.Hour), CodeBodyTemperature, 37, "Cel"))
		r := NEWS2At(items, nil, NEWS2Options{}, t0)
		if !r.ObservedAt.Equal(t0.Add(-5 * time.Hour)) {
			t.Fatalf("observedAt %v", r.ObservedAt)
		}
		if rd, _ := r.Reading(Temperature); rd.Age != jsontime.Duration(5*time.Hour) {
			t.Fatalf("temperature age %v, want 5 h before now", time.Duration(rd.Age))
		}
	})
}

func TestAsOf(t *testing.T) {
	r := NEWS2At(normal(t0), nil, NEWS2Options{}, t0.Add(time.Hour))
	if r.Status != StatusComplete || r.Band != BandLow {
		t.Fatalf("fixture: %s %s", r.Status, r.Band)
	}
	if got := r.AsOf(t0.Add(23 * time.Hour)); got.Status != StatusComplete || got.Band != BandLow {
		t.Fatalf("23 h: %s %s", got.Status, got.Band)
	}
	got := r.AsOf(t0.Add(25 * time.Hour))
	if got.Status != StatusStale || got.Band != BandNone || len(got.Scores) != 0 || len(got.Missing) != 7 {
		t.Fatalf("25 h: %s %s %v %v", got.Status, got.Band, got.Scores, got.Missing)
	}
	if r.Status != StatusComplete || len(r.Scores) != 7 {
		t.Fatal("AsOf changed its receiver")
	}
	// A mixed set: the temperature taken 20 h before the rest leaves first.
	mixed := NEWS2At(replace(normal(t0), "temp", vital("temp", t0.Add(-20*time.Hour), CodeBodyTemperature, 39.5, "Cel")), nil, NEWS2Options{}, t0)
	if mixed.Total != 2 {
		t.Fatalf("mixed total %d", mixed.Total)
	}
	later := mixed.AsOf(t0.Add(5 * time.Hour))
	if later.Status != StatusPartial || later.Total != 0 || !contains(later.Why, "missing temperature") {
		t.Fatalf("5 h later: %s %d %q", later.Status, later.Total, later.Why)
	}
	p := PEWS(pewsNormal(t0), 96, NEWS2Options{}, t0)
	if got := p.AsOf(t0.AddDate(0, 0, 2)); got.Status != StatusStale || got.Band != PEWSNone {
		t.Fatalf("PEWS 2 days later: %s %s", got.Status, got.Band)
	}
}

func TestNEWS2PointNeedsACurrentScore(t *testing.T) {
	high := func(at time.Time) []store.Item {
		items := replace(normal(at), "rr", vital("rr", at, CodeRespiratoryRate, 30, "/min"))
		return replace(items, "hr", vital("hr", at, CodeHeartRate, 140, "/min"))
	}
	cases := []struct {
		name     string
		cur      Result
		severity string
	}{
		{"current medium set (RR 30 → 3, HR 140 → 3)", NEWS2At(high(t0), nil, NEWS2Options{}, t0.Add(time.Hour)), SeverityMedium},
		{"the same set judged years later", NEWS2At(high(t0.AddDate(-4, 0, 0)), nil, NEWS2Options{}, t0), ""},
		{"not applicable", NEWS2At(high(t0), nil, NEWS2Options{}, t0).NotApplicable("NEWS2 does not apply: age 7 — PEWS shown"), ""},
		{"insufficient red reading", NEWS2At([]store.Item{vital("rr", t0, CodeRespiratoryRate, 30, "/min")}, nil, NEWS2Options{}, t0), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pt, _ := NEWS2Point(c.cur)
			if pt.Severity != c.severity {
				t.Fatalf("severity %q, want %q (status %s band %s)", pt.Severity, c.severity, c.cur.Status, c.cur.Band)
			}
		})
	}
}

func TestGuidance(t *testing.T) {
	set := func(rr, hr float64) Result {
		items := replace(normal(t0), "rr", vital("rr", t0, CodeRespiratoryRate, rr, "/min"))
		return NEWS2At(replace(items, "hr", vital("hr", t0, CodeHeartRate, hr, "/min")), nil, NEWS2Options{}, t0)
	}
	seven := NEWS2At(replace(replace(replace(normal(t0), "rr", vital("rr", t0, CodeRespiratoryRate, 26, "/min")),
		"hr", vital("hr", t0, CodeHeartRate, 140, "/min")), "temp", vital("temp", t0, CodeBodyTemperature, 38.5, "Cel")), nil, NEWS2Options{}, t0)
	cases := []struct {
		name    string
		r       Result
		trigger string
	}{
		{"0", set(16, 70), "NEWS2 0"},
		{"1–4 (total 1)", set(16, 95), "NEWS2 1–4"},
		{"1–4 (total 4)", set(22, 115), "NEWS2 1–4"},
		{"single 3 at total 3", set(26, 70), "NEWS2: 3 in a single parameter"},
		{"5–6 (total 5)", set(26, 115), "NEWS2 5–6 — urgent response"},
		{"5–6 (total 6)", set(26, 135), "NEWS2 5–6 — urgent response"},
		{"7+ (total 7)", seven, "NEWS2 7 or more — emergency response"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, ok := NEWS2Guidance(c.r)
			if !ok || g.Trigger != c.trigger || len(g.Response) == 0 || g.Monitoring == "" {
				t.Fatalf("total %d band %s: %v %+v", c.r.Total, c.r.Band, ok, g)
			}
		})
	}
	if g, _ := NEWS2Guidance(seven); seven.Total != 7 || g.Monitoring != "Continuous monitoring of vital signs" {
		t.Fatalf("7+: %q", g.Monitoring)
	}
	if _, ok := NEWS2Guidance(NEWS2At(normal(t0), nil, NEWS2Options{}, t0.AddDate(0, 1, 0))); ok {
		t.Fatal("a stale score has guidance")
	}
	for _, c := range []struct {
		hr      float64
		trigger string
	}{{100, "PEWS 0"}, {125, "PEWS low"}, {165, "PEWS low"}} {
		r := PEWS(replace(pewsNormal(t0), "hr", vital("hr", t0, CodeHeartRate, c.hr, "/min")), 96, NEWS2Options{}, t0)
		if g, ok := PEWSGuidance(r); !ok || g.Trigger != c.trigger {
			t.Errorf("hr %g: %v %+v", c.hr, ok, g)
		}
	}
	em := PEWS(replace(pewsNormal(t0), "avpu", coded("avpu", t0, CodeResponsiveness, CodeACVPUUnresponsive, "")), 96, NEWS2Options{}, t0)
	if g, _ := PEWSGuidance(em); g.Trigger != "PEWS emergency" || !contains(g.Response[0], "2222") {
		t.Fatalf("emergency: %+v", g)
	}
}

func TestAgeWords(t *testing.T) {
	now := t0
	cases := []struct {
		ago  time.Duration
		want string
	}{
		{30 * time.Second, "just now"}, {-time.Hour, "just now"}, {12 * time.Minute, "12 min ago"},
		{2 * time.Hour, "2 h ago"}, {47 * time.Hour, "47 h ago"}, {3 * 24 * time.Hour, "3 days ago"},
		{42 * 24 * time.Hour, "6 weeks ago"}, {100 * 24 * time.Hour, "3 months ago"}, {800 * 24 * time.Hour, "2 years ago"},
	}
	for _, c := range cases {
		if got := AgeWords(now.Add(-c.ago), now); got != c.want {
			t.Errorf("%v: %q, want %q", c.ago, got, c.want)
		}
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
