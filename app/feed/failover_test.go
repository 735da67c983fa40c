package feed

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/testenv"
	"github.com/chartline/chartline/store"
)

// hr returns n heart-rate Observations of patient id on its topic, from
// sequence number from; called twice, it gives equal records (a cluster link
// mirrors the same bytes at the same offsets).
func hr(id string, from, n int) []*kgo.Record {
	var out []*kgo.Record
	for i := from; i < from+n; i++ {
		oid := fmt.Sprintf("%s-hr-%d", id, i)
		out = append(out, &kgo.Record{Topic: "fhir.patient." + id, Key: []byte("Observation/" + oid),
			Value: fmt.Appendf(nil, `{"resourceType":"Observation","id":"%s","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"subject":{"reference":"Patient/%s"},"effectiveDateTime":"2026-11-20T08:%02d:00Z","valueQuantity":{"value":%d,"unit":"/min"}}`, oid, id, i%60, 60+i)})
	}
	return out
}

func (e *env) startFailover(s *store.Store, conn kafka.Conn, after time.Duration) *running {
	e.t.Helper()
	f, err := New(Options{Conn: conn, Topics: e.Topics, Store: s, Discover: 200 * time.Millisecond, FailoverAfter: after})
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{f: f, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- f.Run(ctx) }()
	e.t.Cleanup(r.stop)
	return r
}

func storedOffset(t *testing.T, s *store.Store, topic string) int64 {
	t.Helper()
	offs, err := s.Offsets()
	if err != nil {
		t.Fatal(err)
	}
	return offs[store.TopicPartition{Topic: topic}]
}

// A stored offset beyond the failover's log end (the mirror lags) is
// reported and waited for: nothing is reset or skipped, and once the mirror
// has caught up the feed goes on from exactly the stored offset.
func TestFailoverWaitsForMirrorLag(t *testing.T) {
	a, b := newEnv(t, kafka.BrokerOptions{}), newEnv(t, kafka.BrokerOptions{})
	const topic = "fhir.patient.lag-1"
	a.Produce(hr("lag-1", 0, 10)...)
	b.Produce(hr("lag-1", 0, 6)...) // the link has mirrored 6 of 10
	s := a.openStore()
	defer s.Close()
	conn := a.Broker.Conn()
	conn.Failover = b.Broker.Conn().Brokers
	r := a.startFailover(s, conn, time.Second)
	r.caughtUp(t)
	if got := r.f.Status().Cluster; got != Primary || storedOffset(t, s, topic) != 10 {
		t.Fatalf("before the outage: cluster %s, offset %d", got, storedOffset(t, s, topic))
	}

	a.Broker.Close()
	eventually(t, 15*time.Second, "switch to the failover, waiting for its mirror", func() bool {
		st := r.f.Status()
		return st.Cluster == Failover && st.Connected() && st.Waiting[store.TopicPartition{Topic: topic}] == 10
	})
	time.Sleep(600 * time.Millisecond) // a few discovery passes: still nothing reset
	if off := storedOffset(t, s, topic); off != 10 {
		t.Fatalf("stored offset moved to %d while waiting for the mirror", off)
	}
	if st := r.f.Status(); st.Applied != 10 || !contains(st.String(), "[failover]") || !contains(st.String(), "1 partitions waiting for the mirror") {
		t.Fatalf("status while waiting: %+v / %s", st, st)
	}

	b.Produce(hr("lag-1", 6, 4)...)  // the mirror catches up…
	b.Produce(hr("lag-1", 10, 2)...) // …and new records arrive on the failover
	// The stored offset moves in the commit, Status().Applied just after it.
	eventually(t, 10*time.Second, "resume from the stored offset", func() bool {
		return storedOffset(t, s, topic) == 12 && r.f.Status().Applied == 12
	})
	res, err := s.Resources("lag-1")
	if err != nil {
		t.Fatal(err)
	}
	if st := r.f.Status(); len(res) != 12 || st.Applied != 12 || len(st.Waiting) != 0 {
		t.Fatalf("after the mirror caught up: %d resources, %d applied, waiting %v", len(res), st.Applied, st.Waiting)
	}
}

