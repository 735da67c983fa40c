package store

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A big collection is read on every core (eachParallel): it must return
// exactly what the one-goroutine walk returns, and fail the same way on
// every kind of damage.
func TestItemsOfABigCollection(t *testing.T) {
	at := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	fill := func(t *testing.T, n int) *Store {
		s, _ := newTestStore(t)
		puts := make([]Resource, 0, n+1)
		puts = append(puts, patientPut("p", "Ng", "Ana", "MRN-1", "1950-01-01"))
		for i := range n {
			puts = append(puts, obsPut("p", fmt.Sprintf("o%05d", i), float64(i), at.Add(time.Duration(i)*time.Minute)))
		}
		mustApply(t, s, &Batch{Puts: puts})
		// A second patient's records interleave with the first's in raw.
		mustApply(t, s, &Batch{Puts: []Resource{obsPut("q", "x", 1, at), obsPut("p", "late", 999, at)}})
		return s
	}
	for _, n := range []int{parallelOpenMin - 10, parallelOpenMin + 10, 3 * parallelOpenMin} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			s := fill(t, n)
			items, err := s.Items("p")
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != n+2 {
				t.Fatalf("%d items, want %d", len(items), n+2)
			}
			seen := map[string]bool{}
			for _, it := range items {
				if seen[it.ID] {
					t.Fatalf("%s twice", it.ID)
				}
				seen[it.ID] = true
				if it.Type == "Observation" && it.ID != "late" {
					var i int
					fmt.Sscanf(it.ID, "o%05d", &i)
					if it.Meta.Value != float64(i) || !it.Meta.Time.Equal(at.Add(time.Duration(i)*time.Minute)) || it.Meta.Source.Topic == "" {
						t.Fatalf("%s: value %v time %v topic %q", it.ID, it.Meta.Value, it.Meta.Time, it.Meta.Source.Topic)
					}
				}
			}
			if !seen["late"] || !seen["p"] {
				t.Fatalf("missing the patient or the late observation")
			}
			// Every resource through Resource agrees with Items.
			if r, ok, err := s.Resource(Ref{Collection: "p", Type: "Observation", ID: "o00003"}); err != nil || !ok || !bytes.Contains(r.JSON, []byte(`"o00003"`)) {
				t.Fatalf("resource: %v %v", ok, err)
			}
		})
	}

	damage := []struct {
		name string
		do   func(t *testing.T, s *Store, tx *bolt.Tx) error
	}{
		{"flipped byte in a record", func(t *testing.T, s *Store, tx *bolt.Tx) error {
			k := seqKey(seqOfTx(t, s, tx, "o00400"))
			v := bytes.Clone(tx.Bucket(bRaw).Get(k))
			v[len(v)/2] ^= 1
			return tx.Bucket(bRaw).Put(k, v)
		}},
		{"two records swapped", func(t *testing.T, s *Store, tx *bolt.Tx) error {
			k1, k2 := seqKey(seqOfTx(t, s, tx, "o00001")), seqKey(seqOfTx(t, s, tx, "o01000"))
			raw := tx.Bucket(bRaw)
			v1, v2 := bytes.Clone(raw.Get(k1)), bytes.Clone(raw.Get(k2))
			return errors.Join(raw.Put(k1, v2), raw.Put(k2, v1))
		}},
		{"pointer moved to another resource's record", func(t *testing.T, s *Store, tx *bolt.Tx) error {
			ids := tx.Bucket(bCol).Bucket(s.keys.collectionTag("p")).Bucket(bIDs)
			return ids.Put(s.keys.idKey("p", "Observation", "o00002"), seqKey(seqOfTx(t, s, tx, "o00700")))
		}},
		{"record deleted under its index entry", func(t *testing.T, s *Store, tx *bolt.Tx) error {
			return tx.Bucket(bRaw).Delete(seqKey(seqOfTx(t, s, tx, "o01200")))
		}},
	}
	for _, d := range damage {
		t.Run(d.name, func(t *testing.T) {
			s := fill(t, 3*parallelOpenMin)
			if err := s.db.Update(func(tx *bolt.Tx) error { return d.do(t, s, tx) }); err != nil {
				t.Fatal(err)
			}
			if items, err := s.Items("p"); !errors.Is(err, ErrTampered) {
				t.Fatalf("items after damage: %d items, %v; want ErrTampered", len(items), err)
			}
		})
	}
}

func seqOfTx(t *testing.T, s *Store, tx *bolt.Tx, id string) uint64 {
	t.Helper()
	ids := tx.Bucket(bCol).Bucket(s.keys.collectionTag("p")).Bucket(bIDs)
	v := ids.Get(s.keys.idKey("p", "Observation", id))
	if len(v) != 8 {
		t.Fatalf("no record for %s", id)
	}
	return uint64FromKey(v)
}

func uint64FromKey(v []byte) uint64 {
	var n uint64
	for _, b := range v {
		n = n<<8 | uint64(b)
	}
	return n
}
