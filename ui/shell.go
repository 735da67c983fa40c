package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Page is one screenful: the census, a patient's chart, the alert inbox.
// Pages stack within a screen: the patient view opens over the census and
// Back (or Escape) returns to it.
type Page struct {
	// Title names the page (for the window title).
	Title string
	// Content is what the page shows.
	Content fyne.CanvasObject
	// Search is what Ctrl+F focuses; nil when the page has no search.
	Search fyne.Focusable
	// OnSearch is called on Ctrl+F before Search is focused (to bring the
	// search into view, e.g. switch tabs).
	OnSearch func()
	// Focus is focused when the page shows; nil leaves the focus alone.
	Focus fyne.Focusable
	// OnKey handles keys that reach the window with nothing focused
	// (Up/Down/Enter in a list); it reports whether it used the key.
	OnKey func(*fyne.KeyEvent) bool
	// OnRune handles typed characters that reach the window with nothing
	// focused. A key that moves the focus into a text field belongs here
	// (N focuses the inbox's note): the character is consumed by the
	// window, so it is never typed into the field it focused.
	OnRune func(rune) bool
	// OnShow is called each time the page comes to the top, OnHide each
	// time another page (or screen) takes its place.
	OnShow func()
	OnHide func()
	// OnClose is called when the page is popped off its stack.
	OnClose func()
	// SelectTab is called on Alt+1… with 0…, for a page with tabs.
	SelectTab func(i int)
	// OnLeave, when set, is asked before another screen replaces the page
	// (unsaved edits): true lets it go at once; false holds it, and the
	// page calls proceed when the user agrees.
	OnLeave func(proceed func()) bool
}

// Screen is one entry of the navigation rail with its page stack.
type Screen struct {
	ID    string
	Title string
	Icon  fyne.Resource
	// Root builds the screen's first page, on first show.
	Root func() *Page
}

// Shell is the window's frame: the navigation rail on the left, the current
// screen's top page in the middle, and the status bar at the bottom. It
// owns the keyboard shortcuts that work everywhere: Ctrl+F focuses the
// page's search, Escape goes back, Ctrl+1… switch screens, Alt+1… switch
// the page's tabs.
type Shell struct {
	// Title starts the window title, before the page's ("Chartline — demo —
	// Census"); default the window's title when the shell was made.
	Title string

	win     fyne.Window
	status  fyne.CanvasObject
	screens []Screen
	stacks  map[string][]*Page
	buttons map[string]*widget.Button
	badges  map[string]int
	current string
	locked  bool // see Lock: input and the window title are held back

	rail    *fyne.Container
	railBox fyne.CanvasObject // the rail with its background, as laid out
	notices *fyne.Container
	body    *fyne.Container
	content fyne.CanvasObject
	shown   *Page // the page in body
}

// NewShell returns a shell for a window with a status bar (nil for none).
// Add screens, then call Install to put it in the window.
func NewShell(w fyne.Window, status fyne.CanvasObject) *Shell {
	title0 := w.Title()
	if title0 == "" {
		title0 = "Chartline"
	}
	s := &Shell{
		Title: title0,
		win:   w, status: status,
		stacks:  map[string][]*Page{},
		buttons: map[string]*widget.Button{},
		badges:  map[string]int{},
		rail:    container.NewVBox(),
		notices: container.NewVBox(),
		body:    container.NewStack(),
	}
	title := widget.NewLabel("Chartline")
	title.TextStyle.Bold = true
	title.SizeName = theme.SizeNameSubHeadingText
	s.rail.Add(title)
	rail := container.NewStack(NewBackground(ColorRail), container.New(&railLayout{s: s}, container.NewPadded(s.rail)))
	var bottom fyne.CanvasObject
	if status != nil {
		bottom = status
	}
	s.railBox = rail
	main := container.NewBorder(s.notices, nil, nil, nil, s.body)
	s.content = container.NewBorder(nil, bottom, rail, nil, main)
	return s
}

