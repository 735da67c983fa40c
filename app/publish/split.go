// Package publish turns FHIR input (Bundles of any type, single resources,
// NDJSON) into Kafka records for Chartline's topics (DESIGN.md §3) and
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
//   - a ResearchSubject to trials.matches (its individual is a patient, but
//     the topic is the upstream match feed);
//   - any other resource whose subject, patient, beneficiary, individual,
//     candidate or for (an Appointment's, AppointmentResponse's or
//     Schedule's actor, a Person's link target, a Provenance's target)
//     references a Patient, to that patient's topic;
//   - everything else (Practitioner, Organization, Location, Medication, an
//     Observation about a Group, …) to fhir.reference.
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
)

// Record header names and values Split sets (DESIGN.md §3).
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

// Split turns FHIR input into records for DESIGN.md §3 topics: a Bundle of any
// type (transaction, batch, collection, searchset, document, message,
// history), a single resource, or NDJSON (one resource or Bundle per line).
// See the package documentation for routing, reference rewriting, ids and
// deletes. Records come out in input order, each with the content-type and
// fhir-version headers, and source when source is not empty. Every error wraps
// ErrInput and names the entry or line, never a patient id; nothing is
// returned with an error.
func Split(data []byte, topics kafka.Topics, source string) ([]Record, error) {
	s := &splitter{
		topics: topics,
		headers: []kgo.RecordHeader{
			{Key: HeaderContentType, Value: []byte(ContentType)},
			{Key: HeaderFHIRVersion, Value: []byte(FHIRVersion)},
		},
	}
	if source != "" {
		s.headers = append(s.headers, kgo.RecordHeader{Key: HeaderSource, Value: []byte(source)})
	}
	s.headers = s.headers[:len(s.headers):len(s.headers)]
	if err := s.read(data); err != nil {
		return nil, err
	}
	return s.route()
}

// splitter holds one Split call's state.
type splitter struct {
	topics  kafka.Topics
	headers []kgo.RecordHeader
	items   []*item
}

// item is one resource or one DELETE, read but not yet routed.
type item struct {
	where  string // "entry 3", "line 7, entry 2", for errors
	typ    string
	id     string
	raw    []byte // the resource JSON; nil for a DELETE
	h      *head
	scope  *scope // the Bundle it came in, nil for a bare resource
	del    bool
	delPat string // patient id a DELETE URL names
	addID  bool   // raw has no id: insert it
}

// scope is one Bundle: how its references resolve.
type scope struct {
	full   map[string]string  // fullUrl -> "Type/id"
	byType map[string][]*item // its resources by type, for conditional references
	items  []*item            // its resources in order

	patientDone bool   // patient is computed
	patient     string // the one patient of its resources, "" for none or several
}

// head is what Split reads of a resource: its type and id strictly, the rest
// as raw JSON (slices of the input) read leniently.
type head struct {
	ResourceType   json.RawMessage
	ID             json.RawMessage
	Subject        json.RawMessage
	Patient        json.RawMessage
	Beneficiary    json.RawMessage
	Individual     json.RawMessage
	Candidate      json.RawMessage
	For            json.RawMessage
	Actor          json.RawMessage
	Participant    json.RawMessage
	Target         json.RawMessage
	Link           json.RawMessage
	Identifier     json.RawMessage
	Enrollment     json.RawMessage
	Actual         json.RawMessage
	Characteristic json.RawMessage
}

// field returns where a member of the given name goes, or nil.
func (h *head) field(name []byte) *json.RawMessage {
	switch string(name) {
	case "resourceType":
		return &h.ResourceType
	case "id":
		return &h.ID
	case "subject":
		return &h.Subject
	case "patient":
		return &h.Patient
	case "beneficiary":
		return &h.Beneficiary
	case "individual":
		return &h.Individual
	case "candidate":
		return &h.Candidate
	case "for":
		return &h.For
	case "actor":
		return &h.Actor
	case "participant":
		return &h.Participant
	case "target":
		return &h.Target
	case "link":
		return &h.Link
	case "identifier":
		return &h.Identifier
	case "enrollment":
		return &h.Enrollment
	case "actual":
		return &h.Actual
	case "characteristic":
		return &h.Characteristic
	}
	return nil
}