// The feed switches when asked, both ways, and returns to the primary by
// itself when the failover stops answering; each switch resumes from the
// stored offsets, so every record is applied once.
func TestFailoverOnRequestAndBackWhenTheFailoverFails(t *testing.T) {
	a, b := newEnv(t, kafka.BrokerOptions{}), newEnv(t, kafka.BrokerOptions{})
	const topic = "fhir.patient.sw-1"
	both := func(from, n int) {
		a.Produce(hr("sw-1", from, n)...)
		b.Produce(hr("sw-1", from, n)...)
	}
	both(0, 3)
	s := a.openStore()
	defer s.Close()
	conn := a.Broker.Conn()
	conn.Failover = b.Broker.Conn().Brokers
	r := a.startFailover(s, conn, 1500*time.Millisecond)
	r.caughtUp(t)

	live := func(name string, off int64) {
		t.Helper()
		eventually(t, 15*time.Second, fmt.Sprintf("%s live at offset %d", name, off), func() bool {
			st := r.f.Status()
			// Status().Applied moves just after the commit that stores the offset.
			return st.Cluster == name && st.Connected() && storedOffset(t, s, topic) == off && st.Applied == off
		})
	}
	if !r.f.UseCluster(Failover) {
		t.Fatal("UseCluster(failover) refused")
	}
	both(3, 2)
	live(Failover, 5)
	if !r.f.UseCluster(Primary) {
		t.Fatal("UseCluster(primary) refused")
	}
	both(5, 2)
	live(Primary, 7)
	r.f.UseCluster(Failover)
	both(7, 1)
	live(Failover, 8)

	b.Broker.Close() // the failover fails: back to the primary
	a.Produce(hr("sw-1", 8, 2)...)
	live(Primary, 10)
	st := r.f.Status()
	if st.Applied != 10 || st.Switches != 4 {
		t.Fatalf("applied %d records in %d switches, want 10 in 4", st.Applied, st.Switches)
	}
	if r.f.UseCluster("elsewhere") {
		t.Fatal("UseCluster accepted an unknown cluster")
	}
}

// Without a failover configured, asking for one is refused.
func TestNoFailoverConfigured(t *testing.T) {
	a := newEnv(t, kafka.BrokerOptions{})
	s := a.openStore()
	defer s.Close()
	r := a.start(s, a.Broker.Conn())
	if r.f.UseCluster(Failover) || r.f.Status().HasFailover {
		t.Fatal("failover offered without a failover cluster")
	}
	if st := r.f.Status(); contains(st.String(), "[primary]") {
		t.Fatalf("status names a cluster with no failover: %s", st)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// On the failover, a stored offset below the log start (retention passed
// it there) resumes from the log start: nothing older can be fetched, and
// the partition is not left out of range for ever.
func TestFailoverStoredOffsetBelowLogStart(t *testing.T) {
	a, b := newEnv(t, kafka.BrokerOptions{}), newEnv(t, kafka.BrokerOptions{})
	const topic = "fhir.patient.ls-1"
	a.Produce(hr("ls-1", 0, 3)...)
	b.Produce(hr("ls-1", 0, 10)...)
	s := a.openStore()
	defer s.Close()
	conn := a.Broker.Conn()
	conn.Failover = b.Broker.Conn().Brokers
	r := a.startFailover(s, conn, time.Second)
	r.caughtUp(t)
	adm := kadm.NewClient(testenv.Client(t, b.Broker.Conn()))
	var offs kadm.Offsets
	offs.Add(kadm.Offset{Topic: topic, Partition: 0, At: 6})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if resp, err := adm.DeleteRecords(ctx, offs); err != nil || resp.Error() != nil {
		t.Fatalf("delete records: %v %v", err, resp.Error())
	}
	a.Broker.Close()
	eventually(t, 15*time.Second, "resumed from the failover's log start", func() bool { return storedOffset(t, s, topic) == 10 })
	if n := count(t, s, "ls-1"); n != 3+4 {
		t.Fatalf("%d resources, want 3 from the primary and offsets 6–9 from the failover", n)
	}
}