// Content is the shell's canvas object, for Window.SetContent.
func (s *Shell) Content() fyne.CanvasObject { return s.content }

// AddScreen adds a screen to the rail, in order.
func (s *Shell) AddScreen(sc Screen) {
	s.screens = append(s.screens, sc)
	id := sc.ID
	b := widget.NewButtonWithIcon(sc.Title, sc.Icon, func() { s.Show(id) })
	b.Alignment = widget.ButtonAlignLeading
	b.Importance = widget.LowImportance
	s.buttons[id] = b
	s.rail.Add(b)
}

// Install puts the shell in its window and registers the window-wide
// shortcuts, then shows the first screen.
func (s *Shell) Install() {
	c := s.win.Canvas()
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault},
		func(fyne.Shortcut) { s.FocusSearch() })
	for i, sc := range s.screens {
		if i >= 9 {
			break
		}
		id := sc.ID
		key := fyne.KeyName(fmt.Sprint(i + 1))
		c.AddShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault},
			func(fyne.Shortcut) { s.Show(id) })
	}
	for i := range 9 {
		c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyName(fmt.Sprint(i + 1)), Modifier: fyne.KeyModifierAlt},
			func(fyne.Shortcut) {
				if p := s.Top(); p != nil && p.SelectTab != nil && !s.locked {
					p.SelectTab(i)
				}
			})
	}
	c.SetOnTypedKey(s.TypedKey)
	c.SetOnTypedRune(s.TypedRune)
	s.win.SetContent(s.content)
	if len(s.screens) > 0 && s.current == "" {
		s.Show(s.screens[0].ID)
	}
}

// TypedKey handles a key that reached the window with nothing focused:
// Escape goes back; anything else goes to the top page's OnKey.
func (s *Shell) TypedKey(ev *fyne.KeyEvent) {
	if s.locked {
		return
	}
	if ev.Name == fyne.KeyEscape {
		s.Back()
		return
	}
	if p := s.Top(); p != nil && p.OnKey != nil {
		p.OnKey(ev)
	}
}

// TypedRune hands a character that reached the window with nothing
// focused to the top page's OnRune.
func (s *Shell) TypedRune(r rune) {
	if p := s.Top(); p != nil && p.OnRune != nil {
		p.OnRune(r)
	}
}

// Current is the id of the screen shown.
func (s *Shell) Current() string { return s.current }

// Top is the page on top of the current screen's stack, nil before Install.
func (s *Shell) Top() *Page {
	st := s.stacks[s.current]
	if len(st) == 0 {
		return nil
	}
	return st[len(st)-1]
}

// Depth is the number of pages stacked on the current screen.
func (s *Shell) Depth() int { return len(s.stacks[s.current]) }

// Show switches to a screen, building its first page the first time; the
// screen already shown goes back to its first page (as a rail button pressed
// twice does in most desktop apps).
func (s *Shell) Show(id string) {
	var sc *Screen
	for i := range s.screens {
		if s.screens[i].ID == id {
			sc = &s.screens[i]
		}
	}
	if sc == nil || s.locked || !s.mayLeave(func() { s.Show(id) }) {
		return
	}
	if s.current == id { // the screen shown, chosen again: back to its first page
		for s.Back() {
		}
		return
	}
	s.current = id
	if len(s.stacks[id]) == 0 && sc.Root != nil {
		if p := sc.Root(); p != nil {
			s.stacks[id] = []*Page{p}
		}
	}
	s.paintRail()
	s.showTop()
}

// Push opens a page over the current screen's top page.
func (s *Shell) Push(p *Page) {
	s.stacks[s.current] = append(s.stacks[s.current], p)
	s.showTop()
}

// Back closes the top page and shows the one under it; it reports whether
// there was one to go back to. The screen's first page never closes.
func (s *Shell) Back() bool {
	st := s.stacks[s.current]
	if len(st) < 2 {
		return false
	}
	top := st[len(st)-1]
	s.stacks[s.current] = st[:len(st)-1]
	if top.OnClose != nil {
		top.OnClose()
	}
	s.showTop()
	return true
}

