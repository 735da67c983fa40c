package views

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/config"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/app/session"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// Options configure Run. Window is required; the rest have defaults.
type Options struct {
	// Window is the app's main window; Run sets its content and size.
	Window fyne.Window
	// Config is the settings (theme, store path, clinical policy, and the
	// connection the default Start uses).
	Config config.Config
	// Session, when set, is a running session (the demo): Run skips the
	// unlock screen and shows the census at once. The caller closes it.
	Session *session.Session
	// StorePath is the store to unlock; default Config.Store, else
	// store.DefaultPath().
	StorePath string
	// StoreOptions are passed to store.Open and store.Create (tests pass a
	// cheap KDF); nil is the production default.
	StoreOptions *store.Options
	// Start starts the session over an unlocked store; default
	// session.Start(ctx, Config, s, Log).
	Start func(ctx context.Context, s *store.Store) (*session.Session, error)
	// Now is the clock for ages and "since" times; default time.Now.
	Now func() time.Time
	// Location is the time zone times are shown in; default time.Local.
	Location *time.Location
	// Log receives errors (never PHI); default discards.
	Log *slog.Logger
	// ConfigPath is the settings file the settings screen saves to;
	// default config.Path().
	ConfigPath string
	// Notify sends a desktop notification; default the app's
	// SendNotification.
	Notify func(*fyne.Notification)
	// Fixed names the settings the site policy or the environment sets
	// (read-only in Settings); see config.Resolve.
	Fixed config.Fixed
	// SystemIdle is the display server's time since the last input, for the
	// idle lock; default the X server's where there is one (lock.go).
	SystemIdle func() (time.Duration, bool)
	// LockTick < 0 stops the idle lock's one-second tick (tests tick it).
	LockTick int
}

// UI is what Run started: the screens, the bridge that keeps them live and,
// after an unlock, the store and session it opened. Close stops it all.
type UI struct {
	o      Options
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// doMu serialises the UI updates background goroutines hand over. The
	// GLFW driver runs them on its one thread anyway; a test driver runs
	// them on the calling goroutine, where this keeps them apart.
	doMu sync.Mutex
	// statusShown counts feed statuses drawn (tests wait on it).
	statusShown atomic.Int64

	unlock *unlockView // the unlock screen, when one was shown
	lock   *lockView   // the idle lock, once the main screens show
	typed  *typedSecrets

	mu      sync.Mutex
	env     *env
	session *session.Session // opened by the UI (not the demo's)
	store   *store.Store     // opened by the UI
	closed  bool
}

// Run shows Chartline in its window: the unlock screen first, then the
// census; or the census at once when Options.Session is set (demo mode).
// It returns at once; the caller runs the app and calls UI.Close after.
func Run(ctx context.Context, o Options) *UI {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	typed := &typedSecrets{}
	if o.Start == nil {
		cfg, log := o.Config, o.Log
		o.Start = func(ctx context.Context, s *store.Store) (*session.Session, error) {
			cfg, err := session.WithSecrets(cfg, s) // secrets sealed in the store
			if err != nil {
				return nil, err
			}
			return session.Start(ctx, typed.apply(cfg), s, log) // or typed at the unlock (secrets.go)
		}
	}
	if o.ConfigPath == "" {
		if p, err := config.Path(); err == nil {
			o.ConfigPath = p
		}
	}
	if o.StorePath == "" {
		o.StorePath = o.Config.Store
	}
	if o.StorePath == "" {
		if p, err := store.DefaultPath(); err == nil {
			o.StorePath = p
		}
	}
	if a := fyne.CurrentApp(); a != nil {
		a.Settings().SetTheme(ui.NewTheme(o.Config.Theme))
	}
	u := &UI{o: o, typed: typed}
	u.ctx, u.cancel = context.WithCancel(ctx)
	o.Window.Resize(fyne.NewSize(1280, 800))
	if o.Session != nil {
		u.showMain(o.Session)
		return u
	}
	un := newUnlock(unlockOptions{
		path: o.StorePath, storeOptions: o.StoreOptions, async: u.async, do: u.do,
		onOpen: u.unlocked,
	})
	u.unlock = un
	o.Window.SetContent(un.content)
	o.Window.Canvas().Focus(un.focus())
	return u
}

