package ui

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// FitLabel is one line of text, made of parts, that never cuts a value:
// when the line does not fit its width, whole parts are dropped from the
// end and "· +N" says how many (a vital-sign set: "RR 27/min · SpO2 92 % ·
// +4"); a single part too long is cut in its name, not its value ("C
// reactive protein [Ma… 86.6 mg/L (H)"). The detail pane holds the rest.
//
// SetLines gives it several such lines (a vital-sign set on two), each
// fitted alone.
type FitLabel struct {
	widget.BaseWidget
	lines [][]string
	label *widget.Label
	width float32 // the width the shown text was fitted to
}

// NewFitLabel returns an empty FitLabel.
func NewFitLabel() *FitLabel {
	f := &FitLabel{label: widget.NewLabel("")}
	f.label.Truncation = fyne.TextTruncateEllipsis // a last resort, narrower than any value
	f.ExtendBaseWidget(f)
	return f
}

// SetParts sets the parts, joined by " · " where they fit.
func (f *FitLabel) SetParts(parts ...string) {
	f.SetLines(parts)
}

// SetLines sets lines of parts, one below the other.
func (f *FitLabel) SetLines(lines ...[]string) {
	f.lines = lines
	f.width = -1
	f.fit(f.Size().Width)
}

// Text is the text shown at the current width.
func (f *FitLabel) Text() string { return f.label.Text }

func (f *FitLabel) fit(width float32) {
	if width == f.width {
		return
	}
	f.width = width
	measure := func(s string) float32 {
		return fyne.MeasureText(s, theme.TextSize(), f.label.TextStyle).Width
	}
	text := ""
	for i, parts := range f.lines {
		if i > 0 {
			text += "\n"
		}
		text += FitParts(parts, width-2*theme.InnerPadding(), measure)
	}
	if text != f.label.Text {
		f.label.SetText(text)
	}
}

// CreateRenderer fits the text to each new width.
func (f *FitLabel) CreateRenderer() fyne.WidgetRenderer {
	return &fitRenderer{f: f}
}

type fitRenderer struct{ f *FitLabel }

func (r *fitRenderer) Layout(s fyne.Size) {
	r.f.fit(s.Width)
	r.f.label.Resize(s)
}

func (r *fitRenderer) MinSize() fyne.Size {
	return r.f.label.MinSize()
}

func (r *fitRenderer) Refresh()                     { r.f.label.Refresh() }
func (r *fitRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.f.label} }
func (r *fitRenderer) Destroy()                     {}

// FitParts is the longest form of parts, joined by " · ", that measures
// within width: every part; else the first parts and "· +N" for the
// others; else the first part with its name cut before its value (see
// ValueTail). A width of 0 or less (not laid out yet) gives every part.
func FitParts(parts []string, width float32, measure func(string) float32) string {
	full := strings.Join(parts, " · ")
	if width <= 0 || len(parts) == 0 || measure(full) <= width {
		return full
	}
	for k := len(parts) - 1; k >= 1; k-- {
		if s := strings.Join(parts[:k], " · ") + " · +" + strconv.Itoa(len(parts)-k); measure(s) <= width {
			return s
		}
	}
	first := parts[0]
	more := ""
	if len(parts) > 1 {
		more = " · +" + strconv.Itoa(len(parts)-1)
	}
	tail := ValueTail(first) + more
	head := first[:len(first)-len(ValueTail(first))]
	if measure(first+more) <= width {
		return first + more
	}
	// The longest start of the name that fits before the value.
	cut := "… "
	if tail == "" {
		cut = "…"
	}
	runes := []rune(strings.TrimRight(head, " "))
	lo, hi := 0, len(runes)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if measure(strings.TrimRight(string(runes[:mid]), " ")+cut+tail) <= width {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return strings.TrimRight(string(runes[:lo]), " ") + cut + tail
}

// ValueTail is the end of a one-line display that holds its value: from
// the last word that starts with a digit or a comparator ("86.6 mg/L (H)",
// "98/53 mmHg"), taking in a bracketed note that follows it ("93 % (on 4
// L/min)"), or what follows the last ": " ("Present"); "" when there is
// none. At most the last 70 % of the text.
func ValueTail(s string) string {
	start := -1
	depth := 0
	for i := len(s) - 1; i > 0; i-- {
		switch s[i] {
		case ')':
			depth++
		case '(':
			depth--
		}
		if depth > 0 || s[i-1] != ' ' {
			continue
		}
		c, _ := utf8.DecodeRuneInString(s[i:])
		if (c >= '0' && c <= '9') || strings.ContainsRune("<>≤≥-+", c) {
			start = i
			break
		}
	}
	if j := strings.LastIndex(s, ": "); j >= 0 && j+2 > start {
		start = j + 2
	}
	if start <= 0 || len(s)-start > len(s)*7/10 {
		return ""
	}
	return s[start:]
}
