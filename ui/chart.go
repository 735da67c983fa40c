package ui

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Point is one value of a series at one time. Flag marks a value outside
// its reference range (drawn as a larger dot in the abnormal colour);
// Critical one beyond a critical limit (LL/HH: a larger dot still, ringed),
// so a panic value never looks like an ordinary high.
type Point struct {
	T        time.Time
	V        float64
	Flag     bool
	Critical bool
}

// Series is one line of a trend chart, its points in time order.
type Series struct {
	Name   string // shown in the legend when a chart has several series
	Points []Point
	Color  fyne.ThemeColorName // default ColorChartLine
	// Step draws the value as held until the next point (a score), not
	// interpolated between points (a measurement).
	Step bool
	// MaxGap is the charting rule: two consecutive values further apart
	// than this are not joined (a measurement) or not held across (a
	// score); the gap stays empty, and a value alone between gaps is a dot.
	// 0 joins every pair.
	MaxGap time.Duration
}

// Zone is a horizontal band shaded behind the series: a reference range, or
// a NEWS2 band. An open side is ±Inf.
type Zone struct {
	Low, High float64
	Color     fyne.ThemeColorName
}

// TrendChart is a small time-series chart drawn with Fyne canvas primitives
// (lines, rectangles, text), so it is crisp at any scale and follows the
// theme: a title with the unit and the latest value, shaded zones, a y axis
// with round ticks, a time axis with ticks fit to the period, and the series
// as lines with dots, joined only where consecutive values are at most the
// series' MaxGap apart (no line ever suggests readings nobody took). Series
// longer than the plot is wide are thinned per pixel column to their first,
// lowest, highest and last values, so a spike is never lost and 5,000
// points cost what 400 do.
type TrendChart struct {
	widget.BaseWidget
	Title  string // "Heart rate"
	Unit   string // "/min"
	Latest string // "88 /min at 14:05"
	Series []Series
	Zones  []Zone
	// From and To bound the time axis.
	From, To time.Time
	// YMin and YMax fix the value axis when FixedY; otherwise it fits the
	// points and the zones' finite edges.
	YMin, YMax float64
	FixedY     bool
	// Location is the time zone of the time axis; default time.Local.
	Location *time.Location
	// NonNegative keeps the value axis at or above 0 (a rate, a
	// concentration, a count: what cannot be below zero is never drawn as
	// if it could).
	NonNegative bool
}

// NewTrendChart returns an empty chart; set its fields and Refresh.
func NewTrendChart() *TrendChart {
	c := &TrendChart{}
	c.ExtendBaseWidget(c)
	return c
}

// Chart geometry.
const (
	chartMinWidth  = 260
	chartHeight    = 172
	chartAxisLeft  = 44 // room for y tick labels
	chartAxisBelow = 20 // room for time tick labels
	chartBucketPx  = 2  // points closer than this are thinned
	chartDotsMax   = 60 // dots drawn on every point up to this many
)

// MinSize is a small chart's size.
func (c *TrendChart) MinSize() fyne.Size {
	c.ExtendBaseWidget(c)
	return fyne.NewSize(chartMinWidth, chartHeight)
}

// CreateRenderer returns the chart's renderer.
func (c *TrendChart) CreateRenderer() fyne.WidgetRenderer {
	c.ExtendBaseWidget(c)
	r := &chartRenderer{c: c, bg: canvas.NewRectangle(nil)}
	r.title = canvas.NewText("", nil)
	r.title.TextStyle.Bold = true
	r.latest = canvas.NewText("", nil)
	r.latest.Alignment = fyne.TextAlignTrailing
	r.empty = canvas.NewText("", nil)
	r.empty.Alignment = fyne.TextAlignCenter
	return r
}

type chartRenderer struct {
	c      *TrendChart
	bg     *canvas.Rectangle
	title  *canvas.Text
	latest *canvas.Text
	empty  *canvas.Text

	rects   []*canvas.Rectangle
	lines   []*canvas.Line
	texts   []*canvas.Text
	circles []*canvas.Circle
	objects []fyne.CanvasObject
	nr      int
	nl      int
	nt      int
	nc      int
	size    fyne.Size
}

