package ui

import (
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
}

// NewSearchEntry returns a search entry with a placeholder and a search icon.
func NewSearchEntry(placeholder string) *SearchEntry {
	e := &SearchEntry{}
	e.ExtendBaseWidget(e)
	e.PlaceHolder = placeholder
	e.ActionItem = widget.NewIcon(theme.SearchIcon())
	return e
}

// pageStep is how far Page Up/Down move a list cursor.
const pageStep = 10

// TypedKey moves the list cursor, handles Escape, and passes every other key
// to the entry.
func (e *SearchEntry) TypedKey(ev *fyne.KeyEvent) {
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
	app := fyne.CurrentApp()
	if app == nil {
		return false
	}
	c := app.Driver().CanvasForObject(obj)
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
