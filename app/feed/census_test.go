package feed

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/census"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/store"
)

func (e *env) startCensus(s *store.Store, list string) *running {
	e.t.Helper()
	f, err := New(Options{Conn: e.Broker.Conn(), Topics: e.Topics, Store: s, Discover: 200 * time.Millisecond, Census: list})
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{f: f, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- f.Run(ctx) }()
	e.t.Cleanup(r.stop)
	return r
}

func entry(list, id, value string) *kgo.Record {
	r := &kgo.Record{Topic: "spv.census." + list, Key: []byte("Patient/" + id)}
	if value != "" {
		r.Value = []byte(value)
	}
	return r
}

func count(t *testing.T, s *store.Store, id string) int {
	t.Helper()
	res, err := s.Resources(id)
	if err != nil {
		t.Fatal(err)
	}
	return len(res)
}

// A running feed on a census list reads an admitted patient's topic within
// a couple of seconds, stops at a discharge, ignores other lists and
// unlisted patients, quarantines an unreadable entry, and after a restart
// follows the list the store holds.
func TestCensusFollowsTheList(t *testing.T) {
	e := newEnv(t, kafka.BrokerOptions{})
	e.Produce(hr("w-1", 0, 3)...)
	e.Produce(hr("w-2", 0, 2)...)
	e.Produce(hr("other", 0, 4)...)
	e.Produce(entry("ward-a", "w-1", `{"location":"A-1","status":"admitted"}`),
		entry("ward-b", "other", `{"location":"B-1","status":"admitted"}`), // another ward's list
		entry("ward-a", "w-bad", `not json`),
		&kgo.Record{Topic: "spv.census.ward-a", Key: []byte("Observation/x"), Value: []byte(`{"status":"admitted"}`)})
	s := e.openStore()
	r := e.startCensus(s, "ward-a")
	r.caughtUp(t)
	if n1, n2, n3 := count(t, s, "w-1"), count(t, s, "w-2"), count(t, s, "other"); n1 != 3 || n2 != 0 || n3 != 0 {
		t.Fatalf("followed w-1 %d, w-2 %d, other %d; want 3, 0, 0", n1, n2, n3)
	}
	if q := s.QuarantineCount(); q != 2 {
		t.Fatalf("%d quarantined, want the 2 unreadable census entries", q)
	}
	if st := r.f.Status(); st.Census != "ward-a" || st.Followed != 1 {
		t.Fatalf("status census %q followed %d", st.Census, st.Followed)
	}

	admitted := time.Now()
	e.Produce(entry("ward-a", "w-2", `{"location":"A-2","status":"admitted"}`))
	eventually(t, 5*time.Second, "admission read", func() bool { return count(t, s, "w-2") == 2 })
	t.Logf("admission to chart in %v", time.Since(admitted).Round(10*time.Millisecond))

	e.Produce(entry("ward-a", "w-1", "")) // discharged
	eventually(t, 5*time.Second, "discharge applied", func() bool { return r.f.Status().Followed == 1 })
	time.Sleep(500 * time.Millisecond) // a discovery pass drops the topic
	e.Produce(hr("w-1", 3, 1)...)
	e.Produce(hr("w-2", 2, 1)...)
	eventually(t, 5*time.Second, "w-2 still read", func() bool { return count(t, s, "w-2") == 3 })
	if n := count(t, s, "w-1"); n != 3 {
		t.Fatalf("discharged w-1 has %d resources: its topic was read after the discharge (or its data lost)", n)
	}
	docs, err := s.PatientDocs(census.Kind, "w-1")
	if err != nil || len(docs) != 1 {
		t.Fatalf("w-1 census entry: %v %v", docs, err)
	}

	r.stop()
	s.Close()
	s = e.openStore()
	defer s.Close()
	e.Produce(hr("w-2", 3, 1)...)
	r = e.startCensus(s, "ward-a")
	if st := r.f.Status(); st.Followed != 1 {
		t.Fatalf("after a restart %d followed, want 1 (w-2) from the store", st.Followed)
	}
	r.caughtUp(t)
	if n1, n2 := count(t, s, "w-1"), count(t, s, "w-2"); n1 != 3 || n2 != 4 {
		t.Fatalf("after restart: w-1 %d, w-2 %d; want 3, 4", n1, n2)
	}
}
