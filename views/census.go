package views

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// censusView is the census screen: every patient, searchable as you type,
// sortable by name or risk, live.
type censusView struct {
	e *env

	loadMu  sync.Mutex
	loadSeq uint64 // orders full loads: only a newer one is drawn
	trends  trendCache

	// Read and written on the UI goroutine only.
	// While another page covers the census (a chart, another screen) its
	// rows are neither read nor drawn: changed notes the patients in
	// pending, and OnShow reads and draws them once.
	hidden   atomic.Bool
	pendMu   sync.Mutex
	pending  map[string]bool
	rows     []censusRow    // every patient
	index    map[string]int // patient id -> index in rows
	shown    []int          // indexes into rows, filtered and sorted
	words    []string       // the folded search words
	byRisk   bool
	deceased bool // show deceased patients too
	cursor   int  // index into shown of the keyboard cursor; -1 for none
	loaded   bool
	drawnSeq uint64 // sequence of the full load drawn
	stats    struct{ rowRefreshes, fullRefreshes int }
	bound    map[*censusItem]int // the row each list item last showed (see refreshRow)

	search   *ui.SearchEntry
	sortBy   *widget.RadioGroup
	showDead *widget.Check
	count    *widget.Label
	list     *widget.List
	empty    *widget.Label
	emptyAt  *fyne.Container // centres the empty-state label
	top      *fyne.Container // the title line, relaid when the count changes
	content  fyne.CanvasObject
}

// Sort choices.
const (
	sortName = "Name"
	sortRisk = "Risk"
)

func newCensus(e *env) *censusView {
	// Most at risk first: a ward's census is read top down, and the patient
	// who needs a clinician now must not sit under the alphabet.
	v := &censusView{e: e, index: map[string]int{}, cursor: -1, byRisk: true, bound: map[*censusItem]int{}}
	v.search = ui.NewSearchEntry("Name, MRN or birth date (Ctrl+F)")
	v.search.Release = searchRelease
	v.search.OnChanged = func(q string) {
		v.words = queryWords(q)
		v.cursor = -1
		if len(v.words) > 0 {
			v.cursor = 0
		}
		v.refilter("")
	}
	v.search.OnMove = v.move
	v.search.OnSubmitted = func(string) { v.openCursor() }
	v.sortBy = widget.NewRadioGroup([]string{sortRisk, sortName}, func(s string) {
		v.byRisk = s == sortRisk
		v.refilter(v.cursorID())
	})
	v.sortBy.Horizontal = true
	v.sortBy.Required = true
	v.sortBy.Selected = sortRisk
	v.count = widget.NewLabel("Loading patients…")
	v.showDead = widget.NewCheck("Show deceased", func(on bool) {
		v.deceased = on
		v.refilter(v.cursorID())
	})

	v.list = widget.NewList(
		func() int { return len(v.shown) },
		func() fyne.CanvasObject { return newCensusItem() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			v.bound[o.(*censusItem)] = id
			v.setItem(o.(*censusItem), id)
		},
	)
	v.list.OnSelected = func(id widget.ListItemID) {
		v.list.Unselect(id)
		if id < len(v.shown) {
			v.cursor = id
			v.open(v.rows[v.shown[id]].ID)
		}
	}
	v.empty = widget.NewLabel("")
	v.empty.Alignment = fyne.TextAlignCenter
	v.empty.Hidden = true

	title := widget.NewLabel("Patients")
	title.TextStyle.Bold = true
	title.SizeName = theme.SizeNameHeadingText
	sortLabel := widget.NewLabel("Sort by")
	v.top = container.NewBorder(nil, nil, container.NewHBox(title, v.count),
		container.NewHBox(v.showDead, newHandoverButton(v), sortLabel, v.sortBy), v.search)
	header := container.New(&ui.Columns{Widths: censusColumns, Middle: true, Height: censusRowHeight()},
		headerLabel("Score"), headerLabel("Updated"), headerLabel("Patient"), headerLabel("MRN"),
		headerLabel("Location"), headerLabel("Open alerts"), headerLabel("Trials"))
	headerRow := container.NewStack(ui.NewBackground(ui.ColorHeaderRow), header)
	v.emptyAt = container.NewCenter(v.empty)
	body := container.NewStack(v.list, v.emptyAt)
	v.content = container.NewBorder(container.NewVBox(container.NewPadded(v.top), headerRow), nil, nil, nil, body)

	e.live.listen(v.changed)
	e.async(v.load)
	return v
}

func headerLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle.Bold = true
	return l
}

// searchRelease is how long the census search keeps the focus with no key
// (ui.SearchEntry.Release).
const searchRelease = 30 * time.Second

// page is the census as the shell's first page.
func (v *censusView) page() *ui.Page {
	return &ui.Page{
		// Nothing is focused on show: typing searches all the same (OnRune),
		// and an idle census has no cursor blinking (ui.SearchEntry.Release).
		Title: "Census", Content: v.content, Search: v.search,
		OnRune: func(r rune) bool {
			if !unicode.IsPrint(r) {
				return false
			}
			v.search.Type(r)
			return true
		},
		OnHide: func() { v.hidden.Store(true) },
		OnShow: func() {
			v.hidden.Store(false)
			v.pendMu.Lock()
			ids := slices.Collect(maps.Keys(v.pending))
			v.pending = nil
			v.pendMu.Unlock()
			if len(ids) > 0 {
				v.e.async(func() { v.read(ids) })
			}
		},
		OnKey: func(ev *fyne.KeyEvent) bool {
			switch ev.Name {
			case fyne.KeyUp:
				v.move(-1)
			case fyne.KeyDown:
				v.move(1)
			case fyne.KeyReturn, fyne.KeyEnter:
				v.openCursor()
			default:
				return false
			}
			return true
		},
	}
}

// load reads every patient's directory entry (off the UI goroutine) and
// shows them.
func (v *censusView) load() {
	v.loadMu.Lock()
	v.loadSeq++
	seq := v.loadSeq
	v.loadMu.Unlock()
	now, opts := v.e.now(), v.e.news2Options()
	var rows []censusRow
	err := v.e.store.View(func(r *store.Reader) error {
		entries, err := r.Census()
		if err != nil {
			return err
		}
		rows, err = censusRows(r, entries, now, opts, &v.trends)
		return err
	})
	if err != nil {
		v.e.log.Error("read census", "err", errorClass(err))
		v.e.do(func() { v.count.SetText("Could not read the census: " + err.Error()) })
		return
	}
	v.e.do(func() {
		if seq <= v.drawnSeq {
			return // a newer load was drawn first
		}
		v.drawnSeq = seq
		v.setRows(rows)
	})
}

// setRows replaces every row.
func (v *censusView) setRows(rows []censusRow) {
	keep := v.cursorID()
	v.rows, v.index, v.loaded = rows, make(map[string]int, len(rows)), true
	for i, r := range rows {
		v.index[r.ID] = i
	}
	v.refilter(keep)
}

// changed re-reads the patients a change notice names (on the bridge
// goroutine) and updates their rows.
func (v *censusView) changed(c store.Change) {
	ids := changedPatients(c)
	if len(ids) == 0 {
		return
	}
	if v.hidden.Load() {
		v.pendMu.Lock()
		if v.pending == nil {
			v.pending = map[string]bool{}
		}
		for _, id := range ids {
			v.pending[id] = true
		}
		v.pendMu.Unlock()
		// A notice between OnShow's take and this note would wait for
		// the next one: take it now if the census showed meanwhile.
		if !v.hidden.Load() {
			v.pendMu.Lock()
			ids = slices.Collect(maps.Keys(v.pending))
			v.pending = nil
			v.pendMu.Unlock()
			if len(ids) > 0 {
				v.read(ids)
			}
		}
		return
	}
	v.read(ids)
}

