package views

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// timelineEntry is one resource in the timeline.
type timelineEntry struct {
	Ref      store.Ref
	Time     time.Time
	Display  string
	Category string
	Status   string
	Flag     string // out-of-range mark
	Problems int    // conformance problems noted at ingest
	fold     string // folded display and type, for the text filter
}

func newTimelineEntry(it *store.Item) timelineEntry {
	display := it.Meta.Display
	if display == "" {
		display = it.Type
	}
	return timelineEntry{
		Ref: it.Ref, Time: it.Meta.Time, Display: display, Category: it.Meta.Category, Status: it.Meta.Status,
		Flag: outOfRange(it.Meta), Problems: len(it.Meta.Problems),
		fold: fold(display) + " " + strings.ToLower(it.Type),
	}
}

// timelineRow is one row of the list: a day header, an entry, or a vital-sign
// set (the vital signs charted at one instant: one row, not six).
type timelineRow struct {
	header bool
	entry  int   // index into entries (the first entry of the day, for a header)
	more   []int // a set's other entries, after entry
	count  int   // a header's number of entries shown that day
}

// isSet reports whether a row is a vital-sign set of several entries.
func (r timelineRow) isSet() bool { return len(r.more) > 0 }

// vitalShort names a vital sign briefly in a set's one line, by the start
// of its display.
var vitalShort = []struct{ prefix, short string }{
	{"Respiratory rate", "RR"}, {"Oxygen saturation", "SpO2"}, {"Heart rate", "HR"}, {"Pulse rate", "HR"},
	{"Blood pressure", "BP"}, {"Systolic blood pressure", "SBP"}, {"Body temperature", "Temp"},
	{"Level of responsiveness", "ACVPU"}, {"Level of consciousness", "ACVPU"}, {"Inhaled oxygen", "O2"},
	{"Body weight", "Weight"}, {"Body height", "Height"}, {"Body mass index", "BMI"},
}

// shortVital writes one vital sign of a set: "RR 27 breaths/minute".
func shortVital(display string) string {
	for _, v := range vitalShort {
		if strings.HasPrefix(display, v.prefix) {
			rest := strings.TrimSpace(strings.TrimPrefix(display, v.prefix))
			// "Oxygen saturation in Arterial blood by Pulse oximetry 93 %":
			// keep from the first digit.
			if i := strings.IndexAny(rest, "0123456789"); i > 0 && v.short != "ACVPU" {
				rest = rest[i:]
			}
			rest = strings.TrimPrefix(rest, ": ")
			if i := strings.Index(rest, " ("); i > 0 && v.short == "SpO2" {
				rest = rest[:i] // the oxygen it was on is in the detail
			}
			rest = vitalUnits.Replace(rest)
			return v.short + " " + rest
		}
	}
	return display
}

// vitalUnits shortens units in a set's one line.
var vitalUnits = strings.NewReplacer(" breaths/minute", "/min", " beats/minute", "/min", " /min", "/min", "mm[Hg]", "mmHg", "Cel", "°C")

// vitalRank orders a set's readings as the NEWS2 chart does.
func vitalRank(display string) int {
	for i, v := range vitalShort {
		if strings.HasPrefix(display, v.prefix) {
			return i
		}
	}
	return len(vitalShort)
}

// setText is a vital-sign set's line: "RR 27 breaths/minute · SpO2 93 % · …".
func (t *timelineTab) setText(r timelineRow) string {
	return strings.Join(t.setParts(r), " · ")
}

// setParts are a set's readings, shortened, in the NEWS2 chart's order.
func (t *timelineTab) setParts(r timelineRow) []string {
	ds := []string{t.entries[r.entry].Display}
	for _, i := range r.more {
		ds = append(ds, t.entries[i].Display)
	}
	slices.SortStableFunc(ds, func(a, b string) int { return vitalRank(a) - vitalRank(b) })
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = shortVital(d)
	}
	return parts
}

