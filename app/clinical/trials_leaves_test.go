// Trial criteria leaves: conditions, quantities, observations (latest or any, where, components) and age.

package clinical

import (
	"fmt"
	"testing"
	"time"

	"github.com/chartline/chartline/store"
)

func TestConditionCodes(t *testing.T) {
	leaf := func(exact bool, codes ...string) Study {
		return Study{ID: "s", Status: "active", Criteria: &Criterion{Condition: &ConditionTest{Codes: codes, Exact: exact}}}
	}
	facts := func(codes ...string) Facts {
		f := Facts{Now: now}
		for i, c := range codes {
			f.Conditions = append(f.Conditions, condition(fmt.Sprint("c", i), c, "active"))
		}
		return f
	}
	cases := []struct {
		name  string
		study Study
		facts Facts
		opts  TrialOptions
		want  Outcome
	}{
		{"exact code", leaf(false, snomedNSCLC), facts(snomedNSCLC), TrialOptions{}, Met},
		{"descendant", leaf(false, snomedNSCLC), facts(snomedNSCLCStage3), TrialOptions{}, Met},
		{"descendant, exact requested", leaf(true, snomedNSCLC), facts(snomedNSCLCStage3), TrialOptions{}, NotMet},
		{"descendant, empty hierarchy", leaf(false, snomedNSCLC), facts(snomedNSCLCStage3), TrialOptions{Hierarchy: Hierarchy{}}, NotMet},
		{"ancestor does not match a descendant criterion", leaf(false, snomedNSCLCStage3), facts(snomedNSCLC), TrialOptions{}, NotMet},
		{"custom hierarchy, transitive", leaf(false, SystemSNOMED+"|1"), facts(SystemSNOMED + "|3"),
			TrialOptions{Hierarchy: Hierarchy{SystemSNOMED + "|1": {SystemSNOMED + "|2"}, SystemSNOMED + "|2": {SystemSNOMED + "|3"}}}, Met},
		{"same code, other system", leaf(false, snomedNSCLC), facts(SystemICD10CM + "|254637007"), TrialOptions{}, NotMet},
		{"ICD-10-CM prefix", leaf(false, SystemICD10CM+"|C34"), facts(SystemICD10CM + "|C34.90"), TrialOptions{}, Met},
		{"ICD-10-CM prefix, exact", leaf(true, SystemICD10CM+"|C34"), facts(SystemICD10CM + "|C34.90"), TrialOptions{}, NotMet},
		{"WHO ICD-10 root holds ICD-10-CM codes", leaf(false, SystemICD10+"|C34"), facts(SystemICD10CM + "|C34.90"), TrialOptions{}, Met},
		{"ICD-10-CM root holds WHO ICD-10 codes", leaf(false, SystemICD10CM+"|I50"), facts(SystemICD10 + "|I50.0"), TrialOptions{}, Met},
		{"ICD-10 root does not hold ICD-O-3", leaf(false, SystemICD10CM+"|C50"), facts(SystemICDO3 + "|C50.9"), TrialOptions{}, NotMet},
		{"ICD-O-3 morphology prefix", leaf(false, SystemICDO3+"|8500"), facts(SystemICDO3 + "|8500/3"), TrialOptions{}, Met},
		{"ICD-10 prefix is not a substring", leaf(false, SystemICD10+"|11"), facts(SystemICD10 + "|E11.9"), TrialOptions{}, NotMet},
		{"any of several codes", leaf(false, SystemICD10+"|C50", snomedNSCLC), facts(snomedNSCLC), TrialOptions{}, Met},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.study.Criteria.Validate(); err != nil {
				t.Fatal(err)
			}
			if got := Evaluate(c.study, c.facts, c.opts).Outcome; got != c.want {
				t.Fatalf("outcome %s, want %s", got, c.want)
			}
		})
	}
	t.Run("history of: anyStatus", func(t *testing.T) {
		s := Study{ID: "s", Status: "active", Criteria: &Criterion{Condition: &ConditionTest{Codes: []string{snomedILD}, AnyStatus: true}}}
		f := Facts{Conditions: []store.Item{condition("c", snomedILD, "resolved")}}
		if got := Evaluate(s, f, TrialOptions{}).Outcome; got != Met {
			t.Fatalf("resolved condition with anyStatus: %s", got)
		}
	})
}

