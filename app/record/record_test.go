package record

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chartline/chartline/store"
)

const topicPatient = "pat-001"

// ts parses an RFC 3339 time as UTC for expectations.
func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "resources", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// keyOf builds the record key of a fixture from its own resourceType and id.
func keyOf(t testing.TB, raw []byte) []byte {
	t.Helper()
	s := getScanner()
	defer putScanner(s)
	if e := s.parse(raw); e != nil {
		t.Fatalf("fixture does not parse: %s", e.detail)
	}
	return []byte(s.doc.str(s.doc.get(0, "resourceType")) + "/" + s.doc.str(s.doc.get(0, "id")))
}

// diffMeta names every field of got that differs from want.
func diffMeta(got, want store.Meta) []string {
	var out []string
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := 0; i < gv.NumField(); i++ {
		g, w := gv.Field(i).Interface(), wv.Field(i).Interface()
		if !reflect.DeepEqual(g, w) {
			if gp, ok := g.(*store.Demographics); ok && gp != nil {
				g = *gp
			}
			if wp, ok := w.(*store.Demographics); ok && wp != nil {
				w = *wp
			}
			out = append(out, fmt.Sprintf("%s: got %#v, want %#v", gv.Type().Field(i).Name, g, w))
		}
	}
	return out
}

// fixtureDecoder declares the bases the fixtures' absolute references use
// local, as a deployment whose EHR is fhir.example.org would.
var fixtureDecoder = Decoder{Refs: NewRefRule([]string{"http://fhir.example.org/r4", "https://FHIR.example.org/r4/"})}

// resourceCase is a fixture, the topic it arrives on, and what Decode must
// read from it.
type resourceCase struct {
	file    string
	topic   string
	patient string
	want    store.Meta
}

