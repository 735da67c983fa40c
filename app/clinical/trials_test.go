package clinical

import (
	"encoding/json"
	"errors"
	"fmt"
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
	s, err := ImportStudy(readFixture(t, "study-nsclc-egfr.json"), readFixture(t, "group-nsclc-egfr.json"))
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
		if NewlyMatched(prev, ev) {
			t.Errorf("status %q: a closing study raised a match", status)
		}
	}
	raw := strings.Replace(string(readFixture(t, "study-nsclc-egfr.json")), `"active"`, `"closed-to-accrual"`, 1)
	closed, err := ImportStudy([]byte(raw), readFixture(t, "group-nsclc-egfr.json"))
	if err != nil || closed.Recruiting() || Evaluate(closed, nsclcPatient(), TrialOptions{}).Match {
		t.Fatalf("closed study from JSON still matches: %v", err)
	}
	if !NewlyMatched(Evaluation{}, prev) || NewlyMatched(prev, prev) {
		t.Fatalf("NewlyMatched")
	}
}

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

func TestTreeFromExtension(t *testing.T) {
	s, err := ParseStudy(readFixture(t, "study-breast-tree.json"))
	if err != nil {
		t.Fatal(err)
	}
	if s.From != "extension" || s.Criteria == nil || len(s.Criteria.And) != 5 || s.Enrollment[0] != "breast-hr-01-simple" {
		t.Fatalf("study %+v", s)
	}
	// The extension wins over a Group.
	group := []byte(`{"resourceType":"Group","id":"breast-hr-01-simple","characteristic":[{"code":{"coding":[{"system":"http://loinc.org","code":"46098-0"}]},"valueCodeableConcept":{"coding":[{"system":"http://hl7.org/fhir/administrative-gender","code":"male"}]},"exclude":false}]}`)
	s2, err := s.AttachGroup(group)
	if err != nil || s2.From != "extension" || len(s2.Criteria.And) != 5 {
		t.Fatalf("group replaced the extension tree: %v %+v", err, s2)
	}
	if _, err := s.AttachGroup([]byte(strings.Replace(string(group), "breast-hr-01-simple", "other", 1))); err == nil {
		t.Fatalf("a Group the study does not enrol was attached")
	}

	base := func() Facts {
		return Facts{
			Patient:    &store.Demographics{BirthDate: "1970-03-01", Sex: "female"},
			Conditions: []store.Item{condition("c1", SystemICD10CM+"|C50.911", "active")},
			Observations: []store.Item{
				labResult("her2", now.AddDate(0, -2, 0), loincHER2, "", "Positive"),
			},
			Now: now,
		}
	}
	mod := func(f func(*Facts)) Facts {
		x := base()
		f(&x)
		return x
	}
	cases := []struct {
		name    string
		facts   Facts
		outcome Outcome
		match   bool
	}{
		{"HER2 positive in words, ER untested: or is met", base(), Met, true},
		{"ER positive coded, HER2 untested", mod(func(f *Facts) {
			f.Observations = []store.Item{labResult("er", now, loincER, CodeSnomedPositive, "")}
		}), Met, true},
		{"both negative", mod(func(f *Facts) {
			f.Observations = []store.Item{labResult("her2", now, loincHER2, CodeSnomedNegative, ""), labResult("er", now, loincER, CodeSnomedNegative, "")}
		}), NotMet, false},
		{"ER positive as a LOINC answer (LA6576-8), HER2 untested", mod(func(f *Facts) {
			f.Observations = []store.Item{labResult("er", now, loincER, SystemLOINC+"|LA6576-8", "")}
		}), Met, true},
		{"ER coded in a local system, HER2 untested", mod(func(f *Facts) {
			f.Observations = []store.Item{labResult("er", now, loincER, "urn:oid:1.2.3|POS", "")}
		}), NotEvaluable, false},
		{"HER2 text without coding that is not a listed word", mod(func(f *Facts) {
			f.Observations = []store.Item{labResult("her2", now, loincHER2, "", "equivocal (2+)")}
		}), NotEvaluable, false},
		{"male", mod(func(f *Facts) { f.Patient.Sex = "male" }), NotMet, false},
		{"sex unknown", mod(func(f *Facts) { f.Patient.Sex = "unknown" }), NotEvaluable, true},
		{"76 years old", mod(func(f *Facts) { f.Patient.BirthDate = "1950-01-01" }), NotMet, false},
		{"metastatic", mod(func(f *Facts) {
			f.Conditions = append(f.Conditions, condition("c2", SystemSNOMED+"|128462008", "active"))
		}), NotMet, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev := Evaluate(s, c.facts, TrialOptions{})
			if ev.Outcome != c.outcome || ev.Match != c.match {
				t.Fatalf("outcome %s match %v, want %s %v\nmet: %s\nnot met: %s\nnot evaluable: %s",
					ev.Outcome, ev.Match, c.outcome, c.match, labels(ev.Met), labels(ev.NotMet), labels(ev.NotEvaluable))
			}
		})
	}
	t.Run("exclusion reads as a finding in words", func(t *testing.T) {
		ev := Evaluate(s, base(), TrialOptions{})
		found := false
		for _, f := range ev.Met {
			found = found || (f.Label == "No metastatic disease" && f.Exclusion)
		}
		if !found {
			t.Fatalf("met findings %q", labels(ev.Met))
		}
	})
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

