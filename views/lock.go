package views

import (
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/config"
	"github.com/chartline/chartline/app/session"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// The idle lock of a shared workstation (HIPAA §164.312(a)(2)(iii)
// automatic logoff). Decisions, for a ward where several people use one
// screen:
//   - The interval (site policy, else Settings, default 10 min) is the time
//     to lock: the window locks when it has seen no input for that long, so
//     a site's "10 minutes" rule holds. The warning takes its last 60 s (half
//     the interval when that is under 2 min), with a countdown; any input,
//     or "Stay unlocked", ends it.
//   - Locked, the window shows only the lock card: no name, no MRN, no
//     number of any patient, and the title is "Chartline — locked". Popups
//     (dialogs, menus) are taken off the window too, and come back after.
//   - The store stays open: the feed, the engine and the outbox keep
//     running, and a new high alert is notified as "Chartline: new high
//     alert" and nothing else (trial matches wait for the unlock). The lock
//     card counts them.
//   - Unlocking takes the store's passphrase (the same Argon2id check as
//     at start, so the same half second, shown as "Checking passphrase…")
//     and returns to the same screen, page, tab and focus.
//   - Every lock, idle lock and unlock, and every refused passphrase, is an
//     AuditEvent (DICOM 110114 User Authentication) on spv.audit, signed by
//     the OS account. Refused passphrases at the first unlock, before the
//     store is open, cannot be kept in it and are not audited.
//   - Ctrl+L locks at once, as the Lock button does.

// lockState is where the idle lock stands.
type lockState int

const (
	lockActive  lockState = iota // in use
	lockWarning                  // the countdown shows
	lockLocked                   // the lock card is in the window
)

// lockWarningSpan is how long the warning shows before the lock.
const lockWarningSpan = 60 * time.Second

// lockedTitle is the window title while locked.
const lockedTitle = "Chartline — locked"

// lockOptions configure the idle lock.
type lockOptions struct {
	win   fyne.Window
	shell *ui.Shell
	now   func() time.Time
	loc   *time.Location
	// interval is the idle lock interval in force (read at each tick, so a
	// change in Settings applies at once).
	interval func() time.Duration
	// check verifies a passphrase (store.CheckPassphrase), off the UI
	// goroutine.
	check func([]byte) error
	// audit records a lock or unlock, off the UI goroutine.
	audit func(kind string, failed bool)
	// who names the signed-in person on the lock card.
	who   func() string
	hint  string // shown under the passphrase (the demo's passphrase)
	async func(func())
	do    func(func())
}

// lockView is the idle lock: it follows input, shows the warning, and
// swaps the window's content for the lock card and back.
type lockView struct {
	o lockOptions

	// UI goroutine only.
	lastInput time.Time
	state     lockState
	lockedAt  time.Time
	busy      bool
	saved     struct {
		content  fyne.CanvasObject
		focus    fyne.Focusable
		overlays []fyne.CanvasObject
	}

	locked atomic.Bool  // read by the notification guard on any goroutine
	missed atomic.Int64 // high alerts notified while locked

	warning  *widget.PopUp
	warnText *widget.Label

	heading  *widget.Label
	detail   *widget.Label
	who      *widget.Label
	missedL  *widget.Label
	pass     *widget.Entry
	button   *widget.Button
	message  *widget.Label
	checking *widget.Label
	progress *widget.ProgressBarInfinite
	content  fyne.CanvasObject
}

func newLock(o lockOptions) *lockView {
	v := &lockView{o: o, lastInput: o.now(),
		heading: widget.NewLabel("Chartline is locked"), detail: widget.NewLabel(""), who: widget.NewLabel(""),
		missedL: widget.NewLabel(""), pass: widget.NewPasswordEntry(), message: widget.NewLabel(""),
		checking: widget.NewLabel("Checking passphrase…"), progress: widget.NewProgressBarInfinite(),
		warnText: widget.NewLabel(""),
	}
	v.heading.TextStyle.Bold = true
	v.heading.SizeName = theme.SizeNameHeadingText
	for _, l := range []*widget.Label{v.detail, v.who, v.missedL, v.message, v.warnText} {
		l.Wrapping = fyne.TextWrapWord
	}
	v.message.Importance = widget.DangerImportance
	v.message.TextStyle.Bold = true
	v.missedL.Importance = widget.DangerImportance
	v.pass.PlaceHolder = "Store passphrase"
	v.pass.OnSubmitted = func(string) { v.submit() }
	v.pass.OnChanged = func(string) { v.enable() }
	v.button = widget.NewButtonWithIcon("Unlock", theme.LoginIcon(), v.submit)
	v.button.Importance = widget.HighImportance
	hint := widget.NewLabel(o.hint)
	hint.Wrapping = fyne.TextWrapWord
	hint.Hidden = o.hint == ""
	form := container.NewVBox(v.heading, v.detail, v.who, v.missedL, v.pass, hint, v.message,
		container.NewHBox(v.checking), v.progress, container.NewHBox(v.button))
	for _, l := range []*widget.Label{v.detail, v.who, v.missedL, v.message, hint} {
		l.Resize(fyne.NewSize(unlockWidth-4*theme.Padding(), l.MinSize().Height))
	}
	card := ui.NewCard(container.New(&widthLayout{width: unlockWidth}, container.NewPadded(form)))
	v.content = container.NewStack(ui.NewBackground(ui.ColorRail), container.NewCenter(card))
	v.setBusy(false, "")

	stay := widget.NewButtonWithIcon("Stay unlocked", theme.ConfirmIcon(), func() { v.input() })
	stay.Importance = widget.HighImportance
	now := widget.NewButtonWithIcon("Lock now", theme.VisibilityOffIcon(), func() { v.lock(clinical.AuthLock) })
	title := widget.NewLabel("Chartline will lock soon")
	title.TextStyle.Bold = true
	title.SizeName = theme.SizeNameSubHeadingText
	v.warnText.Resize(fyne.NewSize(420, v.warnText.MinSize().Height))
	v.warning = widget.NewModalPopUp(container.New(&widthLayout{width: 440}, container.NewPadded(container.NewVBox(
		title, v.warnText, container.NewHBox(stay, now)))), o.win.Canvas())
	return v
}

// input records input (a key, a tap, the X server's idle time going down)
// and ends a warning.
func (v *lockView) input() {
	if v.state == lockLocked {
		return
	}
	v.lastInput = v.o.now()
	if v.state == lockWarning {
		v.state = lockActive
		v.warning.Hide()
	}
}

// tick moves the lock on: the warning in the interval's last minute, the
// lock at its end. systemIdle is the display server's idle time (ok false
// when unknown): input it saw counts as input.
func (v *lockView) tick(systemIdle time.Duration, ok bool) {
	if v.state == lockLocked {
		return
	}
	now := v.o.now()
	if ok {
		if last := now.Add(-systemIdle); last.After(v.lastInput) {
			v.lastInput = last
		}
	}
	interval := v.o.interval()
	if interval <= 0 {
		interval = config.DefaultIdleLock
	}
	warnSpan := min(lockWarningSpan, interval/2)
	idle := now.Sub(v.lastInput)
	switch {
	case idle >= interval:
		v.lock(clinical.AuthIdleLock)
	case idle >= interval-warnSpan:
		left := (interval - idle + time.Second - 1).Truncate(time.Second)
		v.warnText.SetText(fmt.Sprintf("No input for %s. Chartline locks in %d s to keep patient data off the screen; "+
			"move the mouse or press a key to keep working.", idleText(idle), int(left.Seconds())))
		if v.state != lockWarning {
			v.state = lockWarning
			v.warning.Show()
		}
	case v.state == lockWarning: // input came through the display server
		v.state = lockActive
		v.warning.Hide()
	}
}

// idleText writes an idle time in whole minutes, or seconds under one.
func idleText(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%d s", int(d.Seconds()))
	}
	m := int(d.Minutes())
	if m == 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", m)
}

