// Reading the input: one JSON value or NDJSON lines, Bundles and their entries,
// into items not yet routed.

package publish

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/record"
)

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
