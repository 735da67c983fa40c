package record

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// obs builds a minimal Observation for topic pat-001 with extra members.
func obs(id, extra string) []byte {
	s := `{"resourceType":"Observation","id":"` + id + `","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/pat-001"}`
	if extra != "" {
		s += "," + extra
	}
	return []byte(s + "}")
}

// refusalCase is a record the decoder must refuse and the refusal it must give.
type refusalCase struct {
	name   string
	key    string
	value  []byte
	topic  string
	reason Reason
	detail string
}

// refusalCases has one row per refusal reason (and its variants), each
// with the exact Reason and the detail that says what is wrong.
func refusalCases() []refusalCase {
	return []refusalCase{
		{"too large", "Observation/7", make([]byte, MaxValueBytes+1), topicPatient, ReasonTooLarge,
			"value is 4194305 bytes, the limit is 4194304 (4 MiB)"},
		{"not UTF-8", "Patient/pat-001", []byte(`{"resourceType":"Patient","id":"pat-001","name":[{"text":"Jos` + "\xe9" + `"}]}`), topicPatient,
			ReasonNotUTF8, "invalid UTF-8 at byte 61"},
		{"not UTF-8 (surrogate)", "Patient/pat-001", []byte("{\"resourceType\":\"Patient\",\"id\":\"pat-001\",\"x\":\"\xed\xa0\x80\"}"), topicPatient,
			ReasonNotUTF8, "invalid UTF-8 at byte 46"},
		{"empty", "Observation/7", []byte{}, topicPatient, ReasonNotJSON, "the value is empty"},
		{"blank", "Observation/7", []byte(" \n\t"), topicPatient, ReasonNotJSON, "the value is empty"},
		{"truncated", "Observation/7", []byte(`{"resourceType":"Observation","id":"7","code":{"text":"Heart`), topicPatient, ReasonNotJSON,
			`truncated: the value ends at byte 60 inside code.text, a closing '"' expected`},
		{"truncated after a member", "Observation/7", []byte(`{"resourceType":"Observation","id":"7",`), topicPatient, ReasonNotJSON,
			`truncated: the value ends at byte 39 inside the resource, a member name expected`},
		{"missing colon", "Observation/7", []byte(`{"resourceType" "Observation"}`), topicPatient, ReasonNotJSON,
			`unexpected '"' at byte 16 in resourceType, ':' expected`},
		{"trailing comma", "Observation/7", []byte(`{"resourceType":"Observation","category":[1,]}`), topicPatient, ReasonNotJSON,
			`unexpected ']' at byte 44 in category[1], a value expected`},
		{"bad literal", "Observation/7", []byte(`{"resourceType":"Observation","x":tru}`), topicPatient, ReasonNotJSON,
			`unexpected '}' at byte 37 in x, "true" expected`},
		{"bad escape", "Observation/7", []byte(`{"resourceType":"Observation","x":"a\qb"}`), topicPatient, ReasonNotJSON,
			`unexpected 'q' at byte 37 in x, an escape expected`},
		{"control byte in a string", "Observation/7", []byte("{\"resourceType\":\"Observation\",\"x\":\"a\tb\"}"), topicPatient, ReasonNotJSON,
			`unescaped control byte 0x09 at byte 36 in a string in x`},
		{"missing comma", "Observation/7", []byte(`{"resourceType":"Observation","category":[1 2]}`), topicPatient, ReasonNotJSON,
			`unexpected '2' at byte 44 in category, ',' or ']' expected`},
		{"two values", "Observation/7", []byte(`{"resourceType":"Observation"} {}`), topicPatient, ReasonNotJSON,
			`unexpected '{' after the JSON value at byte 31`},
		{"byte-order mark", "Observation/7", append([]byte("\xef\xbb\xbf"), obs("7", "")...), topicPatient, ReasonNotJSON,
			"the value starts with a byte-order mark"},
		{"not JSON at all", "Observation/7", []byte(`<Observation/>`), topicPatient, ReasonNotJSON,
			`the value is not valid JSON (it starts with '<')`},
		{"null", "Observation/7", []byte(`null`), topicPatient, ReasonNotObject, "the value is null, not a resource object"},
		{"string", "Observation/7", []byte(`"Observation"`), topicPatient, ReasonNotObject, "the value is a string, not a resource object"},
		{"array", "Observation/7", []byte(` [{"resourceType":"Observation","id":"7"}]`), topicPatient, ReasonNotObject, "the value is an array, not a resource object"},
		{"number", "Observation/7", []byte(`42`), topicPatient, ReasonNotObject, "the value is a number, not a resource object"},
		{"boolean", "Observation/7", []byte(`true`), topicPatient, ReasonNotObject, "the value is a boolean, not a resource object"},
		{"no resourceType", "Observation/7", []byte(`{"id":"7","status":"final"}`), topicPatient, ReasonNoResourceType,
			"the object has no resourceType member"},
		{"resourceType not a string", "Observation/7", []byte(`{"resourceType":7,"id":"7"}`), topicPatient, ReasonNoResourceType,
			"resourceType is a number, not a string"},
		{"unknown resourceType", "Observation/7", []byte(`{"resourceType":"Observatoin","id":"7"}`), topicPatient, ReasonUnknownType,
			`resourceType "Observatoin" is not an R4 resource type`},
		{"abstract resourceType", "Resource/7", []byte(`{"resourceType":"Resource","id":"7"}`), topicPatient, ReasonUnknownType,
			`resourceType "Resource" is not an R4 resource type`},
		{"STU3 resourceType", "ProcedureRequest/7", []byte(`{"resourceType":"ProcedureRequest","id":"7"}`), topicPatient, ReasonUnknownType,
			`resourceType "ProcedureRequest" is an STU3 type, not R4`},
		{"bad key: no slash", "Observation7", obs("7", ""), topicPatient, ReasonBadKey, `key "Observation7" is not <ResourceType>/<id>`},
		{"bad key: empty", "", obs("7", ""), topicPatient, ReasonBadKey, "the key is empty"},
		{"bad key: bad id", "Observation/7 8", obs("7 8", ""), topicPatient, ReasonBadKey,
			`key "Observation/7 8": the id holds ' ', outside [A-Za-z0-9-.]`},
		{"bad key: id too long", "Observation/" + strings.Repeat("a", 65), obs(strings.Repeat("a", 65), ""), topicPatient, ReasonBadKey,
			`key "Observation/` + strings.Repeat("a", 48) + `…": the id is 65 characters, longer than 64`},
		{"key/type mismatch", "Observation/7", []byte(`{"resourceType":"Condition","id":"7"}`), topicPatient, ReasonKeyTypeMismatch,
			"key says Observation/7, resourceType is Condition"},
		{"key of an unknown type", "Observatoin/7", obs("7", ""), topicPatient, ReasonKeyTypeMismatch,
			"key says Observatoin/7, resourceType is Observation"},
		{"key/id mismatch", "Observation/7", obs("8", ""), topicPatient, ReasonKeyIDMismatch,
			`key says Observation/7, resource id is "8"`},
		{"no id", "Observation/7", []byte(`{"resourceType":"Observation","status":"final"}`), topicPatient, ReasonKeyIDMismatch,
			"key says Observation/7, the resource has no id"},
		{"id not a string", "Observation/7", []byte(`{"resourceType":"Observation","id":7}`), topicPatient, ReasonKeyIDMismatch,
			"key says Observation/7, the resource id is a number, not a string"},
		{"other patient", "Observation/7", []byte(`{"resourceType":"Observation","id":"7","subject":{"reference":"Patient/pat-999"}}`), topicPatient,
			ReasonOtherPatient, "subject refers to Patient/pat-999, the topic is patient pat-001"},
		{"patient on another server", "Condition/7", []byte(`{"resourceType":"Condition","id":"7","subject":{"reference":"https://ehr.example.org/fhir/Patient/pat-001/_history/2"}}`), topicPatient,
			ReasonForeignPatient, `subject refers to Patient/pat-001 on "https://ehr.example.org/fhir", which is not a local FHIR base (local_fhir_bases)`},
		{"provenance of another patient", "Provenance/7", []byte(`{"resourceType":"Provenance","id":"7","target":[{"reference":"Observation/1"},{"reference":"Patient/pat-002"}]}`), topicPatient,
			ReasonOtherPatient, "target[1] refers to Patient/pat-002, the topic is patient pat-001"},
		{"appointment of another patient", "Appointment/7", []byte(`{"resourceType":"Appointment","id":"7","participant":[{"actor":{"reference":"Practitioner/d"}},{"actor":{"reference":"Patient/pat-002"}}]}`), topicPatient,
			ReasonOtherPatient, "participant[1].actor refers to Patient/pat-002, the topic is patient pat-001"},
		{"other patient in patient", "AllergyIntolerance/7", []byte(`{"resourceType":"AllergyIntolerance","id":"7","patient":{"reference":"Patient/pat-002"}}`), topicPatient,
			ReasonOtherPatient, "patient refers to Patient/pat-002, the topic is patient pat-001"},
		{"other patient in a list", "Account/7", []byte(`{"resourceType":"Account","id":"7","subject":[{"reference":"Patient/pat-001"},{"reference":"Patient/pat-002"}]}`), topicPatient,
			ReasonOtherPatient, "subject[1] refers to Patient/pat-002, the topic is patient pat-001"},
		{"other patient of an audit", "AuditEvent/7", []byte(`{"resourceType":"AuditEvent","id":"7","entity":[{"what":{"reference":"Patient/pat-002"}}]}`), topicPatient,
			ReasonOtherPatient, "entity[0].what refers to Patient/pat-002, the topic is patient pat-001"},
		{"Patient of another id", "Patient/pat-002", []byte(`{"resourceType":"Patient","id":"pat-002"}`), topicPatient,
			ReasonOtherPatient, "Patient/pat-002 on the topic of patient pat-001"},
		{"too deeply nested", "Observation/7", obs("7", `"x":`+nest(MaxDepth)), topicPatient, ReasonTooDeep,
			"nesting deeper than 64 levels at byte 185 in x" + strings.Repeat("[0]", 63)},
		{"number out of range", "Observation/7", obs("7", `"valueQuantity":{"value":1e400}`), topicPatient, ReasonNumberRange,
			"number 1e400 at byte 143 in valueQuantity.value is out of float64 range"},
		{"negative number out of range", "Observation/7", obs("7", `"valueQuantity":{"value":-2E+308}`), topicPatient, ReasonNumberRange,
			"number -2E+308 at byte 143 in valueQuantity.value is out of float64 range"},
		{"long number out of range", "Observation/7", obs("7", `"valueInteger":1`+strings.Repeat("0", 400)), topicPatient, ReasonNumberRange,
			"number 10000000000000000000…0000000000 at byte 133 in valueInteger is out of float64 range"},
		{"array too large", "Observation/7", obs("7", `"note":`+array(MaxArrayLen+1)), topicPatient, ReasonArrayTooLarge,
			"array note at byte 125 has more than 10000 elements"},
	}
}

