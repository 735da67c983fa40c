package reliability

import (
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/testenv"
)

// TestCrashIngestKilledAtRandom runs `chartline ingest` as a child process
// over waves of generated traffic (new resources, updates, tombstones,
// recreations, hostile records, on several patient topics and
// fhir.reference, with the broker compacting now and then) and SIGKILLs it
// at random moments. After every kill the store must hold exactly the
// compacted content of the records before its stored offsets (a crash at
// any instant leaves a consistent prefix); after the last run, which ends
// caught up, exactly the topics' compacted content and the log end offsets.
//
// The kill moment is drawn at random, measured from the child's first
// commit (its progress line reporting records applied), so the kill lands
// mid-ingest however fast the machine is: under -race on a loaded 2-core
// machine the child's first 5,000-record batch alone took over 12 s, and a
// window measured from the child's start (as this test had) then only ever
// killed children that had applied nothing. The window shrinks when a kill
// came after the child had applied everything. Every fourth run is killed
// at a random moment in its first second instead, before or during its first
// transaction. A child that commits nothing within two minutes fails the
// test: that is a stall, not a slow machine. Only kills that landed
// mid-ingest (some records applied, not all) count towards the 3 (20 in
// soak) required.
func TestCrashIngestKilledAtRandom(t *testing.T) {
	t.Parallel()
	kills, patients := 3, 10
	if soak() {
		kills, patients = 20, 40
	}
	c := newIngestCrash(t, patients)
	c.send(1000) // a backlog to catch up on first
	window := 3 * time.Second
	var before int64
	mid, all, checked := 0, 0, 0
	for run := 1; mid < kills; run++ {
		if run > 4*kills+6 {
			t.Fatalf("only %d of %d kills landed mid-ingest in %d runs", mid, kills, all)
		}
		if run%3 == 0 {
			c.e.Compact() // the next run meets offset gaps
		}
		delay := c.killOne(run, window)
		all++
		after, total, resources := c.checkPrefix(all, delay)
		checked += resources
		what := "mid-ingest"
		switch {
		case after < before:
			t.Fatalf("run %d: the store went back from %d to %d records", all, before, after)
		case after == before:
			what = "before applying anything"
		case after >= total:
			what = "after applying everything"
			window = max(window*2/3, 200*time.Millisecond)
		default:
			mid++
		}
		t.Logf("run %d: killed after %v, %s: %d of %d records applied (%d resources checked)", all, delay.Round(time.Millisecond), what, after, total, resources)
		before = after
	}
	c.finish(all, mid, checked)
}

// ingestCrash is the scenario of TestCrashIngestKilledAtRandom: a broker, a
// store, the ingest child's command, and the generated traffic sent so far.
type ingestCrash struct {
	t      *testing.T
	e      *testenv.Env
	db     string
	env    []string
	args   []string
	w      *workload
	rng    *rand.Rand
	sentMu sync.Mutex
	sent   topicLog // guarded by sentMu
}

// newIngestCrash creates the store and the workload over patients topics.
func newIngestCrash(t *testing.T, patients int) *ingestCrash {
	t.Helper()
	e := testenv.New(t, kafka.BrokerOptions{CompactEvery: -1})
	home := t.TempDir()
	db := filepath.Join(home, "chartline.db")
	createStore(t, db)
	return &ingestCrash{t: t, e: e, db: db, w: newWorkload(20261124, 40_000, patients), sent: newTopicLog(),
		env:  childEnv(home, passEnv()),
		args: []string{"ingest", "-brokers", e.Broker.Addr(), "-settings", filepath.Join(home, "settings.json"), "-db", db},
		rng:  rand.New(rand.NewPCG(20261124, 1))}
}

// send produces a wave of n records and remembers them.
func (c *ingestCrash) send(n int) {
	recs := c.w.wave(n)
	produce(c.t, c.e.Prod, recs)
	c.sentMu.Lock()
	c.sent.add(recs)
	c.sentMu.Unlock()
}

