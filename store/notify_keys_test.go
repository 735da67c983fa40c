package store

import (
	"fmt"
	"testing"
	"time"
)

// TestChangeKeys: a change names the resources it put or deleted, merged
// notices name them all in order, and a collection with more than
// MaxChangeKeys of them is named by its types alone (re-read it whole).
func TestChangeKeys(t *testing.T) {
	s, _ := newTestStore(t)
	sub := s.Subscribe()
	defer sub.Close()
	now := time.Now()
	ch := mustApply(t, s, &Batch{Puts: []Resource{patientPut("a", "A", "A", "1", "2000"), obsPut("a", "o1", 1, now)}})
	if got := ch.Keys["a"]; len(got) != 2 || got[0].Type != "Patient" || got[1] != (Ref{"a", "Observation", "o1"}) {
		t.Fatalf("keys = %+v", ch.Keys)
	}
	mustApply(t, s, &Batch{Deletes: []Ref{{"a", "Observation", "o1"}}, Puts: []Resource{obsPut("b", "o2", 2, now)}})
	m, ok := sub.Take()
	if !ok {
		t.Fatal("nothing pending")
	}
	want := []Ref{{"a", "Patient", "a"}, {"a", "Observation", "o1"}, {"a", "Observation", "o1"}}
	if fmt.Sprint(m.Keys["a"]) != fmt.Sprint(want) || len(m.Keys["b"]) != 1 {
		t.Fatalf("merged keys = %+v", m.Keys)
	}

	// Over the limit in one commit, and over it across merged commits.
	var puts []Resource
	for i := range MaxChangeKeys + 1 {
		puts = append(puts, obsPut("c", fmt.Sprint("o", i), 1, now))
	}
	ch = mustApply(t, s, &Batch{Puts: puts})
	if _, ok := ch.Keys["c"]; ok || ch.Collections["c"] == nil {
		t.Fatalf("a commit of %d keys names them: %d", len(puts), len(ch.Keys["c"]))
	}
	mustApply(t, s, &Batch{Puts: puts[:MaxChangeKeys/2+1]})
	mustApply(t, s, &Batch{Puts: puts[:MaxChangeKeys/2+1]})
	mustApply(t, s, &Batch{Puts: []Resource{obsPut("d", "x", 1, now)}})
	m, _ = sub.Take()
	if _, ok := m.Keys["c"]; ok || m.Collections["c"] == nil || len(m.Keys["d"]) != 1 {
		t.Fatalf("merged over the limit: c %d keys, d %d", len(m.Keys["c"]), len(m.Keys["d"]))
	}
	// Once unknown, a collection stays unknown in the merge.
	mustApply(t, s, &Batch{Puts: puts})
	mustApply(t, s, &Batch{Puts: puts[:1]})
	if m, _ = sub.Take(); m.Keys["c"] != nil {
		t.Fatalf("unknown keys became known: %+v", m.Keys["c"])
	}
}
