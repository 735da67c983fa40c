package views

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/store"
)

// icuStore holds only the ICU patient (20,000+ Observations) for the
// benchmark, built once.
var icu struct {
	once sync.Once
	s    *store.Store
}

func icuStore(b testing.TB) *store.Store {
	icu.once.Do(func() {
		keep := func(name string) bool { return name == demo.PatientFixture(demo.ICUPatient) }
		icu.s = newFixtureStore(b, filepath.Join(sharedDir, "icu.db"), keep)
	})
	return icu.s
}

// BenchmarkOpenPatient measures opening the 20,000-observation patient: one
// store snapshot to a ready view model (banner, every summary section with
// the NEWS2 breakdown, and the timeline rows sorted newest first), as the
// patient view does off the UI goroutine. Budget: 100 ms.
func BenchmarkOpenPatient(b *testing.B) {
	s := icuStore(b)
	var c *chart
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		err := s.View(func(r *store.Reader) error {
			var err error
			c, err = loadChart(r, demo.ICUPatient, fixtureNow, newsOptions())
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	if len(c.Timeline) < 20000 {
		b.Fatalf("the ICU patient has %d timeline entries, want 20,000+", len(c.Timeline))
	}
	b.ReportMetric(float64(elapsed.Microseconds())/1000/float64(b.N), "ms/open")
	b.ReportMetric(float64(len(c.Timeline)), "entries")
}

// BenchmarkTimelineFilter measures re-filtering the 20,000-entry timeline as
// a clinician types: one keystroke's rebuild of the rows.
func BenchmarkTimelineFilter(b *testing.B) {
	s := icuStore(b)
	var c *chart
	if err := s.View(func(r *store.Reader) error {
		var err error
		c, err = loadChart(r, demo.ICUPatient, fixtureNow, newsOptions())
		return err
	}); err != nil {
		b.Fatal(err)
	}
	tl := &timelineTab{pv: &patientView{e: &env{loc: time.UTC}}, entries: c.Timeline}
	words := [][]string{queryWords("heart"), queryWords("heart rate 1"), nil}
	b.ResetTimer()
	start := time.Now()
	rows := 0
	for i := range b.N {
		tl.words = words[i%len(words)]
		rows += filterRows(tl)
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/keystroke")
}

func newsOptions() clinical.NEWS2Options { return clinical.NEWS2Options{} }

func filterRows(t *timelineTab) int { return t.computeRows() }
