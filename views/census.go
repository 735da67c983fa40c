package views

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// censusRow is one patient as the census shows it.
type censusRow struct {
	ID     string
	Name   string
	Detail string // "68 y · M"
	MRN    string
	Band   string
	Score  int
	// The score's kind ("news2", "pews", "" when none applies), status and
	// the age of its data (store.Status), judged against now when the row is
	// built: past StaleAt a current score reads stale and loses its band.
	ScoreKind   string
	ScoreStatus string
	ScoreNewest time.Time
	ScoreParams int // parameters scored
	Alerts      int
	Trials      int
	// Deceased rows are hidden unless the "Show deceased" filter asks.
	Deceased bool
	censusExtra

	sortName string // folded name, for sorting
	key      string // folded name, MRN and birth dates, for searching
}

// censusRowOf builds a patient's row from its directory entry.
func censusRowOf(e store.Entry, now time.Time) censusRow {
	r := censusRow{
		ID: e.Collection, Name: patientName(e.Patient),
		Band: e.Status.Band, Score: e.Status.NEWS2, Alerts: e.Status.OpenAlerts, Trials: e.Status.Matches,
	}
	if r.Band == "" {
		r.Band = clinical.BandNone
	}
	st := e.Status
	r.ScoreKind, r.ScoreStatus, r.ScoreNewest, r.ScoreParams = st.Score, st.ScoreStatus, st.Newest, st.Scored
	if r.ScoreStatus == "" && r.Band != clinical.BandNone { // a status from before score statuses
		r.ScoreStatus = clinical.StatusComplete
	}
	if clinical.ScoreCurrent(r.ScoreStatus) && !st.StaleAt.IsZero() && now.After(st.StaleAt) {
		r.ScoreStatus, r.Band, r.Score = clinical.StatusStale, clinical.BandNone, 0
	}
	var parts, keys []string
	if p := e.Patient; p != nil {
		if a := lifeText(p, now); a != "" {
			parts = append(parts, a)
		}
		parts = append(parts, sexLetter(p.Sex))
		r.Deceased = p.Deceased
		r.MRN = p.MRN
		keys = append(keys, fold(p.Name), fold(p.Given+" "+p.Family), fold(p.MRN))
		keys = append(keys, birthDateKeys(p.BirthDate)...)
	} else {
		parts = append(parts, "records arriving")
	}
	r.Detail = strings.Join(parts, " · ")
	r.sortName = fold(r.Name)
	r.key = strings.Join(keys, "\n")
	return r
}

// Census column widths (0 is the flexible name column): score, its age and
// trend, patient, MRN, location, open alerts, trials. Each fixed column
// holds its longest content at 1280×800 ("10 Low-medium", "▲ 59 min ago",
// "KV-100231", "Ward 7B Acute Medicine", "2 High +3", "3 trials"); the name
// column takes the rest (about 280 px at 1280 wide) and ends an unusually
// long name with an ellipsis, never the MRN beside it.
var censusColumns = []float32{132, 150, 0, 104, 212, 118, 76}

// censusRowHeight is a census row's height: one line of body text with a
// little air, so 18 patients fit at 1280×800 and 28 at 1920×1080 under the
// notification strip (issue #13's density). Labels are centred on it at
// their own height, their inner padding overlapping the neighbours'.
func censusRowHeight() float32 {
	return fyne.MeasureText("Mg", theme.TextSize(), fyne.TextStyle{Bold: true}).Height + 2*theme.Padding()
}

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
	v := &censusView{e: e, index: map[string]int{}, cursor: -1, byRisk: true}
	v.search = ui.NewSearchEntry("Name, MRN or birth date (Ctrl+F)")
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
			if id < len(v.shown) {
				o.(*censusItem).set(v.rows[v.shown[id]], id == v.cursor, v.e.now(), v.e.offline.Load())
			}
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

