package views

import (
	"cmp"
	"maps"
	"reflect"
	"time"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/store"
)

// An open chart follows its patient's changes without reloading: a change
// notice names the resources put or deleted (store.Change.Keys), patched
// re-reads only those, and the tabs redraw only what they show of them —
// the summary sections whose lines changed, the timeline's rows, the trend
// series of the measures touched. A notice that names no keys (more than
// store.MaxChangeKeys in one merge) reloads the chart whole.
//
// The patched chart is a new value: the chart on screen is never mutated,
// so the trends may still read it off the UI goroutine. Its slices are
// copied once per patch (20,000 entries: a few MB, about a millisecond);
// nothing is re-read from the store but the named resources, the directory
// entry, the engine's score documents and, when an Encounter changed, the
// location.

// chartPatch is what one update changed, for the tabs.
type chartPatch struct {
	keys     refSet          // resources put or deleted
	sections []bool          // per summary section: its lines changed
	codes    map[string]bool // codes of the changed resources, before and after
	score    bool            // the score's result changed
}

// touchesTrends reports whether the trends draw anything the patch changed:
// a coded Observation, or the score (the NEWS2 chart).
func (p *chartPatch) touchesTrends() bool { return p.score || len(p.codes) > 0 }

// patched is base with refs re-read from r. now is the patch's clock.
func (base *chart) patched(r *store.Reader, refs []store.Ref, now time.Time, opts clinical.NEWS2Options) (*chart, *chartPatch, error) {
	c := *base
	c.Now = now
	p := &chartPatch{codes: map[string]bool{}}
	e, ok, err := r.Entry(c.ID)
	if err != nil {
		return nil, nil, err
	}
	c.Entry, c.Found, c.Patient = e, ok, e.Patient

	var fresh []store.Item // the new versions, in notice order
	encounter, weight := false, false
	note := func(it *store.Item) {
		encounter = encounter || it.Type == "Encounter"
		weight = weight || isWeight(it)
		if it.Type == "Observation" {
			for _, code := range it.Meta.Codes {
				p.codes[code] = true
			}
		}
	}
	for _, ref := range refs {
		if ref.Collection != c.ID || p.keys.has(ref) {
			continue
		}
		p.keys.add(ref)
		res, ok, err := r.Resource(ref)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			it := store.Item{Ref: ref, Meta: res.Meta}
			note(&it)
			fresh = append(fresh, it)
		}
	}
	added := false // the patch only adds resources the chart did not hold
	if p.keys.len() > 0 {
		replaced := false
		for i := range base.Items {
			if p.keys.has(base.Items[i].Ref) {
				replaced = true
				break
			}
		}
		if !replaced && len(fresh) == p.keys.len() {
			// A new reading, the live case: base's items are extended in
			// place (appending past base's length, which base never reads;
			// updates are serialised, so a chart has one successor), and
			// the slice doubles when full, so a 20,000-entry chart copies
			// nothing on most patches.
			added = true
			c.Items = append(base.Items, fresh...)
		} else {
			c.Items = make([]store.Item, 0, len(base.Items)+len(fresh))
			for i := range base.Items {
				if it := &base.Items[i]; p.keys.has(it.Ref) {
					note(it) // the old version: its codes' series change too
				} else {
					c.Items = append(c.Items, *it)
				}
			}
			c.Items = append(c.Items, fresh...)
		}
		c.Timeline, c.Kinds = patchTimeline(base.Timeline, base.Kinds, &p.keys, fresh)
	}
	if encounter {
		if c.Location, err = currentLocation(r, c.ID); err != nil {
			return nil, nil, err
		}
	}
	news := c.Items[len(c.Items)-len(fresh):] // the new versions, in c.Items
	switch {
	case added:
		for i := range news { // base's weight stands unless a newer one came
			if it := &news[i]; isWeight(it) && (c.Weight == nil || it.Meta.Time.After(c.Weight.Meta.Time)) {
				c.Weight = it
			}
		}
	case weight || p.keys.len() > 0:
		c.Weight = newestWeight(c.Items) // a pointer into the new slice
	}

	in := base.in
	switch {
	case added && in != nil:
		in = in.with(news, now)
	case p.keys.len() > 0 || in == nil:
		in = newChartInput(c.Items, now)
	default:
		in = &chartInput{byCategory: in.byCategory, byType: in.byType, now: now}
	}
	c.in = in
	c.scoreFrom(r, in, opts)
	p.score = !reflect.DeepEqual(base.NEWS2, c.NEWS2) || !reflect.DeepEqual(base.PEWS, c.PEWS)
	p.sections = make([]bool, len(summarySections))
	if p.keys.len() == 0 && !p.score && now.Sub(base.built) < sectionsFresh {
		return &c, p, nil // the engine's documents alone: sections stand
	}
	c.built = now
	c.Allergy, c.Allergies = allergyState(in.byType["AllergyIntolerance"])
	// Every section is rebuilt (a few milliseconds; lines say "3 h ago"
	// and the clock moves); the summary redraws those whose lines changed.
	c.Sections = make([]sectionData, len(summarySections))
	for i := range summarySections {
		s := &summarySections[i]
		lines, more := s.Build(in)
		c.Sections[i] = sectionData{def: s, lines: lines, more: more}
		p.sections[i] = i >= len(base.Sections) || base.Sections[i].more != more || !reflect.DeepEqual(base.Sections[i].lines, lines) ||
			(s.Draw != nil && p.score)
	}
	return &c, p, nil
}

