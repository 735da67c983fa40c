package kafka

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/testenv/testcerts"
)

// testBroker starts a broker on a free loopback port, closed with the test
// after the clients the test made (cleanups run last-in first-out; t.Context
// would end it before them).
func testBroker(t *testing.T, o BrokerOptions) *Broker {
	t.Helper()
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	b, err := StartBroker(context.Background(), o)
	if err != nil {
		t.Fatalf("StartBroker: %v", err)
	}
	t.Cleanup(b.Close)
	return b
}

// testClient connects to the broker with conn's options plus extra.
func testClient(t *testing.T, conn Conn, extra ...kgo.Opt) *kgo.Client {
	t.Helper()
	opts, err := conn.Options()
	if err != nil {
		t.Fatalf("Options: %v", err)
	}
	cl, err := kgo.NewClient(append(opts, extra...)...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// ctxTimeout is a context for one step of a test: generous, so a slow
// machine does not fail a test, yet bounded, so a hang fails it.
func ctxTimeout(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// produce writes records synchronously, each in its own batch.
func produce(t *testing.T, cl *kgo.Client, recs ...*kgo.Record) {
	t.Helper()
	for _, r := range recs {
		if err := cl.ProduceSync(ctxTimeout(t), r).FirstErr(); err != nil {
			t.Fatalf("produce to a %s topic: %v", DefaultTopics().Kind(r.Topic), err)
		}
	}
}

// consumeAll reads a topic from the beginning up to its current end.
func consumeAll(t *testing.T, conn Conn, topic string) []*kgo.Record {
	t.Helper()
	ctx := ctxTimeout(t)
	adm := kadm.NewClient(testClient(t, conn))
	ends, err := adm.ListEndOffsets(ctx, topic)
	if err != nil {
		t.Fatalf("list end offsets: %v", err)
	}
	want := map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) {
		if o.Offset > 0 {
			want[o.Partition] = o.Offset
		}
	})
	cl := testClient(t, conn, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(200*time.Millisecond))
	var out []*kgo.Record
	for len(want) > 0 {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consume: timed out with %d partitions unread", len(want))
		}
		fs.EachError(func(_ string, _ int32, err error) { t.Fatalf("consume: %v", err) })
		fs.EachRecord(func(r *kgo.Record) {
			out = append(out, r)
			if end, ok := want[r.Partition]; ok && r.Offset+1 >= end {
				delete(want, r.Partition)
			}
		})
	}
	return out
}

// describe returns a topic's partition count and configs as the broker
// reports them through the Kafka protocol.
func describe(t *testing.T, conn Conn, topic string) (int, map[string]string) {
	t.Helper()
	ctx := ctxTimeout(t)
	adm := kadm.NewClient(testClient(t, conn))
	td, err := adm.ListTopics(ctx, topic)
	if err != nil {
		t.Fatalf("list topics: %v", err)
	}
	d, ok := td[topic]
	if !ok || d.Err != nil {
		t.Fatalf("a %s topic does not exist: %v", DefaultTopics().Kind(topic), d.Err)
	}
	rcs, err := adm.DescribeTopicConfigs(ctx, topic)
	if err != nil {
		t.Fatalf("describe configs: %v", err)
	}
	rc, err := rcs.On(topic, nil)
	if err != nil {
		t.Fatalf("describe configs: %v", err)
	}
	cfg := map[string]string{}
	for _, c := range rc.Configs {
		cfg[c.Key] = c.MaybeValue()
	}
	return len(d.Partitions), cfg
}