// categoryLabels names the categories in the kind filter and on each row.
var categoryLabels = map[string]string{
	record.CategoryVitalSigns: "Vital signs", record.CategoryLaboratory: "Laboratory",
	record.CategoryObservation: "Observation", record.CategoryCondition: "Condition",
	record.CategoryMedication: "Medication", record.CategoryAllergy: "Allergy",
	record.CategoryImmunization: "Immunization", record.CategoryProcedure: "Procedure",
	record.CategoryEncounter: "Encounter", record.CategoryReport: "Report",
	record.CategoryDocument: "Document", record.CategoryImaging: "Imaging",
	record.CategoryCarePlan: "Care plan", record.CategoryGoal: "Goal", record.CategoryRisk: "Risk",
	record.CategoryDevice: "Device", record.CategoryResearch: "Research",
	record.CategoryDemographics: "Demographics", record.CategoryAdministrative: "Administrative",
	record.CategoryFinancial: "Financial", record.CategoryAudit: "Audit", record.CategoryOther: "Other",
}

func categoryLabel(c string) string {
	if l, ok := categoryLabels[c]; ok {
		return l
	}
	if c == "" {
		return "Other"
	}
	return c
}

// allKinds is the kind filter's "no filter" choice.
const allKinds = "All kinds"

// Timeline column widths: time, kind, display (flexible), flag, problems.
var timelineColumns = []float32{56, 118, 0, 34, 28}

// timelineTab is the Timeline tab: every resource of the patient, newest
// first, grouped by day, filtered by kind and text, with a detail pane.
type timelineTab struct {
	pv *patientView

	// UI goroutine only.
	entries  []timelineEntry
	rows     []timelineRow
	kind     string // category filter, "" for all
	words    []string
	selected store.Ref // the entry in the detail pane
	hasSel   bool
	selRow   int // its row, -1 when filtered out
	kindKeys map[string]string

	kinds   *widget.Select
	filter  *ui.SearchEntry
	count   *widget.Label
	list    *widget.List
	empty   *widget.Label
	emptyAt *fyne.Container
	bar     *fyne.Container
	detail  *detailPane
	content fyne.CanvasObject
}

func newTimelineTab(pv *patientView) patientTabContent {
	t := &timelineTab{pv: pv, selRow: -1, kindKeys: map[string]string{}}
	t.kinds = widget.NewSelect(nil, func(choice string) {
		t.kind = t.kindKeys[choice]
		t.rebuild()
	})
	t.filter = ui.NewSearchEntry("Filter the timeline (Ctrl+F)")
	t.filter.OnChanged = func(q string) {
		t.words = queryWords(q)
		t.rebuild()
	}
	t.filter.OnMove = t.move
	t.filter.OnEscape = func() { pv.e.shell.Back() }
	t.count = widget.NewLabel("")
	t.list = widget.NewList(
		func() int { return len(t.rows) },
		func() fyne.CanvasObject { return newTimelineItem() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(t.rows) {
				o.(*timelineItem).set(t, id, t.rows[id])
			}
		},
	)
	t.list.OnSelected = func(id widget.ListItemID) {
		t.list.Unselect(id)
		if id < len(t.rows) && !t.rows[id].header {
			t.choose(id)
		}
	}
	t.empty = widget.NewLabel("")
	t.empty.Hidden = true
	t.empty.Alignment = fyne.TextAlignCenter
	t.detail = newDetailPane(pv.e)

	t.bar = container.NewBorder(nil, nil, container.NewHBox(widget.NewLabel("Kind"), container.New(&widthLayout{width: 196}, t.kinds)), t.count, t.filter)
	t.emptyAt = container.NewCenter(t.empty)
	left := container.NewBorder(container.NewPadded(t.bar), nil, nil, nil, container.NewStack(t.list, t.emptyAt))
	split := container.NewHSplit(left, t.detail.content)
	split.Offset = 0.6
	t.content = split
	return t
}

func (t *timelineTab) object() fyne.CanvasObject { return t.content }

// show takes a new chart's entries, keeping the filters and the selected
// entry.
func (t *timelineTab) show(c *chart) {
	t.entries = c.Timeline
	total := len(c.Timeline)
	options := []string{fmt.Sprintf("%s (%s)", allKinds, ui.Thousands(int64(total)))}
	t.kindKeys = map[string]string{options[0]: ""}
	selected := options[0]
	for _, k := range c.Kinds {
		label := fmt.Sprintf("%s (%s)", categoryLabel(k.Category), ui.Thousands(int64(k.N)))
		options = append(options, label)
		t.kindKeys[label] = k.Category
		if k.Category == t.kind {
			selected = label
		}
	}
	if selected == options[0] {
		t.kind = ""
	}
	t.kinds.OnChanged = nil // setting the options is not a choice
	t.kinds.Options = options
	t.kinds.SetSelected(selected)
	t.kinds.OnChanged = func(choice string) {
		t.kind = t.kindKeys[choice]
		t.rebuild()
	}
	t.rebuild()
}

