package views

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/store"
)

// TestChartPatchMatchesLoad checks that a chart patched with the resources a
// commit named equals the chart loaded afresh from the same snapshot: a new
// reading, a result corrected, a problem deleted, a new encounter.
func TestChartPatchMatchesLoad(t *testing.T) {
	s := smallStore(t, demo.DeterioratingPatient)
	id := demo.DeterioratingPatient
	now := fixtureNow
	var base *chart
	if err := s.View(func(r *store.Reader) error {
		var err error
		base, err = loadChart(r, id, now, newsOptions())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var lab, problem *store.Item
	for i := range base.Items {
		it := &base.Items[i]
		switch {
		case lab == nil && it.Meta.Category == "laboratory" && it.Type == "Observation" && it.Meta.HasValue:
			lab = it
		case problem == nil && it.Type == "Condition" && it.Meta.Status == "active":
			problem = it
		}
	}
	if lab == nil || problem == nil {
		t.Fatal("the fixture patient has no lab result or no active problem")
	}
	at := now.Add(-2 * time.Minute).UTC().Format(time.RFC3339)
	puts := []store.Resource{
		resource(t, id, fmt.Sprintf(`{"resourceType":"Observation","id":"patch-hr","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}]},"subject":{"reference":"Patient/%s"},"effectiveDateTime":%q,"valueQuantity":{"value":131,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}}`, id, at)),
		resource(t, id, fmt.Sprintf(`{"resourceType":"Observation","id":%q,"status":"corrected","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"1988-5","display":"C reactive protein [Mass/volume] in Serum or Plasma"}]},"subject":{"reference":"Patient/%s"},"effectiveDateTime":%q,"valueQuantity":{"value":212,"unit":"mg/L","system":"http://unitsofmeasure.org","code":"mg/L"}}`, lab.ID, id, at)),
		resource(t, id, fmt.Sprintf(`{"resourceType":"Encounter","id":"patch-enc","status":"in-progress","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"IMP"},"subject":{"reference":"Patient/%s"},"period":{"start":%q},"location":[{"location":{"display":"Ward 9 Bed 4"},"status":"active"}]}`, id, at)),
	}
	sub := s.Subscribe()
	defer sub.Close()
	if _, err := s.Apply(&store.Batch{Puts: puts, Deletes: []store.Ref{problem.Ref}}); err != nil {
		t.Fatal(err)
	}
	ch, err := sub.Next(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	refs, named := ch.Keys[id]
	if !named || len(refs) != 4 {
		t.Fatalf("the change names %d resources of the patient (named %v), want 4", len(refs), named)
	}
	var patched, fresh *chart
	var p *chartPatch
	if err := s.View(func(r *store.Reader) error {
		var err error
		if patched, p, err = base.patched(r, refs, now, newsOptions()); err != nil {
			return err
		}
		fresh, err = loadChart(r, id, now, newsOptions())
		return err
	}); err != nil {
		t.Fatal(err)
	}

	checkPatchedMatchesFresh(t, base, patched, fresh, lab)
	checkPatchSections(t, p)
	// The chart on screen is never changed by a patch.
	if len(base.Timeline) == len(fresh.Timeline) && base.Timeline[0] == fresh.Timeline[0] {
		t.Error("the base chart changed under the patch")
	}
}

// checkPatchedMatchesFresh checks a patched chart against one loaded
// afresh: what checkPatchedMatchesFreshItems checks, and kinds, location and
// entry; the location moved from base's, and the newest entry is a new
// resource.
func checkPatchedMatchesFresh(t *testing.T, base, patched, fresh *chart, lab *store.Item) {
	t.Helper()
	checkPatchedMatchesFreshItems(t, patched, fresh)
	if patched.Timeline[0].Ref.ID != "patch-hr" && patched.Timeline[0].Ref.ID != lab.ID && patched.Timeline[0].Ref.ID != "patch-enc" {
		t.Errorf("newest timeline entry is %v, want one of the new resources", patched.Timeline[0].Ref)
	}
	if !reflect.DeepEqual(patched.Kinds, fresh.Kinds) {
		t.Errorf("kinds: patched %v, fresh %v", patched.Kinds, fresh.Kinds)
	}
	if patched.HasNEWS2 != fresh.HasNEWS2 {
		t.Errorf("NEWS2: patched has %v, fresh %v", patched.HasNEWS2, fresh.HasNEWS2)
	}
	if patched.Location != fresh.Location || patched.Location == base.Location {
		t.Errorf("location: patched %q, fresh %q, before %q", patched.Location, fresh.Location, base.Location)
	}
	if patched.Entry.Total() != fresh.Entry.Total() {
		t.Errorf("entry: patched %d resources, fresh %d", patched.Entry.Total(), fresh.Entry.Total())
	}
}

// checkPatchSections checks that the patch marks for redrawing only the
// sections the commit touched, and names the heart-rate series.
func checkPatchSections(t *testing.T, p *chartPatch) {
	t.Helper()
	// Only the sections the commit touched are redrawn.
	changed := map[string]bool{}
	for i, c := range p.sections {
		if c {
			changed[summarySections[i].Title] = true
		}
	}
	for _, want := range []string{"Active problems", "Recent results", "Recent encounters"} {
		if !changed[want] {
			t.Errorf("section %q not marked changed (changed: %v)", want, changed)
		}
	}
	for _, not := range []string{"Allergies and intolerances", "Medications", "Immunizations", "Procedures"} {
		if changed[not] {
			t.Errorf("section %q marked changed, the commit did not touch it", not)
		}
	}
	if !p.touchesTrends() || !p.codes["http://loinc.org|8867-4"] {
		t.Errorf("the patch does not name the heart-rate series (codes %v)", p.codes)
	}
}

// TestChartPatchAddsInPlace: patches that only add resources (the live case:
// new readings) extend the chart's items in place. Three in a row, one with
// a new body weight, each equal to a chart loaded afresh, and the charts
// before them unchanged (their items, the weight shown, the sections'
// lists).
func TestChartPatchAddsInPlace(t *testing.T) {
	s := smallStore(t, demo.DeterioratingPatient)
	id := demo.DeterioratingPatient
	now := fixtureNow
	var c *chart
	if err := s.View(func(r *store.Reader) (err error) { c, err = loadChart(r, id, now, newsOptions()); return }); err != nil {
		t.Fatal(err)
	}
	sub := s.Subscribe()
	defer sub.Close()
	type snapshot struct {
		items   []store.Item
		weight  *store.Item
		vitals  int
		timeLen int
	}
	var before []*chart
	var snaps []snapshot
	for step := range 3 {
		at := now.Add(time.Duration(step-3) * time.Minute).UTC().Format(time.RFC3339)
		puts := []store.Resource{resource(t, id, fmt.Sprintf(`{"resourceType":"Observation","id":"add-hr-%d","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}]},"subject":{"reference":"Patient/%s"},"effectiveDateTime":%q,"valueQuantity":{"value":%d,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}}`, step, id, at, 100+step))}
		if step == 1 {
			puts = append(puts, resource(t, id, fmt.Sprintf(`{"resourceType":"Observation","id":"add-weight","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"29463-7","display":"Body weight"}]},"subject":{"reference":"Patient/%s"},"effectiveDateTime":%q,"valueQuantity":{"value":71.5,"unit":"kg","system":"http://unitsofmeasure.org","code":"kg"}}`, id, at)))
		}
		if _, err := s.Apply(&store.Batch{Puts: puts}); err != nil {
			t.Fatal(err)
		}
		ch, err := sub.Next(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		before = append(before, c)
		snaps = append(snaps, snapshot{slices.Clone(c.Items), c.Weight, len(c.in.byCategory["vital-signs"]), len(c.Timeline)})
		var next, fresh *chart
		if err := s.View(func(r *store.Reader) error {
			var err error
			if next, _, err = c.patched(r, ch.Keys[id], now, newsOptions()); err != nil {
				return err
			}
			fresh, err = loadChart(r, id, now, newsOptions())
			return err
		}); err != nil {
			t.Fatal(err)
		}
		checkPatchedMatchesFreshItems(t, next, fresh)
		if step >= 1 && (next.Weight == nil || next.Weight.ID != "add-weight") {
			t.Errorf("step %d: weight %v, want the new one", step, next.Weight)
		}
		c = next
	}
	for i, b := range before {
		sn := snaps[i]
		if !reflect.DeepEqual(b.Items, sn.items) || b.Weight != sn.weight || len(b.in.byCategory["vital-signs"]) != sn.vitals || len(b.Timeline) != sn.timeLen {
			t.Errorf("chart %d changed under a later patch", i)
		}
	}
}

// checkPatchedMatchesFreshItems checks a patched chart's timeline, items,
// sections, weight and score against one loaded afresh.
func checkPatchedMatchesFreshItems(t *testing.T, patched, fresh *chart) {
	t.Helper()
	if !slices.Equal(patched.Timeline, fresh.Timeline) {
		t.Errorf("patched timeline (%d entries) differs from a fresh load (%d)", len(patched.Timeline), len(fresh.Timeline))
	}
	byRef := func(a, b store.Item) int { return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.ID, b.ID)) }
	pi, fi := slices.Clone(patched.Items), slices.Clone(fresh.Items)
	slices.SortFunc(pi, byRef)
	slices.SortFunc(fi, byRef)
	if !reflect.DeepEqual(pi, fi) {
		t.Errorf("patched items (%d) differ from a fresh load (%d)", len(pi), len(fi))
	}
	for i := range fresh.Sections {
		if !reflect.DeepEqual(patched.Sections[i].lines, fresh.Sections[i].lines) || patched.Sections[i].more != fresh.Sections[i].more {
			t.Errorf("section %q: patched lines differ from a fresh load", fresh.Sections[i].def.Title)
		}
	}
	if (patched.Weight == nil) != (fresh.Weight == nil) || patched.Weight != nil && patched.Weight.Ref != fresh.Weight.Ref {
		t.Errorf("weight: patched %v, fresh %v", patched.Weight, fresh.Weight)
	}
	if !reflect.DeepEqual(patched.NEWS2, fresh.NEWS2) {
		t.Errorf("NEWS2: patched %+v, fresh %+v", patched.NEWS2, fresh.NEWS2)
	}
	for k, l := range fresh.in.byType {
		if len(patched.in.byType[k]) != len(l) {
			t.Errorf("%s: patched input lists %d, fresh %d", k, len(patched.in.byType[k]), len(l))
		}
	}
}