// TestDecodeRefusals decodes every row of refusalCases, checks its Reason,
// detail and message, and that every reason has a row.
func TestDecodeRefusals(t *testing.T) {
	tests := refusalCases()
	seen := map[Reason]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode([]byte(tt.key), tt.value, tt.topic)
			var r *Refusal
			if !errors.As(err, &r) {
				t.Fatalf("Decode = %+v, %v; want a *Refusal", got, err)
			}
			if r.Reason != tt.reason {
				t.Errorf("Reason = %q, want %q (detail %q)", r.Reason, tt.reason, r.Detail)
			}
			if r.Detail != tt.detail {
				t.Errorf("Detail = %q\n            want %q", r.Detail, tt.detail)
			}
			if r.Error() != string(tt.reason)+": "+tt.detail {
				t.Errorf("Error() = %q", r.Error())
			}
			seen[r.Reason] = true
		})
	}
	for _, r := range []Reason{ReasonTooLarge, ReasonNotUTF8, ReasonNotJSON, ReasonNotObject, ReasonNoResourceType,
		ReasonUnknownType, ReasonBadKey, ReasonKeyTypeMismatch, ReasonKeyIDMismatch, ReasonOtherPatient, ReasonTooDeep,
		ReasonNumberRange, ReasonArrayTooLarge} {
		if !seen[r] {
			t.Errorf("no test row for reason %q", r)
		}
	}
}

