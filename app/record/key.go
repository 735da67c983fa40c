package record

import "fmt"

// maxIDLen is the longest FHIR id (R4 §2.24 id: [A-Za-z0-9\-\.]{1,64}).
const maxIDLen = 64

// ParseKey splits a record key "<ResourceType>/<id>". The type must look like
// a resource type name (an upper-case letter, then letters; Decode checks it
// against the R4 list and the value) and the id must be a FHIR id:
// [A-Za-z0-9\-.]{1,64}. The error is a *Refusal with ReasonBadKey, so a
// tombstone with a bad key can be quarantined like any other record.
func ParseKey(key []byte) (typ, id string, err error) {
	slash := -1
	for i, c := range key {
		if c == '/' {
			slash = i
			break
		}
	}
	switch {
	case len(key) == 0:
		return "", "", &Refusal{ReasonBadKey, "the key is empty"}
	case slash < 0:
		return "", "", &Refusal{ReasonBadKey, fmt.Sprintf("key %s is not <ResourceType>/<id>", quoteShort(string(key)))}
	case slash == 0:
		return "", "", &Refusal{ReasonBadKey, fmt.Sprintf("key %s has no resource type", quoteShort(string(key)))}
	case slash > 64:
		return "", "", &Refusal{ReasonBadKey, fmt.Sprintf("key %s has a resource type longer than 64 letters", quoteShort(string(key)))}
	}
	t, rest := key[:slash], key[slash+1:]
	if t[0] < 'A' || t[0] > 'Z' {
		return "", "", &Refusal{ReasonBadKey, fmt.Sprintf("key %s: a resource type starts with an upper-case letter", quoteShort(string(key)))}
	}
	for _, c := range t {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return "", "", &Refusal{ReasonBadKey, fmt.Sprintf("key %s: the resource type holds %s", quoteShort(string(key)), quoteByte(c))}
		}
	}
	switch {
	case len(rest) == 0:
		return "", "", &Refusal{ReasonBadKey, fmt.Sprintf("key %s has no id", quoteShort(string(key)))}
	case len(rest) > maxIDLen:
		return "", "", &Refusal{ReasonBadKey, fmt.Sprintf("key %s: the id is %d characters, longer than %d", quoteShort(string(key)), len(rest), maxIDLen)}
	}
	for _, c := range rest {
		if !isIDByte(c) {
			return "", "", &Refusal{ReasonBadKey, fmt.Sprintf("key %s: the id holds %s, outside [A-Za-z0-9-.]", quoteShort(string(key)), quoteByte(c))}
		}
	}
	typ, ok := typeNames[string(t)]
	if !ok {
		typ = string(t)
	}
	return typ, string(rest), nil
}

// typeNames holds each R4 resource type name once, so a key's type costs no
// allocation. It is never written after package initialisation.
var typeNames = func() map[string]string {
	m := make(map[string]string, len(resourceTypes))
	for name := range resourceTypes {
		m[name] = name
	}
	return m
}()

func isIDByte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.'
}

// quoteByte names a byte for a message: 'x', or 0xNN when not printable ASCII.
func quoteByte(c byte) string {
	if c < 0x20 || c >= 0x7f {
		return fmt.Sprintf("byte 0x%02x", c)
	}
	return fmt.Sprintf("%q", rune(c))
}

// IsResourceType reports whether name is one of the 146 resource types of
// FHIR R4 (4.0.1), exactly as spelled there. The abstract Resource and
// DomainResource are not.
func IsResourceType(name string) bool {
	_, ok := resourceTypes[name]
	return ok
}
