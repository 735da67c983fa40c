package ips

import (
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/store"
)

// Code systems and codes the document writes besides the section codes.
const (
	systemLOINC       = "http://loinc.org"
	systemEmptyReason = "http://terminology.hl7.org/CodeSystem/list-empty-reason" // FHIR R4 list-empty-reason
	emptyUnavailable  = "unavailable"                                             // "Unavailable": no information (IPS IG 2.0.0, Bundle-bundle-no-info-required-sections)
	systemRFC3986     = "urn:ietf:rfc:3986"
	systemEventCode   = "http://terminology.hl7.org/CodeSystem/v3-ActClass"
	eventPCPR         = "PCPR" // care provision: the period the summary covers (Composition-uv-ips event:careProvisioningEvent)
)

// ErrNoPatient means the store holds no Patient resource for the id.
var ErrNoPatient = errors.New("no such patient in the store")

// ErrNotConformant means the document Chartline built breaks an IPS
// document rule; it is not written. (A bug, never the data's fault.)
var ErrNotConformant = errors.New("IPS document does not conform")

// Options say whose summary, by whom, when.
type Options struct {
	Patient string
	// User and Workstation author the document (a Practitioner named by the
	// user's login and a Device for Chartline on the workstation).
	User, Workstation string
	// Now is the document's date; zero means time.Now.
	Now time.Time
	// MaxLinked caps the records added because a chosen record references
	// them (encounters, practitioners, locations…); default 5,000. A
	// reference past the cap keeps its display and loses its link.
	MaxLinked int
}

// SectionReport says what one section holds.
type SectionReport struct {
	Code    string `json:"code"`
	Title   string `json:"title"`
	Entries int    `json:"entries"`
	Empty   bool   `json:"empty"`
}

// Report says what an export wrote.
type Report struct {
	// Document is the document's identifier (a urn:uuid): the Bundle's and
	// the Composition's, named by the export AuditEvent.
	Document  string          `json:"document"`
	Sections  []SectionReport `json:"sections"`
	Resources int             `json:"resources"` // entries in the Bundle
	Linked    int             `json:"linked"`    // entries added because a chosen one references them
	// Unlinked counts references to records the store does not hold (or
	// past MaxLinked): their link is dropped, their display kept, so every
	// reference left resolves inside the Bundle.
	Unlinked int `json:"unlinked"`
	// Problems are what the source records lack for their IPS profiles.
	Problems []Problem `json:"-"`
}

// Export builds the IPS document Bundle of one patient from a store
// snapshot: the index entries choose each section's records (Sections), the
// raw JSON of each record is copied with its references rewritten to the
// Bundle's urn:uuid fullUrls, and records the chosen ones reference (in the
// patient's collection or fhir.reference) come along. The result is
// checked (Checker) before it is returned.
func Export(r *store.Reader, o Options) ([]byte, Report, error) {
	var rep Report
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.MaxLinked <= 0 {
		o.MaxLinked = 5000
	}
	e, ok, err := r.Entry(o.Patient)
	if err != nil {
		return nil, rep, fmt.Errorf("export: %w", err)
	}
	if !ok || e.Patient == nil || !store.IsPatient(o.Patient) {
		return nil, rep, ErrNoPatient
	}
	items, err := r.Items(o.Patient)
	if err != nil {
		return nil, rep, fmt.Errorf("export: %w", err)
	}
	in := NewInput(items)
	patients := in.ByType["Patient"]
	if len(patients) == 0 {
		return nil, rep, ErrNoPatient
	}
	x := &exporter{r: r, patient: o.Patient, byKey: map[string]*entry{}}
	pat, err := x.add(patients[0].Ref)
	if err != nil {
		return nil, rep, err
	}

	sections, err := x.sections(in, &rep)
	if err != nil {
		return nil, rep, err
	}
	chosen := len(x.order)
	if err := x.follow(chosen, o.MaxLinked); err != nil {
		return nil, rep, err
	}
	rep.Linked = len(x.order) - chosen
	au := authorsOf(o)
	x.rewriteAll(&rep.Unlinked)

	now := o.Now.UTC().Format(time.RFC3339)
	docID := randomUUID()
	rep.Document = "urn:uuid:" + docID
	comp := compositionOf(docID, now, pat.fullURL, e.Patient.Name, au, o, sections)
	entries := x.entries(comp, au)
	out := rawJSON(map[string]any{
		"resourceType": "Bundle",
		"id":           docID,
		"meta":         map[string]any{"profile": []any{ProfileBundle}},
		"identifier":   map[string]any{"system": systemRFC3986, "value": "urn:uuid:" + docID},
		"type":         "document",
		"timestamp":    now,
		"entry":        entries,
	})
	rep.Resources = len(entries)

	problems, err := check(out)
	if err != nil {
		return nil, rep, err
	}
	rep.Problems = problems
	return out, rep, nil
}

