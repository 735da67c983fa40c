package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// StatusLevel colours the status bar's connection dot.
type StatusLevel int

// Status levels.
const (
	StatusBusy StatusLevel = iota // connecting or catching up: amber
	StatusOK                      // live: green
	StatusBad                     // offline: red
)

// StatusView is what the status bar shows, already in words. Package views
// builds it from the feed's status.
type StatusView struct {
	Level StatusLevel
	// State is the connection state: "Live", "Connecting…", "Offline since 14:02".
	State string
	// Detail follows the state in the same line, e.g. "showing stored data".
	Detail string
	// Brokers lists the bootstrap brokers, e.g. "Brokers: 127.0.0.1:9092".
	Brokers string
	// Lag is the total lag in words, e.g. "Lag: 1,234 records".
	Lag string
	// Progress (0..1) shows a progress bar while ShowProgress.
	Progress     float64
	ShowProgress bool
	// Quarantined is the count of quarantined records held.
	Quarantined int
}

// StatusBar is the window's bottom line: connection state with its coloured
// dot, brokers, lag, catch-up progress and the quarantine count (a button
// that opens the quarantine screen when OnQuarantine is set).
type StatusBar struct {
	widget.BaseWidget
	// OnQuarantine is called when the quarantine count is tapped.
	OnQuarantine func()

	view     StatusView
	shown    bool // view has been drawn once
	dot      *canvas.Circle
	state    *widget.Label
	brokers  *widget.Label
	lag      *widget.Label
	progress *widget.ProgressBar
	quar     *widget.Button
}

// NewStatusBar returns a status bar saying "Connecting…".
func NewStatusBar() *StatusBar {
	b := &StatusBar{
		dot:      canvas.NewCircle(nil),
		state:    widget.NewLabel(""),
		brokers:  widget.NewLabel(""),
		lag:      widget.NewLabel(""),
		progress: widget.NewProgressBar(),
	}
	b.state.TextStyle.Bold = true
	b.quar = widget.NewButton("", func() {
		if b.OnQuarantine != nil {
			b.OnQuarantine()
		}
	})
	b.quar.Importance = widget.LowImportance
	b.ExtendBaseWidget(b)
	b.Set(StatusView{State: "Connecting…"})
	return b
}

// View is what the bar shows now.
func (b *StatusBar) View() StatusView { return b.view }

// Set shows a new status.
func (b *StatusBar) Set(v StatusView) {
	if b.shown && v == b.view {
		return // the feed reports every second; an unchanged bar is not redrawn
	}
	b.view, b.shown = v, true
	text := v.State
	if v.Detail != "" {
		text += " — " + v.Detail
	}
	b.state.SetText(text)
	b.brokers.SetText(v.Brokers)
	b.brokers.Hidden = v.Brokers == ""
	b.lag.SetText(v.Lag)
	b.lag.Hidden = v.Lag == ""
	b.progress.Hidden = !v.ShowProgress
	if v.ShowProgress {
		b.progress.SetValue(min(1, max(0, v.Progress)))
	}
	b.quar.SetText(QuarantineText(v.Quarantined))
	if v.Quarantined > 0 {
		b.quar.Importance = widget.WarningImportance
		b.quar.SetIcon(theme.WarningIcon())
	} else {
		b.quar.Importance = widget.LowImportance
		b.quar.SetIcon(nil)
	}
	b.Refresh()
}

// QuarantineText is the quarantine count in words.
func QuarantineText(n int) string {
	switch n {
	case 0:
		return "No quarantined records"
	case 1:
		return "1 quarantined record"
	}
	return fmt.Sprintf("%s quarantined records", Thousands(int64(n)))
}

// Refresh repaints the dot in the level's colour.
func (b *StatusBar) Refresh() {
	name := ColorStatusBusy
	switch b.view.Level {
	case StatusOK:
		name = ColorStatusOK
	case StatusBad:
		name = ColorStatusBad
	}
	b.dot.FillColor = theme.ColorForWidget(name, b)
	b.dot.Refresh()
	b.BaseWidget.Refresh()
}

// dotSize is the diameter of the connection dot.
const dotSize = 12

// CreateRenderer lays the bar out in one line.
func (b *StatusBar) CreateRenderer() fyne.WidgetRenderer {
	dot := container.New(&fixedLayout{size: fyne.NewSquareSize(dotSize)}, b.dot)
	bar := container.New(&fixedLayout{size: fyne.NewSize(180, 0)}, b.progress)
	left := container.NewHBox(container.NewCenter(dot), b.state, b.brokers, b.lag, container.NewCenter(bar))
	bg := canvas.NewRectangle(theme.ColorForWidget(ColorRail, b))
	line := canvas.NewRectangle(theme.ColorForWidget(theme.ColorNameSeparator, b))
	content := container.NewBorder(nil, nil, left, b.quar, layout.NewSpacer())
	r := &statusRenderer{b: b, bg: bg, line: line, content: content}
	return r
}

type statusRenderer struct {
	b       *StatusBar
	bg      *canvas.Rectangle
	line    *canvas.Rectangle
	content *fyne.Container
}

func (r *statusRenderer) Layout(size fyne.Size) {
	r.bg.Resize(size)
	r.line.Resize(fyne.NewSize(size.Width, 1))
	pad := theme.SizeForWidget(theme.SizeNamePadding, r.b)
	r.content.Move(fyne.NewPos(pad, 1))
	r.content.Resize(fyne.NewSize(size.Width-2*pad, size.Height-1))
}

func (r *statusRenderer) MinSize() fyne.Size {
	pad := theme.SizeForWidget(theme.SizeNamePadding, r.b)
	m := r.content.MinSize()
	return fyne.NewSize(m.Width+2*pad, m.Height+1)
}

func (r *statusRenderer) Refresh() {
	r.bg.FillColor = theme.ColorForWidget(ColorRail, r.b)
	r.line.FillColor = theme.ColorForWidget(theme.ColorNameSeparator, r.b)
	r.bg.Refresh()
	r.line.Refresh()
	r.content.Refresh()
}

func (r *statusRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.bg, r.line, r.content}
}

func (r *statusRenderer) Destroy() {}

// fixedLayout gives its objects one fixed size (a zero dimension takes the
// objects' own minimum).
type fixedLayout struct{ size fyne.Size }

func (l *fixedLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

func (l *fixedLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := l.size
	for _, o := range objs {
		m := o.MinSize()
		if l.size.Width == 0 {
			s.Width = max(s.Width, m.Width)
		}
		if l.size.Height == 0 {
			s.Height = max(s.Height, m.Height)
		}
	}
	return s
}

// Thousands writes n with thousands separators: 20412 → "20,412".
func Thousands(n int64) string {
	s := fmt.Sprintf("%d", n)
	neg := ""
	if n < 0 {
		neg, s = "-", s[1:]
	}
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return neg + string(out)
}
