package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chartline/chartline/app/census"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/testenv"
	"github.com/chartline/chartline/store"
)

// wardBundle writes a transaction Bundle for one patient: the Patient, an
// Encounter (status and location as given; no location when loc is ""),
// and n heart rates from sequence number from.
func wardBundle(t *testing.T, dir, id, status, loc string, from, n int) string {
	t.Helper()
	entries := []string{
		fmt.Sprintf(`{"fullUrl":"urn:uuid:%[1]s","resource":{"resourceType":"Patient","id":"%[1]s","gender":"female","birthDate":"1948-05-06"},"request":{"method":"PUT","url":"Patient/%[1]s"}}`, id),
	}
	location := ""
	if loc != "" {
		location = fmt.Sprintf(`,"location":[{"location":{"reference":"Location/bed-%s","display":%q},"status":"active"}]`, id, loc)
	}
	entries = append(entries, fmt.Sprintf(`{"fullUrl":"urn:uuid:%[1]s-enc","resource":{"resourceType":"Encounter","id":"%[1]s-enc","status":%[2]q,"class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"IMP"},"subject":{"reference":"urn:uuid:%[1]s"},"period":{"start":"2026-11-30T08:00:00Z"}%[3]s},"request":{"method":"PUT","url":"Encounter/%[1]s-enc"}}`, id, status, location))
	for i := from; i < from+n; i++ {
		entries = append(entries, fmt.Sprintf(`{"fullUrl":"urn:uuid:%[1]s-hr-%[2]d","resource":{"resourceType":"Observation","id":"%[1]s-hr-%[2]d","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"subject":{"reference":"urn:uuid:%[1]s"},"effectiveDateTime":"2026-11-30T09:%02[2]d:00Z","valueQuantity":{"value":%[3]d,"unit":"/min"}},"request":{"method":"PUT","url":"Observation/%[1]s-hr-%[2]d"}}`, id, i, 70+i))
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-%s-%d.json", id, status, from))
	body := `{"resourceType":"Bundle","type":"transaction","entry":[` + strings.Join(entries, ",") + `]}`
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// censusWard is the ward-7b census scenario: a kfake broker, a settings
// file and a store, driven through the real CLI.
type censusWard struct {
	t                 *testing.T
	e                 *testenv.Env
	dir, settings, db string
}

// newCensusWard starts the broker and sets the store passphrase.
func newCensusWard(t *testing.T) *censusWard {
	e := testenv.New(t, kafka.BrokerOptions{})
	dir := t.TempDir()
	w := &censusWard{t: t, e: e, dir: dir, settings: filepath.Join(dir, "s.json"), db: filepath.Join(dir, "c.db")}
	t.Setenv(EnvPassphrase, "census test passphrase")
	return w
}

// publish runs `publish -census ward-7b` over files and returns its output.
func (w *censusWard) publish(files ...string) string {
	t := w.t
	t.Helper()
	args := append([]string{"publish", "-brokers", w.e.Broker.Addr(), "-settings", w.settings, "-census", "ward-7b"}, files...)
	code, out, errs := run(t, args...)
	if code != 0 {
		t.Fatalf("publish exit %d: %s%s", code, out, errs)
	}
	return out
}

// ingest runs `ingest -census ward-7b -until-caught-up` and returns its log.
func (w *censusWard) ingest(extra ...string) string {
	t := w.t
	t.Helper()
	args := append([]string{"ingest", "-brokers", w.e.Broker.Addr(), "-settings", w.settings, "-db", w.db, "-census", "ward-7b", "-until-caught-up"}, extra...)
	code, _, errs := run(t, args...)
	if code != 0 {
		t.Fatalf("ingest exit %d: %s", code, errs)
	}
	return errs
}

// resources counts the resources the store holds for each patient.
func (w *censusWard) resources() map[string]int {
	t := w.t
	t.Helper()
	s, err := store.Open(w.db, []byte("census test passphrase"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out := map[string]int{}
	for _, id := range []string{"c-1", "c-2", "c-3", "c-9"} {
		res, err := s.Resources(id)
		if err != nil {
			t.Fatal(err)
		}
		out[id] = len(res)
	}
	return out
}

// TestCensusEndToEnd drives a ward's census through the real CLI: `publish
// -census` writes the list from Encounters with a location, `ingest -census`
// reads only the listed patients' topics, an admission is read on the next
// run, a discharge stops its topic while its stored data stays readable,
// and after the retention the discharged patient's data leaves the store.
func TestCensusEndToEnd(t *testing.T) {
	w := newCensusWard(t)
	e, dir, settings, db := w.e, w.dir, w.settings, w.db

	out := w.publish(
		wardBundle(t, dir, "c-1", "in-progress", "Ward 7B, bed 1", 0, 3),
		wardBundle(t, dir, "c-2", "in-progress", "Ward 7B, bed 2", 0, 2),
		wardBundle(t, dir, "c-9", "finished", "", 0, 4), // another ward's patient: no location, not on the list
	)
	if !strings.Contains(out, "census") {
		t.Fatalf("publish did not write census entries:\n%s", out)
	}
	census := e.Consume("spv.census.ward-7b")
	if len(census) != 2 {
		t.Fatalf("%d census records, want 2 (c-1 and c-2)", len(census))
	}
	var v struct{ Location, Status string }
	if json.Unmarshal(census[0].Value, &v) != nil || string(census[0].Key) != "Patient/c-1" || v.Location != "Ward 7B, bed 1" || v.Status != "admitted" {
		t.Fatalf("census record %s = %s", census[0].Key, census[0].Value)
	}

	w.ingest()
	if got := w.resources(); got["c-1"] != 5 || got["c-2"] != 4 || got["c-9"] != 0 {
		t.Fatalf("after the first ingest: %v (want c-1 5, c-2 4, c-9 not read)", got)
	}

	// c-3 is admitted, c-1 discharged (its Encounter finished); c-1's next
	// result is no longer read, but what the store holds stays readable.
	w.publish(wardBundle(t, dir, "c-3", "in-progress", "Ward 7B, bed 3", 0, 1))
	w.publish(wardBundle(t, dir, "c-1", "finished", "Ward 7B, bed 1", 0, 0))
	start := time.Now()
	w.ingest()
	w.publish(wardBundle(t, dir, "c-1", "finished", "Ward 7B, bed 1", 3, 1)) // after the discharge
	w.ingest()
	if took := time.Since(start); took > 15*time.Second {
		t.Errorf("admission read in %v", took)
	}
	if got := w.resources(); got["c-1"] != 5 || got["c-2"] != 4 || got["c-3"] != 3 || got["c-9"] != 0 {
		t.Fatalf("after admission and discharge: %v (want c-1 still 5, c-2 4, c-3 3)", got)
	}
	if code, out, _ := run(t, "inspect", "-db", db, "-patient", "c-1"); code != 0 || !strings.Contains(out, `"Observation": 3`) {
		t.Fatalf("the discharged patient's chart is not readable: exit %d\n%s", code, out)
	}

	// After the retention the discharged patient's data leaves the store.
	time.Sleep(1500 * time.Millisecond)
	code, out, errs := runFor(t, 3*time.Second, "ingest", "-brokers", e.Broker.Addr(), "-settings", settings, "-db", db, "-census", "ward-7b", "-census-retention", "1s")
	if code != 0 {
		t.Fatalf("ingest: %d %s %s", code, out, errs)
	}
	if got := w.resources(); got["c-1"] != 0 || got["c-2"] != 4 || got["c-3"] != 3 {
		t.Fatalf("after the retention: %v (want c-1 gone, c-2 4, c-3 3)", got)
	}
	s, err := store.Open(db, []byte("census test passphrase"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	offs, _ := s.Offsets()
	if _, ok := offs[store.TopicPartition{Topic: "fhir.patient.c-1"}]; ok {
		t.Errorf("the purged patient's offset is still stored: a readmission would not read the topic anew")
	}
	if docs, _ := s.PatientDocs(censusKind, "c-1"); len(docs) != 0 {
		t.Errorf("the purged patient's census entry is still stored")
	}
}

const censusKind = census.Kind
