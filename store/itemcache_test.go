package store

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestCachedItemsEqualItems drives a collection through random upserts,
// new versions and deletes, and after every batch compares CachedItems
// (reading only what changed) and CachedItemsChanged (told what changed)
// with a full Items read of the same snapshot. A batch that only adds
// resources must append them in place (Appended names them, the entries
// before are the earlier read's); any other must say so.
func TestCachedItemsEqualItems(t *testing.T) {
	s, _ := newTestStore(t)
	rng := rand.New(rand.NewPCG(7, 19))
	walked, told := NewItemCache("p", "Observation"), NewItemCache("p", "Observation")
	at := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	held := map[string]bool{}
	var before []Item // the walked cache's entries after the previous round
	appendOnly := 0
	for round := 0; round < 60; round++ {
		b := &Batch{}
		touched := map[string]bool{}
		onlyAdds := true
		n := 1 + rng.IntN(30)
		if round%3 == 0 {
			n = 1 + rng.IntN(3) // a trickle: mostly new readings
		}
		for i := 0; i < n; i++ {
			id := fmt.Sprintf("o%03d", rng.IntN(120))
			if round%3 == 0 {
				id = fmt.Sprintf("n%03d", round*10+i)
			}
			if touched[id] {
				continue // one operation per key and batch, as the feed keeps
			}
			touched[id] = true
			if held[id] && rng.IntN(4) == 0 {
				b.Deletes = append(b.Deletes, Ref{Collection: "p", Type: "Observation", ID: id})
				delete(held, id)
				onlyAdds = false
				continue
			}
			r := obsPut("p", id, float64(rng.IntN(200)), at.Add(time.Duration(rng.IntN(1000))*time.Minute))
			r.Meta.Source.Offset = int64(round*100 + i)
			b.Puts = append(b.Puts, r)
			onlyAdds = onlyAdds && !held[id]
			held[id] = true
		}
		if round%7 == 3 { // another type in the same collection stays out
			b.Puts = append(b.Puts, Resource{Ref: Ref{Collection: "p", Type: "Condition", ID: fmt.Sprint("c", round)},
				JSON: []byte(`{"resourceType":"Condition","id":"c"}`), Meta: Meta{Time: at}})
		}
		ch := mustApply(t, s, b)
		gen := walked.Gen()
		var got, gotTold, want []Item
		if err := s.View(func(r *Reader) error {
			var err error
			if got, err = r.CachedItems(walked); err != nil {
				return err
			}
			if gotTold, err = r.CachedItemsChanged(told, ch.Keys["p"]); err != nil {
				return err
			}
			want, err = r.Items("p", "Observation")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(held) || walked.Len() != len(held) || len(gotTold) != len(held) {
			t.Fatalf("round %d: %d cached items (Len %d), %d told, %d held", round, len(got), walked.Len(), len(gotTold), len(held))
		}
		from, ok := walked.Appended(gen)
		if ok != onlyAdds {
			t.Fatalf("round %d: Appended says %v, the batch only added: %v", round, ok, onlyAdds)
		}
		if ok {
			appendOnly++
			if from != len(before) || from > 0 && !reflect.DeepEqual(got[:from], before) {
				t.Fatalf("round %d: the entries before the additions moved or changed", round)
			}
			for _, it := range got[from:] {
				if !touched[it.ID] {
					t.Fatalf("round %d: %s is named as added, the batch did not touch it", round, it.ID)
				}
			}
		}
		before = append(before[:0], got...)
		want = sortedItems(want)
		for name, items := range map[string][]Item{"walked": got, "told": gotTold} {
			if !reflect.DeepEqual(sortedItems(items), want) {
				t.Fatalf("round %d: %s cached items differ from a full read", round, name)
			}
		}
	}
	if appendOnly < 10 {
		t.Fatalf("only %d rounds only added: the test does not exercise appending", appendOnly)
	}
}

// sortedItems is a sorted copy (a cache's slice is not ours to sort).
func sortedItems(items []Item) []Item {
	out := append([]Item(nil), items...)
	sortItems(out)
	return out
}

func sortItems(items []Item) {
	sort.Slice(items, func(i, j int) bool { return items[i].ID < items[j].ID })
}

// TestNewVersionGetsANewSequence: ItemCache trusts an unchanged sequence to
// mean an unchanged resource.
func TestNewVersionGetsANewSequence(t *testing.T) {
	s, _ := newTestStore(t)
	at := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	mustApply(t, s, &Batch{Puts: []Resource{obsPut("p", "o1", 60, at)}})
	first := seqOf(t, s, "p", "Observation", "o1")
	mustApply(t, s, &Batch{Puts: []Resource{obsPut("p", "o1", 61, at)}})
	second := seqOf(t, s, "p", "Observation", "o1")
	if second == first {
		t.Fatalf("a new version kept sequence %d", first)
	}
	err := s.View(func(r *Reader) error {
		if v := r.tx.Bucket(bRaw).Get(seqKey(first)); v != nil {
			return errors.New("the old version's record is still held")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	items, err := s.Items("p", "Observation")
	if err != nil || len(items) != 1 || items[0].Meta.Value != 61 {
		t.Fatalf("items after a new version: %v %v", items, err)
	}
}

// TestCachedItemsTampered: a record that does not authenticate, or an ids
// entry moved to another resource's record, is ErrTampered, and the cache
// starts afresh.
func TestCachedItemsTampered(t *testing.T) {
	at := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		do   func(s *Store, tx *bolt.Tx) error
	}{
		{"pointer moved", func(s *Store, tx *bolt.Tx) error {
			ids := tx.Bucket(bCol).Bucket(s.keys.collectionTag("p")).Bucket(bIDs)
			return ids.Put(s.keys.idKey("p", "Observation", "o2"), ids.Get(s.keys.idKey("p", "Observation", "o3")))
		}},
		{"flipped byte", func(s *Store, tx *bolt.Tx) error {
			ids := tx.Bucket(bCol).Bucket(s.keys.collectionTag("p")).Bucket(bIDs)
			k := ids.Get(s.keys.idKey("p", "Observation", "o2"))
			v := append([]byte(nil), tx.Bucket(bRaw).Get(k)...)
			v[len(v)/2] ^= 1
			return errors.Join(tx.Bucket(bRaw).Put(k, v), ids.Put(s.keys.idKey("p", "Observation", "o2"), seqKey(999)),
				tx.Bucket(bRaw).Put(seqKey(999), v))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newTestStore(t)
			mustApply(t, s, &Batch{Puts: []Resource{obsPut("p", "o1", 60, at), obsPut("p", "o2", 61, at), obsPut("p", "o3", 62, at)}})
			c := NewItemCache("p", "Observation")
			if err := s.View(func(r *Reader) error { _, err := r.CachedItems(c); return err }); err != nil {
				t.Fatal(err)
			}
			if err := s.db.Update(func(tx *bolt.Tx) error { return tc.do(s, tx) }); err != nil {
				t.Fatal(err)
			}
			err := s.View(func(r *Reader) error { _, err := r.CachedItems(c); return err })
			if !errors.Is(err, ErrTampered) {
				t.Fatalf("cached read after damage: %v, want ErrTampered", err)
			}
			if c.Len() != 0 {
				t.Fatalf("the cache kept %d items after a failed read", c.Len())
			}
		})
	}
}