// page is the census as the shell's first page.
func (v *censusView) page() *ui.Page {
	return &ui.Page{
		Title: "Census", Content: v.content, Search: v.search, Focus: v.search,
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
	full := false
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
		if old.key != r.key || old.sortName != r.sortName ||
			v.byRisk && (old.Band != r.Band || old.Score != r.Score || old.Alerts != r.Alerts || old.Worst != r.Worst) {
			full = true
			continue
		}
		if pos := slices.Index(v.shown, i); pos >= 0 {
			single = append(single, pos)
		}
	}
	if full {
		v.refilter(v.cursorID())
		return
	}
	for _, pos := range single {
		v.list.RefreshItem(pos)
		v.stats.rowRefreshes++
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

// censusItem is one census row on screen: one line.
type censusItem struct {
	widget.BaseWidget
	cursor    *ui.Background
	band      *ui.Pill
	age       *widget.Label
	name      *widget.Label
	mrn       *widget.Label
	loc       *widget.Label
	alerts    *ui.Pill
	more      *widget.Label
	alertsBox *fyne.Container
	trials    *ui.Pill
}

func newCensusItem() *censusItem {
	it := &censusItem{
		cursor: ui.NewBackground(ui.ColorCursor),
		band:   ui.NewBandBadge(),
		age:    widget.NewLabel(""),
		name:   widget.NewLabel(""),
		mrn:    widget.NewLabel(""),
		loc:    widget.NewLabel(""),
		alerts: ui.NewAlertBadge(),
		more:   widget.NewLabel(""),
		trials: ui.NewTrialMarker(),
	}
	it.alerts.MinWidth = 0
	it.alertsBox = container.NewHBox(it.alerts, it.more)
	it.name.Truncation = fyne.TextTruncateEllipsis
	it.loc.Truncation = fyne.TextTruncateEllipsis
	it.cursor.Hidden = true
	it.ExtendBaseWidget(it)
	return it
}

// set draws a row into the item.
//
// Only what changed is set: every Refresh costs a frame's share of the
// idle budget (p9), and a live census re-sets a row on each of its
// patient's records.
func (it *censusItem) set(r censusRow, cursor bool, now time.Time, offline bool) {
	if it.cursor.Hidden != !cursor {
		it.cursor.Hidden = !cursor
		it.cursor.Refresh()
	}
	ui.SetScore(it.band, censusScore(r))
	setLabel(it.age, scoreAgeText(r, now, offline))
	name := r.Name
	if r.Detail != "" {
		name += " · " + r.Detail
	}
	setLabel(it.name, name)
	setLabel(it.mrn, r.MRN)
	setLabel(it.loc, r.Location)
	was := it.alerts.Text
	if r.Worst != "" {
		ui.SetSeverityCount(it.alerts, r.Worst, r.BySev[r.Worst])
	} else {
		ui.SetAlerts(it.alerts, r.Alerts)
	}
	more := alertsMore(r.censusExtra, r.Alerts)
	if was != it.alerts.Text || more != it.more.Text {
		setLabel(it.more, more)
		it.alertsBox.Refresh() // the badge's width follows its text
	}
	ui.SetTrials(it.trials, r.Trials)
}

// setLabel sets a label's text when it differs (SetText always refreshes).
func setLabel(l *widget.Label, text string) {
	if l.Text != text {
		l.SetText(text)
	}
}

// CreateRenderer lays the row out in the census columns, one line high.
func (it *censusItem) CreateRenderer() fyne.WidgetRenderer {
	row := container.New(&ui.Columns{Widths: censusColumns, Middle: true, Height: censusRowHeight()},
		it.band, it.age, it.name, it.mrn, it.loc, it.alertsBox, it.trials)
	return widget.NewSimpleRenderer(container.NewStack(it.cursor, row))
}

// censusExtra is what a census row reads beyond the patient's directory
// entry: where the patient is, how old the score is and which way it went,
// and the open alerts by severity.
type censusExtra struct {
	Location string    // "Ward 7B Acute Medicine · Bed 12" from the open Encounter; "" when none is open
	ScoreAt  time.Time // newest vital sign the score used; zero without one
	Trend    int       // +1 the score rose since the set before, -1 fell, 0 same or no earlier set
	Worst    string    // the worst open alert's severity; "" for none
	BySev    map[string]int
}

// censusRows builds the rows of directory entries from one snapshot.
// trendCache remembers each patient's score trend by the score it was
// computed for, so a change notice that does not move the score (a lab
// result, an alert action) does not re-read a 20,000-observation chart.
// Any goroutine may use it.
type trendCache struct {
	mu sync.Mutex
	m  map[string]trendMemo
}

type trendMemo struct {
	at    time.Time
	score int
	band  string
	trend int
}

func (c *trendCache) get(id string, at time.Time, score int, band string) (int, bool) {
	if c == nil {
		return 0, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.m[id]
	return m.trend, ok && m.at.Equal(at) && m.score == score && m.band == band
}

func (c *trendCache) put(id string, at time.Time, score int, band string, trend int) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]trendMemo{}
	}
	c.m[id] = trendMemo{at, score, band, trend}
}

