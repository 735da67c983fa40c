package publish

import (
	"errors"
	"strings"
	"testing"

	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/record"
)

// TestReferenceRuleSharedByPublishAndIngest runs each reference through both
// sides of the one rule (record.RefRule): publish routes the resource, and
// ingest (record.Decoder under the same rule) decodes what publish produced on
// the topic it went to, and the raw resource as a misconfigured producer
// would put it straight on patient p1's topic.
func TestReferenceRuleSharedByPublishAndIngest(t *testing.T) {
	const local = "https://ehr.example.org/fhir"
	patient := `{"fullUrl":"urn:uuid:0d5b","resource":{"resourceType":"Patient","id":"p1","identifier":[{"system":"urn:mrn","value":"42"}]}}`
	obs := func(subject string) string {
		return `{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"x"},"subject":` + subject + `}`
	}
	tests := []struct {
		name     string
		resource string // the resource under test
		bundled  bool   // inside a transaction Bundle beside Patient p1 (fullUrl urn:uuid:0d5b)
		publish  string // the topic it goes to, or "refused: <reason>"
		ingest   string // on patient p1's topic as written: "kept", "kept, noted" (a problem) or the refusal reason
	}{
		{"relative", obs(`{"reference":"Patient/p1"}`), false, "fhir.patient.p1", "kept"},
		{"relative, versioned", obs(`{"reference":"Patient/p1/_history/3"}`), false, "fhir.patient.p1", "kept"},
		{"bare id typed Patient", obs(`{"reference":"p1","type":"Patient"}`), false, "fhir.patient.p1", "kept"},
		{"urn:uuid resolved in its bundle", obs(`{"reference":"urn:uuid:0d5b"}`), true, "fhir.patient.p1", "kept, noted"},
		{"urn:uuid outside any bundle", obs(`{"reference":"urn:uuid:0d5b"}`), false, "refused: " + ReasonUnresolved, "kept, noted"},
		{"local base", obs(`{"reference":"` + local + `/Patient/p1"}`), false, "fhir.patient.p1", "kept"},
		{"local base, other case and slash", obs(`{"reference":"HTTPS://ehr.EXAMPLE.org/fhir/Patient/p1"}`), false, "fhir.patient.p1", "kept"},
		{"foreign base", obs(`{"reference":"http://other.example/fhir/Patient/p1"}`), false, "fhir.reference", string(record.ReasonForeignPatient)},
		{"foreign base beside a local patient", `{"resourceType":"Account","id":"a1","status":"active","subject":[{"reference":"Patient/p1"},{"reference":"http://other.example/fhir/Patient/p1"}]}`, false,
			"refused: " + ReasonForeignPatient, string(record.ReasonForeignPatient)},
		{"conditional resolved in its bundle", obs(`{"reference":"Patient?identifier=urn:mrn|42"}`), true, "fhir.patient.p1", "kept, noted"},
		{"conditional matching nothing", obs(`{"reference":"Patient?identifier=urn:mrn|43"}`), true, "refused: " + ReasonUnresolved, "kept, noted"},
		{"contained", `{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"x"},"contained":[{"resourceType":"Patient","id":"c"}],"subject":{"reference":"#c"}}`, false,
			"fhir.reference", "kept, noted"},
		{"two local patients", `{"resourceType":"Appointment","id":"ap","status":"booked","participant":[{"actor":{"reference":"Patient/p1"},"status":"accepted"},{"actor":{"reference":"Patient/p2"},"status":"accepted"}]}`, false,
			"refused: " + ReasonTwoPatients, string(record.ReasonOtherPatient)},
		{"provenance target", `{"resourceType":"Provenance","id":"pv","recorded":"2024-01-01T00:00:00Z","agent":[{"who":{"reference":"Practitioner/d"}}],"target":[{"reference":"Observation/o"},{"reference":"Patient/p1"}]}`, false,
			"fhir.patient.p1", "kept"},
		{"a Group subject", obs(`{"reference":"Group/g"}`), false, "fhir.reference", "kept"},
	}
	rule := record.NewRefRule([]string{local + "/"})
	dec := record.Decoder{Refs: rule}
	top := kafka.DefaultTopics()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.resource
			if tt.bundled {
				in = `{"resourceType":"Bundle","type":"transaction","entry":[` + patient + `,{"resource":` + tt.resource + `}]}`
			}
			recs, refused := SplitAll([]byte(in), top, Options{Refs: rule})
			key := ""
			got := ""
			switch {
			case len(refused) > 0:
				got = "refused: " + refused[0].Reason
				if !errors.Is(refused[0], ErrInput) || refused[0].Where == "" {
					t.Errorf("refusal %v names no place or is not ErrInput", refused[0])
				}
			case len(recs) > 0:
				last := recs[len(recs)-1]
				got, key = last.Topic, string(last.Key)
				// ingest of what publish produced, on the topic it went to
				pid := ""
				if c, ok := top.Collection(last.Topic); ok && strings.HasPrefix(last.Topic, top.PatientPrefix) {
					pid = c
				}
				if _, err := dec.Decode(last.Key, last.Value, pid); err != nil {
					t.Errorf("ingest refuses what publish routed to %s: %v", last.Topic, err)
				}
			}
			if got != tt.publish {
				t.Errorf("publish: %s, want %s", got, tt.publish)
			}
			// ingest of the resource as written, straight on p1's topic
			if key == "" {
				typ := between(tt.resource, `"resourceType":"`, `"`)
				key = typ + "/" + between(tt.resource[strings.Index(tt.resource, `"id"`):], `"id":"`, `"`)
			}
			d, err := dec.Decode([]byte(key), []byte(tt.resource), "p1")
			ing := "kept"
			var r *record.Refusal
			switch {
			case errors.As(err, &r):
				ing = string(r.Reason)
			case err != nil:
				t.Fatal(err)
			case len(d.Meta.Problems) > 0 && strings.Contains(strings.Join(d.Meta.Problems, "|"), "unresolved patient reference"):
				ing = "kept, noted"
			}
			if ing != tt.ingest {
				t.Errorf("ingest on p1's topic: %s (%v), want %s", ing, d.Meta.Problems, tt.ingest)
			}
		})
	}
}

