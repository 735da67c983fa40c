package reliability

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/app/testenv"
)

// TestHostileBurstMemoryBounded sends a burst of big hostile records (6 MiB
// values, over the 4 MiB limit, of incompressible text) through the broker
// and runs `chartline ingest` over it in a child process that samples its
// own heap every 5 ms. Every one is quarantined whole; the child's peak heap
// stays under a generous bound above its heap at start (the feed holds a
// fetch's worth at a time, 32 MiB, not the burst: in soak the burst is
// 960 MiB under the same bound), and after a GC at exit nothing of the burst
// is retained.
func TestHostileBurstMemoryBounded(t *testing.T) {
	t.Parallel()
	const (
		valueBytes = 6 << 20
		bound      = 256 << 20 // peak HeapInuse allowed above the child's start
		retained   = 16 << 20  // HeapInuse allowed above the start after a GC
	)
	n := 5 // 30 MiB
	if soak() {
		n = 160 // 960 MiB
	}
	e := testenv.New(t, kafka.BrokerOptions{MaxMessageBytes: 16 << 20, CompactEvery: -1})
	prod := testenv.Client(t, e.Broker.Conn(), kgo.AllowAutoTopicCreation(), kgo.ProducerBatchMaxBytes(16<<20), kgo.MaxBufferedBytes(64<<20))
	home := t.TempDir()
	db := filepath.Join(home, "chartline.db")
	createStore(t, db)
	env := childEnv(home, passEnv(), envMemStat+"="+filepath.Join(home, "mem"))
	args := []string{"ingest", "-brokers", e.Broker.Addr(), "-settings", filepath.Join(home, "s.json"), "-db", db, "-until-caught-up"}
	topic := e.Topics.Patient(hostilePatient)

	// Incompressible note text, drawn once: each value is sealed on its own,
	// so sharing it between records saves the test time, not the store work.
	rng := rand.New(rand.NewPCG(20261127, 4))
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/"
	text := make([]byte, valueBytes)
	for j := 0; j+8 <= len(text); j += 8 {
		x := rng.Uint64()
		for k := range 8 {
			text[j+k] = letters[x>>(6*k)&63]
		}
	}
	for i := range n {
		v := sized(fmt.Sprintf("big-%d", i), valueBytes)
		copy(v[120:len(v)-8], text)
		produce(t, prod, []*kgo.Record{{Topic: topic, Key: fmt.Appendf(nil, "Observation/big-%d", i), Value: v}})
	}
	began := time.Now()
	p := start(t, "cli", env, args...)
	if code := p.wait(3 * time.Minute); code != 0 {
		t.Fatalf("burst ingest exit %d:\n%s", code, p.err.String())
	}
	base, peak, final := readMemStat(t, filepath.Join(home, "mem"))
	t.Logf("burst of %d × %d MiB = %d MiB ingested in %v: peak HeapInuse %d MiB (%d MiB at the child's start), %d MiB after a GC at exit",
		n, valueBytes>>20, n*valueBytes>>20, time.Since(began).Round(time.Millisecond), peak>>20, base>>20, final>>20)

	s := openStore(t, db, false)
	defer s.Close()
	qs, err := s.Quarantine()
	if err != nil {
		t.Fatal(err)
	}
	tooLarge := 0
	for _, q := range qs {
		if q.Reason == string(record.ReasonTooLarge) && len(q.Value) == valueBytes {
			tooLarge++
		}
	}
	if tooLarge != n {
		t.Fatalf("%d of %d big records quarantined whole as too large", tooLarge, n)
	}
	if final > base+retained {
		t.Fatalf("%d MiB of heap in use after a GC at exit, %d MiB at the start: the burst was retained", final>>20, base>>20)
	}
	if peak > base+bound {
		t.Fatalf("peak HeapInuse %d MiB during a %d MiB burst: more than %d MiB above the %d MiB at the start", peak>>20, n*valueBytes>>20, bound>>20, base>>20)
	}
}