func TestBrokerCreatesTopicsWithPolicy(t *testing.T) {
	b := testBroker(t, BrokerOptions{})
	top := DefaultTopics()
	conn := b.Conn()

	// The shared topics exist before anything is produced.
	for _, topic := range top.Shared() {
		describe(t, conn, topic)
	}

	cl := testClient(t, conn, kgo.AllowAutoTopicCreation())
	patient, foreign := top.Patient("pat-1"), "someone.elses"
	produce(t, cl,
		&kgo.Record{Topic: patient, Key: []byte("Patient/pat-1"), Value: []byte(`{}`)},
		&kgo.Record{Topic: foreign, Key: []byte("k"), Value: []byte(`v`)},
	)
	tests := []struct {
		topic      string
		partitions int
		policy     string
		retention  string
	}{
		{patient, 1, "compact", ""},
		{top.Reference, 1, "compact", ""},
		{top.Studies, 1, "compact", ""},
		{top.Risk, 1, "compact", ""},
		{top.Matches, 1, "compact", ""},
		{top.AlertState, 1, "compact", ""},
		{top.Audit, 1, "delete", "7776000000"},
		{foreign, 1, "delete", ""},
	}
	for _, tt := range tests {
		n, cfg := describe(t, conn, tt.topic)
		if n != tt.partitions {
			t.Errorf("a %s topic has %d partitions, want %d", top.Kind(tt.topic), n, tt.partitions)
		}
		if cfg["cleanup.policy"] != tt.policy {
			t.Errorf("a %q topic has cleanup.policy=%q, want %q", top.Kind(tt.topic), cfg["cleanup.policy"], tt.policy)
		}
		if tt.retention != "" && cfg["retention.ms"] != tt.retention {
			t.Errorf("a %q topic has retention.ms=%q, want %q", top.Kind(tt.topic), cfg["retention.ms"], tt.retention)
		}
	}
}

func TestBrokerFillsCreateTopics(t *testing.T) {
	b := testBroker(t, BrokerOptions{})
	top := DefaultTopics()
	adm := kadm.NewClient(testClient(t, b.Conn()))
	ctx := ctxTimeout(t)
	bare, explicit := top.Patient("bare"), top.Patient("explicit")
	if _, err := adm.CreateTopic(ctx, -1, -1, nil, bare); err != nil {
		t.Fatalf("create: %v", err)
	}
	del := "delete"
	if _, err := adm.CreateTopic(ctx, 3, -1, map[string]*string{"cleanup.policy": &del}, explicit); err != nil {
		t.Fatalf("create: %v", err)
	}
	n, cfg := describe(t, b.Conn(), bare)
	if n != 1 || cfg["cleanup.policy"] != "compact" || cfg["max.message.bytes"] != "8388608" {
		t.Errorf("bare CreateTopics: %d partitions, %v; want 1, compact, 8 MiB", n, cfg)
	}
	// What the request says explicitly stays.
	n, cfg = describe(t, b.Conn(), explicit)
	if n != 3 || cfg["cleanup.policy"] != "delete" {
		t.Errorf("explicit CreateTopics: %d partitions, policy %q; want 3, delete", n, cfg["cleanup.policy"])
	}
}

