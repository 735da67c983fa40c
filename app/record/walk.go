package record

import (
	"bytes"
	"fmt"
	"math"
	"unicode/utf8"
)

// Doc is a parsed JSON value read through the scanner Decode uses: the one
// JSON walker of Chartline. `chartline publish` reads its input files with it
// (Bundles, NDJSON lines) and finds each resource's patient through the same
// patient-reference rule as Decode. Strings are not copied: a Doc points into
// the bytes it was parsed from, which must not change while it is used.
type Doc struct {
	d doc
}

// Node is one value of a Doc; a negative Node is "absent", and every method
// accepts it (returning the zero result).
type Node int32

// Root is the document's top-level value.
const Root Node = 0

// JSONError is why ParseJSON refused its input: a Reason (not JSON, too
// deeply nested, number out of range, not UTF-8) and a detail naming the
// byte offset. At is the offset of the first byte the scanner could not read.
type JSONError struct {
	Reason Reason
	Detail string
	At     int
}

// Error returns "reason: detail".
func (e *JSONError) Error() string { return string(e.Reason) + ": " + e.Detail }

// ParseJSON parses the first JSON value of b (after white space) and returns
// its Doc and the offset just past it, so that NDJSON and concatenated
// values are read one after another. It checks syntax, UTF-8, nesting
// (MaxDepth) and number range as Decode does, but takes arrays of any length:
// a Bundle may hold more entries than a resource may hold array elements.
func ParseJSON(b []byte) (*Doc, int, error) {
	// Size the node list from the value's extent when it is one NDJSON line
	// (about one node per 8 bytes of FHIR JSON), so it rarely regrows.
	extent := len(b)
	if nl := bytes.IndexByte(b, '\n'); nl >= 0 {
		extent = nl
	}
	s := &scanner{arrayLimit: math.MaxInt32, doc: doc{nodes: make([]node, 0, min(extent/8, 1<<20)+16)}}
	end, e := s.parsePrefix(b)
	if e != nil {
		return nil, end, &JSONError{Reason: e.reason, Detail: e.detail, At: end}
	}
	if !utf8.Valid(b[:end]) {
		i := invalidUTF8At(b[:end])
		return nil, i, &JSONError{Reason: ReasonNotUTF8, Detail: fmt.Sprintf("invalid UTF-8 at byte %d", i), At: i}
	}
	return &Doc{d: s.doc}, end, nil
}

// IsObject reports whether n is a JSON object.
func (x *Doc) IsObject(n Node) bool { return x.d.kindOf(int32(n)) == kObject }

// IsArray reports whether n is a JSON array.
func (x *Doc) IsArray(n Node) bool { return x.d.kindOf(int32(n)) == kArray }

// IsString reports whether n is a JSON string.
func (x *Doc) IsString(n Node) bool { return x.d.kindOf(int32(n)) == kString }

// IsNull reports whether n is JSON null.
func (x *Doc) IsNull(n Node) bool { return x.d.kindOf(int32(n)) == kNull }

// Get returns member key of object n (the last of duplicates), or -1.
func (x *Doc) Get(n Node, key string) Node { return Node(x.d.get(int32(n), key)) }

// Str returns string n decoded, or "" for any other value.
func (x *Doc) Str(n Node) string { return x.d.str(int32(n)) }

// Bool returns boolean n; ok is false for any other value.
func (x *Doc) Bool(n Node) (v, ok bool) { return x.d.boolean(int32(n)) }

// Len returns the element count of array n, the member count of object n,
// else 0.
func (x *Doc) Len(n Node) int {
	switch x.d.kindOf(int32(n)) {
	case kArray, kObject:
		return int(x.d.nodes[n].end)
	}
	return 0
}

// Elements calls fn with each element of array n in order (n itself once
// when it is a lone non-null value where an array belongs), until fn returns
// false.
func (x *Doc) Elements(n Node, fn func(i int, e Node) bool) {
	e, count := x.d.list(int32(n))
	for i := int32(0); i < count; i, e = i+1, x.d.next(e) {
		if !fn(int(i), Node(e)) {
			return
		}
	}
}

