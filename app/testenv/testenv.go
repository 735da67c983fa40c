// Package testenv gives tests the real parts Chartline runs on: an embedded
// Kafka-protocol broker on loopback, a producer that publishes FHIR through
// the same path as `chartline publish`, and store files with real crypto
// (cheap Argon2 cost). It is imported by tests only.
package testenv

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/publish"
	"github.com/chartline/chartline/app/testenv/testcerts"
	"github.com/chartline/chartline/store"
)

// Passphrase opens every test store.
var Passphrase = []byte("chartline test passphrase")

// Env is one test's broker and producer.
type Env struct {
	T      testing.TB
	Broker *kafka.Broker
	Topics kafka.Topics
	Prod   *kgo.Client
	Pub    *publish.Publisher
}

// New starts a broker on a free loopback port (o.Addr may fix it) and a
// producer; both stop when the test ends.
func New(t testing.TB, o kafka.BrokerOptions) *Env {
	t.Helper()
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	b, err := kafka.StartBroker(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	e := &Env{T: t, Broker: b, Topics: kafka.DefaultTopics()}
	e.Prod = Client(t, b.Conn(), append(publish.ProducerOptions(), kgo.AllowAutoTopicCreation())...)
	e.Pub = publish.NewPublisher(e.Prod, e.Topics)
	return e
}

// Compact compacts every compacted topic of the broker now, except each
// partition's newest batch, which kfake always keeps. The broker must still
// be open: kfake's Compact blocks forever after Broker.Close.
func (e *Env) Compact() { e.Broker.Cluster().Compact() }

// Client is a franz-go client for a connection, closed when the test ends.
func Client(t testing.TB, c kafka.Conn, extra ...kgo.Opt) *kgo.Client {
	t.Helper()
	opts, err := c.Options()
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(append(opts, extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// Publish splits FHIR input (Bundle, resource or NDJSON) and produces it.
func (e *Env) Publish(data string) publish.Counts {
	e.T.Helper()
	recs, err := publish.Split([]byte(data), e.Topics, "test")
	if err != nil {
		e.T.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := e.Pub.Publish(ctx, recs)
	if err != nil {
		e.T.Fatal(err)
	}
	return c
}

// Produce sends raw records straight to their topics.
func (e *Env) Produce(recs ...*kgo.Record) {
	e.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.Prod.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		e.T.Fatalf("produce: %v", err)
	}
}

// Consume reads every record of a topic from the beginning to its end.
func (e *Env) Consume(topic string) []*kgo.Record {
	e.T.Helper()
	cl := Client(e.T, e.Broker.Conn(), kgo.ConsumeTopics(topic), kgo.FetchMaxWait(100*time.Millisecond))
	adm := kadm.NewClient(cl)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ends, err := adm.ListEndOffsets(ctx, topic)
	if err != nil {
		e.T.Fatal(err)
	}
	left := map[int32]int64{} // partition -> end offset still to reach
	ends.Each(func(o kadm.ListedOffset) {
		if o.Offset > 0 {
			left[o.Partition] = o.Offset
		}
	})
	var out []*kgo.Record
	for len(left) > 0 {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			e.T.Fatalf("consume %s: got %d records, partitions %v not read to the end", topic, len(out), left)
		}
		for _, r := range fs.Records() {
			out = append(out, r)
			if end, ok := left[r.Partition]; ok && r.Offset+1 >= end {
				delete(left, r.Partition)
			}
		}
	}
	return out
}

// StorePath is a fresh store path in the test's temp dir.
func StorePath(t testing.TB) string { return filepath.Join(t.TempDir(), "chartline.db") }

// OpenStore opens (or creates) a test store; the caller closes it.
func OpenStore(t testing.TB, path string) *store.Store {
	t.Helper()
	var s *store.Store
	var err error
	if store.Exists(path) {
		s, err = store.Open(path, Passphrase, &store.Options{KDF: store.TestKDF})
	} else {
		s, err = store.Create(path, Passphrase, &store.Options{KDF: store.TestKDF})
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Eventually polls cond until it holds, failing the test after within.
func Eventually(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ClientTLS is the TLS part of a kafka.Conn that trusts c's CA and presents
// its client certificate.
func ClientTLS(c testcerts.Certs) kafka.TLS {
	return kafka.TLS{Enabled: true, CAFile: c.CAFile, CertFile: c.ClientCertFile, KeyFile: c.ClientKeyFile}
}
