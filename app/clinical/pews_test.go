package clinical

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/chartline/chartline/store"
)

// pewsNormal is a full set of the seven PEWS parameters that all score 0 in
// the 5–12 y chart (and AVPU alert, temperature 37 °C).
func pewsNormal(at time.Time) []store.Item {
	crt := vital("crt", at, CodeCapillaryRefill, 1, "s")
	return []store.Item{
		vital("rr", at, CodeRespiratoryRate, 22, "/min"),
		coded("rd", at, CodeRespiratoryDistress, CodeDistressNone, "None"),
		pulseOx("ox", at, 98, 0),
		vital("hr", at, CodeHeartRate, 100, "/min"),
		vital("sbp", at, CodeSystolicBP, 100, "mm[Hg]"),
		crt,
		coded("avpu", at, CodeResponsiveness, CodeACVPUAlert, "Alert"),
		vital("temp", at, CodeBodyTemperature, 37, "Cel"),
	}
}

// months of a child in each age band, for the tests.
var bandMonths = map[string]int{AgeBandInfant: 6, AgeBandToddler: 30, AgeBandChild: 96, AgeBandTeenager: 170}

func TestPEWSAgeBand(t *testing.T) {
	cases := []struct {
		months int
		want   string
	}{
		{0, AgeBandInfant}, {11, AgeBandInfant}, {12, AgeBandToddler}, {59, AgeBandToddler},
		{60, AgeBandChild}, {155, AgeBandChild}, {156, AgeBandTeenager}, {191, AgeBandTeenager},
	}
	for _, c := range cases {
		if got := PEWSAgeBand(c.months); got != c.want {
			t.Errorf("%d months: %s, want %s", c.months, got, c.want)
		}
	}
}

