package record

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"
)

// The conformance check walks a resource's JSON against a schema derived, by
// reflection, from the golang-fhir-models struct of its type: the same
// elements, shapes and code lists the typed model reads, so the check reports
// exactly what the model would drop or fail on, without paying for the typed
// decode on the ingest path.

// shape is what an element's JSON value must be for the typed model to read it.
type shape uint8

const (
	shString   shape = iota + 1 // a JSON string (FHIR string, code-less primitives, dates, xhtml)
	shBool                      // true or false
	shInt                       // an integer literal that fits in int64
	shDecimal                   // a JSON number (json.Number)
	shCode                      // a string from a fixed code list (a generated enum type)
	shStruct                    // an object (a datatype or backbone element)
	shResource                  // a whole resource (json.RawMessage: Bundle.entry.resource, Parameters…)
)

// element is one JSON member of a struct schema.
type element struct {
	name     string // JSON name
	shape    shape
	list     bool // a JSON array (0..*)
	optional bool // a pointer or slice: null is read as absent
	required bool // 1..1 in R4 (no omitempty in the model)
	req      int  // index of its group in the schema's required list, -1 when optional
	typ      string
	st       *schema   // shStruct
	codes    *codeList // shCode
	goType   reflect.Type
}

// codeList is the closed code list of a generated enum type.
type codeList struct {
	name  string
	codes map[string]struct{}
}

// schema is the element list of one struct type of the model.
type schema struct {
	name     string // Go type name: "Observation", "ObservationComponent", "Quantity"
	resource bool   // a resource (carries resourceType, contained)
	elements []element
	byName   map[string]int
	required []requirement
}

// requirement is a required element, or a required choice element (value[x]:
// the model marks every variant required, one of them is).
type requirement struct {
	name string // "status", "value[x]"
}

// schemaSet is the schema of every resource type, and of Extension.
type schemaSet struct {
	types     map[string]*schema
	extension *schema
}

// schemas builds the schema set on first use (a few milliseconds) and then
// only reads it: no lock after the first call.
var schemas = sync.OnceValue(buildSchemas)

func buildSchemas() *schemaSet {
	b := schemaBuilder{seen: map[reflect.Type]*schema{}, codes: map[reflect.Type]*codeList{}}
	set := &schemaSet{types: make(map[string]*schema, len(resourceTypes))}
	for name, t := range resourceTypes {
		s := b.build(t)
		s.resource = true
		set.types[name] = s
	}
	set.extension = b.build(reflect.TypeFor[fhir.Extension]())
	return set
}

type schemaBuilder struct {
	seen  map[reflect.Type]*schema
	codes map[reflect.Type]*codeList
}

var (
	rawMessageType = reflect.TypeFor[json.RawMessage]()
	numberType     = reflect.TypeFor[json.Number]()
	unmarshalerT   = reflect.TypeFor[json.Unmarshaler]()
)

func (b *schemaBuilder) build(t reflect.Type) *schema {
	if s, ok := b.seen[t]; ok {
		return s
	}
	s := &schema{name: t.Name(), byName: map[string]int{}}
	b.seen[t] = s
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" || name == "-" {
			continue
		}
		e := element{name: name, required: !strings.Contains(opts, "omitempty")}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			e.optional = true
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Slice && ft != rawMessageType {
			e.list = true
			e.optional = true
			ft = ft.Elem()
		}
		e.goType = ft
		e.typ = ft.Name()
		switch {
		case ft == rawMessageType:
			e.shape = shResource
		case ft == numberType:
			e.shape = shDecimal
		case reflect.PointerTo(ft).Implements(unmarshalerT):
			e.shape = shCode
			e.codes = b.codeList(ft)
		case ft.Kind() == reflect.String:
			e.shape = shString
		case ft.Kind() == reflect.Bool:
			e.shape = shBool
		case ft.Kind() == reflect.Int:
			e.shape = shInt
		case ft.Kind() == reflect.Struct:
			e.shape = shStruct
			e.st = b.build(ft)
		default:
			panic(fmt.Sprintf("record: unexpected field type %s in %s.%s", f.Type, t.Name(), f.Name))
		}
		s.byName[name] = len(s.elements)
		e.req = -1
		s.elements = append(s.elements, e)
	}
	s.groupRequired()
	return s
}

// groupRequired lists the required elements, one requirement per choice.
func (s *schema) groupRequired() {
	groups := map[string]int{}
	for i := range s.elements {
		e := &s.elements[i]
		if !e.required {
			continue
		}
		name := e.name
		if p := choicePrefix(s, e.name); p != "" {
			name = p + "[x]"
		}
		g, ok := groups[name]
		if !ok {
			if len(s.required) >= 64 {
				panic(fmt.Sprintf("record: %s has more than 64 required elements", s.name))
			}
			g = len(s.required)
			groups[name] = g
			s.required = append(s.required, requirement{name: name})
		}
		e.req = g
	}
}

// choicePrefix returns "value" for "valueQuantity" when the schema has other
// variants of value[x], else "".
func choicePrefix(s *schema, name string) string {
	for _, t := range choiceTypes {
		prefix, ok := strings.CutSuffix(name, t)
		if !ok || prefix == "" {
			continue
		}
		for i := range s.elements {
			other := s.elements[i].name
			if other != name && strings.HasPrefix(other, prefix) && isChoiceSuffix(other[len(prefix):]) {
				return prefix
			}
		}
	}
	return ""
}

// codeList lists the codes of a generated enum type by asking each value for
// its Code() until the model answers "<unknown>".
func (b *schemaBuilder) codeList(t reflect.Type) *codeList {
	if c, ok := b.codes[t]; ok {
		return c
	}
	c := &codeList{name: t.Name(), codes: map[string]struct{}{}}
	m, ok := t.MethodByName("Code")
	if !ok || t.Kind() != reflect.Int {
		panic(fmt.Sprintf("record: enum type %s has no Code method", t))
	}
	for i := 0; i < 10_000; i++ {
		v := reflect.New(t).Elem()
		v.SetInt(int64(i))
		code := m.Func.Call([]reflect.Value{v})[0].String()
		if code == "<unknown>" {
			break
		}
		c.codes[code] = struct{}{}
	}
	b.codes[t] = c
	return c
}

// lookup finds a member name in s: exactly, or, as encoding/json does,
// ignoring case (folded reports that). hint is where the previous member was
// found, plus one: JSON written in the R4 element order (most servers and
// Synthea write it so) finds its next member within a few elements of the
// last, without hashing.
func (s *schema) lookup(name []byte, hint *int) (e *element, folded bool) {
	for i, end := *hint, min(*hint+8, len(s.elements)); i < end; i++ {
		if s.elements[i].name == string(name) {
			*hint = i + 1
			return &s.elements[i], false
		}
	}
	if i, ok := s.byName[string(name)]; ok {
		*hint = i + 1
		return &s.elements[i], false
	}
	for i := range s.elements {
		if strings.EqualFold(s.elements[i].name, string(name)) {
			return &s.elements[i], true
		}
	}
	return nil, false
}