// resourceCases has a fixture of every IPS type (and the shared trial, risk
// and audit types) with the whole index entry it must decode to.
func resourceCases() []resourceCase {
	return []resourceCase{
		{"patient.json", topicPatient, "pat-001", store.Meta{
			Time: ts("2024-03-01T09:30:00Z"), Display: "Ñúñez, José María", Category: CategoryDemographics,
			Version: "3", LastUpdated: ts("2024-03-01T09:30:00Z"),
			Patient: &store.Demographics{Name: "Ñúñez, José María", Family: "Ñúñez", Given: "José María",
				BirthDate: "1956-03-14", Sex: "male", MRN: "MRN-4711"},
		}},
		{"patient-text-name.json", "pat-002", "pat-002", store.Meta{
			Time: ts("2023-11-20T11:00:00Z"), Display: "Nguyễn Văn An", Category: CategoryDemographics,
			LastUpdated: ts("2023-11-20T11:00:00Z"),
			Patient:     &store.Demographics{Name: "Nguyễn Văn An", BirthDate: "1980-07", Sex: "other", MRN: "NL-778899", Deceased: true, DeceasedDate: "2023-11-19T23:10:00+01:00"},
		}},
		{"patient-oster.json", "pat-003", "pat-003", store.Meta{
			Display: "Øster, Åse", Category: CategoryDemographics,
			Patient: &store.Demographics{Name: "Øster, Åse", Family: "Øster", Given: "Åse", BirthDate: "1949", Sex: "female", MRN: "NO-MR-77"},
		}},
		{"allergy-penicillin.json", topicPatient, "pat-001", store.Meta{
			Time: ts("1998-05-02T00:00:00Z"), Display: "Penicillin allergy (high criticality)", Category: CategoryAllergy,
			Codes: []string{"http://snomed.info/sct|764146007"}, Status: "active",
		}},
		{"allergy-nka.json", topicPatient, "pat-001", store.Meta{
			Time: ts("2021-04-01T00:00:00Z"), Display: "No known allergy", Category: CategoryAllergy,
			Codes: []string{"http://snomed.info/sct|716186003"}, Status: "active",
		}},
		{"condition-t2dm.json", topicPatient, "pat-001", store.Meta{
			Time: ts("2015-06-01T00:00:00Z"), Display: "Type 2 diabetes mellitus (active)", Category: CategoryCondition,
			Codes:  []string{"http://snomed.info/sct|44054006", "http://hl7.org/fhir/sid/icd-10|E11.9"},
			Status: "active", Version: "1", LastUpdated: ts("2022-02-02T08:00:00Z"),
		}},
		{"condition-eie.json", topicPatient, "pat-001", store.Meta{
			Time: ts("2020-01-01T00:00:00Z"), Display: "Hypertensive disorder (entered in error)", Category: CategoryCondition,
			Codes: []string{"http://snomed.info/sct|38341003"}, Status: "entered-in-error",
		}},
		{"medreq-metformin.json", topicPatient, "pat-001", store.Meta{
			Time: ts("2023-01-10T19:20:00Z"), Display: "Metformin 500 mg tablet — 1 tablet twice daily", Category: CategoryMedication,
			Codes: []string{"http://www.nlm.nih.gov/research/umls/rxnorm|860975"}, Status: "active",
		}},
		{"medstatement.json", topicPatient, "pat-001", store.Meta{
			Time: ts("2019-09-01T00:00:00Z"), End: ts("2025-09-01T00:00:00Z"),
			Display: "Atorvastatin 20 MG Oral Tablet — 20 mg at night", Category: CategoryMedication,
			Codes: []string{"http://www.nlm.nih.gov/research/umls/rxnorm|617310"}, Status: "active",
		}},
		{"immunization-flu.json", topicPatient, "pat-001", store.Meta{
			Time: ts("2023-10-05T09:00:00Z"), Display: "Influenza vaccine", Category: CategoryImmunization,
			Codes: []string{"http://hl7.org/fhir/sid/cvx|140"}, Status: "completed",
		}},
		{"obs-heartrate.json", topicPatient, "pat-001", store.Meta{
			Time: ts("2024-03-01T08:15:00Z"), Display: "Heart rate 88 /min", Category: CategoryVitalSigns,
			Codes: []string{"http://loinc.org|8867-4"}, Status: "final", Value: 88, HasValue: true, Unit: "/min",
		}},
		{"obs-bp.json", topicPatient, "pat-001", store.Meta{
			Time: ts("2024-03-01T08:15:00Z"), End: ts("2024-03-01T08:16:00Z"),
			Display: "Blood pressure 142/91 mmHg (H)", Category: CategoryVitalSigns,
			Codes: []string{"http://loinc.org|85354-9"}, Status: "final", Interpret: "H",
			Components: []store.Component{
				{Code: "http://loinc.org|8480-6", Value: 142, HasValue: true, Unit: "mm[Hg]"},
				{Code: "http://loinc.org|8462-4", Value: 91, HasValue: true, Unit: "mm[Hg]"},
			},
		}},
		{"obs-spo2.json", topicPatient, "pat-001", store.Meta{
			Time: ts("2024-03-01T08:20:00.25Z"), Display: "Oxygen saturation 96 % (Inhaled oxygen flow rate 2 L/min)",
			Category: CategoryVitalSigns, Codes: []string{"http://loinc.org|59408-5", "http://loinc.org|2708-6"},
			Status: "final", Value: 96, HasValue: true, Unit: "%",
			Components: []store.Component{{Code: "http://loinc.org|3151-8", Value: 2, HasValue: true, Unit: "L/min"}},
		}},
		{"obs-hba1c.json", topicPatient, "pat-001", store.Meta{
			Time: ts("2024-02-10T16:00:00Z"), Display: "Hemoglobin A1c 7.2 % (H)", Category: CategoryLaboratory,
			Codes: []string{"http://loinc.org|4548-4"}, Status: "final", Value: 7.2, HasValue: true, Unit: "%",
			Low: 4, HasLow: true, High: 5.6, HasHigh: true, Interpret: "H",
			Version: "2", LastUpdated: ts("2024-02-11T10:00:00Z"),
		}},
		{"obs-glucose.json", topicPatient, "pat-001", store.Meta{
			Time: ts("2024-02-10T06:30:00Z"), Display: "Glucose 7.2 mmol/L", Category: CategoryLaboratory,
			Codes: []string{"http://loinc.org|2339-0"}, Status: "final", Value: 7.2, HasValue: true, Unit: "mmol/L",
			Low: 3.9, HasLow: true, High: 5.5, HasHigh: true,
		}},
		{"obs-egfr.json", topicPatient, "pat-001", store.Meta{
			Time:     ts("2024-02-10T00:00:00Z"),
			Display:  "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum or Plasma by Creatinine-based formula (MDRD) >90 mL/min/1.73 m² (preliminary)",
			Category: CategoryLaboratory, Codes: []string{"http://loinc.org|33914-3"}, Status: "preliminary",
			Value: 90, HasValue: true, Comparator: ">", Unit: "mL/min/{1.73_m2}",
		}},
		{"obs-smoking.json", topicPatient, "pat-001", store.Meta{
			Time: ts("2023-05-05T10:00:00Z"), Display: "Tobacco smoking status: Never smoked tobacco", Category: CategoryObservation,
			Codes: []string{"http://loinc.org|72166-2"}, Status: "final",
			ValueCode: "http://snomed.info/sct|266919005", ValueText: "Never smoked tobacco",
		}},
		{"procedure.json", topicPatient, "pat-001", store.Meta{
			Time: ts("2001-04-03T10:00:00Z"), End: ts("2001-04-03T11:30:00Z"), Display: "Appendectomy",
			Category: CategoryProcedure, Codes: []string{"http://snomed.info/sct|80146002"}, Status: "completed",
		}},
		{"encounter.json", topicPatient, "pat-001", store.Meta{
			Time: ts("2024-03-01T07:55:00Z"), End: ts("2024-03-01T13:10:00Z"), Display: "Emergency room admission (finished)",
			Category: CategoryEncounter, Codes: []string{"http://snomed.info/sct|50849002"}, Status: "finished",
		}},
		{"diagreport.json", topicPatient, "pat-001", store.Meta{
			Time: ts("2024-02-10T07:30:00Z"), Display: "Comprehensive metabolic panel", Category: CategoryReport,
			Codes: []string{"http://loinc.org|24323-8"}, Status: "final",
		}},
		{"docref.json", topicPatient, "pat-001", store.Meta{
			Time: ts("2024-03-02T09:00:00Z"), Display: "Discharge summary", Category: CategoryDocument,
			Codes: []string{"http://loinc.org|18842-5"}, Status: "current",
		}},
		{"careplan.json", topicPatient, "pat-001", store.Meta{
			Time: ts("2015-07-01T00:00:00Z"), Display: "Diabetes self management plan (active)", Category: CategoryCarePlan,
			Codes: []string{"http://snomed.info/sct|698360004"}, Status: "active",
		}},
		{"goal.json", topicPatient, "pat-001", store.Meta{
			Time: ts("2023-01-10T00:00:00Z"), Display: "HbA1c below 7 % — target <7 % (active)", Category: CategoryGoal,
			Codes: []string{"http://loinc.org|4548-4"}, Status: "active", Value: 7, HasValue: true, Comparator: "<", Unit: "%",
		}},
		{"goal-range.json", topicPatient, "pat-001", store.Meta{
			Display: "Systolic blood pressure in range — target 110–130 mmHg (proposed)", Category: CategoryGoal,
			Codes: []string{"http://loinc.org|8480-6"}, Status: "proposed", Low: 110, HasLow: true, High: 130, HasHigh: true,
		}},
		{"device.json", topicPatient, "pat-001", store.Meta{
			Time: ts("2022-08-08T08:08:08Z"), Display: "Implantable cardiac pacemaker", Category: CategoryDevice,
			Codes: []string{"http://snomed.info/sct|14106009"}, Status: "active", LastUpdated: ts("2022-08-08T08:08:08Z"),
		}},
		{"riskassessment.json", "", "pat-001", store.Meta{
			Time: ts("2024-03-01T09:00:00Z"), Display: "Sepsis 32% (High likelihood)", Category: CategoryRisk,
			Codes:  []string{"http://example.org/cds|sepsis-risk", "http://snomed.info/sct|91302008"},
			Status: "final", Value: 0.32, HasValue: true,
			ValueCode: "http://terminology.hl7.org/CodeSystem/risk-probability|high", ValueText: "High likelihood",
		}},
		{"researchstudy.json", "", "", store.Meta{
			Time: ts("2024-01-01T00:00:00Z"), End: ts("2026-12-31T00:00:00Z"),
			Display: "Metformin XR in early type 2 diabetes (active)", Category: CategoryResearch,
			Codes: []string{"http://snomed.info/sct|44054006"}, Status: "active",
		}},
		{"group.json", "", "", store.Meta{
			Display: "Eligibility for NCT00000001", Category: CategoryResearch, Status: "active",
		}},
		{"researchsubject.json", "", "pat-001", store.Meta{
			Time: ts("2024-03-02T10:00:00Z"), Display: "Metformin XR in early type 2 diabetes — candidate",
			Category: CategoryResearch, Status: "candidate",
		}},
		{"auditevent.json", "", "pat-001", store.Meta{
			Time: ts("2024-03-01T10:00:00.123Z"), Display: "Patient Record (read)", Category: CategoryAudit,
			Codes: []string{"http://dicom.nema.org/resources/ontology/DCM|110110", "http://hl7.org/fhir/restful-interaction|read"},
		}},
		{"practitioner.json", "", "", store.Meta{
			Time: ts("2020-01-01T00:00:00Z"), Display: "Dr Ann Smith", Category: CategoryAdministrative,
			LastUpdated: ts("2020-01-01T00:00:00Z"),
		}},
		{"organization.json", "", "", store.Meta{
			Display: "Springfield General Hospital", Category: CategoryAdministrative,
			Codes: []string{"http://terminology.hl7.org/CodeSystem/organization-type|prov"},
		}},
	}
}

