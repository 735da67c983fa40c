// Sealing: a changed or moved sealed value reads as ErrTampered, and no PHI is in the file in plaintext.

package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// seqOf finds the sequence that keys a resource's raw value.
func seqOf(t *testing.T, s *Store, collection, typ, id string) uint64 {
	t.Helper()
	var seq uint64
	var ok bool
	err := s.View(func(r *Reader) error {
		col, cb := r.colBuckets(collection)
		var err error
		seq, ok, err = s.lookup(cb, col, s.keys.idKey(collection, typ, id))
		return err
	})
	if err != nil || !ok {
		t.Fatalf("lookup %s/%s: %v %v", typ, id, ok, err)
	}
	return seq
}

// sealedValue returns the sealed bytes of a resource's raw JSON.
func sealedValue(t *testing.T, s *Store, collection, typ, id string) []byte {
	t.Helper()
	seq := seqOf(t, s, collection, typ, id)
	var v []byte
	s.db.View(func(tx *bolt.Tx) error {
		v = bytes.Clone(tx.Bucket(bRaw).Get(seqKey(seq)))
		return nil
	})
	if v == nil {
		t.Fatal("value not found")
	}
	return v
}

func TestFlippedByteIsTampered(t *testing.T) {
	s, path := newTestStore(t)
	mustApply(t, s, &Batch{Puts: []Resource{obsPut("p", "o1", 72, time.Now()), obsPut("p", "o2", 75, time.Now())}})
	sealed := sealedValue(t, s, "p", "Observation", "o1")
	s.Close()

	img, _ := os.ReadFile(path)
	at := bytes.Index(img, sealed)
	if at < 0 {
		t.Fatal("sealed value not in the file image")
	}
	img[at+len(sealed)/2] ^= 0x01
	if err := os.WriteFile(path, img, 0o600); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(path, testPass, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	_, ok, err := s2.Resource(Ref{Collection: "p", Type: "Observation", ID: "o1"})
	if !errors.Is(err, ErrTampered) || ok {
		t.Fatalf("flipped byte: ok=%v err=%v, want ErrTampered", ok, err)
	}
	var te *TamperError
	if !errors.As(err, &te) || !strings.HasPrefix(te.Where, "raw/") {
		t.Fatalf("error does not say where: %v", err)
	}
	// Its neighbour still opens: the damage is reported where it is; a
	// read that reaches the damaged record reports it, never skips it.
	if _, ok, err := s2.Resource(Ref{Collection: "p", Type: "Observation", ID: "o2"}); !ok || err != nil {
		t.Fatalf("undamaged record: ok=%v err=%v", ok, err)
	}
	if _, err := s2.Items("p"); !errors.Is(err, ErrTampered) {
		t.Fatalf("items over the damaged record: %v, want ErrTampered", err)
	}
}

func TestSwappedValuesAreTampered(t *testing.T) {
	s, _ := newTestStore(t)
	mustApply(t, s, &Batch{Puts: []Resource{obsPut("p", "o1", 72, time.Now()), obsPut("p", "o2", 140, time.Now())}})
	s1, s2 := seqOf(t, s, "p", "Observation", "o1"), seqOf(t, s, "p", "Observation", "o2")
	err := s.db.Update(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bRaw)
		k1, k2 := seqKey(s1), seqKey(s2)
		v1, v2 := bytes.Clone(raw.Get(k1)), bytes.Clone(raw.Get(k2))
		return errors.Join(raw.Put(k1, v2), raw.Put(k2, v1))
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"o1", "o2"} {
		if _, _, err := s.Resource(Ref{Collection: "p", Type: "Observation", ID: id}); !errors.Is(err, ErrTampered) {
			t.Errorf("%s after swap: %v, want ErrTampered", id, err)
		}
	}
	// Another patient's record pointed to from this patient's bucket fails
	// too, and so does a pointer moved to another resource's key.
	mustApply(t, s, &Batch{Puts: []Resource{obsPut("q", "o1", 50, time.Now()), obsPut("r", "o3", 51, time.Now())}})
	qseq := seqOf(t, s, "q", "Observation", "o1")
	err = s.db.Update(func(tx *bolt.Tx) error {
		to := tx.Bucket(bCol).Bucket(s.keys.collectionTag("r")).Bucket(bIDs)
		return to.Put(s.keys.idKey("r", "Observation", "o3"), seqKey(qseq))
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Items("r"); !errors.Is(err, ErrTampered) {
		t.Fatalf("pointer to another patient's record: %v, want ErrTampered", err)
	}
	if _, _, err := s.Resource(Ref{Collection: "r", Type: "Observation", ID: "o3"}); !errors.Is(err, ErrTampered) {
		t.Fatalf("resource through a moved pointer: %v, want ErrTampered", err)
	}
}

func TestNoPlaintextPHIInFile(t *testing.T) {
	s, path := newTestStore(t)
	type person struct{ id, family, given, mrn, birth string }
	people := []person{
		{"pt-ab12", "Øster", "Åse", "MRN-5531902", "1961-07-14"},
		{"pt-cd34", "Kierkegaard", "Søren", "MRN-8812733", "1947-03-09"},
		{"pt-ef56", "Brontë-Dąbrowska", "Zoë", "MRN-2290017", "1988-12-30"},
	}
	var puts []Resource
	for i, p := range people {
		puts = append(puts, patientPut(p.id, p.family, p.given, p.mrn, p.birth))
		for j := 0; j < 50; j++ {
			puts = append(puts, obsPut(p.id, fmt.Sprintf("obs-%d-%d", i, j), float64(60+j), time.Now()))
		}
	}
	offs := map[TopicPartition]int64{}
	var quar []Quarantined
	var docs []Doc
	for _, p := range people {
		offs[TopicPartition{Topic: "fhir.patient." + p.id}] = 51
		quar = append(quar, Quarantined{Topic: "fhir.patient." + p.id, Offset: 7, Key: []byte("Observation/" + p.id), Value: []byte(p.family), Reason: "key/id mismatch"})
		docs = append(docs, Doc{Kind: "alert", Key: "alert-" + p.id, Patient: p.id, Value: []byte(p.mrn)})
	}
	mustApply(t, s, &Batch{Puts: puts, Offsets: offs, Quarantine: quar, Docs: docs,
		Enqueue: []OutboxItem{{ID: "act-1", Topic: "spv.audit", Key: []byte(people[0].id), Value: []byte(people[0].family)}}})
	var keys [][]byte
	s.db.View(func(tx *bolt.Tx) error {
		var walk func(b *bolt.Bucket)
		walk = func(b *bolt.Bucket) {
			b.ForEach(func(k, v []byte) error {
				keys = append(keys, bytes.Clone(k))
				if v == nil {
					walk(b.Bucket(k))
				}
				return nil
			})
		}
		tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			keys = append(keys, bytes.Clone(name))
			walk(b)
			return nil
		})
		return nil
	})
	s.Close()
	img, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) < 300 {
		t.Fatalf("walked only %d keys", len(keys))
	}
	for _, p := range people {
		for _, secret := range []string{p.id, p.family, p.given, p.mrn, p.birth, "8867-4", "Heart rate"} {
			if bytes.Contains(img, []byte(secret)) {
				t.Errorf("file contains %q in plaintext", secret)
			}
			for _, k := range keys {
				if bytes.Contains(k, []byte(secret)) {
					t.Errorf("a bbolt key contains %q", secret)
				}
			}
		}
	}
}
