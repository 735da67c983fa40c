package record

import (
	"fmt"
	"strconv"
	"strings"
)

// maxProblems is the most conformance problems kept per resource; the rest
// are counted in one closing line, so a hostile value cannot bloat its Meta.
const maxProblems = 16

// seg is one step of a path: a member name or an array index.
type seg struct {
	key  int32  // key node, or -1
	name string // member name when key < 0
	idx  int32  // array index when key < 0 and name == ""
}

// checker walks a parsed resource against its schema and collects the
// conformance problems in words.
type checker struct {
	d        *doc
	problems []string
	more     int // problems beyond maxProblems
	// hard counts the problems the typed model fails on (a wrong shape, an
	// unknown code) inside what it reads; the rest are elements it drops or
	// notes. Tests compare it with a real typed decode.
	hard int
	path []seg
}

func (c *checker) reset(d *doc) {
	c.d = d
	c.problems = c.problems[:0]
	c.more = 0
	c.hard = 0
	c.path = c.path[:0]
}

// pathString renders the current path: "component[1].valueQuantity.value".
func (c *checker) pathString() string {
	var b strings.Builder
	for _, s := range c.path {
		switch {
		case s.key >= 0:
			writeSeg(&b, c.d.str(s.key))
		case s.name != "":
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.name)
		default:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(int(s.idx)))
			b.WriteByte(']')
		}
	}
	if b.Len() == 0 {
		return "resource"
	}
	return b.String()
}

// problem records a problem at the current path.
func (c *checker) problem(hard bool, format string, args ...any) {
	if hard {
		c.hard++
	}
	if len(c.problems) >= maxProblems {
		c.more++
		return
	}
	c.problems = append(c.problems, c.pathString()+": "+fmt.Sprintf(format, args...))
}

// note records a problem found outside the walk (a date, a reference).
func (c *checker) note(path, format string, args ...any) {
	if len(c.problems) >= maxProblems {
		c.more++
		return
	}
	c.problems = append(c.problems, path+": "+fmt.Sprintf(format, args...))
}

// result returns the problems as Meta.Problems wants them (nil when none).
func (c *checker) result() []string {
	if len(c.problems) == 0 {
		return nil
	}
	out := make([]string, len(c.problems), len(c.problems)+1)
	copy(out, c.problems)
	if c.more > 0 {
		out = append(out, fmt.Sprintf("… and %d more problems", c.more))
	}
	return out
}

// resource checks object n as a resource of schema s. model says whether the
// typed model reads this part (the top-level resource) or drops it (contained
// resources, Bundle entries).
func (c *checker) resource(n int32, s *schema, model bool) {
	c.object(n, s, model)
}

// nested checks a resource held inside another (contained, Bundle.entry.resource).
func (c *checker) nested(n int32) {
	d := c.d
	if d.kindOf(n) != kObject {
		c.problem(false, "expected a resource, found %s", d.kindOf(n))
		return
	}
	rt := d.get(n, "resourceType")
	if rt < 0 {
		c.problem(false, "not a resource: no resourceType")
		return
	}
	s := schemas().types[d.str(rt)]
	if s == nil {
		c.problem(false, "resourceType %s is not an R4 resource type", quoteShort(d.str(rt)))
		return
	}
	c.object(n, s, false)
}

func (c *checker) object(n int32, s *schema, model bool) {
	d := c.d
	var seen uint64 // required elements present, by position in s.required (≤ 64)
	hint := 0
	i := n + 1
	for m := int32(0); m < d.nodes[n].end; m++ {
		k, v := i, i+1
		i = d.nodes[v].next
		name := d.bytes(k)
		if d.nodes[k].flags&fEscaped != 0 {
			name = []byte(d.str(k))
		}
		c.path = append(c.path, seg{key: k})
		e, folded := s.lookup(name, &hint)
		switch {
		case e != nil:
			if folded {
				c.problem(false, "element name in the wrong case (read as %q)", e.name)
			}
			c.value(v, e, model)
			if e.req >= 0 {
				seen |= 1 << e.req
			}
		case s.resource && string(name) == "resourceType":
			// checked by Decode, or by nested
		case s.resource && string(name) == "contained":
			c.contained(v)
		case len(name) > 1 && name[0] == '_' && s.has(name[1:]):
			// extensions and ids of a primitive element ("_birthDate"): not read by
			// the model, valid R4
		default:
			c.problem(false, "not an R4 element of %s; dropped", s.name)
		}
		c.path = c.path[:len(c.path)-1]
	}
	for ri, r := range s.required {
		if seen&(1<<ri) == 0 {
			c.path = append(c.path, seg{key: -1, name: r.name})
			c.problem(false, "required element missing")
			c.path = c.path[:len(c.path)-1]
		}
	}
}

