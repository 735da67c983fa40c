package publish

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/record"
)

const (
	txPatient   = "6f1c2a3e-0d5b-4c1e-9e8a-1b2c3d4e5f60"
	txEncounter = "0a9b8c7d-1111-4222-8333-944455556666"
	txObs       = "7e7e7e7e-2222-4333-8444-955566667777"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// entryResources returns the raw bytes of a fixture bundle's entry resources.
func entryResources(t *testing.T, name string) []json.RawMessage {
	t.Helper()
	var b struct {
		Entry []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(readFixture(t, name), &b); err != nil {
		t.Fatal(err)
	}
	var out []json.RawMessage
	for _, e := range b.Entry {
		if len(e.Resource) > 0 {
			out = append(out, e.Resource)
		}
	}
	return out
}

// placed is where a record went, for compact expectations.
func placed(recs []Record) []string {
	var out []string
	for _, r := range recs {
		s := r.Topic + " " + string(r.Key)
		if r.Value == nil {
			s += " <tombstone>"
		}
		out = append(out, s)
	}
	return out
}

func TestSplitRoutes(t *testing.T) {
	tests := []struct {
		fixture string
		want    []string
	}{
		{"transaction.json", []string{
			"fhir.patient." + txPatient + " Patient/" + txPatient,
			"fhir.patient." + txPatient + " Encounter/" + txEncounter,
			"fhir.patient." + txPatient + " Observation/" + txObs,
			"fhir.patient." + txPatient + " Condition/cond-1",
			"fhir.patient." + txPatient + " Claim/claim-1",
			"fhir.reference Location/loc-1",
		}},
		{"collection.json", []string{
			"fhir.patient.p2 Patient/p2",
			"fhir.patient.p2 Observation/o2",
			"fhir.patient.p2 AllergyIntolerance/a2",
			"fhir.reference Practitioner/dr-1",
			"fhir.reference Organization/org-1",
			"fhir.reference Medication/med-1",
			"fhir.reference Observation/grp-obs",
			"fhir.reference Group/ward-7",
			"trials.studies ResearchStudy/study-1",
			"trials.studies Group/study-1-eligibility",
			"trials.studies Group/criteria-only",
			"cds.risk RiskAssessment/risk-1",
			"trials.matches ResearchSubject/rs-1",
		}},
		{"observation.json", []string{"fhir.patient.p3 Observation/bp-1"}},
		{"bulk.ndjson", []string{
			"fhir.patient.n1 Patient/n1",
			"fhir.patient.n2 Patient/n2",
			"fhir.patient.n1 Observation/n1-hr",
			"fhir.patient.n2 Condition/n2-c",
			"fhir.reference Practitioner/n-dr",
		}},
		{"delete.json", []string{
			"fhir.patient.p4 Patient/p4",
			"fhir.patient.p4 Observation/old-1 <tombstone>", // the bundle's only patient
			"fhir.patient.p9 Observation/old-2 <tombstone>", // named in the URL
			"fhir.patient.p5 Patient/p5 <tombstone>",
			"fhir.reference Practitioner/dr-9 <tombstone>",
			"cds.risk RiskAssessment/risk-9 <tombstone>",
			"trials.studies Group/g-9 <tombstone>",
			"fhir.reference Group/g-9 <tombstone>",
			"trials.matches ResearchSubject/rs-9 <tombstone>",
		}},
	}
	for _, tt := range tests {
		recs, err := Split(readFixture(t, tt.fixture), kafka.DefaultTopics(), "test")
		if err != nil {
			t.Errorf("%s: %v", tt.fixture, err)
			continue
		}
		got := placed(recs)
		if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("%s:\n got %s\nwant %s", tt.fixture, strings.Join(got, "\n     "), strings.Join(tt.want, "\n     "))
		}
		for _, r := range recs {
			if r.Value != nil && !json.Valid(r.Value) {
				t.Errorf("%s: %s is not valid JSON: %s", tt.fixture, r.Key, r.Value)
			}
		}
	}
}

func TestSplitRewritesOnlyReferences(t *testing.T) {
	orig := entryResources(t, "transaction.json")
	recs, err := Split(readFixture(t, "transaction.json"), kafka.DefaultTopics(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(orig) {
		t.Fatalf("%d records for %d resources", len(recs), len(orig))
	}
	// Exactly these reference strings change; every other byte stays.
	rewrite := strings.NewReplacer(
		`"urn:uuid:`+txPatient+`"`, `"Patient/`+txPatient+`"`,
		`"urn:uuid:`+txEncounter+`"`, `"Encounter/`+txEncounter+`"`,
		`"Patient?identifier=http://hospital.example.org|MRN-0001"`, `"Patient/`+txPatient+`"`,
	)
	for i, r := range recs {
		want := rewrite.Replace(string(bytes.TrimSpace(orig[i])))
		if string(r.Key) == "Observation/"+txObs {
			want = `{"id":"` + txObs + `",` + want[1:] // id from the fullUrl, inserted first
		}
		if string(r.Value) != want {
			t.Errorf("%s:\n got %s\nwant %s", r.Key, r.Value, want)
		}
	}
	// Spot checks of what must survive untouched.
	patient := string(recs[0].Value)
	for _, s := range []string{`\"reference\": \"urn:uuid:` + txPatient + `\"`, `"x-vendor-unknown": {"kept": true}`, `"value": "` + txPatient + `"`} {
		if !strings.Contains(patient, s) {
			t.Errorf("Patient lost %s", s)
		}
	}
	enc := string(recs[1].Value)
	for _, s := range []string{`"Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|9999999999"`, `"Organization?identifier=https://example.org/synthetic|org-1"`} {
		if !strings.Contains(enc, s) {
			t.Errorf("an unresolvable conditional reference changed: %s missing", s)
		}
	}
}

func TestSplitHeaders(t *testing.T) {
	for _, source := range []string{"", "synthea"} {
		recs, err := Split(readFixture(t, "observation.json"), kafka.DefaultTopics(), source)
		if err != nil {
			t.Fatal(err)
		}
		h := map[string]string{}
		for _, rh := range recs[0].Headers {
			h[rh.Key] = string(rh.Value)
		}
		want := map[string]string{"content-type": "application/fhir+json", "fhir-version": "4.0.1"}
		if source != "" {
			want["source"] = source
		}
		if fmt.Sprint(h) != fmt.Sprint(want) {
			t.Errorf("source %q: headers %v, want %v", source, h, want)
		}
	}
}

func TestSplitIDs(t *testing.T) {
	top := kafka.DefaultTopics()
	tests := []struct {
		name  string
		input string
		key   string // "" to check only that the id is deterministic
		value string
	}{
		{"id kept", `{"resourceType":"Basic","id":"b1"}`, "Basic/b1", `{"resourceType":"Basic","id":"b1"}`},
		{"from urn:uuid fullUrl", `{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"urn:uuid:11111111-2222-4333-8444-555555555555","resource":{"resourceType":"Basic"}}]}`,
			"Basic/11111111-2222-4333-8444-555555555555", `{"id":"11111111-2222-4333-8444-555555555555","resourceType":"Basic"}`},
		{"from urn:oid fullUrl", `{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"urn:oid:1.2.3.4","resource":{"resourceType":"Basic"}}]}`,
			"Basic/1.2.3.4", `{"id":"1.2.3.4","resourceType":"Basic"}`},
		{"from PUT url", `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Basic"},"request":{"method":"PUT","url":"Basic/put-1"}}]}`,
			"Basic/put-1", `{"id":"put-1","resourceType":"Basic"}`},
		{"deterministic", ` {"resourceType":"Basic","code":{"text":"x"}}`, "", ""},
	}
	for _, tt := range tests {
		recs, err := Split([]byte(tt.input), top, "")
		if err != nil || len(recs) != 1 {
			t.Errorf("%s: %d records, %v", tt.name, len(recs), err)
			continue
		}
		if tt.key == "" {
			again, _ := Split([]byte(tt.input), top, "")
			key := string(recs[0].Key)
			id := strings.TrimPrefix(key, "Basic/")
			if key != string(again[0].Key) || len(id) != 32 || !kafka.ValidPatientID(id) || !bytes.HasPrefix(recs[0].Value, []byte(`{"id":"`+id+`",`)) {
				t.Errorf("%s: key %s then %s, value %s", tt.name, key, again[0].Key, recs[0].Value)
			}
			continue
		}
		if string(recs[0].Key) != tt.key || string(recs[0].Value) != tt.value {
			t.Errorf("%s: %s = %s; want %s = %s", tt.name, recs[0].Key, recs[0].Value, tt.key, tt.value)
		}
	}
}

func TestSplitErrors(t *testing.T) {
	big := `{"resourceType":"Binary","id":"big","data":"` + strings.Repeat("A", record.MaxValueBytes) + `"}`
	justFits := `{"resourceType":"Binary","id":"ok","data":"` + strings.Repeat("A", record.MaxValueBytes-len(`{"resourceType":"Binary","id":"ok","data":""}`)) + `"}`
	twoPatients := `{"resourceType":"Bundle","type":"transaction","entry":[
		{"resource":{"resourceType":"Patient","id":"a"}},{"resource":{"resourceType":"Patient","id":"b"}},
		{"request":{"method":"DELETE","url":"Observation/o"}}]}`
	tests := []struct {
		name  string
		input string
		say   string // "" means Split must succeed
	}{
		{"empty", "  \n", "no FHIR resource"},
		{"not JSON", "{nope", "not JSON"},
		{"array", `[{"resourceType":"Patient","id":"x"}]`, "expected a FHIR resource"},
		{"no resourceType", `{"id":"x"}`, "resourceType missing"},
		{"lower-case type", `{"resourceType":"patient","id":"x"}`, "resourceType missing or not a FHIR type"},
		{"numeric id", `{"resourceType":"Patient","id":7}`, "id is not a non-empty string"},
		{"bad id", `{"resourceType":"Patient","id":"a_b"}`, "not a FHIR id"},
		{"id too long", `{"resourceType":"Patient","id":"` + strings.Repeat("a", 65) + `"}`, "not a FHIR id"},
		{"id longest", `{"resourceType":"Patient","id":"` + strings.Repeat("a", 64) + `"}`, ""},
		{"bad patient id in reference", `{"resourceType":"Observation","id":"o","subject":{"reference":"Patient/a_b"}}`, "not a FHIR id"},
		{"urn outside a bundle", `{"resourceType":"Observation","id":"o","subject":{"reference":"urn:uuid:1"}}`, "not a fullUrl of the bundle"},
		{"unresolved conditional patient", `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Observation","id":"o","subject":{"reference":"Patient?identifier=x|y"}}}]}`, "matches no single Patient"},
		{"ambiguous delete", twoPatients, "cannot tell which patient"},
		{"patch", `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Binary"},"request":{"method":"PATCH","url":"Observation/1"}}]}`, "PATCH"},
		{"delete without id", `{"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"DELETE","url":"Observation?code=1"}}]}`, "without _id"},
		{"delete bad url", `{"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"DELETE","url":"nonsense"}}]}`, "not Type/id"},
		{"too large", big, "over the 4194304-byte record limit"},
		{"just fits", justFits, ""},
		{"bad NDJSON line", "{\"resourceType\":\"Basic\",\"id\":\"1\"}\n{\"resourceType\":\"Basic\",\"id\":\"2\"}\n{\"resourceType\":3}\n", "line 3"},
		{"bad bundle entry", `{"resourceType":"Bundle","type":"batch","entry":[{"resource":{"resourceType":"Basic","id":"1"}},{"resource":{"id":"2"}}]}`, "entry 2"},
	}
	for _, tt := range tests {
		recs, err := Split([]byte(tt.input), kafka.DefaultTopics(), "")
		if tt.say == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if err == nil || !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), tt.say) {
			t.Errorf("%s: error %v, want ErrInput saying %q", tt.name, err, tt.say)
		}
		if recs != nil {
			t.Errorf("%s: records returned with an error", tt.name)
		}
	}
}

func TestSplitErrorsNamePlacesNotPatients(t *testing.T) {
	_, err := Split([]byte(`{"resourceType":"Bundle","type":"transaction","entry":[
		{"resource":{"resourceType":"Patient","id":"secret-mrn-1"}},{"resource":{"resourceType":"Patient","id":"secret-mrn-2"}},
		{"request":{"method":"DELETE","url":"Observation/o"}}]}`), kafka.DefaultTopics(), "")
	if err == nil || strings.Contains(err.Error(), "secret") || !strings.Contains(err.Error(), "entry 3") {
		t.Fatalf("error %v: want the entry named and no patient id", err)
	}
}

func TestSplitCustomTopics(t *testing.T) {
	top := kafka.DefaultTopics()
	top.PatientPrefix, top.Reference = "ehr.pt.", "ehr.ref"
	recs, err := Split(readFixture(t, "bulk.ndjson"), top, "")
	if err != nil {
		t.Fatal(err)
	}
	if recs[0].Topic != "ehr.pt.n1" || recs[4].Topic != "ehr.ref" {
		t.Fatalf("custom topics: %v", placed(recs))
	}
}

func TestRewriteRefs(t *testing.T) {
	resolve := func(s string) (string, bool) {
		if s == "urn:uuid:a" {
			return "Patient/a", true
		}
		return "", false
	}
	tests := []struct{ in, want string }{
		{`{"subject":{"reference":"urn:uuid:a"}}`, `{"subject":{"reference":"Patient/a"}}`},
		{`{"subject":{"reference" :	"urn:uuid:a" , "display":"x"}}`, `{"subject":{"reference" :	"Patient/a" , "display":"x"}}`},
		{`{"subject":{"reference":"urn:uuid:\u0061"}}`, `{"subject":{"reference":"Patient/a"}}`},
		{`{"text":"see \"reference\":\"urn:uuid:a\""}`, `{"text":"see \"reference\":\"urn:uuid:a\""}`},
		{`{"code":"reference","x":"urn:uuid:a"}`, `{"code":"reference","x":"urn:uuid:a"}`},
		{`{"identifier":{"value":"urn:uuid:a"}}`, `{"identifier":{"value":"urn:uuid:a"}}`},
		{`{"a":{"reference":"urn:uuid:b"},"b":[{"reference":"urn:uuid:a"},{"reference":"urn:uuid:a"}]}`, `{"a":{"reference":"urn:uuid:b"},"b":[{"reference":"Patient/a"},{"reference":"Patient/a"}]}`},
		{`{"t":"\\","reference":"urn:uuid:a"}`, `{"t":"\\","reference":"Patient/a"}`},
		{` {"a":1, "reference":"urn:uuid:a" } `, `{"a":1, "reference":"Patient/a" }`}, // the value's own bytes, without the space around it
		{`{"reference":12}`, `{"reference":12}`},
	}
	for _, tt := range tests {
		x, _, err := record.ParseJSON([]byte(tt.in))
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if got := string(rewriteRefs(x, record.Root, resolve)); got != tt.want {
			t.Errorf("rewriteRefs(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestTypeID(t *testing.T) {
	tests := []struct{ ref, typ, id string }{
		{"Patient/1", "Patient", "1"},
		{"http://x.org/fhir/Patient/1", "Patient", "1"},
		{"Patient/1/_history/2", "Patient", "1"},
		{"Patient?identifier=1", "", ""},
		{"#contained", "", ""},
		{"1", "", ""},
		{"patient/1", "", ""},
		{"Patient/", "", ""},
	}
	for _, tt := range tests {
		typ, id, ok := typeID(tt.ref)
		if typ != tt.typ || id != tt.id || ok != (tt.typ != "") {
			t.Errorf("typeID(%q) = %q, %q, %v", tt.ref, typ, id, ok)
		}
	}
}

// FuzzSplit feeds Split arbitrary input: it must never panic, and whatever it
// returns must be well-formed records for Chartline's topics.
func FuzzSplit(f *testing.F) {
	for _, name := range []string{"transaction.json", "collection.json", "observation.json", "bulk.ndjson", "delete.json"} {
		f.Add(readFixture(f, name))
	}
	top := kafka.DefaultTopics()
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := Split(data, top, "fuzz")
		if err != nil {
			if recs != nil || !errors.Is(err, ErrInput) {
				t.Fatalf("error %v with %d records", err, len(recs))
			}
			return
		}
		for _, r := range recs {
			if top.Kind(r.Topic) == "" {
				t.Fatalf("record for a foreign topic %q", r.Topic)
			}
			typ, id, ok := strings.Cut(string(r.Key), "/")
			if !ok || !validType(typ) || !kafka.ValidPatientID(id) {
				t.Fatalf("bad key %q", r.Key)
			}
			if r.Value != nil && (!json.Valid(r.Value) || len(r.Value) > record.MaxValueBytes) {
				t.Fatalf("bad value for %s: %q", r.Key, r.Value)
			}
		}
	})
}

func TestSplitPatientFieldsAndScopes(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []string
		value string // substring of the last record's value, if set
	}{
		{"appointment actor", `{"resourceType":"Appointment","id":"ap","participant":[{"actor":{"reference":"Practitioner/d"}},{"actor":{"reference":"Patient/a"}}]}`,
			[]string{"fhir.patient.a Appointment/ap"}, ""},
		{"person link", `{"resourceType":"Person","id":"pe","link":[{"target":{"reference":"Patient/z"}}]}`,
			[]string{"fhir.patient.z Person/pe"}, ""},
		{"provenance target", `{"resourceType":"Provenance","id":"pv","target":[{"reference":"Observation/o"},{"reference":"Patient/q"}]}`,
			[]string{"fhir.patient.q Provenance/pv"}, ""},
		{"task for", `{"resourceType":"Task","id":"t","for":{"reference":"Patient/f"}}`,
			[]string{"fhir.patient.f Task/t"}, ""},
		{"coverage beneficiary", `{"resourceType":"Coverage","id":"cv","beneficiary":{"reference":"Patient/b"}}`,
			[]string{"fhir.patient.b Coverage/cv"}, ""},
		{"goal target is not a reference", `{"resourceType":"Goal","id":"g","subject":{"reference":"Patient/g1"},"target":[{"measure":{"text":"x"}}]}`,
			[]string{"fhir.patient.g1 Goal/g"}, ""},
		{"escaped member names", `{"resourceType":"Observation","\u0069d":"o1","subject":{"\u0072eference":"Patient/p\u0031"}}`,
			[]string{"fhir.patient.p1 Observation/o1"}, ""},
		{"url-encoded conditional reference", `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient","id":"p","identifier":[{"system":"s","value":"v"}]}},{"resource":{"resourceType":"Condition","id":"c","subject":{"reference":"Patient?identifier=s%7Cv"}}}]}`,
			[]string{"fhir.patient.p Patient/p", "fhir.patient.p Condition/c"}, `"reference":"Patient/p"`},
		{"ambiguous conditional reference", `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient","id":"p","identifier":[{"value":"v"}]}},{"resource":{"resourceType":"Patient","id":"q","identifier":[{"value":"v"}]}},{"resource":{"resourceType":"Encounter","id":"e","subject":{"reference":"Patient/p"},"location":[{"location":{"reference":"Patient?identifier=v"}}]}}]}`,
			[]string{"fhir.patient.p Patient/p", "fhir.patient.q Patient/q", "fhir.patient.p Encounter/e"}, `"reference":"Patient?identifier=v"`},
		{"nested bundle has its own scope", `{"resourceType":"Bundle","type":"message","entry":[{"fullUrl":"urn:uuid:1","resource":{"resourceType":"MessageHeader","id":"m"}},{"resource":{"resourceType":"Bundle","type":"document","entry":[{"fullUrl":"urn:uuid:p","resource":{"resourceType":"Patient","id":"p"}},{"resource":{"resourceType":"Composition","id":"c","subject":{"reference":"urn:uuid:p"}}}]}}]}`,
			[]string{"fhir.reference MessageHeader/m", "fhir.patient.p Patient/p", "fhir.patient.p Composition/c"}, `"subject":{"reference":"Patient/p"}`},
		{"study enrolls a group in another line", `{"resourceType":"Group","id":"g","actual":true}` + "\n" + `{"resourceType":"ResearchStudy","id":"s","enrollment":[{"reference":"Group/g"}]}`,
			[]string{"trials.studies Group/g", "trials.studies ResearchStudy/s"}, ""},
		{"search outcome skipped", `{"resourceType":"Bundle","type":"searchset","entry":[{"search":{"mode":"match"},"resource":{"resourceType":"Patient","id":"s1"}},{"search":{"mode":"outcome"},"resource":{"resourceType":"OperationOutcome","id":"oo"}}]}`,
			[]string{"fhir.patient.s1 Patient/s1"}, ""},
		{"byte order mark", "\xef\xbb\xbf" + `{"resourceType":"Patient","id":"bom"}`, []string{"fhir.patient.bom Patient/bom"}, ""},
	}
	for _, tt := range tests {
		recs, err := Split([]byte(tt.input), kafka.DefaultTopics(), "")
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got := placed(recs); strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
			continue
		}
		if tt.value != "" && !bytes.Contains(recs[len(recs)-1].Value, []byte(tt.value)) {
			t.Errorf("%s: value %s lacks %s", tt.name, recs[len(recs)-1].Value, tt.value)
		}
	}
}
