// Command chartline is the Chartline desktop app and its headless verbs.
// main only wires: it parses the verb and hands over to app/cli (headless),
// or builds the Fyne app, hands it the settings and a session, and shows
// the window (views).
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/chartline/chartline/app/cli"
	"github.com/chartline/chartline/app/config"
	"github.com/chartline/chartline/app/session"
	"github.com/chartline/chartline/views"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	args := os.Args[1:]
	if len(args) > 0 && args[0] != "demo" {
		os.Exit(cli.Run(ctx, args, cli.IO{Out: os.Stdout, Err: os.Stderr}))
	}
	os.Exit(desktop(ctx, len(args) > 0 && args[0] == "demo"))
}

// desktop runs the window: on the built-in demo (no unlock screen, a
// throwaway store) or on the saved settings (the unlock screen first).
func desktop(ctx context.Context, demo bool) int {
	if err := views.CheckDisplay(os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "chartline:", err)
		return 1
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfgPath, err := config.Path()
	if err != nil {
		fmt.Fprintln(os.Stderr, "chartline:", err)
		return 1
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "chartline:", err)
		return 1
	}
	policy, err := config.LoadPolicy(config.PolicyPath())
	if err != nil { // a site policy that cannot be applied is not ignored
		fmt.Fprintln(os.Stderr, "chartline:", err)
		return 1
	}
	cfg, fixed := config.Resolve(cfg, policy) // CHARTLINE_* variables, then the site policy

	// CHARTLINE_CPUPROFILE=FILE profiles the desktop app as it runs, from
	// CHARTLINE_CPUPROFILE_AFTER (a duration, default 0) on: the idle cost,
	// p9 (README "How the figures are taken").
	if path := os.Getenv("CHARTLINE_CPUPROFILE"); path != "" {
		stop := profileCPU(path, os.Getenv("CHARTLINE_CPUPROFILE_AFTER"))
		defer stop()
	}
	if err := views.PrepareDesktop(os.Getenv, os.Setenv); err != nil {
		fmt.Fprintln(os.Stderr, "chartline:", err)
	}
	a := app.NewWithID("health.chartline.desktop")
	w := a.NewWindow("Chartline")
	o := views.Options{Window: w, Config: cfg, ConfigPath: cfgPath, Log: log, Notify: notifier(a, log), Fixed: fixed}
	if demo {
		w.SetTitle("Chartline — demo")
		ss, err := session.Demo(ctx, session.DemoOptions{Config: cfg, Log: log})
		if err != nil {
			fmt.Fprintln(os.Stderr, "chartline demo:", err)
			return 1
		}
		defer ss.Close() // stops the simulator and broker, removes the throwaway store
		o.Session = ss
	}
	ui := views.Run(ctx, o)
	defer ui.Close()
	go func() { // Ctrl-C in the terminal quits like the window's close button
		<-ctx.Done()
		fyne.Do(a.Quit)
	}()
	w.SetMaster()
	w.ShowAndRun()
	return 0
}

// notifier sends desktop notifications. On Linux they travel over the D-Bus
// session bus; on a display without one (a bare X server, a kiosk) Fyne
// would log an error for every alert, so Chartline says once that it keeps
// to its in-app banners.
func notifier(a fyne.App, log *slog.Logger) func(*fyne.Notification) {
	if !views.SessionBus(os.Getenv) {
		log.Warn("desktop notifications off: no D-Bus session bus; new alerts and trial matches show as banners in the window")
		return func(*fyne.Notification) {}
	}
	return a.SendNotification
}

// profileCPU writes a CPU profile to path from after (a time.Duration
// string) until stop is called.
func profileCPU(path, after string) (stop func()) {
	delay, _ := time.ParseDuration(after)
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "chartline: no CPU profile:", err)
		return func() {}
	}
	started := make(chan bool, 1)
	go func() {
		time.Sleep(delay)
		started <- pprof.StartCPUProfile(f) == nil
	}()
	return func() {
		select {
		case ok := <-started:
			if ok {
				pprof.StopCPUProfile()
			}
		default:
		}
		f.Close()
	}
}
