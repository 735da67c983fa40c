package clinical

import (
	"math"
	"strings"
	"testing"

	"github.com/chartline/chartline/store"
)

const (
	icdHF           = SystemICD10CM + "|I50"
	icdHFDiastolic  = SystemICD10CM + "|I50.32" // Chronic diastolic (congestive) heart failure
	snomedHF        = SystemSNOMED + "|84114007"
	loincHER2IHC    = SystemLOINC + "|85319-2"
	loincHER2Interp = SystemLOINC + "|48676-1"
)

// hfGroup is an enrollment Group whose diagnosis characteristic names a
// ValueSet, as the demo studies publish them.
func hfGroup(exclude bool) []byte {
	ex := "false"
	if exclude {
		ex = "true"
	}
	return []byte(`{"resourceType":"Group","id":"g-hf","type":"person","actual":false,"characteristic":[
		{"code":{"coding":[{"system":"http://snomed.info/sct","code":"439401001"}]},"valueReference":{"reference":"ValueSet/vs-hf","display":"Heart failure"},"exclude":` + ex + `}]}`)
}

// hfValueSet is a ValueSet whose expansion holds a SNOMED CT descendant the
// built-in hierarchy does not know (a local extension code) and the ICD-10-CM root.
var hfValueSet = []byte(`{"resourceType":"ValueSet","id":"vs-hf","url":"https://example.org/fhir/ValueSet/hf","status":"active",
	"expansion":{"timestamp":"2026-01-01T00:00:00Z","contains":[
		{"system":"http://snomed.info/sct","code":"84114007","display":"Heart failure"},
		{"system":"http://snomed.info/sct","code":"999000111000119104","display":"Heart failure, local extension concept","contains":[
			{"system":"http://snomed.info/sct","code":"999000222000119104","display":"nested child"}]},
		{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"I50","display":"Heart failure"}]}}`)

func hfStudy(t *testing.T, exclude, withValueSet bool) Study {
	t.Helper()
	s, err := importStudy([]byte(`{"resourceType":"ResearchStudy","id":"hf","status":"active","enrollment":[{"reference":"Group/g-hf"}]}`), hfGroup(exclude))
	if err != nil {
		t.Fatal(err)
	}
	if withValueSet {
		vs := ValueSets{}
		if err := vs.Add(hfValueSet); err != nil {
			t.Fatal(err)
		}
		s = s.WithValueSets(vs)
	}
	return s
}

func TestConceptsAcrossSystems(t *testing.T) {
	other := condition("c0", SystemSNOMED+"|38341003", "active") // hypertension: a problem list without heart failure
	tests := []struct {
		name      string
		exclude   bool
		valueSet  bool
		conds     []store.Item
		hier      Hierarchy
		want      Outcome
		whyPrefix string
	}{
		{"ICD-10-CM child of the root in the value set", false, true, []store.Item{condition("c1", icdHFDiastolic, "active")}, nil, Met, ""},
		{"ICD-10-CM child, exclusion not met", true, true, []store.Item{condition("c1", icdHFDiastolic, "active")}, nil, NotMet, ""},
		{"SNOMED descendant through the expansion", false, true, []store.Item{condition("c1", SystemSNOMED+"|999000111000119104", "active")}, Hierarchy{}, Met, ""},
		{"nested expansion entry", false, true, []store.Item{condition("c1", SystemSNOMED+"|999000222000119104", "active")}, Hierarchy{}, Met, ""},
		{"SNOMED descendant from the built-in hierarchy", false, true, []store.Item{condition("c1", SystemSNOMED+"|441530006", "active")}, nil, Met, ""},
		{"descendant not in the expansion, hierarchy off", false, true, []store.Item{condition("c1", SystemSNOMED+"|441530006", "active")}, Hierarchy{}, NotMet, "not on record — confirm"},
		{"value set not published", false, false, []store.Item{condition("c1", icdHFDiastolic, "active")}, nil, NotEvaluable, "value set ValueSet/vs-hf is not on trials.studies"},
		{"exclusion met on absence says so", true, true, []store.Item{other}, nil, Met, "not on record — confirm"},
		{"exclusion with a resolved record inside the concept", true, true, []store.Item{other, condition("c1", icdHFDiastolic, "resolved")}, nil, NotEvaluable, "unnamed condition (resolved): a record inside the excluded concept — confirm"},
		{"exclusion with a refuted record", true, true, []store.Item{other, condition("c1", icdHFDiastolic, "refuted")}, nil, Met, "not on record — confirm"},
		{"exclusion, no conditions at all", true, true, nil, nil, NotEvaluable, "no Conditions on record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := hfStudy(t, tt.exclude, tt.valueSet)
			ev := Evaluate(s, Facts{Conditions: tt.conds, Now: now}, TrialOptions{Hierarchy: tt.hier})
			all := append(append(append([]Finding{}, ev.Met...), ev.NotMet...), ev.NotEvaluable...)
			if len(all) != 1 {
				t.Fatalf("findings %+v", all)
			}
			if f := all[0]; f.Outcome != tt.want || !strings.HasPrefix(f.Why, tt.whyPrefix) || f.Exclusion != tt.exclude {
				t.Errorf("finding %+v, want %s (why %q…), exclusion %v", f, tt.want, tt.whyPrefix, tt.exclude)
			}
		})
	}
}

