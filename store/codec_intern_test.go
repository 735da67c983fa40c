package store

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// TestInternedDecodeEqualsPlain decodes a varied run of index entries
// through one interner and compares each with a plain decode: sharing the
// repeated strings and code lists changes no value, and a shared code list
// cannot be changed through another entry by an append.
func TestInternedDecodeEqualsPlain(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	var encoded [][]byte
	for i := range 3000 {
		m := Meta{
			Time:      time.UnixMicro(int64(1_700_000_000_000_000 + i)).UTC(),
			Display:   fmt.Sprintf("Heart rate %d /min", 40+rng.IntN(120)),
			Category:  pick("vital-signs", "laboratory", ""),
			Status:    pick("final", "amended", "entered-in-error"),
			Unit:      pick("/min", "%", "mm[Hg]", ""),
			ValueCode: pick("", "http://snomed.info/sct|260385009"),
			Interpret: pick("", "H", "L"),
			Version:   pick("1", "2", ""),
		}
		switch rng.IntN(4) {
		case 0:
		case 1:
			m.Codes = []string{"http://loinc.org|8867-4"}
		case 2:
			m.Codes = []string{"http://loinc.org|8867-4", "http://snomed.info/sct|364075005"}
		default:
			m.Codes = []string{fmt.Sprintf("urn:x|%d", i)} // past internMax for a long run
		}
		if rng.IntN(3) == 0 {
			m.Components = []Component{{Code: "http://loinc.org|8480-6", Unit: "mm[Hg]", HasValue: true, Value: 120}}
		}
		encoded = append(encoded, encodeItem(pick("Observation", "Condition"), fmt.Sprintf("o%d", i), &m))
	}
	in := &interner{}
	var interned []Meta
	for pass := range 2 {
		for i, b := range encoded {
			typ, id, got, err := decodeItem(b, in)
			wtyp, wid, want, werr := decodeItem(b, nil)
			if err != nil || werr != nil {
				t.Fatalf("entry %d: %v / %v", i, err, werr)
			}
			if typ != wtyp || id != wid || !reflect.DeepEqual(got, want) {
				t.Fatalf("pass %d entry %d: interned %+v, plain %+v", pass, i, got, want)
			}
			if pass == 0 {
				interned = append(interned, got)
			}
		}
	}
	shared := 0
	for i := 1; i < len(interned); i++ {
		a, b := interned[i-1].Codes, interned[i].Codes
		if len(a) == 0 || len(b) == 0 || &a[0] != &b[0] {
			continue
		}
		shared++
		before := append([]string(nil), a...)
		_ = append(b, "appended")
		if !reflect.DeepEqual(a, before) || cap(b) != len(b) {
			t.Fatalf("entries %d and %d: an append changed a shared code list (cap %d)", i-1, i, cap(b))
		}
	}
	if shared == 0 {
		t.Fatal("no two entries share a code list: the interner is not used")
	}
	if len(in.strs) > internMax || len(in.codes) > internMax {
		t.Fatalf("interner grew past its bound: %d strings, %d code lists", len(in.strs), len(in.codes))
	}
}
