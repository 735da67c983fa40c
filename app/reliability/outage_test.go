package reliability

import (
	"context"
	"io"
	"math/rand/v2"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/feed"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/publish"
	"github.com/chartline/chartline/app/testenv"
	"github.com/chartline/chartline/store"
)

// runningFeed is a feed materialising into a store in the background.
type runningFeed struct {
	f      *feed.Feed
	cancel context.CancelFunc
	done   chan error
}

// startFeed runs a feed over a store; extra client options come last (tests
// shrink fetches with them so an ingest takes many fetches).
func startFeed(t *testing.T, s *store.Store, conn kafka.Conn, extra ...kgo.Opt) *runningFeed {
	t.Helper()
	f, err := feed.New(feed.Options{Conn: conn, Topics: kafka.DefaultTopics(), Store: s, ClientOpts: extra})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &runningFeed{f: f, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- f.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(30 * time.Second):
			t.Errorf("the feed did not stop within 30 s of its cancellation")
		}
	})
	return r
}

// smallFetches makes the feed fetch about 40 resources at a time, so an
// ingest of thousands takes many fetches and can be interrupted midway.
func smallFetches() []kgo.Opt {
	return []kgo.Opt{kgo.FetchMaxBytes(64 << 10), kgo.FetchMaxPartitionBytes(16 << 10)}
}

