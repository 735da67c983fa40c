package session

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/config"
	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/publish"
	"github.com/chartline/chartline/store"
)

// DemoOptions tune Demo. The zero value is the demo `make demo` runs.
type DemoOptions struct {
	// Sim tunes the live simulator (rates, scenario timing, speed).
	Sim demo.SimOptions
	// NoSimulator loads the fixtures only (tests).
	NoSimulator bool
	// Config is the base settings (theme, workstation, user); the
	// connection is replaced by the embedded broker's.
	Config config.Config
	Log    *slog.Logger
}

// Demo runs Chartline on the built-in demo: the embedded broker on a free
// loopback port, loaded with the synthetic fixture patients, the live
// simulator, and a throwaway store (random passphrase, temporary directory)
// that Close removes with everything else.
func Demo(ctx context.Context, o DemoOptions) (*Session, error) {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	cfg := o.Config
	if cfg.Topics.PatientPrefix == "" {
		cfg = config.Default()
	}
	dir, err := os.MkdirTemp("", "chartline-demo-")
	if err != nil {
		return nil, err
	}
	cleanup := []func(){func() { os.RemoveAll(dir) }}
	fail := func(err error) (*Session, error) {
		for i := len(cleanup) - 1; i >= 0; i-- {
			cleanup[i]()
		}
		return nil, fmt.Errorf("start the demo: %w", err)
	}

	b, err := kafka.StartBroker(context.Background(), kafka.BrokerOptions{Addr: "127.0.0.1:0", Topics: cfg.Topics, Logger: o.Log})
	if err != nil {
		return fail(err)
	}
	cleanup = append(cleanup, b.Close)
	cfg.Conn = b.Conn()

	prod, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(b.Addr())}, publish.ProducerOptions()...)...)
	if err != nil {
		return fail(err)
	}
	cleanup = append(cleanup, prod.Close)
	pub := publish.NewPublisher(prod, cfg.Topics)

	pass := make([]byte, 32)
	rand.Read(pass)
	s, err := store.Create(filepath.Join(dir, "demo.db"), []byte(hex.EncodeToString(pass)), &store.Options{KDF: store.TestKDF, NoSync: true})
	if err != nil {
		return fail(err)
	}
	cleanup = append(cleanup, func() { s.Close() })

	ss, err := Start(ctx, cfg, s, o.Log)
	if err != nil {
		return fail(err)
	}
	// Close stops the session first, then runs these, last registered first.
	for _, fn := range cleanup {
		ss.OnClose(fn)
	}
	// The fixtures load while the window opens: the census fills as their
	// topics are discovered. Then the simulator starts.
	simCtx, stopSim := context.WithCancel(ctx)
	loaded, done := make(chan error, 1), make(chan struct{})
	go func() {
		defer close(done)
		_, err := demo.LoadFixtures(simCtx, pub, cfg.Topics)
		loaded <- err
		if err != nil {
			if simCtx.Err() == nil {
				o.Log.Error("demo fixtures not loaded", "err", err)
			}
			return
		}
		if o.NoSimulator {
			return
		}
		sim := o.Sim
		sim.Logger = o.Log
		if err := demo.Simulate(simCtx, pub, cfg.Topics, sim); err != nil && simCtx.Err() == nil {
			o.Log.Error("demo simulator stopped", "err", err)
		}
	}()
	ss.OnClose(func() { stopSim(); <-done })
	ss.demo, ss.loaded = true, loaded
	return ss, nil
}

// FixturesLoaded waits until the demo's fixtures are on the broker (demo
// sessions only; others return at once).
func (ss *Session) FixturesLoaded(ctx context.Context) error {
	if ss.loaded == nil {
		return nil
	}
	select {
	case err := <-ss.loaded:
		ss.loaded <- err // for later callers
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// IsDemo reports whether the session runs the built-in demo.
func (ss *Session) IsDemo() bool { return ss.demo }
