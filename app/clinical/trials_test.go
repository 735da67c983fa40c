package clinical

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chartline/chartline/store"
)

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

const (
	snomedNSCLC        = SystemSNOMED + "|254637007"
	snomedNSCLCStage3  = SystemSNOMED + "|422968005"
	snomedILD          = SystemSNOMED + "|233703007"
	snomedHypertension = SystemSNOMED + "|38341003"
	hgncEGFR           = SystemHGNC + "|HGNC:3236"
	hgncKRAS           = SystemHGNC + "|HGNC:6407"
	loincTMB           = SystemLOINC + "|94076-7"
	loincHER2          = SystemLOINC + "|48676-1"
	loincER            = SystemLOINC + "|16112-5"
	loincVariant       = SystemLOINC + "|69548-6"
)

func condition(id, code, status string) store.Item {
	return store.Item{Ref: store.Ref{Collection: testPatient, Type: "Condition", ID: id},
		Meta: store.Meta{Codes: []string{code}, Status: status, Time: now.AddDate(-1, 0, 0)}}
}

func labResult(id string, at time.Time, code, valueCode, text string) store.Item {
	return store.Item{Ref: store.Ref{Collection: testPatient, Type: "Observation", ID: id},
		Meta: store.Meta{Codes: []string{code}, Status: "final", Time: at, ValueCode: valueCode, ValueText: text}}
}

func quantityResult(id string, at time.Time, code string, v float64, comparator, unit string) store.Item {
	return store.Item{Ref: store.Ref{Collection: testPatient, Type: "Observation", ID: id},
		Meta: store.Meta{Codes: []string{code}, Status: "final", Time: at, Value: v, HasValue: true, Comparator: comparator, Unit: unit}}
}

// variantObs is a genomics variant Observation about a gene.
func variantObs(id, gene, result string, variants ...string) store.Item {
	it := labResult(id, now.AddDate(0, -1, 0), loincVariant, result, "")
	it.Meta.Components = []store.Component{{Code: CodeGeneStudied, ValueCode: gene}}
	for _, v := range variants {
		it.Meta.Components = append(it.Meta.Components, store.Component{Code: CodeDNAChange, ValueCode: v})
	}
	return it
}

// nsclcPatient is eligible for the NSCLC EGFR fixture study.
func nsclcPatient() Facts {
	return Facts{
		Patient: &store.Demographics{BirthDate: "1966-05-04", Sex: "female"},
		Conditions: []store.Item{
			condition("c1", snomedNSCLCStage3, "active"),
			condition("c2", snomedHypertension, "active"),
		},
		Observations: []store.Item{
			variantObs("v1", hgncEGFR, CodeAnswerPresent),
			quantityResult("tmb", now.AddDate(0, -1, 0), loincTMB, 12, "", "{mutations}/[Mb]"),
		},
		Now: now,
	}
}

