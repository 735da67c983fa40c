package views

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/ui"
)

// TestClosedChartIsReleased: once the patient view is closed its chart
// (every index entry and timeline entry of the patient) can be collected,
// though Fyne keeps the closed view's renderers, and through their
// callbacks the view, for a minute. It fails if close lets the chart,
// the timeline's entries or the trends' chart stay referenced.
func TestClosedChartIsReleased(t *testing.T) {
	s := sharedStore(t)
	e, w, pv := openTest(t, s, demo.RecoveringPatient, ui.ModeLight)
	pv.tabs.SelectIndex(tabTrends) // the trends hold the chart too
	w.Canvas().Capture()
	var freed atomic.Bool
	runtime.SetFinalizer(pv.chart, func(*chart) { freed.Store(true) })
	entries := len(pv.contents[tabTimeline].(*timelineTab).entries)
	if entries == 0 {
		t.Fatal("the timeline shows no entries")
	}
	e.shell.Back()
	w.Canvas().Capture()
	if pv.chart != nil || pv.model != nil || pv.contents[tabTimeline].(*timelineTab).entries != nil {
		t.Fatal("the closed view still holds its chart")
	}
	for deadline := time.Now().Add(5 * time.Second); !freed.Load() && time.Now().Before(deadline); {
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
	}
	if !freed.Load() {
		t.Fatal("the closed view's chart was not collected")
	}
	runtime.KeepAlive(pv)
}
