// The trend chart's renderer: pooled canvas objects, redrawn on each layout.

package ui

import (
	"image/color"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
)

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

func (r *chartRenderer) Destroy() {}

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
	o := r.circle(cx, cy, radius)
	o.FillColor, o.StrokeColor, o.StrokeWidth = color.Transparent, col, 1.5
}

// dot draws a filled circle: a reading.
func (r *chartRenderer) dot(col color.Color, cx, cy, radius float32) {
	o := r.circle(cx, cy, radius)
	o.FillColor, o.StrokeWidth = col, 0
}

// circle takes the next pooled circle, placed around (cx, cy), and adds it
// to the objects drawn.
func (r *chartRenderer) circle(cx, cy, radius float32) *canvas.Circle {
	if r.nc == len(r.circles) {
		r.circles = append(r.circles, canvas.NewCircle(nil))
	}
	o := r.circles[r.nc]
	r.nc++
	o.Move(fyne.NewPos(cx-radius, cy-radius))
	o.Resize(fyne.NewSquareSize(2 * radius))
	r.objects = append(r.objects, o)
	return o
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
	small := theme.SizeForWidget(theme.SizeNameCaptionText, c)
	muted := r.color(ColorMuted)
	head := r.layoutHead(size, pad)

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

	p := plot{x0: x0, y0: y0, x1: x1, y1: y1, to: to, x: xOf, y: yOf}
	r.layoutGrid(p, size, ticks, lo, hi, pad, small)
	for si, s := range c.Series {
		r.layoutSeries(p, si, s, visible[si], entered[si], small)
	}
}

// plot is a chart's plot area, from (x0, y0) to (x1, y1), and where a time
// and a value fall on it.
type plot struct {
	x0, y0, x1, y1 float32
	to             time.Time // the end of the period shown
	x              func(time.Time) float32
	y              func(float64) float32
}

// layoutHead draws the card's background, the title and the latest value,
// and returns the height of the head: one line, or two when the title and
// the latest value do not fit on one.
func (r *chartRenderer) layoutHead(size fyne.Size, pad float32) float32 {
	c := r.c
	textSize := theme.SizeForWidget(theme.SizeNameText, c)
	fg := r.color(theme.ColorNameForeground)

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
	return head
}

// layoutGrid draws the zones, the value grid and its labels, the time grid
// and its labels, and the time axis.
func (r *chartRenderer) layoutGrid(p plot, size fyne.Size, ticks []float64, lo, hi float64, pad, small float32) {
	c := r.c
	muted := r.color(ColorMuted)
	grid := r.color(ColorChartGrid)
	for _, z := range c.Zones {
		zl, zh := math.Max(z.Low, lo), math.Min(z.High, hi)
		if zh <= zl {
			continue
		}
		rc := r.rect(r.color(z.Color))
		top, bottom := p.y(zh), p.y(zl)
		rc.Move(fyne.NewPos(p.x0, top))
		rc.Resize(fyne.NewSize(p.x1-p.x0, bottom-top))
	}
	for _, v := range ticks {
		if v < lo || v > hi {
			continue
		}
		y := p.y(v)
		r.line(grid, 1, p.x0, y, p.x1, y)
		r.text(TickText(v, ticks), muted, small, fyne.TextAlignTrailing, pad/2, y-small*0.7, chartAxisLeft-pad/2)
	}
	loc := c.Location
	if loc == nil {
		loc = time.Local
	}
	for _, tk := range TimeTicks(c.From, p.to, loc, int((p.x1-p.x0)/90)) {
		x := p.x(tk.T)
		r.line(grid, 1, x, p.y0, x, p.y1)
		r.text(tk.Label, muted, small, fyne.TextAlignCenter, max(0, min(x-45, size.Width-pad-90)), p.y1+2, 90)
	}
	r.line(r.color(ColorMuted), 1, p.x0, p.y1, p.x1, p.y1)
}

// layoutSeries draws series si of the chart: its visible points pts joined
// (or stepped) across gaps no longer than its MaxGap, and their dots; entered
// says pts[0] is the edge of the period, not a measurement.
func (r *chartRenderer) layoutSeries(area plot, si int, s Series, pts []Point, entered bool, small float32) {
	c := r.c
	abnormal := r.color(ColorAbnormal)
	name := s.Color
	if name == "" {
		name = ColorChartLine
	}
	col := r.color(name)
	xOf, yOf := area.x, area.y
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
		end := min(area.x1, xOf(area.to))
		if s.MaxGap > 0 {
			end = min(end, xOf(pts[len(pts)-1].T.Add(s.MaxGap)))
		}
		r.line(col, 2, px, py, end, py)
	}
	few := len(pts) <= chartDotsMax
	for i, p := range pts {
		last := i == len(pts)-1
		if i == 0 && entered {
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
		r.text(s.Name, col, small, fyne.TextAlignLeading, area.x0+4+float32(si)*90, area.y0, 86)
	}
}