// showPatch takes a patched chart's entries when the patch changed any.
func (t *timelineTab) showPatch(c *chart, p *chartPatch) {
	if p.keys.len() > 0 {
		t.show(c)
	}
}

// rebuild recomputes the rows from the entries and filters, and redraws.
func (t *timelineTab) rebuild() {
	shown := t.computeRows()
	if shown == len(t.entries) {
		t.count.SetText(entriesText(shown))
	} else {
		t.count.SetText(fmt.Sprintf("%s of %s", ui.Thousands(int64(shown)), entriesText(len(t.entries))))
	}
	switch {
	case len(t.entries) == 0:
		t.empty.SetText("Nothing recorded for this patient yet.")
		t.empty.Show()
	case shown == 0:
		t.empty.SetText("No entry matches the filter.")
		t.empty.Show()
	default:
		t.empty.Hide()
	}
	t.emptyAt.Refresh()
	t.bar.Refresh() // the count's width changed
	if t.hasSel && t.selRow < 0 {
		// The filter removed the entry shown: the detail goes with it, so
		// it never describes a row that is not on screen.
		t.hasSel = false
		t.detail.clear()
	}
	t.list.Refresh()
}

// computeRows lays the filtered entries out as rows, a header before each
// day's first entry, in one pass; it returns how many entries are shown.
func (t *timelineTab) computeRows() int {
	loc := t.pv.e.loc
	t.rows = t.rows[:0]
	header := -1
	var lastY, lastD int
	var lastM time.Month
	shown := 0
	t.selRow = -1
	for i := range t.entries {
		en := &t.entries[i]
		if t.kind != "" && en.Category != t.kind {
			continue
		}
		if len(t.words) > 0 && !matchAll(en.fold, t.words) {
			continue
		}
		y, m, d := 0, time.Month(0), 0
		if !en.Time.IsZero() {
			y, m, d = en.Time.In(loc).Date()
		}
		if header < 0 || y != lastY || m != lastM || d != lastD {
			header = len(t.rows)
			t.rows = append(t.rows, timelineRow{header: true, entry: i})
			lastY, lastM, lastD = y, m, d
		}
		t.rows[header].count++
		shown++
		// A vital sign charted at the instant of the row above joins it:
		// one row per set of observations.
		if last := len(t.rows) - 1; last > header && en.Category == record.CategoryVitalSigns && !en.Time.IsZero() {
			prev := &t.rows[last]
			if p := &t.entries[prev.entry]; p.Category == record.CategoryVitalSigns && p.Time.Equal(en.Time) {
				prev.more = append(prev.more, i)
				if t.hasSel && en.Ref == t.selected {
					t.selRow = last
				}
				continue
			}
		}
		if t.hasSel && en.Ref == t.selected {
			t.selRow = len(t.rows)
		}
		t.rows = append(t.rows, timelineRow{entry: i})
	}
	return shown
}

// choose shows the entry of a row in the detail pane and marks its row.
func (t *timelineTab) choose(row int) {
	old := t.selRow
	t.selRow = row
	if old >= 0 && old < len(t.rows) {
		t.list.RefreshItem(old)
	}
	t.list.RefreshItem(row)
	r := t.rows[row]
	ref := t.entries[r.entry].Ref
	if t.hasSel && ref == t.selected && !r.isSet() {
		return
	}
	t.selected, t.hasSel = ref, true
	if r.isSet() {
		members := []timelineEntry{t.entries[r.entry]}
		for _, i := range r.more {
			members = append(members, t.entries[i])
		}
		t.detail.showSet(members)
		return
	}
	t.detail.show(ref)
}

func entriesText(n int) string {
	if n == 1 {
		return "1 entry"
	}
	return ui.Thousands(int64(n)) + " entries"
}

