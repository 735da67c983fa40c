// Package feed materialises Chartline's Kafka topics into the store, exactly
// once: every patient topic (fhir.patient.<id>, discovered while running)
// and the six shared topics.
//
// # How records flow
//
// One goroutine polls up to MaxBatch records, decodes and validates them in
// parallel across cores (app/record), and hands the whole poll to a second
// goroutine as one store.Batch: upserts, tombstone deletes, quarantined
// records and the next offset of every partition, committed in one bbolt
// transaction. While one batch commits the next is being decoded. Within a
// batch only the last operation per key is kept, as compaction would, so
// replaying a compacted topic from zero converges to the same state.
//
// # Offsets
//
// Partitions are consumed directly (no consumer group) from the offset the
// store holds, or from the beginning when the store has none. franz-go's
// ConsumeRegex cannot start a partition at a stored offset (SetOffsets only
// moves partitions that were already fetched, so a restart would re-read from
// the start), so the feed does the regex subscription itself: every Discover
// interval (1 s) it lists the cluster's topics, matches them against the
// anchored patient-topic regex and the shared names, and adds new partitions
// with AddConsumePartitions at their stored offsets. A new patient topic is
// consumed within about a second of appearing. An offset that is out of range
// (topic recreated, or retention passed it) restarts the partition from the
// beginning with a log line.
//
// # Outages
//
// The feed never exits because the cluster is away: it reports Offline with
// the time, keeps retrying with backoff (franz-go's), and reconnects and
// catches up by itself. The store stays readable throughout. A topic the
// cluster refuses (an ACL authorization error) is skipped and reported.
//
// Logs never name a patient: patient topics are logged by a per-process
// pseudonym.
package feed

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/app/schemareg"
	"github.com/chartline/chartline/store"
)

// Options configure a Feed. Zero values take the documented defaults.
type Options struct {
	Conn   kafka.Conn
	Topics kafka.Topics
	Store  *store.Store
	Log    *slog.Logger // default: discard
	// MaxBatch is the most records one store transaction takes. Bigger
	// batches pay the commit's fsync less often while catching up; live
	// traffic commits as soon as records arrive. Default 5,000.
	MaxBatch int
	// Discover is how often topics and log end offsets are listed. It bounds
	// how late a new patient topic is noticed. Default 1 s.
	Discover time.Duration
	// ClientOpts are extra franz-go options (tests use them for short timeouts).
	ClientOpts []kgo.Opt
	// Schemas, when set, checks the schema id of every value in the Schema
	// Registry wire format (see app/schemareg); nil accepts the framing
	// without checking. While the registry gives no verdict the feed waits.
	Schemas *schemareg.Registry
	// LocalFHIRBases are the base URLs whose absolute Patient references
	// name local patients (config local_fhir_bases; record.RefRule). Default none.
	LocalFHIRBases []string
}

// Feed is a running materialiser. Create it with New, run it with Run.
type Feed struct {
	o       Options
	cl      *kgo.Client
	adm     *kadm.Client
	tr      *tracker
	b       builder
	patient *regexp.Regexp
	shared  map[string]bool
	salt    []byte

	mu        sync.Mutex
	consuming map[string]map[int32]bool
	expected  map[store.TopicPartition]int64 // first offset expected after adding a partition

	fetched  atomic.Int64
	discover chan struct{} // a discovery pass finished
	failures int           // discovery passes failed in a row (discoverLoop only)

	beforeApply func(*store.Batch) // tests: runs before each commit
}

