package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Pill is a short bold text on a rounded coloured background: the shape of
// every badge. Its colours are theme colour names, so it follows theme
// changes. An empty Text draws nothing but keeps MinWidth, so badges line up
// in list columns.
type Pill struct {
	widget.BaseWidget
	Text       string
	Background fyne.ThemeColorName
	Foreground fyne.ThemeColorName
	// MinWidth keeps columns aligned; 0 fits the text.
	MinWidth float32
	// Large draws the subheading size (the patient banner).
	Large bool
}

// NewPill returns a pill with text and colours.
func NewPill(text string, bg, fg fyne.ThemeColorName) *Pill {
	p := &Pill{Text: text, Background: bg, Foreground: fg}
	p.ExtendBaseWidget(p)
	return p
}

// Set changes the text and colours and redraws the pill.
func (p *Pill) Set(text string, bg, fg fyne.ThemeColorName) {
	if p.Text == text && p.Background == bg && p.Foreground == fg {
		return
	}
	p.Text, p.Background, p.Foreground = text, bg, fg
	p.Refresh()
}

// CreateRenderer draws the pill.
func (p *Pill) CreateRenderer() fyne.WidgetRenderer {
	p.ExtendBaseWidget(p)
	bg := canvas.NewRectangle(nil)
	txt := canvas.NewText("", nil)
	txt.TextStyle = fyne.TextStyle{Bold: true}
	txt.Alignment = fyne.TextAlignCenter
	r := &pillRenderer{p: p, bg: bg, txt: txt}
	r.Refresh()
	return r
}

type pillRenderer struct {
	p   *Pill
	bg  *canvas.Rectangle
	txt *canvas.Text
}

func (r *pillRenderer) padding() (h, v float32) {
	pad := theme.SizeForWidget(theme.SizeNameInnerPadding, r.p)
	return pad + 2, pad / 2
}

func (r *pillRenderer) Layout(size fyne.Size) {
	h, _ := r.padding()
	ts := r.txt.MinSize()
	w := max(ts.Width+2*h, r.p.MinWidth)
	w = min(w, size.Width)
	hgt := min(ts.Height+4, size.Height)
	// The pill sits vertically centred, left aligned in whatever cell it gets.
	pos := fyne.NewPos(0, (size.Height-hgt)/2)
	r.bg.Move(pos)
	r.bg.Resize(fyne.NewSize(w, hgt))
	r.txt.Move(pos)
	r.txt.Resize(fyne.NewSize(w, hgt))
}

func (r *pillRenderer) MinSize() fyne.Size {
	h, v := r.padding()
	ts := r.txt.MinSize()
	return fyne.NewSize(max(ts.Width+2*h, r.p.MinWidth), ts.Height+4+2*v)
}

func (r *pillRenderer) Refresh() {
	size := theme.SizeForWidget(theme.SizeNameText, r.p)
	if r.p.Large {
		size = theme.SizeForWidget(theme.SizeNameSubHeadingText, r.p)
	}
	r.txt.Text = r.p.Text
	r.txt.TextSize = size
	r.txt.Color = theme.ColorForWidget(r.p.Foreground, r.p)
	r.bg.CornerRadius = size * 0.6
	r.bg.FillColor = theme.ColorForWidget(r.p.Background, r.p)
	r.bg.Hidden = r.p.Text == ""
	r.txt.Hidden = r.p.Text == ""
	r.bg.Refresh()
	r.txt.Refresh()
	r.Layout(r.p.Size())
}

func (r *pillRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.bg, r.txt} }
func (r *pillRenderer) Destroy()                     {}

// bandBadgeWidth fits "10 Low-medium" in bold body text; a badge with the
// age of its data ("3 Low · 2 h ago") grows to its text.
const bandBadgeWidth = 132

// NewBandBadge returns a pill for a NEWS2 score on its band's colour: "7
// High", "3 Low-medium", or "No score". The word is always there, so the
// band never depends on colour alone. Set it with SetBand.
//
// (Badges are plain Pills set by functions, not types embedding a Pill: a
// widget type that embeds another widget's pointer has two identities, and
// Fyne would refresh a renderer that is never drawn.)
func NewBandBadge() *Pill {
	p := NewPill("", ColorBandNone, ColorOnBandNone)
	p.MinWidth = bandBadgeWidth
	SetBand(p, BandNone, 0)
	return p
}

// SetBand shows a band and its total score on a band badge (the score is
// ignored for band "none" or "").
func SetBand(p *Pill, band string, score int) {
	bg, fg := BandColors(band)
	p.Set(BandText(band, score), bg, fg)
}

