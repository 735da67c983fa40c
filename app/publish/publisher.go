package publish

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/kafka"
)

// KindOther is the topic kind Counts uses for topics that are not
// Chartline's.
const KindOther = "other"

// ProducerOptions are the kgo producer settings Publish is tuned for; add them
// after kafka.Conn.Options when building the client:
//   - linger 5 ms, so records bound for a topic travel in batches;
//   - no compression, so every consumer (kcat included) reads the batches
//     whatever its codecs; the values are JSON a broker stores as is;
//   - batches up to kafka.MaxMessageBytes (8 MiB), so a 4 MiB resource fits.
//     Topics Chartline creates allow that; a topic created elsewhere with
//     Kafka's 1 MiB max.message.bytes refuses batches over 1 MiB;
//   - up to 50,000 buffered records, so a large file streams while earlier
//     batches are acknowledged.
//
// kgo's defaults stand for the rest: acks from all in-sync replicas,
// idempotent production, per-key partitioning.
func ProducerOptions() []kgo.Opt {
	return []kgo.Opt{
		kgo.ProducerLinger(5 * time.Millisecond),
		kgo.ProducerBatchCompression(kgo.NoCompression()),
		kgo.ProducerBatchMaxBytes(kafka.MaxMessageBytes),
		kgo.MaxBufferedRecords(50_000),
	}
}

// Counts says what a Publish delivered: records acknowledged by the brokers,
// by topic kind (kafka.KindPatient, kafka.KindReference, …, KindOther) and,
// for resources, by resource type (the type in the key), with tombstones
// counted apart.
type Counts struct {
	Records     int            // records acknowledged, tombstones included
	ByTopicKind map[string]int // records by kind of topic
	ByType      map[string]int // resources (not tombstones) by resource type
	Tombstones  int            // deletes
	Topics      int            // distinct topics written to
}

// add counts one acknowledged record.
func (c *Counts) add(kind string, r *kgo.Record, topics map[string]bool) {
	if c.ByTopicKind == nil {
		c.ByTopicKind, c.ByType = make(map[string]int), make(map[string]int)
	}
	c.Records++
	c.ByTopicKind[kind]++
	if r.Value == nil {
		c.Tombstones++
	} else if kind != kafka.KindCensus { // a census entry is not a resource
		typ, _, _ := strings.Cut(string(r.Key), "/")
		c.ByType[typ]++
	}
	if !topics[r.Topic] {
		topics[r.Topic] = true
		c.Topics++
	}
}

// String renders the lines `chartline publish` prints: a summary line, then
// records per topic kind in a fixed order and resources per type in
// alphabetical order, one "  name  n" line each.
func (c Counts) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "published %d records to %d topics (%d resources, %d tombstones)\n", c.Records, c.Topics, c.Records-c.Tombstones, c.Tombstones)
	width := 0
	for k := range c.ByTopicKind {
		width = max(width, len(k))
	}
	for k := range c.ByType {
		width = max(width, len(k))
	}
	if len(c.ByTopicKind) > 0 {
		b.WriteString("by topic kind:\n")
		order := []string{kafka.KindPatient, kafka.KindReference, kafka.KindStudies, kafka.KindRisk,
			kafka.KindMatches, kafka.KindAlertState, kafka.KindAudit, kafka.KindCensus, KindOther}
		for _, k := range order {
			if n, ok := c.ByTopicKind[k]; ok {
				fmt.Fprintf(&b, "  %-*s %8d\n", width, k, n)
			}
		}
	}
	if len(c.ByType) > 0 {
		b.WriteString("by resource type:\n")
		for _, k := range slices.Sorted(maps.Keys(c.ByType)) {
			fmt.Fprintf(&b, "  %-*s %8d\n", width, k, c.ByType[k])
		}
	}
	return b.String()
}

// Publisher produces records, creating the topics they need first with
// Chartline's policies (kafka.Topics.Config and Partitions) through the admin
// API, and waits for the brokers' acknowledgements. It remembers which topics
// exist, so repeated small publishes (the demo simulator) go straight to
// producing. It is safe for concurrent use. It never alters a topic that
// exists.
type Publisher struct {
	cl     *kgo.Client
	adm    *kadm.Client
	topics kafka.Topics

	mu    sync.Mutex
	known map[string]bool
}