func nsclcStudy(t testing.TB) Study {
	t.Helper()
	s, err := importStudy(readFixture(t, "study-nsclc-egfr.json"), readFixture(t, "group-nsclc-egfr.json"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func labels(fs []Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Label)
	}
	return strings.Join(out, "; ")
}

func TestImportStudyWithGroup(t *testing.T) {
	s := nsclcStudy(t)
	if s.ID != "nsclc-egfr-01" || s.Version != "2" || s.Status != "active" || !s.Recruiting() || s.From != "group" {
		t.Fatalf("study %+v", s)
	}
	if len(s.Criteria.And) != 5 {
		t.Fatalf("want an AND of 5 characteristics, got %+v", s.Criteria)
	}
	c := s.Criteria.And
	if c[0].Condition == nil || c[1].Variant == nil || c[2].Age == nil || *c[2].Age.Min != 18 || c[3].Not == nil || c[4].Observation == nil {
		t.Fatalf("characteristics read as %+v", c)
	}
	if q := c[4].Observation.Value.Quantity; q.Comparator != ">=" || *q.Value != 10 || q.Unit != "{mutations}/[Mb]" {
		t.Fatalf("TMB quantity %+v", q)
	}
	if c[3].Label != "no Interstitial lung disease" {
		t.Fatalf("exclusion label %q", c[3].Label)
	}

	ev := Evaluate(s, nsclcPatient(), TrialOptions{})
	if ev.Outcome != Met || !ev.Eligible || !ev.Match || len(ev.NotMet) != 0 || len(ev.NotEvaluable) != 0 || len(ev.Met) != 5 {
		t.Fatalf("eligible patient: %+v", ev)
	}
	if ev.Study != "ResearchStudy/nsclc-egfr-01" {
		t.Fatalf("study ref %q", ev.Study)
	}
	b, err := json.Marshal(ev)
	if err != nil || !strings.Contains(string(b), `"outcome":"met"`) {
		t.Fatalf("evaluation JSON: %v %s", err, b)
	}
}

func TestEligibility(t *testing.T) {
	s := nsclcStudy(t)
	mod := func(f func(*Facts)) Facts {
		x := nsclcPatient()
		f(&x)
		return x
	}
	cases := []struct {
		name         string
		facts        Facts
		outcome      Outcome
		eligible     bool
		match        bool
		notMet       string // substring of the not-met labels
		notEvaluable string // substring of the not-evaluable labels
	}{
		{"eligible", nsclcPatient(), Met, true, true, "", ""},
		{"no birth date: age not evaluable, still a match", mod(func(f *Facts) { f.Patient.BirthDate = "" }),
			NotEvaluable, false, true, "", "age"},
		{"no demographics at all", mod(func(f *Facts) { f.Patient = nil }), NotEvaluable, false, true, "", "age"},
		{"17 years old", mod(func(f *Facts) { f.Patient.BirthDate = "2009-11-23" }), NotMet, false, false, "age", ""},
		{"18 today", mod(func(f *Facts) { f.Patient.BirthDate = "2008-11-22" }), Met, true, true, "", ""},
		{"no TMB result: key biomarker not evaluable", mod(func(f *Facts) { f.Observations = f.Observations[:1] }),
			NotEvaluable, false, false, "", "Mutations/Megabase"},
		{"TMB 9.99", mod(func(f *Facts) { f.Observations[1].Meta.Value = 9.99 }), NotMet, false, false, "Mutations/Megabase", ""},
		{"TMB 10", mod(func(f *Facts) { f.Observations[1].Meta.Value = 10 }), Met, true, true, "", ""},
		{"TMB in another unit", mod(func(f *Facts) { f.Observations[1].Meta.Unit = "%" }), NotEvaluable, false, false, "", "Mutations/Megabase"},
		{"EGFR not detected", mod(func(f *Facts) { f.Observations[0] = variantObs("v1", hgncEGFR, CodeAnswerAbsent) }),
			NotMet, false, false, "EGFR", ""},
		{"EGFR not tested", mod(func(f *Facts) { f.Observations = f.Observations[1:] }), NotEvaluable, false, false, "", "EGFR"},
		{"only KRAS tested", mod(func(f *Facts) { f.Observations[0] = variantObs("v1", hgncKRAS, CodeAnswerPresent) }),
			NotEvaluable, false, false, "", "EGFR"},
		{"EGFR variant named without a result code", mod(func(f *Facts) {
			f.Observations[0] = variantObs("v1", hgncEGFR, "", "http://varnomen.hgvs.org|NM_005228.5:c.2573T>G")
		}), Met, true, true, "", ""},
		{"EGFR detected in words", mod(func(f *Facts) {
			f.Observations[0] = variantObs("v1", hgncEGFR, "")
			f.Observations[0].Meta.ValueText = "Detected"
		}),
			Met, true, true, "", ""},
		{"EGFR result entered in error", mod(func(f *Facts) { f.Observations[0].Meta.Status = "entered-in-error" }),
			NotEvaluable, false, false, "", "EGFR"},
		{"active interstitial lung disease", mod(func(f *Facts) { f.Conditions = append(f.Conditions, condition("c3", snomedILD, "active")) }),
			NotMet, false, false, "Interstitial lung disease", ""},
		// a record inside the excluded concept never lets the exclusion be met
		{"resolved interstitial lung disease", mod(func(f *Facts) { f.Conditions = append(f.Conditions, condition("c3", snomedILD, "resolved")) }),
			NotEvaluable, false, true, "", "no Interstitial lung disease"},
		{"no conditions on record", mod(func(f *Facts) { f.Conditions = nil }), NotEvaluable, false, false, "", "Non-small cell lung cancer"},
		{"problem list without NSCLC", mod(func(f *Facts) { f.Conditions = f.Conditions[1:] }), NotMet, false, false, "Non-small cell lung cancer", ""},
		{"NSCLC in remission", mod(func(f *Facts) { f.Conditions[0].Meta.Status = "remission" }), NotMet, false, false, "Non-small cell lung cancer", ""},
		{"same code string in another system", mod(func(f *Facts) {
			f.Conditions[0] = condition("c1", SystemICD10CM+"|254637007", "active")
		}), NotMet, false, false, "Non-small cell lung cancer", ""},
		{"deceased", mod(func(f *Facts) { f.Patient.Deceased = true }), Met, false, false, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev := Evaluate(s, c.facts, TrialOptions{})
			if ev.Outcome != c.outcome || ev.Eligible != c.eligible || ev.Match != c.match {
				t.Fatalf("outcome %s eligible %v match %v, want %s %v %v\nmet: %s\nnot met: %s\nnot evaluable: %s\nreason: %s",
					ev.Outcome, ev.Eligible, ev.Match, c.outcome, c.eligible, c.match,
					labels(ev.Met), labels(ev.NotMet), labels(ev.NotEvaluable), ev.Reason)
			}
			if c.notMet != "" && !strings.Contains(labels(ev.NotMet), c.notMet) {
				t.Fatalf("not met %q lacks %q", labels(ev.NotMet), c.notMet)
			}
			if c.notEvaluable != "" && !strings.Contains(labels(ev.NotEvaluable), c.notEvaluable) {
				t.Fatalf("not evaluable %q lacks %q", labels(ev.NotEvaluable), c.notEvaluable)
			}
			if !c.match && ev.Reason == "" {
				t.Fatalf("no reason given for no match")
			}
			if len(ev.Met)+len(ev.NotMet)+len(ev.NotEvaluable) != 5 {
				t.Fatalf("findings %d, want one per characteristic", len(ev.Met)+len(ev.NotMet)+len(ev.NotEvaluable))
			}
			// Indexed by code (as the engine evaluates), the same evaluation.
			indexed := c.facts
			indexed.IndexObservations(ObservationCodes([]Study{s}, TrialOptions{}))
			if got := Evaluate(s, indexed, TrialOptions{}); !reflect.DeepEqual(got, ev) {
				t.Fatalf("indexed facts evaluate to %+v, want %+v", got, ev)
			}
			// Indexed by other codes only: the tests read every Observation.
			other := c.facts
			other.IndexObservations([]string{SystemLOINC + "|8867-4"})
			if got := Evaluate(s, other, TrialOptions{}); !reflect.DeepEqual(got, ev) {
				t.Fatalf("facts indexed by other codes evaluate to %+v, want %+v", got, ev)
			}
		})
	}
}