func TestLOINCAlternates(t *testing.T) {
	crit := &Criterion{Observation: &ObservationTest{Codes: []string{loincHER2IHC}, Value: &ValueTest{Codes: []string{CodeSnomedPositive}}}}
	s := Study{ID: "her2", Status: "active", Criteria: crit}
	tests := []struct {
		name string
		obs  store.Item
		alts Alternates
		want Outcome
	}{
		{"the study's own code", labResult("o1", now, loincHER2IHC, CodeSnomedPositive, ""), nil, Met},
		{"HER2 interpretation, another LOINC", labResult("o1", now, loincHER2Interp, CodeSnomedPositive, ""), nil, Met},
		{"HER2 by FISH, negative", labResult("o1", now, SystemLOINC+"|85318-4", CodeSnomedNegative, ""), nil, NotMet},
		{"HER2 interpretation, LOINC answer Positive", labResult("o1", now, loincHER2Interp, SystemLOINC+"|LA6576-8", ""), nil, Met},
		{"HER2 interpretation, LOINC answer Negative (mCODE)", labResult("o1", now, loincHER2Interp, SystemLOINC+"|LA6577-6", ""), nil, NotMet},
		{"alternates off", labResult("o1", now, loincHER2Interp, CodeSnomedPositive, ""), Alternates{}, NotEvaluable},
		{"an unrelated LOINC", labResult("o1", now, SystemLOINC+"|2160-0", CodeSnomedPositive, ""), nil, NotEvaluable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := Evaluate(s, Facts{Observations: []store.Item{tt.obs}, Now: now}, TrialOptions{Alternates: tt.alts})
			if ev.Outcome != tt.want {
				t.Errorf("outcome %s, want %s (%+v %+v %+v)", ev.Outcome, tt.want, ev.Met, ev.NotMet, ev.NotEvaluable)
			}
		})
	}
}

func TestUCUMEquivalentUnits(t *testing.T) {
	ten := 10.0
	s := Study{ID: "tmb", Status: "active", Criteria: &Criterion{Observation: &ObservationTest{Codes: []string{loincTMB},
		Value: &ValueTest{Quantity: &QuantityTest{Comparator: ">=", Value: &ten, Unit: "{#}/[Mb]"}}}}}
	tests := []struct {
		name  string
		value float64
		unit  string
		want  Outcome
	}{
		{"mCODE unit, high", 57.1, "1/1000000{Base}", Met},
		{"mCODE unit, at the bound", 10, "1/1000000{Base}", Met},
		{"mCODE unit, just below", 9.99, "1/1000000{Base}", NotMet},
		{"the study's unit", 12, "{#}/[Mb]", Met},
		{"annotation spelt otherwise", 12, "{mutations}/[Mb]", Met},
		{"per kilobase", 0.012, "/[kb]", Met},
		{"a percentage is not a count per base", 57.1, "%", NotEvaluable},
		{"no unit at all", 57.1, "", NotEvaluable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := quantityResult("o1", now, loincTMB, tt.value, "", tt.unit)
			ev := Evaluate(s, Facts{Observations: []store.Item{o}, Now: now}, TrialOptions{})
			if ev.Outcome != tt.want {
				t.Errorf("outcome %s, want %s (%+v %+v %+v)", ev.Outcome, tt.want, ev.Met, ev.NotMet, ev.NotEvaluable)
			}
		})
	}
}

