package feed

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/publish"
	"github.com/chartline/chartline/app/testenv"
	"github.com/chartline/chartline/app/testenv/testcerts"
	"github.com/chartline/chartline/store"
)

// env is one test's broker, producer and store.
type env struct {
	*testenv.Env
	t      *testing.T
	dbPath string
}

func newEnv(t *testing.T, o kafka.BrokerOptions) *env {
	t.Helper()
	return &env{Env: testenv.New(t, o), t: t, dbPath: filepath.Join(t.TempDir(), "chartline.db")}
}

func (e *env) openStore() *store.Store {
	e.t.Helper()
	var s *store.Store
	var err error
	if store.Exists(e.dbPath) {
		s, err = store.Open(e.dbPath, testenv.Passphrase, &store.Options{KDF: store.TestKDF})
	} else {
		s, err = store.Create(e.dbPath, testenv.Passphrase, &store.Options{KDF: store.TestKDF})
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// running is a feed running in the background.
type running struct {
	f      *Feed
	cancel context.CancelFunc
	done   chan error
}

func (e *env) start(s *store.Store, conn kafka.Conn) *running {
	e.t.Helper()
	f, err := New(Options{Conn: conn, Topics: e.Topics, Store: s, Discover: 200 * time.Millisecond})
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{f: f, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- f.Run(ctx) }()
	e.t.Cleanup(r.stop)
	return r
}

func (r *running) stop() {
	r.cancel()
	<-r.done
	r.done <- nil // later stops return at once
}

func (r *running) caughtUp(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := r.f.WaitCaughtUp(ctx); err != nil {
		t.Fatalf("not caught up: %v (status %s)", err, r.f.Status())
	}
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

const patientBundle = `{"resourceType":"Bundle","type":"transaction","entry":[
 {"fullUrl":"urn:uuid:%[1]s","resource":{"resourceType":"Patient","id":"%[1]s","identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"value":"MRN-%[1]s"}],"name":[{"use":"official","family":"Testperson","given":["Ada"]}],"gender":"female","birthDate":"1960-04-02"},"request":{"method":"PUT","url":"Patient/%[1]s"}},
 {"fullUrl":"urn:uuid:%[1]s-c1","resource":{"resourceType":"Condition","id":"%[1]s-c1","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},"code":{"coding":[{"system":"http://snomed.info/sct","code":"44054006","display":"Diabetes mellitus type 2"}]},"subject":{"reference":"urn:uuid:%[1]s"},"onsetDateTime":"2019-03-01"},"request":{"method":"POST","url":"Condition"}},
 {"fullUrl":"urn:uuid:%[1]s-o1","resource":{"resourceType":"Observation","id":"%[1]s-o1","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}]},"subject":{"reference":"urn:uuid:%[1]s"},"effectiveDateTime":"2026-11-20T08:00:00Z","valueQuantity":{"value":88,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}},"request":{"method":"POST","url":"Observation"}},
 {"fullUrl":"urn:uuid:%[1]s-o2","resource":{"resourceType":"Observation","id":"%[1]s-o2","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"9279-1","display":"Respiratory rate"}]},"subject":{"reference":"urn:uuid:%[1]s"},"effectiveDateTime":"2026-11-20T08:00:00Z","valueQuantity":{"value":18,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}},"request":{"method":"POST","url":"Observation"}},
 {"fullUrl":"urn:uuid:dr-%[1]s","resource":{"resourceType":"Practitioner","id":"dr-%[1]s","name":[{"family":"Lima","given":["Ana"]}]},"request":{"method":"PUT","url":"Practitioner/dr-%[1]s"}}
]}`

func bundle(id string) string { return fmt.Sprintf(patientBundle, id) }

func counts(t *testing.T, s *store.Store, patient string) map[string]int {
	t.Helper()
	e, _, err := s.Entry(patient)
	if err != nil {
		t.Fatal(err)
	}
	return e.Counts
}

func TestPublishIngestEndToEnd(t *testing.T) {
	e := newEnv(t, kafka.BrokerOptions{})
	e.Publish(bundle("p-1") + "\n")
	e.Publish(bundle("p-2"))
	s := e.openStore()
	defer s.Close()
	r := e.start(s, e.Broker.Conn())
	r.caughtUp(t)

	for _, p := range []string{"p-1", "p-2"} {
		c := counts(t, s, p)
		if c["Patient"] != 1 || c["Condition"] != 1 || c["Observation"] != 2 || len(c) != 3 {
			t.Errorf("%s counts = %v", p, c)
		}
	}
	ref, _, _ := s.Entry(store.Reference)
	if ref.Counts["Practitioner"] != 2 {
		t.Errorf("reference counts = %v", ref.Counts)
	}
	census, _ := s.Census()
	if len(census) != 2 || census[0].Patient == nil || census[0].Patient.MRN != "MRN-p-1" {
		t.Fatalf("census = %+v", census)
	}
	// urn:uuid references were resolved by publish and read by the decoder.
	obs, _, _ := s.Resource(store.Ref{Collection: "p-1", Type: "Observation", ID: "p-1-o1"})
	if !strings.Contains(string(obs.JSON), `"reference":"Patient/p-1"`) || obs.Meta.Value != 88 {
		t.Fatalf("observation = %s %+v", obs.JSON, obs.Meta)
	}
	st := r.f.Status()
	if st.State != Live || st.Lag != 0 || st.Applied != 10 || st.Quarantined != 0 || st.Progress != 1 {
		t.Fatalf("status = %+v", st)
	}
	offs, _ := s.Offsets()
	if offs[store.TopicPartition{Topic: "fhir.patient.p-1"}] != 4 {
		t.Fatalf("offsets = %v", offs)
	}
}

func TestTombstoneDeletes(t *testing.T) {
	e := newEnv(t, kafka.BrokerOptions{})
	e.Publish(bundle("p-1"))
	s := e.openStore()
	defer s.Close()
	r := e.start(s, e.Broker.Conn())
	r.caughtUp(t)
	e.Produce(&kgo.Record{Topic: "fhir.patient.p-1", Key: []byte("Observation/p-1-o1")})
	eventually(t, 10*time.Second, "tombstone applied", func() bool { return counts(t, s, "p-1")["Observation"] == 1 })
	if _, ok, _ := s.Resource(store.Ref{Collection: "p-1", Type: "Observation", ID: "p-1-o1"}); ok {
		t.Fatal("deleted observation still held")
	}
	// A DELETE entry in a bundle becomes a tombstone too.
	e.Publish(`{"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"DELETE","url":"Condition?_id=p-1-c1&patient=p-1"}}]}`)
	eventually(t, 10*time.Second, "bundle DELETE applied", func() bool { return counts(t, s, "p-1")["Condition"] == 0 })
}

func TestNewPatientTopicDiscovered(t *testing.T) {
	e := newEnv(t, kafka.BrokerOptions{})
	e.Publish(bundle("p-1"))
	s := e.openStore()
	defer s.Close()
	sub := s.Subscribe()
	defer sub.Close()
	r := e.start(s, e.Broker.Conn())
	r.caughtUp(t)
	start := time.Now()
	e.Publish(bundle("p-new"))
	eventually(t, 5*time.Second, "new patient topic consumed", func() bool { return counts(t, s, "p-new")["Observation"] == 2 })
	t.Logf("new patient topic materialised %v after its records were acknowledged", time.Since(start))
}

// TestWaitCaughtUpCoversTopicsCreatedBeforeTheCall: records acknowledged
// before WaitCaughtUp, on a topic the feed has not discovered yet, are in
// the store when it returns, however long the feed sat idle before (an
// idle feed leaves a stale "pass finished" signal behind).
func TestWaitCaughtUpCoversTopicsCreatedBeforeTheCall(t *testing.T) {
	e := newEnv(t, kafka.BrokerOptions{})
	e.Publish(bundle("p-1"))
	s := e.openStore()
	defer s.Close()
	r := e.start(s, e.Broker.Conn())
	r.caughtUp(t)
	for i := range 4 {
		time.Sleep(time.Duration(300+i*150) * time.Millisecond) // idle passes
		id := fmt.Sprintf("p-wait-%d", i)
		e.Publish(bundle(id))
		r.caughtUp(t)
		if got := counts(t, s, id); got["Patient"] != 1 || got["Observation"] != 2 {
			t.Fatalf("after WaitCaughtUp, %s holds %v, want its Patient and 2 Observations", id, got)
		}
	}
}

func TestRestartResumesAtStoredOffset(t *testing.T) {
	e := newEnv(t, kafka.BrokerOptions{})
	e.Publish(bundle("p-1"))
	e.Publish(bundle("p-2"))
	s := e.openStore()
	r := e.start(s, e.Broker.Conn())
	r.caughtUp(t)
	if n := r.f.Fetched(); n != 10 {
		t.Fatalf("first run fetched %d records, want 10", n)
	}
	r.stop()
	s.Close()

	e.Publish(bundle("p-3"))
	s = e.openStore()
	defer s.Close()
	r = e.start(s, e.Broker.Conn())
	r.caughtUp(t)
	// Only p-3's 4 records and its Practitioner are new: nothing re-read.
	if n := r.f.Fetched(); n != 5 {
		t.Fatalf("restart fetched %d records, want 5 (no re-read)", n)
	}
	if c := counts(t, s, "p-3"); c["Observation"] != 2 {
		t.Fatalf("p-3 = %v", c)
	}
}

func TestCrashBetweenFetchAndCommitReplaysThatBatch(t *testing.T) {
	e := newEnv(t, kafka.BrokerOptions{})
	e.Publish(bundle("p-1"))
	s := e.openStore()
	r := e.start(s, e.Broker.Conn())
	r.caughtUp(t)
	before, _ := s.Offsets()

	// The next batch is fetched, then the process "dies" before committing:
	// the store is closed under the feed, so Apply fails and nothing of the
	// batch is written.
	crashed := make(chan struct{})
	r.f.beforeApply = func(b *store.Batch) {
		s.Close()
		close(crashed)
	}
	e.Publish(bundle("p-2"))
	select {
	case <-crashed:
	case <-time.After(10 * time.Second):
		t.Fatal("the batch was never fetched")
	}
	r.stop()

	s = e.openStore()
	defer s.Close()
	after, _ := s.Offsets()
	if len(after) != len(before) {
		t.Fatalf("offsets of the crashed batch were stored: %v", after)
	}
	if _, ok, _ := s.Entry("p-2"); ok {
		t.Fatal("records of the crashed batch were stored")
	}
	r = e.start(s, e.Broker.Conn())
	r.caughtUp(t)
	if n := r.f.Fetched(); n != 5 {
		t.Fatalf("replay fetched %d records, want exactly the 5 of the lost batch", n)
	}
	if c := counts(t, s, "p-2"); c["Observation"] != 2 || c["Patient"] != 1 {
		t.Fatalf("p-2 after replay = %v", c)
	}
}

func TestQuarantineReasons(t *testing.T) {
	e := newEnv(t, kafka.BrokerOptions{})
	topic := "fhir.patient.p-q"
	good := `{"resourceType":"Observation","id":"ok","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/p-q"}}`
	deep := strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100)
	cases := []struct {
		key, value string
		reason     string
	}{
		{"Observation/a", `not json`, "not JSON"},
		{"Observation/b", `{"resourceType":"Observation","id":"b"`, "not JSON"},
		{"Observation/c", "{\"resourceType\":\"Observation\",\"id\":\"c\",\"note\":[{\"text\":\"\xff\xfe\"}]}", "not UTF-8"},
		{"Observation/d", `null`, "not a JSON object"},
		{"Observation/e", `"a string"`, "not a JSON object"},
		{"Observation/f", `[1,2]`, "not a JSON object"},
		{"Observation/g", `{"id":"g"}`, "no resourceType"},
		{"Observation/h", `{"resourceType":"Wibble","id":"h"}`, "unknown resourceType"},
		{"Condition/i", `{"resourceType":"Observation","id":"i"}`, "key/type mismatch"},
		{"Observation/j", `{"resourceType":"Observation","id":"other"}`, "key/id mismatch"},
		{"Observation/k", `{"resourceType":"Observation","id":"k","subject":{"reference":"Patient/someone-else"}}`, "other patient"},
		{"Patient/impostor", `{"resourceType":"Patient","id":"impostor"}`, "other patient"},
		{"no-slash", `{"resourceType":"Observation","id":"l"}`, "bad key"},
		{"Observation/m", `{"resourceType":"Observation","id":"m","x":` + deep + `}`, "too deeply nested"},
		{"Observation/n", `{"resourceType":"Observation","id":"n","valueQuantity":{"value":1e999}}`, "number out of range"},
	}
	var recs []*kgo.Record
	for _, c := range cases {
		recs = append(recs, &kgo.Record{Topic: topic, Key: []byte(c.key), Value: []byte(c.value)})
	}
	recs = append(recs, &kgo.Record{Topic: topic, Key: []byte("Observation/ok"), Value: []byte(good)})
	e.Produce(recs...)

	s := e.openStore()
	defer s.Close()
	r := e.start(s, e.Broker.Conn())
	r.caughtUp(t)
	q, err := s.Quarantine()
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != len(cases) {
		t.Fatalf("quarantined %d, want %d", len(q), len(cases))
	}
	byKey := map[string]store.Quarantined{}
	for _, x := range q {
		byKey[string(x.Key)] = x
	}
	for _, c := range cases {
		got, ok := byKey[c.key]
		if !ok {
			t.Errorf("%s not quarantined", c.key)
			continue
		}
		if got.Reason != c.reason || got.Detail == "" || string(got.Value) != c.value || got.Topic != topic {
			t.Errorf("%s: reason %q (%s), want %q", c.key, got.Reason, got.Detail, c.reason)
		}
	}
	// Ingest went on: the valid record after them is materialised.
	if _, ok, _ := s.Resource(store.Ref{Collection: "p-q", Type: "Observation", ID: "ok"}); !ok {
		t.Fatal("the valid record after the bad ones was not materialised")
	}
	if st := r.f.Status(); st.Quarantined != int64(len(cases)) {
		t.Fatalf("status quarantined = %d", st.Quarantined)
	}
}

func TestBrokerDownThenBack(t *testing.T) {
	dir := t.TempDir()
	b, err := kafka.StartBroker(context.Background(), kafka.BrokerOptions{Addr: "127.0.0.1:0", DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	addr := b.Addr()
	e := &env{Env: &testenv.Env{T: t, Broker: b, Topics: kafka.DefaultTopics()}, t: t, dbPath: filepath.Join(t.TempDir(), "c.db")}
	e.Prod = testenv.Client(e.t, b.Conn(), publish.ProducerOptions()...)
	e.Pub = publish.NewPublisher(e.Prod, e.Topics)
	e.Publish(bundle("p-1"))

	s := e.openStore()
	defer s.Close()
	r := e.start(s, kafka.Conn{Brokers: []string{addr}})
	r.caughtUp(t)
	e.Prod.Close()
	b.Close()

	eventually(t, 15*time.Second, "offline reported", func() bool { return r.f.Status().State == Offline })
	// Reads keep working while offline.
	if c := counts(t, s, "p-1"); c["Observation"] != 2 {
		t.Fatalf("reads while offline: %v", c)
	}
	st := r.f.Status()
	if st.Since.IsZero() || st.Err == "" {
		t.Fatalf("offline status without time or reason: %+v", st)
	}

	b2, err := kafka.StartBroker(context.Background(), kafka.BrokerOptions{Addr: addr, DataDir: dir})
	if err != nil {
		t.Fatalf("restart broker on %s: %v", addr, err)
	}
	t.Cleanup(b2.Close)
	e.Broker = b2
	e.Prod = testenv.Client(e.t, b2.Conn(), publish.ProducerOptions()...)
	e.Pub = publish.NewPublisher(e.Prod, e.Topics)
	e.Publish(bundle("p-2"))
	eventually(t, 20*time.Second, "reconnected and caught up", func() bool {
		return counts(t, s, "p-2")["Observation"] == 2 && r.f.Status().State == Live
	})
	if c := counts(t, s, "p-1"); c["Observation"] != 2 {
		t.Fatalf("p-1 after the outage: %v", c)
	}
}

func TestSASLAndTLS(t *testing.T) {
	certs, err := testcerts.Write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	serverTLS, err := certs.ServerTLS(true)
	if err != nil {
		t.Fatal(err)
	}
	users := []kafka.User{{Mechanism: "SCRAM-SHA-256", Name: "ward", Password: "pw-256"}, {Mechanism: "SCRAM-SHA-512", Name: "icu", Password: "pw-512"}}
	cases := []struct {
		name string
		bo   kafka.BrokerOptions
		conn func(addr string) kafka.Conn
	}{
		{"tls", kafka.BrokerOptions{TLS: serverTLS}, func(a string) kafka.Conn {
			return kafka.Conn{Brokers: []string{a}, TLS: testenv.ClientTLS(certs)}
		}},
		{"scram-sha-256", kafka.BrokerOptions{SASL: users}, func(a string) kafka.Conn {
			return kafka.Conn{Brokers: []string{a}, SASL: kafka.SASL{Mechanism: "SCRAM-SHA-256", User: "ward", Password: "pw-256"}}
		}},
		{"scram-sha-512 over tls", kafka.BrokerOptions{SASL: users, TLS: serverTLS}, func(a string) kafka.Conn {
			return kafka.Conn{Brokers: []string{a}, TLS: testenv.ClientTLS(certs), SASL: kafka.SASL{Mechanism: "SCRAM-SHA-512", User: "icu", Password: "pw-512"}}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.bo.Addr = "127.0.0.1:0"
			b, err := kafka.StartBroker(context.Background(), c.bo)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			conn := c.conn(b.Addr())
			e := &env{Env: &testenv.Env{T: t, Broker: b, Topics: kafka.DefaultTopics()}, t: t, dbPath: filepath.Join(t.TempDir(), "c.db")}
			e.Prod = testenv.Client(e.t, conn, publish.ProducerOptions()...)
			e.Pub = publish.NewPublisher(e.Prod, e.Topics)
			e.Publish(bundle("p-1"))
			s := e.openStore()
			defer s.Close()
			r := e.start(s, conn)
			r.caughtUp(t)
			if got := counts(t, s, "p-1"); got["Observation"] != 2 {
				t.Fatalf("counts = %v", got)
			}
		})
	}
}

func TestStatusWatch(t *testing.T) {
	e := newEnv(t, kafka.BrokerOptions{})
	e.Publish(bundle("p-1"))
	s := e.openStore()
	defer s.Close()
	r := e.start(s, e.Broker.Conn())
	ch, stop := r.f.Watch()
	defer stop()
	var mu sync.Mutex
	seen := map[State]bool{}
	go func() {
		for st := range ch {
			mu.Lock()
			seen[st.State] = true
			mu.Unlock()
		}
	}()
	r.caughtUp(t)
	eventually(t, 5*time.Second, "watchers see live", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return seen[Live]
	})
}

// TestRunEndsPromptlyAgainstSilentBroker: a "broker" that accepts TCP
// connections and never answers holds franz-go's requests whatever their
// context says; Run must still end promptly once cancelled.
func TestRunEndsPromptlyAgainstSilentBroker(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	defer func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	}()
	e := &env{Env: &testenv.Env{T: t, Topics: kafka.DefaultTopics()}, t: t, dbPath: filepath.Join(t.TempDir(), "c.db")}
	s := e.openStore()
	defer s.Close()
	f, err := New(Options{Conn: kafka.Conn{Brokers: []string{ln.Addr().String()}}, Store: s, Discover: 200 * time.Millisecond,
		ClientOpts: []kgo.Opt{kgo.DialTimeout(500 * time.Millisecond)}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	// Wait until a discovery request is stuck on an accepted connection.
	eventually(t, 20*time.Second, "connection accepted", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(conns) > 0
	})
	time.Sleep(2 * time.Second) // past the dial timeout: the next request sits on a live connection
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not end within 5 s of its cancellation")
	}
}

// TestFetchErrorsDoNotNamePatients: some franz-go fetch errors name the
// topic in their text (ErrDecompressTooLarge, ErrDataLoss), and a patient
// topic's name carries the patient id. Logs and the status line must name
// it by its pseudonym only. A batch that decompresses past the client's
// limit raises such an error.
func TestFetchErrorsDoNotNamePatients(t *testing.T) {
	e := newEnv(t, kafka.BrokerOptions{})
	const patient = "pt-identifying-4711"
	topic := e.Topics.Patient(patient)
	zprod := testenv.Client(e.t, e.Broker.Conn(), kgo.AllowAutoTopicCreation(), kgo.ProducerBatchCompression(kgo.ZstdCompression()))
	var recs []*kgo.Record
	for i := range 64 {
		recs = append(recs, &kgo.Record{Topic: topic, Key: fmt.Appendf(nil, "Observation/o%d", i),
			Value: []byte(`{"resourceType":"Observation","id":"o` + fmt.Sprint(i) + `","status":"final","code":{"text":"` + strings.Repeat("x", 4096) + `"}}`)})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := zprod.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	var logs syncLog
	s := e.openStore()
	defer s.Close()
	f, err := New(Options{Conn: e.Broker.Conn(), Topics: e.Topics, Store: s, Discover: 200 * time.Millisecond,
		Log:        slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		ClientOpts: []kgo.Opt{kgo.MaxDecompressBatchBytes(64 << 10)}})
	if err != nil {
		t.Fatal(err)
	}
	rctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(rctx) }()
	defer func() { stop(); <-done }()
	eventually(t, 20*time.Second, "a fetch error", func() bool { return strings.Contains(logs.String(), "fetch error") })
	if strings.Contains(logs.String(), patient) || strings.Contains(f.Status().Err, patient) || strings.Contains(f.Status().String(), patient) {
		t.Fatalf("a fetch error names the patient:\nlog: %s\nstatus: %s", logs.String(), f.Status().Err)
	}
	if !strings.Contains(logs.String(), "fetch error") {
		t.Fatalf("no fetch error logged: %s", logs.String())
	}
}

// syncLog is a log sink safe for concurrent writes.
type syncLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
