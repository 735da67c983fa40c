// The chart legend: a swatch and name for each series of a chart.

package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

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

func (r *legendRenderer) Destroy() {}

// fixedSize is a layout of one fixed size, its objects at their own.
type fixedSize struct{ size fyne.Size }

func (f *fixedSize) Layout([]fyne.CanvasObject, fyne.Size) {}

func (f *fixedSize) MinSize([]fyne.CanvasObject) fyne.Size { return f.size }