// lock puts the lock card in the window (kind: AuthLock or AuthIdleLock).
func (v *lockView) lock(kind string) {
	if v.state == lockLocked {
		return
	}
	v.warning.Hide()
	c := v.o.win.Canvas()
	v.saved.content = v.o.win.Content()
	v.saved.focus = c.Focused()
	v.saved.overlays = append([]fyne.CanvasObject(nil), c.Overlays().List()...)
	for _, o := range v.saved.overlays {
		c.Overlays().Remove(o)
	}
	v.o.shell.Lock()
	v.state = lockLocked
	v.locked.Store(true)
	v.missed.Store(0)
	v.lockedAt = v.o.now()
	at := v.lockedAt.In(v.o.loc).Format("15:04")
	why := "Locked by " + v.o.who() + " at " + at + "."
	if kind == clinical.AuthIdleLock {
		why = "Locked at " + at + " after " + idleText(v.lockedAt.Sub(v.lastInput)) + " without input."
	}
	v.detail.SetText(why + " Patient data stays hidden until the passphrase is given; the feed and alerts keep running.")
	v.who.SetText("Signed in: " + v.o.who() + ". Someone else? Quit Chartline and sign in to your own account.")
	v.missedL.SetText("")
	v.missedL.Hide()
	v.pass.SetText("")
	v.setBusy(false, "")
	v.o.win.SetContent(v.content)
	v.o.win.SetTitle(lockedTitle)
	c.Focus(v.pass)
	v.o.async(func() { v.o.audit(kind, false) })
}

// submit checks the passphrase off the UI goroutine.
func (v *lockView) submit() {
	if v.busy || v.state != lockLocked || v.pass.Text == "" {
		return
	}
	v.setBusy(true, "")
	pass := []byte(v.pass.Text)
	v.o.async(func() {
		err := v.o.check(pass)
		clear(pass)
		v.o.audit(clinical.AuthUnlock, err != nil)
		v.o.do(func() {
			if err != nil {
				msg := unlockMessage(err)
				v.pass.SetText("")
				v.setBusy(false, msg)
				v.o.win.Canvas().Focus(v.pass)
				return
			}
			v.restore()
		})
	})
}