// entry is the part of a Bundle entry Split reads.
type entry struct {
	fullURL  string
	resource []byte
	method   string // upper case
	url      string
	search   string // search.mode
}

// readEntry reads one Bundle entry.
func readEntry(raw []byte) (entry, error) {
	var e entry
	var bad bool
	err := members(raw, func(name, val []byte) bool {
		switch string(name) {
		case "fullUrl":
			e.fullURL, _ = stringValue(val)
		case "resource":
			e.resource = val
		case "request":
			bad = members(val, func(name, val []byte) bool {
				switch string(name) {
				case "method":
					m, _ := stringValue(val)
					e.method = strings.ToUpper(m)
				case "url":
					e.url, _ = stringValue(val)
				}
				return true
			}) != nil
		case "search":
			bad = members(val, func(name, val []byte) bool {
				if string(name) == "mode" {
					e.search, _ = stringValue(val)
				}
				return true
			}) != nil
		}
		return !bad
	})
	if err != nil || bad {
		return e, errors.New("entry is not a JSON object")
	}
	return e, nil
}

// inputErr makes an error that wraps ErrInput.
func inputErr(where, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if where != "" {
		msg = where + ": " + msg
	}
	return fmt.Errorf("%w: %s", ErrInput, msg)
}

// read parses the input: one JSON value, or several (NDJSON).
func (s *splitter) read(data []byte) error {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var values [][]byte
	var lines []int
	line := 1
	for i := 0; ; {
		j := skipSpace(data, i)
		line += bytes.Count(data[i:j], []byte("\n"))
		if j == len(data) {
			break
		}
		end := valueEnd(data, j)
		if end < 0 {
			where := ""
			if len(values) > 0 {
				where = fmt.Sprintf("line %d", line)
			}
			return inputErr(where, "not JSON: unterminated value")
		}
		values = append(values, data[j:end])
		lines = append(lines, line)
		line += bytes.Count(data[j:end], []byte("\n"))
		i = end
	}
	if len(values) == 0 {
		return inputErr("", "no FHIR resource in the input")
	}
	for i, v := range values {
		where := ""
		if len(values) > 1 {
			where = fmt.Sprintf("line %d", lines[i])
		}
		it, err := s.readValue(v, where, nil, false)
		if err != nil {
			return err
		}
		if it != nil && it.id == "" {
			it.id, it.addID = hashID(it), true
		}
	}
	return nil
}

// join joins two places: "line 3" and "entry 2" make "line 3, entry 2".
func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + ", " + b
}

// readValue reads one top-level value or Bundle entry resource. It returns
// the resource's item, or nil for a Bundle (whose entries it read). valid says
// json.Valid already passed the bytes (as part of their Bundle).
func (s *splitter) readValue(raw []byte, where string, sc *scope, valid bool) (*item, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, inputErr(where, "expected a FHIR resource (a JSON object)")
	}
	if !valid && !json.Valid(raw) {
		var v any
		err := json.Unmarshal(raw, &v) // for the reason and offset
		return nil, inputErr(where, "not JSON: %v", err)
	}
	h := new(head)
	if err := members(raw, func(name, val []byte) bool {
		if f := h.field(name); f != nil {
			*f = val
		}
		return true
	}); err != nil {
		return nil, inputErr(where, "not a FHIR resource: %v", err)
	}
	typ, _ := stringValue(h.ResourceType)
	if !validType(typ) {
		return nil, inputErr(where, "resourceType missing or not a FHIR type")
	}
	if typ == "Bundle" {
		return nil, s.readBundle(raw, where)
	}
	it := &item{where: typ, typ: typ, raw: raw, h: h, scope: sc}
	if where != "" {
		it.where = where + " (" + typ + ")"
	}
	id, err := idOf(h.ID)
	if err != nil {
		return nil, inputErr(it.where, "%v", err)
	}
	it.id = id
	s.items = append(s.items, it)
	if sc != nil {
		sc.items = append(sc.items, it)
		sc.byType[it.typ] = append(sc.byType[it.typ], it)
	}
	return it, nil
}

