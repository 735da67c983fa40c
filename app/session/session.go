// Package session runs what a Chartline workstation runs behind its window:
// the feed that materialises the topics into the store, the clinical engine
// that derives NEWS2, alerts and trial matches from it, and the outbox
// publisher that shares this workstation's alert actions and AuditEvents.
// The desktop app and `chartline ingest` both use it, so both derive and
// share the same alerts.
//
// A session owns its goroutines: Close stops them and waits. Changing the
// connection settings (Reconnect) replaces the feed without a restart; the
// store and the engine stay.
package session

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/config"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/app/feed"
	"github.com/chartline/chartline/app/schemareg"
	"github.com/chartline/chartline/store"
)

// Session is a running feed, engine and publisher over one store.
type Session struct {
	store  *store.Store
	engine *engine.Engine
	log    *slog.Logger
	ctx    context.Context // Start's: the feed, publisher and engine run under it

	mu         sync.Mutex
	cfg        config.Config
	feed       *feed.Feed
	stop       context.CancelFunc // stops the current feed and publisher
	running    sync.WaitGroup     // feed and publisher goroutines
	engineStop context.CancelFunc
	engineDone chan struct{}
	watchers   map[chan feed.Status]struct{}
	closers    []func() // run on Close, last first (demo broker, temp store)
	closed     bool
	failed     chan struct{} // closed when a feed stops on an error
	failErr    error
	failOnce   sync.Once
	demo       bool
	loaded     chan error // demo: fixtures loaded (or why not)
}

// EngineOptions maps settings to the clinical engine's options.
func EngineOptions(cfg config.Config, s *store.Store, log *slog.Logger) engine.Options {
	o := engine.Options{
		Store: s, Topics: cfg.Topics, User: cfg.User, Workstation: cfg.Workstation, Log: log,
		NEWS2: clinical.NEWS2Options{Window: time.Duration(cfg.StaleVitals)},
		Risk:  clinical.RiskOptions{Threshold: cfg.RiskThreshold},
	}
	if cfg.SpO2Scale2 == config.Scale2Off {
		o.NEWS2.Scale = clinical.Scale1Only
	}
	o.Alerts.ReopenHigh, o.Alerts.ReopenMedium = AlertFollowUp(cfg) // site policy or settings
	return o
}

// Start runs a session over an open store with the given settings. The feed,
// the outbox publisher and the engine run until ctx is cancelled or Close is
// called, whichever comes first; Close still waits for them and runs the
// closers. The session does not own the store: the caller closes it after
// the session.
func Start(ctx context.Context, cfg config.Config, s *store.Store, log *slog.Logger) (*Session, error) {
	return StartWithClock(ctx, cfg, s, log, nil)
}

// StartWithClock is Start with the clinical engine on another clock (nil:
// time.Now); tests use it to act "at the same time" on two workstations.
func StartWithClock(ctx context.Context, cfg config.Config, s *store.Store, log *slog.Logger, now func() time.Time) (*Session, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	o := EngineOptions(cfg, s, log)
	o.Now = now
	eng, err := engine.New(o)
	if err != nil {
		return nil, err
	}
	ss := &Session{store: s, engine: eng, log: log, ctx: ctx, cfg: cfg, watchers: map[chan feed.Status]struct{}{}, engineDone: make(chan struct{}), failed: make(chan struct{})}
	ectx, cancel := context.WithCancel(ctx)
	ss.engineStop = cancel
	go func() {
		defer close(ss.engineDone)
		if err := eng.Run(ectx); err != nil {
			log.Error("clinical engine stopped", "err", err)
		}
	}()
	if err := ss.startFeed(cfg); err != nil {
		ss.Close()
		return nil, err
	}
	return ss, nil
}

