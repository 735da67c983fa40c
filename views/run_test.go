package views

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/chartline/chartline/app/config"
	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/app/session"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// waitFor polls cond (which must not touch widgets) until it holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRunDemo runs the app as `chartline demo` does: the embedded broker
// with the fixtures, the real feed and engine, no unlock screen. The census
// fills and the status bar says live. Widgets are read only after Close,
// when every background goroutine has ended.
func TestRunDemo(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg := config.Default()
	cfg.Theme = ui.ModeLight
	ss, err := session.Demo(ctx, session.DemoOptions{NoSimulator: true, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	defer ss.Close()
	if err := ss.FixturesLoaded(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ss.WaitCaughtUp(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := ss.Store().Census(); len(n) != len(demo.Patients()) {
		t.Fatalf("the demo session caught up with %d patients", len(n))
	}
	u := Run(ctx, Options{Window: w, Config: cfg, Session: ss, Now: func() time.Time { return fixtureNow }, Location: time.UTC})
	waitFor(t, "the status bar", func() bool { return u.statusShown.Load() > 0 })
	u.Close()
	u.Close() // twice is harmless

	e := u.env
	if got := len(e.census.rows); got != len(demo.Patients()) {
		t.Errorf("the census shows %d patients, want %d (loaded %v, count %q)", got, len(demo.Patients()), e.census.loaded, e.census.count.Text)
	}
	entries, err := ss.Store().Census()
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range entries {
		t.Logf("%s %q %d", en.Collection, en.Status.Band, en.Status.NEWS2)
		r := e.census.rows[e.census.index[en.Collection]]
		if r.Band != en.Status.Band && !(r.Band == "none" && en.Status.Band == "") || r.Alerts != en.Status.OpenAlerts {
			t.Errorf("%s: row shows %s/%d alerts, store holds %q/%d", en.Collection, r.Band, r.Alerts, en.Status.Band, en.Status.OpenAlerts)
		}
	}
	if v := e.status.bar.View(); v.State != "Live" || v.Level != ui.StatusOK || v.Brokers == "" {
		t.Errorf("status bar %+v, want live with its broker", v)
	}
	if th, ok := test.NewTempApp(t).Settings().Theme().(*ui.Theme); ok && th.Mode() != ui.ModeLight {
		t.Errorf("theme mode %q, want light", th.Mode())
	}
	if w.Content() != e.shell.Content() {
		t.Errorf("the window does not show the shell")
	}
	// Demo mode: the session is the caller's; Close left it running.
	if _, err := ss.Store().Census(); err != nil {
		t.Errorf("the demo store was closed by the UI: %v", err)
	}
}

// TestRunUnlock runs the app as plain `chartline` does on a fresh profile:
// the unlock screen creates the store, the session starts, the census shows.
func TestRunUnlock(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	path := filepath.Join(t.TempDir(), "chartline.db")
	cfg := config.Default()
	cfg.Conn.Brokers = []string{"127.0.0.1:1"} // nothing listens: the feed keeps trying
	u := Run(ctx, Options{Window: w, Config: cfg, StorePath: path, StoreOptions: &store.Options{KDF: store.TestKDF}})
	defer u.Close()
	v := u.unlock
	if v == nil || w.Content() != v.content || w.Canvas().Focused() != v.pass {
		t.Fatal("Run did not show the unlock screen with the passphrase focused")
	}
	v.pass.SetText("correct horse battery staple")
	v.confirm.SetText("correct horse battery staple")
	test.Tap(v.button)
	waitFor(t, "the census", func() bool {
		u.mu.Lock()
		defer u.mu.Unlock()
		return u.env != nil
	})
	waitFor(t, "the status bar", func() bool { return u.statusShown.Load() > 0 })
	u.Close()
	if !store.Exists(path) {
		t.Fatal("no store was created")
	}
	e := u.env
	if e.census == nil || len(e.census.rows) != 0 || e.census.empty.Hidden {
		t.Errorf("a new store's census should be empty and say so")
	}
	if v := e.status.bar.View(); v.Level == ui.StatusOK {
		t.Errorf("status %+v with no reachable broker", v)
	}
	if u.session == nil || u.store == nil {
		t.Errorf("the UI did not keep the session and store it opened")
	}
}

// TestPrepareDesktop: a missing cache directory is created (Fyne would log
// "Failed to create fyne cache space"), and FYNE_THEME is set only when no
// D-Bus session bus can be reached (Fyne would log "failed to watch theme
// settings" on every start) and the user has not set it.
func TestPrepareDesktop(t *testing.T) {
	dbusDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dbusDir, "dbus-launch"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		env       map[string]string
		wantTheme string
	}{
		{"no bus", map[string]string{"PATH": t.TempDir()}, "dark"},
		{"bus address", map[string]string{"DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1000/bus"}, ""},
		{"dbus-launch on PATH", map[string]string{"PATH": t.TempDir() + string(os.PathListSeparator) + dbusDir}, ""},
		{"no bus, the user's choice", map[string]string{"FYNE_THEME": "light"}, "light"},
		{"XDG cache", map[string]string{"XDG_CACHE_HOME": filepath.Join(t.TempDir(), "xdg", "cache")}, "dark"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := filepath.Join(t.TempDir(), "home")
			env := map[string]string{"HOME": home}
			for k, v := range tc.env {
				env[k] = v
			}
			getenv := func(k string) string { return env[k] }
			setenv := func(k, v string) error { env[k] = v; return nil }
			if err := PrepareDesktop(getenv, setenv); err != nil {
				t.Fatal(err)
			}
			if env["FYNE_THEME"] != tc.wantTheme {
				t.Errorf("FYNE_THEME %q, want %q", env["FYNE_THEME"], tc.wantTheme)
			}
			cache := filepath.Join(home, ".cache")
			if d := tc.env["XDG_CACHE_HOME"]; d != "" {
				cache = d
			}
			if runtime.GOOS == "linux" {
				if fi, err := os.Stat(cache); err != nil || !fi.IsDir() {
					t.Errorf("the cache directory %s was not created: %v", cache, err)
				}
			}
		})
	}
}

// TestCheckDisplay: with no $DISPLAY the desktop says so and what to run
// instead, rather than GLFW's panic; with one it goes on.
func TestCheckDisplay(t *testing.T) {
	env := func(display string) func(string) string {
		return func(k string) string {
			if k == "DISPLAY" {
				return display
			}
			return ""
		}
	}
	if err := CheckDisplay(env(":99")); err != nil {
		t.Errorf("with DISPLAY=:99: %v", err)
	}
	err := CheckDisplay(env(""))
	if runtime.GOOS == "linux" && (err == nil || !strings.Contains(err.Error(), "DISPLAY") || !strings.Contains(err.Error(), "chartline ingest")) {
		t.Errorf("with no DISPLAY: %v, want an error naming $DISPLAY and chartline ingest", err)
	}
}
