package reliability

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/chartline/chartline/app/cli"
	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/config"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/session"
	"github.com/chartline/chartline/store"
)

// Who acts in the outbox crash test.
const (
	actWorkstation = "ws-crash"
	actUser        = "crash-tester"
)

// actChild is a workstation at work: it opens the store, runs a session
// (feed, engine, outbox publisher) against the brokers, and acts on the
// store's alerts in turn every -every until killed or -n actions are done,
// printing "acted <action id> <audit count>" after each action is saved.
func actChild(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("act", flag.ContinueOnError)
	db := fs.String("db", "", "store")
	brokers := fs.String("brokers", "", "bootstrap broker")
	every := fs.Duration("every", 20*time.Millisecond, "pause between actions")
	n := fs.Int("n", 1000, "actions to take")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	s, err := store.Open(*db, []byte(os.Getenv(cli.EnvPassphrase)), nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "act:", err)
		return 1
	}
	defer s.Close()
	cfg := config.Default()
	cfg.Conn = kafka.Conn{Brokers: []string{*brokers}}
	cfg.Workstation, cfg.User = actWorkstation, actUser
	ss, err := session.Start(ctx, cfg, s, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "act:", err)
		return 1
	}
	defer ss.Close()
	var alerts []engine.AlertView
	if err := s.View(func(r *store.Reader) (err error) { alerts, err = engine.Alerts(r); return }); err != nil || len(alerts) == 0 {
		fmt.Fprintln(os.Stderr, "act: no alerts to act on:", err)
		return 1
	}
	for i := 0; i < *n && ctx.Err() == nil; i++ {
		a := alerts[i%len(alerts)].Alert
		var cur []engine.AlertView
		s.View(func(r *store.Reader) (err error) { cur, err = engine.PatientAlerts(r, a.Patient); return })
		verb, note := clinical.VerbNote, fmt.Sprintf("crash test note %d", i)
		for _, v := range cur {
			if v.Alert.ID != a.ID {
				continue
			}
			switch {
			case v.Status() == clinical.StateNew:
				verb, note = clinical.VerbAcknowledge, ""
			case i%3 == 1 && clinical.Legal(v.Status(), clinical.VerbEscalate) == nil:
				verb, note = clinical.VerbEscalate, "outreach team called"
			}
		}
		st, err := ss.Engine().Act(a.Patient, a.ID, verb, note)
		if err != nil {
			if errors.Is(err, store.ErrClosed) || ctx.Err() != nil {
				return 0
			}
			fmt.Fprintln(os.Stderr, "act:", err)
			return 1
		}
		latest, _ := st.Latest()
		fmt.Printf("acted %s\n", latest.ID)
		select {
		case <-ctx.Done():
		case <-time.After(*every):
		}
	}
	return 0
}

// panicChild panics the way a runtime error would while patient data is in
// hand (arguments, locals), to show what panic output carries.
func panicChild(args []string) int {
	held := make([]string, len(args))
	copy(held, args)
	crashHolding(held, args[0], len(args))
	return 0
}

//go:noinline
func crashHolding(values []string, first string, n int) {
	var index []int
	fmt.Fprintln(os.Stderr, "about to fail with", n, "values in hand")
	_ = index[len(first)+len(values)] // index out of range, with PHI in the arguments
}