// nest returns n nested arrays: [[[…0…]]].
func nest(n int) string {
	return strings.Repeat("[", n) + "0" + strings.Repeat("]", n)
}

// array returns a JSON array of n annotations.
func array(n int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"text":"a"}`)
	}
	b.WriteByte(']')
	return b.String()
}

// TestDecodeLimits checks each limit on both sides: at the limit the record
// is kept, one past it the record is refused.
func TestDecodeLimits(t *testing.T) {
	// a value of exactly n bytes: an Observation with a padded note
	sized := func(n int) []byte {
		head := obs("7", `"note":[{"text":"`)
		head = head[:len(head)-1] // drop the closing brace
		tail := []byte(`"}]}`)
		pad := n - len(head) - len(tail)
		v := append(append(append([]byte{}, head...), bytes.Repeat([]byte("a"), pad)...), tail...)
		if len(v) != n {
			t.Fatalf("built %d bytes, want %d", len(v), n)
		}
		return v
	}
	tests := []struct {
		name   string
		value  []byte
		reason Reason // "" = kept
	}{
		{"size at the limit", sized(MaxValueBytes), ""},
		{"size one past the limit", sized(MaxValueBytes + 1), ReasonTooLarge},
		// the resource object is level 1, so MaxDepth-1 arrays inside it reach MaxDepth
		{"depth at the limit", obs("7", `"x":`+nest(MaxDepth-1)), ""},
		{"depth one past the limit", obs("7", `"x":`+nest(MaxDepth)), ReasonTooDeep},
		{"objects at the depth limit", obs("7", `"x":`+strings.Repeat(`{"a":`, MaxDepth-1)+"1"+strings.Repeat("}", MaxDepth-1)), ""},
		{"objects one past the depth limit", obs("7", `"x":`+strings.Repeat(`{"a":`, MaxDepth)+"1"+strings.Repeat("}", MaxDepth)), ReasonTooDeep},
		{"array at the limit", obs("7", `"note":`+array(MaxArrayLen)), ""},
		{"array one past the limit", obs("7", `"note":`+array(MaxArrayLen+1)), ReasonArrayTooLarge},
		{"largest float64", obs("7", `"valueQuantity":{"value":1.7976931348623157e308}`), ""},
		{"just past the largest float64", obs("7", `"valueQuantity":{"value":1.8e308}`), ReasonNumberRange},
		{"underflow reads as zero", obs("7", `"valueQuantity":{"value":1e-400}`), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode([]byte("Observation/7"), tt.value, topicPatient)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("refused at the limit: %v", err)
				}
				if got.Type != "Observation" || got.ID != "7" {
					t.Errorf("Type/ID = %s/%s", got.Type, got.ID)
				}
				return
			}
			var r *Refusal
			if !errors.As(err, &r) || r.Reason != tt.reason {
				t.Fatalf("err = %v, want reason %q", err, tt.reason)
			}
		})
	}
}
