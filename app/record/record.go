package record

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/chartline/chartline/store"
)

// MaxValueBytes is the largest record value accepted (README, "Record
// rules"): 4 MiB. It is the one limit for both directions: Decode refuses a
// larger value consumed, and app/publish refuses to publish one.
const MaxValueBytes = 4 << 20

// Reason is why a record was refused, in a few words: shown in the quarantine
// view and counted by reason. It never carries data from the record, so it is
// safe to log.
type Reason string

// The reasons Decode and ParseKey refuse a record with.
const (
	ReasonTooLarge        Reason = "too large"                 // the value is over MaxValueBytes
	ReasonNotUTF8         Reason = "not UTF-8"                 // the value holds bytes that are not UTF-8
	ReasonNotJSON         Reason = "not JSON"                  // empty, truncated or malformed JSON
	ReasonNotObject       Reason = "not a JSON object"         // valid JSON, but null, a string, a number, a boolean or an array
	ReasonNoResourceType  Reason = "no resourceType"           // an object without a string resourceType
	ReasonUnknownType     Reason = "unknown resourceType"      // a resourceType that is not an R4 resource type
	ReasonBadKey          Reason = "bad key"                   // the record key is not "<ResourceType>/<id>"
	ReasonKeyTypeMismatch Reason = "key/type mismatch"         // the key's type is not the resourceType
	ReasonKeyIDMismatch   Reason = "key/id mismatch"           // the key's id is not the resource's id
	ReasonOtherPatient    Reason = "other patient"             // the resource belongs to another patient than the topic's
	ReasonForeignPatient  Reason = "subject on another server" // on a patient topic, a patient reference under a base URL not declared local
	ReasonTooDeep         Reason = "too deeply nested"         // nesting deeper than MaxDepth
	ReasonNumberRange     Reason = "number out of range"       // a number that overflows float64
	ReasonArrayTooLarge   Reason = "array too large"           // an array longer than MaxArrayLen
)

// Refusal is why a record is quarantined: a Reason and a precise detail such
// as "key says Observation/7, resource id is 8". The detail may quote ids and
// references from the record: show it and seal it, but never log it (log the
// Reason).
type Refusal struct {
	Reason Reason
	Detail string
}

// Error returns "reason: detail".
func (r *Refusal) Error() string {
	if r.Detail == "" {
		return string(r.Reason)
	}
	return string(r.Reason) + ": " + r.Detail
}

// Decoded is a record value that passed the record rules.
type Decoded struct {
	Type, ID string
	// Patient is the id of the patient the resource belongs to, "" if none:
	// Patient.id itself, or the id in its subject/patient/beneficiary/
	// individual/for/candidate reference "Patient/<id>" (an AuditEvent's
	// entity.what).
	Patient string
	// Meta is the index entry; Meta.Source is left for the caller to fill.
	Meta store.Meta
}

// Decode checks one record against the record rules and derives its index
// entry. key is the Kafka key "<ResourceType>/<id>", value the FHIR R4 JSON.
// topicPatient is the patient id of the topic the record came from, "" for
// shared topics (fhir.reference, trials.studies, cds.risk, trials.matches)
// where no patient rule applies but Patient is still reported.
//
// The error, when not nil, is a *Refusal. Decode does not handle tombstones:
// the caller deletes on a nil value (and may use ParseKey to check its key).
// Decode is safe for concurrent use and takes no lock.
func Decode(key, value []byte, topicPatient string) (Decoded, error) {
	return Decoder{}.Decode(key, value, topicPatient)
}

// Decoder decodes records under a deployment's patient-reference rule
// (RefRule: which absolute base URLs are local). The zero Decoder declares no
// local base, as Decode does.
type Decoder struct {
	Refs RefRule
}