// between returns the text of s between the first from and the next to.
func between(s, from, to string) string {
	_, s, _ = strings.Cut(s, from)
	s, _, _ = strings.Cut(s, to)
	return s
}

// TestSplitAllKeepsGoing checks that one bad entry does not stop the others,
// and that Split (all-or-nothing) refuses the same input whole.
func TestSplitAllKeepsGoing(t *testing.T) {
	in := `{"resourceType":"Bundle","type":"collection","entry":[
		{"resource":{"resourceType":"Patient","id":"k1"}},
		{"resource":{"resourceType":"Observation","id":"bad_id","subject":{"reference":"Patient/k1"}}},
		{"resource":{"resourceType":"Observation","id":"o2","subject":{"reference":"urn:uuid:nowhere"}}},
		{"resource":{"resourceType":"Observation","id":"o3","subject":{"reference":"Patient/k1"}}},
		{"request":{"method":"PATCH","url":"Observation/o3"}}]}
{"resourceType":"Basic","id":"b1"}
{"resourceType": nope}
{"resourceType":"Basic","id":"b2"}
`
	recs, refused := SplitAll([]byte(in), kafka.DefaultTopics(), Options{})
	if got := strings.Join(placed(recs), "|"); got != "fhir.patient.k1 Patient/k1|fhir.patient.k1 Observation/o3|fhir.reference Basic/b1|fhir.reference Basic/b2" {
		t.Errorf("published %s", got)
	}
	var got []string
	for _, r := range refused {
		got = append(got, r.Where+" "+r.Reason)
	}
	want := []string{"line 1, entry 2 (Observation) " + ReasonBadID, "line 1, entry 5 " + ReasonPatch, "line 8 " + ReasonNotJSON, "line 1, entry 3 (Observation) " + ReasonUnresolved}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("refused:\n got %q\nwant %q", got, want)
	}
	if r, err := Split([]byte(in), kafka.DefaultTopics(), ""); err == nil || r != nil || !errors.Is(err, ErrInput) {
		t.Errorf("Split = %d records, %v; want nothing and the first refusal", len(r), err)
	}
}