// Members calls fn with each member name and value of object n in order,
// until fn returns false.
func (x *Doc) Members(n Node, fn func(name string, v Node) bool) {
	if x.d.kindOf(int32(n)) != kObject {
		return
	}
	k := int32(n) + 1
	for m := x.d.nodes[n].end; m > 0; m-- {
		if !fn(x.d.str(k), Node(k+1)) {
			return
		}
		k = x.d.nodes[k+1].next
	}
}

// Raw returns the bytes of value n exactly as written (a view, not a copy).
func (x *Doc) Raw(n Node) []byte {
	if n < 0 {
		return nil
	}
	return x.d.raw[x.start(int32(n)):x.end(int32(n))]
}

// start is the first byte of value n.
func (x *Doc) start(n int32) int32 {
	nd := x.d.nodes[n]
	if nd.kind == kString {
		return nd.start - 1 // the opening quote
	}
	return nd.start
}

// end is one past the last byte of value n.
func (x *Doc) end(n int32) int32 {
	d := &x.d
	nd := d.nodes[n]
	switch nd.kind {
	case kString:
		return nd.end + 1
	case kObject, kArray:
		from := nd.start + 1
		if nd.end > 0 {
			// the last child's end, then white space, then the bracket
			last, c := int32(-1), n+1
			for m := nd.end; m > 0; m-- {
				if nd.kind == kObject {
					c++ // the key node; its value follows
				}
				last, c = c, d.nodes[c].next
			}
			from = x.end(last)
		}
		for from < int32(len(d.raw)) && d.raw[from] != '}' && d.raw[from] != ']' {
			from++
		}
		return from + 1
	}
	return nd.end
}

// StringSpan returns the byte offsets of string n's content between its
// quotes, escapes not decoded; ok is false for any other value.
func (x *Doc) StringSpan(n Node) (start, end int, ok bool) {
	if x.d.kindOf(int32(n)) != kString {
		return 0, 0, false
	}
	nd := x.d.nodes[n]
	return int(nd.start), int(nd.end), true
}

// Span returns the byte offsets of value n in the parsed input: Raw(n) is
// Bytes()[start:end].
func (x *Doc) Span(n Node) (start, end int) {
	if n < 0 {
		return 0, 0
	}
	return int(x.start(int32(n))), int(x.end(int32(n)))
}

// Bytes returns the parsed input.
func (x *Doc) Bytes() []byte { return x.d.raw }

// EachString calls fn with every string value, at any depth inside n, of a
// member with the given name, in document order.
func (x *Doc) EachString(n Node, name string, fn func(v Node)) {
	d := &x.d
	if n < 0 {
		return
	}
	stop := d.nodes[n].next
	for i := int32(n); i < stop; i++ {
		if d.nodes[i].kind != kObject {
			continue
		}
		k := i + 1
		for m := d.nodes[i].end; m > 0; m-- {
			v := k + 1
			if d.nodes[v].kind == kString && d.is(k, name) {
				fn(Node(v))
			}
			k = d.nodes[v].next
		}
	}
}

// PatientRefs calls fn with every Reference of resource n (of type typ) that
// may name its patient (the elements of the R4 patient compartment Decode
// checks), until fn returns false.
func (x *Doc) PatientRefs(n Node, typ string, fn func(p RefPath, ref Node) bool) {
	eachPatientRef(&x.d, int32(n), typ, func(p RefPath, ref int32) bool { return fn(p, Node(ref)) })
}

// RefString returns the reference, type and whether an identifier is present
// of the Reference object ref.
func (x *Doc) RefString(ref Node) (reference, typ string, identifier bool) {
	d := &x.d
	r := int32(ref)
	if d.kindOf(r) != kObject {
		return "", "", false
	}
	return string(bytes.TrimSpace([]byte(d.str(d.get(r, "reference"))))), d.text(d.get(r, "type")), d.get(r, "identifier") >= 0
}
