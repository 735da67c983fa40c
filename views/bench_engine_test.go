package views

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/store"
)

// BenchmarkEngineICUReading is the clinical engine's evaluation of the
// demo's ICU chart (21,600 Observations) after one new heart rate, as on
// every vital sign a busy chart receives: the cached Observations walked,
// the score series extended, the current NEWS2, the episodes and alerts.
// It lives here, beside the fixture store the views' benchmarks share.
func BenchmarkEngineICUReading(b *testing.B) {
	s := icuStore(b)
	eng, err := engine.New(engine.Options{Store: s, Now: func() time.Time { return fixtureNow }, User: "bench", Workstation: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := eng.Evaluate(ctx, demo.ICUPatient); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		r := benchReading(b, demo.ICUPatient, fmt.Sprintf("bench-hr-%d", i), fixtureNow.Add(-time.Duration(b.N-i)*time.Second), 90)
		if _, err := s.Apply(&store.Batch{Puts: []store.Resource{r}}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := eng.Evaluate(ctx, demo.ICUPatient); err != nil {
			b.Fatal(err)
		}
	}
}