// move selects the entry delta entries away from the selected one,
// skipping day headers.
func (t *timelineTab) move(delta int) {
	if len(t.rows) == 0 {
		return
	}
	step := 1
	if delta < 0 {
		step = -1
	}
	row := t.selRow
	if row < 0 {
		row = -1
		if delta < 0 {
			row = len(t.rows)
		}
	}
	for n := 0; n < max(delta, -delta); n++ {
		next := row + step
		for next >= 0 && next < len(t.rows) && t.rows[next].header {
			next += step
		}
		if next < 0 || next >= len(t.rows) {
			break
		}
		row = next
	}
	if row >= 0 && row < len(t.rows) && !t.rows[row].header {
		t.list.ScrollTo(row)
		t.choose(row)
	}
}

// selectRef selects an entry by reference (from a summary line), clearing
// filters that hide it.
func (t *timelineTab) selectRef(ref store.Ref) {
	for i := range t.entries {
		if t.entries[i].Ref == ref {
			if t.kind != "" && t.entries[i].Category != t.kind || len(t.words) > 0 && !matchAll(t.entries[i].fold, t.words) {
				t.kind, t.words = "", nil
				t.filter.SetText("")
				t.kinds.SetSelectedIndex(0)
			}
			t.rebuild()
			for r, row := range t.rows {
				if row.header {
					continue
				}
				hit := t.entries[row.entry].Ref == ref
				for _, i := range row.more {
					hit = hit || t.entries[i].Ref == ref
				}
				if hit {
					t.list.ScrollTo(r)
					t.choose(r)
				}
			}
			return
		}
	}
}

// timelineItem is one list row: a day header or an entry.
type timelineItem struct {
	widget.BaseWidget
	bg       *ui.Background
	cursor   *ui.Background
	header   *widget.Label
	time     *widget.Label
	kind     *widget.Label
	display  *ui.FitLabel // a reading's value is never cut: see ui.FitLabel
	flag     *widget.Label
	problems *widget.Icon
	entryRow *fyne.Container
}

func newTimelineItem() *timelineItem {
	it := &timelineItem{
		bg:       ui.NewBackground(ui.ColorHeaderRow),
		cursor:   ui.NewBackground(ui.ColorCursor),
		header:   widget.NewLabel(""),
		time:     widget.NewLabel(""),
		kind:     widget.NewLabel(""),
		display:  ui.NewFitLabel(),
		flag:     widget.NewLabel(""),
		problems: widget.NewIcon(theme.NewColoredResource(theme.WarningIcon(), theme.ColorNameWarning)),
	}
	it.header.TextStyle.Bold = true
	it.header.Truncation = fyne.TextTruncateEllipsis
	it.kind.Truncation = fyne.TextTruncateEllipsis
	it.flag.TextStyle.Bold = true
	it.flag.Importance = widget.DangerImportance
	it.entryRow = container.New(ui.NewColumns(timelineColumns...), it.time, it.kind, it.display, it.flag, container.NewCenter(it.problems))
	it.ExtendBaseWidget(it)
	return it
}

func (it *timelineItem) set(t *timelineTab, id int, row timelineRow) {
	en := &t.entries[row.entry]
	it.cursor.Hidden = id != t.selRow || row.header
	it.cursor.Refresh()
	loc := t.pv.e.loc
	if row.header {
		day := "No date"
		if !en.Time.IsZero() {
			day = en.Time.In(loc).Format("Monday 2 January 2006")
		}
		it.header.SetText(day + " · " + entriesText(row.count))
		it.bg.Show()
		it.header.Show()
		it.entryRow.Hide()
		return
	}
	it.bg.Hide()
	it.header.Hide()
	it.entryRow.Show()
	if en.Time.IsZero() {
		it.time.SetText("–")
	} else {
		it.time.SetText(en.Time.In(loc).Format("15:04"))
	}
	it.kind.SetText(categoryLabel(en.Category))
	flag, problems := en.Flag, en.Problems
	if row.isSet() {
		it.display.SetParts(t.setParts(row)...)
		for _, i := range row.more {
			if f := t.entries[i].Flag; f != "" && flag == "" {
				flag = f
			}
			problems += t.entries[i].Problems
		}
	} else {
		it.display.SetParts(en.Display)
	}
	it.flag.SetText(flag)
	it.problems.Hidden = problems == 0
	it.problems.Refresh()
}

