// References within a Bundle: resolving fullUrls and conditional references, and
// rewriting them (and missing ids) into the resource's bytes.

package publish

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/chartline/chartline/app/record"
)

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