// read reads the census rows of patients and draws them.
func (v *censusView) read(ids []string) {
	now, opts := v.e.now(), v.e.news2Options()
	var rows []censusRow
	err := v.e.store.View(func(r *store.Reader) error {
		var entries []store.Entry
		for _, id := range ids {
			en, ok, err := r.Entry(id)
			if err != nil {
				return err
			}
			if ok {
				entries = append(entries, en)
			}
		}
		var err error
		rows, err = censusRows(r, entries, now, opts, &v.trends)
		return err
	})
	if err != nil {
		v.e.log.Error("read census rows", "err", errorClass(err))
		return
	}
	v.e.do(func() { v.update(rows) })
}

// changedPatients lists the patients a change notice concerns.
func changedPatients(c store.Change) []string {
	set := map[string]bool{}
	for col := range c.Collections {
		if store.IsPatient(col) {
			set[col] = true
		}
	}
	for p := range c.Statuses {
		set[p] = true
	}
	for _, p := range c.NewPatients {
		set[p] = true
	}
	ids := make([]string, 0, len(set))
	for p := range set {
		ids = append(ids, p)
	}
	slices.Sort(ids)
	return ids
}

// update puts changed rows in place. A row that keeps its place in the list
// is refreshed alone; a new patient, or a change that moves a row (its sort
// key, or whether it matches the search), refreshes the list.
func (v *censusView) update(rows []censusRow) {
	if !v.loaded {
		// The first load may have read before this change: read again.
		v.e.async(v.load)
		return
	}
	full, resort := false, false
	var single []int
	for _, r := range rows {
		i, ok := v.index[r.ID]
		if !ok {
			v.index[r.ID] = len(v.rows)
			v.rows = append(v.rows, r)
			full = true
			continue
		}
		old := v.rows[i]
		v.rows[i] = r
		if reflect.DeepEqual(old, r) {
			continue // a record that changes nothing the row shows
		}
		if old.key != r.key || old.sortName != r.sortName {
			full = true // the search or the name order may change
			continue
		}
		if v.byRisk && (old.Band != r.Band || old.Score != r.Score || old.Alerts != r.Alerts || old.Worst != r.Worst) {
			resort = true // the risk order may change
		}
		if pos := slices.Index(v.shown, i); pos >= 0 {
			single = append(single, pos)
		}
	}
	if !full && resort {
		// A score that moves within its place (the usual vital-sign set)
		// refreshes its row, not the list: a full refresh walks every row's
		// objects.
		order := slices.Clone(v.shown)
		slices.SortStableFunc(order, func(a, b int) int { return v.compare(v.rows[a], v.rows[b]) })
		full = !slices.Equal(order, v.shown)
	}
	if full {
		v.refilter(v.cursorID())
		return
	}
	for _, pos := range single {
		v.refreshRow(pos)
		v.stats.rowRefreshes++
	}
}

// setItem shows the row at pos in a list item.
func (v *censusView) setItem(it *censusItem, pos int) {
	if pos < len(v.shown) {
		it.set(v.rows[v.shown[pos]], pos == v.cursor, v.e.now(), v.e.offline.Load())
	}
}

// refreshRow redraws the row at pos in the item the list last bound to it,
// if any (a row out of view is drawn when the list shows it). The list's
// RefreshItem would also refresh the list itself, its scroller and every
// separator, each through Fyne's main-goroutine check (a runtime.Stack):
// the census's largest idle cost when each vital-sign round changes a dozen
// rows.
func (v *censusView) refreshRow(pos int) {
	for it, id := range v.bound {
		if id == pos {
			v.setItem(it, pos)
		}
	}
}