func censusRows(r *store.Reader, entries []store.Entry, now time.Time, opts clinical.NEWS2Options, cache ...*trendCache) ([]censusRow, error) {
	rows := make([]censusRow, len(entries))
	for i, en := range entries {
		rows[i] = censusRowOf(en, now)
		var tc *trendCache
		if len(cache) > 0 {
			tc = cache[0]
		}
		x, err := readCensusExtra(r, en, opts, tc)
		if err != nil {
			return nil, err
		}
		rows[i].censusExtra = x
	}
	return rows, nil
}

// readCensusExtra reads a patient's location, score age and trend, and open
// alerts.
func readCensusExtra(r *store.Reader, en store.Entry, opts clinical.NEWS2Options, tc *trendCache) (censusExtra, error) {
	var x censusExtra
	id := en.Collection
	if en.Counts["Encounter"] > 0 {
		loc, err := currentLocation(r, id)
		if err != nil {
			return x, err
		}
		x.Location = loc
	}
	x.ScoreAt = en.Status.Newest
	if en.Status.Score != "pews" && en.Status.Band != "" && en.Status.Band != clinical.BandNone {
		if x.ScoreAt.IsZero() { // a status from before score statuses
			if d, ok, err := engine.LatestNEWS2(r, id); err != nil {
				return x, err
			} else if ok {
				x.ScoreAt = d.Result.Newest
			}
		}
		if t, ok := tc.get(id, x.ScoreAt, en.Status.NEWS2, en.Status.Band); ok {
			x.Trend = t
		} else if !x.ScoreAt.IsZero() {
			obs, err := r.Items(id, "Observation", "Goal")
			if err != nil {
				return x, err
			}
			x.Trend = scoreTrend(obs, x.ScoreAt, opts)
			tc.put(id, x.ScoreAt, en.Status.NEWS2, en.Status.Band, x.Trend)
		}
	}
	if en.Status.OpenAlerts > 0 {
		alerts, err := engine.PatientAlerts(r, id)
		if err != nil {
			return x, err
		}
		for _, a := range alerts {
			if !a.Open() {
				continue
			}
			if x.BySev == nil {
				x.BySev = map[string]int{}
			}
			x.BySev[a.Alert.Severity]++
			if clinical.SeverityRank(a.Alert.Severity) > clinical.SeverityRank(x.Worst) {
				x.Worst = a.Alert.Severity
			}
		}
	}
	return x, nil
}

// scoreTrend compares the NEWS2 at the newest vital-sign set (at) with the
// score at the set before it, both scored as the Trends tab scores them:
// +1 rose, -1 fell, 0 same or no earlier set.
func scoreTrend(items []store.Item, at time.Time, opts clinical.NEWS2Options) int {
	pts := news2Trend(items, at, at, opts)
	if len(pts) < 2 {
		return 0
	}
	a, b := pts[len(pts)-2].V, pts[len(pts)-1].V
	switch {
	case b > a:
		return 1
	case b < a:
		return -1
	}
	return 0
}