// idOf reads a resource's id member: "" when absent.
func idOf(raw json.RawMessage) (string, error) {
	if len(raw) == 0 {
		return "", nil
	}
	var id string
	if err := json.Unmarshal(raw, &id); err != nil || id == "" {
		return "", errors.New("id is not a non-empty string")
	}
	if !kafka.ValidPatientID(id) {
		return "", errors.New("id is not a FHIR id ([A-Za-z0-9.-]{1,64})")
	}
	return id, nil
}

// readBundle reads a Bundle's entries into one scope. raw is valid JSON.
func (s *splitter) readBundle(raw []byte, where string) error {
	var entries []byte
	if err := members(raw, func(name, val []byte) bool {
		if string(name) == "entry" {
			entries = val
		}
		return true
	}); err != nil {
		return inputErr(where, "not a FHIR Bundle: %v", err)
	}
	if entries == nil {
		return nil
	}
	sc := &scope{full: make(map[string]string), byType: make(map[string][]*item)}
	n := 0
	err := elements(entries, func(raw []byte) error {
		n++
		ew := join(where, fmt.Sprintf("entry %d", n))
		e, err := readEntry(raw)
		if err != nil {
			return inputErr(ew, "%v", err)
		}
		switch {
		case e.method == "DELETE":
			it, err := s.deleteItem(e.url, ew)
			if err != nil {
				return err
			}
			it.scope = sc
			s.items = append(s.items, it)
			return nil
		case e.method == "PATCH":
			return inputErr(ew, "PATCH entries are not supported: publish the patched resource")
		case e.search == "outcome":
			return nil
		case len(e.resource) == 0 || string(e.resource) == "null":
			return nil // GET, HEAD: nothing to publish
		}
		it, err := s.readValue(e.resource, ew, sc, true)
		if err != nil || it == nil { // a nested Bundle was read in its own scope
			return err
		}
		if it.id == "" {
			it.id, it.addID = idFromEntry(e, it), true
		}
		if e.fullURL != "" {
			sc.full[e.fullURL] = it.typ + "/" + it.id
		}
		return nil
	})
	if err != nil && !errors.Is(err, ErrInput) {
		return inputErr(where, "Bundle.entry is not an array of entries")
	}
	return err
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
	h.Write(it.raw)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// deleteItem reads a DELETE entry's URL.
func (s *splitter) deleteItem(u, where string) (*item, error) {
	it := &item{where: where + " (DELETE)", del: true}
	path, query, conditional := strings.Cut(u, "?")
	if conditional {
		typ := path[strings.LastIndexByte(path, '/')+1:]
		q, err := url.ParseQuery(query)
		if err != nil || !validType(typ) {
			return nil, inputErr(it.where, "conditional DELETE URL is not Type?_id=…")
		}
		id := q.Get("_id")
		if id == "" {
			return nil, inputErr(it.where, "a conditional DELETE without _id cannot become a tombstone")
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
			return nil, inputErr(it.where, "DELETE URL is not Type/id")
		}
		it.typ, it.id = typ, id
	}
	if !kafka.ValidPatientID(it.id) {
		return nil, inputErr(it.where, "DELETE id is not a FHIR id")
	}
	if it.delPat != "" && !kafka.ValidPatientID(it.delPat) {
		return nil, inputErr(it.where, "DELETE names a patient id that is not a FHIR id")
	}
	it.where = where + " (DELETE " + it.typ + ")"
	return it, nil
}

// route decides every item's topic and builds the records.
func (s *splitter) route() ([]Record, error) {
	// Groups a ResearchStudy anywhere in the input enrolls from, "Group/id".
	enroll := make(map[string]bool)
	for _, it := range s.items {
		if it.del || it.typ != "ResearchStudy" {
			continue
		}
		for _, ref := range refs(it.h.Enrollment) {
			if it.scope != nil {
				if r, ok := it.scope.resolve(ref); ok {
					ref = r
				}
			}
			if typ, id, ok := typeID(ref); ok && typ == "Group" {
				enroll["Group/"+id] = true
			}
		}
	}
	out := make([]Record, 0, len(s.items))
	for _, it := range s.items {
		if it.del {
			recs, err := s.routeDelete(it)
			if err != nil {
				return nil, err
			}
			out = append(out, recs...)
			continue
		}
		topic, err := s.topicOf(it, enroll)
		if err != nil {
			return nil, err
		}
		value := it.raw
		if it.scope != nil {
			value = rewriteRefs(value, it.scope.resolve)
		}
		if it.addID {
			value = insertID(value, it.id)
		}
		if len(value) > kafka.MaxValueBytes {
			return nil, inputErr(it.where, "the resource is %d bytes, over the %d-byte record limit", len(value), kafka.MaxValueBytes)
		}
		out = append(out, Record{Topic: topic, Key: []byte(it.typ + "/" + it.id), Value: value, Headers: s.headers})
	}
	return out, nil
}

// topicOf routes one resource.
func (s *splitter) topicOf(it *item, enroll map[string]bool) (string, error) {
	switch it.typ {
	case "Patient":
		return s.topics.Patient(it.id), nil
	case "RiskAssessment":
		return s.topics.Risk, nil
	case "ResearchStudy":
		return s.topics.Studies, nil
	case "ResearchSubject":
		return s.topics.Matches, nil
	case "Group":
		if enroll["Group/"+it.id] || definitional(it.h) {
			return s.topics.Studies, nil
		}
		return s.topics.Reference, nil
	}
	pid, err := s.patientOf(it)
	if err != nil {
		return "", err
	}
	if pid == "" {
		return s.topics.Reference, nil
	}
	return s.topics.Patient(pid), nil
}

// patientOf finds the patient a resource belongs to: "" for none.
func (s *splitter) patientOf(it *item) (string, error) {
	h := it.h
	fields := []json.RawMessage{h.Subject, h.Patient, h.Beneficiary, h.Individual, h.Candidate, h.For}
	switch it.typ {
	case "Appointment":
		fields = append(fields, participantActors(h.Participant)...)
	case "AppointmentResponse", "Schedule":
		fields = append(fields, h.Actor)
	case "Person":
		fields = append(fields, linkTargets(h.Link)...)
	case "Provenance":
		fields = append(fields, h.Target)
	}
	for _, f := range fields {
		for _, ref := range refs(f) {
			resolved := ref
			if it.scope != nil {
				if r, ok := it.scope.resolve(ref); ok {
					resolved = r
				}
			}
			typ, id, ok := typeID(resolved)
			switch {
			case ok && typ == "Patient":
				if !kafka.ValidPatientID(id) {
					return "", inputErr(it.where, "its patient reference holds an id that is not a FHIR id")
				}
				return id, nil
			case strings.HasPrefix(resolved, "Patient?"):
				return "", inputErr(it.where, "its conditional patient reference matches no single Patient in the bundle")
			case strings.HasPrefix(resolved, "urn:"):
				return "", inputErr(it.where, "its reference %s is not a fullUrl of the bundle", trimURN(resolved))
			}
		}
	}
	return "", nil
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
func (s *splitter) routeDelete(it *item) ([]Record, error) {
	key := []byte(it.typ + "/" + it.id)
	rec := func(topic string) Record { return Record{Topic: topic, Key: key, Headers: s.headers} }
	switch {
	case it.typ == "Patient":
		return []Record{rec(s.topics.Patient(it.id))}, nil
	case it.typ == "RiskAssessment":
		return []Record{rec(s.topics.Risk)}, nil
	case it.typ == "ResearchStudy":
		return []Record{rec(s.topics.Studies)}, nil
	case it.typ == "ResearchSubject":
		return []Record{rec(s.topics.Matches)}, nil
	case it.typ == "Group":
		return []Record{rec(s.topics.Studies), rec(s.topics.Reference)}, nil
	case !patientCompartment[it.typ]:
		return []Record{rec(s.topics.Reference)}, nil
	case it.delPat != "":
		return []Record{rec(s.topics.Patient(it.delPat))}, nil
	}
	if it.scope != nil {
		if pid := s.singlePatient(it.scope); pid != "" {
			return []Record{rec(s.topics.Patient(pid))}, nil
		}
	}
	return nil, inputErr(it.where, "cannot tell which patient's topic holds it: use Type?_id=ID&patient=PATIENT or a bundle of one patient")
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
				if !hasIdentifier(it.h.Identifier, v) {
					return false
				}
			default:
				return false
			}
		}
	}
	return true
}