// restore gives the window back what it showed before the lock.
func (v *lockView) restore() {
	c := v.o.win.Canvas()
	v.pass.SetText("")
	v.setBusy(false, "")
	v.o.win.SetContent(v.saved.content)
	v.o.shell.Unlock()
	for _, o := range v.saved.overlays {
		c.Overlays().Add(o)
	}
	if v.saved.focus != nil {
		c.Focus(v.saved.focus)
	} else {
		c.Unfocus()
	}
	v.saved.content, v.saved.focus, v.saved.overlays = nil, nil, nil
	v.state = lockActive
	v.locked.Store(false)
	v.lastInput = v.o.now()
}

func (v *lockView) setBusy(busy bool, msg string) {
	v.busy = busy
	if busy {
		v.pass.Disable()
		v.checking.Show()
		v.progress.Show()
		v.progress.Start()
	} else {
		v.pass.Enable()
		v.checking.Hide()
		v.progress.Stop()
		v.progress.Hide()
	}
	v.message.SetText(msg)
	v.message.Hidden = msg == ""
	v.enable()
	ui.Reflow(v.content)
}

func (v *lockView) enable() {
	if v.busy || v.pass.Text == "" {
		v.button.Disable()
	} else {
		v.button.Enable()
	}
}

// guard wraps the desktop notifier (called on the UI goroutine): while locked a new high alert is told
// as "Chartline: new high alert" and nothing more, and a trial match not at
// all (its banner is there after the unlock).
func (v *lockView) guard(send func(*fyne.Notification)) func(*fyne.Notification) {
	return func(n *fyne.Notification) {
		if !v.locked.Load() {
			send(n)
			return
		}
		if strings.Contains(strings.ToLower(n.Title), "trial") {
			return
		}
		// The notifier sends on the UI goroutine, so the card is updated here.
		k := v.missed.Add(1)
		v.missedL.SetText(fmt.Sprintf("New high alerts since the lock: %d.", k))
		v.missedL.Show()
		ui.Reflow(v.content)
		send(fyne.NewNotification("Chartline: new high alert", ""))
	}
}

// follow makes the window's input count: keys and runes that reach the
// canvas (a focused widget's go to the widget; the display server's idle
// time covers them), and Ctrl+L locks.
func (v *lockView) follow() {
	c := v.o.win.Canvas()
	key, r := c.OnTypedKey(), c.OnTypedRune()
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		v.input()
		if key != nil {
			key(ev)
		}
	})
	c.SetOnTypedRune(func(ch rune) {
		v.input()
		if r != nil {
			r(ch)
		}
	})
	if dc, ok := c.(desktop.Canvas); ok {
		dc.SetOnKeyDown(func(*fyne.KeyEvent) { v.input() })
	}
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault},
		func(fyne.Shortcut) { v.lock(clinical.AuthLock) })
}

// demoLockPassphrase unlocks the demo's lock: the demo's store has a random
// passphrase nobody knows.
const demoLockPassphrase = "demo"

// startLock starts the idle lock over the main screens: it follows input,
// ticks every second, guards notifications, and records the first unlock
// (the unlock screen's) as an AuditEvent.
func (u *UI) startLock(e *env, ss *session.Session) {
	eng := ss.Engine()
	check, hint := ss.Store().CheckPassphrase, ""
	if ss.IsDemo() {
		check = func(p []byte) error {
			if string(p) != demoLockPassphrase {
				return store.ErrWrongPassphrase
			}
			return nil
		}
		hint = "Demo: the passphrase is “" + demoLockPassphrase + "”."
	}
	l := newLock(lockOptions{
		win: e.win, shell: e.shell, now: u.o.Now, loc: u.o.Location,
		interval: func() time.Duration { return time.Duration(e.settingsNow().IdleLock) },
		check:    check,
		audit: func(kind string, failed bool) {
			cfg := e.settingsNow()
			a := clinical.Authentication{Kind: kind, User: cfg.User, Display: cfg.DisplayName, Workstation: cfg.Workstation, Failed: failed}
			if err := eng.Authenticated(a); err != nil {
				e.log.Error("audit "+kind, "err", errorClass(err))
			}
		},
		who:   func() string { return e.settingsNow().Signature() },
		hint:  hint,
		async: u.async, do: u.do,
	})
	e.notify = l.guard(e.notify)
	u.hintBrokers(e, ss)
	l.follow()
	u.mu.Lock()
	u.lock = l
	u.mu.Unlock()
	if u.unlock != nil {
		u.async(func() { l.o.audit(clinical.AuthUnlock, false) })
	}
	idle := u.o.SystemIdle
	if idle == nil {
		if si := newSystemIdle(); si != nil {
			idle = si.idle
			u.wg.Add(1)
			go func() {
				defer u.wg.Done()
				<-u.ctx.Done()
				si.close()
			}()
		}
	}
	if u.o.LockTick < 0 {
		return // tests tick by hand
	}
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-u.ctx.Done():
				return
			case <-t.C:
				var d time.Duration
				ok := false
				if idle != nil {
					d, ok = idle()
				}
				u.do(func() { l.tick(d, ok) })
			}
		}
	}()
}