// CreateRenderer stacks the header and entry forms; set shows one.
func (it *timelineItem) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(it.bg, it.cursor, it.header, it.entryRow))
}

// detailPane shows one resource: its one-line display, where it came from,
// its conformance problems, its fields, and its raw JSON on demand.
type detailPane struct {
	e *env

	// UI goroutine only.
	ref     store.Ref
	raw     []byte
	seq     int
	title   *widget.Label
	meta    *widget.Label
	probs   *widget.Label
	probBox fyne.CanvasObject
	fields  *fyne.Container
	rawBtn  *widget.Button
	copyBtn *widget.Button
	rawText *widget.RichText
	body    *fyne.Container
	hint    *widget.Label
	content fyne.CanvasObject
}

// maxRawShown bounds the pretty-printed JSON drawn (the copy button copies
// it all).
const maxRawShown = 256 << 10

func newDetailPane(e *env) *detailPane {
	d := &detailPane{
		e:       e,
		title:   widget.NewLabel(""),
		meta:    widget.NewLabel(""),
		probs:   widget.NewLabel(""),
		fields:  container.New(layout.NewFormLayout()),
		rawText: widget.NewRichText(),
		hint:    widget.NewLabel("Select an entry to see all it records."),
	}
	d.title.TextStyle.Bold = true
	d.title.SizeName = theme.SizeNameSubHeadingText
	d.title.Wrapping = fyne.TextWrapWord
	d.meta.Wrapping = fyne.TextWrapWord
	d.probs.Wrapping = fyne.TextWrapWord
	d.hint.Wrapping = fyne.TextWrapWord
	d.hint.Alignment = fyne.TextAlignCenter
	probTitle := widget.NewLabel("Conformance problems")
	probTitle.TextStyle.Bold = true
	probBg := ui.NewBackground(ui.ColorProblem)
	probBg.Radius = 4
	d.probBox = container.NewStack(probBg, container.NewPadded(container.NewVBox(probTitle, d.probs)))
	d.rawBtn = widget.NewButtonWithIcon("Show raw JSON", theme.DocumentIcon(), d.toggleRaw)
	d.copyBtn = widget.NewButtonWithIcon("Copy JSON", theme.ContentCopyIcon(), func() {
		if d.raw != nil {
			fyne.CurrentApp().Clipboard().SetContent(prettyJSON(d.raw))
		}
	})
	d.rawText.Wrapping = fyne.TextWrapBreak
	d.rawText.Hide()
	d.body = container.NewVBox(d.title, d.meta, d.probBox, d.fields, container.NewHBox(d.rawBtn, d.copyBtn), d.rawText)
	d.body.Hide()
	d.content = container.NewStack(container.NewVScroll(container.NewPadded(d.body)), container.NewCenter(d.hint))
	return d
}

// clear empties the pane back to its hint.
func (d *detailPane) clear() {
	d.seq++ // a read under way is no longer wanted
	d.ref, d.raw = store.Ref{}, nil
	d.body.Hide()
	d.hint.Show()
}

// showSet shows a vital-sign set: when, and each reading of it.
func (d *detailPane) showSet(members []timelineEntry) {
	d.seq++
	d.ref, d.raw = members[0].Ref, nil
	d.rawText.Hide()
	d.hint.Hide()
	d.body.Show()
	d.title.SetText(fmt.Sprintf("Vital signs: %d readings", len(members)))
	d.meta.SetText("Charted " + whenText(members[0].Time, d.e.now(), d.e.loc) + " · " + dateTimeText(members[0].Time, d.e.loc) + " local time")
	d.probBox.Hide()
	var objs []fyne.CanvasObject
	for _, m := range members {
		v := m.Display
		if m.Flag != "" {
			v += " (" + m.Flag + ")"
		}
		objs = append(objs, fieldLabel(strings.Fields(shortVital(m.Display))[0]), fieldValue(v))
	}
	d.fields.Objects = objs
	d.rawBtn.Hide()
	d.copyBtn.Hide()
	ui.Reflow(d.body)
}

