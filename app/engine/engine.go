// Package engine runs Chartline's clinical logic (app/clinical) over the
// store: it follows the store's change notices, re-scores NEWS2 and
// re-evaluates trial eligibility for every patient whose data changed, keeps
// one alert per early-warning episode (episodes.go) and per upstream
// RiskAssessment, merges the alert states other workstations publish, and
// keeps the outbox that publishes this workstation's alert actions and
// AuditEvents to Kafka exactly once.
//
// # The same inbox everywhere
//
// Alerts are a pure function of the shared topics and the clock: episodes
// come from the whole score series of the patient's topic (not from the order
// records arrived in), their ids and raised times from the observations that
// caused them, their states from spv.alert-state merged as a union, and the
// follow-up policy's steps (clinical.FollowUp) are system actions every node
// derives identically. A state published for an alert this node has not
// derived yet stays in the store's copy of spv.alert-state and is merged when
// the alert is derived; it never makes a row of its own. Time alone changes
// some of it (a follow-up interval ending, an episode becoming history), so
// Run re-evaluates the patients with current alerts every Options.Tick.
//
// Options are held behind an atomic pointer: Reconfigure replaces them whole,
// and Run, the outbox publisher and Act read a consistent snapshot.
//
// The same engine runs in the desktop app and in `chartline ingest`, so a
// headless node derives and shares the same alerts as a workstation.
//
// # What it keeps (store documents)
//
//	kind "news2"  key "latest"        {result, riskAssessment, at}: the patient's current NEWS2 (status not-applicable, with why, for children, the pregnant and the dead)
//	kind "pews"   key "latest"        {result, at}: a child's current National PEWS
//	kind "alert"  key alert id        {alert, state}: an alert (an early-warning episode or an
//	                                  upstream risk) and its merged lifecycle
//	kind "match"  key study reference {id, evaluation, since}: a study the patient matches
//	kind "notice" key notice id       {…, alert, reason, seen}: something to notify once (a high
//	                                  alert raised, risen, New again, unattended, cleared; a match)
//	kind "audit"  key AuditEvent id   the AuditEvent JSON this workstation wrote
//
// and each patient's census Status (NEWS2 score and band, open alerts,
// matches).
//
// # Crash safety
//
// The feed marks a patient dirty in the same transaction that changes its
// resources; the engine clears the mark in the transaction that stores what
// it derived. A crash in between leaves the mark, and the engine re-evaluates
// that patient when it starts. Alert and match ids are derived from their
// cause, so re-evaluating never duplicates one.
package engine

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/store"
)

// Document kinds.
const (
	KindNEWS2  = "news2"
	KindPEWS   = "pews" // a child's National PEWS, beside the news2 document
	KindAlert  = "alert"
	KindMatch  = "match"
	KindNotice = "notice"
	KindAudit  = "audit"
)