// FocusSearch focuses the top page's search field, if it has one.
func (s *Shell) FocusSearch() {
	p := s.Top()
	if p == nil || s.locked {
		return
	}
	if p.OnSearch != nil {
		p.OnSearch()
	}
	if p.Search != nil {
		s.win.Canvas().Focus(p.Search)
	}
}

// ShowNotice puts the notification strip above every screen (a new high
// alert, a trial match) until ClearNotice removes it. There is one strip:
// showing another replaces it, so notices never stack down the screen (the
// strip itself counts what else is pending).
func (s *Shell) ShowNotice(n fyne.CanvasObject) {
	s.notices.Objects = []fyne.CanvasObject{n}
	s.notices.Refresh()
	s.content.Refresh()
}

// ClearNotice removes the strip ShowNotice put up (nothing if another
// replaced it since).
func (s *Shell) ClearNotice(n fyne.CanvasObject) {
	s.notices.Remove(n)
	s.content.Refresh()
}

// Notices is the number of strips shown: 0 or 1.
func (s *Shell) Notices() int { return len(s.notices.Objects) }

// SetBadge shows a count beside a screen's name in the rail ("Alert inbox
// (3)"); 0 removes it.
func (s *Shell) SetBadge(id string, n int) {
	s.badges[id] = n
	s.paintRail()
}

func (s *Shell) paintRail() {
	for _, sc := range s.screens {
		b := s.buttons[sc.ID]
		text := railText(sc.Title, s.badges[sc.ID])
		imp := widget.LowImportance
		if sc.ID == s.current {
			imp = widget.HighImportance
		}
		if b.Text != text || b.Importance != imp {
			b.Text, b.Importance = text, imp
			b.Refresh()
		}
	}
}

func (s *Shell) showTop() {
	p := s.Top()
	if prev := s.shown; prev != nil && prev != p && prev.OnHide != nil {
		prev.OnHide()
	}
	s.shown = p
	if p == nil {
		s.body.Objects = nil
		s.body.Refresh()
		return
	}
	s.body.Objects = []fyne.CanvasObject{p.Content}
	s.body.Refresh()
	s.showTitle()
	if p.OnShow != nil {
		p.OnShow()
	}
	if s.locked {
		return
	}
	if p.Focus != nil {
		s.win.Canvas().Focus(p.Focus)
	} else {
		s.win.Canvas().Unfocus()
	}
}

// railBadgeMax is the largest count the rail writes; more reads "99+".
const railBadgeMax = 99

// railText is a rail button's text: "Alert inbox", "Alert inbox (3)",
// "Alert inbox (99+)".
func railText(title string, n int) string {
	switch {
	case n <= 0:
		return title
	case n > railBadgeMax:
		return fmt.Sprintf("%s (%d+)", title, railBadgeMax)
	}
	return fmt.Sprintf("%s (%d)", title, n)
}

// railLayout gives the rail the width of its widest button with the widest
// count it can show ("Alert inbox (99+)"), so a count appearing, growing or
// going never widens the rail and shifts every screen beside it.
type railLayout struct{ s *Shell }

func (l *railLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l *railLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var m fyne.Size
	for _, o := range objs {
		m = m.Max(o.MinSize())
	}
	ts := theme.TextSize()
	bold := fyne.TextStyle{Bold: true}
	w := float32(0)
	for _, sc := range l.s.screens {
		tw := fyne.MeasureText(railText(sc.Title, railBadgeMax+1), ts, bold).Width
		// A button: inner padding either side, the icon and a gap; the
		// rail's own padding either side.
		w = max(w, tw+theme.IconInlineSize()+3*theme.InnerPadding()+2*theme.Padding())
	}
	m.Width = max(m.Width, w)
	return m
}
