package demo

import (
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// object is a JSON object whose members keep the order they were written in,
// so generated resources read the way FHIR servers write them (resourceType
// and id first) and always encode to the same bytes.
type object []member

type member struct {
	key   string
	value any
}

// obj builds an object from alternating keys and values. A nil value, an
// empty string, an empty object or an empty list drops the member, so
// optional fields can be written inline.
func obj(kv ...any) object {
	if len(kv)%2 != 0 {
		panic("demo: obj needs key/value pairs")
	}
	o := make(object, 0, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			panic(fmt.Sprintf("demo: obj key %v is not a string", kv[i]))
		}
		if empty(kv[i+1]) {
			continue
		}
		o = append(o, member{k, kv[i+1]})
	}
	return o
}

// set replaces the value of key, or appends the member.
func (o object) set(key string, v any) object {
	for i := range o {
		if o[i].key == key {
			o[i].value = v
			return o
		}
	}
	return append(o, member{key, v})
}

// get returns the value of key, or nil.
func (o object) get(key string) any {
	for _, m := range o {
		if m.key == key {
			return m.value
		}
	}
	return nil
}

func empty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case object:
		return len(v) == 0
	case []object:
		return len(v) == 0
	case []any:
		return len(v) == 0
	case []string:
		return len(v) == 0
	}
	return false
}

// MarshalJSON encodes the object compactly, members in order.
func (o object) MarshalJSON() ([]byte, error) { return o.append(nil), nil }

// append encodes the object onto b.
func (o object) append(b []byte) []byte {
	b = append(b, '{')
	for i, m := range o {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, m.key)
		b = append(b, ':')
		b = appendValue(b, m.value)
	}
	return append(b, '}')
}

func appendValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case object:
		return v.append(b)
	case []object:
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = e.append(b)
		}
		return append(b, ']')
	case []any:
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, e)
		}
		return append(b, ']')
	case []string:
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, e)
		}
		return append(b, ']')
	case string:
		return appendString(b, v)
	case bool:
		return strconv.AppendBool(b, v)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case int64:
		return strconv.AppendInt(b, v, 10)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			panic("demo: non-finite number in a resource")
		}
		return strconv.AppendFloat(b, v, 'f', -1, 64)
	case rawJSON:
		return append(b, v...)
	}
	panic(fmt.Sprintf("demo: cannot encode %T", v))
}

// rawJSON is already-encoded JSON spliced in as is.
type rawJSON []byte

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string. Generated text is valid UTF-8 and
// is written unescaped apart from what JSON requires.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			i++
			continue
		}
		if c >= 0x20 && c != '"' && c != '\\' {
			i++
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\t':
			b = append(b, '\\', 't')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
