package views

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/config"
	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/app/jsontime"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/session"
	"github.com/chartline/chartline/app/testenv"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// lockRig is the app as plain `chartline` runs it, over a fixture store
// with the deteriorating patient, a kfake broker and a hand-driven clock.
type lockRig struct {
	u      *UI
	w      fyne.Window
	broker *testenv.Env
	clock  atomic.Int64 // unix nanoseconds
	mu     sync.Mutex
	sent   []*fyne.Notification
}

func (r *lockRig) now() time.Time { return time.Unix(0, r.clock.Load()).UTC() }

// advance moves the clock on and runs one tick of the idle lock.
func (r *lockRig) advance(d time.Duration) {
	r.clock.Add(int64(d))
	r.u.do(func() { r.u.lock.tick(0, false) })
}

func newLockRig(t *testing.T, idle time.Duration) *lockRig {
	t.Helper()
	r := &lockRig{broker: testenv.New(t, kafka.BrokerOptions{})}
	r.clock.Store(fixtureNow.UnixNano())
	path := filepath.Join(t.TempDir(), "chartline.db")
	s := newFixtureStore(t, path, func(name string) bool {
		return !strings.HasPrefix(name, "patient-") || name == demo.PatientFixture(demo.DeterioratingPatient)
	})
	s.Close()

	test.NewTempApp(t)
	test.ApplyTheme(t, ui.NewTheme(ui.ModeLight))
	r.w = test.NewTempWindow(t, nil)
	cfg := config.Default()
	cfg.Theme = ui.ModeLight
	cfg.Conn.Brokers = []string{r.broker.Broker.Addr()}
	cfg.User, cfg.DisplayName, cfg.Workstation = "asmith", "Dr A. Smith", "ward7-pc2"
	cfg.IdleLock = jsontime.Duration(idle)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	r.u = Run(ctx, Options{
		Window: r.w, Config: cfg, StorePath: path, ConfigPath: filepath.Join(t.TempDir(), "config.json"),
		StoreOptions: &store.Options{KDF: store.TestKDF, LockTimeout: 50 * time.Millisecond},
		Start: func(ctx context.Context, s *store.Store) (*session.Session, error) {
			return session.StartWithClock(ctx, cfg, s, nil, r.now)
		},
		Now: r.now, Location: time.UTC, LockTick: -1,
		SystemIdle: func() (time.Duration, bool) { return 0, false },
		Notify: func(n *fyne.Notification) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.sent = append(r.sent, n)
		},
	})
	t.Cleanup(r.u.Close)
	r.u.unlock.pass.SetText("fixture passphrase")
	test.Tap(r.u.unlock.button)
	waitFor(t, "the census", func() bool {
		r.u.mu.Lock()
		defer r.u.mu.Unlock()
		return r.u.env != nil && r.u.lock != nil
	})
	r.u.do(func() { r.w.Resize(windowSize) })
	return r
}

// patientWords are what identify the patient: none may show while locked.
func patientWords() []string {
	for _, p := range demo.Patients() {
		if p.ID == demo.DeterioratingPatient {
			return append([]string{p.ID, p.MRN, "Ñúñez", "1958"}, strings.Fields(p.Name)...)
		}
	}
	return nil
}

func TestIdleLock(t *testing.T) {
	r := newLockRig(t, 10*time.Minute)
	u, w := r.u, r.w
	e := u.env
	u.do(func() { e.openPatientTab(demo.DeterioratingPatient, tabTrends) })
	waitFor(t, "the chart showing the patient", func() bool {
		shown := false
		u.do(func() { shown = e.patient != nil && strings.Contains(test.RenderToMarkup(w.Canvas()), "Ñúñez") })
		return shown
	})
	// Background work hands its widget updates through u.do; the test's own
	// widget work goes through it too, so nothing runs beside it (the race
	// detector watches this test).
	words := patientWords()
	var title, screen string
	var depth int
	u.do(func() { title, screen, depth = w.Title(), e.shell.Current(), e.shell.Depth() })
	l := u.lock

	idleToWarning(t, r, l)
	checkLocked(t, r, l, words)
	checkLockedSilent(t, r, l)
	unlockBack(t, r, l, title, screen, depth)
	checkLockAudit(t, r)
}

// idleToWarning is TestIdleLock's first step: the warning comes in the
// interval's last minute; input before it starts the interval again.
func idleToWarning(t *testing.T, r *lockRig, l *lockView) {
	t.Helper()
	u, w := r.u, r.w
	// The warning comes in the interval's last minute, the lock at its end;
	// input in between starts the interval again. Both sides of each edge.
	for _, step := range []struct {
		advance time.Duration
		input   bool
		want    lockState
	}{
		{8*time.Minute + 59*time.Second, false, lockActive}, // 8:59 idle
		{time.Second, false, lockWarning},                   // 9:00
		{30 * time.Second, true, lockActive},                // input at 9:30
		{8*time.Minute + 59*time.Second, false, lockActive}, // 8:59 since the input
		{time.Second, false, lockWarning},                   // 9:00
		{59 * time.Second, false, lockWarning},              // 9:59
	} {
		r.clock.Add(int64(step.advance))
		u.do(func() {
			if step.input {
				test.TypeOnCanvas(w.Canvas(), "x") // a key that reaches the window
			}
			l.tick(0, false)
			if l.state != step.want {
				t.Fatalf("after %v (input %v): state %v, want %v", step.advance, step.input, l.state, step.want)
			}
		})
	}
	u.do(func() {
		if !l.warning.Visible() || !strings.Contains(l.warnText.Text, "locks in 1 s") {
			t.Fatalf("warning shown %v: %q", l.warning.Visible(), l.warnText.Text)
		}
		test.AssertObjectRendersToMarkup(t, "lock_warning.xml", l.warning.Content) // the chart behind loads at its own pace
		shot(t, w, "lock-warning")
	})
}