// TestPEWSThresholds checks every row boundary of every numeric chart, in
// every age band, on both sides: the last value of a row and the first of the
// next (x.99 | x+1, as the charts meet). The expected scores are written out
// from the National PEWS charts (2023), not derived from the tables in pews.go.
func TestPEWSThresholds(t *testing.T) {
	type edge struct {
		v     float64
		score int
	}
	charts := []struct {
		band, param string
		edges       []edge
	}{
		{AgeBandInfant, "rr", []edge{{9, 4}, {10, 2}, {19, 2}, {20, 1}, {29, 1}, {30, 0}, {49, 0}, {50, 1}, {59, 1}, {60, 2}, {69, 2}, {70, 4}}},
		{AgeBandToddler, "rr", []edge{{9, 4}, {10, 2}, {19, 2}, {20, 0}, {39, 0}, {40, 1}, {49, 1}, {50, 2}, {59, 2}, {60, 4}}},
		{AgeBandChild, "rr", []edge{{9, 4}, {10, 2}, {14, 2}, {15, 1}, {19, 1}, {20, 0}, {24, 0}, {25, 1}, {39, 1}, {40, 2}, {49, 2}, {50, 4}}},
		{AgeBandTeenager, "rr", []edge{{9, 4}, {10, 1}, {14, 1}, {15, 0}, {24, 0}, {25, 1}, {29, 1}, {30, 2}, {39, 2}, {40, 4}}},

		{AgeBandInfant, "hr", []edge{{79, 4}, {80, 2}, {89, 2}, {90, 1}, {109, 1}, {110, 0}, {149, 0}, {150, 1}, {169, 1}, {170, 2}, {179, 2}, {180, 4}}},
		{AgeBandToddler, "hr", []edge{{59, 4}, {60, 2}, {69, 2}, {70, 1}, {89, 1}, {90, 0}, {139, 0}, {140, 1}, {149, 1}, {150, 2}, {169, 2}, {170, 4}}},
		{AgeBandChild, "hr", []edge{{59, 4}, {60, 2}, {69, 2}, {70, 1}, {79, 1}, {80, 0}, {119, 0}, {120, 1}, {139, 1}, {140, 2}, {159, 2}, {160, 4}}},
		{AgeBandTeenager, "hr", []edge{{49, 4}, {50, 2}, {59, 2}, {60, 1}, {69, 1}, {70, 0}, {99, 0}, {100, 1}, {119, 1}, {120, 2}, {129, 2}, {130, 4}}},

		{AgeBandInfant, "sbp", []edge{{49, 4}, {50, 2}, {59, 2}, {60, 1}, {69, 1}, {70, 0}, {89, 0}, {90, 1}, {99, 1}, {100, 2}, {109, 2}, {110, 4}}},
		{AgeBandToddler, "sbp", []edge{{49, 4}, {50, 2}, {59, 2}, {60, 1}, {79, 1}, {80, 0}, {99, 0}, {100, 1}, {119, 1}, {120, 2}, {129, 2}, {130, 4}}},
		{AgeBandChild, "sbp", []edge{{69, 4}, {70, 2}, {79, 2}, {80, 1}, {89, 1}, {90, 0}, {109, 0}, {110, 1}, {119, 1}, {120, 2}, {129, 2}, {130, 4}}},
		{AgeBandTeenager, "sbp", []edge{{79, 4}, {80, 2}, {89, 2}, {90, 1}, {99, 1}, {100, 0}, {119, 0}, {120, 1}, {129, 1}, {130, 2}, {139, 2}, {140, 4}}},
	}
	for _, ch := range charts {
		for i, e := range ch.edges {
			values := []float64{e.v}
			if i+1 < len(ch.edges) && ch.edges[i+1].v == e.v+1 {
				values = append(values, e.v+0.99) // the row's x.99 end belongs to the row
			}
			for _, v := range values {
				t.Run(fmt.Sprintf("%s/%s/%g", ch.band, ch.param, v), func(t *testing.T) {
					items := pewsNormal(t0)
					switch ch.param {
					case "rr":
						items = replace(items, "rr", vital("rr", t0, CodeRespiratoryRate, v, "/min"))
					case "hr":
						items = replace(items, "hr", vital("hr", t0, CodeHeartRate, v, "/min"))
					case "sbp":
						items = replace(items, "sbp", vital("sbp", t0, CodeSystolicBP, v, "mm[Hg]"))
					}
					r := PEWS(items, bandMonths[ch.band], NEWS2Options{}, t0)
					p := map[string]Parameter{"rr": Respiration, "hr": HeartRate, "sbp": Systolic}[ch.param]
					if got, ok := r.Scores[p]; !ok || got != e.score {
						t.Fatalf("%s %g in %s: score %d (scored %v), want %d", ch.param, v, ch.band, got, ok, e.score)
					}
				})
			}
		}
	}
}

