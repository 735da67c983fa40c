package views

import (
	"cmp"
	"slices"
)

// sortTimeline orders entries newest first, ties by type then id. The
// 20,000-entry chart sorts small keys (the instant and the entry's index)
// and places each entry once, instead of moving 160-byte entries through
// every swap of the sort (about a fifth less time, A/B on the ICU chart).
// It sorts by instant alone first and then each run of entries at one
// instant by type and id: a vital-sign set puts six entries at one instant,
// and comparing their ids inside the big sort was half its time.
func sortTimeline(es []timelineEntry) []timelineEntry {
	order := timelineOrder(es)
	out := make([]timelineEntry, len(es))
	for j, i := range order {
		out[j] = es[i]
	}
	return out
}

// timelineOrder is the indexes of entries in sortTimeline's order.
func timelineOrder(es []timelineEntry) []int32 {
	type key struct {
		sec  int64
		nsec int32
		i    int32
	}
	keys := make([]key, len(es))
	for i := range es {
		keys[i] = key{es[i].Time.Unix(), int32(es[i].Time.Nanosecond()), int32(i)}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if c := cmp.Compare(b.sec, a.sec); c != 0 {
			return c
		}
		return cmp.Compare(b.nsec, a.nsec)
	})
	for lo := 0; lo < len(keys); {
		hi := lo + 1
		for hi < len(keys) && keys[hi].sec == keys[lo].sec && keys[hi].nsec == keys[lo].nsec {
			hi++
		}
		if hi-lo > 1 {
			slices.SortFunc(keys[lo:hi], func(a, b key) int {
				x, y := &es[a.i], &es[b.i]
				if c := cmp.Compare(x.Ref.Type, y.Ref.Type); c != 0 {
					return c
				}
				return cmp.Compare(x.Ref.ID, y.Ref.ID)
			})
		}
		lo = hi
	}
	order := make([]int32, len(keys))
	for j, k := range keys {
		order[j] = k.i
	}
	return order
}
