package store

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// FuzzUnseal feeds arbitrary bytes to the unsealer: it must never panic and
// never return a plaintext for anything but the exact sealed value.
func FuzzUnseal(f *testing.F) {
	master := bytes.Repeat([]byte{7}, 32)
	k, err := newKeyring(master)
	if err != nil {
		f.Fatal(err)
	}
	l := loc([]byte("key"), bCol, []byte("0123456789abcdef"), bRaw)
	plain := []byte(`{"resourceType":"Observation","id":"o1","status":"final","valueQuantity":{"value":72}}` + string(bytes.Repeat([]byte(" "), 200)))
	good, err := k.seal(l, plain, true)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add([]byte{})
	f.Add([]byte{sealVersion})
	f.Add(append([]byte{2}, good[1:]...))
	f.Fuzz(func(t *testing.T, sealed []byte) {
		out, err := k.unseal(l, sealed)
		if err == nil {
			// Only a value sealed with this key for this location opens, and
			// it opens to what was sealed. The seed corpus is sealed in the
			// process that builds it and the nonce is random, so a fuzzing
			// worker sees genuine values that differ from its own good.
			if !bytes.Equal(out, plain) {
				t.Fatalf("value opened to another plaintext: %x", sealed)
			}
			return
		}
		if bytes.Equal(sealed, good) {
			t.Fatalf("the genuine value failed: %v", err)
		}
		if !errors.Is(err, ErrTampered) {
			t.Fatalf("error is not ErrTampered: %v", err)
		}
	})
}

// FuzzDecodeItem feeds arbitrary bytes to the index entry decoder: it must
// never panic or allocate without bound.
func FuzzDecodeItem(f *testing.F) {
	f.Add(encodeItem("Observation", "o1", &Meta{Display: "x", Codes: []string{"a|b"}, Components: []Component{{Code: "c"}}, Patient: &Demographics{Name: "n"}}))
	f.Add([]byte{metaVersion})
	f.Add([]byte{metaVersion, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		typ, id, m, err := decodeItem(b, nil)
		// Decoded through an interner, the first time (filling it) and the
		// second (reading from it), the entry is the same, or fails alike
		// (what a failed decode leaves behind is never read).
		in := &interner{}
		for range 2 {
			ityp, iid, im, ierr := decodeItem(b, in)
			if (ierr == nil) != (err == nil) || err == nil && (ityp != typ || iid != id || !reflect.DeepEqual(im, m)) {
				t.Fatalf("interned decode differs: %v %+v, plain %v %+v", ierr, im, err, m)
			}
		}
		if err == nil {
			again := encodeItem(typ, id, &m)
			if _, _, _, err := decodeItem(again, nil); err != nil {
				t.Fatalf("re-encoded entry does not decode: %v", err)
			}
		}
	})
}