func TestParseCriteriaErrors(t *testing.T) {
	cases := []string{
		`{}`,
		`{"and": []}`,
		`{"and": [{"sex": ["female"]}], "or": [{"sex": ["male"]}]}`,
		`{"condition": {"codes": ["254637007"]}}`,
		`{"condition": {"codes": []}}`,
		`{"conditon": {"codes": ["http://snomed.info/sct|254637007"]}}`,
		`{"sex": ["woman"]}`,
		`{"age": {}}`,
		`{"age": {"min": 80, "max": 18}}`,
		`{"observation": {"value": {"codes": ["http://snomed.info/sct|10828004"]}}}`,
		`{"observation": {"codes": ["http://loinc.org|94076-7"], "value": {"quantity": {"comparator": "~", "value": 1}}}}`,
		`{"observation": {"codes": ["http://loinc.org|94076-7"], "value": {"quantity": {"low": 5, "high": 1}}}}`,
		`{"observation": {"codes": ["http://loinc.org|94076-7"], "value": {}}}`,
		`{"variant": {"genes": []}}`,
		`{"not": {"and": [{}]}}`,
		`[1]`,
	}
	for _, raw := range cases {
		if _, err := ParseCriteria([]byte(raw)); !errors.Is(err, ErrInvalidCriteria) {
			t.Errorf("%s: err %v, want ErrInvalidCriteria", raw, err)
		}
	}
	deep := strings.Repeat(`{"not": `, maxCriteriaDepth+1) + `{"sex": ["female"]}` + strings.Repeat(`}`, maxCriteriaDepth+1)
	if _, err := ParseCriteria([]byte(deep)); !errors.Is(err, ErrInvalidCriteria) {
		t.Errorf("a tree nested %d deep was accepted: %v", maxCriteriaDepth+1, err)
	}
	good := `{"or": [{"sex": ["female"]}, {"not": {"age": {"max": 17}}}]}`
	if _, err := ParseCriteria([]byte(good)); err != nil {
		t.Fatalf("valid tree refused: %v", err)
	}
	bad := `{"resourceType":"ResearchStudy","id":"s","status":"active","extension":[{"url":"` + ExtEligibilityCriteria + `","valueString":"{\"or\": []}"}]}`
	if _, err := ParseStudy([]byte(bad)); !errors.Is(err, ErrInvalidCriteria) {
		t.Fatalf("bad tree in a study: %v", err)
	}
	if _, err := ParseStudy([]byte(`{"resourceType":"Group","id":"g"}`)); err == nil {
		t.Fatalf("a Group parsed as a study")
	}
}

