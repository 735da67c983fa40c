package ui

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		n      int
		want   []float64
	}{
		{0, 10, 4, []float64{0, 5, 10}},
		{0, 20, 4, []float64{0, 5, 10, 15, 20}},
		{36.1, 38.4, 4, []float64{36, 37, 38, 39}},
		{36.1, 37.9, 4, []float64{36, 36.5, 37, 37.5, 38}},
		{93.5, 100, 4, []float64{92, 94, 96, 98, 100}},
		{7.29, 7.45, 4, []float64{7.25, 7.3, 7.35, 7.4, 7.45}},
		{-3, 3, 3, []float64{-4, -2, 0, 2, 4}},
		{5, 5, 4, nil},            // no span
		{math.Inf(-1), 3, 4, nil}, // open
		{math.NaN(), 3, 4, nil},   // not a number
		{0, 1e-9, 4, []float64{0, 5e-10, 1e-9}},
	} {
		got := NiceTicks(tc.lo, tc.hi, tc.n)
		if len(got) != len(tc.want) {
			t.Errorf("NiceTicks(%v, %v, %d) = %v, want %v", tc.lo, tc.hi, tc.n, got, tc.want)
			continue
		}
		for i := range got {
			if math.Abs(got[i]-tc.want[i]) > 1e-12 {
				t.Errorf("NiceTicks(%v, %v, %d) = %v, want %v", tc.lo, tc.hi, tc.n, got, tc.want)
				break
			}
		}
		if len(got) > 0 && (got[0] > tc.lo || got[len(got)-1] < tc.hi) {
			t.Errorf("NiceTicks(%v, %v) = %v does not span the range", tc.lo, tc.hi, got)
		}
	}
}