// has reports whether s has an element of that exact name.
func (s *schema) has(name []byte) bool {
	_, ok := s.byName[string(name)]
	return ok
}

func (c *checker) contained(n int32) {
	d := c.d
	switch d.kindOf(n) {
	case kNull:
		return
	case kArray:
	default:
		c.problem(false, "expected an array of resources, found %s", d.kindOf(n))
		return
	}
	e := n + 1
	for i := int32(0); i < d.nodes[n].end; i++ {
		c.path = append(c.path, seg{key: -1, idx: i})
		c.nested(e)
		c.path = c.path[:len(c.path)-1]
		e = d.nodes[e].next
	}
}

// value checks the value of element e.
func (c *checker) value(n int32, e *element, model bool) {
	d := c.d
	k := d.nodes[n].kind
	if !e.list {
		c.single(n, e, model)
		return
	}
	switch k {
	case kNull:
		return
	case kArray:
	default:
		c.problem(model, "expected an array, found %s", k)
		return
	}
	el := n + 1
	for i := int32(0); i < d.nodes[n].end; i++ {
		c.path = append(c.path, seg{key: -1, idx: i})
		c.single(el, e, model)
		c.path = c.path[:len(c.path)-1]
		el = d.nodes[el].next
	}
}

// single checks one value (not a list) of element e, mirroring what
// encoding/json does when it decodes it into the model's field.
func (c *checker) single(n int32, e *element, model bool) {
	d := c.d
	nd := d.nodes[n]
	k := nd.kind
	// null is absent for pointers, slices, strings, numbers, booleans and
	// structs; only a non-pointer code calls the enum's decoder, which fails.
	if k == kNull && (e.shape != shCode || (e.optional && !e.list)) {
		return
	}
	switch e.shape {
	case shString:
		if k != kString {
			c.problem(model, "expected a string, found %s", k)
		}
	case shBool:
		if k != kTrue && k != kFalse {
			c.problem(model, "expected true or false, found %s", describe(d, n))
		}
	case shInt:
		if k != kNumber {
			c.problem(model, "expected an integer, found %s", describe(d, n))
		} else if _, err := strconv.ParseInt(string(d.raw[nd.start:nd.end]), 10, 64); err != nil {
			c.problem(model, "expected an integer, found %s", describe(d, n))
		}
	case shDecimal:
		switch k {
		case kNumber:
		case kString:
			if s := d.str(n); isNumberLiteral(s) {
				c.problem(false, "decimal written as a string %s", quoteShort(s))
			} else {
				c.problem(model, "expected a decimal, found the string %s", quoteShort(s))
			}
		default:
			c.problem(model, "expected a decimal, found %s", k)
		}
	case shCode:
		if k != kString {
			c.problem(model, "expected a code, found %s", describe(d, n))
		} else if _, ok := e.codes.codes[string(d.bytes(n))]; !ok {
			c.problem(model, "unknown code %s", quoteShort(d.str(n)))
		}
	case shStruct:
		if k != kObject {
			c.problem(model, "expected an object (%s), found %s", e.typ, describe(d, n))
			return
		}
		c.object(n, e.st, model)
	case shResource:
		c.nested(n)
	}
}

// describe names a value for a problem: its kind, with short literals quoted.
func describe(d *doc, n int32) string {
	switch k := d.nodes[n].kind; k {
	case kString:
		return "the string " + quoteShort(d.str(n))
	case kNumber:
		return shorten(d.literal(n))
	case kTrue:
		return "true"
	case kFalse:
		return "false"
	default:
		return k.String()
	}
}

// quoteShort quotes s, shortened to 60 runes.
func quoteShort(s string) string { return strconv.Quote(shorten(s)) }