// TestPEWSSharedRows checks the rows that are the same in every age band:
// SpO2, oxygen flow and concentration, capillary refill, respiratory distress.
func TestPEWSSharedRows(t *testing.T) {
	withComp := func(code string, v float64, unit string) store.Item {
		it := vital("ox", t0, CodeSpO2, 98, "%")
		it.Meta.Components = []store.Component{{Code: code, Value: v, HasValue: true, Unit: unit}}
		return it
	}
	cases := []struct {
		name  string
		id    string
		it    store.Item
		param Parameter
		score int
	}{
		{"SpO2 91 %", "ox", vital("ox", t0, CodeSpO2, 91, "%"), SpO2, 4},
		{"SpO2 91.5 %", "ox", vital("ox", t0, CodeSpO2, 91.5, "%"), SpO2, 1},
		{"SpO2 92 %", "ox", vital("ox", t0, CodeSpO2, 92, "%"), SpO2, 1},
		{"SpO2 94.99 %", "ox", vital("ox", t0, CodeSpO2, 94.99, "%"), SpO2, 1},
		{"SpO2 95 %", "ox", vital("ox", t0, CodeSpO2, 95, "%"), SpO2, 0},
		{"O2 0 L/min (air)", "ox", withComp(CodeInhaledO2Flow, 0, "L/min"), OxygenSupport, 0},
		{"O2 0.5 L/min", "ox", withComp(CodeInhaledO2Flow, 0.5, "L/min"), OxygenSupport, 1},
		{"O2 1.99 L/min", "ox", withComp(CodeInhaledO2Flow, 1.99, "L/min"), OxygenSupport, 1},
		{"O2 2 L/min", "ox", withComp(CodeInhaledO2Flow, 2, "L/min"), OxygenSupport, 2},
		{"O2 5.99 L/min", "ox", withComp(CodeInhaledO2Flow, 5.99, "L/min"), OxygenSupport, 2},
		{"O2 6 L/min", "ox", withComp(CodeInhaledO2Flow, 6, "L/min"), OxygenSupport, 4},
		{"O2 21 % (room air)", "ox", withComp(CodeInhaledO2Conc, 21, "%"), OxygenSupport, 0},
		{"O2 22 %", "ox", withComp(CodeInhaledO2Conc, 22, "%"), OxygenSupport, 1},
		{"O2 29.99 %", "ox", withComp(CodeInhaledO2Conc, 29.99, "%"), OxygenSupport, 1},
		{"O2 30 %", "ox", withComp(CodeInhaledO2Conc, 30, "%"), OxygenSupport, 2},
		{"O2 49.99 %", "ox", withComp(CodeInhaledO2Conc, 49.99, "%"), OxygenSupport, 2},
		{"O2 50 %", "ox", withComp(CodeInhaledO2Conc, 50, "%"), OxygenSupport, 4},
		{"CRT 2 s", "crt", vital("crt", t0, CodeCapillaryRefill, 2, "s"), CapillaryRefill, 0},
		{"CRT 2.5 s (no chart row: scored up)", "crt", vital("crt", t0, CodeCapillaryRefill, 2.5, "s"), CapillaryRefill, 2},
		{"CRT 3 s", "crt", vital("crt", t0, CodeCapillaryRefill, 3, "s"), CapillaryRefill, 2},
		{"CRT by SNOMED code", "crt", vital("crt", t0, CodeCapillaryRefillSCT, 4, "s"), CapillaryRefill, 2},
		{"distress none", "rd", coded("rd", t0, CodeRespiratoryDistress, CodeDistressNone, ""), RespiratoryDistress, 0},
		{"distress mild", "rd", coded("rd", t0, CodeRespiratoryDistress, CodeDistressMild, ""), RespiratoryDistress, 1},
		{"distress moderate", "rd", coded("rd", t0, CodeRespiratoryDistress, CodeDistressModerate, ""), RespiratoryDistress, 2},
		{"distress severe", "rd", coded("rd", t0, CodeRespiratoryDistress, CodeDistressSevere, ""), RespiratoryDistress, 4},
		{"distress as text", "rd", coded("rd", t0, CodeRespiratoryDistress, "", "Moderate"), RespiratoryDistress, 2},
	}
	for _, c := range cases {
		for band, months := range bandMonths {
			t.Run(c.name+"/"+band, func(t *testing.T) {
				r := PEWS(replace(pewsNormal(t0), c.id, c.it), months, NEWS2Options{}, t0)
				if got, ok := r.Scores[c.param]; !ok || got != c.score {
					t.Fatalf("score %d (scored %v), want %d; skipped %v", got, ok, c.score, r.Skipped)
				}
			})
		}
	}
	t.Run("unreadable distress answer is skipped, not scored 0", func(t *testing.T) {
		r := PEWS(replace(pewsNormal(t0), "rd", coded("rd", t0, CodeRespiratoryDistress, "", "a bit")), 96, NEWS2Options{}, t0)
		if _, ok := r.Scores[RespiratoryDistress]; ok || len(r.Skipped) != 1 {
			t.Fatalf("scores %v skipped %v", r.Scores, r.Skipped)
		}
	})
	t.Run("CRT in ms is refused", func(t *testing.T) {
		r := PEWS(replace(pewsNormal(t0), "crt", vital("crt", t0, CodeCapillaryRefill, 2000, "ms")), 96, NEWS2Options{}, t0)
		if _, ok := r.Scores[CapillaryRefill]; ok {
			t.Fatalf("scored %v", r.Scores)
		}
	})
}