// TestDecodeResources decodes a resource of every IPS type (and the shared
// trial, risk and audit types) and checks the whole index entry.
func TestDecodeResources(t *testing.T) {
	tests := resourceCases()
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.file, ".json"), func(t *testing.T) {
			raw := fixture(t, tt.file)
			key := keyOf(t, raw)
			got, err := fixtureDecoder.Decode(key, raw, tt.topic)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if wt, wid, _ := strings.Cut(string(key), "/"); got.Type != wt || got.ID != wid {
				t.Errorf("Type/ID = %s/%s, want %s", got.Type, got.ID, key)
			}
			if got.Patient != tt.patient {
				t.Errorf("Patient = %q, want %q", got.Patient, tt.patient)
			}
			for _, d := range diffMeta(got.Meta, tt.want) {
				t.Error(d)
			}
		})
	}
}

// TestDecodeMessy keeps Synthea-style and STU3-flavoured resources, reads
// what it can, and says what the typed model cannot read.
func TestDecodeMessy(t *testing.T) {
	tests := []struct {
		file    string
		patient string
		want    store.Meta // Problems included
	}{
		{"messy-condition-stu3.json", "", store.Meta{
			Time: ts("2019-01-01T00:00:00Z"), End: ts("2019-01-15T15:20:00Z"),
			Display: "Acute viral pharyngitis (active)", Category: CategoryCondition,
			Codes: []string{"http://snomed.info/sct|195662009"}, Status: "active",
			Problems: []string{
				`subject: unresolved patient reference "urn:uuid:0b8a2c3e-6f0e-4b1a-9e57-aa11bb22cc33" (not checked against the topic's patient)`,
				`clinicalStatus: expected an object (CodeableConcept), found the string "active"`,
				`verificationStatus: expected an object (CodeableConcept), found the string "confirmed"`,
				`context: not an R4 element of Condition; dropped`,
				`assertedDate: not an R4 element of Condition; dropped`,
			},
		}},
		{"messy-procedure.json", "pat-001", store.Meta{
			Time: ts("2020-05-01T10:00:00Z"), Display: "Medication Reconciliation (finished)", Category: CategoryProcedure,
			Codes: []string{"http://snomed.info/sct|430193006"}, Status: "finished",
			Problems: []string{
				`status: unknown code "finished"`,
				`fhir_comments: not an R4 element of Procedure; dropped`,
				`performedDateTime: time without a zone, read as UTC "2020-05-01T10:00:00"`,
			},
		}},
		{"messy-observation.json", "", store.Meta{
			Time: ts("2020-05-01T10:00:00Z"), Display: "Body temperature 38.4 °C", Category: CategoryVitalSigns,
			Codes: []string{"http://loinc.org|8310-5"}, Status: "final", Value: 38.4, HasValue: true, Unit: "Cel",
			LastUpdated: ts("2020-05-01T10:05:00Z"),
			Problems: []string{
				`subject: unresolved patient reference "urn:uuid:0b8a2c3e-6f0e-4b1a-9e57-aa11bb22cc33" (not checked against the topic's patient)`,
				`contained[1].status: unknown code "switched-on"`,
				`valueQuantity.value: decimal written as a string "38.4"`,
				`effectiveDateTime: time without a zone, read as UTC "2020-05-01T10:00:00"`,
			},
		}},
		{"messy-medreq.json", "", store.Meta{
			Time: ts("2021-06-01T00:00:00Z"), Display: "Amlodipine 5 MG Oral Tablet — 5 mg once daily", Category: CategoryMedication,
			Codes: []string{"http://www.nlm.nih.gov/research/umls/rxnorm|197361"}, Status: "active",
			Problems: []string{
				`subject: unresolved patient reference "Patient?identifier=http://hospital.example.org/mrn|MRN-4711" (not checked against the topic's patient)`,
				`context: not an R4 element of MedicationRequest; dropped`,
			},
		}},
		{"messy-immunization.json", "pat-001", store.Meta{
			Time: ts("1957-02-01T00:00:00Z"), Display: "Hep B, adolescent or pediatric", Category: CategoryImmunization,
			Codes: []string{"http://hl7.org/fhir/sid/cvx|08"}, Status: "completed",
			Problems: []string{
				`notGiven: not an R4 element of Immunization; dropped`,
				`date: not an R4 element of Immunization; dropped`,
				`occurrence[x]: required element missing`,
			},
		}},
		{"messy-allergy.json", "pat-001", store.Meta{
			Time: ts("2012-08-07T22:00:00Z"), Display: "Shellfish allergy", Category: CategoryAllergy,
			Codes: []string{"http://snomed.info/sct|300913006"}, Status: "active",
			Problems: []string{
				`clinicalStatus: expected an object (CodeableConcept), found the string "active"`,
				`verificationStatus: expected an object (CodeableConcept), found the string "confirmed"`,
				`category: expected an array, found a string`,
				`assertedDate: not an R4 element of AllergyIntolerance; dropped`,
			},
		}},
		{"messy-encounter.json", "pat-001", store.Meta{
			Display: "Encounter for check up (finished)", Category: CategoryEncounter,
			Codes: []string{"http://snomed.info/sct|185349003"}, Status: "finished",
			Problems: []string{
				`type: expected an array, found an object`,
				`period.start: not a FHIR date/time "2021-02-30T10:00:00Z"`,
			},
		}},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.file, ".json"), func(t *testing.T) {
			raw := fixture(t, tt.file)
			got, err := fixtureDecoder.Decode(keyOf(t, raw), raw, topicPatient)
			if err != nil {
				t.Fatalf("Decode refused a messy but usable record: %v", err)
			}
			if got.Patient != tt.patient {
				t.Errorf("Patient = %q, want %q", got.Patient, tt.patient)
			}
			for _, d := range diffMeta(got.Meta, tt.want) {
				t.Error(d)
			}
		})
	}
}

