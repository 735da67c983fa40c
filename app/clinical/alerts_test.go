package clinical

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chartline/chartline/store"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestHashID(t *testing.T) {
	a := HashID("al", "ab", "c")
	if !regexp.MustCompile(`^al-[a-z2-7]{20}$`).MatchString(a) {
		t.Fatalf("id %q has the wrong shape", a)
	}
	if a != HashID("al", "ab", "c") {
		t.Fatal("not deterministic")
	}
	if a == HashID("al", "a", "bc") {
		t.Fatal("parts are not length-prefixed: (ab,c) == (a,bc)")
	}
}

// scored builds the result of a vital-sign set with the given respiration and
// pulse (others normal).
func scored(at time.Time, rr, hr float64, extra ...store.Item) Result {
	items := replace(normal(at), "rr", vital("rr", at, CodeRespiratoryRate, rr, "/min"))
	items = replace(items, "hr", vital("hr", at, CodeHeartRate, hr, "/min"))
	return NEWS2(append(items, extra...), nil, NEWS2Options{})
}

func TestNEWS2Alert(t *testing.T) {
	low := scored(t0, 16, 70)     // 0: low
	lowMed := scored(t0, 8, 70)   // respiration 3: low-medium
	medium := scored(t0, 25, 111) // 3 + 2 = 5: medium
	hot := replace(normal(t0), "temp", vital("temp", t0, CodeBodyTemperature, 39.5, "Cel"))
	hot = replace(hot, "rr", vital("rr", t0, CodeRespiratoryRate, 25, "/min"))
	high := NEWS2(replace(hot, "hr", vital("hr", t0, CodeHeartRate, 131, "/min")), nil, NEWS2Options{}) // 3 + 3 + 2 = 8: high
	none := NEWS2(nil, nil, NEWS2Options{})
	for _, c := range []struct {
		r    Result
		band string
	}{{low, BandLow}, {lowMed, BandLowMedium}, {medium, BandMedium}, {high, BandHigh}, {none, BandNone}} {
		if c.r.Band != c.band {
			t.Fatalf("setup: band %s, want %s (total %d)", c.r.Band, c.band, c.r.Total)
		}
	}

	cases := []struct {
		name      string
		prev, cur Result
		raise     bool
		severity  string
	}{
		{"none to low", none, low, false, ""},
		{"low to low-medium", low, lowMed, true, SeverityLowMedium},
		{"low to medium", low, medium, true, SeverityMedium},
		{"low-medium to medium", lowMed, medium, true, SeverityMedium},
		{"medium to high", medium, high, true, SeverityHigh},
		{"none to high", none, high, true, SeverityHigh},
		{"high stays high", high, high, false, ""},
		{"medium stays medium", medium, medium, false, ""},
		{"high falls to medium", high, medium, false, ""},
		{"medium falls to low", medium, low, false, ""},
		{"low-medium falls to low", lowMed, low, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, ok := NEWS2Alert(testPatient, c.prev, c.cur, t0)
			if ok != c.raise {
				t.Fatalf("raised %v, want %v", ok, c.raise)
			}
			if !ok {
				return
			}
			if a.Severity != c.severity || a.Kind != KindNEWS2 || a.Patient != testPatient || !a.Raised.Equal(t0) {
				t.Fatalf("alert %+v", a)
			}
			if a.Cause.Score != c.cur.Total || a.Cause.Band != c.cur.Band || a.Cause.PrevBand != c.prev.Band || len(a.Cause.Subscores) != 7 {
				t.Fatalf("cause %+v", a.Cause)
			}
			if !strings.HasPrefix(a.ID, "al-") || a.Trigger.Type != "Observation" || a.Version != "1" {
				t.Fatalf("identity %s %+v %q", a.ID, a.Trigger, a.Version)
			}
		})
	}

	t.Run("deterministic across workstations", func(t *testing.T) {
		// Workstation A saw the set arrive in two batches, B in one.
		early := scored(t0.Add(-time.Hour), 16, 70)
		a1, ok1 := NEWS2Alert(testPatient, early, medium, t0)
		b1, ok2 := NEWS2Alert(testPatient, none, medium, t0.Add(time.Minute))
		if !ok1 || !ok2 || a1.ID != b1.ID {
			t.Fatalf("ids differ: %s vs %s", a1.ID, b1.ID)
		}
		// The same rise computed again (a replay) is the same alert.
		again, _ := NEWS2Alert(testPatient, low, scored(t0, 25, 111), t0.Add(time.Hour))
		if again.ID != a1.ID {
			t.Fatalf("replay raised a new id %s, want %s", again.ID, a1.ID)
		}
		// A different band, a different patient, or a new version of the trigger are new alerts.
		h, _ := NEWS2Alert(testPatient, low, high, t0)
		o, _ := NEWS2Alert("pt-2", low, medium, t0)
		v2 := scored(t0, 25, 111)
		for i := range v2.Readings {
			v2.Readings[i].Version = "2"
		}
		n, _ := NEWS2Alert(testPatient, low, v2, t0)
		if h.ID == a1.ID || o.ID == a1.ID || n.ID == a1.ID {
			t.Fatalf("ids collide: %s %s %s %s", a1.ID, h.ID, o.ID, n.ID)
		}
	})

	t.Run("trigger is the newest reading", func(t *testing.T) {
		cur := scored(t0, 25, 111, vital("hr-late", t0.Add(time.Minute), CodeHeartRate, 111, "/min"))
		a, ok := NEWS2Alert(testPatient, low, cur, t0)
		if !ok || a.Trigger.ID != "hr-late" {
			t.Fatalf("trigger %+v", a.Trigger)
		}
	})
}