// BandText is what a band badge reads: "7 High", or "No score".
func BandText(band string, score int) string {
	switch band {
	case BandLow, BandLowMedium, BandMedium, BandHigh:
		return fmt.Sprintf("%d %s", score, BandLabel(band))
	}
	return BandLabel(BandNone)
}

// NewAlertBadge returns a badge for a count of open alerts: "2 alerts" on
// red, nothing at zero. Set its count with SetAlerts.
func NewAlertBadge() *Pill {
	p := NewPill("", ColorAlert, ColorOnAlert)
	p.MinWidth = 96
	return p
}

// SetAlerts shows n open alerts on an alert badge.
func SetAlerts(p *Pill, n int) {
	p.Set(AlertText(n), ColorAlert, ColorOnAlert)
}

// AlertText is what an alert badge reads: "", "1 alert", "3 alerts".
func AlertText(n int) string {
	switch {
	case n <= 0:
		return ""
	case n == 1:
		return "1 alert"
	}
	return fmt.Sprintf("%d alerts", n)
}

// NewTrialMarker returns a marker for trial matches: "Trial" or "2 trials"
// on purple, nothing at zero. Set its count with SetTrials.
func NewTrialMarker() *Pill {
	p := NewPill("", ColorTrial, ColorOnTrial)
	p.MinWidth = 80
	return p
}

// SetTrials shows n matched studies on a trial marker.
func SetTrials(p *Pill, n int) {
	p.Set(TrialText(n), ColorTrial, ColorOnTrial)
}

// TrialText is what a trial marker reads: "", "Trial", "2 trials".
func TrialText(n int) string {
	switch {
	case n <= 0:
		return ""
	case n == 1:
		return "Trial"
	}
	return fmt.Sprintf("%d trials", n)
}

// Alert severities and lifecycle states as the clinical engine writes them.
const (
	SeverityHigh      = "high"
	SeverityMedium    = "medium"
	SeverityLowMedium = "low-medium"

	StateNew          = "new"
	StateAcknowledged = "acknowledged"
	StateEscalated    = "escalated"
	StateResolved     = "resolved"
)

// NewSeverityBadge returns a pill for an alert's severity; set it with
// SetSeverity.
func NewSeverityBadge() *Pill {
	p := NewPill("", ColorBandNone, ColorOnBandNone)
	p.MinWidth = 100
	return p
}

// SetSeverity shows a severity in words on its colour: "High" on the high
// band's red, "Medium" on orange, "Low-medium" on amber.
func SetSeverity(p *Pill, severity string) {
	text, bg, fg := severityPill(severity)
	p.Set(text, bg, fg)
}

// SetSeverityCount shows how many open alerts have the severity, in its
// colours: "2 High".
func SetSeverityCount(p *Pill, severity string, n int) {
	text, bg, fg := severityPill(severity)
	p.Set(fmt.Sprintf("%d %s", n, text), bg, fg)
}

func severityPill(severity string) (text string, bg, fg fyne.ThemeColorName) {
	switch severity {
	case SeverityHigh:
		return "High", ColorBandHigh, ColorOnBandHigh
	case SeverityMedium:
		return "Medium", ColorSeverityMedium, ColorOnSeverity
	case SeverityLowMedium:
		return "Low-medium", ColorBandLowMedium, ColorOnBandLowMedium
	}
	return severity, ColorBandNone, ColorOnBandNone
}

// NewStateBadge returns a pill for an alert's lifecycle state; set it with
// SetState.
func NewStateBadge() *Pill {
	p := NewPill("", ColorStateDone, ColorOnState)
	p.MinWidth = 118
	return p
}

// SetState shows a state in words: "New" stands out, "Escalated" is red,
// "Acknowledged" and "Resolved" are calm. queued adds "· queued" for an
// action saved here and not yet published.
func SetState(p *Pill, state string, queued bool) {
	text := StateLabel(state)
	if queued {
		text += " · queued"
	}
	switch state {
	case StateNew:
		p.Set(text, ColorStateNew, ColorOnStateNew)
	case StateEscalated:
		p.Set(text, ColorAlert, ColorOnAlert)
	default:
		p.Set(text, ColorStateDone, ColorOnState)
	}
}

// StateLabel is a lifecycle state in words: "New", "Acknowledged"….
func StateLabel(state string) string {
	switch state {
	case StateNew:
		return "New"
	case StateAcknowledged:
		return "Acknowledged"
	case StateEscalated:
		return "Escalated"
	case StateResolved:
		return "Resolved"
	}
	return state
}

// Score statuses as the clinical engine writes them (app/clinical
// scorestatus.go): only complete and partial scores have a band.
const (
	ScoreComplete      = "complete"
	ScorePartial       = "partial"
	ScoreInsufficient  = "insufficient"
	ScoreStale         = "stale"
	ScoreNotApplicable = "not-applicable"
)

