package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// testShell is a shell with two screens whose pages are plain labels.
func testShell(t *testing.T) (*Shell, fyne.Window, map[string]int) {
	t.Helper()
	test.NewTempApp(t)
	test.ApplyTheme(t, NewTheme(ModeLight))
	w := test.NewTempWindow(t, nil)
	w.SetTitle("Chartline")
	w.Resize(fyne.NewSize(800, 600))
	built := map[string]int{}
	s := NewShell(w, NewStatusBar())
	for _, id := range []string{"one", "two"} {
		s.AddScreen(Screen{ID: id, Title: "Screen " + id, Icon: theme.HomeIcon(), Root: func() *Page {
			built[id]++
			e := NewSearchEntry("search " + id)
			return &Page{Title: id, Content: container.NewVBox(widget.NewLabel("root "+id), e), Search: e}
		}})
	}
	s.Install()
	return s, w, built
}

func TestShellStack(t *testing.T) {
	s, w, built := testShell(t)
	if s.Current() != "one" || s.Depth() != 1 || built["one"] != 1 || built["two"] != 0 {
		t.Fatalf("after Install: current %q depth %d built %v; want the first screen only", s.Current(), s.Depth(), built)
	}
	closed := 0
	s.Push(&Page{Title: "detail", Content: widget.NewLabel("detail"), OnClose: func() { closed++ }})
	if s.Depth() != 2 || s.Top().Title != "detail" || w.Title() != "Chartline — detail" {
		t.Fatalf("after Push: depth %d top %q title %q", s.Depth(), s.Top().Title, w.Title())
	}
	// Switching screens keeps each screen's stack.
	s.Show("two")
	if s.Depth() != 1 || built["two"] != 1 {
		t.Fatalf("screen two: depth %d built %v", s.Depth(), built)
	}
	s.Show("one")
	if s.Depth() != 2 || s.Top().Title != "detail" || built["one"] != 1 {
		t.Fatalf("back on screen one: depth %d top %q built %v; the pushed page should still be there", s.Depth(), s.Top().Title, built)
	}
	// Escape with nothing focused goes back, once; the root never closes.
	s.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if s.Depth() != 1 || closed != 1 {
		t.Fatalf("after Escape: depth %d, OnClose called %d times", s.Depth(), closed)
	}
	if s.Back() || s.Depth() != 1 || closed != 1 {
		t.Fatalf("Back on the root page must do nothing")
	}
	// Choosing the screen shown again goes back to its first page.
	s.Push(&Page{Title: "a", Content: widget.NewLabel("a"), OnClose: func() { closed++ }})
	s.Push(&Page{Title: "b", Content: widget.NewLabel("b"), OnClose: func() { closed++ }})
	s.Show("one")
	if s.Depth() != 1 || s.Top().Title != "one" || closed != 3 || built["one"] != 1 {
		t.Fatalf("screen one chosen again: depth %d top %q closed %d built %v; want its root page, two pages closed", s.Depth(), s.Top().Title, closed, built)
	}
	s.Show("nope") // unknown screens are ignored
	if s.Current() != "one" {
		t.Fatalf("unknown screen switched to %q", s.Current())
	}
}

func TestShellFocusSearchAndKeys(t *testing.T) {
	s, w, _ := testShell(t)
	s.FocusSearch()
	if w.Canvas().Focused() != s.Top().Search {
		t.Fatalf("Ctrl+F did not focus the page's search")
	}
	searched := 0
	keys := []fyne.KeyName{}
	p := &Page{Title: "p", Content: widget.NewLabel("p"), OnSearch: func() { searched++ },
		OnKey: func(ev *fyne.KeyEvent) bool { keys = append(keys, ev.Name); return true }}
	s.Push(p)
	if w.Canvas().Focused() != nil {
		t.Fatalf("a page without Focus must leave nothing focused")
	}
	s.FocusSearch()
	if searched != 1 {
		t.Fatalf("OnSearch called %d times", searched)
	}
	s.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	s.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(keys) != 2 || keys[0] != fyne.KeyDown || keys[1] != fyne.KeyReturn {
		t.Fatalf("page keys %v, want Down, Return", keys)
	}
}

func TestShellRail(t *testing.T) {
	s, _, _ := testShell(t)
	if b := s.buttons["one"]; b.Importance != widget.HighImportance || s.buttons["two"].Importance != widget.LowImportance {
		t.Fatalf("the current screen's button is not the highlighted one")
	}
	s.SetBadge("two", 3)
	if got := s.buttons["two"].Text; got != "Screen two (3)" {
		t.Fatalf("badge: %q", got)
	}
	s.SetBadge("two", 0)
	if got := s.buttons["two"].Text; got != "Screen two" {
		t.Fatalf("badge removed: %q", got)
	}
	test.Tap(s.buttons["two"])
	if s.Current() != "two" || s.buttons["two"].Importance != widget.HighImportance {
		t.Fatalf("tapping the rail did not switch screens")
	}
}

func TestSearchEntryKeys(t *testing.T) {
	test.NewTempApp(t)
	e := NewSearchEntry("find")
	w := test.NewTempWindow(t, e)
	w.Canvas().Focus(e)
	var moves []int
	escapes := 0
	submitted := ""
	e.OnMove = func(d int) { moves = append(moves, d) }
	e.OnEscape = func() { escapes++ }
	e.OnSubmitted = func(s string) { submitted = s }
	test.Type(e, "nunez")
	for _, k := range []fyne.KeyName{fyne.KeyDown, fyne.KeyDown, fyne.KeyUp, fyne.KeyPageDown, fyne.KeyPageUp} {
		e.TypedKey(&fyne.KeyEvent{Name: k})
	}
	if want := []int{1, 1, -1, 10, -10}; len(moves) != len(want) || moves[0] != 1 || moves[2] != -1 || moves[3] != 10 || moves[4] != -10 {
		t.Fatalf("moves %v, want %v", moves, want)
	}
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if submitted != "nunez" {
		t.Fatalf("Enter submitted %q", submitted)
	}
	// Escape clears first, then goes back.
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if e.Text != "" || escapes != 0 {
		t.Fatalf("first Escape: text %q, escapes %d; want cleared, 0", e.Text, escapes)
	}
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if escapes != 1 {
		t.Fatalf("second Escape: escapes %d, want 1", escapes)
	}
	// Other keys still edit the text.
	test.Type(e, "ab")
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
	if e.Text != "a" {
		t.Fatalf("Backspace: text %q, want a", e.Text)
	}
}

