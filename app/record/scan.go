package record

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Limits of the scanner, part of the record rules (see the package doc).
const (
	// MaxDepth is the deepest nesting of objects and arrays accepted; the
	// resource object itself is level 1. The deepest real R4 resources
	// (nested Questionnaire items, extensions within extensions) stay well
	// under it; recursion and memory stay bounded for hostile input.
	MaxDepth = 64
	// MaxArrayLen is the largest number of elements accepted in one JSON
	// array. No resource a clinician views carries more (a Group's member
	// list that long belongs in a bulk export, not on a topic).
	MaxArrayLen = 10_000
)

// kind is the JSON type of a node.
type kind uint8

const (
	kNull kind = iota + 1
	kFalse
	kTrue
	kNumber
	kString
	kObject
	kArray
)

func (k kind) String() string {
	switch k {
	case kNull:
		return "null"
	case kFalse, kTrue:
		return "a boolean"
	case kNumber:
		return "a number"
	case kString:
		return "a string"
	case kObject:
		return "an object"
	case kArray:
		return "an array"
	}
	return "nothing"
}

// Node flags.
const (
	fEscaped  = 1 << iota // a string holding backslash escapes
	fFraction             // a number with a fraction or an exponent (not an integer literal)
)

// node is one JSON value in a parsed document. Nodes are stored in document
// order in one slice: an object is followed by its members (a key node, then
// the value's nodes), an array by its elements.
type node struct {
	start int32 // string: first byte after the quote; number: first byte; object/array: the bracket
	end   int32 // string: the closing quote; number: one past the last byte; object/array: member or element count
	next  int32 // index of the first node after this value's subtree
	kind  kind
	flags uint8
}

// doc is a parsed JSON document: the raw bytes and their nodes. Strings are
// not copied: nodes point into raw.
type doc struct {
	raw   []byte
	nodes []node
	root  memberIndex
}

// scanError is why the scanner refused a value.
type scanError struct {
	reason Reason
	detail string
}

// frame is one open container while scanning, kept to name the path of an
// error ("component[3].code").
type frame struct {
	node int32 // the container's node
	key  int32 // object: the key node of the member being read, -1 before the first
	elem int32 // array: the index of the element being read
}

// scanner parses one value. It is reused through scanners to keep the node
// slice's memory.
type scanner struct {
	doc
	pos   int
	stack [MaxDepth + 1]frame
	depth int
	err   *scanError
	check checker // the conformance walk of the same record, kept for its buffers
	// arrayLimit is the longest array accepted; 0 is MaxArrayLen. ParseJSON
	// lifts it for whole input files (a Bundle of more than 10,000 entries).
	arrayLimit int32
}

// scanners pools scanners (per-P, no global lock on the fast path).
var scanners = sync.Pool{New: func() any { return &scanner{doc: doc{nodes: make([]node, 0, 256)}} }}

// maxPooledNodes is the largest node slice returned to the pool; larger ones
// (hostile or huge values) are left to the garbage collector.
const maxPooledNodes = 1 << 14

func getScanner() *scanner { return scanners.Get().(*scanner) }

func putScanner(s *scanner) {
	if cap(s.nodes) > maxPooledNodes {
		return
	}
	s.raw = nil
	s.nodes = s.nodes[:0]
	s.root.built = false
	s.err = nil
	scanners.Put(s)
}

// parsePrefix scans the first JSON value of b (after white space), building
// s.nodes, and returns the offset just past it; what follows is not read.
func (s *scanner) parsePrefix(b []byte) (int, *scanError) {
	s.raw = b
	s.nodes = s.nodes[:0]
	s.root.built = false
	s.pos = 0
	s.depth = 0
	s.err = nil
	s.skipSpace()
	if !s.value() {
		return s.pos, s.err
	}
	s.indexRoot()
	return s.pos, nil
}