// PEWS escalation levels (National PEWS): none, low, medium, high and
// emergency. Low, medium and high share the NEWS2 band names.
const BandEmergency = "emergency"

// Score is what a score badge shows: which score, its band and total, its
// status, and the age of the data it was computed from.
type Score struct {
	PEWS   bool   // National PEWS (a child); else NEWS2
	Band   string // NEWS2 band, or PEWS level (none, low, medium, high, emergency)
	Total  int
	Status string // complete, partial, insufficient, stale, not-applicable; "" reads as complete
	Scored int    // parameters scored
	Of     int    // parameters on the chart (7)
	// Age is how old the data is, in words ("2 h ago", "6 weeks ago"); the
	// views write it from the newest value used.
	Age string
	// Offline marks the score "as of" its data: the feed is offline.
	Offline bool
	// NotApplicable is the short reason a score does not apply ("Deceased",
	// "Pregnant"), shown instead of a score.
	NotApplicable string
	// Compact leaves the age and the score's name out (the census, whose next
	// column says them).
	Compact bool
}

// current reports whether the score has a band to show.
func (s Score) current() bool {
	return s.Status == "" || s.Status == ScoreComplete || s.Status == ScorePartial
}

// SetScore shows a score on a band badge. A complete score sits on its
// band's colour; a partial one keeps a warning band's colour but is never
// drawn in the normal (green) colour; insufficient, stale and not-applicable
// scores are grey, with words saying why.
func SetScore(p *Pill, s Score) {
	bg, fg := ScoreColors(s)
	p.Set(ScoreText(s), bg, fg)
}

// ScoreColors returns a score badge's colours (see SetScore).
func ScoreColors(s Score) (bg, fg fyne.ThemeColorName) {
	if !s.current() {
		return ColorBandNone, ColorOnBandNone
	}
	band := s.Band
	if s.PEWS {
		switch band {
		case BandNone:
			band = BandLow // a total of 0: the normal colour
		case BandLow:
			band = BandLowMedium // 1–4: inform the nurse in charge
		case BandEmergency:
			band = BandHigh
		}
	}
	if s.Status == ScorePartial && band == BandLow {
		return ColorNEWS2Missing, ColorOnNEWS2Missing
	}
	return BandColors(band)
}

// ScoreText is what a score badge reads: "3 Low · 2 h ago", "5 Medium ·
// partial — 5 of 7 · 40 min ago", "PEWS 6 Medium · 1 h ago", "Stale · last
// set 6 weeks ago", "Insufficient — 2 of 7", "NEWS2 n/a: deceased"; offline,
// the age reads "as of 2 h ago".
func ScoreText(s Score) string {
	age := s.Age
	if age != "" && s.Offline {
		age = "as of " + age
	}
	name := "NEWS2"
	if s.PEWS {
		name = "PEWS"
	}
	var text string
	switch {
	case s.Status == ScoreNotApplicable:
		if s.Compact {
			return s.NotApplicable
		}
		if s.NotApplicable != "" {
			return name + " n/a: " + strings.ToLower(s.NotApplicable)
		}
		return name + " n/a"
	case s.Status == ScoreStale:
		if s.Compact || age == "" {
			return "Stale"
		}
		if s.Offline {
			return "Stale · " + age
		}
		return "Stale · last set " + age
	case s.Status == ScoreInsufficient:
		if s.Compact {
			return "Insufficient"
		}
		if s.Scored == 0 {
			return BandLabel(BandNone) // nothing current at all: "No score"
		}
		return fmt.Sprintf("Insufficient — %d of %d", s.Scored, s.Of)
	case s.PEWS:
		text = fmt.Sprintf("%d %s", s.Total, PEWSLabel(s.Band))
		if s.Band == BandNone {
			text = fmt.Sprint(s.Total)
		}
		if !s.Compact {
			text = "PEWS " + text
		} else if s.Band == BandNone {
			text = "PEWS " + text
		}
	default:
		text = BandText(s.Band, s.Total)
	}
	if s.Status == ScorePartial {
		if s.Compact {
			return fmt.Sprintf("%s · %d/%d", text, s.Scored, s.Of)
		}
		text += fmt.Sprintf(" · partial — %d of %d", s.Scored, s.Of)
	}
	if !s.Compact && age != "" {
		text += " · " + age
	}
	return text
}

// PEWSLabel is a PEWS escalation level in words: "Low", "Medium", "High",
// "Emergency"; "" for none.
func PEWSLabel(level string) string {
	switch level {
	case BandLow:
		return "Low"
	case BandMedium:
		return "Medium"
	case BandHigh:
		return "High"
	case BandEmergency:
		return "Emergency"
	}
	return ""
}