func TestStudyStatus(t *testing.T) {
	s := nsclcStudy(t)
	prev := Evaluate(s, nsclcPatient(), TrialOptions{})
	for _, status := range []string{"approved", "in-review", "closed-to-accrual", "temporarily-closed-to-accrual", "completed", "withdrawn", ""} {
		closed := s
		closed.Status = status
		ev := Evaluate(closed, nsclcPatient(), TrialOptions{})
		if ev.Recruiting || ev.Match || ev.Eligible || ev.Outcome != Met || !strings.Contains(ev.Reason, "not recruiting") {
			t.Errorf("status %q: %+v", status, ev)
		}
		if ev.Match && !prev.Match {
			t.Errorf("status %q: a closing study raised a match", status)
		}
	}
	raw := strings.Replace(string(readFixture(t, "study-nsclc-egfr.json")), `"active"`, `"closed-to-accrual"`, 1)
	closed, err := importStudy([]byte(raw), readFixture(t, "group-nsclc-egfr.json"))
	if err != nil || closed.Recruiting() || Evaluate(closed, nsclcPatient(), TrialOptions{}).Match {
		t.Fatalf("closed study from JSON still matches: %v", err)
	}
	if !prev.Match {
		t.Fatalf("the open study does not match: the closing checks above prove nothing")
	}
}