func TestConvertUnit(t *testing.T) {
	tests := []struct {
		v        float64
		from, to string
		want     float64
		ok       bool
	}{
		{57.1, "1/1000000{Base}", "{#}/[Mb]", 57.1, true},
		{1, "g/dL", "g/L", 10, true},
		{5.5, "mmol/L", "umol/L", 5500, true},
		{120, "mm[Hg]", "kPa", 15.998686, true},
		{7.2, "10*3/uL", "10*9/L", 7.2, true},
		{2, "h", "min", 120, true},
		{1, "mg", "mL", 0, false},
		{1, "[IU]/L", "mmol/L", 0, false},
		{1, "Cel", "[degF]", 0, false}, // not ratio units: compared as written only
		{80, "{beats}/min", "/min", 80, true},
	}
	for _, tt := range tests {
		got, ok, why := convertUnit(tt.v, tt.from, tt.to)
		if ok != tt.ok || (ok && math.Abs(got-tt.want) > 1e-6*math.Max(1, math.Abs(tt.want))) {
			t.Errorf("convertUnit(%g %s → %s) = %g, %v (%s); want %g, %v", tt.v, tt.from, tt.to, got, ok, why, tt.want, tt.ok)
		}
	}
}

func TestValueSetsAdd(t *testing.T) {
	vs := ValueSets{}
	if err := vs.Add(hfValueSet); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"ValueSet/vs-hf", "https://example.org/fhir/ValueSet/hf", "https://example.org/fhir/ValueSet/hf|2", "http://other.example/fhir/ValueSet/vs-hf"} {
		if codes, ok := vs.lookup(ref); !ok || len(codes) != 4 {
			t.Errorf("lookup(%s) = %v, %v", ref, codes, ok)
		}
	}
	bad := []string{
		`{"resourceType":"ValueSet","id":"f","compose":{"include":[{"system":"http://snomed.info/sct","filter":[{"property":"concept","op":"is-a","value":"84114007"}]}]}}`,
		`{"resourceType":"ValueSet","id":"e","expansion":{"contains":[]}}`,
		`{"resourceType":"Group","id":"g"}`,
	}
	for _, b := range bad {
		if err := (ValueSets{}).Add([]byte(b)); err == nil {
			t.Errorf("Add(%s) accepted", b)
		}
	}
	enumerated := `{"resourceType":"ValueSet","id":"en","compose":{"include":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","concept":[{"code":"I50"}]}]}}`
	if err := vs.Add([]byte(enumerated)); err != nil || len(vs["ValueSet/en"]) != 1 {
		t.Errorf("enumerated compose: %v %v", err, vs["ValueSet/en"])
	}
}

// TestAgeAtDeath: a deceased patient's age criterion reads the age at death.
func TestAgeAtDeath(t *testing.T) {
	max := 90
	s := Study{ID: "s", Status: "active", Criteria: &Criterion{Age: &AgeRange{Max: &max}}}
	tests := []struct {
		name string
		p    store.Demographics
		want Outcome
		why  string
	}{
		{"died aged 85", store.Demographics{BirthDate: "1915-04-01", Deceased: true, DeceasedDate: "2000-05-03"}, Met, "age 85 at death"},
		{"alive, 111 now", store.Demographics{BirthDate: "1915-04-01"}, NotMet, "age 111"},
		{"deceased without a date", store.Demographics{BirthDate: "1915-04-01", Deceased: true}, NotMet, "age 111"},
	}
	for _, tt := range tests {
		p := tt.p
		ev := Evaluate(s, Facts{Patient: &p, Now: now}, TrialOptions{})
		all := append(append(append([]Finding{}, ev.Met...), ev.NotMet...), ev.NotEvaluable...)
		if len(all) != 1 || all[0].Outcome != tt.want || all[0].Why != tt.why {
			t.Errorf("%s: %+v, want %s %q", tt.name, all, tt.want, tt.why)
		}
	}
}
