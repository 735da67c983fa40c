package views

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"reflect"
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

// timelineOf, which builds a big chart's timeline in two halves and merges
// them, gives the entries and counts of building it whole: the same order
// (ties at an instant across the halves included), the Patient left out.
func TestTimelineOfEqualsWhole(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	base := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	for _, n := range []int{0, 1, parallelTimelineMin - 1, parallelTimelineMin, 9001} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			items := make([]store.Item, n)
			for i := range items {
				typ := []string{"Observation", "Condition", "Encounter", "Patient"}[r.IntN(4)]
				items[i] = store.Item{
					Ref: store.Ref{Type: typ, ID: fmt.Sprint(i)},
					Meta: store.Meta{
						Time:     base.Add(time.Duration(r.IntN(60)) * time.Minute), // many ties
						Display:  []string{"Heart rate 88 /min", "Asthma", "", "Ward round"}[r.IntN(4)],
						Category: []string{"vital-signs", "problem", "encounter"}[r.IntN(3)],
					},
				}
			}
			var whole []timelineEntry
			wantKinds := map[string]int{}
			for i := range items {
				if it := &items[i]; it.Type != "Patient" {
					whole = append(whole, newTimelineEntry(it, nil))
					wantKinds[it.Meta.Category]++
				}
			}
			whole = sortTimeline(whole)
			got, kinds := timelineOf(items)
			if !reflect.DeepEqual(kinds, wantKinds) {
				t.Fatalf("kinds %v, want %v", kinds, wantKinds)
			}
			if len(got) != len(whole) {
				t.Fatalf("%d entries, want %d", len(got), len(whole))
			}
			for i := range got {
				if got[i] != whole[i] {
					t.Fatalf("entry %d: %+v, want %+v", i, got[i], whole[i])
				}
			}
		})
	}
}