func (r *chartRenderer) MinSize() fyne.Size { return r.c.MinSize() }
func (r *chartRenderer) Destroy()           {}

func (r *chartRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *chartRenderer) Refresh() {
	r.Layout(r.c.Size())
	canvas.Refresh(r.c)
}

func (r *chartRenderer) color(n fyne.ThemeColorName) color.Color {
	return theme.ColorForWidget(n, r.c)
}

func (r *chartRenderer) rect(fill color.Color) *canvas.Rectangle {
	if r.nr == len(r.rects) {
		r.rects = append(r.rects, canvas.NewRectangle(nil))
	}
	o := r.rects[r.nr]
	r.nr++
	o.FillColor, o.StrokeWidth, o.CornerRadius = fill, 0, 0
	r.objects = append(r.objects, o)
	return o
}

func (r *chartRenderer) line(col color.Color, width float32, x1, y1, x2, y2 float32) {
	if r.nl == len(r.lines) {
		r.lines = append(r.lines, canvas.NewLine(nil))
	}
	o := r.lines[r.nl]
	r.nl++
	o.StrokeColor, o.StrokeWidth = col, width
	o.Position1, o.Position2 = fyne.NewPos(x1, y1), fyne.NewPos(x2, y2)
	r.objects = append(r.objects, o)
}

func (r *chartRenderer) text(s string, col color.Color, size float32, align fyne.TextAlign, x, y, w float32) {
	if r.nt == len(r.texts) {
		r.texts = append(r.texts, canvas.NewText("", nil))
	}
	o := r.texts[r.nt]
	r.nt++
	o.Text, o.Color, o.TextSize, o.Alignment = s, col, size, align
	h := o.MinSize().Height
	o.Move(fyne.NewPos(x, y))
	o.Resize(fyne.NewSize(w, h))
	r.objects = append(r.objects, o)
}

// ring draws a circle's outline: the mark of a critical value.
func (r *chartRenderer) ring(col color.Color, cx, cy, radius float32) {
	if r.nc == len(r.circles) {
		r.circles = append(r.circles, canvas.NewCircle(nil))
	}
	o := r.circles[r.nc]
	r.nc++
	o.FillColor, o.StrokeColor, o.StrokeWidth = color.Transparent, col, 1.5
	o.Move(fyne.NewPos(cx-radius, cy-radius))
	o.Resize(fyne.NewSquareSize(2 * radius))
	r.objects = append(r.objects, o)
}

func (r *chartRenderer) dot(col color.Color, cx, cy, radius float32) {
	if r.nc == len(r.circles) {
		r.circles = append(r.circles, canvas.NewCircle(nil))
	}
	o := r.circles[r.nc]
	r.nc++
	o.FillColor, o.StrokeWidth = col, 0
	o.Move(fyne.NewPos(cx-radius, cy-radius))
	o.Resize(fyne.NewSquareSize(2 * radius))
	r.objects = append(r.objects, o)
}

