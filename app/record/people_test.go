package record

import (
	"slices"
	"testing"
	"time"

	"github.com/chartline/chartline/store"
)

func TestObservationCategoryAndCodes(t *testing.T) {
	obs := func(category, coding, value string) []byte {
		return []byte(`{"resourceType":"Observation","id":"o","status":"final",` + category + `"code":{"coding":[` + coding + `]},"subject":{"reference":"Patient/pat-001"},"effectiveDateTime":"2024-01-01T10:00:00Z"` + value + `}`)
	}
	hl7 := func(code string) string {
		return `"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"` + code + `"}]}],`
	}
	local := `"category":[{"coding":[{"system":"urn:oid:1.2.3.4","code":"CLIN"}]}],`
	localSys := `{"system":"urn:oid:1.2.3.4.5","code":"5089"}`
	sbp := `{"system":"http://loinc.org","code":"8480-6"}`
	viralLoad := `{"system":"http://loinc.org","code":"25836-8"}` // HIV 1 RNA [#/volume] (viral load) in Serum or Plasma
	qty := `,"valueQuantity":{"value":120,"unit":"mm[Hg]","system":"http://unitsofmeasure.org","code":"mm[Hg]"}`
	tests := []struct {
		name     string
		raw      []byte
		category string
		first    string
	}{
		{"exam category, vital LOINC beside a local code", obs(hl7("exam"), localSys+","+sbp, qty), CategoryVitalSigns, "http://loinc.org|8480-6"},
		{"survey category, vital LOINC", obs(hl7("survey"), sbp, qty), CategoryVitalSigns, "http://loinc.org|8480-6"},
		{"local category, lab LOINC second", obs(local, localSys+","+viralLoad, qty), CategoryLaboratory, "http://loinc.org|25836-8"},
		{"no category, lab LOINC with a quantity", obs("", viralLoad, qty), CategoryLaboratory, "http://loinc.org|25836-8"},
		{"no category, LOINC without a value", obs("", viralLoad, ""), CategoryObservation, "http://loinc.org|25836-8"},
		{"exam category, non-vital LOINC", obs(hl7("exam"), viralLoad, qty), CategoryObservation, "http://loinc.org|25836-8"},
		{"social history stays an observation", obs(hl7("social-history"), sbp, qty), CategoryObservation, "http://loinc.org|8480-6"},
		{"laboratory category decides", obs(hl7("laboratory"), localSys, qty), CategoryLaboratory, "urn:oid:1.2.3.4.5|5089"},
		{"local code only", obs(local, localSys, qty), CategoryObservation, "urn:oid:1.2.3.4.5|5089"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Decode([]byte("Observation/o"), tt.raw, "pat-001")
			if err != nil {
				t.Fatal(err)
			}
			if d.Meta.Category != tt.category || d.Meta.Codes[0] != tt.first {
				t.Errorf("category %s, codes %v; want %s, first %s", d.Meta.Category, d.Meta.Codes, tt.category, tt.first)
			}
		})
	}
}

func TestNoKnownAllergyStatements(t *testing.T) {
	allergy := func(id, system, code, display, status string, at time.Time) store.Item {
		raw := []byte(`{"resourceType":"AllergyIntolerance","id":"` + id + `","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical","code":"` + status + `"}]},"code":{"coding":[{"system":"` + system + `","code":"` + code + `","display":"` + display + `"}]},"patient":{"reference":"Patient/pat-001"},"recordedDate":"` + at.Format(time.RFC3339) + `"}`)
		d, err := Decode([]byte("AllergyIntolerance/"+id), raw, "pat-001")
		if err != nil {
			t.Fatal(err)
		}
		return store.Item{Ref: store.Ref{Type: d.Type, ID: d.ID}, Meta: d.Meta}
	}
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	ips := SystemIPSAbsentUnknown
	noKnown := []struct{ system, code, display string }{
		{SystemSNOMED, "716186003", "No known allergy (situation)"},
		{SystemSNOMED, "409137002", "No known drug allergy (situation)"},
		{SystemSNOMED, "429625007", "No known food allergy (situation)"},
		{SystemSNOMED, "716184000", "No Known Latex Allergy (situation)"},
		{SystemSNOMED, "428607008", "No known environmental allergy (situation)"},
		{SystemSNOMED, "428197003", "No known insect allergy (situation)"},
		{SystemSNOMED, "160244002", "No known allergies"},
		{ips, "no-known-allergies", "No known allergies"},
	}
	for _, nk := range noKnown {
		it := allergy("nk", nk.system, nk.code, nk.display, "active", t0)
		if !IsNoKnownAllergy(it.Meta) || IsAllergyInfoMissing(it.Meta) {
			t.Errorf("%s|%s: IsNoKnownAllergy %v, info missing %v", nk.system, nk.code, IsNoKnownAllergy(it.Meta), IsAllergyInfoMissing(it.Meta))
		}
		if b := Allergies([]store.Item{it}); len(b.Names) != 0 || !b.NoneKnown {
			t.Errorf("%s|%s alone: banner %+v, want none known", nk.system, nk.code, b)
		}
	}
	penicillin := allergy("pen", SystemSNOMED, "91936005", "Allergy to penicillin (finding)", "active", t0.AddDate(0, 1, 0))
	latex := allergy("nkla", SystemSNOMED, "716184000", "No Known Latex Allergy (situation)", "active", t0)
	noInfo := allergy("ni", ips, "no-allergy-info", "No information about allergies", "active", t0)
	resolved := allergy("old", SystemSNOMED, "300916003", "Latex allergy (finding)", "resolved", t0)
	tests := []struct {
		name      string
		items     []store.Item
		names     []string
		noneKnown bool
	}{
		{"a real allergy beside a no-known statement", []store.Item{latex, penicillin}, []string{"Allergy to penicillin"}, false},
		{"no information is not none known", []store.Item{noInfo}, nil, false},
		{"resolved allergy and no-known latex", []store.Item{resolved, latex}, nil, true},
		{"nothing recorded", nil, nil, false},
	}
	for _, tt := range tests {
		b := Allergies(tt.items)
		if !slices.Equal(b.Names, tt.names) || b.NoneKnown != tt.noneKnown {
			t.Errorf("%s: banner %+v, want names %q none known %v", tt.name, b, tt.names, tt.noneKnown)
		}
	}
}