func TestRiskAlert(t *testing.T) {
	raw := readFixture(t, "risk-sepsis-high.json")
	a, ok, err := RiskAlert(raw, "cds-header", RiskOptions{}, t0)
	if err != nil || !ok {
		t.Fatalf("fixture: %v %v", ok, err)
	}
	if a.Kind != KindRisk || a.Severity != SeverityHigh || a.Patient != "pt-1" || a.Cause.Source != "flink://sepsis-model-v4" ||
		a.Cause.Assessment != "RiskAssessment/sepsis-7f3a" || a.Cause.QualitativeRisk != "high" || a.Version != "3" ||
		a.Trigger != (store.Ref{Collection: store.Risk, Type: "RiskAssessment", ID: "sepsis-7f3a"}) {
		t.Fatalf("alert %+v", a)
	}
	if a.Cause.Probability == nil || *a.Cause.Probability != 0.82 || a.Cause.Outcome != "Sepsis within 48 h" {
		t.Fatalf("cause %+v", a.Cause)
	}
	if !strings.Contains(a.Title, "Sepsis risk") || !strings.Contains(a.Title, "flink://sepsis-model-v4") {
		t.Fatalf("title %q", a.Title)
	}
	b, _, _ := RiskAlert(raw, "other-header", RiskOptions{}, t0.Add(time.Hour))
	if b.ID != a.ID {
		t.Fatalf("same assessment, different ids: %s %s", a.ID, b.ID)
	}

	doc := func(extra string) []byte {
		return []byte(`{"resourceType":"RiskAssessment","id":"r1","status":"final","subject":{"reference":"Patient/pt-1"}` + extra + `}`)
	}
	qual := func(code string) string {
		return `,"prediction":[{"qualitativeRisk":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/risk-probability","code":"` + code + `"}]}}]`
	}
	prob := func(p string) string { return `,"prediction":[{"probabilityDecimal":` + p + `}]` }
	cases := []struct {
		name     string
		raw      []byte
		header   string
		opts     RiskOptions
		raise    bool
		severity string
		source   string
	}{
		{"qualitative high", doc(qual("high")), "", RiskOptions{}, true, SeverityHigh, "upstream"},
		{"qualitative certain", doc(qual("certain")), "", RiskOptions{}, true, SeverityHigh, "upstream"},
		{"qualitative moderate", doc(qual("moderate")), "", RiskOptions{}, true, SeverityMedium, "upstream"},
		{"qualitative low", doc(qual("low")), "", RiskOptions{}, false, "", ""},
		{"qualitative high in another system", doc(`,"prediction":[{"qualitativeRisk":{"coding":[{"system":"http://example.org/risk","code":"high"}]}}]`), "", RiskOptions{}, false, "", ""},
		{"probability at threshold", doc(prob("0.5")), "", RiskOptions{}, false, "", ""},
		{"probability just over threshold", doc(prob("0.5001")), "", RiskOptions{}, true, SeverityMedium, "upstream"},
		{"probability just under high", doc(prob("0.7999")), "", RiskOptions{}, true, SeverityMedium, "upstream"},
		{"probability at high", doc(prob("0.8")), "", RiskOptions{}, true, SeverityHigh, "upstream"},
		{"probability as a percentage", doc(prob("65")), "", RiskOptions{}, true, SeverityMedium, "upstream"},
		{"configured threshold 0.3", doc(prob("0.31")), "", RiskOptions{Threshold: 0.3}, true, SeverityMedium, "upstream"},
		{"configured threshold 0.3, below", doc(prob("0.3")), "", RiskOptions{Threshold: 0.3}, false, "", ""},
		{"higher of two predictions", doc(`,"prediction":[{"probabilityDecimal":0.6},{"probabilityDecimal":0.9}]`), "", RiskOptions{}, true, SeverityHigh, "upstream"},
		{"source from header", doc(qual("high")), "flink-sepsis", RiskOptions{}, true, SeverityHigh, "flink-sepsis"},
		{"source from performer", doc(`,"performer":{"display":"Deterioration model"}` + qual("high")), "flink-sepsis", RiskOptions{}, true, SeverityHigh, "Deterioration model"},
		{"entered in error", []byte(strings.Replace(string(doc(qual("high"))), `"final"`, `"entered-in-error"`, 1)), "", RiskOptions{}, false, "", ""},
		{"no prediction", doc(""), "", RiskOptions{}, false, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, ok, err := RiskAlert(c.raw, c.header, c.opts, t0)
			if err != nil {
				t.Fatal(err)
			}
			if ok != c.raise {
				t.Fatalf("raised %v, want %v (%+v)", ok, c.raise, a)
			}
			if ok && (a.Severity != c.severity || a.Cause.Source != c.source) {
				t.Fatalf("severity %s source %q, want %s %q", a.Severity, a.Cause.Source, c.severity, c.source)
			}
		})
	}

	for _, bad := range []string{
		`{`,
		`{"resourceType":"Observation","id":"x"}`,
		`{"resourceType":"RiskAssessment","id":"r1","status":"final","subject":{"reference":"Group/g1"}}`,
		`{"resourceType":"RiskAssessment","status":"final","subject":{"reference":"Patient/p"}}`,
	} {
		if _, _, err := RiskAlert([]byte(bad), "", RiskOptions{}, t0); err == nil {
			t.Errorf("no error for %s", bad)
		}
	}
}

func TestSortAlerts(t *testing.T) {
	as := []Alert{
		{ID: "a", Severity: SeverityMedium, Raised: t0},
		{ID: "b", Severity: SeverityHigh, Raised: t0},
		{ID: "c", Severity: SeverityMedium, Raised: t0.Add(time.Minute)},
		{ID: "d", Severity: SeverityLowMedium, Raised: t0.Add(time.Hour)},
	}
	SortAlerts(as)
	got := ""
	for _, a := range as {
		got += a.ID
	}
	if got != "bcad" {
		t.Fatalf("order %s, want bcad", got)
	}
}
