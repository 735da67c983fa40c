// Temporary: runs views.Run on the demo session in a real GLFW window (not committed).
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/chartline/chartline/app/config"
	"github.com/chartline/chartline/app/session"
	"github.com/chartline/chartline/views"
)

func main() {
	ctx := context.Background()
	a := app.NewWithID("health.chartline.test")
	w := a.NewWindow("Chartline")
	cfg := config.Default()
	cfg.Theme = os.Getenv("THEME")
	if cfg.Theme == "" {
		cfg.Theme = "light"
	}
	ss, err := session.Demo(ctx, session.DemoOptions{Config: cfg})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	u := views.Run(ctx, views.Options{Window: w, Config: cfg, Session: ss})
	go func() {
		time.Sleep(22 * time.Second)
		c, _ := ss.Store().Census()
		for _, e := range c {
			fmt.Fprintf(os.Stderr, "STATUS %s %q %d %d\n", e.Collection, e.Status.Band, e.Status.NEWS2, e.Status.OpenAlerts)
		}
	}()
	go func() {
		time.Sleep(time.Duration(60) * time.Second)
		fyne.Do(a.Quit)
	}()
	w.ShowAndRun()
	u.Close()
	ss.Close()
}