// parse scans b as one JSON object value, building s.nodes. It checks JSON
// syntax, nesting depth, array length and number range; b must already be
// valid UTF-8 and start (after white space) with '{'.
func (s *scanner) parse(b []byte) *scanError {
	s.raw = b
	s.nodes = s.nodes[:0]
	s.root.built = false
	s.pos = 0
	s.depth = 0
	s.err = nil
	s.skipSpace()
	if !s.value() {
		return s.err
	}
	s.skipSpace()
	if s.pos < len(s.raw) {
		return &scanError{ReasonNotJSON, fmt.Sprintf("unexpected %s after the JSON value at byte %d", s.quoteByte(s.pos), s.pos)}
	}
	s.indexRoot()
	return nil
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.raw) {
		switch s.raw[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// quoteByte names the byte at i for an error message.
func (s *scanner) quoteByte(i int) string {
	if i >= len(s.raw) {
		return "end"
	}
	c := s.raw[i]
	if c < 0x20 || c >= 0x7f {
		return fmt.Sprintf("byte 0x%02x", c)
	}
	return strconv.QuoteRune(rune(c))
}

func (s *scanner) fail(reason Reason, detail string) bool {
	s.err = &scanError{reason, detail}
	return false
}

// syntax records a JSON syntax error at the current position.
func (s *scanner) syntax(want string) bool {
	if s.pos >= len(s.raw) {
		return s.fail(ReasonNotJSON, fmt.Sprintf("truncated: the value ends at byte %d inside %s, %s expected", len(s.raw), s.where(), want))
	}
	return s.fail(ReasonNotJSON, fmt.Sprintf("unexpected %s at byte %d in %s, %s expected", s.quoteByte(s.pos), s.pos, s.where(), want))
}

// where names the path being read, from the stack ("component[3].code").
func (s *scanner) where() string { return s.whereAt(s.depth) }

// whereAt names the path of the first depth open containers' current members.
func (s *scanner) whereAt(depth int) string {
	var b strings.Builder
	for i := 0; i < depth; i++ {
		f := s.stack[i]
		switch s.nodes[f.node].kind {
		case kObject:
			if f.key >= 0 {
				writeSeg(&b, s.doc.str(f.key))
			}
		case kArray:
			if f.elem >= 0 {
				fmt.Fprintf(&b, "[%d]", f.elem)
			}
		}
	}
	if b.Len() == 0 {
		if depth == 0 {
			return "the top level"
		}
		return "the resource"
	}
	return b.String()
}

func writeSeg(b *strings.Builder, key string) {
	if b.Len() > 0 {
		b.WriteByte('.')
	}
	b.WriteString(shorten(key))
}

// shorten cuts s to 60 runes, marking the cut with "…", so that a hostile
// member name or literal cannot bloat a refusal or a problem.
func shorten(s string) string {
	if len(s) <= 60 {
		return s
	}
	n := 0
	for i := range s {
		if n == 60 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

func (s *scanner) push(kind kind) int32 {
	i := int32(len(s.nodes))
	s.nodes = append(s.nodes, node{start: int32(s.pos), kind: kind})
	return i
}

// value scans one value at s.pos (white space already skipped).
func (s *scanner) value() bool {
	if s.pos >= len(s.raw) {
		return s.syntax("a value")
	}
	switch c := s.raw[s.pos]; c {
	case '{':
		return s.object()
	case '[':
		return s.array()
	case '"':
		return s.scanString()
	case 't':
		return s.literal("true", kTrue)
	case 'f':
		return s.literal("false", kFalse)
	case 'n':
		return s.literal("null", kNull)
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			return s.number()
		}
		return s.syntax("a value")
	}
}

func (s *scanner) literal(word string, k kind) bool {
	if len(s.raw)-s.pos < len(word) || string(s.raw[s.pos:s.pos+len(word)]) != word {
		// find the first differing byte for a precise position
		for i := 0; i < len(word); i++ {
			if s.pos+i >= len(s.raw) || s.raw[s.pos+i] != word[i] {
				s.pos += i
				return s.syntax(strconv.Quote(word))
			}
		}
	}
	n := s.push(k)
	s.pos += len(word)
	s.nodes[n].end = int32(s.pos)
	s.nodes[n].next = n + 1
	return true
}

func (s *scanner) open(n int32) bool {
	if s.depth >= MaxDepth {
		return s.fail(ReasonTooDeep, fmt.Sprintf("nesting deeper than %d levels at byte %d in %s", MaxDepth, s.pos, s.where()))
	}
	s.stack[s.depth] = frame{node: n, key: -1}
	s.depth++
	return true
}

func (s *scanner) object() bool {
	n := s.push(kObject)
	if !s.open(n) {
		return false
	}
	f := &s.stack[s.depth-1]
	s.pos++ // '{'
	s.skipSpace()
	count := int32(0)
	if s.pos < len(s.raw) && s.raw[s.pos] == '}' {
		s.pos++
	} else {
		for {
			if s.pos >= len(s.raw) || s.raw[s.pos] != '"' {
				return s.syntax("a member name")
			}
			k := int32(len(s.nodes))
			if !s.scanString() {
				return false
			}
			f.key = k // only once the name is whole: an error inside it names the object
			s.skipSpace()
			if s.pos >= len(s.raw) || s.raw[s.pos] != ':' {
				return s.syntax("':'")
			}
			s.pos++
			s.skipSpace()
			if !s.value() {
				return false
			}
			count++
			f.key = -1 // between members
			s.skipSpace()
			if s.pos >= len(s.raw) {
				return s.syntax("',' or '}'")
			}
			if s.raw[s.pos] == ',' {
				s.pos++
				s.skipSpace()
				continue
			}
			if s.raw[s.pos] == '}' {
				s.pos++
				break
			}
			return s.syntax("',' or '}'")
		}
	}
	s.depth--
	s.nodes[n].end = count
	s.nodes[n].next = int32(len(s.nodes))
	return true
}

func (s *scanner) array() bool {
	n := s.push(kArray)
	if !s.open(n) {
		return false
	}
	f := &s.stack[s.depth-1]
	s.pos++ // '['
	s.skipSpace()
	count := int32(0)
	if s.pos < len(s.raw) && s.raw[s.pos] == ']' {
		s.pos++
	} else {
		for {
			if count >= MaxArrayLen && (s.arrayLimit == 0 || count >= s.arrayLimit) {
				return s.fail(ReasonArrayTooLarge, fmt.Sprintf("array %s at byte %d has more than %d elements", s.whereAt(s.depth-1), s.nodes[n].start, MaxArrayLen))
			}
			f.elem = count
			if !s.value() {
				return false
			}
			count++
			f.elem = -1 // between elements
			s.skipSpace()
			if s.pos >= len(s.raw) {
				return s.syntax("',' or ']'")
			}
			if s.raw[s.pos] == ',' {
				s.pos++
				s.skipSpace()
				continue
			}
			if s.raw[s.pos] == ']' {
				s.pos++
				break
			}
			return s.syntax("',' or ']'")
		}
	}
	s.depth--
	s.nodes[n].end = count
	s.nodes[n].next = int32(len(s.nodes))
	return true
}

// scanString scans a string; the input is valid UTF-8, so only control bytes and
// escapes need checking.
func (s *scanner) scanString() bool {
	s.pos++ // opening quote
	n := s.push(kString)
	b := s.raw
	i := s.pos
	var flags uint8
	for {
		// fast path: plain bytes
		for i < len(b) && b[i] >= 0x20 && b[i] != '"' && b[i] != '\\' {
			i++
		}
		if i >= len(b) {
			s.pos = i
			return s.syntax("a closing '\"'")
		}
		switch c := b[i]; {
		case c == '"':
			s.nodes[n].end = int32(i)
			s.nodes[n].next = n + 1
			s.nodes[n].flags = flags
			s.pos = i + 1
			return true
		case c == '\\':
			flags |= fEscaped
			if i+1 >= len(b) {
				s.pos = i + 1
				return s.syntax("an escape")
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				for k := 2; k < 6; k++ {
					if i+k >= len(b) || !isHex(b[i+k]) {
						s.pos = i + k
						return s.syntax("a hex digit of a \\u escape")
					}
				}
				i += 6
			default:
				s.pos = i + 1
				return s.syntax("an escape")
			}
		default: // control byte
			s.pos = i
			return s.fail(ReasonNotJSON, fmt.Sprintf("unescaped control %s at byte %d in a string in %s", s.quoteByte(i), i, s.where()))
		}
	}
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// number scans a number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?,
// refusing one that overflows float64.
func (s *scanner) number() bool {
	n := s.push(kNumber)
	b := s.raw
	i := s.pos
	if b[i] == '-' {
		i++
	}
	if i >= len(b) || !isDigit(b[i]) {
		s.pos = i
		return s.syntax("a digit")
	}
	if b[i] == '0' {
		i++
	} else {
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	var flags uint8
	exp := false
	if i < len(b) && b[i] == '.' {
		flags |= fFraction
		i++
		if i >= len(b) || !isDigit(b[i]) {
			s.pos = i
			return s.syntax("a digit after '.'")
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		flags |= fFraction
		exp = true
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			s.pos = i
			return s.syntax("a digit of the exponent")
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	// Only an exponent or more than 308 digits can overflow float64.
	if exp || i-s.pos > 308 {
		if _, err := strconv.ParseFloat(string(b[s.pos:i]), 64); err != nil {
			lit := string(b[s.pos:i])
			if len(lit) > 40 {
				lit = lit[:20] + "…" + lit[len(lit)-10:]
			}
			return s.fail(ReasonNumberRange, fmt.Sprintf("number %s at byte %d in %s is out of float64 range", lit, s.pos, s.where()))
		}
	}
	s.nodes[n].end = int32(i)
	s.nodes[n].next = n + 1
	s.nodes[n].flags = flags
	s.pos = i
	return true
}