// New connects lazily: it builds the client but does not dial until Run.
func New(o Options) (*Feed, error) {
	if o.Store == nil {
		return nil, errors.New("feed: no store")
	}
	if o.Topics.PatientPrefix == "" {
		o.Topics = kafka.DefaultTopics()
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 5000
	}
	if o.Discover <= 0 {
		o.Discover = time.Second
	}
	connOpts, err := o.Conn.Options()
	if err != nil {
		return nil, fmt.Errorf("feed: %w", err)
	}
	opts := append(connOpts,
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		// Live records reach the store within a few hundred milliseconds.
		kgo.FetchMaxWait(250*time.Millisecond),
		// Bound what is buffered: records point into their fetch response,
		// so a poll keeps whole responses alive until its batch commits.
		// 8 MiB responses keep ingest at about 200 MB RSS; a larger value
		// (a 4 MiB resource) still comes whole: brokers return the first
		// batch of a partition whatever the limit.
		kgo.FetchMaxBytes(8<<20),
		kgo.FetchMaxPartitionBytes(1<<20),
		kgo.MetadataMinAge(250*time.Millisecond),
		// A broker that accepts connections and never answers is reported
		// offline after two 5 s attempts instead of franz-go's 10 s each.
		kgo.DialTimeout(5*time.Second),
		kgo.MetadataMaxAge(10*time.Second),
		kgo.RetryBackoffFn(func(tries int) time.Duration {
			return min(time.Duration(tries)*250*time.Millisecond, 5*time.Second)
		}),
	)
	opts = append(opts, o.ClientOpts...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("feed: %w", err)
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	shared := map[string]bool{}
	for _, t := range o.Topics.Shared() {
		shared[t] = true
	}
	return &Feed{
		o: o, cl: cl, adm: kadm.NewClient(cl), tr: newTracker(o.Conn.Brokers),
		b:       builder{topics: o.Topics, now: time.Now, dec: record.Decoder{Refs: record.NewRefRule(o.LocalFHIRBases)}},
		patient: regexp.MustCompile(o.Topics.PatientRegex()),
		shared:  shared, salt: salt,
		consuming: map[string]map[int32]bool{},
		expected:  map[store.TopicPartition]int64{},
		discover:  make(chan struct{}, 1),
	}, nil
}

// Status is the feed's current status.
func (f *Feed) Status() Status { return f.tr.snapshot() }

// Watch returns a channel that always holds the latest status, and a
// function to stop watching.
func (f *Feed) Watch() (<-chan Status, func()) { return f.tr.watch() }

// Fetched is the number of records fetched from the cluster this session
// (tests use it to prove a restart re-reads nothing).
func (f *Feed) Fetched() int64 { return f.fetched.Load() }

// Client is the underlying franz-go client, shared with the outbox publisher.
func (f *Feed) Client() *kgo.Client { return f.cl }

// Run consumes until ctx ends. It returns nil when ctx is cancelled, and an
// error only when the store cannot be written: the file is damaged
// (store.ErrCorrupt, store.ErrTampered). Other write failures are retried.
func (f *Feed) Run(ctx context.Context) error {
	defer f.cl.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		f.discoverLoop(ctx)
	}()

	batches := make(chan pending, 1)
	errc := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		err := f.applyLoop(ctx, batches)
		if err != nil {
			cancel() // the poller stops too
		}
		errc <- err
	}()

	f.pollLoop(ctx, batches)
	close(batches)
	err := <-errc
	cancel()
	// Close the client before waiting for discovery: a request to a broker
	// that accepted the connection but never answers ignores its context and
	// would hold the discovery (and this Run) until the connection dies.
	f.cl.Close()
	wg.Wait()
	return err
}

// pending is a decoded poll on its way to the store.
type pending struct {
	batch *store.Batch
	hw    map[store.TopicPartition]int64
	n     int
}

func (f *Feed) pollLoop(ctx context.Context, out chan<- pending) {
	for ctx.Err() == nil {
		fetches := f.cl.PollRecords(ctx, f.o.MaxBatch)
		if ctx.Err() != nil {
			return
		}
		f.fetchErrors(fetches)
		recs := fetches.Records()
		if len(recs) == 0 {
			continue
		}
		f.fetched.Add(int64(len(recs)))
		hw := map[store.TopicPartition]int64{}
		fetches.EachPartition(func(p kgo.FetchTopicPartition) {
			hw[store.TopicPartition{Topic: p.Topic, Partition: p.Partition}] = p.HighWatermark
			if len(p.Records) > 0 {
				f.checkRestart(p.Topic, p.Partition, p.Records[0].Offset)
			}
		})
		schemas, ok := f.schemaVerdicts(ctx, recs)
		if !ok {
			return
		}
		p := pending{batch: f.b.build(recs, schemas), hw: hw, n: len(recs)}
		select {
		case out <- p:
		case <-ctx.Done():
			return
		}
	}
}

// schemaVerdicts asks the registry about every schema id framing a value of
// recs (each id once per process: the registry caches). Without a registry
// it returns nil. While the registry gives no verdict (unreachable,
// credentials refused) it retries with backoff and reports the error in the
// status: records are never quarantined for the registry's outage. ok is
// false only when ctx ended.
func (f *Feed) schemaVerdicts(ctx context.Context, recs []*kgo.Record) (map[uint32]string, bool) {
	if f.o.Schemas == nil {
		return nil, true
	}
	out := map[uint32]string{}
	backoff := 250 * time.Millisecond
	failed := false
	for _, r := range recs {
		id, _, framed, err := schemareg.Unframe(r.Value)
		if !framed || err != nil {
			continue
		}
		if _, done := out[id]; done {
			continue
		}
		for {
			why, err := f.o.Schemas.Check(ctx, id)
			if err == nil {
				out[id] = why
				break
			}
			if ctx.Err() != nil {
				return nil, false
			}
			if !failed {
				f.o.Log.Warn("schema registry gives no answer; waiting", "err", err)
				failed = true
			}
			msg := err.Error()
			f.tr.update(func(s *Status) { s.Err = msg })
			select {
			case <-time.After(backoff):
				backoff = min(2*backoff, 10*time.Second)
			case <-ctx.Done():
				return nil, false
			}
		}
	}
	if failed {
		f.o.Log.Info("schema registry answers again")
		f.tr.update(func(s *Status) { s.Err = "" })
	}
	return out, true
}

