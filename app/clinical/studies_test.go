// Reading studies: ResearchStudy and Group import, the criteria extension, and criteria refused as invalid.

package clinical

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/chartline/chartline/store"
)

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

// importStudy reads a ResearchStudy and, when group is not nil, its
// enrollment Group.
func importStudy(study, group []byte) (Study, error) {
	s, err := ParseStudy(study)
	if err != nil || group == nil {
		return s, err
	}
	return s.AttachGroup(group)
}
