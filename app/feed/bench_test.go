package feed

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/testenv"
	"github.com/chartline/chartline/store"
)

// BenchmarkIngest materialises 20,000 realistic generated resources (~1.5 KB,
// a hospital mix over 50 patient topics) from the embedded broker into a fresh
// store per iteration, fsync on: decode, validate, seal, commit.
func BenchmarkIngest(b *testing.B) {
	const n = 20_000
	e := testenv.New(b, kafka.BrokerOptions{CompactEvery: -1})
	var recs []*kgo.Record
	var bytes int64
	demo.Bulk(3, n, 50, func(topic string, key, value []byte) bool {
		recs = append(recs, &kgo.Record{Topic: topic, Key: key, Value: value})
		bytes += int64(len(value))
		return true
	})
	e.Produce(recs...)
	b.ResetTimer()
	total := 0
	for b.Loop() {
		b.StopTimer()
		s, err := store.Create(filepath.Join(b.TempDir(), "bench.db"), testenv.Passphrase, &store.Options{KDF: store.TestKDF})
		if err != nil {
			b.Fatal(err)
		}
		f, err := New(Options{Conn: e.Broker.Conn(), Topics: kafka.DefaultTopics(), Store: s, Discover: 100 * time.Millisecond})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		b.StartTimer()
		go func() { done <- f.Run(ctx) }()
		if err := f.WaitCaughtUp(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		total += int(f.Status().Applied)
		cancel()
		<-done
		s.Close()
		b.StartTimer()
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(total)/sec, "records/s")
	b.ReportMetric(float64(bytes)*float64(b.N)/sec/1e6, "MB/s")
}
