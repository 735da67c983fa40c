package views

import (
	"errors"
	"fmt"
	"math"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// unlockOptions configure the unlock screen.
type unlockOptions struct {
	path         string
	storeOptions *store.Options
	async        func(func())
	do           func(func()) // hands widget updates to the UI goroutine; default fyne.Do
	// onOpen takes the opened store, off the UI goroutine, and starts what
	// runs over it; an error is shown and the screen stays.
	onOpen func(*store.Store) error
}

// unlockView is the unlock screen: open the store with its passphrase, or,
// when there is no store at the path yet, create one (passphrase twice, with
// a strength hint). The store's path is always shown. A wrong passphrase
// says so and keeps what was typed.
type unlockView struct {
	o      unlockOptions
	create bool

	// UI goroutine only.
	busy bool

	heading  *widget.Label
	intro    *widget.Label
	path     *widget.Label
	pass     *widget.Entry
	confirm  *widget.Entry
	strength *widget.Label
	message  *widget.Label
	button   *widget.Button
	progress *widget.ProgressBarInfinite
	content  fyne.CanvasObject

	// The secrets step (secrets.go), after the store opened.
	saslPass, keyPass *widget.Entry
	remember          *widget.Check
	connect           *widget.Button
}

// unlockWidth is the width of the unlock card.
const unlockWidth = 520

// minPassphrase is the shortest passphrase Create accepts, in characters.
const minPassphrase = 10

func newUnlock(o unlockOptions) *unlockView {
	if o.do == nil {
		o.do = fyne.Do
	}
	v := &unlockView{
		o:        o,
		create:   !store.Exists(o.path),
		heading:  widget.NewLabel(""),
		intro:    widget.NewLabel(""),
		path:     widget.NewLabel("Store: " + o.path),
		pass:     widget.NewPasswordEntry(),
		confirm:  widget.NewPasswordEntry(),
		strength: widget.NewLabel(""),
		message:  widget.NewLabel(""),
		progress: widget.NewProgressBarInfinite(),
	}
	v.heading.TextStyle.Bold = true
	v.heading.SizeName = theme.SizeNameHeadingText
	v.intro.Wrapping = fyne.TextWrapWord
	v.path.Wrapping = fyne.TextWrapBreak
	v.strength.Wrapping = fyne.TextWrapWord
	v.message.Wrapping = fyne.TextWrapWord
	v.message.Importance = widget.DangerImportance
	v.message.TextStyle.Bold = true
	v.message.Hide()
	v.progress.Hide()
	v.progress.Stop()
	v.pass.PlaceHolder = "Passphrase"
	v.confirm.PlaceHolder = "The same passphrase again"

	form := container.NewVBox(v.heading, v.intro, v.path, v.pass)
	if v.create {
		v.heading.SetText("Create your Chartline store")
		v.intro.SetText("Chartline keeps the patient records it receives in an encrypted file on this computer. " +
			"Choose a passphrase to protect it: it is needed each time Chartline starts and cannot be recovered if lost.")
		v.button = widget.NewButtonWithIcon("Create store", theme.ConfirmIcon(), v.submit)
		v.pass.OnChanged = func(string) { v.check() }
		v.confirm.OnChanged = func(string) { v.check() }
		v.pass.OnSubmitted = func(string) { focusOf(v.pass, v.confirm) }
		v.confirm.OnSubmitted = func(string) { v.submit() }
		form.Add(v.confirm)
		form.Add(v.strength)
	} else {
		v.heading.SetText("Unlock Chartline")
		v.intro.SetText("Enter the passphrase of your Chartline store.")
		v.button = widget.NewButtonWithIcon("Unlock", theme.LoginIcon(), v.submit)
		v.pass.OnChanged = func(string) { v.check() }
		v.pass.OnSubmitted = func(string) { v.submit() }
	}
	v.button.Importance = widget.HighImportance
	form.Add(v.message)
	form.Add(v.progress)
	form.Add(container.NewHBox(v.button))
	v.check()

	// Wrapped labels size themselves from their width: give them the card's
	// inner width before the first layout so it does not overlap them.
	for _, l := range []*widget.Label{v.intro, v.path, v.strength, v.message} {
		l.Resize(fyne.NewSize(unlockWidth-4*theme.Padding(), l.MinSize().Height))
	}
	card := ui.NewCard(container.New(&widthLayout{width: unlockWidth}, container.NewPadded(form)))
	v.content = container.NewStack(ui.NewBackground(ui.ColorRail), container.NewCenter(card))
	return v
}

// focus is the field to focus when the screen shows.
func (v *unlockView) focus() fyne.Focusable { return v.pass }

func focusOf(from fyne.CanvasObject, to fyne.Focusable) {
	if c := fyne.CurrentApp().Driver().CanvasForObject(from); c != nil {
		c.Focus(to)
	}
}

// check updates the strength hint and whether the button can be pressed.
func (v *unlockView) check() {
	if v.busy {
		v.button.Disable()
		return
	}
	if !v.create {
		if v.pass.Text == "" {
			v.button.Disable()
		} else {
			v.button.Enable()
		}
		return
	}
	st := passphraseStrength(v.pass.Text)
	hint := st.hint
	ok := st.acceptable
	if ok && v.confirm.Text != "" && v.confirm.Text != v.pass.Text {
		hint += " The two passphrases differ."
	}
	if v.confirm.Text != v.pass.Text {
		ok = false
	}
	v.strength.SetText(hint)
	v.strength.Importance = widget.MediumImportance
	switch {
	case v.pass.Text == "":
		v.strength.Importance = widget.MediumImportance
	case !st.acceptable:
		v.strength.Importance = widget.DangerImportance
	case st.level == "weak":
		v.strength.Importance = widget.WarningImportance
	case st.level == "strong":
		v.strength.Importance = widget.SuccessImportance
	}
	if v.confirm.Text != "" && v.confirm.Text != v.pass.Text {
		v.strength.Importance = widget.DangerImportance // a mismatch is an error, however strong the first
	}
	v.strength.Refresh()
	if ok {
		v.button.Enable()
	} else {
		v.button.Disable()
	}
}

// submit opens or creates the store off the UI goroutine (Argon2id takes
// about half a second on purpose).
func (v *unlockView) submit() {
	if v.busy || v.button.Disabled() {
		return
	}
	v.setBusy(true, "")
	pass := []byte(v.pass.Text)
	create := v.create
	v.o.async(func() {
		var s *store.Store
		var err error
		if create {
			s, err = store.Create(v.o.path, pass, v.o.storeOptions)
		} else {
			s, err = store.Open(v.o.path, pass, v.o.storeOptions)
		}
		clear(pass)
		msg := ""
		if err != nil {
			msg = unlockMessage(err)
		} else if err = v.o.onOpen(s); err != nil {
			msg = "The store opened, but Chartline could not start: " + err.Error()
		}
		if msg == "" {
			return // the census replaces this screen
		}
		v.o.do(func() {
			v.setBusy(false, msg)
			focusOf(v.pass, v.pass)
		})
	})
}

func (v *unlockView) setBusy(busy bool, msg string) {
	v.busy = busy
	v.pass.Disable()
	v.confirm.Disable()
	if !busy {
		v.pass.Enable()
		v.confirm.Enable()
	}
	if busy {
		v.progress.Show()
		v.progress.Start()
	} else {
		v.progress.Stop()
		v.progress.Hide()
	}
	v.message.SetText(msg)
	v.message.Hidden = msg == ""
	v.check()
	ui.Reflow(v.content) // the message and progress bar came or went
}

// unlockMessage says what went wrong opening a store, and what to do.
func unlockMessage(err error) string {
	switch {
	case errors.Is(err, store.ErrWrongPassphrase):
		return "Wrong passphrase. Nothing was changed; check Caps Lock and try again."
	case errors.Is(err, store.ErrLocked):
		return "The store is in use by another Chartline. Close the other window, then try again."
	case errors.Is(err, store.ErrNewerFormat):
		return "The store was written by a newer version of Chartline. Update Chartline to open it; this version leaves it untouched."
	case errors.Is(err, store.ErrCorrupt):
		return "The store file is damaged or is not a Chartline store. Restore it from a backup, or move it aside to create a new store (the records are received again from the cluster)."
	case errors.Is(err, store.ErrTampered):
		return "The store failed its integrity check: it was damaged or edited. Restore it from a backup, or move it aside to create a new store."
	case errors.Is(err, store.ErrExists):
		return "A store appeared at this path meanwhile. Restart Chartline to unlock it."
	case errors.Is(err, store.ErrNotFound):
		return "There is no store at this path any more. Restart Chartline to create one."
	}
	return fmt.Sprintf("The store could not be opened: %v", err)
}

// strength is a passphrase's estimated strength.
type strength struct {
	bits       float64
	level      string // "", "too short", "weak", "fair", "strong"
	hint       string
	acceptable bool
}

// passphraseStrength estimates a passphrase's strength from its length and
// the kinds of characters it uses (a rough entropy estimate: length ×
// log2(alphabet), halved when characters repeat a lot). It guides, it does
// not guarantee: "correct horse battery staple" style passphrases score well
// because they are long.
func passphraseStrength(p string) strength {
	runes := []rune(p)
	if len(runes) == 0 {
		return strength{hint: fmt.Sprintf("Use at least %d characters; a few unrelated words work well.", minPassphrase)}
	}
	var lower, upper, digit, other, nonASCII bool
	unique := map[rune]bool{}
	for _, r := range runes {
		unique[r] = true
		switch {
		case r > unicode.MaxASCII:
			nonASCII = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	pool := 0
	for _, k := range []struct {
		on bool
		n  int
	}{{lower, 26}, {upper, 26}, {digit, 10}, {other, 33}, {nonASCII, 100}} {
		if k.on {
			pool += k.n
		}
	}
	bits := float64(len(runes)) * math.Log2(float64(pool))
	if len(unique)*2 < len(runes) {
		bits /= 2
	}
	s := strength{bits: bits}
	switch {
	case len(runes) < minPassphrase:
		s.level, s.hint = "too short", fmt.Sprintf("Too short: use at least %d characters.", minPassphrase)
	case bits < 50:
		s.level, s.hint, s.acceptable = "weak", "Weak: add another word or a few characters.", true
	case bits < 70:
		s.level, s.hint, s.acceptable = "fair", "Fair: a longer passphrase would be stronger.", true
	default:
		s.level, s.hint, s.acceptable = "strong", "Strong.", true
	}
	return s
}

// widthLayout gives its content a fixed width (and its own height).
type widthLayout struct{ width float32 }

func (l *widthLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l *widthLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(l.width, h)
}