// checkRestart logs when a partition's first records come from before the
// stored offset: the topic was recreated, so it restarts from the beginning.
func (f *Feed) checkRestart(topic string, part int32, first int64) {
	tp := store.TopicPartition{Topic: topic, Partition: part}
	f.mu.Lock()
	want, ok := f.expected[tp]
	delete(f.expected, tp)
	f.mu.Unlock()
	if ok && first < want {
		f.o.Log.Warn("stored offset is past the end of the log (topic recreated?): restarting the partition from the beginning",
			"topic", f.redact(topic), "partition", part, "stored", want, "first", first)
	}
}

func (f *Feed) applyLoop(ctx context.Context, in <-chan pending) error {
	for p := range in {
		backoff := 100 * time.Millisecond
		if f.beforeApply != nil {
			f.beforeApply(p.batch)
		}
		for {
			ch, err := f.o.Store.Apply(p.batch)
			if err == nil {
				f.tr.applied(int64(p.n))
				f.tr.update(func(s *Status) {
					for tp, next := range p.batch.Offsets {
						pl := s.Partitions[tp]
						pl.Next = next
						if hw, ok := p.hw[tp]; ok && hw > 0 {
							pl.HighWater = hw
						}
						s.Partitions[tp] = pl
					}
					s.Applied += int64(p.n)
					s.Resources += int64(p.n - len(p.batch.Quarantine))
					s.Quarantined += int64(ch.Quarantined)
				})
				break
			}
			if errors.Is(err, store.ErrClosed) || ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, store.ErrCorrupt) || errors.Is(err, store.ErrTampered) {
				// A damaged file does not heal: retrying would spin for ever.
				f.o.Log.Error("store damaged; the feed stops", "err", err)
				return fmt.Errorf("feed: %w", err)
			}
			// The batch is kept and retried: nothing is skipped, and the
			// poller waits (the channel is full) until the disk recovers.
			f.o.Log.Error("store write failed; retrying", "err", err)
			select {
			case <-time.After(backoff):
				backoff = min(2*backoff, 10*time.Second)
			case <-ctx.Done():
				return nil
			}
		}
	}
	return nil
}

func (f *Feed) fetchErrors(fetches kgo.Fetches) {
	for _, fe := range fetches.Errors() {
		if errors.Is(fe.Err, context.Canceled) || errors.Is(fe.Err, context.DeadlineExceeded) {
			continue
		}
		if errors.Is(fe.Err, kerr.TopicAuthorizationFailed) {
			f.skip(fe.Topic, "not authorized to read (cluster ACL)")
			continue
		}
		// Some franz-go errors name the topic in their text (a patient
		// topic's name carries the patient id): say it by its pseudonym.
		msg := fe.Err.Error()
		if fe.Topic != "" {
			msg = strings.ReplaceAll(msg, fe.Topic, f.redact(fe.Topic))
		}
		f.o.Log.Warn("fetch error", "topic", f.redact(fe.Topic), "partition", fe.Partition, "err", msg)
		f.tr.update(func(s *Status) { s.Err = msg })
	}
}

func (f *Feed) skip(topic, why string) {
	f.mu.Lock()
	parts := f.consuming[topic]
	f.mu.Unlock()
	if len(parts) > 0 {
		rm := map[string][]int32{}
		for p := range parts {
			rm[topic] = append(rm[topic], p)
		}
		f.cl.RemoveConsumePartitions(rm)
	}
	f.o.Log.Warn("skipping topic", "topic", f.redact(topic), "reason", why)
	f.tr.update(func(s *Status) {
		s.Skipped[topic] = why
		for tp := range s.Partitions {
			if tp.Topic == topic {
				delete(s.Partitions, tp)
			}
		}
	})
}

// wanted reports whether a topic is one of Chartline's.
func (f *Feed) wanted(topic string) bool {
	return f.shared[topic] || f.patient.MatchString(topic)
}