// checkLocked is TestIdleLock's lock at the interval's end: the window
// shows nothing of the patient.
func checkLocked(t *testing.T, r *lockRig, l *lockView, words []string) {
	t.Helper()
	u, w := r.u, r.w
	r.advance(time.Second) // 10:00 without input
	u.do(func() {
		if l.state != lockLocked {
			t.Fatalf("not locked after the interval: %v", l.state)
		}
		locked := test.RenderToMarkup(w.Canvas())
		for _, word := range words {
			if strings.Contains(locked, word) || strings.Contains(w.Title(), word) {
				t.Errorf("locked window shows %q", word)
			}
		}
		if w.Title() != lockedTitle || len(w.Canvas().Overlays().List()) != 0 {
			t.Fatalf("locked title %q, %d overlays", w.Title(), len(w.Canvas().Overlays().List()))
		}
		test.AssertRendersToMarkup(t, "lock_locked.xml", w.Canvas())
		shot(t, w, "lock-locked")
	})
}

// checkLockedSilent checks that, locked, the shell's keys do nothing and
// notifications say nothing.
func checkLockedSilent(t *testing.T, r *lockRig, l *lockView) {
	t.Helper()
	u, w := r.u, r.w
	e := u.env
	// Locked: the shell's keys do nothing, notifications say nothing.
	r.mu.Lock()
	r.sent = nil // what the notifier sent before the lock
	r.mu.Unlock()
	u.do(func() {
		e.shell.Show(screenAlerts)
		e.shell.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
		e.notify(fyne.NewNotification("Chartline: high alert", "New high alert: NEWS2 9 Ñúñez Ortega"))
		e.notify(fyne.NewNotification("Chartline: trial match", "EGFR study"))
		if w.Title() != lockedTitle || w.Content() != l.content {
			t.Fatal("the shell answered while locked")
		}
		if !strings.Contains(l.missedL.Text, "1") {
			t.Errorf("the lock card does not count the alert: %q", l.missedL.Text)
		}
	})
	r.mu.Lock()
	if len(r.sent) != 1 || r.sent[0].Title != "Chartline: new high alert" || r.sent[0].Content != "" {
		t.Errorf("notifications while locked: %+v", r.sent)
	}
	r.mu.Unlock()
}

// unlockBack is TestIdleLock's unlock: a wrong passphrase keeps the window
// locked, the right one brings it back where it was (title, screen, depth,
// patient and tab); then it locks by hand.
func unlockBack(t *testing.T, r *lockRig, l *lockView, title, screen string, depth int) {
	t.Helper()
	u, w := r.u, r.w
	e := u.env
	// A wrong passphrase keeps it locked and says so.
	u.do(func() {
		test.Type(l.pass, "not the passphrase")
		test.Tap(l.button)
	})
	waitFor(t, "the check", func() bool {
		done := false
		u.do(func() { done = !l.busy && !l.message.Hidden })
		return done
	})
	u.do(func() {
		if l.state != lockLocked || l.message.Hidden || !strings.Contains(l.message.Text, "Wrong passphrase") {
			t.Fatalf("wrong passphrase: state %v message %q", l.state, l.message.Text)
		}
		test.Type(l.pass, "fixture passphrase")
		test.Tap(l.button)
	})
	waitFor(t, "the unlock", func() bool {
		done := false
		u.do(func() { done = l.state == lockActive })
		return done
	})
	u.do(func() {
		if w.Content() != e.shell.Content() || w.Title() != title || e.shell.Current() != screen || e.shell.Depth() != depth ||
			e.patient == nil || e.patient.id != demo.DeterioratingPatient || e.patient.tabs.SelectedIndex() != tabTrends {
			t.Fatalf("not back where it was: title %q (was %q), screen %s depth %d", w.Title(), title, e.shell.Current(), e.shell.Depth())
		}
		if !strings.Contains(test.RenderToMarkup(w.Canvas()), "Ñúñez") {
			t.Error("the chart did not come back")
		}
		// Locking by hand (what Ctrl+L and "Lock now" call; the headless
		// canvas cannot type a window shortcut, the real window's is checked
		// with xdotool for the screenshots).
		l.lock(clinical.AuthLock)
		if l.state != lockLocked || w.Title() != lockedTitle {
			t.Fatalf("Ctrl+L: state %v", l.state)
		}
	})
}

// checkLockAudit checks TestIdleLock's AuditEvents: every lock and unlock
// is on spv.audit, signed by the OS account.
func checkLockAudit(t *testing.T, r *lockRig) {
	t.Helper()
	// Every lock and unlock is on spv.audit, signed by the OS account.
	want := map[string]int{clinical.AuthUnlock + " ok": 2, clinical.AuthUnlock + " failed": 1, clinical.AuthIdleLock + " ok": 1, clinical.AuthLock + " ok": 1}
	testenv.Eventually(t, 30*time.Second, "the AuditEvents on spv.audit", func() bool {
		got := map[string]int{}
		for _, rec := range r.broker.Consume(kafka.DefaultTopics().Audit) {
			s, err := clinical.ParseAudit(rec.Value)
			if err != nil || s.Who != "asmith" || s.Workstation != "ward7-pc2" {
				continue
			}
			outcome := "ok"
			if strings.Contains(string(rec.Value), `"outcome":"4"`) {
				outcome = "failed"
			}
			got[s.Kind+" "+outcome]++
		}
		for k, n := range want {
			if got[k] != n {
				return false
			}
		}
		return true
	})
}