func TestPEWSEscalation(t *testing.T) {
	// The escalation boundaries: 0 none | 1 low, 4 low | 5 medium, 8 medium |
	// 9 high, 12 high | 13 emergency. Totals are built in the 5–12 y chart
	// from respiration (RR 25 → 1, 40 → 2, 50 → 4), heart rate (120 → 1, 140
	// → 2, 160 → 4), systolic (110 → 1, 120 → 2, 130 → 4) and CRT (3 s → 2).
	cases := []struct {
		rr, hr, sbp, crt float64
		total            int
		level            string
	}{
		{22, 100, 100, 1, 0, PEWSNone},
		{25, 100, 100, 1, 1, PEWSLow},
		{50, 100, 100, 1, 4, PEWSLow},
		{50, 120, 100, 1, 5, PEWSMedium},
		{50, 160, 100, 1, 8, PEWSMedium},
		{50, 160, 110, 1, 9, PEWSHigh},
		{50, 160, 130, 1, 12, PEWSHigh},
		{50, 160, 130, 3, 14, PEWSEmergency},
		{50, 160, 120, 1, 10, PEWSHigh},
		{50, 160, 130, 1, 12, PEWSHigh},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("total %d", c.total), func(t *testing.T) {
			items := pewsNormal(t0)
			items = replace(items, "rr", vital("rr", t0, CodeRespiratoryRate, c.rr, "/min"))
			items = replace(items, "hr", vital("hr", t0, CodeHeartRate, c.hr, "/min"))
			items = replace(items, "sbp", vital("sbp", t0, CodeSystolicBP, c.sbp, "mm[Hg]"))
			items = replace(items, "crt", vital("crt", t0, CodeCapillaryRefill, c.crt, "s"))
			r := PEWS(items, 96, NEWS2Options{}, t0)
			if r.Total != c.total || r.Band != c.level || r.Status != StatusComplete {
				t.Fatalf("total %d level %s status %s, want %d %s", r.Total, r.Band, r.Status, c.total, c.level)
			}
		})
	}
	for _, c := range []struct {
		total int
		level string
	}{{0, PEWSNone}, {1, PEWSLow}, {4, PEWSLow}, {5, PEWSMedium}, {8, PEWSMedium}, {9, PEWSHigh}, {12, PEWSHigh}, {13, PEWSEmergency}} {
		if got := pewsLevel(c.total); got != c.level {
			t.Errorf("total %d: %s, want %s", c.total, got, c.level)
		}
	}
	t.Run("AVPU and temperature: escalation and sepsis, not the total", func(t *testing.T) {
		for _, c := range []struct {
			avpu, text string
			temp       float64
			level      string
			sepsis     bool
		}{
			{CodeACVPUAlert, "A", 37, PEWSNone, false},
			{CodeACVPUVoice, "V", 37, PEWSHigh, false},
			{CodeACVPUPain, "P", 37, PEWSEmergency, false},
			{CodeACVPUUnresponsive, "U", 37, PEWSEmergency, false},
			{CodeACVPUAlert, "A", 37.9, PEWSNone, false},
			{CodeACVPUAlert, "A", 38.0, PEWSNone, true},
			{CodeACVPUAlert, "A", 36.0, PEWSNone, false},
			{CodeACVPUAlert, "A", 35.9, PEWSNone, true},
		} {
			items := replace(pewsNormal(t0), "avpu", coded("avpu", t0, CodeResponsiveness, c.avpu, c.text))
			items = replace(items, "temp", vital("temp", t0, CodeBodyTemperature, c.temp, "Cel"))
			r := PEWS(items, 96, NEWS2Options{}, t0)
			if r.Total != 0 || r.Band != c.level || (r.Sepsis != "") != c.sepsis {
				t.Errorf("AVPU %s temp %g: total %d level %s sepsis %q", c.text, c.temp, r.Total, r.Band, r.Sepsis)
			}
		}
	})
}