func TestBrokerCompaction(t *testing.T) {
	tests := []struct {
		name   string
		every  time.Duration
		manual bool
	}{
		{"Compact", -1, true},
		{"CompactEvery", 20 * time.Millisecond, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := testBroker(t, BrokerOptions{CompactEvery: tt.every})
			topic := DefaultTopics().Patient("p1")
			cl := testClient(t, b.Conn(), kgo.AllowAutoTopicCreation())
			key := []byte("Observation/o1")
			for v := 1; v <= 3; v++ {
				produce(t, cl, &kgo.Record{Topic: topic, Key: key, Value: fmt.Appendf(nil, `{"v":%d}`, v)})
			}
			// kfake never compacts the newest batch: end with another key.
			produce(t, cl, &kgo.Record{Topic: topic, Key: []byte("Patient/p1"), Value: []byte(`{}`)})

			if tt.manual {
				if got := len(consumeAll(t, b.Conn(), topic)); got != 4 {
					t.Fatalf("before compaction: %d records, want 4", got)
				}
				b.cluster.Compact()
			}
			deadline := time.Now().Add(15 * time.Second)
			for {
				recs := consumeAll(t, b.Conn(), topic)
				var versions []string
				for _, r := range recs {
					if bytes.Equal(r.Key, key) {
						versions = append(versions, string(r.Value))
					}
				}
				if len(versions) == 1 && versions[0] == `{"v":3}` && len(recs) == 2 {
					return
				}
				if tt.manual || time.Now().After(deadline) {
					t.Fatalf("after compaction: versions of the key %v, %d records; want only {\"v\":3} and 2 records", versions, len(recs))
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

func TestBrokerPersistsAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	top := DefaultTopics()
	topic := top.Patient("p2")
	b, err := StartBroker(context.Background(), BrokerOptions{Addr: "127.0.0.1:0", DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	addr := b.Addr()
	func() {
		cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.AllowAutoTopicCreation())
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		produce(t, cl,
			&kgo.Record{Topic: topic, Key: []byte("Patient/p2"), Value: []byte(`{"resourceType":"Patient","id":"p2"}`)},
			&kgo.Record{Topic: topic, Key: []byte("Observation/1"), Value: []byte(`{"resourceType":"Observation","id":"1"}`)},
		)
	}()
	b.Close()

	b2 := testBroker(t, BrokerOptions{Addr: addr, DataDir: dir})
	if b2.Addr() != addr {
		t.Fatalf("restarted on %s, want %s", b2.Addr(), addr)
	}
	recs := consumeAll(t, b2.Conn(), topic)
	if len(recs) != 2 || string(recs[1].Key) != "Observation/1" || string(recs[0].Value) != `{"resourceType":"Patient","id":"p2"}` {
		t.Fatalf("after restart: %d records %v", len(recs), recs)
	}
	if _, cfg := describe(t, b2.Conn(), topic); cfg["cleanup.policy"] != "compact" {
		t.Fatalf("after restart: cleanup.policy %q, want compact", cfg["cleanup.policy"])
	}

	// Without a data dir nothing survives.
	b2.Close()
	b3 := testBroker(t, BrokerOptions{Addr: addr})
	adm := kadm.NewClient(testClient(t, b3.Conn()))
	td, err := adm.ListTopics(ctxTimeout(t), topic)
	if err != nil {
		t.Fatal(err)
	}
	if d := td[topic]; d.Err == nil {
		t.Fatal("a memory-only broker still has the topic of the previous run")
	}
}

func TestBrokerTLS(t *testing.T) {
	certs, err := testcerts.Write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := certs.ServerTLS(true)
	if err != nil {
		t.Fatal(err)
	}
	b := testBroker(t, BrokerOptions{TLS: srv})
	topic := DefaultTopics().Patient("tls")

	good := b.Conn()
	good.TLS = clientTLS(certs)
	cl := testClient(t, good, kgo.AllowAutoTopicCreation())
	produce(t, cl, &kgo.Record{Topic: topic, Key: []byte("Patient/tls"), Value: []byte(`{}`)})
	if recs := consumeAll(t, good, topic); len(recs) != 1 {
		t.Fatalf("over mutual TLS: %d records, want 1", len(recs))
	}

	noCert := good
	noCert.TLS.CertFile, noCert.TLS.KeyFile = "", ""
	otherCA, err := testcerts.Write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	wrongCA := good
	wrongCA.TLS.CAFile = otherCA.CAFile
	tests := []struct {
		name string
		conn Conn
	}{
		{"plaintext", b.Conn()},
		{"no client certificate", noCert},
		{"untrusted server", wrongCA},
	}
	for _, tt := range tests {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		err := testClient(t, tt.conn, kgo.RequestRetries(0)).Ping(ctx)
		cancel()
		if err == nil {
			t.Errorf("%s: Ping succeeded against a mutual-TLS broker", tt.name)
		}
	}
}

func TestBrokerSASL(t *testing.T) {
	users := []User{
		{Mechanism: MechanismPlain, Name: "plainuser", Password: "plain-pw"},
		{Mechanism: MechanismSHA256, Name: "scram256", Password: "pw-256"},
		{Mechanism: MechanismSHA512, Name: "scram512", Password: "pw-512"},
	}
	b := testBroker(t, BrokerOptions{SASL: users})
	top := DefaultTopics()
	for _, u := range users {
		t.Run(u.Mechanism, func(t *testing.T) {
			conn := b.Conn()
			conn.SASL = SASL{Mechanism: u.Mechanism, User: u.Name, Password: u.Password}
			cl := testClient(t, conn)
			if err := cl.Ping(ctxTimeout(t)); err != nil {
				t.Fatalf("ping with the right password: %v", err)
			}
			topic := top.Patient("sasl-" + strings.ToLower(u.Mechanism))
			adm := kadm.NewClient(cl)
			if _, err := adm.CreateTopic(ctxTimeout(t), -1, -1, nil, topic); err != nil {
				t.Fatalf("create topic: %v", err)
			}
			produce(t, cl, &kgo.Record{Topic: topic, Key: []byte("Patient/x"), Value: []byte(`{}`)})
			if recs := consumeAll(t, conn, topic); len(recs) != 1 {
				t.Fatalf("%d records, want 1", len(recs))
			}

			bad := conn
			bad.SASL.Password = "wrong"
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			err := testClient(t, bad, kgo.RequestRetries(0)).Ping(ctx)
			if !errors.Is(err, kerr.SaslAuthenticationFailed) || !strings.Contains(err.Error(), "invalid user name or password") {
				t.Fatalf("ping with a wrong password = %v, want SASL_AUTHENTICATION_FAILED saying why", err)
			}
			unknown := conn
			unknown.SASL.User = "nobody"
			err = testClient(t, unknown, kgo.RequestRetries(0)).Ping(ctx)
			if !errors.Is(err, kerr.SaslAuthenticationFailed) {
				t.Fatalf("ping as an unknown user = %v, want SASL_AUTHENTICATION_FAILED", err)
			}
		})
	}
	t.Run("no SASL", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		if err := testClient(t, b.Conn(), kgo.RequestRetries(0)).Ping(ctx); err == nil {
			t.Fatal("ping without SASL succeeded against a SASL broker")
		}
	})
}

func TestBrokerSASLOverTLS(t *testing.T) {
	certs, err := testcerts.Write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := certs.ServerTLS(true)
	if err != nil {
		t.Fatal(err)
	}
	b := testBroker(t, BrokerOptions{TLS: srv, SASL: []User{{Mechanism: MechanismPlain, Name: "u", Password: "p"}}})
	conn := b.Conn()
	conn.TLS = clientTLS(certs)
	conn.SASL = SASL{Mechanism: MechanismPlain, User: "u", Password: "p"}
	if err := testClient(t, conn).Ping(ctxTimeout(t)); err != nil {
		t.Fatalf("SASL PLAIN over mutual TLS: %v", err)
	}
	conn.SASL.Password = "x"
	err = testClient(t, conn, kgo.RequestRetries(0)).Ping(ctxTimeout(t))
	if !errors.Is(err, kerr.SaslAuthenticationFailed) {
		t.Fatalf("wrong password over TLS = %v, want SASL_AUTHENTICATION_FAILED", err)
	}
	conn.TLS = TLS{}
	conn.SASL.Password = "p"
	if err := testClient(t, conn, kgo.RequestRetries(0)).Ping(ctxTimeout(t)); err == nil {
		t.Fatal("plaintext client reached a TLS broker")
	}
}

func TestFrameScanner(t *testing.T) {
	// Three frames: two 12-byte headers with bodies, one bare header.
	frame := func(key, corr int, body string) []byte {
		b := []byte{0, 0, 0, byte(8 + len(body)), 0, byte(key), 0, 2, 0, 0, 0, byte(corr)}
		return append(b, body...)
	}
	stream := append(append(frame(36, 7, "hello"), frame(3, 8, "")...), frame(18, 9, "abcdefghijklmnopqrstuvwxyz")...)
	for _, chunk := range []int{1, 2, 5, 11, 12, 13, len(stream)} {
		var s frameScanner
		var got []int
		for i := 0; i < len(stream); i += chunk {
			s.feed(stream[i:min(i+chunk, len(stream))], 12, func(h []byte) { got = append(got, int(h[5])*100+int(h[11])) })
		}
		if fmt.Sprint(got) != "[3607 308 1809]" {
			t.Errorf("chunks of %d: frames %v, want [3607 308 1809]", chunk, got)
		}
	}
}

func TestBrokerSASLAutoCreate(t *testing.T) {
	users := []User{{Mechanism: MechanismSHA256, Name: "u", Password: "p"}}
	b := testBroker(t, BrokerOptions{SASL: users})
	conn := b.Conn()
	conn.SASL = SASL{Mechanism: MechanismSHA256, User: "u", Password: "p"}
	topic := DefaultTopics().Patient("auto")
	// The topic appears right after the first authenticated metadata
	// request: retry unknown topics until it does (bounded by the context).
	cl := testClient(t, conn, kgo.AllowAutoTopicCreation(), kgo.MetadataMinAge(100*time.Millisecond), kgo.UnknownTopicRetries(-1))
	start := time.Now()
	produce(t, cl, &kgo.Record{Topic: topic, Key: []byte("Patient/auto"), Value: []byte(`{}`)})
	t.Logf("first produce to a new topic over SASL took %v", time.Since(start))
	if n, cfg := describe(t, conn, topic); n != 1 || cfg["cleanup.policy"] != "compact" {
		t.Fatalf("auto-created over SASL: %d partitions, policy %q; want 1, compact", n, cfg["cleanup.policy"])
	}
	// Unauthenticated clients create nothing.
	other := DefaultTopics().Patient("intruder")
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	anon := testClient(t, b.Conn(), kgo.AllowAutoTopicCreation(), kgo.RequestRetries(0))
	_ = anon.ProduceSync(ctx, &kgo.Record{Topic: other, Value: []byte(`{}`)}).FirstErr()
	adm := kadm.NewClient(testClient(t, conn))
	td, err := adm.ListTopics(ctxTimeout(t), other)
	if err != nil {
		t.Fatal(err)
	}
	if td[other].Err == nil {
		t.Fatal("an unauthenticated client made the broker create a topic")
	}
}

func TestBrokerListenAddress(t *testing.T) {
	tests := []struct {
		addr   string
		remote bool
		ok     bool
		is     error
	}{
		{"127.0.0.1:0", false, true, nil},
		{"localhost:0", false, true, nil},
		{"0.0.0.0:0", false, false, nil},
		{"0.0.0.0:0", true, false, nil},
		{":0", true, false, nil},
		{"192.0.2.1:0", false, false, ErrRemoteListen},
		{"no-port", false, false, nil},
	}
	for _, tt := range tests {
		b, err := StartBroker(t.Context(), BrokerOptions{Addr: tt.addr, AllowRemote: tt.remote, CompactEvery: -1})
		if err == nil {
			b.Close()
		}
		if (err == nil) != tt.ok {
			t.Errorf("StartBroker(%q, remote=%v) = %v, want ok %v", tt.addr, tt.remote, err, tt.ok)
		}
		if tt.is != nil && !errors.Is(err, tt.is) {
			t.Errorf("StartBroker(%q) = %v, want %v", tt.addr, err, tt.is)
		}
	}
	if _, err := StartBroker(t.Context(), BrokerOptions{Addr: "127.0.0.1:0", SASL: []User{{Mechanism: "GSSAPI", Name: "u", Password: "p"}}}); !errors.Is(err, ErrUnknownMechanism) {
		t.Errorf("StartBroker with a GSSAPI user = %v, want ErrUnknownMechanism", err)
	}
}

func TestBrokerStartedWithDoneContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	b, err := StartBroker(ctx, BrokerOptions{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	b.Close() // returns once the close the done context started is over
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addr()), kgo.RequestRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	pctx, pcancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer pcancel()
	if err := cl.Ping(pctx); err == nil {
		t.Fatal("a broker started with a done context still answers")
	}
}

func TestBrokerStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	b, err := StartBroker(ctx, BrokerOptions{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	b.Close() // waits for the close the cancellation started; safe twice
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addr()), kgo.RequestRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	pctx, pcancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer pcancel()
	if err := cl.Ping(pctx); err == nil {
		t.Fatal("the broker still answers after its context was cancelled")
	}
}

func TestBrokerLogRedactsPatientTopics(t *testing.T) {
	var buf bytes.Buffer
	l := newSlogLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})), DefaultTopics())
	l.Logf(1, "produce to %s failed", "fhir.patient.MRN-123.4")
	l.Logf(4, "debug %s", "fhir.patient.hidden") // below the handler's level
	out := buf.String()
	if strings.Contains(out, "MRN-123") || !strings.Contains(out, "fhir.patient.<redacted>") {
		t.Fatalf("log = %q, want the patient id redacted", out)
	}
	if strings.Contains(out, "hidden") {
		t.Fatalf("log = %q, want debug dropped", out)
	}
}

func TestKcatProduceToBroker(t *testing.T) {
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		t.Skip("kcat is not installed: skipping the kcat interoperability test")
	}
	b := testBroker(t, BrokerOptions{})
	topic := DefaultTopics().Patient("kcat-1")
	value := `{"resourceType":"Patient","id":"kcat-1","name":[{"family":"Test"}]}`
	cmd := exec.CommandContext(ctxTimeout(t), kcat, "-P", "-b", b.Addr(), "-t", topic, "-K", "\t")
	cmd.Stdin = strings.NewReader("Patient/kcat-1\t" + value + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kcat -P: %v\n%s", err, out)
	}
	recs := consumeAll(t, b.Conn(), topic)
	if len(recs) != 1 || string(recs[0].Key) != "Patient/kcat-1" || string(recs[0].Value) != value {
		t.Fatalf("kgo read %v after kcat -P", recs)
	}
	if n, cfg := describe(t, b.Conn(), topic); n != 1 || cfg["cleanup.policy"] != "compact" {
		t.Fatalf("topic auto-created for kcat: %d partitions, policy %q; want 1, compact", n, cfg["cleanup.policy"])
	}
}