// hasIdentifier reports whether identifiers match a token: "system|value",
// "|value" (no system) or "value" (any system).
func hasIdentifier(raw json.RawMessage, token string) bool {
	var ids []struct {
		System string `json:"system"`
		Value  string `json:"value"`
	}
	if json.Unmarshal(raw, &ids) != nil {
		return false
	}
	system, value, withSystem := strings.Cut(token, "|")
	if !withSystem {
		value = token
	}
	for _, id := range ids {
		if id.Value == value && (!withSystem || id.System == system) {
			return true
		}
	}
	return false
}

// definitional reports whether a Group describes criteria (actual=false with
// characteristics) rather than listing members.
func definitional(h *head) bool {
	var actual bool
	if json.Unmarshal(h.Actual, &actual) != nil || actual {
		return false
	}
	var cs []json.RawMessage
	return json.Unmarshal(h.Characteristic, &cs) == nil && len(cs) > 0
}

// refs reads the reference strings of a Reference or an array of them,
// ignoring anything else.
func refs(raw json.RawMessage) []string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil
	}
	type ref struct {
		Reference string `json:"reference"`
	}
	switch raw[0] {
	case '{':
		var r ref
		if json.Unmarshal(raw, &r) == nil && r.Reference != "" {
			return []string{r.Reference}
		}
	case '[':
		var rs []ref
		if json.Unmarshal(raw, &rs) != nil {
			return nil
		}
		var out []string
		for _, r := range rs {
			if r.Reference != "" {
				out = append(out, r.Reference)
			}
		}
		return out
	}
	return nil
}

