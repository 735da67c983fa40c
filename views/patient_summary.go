package views

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// section is one summary section definition (after Medplum's
// sectionConfigs): a title, what it says when empty, and how it picks its
// lines from the patient's index entries. Adding a section is one entry in
// summarySections.
type section struct {
	Title string
	Empty string
	// Build picks the lines, most relevant first, and says how many more
	// there are than it shows (they are in the timeline).
	Build func(in *chartInput) (lines []line, more int)
	// Draw draws the section's body instead of the standard list of lines
	// (the NEWS2 breakdown); nil for the standard list.
	Draw func(s *summaryTab, d sectionData, c *chart) fyne.CanvasObject
}

// sectionData is a section's lines for one patient.
type sectionData struct {
	def   *section
	lines []line
	more  int
}

// line is one row of a summary section.
type line struct {
	Text  string    // what it is: "Pneumonia (disorder)", "Hemoglobin … 11.9 g/dL"
	Range string    // a result's reference range: "12–17.5"
	Flag  string    // out-of-range mark: "H", "L", "HH"…
	When  time.Time // clinical time
	Note  string    // extra words: "until 22 Nov 2026", "stale: 27 h before the latest"
	Ref   store.Ref // the resource, to open in the timeline

	// NEWS2 parameter lines.
	Value    string // the reading: "22 per min"
	Score    int
	HasScore bool
	Missing  bool
}

// summarySections are the summary's sections in International Patient
// Summary order (HL7 IPS: problems, allergies, medications, immunizations,
// results, vital signs, procedures, encounters).
var summarySections = []section{
	{Title: "Active problems", Empty: "No active problems recorded.", Build: activeProblems},
	{Title: "Allergies and intolerances", Empty: "Allergies not recorded.", Build: allergyLines},
	{Title: "Medications", Empty: "No active medications recorded.", Build: medicationLines},
	{Title: "Immunizations", Empty: "No immunizations recorded.", Build: immunizationLines},
	{Title: "Recent results", Empty: "No laboratory results recorded.", Build: resultLines},
	{Title: "Vital signs and early warning score", Empty: "No vital signs recorded.", Build: vitalLines, Draw: drawVitals},
	{Title: "Procedures", Empty: "No procedures recorded.", Build: procedureLines},
	{Title: "Recent encounters", Empty: "No encounters recorded.", Build: encounterLines},
}

// Section limits: how many lines a section shows before "N more in the
// timeline". Active problems, allergies and medications are never cut.
const (
	maxImmunizations = 8
	maxResults       = 8
	maxProcedures    = 6
	maxEncounters    = 5
)

func itemLine(it *store.Item, text string) line {
	return line{Text: text, When: it.Meta.Time, Ref: it.Ref}
}

// activeProblems: Conditions whose clinical status is active, recurrence or
// relapse (FHIR R4 condition-clinical), newest onset first.
func activeProblems(in *chartInput) ([]line, int) {
	items := in.byType["Condition"]
	sortNewest(items)
	var out []line
	for _, it := range items {
		switch it.Meta.Status {
		case "active", "recurrence", "relapse":
			out = append(out, itemLine(it, trimStatus(it.Meta.Display, "active")))
		}
	}
	return out, 0
}