// async runs work off the UI goroutine; Close waits for it.
func (u *UI) async(fn func()) {
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		fn()
	}()
}

// unlocked starts the session over the store just opened (off the UI
// goroutine) and shows the census; a failure returns to the unlock screen
// with the reason.
func (u *UI) unlocked(s *store.Store) error {
	if err := u.askSecrets(s); err != nil {
		s.Close()
		return err
	}
	ss, err := u.o.Start(u.ctx, s)
	if err != nil {
		s.Close()
		return err
	}
	u.mu.Lock()
	if u.closed {
		u.mu.Unlock()
		ss.Close()
		s.Close()
		return errors.New("closing")
	}
	u.session, u.store = ss, s
	u.mu.Unlock()
	fyne.Do(func() { u.showMain(ss) })
	return nil
}

// do hands a UI update to the UI goroutine, one at a time.
func (u *UI) do(fn func()) {
	u.doMu.Lock()
	defer u.doMu.Unlock()
	fyne.Do(fn)
}

// showMain builds the shell over a running session (on the UI goroutine).
// Background reads start only once the shell is in the window.
func (u *UI) showMain(ss *session.Session) {
	cfg := ss.Config()
	ready := make(chan struct{})
	e := newEnv(envOptions{
		window: u.o.Window, store: ss.Store(), engine: ss.Engine(),
		now: u.o.Now, loc: u.o.Location, log: u.o.Log, do: u.do,
		async: func(fn func()) {
			u.async(func() {
				<-ready
				fn()
			})
		},
		news2:   session.EngineOptions(cfg, ss.Store(), nil).NEWS2,
		session: ss, config: &cfg, configPath: u.o.ConfigPath, notify: u.o.Notify, fixed: u.o.Fixed,
	})
	u.mu.Lock()
	u.env = e
	u.mu.Unlock()
	sub := ss.Store().Subscribe() // before any read: no change can slip between
	e.shell.Install()
	u.startLock(e, ss)
	e.start()
	close(ready)
	u.wg.Add(2)
	go func() {
		defer u.wg.Done()
		e.live.run(u.ctx, sub)
	}()
	go func() {
		defer u.wg.Done()
		ch, stop := ss.Watch()
		defer stop()
		for {
			select {
			case <-u.ctx.Done():
				return
			case st := <-ch:
				e.status.setFeed(st)
				u.statusShown.Add(1)
			}
		}
	}()
}

// Close stops the screens' background work and closes the session and
// store the UI opened (not a session passed in Options).
func (u *UI) Close() {
	u.mu.Lock()
	if u.closed {
		u.mu.Unlock()
		return
	}
	u.closed = true
	ss, s := u.session, u.store
	u.mu.Unlock()
	u.cancel()
	u.wg.Wait()
	if ss != nil {
		ss.Close()
	}
	if s != nil {
		s.Close()
	}
}

// env is what every screen shares: the store, the engine, the clock, the
// shell, and the bridge that brings change notices.
type env struct {
	win    fyne.Window
	store  *store.Store
	engine *engine.Engine // nil: no audit of chart opens (tests)
	now    func() time.Time
	loc    *time.Location
	log    *slog.Logger
	// async runs store reads off the UI goroutine (tests run them inline).
	async func(func())
	// do hands widget updates to the UI goroutine (fyne.Do).
	do func(func())
	// notify sends a desktop notification.
	notify func(*fyne.Notification)
	// session is the running session (nil in screen tests): the settings
	// screen reconnects it.
	session    *session.Session
	configPath string
	// fixed names the settings the site policy or the environment sets.
	fixed config.Fixed

	// cfgMu guards the settings the screens read from any goroutine.
	cfgMu  sync.Mutex
	config config.Config
	news2  clinical.NEWS2Options
	// offline is set while the feed is offline: scores show "as of" their data.
	offline atomic.Bool

	live       *live
	shell      *ui.Shell
	status     *statusBar
	notifier   *notifier
	census     *censusView
	inbox      *inboxView
	quarantine *quarantineView
	settings   *settingsView
	patient    *patientView // the patient view on top, if any
	// reason is the dialog asking why a high alert is resolved, while it
	// shows (tests read it).
	reason *reasonDialog
}