// TestDecodeClean checks that well-formed fixtures carry no problems, and
// that the typed model reads them: a problem-free Meta means a clean read.
func TestDecodeClean(t *testing.T) {
	files, err := filepath.Glob("testdata/resources/*.json")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), "messy-") {
			continue
		}
		n++
		raw := fixture(t, filepath.Base(f))
		key := keyOf(t, raw)
		got, err := Decode(key, raw, "")
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if got.Meta.Problems != nil {
			t.Errorf("%s: problems %q in a clean fixture", f, got.Meta.Problems)
		}
		if _, err := Typed(got.Type, raw); err != nil {
			t.Errorf("%s: the typed model fails on a clean fixture: %v", f, err)
		}
	}
	if n < 30 {
		t.Fatalf("only %d clean fixtures found", n)
	}
}

// TestDecodeConcurrent decodes every fixture from many goroutines at once:
// pooled buffers must never leak one record into another.
func TestDecodeConcurrent(t *testing.T) {
	files, _ := filepath.Glob("testdata/resources/*.json")
	type item struct {
		key, raw []byte
		want     Decoded
	}
	var items []item
	for _, f := range files {
		raw := fixture(t, filepath.Base(f))
		key := keyOf(t, raw)
		want, err := Decode(key, raw, "")
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, item{key, raw, want})
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for r := 0; r < 20; r++ {
				for i := range items {
					it := items[(i+g)%len(items)]
					got, err := Decode(it.key, it.raw, "")
					if err != nil || !reflect.DeepEqual(got, it.want) {
						select {
						case errs <- fmt.Sprintf("%s: concurrent decode differs (err %v)", it.key, err):
						default:
						}
						return
					}
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestSplitValue(t *testing.T) {
	for _, c := range []struct {
		display     string
		m           store.Meta
		name, value string
		ok          bool
	}{
		{"Creatinine [Mass/volume] in Serum or Plasma 1.67 mg/dL", store.Meta{HasValue: true, Value: 1.67}, "Creatinine [Mass/volume] in Serum or Plasma", "1.67 mg/dL", true},
		{"Troponin I < 0.01 ng/mL", store.Meta{HasValue: true, Value: 0.01, Comparator: "<"}, "Troponin I", "< 0.01 ng/mL", false},
		{"Troponin I <0.01 ng/mL", store.Meta{HasValue: true, Value: 0.01, Comparator: "<"}, "Troponin I", "<0.01 ng/mL", true},
		{"Platelets 13 10*3/uL", store.Meta{HasValue: true, Value: 1}, "Platelets 13 10*3/uL", "", false},
		{"Ferritin 12.345 ug/L", store.Meta{HasValue: true, Value: 12.345}, "Ferritin", "12.345 ug/L", true},
		{"EGFR gene mutations found: Present", store.Meta{}, "EGFR gene mutations found", "Present", true},
		{"Smoking status", store.Meta{}, "Smoking status", "", false},
	} {
		name, value, ok := SplitValue(c.display, c.m)
		if ok != c.ok || (ok && (name != c.name || value != c.value)) {
			t.Errorf("SplitValue(%q) = %q, %q, %v; want %q, %q, %v", c.display, name, value, ok, c.name, c.value, c.ok)
		}
	}
}