// Options configure an Engine. Zero values take the documented defaults.
type Options struct {
	Store  *store.Store
	Topics kafka.Topics // default kafka.DefaultTopics()
	// NEWS2 tunes scoring: the stale window (default 24 h) and the SpO2
	// scale policy (default: Scale 2 where a hypercapnic target is recorded).
	NEWS2 clinical.NEWS2Options
	// Risk tunes upstream RiskAssessment alerts (default threshold 0.5,
	// horizon 30 days; the window is NEWS2's unless set).
	Risk clinical.RiskOptions
	// Alerts is the follow-up policy of early-warning alerts: when an episode
	// clears (default 2 sets 1 h apart below its trigger band), when an
	// acknowledged alert becomes New again and when an unattended one is
	// notified again (default 30 min high and emergency, 60 min medium). A site
	// policy file may set it.
	Alerts clinical.AlertPolicy
	// Tick is how often the engine re-evaluates patients with current alerts
	// for what time alone changes (a follow-up interval ending, an episode
	// becoming history). Default 15 s.
	Tick time.Duration
	// MinRound is the least time from the start of one round of
	// evaluations on change notices to the start of the next (default
	// 250 ms; negative: none). A notice that comes sooner waits out the
	// rest, and the changes meanwhile are evaluated together: a busy feed
	// (a monitor's reading a second for each of many patients, a catch-up)
	// derives each changed patient a few times a second, not once per
	// commit, while a lone change after a quiet spell is evaluated at once.
	MinRound time.Duration
	// User and Workstation sign alert actions and AuditEvents.
	User, Workstation string
	Log               *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Engine derives and keeps clinical state. Its methods are safe for
// concurrent use: Run on one goroutine, Act and ChartOpened from the UI.
type Engine struct {
	o atomic.Pointer[Options] // replaced whole by Reconfigure; read with opt
	s *store.Store

	mu          sync.Mutex              // serialises read-modify-write of documents
	cache       map[string]*seriesCache // kind and patient -> score series (under mu)
	obs         map[string]*patientObs  // patient -> its Observations' index entries (under mu; cache.go)
	clock       uint64                  // evaluations so far, for the caches' least-recently-used order
	cached      int                     // bytes held by cache and obs together, estimated (cache.go)
	budget      int                     // what cached may reach before patients are dropped: cacheBudget
	studies     []clinical.Study
	trialCodes  []string              // the codes the studies' observation tests read (clinical.ObservationCodes)
	codesGen    uint64                // numbers trialCodes' versions (cache.go)
	upstream    map[string][]Upstream // patient -> upstream ResearchSubjects
	seen        map[string]int64      // shared-collection resource -> offset already processed
	changes     changeLog             // which Observations changed since each patient's cached read (under mu; cache.go)
	seriesAdded int                   // series updated from the readings added alone (tests)
	memo        docMemo               // documents decoded (under mu; memo.go)
}

// DefaultMinRound is Options.MinRound's default. A score, alert or trial
// match is at most this much later than its data (the timeline shows the
// data itself at once); on the demo's 1,000-records/s benchmark feed it
// cuts the engine's evaluations of a busy patient from one per commit
// (~50/s) to four a second.
const DefaultMinRound = 250 * time.Millisecond

// New returns an engine over a store.
func New(o Options) (*Engine, error) {
	if o.Store == nil {
		return nil, errors.New("engine: no store")
	}
	if o.Topics.PatientPrefix == "" {
		o.Topics = kafka.DefaultTopics()
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.User == "" {
		o.User = "unknown user"
	}
	if o.Workstation == "" {
		o.Workstation = "unknown workstation"
	}
	if o.Tick <= 0 {
		o.Tick = 15 * time.Second
	}
	if o.MinRound == 0 {
		o.MinRound = DefaultMinRound
	}
	e := &Engine{s: o.Store, seen: map[string]int64{}, upstream: map[string][]Upstream{}, cache: map[string]*seriesCache{}, budget: cacheBudget}
	e.o.Store(&o)
	return e, nil
}

// opt is the options in force: a snapshot, never changed in place, so a
// reader (Run, the outbox publisher, Act) never races Reconfigure.
func (e *Engine) opt() *Options { return e.o.Load() }

// Store is the store the engine keeps its documents in.
func (e *Engine) Store() *store.Store { return e.s }

// Run follows the store's change notices until ctx ends. On start it
// catches up with whatever changed while it was not running.
func (e *Engine) Run(ctx context.Context) error {
	sub := e.s.Subscribe()
	defer sub.Close()
	e.follow(true, e.s.Seq())
	defer e.follow(false, 0)
	if err := e.refreshStudies(); err != nil {
		e.opt().Log.Error("read studies", "err", err)
	}
	if err := e.catchUp(ctx, false, true, true); err != nil {
		return err
	}
	tick := time.NewTicker(e.opt().Tick)
	defer tick.Stop()
	var round time.Time // when the last round on change notices started
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-sub.Done():
			return nil
		case <-tick.C:
			if err := e.Timed(ctx); err != nil && !errors.Is(err, store.ErrClosed) && ctx.Err() == nil {
				e.opt().Log.Error("clinical engine: timed re-evaluation", "err", err)
			}
			continue
		case <-sub.Ready():
		}
		if wait := e.opt().MinRound - time.Since(round); wait > 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-sub.Done():
				return nil
			case <-time.After(wait):
			}
		}
		round = time.Now()
		ch, ok := sub.Take()
		if !ok {
			continue
		}
		e.noteChange(ch)
		studies := ch.Collections[store.Studies] != nil
		if studies {
			if err := e.refreshStudies(); err != nil {
				e.opt().Log.Error("read studies", "err", err)
			}
		}
		if err := e.catchUp(ctx, studies, ch.Collections[store.Risk] != nil,
			ch.Collections[store.AlertState] != nil || ch.Collections[store.Matches] != nil); err != nil {
			if errors.Is(err, store.ErrClosed) || ctx.Err() != nil {
				return nil
			}
			e.opt().Log.Error("clinical engine", "err", err)
		}
	}
}

