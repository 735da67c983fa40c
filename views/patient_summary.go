package views

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/ui"
)

// summaryTab is the Summary tab: the sections in two columns, read down the
// first then the second (IPS order), each in a card.
type summaryTab struct {
	pv      *patientView
	columns *fyne.Container
	content fyne.CanvasObject
	// cols are the two columns of cards; cards[i] is section i's card,
	// in cols[i/half].
	cols  [2]*fyne.Container
	cards []fyne.CanvasObject
}

func newSummaryTab(pv *patientView) patientTabContent {
	s := &summaryTab{pv: pv, columns: container.NewGridWithColumns(2)}
	s.content = container.NewVScroll(container.NewPadded(s.columns))
	return s
}

func (s *summaryTab) object() fyne.CanvasObject { return s.content }

// show rebuilds the sections for a new chart: a few dozen widgets, cheap.
func (s *summaryTab) show(c *chart) {
	half := (len(c.Sections) + 1) / 2
	left, right := container.NewVBox(), container.NewVBox()
	s.cols = [2]*fyne.Container{left, right}
	s.cards = s.cards[:0]
	for i, d := range c.Sections {
		col := left
		if i >= half {
			col = right
		}
		card := s.card(d, c)
		s.cards = append(s.cards, card)
		col.Add(card)
	}
	s.columns.Objects = []fyne.CanvasObject{left, right}
	// The scroll sizes its content to the new cards (refreshing the
	// columns alone leaves it at the old height: nothing to scroll), twice
	// for the lines that wrap (see ui.Reflow).
	ui.Reflow(s.content)
}

// showPatch redraws only the sections whose lines the patch changed.
func (s *summaryTab) showPatch(c *chart, p *chartPatch) {
	if len(s.cards) != len(c.Sections) || s.cols[0] == nil {
		s.show(c)
		return
	}
	half := (len(c.Sections) + 1) / 2
	for i, d := range c.Sections {
		if !p.sections[i] {
			continue
		}
		col, j := s.cols[0], i
		if i >= half {
			col, j = s.cols[1], i-half
		}
		s.cards[i] = s.card(d, c)
		col.Objects[j] = s.cards[i]
		col.Refresh()
	}
}

// card draws one section: its title, then its lines, its own drawing, or
// its empty state.
func (s *summaryTab) card(d sectionData, c *chart) fyne.CanvasObject {
	title := widget.NewLabel(d.def.Title)
	title.TextStyle.Bold = true
	title.SizeName = theme.SizeNameSubHeadingText
	box := container.NewVBox(title)
	switch {
	case d.def.Draw != nil:
		box.Add(d.def.Draw(s, d, c))
	case len(d.lines) == 0:
		box.Add(emptyLabel(d.def.Empty))
	default:
		results := false
		for _, l := range d.lines {
			results = results || l.Range != "" || l.Flag != "" || l.Value != ""
		}
		rows := container.New(ui.Lines{})
		cols := s.resultWidths(d.lines)
		for _, l := range d.lines {
			if results {
				rows.Add(s.open(l, s.resultRow(l, cols)))
			} else {
				rows.Add(s.open(l, s.lineRow(l)))
			}
		}
		box.Add(rows)
	}
	if d.more > 0 {
		more := widget.NewButton(fmt.Sprintf("%d more in the timeline", d.more), func() { s.pv.showTimeline("") })
		more.Importance = widget.LowImportance
		more.Alignment = widget.ButtonAlignLeading
		box.Add(more)
	}
	return ui.NewCard(box)
}

func emptyLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle.Italic = true
	l.Wrapping = fyne.TextWrapWord
	return l
}

// open makes a line with a record open that record in the timeline when
// tapped.
func (s *summaryTab) open(l line, row fyne.CanvasObject) fyne.CanvasObject {
	if l.Ref.ID == "" {
		return row
	}
	ref := l.Ref
	return ui.NewTappable(row, func() { s.pv.openInTimeline(ref) })
}

// Line columns: text, date. Results add value, flag and reference range,
// sized to their content (resultWidths).
var lineColumns = []float32{0, 104}

// resultWidths are a results section's columns: value, flag, range and
// date each as wide as its widest entry, so no value, unit, range or date
// is ever cut; the test's name takes the rest and wraps.
func (s *summaryTab) resultWidths(lines []line) []float32 {
	cols := make([]float32, 5) // name (the rest), value, flag, range, date
	pad := 2 * theme.InnerPadding()
	ts := theme.TextSize()
	now, loc := s.pv.e.now(), s.pv.e.loc
	for _, l := range lines {
		if w := valueWidth(l.Value); w <= resultValueMax {
			cols[1] = max(cols[1], w)
		}
		cols[2] = max(cols[2], fyne.MeasureText(l.Flag, ts, fyne.TextStyle{Bold: true}).Width+pad)
		cols[3] = max(cols[3], fyne.MeasureText(l.Range, ts, fyne.TextStyle{}).Width+pad)
		cols[4] = max(cols[4], fyne.MeasureText(resultWhen(l.When, now, loc), ts, fyne.TextStyle{}).Width+pad)
	}
	return cols
}

