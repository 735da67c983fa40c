package record

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chartline/chartline/store"
	"github.com/samply/golang-fhir-models/fhir-models/fhir"
)

// TestPatientReferences covers every form a patient reference takes, on a
// patient topic and on a shared one.
func TestPatientReferences(t *testing.T) {
	tests := []struct {
		name    string
		subject string // the JSON of Observation.subject
		topic   string
		patient string // Decoded.Patient when kept
		refused bool
		problem string // the problem noted, if any
	}{
		{"relative", `{"reference":"Patient/pat-001"}`, topicPatient, "pat-001", false, ""},
		{"absolute URL, local base", `{"reference":"https://ehr.example.org/fhir/Patient/pat-001"}`, topicPatient, "pat-001", false, ""},
		{"absolute URL, local base, any case and slash", `{"reference":"HTTPS://EHR.example.org/fhir//Patient/pat-001"}`, topicPatient, "pat-001", false, ""},
		{"absolute URL, foreign base", `{"reference":"http://other.example/fhir/Patient/pat-001"}`, topicPatient, "", true, ""},
		{"absolute URL, foreign base, shared topic", `{"reference":"http://other.example/fhir/Patient/pat-001"}`, "", "", false, ""},
		{"versioned", `{"reference":"Patient/pat-001/_history/4"}`, topicPatient, "pat-001", false, ""},
		{"bare id typed Patient", `{"reference":"pat-001","type":"Patient"}`, topicPatient, "pat-001", false, ""},
		{"bare id of another patient", `{"reference":"pat-002","type":"Patient"}`, topicPatient, "", true, ""},
		{"another patient", `{"reference":"Patient/pat-002"}`, topicPatient, "", true, ""},
		{"another patient, shared topic", `{"reference":"Patient/pat-002"}`, "", "pat-002", false, ""},
		{"urn:uuid", `{"reference":"urn:uuid:1f2e3d4c-0000-4000-8000-000000000000"}`, topicPatient, "", false,
			`subject: unresolved patient reference "urn:uuid:1f2e3d4c-0000-4000-8000-000000000000" (not checked against the topic's patient)`},
		{"conditional", `{"reference":"Patient?identifier=urn:mrn|1"}`, topicPatient, "", false,
			`subject: unresolved patient reference "Patient?identifier=urn:mrn|1" (not checked against the topic's patient)`},
		{"contained", `{"reference":"#p1"}`, topicPatient, "", false,
			`subject: unresolved patient reference "#p1" (not checked against the topic's patient)`},
		{"identifier only", `{"type":"Patient","identifier":{"system":"urn:mrn","value":"1"}}`, topicPatient, "", false,
			`subject: unresolved patient reference a Patient named by identifier only (not checked against the topic's patient)`},
		{"display only", `{"display":"Someone"}`, topicPatient, "", false, ""},
		{"a Group", `{"reference":"Group/cohort-1"}`, topicPatient, "", false, ""},
		{"a Device", `{"reference":"Device/dev-1"}`, topicPatient, "", false, ""},
		{"a Location by URL", `{"reference":"http://x.org/fhir/Location/loc-1"}`, topicPatient, "", false, ""},
		{"a conditional Group", `{"reference":"Group?name=x"}`, topicPatient, "", false, ""},
		{"lower-case type is no patient", `{"reference":"patient/pat-002"}`, topicPatient, "", false, ""},
	}
	dec := Decoder{Refs: NewRefRule([]string{"https://ehr.example.org/fhir/"})}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := []byte(`{"resourceType":"Observation","id":"7","status":"final","code":{"text":"x"},"subject":` + tt.subject + `}`)
			got, err := dec.Decode([]byte("Observation/7"), raw, tt.topic)
			if tt.refused {
				var r *Refusal
				if !errors.As(err, &r) || (r.Reason != ReasonOtherPatient && r.Reason != ReasonForeignPatient) {
					t.Fatalf("err = %v, want reason %q or %q", err, ReasonOtherPatient, ReasonForeignPatient)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if got.Patient != tt.patient {
				t.Errorf("Patient = %q, want %q", got.Patient, tt.patient)
			}
			var want []string
			if tt.problem != "" {
				want = []string{tt.problem}
			}
			if !slices.Equal(got.Meta.Problems, want) {
				t.Errorf("Problems = %q, want %q", got.Meta.Problems, want)
			}
		})
	}
}