func TestTickText(t *testing.T) {
	for _, tc := range []struct {
		v     float64
		ticks []float64
		want  string
	}{
		{10, []float64{0, 5, 10}, "10"},
		{36.5, []float64{36, 36.5}, "36.5"},
		{7.35, []float64{7.3, 7.35}, "7.35"},
		{math.Copysign(0, -1), []float64{-1, 0}, "0"},
	} {
		if got := TickText(tc.v, tc.ticks); got != tc.want {
			t.Errorf("TickText(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestTimeTicks(t *testing.T) {
	utc := time.UTC
	at := func(s string) time.Time {
		v, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		from, to string
		max      int
		want     []string
	}{
		{"2026-11-22 06:00", "2026-11-23 06:00", 6, []string{"06:00", "12:00", "18:00", "Mon 23", "06:00"}},
		{"2026-11-22 06:10", "2026-11-22 09:00", 6, []string{"06:30", "07:00", "07:30", "08:00", "08:30", "09:00"}},
		{"2026-11-22 10:18", "2026-11-22 11:18", 6, []string{"10:30", "10:45", "11:00", "11:15"}},
		{"2026-11-22 23:40", "2026-11-23 00:10", 6, []string{"23:40", "23:50", "Mon 23", "00:10"}},
		{"2026-11-16 06:00", "2026-11-23 06:00", 8, []string{"Tue 17", "Wed 18", "Thu 19", "Fri 20", "Sat 21", "Sun 22", "Mon 23"}},
		{"2025-11-23 06:00", "2026-11-23 06:00", 6, []string{"Jan 2026", "Apr 2026", "Jul 2026", "Oct 2026"}},
		{"2016-01-01 00:00", "2026-11-23 06:00", 4, []string{"2020", "2025"}},
	} {
		var got []string
		for _, tk := range TimeTicks(at(tc.from), at(tc.to), utc, tc.max) {
			got = append(got, tk.Label)
			if tk.T.Before(at(tc.from)) || tk.T.After(at(tc.to)) {
				t.Errorf("tick %s outside %s..%s", tk.T, tc.from, tc.to)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("TimeTicks(%s, %s, %d) = %q, want %q", tc.from, tc.to, tc.max, got, tc.want)
		}
	}
	if got := TimeTicks(at("2026-11-22 06:00"), at("2026-11-22 06:00"), utc, 5); got != nil {
		t.Errorf("an empty span has ticks %v", got)
	}
}

// TestThin: many points per pixel keep each bucket's first, lowest,
// highest and last, so a one-sample spike survives; few points stay as
// they are; a value before the period enters at its edge.
func TestThin(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	var pts []Point
	for i := range 5000 {
		v := 80.0
		if i == 2345 {
			v = 190 // a spike
		}
		if i == 3456 {
			v = 30
		}
		pts = append(pts, Point{T: t0.Add(time.Duration(i) * time.Minute), V: v})
	}
	from, to := t0, t0.Add(5000*time.Minute)
	xOf := func(tt time.Time) float32 { return float32(float64(tt.Sub(from)) / float64(to.Sub(from)) * 400) }
	out, entered := thin(pts, from, to, false, 0, xOf)
	if entered || len(out) > 4*400/chartBucketPx+8 || len(out) < 200 {
		t.Fatalf("5000 points over 400 px thinned to %d (entered %v)", len(out), entered)
	}
	hi, lo := 0.0, 1000.0
	for _, p := range out {
		hi, lo = max(hi, p.V), min(lo, p.V)
	}
	if hi != 190 || lo != 30 {
		t.Errorf("thinning lost the extremes: %v..%v", lo, hi)
	}
	if !slices.IsSortedFunc(out, func(a, b Point) int { return a.T.Compare(b.T) }) {
		t.Error("thinned points out of time order")
	}
	var few []Point
	for i := range 10 {
		few = append(few, Point{T: t0.Add(time.Duration(i) * time.Hour), V: float64(i)})
	}
	if got, _ := thin(few, from, to, false, 0, xOf); len(got) != 10 {
		t.Errorf("10 points became %d", len(got))
	}
	// Entering the period: interpolated for a measurement, held for a score.
	two := []Point{{T: t0, V: 10}, {T: t0.Add(2 * time.Hour), V: 20}}
	mid := t0.Add(time.Hour)
	for _, tc := range []struct {
		step bool
		want float64
	}{{false, 15}, {true, 10}} {
		got, entered := thin(two, mid, mid.Add(4*time.Hour), tc.step, 0, xOf)
		if !entered || len(got) != 2 || !got[0].T.Equal(mid) || got[0].V != tc.want {
			t.Errorf("step %v: entry %+v (entered %v), want %v at the edge", tc.step, got, entered, tc.want)
		}
	}
	// Points after the period are left out.
	if got, _ := thin(two, t0.Add(-time.Hour), t0.Add(time.Hour), false, 0, xOf); len(got) != 1 {
		t.Errorf("a point after the period was kept: %+v", got)
	}
}

// TestTrendChartDraws: a chart draws its zones, a line per segment, its
// ticks, and stays within its frame; too small, it draws nothing.
func TestTrendChartDraws(t *testing.T) {
	test.NewTempApp(t).Settings().SetTheme(NewTheme(ModeLight)) // distinct chart colours
	t0 := time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC)
	c := NewTrendChart()
	c.Title, c.Unit, c.Latest = "Heart rate", "/min", "88 · 05:55"
	c.From, c.To, c.Location = t0, t0.Add(24*time.Hour), time.UTC
	c.Zones = []Zone{{Low: 51, High: 90, Color: ColorChartRange}}
	// The charting rule joins values at most 8 h apart: 2 h to 8 h is
	// joined, 8 h to 20 h (12 h) is a gap.
	c.Series = []Series{{MaxGap: 8 * time.Hour, Points: []Point{{T: t0.Add(2 * time.Hour), V: 70}, {T: t0.Add(8 * time.Hour), V: 95, Flag: true}, {T: t0.Add(20 * time.Hour), V: 88}}}}
	w := test.NewTempWindow(t, c)
	w.Resize(fyne.NewSize(420, chartHeight+8))
	r := test.TempWidgetRenderer(t, c).(*chartRenderer)
	r.Layout(fyne.NewSize(420, chartHeight))
	var lines, rects, dots int
	for _, o := range r.Objects() {
		switch x := o.(type) {
		case *canvas.Line:
			lines++
			for _, p := range []fyne.Position{x.Position1, x.Position2} {
				if p.X < 0 || p.X > 420 || p.Y < 0 || p.Y > chartHeight {
					t.Errorf("a line leaves the frame at %v", p)
				}
			}
		case *canvas.Rectangle:
			rects++
		case *canvas.Circle:
			dots++
		}
	}
	if rects != 2 || dots != 3 || lines < 2+1 {
		t.Errorf("drew %d rectangles, %d dots, %d lines", rects, dots, lines)
	}
	// One segment of the series' colour, from 2 h to 8 h; nothing across
	// the 12 h without a reading.
	series := r.color(ColorChartLine)
	xOf := func(h float64) float32 { return chartXOf(r, c, t0.Add(time.Duration(h*float64(time.Hour)))) }
	var segs [][2]float32
	for _, o := range r.Objects() {
		if l, ok := o.(*canvas.Line); ok && l.StrokeColor == series {
			segs = append(segs, [2]float32{l.Position1.X, l.Position2.X})
		}
	}
	if len(segs) != 1 || segs[0][0] != xOf(2) || segs[0][1] != xOf(8) {
		t.Errorf("series segments %v, want one from x=%v to x=%v", segs, xOf(2), xOf(8))
	}
	r.Layout(fyne.NewSize(100, 40))
	if n := len(r.Objects()); n != 0 {
		t.Errorf("a squeezed chart drew %d objects", n)
	}
	r.Layout(fyne.NewSize(420, chartHeight))
	test.AssertRendersToMarkup(t, "trend_chart.xml", w.Canvas())
	c.Series = nil
	c.Refresh()
	if !r.empty.Visible() || r.empty.Text != "No values in this period" {
		t.Errorf("an empty chart does not say so")
	}
}

// TestNoteEntry: Ctrl+Enter submits the note, Escape hands the keys back,
// Enter makes a new line.
func TestNoteEntry(t *testing.T) {
	test.NewTempApp(t)
	e := NewNoteEntry("note")
	w := test.NewTempWindow(t, e)
	w.Canvas().Focus(e)
	var submitted string
	escaped := false
	e.OnSubmit = func(s string) { submitted = s }
	e.OnEscape = func() { escaped = true }
	test.Type(e, "first")
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	test.Type(e, "second")
	e.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault})
	if submitted != "first\nsecond" {
		t.Errorf("Ctrl+Enter submitted %q", submitted)
	}
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if !escaped {
		t.Error("Escape not handed on")
	}
}

func TestStateAndSeverityBadges(t *testing.T) {
	test.NewTempApp(t)
	p := NewStateBadge()
	for _, tc := range []struct {
		state  string
		queued bool
		text   string
		bg     fyne.ThemeColorName
	}{
		{StateNew, false, "New", ColorStateNew},
		{StateAcknowledged, true, "Acknowledged · queued", ColorStateDone},
		{StateEscalated, false, "Escalated", ColorAlert},
		{StateResolved, false, "Resolved", ColorStateDone},
	} {
		SetState(p, tc.state, tc.queued)
		if p.Text != tc.text || p.Background != tc.bg {
			t.Errorf("SetState(%s, %v): %q on %s", tc.state, tc.queued, p.Text, p.Background)
		}
	}
	s := NewSeverityBadge()
	for sev, want := range map[string]string{SeverityHigh: "High", SeverityMedium: "Medium", SeverityLowMedium: "Low-medium"} {
		SetSeverity(s, sev)
		if s.Text != want {
			t.Errorf("SetSeverity(%s) = %q", sev, s.Text)
		}
	}
}

func TestNoticeBanner(t *testing.T) {
	test.NewTempApp(t)
	opened, dismissed := 0, 0
	b := NewNoticeBanner(NoticeAlert, "High alert", "Ñúñez Ortega, José — NEWS2 9: High", func() { opened++ }, func() { dismissed++ })
	w := test.NewTempWindow(t, b)
	w.Resize(fyne.NewSize(900, 60))
	test.Tap(b)
	test.Tap(b.open)
	test.Tap(b.dismiss)
	if opened != 2 || dismissed != 1 {
		t.Errorf("opened %d, dismissed %d", opened, dismissed)
	}
	test.AssertRendersToMarkup(t, "notice_banner.xml", w.Canvas())
}

// chartXOf is where the chart draws a time, for tests.
func chartXOf(r *chartRenderer, c *TrendChart, t time.Time) float32 {
	pad := theme.SizeForWidget(theme.SizeNameInnerPadding, c)
	x0 := pad + chartAxisLeft
	x1 := r.size.Width - pad
	return x0 + float32(float64(t.Sub(c.From))/float64(c.To.Sub(c.From)))*(x1-x0)
}

// TestTrendChartRules: a non-negative quantity's axis never goes below 0; a
// critical value is ringed, distinct from an ordinary out-of-range one; a
// lone value between two gaps keeps its dot when the series is dense; a
// score holds at most MaxGap.
func TestTrendChartRules(t *testing.T) {
	test.NewTempApp(t).Settings().SetTheme(NewTheme(ModeLight)) // distinct chart colours
	t0 := time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC)
	c := NewTrendChart()
	c.Title, c.Unit = "C reactive protein", "mg/L"
	c.From, c.To, c.Location = t0, t0.Add(24*time.Hour), time.UTC
	c.Zones = []Zone{{Low: math.Inf(-1), High: 5, Color: ColorChartRange}}
	c.Series = []Series{{MaxGap: 72 * time.Hour, Points: []Point{{T: t0.Add(time.Hour), V: 2}, {T: t0.Add(3 * time.Hour), V: 180, Flag: true, Critical: true}, {T: t0.Add(9 * time.Hour), V: 90, Flag: true}}}}
	for _, nonNeg := range []bool{false, true} {
		c.NonNegative = nonNeg
		w := test.NewTempWindow(t, c)
		w.Resize(fyne.NewSize(420, chartHeight+8))
		r := test.TempWidgetRenderer(t, c).(*chartRenderer)
		r.Layout(fyne.NewSize(420, chartHeight))
		var ticks []string
		rings, abnormalDots := 0, 0
		ab := r.color(ColorAbnormal)
		for _, o := range r.Objects() {
			switch x := o.(type) {
			case *canvas.Text:
				if x.Alignment == fyne.TextAlignTrailing && x.Text != "" && x != r.latest {
					ticks = append(ticks, x.Text)
				}
			case *canvas.Circle:
				if x.StrokeWidth > 0 && x.StrokeColor == ab {
					rings++
				} else if x.FillColor == ab {
					abnormalDots++
				}
			}
		}
		neg := false
		for _, tk := range ticks {
			if strings.HasPrefix(tk, "-") {
				neg = true
			}
		}
		if nonNeg && neg {
			t.Errorf("a non-negative axis has ticks %v", ticks)
		}
		if !nonNeg && !neg {
			t.Logf("without the rule the padded axis reads %v", ticks)
		}
		if rings != 1 || abnormalDots != 2 {
			t.Errorf("%d critical rings and %d abnormal dots, want 1 and 2 (the critical and the high)", rings, abnormalDots)
		}
	}
	// A score held at most 1 h: the step ends an hour after its point.
	c.Series = []Series{{Step: true, MaxGap: time.Hour, Points: []Point{{T: t0.Add(2 * time.Hour), V: 3}}}}
	c.NonNegative, c.FixedY, c.YMin, c.YMax = true, true, 0, 10
	r := test.TempWidgetRenderer(t, c).(*chartRenderer)
	r.Layout(fyne.NewSize(420, chartHeight))
	col := r.color(ColorChartLine)
	for _, o := range r.Objects() {
		if l, ok := o.(*canvas.Line); ok && l.StrokeColor == col && l.Position2.X > chartXOf(r, c, t0.Add(3*time.Hour))+0.5 {
			t.Errorf("the score is held to x=%v, past its hour (x=%v)", l.Position2.X, chartXOf(r, c, t0.Add(3*time.Hour)))
		}
	}
	// Across the left edge: no value enters when the two around it are
	// further apart than MaxGap.
	pts := []Point{{T: t0.Add(-48 * time.Hour), V: 1}, {T: t0.Add(2 * time.Hour), V: 30}}
	xOf := func(tt time.Time) float32 { return float32(tt.Sub(t0).Hours()) }
	if out, entered := thin(pts, t0, t0.Add(24*time.Hour), false, 12*time.Hour, xOf); entered || len(out) != 1 {
		t.Errorf("a 50 h gap across the edge entered a value: %v", out)
	}
	if _, entered := thin(pts, t0, t0.Add(24*time.Hour), false, 0, xOf); !entered {
		t.Errorf("without a rule the value should enter at the edge")
	}
}