// killOne starts an ingest child with live traffic (a chunk every 100 ms)
// and SIGKILLs it: every fourth run at a random moment in its first second,
// the others at a random moment within window of its first commit. It
// returns how long after its start the child was killed.
func (c *ingestCrash) killOne(run int, window time.Duration) time.Duration {
	t := c.t
	t.Helper()
	p := start(t, "cli", c.env, c.args...)
	// Live traffic while the child runs: a small chunk every 5 ms, shorter
	// than a commit takes, so some is nearly always on its way to the store
	// when the kill lands (25 records every 100 ms left a fast child idle
	// at most kills: 0 of 3 landed mid-ingest in 18 runs).
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
				c.send(10)
			}
		}
	}()
	var delay time.Duration
	if run%4 == 0 {
		delay = time.Duration(c.rng.Int64N(int64(time.Second)))
		time.Sleep(delay)
	} else {
		waited, ok := p.waitApplied(2 * time.Minute)
		if !ok {
			exited := p.exited()
			close(stop)
			<-stopped
			p.kill()
			t.Fatalf("run %d: the ingest child committed nothing in %v (exited by itself: %v); its last lines:\n%s", run, waited.Round(time.Millisecond), exited, tail(p.err.String(), 20))
		}
		delay = time.Duration(c.rng.Int64N(int64(window)))
		time.Sleep(delay)
		delay += waited
	}
	exited := p.exited()
	p.kill()
	close(stop)
	<-stopped
	if exited {
		t.Fatalf("ingest exited by itself (status %d) before the kill:\n%s", p.code, tail(p.err.String(), 20))
	}
	return delay
}

// checkPrefix checks the store after the kill of run all and returns the
// records it applied, the topics' total, and the resources compared.
func (c *ingestCrash) checkPrefix(all int, delay time.Duration) (after, total int64, resources int) {
	t := c.t
	t.Helper()
	total = endTotal(t, c.e.Broker.Conn(), c.e.Topics)

	s := openStore(t, c.db, false)
	after = progress(t, s)
	// Whatever instant the kill came at, the store is a consistent
	// prefix of the topics: exactly the compacted content of the records
	// before its stored offsets, counts and quarantine included.
	offs, err := s.Offsets()
	if err != nil {
		t.Fatal(err)
	}
	v := compare(t, s, expectUpTo(t, c.sent, c.e.Topics, offs))
	s.Close()
	if t.Failed() {
		t.Fatalf("run %d: the store is not a consistent prefix after a kill at %v", all, delay)
	}
	return after, total, v.resources
}

// finish runs ingest to the end: the last run finishes, and the store then
// holds exactly the topics' compacted content.
func (c *ingestCrash) finish(all, mid, checked int) {
	t := c.t
	t.Helper()
	c.send(500)
	p := start(t, "cli", c.env, append(c.args, "-until-caught-up")...)
	if code := p.wait(3 * time.Minute); code != 0 {
		t.Fatalf("final ingest exit %d:\n%s", code, tail(p.err.String(), 20))
	}
	if !strings.Contains(p.err.String(), "ingested ") {
		t.Fatalf("final ingest printed no summary:\n%s", p.err.String())
	}
	s := openStore(t, c.db, false)
	defer s.Close()
	log := readTopics(t, c.e.Broker.Conn(), c.e.Topics)
	want := expect(t, log, c.e.Topics)
	v := compare(t, s, want)
	if v.resources == 0 || v.tombstoned == 0 || v.quarantined == 0 {
		t.Fatalf("the workload exercised too little: %+v", v)
	}
	t.Logf("%d runs, %d kills (%d mid-ingest); %d records read back from %d partitions; produced %s", all+1, all, mid, want.records, len(want.ends), c.w.counts)
	t.Logf("final store: %d resources equal byte for byte, %d tombstoned keys absent, %d records quarantined once, %d partitions at their log end offset; %d resource comparisons after kills",
		v.resources, v.tombstoned, v.quarantined, v.partitions, checked)
}
