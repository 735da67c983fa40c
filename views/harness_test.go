package views

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// windowSize is the fixed size of every screen test.
var windowSize = fyne.NewSize(1280, 800)

// newTestEnv builds the shell over a store in a headless test window: fixed
// clock, UTC, light theme, fixed size, and store reads run inline so every
// step is deterministic.
func newTestEnv(t *testing.T, s *store.Store, mode string) (*env, fyne.Window) {
	t.Helper()
	return newTestEnvWith(t, s, mode, nil)
}

// newTestEnvWith is newTestEnv with options changed by set (an engine, a
// notifier, settings) before the shell is built.
func newTestEnvWith(t *testing.T, s *store.Store, mode string, set func(o *envOptions)) (*env, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	test.ApplyTheme(t, ui.NewTheme(mode))
	w := test.NewTempWindow(t, nil)
	w.Resize(windowSize)
	o := envOptions{
		window: w, store: s,
		now:   func() time.Time { return fixtureNow },
		loc:   time.UTC,
		async: func(fn func()) { fn() },
	}
	if set != nil {
		set(&o)
	}
	e := newEnv(o)
	e.shell.Install()
	e.start()
	w.Resize(windowSize)
	return e, w
}

// shot writes the window as a PNG under testdata/screens, for people to look
// at (the golden comparisons are in markup), when CHARTLINE_SCREENS is set:
// CHARTLINE_SCREENS=1 go test -tags x11 ./views/
func shot(t *testing.T, w fyne.Window, name string) {
	t.Helper()
	if os.Getenv("CHARTLINE_SCREENS") == "" {
		return
	}
	dir := filepath.Join("testdata", "screens")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, w.Canvas().Capture()); err != nil {
		t.Fatal(err)
	}
}