func TestParseKey(t *testing.T) {
	tests := []struct {
		key, typ, id string
		ok           bool
	}{
		{"Observation/7", "Observation", "7", true},
		{"Patient/pat-001", "Patient", "pat-001", true},
		{"Patient/A.b-9", "Patient", "A.b-9", true},
		{"Patient/" + strings.Repeat("x", 64), "Patient", strings.Repeat("x", 64), true},
		{"Patient/" + strings.Repeat("x", 65), "", "", false},
		{"Foo/1", "Foo", "1", true}, // syntax only: Decode checks the type against R4
		{"", "", "", false},
		{"Patient", "", "", false},
		{"/1", "", "", false},
		{"Patient/", "", "", false},
		{"patient/1", "", "", false},
		{"Pat1ent/1", "", "", false},
		{"Patient/1/2", "", "", false},
		{"Patient/a_b", "", "", false},
		{"Patient/é", "", "", false},
		{"Patient/1\n", "", "", false},
	}
	for _, tt := range tests {
		typ, id, err := ParseKey([]byte(tt.key))
		if tt.ok {
			if err != nil || typ != tt.typ || id != tt.id {
				t.Errorf("ParseKey(%q) = %q, %q, %v; want %q, %q", tt.key, typ, id, err, tt.typ, tt.id)
			}
			continue
		}
		var r *Refusal
		if !errors.As(err, &r) || r.Reason != ReasonBadKey || r.Detail == "" {
			t.Errorf("ParseKey(%q) = %q, %q, %v; want a bad key refusal", tt.key, typ, id, err)
		}
	}
}

func TestIsResourceType(t *testing.T) {
	n := 0
	for name := range resourceTypes {
		if !IsResourceType(name) {
			t.Errorf("IsResourceType(%q) = false", name)
		}
		n++
	}
	// FHIR R4 4.0.1 defines 146 concrete resource types (148 codes in
	// http://hl7.org/fhir/resource-types less Resource and DomainResource).
	if n != 146 {
		t.Errorf("%d resource types, want 146", n)
	}
	for _, name := range []string{"Patient", "Observation", "MedicinalProductUndesirableEffect", "CatalogEntry", "EffectEvidenceSynthesis", "Bundle", "Parameters"} {
		if !IsResourceType(name) {
			t.Errorf("IsResourceType(%q) = false", name)
		}
	}
	for _, name := range []string{"", "Resource", "DomainResource", "patient", "ProcedureRequest", "ReferralRequest", "Element", "CodeableConcept", "Observation "} {
		if IsResourceType(name) {
			t.Errorf("IsResourceType(%q) = true", name)
		}
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want string // RFC 3339 UTC, "" = unreadable
		lax  string
	}{
		{"2024", "2024-01-01T00:00:00Z", ""},
		{"2024-02", "2024-02-01T00:00:00Z", ""},
		{"2024-02-29", "2024-02-29T00:00:00Z", ""},
		{"2023-02-29", "", ""},
		{"2024-13", "", ""},
		{"2024-00-10", "", ""},
		{"0000", "", ""},
		{"24", "", ""},
		{"2024-03-01T08:15:00Z", "2024-03-01T08:15:00Z", ""},
		{"2024-03-01T08:15:00.123456789123Z", "2024-03-01T08:15:00.123456789Z", ""},
		{"2024-03-01T08:15:00+02:00", "2024-03-01T06:15:00Z", ""},
		{"2024-03-01T00:15:00-05:30", "2024-03-01T05:45:00Z", ""},
		{"2024-03-01T08:15:00", "2024-03-01T08:15:00Z", "time without a zone, read as UTC"},
		{"2024-03-01T08:15Z", "2024-03-01T08:15:00Z", "time without seconds"},
		{"2024-03-01T08:15", "2024-03-01T08:15:00Z", "time without seconds and without a zone, read as UTC"},
		{"2024-03-01T24:00:00Z", "", ""},
		{"2024-03-01T08:60:00Z", "", ""},
		{"2024-03-01T08:15:00+15:00", "", ""},
		{"2024-03-01T08:15:00.Z", "", ""},
		{"2024-03-01 08:15:00Z", "", ""},
		{"2024-03-01T08:15:00Zjunk", "", ""},
		{"yesterday", "", ""},
	}
	for _, tt := range tests {
		got, lax, ok := parseTime(tt.in)
		if tt.want == "" {
			if ok {
				t.Errorf("parseTime(%q) = %v, want unreadable", tt.in, got)
			}
			continue
		}
		if !ok || !got.Equal(ts(tt.want)) || got.Location() != time.UTC || lax != tt.lax {
			t.Errorf("parseTime(%q) = %v, %q, %v; want %s, %q", tt.in, got, lax, ok, tt.want, tt.lax)
		}
	}
}