// allergyLines: the allergies in force, or the "no known allergy" entries
// when there are none.
func allergyLines(in *chartInput) ([]line, int) {
	items := in.byType["AllergyIntolerance"]
	sortNewest(items)
	var out, none []line
	for _, it := range items {
		if !allergyInForce(it.Meta.Status) {
			continue
		}
		l := itemLine(it, trimStatus(it.Meta.Display, it.Meta.Status))
		if record.IsNoKnownAllergy(it.Meta) {
			none = append(none, l)
			continue
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		return none, 0
	}
	return out, 0
}

// medicationLines: MedicationRequests active or on hold and
// MedicationStatements active or intended, newest first, each medication
// once.
func medicationLines(in *chartInput) ([]line, int) {
	items := append(append([]*store.Item(nil), in.byType["MedicationRequest"]...), in.byType["MedicationStatement"]...)
	sortNewest(items)
	seen := map[string]bool{}
	var out []line
	for _, it := range items {
		switch it.Meta.Status {
		case "active", "on-hold", "intended":
		default:
			continue
		}
		text := trimStatus(it.Meta.Display, "active")
		if seen[text] {
			continue
		}
		seen[text] = true
		l := itemLine(it, text)
		if it.Meta.Status == "on-hold" {
			l.Note = "on hold"
		}
		out = append(out, l)
	}
	return out, 0
}

// immunizationLines: completed immunizations, the latest of each vaccine.
func immunizationLines(in *chartInput) ([]line, int) {
	return latestPerCode(in.byType["Immunization"], maxImmunizations, func(it *store.Item) bool {
		return it.Meta.Status == "completed" || it.Meta.Status == ""
	}, func(it *store.Item) line { return itemLine(it, trimStatus(it.Meta.Display, it.Meta.Status)) })
}

// resultLines: the latest laboratory result of each test, with its reference
// range and an out-of-range mark.
func resultLines(in *chartInput) ([]line, int) {
	var labs []*store.Item
	for _, it := range in.byCategory[record.CategoryLaboratory] {
		if it.Type == "Observation" {
			labs = append(labs, it)
		}
	}
	return latestPerCode(labs, maxResults, func(it *store.Item) bool {
		return it.Meta.Status != "entered-in-error" && it.Meta.Status != "cancelled"
	}, func(it *store.Item) line {
		l := itemLine(it, it.Meta.Display)
		l.Text, l.Value = splitValue(it.Meta)
		l.Text = resultName(l.Text)
		l.Range, l.Flag = rangeText(it.Meta), outOfRange(it.Meta)
		return l
	})
}

// resultName is a test's name for the summary: a LOINC long name without its
// bracketed property ("Hemoglobin [Mass/volume] in Blood" reads "Hemoglobin
// in Blood"), which the unit beside it states; the specimen and method stay.
// The timeline's detail keeps the full name.
func resultName(name string) string {
	for {
		i := strings.Index(name, " [")
		j := strings.Index(name[max(i, 0):], "]")
		if i < 0 || j < 0 {
			return name
		}
		name = name[:i] + name[i+j+1:]
	}
}

// splitValue splits a result's one-line display ("Hemoglobin … in Blood
// 11.9 g/dL (L)") into the test's name and its value with unit, so the value
// gets its own column. A display it cannot split stays whole.
func splitValue(m store.Meta) (name, value string) {
	d := m.Display
	if m.Interpret != "" {
		d = strings.TrimSuffix(d, " ("+m.Interpret+")")
	}
	if !m.HasValue {
		if i := strings.Index(d, ": "); i > 0 {
			return d[:i], d[i+2:]
		}
		return d, ""
	}
	num := " " + m.Comparator + numberText(m.Value)
	i := strings.LastIndex(d, num)
	if i <= 0 {
		return m.Display, ""
	}
	// The number must end there: 1 is not the start of 13.
	if end := i + len(num); end < len(d) && (d[end] >= '0' && d[end] <= '9' || d[end] == '.') {
		return m.Display, ""
	}
	return d[:i], d[i+1:]
}

// procedureLines: procedures, newest first.
func procedureLines(in *chartInput) ([]line, int) {
	items := in.byType["Procedure"]
	sortNewest(items)
	var out []line
	for _, it := range items {
		if it.Meta.Status == "entered-in-error" {
			continue
		}
		out = append(out, itemLine(it, trimStatus(it.Meta.Display, "completed")))
	}
	return cut(out, maxProcedures)
}

// encounterLines: encounters, newest first, with their end.
func encounterLines(in *chartInput) ([]line, int) {
	items := in.byType["Encounter"]
	sortNewest(items)
	var out []line
	for _, it := range items {
		if it.Meta.Status == "entered-in-error" || it.Meta.Status == "cancelled" {
			continue
		}
		l := itemLine(it, trimStatus(it.Meta.Display, "finished"))
		if !it.Meta.End.IsZero() && !sameDay(it.Meta.End, it.Meta.Time) {
			l.Note = "until " + it.Meta.End.Format("2 Jan 2006")
		}
		out = append(out, l)
	}
	return cut(out, maxEncounters)
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// latestPerCode keeps the newest item of each primary code that keep
// accepts, newest first, at most limit of them.
func latestPerCode(items []*store.Item, limit int, keep func(*store.Item) bool, mk func(*store.Item) line) ([]line, int) {
	sortNewest(items)
	seen := map[string]bool{}
	var out []line
	for _, it := range items {
		if !keep(it) {
			continue
		}
		key := it.Meta.Display
		if len(it.Meta.Codes) > 0 {
			key = it.Meta.Codes[0]
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, mk(it))
	}
	return cut(out, limit)
}

func cut(lines []line, limit int) ([]line, int) {
	if len(lines) <= limit {
		return lines, 0
	}
	return lines[:limit], len(lines) - limit
}

// NEWS2 parameter names as the chart prints them (RCP NEWS2 chart 2017).
var parameterLabels = map[clinical.Parameter]string{
	clinical.Respiration:   "Respiration rate",
	clinical.SpO2:          "SpO2",
	clinical.AirOrOxygen:   "Air or oxygen",
	clinical.Systolic:      "Systolic blood pressure",
	clinical.Pulse:         "Pulse",
	clinical.Consciousness: "Consciousness",
	clinical.Temperature:   "Temperature",

	// National PEWS (NHS England / RCPCH 2023 charts)
	clinical.RespiratoryDistress: "Respiratory distress",
	clinical.OxygenSupport:       "Oxygen",
	clinical.HeartRate:           "Heart rate",
	clinical.CapillaryRefill:     "Capillary refill",
}

// acvpuWords spells the ACVPU codes (RCP NEWS2 chart 2017).
var acvpuWords = map[string]string{"A": "Alert", "C": "New confusion", "V": "Voice", "P": "Pain", "U": "Unresponsive"}

// readingText writes a NEWS2 reading in the chart's units.
func readingText(rd clinical.Reading) string {
	switch rd.Parameter {
	case clinical.Respiration, clinical.Pulse, clinical.HeartRate:
		return numberText(rd.Value) + " per min"
	case clinical.CapillaryRefill:
		return numberText(rd.Value) + " s"
	case clinical.RespiratoryDistress:
		return strings.ToUpper(rd.Code[:min(1, len(rd.Code))]) + rd.Code[min(1, len(rd.Code)):]
	case clinical.OxygenSupport:
		switch {
		case rd.Unit == "L/min" && rd.Value > 0:
			return numberText(rd.Value) + " L/min"
		case rd.Unit == "%" && rd.Value > 21:
			return numberText(rd.Value) + " %"
		}
		return "Air"
	case clinical.SpO2:
		return numberText(rd.Value) + " %"
	case clinical.Systolic:
		return numberText(rd.Value) + " mmHg"
	case clinical.Temperature:
		return fmt.Sprintf("%.1f °C", rd.Value)
	case clinical.Consciousness:
		if w, ok := acvpuWords[rd.Code]; ok {
			return w
		}
		return rd.Code
	case clinical.AirOrOxygen:
		text := "Air"
		if rd.Code == "oxygen" {
			text = "Oxygen"
		}
		if rd.Assumed {
			text += " (assumed)"
		}
		return text
	}
	return numberText(rd.Value) + " " + record.HumanUnit(rd.Unit)
}

// vitalLines: one line per parameter of the score that applies (NEWS2, or
// National PEWS for a child) in chart order, with its reading and sub-score,
// or why it is missing; then the latest body measurements.
func vitalLines(in *chartInput) ([]line, int) {
	var out []line
	params, readings, stale, skipped := scoreParts(in.news2, in.pews)
	if in.hasNEWS2 || len(stale) > 0 || len(skipped) > 0 {
		for _, p := range params {
			l := line{Text: parameterLabels[p]}
			if rd, ok := readings[p]; ok {
				l.Value, l.When, l.Ref = readingText(rd), rd.Time, rd.Ref
				l.Score, l.HasScore = rd.Score, true
				out = append(out, l)
				continue
			}
			l.Missing, l.Note = true, "missing"
			for _, st := range stale {
				if st.Parameter == p {
					l.Value, l.When, l.Ref = readingText(st), st.Time, st.Ref
					l.Note = "stale: last set " + clinical.AgeWords(st.Time, in.now)
				}
			}
			for _, sk := range skipped {
				if sk.Parameter == p && l.Value == "" {
					l.Note = "missing: " + sk.Reason
				}
			}
			out = append(out, l)
		}
	}
	if in.pews != nil { // recorded on the PEWS chart, not scored
		for _, rd := range in.pews.Observed {
			out = append(out, line{Text: parameterLabels[rd.Parameter] + " " + readingText(rd) + " (not scored on PEWS)", When: rd.Time, Ref: rd.Ref})
		}
	}
	// Body measurements the NEWS2 chart does not use.
	latest := map[string]*store.Item{}
	for _, it := range in.byCategory[record.CategoryVitalSigns] {
		for _, code := range bodyCodes {
			if cur := latest[code]; hasCode(it.Meta, code) && (cur == nil || it.Meta.Time.After(cur.Meta.Time)) {
				latest[code] = it
			}
		}
	}
	for _, code := range bodyCodes {
		if it, ok := latest[code]; ok {
			out = append(out, itemLine(it, it.Meta.Display))
		}
	}
	return out, 0
}

// bodyCodes are the body measurements the vital-signs section shows after
// the score, as "system|code" (LOINC 29463-7 weight, 8302-2 height, 39156-5
// BMI).
var bodyCodes = []string{
	record.SystemLOINC + "|" + record.LOINCBodyWeight,
	record.SystemLOINC + "|" + record.LOINCBodyHeight,
	record.SystemLOINC + "|" + record.LOINCBMI,
}

// scoreParts lists the parameters, readings, stale readings and skipped
// readings of the score that applies: PEWS when p is set, else NEWS2.
func scoreParts(n clinical.Result, p *clinical.PEWSResult) ([]clinical.Parameter, map[clinical.Parameter]clinical.Reading, []clinical.Reading, []clinical.Skip) {
	readings := map[clinical.Parameter]clinical.Reading{}
	if p != nil {
		for _, rd := range p.Readings {
			readings[rd.Parameter] = rd
		}
		return clinical.PEWSParameters(), readings, p.Stale, p.Skipped
	}
	for _, rd := range n.Readings {
		readings[rd.Parameter] = rd
	}
	if n.Status == clinical.StatusNotApplicable {
		return nil, readings, nil, nil
	}
	return clinical.Parameters(), readings, n.Stale, n.Skipped
}

func hasCode(m store.Meta, code string) bool {
	for _, c := range m.Codes {
		if c == code {
			return true
		}
	}
	return false
}

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
	s.columns.Refresh()
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
		cols[1] = max(cols[1], fyne.MeasureText(l.Value, ts, fyne.TextStyle{Bold: true}).Width+pad)
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

// resultRow is a result line: the test, its value, an out-of-range mark,
// the reference range and the date, one line each.
func (s *summaryTab) resultRow(l line, cols []float32) fyne.CanvasObject {
	text := widget.NewLabel(l.Text)
	text.Wrapping = fyne.TextWrapWord // "Glomerular filtration rate/1.73 sq M.predicted …" wraps, never cut
	value := widget.NewLabel(l.Value)
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