// TestKleene checks and, or and not over every combination of outcomes.
func TestKleene(t *testing.T) {
	leaf := map[Outcome]Criterion{
		Met:          {Sex: []string{"female"}},
		NotMet:       {Sex: []string{"male"}},
		NotEvaluable: {Unsupported: "test"},
	}
	facts := Facts{Patient: &store.Demographics{Sex: "female"}}
	eval := func(c Criterion) Outcome {
		return Evaluate(Study{ID: "s", Status: "active", Criteria: &c}, facts, TrialOptions{}).Outcome
	}
	all := []Outcome{Met, NotMet, NotEvaluable}
	and := map[[2]Outcome]Outcome{
		{Met, Met}: Met, {Met, NotMet}: NotMet, {Met, NotEvaluable}: NotEvaluable,
		{NotMet, NotMet}: NotMet, {NotMet, NotEvaluable}: NotMet, {NotEvaluable, NotEvaluable}: NotEvaluable,
	}
	or := map[[2]Outcome]Outcome{
		{Met, Met}: Met, {Met, NotMet}: Met, {Met, NotEvaluable}: Met,
		{NotMet, NotMet}: NotMet, {NotMet, NotEvaluable}: NotEvaluable, {NotEvaluable, NotEvaluable}: NotEvaluable,
	}
	for _, a := range all {
		for _, b := range all {
			key := [2]Outcome{a, b}
			if _, ok := and[key]; !ok {
				key = [2]Outcome{b, a}
			}
			if got := eval(Criterion{And: []Criterion{leaf[a], leaf[b]}}); got != and[key] {
				t.Errorf("%s and %s = %s, want %s", a, b, got, and[key])
			}
			if got := eval(Criterion{Or: []Criterion{leaf[a], leaf[b]}}); got != or[key] {
				t.Errorf("%s or %s = %s, want %s", a, b, got, or[key])
			}
		}
		l := leaf[a]
		if got := eval(Criterion{Not: &l}); got != not(a) {
			t.Errorf("not %s = %s", a, got)
		}
		inner := Criterion{And: []Criterion{leaf[a]}}
		if got := eval(Criterion{Not: &inner}); got != not(a) {
			t.Errorf("not (and %s) = %s", a, got)
		}
	}
}

func TestMatchID(t *testing.T) {
	a := MatchID(testPatient, "ResearchStudy/s", "1")
	if a != MatchID(testPatient, "ResearchStudy/s", "1") || a == MatchID(testPatient, "ResearchStudy/s", "2") || !strings.HasPrefix(a, "tm-") {
		t.Fatalf("MatchID %s", a)
	}
}

func BenchmarkEvaluate(b *testing.B) {
	s := nsclcStudy(b)
	f := nsclcPatient()
	// A realistic record: 200 Conditions and 2,000 Observations.
	for i := 0; i < 200; i++ {
		f.Conditions = append(f.Conditions, condition(fmt.Sprint("x", i), fmt.Sprintf("%s|%d", SystemSNOMED, 1000+i), "active"))
	}
	for i := 0; i < 2000; i++ {
		f.Observations = append(f.Observations, quantityResult(fmt.Sprint("o", i), now.Add(-time.Duration(i)*time.Hour), CodeHeartRate, 70, "", "/min"))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if !Evaluate(s, f, TrialOptions{}).Match {
			b.Fatal("no match")
		}
	}
}