// Layout redraws the whole chart for a size: the objects are pooled, so a
// redraw allocates nothing once the pools have grown.
func (r *chartRenderer) Layout(size fyne.Size) {
	c := r.c
	r.size = size
	r.nr, r.nl, r.nt, r.nc = 0, 0, 0, 0
	r.objects = r.objects[:0]
	if size.Width < chartMinWidth/2 || size.Height < chartHeight/2 {
		return // not laid out yet (or squeezed to nothing): draw nothing
	}
	pad := theme.SizeForWidget(theme.SizeNameInnerPadding, c)
	textSize := theme.SizeForWidget(theme.SizeNameText, c)
	small := theme.SizeForWidget(theme.SizeNameCaptionText, c)
	fg := r.color(theme.ColorNameForeground)
	muted := r.color(ColorMuted)
	grid := r.color(ColorChartGrid)

	r.bg.FillColor = r.color(ColorCard)
	r.bg.CornerRadius = min(theme.SizeForWidget(theme.SizeNameInputRadius, c)*2, size.Width/2, size.Height/2)
	r.bg.Move(fyne.NewPos(0, 0))
	r.bg.Resize(size)
	r.objects = append(r.objects, r.bg)

	title := c.Title
	if c.Unit != "" {
		title += " (" + c.Unit + ")"
	}
	r.title.Text, r.title.Color, r.title.TextSize = title, fg, textSize
	th := r.title.MinSize().Height
	r.latest.Text, r.latest.Color, r.latest.TextSize = c.Latest, fg, textSize
	lw := r.latest.MinSize().Width
	r.title.Move(fyne.NewPos(pad, pad/2))
	r.title.Resize(fyne.NewSize(max(0, size.Width-2*pad), th))
	// The title and the latest value share a line when they fit; else the
	// value goes on a line of its own under the title (neither is cut).
	head := th
	if r.title.MinSize().Width+lw+3*pad > size.Width {
		head = 2 * th
	}
	r.latest.Move(fyne.NewPos(size.Width-pad-lw, pad/2+head-th))
	r.latest.Resize(fyne.NewSize(lw, th))
	r.objects = append(r.objects, r.title, r.latest)

	// The plot area.
	x0 := pad + chartAxisLeft
	y0 := pad/2 + head + pad
	x1 := size.Width - pad
	y1 := size.Height - pad/2 - chartAxisBelow
	if x1-x0 < 20 || y1-y0 < 20 {
		return
	}
	from, to := c.From, c.To
	if !to.After(from) {
		to = from.Add(time.Hour)
	}
	span := float64(to.Sub(from))
	xOf := func(t time.Time) float32 {
		return x0 + float32(float64(t.Sub(from))/span)*(x1-x0)
	}

	visible := make([][]Point, len(c.Series))
	entered := make([]bool, len(c.Series))
	for i, ser := range c.Series {
		visible[i], entered[i] = thin(ser.Points, from, to, ser.Step, ser.MaxGap, xOf)
	}
	lo, hi, ok := c.yRange(visible)
	if ok && c.NonNegative && lo < 0 {
		lo = 0
	}
	if !ok {
		r.empty.Text, r.empty.Color, r.empty.TextSize = "No values in this period", muted, small
		r.empty.Move(fyne.NewPos(x0, (y0+y1)/2-small))
		r.empty.Resize(fyne.NewSize(x1-x0, 2*small))
		r.objects = append(r.objects, r.empty)
		return
	}
	ticks := NiceTicks(lo, hi, 4)
	if !c.FixedY && len(ticks) > 1 {
		lo, hi = min(lo, ticks[0]), max(hi, ticks[len(ticks)-1])
	}
	if c.NonNegative && lo < 0 {
		lo = 0 // a tick under 0 is dropped below
	}
	yOf := func(v float64) float32 {
		return y1 - float32((v-lo)/(hi-lo))*(y1-y0)
	}

	for _, z := range c.Zones {
		zl, zh := math.Max(z.Low, lo), math.Min(z.High, hi)
		if zh <= zl {
			continue
		}
		rc := r.rect(r.color(z.Color))
		top, bottom := yOf(zh), yOf(zl)
		rc.Move(fyne.NewPos(x0, top))
		rc.Resize(fyne.NewSize(x1-x0, bottom-top))
	}
	for _, v := range ticks {
		if v < lo || v > hi {
			continue
		}
		y := yOf(v)
		r.line(grid, 1, x0, y, x1, y)
		r.text(TickText(v, ticks), muted, small, fyne.TextAlignTrailing, pad/2, y-small*0.7, chartAxisLeft-pad/2)
	}
	loc := c.Location
	if loc == nil {
		loc = time.Local
	}
	for _, tk := range TimeTicks(from, to, loc, int((x1-x0)/90)) {
		x := xOf(tk.T)
		r.line(grid, 1, x, y0, x, y1)
		r.text(tk.Label, muted, small, fyne.TextAlignCenter, max(0, min(x-45, size.Width-pad-90)), y1+2, 90)
	}
	r.line(r.color(ColorMuted), 1, x0, y1, x1, y1)

	abnormal := r.color(ColorAbnormal)
	for si, s := range c.Series {
		name := s.Color
		if name == "" {
			name = ColorChartLine
		}
		col := r.color(name)
		pts := visible[si]
		joined := func(i int) bool { // pts[i-1] and pts[i] are joined
			return i > 0 && i < len(pts) && (s.MaxGap <= 0 || pts[i].T.Sub(pts[i-1].T) <= s.MaxGap)
		}
		var px, py float32
		for i, p := range pts {
			x, y := xOf(p.T), yOf(p.V)
			if joined(i) {
				if s.Step {
					r.line(col, 2, px, py, x, py)
					r.line(col, 2, x, py, x, y)
				} else {
					r.line(col, 2, px, py, x, y)
				}
			} else if i > 0 && s.Step && s.MaxGap > 0 {
				// A score holds for MaxGap at most, then nothing is known.
				r.line(col, 2, px, py, min(x, xOf(pts[i-1].T.Add(s.MaxGap))), py)
			}
			px, py = x, y
		}
		if s.Step && len(pts) > 0 {
			// A score holds until now (or the end of the period), or for
			// MaxGap at most.
			end := min(x1, xOf(to))
			if s.MaxGap > 0 {
				end = min(end, xOf(pts[len(pts)-1].T.Add(s.MaxGap)))
			}
			r.line(col, 2, px, py, end, py)
		}
		few := len(pts) <= chartDotsMax
		for i, p := range pts {
			last := i == len(pts)-1
			if i == 0 && entered[si] {
				continue // the edge of the period, not a measurement
			}
			alone := !joined(i) && !joined(i+1) // between two gaps: only its dot shows it
			switch {
			case p.Critical:
				r.ring(abnormal, xOf(p.T), yOf(p.V), 6)
				r.dot(abnormal, xOf(p.T), yOf(p.V), 4)
			case p.Flag:
				r.dot(abnormal, xOf(p.T), yOf(p.V), 3.5)
			case few || last || alone:
				r.dot(col, xOf(p.T), yOf(p.V), 2.5)
			}
		}
		if len(c.Series) > 1 && s.Name != "" {
			r.text(s.Name, col, small, fyne.TextAlignLeading, x0+4+float32(si)*90, y0, 86)
		}
	}
}

