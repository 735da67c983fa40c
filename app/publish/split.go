// Package publish turns FHIR input (Bundles of any type, single resources,
// NDJSON) into Kafka records for Chartline's topics (README, "Topics") and
// produces them: what `chartline publish` and the demo simulator use.
//
// # Routing
//
// Split sends each resource to one topic:
//   - a Patient to its own topic, fhir.patient.<id>;
//   - a RiskAssessment to cds.risk, even though it has a subject: cds.risk is
//     the contract topic for upstream risk scores, the clinical engine reads
//     them there by subject, and one resource must not live in two places;
//   - a ResearchStudy to trials.studies, and a Group there too when it plays
//     an enrollment role: a ResearchStudy in the same input names it in
//     enrollment, or it is a definitional Group (actual=false) with
//     characteristics, which is what eligibility criteria look like;
//   - a ValueSet to trials.studies when an eligibility Group there names it
//     (characteristic.valueReference, by id or canonical url): its
//     expansion is part of the criterion's concept;
//   - a ResearchSubject to trials.matches (its individual is a patient, but
//     the topic is the upstream match feed);
//   - any other resource whose subject, patient, beneficiary, individual,
//     candidate or for (an Appointment's, AppointmentResponse's or
//     Schedule's actor, a Person's link target, a Provenance's target)
//     names a local patient under the patient-reference rule of app/record
//     (record.RefRule: relative, resolved within its Bundle, or absolute
//     under a declared local base; Decode checks the same rule on ingest),
//     to that patient's topic;
//   - everything else (Practitioner, Organization, Location, Medication, an
//     Observation about a Group, a resource about a patient on another
//     server, …) to fhir.reference.
//
// A resource whose references name two different local patients, or a
// local patient and one on another server, has no topic: it is refused
// ("two patients", "subject on another server").
//
// # Refusals
//
// Split keeps going: every entry that can be published is, and each one that
// cannot is a Refusal naming the entry or line, with a Reason in a few words
// (counted by `chartline publish`) and a detail; SplitAll returns them beside
// the records, Split turns the first into an error and returns no record.
// Input the walker cannot read at all (a file that is not JSON) is one
// refusal; an NDJSON line that is not JSON is refused alone and the next
// lines are read. The input is read with app/record's JSON walker
// (record.ParseJSON), the scanner that also decodes every record on ingest.
//
// # References
//
// Within a Bundle, a reference equal to an entry's fullUrl (urn:uuid:…,
// urn:oid:…, or an absolute URL) becomes "Type/id", and a conditional
// reference ("Patient?identifier=system|value", "_id=…") that matches exactly
// one entry of the bundle becomes that entry's "Type/id". The rewrite is done
// on the bytes of each "reference" value: every other byte of the resource is
// published exactly as it came in, unknown fields, order and spacing included.
// Conditional references that match nothing in the bundle stay as they are,
// except in the field that names the resource's patient, where they are an
// error: the resource could not be routed.
//
// A resource without an id gets the id of its urn:uuid or urn:oid fullUrl, or
// the id of its PUT request URL, or else a deterministic one (the first 16
// bytes of the SHA-256 of its type and JSON, in hex), inserted as the first
// member of the JSON object.
//
// # Deletes
//
// A Bundle entry with request DELETE becomes a tombstone (a nil value) keyed
// "Type/id". The URL may be "Type/id" (absolute or relative) or a conditional
// "Type?_id=id" with an optional "patient=" or "subject=" naming the patient.
// A Patient's tombstone goes to its own topic; RiskAssessment, ResearchStudy
// and ResearchSubject tombstones to their shared topics; a Group's to both
// trials.studies and fhir.reference (a tombstone for a key a topic never held
// is harmless); the tombstone of another patient-compartment type (FHIR R4
// CompartmentDefinition patient) goes to the patient its URL names, or, when
// the Bundle holds resources of exactly one patient, to that patient; other
// types go to fhir.reference.
//
// Entries without a resource that are not DELETE (GET, HEAD) and search
// entries of mode "outcome" publish nothing. PATCH entries are an error.
package publish

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

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

// entry is the part of a Bundle entry Split reads.
type entry struct {
	fullURL  string
	resource record.Node
	method   string // upper case
	url      string
	search   string // search.mode
}

