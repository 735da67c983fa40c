package record

import (
	"encoding/json"
	"errors"
	"testing"
	"unicode/utf8"
)

var allReasons = map[Reason]bool{
	ReasonTooLarge: true, ReasonNotUTF8: true, ReasonNotJSON: true, ReasonNotObject: true, ReasonNoResourceType: true,
	ReasonUnknownType: true, ReasonBadKey: true, ReasonKeyTypeMismatch: true, ReasonKeyIDMismatch: true,
	ReasonOtherPatient: true, ReasonForeignPatient: true, ReasonTooDeep: true, ReasonNumberRange: true, ReasonArrayTooLarge: true,
}

// FuzzDecode feeds Decode arbitrary keys, values and topics. Decode must never
// panic; it either refuses with a known Reason and a detail, or keeps a
// record whose Type/ID are the key's, that is valid UTF-8 JSON, that obeys
// the patient rule, that Fields renders, and whose model problems are
// exactly those the typed golang-fhir-models decode fails on. The seed corpus is under
// testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("Observation/7"), []byte(`{"resourceType":"Observation","id":"7","status":"final","code":{"text":"x"}}`), "pat-001")
	f.Fuzz(func(t *testing.T, key, value []byte, topic string) {
		d, err := Decode(key, value, topic)
		if err != nil {
			var r *Refusal
			if !errors.As(err, &r) {
				t.Fatalf("error %v is not a *Refusal", err)
			}
			if !allReasons[r.Reason] || r.Detail == "" {
				t.Fatalf("refusal %q / %q: unknown reason or no detail", r.Reason, r.Detail)
			}
			if r.Reason == ReasonNotJSON && json.Valid(value) {
				t.Fatalf("refused as not JSON, but encoding/json finds it valid: %s", r.Detail)
			}
			if (r.Reason == ReasonNotObject || r.Reason == ReasonNoResourceType) && !json.Valid(value) {
				t.Fatalf("refused as %q, but the value is not JSON", r.Reason)
			}
			return
		}
		if d.Type+"/"+d.ID != string(key) {
			t.Fatalf("kept %s/%s under key %q", d.Type, d.ID, key)
		}
		if len(value) > MaxValueBytes || !utf8.Valid(value) || !json.Valid(value) {
			t.Fatal("kept a value that is too large, not UTF-8 or not JSON")
		}
		if topic != "" && d.Patient != "" && d.Patient != topic {
			t.Fatalf("kept a resource of patient %q on the topic of %q", d.Patient, topic)
		}
		if topic != "" && d.Type == "Patient" && d.ID != topic {
			t.Fatalf("kept Patient/%s on the topic of %q", d.ID, topic)
		}
		if d.Meta.Display == "" || d.Meta.Category == "" {
			t.Fatalf("kept with no display or category: %+v", d.Meta)
		}
		if rows, err := Fields(value); err != nil || len(rows) > maxFields {
			t.Fatalf("Fields of a kept record: %d rows, %v", len(rows), err)
		}
		hard, problems, typ := hardProblems(t, value)
		if _, err := Typed(typ, value); (hard > 0) != (err != nil) {
			t.Fatalf("the walk found %d model problems %q, the typed decode says %v", hard, problems, err)
		}
	})
}