// currentLocation is where an admitted patient is: the locations of their
// newest in-progress Encounter (ward, room and bed, as the Encounter lists
// them, joined by " · "); "" when no Encounter is in progress (an
// outpatient, a discharged patient).
func currentLocation(r *store.Reader, patient string) (string, error) {
	encs, err := r.Items(patient, "Encounter")
	if err != nil {
		return "", err
	}
	var newest *store.Item
	for i := range encs {
		e := &encs[i]
		if e.Meta.Status != "in-progress" && e.Meta.Status != "arrived" && e.Meta.Status != "onleave" {
			continue
		}
		if newest == nil || e.Meta.Time.After(newest.Meta.Time) {
			newest = e
		}
	}
	if newest == nil {
		return "", nil
	}
	res, ok, err := r.Resource(newest.Ref)
	if err != nil || !ok {
		return "", err
	}
	return encounterLocation(res.JSON), nil
}

// encounterLocation reads an Encounter's current locations: entries whose
// status is active (or not given), each by its display (else the reference),
// ward before room before bed (physicalType wa, ro, bd; others in order).
func encounterLocation(raw []byte) string {
	var enc struct {
		Location []struct {
			Status   string `json:"status"`
			Location struct {
				Reference string `json:"reference"`
				Display   string `json:"display"`
			} `json:"location"`
			PhysicalType struct {
				Coding []struct {
					Code string `json:"code"`
				} `json:"coding"`
			} `json:"physicalType"`
		} `json:"location"`
	}
	if json.Unmarshal(raw, &enc) != nil {
		return ""
	}
	order := map[string]int{"si": 0, "bu": 1, "wi": 2, "wa": 3, "ro": 4, "bd": 5}
	type part struct {
		text string
		rank int
	}
	var parts []part
	for i, l := range enc.Location {
		if l.Status != "" && l.Status != "active" {
			continue
		}
		text := strings.TrimSpace(l.Location.Display)
		if text == "" {
			text = strings.TrimPrefix(l.Location.Reference, "Location/")
		}
		if text == "" {
			continue
		}
		rank := 3 // an untyped location reads as the ward
		if len(l.PhysicalType.Coding) > 0 {
			if o, ok := order[l.PhysicalType.Coding[0].Code]; ok {
				rank = o
			}
		}
		parts = append(parts, part{text, rank*100 + i})
	}
	slices.SortFunc(parts, func(a, b part) int { return a.rank - b.rank })
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = p.text
	}
	return strings.Join(out, " · ")
}

// scoreAgeText is how old a score's newest vital sign is, with its trend:
// "▲ 12 min ago". A time ahead of the clock is flagged, never shown as
// fresh.
func scoreAgeText(r censusRow, now time.Time, offline bool) string {
	x := r.censusExtra
	if x.ScoreAt.IsZero() || r.ScoreStatus == clinical.StatusNotApplicable {
		return ""
	}
	age := relativeText(x.ScoreAt, now)
	switch {
	case offline:
		age = "as of " + age
	case r.ScoreStatus == clinical.StatusStale:
		return clinical.AgeWords(x.ScoreAt, now) // the badge says "Stale": this is when the last set was
	case !clinical.ScoreCurrent(r.ScoreStatus):
		return age
	}
	if r.ScoreKind == "pews" {
		return "PEWS · " + age
	}
	arrow := ""
	switch x.Trend {
	case 1:
		arrow = "▲ " // the bundled Noto Sans draws these triangles; ↑ and ↓ fall back badly
	case -1:
		arrow = "▼ "
	}
	return arrow + age
}

// censusScore is a row's score badge, compact: the next column says its age.
func censusScore(r censusRow) ui.Score {
	s := ui.Score{PEWS: r.ScoreKind == "pews", Band: r.Band, Total: r.Score, Status: r.ScoreStatus, Compact: true, Scored: r.ScoreParams, Of: 7}
	switch {
	case r.ScoreStatus == "" && r.Band == clinical.BandNone:
		s.Status = clinical.StatusInsufficient // never scored
	case r.ScoreStatus == clinical.StatusNotApplicable:
		s.NotApplicable = "No score (n/a)"
		if strings.Contains(r.Detail, "deceased") {
			s.NotApplicable = "Deceased"
		}
	}
	return s
}

// alertsText is the open alerts of a row after the worst one's badge: "+2"
// more of lower severity.
func alertsMore(x censusExtra, total int) string {
	if x.Worst == "" {
		return ""
	}
	if n := total - x.BySev[x.Worst]; n > 0 {
		return fmt.Sprintf("+%d", n)
	}
	return ""
}