// readEntry reads one Bundle entry.
func readEntry(x *record.Doc, n record.Node) (entry, bool) {
	e := entry{resource: -1}
	if !x.IsObject(n) {
		return e, false
	}
	e.fullURL = x.Str(x.Get(n, "fullUrl"))
	if r := x.Get(n, "resource"); r >= 0 && !x.IsNull(r) {
		e.resource = r
	}
	req := x.Get(n, "request")
	e.method = strings.ToUpper(x.Str(x.Get(req, "method")))
	e.url = x.Str(x.Get(req, "url"))
	e.search = x.Str(x.Get(x.Get(n, "search"), "mode"))
	return e, true
}

// read parses the input: one JSON value, or several (NDJSON).
func (s *splitter) read(data []byte) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	type value struct {
		doc  *record.Doc
		line int
		err  error
	}
	var values []value
	line := 1
	for i := 0; ; {
		j := i
		for j < len(data) && (data[j] == ' ' || data[j] == '\t' || data[j] == '\n' || data[j] == '\r') {
			j++
		}
		line += bytes.Count(data[i:j], []byte("\n"))
		if j == len(data) {
			break
		}
		doc, n, err := record.ParseJSON(data[j:])
		if err != nil {
			values = append(values, value{line: line, err: err})
			// An NDJSON line that is not JSON is refused alone: read on from
			// the next line when the value the walker gave up on started a
			// line and broke before its end. Otherwise the rest is unreadable.
			var je *record.JSONError
			errors.As(err, &je)
			at := j + je.At
			if at > len(data) {
				at = len(data)
			}
			nl := bytes.IndexByte(data[j:], '\n')
			if nl < 0 || j+nl < at || (j > 0 && data[j-1] != '\n') {
				break
			}
			line++
			i = j + nl + 1
			continue
		}
		values = append(values, value{doc: doc, line: line})
		line += bytes.Count(data[j:j+n], []byte("\n"))
		i = j + n
	}
	if len(values) == 0 {
		s.refuse("", ReasonEmpty, "no FHIR resource in the input")
		return
	}
	for _, v := range values {
		where := ""
		if len(values) > 1 {
			where = fmt.Sprintf("line %d", v.line)
		}
		if v.err != nil {
			s.refuse(where, ReasonNotJSON, "not JSON: %v", v.err)
			continue
		}
		it := s.readValue(v.doc, record.Root, where, nil)
		if it != nil && it.id == "" {
			it.id, it.addID = hashID(it), true
		}
	}
}

// join joins two places: "line 3" and "entry 2" make "line 3, entry 2".
func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + ", " + b
}

// readValue reads one top-level value or Bundle entry resource. It returns
// the resource's item, or nil for a Bundle (whose entries it read) and for a
// refused value.
func (s *splitter) readValue(x *record.Doc, n record.Node, where string, sc *scope) *item {
	if !x.IsObject(n) {
		s.refuse(where, ReasonNotResource, "expected a FHIR resource (a JSON object)")
		return nil
	}
	rt := x.Get(n, "resourceType")
	typ := x.Str(rt)
	if !x.IsString(rt) || !validType(typ) {
		s.refuse(where, ReasonNotResource, "resourceType missing or not a FHIR type")
		return nil
	}
	if typ == "Bundle" {
		s.readBundle(x, n, where)
		return nil
	}
	it := &item{where: typ, typ: typ, doc: x, node: n, scope: sc}
	if where != "" {
		it.where = where + " (" + typ + ")"
	}
	if idn := x.Get(n, "id"); idn >= 0 {
		id := x.Str(idn)
		switch {
		case !x.IsString(idn) || id == "":
			s.refuse(it.where, ReasonBadID, "id is not a non-empty string")
			return nil
		case !kafka.ValidPatientID(id):
			s.refuse(it.where, ReasonBadID, "id is not a FHIR id ([A-Za-z0-9.-]{1,64})")
			return nil
		}
		it.id = id
	}
	s.items = append(s.items, it)
	if sc != nil {
		sc.items = append(sc.items, it)
		sc.byType[it.typ] = append(sc.byType[it.typ], it)
	}
	return it
}