// show reads a resource off the UI goroutine and shows it.
func (d *detailPane) show(ref store.Ref) {
	d.seq++
	seq := d.seq
	d.e.async(func() {
		res, ok, err := d.e.store.Resource(ref)
		var fields []record.Field
		var ferr error
		if ok && err == nil {
			fields, ferr = record.FieldsNamed(res.JSON, d.e.refNames(ref.Collection))
		}
		d.e.do(func() {
			if seq != d.seq {
				return // a newer selection won
			}
			d.fill(ref, res, ok, err, fields, ferr)
		})
	})
}

func (d *detailPane) fill(ref store.Ref, res store.Resource, ok bool, err error, fields []record.Field, ferr error) {
	d.ref, d.raw = ref, nil
	d.rawText.Hide()
	d.rawBtn.SetText("Show raw JSON")
	d.rawBtn.Show()
	d.copyBtn.Show()
	d.hint.Hide()
	d.body.Show()
	switch {
	case err != nil:
		d.title.SetText("This record cannot be shown")
		d.meta.SetText("The store could not read it: " + err.Error())
		d.probBox.Hide()
		d.fields.Objects = nil
		d.fields.Refresh()
		return
	case !ok:
		d.title.SetText("This record is no longer in the store")
		d.meta.SetText("It was deleted (a tombstone) since the list was drawn.")
		d.probBox.Hide()
		d.fields.Objects = nil
		d.fields.Refresh()
		return
	}
	d.raw = res.JSON
	m := res.Meta
	title := m.Display
	if title == "" {
		title = ref.Type
	}
	d.title.SetText(title)
	facts := []string{ref.Type}
	if l := categoryLabel(m.Category); l != ref.Type {
		facts = append(facts, l)
	}
	if !m.Time.IsZero() {
		facts = append(facts, whenText(m.Time, d.e.now(), d.e.loc))
	}
	if m.Status != "" {
		facts = append(facts, "status "+m.Status)
	}
	if m.Source.Topic != "" {
		facts = append(facts, fmt.Sprintf("from %s, offset %d", m.Source.Topic, m.Source.Offset))
	}
	d.meta.SetText(strings.Join(facts, " · "))
	if len(m.Problems) > 0 {
		d.probs.SetText("• " + strings.Join(m.Problems, "\n• "))
		d.probBox.Show()
	} else {
		d.probBox.Hide()
	}
	var objs []fyne.CanvasObject
	if ferr != nil {
		objs = append(objs, fieldLabel("Fields"), fieldValue("could not be read: "+ferr.Error()))
	}
	for _, f := range fields {
		objs = append(objs, fieldLabel(f.Label), fieldValue(localTimes(f.Value, d.e.loc)))
	}
	d.fields.Objects = objs
	ui.Reflow(d.body)
}

// isoTime finds FHIR dateTimes with a time of day and a zone
// ("2026-12-02T14:08:00Z", "…+01:00", with or without seconds).
var isoTime = regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})`)

// localTimes rewrites the instants in a field's value in the workstation's
// local time ("2 Dec 2026 15:08"), so no detail shows raw UTC; a value
// that does not parse stays as written.
func localTimes(v string, loc *time.Location) string {
	return isoTime.ReplaceAllStringFunc(v, func(s string) string {
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
			if t, err := time.Parse(layout, s); err == nil {
				return dateTimeText(t, loc)
			}
		}
		return s
	})
}

func fieldLabel(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.TextStyle.Bold = true
	return l
}

func fieldValue(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// toggleRaw shows or hides the pretty-printed JSON.
func (d *detailPane) toggleRaw() {
	if d.rawText.Visible() {
		d.rawText.Hide()
		d.rawBtn.SetText("Show raw JSON")
		return
	}
	text := prettyJSON(d.raw)
	if len(text) > maxRawShown {
		text = text[:maxRawShown] + "\n… (cut here; Copy JSON copies all of it)"
	}
	d.rawText.Segments = []widget.RichTextSegment{&widget.TextSegment{Style: widget.RichTextStyleCodeBlock, Text: text}}
	d.rawText.Show()
	d.rawBtn.SetText("Hide raw JSON")
	ui.Reflow(d.body)
}

// prettyJSON indents JSON for reading; JSON that does not parse is shown as
// it is.
func prettyJSON(raw []byte) string {
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	return b.String()
}