// sections builds the Composition's sections, copying the records each
// chooses into the document and reporting each in rep.
func (x *exporter) sections(in *Input, rep *Report) ([]any, error) {
	var sections []any
	for i := range Sections {
		s := &Sections[i]
		picked := s.Pick(in)
		if len(picked) == 0 && !s.Always {
			continue
		}
		sec := map[string]any{
			"title": s.Title,
			"code":  concept(systemLOINC, s.Code, s.Display),
		}
		var refs []any
		var rows [][]string
		for _, it := range picked {
			en, err := x.add(it.Ref)
			if err != nil {
				return nil, err
			}
			if en == nil {
				continue // gone between the index read and the JSON read: not in this snapshot
			}
			refs = append(refs, map[string]any{"reference": en.fullURL})
			rows = append(rows, s.Row(it))
		}
		if len(refs) == 0 {
			sec["text"] = narrative(noInformation(s.Title))
			sec["emptyReason"] = map[string]any{
				"coding": []any{map[string]any{"system": systemEmptyReason, "code": emptyUnavailable, "display": "Unavailable"}},
				"text":   "No information available",
			}
		} else {
			sec["text"] = narrative(htmlTable(s.Columns, rows))
			sec["entry"] = refs
		}
		rep.Sections = append(rep.Sections, SectionReport{Code: s.Code, Title: s.Title, Entries: len(refs), Empty: len(refs) == 0})
		sections = append(sections, sec)
	}
	return sections, nil
}