func TestHumanUnits(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Cel", "°C"}, {"[degF]", "°F"}, {"mm[Hg]", "mmHg"}, {"10*3/uL", "×10³/µL"}, {"10*9/L", "×10⁹/L"},
		{"10*12/L", "×10¹²/L"}, {"ug/mL", "µg/mL"}, {"umol/L", "µmol/L"}, {"kg/m2", "kg/m²"}, {"mL/min/{1.73_m2}", "mL/min/1.73 m²"},
		{"{beats}/min", "beats/min"}, {"%", "%"}, {"mg/dL", "mg/dL"}, {"g/L", "g/L"}, {"{#}/[Mb]", "mutations/Mb"},
		{"[IU]/L", "IU/L"}, {"mmol/L", "mmol/L"}, {"m/s2", "m/s²"}, {"beats per minute", "beats per minute"}, {"", ""},
	}
	for _, tt := range tests {
		if got := HumanUnit(tt.in); got != tt.want {
			t.Errorf("HumanUnit(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for in, want := range map[string]string{
		"Heart failure (disorder)": "Heart failure", "Allergy to penicillin (finding)": "Allergy to penicillin",
		"Hepatitis (viral)": "Hepatitis (viral)", "Body temperature": "Body temperature",
	} {
		if got := TrimSemanticTag(in); got != want {
			t.Errorf("TrimSemanticTag(%q) = %q", in, got)
		}
	}
}

func TestDeathText(t *testing.T) {
	tests := []struct {
		name string
		p    *store.Demographics
		want string
		age  int // at AgeReference, -1 when not known
	}{
		{"died aged 85", &store.Demographics{BirthDate: "1927-04-01", Deceased: true, DeceasedDate: "2012-05-03"}, "died 2012 aged 85", 85},
		{"the day before the 85th birthday", &store.Demographics{BirthDate: "1927-05-04", Deceased: true, DeceasedDate: "2012-05-03T23:00:00Z"}, "died 2012 aged 84", 84},
		{"on the 85th birthday", &store.Demographics{BirthDate: "1927-05-03", Deceased: true, DeceasedDate: "2012-05-03"}, "died 2012 aged 85", 85},
		{"year of death only", &store.Demographics{BirthDate: "1927-01-01", Deceased: true, DeceasedDate: "2012"}, "died 2012 aged 85", 85},
		{"no birth date", &store.Demographics{Deceased: true, DeceasedDate: "2012-05-03"}, "died 2012", -1},
		{"deceasedBoolean only", &store.Demographics{BirthDate: "1927-04-01", Deceased: true}, "deceased", 99},
		{"alive", &store.Demographics{BirthDate: "1927-04-01"}, "", 99},
	}
	now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	for _, tt := range tests {
		if got := DeathText(tt.p); got != tt.want {
			t.Errorf("%s: DeathText = %q, want %q", tt.name, got, tt.want)
		}
		a, ok := AgeAt(tt.p.BirthDate, AgeReference(tt.p, now))
		if (tt.age < 0) == ok || (ok && a != tt.age) {
			t.Errorf("%s: age %d (%v), want %d", tt.name, a, ok, tt.age)
		}
	}
	// end to end from a Patient resource
	raw := []byte(`{"resourceType":"Patient","id":"pat-001","birthDate":"1927-04-01","deceasedDateTime":"2012-05-03T10:00:00+02:00"}`)
	d, err := Decode([]byte("Patient/pat-001"), raw, "pat-001")
	if err != nil || DeathText(d.Meta.Patient) != "died 2012 aged 85" {
		t.Errorf("decoded Patient: %+v %v", d.Meta.Patient, err)
	}
}
