package engine

import (
	"fmt"
	"testing"
	"time"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/store"
)

// icuSeries is an ICU-sized history: a NEWS2 set every 5 minutes for ten
// days (2,880 sets, 17,280 Observations), pulse rising and falling so the
// bands change.
func icuSeries(days int) []store.Item {
	var out []store.Item
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	off := int64(0)
	item := func(id string, at time.Time, m store.Meta) {
		off++
		m.Time, m.Status, m.Source = at, "final", store.Source{Offset: off}
		out = append(out, store.Item{Ref: store.Ref{Collection: "p-icu", Type: "Observation", ID: id}, Meta: m})
	}
	for i := 0; i < days*24*12; i++ {
		at := t0.Add(time.Duration(i) * 5 * time.Minute)
		id := func(p string) string { return fmt.Sprintf("%s-%d", p, i) }
		pulse := 70 + float64((i/36)%8)*10 // 70 … 140 /min
		item(id("rr"), at, store.Meta{Codes: []string{clinical.CodeRespiratoryRate}, Value: 18, HasValue: true, Unit: "/min"})
		item(id("ox"), at, store.Meta{Codes: []string{clinical.CodeSpO2}, Value: 96, HasValue: true, Unit: "%",
			Components: []store.Component{{Code: clinical.CodeInhaledO2Flow, Value: 0, HasValue: true, Unit: "L/min"}}})
		item(id("bp"), at, store.Meta{Codes: []string{clinical.CodeBPPanel}, Components: []store.Component{
			{Code: clinical.CodeSystolicBP, Value: 118, HasValue: true, Unit: "mm[Hg]"}}})
		item(id("hr"), at, store.Meta{Codes: []string{clinical.CodeHeartRate}, Value: pulse, HasValue: true, Unit: "/min"})
		item(id("avpu"), at, store.Meta{Codes: []string{clinical.CodeResponsiveness}, ValueCode: clinical.CodeACVPUAlert})
		item(id("temp"), at, store.Meta{Codes: []string{clinical.CodeBodyTemperature}, Value: 37.2, HasValue: true, Unit: "Cel"})
	}
	return out
}

// BenchmarkSeriesCold scores every set of an ICU history (what a node does
// once per patient after it starts); BenchmarkSeriesOneMoreSet what it does
// when one new set arrives.
func BenchmarkSeriesCold(b *testing.B) {
	obs := icuSeries(10)
	for b.Loop() {
		e := &Engine{cache: map[string]*seriesCache{}}
		if pts := e.series(news2Kind, "p-icu", obs, nil, clinical.NEWS2Options{}, nil); len(pts) != 2880 {
			b.Fatalf("%d points", len(pts))
		}
	}
	b.ReportMetric(float64(len(obs)), "observations")
}

func BenchmarkSeriesOneMoreSet(b *testing.B) {
	obs := icuSeries(10)
	last := obs[len(obs)-6:]
	base := obs[:len(obs)-6]
	more := append(base[:len(base):len(base)], last...)
	e := &Engine{cache: map[string]*seriesCache{}}
	for b.Loop() {
		b.StopTimer()
		e.series(news2Kind, "p-icu", base, nil, clinical.NEWS2Options{}, nil)
		b.StartTimer()
		e.series(news2Kind, "p-icu", more, nil, clinical.NEWS2Options{}, nil)
	}
}

// TestSeriesIncrementalEqualsFull: the cache gives the points a full
// scoring gives, after an append, an amendment in the past and a deletion.
func TestSeriesIncrementalEqualsFull(t *testing.T) {
	obs := icuSeries(2)
	full := func(items []store.Item) string {
		e := &Engine{cache: map[string]*seriesCache{}}
		return fmt.Sprint(e.series(news2Kind, "p", items, nil, clinical.NEWS2Options{}, nil))
	}
	e := &Engine{cache: map[string]*seriesCache{}}
	step := func(name string, items []store.Item) {
		if got, want := fmt.Sprint(e.series(news2Kind, "p", items, nil, clinical.NEWS2Options{}, nil)), full(items); got != want {
			t.Fatalf("%s: incremental and full scoring differ", name)
		}
	}
	step("first", obs[:len(obs)/2])
	step("append", obs)
	amended := append([]store.Item(nil), obs...)
	amended[100].Meta.Value, amended[100].Meta.Source.Offset = 150, 1_000_000 // a past pulse amended
	step("amend", amended)
	deleted := append(append([]store.Item(nil), amended[:200]...), amended[201:]...)
	step("delete", deleted)
}

// BenchmarkNEWS2AtICU is the current score of an ICU history: what every
// evaluation of a busy chart computes before its series.
func BenchmarkNEWS2AtICU(b *testing.B) {
	obs := icuSeries(10)
	now := obs[len(obs)-1].Meta.Time.Add(time.Minute)
	for b.Loop() {
		if r := clinical.NEWS2At(obs, nil, clinical.NEWS2Options{}, now); !r.Complete {
			b.Fatalf("score %s: %s", r.Status, r.Why)
		}
	}
	b.ReportMetric(float64(len(obs)), "observations")
}

// BenchmarkNEWS2AtPulseOnly is the current score of a chart that only ever
// records a heart rate (a monitor feed): never complete, so no span of
// recent Observations settles it.
func BenchmarkNEWS2AtPulseOnly(b *testing.B) {
	var obs []store.Item
	for _, it := range icuSeries(10) {
		if it.Meta.Codes[0] == clinical.CodeHeartRate {
			obs = append(obs, it)
		}
	}
	now := obs[len(obs)-1].Meta.Time.Add(time.Minute)
	for b.Loop() {
		if r := clinical.NEWS2At(obs, nil, clinical.NEWS2Options{}, now); r.Complete {
			b.Fatal("a pulse alone scored complete")
		}
	}
	b.ReportMetric(float64(len(obs)), "observations")
}