func TestGroupCharacteristics(t *testing.T) {
	group := func(chars string) []byte {
		return []byte(`{"resourceType":"Group","id":"g","characteristic":[` + chars + `]}`)
	}
	cases := []struct {
		name  string
		char  string
		facts Facts
		want  Outcome
		check func(c Criterion) bool
	}{
		{"sex by SNOMED", `{"code":{"coding":[{"system":"http://snomed.info/sct","code":"263495000"}]},"valueCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"248152002"}]},"exclude":false}`,
			Facts{Patient: &store.Demographics{Sex: "female"}}, Met, func(c Criterion) bool { return c.Sex[0] == "female" }},
		{"age quantity > 17", `{"code":{"coding":[{"system":"http://loinc.org","code":"30525-0"}]},"valueQuantity":{"value":17,"comparator":">","code":"a","system":"http://unitsofmeasure.org"},"exclude":false}`,
			Facts{Patient: &store.Demographics{BirthDate: "2008-11-22"}, Now: now}, Met, func(c Criterion) bool { return *c.Age.Min == 18 && c.Age.Max == nil }},
		{"age in months is unsupported", `{"code":{"coding":[{"system":"http://loinc.org","code":"30525-0"}]},"valueQuantity":{"value":6,"code":"mo"},"exclude":false}`,
			Facts{Patient: &store.Demographics{BirthDate: "2008-11-22"}, Now: now}, NotEvaluable, func(c Criterion) bool { return c.Unsupported != "" }},
		{"boolean condition, excluded", `{"code":{"coding":[{"system":"http://snomed.info/sct","code":"233703007","display":"ILD"}]},"valueBoolean":true,"exclude":true}`,
			Facts{Conditions: []store.Item{condition("c", snomedHypertension, "active")}}, Met, func(c Criterion) bool { return c.Not != nil && c.Not.Condition != nil }},
		{"observation range", `{"code":{"coding":[{"system":"http://loinc.org","code":"2160-0","display":"Creatinine"}]},"valueRange":{"high":{"value":1.5,"code":"mg/dL"}},"exclude":false}`,
			Facts{Observations: []store.Item{quantityResult("cr", now, SystemLOINC+"|2160-0", 1.6, "", "mg/dL")}}, NotMet, func(c Criterion) bool { return *c.Observation.Value.Quantity.High == 1.5 }},
		{"reference is unsupported", `{"code":{"text":"Enrolled elsewhere"},"valueReference":{"reference":"Group/x"},"exclude":false}`,
			Facts{}, NotEvaluable, func(c Criterion) bool { return c.Unsupported != "" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id, crit, err := ParseGroup(group(c.char))
			if err != nil || id != "g" {
				t.Fatalf("%s %v", id, err)
			}
			if len(crit.And) != 1 || !c.check(crit.And[0]) {
				b, _ := json.Marshal(crit)
				t.Fatalf("read as %s", b)
			}
			ev := Evaluate(Study{ID: "s", Status: "active", Criteria: &crit}, c.facts, TrialOptions{})
			if ev.Outcome != c.want {
				t.Fatalf("outcome %s, want %s", ev.Outcome, c.want)
			}
			if c.want == NotEvaluable && len(ev.NotEvaluable) != 1 {
				t.Fatalf("unsupported characteristic not listed: %+v", ev)
			}
		})
	}
	if _, _, err := ParseGroup(group(``)); err == nil {
		t.Fatalf("a Group without characteristics was accepted")
	}
}

func TestStudyWithoutCriteria(t *testing.T) {
	s, err := ParseStudy(readFixture(t, "study-nsclc-egfr.json"))
	if err != nil {
		t.Fatal(err)
	}
	ev := Evaluate(s, nsclcPatient(), TrialOptions{})
	if ev.Match || ev.Eligible || len(ev.NotEvaluable) != 1 || ev.Outcome != NotEvaluable {
		t.Fatalf("study without its Group: %+v", ev)
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
