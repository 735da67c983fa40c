package ui

import (
	"fmt"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
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

// String describes the chart for tests and logs that need no pixels.
func (c *TrendChart) String() string {
	n := 0
	for _, s := range c.Series {
		n += len(s.Points)
	}
	return fmt.Sprintf("%s (%s): %d series, %d points", c.Title, c.Unit, len(c.Series), n)
}
