package clinical

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
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

func TestRiskAlert(t *testing.T) {
	raw := readFixture(t, "risk-sepsis-high.json")
	a, ok, err := RiskAlert(raw, "cds-header", time.Time{}, RiskOptions{}, t0)
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
	b, _, _ := RiskAlert(raw, "other-header", time.Time{}, RiskOptions{}, t0.Add(time.Hour))
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
			a, ok, err := RiskAlert(c.raw, c.header, t0.Add(-time.Hour), c.opts, t0)
			if err != nil {
				t.Fatal(err)
			}
			if ok && a.Info {
				ok = false // information for the chart, not an alert
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
		if _, _, err := RiskAlert([]byte(bad), "", t0, RiskOptions{}, t0); err == nil {
			t.Errorf("no error for %s", bad)
		}
	}
}

func TestCompareAlerts(t *testing.T) {
	as := []Alert{
		{ID: "a", Severity: SeverityMedium, Raised: t0},
		{ID: "b", Severity: SeverityHigh, Raised: t0},
		{ID: "c", Severity: SeverityMedium, Raised: t0.Add(time.Minute)},
		{ID: "d", Severity: SeverityLowMedium, Raised: t0.Add(time.Hour)},
	}
	slices.SortStableFunc(as, CompareAlerts)
	got := ""
	for _, a := range as {
		got += a.ID
	}
	if got != "bcad" {
		t.Fatalf("order %s, want bcad", got)
	}
}
