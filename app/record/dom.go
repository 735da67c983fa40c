package record

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// get returns the value node of member key in object n, or -1. As in
// encoding/json, the last of duplicate members wins. The resource object
// itself, asked for most often, is looked up through its hash index.
func (d *doc) get(n int32, key string) int32 {
	if n < 0 || d.nodes[n].kind != kObject {
		return -1
	}
	if n == 0 && d.root.built {
		return d.root.lookup(d, key)
	}
	found := int32(-1)
	i := n + 1
	for m := d.nodes[n].end; m > 0; m-- {
		k := &d.nodes[i]
		if k.flags&fEscaped == 0 {
			if int(k.end-k.start) == len(key) && string(d.raw[k.start:k.end]) == key {
				found = i + 1
			}
		} else if d.str(i) == key {
			found = i + 1
		}
		i = d.nodes[i+1].next
	}
	return found
}

// rootSlots is the size of the root member index: a power of two, at least
// twice the members indexed.
const rootSlots = 128

// memberIndex is an open-addressing hash of the root object's member names
// (FNV-1a), built once per document: the rules, the schema walk and Meta ask
// the root for some forty names, most of them absent.
type memberIndex struct {
	built bool
	slots [rootSlots]struct {
		hash  uint32
		value int32 // value node + 1; 0 is an empty slot
	}
}

func fnv[T string | []byte](b T) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(b); i++ {
		h ^= uint32(b[i])
		h *= 16777619
	}
	return h
}

// indexRoot builds the root index, unless the root has too many members or
// an escaped name (then get scans, as for any other object).
func (d *doc) indexRoot() {
	d.root.built = false
	if len(d.nodes) == 0 || d.nodes[0].kind != kObject || d.nodes[0].end > rootSlots/2 {
		return
	}
	clear(d.root.slots[:])
	i := int32(1)
	for m := d.nodes[0].end; m > 0; m-- {
		if d.nodes[i].flags&fEscaped != 0 {
			return
		}
		name := d.bytes(i)
		h := fnv(name)
		for j := h & (rootSlots - 1); ; j = (j + 1) & (rootSlots - 1) {
			sl := &d.root.slots[j]
			if sl.value == 0 || (sl.hash == h && bytes.Equal(d.bytes(sl.value-2), name)) {
				sl.hash, sl.value = h, i+2 // the last duplicate wins
				break
			}
		}
		i = d.nodes[i+1].next
	}
	d.root.built = true
}

func (ix *memberIndex) lookup(d *doc, key string) int32 {
	h := fnv(key)
	for j := h & (rootSlots - 1); ; j = (j + 1) & (rootSlots - 1) {
		sl := &ix.slots[j]
		if sl.value == 0 {
			return -1
		}
		if sl.hash == h {
			k := &d.nodes[sl.value-2]
			if int(k.end-k.start) == len(key) && string(d.raw[k.start:k.end]) == key {
				return sl.value - 1
			}
		}
	}
}

// at follows a path of member names from n, taking the first element of any
// array on the way (tolerating a lone object where an array belongs).
func (d *doc) at(n int32, keys ...string) int32 {
	for _, k := range keys {
		n = d.get(d.first(n), k)
		if n < 0 {
			return -1
		}
	}
	return n
}

// first returns the first element of array n, n itself when it is an object
// (tolerating a lone object where an array belongs), else -1.
func (d *doc) first(n int32) int32 {
	if n < 0 {
		return -1
	}
	switch d.nodes[n].kind {
	case kArray:
		if d.nodes[n].end == 0 {
			return -1
		}
		return n + 1
	case kObject:
		return n
	}
	return -1
}

// list returns the first node and the count of the elements of n: an array's
// elements, or n alone when it is any other non-null value.
func (d *doc) list(n int32) (first, count int32) {
	if n < 0 {
		return -1, 0
	}
	switch d.nodes[n].kind {
	case kArray:
		return n + 1, d.nodes[n].end
	case kNull:
		return -1, 0
	}
	return n, 1
}

// next returns the node after n's subtree: the next sibling in an array.
func (d *doc) next(n int32) int32 { return d.nodes[n].next }

// is reports whether node n is the string s, without allocating.
func (d *doc) is(n int32, s string) bool {
	if n < 0 || d.nodes[n].kind != kString {
		return false
	}
	nd := d.nodes[n]
	if nd.flags&fEscaped == 0 {
		return string(d.raw[nd.start:nd.end]) == s
	}
	return d.str(n) == s
}

