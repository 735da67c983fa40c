package schemareg

import (
	"bytes"
	"errors"
	"testing"

	"github.com/chartline/chartline/app/kafka"
)

func TestUnframe(t *testing.T) {
	json := []byte(`{"resourceType":"Patient","id":"p"}`)
	for _, tc := range []struct {
		name    string
		in      []byte
		id      uint32
		payload []byte
		framed  bool
		err     error
	}{
		{"plain JSON passes through", json, 0, json, false, nil},
		{"whitespace-led JSON passes through", append([]byte(" "), json...), 0, append([]byte(" "), json...), false, nil},
		{"tombstone", nil, 0, nil, false, nil},
		{"framed id 1", Frame(1, json), 1, json, true, nil},
		{"framed big-endian id", Frame(0x01020304, json), 0x01020304, json, true, nil},
		{"header only (5 bytes): empty payload", []byte{0, 0, 0, 0, 7}, 7, []byte{}, true, nil},
		{"4 bytes: one short of the header", []byte{0, 0, 0, 7}, 0, nil, true, ErrTruncated},
		{"magic byte alone", []byte{0}, 0, nil, true, ErrTruncated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, payload, framed, err := Unframe(tc.in)
			if id != tc.id || framed != tc.framed || !errors.Is(err, tc.err) || !bytes.Equal(payload, tc.payload) {
				t.Fatalf("Unframe(% x) = %d, %q, %v, %v", tc.in, id, payload, framed, err)
			}
		})
	}
}

func TestNewRefusesBadSettings(t *testing.T) {
	for _, s := range []Settings{
		{URL: "sr.example:8081"},
		{URL: "ftp://sr.example"},
		{URL: "http://127.0.0.1:1", User: "u"}, // no password
		{URL: "https://127.0.0.1:1", TLS: kafka.TLS{CAFile: "/nonexistent.pem"}}, // unreadable CA
	} {
		if _, err := New(s); err == nil {
			t.Errorf("New(%+v): no error", s)
		}
	}
	if _, err := New(Settings{URL: "http://127.0.0.1:1/", User: "u", Password: "p"}); err != nil {
		t.Errorf("valid settings: %v", err)
	}
}
