package views

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/config"
	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// testClock is a clock a test moves; it starts at fixtureNow.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock { return &testClock{t: fixtureNow} }

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testEngine is a clinical engine over a store, not running: tests call its
// actions and Evaluate, as the UI and the feed would make it.
func testEngine(t *testing.T, s *store.Store, user, ws string, now func() time.Time) *engine.Engine {
	t.Helper()
	eng, err := engine.New(engine.Options{Store: s, User: user, Workstation: ws, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// follow dispatches every change the store announced since the last call,
// as the bridge goroutine would (here on the test goroutine).
func follow(e *env, sub *store.Subscription) {
	for {
		c, ok := sub.Take()
		if !ok {
			return
		}
		e.live.dispatch(c)
	}
}

// inboxIDs lists the alerts the inbox shows, as "patient severity state".
func inboxIDs(v *inboxView) []string {
	var out []string
	for _, i := range v.shown {
		r := v.rows[i]
		out = append(out, r.View.Alert.Patient+" "+r.View.Alert.Severity+" "+r.state())
	}
	return out
}

func TestInboxGolden(t *testing.T) {
	s := sharedStore(t)
	e, w := newTestEnv(t, s, ui.ModeLight)
	e.shell.Show(screenAlerts)
	v := e.inbox
	want := []string{"pt-0005 high new", "pt-0001 medium new", "pt-0008 medium new"} // the sepsis risk of 60 h ago is information, on the chart
	if got := inboxIDs(v); !slices.Equal(got, want) {
		t.Fatalf("inbox shows %v, want most severe first: %v", got, want)
	}
	if got := v.count.Text; got != "3 shown · 3 open · 3 new" {
		t.Errorf("count %q", got)
	}
	if v.card.content.Visible() || v.hint.Hidden {
		t.Errorf("before a choice the card should hide and the hint show")
	}
	e.shell.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	if v.cursor != 0 || !v.card.content.Visible() || v.card.row.View.Alert.ID != v.rows[v.shown[0]].View.Alert.ID {
		t.Fatalf("Down did not select the first alert")
	}
	test.AssertRendersToMarkup(t, "inbox.xml", w.Canvas())
	shot(t, w, "inbox")
	// Without an engine (read-only), every action is disabled.
	for verb, b := range v.card.buttons {
		if !b.Disabled() {
			t.Errorf("%s enabled without an engine", verb)
		}
	}
}

func TestInboxFilters(t *testing.T) {
	s := sharedStore(t)
	e, _ := newTestEnv(t, s, ui.ModeLight)
	e.shell.Show(screenAlerts)
	v := e.inbox
	for _, tc := range []struct {
		state, kind, text string
		want              int
	}{
		{stateOpen, kindAny, "", 3},
		{stateAny, kindAny, "", 3},
		{"Resolved", kindAny, "", 0},
		{"New", kindAny, "", 3},
		{stateOpen, kindNEWS2, "", 1},
		{stateOpen, kindUpstream, "", 2},
		{stateOpen, kindAny, "kjaergaard", 1}, // folded: Kjærgaard
		{stateOpen, kindAny, "KV-104981", 1},  // MRN
		{stateOpen, kindAny, "sepsis nunez", 1},
		{stateOpen, kindAny, "zzz", 0},
	} {
		v.stateSel.SetSelected(tc.state)
		v.kindSel.SetSelected(tc.kind)
		v.filter.SetText(tc.text)
		if len(v.shown) != tc.want {
			t.Errorf("%s/%s/%q shows %d, want %d: %v", tc.state, tc.kind, tc.text, len(v.shown), tc.want, inboxIDs(v))
		}
		if tc.want == 0 && v.empty.Hidden {
			t.Errorf("%s/%s/%q: no empty-state message", tc.state, tc.kind, tc.text)
		}
	}
}

// TestInboxAcknowledge: acknowledging with a note (the A key) saves the
// action locally through the engine: the alert's state in the store, and
// two outbox items (the state for spv.alert-state, the AuditEvent for
// spv.audit); the inbox shows it acknowledged and queued. An action made
// illegal by a concurrent one is refused with the reason shown.
func TestInboxAcknowledge(t *testing.T) {
	s := smallStore(t, demo.RecoveringPatient, demo.DeterioratingPatient)
	clock := newTestClock()
	eng := testEngine(t, s, "dr-a", "ws-a", clock.now)
	sub := s.Subscribe()
	defer sub.Close()
	e, w := newTestEnvWith(t, s, ui.ModeLight, func(o *envOptions) {
		o.engine = eng
		o.notify = func(*fyne.Notification) {}
	})
	follow(e, sub)
	e.shell.Show(screenAlerts)
	v := e.inbox
	e.shell.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	a := v.card.row.View.Alert
	if a.Patient != demo.RecoveringPatient || v.card.row.state() != clinical.StateNew {
		t.Fatalf("first alert %s %s", a.Patient, v.card.row.state())
	}
	for verb, b := range v.card.buttons {
		legal := clinical.Legal(clinical.StateNew, verb) == nil
		if b.Disabled() == legal {
			t.Errorf("%s: disabled %v on a new alert", verb, b.Disabled())
		}
	}
	// N focuses the note without typing an "n" into it (the window gets
	// the key, then the character, as GLFW sends them); Escape hands the
	// keys back; A acknowledges.
	e.shell.TypedKey(&fyne.KeyEvent{Name: fyne.KeyN})
	e.shell.TypedRune('n')
	if w.Canvas().Focused() != v.card.note {
		t.Fatalf("N focused %T, want the note", w.Canvas().Focused())
	}
	if v.card.note.Text != "" {
		t.Fatalf("N typed %q into the note", v.card.note.Text)
	}
	test.Type(v.card.note, "seen, repeat obs in 30 min")
	v.card.note.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if w.Canvas().Focused() != nil {
		t.Fatalf("Escape left the focus on %T", w.Canvas().Focused())
	}
	clock.add(time.Minute)
	e.shell.TypedKey(&fyne.KeyEvent{Name: fyne.KeyA})
	follow(e, sub)

	checkAcknowledgeStored(t, s, a, clock)
	checkCardAfterAcknowledge(t, e, a)

	checkRefusedAfterResolve(t, e, w, eng, sub, clock, a)
}

// checkAcknowledgeStored checks TestInboxAcknowledge's acknowledgement in
// the store: the alert's state signed by dr-a at ws-a with the note, and
// the two outbox items.
func checkAcknowledgeStored(t *testing.T, s *store.Store, a clinical.Alert, clock *testClock) {
	t.Helper()
	var doc []engine.AlertView
	var outbox []store.OutboxItem
	if err := s.View(func(r *store.Reader) error {
		var err error
		if doc, err = engine.PatientAlerts(r, a.Patient); err != nil {
			return err
		}
		outbox, err = r.Outbox()
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var got engine.AlertView
	for _, d := range doc {
		if d.Alert.ID == a.ID {
			got = d
		}
	}
	last, ok := got.State.Latest()
	if got.Status() != clinical.StateAcknowledged || !ok || last.By != "dr-a" || last.Workstation != "ws-a" ||
		last.Note != "seen, repeat obs in 30 min" || !last.At.Equal(clock.now()) {
		t.Fatalf("stored state %s, latest %+v", got.Status(), last)
	}
	if len(outbox) != 2 {
		t.Fatalf("outbox holds %d items, want 2 (state and audit)", len(outbox))
	}
	topics := []string{outbox[0].Topic, outbox[1].Topic}
	slices.Sort(topics)
	if !slices.Equal(topics, []string{"spv.alert-state", "spv.audit"}) || string(outbox[0].Key) != a.ID {
		t.Errorf("outbox topics %v, first key %q", topics, outbox[0].Key)
	}
	if !strings.Contains(string(outbox[1].Value), `"AuditEvent"`) {
		t.Errorf("the second outbox item is not an AuditEvent: %.80s", outbox[1].Value)
	}
}

// checkCardAfterAcknowledge checks TestInboxAcknowledge's inbox after the
// acknowledgement: the selection moved on; back on the alert, the card
// shows it acknowledged and queued.
func checkCardAfterAcknowledge(t *testing.T, e *env, a clinical.Alert) {
	t.Helper()
	v := e.inbox
	// The selection moved on to the next alert; back on the acknowledged
	// one, the inbox shows it acknowledged and queued, the note cleared.
	if v.card.row.View.Alert.ID == a.ID || v.cursor != 1 {
		t.Errorf("after acknowledging, the selection is on row %d (%s), want the next alert", v.cursor, v.card.row.View.Alert.ID)
	}
	e.shell.TypedKey(&fyne.KeyEvent{Name: fyne.KeyUp})
	row := v.card.row
	if row.state() != clinical.StateAcknowledged || !row.queued() || v.card.note.Text != "" {
		t.Errorf("card after acknowledge: %s queued %v note %q", row.state(), row.queued(), v.card.note.Text)
	}
	if txt := v.card.state.Text; txt != "Acknowledged · queued" {
		t.Errorf("state badge %q", txt)
	}
	hist := v.card.history.Objects
	if l, ok := hist[len(hist)-1].(*widget.Label); !ok || !strings.Contains(l.Text, "Acknowledged by dr-a at ws-a: “seen, repeat obs in 30 min” · queued") {
		t.Errorf("last history line %v", hist[len(hist)-1])
	}
	if !v.card.buttons[clinical.VerbAcknowledge].Disabled() || v.card.buttons[clinical.VerbResolve].Disabled() {
		t.Errorf("after acknowledge: acknowledge should be disabled and resolve enabled")
	}
	if got := v.count.Text; got != "3 shown · 3 open · 2 new" {
		t.Errorf("count %q after acknowledge", got)
	}
	if e.notifier.pending() != 0 {
		t.Errorf("%d banners, want none (the acknowledged alert's went)", e.notifier.pending())
	}
}

// checkRefusedAfterResolve is TestInboxAcknowledge's last step: another
// action resolves the alert before the inbox hears of it, so escalating is
// refused; the resolved alert is under "Resolved", and Enter opens the
// patient.
func checkRefusedAfterResolve(t *testing.T, e *env, w fyne.Window, eng *engine.Engine, sub *store.Subscription, clock *testClock, a clinical.Alert) {
	t.Helper()
	v := e.inbox
	// Another action resolves it before this screen hears of it: escalating
	// a resolved alert is refused, and the card says why.
	clock.add(time.Minute)
	if _, err := eng.Act(a.Patient, a.ID, clinical.VerbResolve, "false alarm"); err != nil {
		t.Fatal(err)
	}
	clock.add(time.Minute)
	v.card.act(clinical.VerbEscalate)
	if v.card.message.Hidden || !strings.Contains(v.card.message.Text, "illegal") {
		t.Errorf("a refused action showed %q (hidden %v)", v.card.message.Text, v.card.message.Hidden)
	}
	follow(e, sub)
	if v.card.content.Visible() || len(v.shown) != 2 {
		t.Errorf("after the resolve: card shown %v, %d open shown", v.card.content.Visible(), len(v.shown))
	}
	// The resolved alert is under "Resolved", with its whole history.
	v.stateSel.SetSelected("Resolved")
	if len(v.shown) != 1 {
		t.Fatalf("resolved filter shows %d", len(v.shown))
	}
	v.choose(0)
	if n := len(v.card.history.Objects); n != 4 {
		t.Errorf("history has %d lines, want raised, the episode's latest set, acknowledged, resolved", n)
	}
	if !v.card.buttons[clinical.VerbEscalate].Disabled() || v.card.buttons[clinical.VerbReopen].Disabled() {
		t.Errorf("a resolved alert offers reopen only (and note)")
	}
	// Enter opens the patient.
	w.Canvas().Unfocus()
	e.shell.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if e.patient == nil || e.patient.id != a.Patient || e.shell.Depth() != 2 {
		t.Fatalf("Enter did not open the alert's patient")
	}
}

// TestPatientAlertsAndTrials: the patient's Alerts tab shows each alert
// with its cause and history; the Trials tab each matched study with the
// criteria met, not met and not evaluable, and the upstream status.
func TestPatientAlertsAndTrials(t *testing.T) {
	s := sharedStore(t)
	_, w, pv := openTest(t, s, demo.RecoveringPatient, ui.ModeLight)
	pv.tabs.SelectIndex(tabAlerts)
	at := pv.contents[tabAlerts].(*patientAlertsTab)
	if len(at.cards) != 2 || !at.empty.Hidden {
		t.Fatalf("alerts tab shows %d cards", len(at.cards))
	}
	var titles []string
	for _, o := range at.list.Objects {
		for _, c := range at.cards {
			if c.content == o {
				titles = append(titles, c.title.Text)
			}
		}
	}
	// The NEWS2 episode (escalated to its peak) first; the sepsis risk of
	// 60 h ago is information, after it.
	if len(titles) != 2 || titles[0] != "NEWS2 16: High" || !strings.HasPrefix(titles[1], "Sepsis") {
		t.Errorf("alert cards %q", titles)
	}
	test.AssertRendersToMarkup(t, "patient_alerts.xml", w.Canvas())
	shot(t, w, "alerts-"+demo.RecoveringPatient)

	_, w, pv = openTest(t, s, demo.HeartFailurePatient, ui.ModeLight)
	pv.tabs.SelectIndex(tabTrials)
	tt := pv.contents[tabTrials].(*trialsTab)
	if len(tt.list.Objects) != 1 || !tt.empty.Hidden {
		t.Fatalf("trials tab shows %d studies", len(tt.list.Objects))
	}
	m := pv.chart.Side.Matches[0]
	if m.Status() != "candidate" || m.Local == nil || len(m.Local.Met) != 4 || len(m.Upstream) != 1 {
		t.Errorf("match %s local %v upstream %v", m.Status(), m.Local != nil, m.Upstream)
	}
	test.AssertRendersToMarkup(t, "patient_trials.xml", w.Canvas())
	shot(t, w, "trials-"+demo.HeartFailurePatient)

	// Alt+3 (the shell's shortcut calls the page's SelectTab) switches to
	// the third tab. (The test canvas takes no shortcuts: the page is called.)
	pv.e.shell.Top().SelectTab(2)
	if pv.tabs.SelectedIndex() != tabTrends {
		t.Errorf("Alt+3 selected tab %d", pv.tabs.SelectedIndex())
	}

	// A patient with neither says so.
	_, _, pv = openTest(t, s, demo.NoAllergyInfoPatient, ui.ModeLight)
	if at := pv.contents[tabAlerts].(*patientAlertsTab); at.empty.Hidden || len(at.cards) != 0 {
		t.Errorf("no alerts: empty state hidden")
	}
	if tt := pv.contents[tabTrials].(*trialsTab); tt.empty.Hidden {
		t.Errorf("no trials: empty state hidden")
	}
}

// TestChartOpenedBy: the patient banner names who else opened the chart in
// the last 24 hours (from spv.audit), newest first, each once; this user's
// own opens here are left out, their opens elsewhere say "you"; older opens
// are not shown. Opening the chart writes this workstation's AuditEvent.
func TestChartOpenedBy(t *testing.T) {
	s := smallStore(t, demo.DeterioratingPatient)
	clock := newTestClock()
	eng := testEngine(t, s, "dr-a", "ws-a", clock.now)
	cfg := config.Default()
	cfg.User, cfg.Workstation = "dr-a", "ws-a"
	sub := s.Subscribe()
	defer sub.Close()
	e, _ := newTestEnvWith(t, s, ui.ModeLight, func(o *envOptions) {
		o.engine, o.config = eng, &cfg
		o.notify = func(*fyne.Notification) {}
	})
	follow(e, sub)
	e.openPatient(demo.DeterioratingPatient)
	pv := e.patient
	follow(e, sub)
	text := func() string { return pv.audit.String() }
	if got := text(); got != "No one else opened this chart in the last 24 h" {
		t.Errorf("before others: %q", got)
	}
	var n int
	s.View(func(r *store.Reader) error {
		docs, _ := r.PatientDocs(engine.KindAudit, demo.DeterioratingPatient)
		n = len(docs)
		return nil
	})
	if n != 1 {
		t.Fatalf("opening the chart wrote %d local AuditEvents, want 1", n)
	}
	var puts []store.Resource
	for i, o := range []struct {
		who, ws string
		ago     time.Duration
	}{
		{"dr-b", "ws-b", 30 * time.Minute},
		{"dr-b", "ws-b", 2 * time.Hour}, // the same person and place again: once
		{"dr-a", "ws-c", time.Hour},     // this user elsewhere
		{"dr-a", "ws-a", 10 * time.Minute},
		{"dr-old", "ws-z", 25 * time.Hour}, // outside the window
	} {
		id := fmt.Sprintf("audit-%d", i)
		raw := clinical.ChartOpenedAudit(demo.DeterioratingPatient, o.who, o.ws, fixtureNow.Add(-o.ago), id)
		d, err := record.Decode([]byte("AuditEvent/"+id), raw, "")
		if err != nil {
			t.Fatal(err)
		}
		puts = append(puts, store.Resource{Ref: store.Ref{Collection: store.Audit, Type: "AuditEvent", ID: id}, JSON: raw, Meta: d.Meta})
	}
	if _, err := s.Apply(&store.Batch{Puts: puts}); err != nil {
		t.Fatal(err)
	}
	follow(e, sub)
	if got, want := text(), "Also opened in the last 24 h by dr-b at ws-b, 05:30 · you at ws-c, 05:00"; got != want {
		t.Errorf("banner says %q, want %q", got, want)
	}
}

// TestInboxMouseThenKeys: a click on a row (Fyne focuses the list, then
// selects) leaves the keyboard with the inbox, so A/E/R/N and the arrows
// work after the mouse.
func TestInboxMouseThenKeys(t *testing.T) {
	s := smallStore(t, demo.RecoveringPatient, demo.DeterioratingPatient)
	eng := testEngine(t, s, "dr-a", "ws-a", nil)
	e, w := newTestEnvWith(t, s, ui.ModeLight, func(o *envOptions) {
		o.engine = eng
		o.notify = func(*fyne.Notification) {}
	})
	e.shell.Show(screenAlerts)
	v := e.inbox
	w.Canvas().Focus(v.list) // what a tap on a row does first…
	v.list.Select(1)         // …then it selects
	if f := w.Canvas().Focused(); f != nil {
		t.Fatalf("after a click the keyboard is with %T, want the inbox", f)
	}
	if v.cursor != 1 {
		t.Fatalf("the click selected row %d", v.cursor)
	}
	e.shell.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	if v.cursor != 2 {
		t.Errorf("Down after a click: row %d, want 2", v.cursor)
	}
	e.shell.TypedKey(&fyne.KeyEvent{Name: fyne.KeyN})
	e.shell.TypedRune('n')
	if w.Canvas().Focused() != v.card.note || v.card.note.Text != "" {
		t.Errorf("N after a click: focus %T, note %q", w.Canvas().Focused(), v.card.note.Text)
	}
}

// TestInboxResolveHighNeedsReason: R on a high alert asks why; Cancel
// resolves nothing; a reason resolves it with the reason as its note, and
// the selection moves to the next alert.
func TestInboxResolveHighNeedsReason(t *testing.T) {
	s := smallStore(t, demo.RecoveringPatient, demo.DeterioratingPatient)
	eng := testEngine(t, s, "dr-a", "ws-a", nil)
	sub := s.Subscribe()
	defer sub.Close()
	e, w := newTestEnvWith(t, s, ui.ModeLight, func(o *envOptions) {
		o.engine = eng
		o.notify = func(*fyne.Notification) {}
	})
	follow(e, sub)
	e.shell.Show(screenAlerts)
	v := e.inbox
	e.shell.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	a := v.card.row.View.Alert
	if a.Severity != clinical.SeverityHigh {
		t.Fatalf("first alert is %s, want a high one", a.Severity)
	}
	state := func() string {
		var st string
		s.View(func(r *store.Reader) error {
			alerts, _ := engine.PatientAlerts(r, a.Patient)
			for _, x := range alerts {
				if x.Alert.ID == a.ID {
					st = x.Status()
				}
			}
			return nil
		})
		return st
	}
	e.shell.TypedKey(&fyne.KeyEvent{Name: fyne.KeyR})
	if e.reason == nil || w.Canvas().Focused() != e.reason.entry {
		t.Fatalf("R on a high alert did not ask for a reason (dialog %v)", e.reason != nil)
	}
	test.AssertRendersToMarkup(t, "inbox_reason.xml", w.Canvas())
	shot(t, w, "inbox-reason")
	e.reason.submit() // empty: refused
	if e.reason == nil || e.reason.message.Hidden {
		t.Fatalf("an empty reason was accepted")
	}
	e.reason.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	follow(e, sub)
	if e.reason != nil || state() != clinical.StateNew {
		t.Fatalf("Escape: dialog %v, alert %s; want closed and still new", e.reason != nil, state())
	}
	e.shell.TypedKey(&fyne.KeyEvent{Name: fyne.KeyR})
	test.Type(e.reason.entry, "reviewed, treated")
	e.reason.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	follow(e, sub)
	if got := state(); got != clinical.StateResolved {
		t.Fatalf("after a reason the alert is %s, want resolved", got)
	}
	var note string
	s.View(func(r *store.Reader) error {
		alerts, _ := engine.PatientAlerts(r, a.Patient)
		for _, x := range alerts {
			if x.Alert.ID == a.ID {
				if l, ok := x.State.Latest(); ok {
					note = l.Note
				}
			}
		}
		return nil
	})
	if note != "reviewed, treated" {
		t.Errorf("the resolve's note is %q, want the reason", note)
	}
	if !v.card.hasRow || v.card.row.View.Alert.ID == a.ID || v.cursor < 0 {
		t.Errorf("after resolving, the selection is on %q (row %d), want the next alert", v.card.row.View.Alert.ID, v.cursor)
	}
	// A medium alert resolves without a reason.
	for i := range v.shown {
		if r := v.rows[v.shown[i]]; r.View.Alert.Severity == clinical.SeverityMedium {
			v.choose(i)
			m := r.View.Alert
			e.shell.TypedKey(&fyne.KeyEvent{Name: fyne.KeyR})
			if e.reason != nil {
				t.Errorf("R on a medium alert asked for a reason")
			}
			follow(e, sub)
			_ = m
			break
		}
	}
}
