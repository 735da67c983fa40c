package views

import (
	"os"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// Environment the bench harness sets (app/bench.EnvBenchStore and
// EnvBenchPassphrase): the store p4 left, 1M resources, and its passphrase.
const (
	envBenchStore      = "CHARTLINE_BENCH_STORE"
	envBenchPassphrase = "CHARTLINE_BENCH_PASSPHRASE"
)

// BenchmarkColdStart is p8's cold start: from the unlocked passphrase to
// the census drawn over a 1M-resource store — the store opened, the
// screens built, every patient's census row read and the first frame
// painted by the test driver. The store was made with a cheap KDF, so
// Argon2 is left out; the harness measures it apart (p8_unlock_kdf_s). The
// file is in the page cache after the first run (the harness cannot drop
// it): this is a cold process over a warm file. Budget: 1 s.
func BenchmarkColdStart(b *testing.B) {
	path := os.Getenv(envBenchStore)
	if path == "" {
		b.Skip(envBenchStore + " names no store (make bench sets it to p4's 1M-resource store)")
	}
	pass := []byte(os.Getenv(envBenchPassphrase))
	a := test.NewTempApp(b)
	a.Settings().SetTheme(ui.NewTheme(ui.ModeLight))
	var total time.Duration
	rows := 0
	for range b.N {
		start := time.Now()
		s, err := store.Open(path, pass, &store.Options{ReadOnly: true})
		if err != nil {
			b.Fatal(err)
		}
		w := test.NewWindow(nil)
		w.Resize(windowSize)
		e := newEnv(envOptions{
			window: w, store: s,
			async: func(fn func()) { fn() }, // the census's read, waited for
		})
		e.shell.Install()
		e.start()
		w.Canvas().Capture()
		total += time.Since(start)
		if e.census == nil || !e.census.loaded {
			b.Fatal("the census did not load")
		}
		rows = len(e.census.rows)
		w.Close()
		s.Close()
	}
	if rows == 0 {
		b.Fatal("the census shows no patient")
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/cold-start")
	b.ReportMetric(float64(rows), "patients")
}
