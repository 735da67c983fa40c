package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"
	"github.com/twmb/franz-go/pkg/sr/srfake"

	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/schemareg"
	"github.com/chartline/chartline/app/testenv"
	"github.com/chartline/chartline/app/testenv/testcerts"
	"github.com/chartline/chartline/store"
)

// registry serves franz-go's fake Schema Registry (the real REST paths) on
// loopback, plain or TLS, with basic auth, and counts the lookups per path.
type registry struct {
	srv   *httptest.Server
	mu    sync.Mutex
	calls map[string]int
}

func newRegistry(t *testing.T, user, pass string, certs *testcerts.Certs) *registry {
	t.Helper()
	fake := srfake.NewRegistry(srfake.WithAuth("Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))))
	fake.SeedSchema("fhir.patient-value", 1, 1, sr.Schema{Type: sr.TypeJSON,
		Schema: `{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"resourceType":{"type":"string"}},"required":["resourceType"]}`})
	fake.SeedSchema("legacy-value", 1, 2, sr.Schema{Type: sr.TypeAvro,
		Schema: `{"type":"record","name":"Obs","fields":[{"name":"id","type":"string"}]}`})
	r := &registry{calls: map[string]int{}}
	h := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.calls[req.URL.Path]++
		r.mu.Unlock()
		fake.Handler().ServeHTTP(w, req)
	})
	if certs == nil {
		r.srv = httptest.NewServer(h)
	} else {
		cfg, err := certs.ServerTLS(false)
		if err != nil {
			t.Fatal(err)
		}
		r.srv = httptest.NewUnstartedServer(h)
		r.srv.TLS = cfg
		r.srv.StartTLS()
	}
	t.Cleanup(r.srv.Close)
	return r
}

func (r *registry) count(path string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[path]
}

// srRecords are the values on fhir.patient.sr-1: JSON framed with schema id 1
// (a JSON Schema), a plain value, ids 2 (Avro) and 99 (unknown), a value
// shorter than the header, and framed bytes that are not JSON.
func srRecords() []*kgo.Record {
	patient := `{"resourceType":"Patient","id":"sr-1","gender":"female","birthDate":"1970-01-01"}`
	obs := func(id string) string {
		return `{"resourceType":"Observation","id":"` + id + `","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"subject":{"reference":"Patient/sr-1"},"effectiveDateTime":"2026-11-01T10:00:00Z","valueQuantity":{"value":72,"unit":"/min"}}`
	}
	topic := "fhir.patient.sr-1"
	recs := []*kgo.Record{
		{Topic: topic, Key: []byte("Patient/sr-1"), Value: schemareg.Frame(1, []byte(patient))},
		{Topic: topic, Key: []byte("Observation/json-a"), Value: schemareg.Frame(1, []byte(obs("json-a")))},
		{Topic: topic, Key: []byte("Observation/json-b"), Value: schemareg.Frame(1, []byte(obs("json-b")))},
		{Topic: topic, Key: []byte("Observation/plain"), Value: []byte(obs("plain"))},
		{Topic: topic, Key: []byte("Observation/avro"), Value: schemareg.Frame(2, []byte(obs("avro")))},
		{Topic: topic, Key: []byte("Observation/missing"), Value: schemareg.Frame(99, []byte(obs("missing")))},
		{Topic: topic, Key: []byte("Observation/short"), Value: []byte{0, 0, 1}},
		{Topic: topic, Key: []byte("Observation/framed-junk"), Value: schemareg.Frame(1, []byte("not json"))},
	}
	return recs
}

// srWant is what ingest keeps and quarantines of srRecords.
type srWant struct {
	kept        []string
	quarantined map[string]string // key -> reason, with a detail fragment after "|"
}

// srWants says what ingest keeps and quarantines without a registry and with one.
func srWants() (noRegistry, withRegistry srWant) {
	noRegistry = srWant{
		kept: []string{"Patient/sr-1", "Observation/json-a", "Observation/json-b", "Observation/plain", "Observation/avro", "Observation/missing"},
		quarantined: map[string]string{
			"Observation/short":       schemareg.ReasonFraming + "|shorter than its 5-byte header",
			"Observation/framed-junk": "not JSON|",
		},
	}
	withRegistry = srWant{
		kept: []string{"Patient/sr-1", "Observation/json-a", "Observation/json-b", "Observation/plain"},
		quarantined: map[string]string{
			"Observation/avro":        schemareg.ReasonSchema + "|schema id 2 is a AVRO schema, not a JSON Schema",
			"Observation/missing":     schemareg.ReasonSchema + "|schema id 99 is not in the registry",
			"Observation/short":       schemareg.ReasonFraming + "|shorter than its 5-byte header",
			"Observation/framed-junk": "not JSON|",
		},
	}
	return noRegistry, withRegistry
}