// TestOutageBrokerStopsMidIngest stops the broker (persistent log) while the
// feed is catching up, checks the feed reports Offline with the time and a
// reason while the store keeps serving reads, restarts the broker on the same
// port with its log, and checks the feed reconnects by itself and converges
// on exactly the topics' compacted content, records produced after the
// restart included.
func TestOutageBrokerStopsMidIngest(t *testing.T) {
	t.Parallel()
	n := 4000
	if soak() {
		n = 30_000
	}
	dataDir := t.TempDir()
	e := testenv.New(t, kafka.BrokerOptions{DataDir: dataDir, CompactEvery: -1})
	addr := e.Broker.Addr()
	w := newWorkload(20261125, n, 8)
	produce(t, e.Prod, w.wave(n))
	total := endTotal(t, e.Broker.Conn(), e.Topics)

	s := testenv.OpenStore(t, filepath.Join(t.TempDir(), "chartline.db"))
	defer s.Close()
	r := startFeed(t, s, kafka.Conn{Brokers: []string{addr}}, smallFetches()...)
	testenv.Eventually(t, 60*time.Second, "ingest under way", func() bool { return r.f.Status().Applied >= 300 })

	e.Prod.Close()
	e.Broker.Close()
	stopped := time.Now()
	testenv.Eventually(t, 20*time.Second, "offline reported", func() bool { return r.f.Status().State == feed.Offline })
	st := r.f.Status()
	t.Logf("offline reported %v after the broker stopped: %q", time.Since(stopped).Round(time.Millisecond), st.String())
	if st.Since.IsZero() || st.Since.Before(stopped.Add(-time.Second)) || st.Err == "" {
		t.Fatalf("offline status without a time since the outage or a reason: since %v, err %q", st.Since, st.Err)
	}
	if !strings.Contains(st.String(), "offline since") {
		t.Fatalf("status line %q does not say offline since when", st.String())
	}
	// What was fetched before the outage may still be committed (decoding
	// and applying overlap the next fetch, and the client holds one fetch
	// ahead): the store is settled once everything fetched is applied and
	// nothing more arrives for a second. Then it must stand still.
	var held int64
	testenv.Eventually(t, 30*time.Second, "the fetched records applied", func() bool {
		before, applied := r.f.Fetched(), r.f.Status().Applied
		held = progress(t, s)
		time.Sleep(time.Second)
		return before == applied && r.f.Fetched() == before && r.f.Status().Applied == applied && progress(t, s) == held
	})
	if held == 0 || held >= total {
		t.Fatalf("the store holds %d of %d records: the broker did not stop mid-ingest", held, total)
	}
	// Reads keep working while offline, again and again.
	for range 20 {
		census, err := s.Census()
		if err != nil || len(census) == 0 {
			t.Fatalf("census while offline: %d patients, %v", len(census), err)
		}
		items, err := s.Items(census[0].Collection)
		if err != nil || len(items) == 0 {
			t.Fatalf("items while offline: %d, %v", len(items), err)
		}
		if _, ok, err := s.Resource(items[0].Ref); !ok || err != nil {
			t.Fatalf("resource while offline: %v %v", ok, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := progress(t, s); got != held {
		t.Fatalf("the store moved from %d to %d records with the broker down", held, got)
	}

	b, err := kafka.StartBroker(context.Background(), kafka.BrokerOptions{Addr: addr, DataDir: dataDir, CompactEvery: -1})
	if err != nil {
		t.Fatalf("restart the broker on %s: %v", addr, err)
	}
	t.Cleanup(b.Close)
	back := time.Now()
	prod := testenv.Client(t, b.Conn(), publish.ProducerOptions()...)
	produce(t, prod, w.wave(500))
	total = endTotal(t, b.Conn(), e.Topics)
	testenv.Eventually(t, 90*time.Second, "reconnected and caught up", func() bool {
		return r.f.Status().Connected() && progress(t, s) == total
	})
	t.Logf("caught up %v after the broker came back (%d records held before the outage, %d after)", time.Since(back).Round(time.Millisecond), held, total)
	v := compare(t, s, expect(t, readTopics(t, b.Conn(), e.Topics), e.Topics))
	t.Logf("%d resources equal byte for byte, %d tombstoned keys absent, %d quarantined, %d partitions at their log end", v.resources, v.tombstoned, v.quarantined, v.partitions)
}

// silentBroker accepts TCP connections and never answers.
type silentBroker struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func newSilentBroker(t *testing.T) *silentBroker {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sb := &silentBroker{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			sb.mu.Lock()
			sb.conns = append(sb.conns, c)
			sb.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		sb.mu.Lock()
		defer sb.mu.Unlock()
		for _, c := range sb.conns {
			c.Close()
		}
	})
	return sb
}

func (sb *silentBroker) accepted() int {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	return len(sb.conns)
}

// TestOutageSilentBroker points the feed at a "broker" that accepts TCP and
// never answers: the feed reports connecting and then offline within
// seconds, keeps running (never exits by itself), and ends promptly when
// cancelled. The same through `chartline ingest` in a child process, which
// exits 0 promptly on SIGTERM.
func TestOutageSilentBroker(t *testing.T) {
	t.Parallel()
	sb := newSilentBroker(t)
	conn := kafka.Conn{Brokers: []string{sb.ln.Addr().String()}}

	t.Run("feed", func(t *testing.T) {
		t.Parallel()
		s := testenv.OpenStore(t, filepath.Join(t.TempDir(), "chartline.db"))
		defer s.Close()
		began := time.Now()
		r := startFeed(t, s, conn)
		if st := r.f.Status(); st.State != feed.Connecting {
			t.Fatalf("first state %s, want connecting", st.State)
		}
		testenv.Eventually(t, 20*time.Second, "offline reported", func() bool { return r.f.Status().State == feed.Offline })
		st := r.f.Status()
		t.Logf("offline reported %v after start: %q", time.Since(began).Round(time.Millisecond), st.String())
		if st.Err == "" || st.Since.IsZero() {
			t.Fatalf("offline without reason or time: %+v", st)
		}
		if sb.accepted() == 0 {
			t.Fatal("the feed never dialled the silent broker")
		}
		select {
		case err := <-r.done:
			t.Fatalf("the feed exited by itself: %v", err)
		case <-time.After(2 * time.Second):
		}
		r.cancel()
		cancelled := time.Now()
		select {
		case err := <-r.done:
			r.done <- err // for the cleanup
			if err != nil {
				t.Fatalf("Run returned %v on cancellation", err)
			}
			t.Logf("Run returned %v after its cancellation", time.Since(cancelled).Round(time.Millisecond))
			if time.Since(cancelled) > 5*time.Second {
				t.Fatalf("Run took %v to end after its cancellation", time.Since(cancelled))
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Run hung after its cancellation")
		}
	})

	t.Run("cli", func(t *testing.T) {
		t.Parallel()
		home := t.TempDir()
		db := filepath.Join(home, "chartline.db")
		createStore(t, db)
		p := start(t, "cli", childEnv(home, passEnv()), "ingest", "-brokers", conn.Brokers[0], "-settings", filepath.Join(home, "settings.json"), "-db", db)
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(p.err.String(), "offline since") {
			if p.exited() {
				t.Fatalf("ingest exited by itself (status %d):\n%s", p.code, p.err.String())
			}
			if time.Now().After(deadline) {
				t.Fatalf("ingest did not report offline within 20 s:\n%s", p.err.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
		p.cmd.Process.Signal(syscall.SIGTERM)
		signalled := time.Now()
		if code := p.wait(10 * time.Second); code != 0 {
			t.Fatalf("ingest exit %d after SIGTERM:\n%s", code, p.err.String())
		}
		t.Logf("ingest exited 0 %v after SIGTERM; stderr:\n%s", time.Since(signalled).Round(time.Millisecond), tail(p.err.String(), 4))
	})
}

// cutProxy forwards TCP connections to a broker and cuts each one after a
// random number of bytes from the broker (at most maxCut), mid-response.
type cutProxy struct {
	ln     net.Listener
	target string
	minCut int
	maxCut int
	mu     sync.Mutex
	rng    *rand.Rand
	conns  atomic.Int64
	cuts   atomic.Int64
	wg     sync.WaitGroup
	open   map[net.Conn]bool // both ends of every live connection
}

func newCutProxy(t *testing.T, target string, minCut, maxCut int) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target, minCut: minCut, maxCut: maxCut, rng: rand.New(rand.NewPCG(20261126, 3)), open: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(func() {
		ln.Close()
		p.mu.Lock()
		for c := range p.open {
			c.Close()
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
	return p
}

func (p *cutProxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		budget := p.minCut + p.rng.IntN(p.maxCut-p.minCut)
		p.mu.Unlock()
		p.conns.Add(1)
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.pipe(c, int64(budget))
		}()
	}
}

// track remembers a live connection end until it is closed.
func (p *cutProxy) track(c net.Conn, live bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if live {
		p.open[c] = true
	} else {
		delete(p.open, c)
		c.Close()
	}
}

func (p *cutProxy) pipe(client net.Conn, budget int64) {
	p.track(client, true)
	defer p.track(client, false)
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	p.track(server, true)
	defer p.track(server, false)
	go io.Copy(server, client) // requests pass untouched
	n, err := io.CopyN(client, server, budget)
	if n == budget && err == nil {
		p.cuts.Add(1) // the budget ran out mid-stream: cut
	}
}

// TestOutageProxyCutsConnections puts a TCP proxy between the feed and the
// broker that cuts every connection after a random number of bytes from the
// broker (2 KiB to 64 KiB), so fetch responses are cut midway again and
// again. The feed reconnects each time and converges on exactly the topics'
// compacted content.
func TestOutageProxyCutsConnections(t *testing.T) {
	t.Parallel()
	n := 2500
	if soak() {
		n = 20_000
	}
	e := testenv.New(t, kafka.BrokerOptions{CompactEvery: -1})
	w := newWorkload(20261126, n, 6)
	// Small record batches: a fetch returns whole batches, and one larger than
	// every cut budget could never get through.
	prod := testenv.Client(t, e.Broker.Conn(), kgo.AllowAutoTopicCreation(), kgo.ProducerBatchMaxBytes(16<<10))
	produce(t, prod, w.wave(n))
	proxy := newCutProxy(t, e.Broker.Addr(), 2<<10, 64<<10)
	via := func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, proxy.ln.Addr().String())
	}
	s := testenv.OpenStore(t, filepath.Join(t.TempDir(), "chartline.db"))
	defer s.Close()
	began := time.Now()
	r := startFeed(t, s, kafka.Conn{Brokers: []string{proxy.ln.Addr().String()}},
		kgo.FetchMaxBytes(16<<10), kgo.FetchMaxPartitionBytes(8<<10), kgo.Dialer(via))
	total := endTotal(t, e.Broker.Conn(), e.Topics)
	deadline := time.Now().Add(2 * time.Minute)
	for progress(t, s) != total {
		if time.Now().After(deadline) {
			t.Fatalf("not converged through the cutting proxy in 2 min: %d of %d records, %d connections, %d cut; status %s",
				progress(t, s), total, proxy.conns.Load(), proxy.cuts.Load(), r.f.Status())
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("converged in %v over %d connections, %d of them cut mid-stream", time.Since(began).Round(time.Millisecond), proxy.conns.Load(), proxy.cuts.Load())
	if proxy.cuts.Load() < 20 {
		t.Fatalf("only %d connections were cut: the test proves little", proxy.cuts.Load())
	}
	// The feed counts a batch in its status just after the store commits it.
	testenv.Eventually(t, 10*time.Second, "the status counting every record", func() bool { return r.f.Status().Applied >= int64(n) })
	v := compare(t, s, expect(t, readTopics(t, e.Broker.Conn(), e.Topics), e.Topics))
	t.Logf("%d resources equal byte for byte, %d tombstoned keys absent, %d quarantined, %d partitions at their log end", v.resources, v.tombstoned, v.quarantined, v.partitions)
}
