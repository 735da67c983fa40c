package ui

import (
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// SearchEntry is a one-line entry for searching a list while typing. It
// keeps the keyboard in one place: Up and Down (and Page Up/Down) move the
// list's cursor through OnMove, Enter opens through OnSubmitted, and Escape
// clears the text or, when it is already empty, goes back through
// OnEscape. Shortcuts the entry does not use itself (Ctrl+F and friends) go
// on to the window, so they work while the entry has the focus.
type SearchEntry struct {
	widget.Entry
	// OnMove is called with -1/+1 for Up/Down and -10/+10 for Page Up/Down.
	OnMove func(delta int)
	// OnEscape is called on Escape when the entry is empty.
	OnEscape func()
	// Release, when set, is how long the entry keeps the keyboard focus
	// without a key before it lets go. A focused entry's cursor blinks by
	// animation, and each fade repaints the whole window about a dozen
	// times a second: all shift long, on a workstation that idles on the
	// census. A page that types into its search (Type, from its OnRune)
	// loses nothing when the focus goes: the next key searches again.
	Release time.Duration

	mu        sync.Mutex
	lastKey   time.Time
	timer     *time.Timer
	afterFunc func(time.Duration, func()) *time.Timer // time.AfterFunc; tests run the release themselves
}

// NewSearchEntry returns a search entry with a placeholder and a search icon.
func NewSearchEntry(placeholder string) *SearchEntry {
	e := &SearchEntry{}
	e.ExtendBaseWidget(e)
	e.PlaceHolder = placeholder
	e.ActionItem = widget.NewIcon(theme.SearchIcon())
	return e
}

// Type focuses the entry and types r into it: type-to-search for a page
// whose search is not focused (its OnRune).
func (e *SearchEntry) Type(r rune) {
	if c := canvasOf(e); c != nil {
		c.Focus(e)
	}
	e.TypedRune(r)
}

// TypedRune types r and restarts the release clock.
func (e *SearchEntry) TypedRune(r rune) {
	e.touch()
	e.Entry.TypedRune(r)
}

// FocusGained starts the release clock.
func (e *SearchEntry) FocusGained() {
	e.touch()
	e.Entry.FocusGained()
}

// FocusLost stops the release clock.
func (e *SearchEntry) FocusLost() {
	e.mu.Lock()
	if e.timer != nil {
		e.timer.Stop()
		e.timer = nil
	}
	e.mu.Unlock()
	e.Entry.FocusLost()
}

// touch notes a key (or the focus arriving) and arms the release timer.
func (e *SearchEntry) touch() {
	if e.Release <= 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.lastKey = time.Now()
	if e.timer == nil {
		e.timer = e.after(e.Release, e.release)
	}
}

// release lets the focus go when no key came for Release, else waits for
// the rest of it.
func (e *SearchEntry) release() {
	e.mu.Lock()
	e.timer = nil
	wait := e.Release - time.Since(e.lastKey)
	if wait > 0 {
		e.timer = e.after(wait, e.release)
		e.mu.Unlock()
		return
	}
	e.mu.Unlock()
	fyne.Do(func() {
		if c := canvasOf(e); c != nil && c.Focused() == e {
			c.Unfocus()
		}
	})
}

func (e *SearchEntry) after(d time.Duration, f func()) *time.Timer {
	if e.afterFunc != nil {
		return e.afterFunc(d, f)
	}
	return time.AfterFunc(d, f)
}

// canvasOf is the canvas that shows obj, nil when none does.
func canvasOf(obj fyne.CanvasObject) fyne.Canvas {
	app := fyne.CurrentApp()
	if app == nil {
		return nil
	}
	return app.Driver().CanvasForObject(obj)
}

// pageStep is how far Page Up/Down move a list cursor.
const pageStep = 10

// TypedKey moves the list cursor, handles Escape, and passes every other key
// to the entry.
func (e *SearchEntry) TypedKey(ev *fyne.KeyEvent) {
	e.touch()
	move := 0
	switch ev.Name {
	case fyne.KeyUp:
		move = -1
	case fyne.KeyDown:
		move = 1
	case fyne.KeyPageUp:
		move = -pageStep
	case fyne.KeyPageDown:
		move = pageStep
	case fyne.KeyEscape:
		if e.Text != "" {
			e.SetText("")
			return
		}
		if e.OnEscape != nil {
			e.OnEscape()
		}
		return
	}
	if move != 0 {
		if e.OnMove != nil {
			e.OnMove(move)
		}
		return
	}
	e.Entry.TypedKey(ev)
}

// TypedShortcut passes the window's shortcuts (a modifier with a letter or
// digit, which an entry has no use for) on to the window's canvas, and the
// rest (word moves, copy, paste) to the entry.
func (e *SearchEntry) TypedShortcut(s fyne.Shortcut) {
	if windowShortcut(s) && forwardShortcut(e, s) {
		return
	}
	e.Entry.TypedShortcut(s)
}

// windowShortcut reports whether s is a window-level shortcut: a modifier
// with a letter or digit key that is not one of the standard edit shortcuts
// (those arrive as fyne.ShortcutCopy and friends, not CustomShortcut).
func windowShortcut(s fyne.Shortcut) bool {
	cs, ok := s.(*desktop.CustomShortcut)
	if !ok || len(cs.KeyName) != 1 {
		return false
	}
	k := cs.KeyName[0]
	return k >= 'A' && k <= 'Z' || k >= '0' && k <= '9'
}

// forwardShortcut hands a shortcut to the canvas that holds obj; it reports
// whether the canvas took it.
func forwardShortcut(obj fyne.CanvasObject, s fyne.Shortcut) bool {
	c := canvasOf(obj)
	if t, ok := c.(interface{ TypedShortcut(fyne.Shortcut) }); ok {
		t.TypedShortcut(s)
		return true
	}
	return false
}

// NoteEntry is a multi-line entry for a note that goes with an action.
// Ctrl+Enter submits it (OnSubmit) and Escape hands the keyboard back to
// the page (OnEscape), so a note never needs the mouse.
type NoteEntry struct {
	widget.Entry
	// OnSubmit is called on Ctrl+Enter with the text.
	OnSubmit func(text string)
	// OnEscape is called on Escape.
	OnEscape func()
}

// NewNoteEntry returns a note entry with a placeholder, three lines high.
func NewNoteEntry(placeholder string) *NoteEntry {
	e := &NoteEntry{}
	e.ExtendBaseWidget(e)
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.SetMinRowsVisible(3)
	e.PlaceHolder = placeholder
	return e
}

// TypedKey handles Escape and passes every other key to the entry.
func (e *NoteEntry) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape {
		if e.OnEscape != nil {
			e.OnEscape()
		}
		return
	}
	e.Entry.TypedKey(ev)
}

// TypedShortcut submits on Ctrl+Enter, passes window shortcuts on, and
// gives the rest to the entry.
func (e *NoteEntry) TypedShortcut(s fyne.Shortcut) {
	if cs, ok := s.(*desktop.CustomShortcut); ok && (cs.KeyName == fyne.KeyReturn || cs.KeyName == fyne.KeyEnter) &&
		cs.Modifier == fyne.KeyModifierShortcutDefault {
		if e.OnSubmit != nil {
			e.OnSubmit(e.Text)
		}
		return
	}
	if windowShortcut(s) && forwardShortcut(e, s) {
		return
	}
	e.Entry.TypedShortcut(s)
}
