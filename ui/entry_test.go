package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// TestSearchEntryRelease: a search entry with Release lets the focus go
// once that long passed without a key, keeps its text, and holds the
// focus while keys keep coming. The test runs the timer's callback itself,
// on its own goroutine, as the test driver needs.
func TestSearchEntryRelease(t *testing.T) {
	test.NewTempApp(t)
	e := NewSearchEntry("Search")
	var fire func()
	e.afterFunc = func(_ time.Duration, f func()) *time.Timer {
		fire = f
		return time.AfterFunc(time.Hour, func() {})
	}
	w := test.NewWindow(e)
	defer w.Close()

	// Keys keep coming: the release waits for the rest of the interval.
	e.Release = time.Hour
	w.Canvas().Focus(e)
	test.Type(e, "ab")
	if fire == nil {
		t.Fatal("focusing the entry armed no release")
	}
	f := fire
	fire = nil
	f()
	if w.Canvas().Focused() != e || fire == nil {
		t.Fatalf("released with a key a moment ago (focused %T), or no new wait armed", w.Canvas().Focused())
	}

	// Nothing typed for Release: the focus goes, the text stays.
	e.Release = time.Millisecond
	time.Sleep(5 * time.Millisecond)
	fire()
	if f := w.Canvas().Focused(); f != nil {
		t.Fatalf("still focused (%T) after Release without a key", f)
	}
	if e.Text != "ab" {
		t.Fatalf("the release changed the text to %q", e.Text)
	}

	// Type focuses and types: the search goes on from its text.
	e.Type('c')
	if w.Canvas().Focused() != e || e.Text != "abc" {
		t.Fatalf("Type: focused %T, text %q; want the entry with %q", w.Canvas().Focused(), e.Text, "abc")
	}

	// Without Release nothing is armed.
	w.Canvas().Unfocus()
	e.Release, fire = 0, nil
	w.Canvas().Focus(e)
	if fire != nil {
		t.Fatal("an entry without Release armed a release")
	}
}