// news2Options are the NEWS2 settings in force (the stale window and the
// SpO2 Scale 2 policy).
func (e *env) news2Options() clinical.NEWS2Options {
	e.cfgMu.Lock()
	defer e.cfgMu.Unlock()
	return e.news2
}

// identity is who acts at this workstation: the user and workstation names
// alert actions and AuditEvents carry.
func (e *env) identity() (user, workstation string) {
	e.cfgMu.Lock()
	defer e.cfgMu.Unlock()
	return e.config.User, e.config.Workstation
}

// settingsNow is the settings in force.
func (e *env) settingsNow() config.Config {
	e.cfgMu.Lock()
	defer e.cfgMu.Unlock()
	return e.config
}

// setSettings records new settings in force.
func (e *env) setSettings(cfg config.Config) {
	e.cfgMu.Lock()
	defer e.cfgMu.Unlock()
	e.config = cfg
	e.news2 = session.EngineOptions(cfg, e.store, nil).NEWS2
}

type envOptions struct {
	window fyne.Window
	store  *store.Store
	engine *engine.Engine
	now    func() time.Time
	loc    *time.Location
	log    *slog.Logger
	news2  clinical.NEWS2Options
	async  func(func())
	do     func(func())
	notify func(*fyne.Notification)
	// session, config and configPath serve the settings screen; config
	// also names this workstation's user (default config.Default()).
	session    *session.Session
	config     *config.Config
	configPath string
	fixed      config.Fixed
}

// newEnv builds the shell and its screens over a store. Call start to load
// them, and shell.Install to show them.
func newEnv(o envOptions) *env {
	if o.now == nil {
		o.now = time.Now
	}
	if o.loc == nil {
		o.loc = time.Local
	}
	if o.log == nil {
		o.log = slog.New(slog.DiscardHandler)
	}
	if o.async == nil {
		o.async = func(fn func()) { go fn() }
	}
	if o.do == nil {
		o.do = fyne.Do
	}
	if o.notify == nil {
		o.notify = func(n *fyne.Notification) {
			if a := fyne.CurrentApp(); a != nil {
				a.SendNotification(n)
			}
		}
	}
	cfg := config.Default()
	if o.config != nil {
		cfg = *o.config
	}
	e := &env{
		win: o.window, store: o.store, engine: o.engine, now: o.now, loc: o.loc,
		log: o.log, news2: o.news2, async: o.async, do: o.do, live: newLive(),
		notify: o.notify, session: o.session, config: cfg, configPath: o.configPath, fixed: o.fixed,
	}
	e.notifier = newNotifier(e)
	e.status = newStatusBar(e)
	e.shell = ui.NewShell(o.window, e.status.bar)
	for _, sc := range screens(e) {
		e.shell.AddScreen(sc)
	}
	e.status.bar.OnQuarantine = func() { e.shell.Show(screenQuarantine) }
	return e
}

// start loads the status bar's counts and the notices and follows changes.
func (e *env) start() {
	e.status.start()
	e.notifier.start()
}

// Screen ids of the navigation rail.
const (
	screenCensus     = "census"
	screenAlerts     = "alerts"
	screenQuarantine = "quarantine"
	screenSettings   = "settings"
)