// NewPublisher returns a Publisher producing through cl, which should carry
// ProducerOptions. The caller keeps ownership of cl.
func NewPublisher(cl *kgo.Client, topics kafka.Topics) *Publisher {
	return &Publisher{cl: cl, adm: kadm.NewClient(cl), topics: topics, known: make(map[string]bool)}
}

// Publish creates the missing topics of recs, produces every record
// asynchronously (batched by the client) and returns once each is
// acknowledged or has failed. Counts cover the acknowledged records; the error
// is the first failure, naming the kind of topic, never a patient topic.
// Cancelling ctx stops producing and fails what is still buffered. Records of
// one topic are produced in order.
func (p *Publisher) Publish(ctx context.Context, recs []Record) (Counts, error) {
	var counts Counts
	if err := p.ensureTopics(ctx, recs); err != nil {
		return counts, err
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		seen     = make(map[string]bool)
	)
	kindOf := func(topic string) string {
		if k := p.topics.Kind(topic); k != "" {
			return k
		}
		return KindOther
	}
	for i := range recs {
		if ctx.Err() != nil {
			break
		}
		r := &recs[i]
		kr := &kgo.Record{Topic: r.Topic, Key: r.Key, Value: r.Value, Headers: r.Headers}
		wg.Add(1)
		p.cl.Produce(ctx, kr, func(kr *kgo.Record, err error) {
			defer wg.Done()
			kind := kindOf(kr.Topic)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = fmt.Errorf("produce %s to a %s topic: %w", typeOfKey(kr.Key), kind, err)
				}
				return
			}
			counts.add(kind, kr, seen)
		})
	}
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = fmt.Errorf("publish: %w", ctx.Err())
	}
	return counts, firstErr
}

// typeOfKey is the resource type of a "Type/id" key, for errors.
func typeOfKey(key []byte) string {
	typ, _, _ := strings.Cut(string(key), "/")
	if typ == "" {
		return "a record"
	}
	return "a " + typ
}

// ensureTopics creates the topics of recs that do not exist yet.
func (p *Publisher) ensureTopics(ctx context.Context, recs []Record) error {
	p.mu.Lock()
	var unknown []string
	seen := make(map[string]bool)
	for _, r := range recs {
		if !p.known[r.Topic] && !seen[r.Topic] {
			seen[r.Topic] = true
			unknown = append(unknown, r.Topic)
		}
	}
	p.mu.Unlock()
	if len(unknown) == 0 {
		return nil
	}
	details, err := p.adm.ListTopics(ctx, unknown...)
	if err != nil {
		return fmt.Errorf("look up %d topics: %w", len(unknown), err)
	}
	var exist, missing []string
	for _, t := range unknown {
		d, ok := details[t]
		switch {
		case ok && d.Err == nil:
			exist = append(exist, t)
		case !ok || errors.Is(d.Err, kerr.UnknownTopicOrPartition):
			missing = append(missing, t)
		default:
			return fmt.Errorf("look up a %s topic: %w", p.kindName(t), d.Err)
		}
	}
	if err := p.create(ctx, missing); err != nil {
		return err
	}
	p.mu.Lock()
	for _, t := range append(exist, missing...) {
		p.known[t] = true
	}
	p.mu.Unlock()
	return nil
}

// create creates topics with Chartline's policies: patient topics in one
// request, each other topic with its own settings.
func (p *Publisher) create(ctx context.Context, names []string) error {
	var patients []string
	groups := [][]string{}
	for _, t := range names {
		if p.topics.Kind(t) == kafka.KindPatient {
			patients = append(patients, t)
		} else {
			groups = append(groups, []string{t})
		}
	}
	if len(patients) > 0 {
		groups = append(groups, patients)
	}
	for _, g := range groups {
		resps, err := p.adm.CreateTopics(ctx, p.topics.Partitions(g[0]), -1, p.topics.Config(g[0]), g...)
		if err != nil {
			return fmt.Errorf("create %d %s topics: %w", len(g), p.kindName(g[0]), err)
		}
		for _, r := range resps.Sorted() {
			if r.Err != nil && !errors.Is(r.Err, kerr.TopicAlreadyExists) {
				return fmt.Errorf("create a %s topic: %w", p.kindName(r.Topic), r.Err)
			}
		}
	}
	return nil
}

// kindName names a topic's kind for messages.
func (p *Publisher) kindName(topic string) string {
	if k := p.topics.Kind(topic); k != "" {
		return k
	}
	return KindOther
}
