package ips

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

//go:generate go run ./gen -o profiles.json

// profilesJSON is the cardinality table derived from the IPS package by
// ./gen (see its doc): per profile, the snapshot elements with min > 0,
// max 0 or a max below the base, and the slices the checker can select.
//
//go:embed profiles.json
var profilesJSON []byte

// Profile URLs the export declares and the checker selects by.
const (
	ProfileBundle      = "http://hl7.org/fhir/uv/ips/StructureDefinition/Bundle-uv-ips"
	ProfileComposition = "http://hl7.org/fhir/uv/ips/StructureDefinition/Composition-uv-ips"
	profileLab         = "http://hl7.org/fhir/uv/ips/StructureDefinition/Observation-results-laboratory-pathology-uv-ips"
)

type table struct {
	Source   string             `json:"source"`
	Profiles map[string]profile `json:"profiles"`
}

type profile struct {
	URL      string    `json:"url"`
	Type     string    `json:"type"`
	Elements []element `json:"elements"`
}

type element struct {
	ID      string `json:"id"`
	Min     int    `json:"min"`
	Max     string `json:"max"`
	Code    string `json:"code,omitempty"`
	Profile string `json:"profile,omitempty"`
}

// Checker checks a document Bundle against the IPS profiles' cardinalities
// and the document rules the export promises. It holds no mutable state
// after construction and is safe for concurrent use.
type Checker struct {
	t *table
	// byType is the IPS profile a resource of a type is checked against
	// (Observations: the laboratory profile when their category says
	// laboratory, none otherwise).
	byType map[string]string
	// sectionCode maps a Composition section slice to its LOINC code;
	// entrySlice maps a Bundle entry slice to the profile of its resource.
	sectionCode map[string]string
	entrySlice  map[string]string
}

// Problem is one way a document breaks a rule: where (an element path,
// with the entry index for an entry's resource, never an id), and what.
type Problem struct {
	Where   string
	Profile string // the profile broken, "" for a document rule
	What    string
}

func (p Problem) String() string {
	if p.Profile == "" {
		return p.Where + ": " + p.What
	}
	return p.Where + ": " + p.What + " (" + p.Profile[strings.LastIndexByte(p.Profile, '/')+1:] + ")"
}

// Result is a check's outcome. Document problems (the Bundle, its
// Composition, references that do not resolve) are Chartline's to fix: the
// export refuses to write such a document. Entry problems are what the
// source records lack for their IPS resource profile (a laboratory result
// without a performer): the record is exported as it is and the problem
// reported.
type Result struct {
	Document []Problem
	Entries  []Problem
}

var (
	defaultOnce    sync.Once
	defaultChecker *Checker
	defaultErr     error
)

// DefaultChecker returns the checker over the embedded table (built once;
// the table is read-only).
func DefaultChecker() (*Checker, error) {
	defaultOnce.Do(func() { defaultChecker, defaultErr = NewChecker(profilesJSON) })
	return defaultChecker, defaultErr
}

// NewChecker reads a table in ./gen's format.
func NewChecker(tableJSON []byte) (*Checker, error) {
	var t table
	if err := json.Unmarshal(tableJSON, &t); err != nil {
		return nil, fmt.Errorf("read IPS profile table: %w", err)
	}
	for _, need := range []string{ProfileBundle, ProfileComposition} {
		if _, ok := t.Profiles[need]; !ok {
			return nil, fmt.Errorf("IPS profile table has no %s", need)
		}
	}
	c := &Checker{t: &t, byType: map[string]string{}, sectionCode: map[string]string{}, entrySlice: map[string]string{}}
	for url, p := range t.Profiles {
		if p.Type == "Observation" || p.Type == "Bundle" || p.Type == "Composition" {
			continue
		}
		c.byType[p.Type] = url
	}
	for _, e := range t.Profiles[ProfileComposition].Elements {
		if slice, ok := strings.CutSuffix(e.ID, ".code"); ok && strings.HasPrefix(slice, "Composition.section:") && e.Code != "" {
			c.sectionCode[strings.TrimPrefix(slice, "Composition.section:")] = e.Code
		}
	}
	for _, e := range t.Profiles[ProfileBundle].Elements {
		if slice, ok := strings.CutSuffix(e.ID, ".resource"); ok && strings.HasPrefix(slice, "Bundle.entry:") && e.Profile != "" {
			c.entrySlice[strings.TrimPrefix(slice, "Bundle.entry:")] = e.Profile
		}
	}
	return c, nil
}