// readBundle reads a Bundle's entries into one scope.
func (s *splitter) readBundle(x *record.Doc, n record.Node, where string) {
	entries := x.Get(n, "entry")
	if entries < 0 || x.IsNull(entries) {
		return
	}
	if !x.IsArray(entries) {
		s.refuse(where, ReasonNotResource, "Bundle.entry is not an array of entries")
		return
	}
	sc := &scope{full: make(map[string]string), byType: make(map[string][]*item)}
	x.Elements(entries, func(i int, en record.Node) bool {
		ew := join(where, fmt.Sprintf("entry %d", i+1))
		e, ok := readEntry(x, en)
		switch {
		case !ok:
			s.refuse(ew, ReasonNotResource, "entry is not a JSON object")
			return true
		case e.method == "DELETE":
			if it := s.deleteItem(e.url, ew); it != nil {
				it.scope = sc
				s.items = append(s.items, it)
			}
			return true
		case e.method == "PATCH":
			s.refuse(ew, ReasonPatch, "PATCH entries are not supported: publish the patched resource")
			return true
		case e.search == "outcome":
			return true
		case e.resource < 0:
			return true // GET, HEAD: nothing to publish
		}
		it := s.readValue(x, e.resource, ew, sc)
		if it == nil { // refused, or a nested Bundle read in its own scope
			return true
		}
		if it.id == "" {
			it.id, it.addID = idFromEntry(e, it), true
		}
		if e.fullURL != "" {
			sc.full[e.fullURL] = it.typ + "/" + it.id
		}
		return true
	})
}

// idFromEntry picks an id for a resource that has none.
func idFromEntry(e entry, it *item) string {
	for _, p := range []string{"urn:uuid:", "urn:oid:"} {
		if id, ok := strings.CutPrefix(e.fullURL, p); ok && kafka.ValidPatientID(id) {
			return id
		}
	}
	if e.method == "PUT" {
		if typ, id, ok := typeID(e.url); ok && typ == it.typ {
			return id
		}
	}
	return hashID(it)
}