// lineRow is a standard line: its text (wrapped: a medication's dose is
// never cut) and its date.
func (s *summaryTab) lineRow(l line) fyne.CanvasObject {
	text := widget.NewLabel(l.Text)
	text.Wrapping = fyne.TextWrapWord
	if l.Note != "" {
		text.SetText(l.Text + " — " + l.Note)
	}
	return container.New(ui.NewColumns(lineColumns...), text, s.whenLabel(l))
}

// resultValueMax is the widest value the value column holds. A longer one
// (a coded or text result: "Present (Gene studied [ID] EGFR, Amino acid
// change …)") follows the test's name, where it wraps: in its own column it
// widened the card, the window past the screen and squeezed the name to a
// letter a line.
const resultValueMax = 200

// valueWidth is the width a result's value takes in its column (bold when
// flagged: measured bold).
func valueWidth(v string) float32 {
	return fyne.MeasureText(v, theme.TextSize(), fyne.TextStyle{Bold: true}).Width + 2*theme.InnerPadding()
}

// resultRow is a result line: the test, its value, an out-of-range mark,
// the reference range and the date, one line each.
func (s *summaryTab) resultRow(l line, cols []float32) fyne.CanvasObject {
	text := widget.NewLabel(l.Text)
	text.Wrapping = fyne.TextWrapWord // "Glomerular filtration rate/1.73 sq M.predicted …" wraps, never cut
	v := l.Value
	if valueWidth(v) > resultValueMax {
		text.SetText(l.Text + ": " + v)
		v = ""
	}
	value := widget.NewLabel(v)
	value.Alignment = fyne.TextAlignTrailing
	flag := widget.NewLabel(l.Flag)
	flag.TextStyle.Bold = true
	flag.Importance = widget.DangerImportance
	rng := widget.NewLabel(l.Range)
	if l.Flag != "" {
		value.TextStyle.Bold = true
	}
	when := widget.NewLabel(resultWhen(l.When, s.pv.e.now(), s.pv.e.loc))
	when.Alignment = fyne.TextAlignTrailing
	return container.New(ui.NewColumns(cols...), text, value, flag, rng, when)
}

func (s *summaryTab) whenLabel(l line) *widget.Label {
	when := widget.NewLabel(dateText(l.When, s.pv.e.loc))
	when.Alignment = fyne.TextAlignTrailing
	return when
}

// NEWS2 table columns: parameter, reading, sub-score, time or note.
var news2Columns = []float32{0, 150, 44, 170}

// drawVitals draws the score that applies: its badge (status and age of the
// data), why it is what it is, the response it calls for (RCP NEWS2 or
// National PEWS escalation), then each parameter with its reading and
// sub-score (missing and stale ones say so), then the body measurements.
func drawVitals(s *summaryTab, d sectionData, c *chart) fyne.CanvasObject {
	box := container.NewVBox()
	r := c.NEWS2
	if !c.HasNEWS2 && len(d.lines) == 0 && r.Status != clinical.StatusNotApplicable {
		box.Add(emptyLabel(d.def.Empty))
		return box
	}
	badge := ui.NewBandBadge()
	badge.Large = true
	ui.SetScore(badge, c.score())
	var facts []string
	scored, of, status, why, newest := len(r.Scores), len(clinical.Parameters()), r.Status, r.Why, r.Newest
	if c.PEWS != nil {
		p := c.PEWS
		scored, of, status, why, newest = len(p.Scores), len(clinical.PEWSParameters()), p.Status, p.Why, p.Newest
		facts = append(facts, "National PEWS, "+pewsAgeBandWords(p.AgeBand)+" chart")
	}
	switch status {
	case clinical.StatusComplete:
		facts = append(facts, fmt.Sprintf("all %d parameters", of))
	case clinical.StatusPartial:
		facts = append(facts, fmt.Sprintf("partial — %d of %d parameters", scored, of))
	}
	if c.PEWS == nil && clinical.ScoreCurrent(status) {
		facts = append(facts, fmt.Sprintf("SpO2 scale %d", max(1, r.Scale)))
	}
	if !newest.IsZero() {
		when := "latest " + dateTimeText(newest, s.pv.e.loc)
		if c.Offline {
			when = "as of " + dateTimeText(newest, s.pv.e.loc) + " (offline)"
		}
		facts = append(facts, when)
	}
	info := widget.NewLabel(strings.Join(facts, " · "))
	info.Wrapping = fyne.TextWrapWord
	box.Add(container.NewBorder(nil, nil, container.NewCenter(badge), nil, info))
	// Why the score is what it is: not applicable, insufficient, stale, partial.
	var whys []string
	if c.PEWS != nil && r.Why != "" {
		whys = append(whys, r.Why) // "NEWS2 does not apply: age 7 — PEWS shown"
	}
	if why != "" && status != clinical.StatusComplete {
		whys = append(whys, why)
	}
	for _, w := range whys {
		l := widget.NewLabel(w)
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.WarningImportance
		l.TextStyle.Bold = true
		box.Add(l)
	}
	if c.PEWS != nil {
		for _, t := range c.PEWS.Triggers {
			l := widget.NewLabel("Escalation criterion: " + t)
			l.Importance = widget.DangerImportance
			l.TextStyle.Bold = true
			box.Add(l)
		}
	}
	if g, ok := scoreGuidance(c); ok {
		box.Add(guidanceBox(g))
	}
	rows := container.New(ui.Lines{})
	for _, l := range d.lines {
		if l.HasScore || l.Missing {
			rows.Add(s.open(l, s.parameterRow(l)))
			continue
		}
		rows.Add(s.open(l, s.lineRow(l)))
	}
	box.Add(rows)
	return box
}

