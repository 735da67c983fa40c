package views

import (
	"fmt"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
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

// Inbox list columns: severity over state, alert over patient and MRN
// (flexible), raised (how long ago over the clock time).
var inboxColumns = []float32{120, 0, 104}

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
	actedAt  int    // the selected alert's row when chosen (where the next one is after it leaves)
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
	actions  *fyne.Container // the card's note and buttons, pinned under it
	cardArea *fyne.Container // the scrolling card over the pinned actions
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
		// A click focuses the list, which would take the keyboard (A, E,
		// R, N, arrows) from the inbox: hand it back.
		e.win.Canvas().Unfocus()
	}
	v.empty = widget.NewLabel("")
	v.empty.Alignment = fyne.TextAlignCenter
	v.empty.Wrapping = fyne.TextWrapWord
	v.empty.Hide()
	v.card = newAlertCard(e, true)
	v.card.onActed = v.acted
	v.hint = widget.NewLabel("Select an alert to see its cause and history and to act on it.\n\n" + inboxKeys)
	v.hint.Alignment = fyne.TextAlignCenter
	v.hint.Wrapping = fyne.TextWrapWord
	v.card.content.Hide()
	// The note and the buttons stay under the scrolling card, so the
	// actions are on screen whatever the length of the cause and history.
	v.card.box.Remove(v.card.actions)
	v.actions = container.NewPadded(v.card.actions)
	v.actions.Hide()
	v.cardArea = container.NewBorder(nil, v.actions, nil, nil, container.NewVScroll(container.NewPadded(v.card.content)))
	v.right = container.NewStack(v.cardArea, container.NewVBox(layout.NewSpacer(), container.NewPadded(v.hint), layout.NewSpacer()))

	title := widget.NewLabel("Alert inbox")
	title.TextStyle.Bold = true
	title.SizeName = theme.SizeNameHeadingText
	filters := container.NewHBox(widget.NewLabel("State"), v.stateSel, widget.NewLabel("Kind"), v.kindSel)
	v.top = container.NewBorder(nil, nil, container.NewHBox(title, v.count), filters, v.filter)
	raised := headerLabel("Raised")
	raised.Alignment = fyne.TextAlignTrailing
	header := container.New(ui.NewColumns(inboxColumns...),
		headerLabel("Severity"), headerLabel("Alert and patient"), raised)
	headerRow := container.NewStack(ui.NewBackground(ui.ColorHeaderRow), container.NewPadded(header))
	v.emptyAt = container.NewCenter(v.empty)
	keys := widget.NewLabel(inboxKeys)
	keys.Wrapping = fyne.TextWrapWord // two lines when narrow, never over the list
	left := container.NewBorder(headerRow, keys, nil, nil, container.NewStack(v.list, v.emptyAt))
	split := container.NewHSplit(left, v.right)
	split.Offset = 0.55
	v.content = container.NewBorder(container.NewPadded(v.top), nil, nil, nil, split)

	e.live.listen(v.changed)
	e.async(v.load)
	return v
}

// inboxKeys is the keyboard help under the list.
const inboxKeys = "Up/Down choose · Enter open chart · A acknowledge · E escalate · R resolve · O reopen · N note"

// page is the inbox as the shell's first page of its screen.
func (v *inboxView) page() *ui.Page {
	return &ui.Page{Title: "Alert inbox", Content: v.content, Search: v.filter, OnKey: v.key, OnRune: v.typedRune}
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
		return v.card.hasRow // typedRune focuses the note, so the N is not typed into it
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

// typedRune focuses the note on N. It is a character, not a key: the
// window consumes it, where focusing the note on the key would let the
// character that follows land in the note.
func (v *inboxView) typedRune(r rune) bool {
	if (r == 'n' || r == 'N') && v.card.hasRow {
		v.e.win.Canvas().Focus(v.card.note)
		return true
	}
	return false
}

// acted moves the selection to the next alert after an action on one (the
// one below it, or above it at the end of the list), so a clinician working
// down the inbox is never left on nothing. A note alone stays.
func (v *inboxView) acted(id, verb string) {
	if verb == clinical.VerbNote || len(v.shown) == 0 {
		return
	}
	pos := -1
	for p, i := range v.shown {
		if v.rows[i].View.Alert.ID == id {
			pos = p
		}
	}
	var next int
	if pos >= 0 {
		next = pos + 1
		if next >= len(v.shown) {
			next = pos - 1
		}
	} else { // the alert already left the list (resolved under "Open"): the row now in its place
		next = v.actedAt
	}
	if next < 0 || next >= len(v.shown) {
		next = len(v.shown) - 1
	}
	if next >= 0 && v.rows[v.shown[next]].View.Alert.ID != id {
		v.choose(next)
	}
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
		if !v.actions.Visible() {
			v.actions.Show()
			v.cardArea.Refresh() // lay the pinned actions out now they show
		}
		v.hint.Hide()
		return
	}
	v.card.content.Hide()
	v.actions.Hide()
	v.cardArea.Refresh()
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
	v.actedAt = pos
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
	ago      *widget.Label
	clock    *widget.Label
}

