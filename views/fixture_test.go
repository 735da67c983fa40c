package views

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/publish"
	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/assets"
	"github.com/chartline/chartline/store"
)

// fixtureNow is the fixed clock of every screen test: the instant the demo
// histories lead up to.
var fixtureNow = demo.Anchor()

// fixtureResources reads the embedded demo fixtures and splits them into
// Kafka records exactly as `chartline publish` would, and decodes them with
// the feed's record rules: the resources a real ingest would store.
func fixtureResources(tb testing.TB, keep func(name string) bool) []store.Resource {
	tb.Helper()
	topics := kafka.DefaultTopics()
	names, err := fs.Glob(assets.Fixtures, "fixtures/*.json.gz")
	if err != nil {
		tb.Fatal(err)
	}
	sort.Strings(names)
	var kept []string
	for _, name := range names {
		if keep == nil || keep(filepath.Base(name)) {
			kept = append(kept, name)
		}
	}
	// Files decode in parallel (the ICU patient alone is 20,000 records);
	// the result keeps file order.
	per := make([][]store.Resource, len(kept))
	errs := make([]error, len(kept))
	var wg sync.WaitGroup
	for i, name := range kept {
		wg.Add(1)
		go func() {
			defer wg.Done()
			per[i], errs[i] = decodeFixture(name, topics)
		}()
	}
	wg.Wait()
	var out []store.Resource
	for i := range kept {
		if errs[i] != nil {
			tb.Fatal(errs[i])
		}
		out = append(out, per[i]...)
	}
	return out
}

// decodeFixture reads one fixture file into resources.
func decodeFixture(name string, topics kafka.Topics) ([]store.Resource, error) {
	base := filepath.Base(name)
	gz, err := assets.Fixtures.ReadFile(name)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", base, err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", base, err)
	}
	recs, err := publish.Split(data, topics, "fixtures")
	if err != nil {
		return nil, fmt.Errorf("split %s: %w", base, err)
	}
	out := make([]store.Resource, 0, len(recs))
	for i, r := range recs {
		col, ok := topics.Collection(r.Topic)
		if !ok || col == store.AlertState {
			continue
		}
		patient := ""
		if store.IsPatient(col) {
			patient = col
		}
		d, err := record.Decode(r.Key, r.Value, patient)
		if err != nil {
			return nil, fmt.Errorf("%s record %d (%s): %w", base, i, r.Key, err)
		}
		d.Meta.Source = store.Source{Topic: r.Topic, Offset: int64(i), Time: fixtureNow}
		out = append(out, store.Resource{Ref: store.Ref{Collection: col, Type: d.Type, ID: d.ID}, JSON: r.Value, Meta: d.Meta})
	}
	return out, nil
}

// newFixtureStore creates a store at path holding the fixture files keep
// accepts (all when nil), with the clinical engine's NEWS2, alerts and
// matches derived, as a workstation would have them after catching up.
func newFixtureStore(tb testing.TB, path string, keep func(name string) bool) *store.Store {
	tb.Helper()
	s, err := store.Create(path, []byte("fixture passphrase"), &store.Options{KDF: store.TestKDF, NoSync: true})
	if err != nil {
		tb.Fatal(err)
	}
	res := fixtureResources(tb, keep)
	const batch = 2000
	for lo := 0; lo < len(res); lo += batch {
		if _, err := s.Apply(&store.Batch{Puts: res[lo:min(lo+batch, len(res))]}); err != nil {
			tb.Fatal(err)
		}
	}
	deriveAll(tb, s)
	return s
}

// deriveAll runs the clinical engine over the store until it is idle.
func deriveAll(tb testing.TB, s *store.Store) {
	tb.Helper()
	eng, err := engine.New(engine.Options{Store: s, Now: func() time.Time { return fixtureNow }, User: "test", Workstation: "test"})
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	done := make(chan error, 1)
	rctx, stop := context.WithCancel(ctx)
	go func() { done <- eng.Run(rctx) }()
	err = eng.WaitIdle(ctx, s.Seq())
	stop()
	if rerr := <-done; rerr != nil {
		tb.Fatal(rerr)
	}
	if err != nil {
		tb.Fatal(err)
	}
}

// shared is the whole fixture population, built once per test binary and
// only read by the tests that use it.
var shared struct {
	once sync.Once
	dir  string
	s    *store.Store
	err  error
}

// sharedStore returns the store holding every fixture patient.
func sharedStore(tb testing.TB) *store.Store {
	tb.Helper()
	shared.once.Do(func() {
		shared.s = newFixtureStore(tb, filepath.Join(sharedDir, "fixtures.db"), nil)
	})
	if shared.s == nil {
		tb.Fatal("shared fixture store failed to build")
	}
	return shared.s
}

// smallStore returns a fresh store with a few fixture patients (not the
// 20,000-observation one), for tests that change what it holds.
func smallStore(tb testing.TB, patients ...string) *store.Store {
	tb.Helper()
	keep := func(name string) bool {
		if !strings.HasPrefix(name, "patient-") {
			return true
		}
		for _, p := range patients {
			if name == demo.PatientFixture(p) {
				return true
			}
		}
		return false
	}
	s := newFixtureStore(tb, filepath.Join(tb.TempDir(), "small.db"), keep)
	tb.Cleanup(func() { s.Close() })
	return s
}
