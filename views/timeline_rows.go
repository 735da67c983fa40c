// Timeline rows: the entries, the rows they make (day headers, vital-sign
// sets, single entries) and the row widget.

package views

import (
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
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

// newTimelineEntry builds an item's timeline entry; fs, when not nil,
// shares the filter text of entries with the same display.
func newTimelineEntry(it *store.Item, fs folds) timelineEntry {
	display := it.Meta.Display
	if display == "" {
		display = it.Type
	}
	return timelineEntry{
		Ref: it.Ref, Time: it.Meta.Time, Display: display, Category: it.Meta.Category, Status: it.Meta.Status,
		Flag: outOfRange(it.Meta), Problems: len(it.Meta.Problems),
		fold: fs.of(display, it.Type),
	}
}

// folds memoises the timeline's filter text over one load: a busy chart's
// displays repeat ("Heart rate 88 /min" hundreds of times in a day of
// monitoring), so each is folded once.
type folds map[foldKey]string

type foldKey struct{ display, typ string }

// of is the filter text of an entry: its folded display and type.
func (fs folds) of(display, typ string) string {
	k := foldKey{display, typ}
	if v, ok := fs[k]; ok {
		return v
	}
	v := fold(display) + " " + strings.ToLower(typ)
	if fs != nil {
		fs[k] = v
	}
	return v
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
			if v.short == "ACVPU" {
				rest = acvpuDisplays.Replace(rest)
			}
			return v.short + " " + rest
		}
	}
	return display
}

// vitalUnits shortens units in a set's one line.
var vitalUnits = strings.NewReplacer(" breaths/minute", "/min", " beats/minute", "/min", " /min", "/min", "mm[Hg]", "mmHg", "Cel", "°C")

// acvpuDisplays are the ACVPU answers' SNOMED CT displays (see clinical's
// CodeACVPU…) as the RCP NEWS2 chart names them (see acvpuWords), so a set's second line
// fits: "ACVPU Alert", not "ACVPU Mentally alert".
var acvpuDisplays = strings.NewReplacer("Mentally alert", "Alert", "Responds to voice", "Voice", "Responds to pain", "Pain")

// vitalRank orders a set's readings as the NEWS2 chart does.
func vitalRank(display string) int {
	for i, v := range vitalShort {
		if strings.HasPrefix(display, v.prefix) {
			return i
		}
	}
	return len(vitalShort)
}

// setLineParts is how many readings of a vital-sign set one line of its
// row holds: a full set reads on two lines, "RR · SpO2 · HR" above "BP ·
// Temp · ACVPU" (the NEWS2 chart's order), so every reading shows at
// 1280×800 (one line of six needs ~610 px; the list's text column there has
// ~400) and a set reads the same at every width.
const setLineParts = 3

// tallRow reports whether rowLines gives a row two lines, without building
// them (twoLineRows asks of every row of a 20,000-entry chart).
func (t *timelineTab) tallRow(r timelineRow) bool {
	if r.isSet() {
		return len(r.more)+1 > setLineParts
	}
	en := &t.entries[r.entry]
	return en.Category == record.CategoryMedication && strings.Contains(en.Display, record.DoseSeparator)
}

// rowLines are what an entry row shows, as lines of parts: a vital-sign set
// on two lines when it has more readings than one line holds (see
// setLineParts); a medication "name — dosage" with the name above its
// dosage, so neither cuts the other; anything else on one line.
func (t *timelineTab) rowLines(r timelineRow) [][]string {
	if r.isSet() {
		return t.setLines(r)
	}
	d := t.entries[r.entry].Display
	if name, dose, ok := strings.Cut(d, record.DoseSeparator); ok && t.entries[r.entry].Category == record.CategoryMedication {
		return [][]string{{name}, {dose}}
	}
	return [][]string{{d}}
}

// setLines are a vital-sign set's lines of readings: "RR 27/min · SpO2 93 % ·
// HR 118/min", then the rest.
func (t *timelineTab) setLines(r timelineRow) [][]string {
	parts := t.setParts(r)
	if len(parts) <= setLineParts {
		return [][]string{parts}
	}
	return [][]string{parts[:setLineParts], parts[setLineParts:]}
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

// Timeline column widths: time, kind, display (flexible), flag, problems.
var timelineColumns = []float32{56, 118, 0, 34, 28}

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
	box      *fyne.Container // all of the above, in a rowLayout
}

// rowLayout fills a row with its backgrounds (the first two objects) and
// centres the rest vertically at their own height: a one-line entry or a
// day header in a two-line row (see twoLineRows).
type rowLayout struct{}

func (rowLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for i, o := range objs {
		h := size.Height
		if i >= 2 {
			h = min(o.MinSize().Height, size.Height)
		}
		o.Resize(fyne.NewSize(size.Width, h))
		o.Move(fyne.NewPos(0, (size.Height-h)/2))
	}
}

func (rowLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
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
	it.box = container.New(rowLayout{}, it.bg, it.cursor, it.header, it.entryRow)
	it.ExtendBaseWidget(it)
	return it
}

func (it *timelineItem) set(t *timelineTab, id int, row timelineRow) {
	en := &t.entries[row.entry]
	defer it.box.Layout.Layout(it.box.Objects, it.box.Size()) // a header or an entry of one or two lines: centre it again
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
	it.display.SetLines(t.rowLines(row)...)
	for _, i := range row.more {
		if f := t.entries[i].Flag; f != "" && flag == "" {
			flag = f
		}
		problems += t.entries[i].Problems
	}
	it.flag.SetText(flag)
	it.problems.Hidden = problems == 0
	it.problems.Refresh()
}

// twoLineRows reports whether any row of the timeline takes two lines, so
// that every row does: the list's rows are one height, the template's.
// Fyne's List can hold a height per row, but each SetItemHeight refreshes
// the whole list (a new template item, the layout, every separator): for
// the ICU chart's 3,500 sets that was 1.4 s to open and 0.3–0.5 s per live
// set (#19 p2r, p3r). A chart of single entries (an outpatient's results)
// keeps one-line rows; a chart with a full vital-sign set or a medication
// with its dosage reads every row on two lines' height, single entries
// centred in it.
func (t *timelineTab) twoLineRows() bool {
	for _, r := range t.rows {
		if !r.header && t.tallRow(r) {
			return true
		}
	}
	return false
}

// newItem is the list's template and new items: two lines high when the
// rows are (see twoLineRows).
func (t *timelineTab) newItem() fyne.CanvasObject {
	it := newTimelineItem()
	if t.twoLine {
		it.display.SetLines([]string{"RR"}, []string{"BP"})
	}
	return it
}

// CreateRenderer stacks the header and entry forms; set shows one.
func (it *timelineItem) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(it.box)
}
