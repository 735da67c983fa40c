package publish

import (
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/record"
)

// Record header names and values Split sets (README, "Topics").
const (
	HeaderContentType = "content-type"
	HeaderFHIRVersion = "fhir-version"
	HeaderSource      = "source"
	ContentType       = "application/fhir+json"
	FHIRVersion       = "4.0.1"
)

// ErrInput means the input is not FHIR Chartline can publish; the error says
// where (entry or line) and why.
var ErrInput = errors.New("unusable FHIR input")

// Record is one Kafka record to produce. A nil Value is a tombstone.
type Record struct {
	Topic   string
	Key     []byte
	Value   []byte
	Headers []kgo.RecordHeader
}

// Options are SplitAll's settings. The zero value publishes with no source
// header and no declared local FHIR base.
type Options struct {
	// Source is the records' source header; "" sets none.
	Source string
	// Refs is the patient-reference rule: which absolute base URLs are local
	// (config local_fhir_bases). Default none: every absolute Patient URL
	// names a patient on another server.
	Refs record.RefRule
}

// The reasons of a Refusal, a few words each, safe to log and count.
const (
	ReasonNotJSON        = "not JSON"
	ReasonNotResource    = "not a FHIR resource"
	ReasonBadID          = "bad id"
	ReasonUnresolved     = "unresolved patient reference"
	ReasonForeignPatient = string(record.ReasonForeignPatient)
	ReasonTwoPatients    = "two patients"
	ReasonPatch          = "PATCH not supported"
	ReasonDelete         = "unroutable DELETE"
	ReasonTooLarge       = "too large"
	ReasonEmpty          = "no resource"
)

// Refusal is one entry (or line, or file) Split could not publish. It never
// names a patient: Where is a place ("line 3, entry 2 (Observation)").
type Refusal struct {
	Where  string // the entry or line, "" for the whole input
	Reason string // one of the Reason constants
	Detail string // what exactly is wrong
}

// Error returns "unusable FHIR input: where: detail".
func (r *Refusal) Error() string {
	msg := r.Detail
	if r.Where != "" {
		msg = r.Where + ": " + msg
	}
	return ErrInput.Error() + ": " + msg
}

// Unwrap makes a Refusal an ErrInput.
func (r *Refusal) Unwrap() error { return ErrInput }

// Split turns FHIR input into records for README "Topics": a Bundle of any
// type (transaction, batch, collection, searchset, document, message,
// history), a single resource, or NDJSON (one resource or Bundle per line).
// See the package documentation for routing, reference rewriting, ids and
// deletes. Records come out in input order, each with the content-type and
// fhir-version headers, and source when source is not empty. It is
// all-or-nothing: the first Refusal is the error (it wraps ErrInput and names
// the entry or line, never a patient id) and nothing is returned with it.
func Split(data []byte, topics kafka.Topics, source string) ([]Record, error) {
	recs, refused := SplitAll(data, topics, Options{Source: source})
	if len(refused) > 0 {
		return nil, refused[0]
	}
	return recs, nil
}

// SplitAll is Split that keeps going: it returns every record that can be
// published and, beside them, a Refusal for each entry that cannot.
func SplitAll(data []byte, topics kafka.Topics, o Options) ([]Record, []*Refusal) {
	s := &splitter{
		topics: topics,
		rule:   o.Refs,
		headers: []kgo.RecordHeader{
			{Key: HeaderContentType, Value: []byte(ContentType)},
			{Key: HeaderFHIRVersion, Value: []byte(FHIRVersion)},
		},
	}
	if o.Source != "" {
		s.headers = append(s.headers, kgo.RecordHeader{Key: HeaderSource, Value: []byte(o.Source)})
	}
	s.headers = s.headers[:len(s.headers):len(s.headers)]
	s.read(data)
	recs := s.route()
	return recs, s.refused
}

// splitter holds one Split call's state.
type splitter struct {
	topics  kafka.Topics
	rule    record.RefRule
	headers []kgo.RecordHeader
	items   []*item
	refused []*Refusal
}

// refuse records a refusal.
func (s *splitter) refuse(where, reason, format string, args ...any) {
	s.refused = append(s.refused, &Refusal{Where: where, Reason: reason, Detail: fmt.Sprintf(format, args...)})
}

// item is one resource or one DELETE, read but not yet routed.
type item struct {
	where  string // "entry 3", "line 7, entry 2", for refusals
	typ    string
	id     string
	doc    *record.Doc // the document holding the resource; nil for a DELETE
	node   record.Node // the resource in doc
	scope  *scope      // the Bundle it came in, nil for a bare resource
	del    bool
	delPat string // patient id a DELETE URL names
	addID  bool   // the resource has no id: insert it
}

// raw is the resource JSON as it came in.
func (it *item) raw() []byte { return it.doc.Raw(it.node) }

// scope is one Bundle: how its references resolve.
type scope struct {
	full   map[string]string  // fullUrl -> "Type/id"
	byType map[string][]*item // its resources by type, for conditional references
	items  []*item            // its resources in order

	patientDone bool   // patient is computed
	patient     string // the one patient of its resources, "" for none or several
}