// scoreGuidance is the response the score that applies calls for.
func scoreGuidance(c *chart) (clinical.Guidance, bool) {
	if c.PEWS != nil {
		return clinical.PEWSGuidance(*c.PEWS)
	}
	return clinical.NEWS2Guidance(c.NEWS2)
}

// guidanceBox draws a response: the trigger and monitoring in bold, the
// actions as bullets, the chart cited.
func guidanceBox(g clinical.Guidance) fyne.CanvasObject {
	head := widget.NewLabel(g.Trigger + " · " + g.Monitoring)
	head.TextStyle.Bold = true
	head.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(head)
	for _, r := range g.Response {
		l := widget.NewLabel("• " + r)
		l.Wrapping = fyne.TextWrapWord
		box.Add(l)
	}
	src := widget.NewLabel(g.Source)
	src.TextStyle.Italic = true
	src.Wrapping = fyne.TextWrapWord
	box.Add(src)
	return ui.NewCard(box)
}

// pewsAgeBandWords names a PEWS chart: "5–12 years".
func pewsAgeBandWords(band string) string {
	switch band {
	case clinical.AgeBandInfant:
		return "0–11 months"
	case clinical.AgeBandToddler:
		return "1–4 years"
	case clinical.AgeBandChild:
		return "5–12 years"
	case clinical.AgeBandTeenager:
		return "13 years and over"
	}
	return band
}

func (s *summaryTab) parameterRow(l line) fyne.CanvasObject {
	name := widget.NewLabel(l.Text)
	name.Truncation = fyne.TextTruncateEllipsis
	value := widget.NewLabel(l.Value)
	value.Truncation = fyne.TextTruncateEllipsis
	var score *ui.Pill
	var when *widget.Label
	if l.HasScore {
		bg, fg := scoreColors(l.Score)
		score = ui.NewPill(fmt.Sprint(l.Score), bg, fg)
		when = widget.NewLabel(dateTimeText(l.When, s.pv.e.loc))
	} else {
		score = ui.NewPill("–", ui.ColorNEWS2Missing, ui.ColorOnNEWS2Missing)
		when = widget.NewLabel(l.Note)
		when.Importance = widget.WarningImportance
		when.TextStyle.Bold = true
		when.Wrapping = fyne.TextWrapWord
	}
	score.MinWidth = 36
	return container.New(ui.NewColumns(news2Columns...), name, value, score, when)
}

// scoreColors colours a sub-score as the charts do: 0 plain, 1 yellow,
// 2 orange, 3 (NEWS2) or 4 (PEWS pink) the top colour.
func scoreColors(score int) (bg, fg fyne.ThemeColorName) {
	switch score {
	case 0:
		return ui.ColorNEWS2Score0, ui.ColorOnNEWS2Score0
	case 1:
		return ui.ColorNEWS2Score1, ui.ColorOnNEWS2Score
	case 2:
		return ui.ColorNEWS2Score2, ui.ColorOnNEWS2Score
	}
	return ui.ColorNEWS2Score3, ui.ColorOnNEWS2Score3
}