func TestIsNoKnownAllergy(t *testing.T) {
	tests := []struct {
		name string
		m    store.Meta
		want bool
	}{
		{"no known allergy", store.Meta{Category: CategoryAllergy, Codes: []string{SystemSNOMED + "|716186003"}}, true},
		{"no known drug allergy", store.Meta{Category: CategoryAllergy, Codes: []string{"http://x|1", SystemSNOMED + "|409137002"}}, true},
		{"no known environmental allergy", store.Meta{Category: CategoryAllergy, Codes: []string{SystemSNOMED + "|428607008"}}, true},
		{"no known food allergy", store.Meta{Category: CategoryAllergy, Codes: []string{SystemSNOMED + "|429625007"}}, true},
		{"penicillin", store.Meta{Category: CategoryAllergy, Codes: []string{SystemSNOMED + "|764146007"}}, false},
		{"another system", store.Meta{Category: CategoryAllergy, Codes: []string{"http://example.org|716186003"}}, false},
		{"not an allergy", store.Meta{Category: CategoryCondition, Codes: []string{SystemSNOMED + "|716186003"}}, false},
		{"no codes", store.Meta{Category: CategoryAllergy}, false},
	}
	for _, tt := range tests {
		if got := IsNoKnownAllergy(tt.m); got != tt.want {
			t.Errorf("%s: IsNoKnownAllergy = %v, want %v", tt.name, got, tt.want)
		}
	}
	// and end to end: the fixture decodes to an entry IsNoKnownAllergy recognises
	raw := fixture(t, "allergy-nka.json")
	d, err := Decode(keyOf(t, raw), raw, topicPatient)
	if err != nil || !IsNoKnownAllergy(d.Meta) {
		t.Errorf("allergy-nka.json: IsNoKnownAllergy = false (err %v)", err)
	}
	raw = fixture(t, "allergy-penicillin.json")
	if d, _ := Decode(keyOf(t, raw), raw, topicPatient); IsNoKnownAllergy(d.Meta) {
		t.Error("allergy-penicillin.json: IsNoKnownAllergy = true")
	}
}

func TestTyped(t *testing.T) {
	v, err := Typed("Observation", fixture(t, "obs-hba1c.json"))
	if err != nil {
		t.Fatal(err)
	}
	o, ok := v.(*fhir.Observation)
	if !ok {
		t.Fatalf("Typed returned %T, want *fhir.Observation", v)
	}
	if o.Status != fhir.ObservationStatusFinal || o.ValueQuantity == nil || o.ValueQuantity.Value.String() != "7.2" {
		t.Errorf("typed Observation reads wrong: status %v, value %+v", o.Status, o.ValueQuantity)
	}
	p, err := Typed("Patient", fixture(t, "patient.json"))
	if err != nil || p.(*fhir.Patient).BirthDate == nil || *p.(*fhir.Patient).BirthDate != "1956-03-14" {
		t.Errorf("typed Patient: %v, %v", p, err)
	}
	// a conformance problem: the error, and the struct as far as it was read
	v, err = Typed("AllergyIntolerance", fixture(t, "messy-allergy.json"))
	if err == nil {
		t.Error("Typed read an STU3 clinicalStatus string without error")
	}
	if a, ok := v.(*fhir.AllergyIntolerance); !ok || a.Id == nil || *a.Id != "alg-3" {
		t.Errorf("Typed did not return the partly read struct: %#v", v)
	}
	for _, tt := range []struct {
		typ, raw string
	}{
		{"Observation", `{"resourceType":"Patient","id":"1"}`},
		{"Foo", `{"resourceType":"Foo","id":"1"}`},
		{"Observation", `{"resourceType":"Observation"`},
		{"Observation", `[]`},
	} {
		if v, err := Typed(tt.typ, []byte(tt.raw)); err == nil {
			t.Errorf("Typed(%s, %s) = %v, want an error", tt.typ, tt.raw, v)
		}
	}
}