// checkFramedIngest checks the store after an ingest of srRecords: values
// kept without their framing, the others quarantined with reason, detail and
// raw bytes, and (with a registry) each schema id looked up once.
func checkFramedIngest(t *testing.T, db string, want srWant, reg *registry) {
	t.Helper()
	s, err := store.Open(db, []byte("sr test passphrase"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res, err := s.Resources("sr-1")
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, r := range res {
		kept = append(kept, r.Ref.Type+"/"+r.Ref.ID)
		if r.JSON[0] != '{' {
			t.Errorf("%s stored with its framing: % x", r.Ref.ID, r.JSON[:5])
		}
	}
	if !sameSet(kept, want.kept) {
		t.Errorf("kept %v, want %v", kept, want.kept)
	}
	q, err := s.Quarantine()
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != len(want.quarantined) {
		t.Errorf("%d quarantined, want %d: %+v", len(q), len(want.quarantined), q)
	}
	for _, r := range q {
		w, ok := want.quarantined[string(r.Key)]
		reason, detail, _ := strings.Cut(w, "|")
		if !ok || r.Reason != reason || !strings.Contains(r.Detail, detail) {
			t.Errorf("quarantined %s: %q / %q, want %q", r.Key, r.Reason, r.Detail, w)
		}
		if string(r.Value) == "" || (r.Value[0] != 0 && string(r.Key) != "Observation/framed-junk") {
			t.Errorf("quarantine of %s lost the raw framed bytes", r.Key)
		}
	}
	if reg != nil {
		for _, id := range []string{"1", "2", "99"} {
			if n := reg.count("/schemas/ids/" + id); n != 1 {
				t.Errorf("schema id %s looked up %d times, want once", id, n)
			}
		}
	}
}

// TestSchemaRegistryFraming produces FHIR values in the Schema Registry wire
// format and ingests them through the real CLI: without a registry the
// framing is stripped and accepted; with one (basic auth, plain HTTP or TLS)
// a value is kept only when its schema id exists and is a JSON Schema, each
// id looked up once, and the others are quarantined with the reason.
func TestSchemaRegistryFraming(t *testing.T) {
	certs, err := testcerts.Write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e := testenv.New(t, kafka.BrokerOptions{})
	e.Produce(srRecords()...)

	noRegistry, withRegistry := srWants()
	for _, tc := range []struct {
		name     string
		registry string // "", "http", "https"
		want     srWant
	}{
		{"no registry: framing accepted as is", "", noRegistry},
		{"registry over HTTP with basic auth", "http", withRegistry},
		{"registry over TLS with basic auth", "https", withRegistry},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "c.db")
			t.Setenv(EnvPassphrase, "sr test passphrase")
			args := []string{"ingest", "-brokers", e.Broker.Addr(), "-settings", filepath.Join(dir, "s.json"), "-db", db, "-until-caught-up"}
			var reg *registry
			if tc.registry != "" {
				var c *testcerts.Certs
				if tc.registry == "https" {
					c = &certs
					args = append(args, "-schema-registry-ca", certs.CAFile)
				}
				reg = newRegistry(t, "chartline", "s3cret pass", c)
				if !strings.HasPrefix(reg.srv.URL, tc.registry+"://") {
					t.Fatalf("registry URL %s", reg.srv.URL)
				}
				t.Setenv(schemareg.EnvPassword, "s3cret pass")
				args = append(args, "-schema-registry", reg.srv.URL, "-schema-registry-user", "chartline")
			}
			if code, _, errs := run(t, args...); code != 0 {
				t.Fatalf("ingest exit %d: %s", code, errs)
			}
			checkFramedIngest(t, db, tc.want, reg)
		})
	}
}

// TestSchemaRegistryRefusedCredentials: a registry that refuses our
// credentials is not a verdict on the records: ingest waits (and says why)
// rather than quarantining good data, and a wrong URL is a usage error.
func TestSchemaRegistryRefusedCredentials(t *testing.T) {
	e := testenv.New(t, kafka.BrokerOptions{})
	e.Produce(&kgo.Record{Topic: "fhir.patient.sr-2", Key: []byte("Patient/sr-2"),
		Value: schemareg.Frame(1, []byte(`{"resourceType":"Patient","id":"sr-2"}`))})
	reg := newRegistry(t, "chartline", "right", nil)
	dir := t.TempDir()
	t.Setenv(EnvPassphrase, "sr test passphrase")
	t.Setenv(schemareg.EnvPassword, "wrong")
	args := []string{"ingest", "-brokers", e.Broker.Addr(), "-settings", filepath.Join(dir, "s.json"), "-db", filepath.Join(dir, "c.db"),
		"-schema-registry", reg.srv.URL, "-schema-registry-user", "chartline"}
	code, _, errs := runFor(t, 4*time.Second, args...)
	if code != 0 || !strings.Contains(errs, "HTTP 403") || !strings.Contains(errs, "ingested 0 records") {
		t.Fatalf("exit %d, stderr:\n%s", code, errs)
	}
	if code, _, errs := run(t, "ingest", "-brokers", e.Broker.Addr(), "-settings", filepath.Join(dir, "s.json"), "-db", filepath.Join(dir, "d.db"),
		"-schema-registry", "ftp://sr"); code != 1 || !strings.Contains(errs, "want http:// or https://") {
		t.Fatalf("bad URL: exit %d: %s", code, errs)
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		if m[x] == 0 {
			return false
		}
		m[x]--
	}
	return true
}

// runFor runs a verb in process for d, then cancels it (a verb that runs
// until stopped), and returns its exit status, stdout and stderr.
func runFor(t *testing.T, d time.Duration, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	code := Run(ctx, args, IO{Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}