func TestWindowShortcut(t *testing.T) {
	ctrl := fyne.KeyModifierShortcutDefault
	for _, tc := range []struct {
		s    fyne.Shortcut
		want bool
	}{
		{&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: ctrl}, true},
		{&desktop.CustomShortcut{KeyName: fyne.Key1, Modifier: ctrl}, true},
		{&desktop.CustomShortcut{KeyName: fyne.KeyLeft, Modifier: ctrl}, false}, // word move stays in the entry
		{&desktop.CustomShortcut{KeyName: fyne.KeyBackspace, Modifier: ctrl}, false},
		{&fyne.ShortcutCopy{}, false},
		{&fyne.ShortcutSelectAll{}, false},
	} {
		if got := windowShortcut(tc.s); got != tc.want {
			t.Errorf("windowShortcut(%s) = %v, want %v", tc.s.ShortcutName(), got, tc.want)
		}
	}
}

func TestStatusBar(t *testing.T) {
	test.NewTempApp(t)
	test.ApplyTheme(t, NewTheme(ModeLight))
	b := NewStatusBar()
	taps := 0
	b.OnQuarantine = func() { taps++ }
	w := test.NewTempWindow(t, b)
	w.Resize(fyne.NewSize(1000, 60))
	for _, tc := range []struct {
		name string
		v    StatusView
	}{
		{"status_live.xml", StatusView{Level: StatusOK, State: "Live", Brokers: "Broker: 127.0.0.1:9092", Lag: "Up to date"}},
		{"status_catchingup.xml", StatusView{Level: StatusBusy, State: "Catching up", Detail: "40% done", Brokers: "Brokers: a:9092, b:9092", Lag: "Lag: 12,000 records", ShowProgress: true, Progress: 0.4, Quarantined: 3}},
		{"status_offline.xml", StatusView{Level: StatusBad, State: "Offline since 14:02", Detail: "showing stored data", Quarantined: 1}},
	} {
		b.Set(tc.v)
		test.AssertRendersToMarkup(t, tc.name, w.Canvas())
	}
	if b.quar.Importance != widget.WarningImportance || b.quar.Text != "1 quarantined record" {
		t.Fatalf("quarantine button: %q importance %v", b.quar.Text, b.quar.Importance)
	}
	test.Tap(b.quar)
	if taps != 1 {
		t.Fatalf("tapping the quarantine count called OnQuarantine %d times", taps)
	}
	b.Set(StatusView{State: "Live", Level: StatusOK})
	if b.quar.Importance != widget.LowImportance || !b.progress.Hidden {
		t.Fatalf("a live status with nothing quarantined must show no warning and no progress")
	}
}

func TestTappable(t *testing.T) {
	test.NewTempApp(t)
	n := 0
	tp := NewTappable(widget.NewLabel("line"), func() { n++ })
	w := test.NewTempWindow(t, tp)
	w.Resize(fyne.NewSize(200, 60))
	test.Tap(tp)
	test.Tap(tp)
	if n != 2 {
		t.Fatalf("tapped twice, ran %d times", n)
	}
	tp.MouseIn(nil)
	if !tp.hover.Visible() {
		t.Fatal("no hover highlight")
	}
	tp.MouseOut()
	if tp.hover.Visible() {
		t.Fatal("hover highlight stayed")
	}
}

// TestShellNotices: one notification strip at most; a newer one replaces
// it, and clearing one already replaced leaves the newer.
func TestShellNotices(t *testing.T) {
	s, _, _ := testShell(t)
	a, b := widget.NewLabel("first"), widget.NewLabel("second")
	s.ShowNotice(a)
	s.ShowNotice(b)
	if s.Notices() != 1 || s.notices.Objects[0] != b {
		t.Fatalf("notices %d, want the second alone", s.Notices())
	}
	s.ClearNotice(a)
	if s.Notices() != 1 || s.notices.Objects[0] != b {
		t.Fatalf("after clearing the replaced one: %d left", s.Notices())
	}
	s.Push(&Page{Title: "p", Content: widget.NewLabel("p")})
	if s.Notices() != 1 {
		t.Fatal("a notice must stay across pages")
	}
}

// TestRailFixedWidth: the rail is as wide with a count as without, up to
// the largest count it writes.
func TestRailFixedWidth(t *testing.T) {
	s, _, _ := testShell(t)
	rail := s.railBox
	widths := map[float32][]int{}
	for _, n := range []int{0, 3, 12, 999, 4000} {
		s.SetBadge(s.screens[0].ID, n)
		w := rail.MinSize().Width
		widths[w] = append(widths[w], n)
		for _, b := range s.buttons {
			if b.MinSize().Width > w {
				t.Errorf("count %d: a rail button is %v wide in a %v rail", n, b.MinSize().Width, w)
			}
		}
	}
	if len(widths) != 1 {
		t.Errorf("the rail's width changes with its count: %v", widths)
	}
	if got := railText("Alert inbox", 4000); got != "Alert inbox (99+)" {
		t.Errorf("railText = %q", got)
	}
}
