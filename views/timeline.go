package views

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// allKinds is the kind filter's "no filter" choice.
const allKinds = "All kinds"

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
	twoLine bool // every row is two lines high (see twoLineRows)
}

// release lets the entries go (the view closed).
func (t *timelineTab) release() { t.entries, t.rows = nil, nil }

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
		t.newItem,
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
	split.Offset = 0.64 // the list holds a medication's name whole at 1280×800
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
	t.twoLine = t.twoLineRows()
	t.list.Refresh() // takes the template's height again
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