// Source says where the table came from.
func (c *Checker) Source() string { return c.t.Source }

// profileOf is the IPS profile a resource is checked against, "" for none.
func (c *Checker) profileOf(res map[string]any) string {
	typ, _ := res["resourceType"].(string)
	switch typ {
	case "Composition":
		return ProfileComposition
	case "Observation":
		if hasCoding(res["category"], "laboratory") {
			return profileLab
		}
		return ""
	}
	return c.byType[typ]
}

// Check checks a document Bundle's JSON.
func (c *Checker) Check(doc []byte) (Result, error) {
	var b map[string]any
	if err := json.Unmarshal(doc, &b); err != nil {
		return Result{}, fmt.Errorf("check IPS document: %w", err)
	}
	var res Result
	if b["resourceType"] != "Bundle" {
		res.Document = append(res.Document, Problem{Where: "Bundle", What: "not a Bundle"})
		return res, nil
	}
	res.Document = append(res.Document, c.walk(ProfileBundle, "", b)...)
	res.Document = append(res.Document, documentRules(b)...)
	for i, e := range items(b["entry"]) {
		r, _ := e["resource"].(map[string]any)
		if r == nil {
			continue
		}
		p := c.profileOf(r)
		if p == "" {
			continue
		}
		where := fmt.Sprintf("entry %d ", i)
		probs := c.walk(p, where, r)
		if p == ProfileComposition {
			res.Document = append(res.Document, probs...)
			res.Document = append(res.Document, sectionRules(c, where, r)...)
			continue
		}
		res.Entries = append(res.Entries, probs...)
	}
	return res, nil
}

// walk checks every element of a profile's table on one instance.
func (c *Checker) walk(url, where string, root map[string]any) []Problem {
	p, ok := c.t.Profiles[url]
	if !ok {
		return nil
	}
	var out []Problem
	for _, e := range p.Elements {
		segs := strings.Split(e.ID, ".")[1:]
		parents := []map[string]any{root}
		for _, s := range segs[:len(segs)-1] {
			parents = c.children(parents, s)
		}
		last := segs[len(segs)-1]
		maxN := -1
		if e.Max != "*" {
			maxN, _ = strconv.Atoi(e.Max)
		}
		for _, par := range parents {
			vals := c.values(par, last)
			n := len(vals)
			if n < e.Min {
				out = append(out, Problem{Where: where + e.ID, Profile: url, What: fmt.Sprintf("%d found, at least %d required", n, e.Min)})
			}
			if maxN >= 0 && n > maxN {
				out = append(out, Problem{Where: where + e.ID, Profile: url, What: fmt.Sprintf("%d found, at most %d allowed", n, maxN)})
			}
			if e.Code != "" && !strings.Contains(last, ":") {
				for _, v := range vals {
					if !codeIs(v, e.Code) {
						out = append(out, Problem{Where: where + e.ID, Profile: url, What: "must be " + e.Code})
					}
				}
			}
		}
	}
	return out
}