// yRange is the value range to draw: fixed, or the visible points and the
// finite zone edges, padded so a flat line is not on the frame.
func (c *TrendChart) yRange(visible [][]Point) (lo, hi float64, ok bool) {
	if c.FixedY {
		return c.YMin, c.YMax, c.YMax > c.YMin
	}
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, pts := range visible {
		for _, p := range pts {
			lo, hi = math.Min(lo, p.V), math.Max(hi, p.V)
		}
	}
	if math.IsInf(lo, 1) {
		return 0, 0, false
	}
	for _, z := range c.Zones {
		if !math.IsInf(z.Low, 0) {
			lo, hi = math.Min(lo, z.Low), math.Max(hi, z.Low)
		}
		if !math.IsInf(z.High, 0) {
			lo, hi = math.Min(lo, z.High), math.Max(hi, z.High)
		}
	}
	if hi-lo < 1e-9 {
		d := math.Max(math.Abs(lo)*0.1, 1)
		return lo - d, hi + d, true
	}
	d := (hi - lo) * 0.08
	return lo - d, hi + d, true
}

// thin keeps the points inside [from, to] and, where several fall in one
// pixel bucket, only the first, lowest, highest and last of them, in time
// order. A value before the period enters at its left edge: the value then
// (held for a step series, interpolated for a measurement), unless the
// values around the edge are further apart than maxGap (then nothing is
// known there).
func thin(pts []Point, from, to time.Time, step bool, maxGap time.Duration, xOf func(time.Time) float32) (out []Point, entered bool) {
	start := 0
	for start < len(pts) && pts[start].T.Before(from) {
		start++
	}
	end := len(pts)
	for end > start && pts[end-1].T.After(to) {
		end--
	}
	var entry []Point
	near := func(a, b time.Time) bool { return maxGap <= 0 || b.Sub(a) <= maxGap }
	if start > 0 && start < len(pts) && !near(pts[start-1].T, pts[start].T) {
		// A gap across the edge: nothing enters.
	} else if start > 0 && start < len(pts) {
		a, b := pts[start-1], pts[start]
		v := a.V
		if !step {
			f := float64(from.Sub(a.T)) / float64(b.T.Sub(a.T))
			v = a.V + (b.V-a.V)*f
		}
		entry = []Point{{T: from, V: v}}
	} else if start > 0 && step && near(pts[start-1].T, from) {
		entry = []Point{{T: from, V: pts[start-1].V}}
	}
	entered = len(entry) > 0
	pts = append(entry, pts[start:end]...)
	if len(pts) < 2 {
		return pts, entered
	}
	out = make([]Point, 0, min(len(pts), 1024))
	i := 0
	for i < len(pts) {
		b := int(xOf(pts[i].T) / chartBucketPx)
		j := i + 1
		for j < len(pts) && int(xOf(pts[j].T)/chartBucketPx) == b {
			j++
		}
		if j-i <= 4 {
			out = append(out, pts[i:j]...)
			i = j
			continue
		}
		lo, hi := i, i
		for k := i; k < j; k++ {
			if pts[k].V < pts[lo].V || pts[k].Flag && !pts[lo].Flag && pts[k].V == pts[lo].V {
				lo = k
			}
			if pts[k].V > pts[hi].V {
				hi = k
			}
		}
		keep := []int{i, lo, hi, j - 1}
		if lo > hi {
			keep[1], keep[2] = hi, lo
		}
		prev := -1
		for _, k := range keep {
			if k != prev {
				out = append(out, pts[k])
				prev = k
			}
		}
		i = j
	}
	return out, entered
}