func TestFields(t *testing.T) {
	tests := []struct {
		file string
		want []Field // rows that must be present, in this order
	}{
		{"obs-glucose.json", []Field{
			{"Status", "final"},
			{"Category", "laboratory"},
			{"Code", "Glucose (LOINC 2339-0)"},
			{"Subject", "Patient/pat-001"},
			{"Effective", "2024-02-10T07:30:00+01:00"},
			{"Value", "7.2 mmol/L (ref 3.9–5.5)"},
		}},
		{"obs-bp.json", []Field{
			{"Effective", "2024-03-01T08:15:00Z – 2024-03-01T08:16:00Z"},
			{"Component", "Systolic blood pressure (LOINC 8480-6) 142 mmHg"},
			{"Component", "Diastolic blood pressure (LOINC 8462-4) 91 mmHg"},
		}},
		{"patient.json", []Field{
			{"Us core ethnicity", "Hispanic or Latino"},
			{"Identifier", "MRN-4711 (Medical record number)"},
			{"Name", "Sr. José María Ñúñez"},
			{"Gender", "male"},
			{"Birth date", "1956-03-14"},
			{"Deceased", "no"},
			{"Address", "1 Calle Mayor, Springfield, 01101, US"},
			{"Last updated", "2024-03-01T09:30:00Z"},
		}},
		{"medreq-metformin.json", []Field{
			{"Medication", "Metformin 500 mg tablet (RxNorm 860975)"},
			{"Subject", "José Ñúñez"},
			{"Dosage instruction", "1 tablet twice daily"},
		}},
		{"messy-medreq.json", []Field{
			{"Medication", "Amlodipine 5 MG Oral Tablet"},
		}},
		{"messy-observation.json", []Field{
			{"Source system", "ward-monitor-7"},
			{"Performer", "Jones"},
			{"Value", "38.4 °C"},
		}},
		{"riskassessment.json", []Field{
			{"Prediction", "Outcome: Sepsis (SNOMED CT 91302008); Probability: 0.32; Qualitative risk: High likelihood (high)"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rows, err := Fields(fixture(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			i := 0
			for _, r := range rows {
				if i < len(tt.want) && r == tt.want[i] {
					i++
				}
				if r.Label == "" || r.Value == "" {
					t.Errorf("empty row %+v", r)
				}
				if r.Label == "Text" || r.Label == "Meta" || r.Label == "Id" {
					t.Errorf("row %+v should be left out", r)
				}
			}
			if i < len(tt.want) {
				t.Errorf("row %+v missing or out of order in %+v", tt.want[i], rows)
			}
		})
	}
	if _, err := Fields([]byte(`{"resourceType":"Nope"}`)); err == nil {
		t.Error("Fields of an unknown type: no error")
	}
	if _, err := Fields([]byte(`{"a":`)); err == nil {
		t.Error("Fields of broken JSON: no error")
	}
}

// TestProblemsBounded checks that a hostile value cannot grow Meta.Problems
// without bound.
func TestProblemsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"resourceType":"Observation","id":"7","status":"final","code":{}`)
	for i := 0; i < 100; i++ {
		b.WriteString(`,"junk` + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + `":1`)
	}
	b.WriteString(`}`)
	d, err := Decode([]byte("Observation/7"), []byte(b.String()), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Meta.Problems) != maxProblems+1 || !strings.HasPrefix(d.Meta.Problems[maxProblems], "… and ") {
		t.Errorf("%d problems, last %q; want %d and a count", len(d.Meta.Problems), d.Meta.Problems[len(d.Meta.Problems)-1], maxProblems+1)
	}
}

// TestUnescape compares string decoding with encoding/json's.
func TestUnescape(t *testing.T) {
	for _, s := range []string{
		`plain`, `a\"b`, `\\`, `\/`, `\b\f\n\r\t`, `\u0041\u00e9\u4e2d`, `\ud83d\ude00`, `\ud800`, `\udc00x`,
		`\ud800\u0041`, `\ud83d\ud83d\ude00`, `José`, `\u0000`, `x\ud83d`,
	} {
		var want string
		if err := json.Unmarshal([]byte(`"`+s+`"`), &want); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if got := unescape([]byte(s)); got != want {
			t.Errorf("unescape(%s) = %q, want %q", s, got, want)
		}
	}
}

