package views

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// patientItems reads a patient's index entries.
func patientItems(t testing.TB, s *store.Store, id string) []store.Item {
	t.Helper()
	items, err := s.Items(id)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// TestNEWS2TrendEndsAtTheEngineScore: the trend's last score is the score
// the engine keeps for the patient now, for patients on Scale 1 and 2, with
// stale parameters, and for the 20,000-observation one; and the trend is in
// time order, inside the period.
func TestNEWS2TrendEndsAtTheEngineScore(t *testing.T) {
	s := sharedStore(t)
	for _, id := range []string{demo.DeterioratingPatient, demo.COPDPatient, demo.ICUPatient, demo.RecoveringPatient, demo.NSCLCPatient} {
		t.Run(id, func(t *testing.T) {
			items := patientItems(t, s, id)
			var doc engine.NEWS2Doc
			if err := s.View(func(r *store.Reader) (err error) { doc, _, err = engine.LatestNEWS2(r, id); return }); err != nil {
				t.Fatal(err)
			}
			from, to := fixtureNow.AddDate(-10, 0, 0), fixtureNow
			pts := news2Trend(items, from, to, clinical.NEWS2Options{})
			if len(pts) == 0 {
				t.Fatal("no NEWS2 trend")
			}
			last := pts[len(pts)-1]
			if int(last.V) != doc.Result.Total || !last.T.Equal(doc.Result.Newest) {
				t.Errorf("trend ends at %v at %s, engine scores %d at %s", last.V, last.T, doc.Result.Total, doc.Result.Newest)
			}
			if !slices.IsSortedFunc(pts, func(a, b ui.Point) int { return a.T.Compare(b.T) }) {
				t.Error("trend out of time order")
			}
			if pts[0].T.Before(from) || last.T.After(to) {
				t.Errorf("trend %s..%s outside %s..%s", pts[0].T, last.T, from, to)
			}
		})
	}
}

// TestNEWS2TrendStaleWindow: a parameter older than the stale window stops
// counting, so the trend's score drops although nothing new was charted
// for it (with too few parameters left, to no point at all): the trend
// scores as clinical.NEWS2 would have at each time.
func TestNEWS2TrendStaleWindow(t *testing.T) {
	t0 := fixtureNow.Add(-48 * time.Hour)
	items := []store.Item{}
	for _, r := range highVitals(t, "p-stale", t0) {
		items = append(items, store.Item{Ref: r.Ref, Meta: r.Meta})
	}
	// 30 h later only the pulse is charted again.
	later := highVitals(t, "p-stale", t0.Add(30*time.Hour))
	for _, r := range later {
		if strings.HasSuffix(r.ID, "hi-hr") {
			r.ID += "-2"
			r.Ref.ID = r.ID
			items = append(items, store.Item{Ref: r.Ref, Meta: r.Meta})
		}
	}
	for _, tc := range []struct {
		window time.Duration
		want   []float64
	}{
		{24 * time.Hour, []float64{17}}, // the rest is stale: a pulse alone is insufficient, no point
		{48 * time.Hour, []float64{17, 17}},
	} {
		pts := news2Trend(items, t0.Add(-time.Hour), fixtureNow, clinical.NEWS2Options{Window: tc.window})
		var got []float64
		for _, p := range pts {
			got = append(got, p.V)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("window %s: trend %v, want %v", tc.window, got, tc.want)
		}
		if !pts[0].Flag {
			t.Errorf("a high score is not flagged")
		}
	}
}

func TestTrendSeries(t *testing.T) {
	s := sharedStore(t)
	series := trendSeriesOf(patientItems(t, s, demo.DeterioratingPatient))
	by := map[string]trendSeries{}
	var titles []string
	for _, ts := range series {
		by[ts.Title] = ts
		titles = append(titles, ts.Title)
	}
	// Vital signs first in NEWS2 chart order, then labs by name.
	want := []string{"Respiratory rate", "Oxygen saturation in Arterial blood by Pulse oximetry", "Blood pressure", "Heart rate", "Body temperature", "Body weight", "Body height", "Body mass index (BMI)"}
	if !slices.Equal(titles[:len(want)], want) {
		t.Errorf("first series %q, want %q", titles[:len(want)], want)
	}
	bp := by["Blood pressure"]
	if len(bp.Series) != 2 || len(bp.Series[0].Points) != 15 || len(bp.Series[1].Points) != 15 || bp.Unit != "mmHg" {
		t.Errorf("blood pressure: %d series, unit %q", len(bp.Series), bp.Unit)
	}
	if tmp := by["Body temperature"]; tmp.Unit != "°C" || tmp.Zone != nil {
		t.Errorf("temperature unit %q zone %v", tmp.Unit, tmp.Zone)
	}
	hb := by["Hemoglobin A1c/Hemoglobin.total in Blood"]
	if hb.Zone == nil || hb.Zone.Low != 4 || hb.Zone.High != 5.6 || len(hb.Series[0].Points) != 10 {
		t.Fatalf("HbA1c: zone %v, %d points", hb.Zone, len(hb.Series[0].Points))
	}
	flagged := 0
	for _, p := range hb.Series[0].Points {
		if p.Flag {
			flagged++
		}
	}
	if pts := hb.Series[0].Points; flagged == 0 || hb.Last != pts[len(pts)-1] || hb.Last.V != 7.5 || !hb.Last.Flag {
		t.Errorf("HbA1c: %d flagged, last %+v", flagged, hb.Last)
	}
	// HDL has only a lower limit: the zone is open above.
	if z := by["Cholesterol in HDL in Serum or Plasma"].Zone; z == nil || z.Low != 40 || z.High < 1e300 {
		t.Errorf("HDL zone %+v", z)
	}
	for _, ts := range series {
		if strings.Contains(ts.Title, "smoking") || strings.Contains(ts.Title, "responsiveness") {
			t.Errorf("a non-numeric observation is charted: %s", ts.Title)
		}
	}
}

func TestDefaultPeriod(t *testing.T) {
	s := sharedStore(t)
	for _, tc := range []struct {
		id, want string
	}{
		{demo.DeterioratingPatient, "24 h"}, // an inpatient: vitals today
		{demo.ICUPatient, "1 h"},            // monitored every 5 min
		{"pt-0015", "1 y"},                  // an outpatient seen this year
		{"pt-0019", "1 y"},
	} {
		series := trendSeriesOf(patientItems(t, s, tc.id))
		if got := defaultPeriod(series, fixtureNow); got.Label != tc.want {
			t.Errorf("%s: default period %s, want %s", tc.id, got.Label, tc.want)
		}
	}
}

// TestTrendsTab: the tab builds only when in view, charts NEWS2 first and
// each measure with values in the period, lists the others, and follows a
// period choice.
func TestTrendsTab(t *testing.T) {
	s := sharedStore(t)
	_, w, pv := openTest(t, s, demo.RecoveringPatient, ui.ModeLight)
	tt := pv.contents[tabTrends].(*trendsTab)
	if tt.drawn != 0 || !tt.stale {
		t.Fatalf("the trends were built while hidden")
	}
	pv.tabs.SelectIndex(tabTrends)
	if tt.drawn == 0 || tt.model.Period.Label != "24 h" || tt.period.Selected != "24 h" {
		t.Fatalf("trends not built on show: period %q", tt.model.Period.Label)
	}
	first := tt.grid.Objects[0].(*ui.TrendChart)
	if first.Title != "NEWS2" || len(first.Series[0].Points) == 0 || first.Latest != "9 · 41 min ago · 05:19" {
		t.Errorf("first chart %s latest %q", first, first.Latest)
	}
	if len(tt.grid.Objects) != 1+len(tt.model.Charts) || tt.absent.Hidden || !strings.Contains(tt.absent.Text, "Body weight") {
		t.Errorf("%d charts, absent %q", len(tt.grid.Objects), tt.absent.Text)
	}
	test.AssertRendersToMarkup(t, "trends.xml", w.Canvas())
	shot(t, w, "trends-"+demo.RecoveringPatient)

	tt.period.SetSelected("All")
	if tt.model.Period.Label != "All" || !tt.absent.Hidden || len(tt.model.Charts) <= 16 {
		t.Errorf("all time: period %s, %d charts, absent %q", tt.model.Period.Label, len(tt.model.Charts), tt.absent.Text)
	}
	// A reload keeps the period picked.
	pv.reload()
	if tt.model.Period.Label != "All" {
		t.Errorf("a reload reset the period to %s", tt.model.Period.Label)
	}
	for _, mode := range []string{ui.ModeDark} {
		_, w, pv := openTest(t, s, demo.ICUPatient, mode)
		pv.tabs.SelectIndex(tabTrends)
		shot(t, w, "trends-"+demo.ICUPatient+"-"+mode)
	}
}

// BenchmarkTrends measures the Trends tab's model for the
// 20,000-observation patient, for each period: the series, the default
// period and the NEWS2 trend, as the tab builds them off the UI goroutine.
func BenchmarkTrends(b *testing.B) {
	s := icuStore(b)
	items := patientItems(b, s, demo.ICUPatient)
	for _, p := range trendPeriods {
		b.Run(strings.ReplaceAll(p.Label, " ", ""), func(b *testing.B) {
			var m trendModel
			start := time.Now()
			for range b.N {
				series := trendSeriesOf(items)
				m = buildTrends(items, series, p, fixtureNow, clinical.NEWS2Options{})
			}
			b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/build")
			b.ReportMetric(float64(len(m.NEWS2)), "news2-points")
		})
	}
}