// NiceTicks returns about n round values (1, 2 or 5 times a power of ten)
// spanning lo to hi, first at or below lo, last at or above hi.
func NiceTicks(lo, hi float64, n int) []float64 {
	if !(hi > lo) || n < 1 || math.IsInf(lo, 0) || math.IsInf(hi, 0) || math.IsNaN(lo) || math.IsNaN(hi) {
		return nil
	}
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	first := math.Floor(lo/step) * step
	var out []float64
	for v := first; len(out) < 4*n+2; v += step {
		out = append(out, math.Round(v/step)*step)
		if v >= hi-step*1e-9 {
			break
		}
	}
	return out
}

// TickText writes a tick value with as many decimals as the step needs.
func TickText(v float64, ticks []float64) string {
	dec := 0
	if len(ticks) > 1 {
		step := math.Abs(ticks[1] - ticks[0])
		for step > 0 && step < 1 && dec < 4 {
			step *= 10
			dec++
		}
	}
	if v == 0 {
		v = 0 // no "-0"
	}
	return strconv.FormatFloat(v, 'f', dec, 64)
}

// TimeTick is one labelled instant of a time axis.
type TimeTick struct {
	T     time.Time
	Label string
}

// TimeTicks returns at most max ticks between from and to on round instants
// fit to the span: minutes or hours ("06:00") within two days, days ("Mon 23") within
// a month, months ("Nov") or years beyond.
func TimeTicks(from, to time.Time, loc *time.Location, maxTicks int) []TimeTick {
	if maxTicks < 2 {
		maxTicks = 2
	}
	span := to.Sub(from)
	if span <= 0 {
		return nil
	}
	type unit struct {
		step   time.Duration
		days   int
		months int
		years  int
		layout string
	}
	units := []unit{
		{step: 5 * time.Minute, layout: "15:04"},
		{step: 10 * time.Minute, layout: "15:04"},
		{step: 15 * time.Minute, layout: "15:04"},
		{step: 30 * time.Minute, layout: "15:04"},
		{step: time.Hour, layout: "15:04"},
		{step: 3 * time.Hour, layout: "15:04"},
		{step: 6 * time.Hour, layout: "15:04"},
		{step: 12 * time.Hour, layout: "15:04"},
		{days: 1, layout: "Mon 2"},
		{days: 2, layout: "2 Jan"},
		{days: 7, layout: "2 Jan"},
		{days: 14, layout: "2 Jan"},
		{months: 1, layout: "Jan"},
		{months: 3, layout: "Jan 2006"},
		{months: 6, layout: "Jan 2006"},
		{years: 1, layout: "2006"},
		{years: 2, layout: "2006"},
		{years: 5, layout: "2006"},
		{years: 10, layout: "2006"},
	}
	approx := func(u unit) time.Duration {
		switch {
		case u.step > 0:
			return u.step
		case u.days > 0:
			return time.Duration(u.days) * 24 * time.Hour
		case u.months > 0:
			return time.Duration(u.months) * 30 * 24 * time.Hour
		}
		return time.Duration(u.years) * 365 * 24 * time.Hour
	}
	u := units[len(units)-1]
	for _, c := range units {
		if span/approx(c) < time.Duration(maxTicks) {
			u = c
			break
		}
	}
	f := from.In(loc)
	var t time.Time
	switch {
	case u.step > 0 && u.step < time.Hour:
		m := int(u.step / time.Minute)
		t = time.Date(f.Year(), f.Month(), f.Day(), f.Hour(), f.Minute()/m*m, 0, 0, loc)
	case u.step > 0:
		h := int(u.step / time.Hour)
		t = time.Date(f.Year(), f.Month(), f.Day(), f.Hour()/h*h, 0, 0, 0, loc)
	case u.days > 0:
		t = time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, loc)
	case u.months > 0:
		t = time.Date(f.Year(), (f.Month()-1)/time.Month(u.months)*time.Month(u.months)+1, 1, 0, 0, 0, 0, loc)
	default:
		t = time.Date(f.Year()/u.years*u.years, 1, 1, 0, 0, 0, 0, loc)
	}
	var out []TimeTick
	for n := 0; !t.After(to) && n < 4*maxTicks+8; n++ {
		if !t.Before(from) {
			label := t.Format(u.layout)
			if u.step > 0 && t.Hour() == 0 && t.Minute() == 0 {
				label = t.Format("Mon 2")
			}
			out = append(out, TimeTick{T: t, Label: label})
		}
		switch {
		case u.step > 0 && u.step < time.Hour:
			t = t.Add(u.step)
		case u.step > 0:
			t = t.Add(u.step)
			if t.Hour()%int(u.step/time.Hour) != 0 { // a daylight-saving change
				t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour()/int(u.step/time.Hour)*int(u.step/time.Hour), 0, 0, 0, loc)
			}
		case u.days > 0:
			t = t.AddDate(0, 0, u.days)
		case u.months > 0:
			t = t.AddDate(0, u.months, 0)
		default:
			t = t.AddDate(u.years, 0, 0)
		}
	}
	return out
}

