package views

import (
	"fmt"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// loadAlertRows reads every alert (or one patient's, when patient is set)
// with its patient's name and MRN, most severe and newest first.
func loadAlertRows(r *store.Reader, patient string) ([]alertRow, error) {
	var views []engine.AlertView
	var err error
	if patient == "" {
		views, err = engine.Alerts(r)
	} else {
		views, err = engine.PatientAlerts(r, patient)
	}
	if err != nil {
		return nil, err
	}
	names := map[string]*store.Demographics{}
	rows := make([]alertRow, 0, len(views))
	for _, v := range views {
		p := v.Alert.Patient
		d, ok := names[p]
		if !ok {
			en, found, err := r.Entry(p)
			if err != nil {
				return nil, err
			}
			if found {
				d = en.Patient
			}
			names[p] = d
		}
		row := alertRow{View: v, Name: patientName(d)}
		if d != nil {
			row.MRN = d.MRN
		}
		row.fold = fold(row.Name + " " + row.MRN + " " + v.Alert.Title + " " + alertTitle(v.Alert))
		rows = append(rows, row)
	}
	return rows, nil
}

// Inbox filters.
const (
	stateOpen    = "Open"
	stateAny     = "All states"
	kindAny      = "All kinds"
	kindNEWS2    = "NEWS2"
	kindUpstream = "Upstream risk"
)

var (
	stateChoices = []string{stateOpen, "New", "Acknowledged", "Escalated", "Resolved", stateAny}
	kindChoices  = []string{kindAny, kindNEWS2, kindUpstream}
)

// Inbox list columns: severity, alert and patient, state, raised.
var inboxColumns = []float32{104, 0, 170, 100}

// inboxView is the alert inbox: every patient's alerts, most severe and
// newest first, filtered by state, kind and text, with the selected alert's
// card (cause, history, actions) beside the list. It follows the store:
// alert documents changed by this or another workstation, and the outbox
// publishing a queued action, redraw it.
type inboxView struct {
	e *env

	loadMu  sync.Mutex
	loadSeq uint64

	// UI goroutine only.
	drawnSeq uint64
	rows     []alertRow
	shown    []int
	cursor   int
	selected string // alert id in the card
	state    string
	kind     string
	words    []string
	loaded   bool

	stateSel *widget.Select
	kindSel  *widget.Select
	filter   *ui.SearchEntry
	count    *widget.Label
	list     *widget.List
	empty    *widget.Label
	emptyAt  *fyne.Container
	card     *alertCard
	hint     *widget.Label
	right    *fyne.Container
	top      *fyne.Container
	content  fyne.CanvasObject
}

func newInbox(e *env) *inboxView {
	v := &inboxView{e: e, cursor: -1, state: stateOpen, kind: kindAny}
	v.stateSel = widget.NewSelect(stateChoices, func(s string) { v.state = s; v.refilter() })
	v.stateSel.Selected = stateOpen
	v.kindSel = widget.NewSelect(kindChoices, func(s string) { v.kind = s; v.refilter() })
	v.kindSel.Selected = kindAny
	v.filter = ui.NewSearchEntry("Filter by patient, MRN or alert (Ctrl+F)")
	v.filter.OnChanged = func(q string) { v.words = queryWords(q); v.refilter() }
	v.filter.OnMove = v.move
	v.filter.OnSubmitted = func(string) { e.win.Canvas().Unfocus() }
	v.filter.OnEscape = func() { e.win.Canvas().Unfocus() }
	v.count = widget.NewLabel("Loading alerts…")
	v.list = widget.NewList(
		func() int { return len(v.shown) },
		func() fyne.CanvasObject { return newInboxItem() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(v.shown) {
				o.(*inboxItem).set(v, v.rows[v.shown[id]], id == v.cursor)
			}
		},
	)
	v.list.OnSelected = func(id widget.ListItemID) {
		v.list.Unselect(id)
		v.choose(id)
	}
	v.empty = widget.NewLabel("")
	v.empty.Alignment = fyne.TextAlignCenter
	v.empty.Wrapping = fyne.TextWrapWord
	v.empty.Hide()
	v.card = newAlertCard(e, true)
	v.hint = widget.NewLabel("Select an alert to see its cause and history and to act on it.\n\n" + inboxKeys)
	v.hint.Alignment = fyne.TextAlignCenter
	v.hint.Wrapping = fyne.TextWrapWord
	v.card.content.Hide()
	v.right = container.NewStack(container.NewVScroll(container.NewPadded(v.card.content)), container.NewCenter(v.hint))

	title := widget.NewLabel("Alert inbox")
	title.TextStyle.Bold = true
	title.SizeName = theme.SizeNameHeadingText
	filters := container.NewHBox(widget.NewLabel("State"), v.stateSel, widget.NewLabel("Kind"), v.kindSel)
	v.top = container.NewBorder(nil, nil, container.NewHBox(title, v.count), filters, v.filter)
	header := container.New(ui.NewColumns(inboxColumns...),
		headerLabel("Severity"), headerLabel("Alert and patient"), headerLabel("State"), headerLabel("Raised"))
	headerRow := container.NewStack(ui.NewBackground(ui.ColorHeaderRow), container.NewPadded(header))
	v.emptyAt = container.NewCenter(v.empty)
	left := container.NewBorder(headerRow, widget.NewLabel(inboxKeys), nil, nil, container.NewStack(v.list, v.emptyAt))
	split := container.NewHSplit(left, v.right)
	split.Offset = 0.52
	v.content = container.NewBorder(container.NewPadded(v.top), nil, nil, nil, split)

	e.live.listen(v.changed)
	e.async(v.load)
	return v
}

// inboxKeys is the keyboard help under the list.
const inboxKeys = "Up/Down choose · Enter open chart · A acknowledge · E escalate · R resolve · O reopen · N note"

// page is the inbox as the shell's first page of its screen.
func (v *inboxView) page() *ui.Page {
	return &ui.Page{Title: "Alert inbox", Content: v.content, Search: v.filter, OnKey: v.key}
}

// key handles the inbox keyboard when no field has the focus.
func (v *inboxView) key(ev *fyne.KeyEvent) bool {
	switch ev.Name {
	case fyne.KeyUp:
		v.move(-1)
	case fyne.KeyDown:
		v.move(1)
	case fyne.KeyPageUp:
		v.move(-10)
	case fyne.KeyPageDown:
		v.move(10)
	case fyne.KeyReturn, fyne.KeyEnter:
		if id := v.cursorAlert(); id != nil {
			v.e.openPatient(id.View.Alert.Patient)
		}
	case fyne.KeyN:
		if v.card.hasRow {
			v.e.win.Canvas().Focus(v.card.note)
		}
	default:
		for _, vb := range alertVerbs {
			if vb.Key != "" && ev.Name == vb.Key && v.card.hasRow {
				v.card.act(vb.Verb)
				return true
			}
		}
		return false
	}
	return true
}

// changed reloads when alerts changed (any workstation's actions arrive as
// alert documents), when the outbox moved (a queued action published), or
// when a patient's name may have arrived.
func (v *inboxView) changed(c store.Change) {
	names := len(c.NewPatients) > 0
	for col, types := range c.Collections {
		if _, ok := types["Patient"]; ok && store.IsPatient(col) {
			names = true
		}
	}
	if c.Docs[engine.KindAlert] || c.Outbox || names {
		v.load()
	}
}

// load reads the alerts off the UI goroutine and shows them.
func (v *inboxView) load() {
	v.loadMu.Lock()
	v.loadSeq++
	seq := v.loadSeq
	v.loadMu.Unlock()
	var rows []alertRow
	err := v.e.store.View(func(r *store.Reader) error {
		var err error
		rows, err = loadAlertRows(r, "")
		return err
	})
	v.e.do(func() {
		if seq <= v.drawnSeq {
			return
		}
		v.drawnSeq = seq
		if err != nil {
			v.e.log.Error("read alerts", "err", errorClass(err))
			v.count.SetText("Could not read the alerts: " + err.Error())
			return
		}
		v.rows, v.loaded = rows, true
		v.refilter()
	})
}

// matches reports whether a row passes the filters.
func (v *inboxView) matches(r *alertRow) bool {
	st := r.state()
	switch v.state {
	case stateOpen:
		if st == clinical.StateResolved {
			return false
		}
	case stateAny:
	default:
		if ui.StateLabel(st) != v.state {
			return false
		}
	}
	switch v.kind {
	case kindNEWS2:
		if r.View.Alert.Kind != clinical.KindNEWS2 {
			return false
		}
	case kindUpstream:
		if r.View.Alert.Kind != clinical.KindRisk {
			return false
		}
	}
	return matchAll(r.fold, v.words)
}

// refilter recomputes the rows shown, keeps the selected alert, and
// redraws the list, the count and the card.
func (v *inboxView) refilter() {
	v.shown = v.shown[:0]
	v.cursor = -1
	open, fresh := 0, 0
	for i := range v.rows {
		r := &v.rows[i]
		if r.state() != clinical.StateResolved {
			open++
		}
		if r.state() == clinical.StateNew {
			fresh++
		}
		if v.matches(r) {
			if r.View.Alert.ID == v.selected {
				v.cursor = len(v.shown)
			}
			v.shown = append(v.shown, i)
		}
	}
	switch {
	case !v.loaded:
		v.count.SetText("Loading alerts…")
	default:
		v.count.SetText(fmt.Sprintf("%d shown · %d open · %d new", len(v.shown), open, fresh))
	}
	switch {
	case v.loaded && len(v.rows) == 0:
		v.empty.SetText("No alerts. A NEWS2 band rise or an upstream risk assessment raises one here.")
		v.empty.Show()
	case v.loaded && len(v.shown) == 0:
		v.empty.SetText("No alert matches the filters.")
		v.empty.Show()
	default:
		v.empty.Hide()
	}
	v.emptyAt.Refresh()
	v.top.Refresh()
	v.list.Refresh()
	v.showCard()
}

// showCard shows the selected alert's card, or the hint when none is
// selected (or it is filtered out).
func (v *inboxView) showCard() {
	if r := v.cursorAlert(); r != nil {
		v.card.set(*r)
		v.card.content.Show()
		v.hint.Hide()
		return
	}
	v.card.content.Hide()
	v.hint.Show()
}

func (v *inboxView) cursorAlert() *alertRow {
	if v.cursor >= 0 && v.cursor < len(v.shown) {
		return &v.rows[v.shown[v.cursor]]
	}
	return nil
}

// choose selects the alert on a list row.
func (v *inboxView) choose(pos int) {
	if pos < 0 || pos >= len(v.shown) {
		return
	}
	setCursor(v.list, &v.cursor, pos, len(v.shown))
	v.selected = v.rows[v.shown[pos]].View.Alert.ID
	v.showCard()
}

// move moves the selection by delta rows.
func (v *inboxView) move(delta int) {
	if len(v.shown) > 0 {
		v.choose(cursorStep(v.cursor, delta, len(v.shown)))
	}
}

// inboxItem is one row of the inbox list.
type inboxItem struct {
	widget.BaseWidget
	cursor   *ui.Background
	severity *ui.Pill
	title    *widget.Label
	who      *widget.Label
	state    *ui.Pill
	raised   *widget.Label
}

func newInboxItem() *inboxItem {
	it := &inboxItem{
		cursor:   ui.NewBackground(ui.ColorCursor),
		severity: ui.NewSeverityBadge(),
		title:    widget.NewLabel(""),
		who:      widget.NewLabel(""),
		state:    ui.NewStateBadge(),
		raised:   widget.NewLabel(""),
	}
	it.title.TextStyle.Bold = true
	it.title.Truncation = fyne.TextTruncateEllipsis
	it.who.Truncation = fyne.TextTruncateEllipsis
	it.raised.Alignment = fyne.TextAlignTrailing
	it.cursor.Hidden = true
	it.ExtendBaseWidget(it)
	return it
}

func (it *inboxItem) set(v *inboxView, r alertRow, cursor bool) {
	it.cursor.Hidden = !cursor
	it.cursor.Refresh()
	ui.SetSeverity(it.severity, r.View.Alert.Severity)
	it.title.SetText(alertTitle(r.View.Alert))
	who := r.Name
	if r.MRN != "" {
		who += " · MRN " + r.MRN
	}
	it.who.SetText(who)
	ui.SetState(it.state, r.state(), r.queued())
	it.raised.SetText(sinceText(r.View.Alert.Raised, v.e.now(), v.e.loc))
}

// CreateRenderer lays the row out in the inbox columns.
func (it *inboxItem) CreateRenderer() fyne.WidgetRenderer {
	what := container.New(ui.Lines{}, it.title, it.who)
	row := container.New(ui.NewMiddleColumns(inboxColumns...), it.severity, what, it.state, it.raised)
	return widget.NewSimpleRenderer(container.NewStack(it.cursor, row))
}