// TestDisplayStatus checks that a status that changes what a clinician should
// make of an entry always shows in its display line.
func TestDisplayStatus(t *testing.T) {
	tests := []struct {
		key, raw      string
		display, stat string
	}{
		{"Encounter/e", `{"resourceType":"Encounter","id":"e","status":"entered-in-error","class":{"code":"AMB"},"type":[{"text":"Check-up"}]}`,
			"Check-up (entered in error)", "entered-in-error"},
		{"Observation/o", `{"resourceType":"Observation","id":"o","status":"cancelled","code":{"text":"Heart rate"}}`,
			"Heart rate (cancelled)", "cancelled"},
		{"Observation/o", `{"resourceType":"Observation","id":"o","status":"entered-in-error","code":{"text":"Heart rate"},"valueQuantity":{"value":300,"unit":"/min"}}`,
			"Heart rate 300 /min (entered in error)", "entered-in-error"},
		{"Condition/c", `{"resourceType":"Condition","id":"c","clinicalStatus":{"coding":[{"code":"active"}]},"verificationStatus":{"coding":[{"code":"refuted"}]},"code":{"text":"Asthma"},"subject":{"reference":"Patient/p"}}`,
			"Asthma (refuted)", "refuted"},
		{"MedicationRequest/m", `{"resourceType":"MedicationRequest","id":"m","status":"stopped","intent":"order","medicationCodeableConcept":{"text":"Aspirin 75 mg"},"subject":{"reference":"Patient/p"}}`,
			"Aspirin 75 mg (stopped)", "stopped"},
		{"Immunization/i", `{"resourceType":"Immunization","id":"i","status":"not-done","vaccineCode":{"text":"MMR"},"patient":{"reference":"Patient/p"},"occurrenceDateTime":"2020"}`,
			"MMR (not given)", "not-done"},
		{"AllergyIntolerance/a", `{"resourceType":"AllergyIntolerance","id":"a","clinicalStatus":{"coding":[{"code":"inactive"}]},"code":{"text":"Latex"},"patient":{"reference":"Patient/p"}}`,
			"Latex allergy (inactive)", "inactive"},
		{"AllergyIntolerance/a", `{"resourceType":"AllergyIntolerance","id":"a","type":"intolerance","code":{"text":"Lactose"},"patient":{"reference":"Patient/p"}}`,
			"Lactose intolerance", ""},
		{"CarePlan/c", `{"resourceType":"CarePlan","id":"c","status":"entered-in-error","intent":"plan","title":"Plan","subject":{"reference":"Patient/p"}}`,
			"Plan (entered in error)", "entered-in-error"},
		{"Observation/r", `{"resourceType":"Observation","id":"r","status":"final","code":{"text":"Titer"},"valueRatio":{"numerator":{"value":1},"denominator":{"value":128}}}`,
			"Titer 1 / 128", "final"},
		{"Observation/bp", `{"resourceType":"Observation","id":"bp","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}]},"dataAbsentReason":{"text":"cuff failed"}}`,
			"Blood pressure (no value: cuff failed)", "final"},
		{"Observation/bp", `{"resourceType":"Observation","id":"bp","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}]},"component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":120,"unit":"mmHg"}}]}`,
			"Blood pressure 120/– mmHg", "final"},
		{"Basic/b", `{"resourceType":"Basic","id":"b","code":{"coding":[{"system":"http://x","code":"y","display":"Referral note"}]}}`,
			"Referral note", ""},
		{"Location/l", `{"resourceType":"Location","id":"l","name":"Ward 7","status":"active"}`, "Ward 7", "active"},
		{"Binary/b", `{"resourceType":"Binary","id":"b","contentType":"text/plain"}`, "Binary", ""},
	}
	for _, tt := range tests {
		d, err := Decode([]byte(tt.key), []byte(tt.raw), "")
		if err != nil {
			t.Errorf("%s: %v", tt.key, err)
			continue
		}
		if d.Meta.Display != tt.display || d.Meta.Status != tt.stat {
			t.Errorf("%s: Display %q, Status %q; want %q, %q", tt.key, d.Meta.Display, d.Meta.Status, tt.display, tt.stat)
		}
	}
}