// startFeed starts a feed and the outbox publisher on its client.
func (ss *Session) startFeed(cfg config.Config) error {
	fo := feed.Options{Conn: cfg.Conn, Topics: cfg.Topics, Store: ss.store, Log: ss.log, LocalFHIRBases: cfg.LocalFHIRBases,
		FailoverAfter: time.Duration(cfg.FailoverAfter), Census: cfg.Census, CensusRetention: time.Duration(cfg.CensusRetention)}
	if cfg.SchemaRegistry.On() {
		reg, err := schemareg.New(cfg.SchemaRegistry)
		if err != nil {
			return err
		}
		fo.Schemas = reg
	}
	f, err := feed.New(fo)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ss.ctx)
	ss.mu.Lock()
	ss.feed, ss.stop, ss.cfg = f, cancel, cfg
	ss.mu.Unlock()

	ss.running.Add(3)
	go func() {
		defer ss.running.Done()
		if err := f.Run(ctx); err != nil {
			ss.log.Error("feed stopped", "err", err)
			ss.failOnce.Do(func() {
				ss.mu.Lock()
				ss.failErr = err
				ss.mu.Unlock()
				close(ss.failed)
			})
		}
	}()
	go func() {
		defer ss.running.Done()
		ready := func(topic string) bool { return f.Status().CaughtUp(topic) }
		for { // publish through the cluster the feed reads, anew after each switch
			cl, switched := f.Live()
			pctx, pcancel := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() { done <- ss.engine.Publish(pctx, cl, ready) }()
			select {
			case <-ctx.Done():
			case <-switched:
			}
			pcancel()
			if err := <-done; err != nil {
				ss.log.Error("outbox publisher stopped", "err", err)
				return
			}
			if ctx.Err() != nil {
				return
			}
		}
	}()
	go func() { // forward this feed's status to the session's watchers
		defer ss.running.Done()
		ch, unwatch := f.Watch()
		defer unwatch()
		for {
			select {
			case <-ctx.Done():
				return
			case st := <-ch:
				ss.mu.Lock()
				for w := range ss.watchers {
					select {
					case <-w:
					default:
					}
					select {
					case w <- st:
					default:
					}
				}
				ss.mu.Unlock()
			}
		}
	}()
	return nil
}

// Failed is closed when the feed stopped on an error it cannot retry (the
// store file is damaged); Err says which. Nothing more is materialised.
func (ss *Session) Failed() <-chan struct{} { return ss.failed }

// Err is the error the feed stopped on, nil while it runs.
func (ss *Session) Err() error {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.failErr
}

// Store is the session's store.
func (ss *Session) Store() *store.Store { return ss.store }

// Engine is the session's clinical engine.
func (ss *Session) Engine() *engine.Engine { return ss.engine }

// Config is the settings the session runs with.
func (ss *Session) Config() config.Config {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.cfg
}

// Status is the current feed's status.
func (ss *Session) Status() feed.Status {
	ss.mu.Lock()
	f := ss.feed
	ss.mu.Unlock()
	if f == nil {
		return feed.Status{State: feed.Offline}
	}
	return f.Status()
}

// WaitCaughtUp waits until the current feed has materialised every topic to
// its end (see feed.WaitCaughtUp) and the engine has evaluated every patient
// that changed.
func (ss *Session) WaitCaughtUp(ctx context.Context) error {
	ss.mu.Lock()
	f := ss.feed
	ss.mu.Unlock()
	if err := f.WaitCaughtUp(ctx); err != nil {
		return err
	}
	return ss.engine.WaitIdle(ctx, ss.store.Seq())
}

// Watch returns a channel that always holds the latest feed status, across
// reconnects, and a function to stop watching.
func (ss *Session) Watch() (<-chan feed.Status, func()) {
	ch := make(chan feed.Status, 1)
	ch <- ss.Status()
	ss.mu.Lock()
	ss.watchers[ch] = struct{}{}
	ss.mu.Unlock()
	return ch, func() {
		ss.mu.Lock()
		delete(ss.watchers, ch)
		ss.mu.Unlock()
	}
}

// UseCluster asks the feed to read the primary or the failover cluster
// (feed.Primary, feed.Failover); false when there is no such cluster.
func (ss *Session) UseCluster(name string) bool {
	ss.mu.Lock()
	f := ss.feed
	ss.mu.Unlock()
	return f != nil && f.UseCluster(name)
}

// Reconnect replaces the feed with one using new settings (brokers, TLS,
// SASL, topic prefix), without a restart. Clinical settings (stale window,
// Scale 2 policy, identity) take effect for the next evaluations.
func (ss *Session) Reconnect(cfg config.Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	if _, err := cfg.Conn.Options(); err != nil {
		return fmt.Errorf("reconnect: %w", err)
	}
	ss.mu.Lock()
	stop := ss.stop
	ss.mu.Unlock()
	if stop != nil {
		stop()
	}
	ss.running.Wait()
	if err := ss.engine.Reconfigure(EngineOptions(cfg, ss.store, ss.log)); err != nil {
		return err
	}
	return ss.startFeed(cfg)
}

// OnClose registers a function Close runs after stopping everything (last
// registered, first run).
func (ss *Session) OnClose(fn func()) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.closers = append(ss.closers, fn)
}

// Done is closed once the engine has stopped: after Close, or once Start's
// context is cancelled.
func (ss *Session) Done() <-chan struct{} { return ss.engineDone }

// Close stops the feed, publisher and engine and waits for them.
func (ss *Session) Close() error {
	ss.mu.Lock()
	if ss.closed {
		ss.mu.Unlock()
		return nil
	}
	ss.closed = true
	stop := ss.stop
	closers := ss.closers
	ss.mu.Unlock()
	if stop != nil {
		stop()
	}
	ss.running.Wait()
	ss.engineStop()
	<-ss.engineDone
	for i := len(closers) - 1; i >= 0; i-- {
		closers[i]()
	}
	return nil
}