// String describes the chart for tests and logs that need no pixels.
func (c *TrendChart) String() string {
	n := 0
	for _, s := range c.Series {
		n += len(s.Points)
	}
	return fmt.Sprintf("%s (%s): %d series, %d points", c.Title, c.Unit, len(c.Series), n)
}

// ChartLegend explains what the trend charts draw, once above them: the
// shaded reference range and NEWS2 bands, a value, one out of its range
// (H/L), one beyond a critical limit (HH/LL), and the charting rule (Note).
type ChartLegend struct {
	widget.BaseWidget
	Note string
}

// NewChartLegend returns the legend with the charting rule in words.
func NewChartLegend(note string) *ChartLegend {
	l := &ChartLegend{Note: note}
	l.ExtendBaseWidget(l)
	return l
}

// legendSwatch is a small square of a theme colour, or a dot.
type legendSwatch struct {
	bg     fyne.ThemeColorName
	border bool // outline it (a pale band shade is hard to see alone)
	dot    fyne.ThemeColorName
	radius float32
	ring   bool
}

// CreateRenderer lays the legend out: swatches with their words on one
// line, the rule under them.
func (l *ChartLegend) CreateRenderer() fyne.WidgetRenderer {
	l.ExtendBaseWidget(l)
	items := []struct {
		sw   []legendSwatch
		text string
	}{
		{[]legendSwatch{{bg: ColorChartRange, border: true}}, "Reference range"},
		{[]legendSwatch{{bg: ColorChartZoneLow, border: true}, {bg: ColorChartZoneMid, border: true}, {bg: ColorChartZoneHigh, border: true}}, "NEWS2 0–4, 5–6, 7+"},
		{[]legendSwatch{{dot: ColorChartLine, radius: 3}}, "Reading"},
		{[]legendSwatch{{dot: ColorAbnormal, radius: 4}}, "Out of range (H, L)"},
		{[]legendSwatch{{dot: ColorAbnormal, radius: 4, ring: true}}, "Critical (HH, LL)"},
	}
	r := &legendRenderer{l: l}
	row := container.NewHBox()
	for _, it := range items {
		for _, sw := range it.sw {
			row.Add(r.swatch(sw))
		}
		row.Add(widget.NewLabel(it.text))
	}
	note := widget.NewLabel(l.Note)
	note.Wrapping = fyne.TextWrapWord
	r.box = container.New(Lines{}, row, note)
	r.Refresh()
	return r
}

