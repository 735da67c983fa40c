package views

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/chartline/chartline/store"
)

// sortTimeline orders exactly as the plain comparison of entries does:
// newest first, then type, then id, over instants before 1970 and far ahead,
// equal instants in other zones, and ties.
func TestSortTimelineOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	oslo := time.FixedZone("+01", 3600)
	for _, n := range []int{0, 1, 2, 50, 3000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			es := make([]timelineEntry, n)
			for i := range es {
				at := base.Add(time.Duration(r.IntN(40)-20) * time.Hour).Add(time.Duration(r.IntN(3)) * time.Millisecond)
				switch r.IntN(6) {
				case 0:
					at = at.In(oslo) // the same instant written in another zone
				case 1:
					at = time.Date(1931, 2, 3, 4, 5, 6, 7, time.UTC)
				case 2:
					at = time.Date(2400, 1, 1, 0, 0, 0, 1, time.UTC)
				}
				es[i] = timelineEntry{Ref: store.Ref{Type: []string{"Observation", "Condition", "Encounter"}[r.IntN(3)], ID: fmt.Sprint(r.IntN(n + 1))}, Time: at}
			}
			want := slices.Clone(es)
			slices.SortStableFunc(want, func(a, b timelineEntry) int {
				if c := b.Time.Compare(a.Time); c != 0 {
					return c
				}
				if c := cmp.Compare(a.Ref.Type, b.Ref.Type); c != 0 {
					return c
				}
				return cmp.Compare(a.Ref.ID, b.Ref.ID)
			})
			got := sortTimeline(es)
			if len(got) != len(want) {
				t.Fatalf("%d entries, want %d", len(got), len(want))
			}
			for i := range got {
				if !got[i].Time.Equal(want[i].Time) || got[i].Ref != want[i].Ref {
					t.Fatalf("entry %d: %v %v, want %v %v", i, got[i].Time, got[i].Ref, want[i].Time, want[i].Ref)
				}
			}
		})
	}
}