// TestMessagesBounded checks that a huge member name or literal is cut short
// in problems and refusal details.
func TestMessagesBounded(t *testing.T) {
	long := strings.Repeat("k", 100_000)
	d, err := Decode([]byte("Observation/7"), []byte(`{"resourceType":"Observation","id":"7","status":"final","code":{},"`+long+`":1,"valueInteger":`+strings.Repeat("9", 300)+`}`), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range d.Meta.Problems {
		if len(p) > 300 {
			t.Errorf("problem of %d bytes: %.80s…", len(p), p)
		}
	}
	if len(d.Meta.Problems) != 2 {
		t.Errorf("problems %q, want 2", d.Meta.Problems)
	}
	_, err = Decode([]byte("Observation/7"), []byte(`{"resourceType":"Observation","id":"7","`+long+`":[1,}`), "")
	var r *Refusal
	if !errors.As(err, &r) || r.Reason != ReasonNotJSON || len(r.Detail) > 300 {
		t.Errorf("refusal %v of %d bytes", err, len(r.Error()))
	}
}

// TestRootIndex checks the root member index against a plain scan: duplicate
// names (the last wins), absent names, escaped names and roots too large to
// index.
func TestRootIndex(t *testing.T) {
	var many strings.Builder
	many.WriteString(`{"resourceType":"Basic","id":"b"`)
	for i := 0; i < 100; i++ {
		many.WriteString(`,"m` + strings.Repeat("x", i) + `":` + strings.Repeat("1", 1+i%3))
	}
	many.WriteString(`}`)
	docs := []struct {
		raw     string
		indexed bool
	}{
		{`{"resourceType":"Observation","id":"7","status":"final","status":"amended","code":{}}`, true},
		{`{"a":1,"b":2,"c":3,"":4}`, true},
		{`{"resourc\u0065Type":"Observation","id":"7"}`, false},
		{many.String(), false},
	}
	for _, tt := range docs {
		s := getScanner()
		if e := s.parse([]byte(tt.raw)); e != nil {
			t.Fatal(e.detail)
		}
		d := &s.doc
		if d.root.built != tt.indexed {
			t.Errorf("%.40s: indexed %v, want %v", tt.raw, d.root.built, tt.indexed)
		}
		for _, key := range []string{"resourceType", "id", "status", "code", "a", "", "c", "nope", "mxxx", "statu"} {
			built := d.root.built
			indexed := d.get(0, key)
			d.root.built = false
			scanned := d.get(0, key)
			d.root.built = built
			if indexed != scanned {
				t.Errorf("%.40s: get(%q) = %d through the index, %d by a scan", tt.raw, key, indexed, scanned)
			}
		}
		if tt.indexed && d.kindOf(d.get(0, "status")) == kString && d.str(d.get(0, "status")) != "amended" {
			t.Errorf("duplicate status: got %q, want the last", d.str(d.get(0, "status")))
		}
		putScanner(s)
	}
}