// screens lists the rail's screens in order.
func screens(e *env) []ui.Screen {
	return []ui.Screen{
		{ID: screenCensus, Title: "Census", Icon: theme.AccountIcon(), Root: func() *ui.Page {
			e.census = newCensus(e)
			return e.census.page()
		}},
		{ID: screenAlerts, Title: "Alert inbox", Icon: theme.WarningIcon(), Root: func() *ui.Page {
			e.inbox = newInbox(e)
			return e.inbox.page()
		}},
		{ID: screenQuarantine, Title: "Quarantine", Icon: theme.ErrorIcon(), Root: func() *ui.Page {
			e.quarantine = newQuarantine(e)
			return e.quarantine.page()
		}},
		{ID: screenSettings, Title: "Settings", Icon: theme.SettingsIcon(), Root: func() *ui.Page {
			e.settings = newSettings(e)
			return e.settings.page()
		}},
	}
}

// PrepareDesktop readies the process for Fyne's desktop app; main calls it
// before app.New. Two things Fyne would otherwise log on every start:
//
//   - "Failed to create fyne cache space" when the user cache directory
//     (~/.cache, $XDG_CACHE_HOME) does not exist yet (a fresh account, a
//     kiosk, a container): Fyne creates only its own folder inside it, so
//     the directory is created here, private to the user.
//   - "failed to watch theme settings: dbus-launch not found" when there is
//     no D-Bus session bus: Fyne watches the desktop's colour scheme over
//     D-Bus unless FYNE_THEME names a variant. Without a bus there is no
//     scheme to follow, so FYNE_THEME is set to the variant Fyne falls back
//     to there (dark); Chartline's light and dark modes override it anyway,
//     and "system" reads the same as before. A FYNE_THEME the user set stays.
//
// env is the process environment (os.Getenv); setenv sets a variable
// (os.Setenv). It returns what it could not do, for one line on stderr.
func PrepareDesktop(getenv func(string) string, setenv func(k, v string) error) error {
	var errs []error
	if dir, err := userCacheDir(getenv); err == nil {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			errs = append(errs, fmt.Errorf("create the cache directory: %w", err))
		}
	}
	if getenv("FYNE_THEME") == "" && !SessionBus(getenv) {
		if err := setenv("FYNE_THEME", "dark"); err != nil {
			errs = append(errs, fmt.Errorf("set FYNE_THEME: %w", err))
		}
	}
	return errors.Join(errs...)
}

// CheckDisplay reports, before Fyne starts, a desktop with no display to
// draw on: on Linux and the BSDs the window needs an X server ($DISPLAY;
// the x11 build tag), and without one GLFW panics with a stack trace. The
// error says what to do instead.
func CheckDisplay(getenv func(string) string) error {
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd":
	default:
		return nil
	}
	if getenv("DISPLAY") != "" {
		return nil
	}
	return errors.New("no display to open the window on ($DISPLAY is not set): run it in a desktop session " +
		"(or under xvfb-run), or use `chartline ingest` to materialise the feed without a window")
}

// userCacheDir is os.UserCacheDir on Linux and the BSDs, read through
// getenv: $XDG_CACHE_HOME, else $HOME/.cache. Elsewhere it is
// os.UserCacheDir (Fyne reports nothing there).
func userCacheDir(getenv func(string) string) (string, error) {
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd":
	default:
		return os.UserCacheDir()
	}
	if d := getenv("XDG_CACHE_HOME"); filepath.IsAbs(d) {
		return d, nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("no home directory")
	}
	return filepath.Join(home, ".cache"), nil
}

// SessionBus reports whether a D-Bus session bus can be reached the way
// Fyne's D-Bus client looks for one: an address in the environment, the
// user's bus socket ($XDG_RUNTIME_DIR/bus), or dbus-launch on $PATH to
// start one.
// Only Linux and the BSDs use D-Bus; elsewhere it reports true.
func SessionBus(getenv func(string) string) bool {
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd":
	default:
		return true
	}
	if getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return true
	}
	if rt := getenv("XDG_RUNTIME_DIR"); rt != "" {
		if fi, err := os.Stat(filepath.Join(rt, "bus")); err == nil && fi.Mode()&os.ModeSocket != 0 {
			return true
		}
	}
	for _, dir := range filepath.SplitList(getenv("PATH")) {
		if fi, err := os.Stat(filepath.Join(dir, "dbus-launch")); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return true
		}
	}
	return false
}
