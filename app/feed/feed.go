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
// # Pipelines
//
// Values in the Schema Registry wire format are unframed before the record
// rules (unframe in batch.go; schema ids checked with Options.Schemas). A
// failover cluster (kafka.Conn.Failover) takes over when the one read falls
// silent (cluster.go). A census list (Options.Census) narrows the patient
// topics read to the patients on it (census.go).
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

	"github.com/chartline/chartline/app/census"
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
	// FailoverAfter is how long the live cluster may go without answering
	// before the feed switches to the other one, when Conn has a failover
	// cluster (Conn.Failover). Default 15 s.
	FailoverAfter time.Duration
	// Census, when set, is the census list followed: only the patients on
	// spv.census.<Census> have their topics consumed (see census.go).
	// Default "": every patient topic.
	Census string
	// CensusRetention is how long a discharged patient's data stays in the
	// store. Default census.DefaultRetention (72 h).
	CensusRetention time.Duration
	// LocalFHIRBases are the base URLs whose absolute Patient references
	// name local patients (config local_fhir_bases; record.RefRule). Default none.
	LocalFHIRBases []string
}

// Feed is a running materialiser. Create it with New, run it with Run.
type Feed struct {
	o       Options
	tr      *tracker
	b       builder
	patient *regexp.Regexp
	shared  map[string]bool
	salt    []byte

	mu       sync.Mutex
	live     *cluster        // the cluster read now (guarded by mu)
	followed map[string]bool // patients on the census list (guarded by mu)

	fetched  atomic.Int64
	discover chan struct{} // a discovery pass finished
	switchTo chan string   // UseCluster's requests

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
	if o.FailoverAfter <= 0 {
		o.FailoverAfter = DefaultFailoverAfter
	}
	if o.CensusRetention <= 0 {
		o.CensusRetention = census.DefaultRetention
	}
	if o.Census != "" && !kafka.ValidCensusList(o.Census) {
		return nil, fmt.Errorf("feed: census list %q: want 1 to 64 of A-Z a-z 0-9 . _ -", o.Census)
	}
	if o.Conn.HasFailover() {
		if _, err := o.Conn.FailoverConn().Options(); err != nil {
			return nil, fmt.Errorf("feed: failover cluster: %w", err)
		}
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	shared := map[string]bool{}
	for _, t := range o.Topics.Shared() {
		shared[t] = true
	}
	f := &Feed{
		o: o, tr: newTracker(o.Conn.Brokers),
		b:       builder{topics: o.Topics, now: time.Now, dec: record.Decoder{Refs: record.NewRefRule(o.LocalFHIRBases)}, census: o.Census},
		patient: regexp.MustCompile(o.Topics.PatientRegex()),
		shared:  shared, salt: salt,
		discover: make(chan struct{}, 1),
		switchTo: make(chan string, 1),
	}
	if err := f.loadCensus(); err != nil {
		return nil, fmt.Errorf("feed: read the census: %w", err)
	}
	c, err := f.newCluster(Primary)
	if err != nil {
		return nil, err
	}
	f.live = c
	f.tr.st.Cluster, f.tr.st.HasFailover = Primary, o.Conn.HasFailover()
	f.tr.st.Census, f.tr.st.Followed = o.Census, len(f.followed)
	return f, nil
}

// newCluster builds the client for the primary or the failover cluster (it
// does not dial).
func (f *Feed) newCluster(name string) (*cluster, error) {
	conn := f.o.Conn
	if name == Failover {
		conn = f.o.Conn.FailoverConn()
	}
	connOpts, err := conn.Options()
	if err != nil {
		return nil, fmt.Errorf("feed: %w", err)
	}
	reset := kgo.NewOffset().AtStart()
	if f.o.Conn.HasFailover() {
		// Between mirrored clusters a stored offset past the log end is
		// mirroring lag: it is waited for (discoverOnce), never reset.
		reset = kgo.NoResetOffset()
	}
	opts := append(connOpts,
		kgo.ConsumeResetOffset(reset),
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
	opts = append(opts, f.o.ClientOpts...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("feed: %w", err)
	}
	return &cluster{
		name: name, conn: conn, cl: cl, adm: kadm.NewClient(cl),
		consuming: map[string]map[int32]bool{},
		expected:  map[store.TopicPartition]int64{},
		waiting:   map[store.TopicPartition]int64{},
		switched:  make(chan struct{}),
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

// Client is the franz-go client of the cluster read now, shared with the
// outbox publisher. After a switch to the other cluster it is closed: see
// Live for when to take the new one.
func (f *Feed) Client() *kgo.Client {
	cl, _ := f.Live()
	return cl
}

// Live returns the client of the cluster read now and a channel closed when
// the feed leaves that cluster (the client is closed then too): whoever
// produces through the feed's client takes the new one after it.
func (f *Feed) Live() (*kgo.Client, <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.live.cl, f.live.switched
}

// Run consumes until ctx ends. It returns nil when ctx is cancelled, and an
// error only when the store cannot be written: the file is damaged
// (store.ErrCorrupt, store.ErrTampered). Other write failures are retried.
//
// With a failover cluster, Run reads one cluster at a time and switches
// (see cluster.go): everything decoded from the old cluster is committed
// before the new one starts from the stored offsets.
func (f *Feed) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	batches := make(chan pending, 1)
	errc := make(chan error, 1)
	go func() {
		err := f.applyLoop(ctx, batches)
		if err != nil {
			cancel() // the poller stops too
		}
		errc <- err
	}()

	f.mu.Lock()
	c := f.live
	f.mu.Unlock()
	for {
		next := f.runCluster(ctx, c, batches)
		if next == "" || ctx.Err() != nil || !f.drain(ctx, batches) {
			break
		}
		nc, err := f.newCluster(next)
		if err != nil { // the options were checked in New; this does not happen
			f.o.Log.Error("cannot switch clusters", "err", err)
			continue
		}
		f.setLive(nc)
		c = nc
	}
	close(batches)
	return <-errc
}

// pending is a decoded poll on its way to the store. A pending with done
// set carries no batch: the apply loop closes done when it reaches it.
type pending struct {
	batch *store.Batch
	hw    map[store.TopicPartition]int64
	n     int
	done  chan struct{}
}

func (f *Feed) pollLoop(ctx context.Context, c *cluster, out chan<- pending) {
	for ctx.Err() == nil {
		fetches := c.cl.PollRecords(ctx, f.o.MaxBatch)
		if ctx.Err() != nil {
			return
		}
		f.fetchErrors(c, fetches)
		recs := fetches.Records()
		if len(recs) == 0 {
			continue
		}
		c.answer()
		f.fetched.Add(int64(len(recs)))
		hw := map[store.TopicPartition]int64{}
		fetches.EachPartition(func(p kgo.FetchTopicPartition) {
			hw[store.TopicPartition{Topic: p.Topic, Partition: p.Partition}] = p.HighWatermark
			if len(p.Records) > 0 {
				f.checkRestart(c, p.Topic, p.Partition, p.Records[0].Offset)
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
func (f *Feed) checkRestart(c *cluster, topic string, part int32, first int64) {
	tp := store.TopicPartition{Topic: topic, Partition: part}
	f.mu.Lock()
	want, ok := c.expected[tp]
	delete(c.expected, tp)
	f.mu.Unlock()
	if ok && first < want {
		f.o.Log.Warn("stored offset is past the end of the log (topic recreated?): restarting the partition from the beginning",
			"topic", f.redact(topic), "partition", part, "stored", want, "first", first)
	}
}

func (f *Feed) applyLoop(ctx context.Context, in <-chan pending) error {
	purge := time.NewTicker(f.purgeEvery())
	defer purge.Stop()
	for {
		var p pending
		select {
		case q, ok := <-in:
			if !ok {
				return nil
			}
			p = q
		case now := <-purge.C:
			if err := f.purgeDischarged(now); err != nil && !errors.Is(err, store.ErrClosed) {
				f.o.Log.Error("census retention: purge failed; will retry", "err", err)
			}
			continue
		}
		if p.done != nil {
			close(p.done)
			continue
		}
		backoff := 100 * time.Millisecond
		if f.beforeApply != nil {
			f.beforeApply(p.batch)
		}
		for {
			ch, err := f.o.Store.Apply(p.batch)
			if err == nil {
				f.tr.applied(int64(p.n))
				admitted := 0
				if len(p.batch.Docs) > 0 {
					admitted = f.censusApplied(p.batch.Docs)
				}
				f.mu.Lock()
				followed := len(f.followed)
				f.mu.Unlock()
				f.tr.update(func(s *Status) {
					s.CensusPending += admitted // until a discovery pass starts their topics
					s.Followed = followed
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
}

func (f *Feed) fetchErrors(c *cluster, fetches kgo.Fetches) {
	for _, fe := range fetches.Errors() {
		if errors.Is(fe.Err, context.Canceled) || errors.Is(fe.Err, context.DeadlineExceeded) || errors.Is(fe.Err, kgo.ErrClientClosed) {
			continue
		}
		if errors.Is(fe.Err, kerr.TopicAuthorizationFailed) {
			f.skip(c, fe.Topic, "not authorized to read (cluster ACL)")
			continue
		}
		if errors.Is(fe.Err, kerr.OffsetOutOfRange) && f.o.Conn.HasFailover() {
			f.outOfRange(c, fe.Topic, fe.Partition)
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

func (f *Feed) skip(c *cluster, topic, why string) {
	f.mu.Lock()
	parts := c.consuming[topic]
	f.mu.Unlock()
	if len(parts) > 0 {
		rm := map[string][]int32{}
		for p := range parts {
			rm[topic] = append(rm[topic], p)
		}
		c.cl.RemoveConsumePartitions(rm)
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

// redact names a topic for logs: shared topics by name, patient topics by
// a pseudonym that is stable within this process only.
func (f *Feed) redact(topic string) string {
	if f.shared[topic] || !strings.HasPrefix(topic, f.o.Topics.PatientPrefix) {
		return topic
	}
	h := sha256.Sum256(append(append([]byte{}, f.salt...), topic...))
	return f.o.Topics.PatientPrefix + "~" + hex.EncodeToString(h[:4])
}