func TestPEWSStatus(t *testing.T) {
	now := t0.Add(2 * time.Hour)
	r := PEWS(pewsNormal(t0), 96, NEWS2Options{}, now)
	if r.Status != StatusComplete || r.AgeBand != AgeBandChild || !r.ObservedAt.Equal(t0) || len(r.Missing) != 0 {
		t.Fatalf("complete: %+v", r)
	}
	part := PEWS(without(without(pewsNormal(t0), "crt"), "rd"), 96, NEWS2Options{}, now)
	if part.Status != StatusPartial || part.Why != "partial — 5 of 7; missing respiratory distress, capillary refill" || part.Band != PEWSNone {
		t.Fatalf("partial: %s %q band %s", part.Status, part.Why, part.Band)
	}
	if !reflect.DeepEqual(part.MissingNames(), []string{"respiratory_distress", "capillary_refill"}) {
		t.Fatalf("missing %v", part.MissingNames())
	}
	if _, ok := part.Subscores()["capillary_refill"]; ok {
		t.Fatal("a missing parameter has a sub-score")
	}
	old := PEWS(pewsNormal(t0.AddDate(-3, 0, 0)), 96, NEWS2Options{}, now)
	if old.Status != StatusStale || old.Band != PEWSNone {
		t.Fatalf("three-year-old set: %s %s", old.Status, old.Band)
	}
	one := PEWS([]store.Item{vital("hr", t0, CodeHeartRate, 200, "/min")}, 96, NEWS2Options{}, now)
	if one.Status != StatusInsufficient || one.Band != PEWSNone || one.Total != 4 {
		t.Fatalf("single reading: %s %s %d", one.Status, one.Band, one.Total)
	}
}

func TestPEWSPoint(t *testing.T) {
	now := t0.Add(time.Minute)
	set := func(at time.Time, hr, rr float64) PEWSResult {
		items := replace(replace(pewsNormal(at), "hr", vital("hr", at, CodeHeartRate, hr, "/min")), "rr", vital("rr", at, CodeRespiratoryRate, rr, "/min"))
		return PEWS(items, 96, NEWS2Options{}, now)
	}
	cases := []struct {
		name     string
		r        PEWSResult
		level    string
		severity string
	}{
		{"calm: no alert", set(t0, 100, 22), PEWSNone, ""},
		{"low (4): shown, not alerted", set(t0, 170, 22), PEWSLow, ""},
		{"medium (6)", set(t0, 170, 45), PEWSMedium, SeverityMedium},
		{"high (AVPU V)", PEWS(replace(pewsNormal(t0), "avpu", coded("avpu", t0, CodeResponsiveness, CodeACVPUVoice, "")), 96, NEWS2Options{}, now), PEWSHigh, SeverityHigh},
		{"emergency (AVPU U)", PEWS(replace(pewsNormal(t0), "avpu", coded("avpu", t0, CodeResponsiveness, CodeACVPUUnresponsive, "")), 96, NEWS2Options{}, now), PEWSEmergency, SeverityEmergency},
		{"the same emergency set, two years old: stale, no severity", set(t0.AddDate(-2, 0, 0), 190, 60), PEWSNone, ""},
		{"a single heart rate of 200: insufficient, no severity", PEWS([]store.Item{vital("hr", t0, CodeHeartRate, 200, "/min")}, 96, NEWS2Options{}, now), PEWSNone, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pt, ok := PEWSPoint(c.r)
			if !ok {
				if c.r.Status != StatusStale {
					t.Fatal("no point")
				}
				return
			}
			if c.r.Band != c.level || pt.Severity != c.severity || pt.Kind != ScorePEWS {
				t.Fatalf("level %s severity %q kind %s; want %s %q", c.r.Band, pt.Severity, pt.Kind, c.level, c.severity)
			}
		})
	}
}