// bytes returns the raw bytes of string node n between its quotes (escapes
// not decoded), or nil.
func (d *doc) bytes(n int32) []byte {
	if n < 0 || d.nodes[n].kind != kString {
		return nil
	}
	return d.raw[d.nodes[n].start:d.nodes[n].end]
}

// str returns string node n decoded, or "" for any other node.
func (d *doc) str(n int32) string {
	if n < 0 || d.nodes[n].kind != kString {
		return ""
	}
	nd := d.nodes[n]
	b := d.raw[nd.start:nd.end]
	if nd.flags&fEscaped == 0 {
		return string(b)
	}
	return unescape(b)
}

// rawText returns the trimmed bytes of string node n without copying them
// when it holds no escapes (decoded otherwise), or nil.
func (d *doc) rawText(n int32) []byte {
	if n < 0 || d.nodes[n].kind != kString {
		return nil
	}
	if d.nodes[n].flags&fEscaped != 0 {
		return []byte(d.text(n))
	}
	return bytes.TrimSpace(d.raw[d.nodes[n].start:d.nodes[n].end])
}

// text returns the trimmed string at n, or "".
func (d *doc) text(n int32) string { return strings.TrimSpace(d.str(n)) }

// literal returns the raw text of a number node, or of a string node's
// content, or "".
func (d *doc) literal(n int32) string {
	if n < 0 {
		return ""
	}
	switch d.nodes[n].kind {
	case kNumber:
		return string(d.raw[d.nodes[n].start:d.nodes[n].end])
	case kString:
		return strings.TrimSpace(d.str(n))
	}
	return ""
}

// num reads a number node, or a string holding a JSON number (tolerated:
// some feeds quote decimals). It returns the value and its literal as written.
func (d *doc) num(n int32) (v float64, lit string, ok bool) {
	if n < 0 {
		return 0, "", false
	}
	switch d.nodes[n].kind {
	case kNumber:
		lit = string(d.raw[d.nodes[n].start:d.nodes[n].end])
	case kString:
		lit = strings.TrimSpace(d.str(n))
		if !isNumberLiteral(lit) {
			return 0, "", false
		}
	default:
		return 0, "", false
	}
	v, err := strconv.ParseFloat(lit, 64)
	if err != nil {
		return 0, "", false
	}
	return v, lit, true
}

// number reads a number node, or a string holding a JSON number, without
// keeping its literal.
func (d *doc) number(n int32) (float64, bool) {
	if n < 0 {
		return 0, false
	}
	var b []byte
	switch d.nodes[n].kind {
	case kNumber:
		b = d.raw[d.nodes[n].start:d.nodes[n].end]
	case kString:
		b = d.rawText(n)
		if !isNumberLiteral(string(b)) {
			return 0, false
		}
	default:
		return 0, false
	}
	v, err := strconv.ParseFloat(string(b), 64)
	return v, err == nil
}

// boolean reads a boolean node.
func (d *doc) boolean(n int32) (v, ok bool) {
	if n < 0 {
		return false, false
	}
	switch d.nodes[n].kind {
	case kTrue:
		return true, true
	case kFalse:
		return false, true
	}
	return false, false
}

// kindOf returns the kind of node n, 0 when n < 0.
func (d *doc) kindOf(n int32) kind {
	if n < 0 {
		return 0
	}
	return d.nodes[n].kind
}

// isNumberLiteral reports whether s is a JSON number.
func isNumberLiteral(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i >= len(s) || !isDigit(s[i]) {
		return false
	}
	if s[i] == '0' {
		i++
	} else {
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	return i == len(s)
}

// unescape decodes the body of a JSON string already checked by the scanner.
// Lone surrogates become U+FFFD, as in encoding/json.
func unescape(b []byte) string {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		c := b[i]
		if c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		switch b[i+1] {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := hex4(b[i+2 : i+6])
			i += 6
			if utf16.IsSurrogate(r) {
				if i+6 <= len(b) && b[i] == '\\' && b[i+1] == 'u' {
					if r2 := utf16.DecodeRune(r, hex4(b[i+2:i+6])); r2 != utf8.RuneError {
						out = utf8.AppendRune(out, r2)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
			continue
		default: // '"', '\\', '/'
			out = append(out, b[i+1])
		}
		i += 2
	}
	return string(out)
}

func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		default:
			r |= rune(c - 'A' + 10)
		}
	}
	return r
}
