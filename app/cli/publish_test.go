package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/testenv"
)

// TestPublishKeepsGoingAndStrict publishes a good file and one with a
// refused entry through the real CLI: by default the good entries are
// published, each refusal printed (file, entry, reason) and the exit status
// is 1; with -strict nothing is published. An absolute reference under a base
// declared local (-local-fhir-bases) routes to the patient; one under another
// base goes to fhir.reference, in no chart.
func TestPublishKeepsGoingAndStrict(t *testing.T) {
	e := testenv.New(t, kafka.BrokerOptions{})
	dir := t.TempDir()
	settings := filepath.Join(dir, "settings.json")
	t.Setenv(EnvPassphrase, "cli test passphrase")
	good := filepath.Join(dir, "good.json")
	bad := filepath.Join(dir, "mixed.ndjson")
	write := func(path, body string) {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(good, `{"resourceType":"Patient","id":"kg-1"}`)
	write(bad, `{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"x"},"subject":{"reference":"https://ehr.example.org/fhir/Patient/kg-1"}}
{"resourceType":"Observation","id":"o2","status":"final","code":{"text":"x"},"subject":{"reference":"urn:uuid:nowhere"}}
{"resourceType":"Observation","id":"o3","status":"final","code":{"text":"x"},"subject":{"reference":"http://other.example/fhir/Patient/kg-1"}}
`)
	code, out, errs := run(t, "publish", "-brokers", e.Broker.Addr(), "-settings", settings, "-strict", good, bad)
	if code != 1 || !strings.Contains(errs, "refused: mixed.ndjson: line 2 (Observation): its reference urn:uuid:nowhere is not a fullUrl of the bundle (unresolved patient reference)") ||
		!strings.Contains(errs, "-strict: nothing was published") || !strings.Contains(out, "published 0 records") {
		t.Fatalf("-strict: exit %d\nout %s\nerr %s", code, out, errs)
	}
	code, out, errs = run(t, "publish", "-brokers", e.Broker.Addr(), "-settings", settings, "-local-fhir-bases", "https://ehr.example.org/fhir", good, bad)
	if code != 1 || !strings.Contains(out, "published 3 records") || !strings.Contains(errs, "refused 1 entries: unresolved patient reference 1;") {
		t.Fatalf("keep going: exit %d\nout %s\nerr %s", code, out, errs)
	}
	db := filepath.Join(dir, "c.db")
	if code, _, errs := run(t, "ingest", "-brokers", e.Broker.Addr(), "-settings", settings, "-local-fhir-bases", "https://ehr.example.org/fhir/", "-db", db, "-until-caught-up"); code != 0 {
		t.Fatalf("ingest: %s", errs)
	}
	_, out, _ = run(t, "inspect", "-db", db, "-patient", "kg-1")
	var p struct {
		Resources map[string]int `json:"resources"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil || p.Resources["Observation"] != 1 {
		t.Fatalf("kg-1's chart: %s (%v): want the local-base Observation only", out, err)
	}
}
