package views

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/ui"
)

// BenchmarkRenderPatient is p2r: Enter on the 20,000-observation patient in
// the census (what the census's Enter runs, env.openPatient) to the patient
// view read, laid out and rendered to pixels by Fyne's test driver, at the
// screen tests' 1280×800. Store reads run inline, as in the screen tests, so
// the figure holds the whole path: the view model, every tab's widgets, the
// layout and one full paint. Budget: 150 ms.
func BenchmarkRenderPatient(b *testing.B) {
	s := icuStore(b)
	a := test.NewTempApp(b)
	a.Settings().SetTheme(ui.NewTheme(ui.ModeLight))
	w := test.NewTempWindow(b, nil)
	w.Resize(windowSize)
	e := newEnv(envOptions{
		window: w, store: s,
		now:   func() time.Time { return fixtureNow },
		loc:   time.UTC,
		async: func(fn func()) { fn() },
	})
	e.shell.Install()
	e.start()
	w.Resize(windowSize)
	w.Canvas().Capture() // the census drawn once, as it is before Enter
	b.ResetTimer()
	var total time.Duration
	for range b.N {
		start := time.Now()
		e.openPatient(demo.ICUPatient)
		img := w.Canvas().Capture()
		total += time.Since(start)
		b.StopTimer()
		if e.patient == nil || e.patient.chart == nil || len(e.patient.chart.Timeline) < 20000 {
			b.Fatal("the ICU patient's chart did not open")
		}
		if img.Bounds().Dx() == 0 {
			b.Fatal("nothing rendered")
		}
		e.shell.Back()
		w.Canvas().Capture()
		b.StartTimer()
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/render")
}