// TestMatchRule checks how not-evaluable criteria affect the notification:
// non-key ones (age, sex, exclusions) do not hold it back; with no key leaf at
// all, the whole tree must be met.
func TestMatchRule(t *testing.T) {
	i := func(v int) *int { return &v }
	nsclc := Criterion{Label: "NSCLC", Condition: &ConditionTest{Codes: []string{snomedNSCLC}}}
	noPneumonitis := Criterion{Label: "no pneumonitis grade", Not: &Criterion{Observation: &ObservationTest{Codes: []string{SystemLOINC + "|00000-0"}}}}
	cases := []struct {
		name    string
		crit    Criterion
		facts   Facts
		outcome Outcome
		match   bool
	}{
		{"key met, exclusion not evaluable", Criterion{And: []Criterion{nsclc, noPneumonitis}},
			Facts{Conditions: []store.Item{condition("c", snomedNSCLC, "active")}}, NotEvaluable, true},
		{"key met, exclusion not met", Criterion{And: []Criterion{nsclc, noPneumonitis}},
			Facts{Conditions: []store.Item{condition("c", snomedNSCLC, "active")},
				Observations: []store.Item{quantityResult("o", now, SystemLOINC+"|00000-0", 2, "", "1")}}, NotMet, false},
		{"no key leaf, sex not evaluable", Criterion{And: []Criterion{{Sex: []string{"female"}}, {Age: &AgeRange{Min: i(18)}}}},
			Facts{Patient: &store.Demographics{Sex: "unknown", BirthDate: "1980-01-01"}, Now: now}, NotEvaluable, false},
		{"no key leaf, all met", Criterion{And: []Criterion{{Sex: []string{"female"}}, {Age: &AgeRange{Min: i(18)}}}},
			Facts{Patient: &store.Demographics{Sex: "female", BirthDate: "1980-01-01"}, Now: now}, Met, true},
		{"age promoted to key, not evaluable", Criterion{And: []Criterion{nsclc, {Key: func() *bool { b := true; return &b }(), Age: &AgeRange{Min: i(18)}}}},
			Facts{Conditions: []store.Item{condition("c", snomedNSCLC, "active")}, Now: now}, NotEvaluable, false},
		{"biomarker demoted from key, not evaluable", Criterion{And: []Criterion{nsclc, {Key: func() *bool { b := false; return &b }(), Variant: &VariantTest{Genes: []string{hgncEGFR}}}}},
			Facts{Conditions: []store.Item{condition("c", snomedNSCLC, "active")}}, NotEvaluable, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.crit.Validate(); err != nil {
				t.Fatal(err)
			}
			ev := Evaluate(Study{ID: "s", Status: "active", Criteria: &c.crit}, c.facts, TrialOptions{})
			if ev.Outcome != c.outcome || ev.Match != c.match || ev.Eligible != (c.outcome == Met) {
				t.Fatalf("outcome %s match %v eligible %v, want %s %v", ev.Outcome, ev.Match, ev.Eligible, c.outcome, c.match)
			}
		})
	}
}

// TestObservationCodes: the codes a study's observation tests read, with
// their alternates, so the engine's index covers every one.
func TestObservationCodes(t *testing.T) {
	s := nsclcStudy(t)
	codes := ObservationCodes([]Study{s}, TrialOptions{})
	if !slices.Contains(codes, SystemLOINC+"|94076-7") {
		t.Fatalf("codes %v lack the TMB test's LOINC 94076-7", codes)
	}
	f := nsclcPatient()
	f.IndexObservations(codes)
	for _, c := range codes {
		if _, ok := f.observationsCoded([]string{c}); !ok {
			t.Errorf("code %s not indexed", c)
		}
	}
	if _, ok := f.observationsCoded([]string{SystemLOINC + "|8867-4"}); ok {
		t.Errorf("a code no study reads counts as indexed")
	}
}