// with is in with the new items added (pointers into the chart's Items).
// The maps are cloned; their lists are extended in place past in's lengths,
// which in never reads (a chart input, like a chart, has one successor).
func (in *chartInput) with(items []store.Item, now time.Time) *chartInput {
	out := &chartInput{byCategory: maps.Clone(in.byCategory), byType: maps.Clone(in.byType), now: now}
	for i := range items {
		it := &items[i]
		out.byCategory[it.Meta.Category] = append(out.byCategory[it.Meta.Category], it)
		out.byType[it.Type] = append(out.byType[it.Type], it)
	}
	return out
}

// sectionsFresh is how long a patch that changed no resource and no score
// keeps the summary's lines as built (their ages read in minutes).
const sectionsFresh = 30 * time.Second

// refSet is a set of resources, a short list: a patch names a few, and
// comparing ids beats hashing three strings for each of 20,000 entries.
type refSet struct{ refs []store.Ref }

func (s *refSet) add(r store.Ref) { s.refs = append(s.refs, r) }
func (s *refSet) len() int        { return len(s.refs) }

func (s *refSet) has(r store.Ref) bool {
	for _, x := range s.refs {
		if x.ID == r.ID && x.Type == r.Type && x.Collection == r.Collection {
			return true
		}
	}
	return false
}

// patchTimeline is a timeline (newest first) without the entries of the
// changed resources and with their new versions merged in, and its kind
// counts.
func patchTimeline(old []timelineEntry, kinds []kindCount, changed *refSet, fresh []store.Item) ([]timelineEntry, []kindCount) {
	count := map[string]int{}
	for _, k := range kinds {
		count[k.Category] = k.N
	}
	var add []timelineEntry
	for i := range fresh {
		if it := &fresh[i]; it.Type != "Patient" {
			add = append(add, newTimelineEntry(it, nil))
			count[it.Meta.Category]++
		}
	}
	add = sortTimeline(add)
	out := make([]timelineEntry, 0, len(old)+len(add))
	j := 0
	for i := range old {
		en := &old[i]
		if changed.has(en.Ref) {
			count[en.Category]--
			continue
		}
		for j < len(add) && compareEntries(&add[j], en) < 0 {
			out = append(out, add[j])
			j++
		}
		out = append(out, *en)
	}
	out = append(out, add[j:]...)
	return out, sortKinds(count)
}

// compareEntries is sortTimeline's order: newest first, then by type and id.
func compareEntries(a, b *timelineEntry) int {
	if c := b.Time.Compare(a.Time); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Ref.Type, b.Ref.Type); c != 0 {
		return c
	}
	return cmp.Compare(a.Ref.ID, b.Ref.ID)
}