func TestQuantityComparators(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	cases := []struct {
		test       QuantityTest
		value      float64
		comparator string
		unit       string
		want       Outcome
	}{
		{QuantityTest{Comparator: ">=", Value: f(10)}, 10, "", "", Met},
		{QuantityTest{Comparator: ">=", Value: f(10)}, 9.99, "", "", NotMet},
		{QuantityTest{Comparator: ">", Value: f(10)}, 10, "", "", NotMet},
		{QuantityTest{Comparator: ">", Value: f(10)}, 10.01, "", "", Met},
		{QuantityTest{Comparator: "<=", Value: f(1.5)}, 1.5, "", "", Met},
		{QuantityTest{Comparator: "<=", Value: f(1.5)}, 1.51, "", "", NotMet},
		{QuantityTest{Comparator: "<", Value: f(1.5)}, 1.5, "", "", NotMet},
		{QuantityTest{Comparator: "<", Value: f(1.5)}, 1.49, "", "", Met},
		{QuantityTest{Comparator: "=", Value: f(2)}, 2, "", "", Met},
		{QuantityTest{Comparator: "=", Value: f(2)}, 2.1, "", "", NotMet},
		{QuantityTest{Low: f(1), High: f(3)}, 1, "", "", Met},
		{QuantityTest{Low: f(1), High: f(3)}, 0.99, "", "", NotMet},
		{QuantityTest{Low: f(1), High: f(3)}, 3, "", "", Met},
		{QuantityTest{Low: f(1), High: f(3)}, 3.01, "", "", NotMet},
		// The value's own comparator makes it an interval.
		{QuantityTest{Comparator: ">=", Value: f(10)}, 20, ">", "", Met},
		{QuantityTest{Comparator: ">=", Value: f(10)}, 10, ">=", "", Met},
		{QuantityTest{Comparator: ">=", Value: f(10)}, 15, "<", "", NotEvaluable},
		{QuantityTest{Comparator: ">=", Value: f(10)}, 10, "<", "", NotMet},
		{QuantityTest{Comparator: ">=", Value: f(10)}, 10, "<=", "", NotEvaluable},
		{QuantityTest{Comparator: ">", Value: f(10)}, 10, ">=", "", NotEvaluable},
		// Units.
		{QuantityTest{Comparator: ">=", Value: f(10), Unit: "{mutations}/[Mb]"}, 12, "", "/[Mb]", Met},
		{QuantityTest{Comparator: ">=", Value: f(10), Unit: "{mutations}/[Mb]"}, 12, "", "%", NotEvaluable},
		{QuantityTest{Comparator: ">=", Value: f(10)}, 12, "", "anything", Met},
	}
	for _, c := range cases {
		name := fmt.Sprintf("%s %s: %s%g %s", describeQuantity(&c.test), c.test.Unit, c.comparator, c.value, c.unit)
		t.Run(name, func(t *testing.T) {
			s := Study{ID: "s", Status: "active", Criteria: &Criterion{Observation: &ObservationTest{Codes: []string{loincTMB}, Value: &ValueTest{Quantity: &c.test}}}}
			if err := s.Criteria.Validate(); err != nil {
				t.Fatal(err)
			}
			fs := Facts{Observations: []store.Item{quantityResult("o", now, loincTMB, c.value, c.comparator, c.unit)}}
			if got := Evaluate(s, fs, TrialOptions{}).Outcome; got != c.want {
				t.Fatalf("outcome %s, want %s", got, c.want)
			}
		})
	}
}

func TestObservationLatestOrAny(t *testing.T) {
	positive := &ValueTest{Codes: []string{CodeSnomedPositive}}
	results := []store.Item{
		labResult("er-old", now.AddDate(-1, 0, 0), loincER, CodeSnomedPositive, ""),
		labResult("er-new", now, loincER, CodeSnomedNegative, ""),
	}
	for _, c := range []struct {
		any  bool
		want Outcome
	}{{false, NotMet}, {true, Met}} {
		s := Study{ID: "s", Status: "active", Criteria: &Criterion{Observation: &ObservationTest{Codes: []string{loincER}, Value: positive, Any: c.any}}}
		ev := Evaluate(s, Facts{Observations: results}, TrialOptions{})
		if ev.Outcome != c.want {
			t.Errorf("any=%v: %s, want %s", c.any, ev.Outcome, c.want)
		}
	}
}

