package cli

import (
	"context"
	"fmt"

	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/app/kafka"
)

// BrokerOptions are `chartline broker`'s options.
type BrokerOptions struct {
	Addr     string
	DataDir  string
	Fixtures bool // load the demo fixtures (app/demo) once started
	Simulate bool // run the live simulator until stopped
	Sim      demo.SimOptions
	Verbose  bool
}

func runBroker(ctx context.Context, args []string, io IO) error {
	var o BrokerOptions
	fs := newFlags("broker", io)
	fs.StringVar(&o.Addr, "addr", kafka.DefaultBrokerAddr, "listen address (loopback only)")
	fs.StringVar(&o.DataDir, "data-dir", "", "keep the log in this directory across restarts (default: memory only)")
	fs.BoolVar(&o.Fixtures, "fixtures", false, "load the synthetic demo patients, studies and upstream records")
	fs.BoolVar(&o.Simulate, "simulate", false, "keep producing live demo data (vital signs, admissions, results)")
	fs.DurationVar(&o.Sim.VitalsEvery, "vitals-every", 0, "simulator: a NEWS2 round per inpatient this often (default 5s)")
	fs.DurationVar(&o.Sim.StageEvery, "stage-every", 0, "simulator: time in each stage of the deteriorating and recovering patients (default 12s)")
	fs.DurationVar(&o.Sim.AdmitEvery, "admit-every", 0, "simulator: a new admission this often (default 1m)")
	fs.DurationVar(&o.Sim.FirstAdmitAt, "first-admit-at", 0, "simulator: when the first admission arrives (default 20s)")
	fs.DurationVar(&o.Sim.LabsEvery, "labs-every", 0, "simulator: a lab result this often (default 20s)")
	fs.DurationVar(&o.Sim.BiomarkerAt, "biomarker-at", 0, "simulator: when the EGFR result arrives (default 30s)")
	fs.DurationVar(&o.Sim.AmendEvery, "amend-every", 0, "simulator: an amended result this often (default 1m30s)")
	fs.DurationVar(&o.Sim.ErrorEvery, "error-every", 0, "simulator: an entered-in-error result (deleted later) this often (default 2m)")
	fs.DurationVar(&o.Sim.MisrouteAt, "misroute-at", 0, "simulator: when, once, a result arrives on the wrong patient's topic, to be quarantined (default 50s)")
	fs.Float64Var(&o.Sim.Speed, "speed", 0, "simulator: scenario speed factor (default 1)")
	fs.Uint64Var(&o.Sim.Seed, "seed", 0, "simulator: random seed (default: from the clock)")
	fs.BoolVar(&o.Verbose, "v", false, "log more")
	if err := parse(fs, args); err != nil {
		return err
	}
	return Broker(ctx, o, io)
}

// Broker runs the embedded broker until ctx ends.
func Broker(ctx context.Context, o BrokerOptions, io IO) error {
	log := logger(io.Err, o.Verbose)
	b, err := kafka.StartBroker(ctx, kafka.BrokerOptions{Addr: o.Addr, DataDir: o.DataDir, Logger: log})
	if err != nil {
		return err
	}
	defer b.Close()
	fmt.Fprintf(io.Err, "broker listening on %s (Ctrl-C to stop)\n", b.Addr())
	if o.Fixtures || o.Simulate {
		if err := runDemoData(ctx, b, o, io, log); err != nil {
			return err
		}
	}
	<-ctx.Done()
	fmt.Fprintln(io.Err, "broker stopped")
	return nil
}
