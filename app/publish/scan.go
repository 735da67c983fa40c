package publish

import (
	"bytes"
	"encoding/json"
	"errors"
)

// A shallow JSON walker: Split reads a few members of large documents whose
// validity json.Valid has already checked, without decoding (and copying)
// everything encoding/json would. It finds boundaries only; it is not a
// validator.

// errSyntax reports JSON the walker cannot follow.
var errSyntax = errors.New("malformed JSON")

// members calls fn with the name (unquoted) and raw value of each member of the
// JSON object obj, in order, until fn returns false.
func members(obj []byte, fn func(name, val []byte) bool) error {
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return errSyntax
	}
	i = skipSpace(obj, i+1)
	if i < len(obj) && obj[i] == '}' {
		return nil
	}
	for {
		if i >= len(obj) || obj[i] != '"' {
			return errSyntax
		}
		e := stringEnd(obj, i)
		if e < 0 {
			return errSyntax
		}
		name := obj[i+1 : e]
		if bytes.IndexByte(name, '\\') >= 0 {
			var s string
			if json.Unmarshal(obj[i:e+1], &s) != nil {
				return errSyntax
			}
			name = []byte(s)
		}
		i = skipSpace(obj, e+1)
		if i >= len(obj) || obj[i] != ':' {
			return errSyntax
		}
		i = skipSpace(obj, i+1)
		if i >= len(obj) {
			return errSyntax
		}
		end := valueEnd(obj, i)
		if end < 0 {
			return errSyntax
		}
		if !fn(name, obj[i:end]) {
			return nil
		}
		i = skipSpace(obj, end)
		switch {
		case i >= len(obj):
			return errSyntax
		case obj[i] == '}':
			return nil
		case obj[i] != ',':
			return errSyntax
		}
		i = skipSpace(obj, i+1)
	}
}

// elements calls fn with each raw element of the JSON array arr, in order.
func elements(arr []byte, fn func(val []byte) error) error {
	i := skipSpace(arr, 0)
	if i >= len(arr) || arr[i] != '[' {
		return errSyntax
	}
	i = skipSpace(arr, i+1)
	if i < len(arr) && arr[i] == ']' {
		return nil
	}
	for {
		if i >= len(arr) {
			return errSyntax
		}
		end := valueEnd(arr, i)
		if end < 0 {
			return errSyntax
		}
		if err := fn(arr[i:end]); err != nil {
			return err
		}
		i = skipSpace(arr, end)
		switch {
		case i >= len(arr):
			return errSyntax
		case arr[i] == ']':
			return nil
		case arr[i] != ',':
			return errSyntax
		}
		i = skipSpace(arr, i+1)
	}
}

// stringValue reads a raw JSON string token; ok is false for anything else.
func stringValue(tok []byte) (string, bool) {
	if len(tok) < 2 || tok[0] != '"' || tok[len(tok)-1] != '"' {
		return "", false
	}
	if bytes.IndexByte(tok, '\\') < 0 {
		return string(tok[1 : len(tok)-1]), true
	}
	var s string
	if json.Unmarshal(tok, &s) != nil {
		return "", false
	}
	return s, true
}

// valueEnd returns the end of the JSON value that starts at i (an object,
// array or string, matched with their nesting and escapes; anything else up
// to the next space or delimiter), or -1 when it is unterminated.
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		if e := stringEnd(b, i); e >= 0 {
			return e + 1
		}
		return -1
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				e := stringEnd(b, j)
				if e < 0 {
					return -1
				}
				j = e
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i + 1
	for j < len(b) && !isDelim(b[j]) {
		j++
	}
	return j
}

// isDelim reports whether c ends a JSON number or literal.
func isDelim(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '{', '}', '[', ']', ',', ':', '"':
		return true
	}
	return false
}

// escaped reports whether the byte at i is preceded by an odd number of
// backslashes.
func escaped(b []byte, i int) bool {
	n := 0
	for i--; i >= 0 && b[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// skipSpace skips JSON whitespace from i.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index of the closing quote of the string starting at
// the quote at i, or -1.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return -1
}