func TestObservationWhereAndComponents(t *testing.T) {
	// "EGFR variant c.2573T>G" written with where/components instead of the variant leaf.
	l858r := "http://varnomen.hgvs.org|NM_005228.5:c.2573T>G"
	crit := Criterion{Observation: &ObservationTest{
		Where:      []ComponentTest{{Codes: []string{CodeGeneStudied}, Value: &ValueTest{Codes: []string{hgncEGFR}}}},
		Components: []ComponentTest{{Codes: []string{CodeDNAChange}, Value: &ValueTest{Codes: []string{l858r}}}},
		Any:        true,
	}}
	if err := crit.Validate(); err != nil {
		t.Fatal(err)
	}
	s := Study{ID: "s", Status: "active", Criteria: &crit}
	cases := []struct {
		name string
		obs  []store.Item
		want Outcome
	}{
		{"matching variant", []store.Item{variantObs("v", hgncEGFR, CodeAnswerPresent, l858r)}, Met},
		{"other EGFR variant", []store.Item{variantObs("v", hgncEGFR, CodeAnswerPresent, "http://varnomen.hgvs.org|NM_005228.5:c.2369C>T")}, NotMet},
		{"variant in another gene", []store.Item{variantObs("v", hgncKRAS, CodeAnswerPresent, l858r)}, NotEvaluable},
		{"EGFR result without DNA change", []store.Item{variantObs("v", hgncEGFR, CodeAnswerPresent)}, NotEvaluable},
	}
	for _, c := range cases {
		if got := Evaluate(s, Facts{Observations: c.obs}, TrialOptions{}).Outcome; got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	v := Study{ID: "s", Status: "active", Criteria: &Criterion{Variant: &VariantTest{Genes: []string{hgncEGFR}, Variants: []string{l858r}}}}
	for _, c := range cases {
		want := c.want
		if c.name == "EGFR result without DNA change" {
			want = NotEvaluable // detected, variant not named
		}
		if got := Evaluate(v, Facts{Observations: c.obs}, TrialOptions{}).Outcome; got != want {
			t.Errorf("variant leaf, %s: %s, want %s", c.name, got, want)
		}
	}
}

func TestAge(t *testing.T) {
	i := func(v int) *int { return &v }
	cases := []struct {
		birth string
		r     AgeRange
		want  Outcome
	}{
		{"1966-11-22", AgeRange{Min: i(60)}, Met},           // 60th birthday today
		{"1966-11-23", AgeRange{Min: i(60)}, NotMet},        // turns 60 tomorrow
		{"1966-11-22", AgeRange{Max: i(59)}, NotMet},        // 60 today
		{"1966-11-23", AgeRange{Max: i(59)}, Met},           // still 59
		{"1966", AgeRange{Min: i(59), Max: i(60)}, Met},     // 59 or 60
		{"1966", AgeRange{Min: i(60)}, NotEvaluable},        // 59 or 60
		{"1966", AgeRange{Max: i(58)}, NotMet},              // 59 or 60
		{"1966-12", AgeRange{Max: i(59)}, Met},              // born in December: still 59
		{"1966-11", AgeRange{Min: i(60)}, NotEvaluable},     // 59 or 60
		{"2008-02-29", AgeRange{Min: i(18)}, Met},           // now is 2026-11-22
		{"1966-11-22T08:00:00Z", AgeRange{Min: i(60)}, Met}, // dateTime written as a birth date
		{"not a date", AgeRange{Min: i(18)}, NotEvaluable},
		{"2030-01-01", AgeRange{Min: i(18)}, NotEvaluable},
	}
	for _, c := range cases {
		s := Study{ID: "s", Status: "active", Criteria: &Criterion{Age: &c.r}}
		f := Facts{Patient: &store.Demographics{BirthDate: c.birth}, Now: now}
		if got := Evaluate(s, f, TrialOptions{}).Outcome; got != c.want {
			t.Errorf("born %s, %s: %s, want %s", c.birth, (&Criterion{Age: &c.r}).Describe(), got, c.want)
		}
	}
	leap := Facts{Patient: &store.Demographics{BirthDate: "2008-02-29"}}
	for _, c := range []struct {
		now  time.Time
		want Outcome
	}{
		{time.Date(2026, 2, 28, 12, 0, 0, 0, time.UTC), NotMet}, // not yet 18
		{time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Met},
	} {
		leap.Now = c.now
		s := Study{ID: "s", Status: "active", Criteria: &Criterion{Age: &AgeRange{Min: i(18)}}}
		if got := Evaluate(s, leap, TrialOptions{}).Outcome; got != c.want {
			t.Errorf("leap-day birth at %s: %s, want %s", c.now.Format("2006-01-02"), got, c.want)
		}
	}
}