func (f *Feed) discoverLoop(ctx context.Context) {
	t := time.NewTicker(f.o.Discover)
	defer t.Stop()
	for {
		f.discoverOnce(ctx)
		select {
		case f.discover <- struct{}{}:
		default:
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// discoverOnce lists topics, starts consuming new ones at their stored
// offsets, and refreshes the log end offsets for the lag figures.
func (f *Feed) discoverOnce(ctx context.Context) {
	timeout := max(5*time.Second, 3*f.o.Discover)
	lctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	details, err := f.adm.ListTopics(lctx)
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		f.failures++
		f.tr.update(func(s *Status) {
			s.Err = err.Error()
			// One slow answer from a busy cluster is not an outage: offline
			// is declared on the second failed pass in a row.
			if s.State != Offline && (f.failures >= 2 || s.State == Connecting) {
				s.State, s.Since = Offline, time.Now()
				f.o.Log.Warn("cluster unreachable; working offline", "err", err)
			}
		})
		return
	}
	f.failures = 0
	var topics []string
	add := map[string]map[int32]kgo.Offset{}
	stored, err := f.o.Store.Offsets()
	if err != nil {
		f.o.Log.Error("read stored offsets", "err", err)
		return
	}
	skipped := f.Status().Skipped
	for name, d := range details {
		if !f.wanted(name) {
			continue
		}
		if d.Err != nil {
			if errors.Is(d.Err, kerr.TopicAuthorizationFailed) {
				if _, done := skipped[name]; !done {
					f.skip(name, "not authorized to read (cluster ACL)")
				}
			}
			continue
		}
		if _, done := skipped[name]; done {
			continue
		}
		topics = append(topics, name)
		f.mu.Lock()
		for p := range d.Partitions {
			if f.consuming[name][p] {
				continue
			}
			if f.consuming[name] == nil {
				f.consuming[name] = map[int32]bool{}
			}
			f.consuming[name][p] = true
			off := kgo.NewOffset().AtStart()
			if next, ok := stored[store.TopicPartition{Topic: name, Partition: p}]; ok {
				off = kgo.NewOffset().At(next)
				f.expected[store.TopicPartition{Topic: name, Partition: p}] = next
			}
			if add[name] == nil {
				add[name] = map[int32]kgo.Offset{}
			}
			add[name][p] = off
		}
		f.mu.Unlock()
	}
	if len(add) > 0 {
		f.cl.AddConsumePartitions(add)
	}

	var ends, starts kadm.ListedOffsets
	if len(topics) > 0 {
		if ends, err = f.adm.ListEndOffsets(lctx, topics...); err == nil {
			starts, err = f.adm.ListStartOffsets(lctx, topics...)
		}
		if err != nil && ctx.Err() == nil {
			f.o.Log.Warn("list offsets", "err", err)
		}
	}
	f.tr.update(func(s *Status) {
		if s.State == Offline || s.State == Connecting {
			if s.State == Offline {
				f.o.Log.Info("cluster reachable again; catching up")
			}
			s.State = Live // update() settles live vs catching up by the lag
		}
		s.Err = ""
		if len(topics) == 0 || err == nil {
			s.Passes++ // a pass counts once it has seen the log ends
		}
		ends.Each(func(o kadm.ListedOffset) {
			if o.Err != nil {
				return
			}
			tp := store.TopicPartition{Topic: o.Topic, Partition: o.Partition}
			pl, ok := s.Partitions[tp]
			if !ok {
				pl.Next = stored[tp]
			}
			if st, ok := starts.Lookup(o.Topic, o.Partition); ok && st.Err == nil && pl.Next < st.Offset {
				if pl.Next > 0 {
					f.o.Log.Info("stored offset is below the log start (compaction or retention passed it); resuming from the log start",
						"topic", f.redact(o.Topic), "partition", o.Partition)
				}
				pl.Next = st.Offset // nothing before the log start can be fetched
			}
			pl.HighWater = o.Offset
			s.Partitions[tp] = pl
		})
	})
}

// WaitCaughtUp returns once every partition that exists has been
// materialised up to the log end a discovery pass saw after the call (new
// records arriving meanwhile do not move the target), or ctx ends.
func (f *Feed) WaitCaughtUp(ctx context.Context) error {
	// Wait for a discovery pass that started after the call: the second one
	// to finish from now (the first may have listed the topics before the
	// call). A signal left in the channel by an older pass is not one.
	passes := f.Status().Passes
	for f.Status().Passes < passes+2 {
		select {
		case <-f.discover:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	var target map[store.TopicPartition]int64
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		s := f.Status()
		if s.Connected() && s.Passes > 0 {
			if target == nil {
				target = make(map[store.TopicPartition]int64, len(s.Partitions))
				for tp, p := range s.Partitions {
					target[tp] = p.HighWater
				}
			}
			done := true
			for tp, hw := range target {
				p, ok := s.Partitions[tp]
				if ok && p.Next < hw { // a partition gone (skipped) no longer counts
					done = false
					break
				}
			}
			if done {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// redact names a topic for logs: shared topics by name, patient topics by
// a pseudonym that is stable within this process only.
func (f *Feed) redact(topic string) string {
	if f.shared[topic] || !strings.HasPrefix(topic, f.o.Topics.PatientPrefix) {
		return topic
	}
	h := sha256.Sum256(append(append([]byte{}, f.salt...), topic...))
	return f.o.Topics.PatientPrefix + "~" + hex.EncodeToString(h[:4])
}