// participantActors reads Appointment.participant[].actor.
func participantActors(raw json.RawMessage) []json.RawMessage {
	var ps []struct {
		Actor json.RawMessage `json:"actor"`
	}
	if json.Unmarshal(raw, &ps) != nil {
		return nil
	}
	out := make([]json.RawMessage, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Actor)
	}
	return out
}

// linkTargets reads Person.link[].target.
func linkTargets(raw json.RawMessage) []json.RawMessage {
	var ls []struct {
		Target json.RawMessage `json:"target"`
	}
	if json.Unmarshal(raw, &ls) != nil {
		return nil
	}
	out := make([]json.RawMessage, 0, len(ls))
	for _, l := range ls {
		out = append(out, l.Target)
	}
	return out
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

// rewriteRefs replaces the value of every "reference" member that resolve
// maps, leaving every other byte as it was. It returns raw itself when
// nothing changes.
func rewriteRefs(raw []byte, resolve func(string) (string, bool)) []byte {
	const key = `"reference"`
	var out []byte
	last, i := 0, 0
	for {
		j := bytes.Index(raw[i:], []byte(key))
		if j < 0 {
			break
		}
		j += i
		i = j + len(key)
		if escaped(raw, j) {
			continue // inside a string: \"reference\"
		}
		k := skipSpace(raw, i)
		if k >= len(raw) || raw[k] != ':' {
			continue // a string value "reference", not a member name
		}
		k = skipSpace(raw, k+1)
		if k >= len(raw) || raw[k] != '"' {
			continue
		}
		end := stringEnd(raw, k)
		if end < 0 {
			break
		}
		i = end + 1
		tok := raw[k : end+1]
		var val string
		if bytes.IndexByte(tok, '\\') < 0 {
			val = string(tok[1 : len(tok)-1])
		} else if json.Unmarshal(tok, &val) != nil {
			continue
		}
		r, ok := resolve(val)
		if !ok || r == val {
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(raw)+64)
		}
		enc, _ := json.Marshal(r)
		out = append(out, raw[last:k]...)
		out = append(out, enc...)
		last = end + 1
	}
	if out == nil {
		return raw
	}
	return append(out, raw[last:]...)
}

// insertID makes id the first member of the resource object.
func insertID(raw []byte, id string) []byte {
	i := bytes.IndexByte(raw, '{')
	enc, _ := json.Marshal(id)
	out := make([]byte, 0, len(raw)+len(enc)+8)
	out = append(out, raw[:i+1]...)
	out = append(out, `"id":`...)
	out = append(out, enc...)
	if skipSpace(raw, i+1) < len(raw) && raw[skipSpace(raw, i+1)] != '}' {
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