// children returns the object values of one path segment ("section" or
// "section:sectionProblems") under each parent.
func (c *Checker) children(parents []map[string]any, seg string) []map[string]any {
	var out []map[string]any
	for _, p := range parents {
		for _, v := range c.values(p, seg) {
			if m, ok := v.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	return out
}

// values returns an element's values in an instance: the array's items or
// the one value; a choice element (value[x]) takes any of its types; a
// primitive present only as its extension (_birthDate) counts; a slice
// keeps the items it selects.
func (c *Checker) values(obj map[string]any, seg string) []any {
	name, slice, sliced := strings.Cut(seg, ":")
	var raw []any
	add := func(v any) {
		if arr, ok := v.([]any); ok {
			raw = append(raw, arr...)
		} else if v != nil {
			raw = append(raw, v)
		}
	}
	if base, ok := strings.CutSuffix(name, "[x]"); ok {
		for k, v := range obj {
			if strings.HasPrefix(k, base) && len(k) > len(base) && k[len(base)] >= 'A' && k[len(base)] <= 'Z' {
				add(v)
			}
		}
	} else if v, ok := obj[name]; ok {
		add(v)
	} else if v, ok := obj["_"+name]; ok {
		add(v)
	}
	if !sliced {
		return raw
	}
	var out []any
	for _, v := range raw {
		m, _ := v.(map[string]any)
		if m != nil && c.inSlice(name, slice, m) {
			out = append(out, v)
		}
	}
	return out
}

// inSlice reports whether an item belongs to a named slice: a section by
// its code, a Bundle entry by the profile its resource is checked against.
func (c *Checker) inSlice(name, slice string, m map[string]any) bool {
	switch name {
	case "section":
		code, ok := c.sectionCode[slice]
		return ok && hasCoding(m["code"], code)
	case "entry":
		want, ok := c.entrySlice[slice]
		r, _ := m["resource"].(map[string]any)
		return ok && r != nil && c.profileOf(r) == want
	}
	return false
}

// documentRules are the FHIR document rules the profile tables do not
// carry: bdl-11 (the first entry is a Composition), bdl-7 (fullUrls are
// unique), bdl-9 (identifier with system and value), and IPS's own: every
// reference resolves to an entry of the bundle.
func documentRules(b map[string]any) []Problem {
	var out []Problem
	entries := items(b["entry"])
	if len(entries) == 0 {
		return append(out, Problem{Where: "Bundle.entry", What: "no entries"})
	}
	if r, _ := entries[0]["resource"].(map[string]any); r == nil || r["resourceType"] != "Composition" {
		out = append(out, Problem{Where: "Bundle.entry[0]", What: "the first entry must be the Composition (bdl-11)"})
	}
	if id, _ := b["identifier"].(map[string]any); id == nil || id["system"] == nil || id["value"] == nil {
		out = append(out, Problem{Where: "Bundle.identifier", What: "needs system and value (bdl-9)"})
	}
	full := map[string]bool{}
	for i, e := range entries {
		u, _ := e["fullUrl"].(string)
		if u == "" {
			continue // the table's min 1 reports it
		}
		if full[u] {
			out = append(out, Problem{Where: fmt.Sprintf("Bundle.entry[%d].fullUrl", i), What: "not unique (bdl-7)"})
		}
		full[u] = true
	}
	byTypeID := map[string]bool{} // "Type/id" of every entry's resource
	for _, e := range entries {
		if r, _ := e["resource"].(map[string]any); r != nil {
			typ, _ := r["resourceType"].(string)
			id, _ := r["id"].(string)
			byTypeID[typ+"/"+id] = true
		}
	}
	for i, e := range entries {
		r, _ := e["resource"].(map[string]any)
		base := restBase(e["fullUrl"])
		eachReference(r, func(ref string) {
			if !resolves(ref, base, full, byTypeID) {
				out = append(out, Problem{Where: fmt.Sprintf("Bundle.entry[%d].resource", i), What: "a reference does not resolve inside the bundle"})
			}
		})
	}
	return out
}

// resolves applies FHIR R4's rules for resolving references in a Bundle
// (http.html#3.3.1 "Resolving references in Bundles"): a contained
// reference stays inside its resource; an absolute reference (a urn or a
// URL) must be an entry's fullUrl; a relative "Type/id" resolves against
// the RESTful base of the referencing entry's fullUrl, or, when that is a
// urn, to the entry whose resource is Type/id.
func resolves(ref, base string, full, byTypeID map[string]bool) bool {
	switch {
	case strings.HasPrefix(ref, "#"):
		return true
	case full[ref]:
		return true
	case strings.HasPrefix(ref, "urn:") || strings.Contains(ref, "://"):
		return false
	}
	ref, _, _ = strings.Cut(ref, "/_history/")
	if base != "" {
		return full[base+"/"+ref]
	}
	return byTypeID[ref]
}

// restBase is the service base of a RESTful fullUrl
// ("https://example.org/fhir/Patient/1" -> "https://example.org/fhir"),
// "" for a urn.
func restBase(v any) string {
	u, _ := v.(string)
	if !strings.Contains(u, "://") {
		return ""
	}
	parts := strings.Split(u, "/")
	if len(parts) < 3 {
		return ""
	}
	return strings.Join(parts[:len(parts)-2], "/")
}

// sectionRules are the Composition section invariants: cmp-1 (text, entry
// or section), cmp-2 (emptyReason only when there is no entry) and
// ips-comp-1 (the required sections have entries or an emptyReason).
func sectionRules(c *Checker, where string, comp map[string]any) []Problem {
	required := map[string]bool{}
	for _, e := range c.t.Profiles[ProfileComposition].Elements {
		if slice, ok := strings.CutPrefix(e.ID, "Composition.section:"); ok && !strings.Contains(slice, ".") && e.Min > 0 {
			required[c.sectionCode[slice]] = true
		}
	}
	var out []Problem
	for i, s := range items(comp["section"]) {
		at := fmt.Sprintf("%sComposition.section[%d]", where, i)
		_, hasText := s["text"]
		entries := items(s["entry"])
		_, hasEmpty := s["emptyReason"]
		if !hasText && len(entries) == 0 && s["section"] == nil {
			out = append(out, Problem{Where: at, What: "no text, entry or section (cmp-1)"})
		}
		if hasEmpty && len(entries) > 0 {
			out = append(out, Problem{Where: at, What: "emptyReason with entries (cmp-2)"})
		}
		for code := range required {
			if hasCoding(s["code"], code) && !hasEmpty && len(entries) == 0 {
				out = append(out, Problem{Where: at, What: "a required section needs entries or an emptyReason (ips-comp-1)"})
			}
		}
		for j, e := range entries {
			if ref, _ := e["reference"].(string); ref == "" {
				out = append(out, Problem{Where: fmt.Sprintf("%s.entry[%d]", at, j), What: "no reference"})
			}
		}
	}
	return out
}

// items returns the objects of a JSON array value.
func items(v any) []map[string]any {
	arr, _ := v.([]any)
	out := make([]map[string]any, 0, len(arr))
	for _, x := range arr {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// hasCoding reports whether a CodeableConcept (or an array of them) has a
// coding with the code.
func hasCoding(v any, code string) bool {
	switch x := v.(type) {
	case []any:
		for _, y := range x {
			if hasCoding(y, code) {
				return true
			}
		}
	case map[string]any:
		for _, cd := range items(x["coding"]) {
			if cd["code"] == code {
				return true
			}
		}
	}
	return false
}

// codeIs reports whether a value is the code, or a CodeableConcept with it.
func codeIs(v any, code string) bool {
	if s, ok := v.(string); ok {
		return s == code
	}
	return hasCoding(v, code)
}

// eachReference calls fn with every Reference.reference string in a
// decoded resource.
func eachReference(v any, fn func(string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, y := range x {
			if k == "reference" {
				if s, ok := y.(string); ok {
					fn(s)
					continue
				}
			}
			eachReference(y, fn)
		}
	case []any:
		for _, y := range x {
			eachReference(y, fn)
		}
	}
}