// Decode is the package Decode under the decoder's reference rule.
func (dc Decoder) Decode(key, value []byte, topicPatient string) (Decoded, error) {
	if len(value) > MaxValueBytes {
		return Decoded{}, &Refusal{ReasonTooLarge, fmt.Sprintf("value is %d bytes, the limit is %d (4 MiB)", len(value), MaxValueBytes)}
	}
	typ, id, err := ParseKey(key)
	if err != nil {
		return Decoded{}, err
	}
	if r := precheck(value); r != nil {
		return Decoded{}, r
	}
	s := getScanner()
	defer putScanner(s)
	if e := s.parse(value); e != nil {
		return Decoded{}, &Refusal{e.reason, e.detail}
	}
	d := &s.doc
	const root = 0

	// resourceType and id against the key
	rt := d.get(root, "resourceType")
	switch {
	case rt < 0:
		return Decoded{}, &Refusal{ReasonNoResourceType, "the object has no resourceType member"}
	case d.kindOf(rt) != kString:
		return Decoded{}, &Refusal{ReasonNoResourceType, fmt.Sprintf("resourceType is %s, not a string", d.kindOf(rt))}
	}
	rtype := d.str(rt)
	if _, ok := resourceTypes[rtype]; !ok {
		detail := fmt.Sprintf("resourceType %s is not an R4 resource type", quoteShort(rtype))
		if stu3Types[rtype] {
			detail = fmt.Sprintf("resourceType %s is an STU3 type, not R4", quoteShort(rtype))
		}
		return Decoded{}, &Refusal{ReasonUnknownType, detail}
	}
	if rtype != typ {
		return Decoded{}, &Refusal{ReasonKeyTypeMismatch, fmt.Sprintf("key says %s/%s, resourceType is %s", typ, id, rtype)}
	}
	idn := d.get(root, "id")
	switch {
	case idn < 0:
		return Decoded{}, &Refusal{ReasonKeyIDMismatch, fmt.Sprintf("key says %s/%s, the resource has no id", typ, id)}
	case d.kindOf(idn) != kString:
		return Decoded{}, &Refusal{ReasonKeyIDMismatch, fmt.Sprintf("key says %s/%s, the resource id is %s, not a string", typ, id, d.kindOf(idn))}
	case !d.is(idn, id):
		return Decoded{}, &Refusal{ReasonKeyIDMismatch, fmt.Sprintf("key says %s/%s, resource id is %s", typ, id, quoteShort(d.str(idn)))}
	}

	c := &s.check
	c.reset(d)
	patient, refusal := patientCheck(d, root, typ, id, topicPatient, dc.Refs, c)
	if refusal != nil {
		return Decoded{}, refusal
	}
	c.resource(root, schemas().types[typ], true)
	out := Decoded{Type: typ, ID: id, Patient: patient}
	derive(d, root, typ, &out.Meta, c)
	out.Meta.Problems = c.result()
	return out, nil
}

// precheck refuses what the scanner does not handle: empty values, invalid
// UTF-8, and valid JSON that is not an object.
func precheck(value []byte) *Refusal {
	i := 0
	for i < len(value) && (value[i] == ' ' || value[i] == '\t' || value[i] == '\n' || value[i] == '\r') {
		i++
	}
	if i == len(value) {
		return &Refusal{ReasonNotJSON, "the value is empty"}
	}
	if !utf8.Valid(value) {
		return &Refusal{ReasonNotUTF8, fmt.Sprintf("invalid UTF-8 at byte %d", invalidUTF8At(value))}
	}
	if value[i] == '{' {
		return nil
	}
	if len(value) >= 3 && value[0] == 0xEF && value[1] == 0xBB && value[2] == 0xBF {
		return &Refusal{ReasonNotJSON, "the value starts with a byte-order mark"}
	}
	if !json.Valid(value) {
		return &Refusal{ReasonNotJSON, fmt.Sprintf("the value is not valid JSON (it starts with %q)", value[i])}
	}
	var what string
	switch value[i] {
	case 'n':
		what = "null"
	case '"':
		what = "a string"
	case '[':
		what = "an array"
	case 't', 'f':
		what = "a boolean"
	default:
		what = "a number"
	}
	return &Refusal{ReasonNotObject, "the value is " + what + ", not a resource object"}
}

// invalidUTF8At returns the offset of the first byte that is not UTF-8.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// stu3Types are STU3 (3.0) resource types with no R4 counterpart of the same
// name, named in refusals so a feed's operator sees the version mix-up.
var stu3Types = map[string]bool{
	"BodySite": true, "DataElement": true, "DeviceComponent": true, "EligibilityRequest": true,
	"EligibilityResponse": true, "ExpansionProfile": true, "ImagingManifest": true, "ProcedureRequest": true,
	"ProcessRequest": true, "ProcessResponse": true, "ReferralRequest": true, "Sequence": true,
	"ServiceDefinition": true,
}
