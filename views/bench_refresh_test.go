package views

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// BenchmarkChartRefresh is p3r: the ICU patient's chart (20,000+
// Observations) is open on its summary while 1,000 records a second arrive
// (other patients' readings in 20 ms batches, and a heart rate of the ICU
// patient every 100 ms, with the clinical engine running and writing its
// NEWS2 after each), and measures each ICU reading from its store commit to
// the chart on screen showing it (its timeline row drawn, the summary and
// trends patched). The feed's produce-to-commit is p3. Budget: p99 100 ms.
func BenchmarkChartRefresh(b *testing.B) {
	keep := func(name string) bool { return name == demo.PatientFixture(demo.ICUPatient) }
	s := newFixtureStore(b, filepath.Join(b.TempDir(), "refresh.db"), keep)
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	eng, err := engine.New(engine.Options{Store: s, Now: func() time.Time { return fixtureNow }, User: "bench", Workstation: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	engDone := make(chan error, 1)
	go func() { engDone <- eng.Run(ctx) }()
	defer func() { cancel(); <-engDone }()

	// pending is the reading awaited on screen and when it was committed.
	var mu sync.Mutex
	var pending store.Ref
	var committed time.Time
	shown := make(chan time.Duration, 1)
	var pv *patientView
	check := func() { // on the UI goroutine, after each draw
		mu.Lock()
		defer mu.Unlock()
		if pv == nil || pv.chart == nil || pending.ID == "" {
			return
		}
		for _, en := range pv.chart.Timeline {
			if en.Ref == pending {
				shown <- time.Since(committed)
				pending = store.Ref{}
				return
			}
		}
	}
	// The test driver runs fyne.Do on the caller's goroutine: one lock
	// makes the UI one goroutine, as the real driver does.
	var uiMu sync.Mutex
	onUI := func(fn func()) {
		uiMu.Lock()
		defer uiMu.Unlock()
		fn()
	}
	a := test.NewTempApp(b)
	a.Settings().SetTheme(ui.NewTheme(ui.ModeLight))
	w := test.NewTempWindow(b, nil)
	w.Resize(windowSize)
	e := newEnv(envOptions{
		window: w, store: s, engine: eng,
		now: func() time.Time { return fixtureNow },
		loc: time.UTC,
		do:  func(fn func()) { onUI(func() { fn(); check() }) },
	})
	onUI(func() {
		e.shell.Install()
		e.start()
	})
	sub := s.Subscribe()
	go e.live.run(ctx, sub)
	onUI(func() { e.openPatient(demo.ICUPatient); pv = e.patient })
	waitChartOpen(b, onUI, pv)

	// The other patients' trickle: 20 readings every 20 ms.
	bgDone := trickle(ctx, b, s)

	var lat []time.Duration
	b.ResetTimer()
	for i := range b.N {
		for j := range 20 {
			id := fmt.Sprintf("refresh-%d-%d", i, j)
			r := benchReading(b, demo.ICUPatient, id, fixtureNow.Add(-time.Minute), 90+j)
			mu.Lock()
			pending, committed = r.Ref, time.Now()
			mu.Unlock()
			if _, err := s.Apply(&store.Batch{Puts: []store.Resource{r}}); err != nil {
				b.Fatal(err)
			}
			select {
			case d := <-shown:
				lat = append(lat, d)
			case <-time.After(10 * time.Second):
				b.Fatalf("reading %s not shown in 10 s", id)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	b.StopTimer()
	cancel()
	<-bgDone
	slices.Sort(lat)
	p := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(p(0.99), "ms/p99-shown")
	b.ReportMetric(p(0.5), "ms/p50-shown")
}

// waitChartOpen waits (a minute at most) for the patient view's chart to
// be read, looking on the UI goroutine.
func waitChartOpen(b *testing.B, onUI func(func()), pv *patientView) {
	b.Helper()
	for deadline := time.Now().Add(time.Minute); ; {
		var ok bool
		onUI(func() { ok = pv.chart != nil })
		if ok {
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("the ICU chart did not open in a minute")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// trickle is BenchmarkChartRefresh's other patients: 20 readings every
// 20 ms until ctx ends (or a write fails); the channel closes then.
func trickle(ctx context.Context, b *testing.B, s *store.Store) <-chan struct{} {
	bgDone := make(chan struct{})
	go func() {
		defer close(bgDone)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for n := 0; ; n++ {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			var puts []store.Resource
			for i := range 20 {
				pt := fmt.Sprintf("bench-bg-%02d", i)
				puts = append(puts, benchReading(b, pt, fmt.Sprintf("bg-%d-%d", n, i), fixtureNow.Add(-time.Hour), 80+i))
			}
			if _, err := s.Apply(&store.Batch{Puts: puts}); err != nil {
				return
			}
		}
	}()
	return bgDone
}

// benchReading is a heart-rate Observation of a patient at a time.
func benchReading(tb testing.TB, patient, id string, at time.Time, hr int) store.Resource {
	js := fmt.Sprintf(`{"resourceType":"Observation","id":%q,"status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}]},"subject":{"reference":"Patient/%s"},"effectiveDateTime":%q,"valueQuantity":{"value":%d,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}}`,
		id, patient, at.UTC().Format(time.RFC3339), hr)
	d, err := record.Decode([]byte("Observation/"+id), []byte(js), patient)
	if err != nil {
		tb.Fatal(err)
	}
	return store.Resource{Ref: store.Ref{Collection: patient, Type: d.Type, ID: d.ID}, JSON: []byte(js), Meta: d.Meta}
}