type legendRenderer struct {
	l     *ChartLegend
	box   *fyne.Container
	paint []func()
}

// swatch draws one swatch at the height of a line of text.
func (r *legendRenderer) swatch(sw legendSwatch) fyne.CanvasObject {
	const side = 14
	sq := canvas.NewRectangle(color.Transparent)
	inner := canvas.NewCircle(color.Transparent)
	ring := canvas.NewCircle(color.Transparent)
	r.paint = append(r.paint, func() {
		c := func(n fyne.ThemeColorName) color.Color { return theme.ColorForWidget(n, r.l) }
		if sw.bg != "" {
			sq.FillColor = c(sw.bg)
			if sw.border {
				sq.StrokeColor, sq.StrokeWidth = c(ColorMuted), 1
			}
		}
		if sw.dot != "" {
			inner.FillColor = c(sw.dot)
			if sw.ring {
				ring.StrokeColor, ring.StrokeWidth = c(sw.dot), 1.5
			}
		}
		sq.Refresh()
		inner.Refresh()
		ring.Refresh()
	})
	cell := container.NewWithoutLayout(sq, ring, inner)
	sq.Resize(fyne.NewSquareSize(side))
	ring.Resize(fyne.NewSquareSize(side))
	rad := sw.radius
	if rad == 0 {
		rad = 0.01
	}
	inner.Move(fyne.NewPos(side/2-rad, side/2-rad))
	inner.Resize(fyne.NewSquareSize(2 * rad))
	if sw.ring {
		ring.Move(fyne.NewPos(0, 0))
	}
	return container.NewCenter(container.New(&fixedSize{fyne.NewSquareSize(side)}, cell))
}

func (r *legendRenderer) Layout(size fyne.Size) {
	r.box.Move(fyne.NewPos(0, 0))
	r.box.Resize(size)
}

func (r *legendRenderer) MinSize() fyne.Size { return r.box.MinSize() }

func (r *legendRenderer) Refresh() {
	for _, p := range r.paint {
		p()
	}
	r.box.Refresh()
}

func (r *legendRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.box} }
func (r *legendRenderer) Destroy()                     {}

// fixedSize is a layout of one fixed size, its objects at their own.
type fixedSize struct{ size fyne.Size }

func (f *fixedSize) Layout([]fyne.CanvasObject, fyne.Size) {}
func (f *fixedSize) MinSize([]fyne.CanvasObject) fyne.Size { return f.size }
