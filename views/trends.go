package views

import (
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// trendPeriod is a choice of the Trends tab's period.
type trendPeriod struct {
	Label string
	Span  time.Duration // 0: all time
}

// trendPeriods are the periods a clinician picks from: those of issue #7
// (24 h, 7 d, 1 y, all) and 1 h for a monitored patient.
var trendPeriods = []trendPeriod{
	{"1 h", time.Hour}, // continuous monitoring, and the demo's minutes
	{"24 h", 24 * time.Hour},
	{"7 d", 7 * 24 * time.Hour},
	{"1 y", 365 * 24 * time.Hour},
	{"All", 0},
}

// The charting rule: two consecutive values are joined by a line only when
// they are at most this far apart; a longer stretch is left empty (a value
// alone between gaps is a dot), so a line never stands for readings nobody
// took. Vital signs and NEWS2: 12 h, the longest routine interval of the
// RCP NEWS2 chart (2017: "minimum 12 hourly" at a score of 0); a score is
// held for at most that long. Laboratory results: 72 h, since daily (or
// twice-daily) bloods on a ward read as a course, and results three days
// apart say nothing of the days between.
const (
	vitalMaxGap = 12 * time.Hour
	labMaxGap   = 72 * time.Hour
)

// trendGapWords is the charting rule as the legend says it.
const trendGapWords = "Lines join readings ≤ 12 h apart (vital signs, NEWS2) or ≤ 72 h (results); a longer gap is left empty"

// signedCodes are the measures that can be below zero (base excess): every
// other trend's axis starts at 0 or above.
var signedCodes = map[string]bool{
	record.SystemLOINC + "|11555-0": true, // base excess in blood
	record.SystemLOINC + "|1925-7":  true, // base excess in arterial blood
	record.SystemLOINC + "|1927-3":  true, // base excess in venous blood
}

// trendMinPoints is how many values a period must hold to be chosen by
// default: the first period (shortest first) with a trend in it.
const trendMinPoints = 2

// trendModel is what the Trends tab draws for one period.
type trendModel struct {
	Period trendPeriod
	From   time.Time
	To     time.Time
	NEWS2  []ui.Point
	Charts []trendSeries // with a value in the period, in display order
	Absent []string      // measures with no value in the period
}

// news2Inputs are the codes of the Observations NEWS2 reads (LOINC and
// SNOMED CT, as clinical.NEWS2 does).
var news2Inputs = map[string]bool{
	clinical.CodeRespiratoryRate: true, clinical.CodeSpO2: true, clinical.CodeSaO2: true,
	clinical.CodeInhaledO2Flow: true, clinical.CodeInhaledO2Conc: true, clinical.CodeSystolicBP: true,
	clinical.CodeBPPanel: true, clinical.CodeBPPanelOld: true, clinical.CodeHeartRate: true,
	clinical.CodeResponsiveness: true, clinical.CodeACVPUSnomed: true, clinical.CodeBodyTemperature: true,
	clinical.CodeTempOral: true, clinical.CodeTempTympanic: true, clinical.CodeTempRectal: true,
	clinical.CodeTempAxillary: true, clinical.CodeTempTemporal: true,
}

// news2Recent is how many of the newest Observations of each code the
// NEWS2 trend scores at each time: the newest usable one is among them
// unless the last three of a code were all unusable (entered in error,
// without a value), when that parameter counts as missing at that time.
const news2Recent = 3

// news2Trend scores NEWS2 at each time a NEWS2 input was charted within
// [from, to] (and at the last time before from, so the line enters the
// period), with the latest values then, as clinical.NEWS2 scores them
// now: the stale window and the Scale 2 policy apply. One pass in time
// order, keeping the newest few Observations of each code, so the
// 20,000-observation patient costs one small NEWS2 per charting time. The
// patient's Goals (for a hypercapnic target) are taken as they are now.
func news2Trend(items []store.Item, from, to time.Time, opts clinical.NEWS2Options) []ui.Point {
	var vit []*store.Item
	var goals []store.Item
	for i := range items {
		it := &items[i]
		if it.Type == "Goal" {
			goals = append(goals, *it)
			continue
		}
		if it.Type != "Observation" || it.Meta.Time.IsZero() || it.Meta.Time.After(to) {
			continue
		}
		for _, c := range it.Meta.Codes {
			if news2Inputs[c] {
				vit = append(vit, it)
				break
			}
		}
	}
	slices.SortStableFunc(vit, func(a, b *store.Item) int { return a.Meta.Time.Compare(b.Meta.Time) })
	recent := map[string][]*store.Item{}
	var keys []string
	var buf []store.Item
	var out []ui.Point
	for i := 0; i < len(vit); {
		t := vit[i].Meta.Time
		for ; i < len(vit) && vit[i].Meta.Time.Equal(t); i++ {
			k := vit[i].Meta.Codes[0]
			l, ok := recent[k]
			if !ok {
				keys = append(keys, k)
			}
			if len(l) == news2Recent {
				l = l[1:]
			}
			recent[k] = append(l, vit[i])
		}
		if t.Before(from) && i < len(vit) && vit[i].Meta.Time.Before(from) {
			continue // only the last score before the period is drawn (it enters at the left edge)
		}
		buf = buf[:0]
		for _, k := range keys {
			for _, it := range recent[k] {
				buf = append(buf, *it)
			}
		}
		r := clinical.NEWS2(buf, goals, opts)
		if r.Band == clinical.BandNone || r.Band == "" {
			continue
		}
		out = append(out, ui.Point{T: t, V: float64(r.Total), Flag: clinical.BandRank(r.Band) >= clinical.BandRank(clinical.BandMedium) || r.Red})
	}
	return out
}

// trendWindow is a period's time axis, ending now (or at the newest value,
// when a clock is behind the data).
func trendWindow(p trendPeriod, series []trendSeries, now time.Time) (from, to time.Time) {
	to = now
	first := now
	for _, s := range series {
		for _, ss := range s.Series {
			if n := len(ss.Points); n > 0 {
				if ss.Points[n-1].T.After(to) {
					to = ss.Points[n-1].T
				}
				if ss.Points[0].T.Before(first) {
					first = ss.Points[0].T
				}
			}
		}
	}
	if p.Span > 0 {
		return to.Add(-p.Span), to
	}
	margin := max(to.Sub(first)/50, time.Hour)
	return first.Add(-margin), to
}

// pointsIn counts a series' values within [from, to].
func pointsIn(pts []ui.Point, from, to time.Time) int {
	lo, _ := slices.BinarySearchFunc(pts, from, func(p ui.Point, t time.Time) int { return p.T.Compare(t) })
	hi, _ := slices.BinarySearchFunc(pts, to.Add(1), func(p ui.Point, t time.Time) int { return p.T.Compare(t) })
	return hi - lo
}

// defaultPeriod is the shortest period with a trend in it: at least
// trendMinPoints values of one measure.
func defaultPeriod(series []trendSeries, now time.Time) trendPeriod {
	for _, p := range trendPeriods[:len(trendPeriods)-1] {
		from, to := trendWindow(p, series, now)
		for _, s := range series {
			if pointsIn(s.Series[0].Points, from, to) >= trendMinPoints {
				return p
			}
		}
	}
	return trendPeriods[len(trendPeriods)-1]
}

// buildTrends builds the Trends tab's model for a period.
func buildTrends(items []store.Item, series []trendSeries, p trendPeriod, now time.Time, opts clinical.NEWS2Options) trendModel {
	m := trendModel{Period: p}
	m.From, m.To = trendWindow(p, series, now)
	m.NEWS2 = news2Trend(items, m.From, m.To, opts)
	for _, s := range series {
		n := 0
		for _, ss := range s.Series {
			n += pointsIn(ss.Points, m.From, m.To)
		}
		if n == 0 {
			m.Absent = append(m.Absent, s.Title)
			continue
		}
		m.Charts = append(m.Charts, s)
	}
	return m
}

// trendsTab is the patient's Trends tab: NEWS2 over time, then one small
// chart per vital sign and numeric lab test with its unit and reference
// range, for a period. Series are built when the tab is in view (a chart
// load while it is hidden only marks them stale), off the UI goroutine.
type trendsTab struct {
	pv *patientView

	mu     sync.Mutex
	seq    uint64
	chosen string // the period picked; "" until the user picks one

	// UI goroutine only.
	drawn   uint64
	chart   *chart
	stale   bool
	model   trendModel
	charts  map[string]*ui.TrendChart
	painted map[*ui.TrendChart]trendDrawn // what each chart last drew

	period  *widget.RadioGroup
	status  *widget.Label
	absent  *widget.Label
	grid    *fyne.Container
	scroll  *container.Scroll
	content fyne.CanvasObject
}

// news2Key is the NEWS2 chart's key among the charts.
const news2Key = "news2"

func newTrendsTab(pv *patientView) patientTabContent {
	t := &trendsTab{pv: pv, charts: map[string]*ui.TrendChart{}}
	var labels []string
	for _, p := range trendPeriods {
		labels = append(labels, p.Label)
	}
	t.period = widget.NewRadioGroup(labels, nil)
	t.period.Horizontal = true
	t.period.Required = true
	t.period.OnChanged = func(s string) {
		if s == "" || s == t.model.Period.Label {
			return
		}
		t.mu.Lock()
		t.chosen = s
		t.mu.Unlock()
		t.rebuild()
	}
	t.status = widget.NewLabel("")
	t.absent = widget.NewLabel("")
	t.absent.Wrapping = fyne.TextWrapWord
	t.absent.Hide()
	t.grid = container.NewGridWithColumns(2)
	bar := container.NewBorder(nil, nil, container.NewHBox(widget.NewLabel("Period"), t.period), nil, t.status)
	legend := ui.NewChartLegend(trendGapWords)
	t.scroll = container.NewVScroll(container.NewPadded(container.NewVBox(legend, t.grid, t.absent)))
	t.content = container.NewBorder(container.NewPadded(bar), nil, nil, nil, t.scroll)
	return t
}

func (t *trendsTab) object() fyne.CanvasObject { return t.content }

// show takes a new chart; the series are rebuilt now if the tab is in
// view, else when it comes into view.
func (t *trendsTab) show(c *chart) {
	t.chart = c
	t.stale = true
	if t.pv.tabs.SelectedIndex() == tabTrends {
		t.rebuild()
	}
}

// showPatch rebuilds the trends only when the patch touched a measure or
// the score; draw then refreshes the charts whose series changed.
func (t *trendsTab) showPatch(c *chart, p *chartPatch) {
	if !p.touchesTrends() {
		t.chart = c
		return
	}
	t.show(c)
}

// release lets the chart and its series go (the view closed).
func (t *trendsTab) release() { t.chart, t.model = nil, trendModel{} }

// selected rebuilds stale series when the tab comes into view.
func (t *trendsTab) selected() {
	if t.stale {
		t.rebuild()
	}
}

// rebuild builds the model off the UI goroutine and draws it.
func (t *trendsTab) rebuild() {
	c := t.chart
	if c == nil {
		return
	}
	t.stale = false
	t.mu.Lock()
	t.seq++
	seq := t.seq
	chosen := t.chosen
	t.mu.Unlock()
	if t.drawn == 0 {
		t.status.SetText("Building the trends…")
	}
	now, opts := t.pv.e.now(), t.pv.e.news2Options()
	t.pv.e.async(func() {
		series := trendSeriesOf(c.Items)
		p := defaultPeriod(series, now)
		for _, tp := range trendPeriods {
			if tp.Label == chosen {
				p = tp
			}
		}
		m := buildTrends(c.Items, series, p, now, opts)
		t.pv.e.do(func() {
			if seq <= t.drawn || t.pv.closed {
				return
			}
			t.drawn = seq
			t.draw(m)
		})
	})
}

// draw puts a model on screen, reusing the chart widgets of measures
// still shown.
func (t *trendsTab) draw(m trendModel) {
	t.model = m
	if t.period.Selected != m.Period.Label {
		t.period.SetSelected(m.Period.Label)
	}
	e := t.pv.e
	keep := map[string]*ui.TrendChart{}
	get := func(key string) *ui.TrendChart {
		tc := t.charts[key]
		if tc == nil {
			tc = ui.NewTrendChart()
		}
		keep[key] = tc
		tc.From, tc.To, tc.Location = m.From, m.To, e.loc
		return tc
	}
	var objs []fyne.CanvasObject
	n2 := get(news2Key)
	n2.Title, n2.Unit = "NEWS2", ""
	n2.Series = []ui.Series{{Points: m.NEWS2, Step: true, MaxGap: vitalMaxGap}}
	n2.NonNegative = true
	// Bands of the RCP NEWS2 chart 2017: 0–4 low, 5–6 medium, 7+ high.
	n2.Zones = []ui.Zone{
		{Low: math.Inf(-1), High: 4.5, Color: ui.ColorChartZoneLow},
		{Low: 4.5, High: 6.5, Color: ui.ColorChartZoneMid},
		{Low: 6.5, High: math.Inf(1), Color: ui.ColorChartZoneHigh},
	}
	top := 0.0
	for _, p := range m.NEWS2 {
		top = max(top, p.V)
	}
	n2.FixedY, n2.YMin, n2.YMax = true, 0, max(10, math.Ceil((top+2)/5)*5)
	n2.Latest = ""
	if k := len(m.NEWS2); k > 0 {
		last := m.NEWS2[k-1]
		n2.Latest = numberText(last.V) + " · " + whenText(last.T, e.now(), e.loc)
	}
	objs = append(objs, n2)
	for _, s := range m.Charts {
		tc := get(s.Key)
		tc.Title, tc.Unit, tc.Series, tc.FixedY = s.Title, s.Unit, s.Series, false
		tc.NonNegative = !signedCodes[s.Key]
		tc.Zones = nil
		if s.Zone != nil {
			tc.Zones = []ui.Zone{*s.Zone}
		}
		value := numberText(s.Last.V)
		if len(s.Series) == 2 && len(s.Series[1].Points) > 0 {
			d := s.Series[1].Points[len(s.Series[1].Points)-1]
			value += "/" + numberText(d.V)
		}
		if s.LastMark != "" {
			value += " " + s.LastMark
		}
		tc.Latest = value + " · " + whenText(s.Last.T, e.now(), e.loc)
		objs = append(objs, tc)
	}
	t.charts = keep
	// Redraw only the charts whose content changed: a new reading of one
	// measure repaints that chart (and the NEWS2 one), not all of them.
	drawn := map[*ui.TrendChart]trendDrawn{}
	for _, tc := range keep {
		d := drawnOf(tc)
		if old, ok := t.painted[tc]; !ok || !reflect.DeepEqual(old, d) {
			tc.Refresh()
		}
		drawn[tc] = d
	}
	t.painted = drawn
	t.grid.Objects = objs
	t.grid.Refresh()
	measures := len(m.Charts)
	switch {
	case measures == 0 && len(m.NEWS2) == 0:
		t.status.SetText("No vital signs or numeric results in this period.")
	default:
		t.status.SetText(strings.TrimSpace(countText(measures, "measure", "measures") + " charted, " + rangeWords(m, e)))
	}
	if len(m.Absent) > 0 {
		t.absent.SetText("No values in this period: " + strings.Join(m.Absent, ", ") + ". Choose a longer period to see them.")
		t.absent.Show()
	} else {
		t.absent.Hide()
	}
	ui.Reflow(t.scroll)
}

// trendDrawn is what a trend chart showed when last refreshed.
type trendDrawn struct {
	Title, Unit, Latest string
	Series              []ui.Series
	Zones               []ui.Zone
	From, To            time.Time
	YMin, YMax          float64
	FixedY, NonNegative bool
}

func drawnOf(tc *ui.TrendChart) trendDrawn {
	return trendDrawn{tc.Title, tc.Unit, tc.Latest, tc.Series, tc.Zones, tc.From, tc.To, tc.YMin, tc.YMax, tc.FixedY, tc.NonNegative}
}

// rangeWords is the period's span in words: "22 Nov 06:00 to 23 Nov 06:00".
func rangeWords(m trendModel, e *env) string {
	return dateTimeText(m.From, e.loc) + " to " + dateTimeText(m.To, e.loc)
}

// countText writes "1 measure", "3 measures".
func countText(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return ui.Thousands(int64(n)) + " " + many
}
