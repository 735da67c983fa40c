package views

import (
	"cmp"
	"slices"
)

// sortTimeline orders entries newest first, ties by type then id. The
// 20,000-entry chart sorts small keys (the instant and the entry's index)
// and places each entry once, instead of moving 160-byte entries through
// every swap of the sort (about a fifth less time, A/B on the ICU chart).
func sortTimeline(es []timelineEntry) []timelineEntry {
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
		if c := cmp.Compare(b.nsec, a.nsec); c != 0 {
			return c
		}
		x, y := &es[a.i], &es[b.i]
		if c := cmp.Compare(x.Ref.Type, y.Ref.Type); c != 0 {
			return c
		}
		return cmp.Compare(x.Ref.ID, y.Ref.ID)
	})
	out := make([]timelineEntry, len(es))
	for j, k := range keys {
		out[j] = es[k.i]
	}
	return out
}