func newInboxItem() *inboxItem {
	it := &inboxItem{
		cursor:   ui.NewBackground(ui.ColorCursor),
		severity: ui.NewSeverityBadge(),
		title:    widget.NewLabel(""),
		who:      widget.NewLabel(""),
		state:    ui.NewStateBadge(),
		ago:      widget.NewLabel(""),
		clock:    widget.NewLabel(""),
	}
	it.severity.MinWidth, it.state.MinWidth = 116, 116
	it.title.TextStyle.Bold = true
	it.title.Truncation = fyne.TextTruncateEllipsis
	it.who.Truncation = fyne.TextTruncateEllipsis
	it.ago.Alignment = fyne.TextAlignTrailing
	it.clock.Alignment = fyne.TextAlignTrailing
	it.cursor.Hidden = true
	it.ExtendBaseWidget(it)
	return it
}

func (it *inboxItem) set(v *inboxView, r alertRow, cursor bool) {
	it.cursor.Hidden = !cursor
	it.cursor.Refresh()
	ui.SetSeverity(it.severity, r.View.Alert.Severity)
	it.title.SetText(alertTitle(r.View.Alert))
	// The MRN first: an identifier is never the part an ellipsis cuts.
	who := r.Name
	if r.MRN != "" {
		who = "MRN " + r.MRN + " · " + r.Name
	}
	it.who.SetText(who)
	ui.SetState(it.state, r.state(), r.queued())
	now := v.e.now()
	it.ago.SetText(relativeText(r.View.Alert.Raised, now))
	it.clock.SetText(clockText(r.View.Alert.Raised, now, v.e.loc))
}

// CreateRenderer lays the row out in the inbox columns.
func (it *inboxItem) CreateRenderer() fyne.WidgetRenderer {
	badges := container.New(layout.NewCustomPaddedVBoxLayout(0), it.severity, it.state)
	what := container.New(ui.Lines{}, it.title, it.who)
	when := container.New(ui.Lines{}, it.ago, it.clock)
	row := container.New(ui.NewMiddleColumns(inboxColumns...), badges, what, when)
	return widget.NewSimpleRenderer(container.NewStack(it.cursor, row))
}

// needsReason reports whether an action needs a reason written: resolving a
// high alert closes the episode a clinician was called to, so the history
// must say why (issue #13: "R on a high alert asks for a reason").
func needsReason(a clinical.Alert, verb string) bool {
	return verb == clinical.VerbResolve && a.Severity == clinical.SeverityHigh
}

// reasonDialog asks why a high alert is resolved: a modal pop-up over the
// window with the reason field focused.
type reasonDialog struct {
	entry   *ui.SearchEntry
	message *widget.Label
	pop     *widget.PopUp
	proceed func(reason string)
	e       *env
}

// askReason asks for the reason a high alert is resolved; proceed gets it
// when the user confirms (Enter or the Resolve button). Cancel or Escape
// resolves nothing.
func askReason(e *env, a clinical.Alert, proceed func(reason string)) {
	r := &reasonDialog{e: e, entry: ui.NewSearchEntry("e.g. reviewed; treated; observations improving"), message: widget.NewLabel(""), proceed: proceed}
	r.entry.ActionItem = nil
	r.entry.OnSubmitted = func(string) { r.submit() }
	r.entry.OnEscape = r.cancel
	r.message.Importance = widget.DangerImportance
	r.message.Hide()
	title := widget.NewLabel("Resolve a high alert")
	title.TextStyle.Bold = true
	title.SizeName = theme.SizeNameSubHeadingText
	what := widget.NewLabel(alertTitle(a) + ". Resolving it closes the episode: write why, for the history.")
	what.Wrapping = fyne.TextWrapWord
	resolve := widget.NewButton("Resolve", r.submit)
	resolve.Importance = widget.HighImportance
	cancel := widget.NewButton("Cancel", r.cancel)
	box := container.NewVBox(title, what, widget.NewLabel("Reason"), r.entry, r.message,
		container.NewHBox(layout.NewSpacer(), cancel, resolve))
	r.pop = widget.NewModalPopUp(container.New(&widthLayout{width: 520}, container.NewPadded(box)), e.win.Canvas())
	e.reason = r
	r.pop.Show()
	e.win.Canvas().Focus(r.entry)
}

// submit resolves with the reason typed, or says one is needed.
func (r *reasonDialog) submit() {
	reason := strings.TrimSpace(r.entry.Text)
	if reason == "" {
		r.message.SetText("A reason is needed to resolve a high alert.")
		r.message.Show()
		return
	}
	r.close()
	r.proceed(reason)
}

// cancel closes the dialog; nothing is resolved.
func (r *reasonDialog) cancel() { r.close() }

func (r *reasonDialog) close() {
	r.pop.Hide()
	r.e.win.Canvas().Unfocus()
	if r.e.reason == r {
		r.e.reason = nil
	}
}
