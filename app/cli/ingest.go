package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/chartline/chartline/app/config"
	"github.com/chartline/chartline/app/jsontime"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/schemareg"
	"github.com/chartline/chartline/app/session"
	"github.com/chartline/chartline/store"
)

// IngestOptions are `chartline ingest`'s options.
type IngestOptions struct {
	Config        config.Config // connection, topics, clinical policy, identity
	Store         *store.Store
	UntilCaughtUp bool          // stop once every partition is materialised to its end
	Progress      time.Duration // how often progress is printed, default 1 s
	Verbose       bool
}

func runIngest(ctx context.Context, args []string, io IO) error {
	var cf connFlags
	var sf storeFlags
	var o IngestOptions
	fs := newFlags("ingest", io)
	cf.register(fs)
	sf.register(fs)
	fs.BoolVar(&o.UntilCaughtUp, "until-caught-up", false, "exit once every partition is materialised to its end")
	fs.BoolVar(&o.Verbose, "v", false, "log more")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file (for go tool pprof)")
	profileAfter := fs.Duration("cpuprofile-after", 0, "with -cpuprofile: start profiling this long after the start (the idle cost of a running ingest, p9)")
	retention := fs.Duration("census-retention", 0, "with -census: how long a discharged patient's data stays in the store (default 72h)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile, *profileAfter)
		if err != nil {
			return err
		}
		defer stop()
	}
	var err error
	if o.Config, err = cf.config(); err != nil {
		return err
	}
	if *retention > 0 {
		o.Config.CensusRetention = jsontime.Duration(*retention)
	}
	// Refuse connection settings that cannot work (unreadable files, TLS
	// verification off without consent) before creating a store for them.
	// A SASL password or key passphrase may yet come sealed from the store
	// (Ingest checks again).
	if _, err := o.Config.Conn.Options(); err != nil && !errors.Is(err, kafka.ErrNoCredentials) && !errors.Is(err, kafka.ErrKeyPassphrase) {
		return err
	}
	if o.Config.SchemaRegistry.On() {
		if _, err := schemareg.New(o.Config.SchemaRegistry); err != nil {
			return err
		}
	}
	s, err := sf.open(true, store.KDF{})
	if err != nil {
		return err
	}
	defer s.Close()
	o.Store = s
	return Ingest(ctx, o, io)
}

// Ingest materialises the topics into the store and runs the clinical engine
// and outbox publisher on it (a headless node derives and shares the same
// alerts as a workstation), until ctx ends or, with UntilCaughtUp, until
// caught up. It prints progress on stderr and, last, exactly:
// "ingested N records (M resources, Q quarantined) in S s: R records/s".
func Ingest(ctx context.Context, o IngestOptions, io IO) error {
	if o.Progress <= 0 {
		o.Progress = time.Second
	}
	start := time.Now()
	cfg, err := session.WithSecrets(o.Config, o.Store) // a SASL password sealed in the store
	if err != nil {
		return err
	}
	ss, err := session.Start(ctx, cfg, o.Store, logger(io.Err, o.Verbose))
	if err != nil {
		return err
	}
	defer ss.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	caught := make(chan error, 1)
	if o.UntilCaughtUp {
		go func() { caught <- ss.WaitCaughtUp(ctx) }()
	}
	tick := time.NewTicker(o.Progress)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
		case err = <-caught:
		case <-ss.Failed():
			err = ss.Err()
		case <-tick.C:
			fmt.Fprintln(io.Err, ss.Status().String())
			continue
		}
		break
	}
	elapsed := time.Since(start)
	st := ss.Status()
	fmt.Fprintf(io.Err, "ingested %d records (%d resources, %d quarantined) in %.2f s: %.0f records/s\n",
		st.Applied, st.Resources, st.Quarantined, elapsed.Seconds(), float64(st.Applied)/elapsed.Seconds())
	if err != nil && ctx.Err() == nil {
		return err
	}
	return nil
}