// catchUp processes new upstream records and re-evaluates the patients
// they touch, every dirty patient, and (when the studies changed) every
// patient's trials.
func (e *Engine) catchUp(ctx context.Context, allPatients, risk, shared bool) error {
	affected := map[string]bool{}
	if risk {
		if err := e.processRisk(affected); err != nil {
			return err
		}
	}
	if shared {
		if err := e.processAlertStates(affected); err != nil {
			return err
		}
		if err := e.refreshUpstream(affected); err != nil {
			return err
		}
	}
	dirty, err := e.s.Dirty()
	if err != nil {
		return err
	}
	for p := range dirty {
		affected[p] = true
	}
	if allPatients {
		census, err := e.s.Census()
		if err != nil {
			return err
		}
		for _, c := range census {
			affected[c.Collection] = true
		}
	}
	patients := make([]string, 0, len(affected))
	for p := range affected {
		patients = append(patients, p)
	}
	sort.Strings(patients)
	return e.evaluate(ctx, patients, dirty)
}

// Evaluate re-derives everything for the given patients now (tests and the
// CLI use it; Run does it on change notices).
func (e *Engine) Evaluate(ctx context.Context, patients ...string) error {
	dirty, err := e.s.Dirty()
	if err != nil {
		return err
	}
	return e.evaluate(ctx, patients, dirty)
}

// batchPatients is how many patients' results go into one commit.
const batchPatients = 64

func (e *Engine) evaluate(ctx context.Context, patients []string, dirty map[string]uint64) error {
	for lo := 0; lo < len(patients); lo += batchPatients {
		if ctx.Err() != nil {
			return nil
		}
		hi := min(lo+batchPatients, len(patients))
		if err := e.evaluateBatch(patients[lo:hi], dirty); err != nil {
			return err
		}
	}
	return nil
}

func (e *Engine) evaluateBatch(patients []string, dirty map[string]uint64) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	b := &store.Batch{Statuses: map[string]store.Status{}, Clean: map[string]uint64{}}
	err := e.s.View(func(r *store.Reader) error {
		for _, p := range patients {
			if err := e.derivePatient(r, p, b); err != nil {
				return err
			}
			if seq, ok := dirty[p]; ok {
				b.Clean[p] = seq
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	ch, err := e.s.Apply(b)
	if err == nil {
		e.noteOwnCommit(ch)
	}
	return err
}

// Reconfigure changes the clinical settings (stale window, Scale 2 policy,
// risk threshold, follow-up policy, user, workstation, topics) for the
// evaluations that follow. The options are replaced whole, atomically: a
// reader sees the old set or the new one, never a mix.
func (e *Engine) Reconfigure(o Options) error {
	if o.Store != e.s {
		return errors.New("engine: reconfigure cannot change the store")
	}
	old := e.opt()
	if o.Topics.PatientPrefix == "" {
		o.Topics = old.Topics
	}
	if o.Log == nil {
		o.Log = old.Log
	}
	if o.Now == nil {
		o.Now = old.Now
	}
	if o.User == "" {
		o.User = old.User
	}
	if o.Workstation == "" {
		o.Workstation = old.Workstation
	}
	if o.Tick <= 0 {
		o.Tick = old.Tick
	}
	if o.MinRound == 0 {
		o.MinRound = old.MinRound
	}
	e.mu.Lock()
	e.o.Store(&o)
	e.mu.Unlock()
	return nil
}

// Timed re-evaluates the patients whose alerts time alone can change: those
// with an alert that is not history (a follow-up interval ending, an episode
// or an upstream assessment leaving the window). Run calls it every
// Options.Tick; tests call it after moving the clock.
func (e *Engine) Timed(ctx context.Context) error {
	docs, err := e.s.Docs(KindAlert)
	if err != nil {
		return err
	}
	set := map[string]bool{}
	for _, d := range docs {
		var a struct { // only what decides: the rest is not decoded
			Alert struct {
				Past bool `json:"past"`
				Info bool `json:"info"`
			} `json:"alert"`
		}
		if json.Unmarshal(d.Value, &a) == nil && !a.Alert.Past && !a.Alert.Info {
			set[d.Patient] = true
		}
	}
	patients := make([]string, 0, len(set))
	for p := range set {
		patients = append(patients, p)
	}
	sort.Strings(patients)
	dirty, err := e.s.Dirty()
	if err != nil {
		return err
	}
	return e.evaluate(ctx, patients, dirty)
}

// WaitIdle returns once every patient changed by commits up to seq has been
// evaluated (no dirty mark at or below it is left), or ctx ends. Marks of
// later commits do not hold it up.
func (e *Engine) WaitIdle(ctx context.Context, seq uint64) error {
	t := time.NewTicker(25 * time.Millisecond)
	defer t.Stop()
	for {
		dirty, err := e.s.Dirty()
		if err != nil {
			return err
		}
		idle := true
		for _, s := range dirty {
			if s <= seq {
				idle = false
				break
			}
		}
		if idle {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