// hashID is the deterministic id of a resource without one.
func hashID(it *item) string {
	h := sha256.New()
	h.Write([]byte(it.typ))
	h.Write([]byte{0})
	h.Write(it.raw())
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// deleteItem reads a DELETE entry's URL; nil when it is refused.
func (s *splitter) deleteItem(u, where string) *item {
	it := &item{where: where + " (DELETE)", del: true}
	path, query, conditional := strings.Cut(u, "?")
	if conditional {
		typ := path[strings.LastIndexByte(path, '/')+1:]
		q, err := url.ParseQuery(query)
		if err != nil || !validType(typ) {
			s.refuse(it.where, ReasonDelete, "conditional DELETE URL is not Type?_id=…")
			return nil
		}
		id := q.Get("_id")
		if id == "" {
			s.refuse(it.where, ReasonDelete, "a conditional DELETE without _id cannot become a tombstone")
			return nil
		}
		it.typ, it.id = typ, id
		for _, p := range []string{"patient", "subject"} {
			if v := q.Get(p); v != "" {
				if t, pid, ok := typeID(v); ok && t == "Patient" {
					it.delPat = pid
				} else if !strings.Contains(v, "/") {
					it.delPat = v
				}
			}
		}
	} else {
		typ, id, ok := typeID(path)
		if !ok {
			s.refuse(it.where, ReasonDelete, "DELETE URL is not Type/id")
			return nil
		}
		it.typ, it.id = typ, id
	}
	if !kafka.ValidPatientID(it.id) {
		s.refuse(it.where, ReasonDelete, "DELETE id is not a FHIR id")
		return nil
	}
	if it.delPat != "" && !kafka.ValidPatientID(it.delPat) {
		s.refuse(it.where, ReasonDelete, "DELETE names a patient id that is not a FHIR id")
		return nil
	}
	it.where = where + " (DELETE " + it.typ + ")"
	return it
}

// route decides every item's topic and builds the records; an item that
// cannot be routed is refused and the others go on.
func (s *splitter) route() []Record {
	// Groups a ResearchStudy anywhere in the input enrolls from, "Group/id".
	enroll := make(map[string]bool)
	for _, it := range s.items {
		if it.del || it.typ != "ResearchStudy" {
			continue
		}
		it.doc.Elements(it.doc.Get(it.node, "enrollment"), func(_ int, r record.Node) bool {
			ref, _, _ := it.doc.RefString(r)
			if it.scope != nil {
				if res, ok := it.scope.resolve(ref); ok {
					ref = res
				}
			}
			if typ, id, ok := typeID(ref); ok && typ == "Group" {
				enroll["Group/"+id] = true
			}
			return true
		})
	}
	// ValueSets the eligibility Groups name (characteristic.valueReference),
	// by "ValueSet/id" and by canonical url: they go to trials.studies too.
	valueSets := make(map[string]bool)
	for _, it := range s.items {
		if it.del || it.typ != "Group" || !(enroll["Group/"+it.id] || definitional(it)) {
			continue
		}
		it.doc.Elements(it.doc.Get(it.node, "characteristic"), func(_ int, ch record.Node) bool {
			ref, _, _ := it.doc.RefString(it.doc.Get(ch, "valueReference"))
			if it.scope != nil {
				if res, ok := it.scope.resolve(ref); ok {
					ref = res
				}
			}
			if typ, id, ok := typeID(ref); ok && typ == "ValueSet" {
				valueSets["ValueSet/"+id] = true
			}
			if ref != "" {
				valueSets[ref] = true
			}
			return true
		})
	}
	out := make([]Record, 0, len(s.items))
	for _, it := range s.items {
		if it.del {
			out = append(out, s.routeDelete(it)...)
			continue
		}
		topic, ok := s.topicOf(it, enroll, valueSets)
		if !ok {
			continue
		}
		value := it.raw()
		if it.scope != nil {
			value = rewriteRefs(it.doc, it.node, it.scope.resolve)
		}
		if it.addID {
			value = insertID(value, it.id)
		}
		if len(value) > kafka.MaxValueBytes {
			s.refuse(it.where, ReasonTooLarge, "the resource is %d bytes, over the %d-byte record limit", len(value), kafka.MaxValueBytes)
			continue
		}
		out = append(out, Record{Topic: topic, Key: []byte(it.typ + "/" + it.id), Value: value, Headers: s.headers})
	}
	return out
}

// topicOf routes one resource; false when it is refused.
func (s *splitter) topicOf(it *item, enroll, valueSets map[string]bool) (string, bool) {
	switch it.typ {
	case "Patient":
		return s.topics.Patient(it.id), true
	case "RiskAssessment":
		return s.topics.Risk, true
	case "ResearchStudy":
		return s.topics.Studies, true
	case "ResearchSubject":
		return s.topics.Matches, true
	case "Group":
		if enroll["Group/"+it.id] || definitional(it) {
			return s.topics.Studies, true
		}
		return s.topics.Reference, true
	case "ValueSet":
		if valueSets["ValueSet/"+it.id] || valueSets[it.doc.Str(it.doc.Get(it.node, "url"))] {
			return s.topics.Studies, true
		}
		return s.topics.Reference, true
	}
	pid, r := s.patientOf(it)
	if r != nil {
		s.refused = append(s.refused, r)
		return "", false
	}
	if pid == "" {
		return s.topics.Reference, true
	}
	return s.topics.Patient(pid), true
}

// patientOf finds the local patient a resource belongs to under the
// patient-reference rule: "" for none (a resource whose patient is on
// another server has none here). A Refusal says why it has no topic.
func (s *splitter) patientOf(it *item) (string, *Refusal) {
	var (
		pid, pidAt string
		foreignAt  string
		refusal    *Refusal
	)
	refuse := func(reason, format string, args ...any) bool {
		refusal = &Refusal{Where: it.where, Reason: reason, Detail: fmt.Sprintf(format, args...)}
		return false
	}
	it.doc.PatientRefs(it.node, it.typ, func(p record.RefPath, ref record.Node) bool {
		r, typ, ident := it.doc.RefString(ref)
		if it.scope != nil && r != "" {
			if res, ok := it.scope.resolve(r); ok {
				r = res
			}
		}
		pr := s.rule.Classify(r, typ, ident)
		switch pr.Target {
		case record.LocalPatient:
			switch {
			case !kafka.ValidPatientID(pr.ID):
				return refuse(ReasonBadID, "its patient reference holds an id that is not a FHIR id")
			case pid != "" && pr.ID != pid:
				return refuse(ReasonTwoPatients, "%s and %s name two different patients", pidAt, p)
			}
			pid, pidAt = pr.ID, p.String()
		case record.ForeignPatient:
			if foreignAt == "" {
				foreignAt = p.String()
			}
		case record.UnresolvedPatient:
			switch {
			case strings.HasPrefix(r, "urn:"):
				return refuse(ReasonUnresolved, "its reference %s is not a fullUrl of the bundle", trimURN(r))
			case strings.Contains(r, "?"):
				return refuse(ReasonUnresolved, "its conditional patient reference matches no single Patient in the bundle")
			}
		}
		return true
	})
	switch {
	case refusal != nil:
		return "", refusal
	case pid != "" && foreignAt != "":
		return "", &Refusal{Where: it.where, Reason: ReasonForeignPatient,
			Detail: fmt.Sprintf("%s names a patient on another server (not a local FHIR base), %s a local patient", foreignAt, pidAt)}
	}
	return pid, nil
}

// trimURN shortens a urn for an error message (a urn:uuid is not PHI, but
// it is long).
func trimURN(s string) string {
	if len(s) > 24 {
		return s[:24] + "…"
	}
	return s
}

// routeDelete routes a DELETE to one or two topics as tombstones.
func (s *splitter) routeDelete(it *item) []Record {
	key := []byte(it.typ + "/" + it.id)
	rec := func(topic string) Record { return Record{Topic: topic, Key: key, Headers: s.headers} }
	switch {
	case it.typ == "Patient":
		return []Record{rec(s.topics.Patient(it.id))}
	case it.typ == "RiskAssessment":
		return []Record{rec(s.topics.Risk)}
	case it.typ == "ResearchStudy":
		return []Record{rec(s.topics.Studies)}
	case it.typ == "ResearchSubject":
		return []Record{rec(s.topics.Matches)}
	case it.typ == "Group":
		return []Record{rec(s.topics.Studies), rec(s.topics.Reference)}
	case !patientCompartment[it.typ]:
		return []Record{rec(s.topics.Reference)}
	case it.delPat != "":
		return []Record{rec(s.topics.Patient(it.delPat))}
	}
	if it.scope != nil {
		if pid := s.singlePatient(it.scope); pid != "" {
			return []Record{rec(s.topics.Patient(pid))}
		}
	}
	s.refuse(it.where, ReasonDelete, "cannot tell which patient's topic holds it: use Type?_id=ID&patient=PATIENT or a bundle of one patient")
	return nil
}

// singlePatient returns the one patient a bundle's resources belong to, ""
// when they belong to none or to several. It is computed once per bundle.
func (s *splitter) singlePatient(sc *scope) string {
	if sc.patientDone {
		return sc.patient
	}
	sc.patientDone = true
	for _, it := range sc.items {
		pid := it.id
		if it.typ != "Patient" {
			pid, _ = s.patientOf(it)
		}
		switch {
		case pid == "" || pid == sc.patient:
		case sc.patient != "":
			sc.patient = ""
			return ""
		default:
			sc.patient = pid
		}
	}
	return sc.patient
}

// resolve maps a reference to "Type/id" within the bundle: a fullUrl of one
// of its entries, or a conditional reference matching exactly one entry.
func (sc *scope) resolve(ref string) (string, bool) {
	if r, ok := sc.full[ref]; ok {
		return r, true
	}
	typ, query, ok := strings.Cut(ref, "?")
	if !ok || !validType(typ) {
		return "", false
	}
	q, err := url.ParseQuery(query)
	if err != nil || len(q) == 0 {
		return "", false
	}
	match := ""
	for _, it := range sc.byType[typ] {
		if !matches(it, q) {
			continue
		}
		if match != "" {
			return "", false // ambiguous
		}
		match = it.typ + "/" + it.id
	}
	return match, match != ""
}

// matches reports whether a resource satisfies conditional-reference search
// parameters; only _id and identifier are understood.
func matches(it *item, q url.Values) bool {
	for name, vals := range q {
		for _, v := range vals {
			switch name {
			case "_id":
				if it.id != v {
					return false
				}
			case "identifier":
				if !hasIdentifier(it, v) {
					return false
				}
			default:
				return false
			}
		}
	}
	return true
}

// hasIdentifier reports whether a resource's identifiers match a token:
// "system|value", "|value" (no system) or "value" (any system).
func hasIdentifier(it *item, token string) bool {
	system, value, withSystem := strings.Cut(token, "|")
	if !withSystem {
		value = token
	}
	found := false
	x := it.doc
	x.Elements(x.Get(it.node, "identifier"), func(_ int, id record.Node) bool {
		if x.Str(x.Get(id, "value")) == value && (!withSystem || x.Str(x.Get(id, "system")) == system) {
			found = true
		}
		return !found
	})
	return found
}

// definitional reports whether a Group describes criteria (actual=false with
// characteristics) rather than listing members.
func definitional(it *item) bool {
	x := it.doc
	actual, ok := x.Bool(x.Get(it.node, "actual"))
	if !ok || actual {
		return false
	}
	cs := x.Get(it.node, "characteristic")
	return x.IsArray(cs) && x.Len(cs) > 0
}

// typeID splits a literal reference or URL into its type and id: "Type/id",
// "http://base/Type/id", "Type/id/_history/3". Search URLs and contained
// references ("#x") do not split.
func typeID(ref string) (typ, id string, ok bool) {
	if strings.ContainsAny(ref, "?#") {
		return "", "", false
	}
	parts := strings.Split(strings.TrimSuffix(ref, "/"), "/")
	if n := len(parts); n >= 4 && parts[n-2] == "_history" {
		parts = parts[:n-2]
	}
	n := len(parts)
	if n < 2 || !validType(parts[n-2]) || parts[n-1] == "" {
		return "", "", false
	}
	return parts[n-2], parts[n-1], true
}

// validType reports whether s looks like a FHIR resource type name.
func validType(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' || len(s) > 64 {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// rewriteRefs returns the resource n of x with the value of every
// "reference" member that resolve maps replaced, every other byte as it was.
// It returns the resource's own bytes when nothing changes.
func rewriteRefs(x *record.Doc, n record.Node, resolve func(string) (string, bool)) []byte {
	raw := x.Bytes()
	start, end := x.Span(n)
	var out []byte
	last := start
	x.EachString(n, "reference", func(v record.Node) {
		val := x.Str(v)
		r, ok := resolve(val)
		if !ok || r == val {
			return
		}
		if out == nil {
			out = make([]byte, 0, end-start+64)
		}
		vs, ve, _ := x.StringSpan(v)
		enc, _ := json.Marshal(r)
		out = append(out, raw[last:vs-1]...)
		out = append(out, enc...)
		last = ve + 1
	})
	if out == nil {
		return raw[start:end]
	}
	return append(out, raw[last:end]...)
}

// insertID makes id the first member of the resource object.
func insertID(raw []byte, id string) []byte {
	i := bytes.IndexByte(raw, '{')
	enc, _ := json.Marshal(id)
	out := make([]byte, 0, len(raw)+len(enc)+8)
	out = append(out, raw[:i+1]...)
	out = append(out, `"id":`...)
	out = append(out, enc...)
	j := i + 1
	for j < len(raw) && (raw[j] == ' ' || raw[j] == '\t' || raw[j] == '\n' || raw[j] == '\r') {
		j++
	}
	if j < len(raw) && raw[j] != '}' {
		out = append(out, ',')
	}
	return append(out, raw[i+1:]...)
}

// patientCompartment lists the resource types of the FHIR R4 patient
// compartment (CompartmentDefinition patient,
// http://hl7.org/fhir/R4/compartmentdefinition-patient.html): a tombstone of
// one of these types belongs in a patient topic.
var patientCompartment = map[string]bool{
	"Account": true, "AdverseEvent": true, "AllergyIntolerance": true, "Appointment": true,
	"AppointmentResponse": true, "AuditEvent": true, "Basic": true, "BodyStructure": true,
	"CarePlan": true, "CareTeam": true, "ChargeItem": true, "Claim": true, "ClaimResponse": true,
	"ClinicalImpression": true, "Communication": true, "CommunicationRequest": true,
	"Composition": true, "Condition": true, "Consent": true, "Coverage": true,
	"CoverageEligibilityRequest": true, "CoverageEligibilityResponse": true, "DetectedIssue": true,
	"DeviceRequest": true, "DeviceUseStatement": true, "DiagnosticReport": true,
	"DocumentManifest": true, "DocumentReference": true, "Encounter": true,
	"EnrollmentRequest": true, "EpisodeOfCare": true, "ExplanationOfBenefit": true,
	"FamilyMemberHistory": true, "Flag": true, "Goal": true, "Group": true, "ImagingStudy": true,
	"Immunization": true, "ImmunizationEvaluation": true, "ImmunizationRecommendation": true,
	"Invoice": true, "List": true, "MeasureReport": true, "Media": true,
	"MedicationAdministration": true, "MedicationDispense": true, "MedicationRequest": true,
	"MedicationStatement": true, "MolecularSequence": true, "NutritionOrder": true,
	"Observation": true, "Patient": true, "Person": true, "Procedure": true, "Provenance": true,
	"QuestionnaireResponse": true, "RelatedPerson": true, "RequestGroup": true,
	"ResearchSubject": true, "RiskAssessment": true, "Schedule": true, "ServiceRequest": true,
	"Specimen": true, "SupplyDelivery": true, "SupplyRequest": true, "VisionPrescription": true,
}