// refilter recomputes the rows shown from the search and sort, keeps the
// cursor on the patient keep (if still shown), and refreshes the list.
func (v *censusView) refilter(keep string) {
	v.shown = v.shown[:0]
	for i, r := range v.rows {
		if r.Deceased && !v.deceased {
			continue // a census is of the living unless asked
		}
		if matchAll(r.key, v.words) {
			v.shown = append(v.shown, i)
		}
	}
	slices.SortStableFunc(v.shown, func(a, b int) int { return v.compare(v.rows[a], v.rows[b]) })
	if keep != "" {
		v.cursor = -1
		for pos, i := range v.shown {
			if v.rows[i].ID == keep {
				v.cursor = pos
			}
		}
	}
	if v.cursor >= len(v.shown) {
		v.cursor = len(v.shown) - 1
	}
	v.showCount()
	v.list.Refresh()
	v.stats.fullRefreshes++
}

// riskRank is a row's place in the risk order: the worse of its current
// score band and its worst open alert's severity, on the band scale (low 1,
// low-medium 2, medium 3, high 4). A patient with an open high alert sorts
// with the high scores even while their score has fallen (the alert is
// still nobody's), and a patient scoring high with no alert yet sorts there
// too.
func riskRank(r censusRow) int {
	rank := clinical.BandRank(r.Band)
	if rank == 0 && clinical.ScoreCurrent(r.ScoreStatus) {
		rank = 1 // a current PEWS of 0 ranks with the low scores, above stale and missing ones
	}
	if s := clinical.SeverityRank(r.Worst); s > 0 {
		rank = max(rank, s+1) // low-medium 1 → 2, medium 2 → 3, high 3 → 4
	}
	return rank
}

// compare orders rows by name, or by risk (the worse of band and open-alert
// severity, then band, score, open alerts) then name.
func (v *censusView) compare(a, b censusRow) int {
	if v.byRisk {
		if d := riskRank(b) - riskRank(a); d != 0 {
			return d
		}
		if d := clinical.BandRank(b.Band) - clinical.BandRank(a.Band); d != 0 {
			return d
		}
		if d := b.Score - a.Score; d != 0 {
			return d
		}
		if d := clinical.SeverityRank(b.Worst) - clinical.SeverityRank(a.Worst); d != 0 {
			return d
		}
		if d := b.Alerts - a.Alerts; d != 0 {
			return d
		}
	}
	if c := strings.Compare(a.sortName, b.sortName); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

func (v *censusView) showCount() {
	total := len(v.rows)
	switch {
	case !v.loaded:
		v.count.SetText("Loading patients…")
	case len(v.words) > 0:
		v.count.SetText(fmt.Sprintf("%d of %d", len(v.shown), total))
	case total == 1:
		v.count.SetText("1 patient")
	default:
		v.count.SetText(fmt.Sprintf("%d patients", total))
	}
	switch {
	case v.loaded && total == 0:
		v.empty.SetText("No patients yet. Each patient appears here as soon as their first record arrives.")
		v.empty.Show()
	case len(v.shown) == 0 && len(v.words) > 0:
		v.empty.SetText(fmt.Sprintf("No patient matches “%s”.", strings.TrimSpace(v.search.Text)))
		v.empty.Show()
	default:
		v.empty.Hide()
	}
	v.emptyAt.Refresh()
	v.top.Refresh()
}

// cursorID is the id of the patient under the cursor, "" for none.
func (v *censusView) cursorID() string {
	if v.cursor >= 0 && v.cursor < len(v.shown) {
		return v.rows[v.shown[v.cursor]].ID
	}
	return ""
}

// move moves the keyboard cursor by delta rows.
func (v *censusView) move(delta int) {
	if len(v.shown) > 0 {
		setCursor(v.list, &v.cursor, cursorStep(v.cursor, delta, len(v.shown)), len(v.shown))
	}
}

// openCursor opens the patient under the cursor, or the first one shown.
func (v *censusView) openCursor() {
	if len(v.shown) == 0 {
		return
	}
	if v.cursor < 0 {
		v.cursor = 0
	}
	v.open(v.rows[v.shown[v.cursor]].ID)
}

func (v *censusView) open(id string) { v.e.openPatient(id) }