// follow adds the records that those in the document reference, breadth
// first, until nothing new or maxLinked records past the chosen ones.
func (x *exporter) follow(chosen, maxLinked int) error {
	var err error
	for i := 0; i < len(x.order); i++ {
		en := x.order[i]
		eachReference(en.res, func(ref string) {
			if len(x.order)-chosen >= maxLinked {
				return
			}
			if sr, ok := x.resolve(ref); ok {
				if _, err2 := x.add(sr); err2 != nil && err == nil {
					err = err2
				}
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// authors are the document's authors: the user, and Chartline on this
// workstation, with their fullUrls.
type authors struct {
	user, device       map[string]any
	userURL, deviceURL string
}

// authorsOf makes the authors of o's user and workstation.
func authorsOf(o Options) authors {
	return authors{
		user: map[string]any{
			"resourceType": "Practitioner",
			"id":           "chartline-user-" + shortHash(o.User),
			"identifier":   []any{map[string]any{"system": clinical.IdentifierUser, "value": o.User}},
			"name":         []any{map[string]any{"text": o.User}},
		},
		device: map[string]any{
			"resourceType": "Device",
			"id":           "chartline-" + shortHash(o.Workstation),
			"identifier":   []any{map[string]any{"system": clinical.IdentifierWorkstation, "value": o.Workstation}},
			"deviceName":   []any{map[string]any{"name": "Chartline on " + o.Workstation, "type": "user-friendly-name"}},
		},
		userURL:   "urn:uuid:" + nameUUID("author", o.User),
		deviceURL: "urn:uuid:" + nameUUID("device", o.Workstation),
	}
}

// rewriteAll rewrites every reference of the copied records to the
// document's fullUrls, counting in unlinked those it cannot place.
func (x *exporter) rewriteAll(unlinked *int) {
	for _, en := range x.order {
		rewrite(en.res, func(ref string) (string, bool) {
			sr, ok := x.resolve(ref)
			if !ok {
				return "", false
			}
			if t, ok := x.byKey[sr.Key()]; ok {
				return t.fullURL, true
			}
			return "", false
		}, unlinked)
	}
}

// compositionOf is the document's Composition: about the patient at
// patientURL, dated now, by the authors, with the sections.
func compositionOf(docID, now, patientURL, name string, au authors, o Options, sections []any) map[string]any {
	return map[string]any{
		"resourceType": "Composition",
		"id":           randomUUID(),
		"meta":         map[string]any{"profile": []any{ProfileComposition}},
		"identifier":   map[string]any{"system": systemRFC3986, "value": "urn:uuid:" + docID},
		"status":       "final",
		"type":         concept(systemLOINC, CodeSummary, "Patient summary Document"),
		"subject":      map[string]any{"reference": patientURL, "display": name},
		"date":         now,
		"author": []any{
			map[string]any{"reference": au.userURL, "display": o.User},
			map[string]any{"reference": au.deviceURL, "display": "Chartline on " + o.Workstation},
		},
		"title": "International Patient Summary",
		"event": []any{map[string]any{
			"code":   []any{concept(systemEventCode, eventPCPR, "care provision")},
			"period": map[string]any{"end": now},
		}},
		"section": sections,
	}
}

// entries are the Bundle's entries: the Composition first, the copied
// records in the order they came in, then the authors.
func (x *exporter) entries(comp map[string]any, au authors) []any {
	entries := []any{
		map[string]any{"fullUrl": "urn:uuid:" + comp["id"].(string), "resource": rawJSON(comp)},
	}
	for _, en := range x.order {
		entries = append(entries, map[string]any{"fullUrl": en.fullURL, "resource": rawJSON(en.res)})
	}
	return append(entries,
		map[string]any{"fullUrl": au.userURL, "resource": rawJSON(au.user)},
		map[string]any{"fullUrl": au.deviceURL, "resource": rawJSON(au.device)},
	)
}

// check runs the IPS Checker on the document: it fails on a problem of the
// document itself, and returns the entries' problems.
func check(out []byte) ([]Problem, error) {
	c, err := DefaultChecker()
	if err != nil {
		return nil, err
	}
	res, err := c.Check(out)
	if err != nil {
		return nil, err
	}
	if len(res.Document) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrNotConformant, res.Document[0])
	}
	return res.Entries, nil
}

// exporter collects the records of one document.
type exporter struct {
	r       *store.Reader
	patient string
	byKey   map[string]*entry // "Type/id" -> entry
	order   []*entry
}

// entry is one copied record.
type entry struct {
	ref     store.Ref
	fullURL string
	res     map[string]any
}

// add copies a record into the document once; nil when the store no
// longer holds it.
func (x *exporter) add(ref store.Ref) (*entry, error) {
	if en, ok := x.byKey[ref.Key()]; ok {
		return en, nil
	}
	res, ok, err := x.r.Resource(ref)
	if err != nil {
		return nil, fmt.Errorf("export: read %s: %w", ref.Type, err)
	}
	if !ok {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(res.JSON))
	dec.UseNumber() // numbers are copied exactly as received
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("export: decode %s: %w", ref.Type, err)
	}
	en := &entry{ref: ref, fullURL: "urn:uuid:" + nameUUID(ref.Collection, ref.Key()), res: m}
	x.byKey[ref.Key()] = en
	x.order = append(x.order, en)
	return en, nil
}

// resolve finds the record a reference names: "Type/id", with or without
// a base URL or a _history suffix, in the patient's collection first, then
// fhir.reference. Contained (#id), urn and conditional references resolve
// to nothing here.
func (x *exporter) resolve(ref string) (store.Ref, bool) {
	if strings.HasPrefix(ref, "#") || strings.HasPrefix(ref, "urn:") || strings.ContainsAny(ref, "?") {
		return store.Ref{}, false
	}
	if i := strings.Index(ref, "/_history/"); i >= 0 {
		ref = ref[:i]
	}
	parts := strings.Split(ref, "/")
	if len(parts) < 2 {
		return store.Ref{}, false
	}
	typ, id := parts[len(parts)-2], parts[len(parts)-1]
	if typ == "" || id == "" || typ[0] < 'A' || typ[0] > 'Z' {
		return store.Ref{}, false
	}
	for _, col := range []string{x.patient, store.Reference} {
		sr := store.Ref{Collection: col, Type: typ, ID: id}
		if _, ok := x.byKey[sr.Key()]; ok {
			return x.byKey[sr.Key()].ref, true
		}
		if _, ok, err := x.r.Resource(sr); err == nil && ok {
			return sr, true
		}
	}
	return store.Ref{}, false
}

// rewrite replaces every Reference.reference in a decoded resource by what
// to returns; a reference it cannot place loses its link and keeps (or
// gains) a display, and is counted. Contained references stay.
func rewrite(v any, to func(string) (string, bool), unlinked *int) {
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["reference"].(string); ok && !strings.HasPrefix(ref, "#") {
			if u, ok := to(ref); ok {
				x["reference"] = u
			} else {
				delete(x, "reference")
				if _, ok := x["display"]; !ok {
					if _, ok := x["identifier"]; !ok {
						x["display"] = ref
					}
				}
				*unlinked++
			}
		}
		for k, y := range x {
			if k != "reference" {
				rewrite(y, to, unlinked)
			}
		}
	case []any:
		for _, y := range x {
			rewrite(y, to, unlinked)
		}
	}
}

func concept(system, code, display string) map[string]any {
	return map[string]any{"coding": []any{map[string]any{"system": system, "code": code, "display": display}}}
}

// narrative wraps XHTML content in a generated Narrative.
func narrative(body string) map[string]any {
	return map[string]any{"status": "generated", "div": `<div xmlns="http://www.w3.org/1999/xhtml">` + body + `</div>`}
}

func noInformation(title string) string {
	return "<p>No information available: Chartline's record holds no " + html.EscapeString(strings.ToLower(title)) + " for this patient.</p>"
}

// htmlTable writes rows as an XHTML table (every cell escaped).
func htmlTable(cols []string, rows [][]string) string {
	var b strings.Builder
	b.WriteString("<table><thead><tr>")
	for _, c := range cols {
		b.WriteString("<th>" + html.EscapeString(c) + "</th>")
	}
	b.WriteString("</tr></thead><tbody>")
	for _, r := range rows {
		b.WriteString("<tr>")
		for _, c := range r {
			b.WriteString("<td>" + html.EscapeString(c) + "</td>")
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</tbody></table>")
	return b.String()
}

// rawJSON marshals a resource with resourceType first and without HTML
// escaping (narratives stay readable).
func rawJSON(m map[string]any) json.RawMessage {
	rt, has := m["resourceType"]
	rest := make(map[string]any, len(m))
	for k, v := range m {
		if k != "resourceType" {
			rest[k] = v
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(rest) // maps of JSON values always encode
	body := bytes.TrimSpace(buf.Bytes())
	if !has {
		return body
	}
	head, _ := json.Marshal(rt)
	out := append([]byte(`{"resourceType":`), head...)
	if len(body) > 2 {
		out = append(out, ',')
		out = append(out, body[1:]...)
	} else {
		out = append(out, '}')
	}
	return out
}

// nameUUID is a name-based UUID (RFC 9562 version 5, SHA-1, in a
// Chartline namespace): the same record gets the same fullUrl in every
// export.
func nameUUID(parts ...string) string {
	h := sha1.New()
	h.Write([]byte("chartline-ips"))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	b := h.Sum(nil)[:16]
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b)
}

// randomUUID is a version 4 UUID.
func randomUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand never fails on Linux
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b)
}

func formatUUID(b []byte) string {
	s := hex.EncodeToString(b)
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}

func shortHash(s string) string {
	h := sha1.Sum([]byte(s))
	return hex.EncodeToString(h[:6])
}
