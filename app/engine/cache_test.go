package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/store"
)

// TestIncrementalEqualsFullDerivation feeds two stores the same generated
// ICU history in batches, with new versions of past readings and tombstones
// among them. One engine evaluates after every batch (its Observation and
// score caches updated from what changed); the other evaluates once at the
// end from nothing. Their alerts, score documents and census status must be
// the same.
func TestIncrementalEqualsFullDerivation(t *testing.T) {
	now := time.Date(2026, 11, 3, 0, 30, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	open := func(name string) (*store.Store, *Engine) {
		s, err := store.Create(filepath.Join(t.TempDir(), name+".db"), []byte("test passphrase"), &store.Options{KDF: store.TestKDF})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		e, err := New(Options{Store: s, Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		return s, e
	}
	incS, inc := open("incremental")
	fullS, full := open("full")

	hist := icuSeries(2) // 576 sets, pulse rising and falling through the bands
	rng := rand.New(rand.NewPCG(3, 11))
	var held []store.Item
	ctx := context.Background()
	off := int64(1000)
	for lo := 0; lo < len(hist); lo += 240 {
		b := &store.Batch{}
		touched := map[store.Ref]bool{}
		put := func(it store.Item) {
			if touched[it.Ref] {
				return
			}
			touched[it.Ref] = true
			off++
			it.Meta.Source = store.Source{Topic: "fhir.patient.p-icu", Offset: off}
			b.Puts = append(b.Puts, store.Resource{Ref: it.Ref, Meta: it.Meta, JSON: []byte(fmt.Sprintf(`{"resourceType":"Observation","id":%q}`, it.ID))})
		}
		for _, it := range hist[lo:min(lo+240, len(hist))] {
			put(it)
			held = append(held, it)
		}
		for i := 0; i < 5 && len(held) > 0; i++ { // a past pulse corrected upwards
			it := held[rng.IntN(len(held))]
			if it.Meta.HasValue && it.Meta.Unit == "/min" {
				it.Meta.Value += 45
				put(it)
			}
		}
		for i := 0; i < 3 && len(held) > 0; i++ { // a reading entered in error, deleted
			k := rng.IntN(len(held))
			if !touched[held[k].Ref] {
				touched[held[k].Ref] = true
				b.Deletes = append(b.Deletes, held[k].Ref)
				held = append(held[:k], held[k+1:]...)
			}
		}
		for _, s := range []*store.Store{incS, fullS} {
			if _, err := s.Apply(b); err != nil {
				t.Fatal(err)
			}
		}
		if err := inc.Evaluate(ctx, "p-icu"); err != nil {
			t.Fatal(err)
		}
	}
	if err := inc.Evaluate(ctx, "p-icu"); err != nil { // one more pass over an unchanged chart
		t.Fatal(err)
	}
	if err := full.Evaluate(ctx, "p-icu"); err != nil {
		t.Fatal(err)
	}
	alerts := sameScoreDocs(t, incS, fullS, "p-icu", "incremental")
	if alerts == 0 {
		t.Fatal("the history raised no alert: the comparison proves nothing")
	}
	ei, _, _ := incS.Entry("p-icu")
	ef, _, _ := fullS.Entry("p-icu")
	if ei.Status != ef.Status {
		t.Fatalf("census status: incremental %+v, full %+v", ei.Status, ef.Status)
	}
}

// sameScoreDocs fails unless a patient's alert, NEWS2 and PEWS documents in
// s (the store of the engine the test follows, named what) equal those in
// full (an engine's that evaluated the patient from nothing); it returns
// how many alerts s holds.
func sameScoreDocs(t *testing.T, s, full *store.Store, patient, what string) (alerts int) {
	t.Helper()
	for _, kind := range []string{KindAlert, KindNEWS2, KindPEWS} {
		a, err := s.PatientDocs(kind, patient)
		if err != nil {
			t.Fatal(err)
		}
		f, err := full.PatientDocs(kind, patient)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(docMap(a), docMap(f)) {
			t.Fatalf("%s: %s documents %d, full %d, or their contents differ", what, kind, len(a), len(f))
		}
		if kind == KindAlert {
			alerts = len(a)
		}
	}
	return alerts
}

func docMap(docs []store.Doc) map[string]string {
	m := map[string]string{}
	for _, d := range docs {
		m[d.Key] = string(d.Value)
	}
	return m
}

// TestCacheKeepsTheLargestChart: over the budget, the patients evaluated
// longest ago are dropped, never the one just evaluated and never the
// largest chart, which a round of small patients would otherwise evict and
// the next round re-read whole.
func TestCacheKeepsTheLargestChart(t *testing.T) {
	now := time.Date(2026, 11, 3, 0, 30, 0, 0, time.UTC)
	s, err := store.Create(filepath.Join(t.TempDir(), "budget.db"), []byte("test passphrase"), &store.Options{KDF: store.TestKDF})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e, err := New(Options{Store: s, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	b := &store.Batch{}
	add := func(patient string, items []store.Item) {
		for _, it := range items {
			it.Ref.Collection = patient
			it.Meta.Source.Topic = "fhir.patient." + patient
			b.Puts = append(b.Puts, store.Resource{Ref: it.Ref, Meta: it.Meta, JSON: []byte(fmt.Sprintf(`{"resourceType":"Observation","id":%q}`, it.ID))})
		}
	}
	add("p-big", icuSeries(1)) // 288 sets
	small := icuSeries(1)[:60] // 10 sets
	for _, p := range []string{"p-a", "p-b", "p-c"} {
		add(p, small)
	}
	if _, err := s.Apply(b); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := e.Evaluate(ctx, "p-big"); err != nil {
		t.Fatal(err)
	}
	big := e.cachedSize("p-big")
	if err := e.Evaluate(ctx, "p-a"); err != nil {
		t.Fatal(err)
	}
	one := e.cachedSize("p-a")
	if big < 10*one {
		t.Fatalf("the big chart holds %d bytes, a small one %d: the test needs them far apart", big, one)
	}
	e.budget = one + one/2 // room for one small patient beside the big chart
	for round := range 3 {
		for _, p := range []string{"p-b", "p-c", "p-a"} {
			if err := e.Evaluate(ctx, p); err != nil {
				t.Fatal(err)
			}
			if e.obs["p-big"] == nil {
				t.Fatalf("round %d, after %s: the largest chart was dropped", round, p)
			}
			if e.obs[p] == nil {
				t.Fatalf("round %d: %s, just evaluated, was dropped", round, p)
			}
			if n := len(e.obs); n != 2 {
				t.Fatalf("round %d, after %s: %d patients cached, want the big chart and %s", round, p, n, p)
			}
		}
	}
}

// TestRunReadsWhatTheNoticesName: a running engine, told by the change
// notices which Observations changed, looks up only those and scores only
// the sets they add, and must derive what an engine evaluating the whole
// chart from nothing does, after every commit. The feed is a trickle of new sets (one per
// commit, as a monitor sends them), with now and then a past reading
// corrected or deleted (then the chart is read whole again), and a
// pregnancy recorded and later resolved (a Condition the cache must follow).
func TestRunReadsWhatTheNoticesName(t *testing.T) {
	now := time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	open := func(name string) (*store.Store, *Engine) {
		s, err := store.Create(filepath.Join(t.TempDir(), name+".db"), []byte("test passphrase"), &store.Options{KDF: store.TestKDF})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		e, err := New(Options{Store: s, Now: clock, MinRound: -1})
		if err != nil {
			t.Fatal(err)
		}
		return s, e
	}
	runS, run := open("running")
	fullS, _ := open("full")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()

	hist := icuSeries(1) // 288 sets, pulse rising and falling through the bands
	rng := rand.New(rand.NewPCG(5, 13))
	var held []store.Item
	off := int64(1000)
	alerts := 0 // the most alert documents seen
	apply := func(b *store.Batch, compare bool) {
		var seq uint64 // of the running engine's store, whose own commits come between
		for _, s := range []*store.Store{fullS, runS} {
			ch, err := s.Apply(b)
			if err != nil {
				t.Fatal(err)
			}
			seq = ch.Seq
		}
		wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
		defer wcancel()
		if err := run.WaitIdle(wctx, seq); err != nil {
			t.Fatal(err)
		}
		if !compare {
			return
		}
		full, err := New(Options{Store: fullS, Now: clock}) // from nothing
		if err != nil {
			t.Fatal(err)
		}
		if err := full.Evaluate(ctx, "p-icu"); err != nil {
			t.Fatal(err)
		}
		alerts = max(alerts, sameScoreDocs(t, runS, fullS, "p-icu", fmt.Sprintf("after commit %d, running", seq)))
		er, _, _ := runS.Entry("p-icu")
		ef, _, _ := fullS.Entry("p-icu")
		if er.Status != ef.Status {
			t.Fatalf("after commit %d, census status: running %+v, full %+v", seq, er.Status, ef.Status)
		}
	}
	resource := func(it store.Item) store.Resource {
		off++
		it.Meta.Source = store.Source{Topic: "fhir.patient.p-icu", Offset: off}
		return store.Resource{Ref: it.Ref, Meta: it.Meta, JSON: []byte(fmt.Sprintf(`{"resourceType":"Observation","id":%q}`, it.ID))}
	}
	apply(&store.Batch{Puts: []store.Resource{resource(hist[0])}}, false) // the engine's cache exists from here on
	held = append(held, hist[0])
	for lo := 1; lo < len(hist); lo += 6 {
		b := &store.Batch{}
		for _, it := range hist[lo:min(lo+6, len(hist))] {
			b.Puts = append(b.Puts, resource(it))
			held = append(held, it)
		}
		switch lo { // a pregnancy recorded, then resolved: NEWS2 stops and starts applying
		case 145, 223:
			status := map[int]string{145: "active", 223: "resolved"}[lo]
			b.Puts = append(b.Puts, store.Resource{Ref: store.Ref{Collection: "p-icu", Type: "Condition", ID: "preg"},
				Meta: store.Meta{Codes: []string{clinical.SystemSNOMED + "|77386006"}, Status: status, Time: hist[0].Meta.Time,
					Source: store.Source{Topic: "fhir.patient.p-icu", Offset: off + 1}},
				JSON: []byte(`{"resourceType":"Condition","id":"preg"}`)})
			off++
		}
		switch lo { // the Patient recorded, then a new version saying they died: nothing applies after
		case 97, 1699:
			js := `{"resourceType":"Patient","id":"p-icu","birthDate":"1955-06-01"}`
			demo := &store.Demographics{Name: "Test", BirthDate: "1955-06-01"}
			if lo == 1699 {
				js = `{"resourceType":"Patient","id":"p-icu","birthDate":"1955-06-01","deceasedDateTime":"2026-11-01T20:00:00Z"}`
				demo.Deceased, demo.DeceasedDate = true, "2026-11-01T20:00:00Z"
			}
			off++
			b.Puts = append(b.Puts, store.Resource{Ref: store.Ref{Collection: "p-icu", Type: "Patient", ID: "p-icu"},
				Meta: store.Meta{Patient: demo, Source: store.Source{Topic: "fhir.patient.p-icu", Offset: off}}, JSON: []byte(js)})
		}
		switch k := rng.IntN(len(held) - 6); {
		case lo%60 == 19 && held[k].Meta.HasValue: // a past reading corrected
			it := held[k]
			it.Meta.Value += 45
			b.Puts = append(b.Puts, resource(it))
		case lo%60 == 43: // a reading entered in error, deleted
			b.Deletes = append(b.Deletes, held[k].Ref)
			held = append(held[:k], held[k+1:]...)
		}
		apply(b, lo%48 == 13 || lo == 97 || lo == 145 || lo == 223 || lo == 1699 || lo+6 >= len(hist)) // trickle commits, not after a correction; the pregnancy's and the Patient's
	}
	run.mu.Lock()
	told, added := run.changes.told, run.seriesAdded
	run.mu.Unlock()
	if sets := len(hist) / 6; told < sets/2 || added < sets/2 {
		t.Fatalf("of %d commits, %d reads were told what changed and %d series updated from the additions alone: the test does not exercise them", sets, told, added)
	}
	if alerts == 0 {
		t.Fatal("the history raised no alert: the comparison proves nothing")
	}
}
