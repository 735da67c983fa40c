package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/testenv"
)

// run runs a verb in process and returns its exit status, stdout and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code := Run(ctx, args, IO{Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

// synthea writes a Synthea-style transaction bundle for a patient: urn:uuid
// references, conditional references to the practitioner, an encounter,
// conditions, vitals and a lab.
func synthea(t *testing.T, dir, id string, vitals int) string {
	t.Helper()
	var entries []string
	add := func(res string) {
		entries = append(entries, res)
	}
	add(fmt.Sprintf(`{"fullUrl":"urn:uuid:%[1]s","resource":{"resourceType":"Patient","id":"%[1]s","identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"value":"MRN-%[1]s"}],"name":[{"use":"official","family":"Øster","given":["Åse"]}],"gender":"female","birthDate":"1961-07-14"},"request":{"method":"POST","url":"Patient"}}`, id))
	add(fmt.Sprintf(`{"fullUrl":"urn:uuid:%[1]s-enc","resource":{"resourceType":"Encounter","id":"%[1]s-enc","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},"subject":{"reference":"urn:uuid:%[1]s"},"participant":[{"individual":{"reference":"Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|9999912345"}}],"period":{"start":"2025-03-01T09:00:00Z","end":"2025-03-01T09:30:00Z"}},"request":{"method":"POST","url":"Encounter"}}`, id))
	add(fmt.Sprintf(`{"fullUrl":"urn:uuid:%[1]s-cond","resource":{"resourceType":"Condition","id":"%[1]s-cond","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},"code":{"coding":[{"system":"http://snomed.info/sct","code":"38341003","display":"Hypertension"}]},"subject":{"reference":"urn:uuid:%[1]s"},"encounter":{"reference":"urn:uuid:%[1]s-enc"},"onsetDateTime":"2019"},"request":{"method":"POST","url":"Condition"}}`, id))
	for i := 0; i < vitals; i++ {
		add(fmt.Sprintf(`{"fullUrl":"urn:uuid:%[1]s-hr-%[2]d","resource":{"resourceType":"Observation","id":"%[1]s-hr-%[2]d","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}]},"subject":{"reference":"urn:uuid:%[1]s"},"effectiveDateTime":"2025-03-01T09:%02[2]d:00Z","valueQuantity":{"value":%[3]d,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}},"request":{"method":"POST","url":"Observation"}}`, id, i, 60+i))
	}
	add(`{"fullUrl":"urn:uuid:prac-1","resource":{"resourceType":"Practitioner","id":"prac-1","identifier":[{"system":"http://hl7.org/fhir/sid/us-npi","value":"9999912345"}],"name":[{"family":"Lima","given":["Ana"]}]},"request":{"method":"PUT","url":"Practitioner/prac-1"}}`)
	path := filepath.Join(dir, id+".json")
	body := `{"resourceType":"Bundle","type":"transaction","entry":[` + strings.Join(entries, ",") + `]}`
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPublishIngestInspect(t *testing.T) {
	e := testenv.New(t, kafka.BrokerOptions{})
	dir := t.TempDir()
	settings := filepath.Join(dir, "settings.json") // absent: defaults
	db := filepath.Join(dir, "c.db")
	t.Setenv(EnvPassphrase, "cli test passphrase")

	code, out, errs := run(t, "publish", "-brokers", e.Broker.Addr(), "-settings", settings,
		synthea(t, dir, "syn-1", 5), synthea(t, dir, "syn-2", 3))
	if code != 0 {
		t.Fatalf("publish exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "published 16 records") || !strings.Contains(out, "Observation") {
		t.Fatalf("publish output:\n%s", out)
	}

	code, _, errs = run(t, "ingest", "-brokers", e.Broker.Addr(), "-settings", settings, "-db", db, "-until-caught-up")
	if code != 0 {
		t.Fatalf("ingest exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	last := lines[len(lines)-1]
	if !finalLine(last) || !strings.HasPrefix(last, "ingested 16 records (16 resources, 0 quarantined) in ") {
		t.Fatalf("final line %q", last)
	}

	code, out, errs = run(t, "inspect", "-db", db)
	if code != 0 {
		t.Fatalf("inspect exit %d: %s", code, errs)
	}
	var sum struct {
		Patients    int              `json:"patients"`
		Resources   map[string]int   `json:"resources"`
		Quarantined int              `json:"quarantined"`
		Offsets     map[string]int64 `json:"offsets"`
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("inspect JSON: %v\n%s", err, out)
	}
	want := map[string]int{"Patient": 2, "Encounter": 2, "Condition": 2, "Observation": 8, "Practitioner": 1}
	if sum.Patients != 2 || sum.Quarantined != 0 || fmt.Sprint(sum.Resources) != fmt.Sprint(want) {
		t.Fatalf("inspect = %+v, want resources %v", sum, want)
	}
	if sum.Offsets["fhir.patient.syn-1/0"] != 8 || sum.Offsets["fhir.reference/0"] != 2 {
		t.Fatalf("offsets = %v", sum.Offsets)
	}

	code, out, _ = run(t, "inspect", "-db", db, "-patient", "syn-1")
	if code != 0 {
		t.Fatalf("inspect -patient exit %d", code)
	}
	var p struct {
		Patient   string         `json:"patient"`
		Resources map[string]int `json:"resources"`
		NEWS2     struct {
			Score     int            `json:"score"`
			Band      string         `json:"band"`
			Subscores map[string]int `json:"subscores"`
			Missing   []string       `json:"missing"`
			Status    string         `json:"status"`
			Why       string         `json:"why"`
		} `json:"news2"`
		PEWS    *json.RawMessage    `json:"pews"`
		Alerts  []map[string]string `json:"alerts"`
		Matches []map[string]string `json:"matches"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	// A heart rate from March 2025 alone is history, not a score: stale, band
	// none, nothing scored (never 0), all seven missing; an adult has no pews.
	if p.Patient != "syn-1" || p.Resources["Observation"] != 5 || p.NEWS2.Band != "none" || p.NEWS2.Status != "stale" ||
		len(p.NEWS2.Subscores) != 0 || len(p.NEWS2.Missing) != 7 || p.PEWS != nil || p.Alerts == nil || p.Matches == nil {
		t.Fatalf("inspect -patient = %s", out)
	}

	// A second run fetches nothing already applied.
	code, _, errs = run(t, "ingest", "-brokers", e.Broker.Addr(), "-settings", settings, "-db", db, "-until-caught-up")
	if code != 0 || !strings.Contains(errs, "ingested 0 records") {
		t.Fatalf("second ingest exit %d: %s", code, errs)
	}
}

func finalLine(s string) bool {
	var n, m, q, rate int
	var secs float64
	k, err := fmt.Sscanf(s, "ingested %d records (%d resources, %d quarantined) in %f s: %d records/s", &n, &m, &q, &secs, &rate)
	return err == nil && k == 5
}

func TestInspectErrors(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvPassphrase, "right")
	code, _, errs := run(t, "inspect", "-db", filepath.Join(dir, "none.db"))
	if code != 1 || strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.Contains(errs, "not found") {
		t.Fatalf("missing store: exit %d, %q", code, errs)
	}
	db := filepath.Join(dir, "c.db")
	e := testenv.New(t, kafka.BrokerOptions{})
	if code, _, errs := run(t, "ingest", "-brokers", e.Broker.Addr(), "-settings", filepath.Join(dir, "s.json"), "-db", db, "-until-caught-up"); code != 0 {
		t.Fatalf("ingest: %s", errs)
	}
	t.Setenv(EnvPassphrase, "wrong")
	code, _, errs = run(t, "inspect", "-db", db)
	if code != 1 || !strings.Contains(errs, "wrong passphrase") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Fatalf("wrong passphrase: exit %d, %q", code, errs)
	}
	pf := filepath.Join(dir, "pass")
	os.WriteFile(pf, []byte("right\n"), 0o600)
	t.Setenv(EnvPassphrase, "")
	if code, _, errs := run(t, "inspect", "-db", db, "-passphrase-file", pf); code != 0 {
		t.Fatalf("passphrase file: exit %d, %s", code, errs)
	}
	if code, _, _ := run(t, "frobnicate"); code != 2 {
		t.Fatalf("unknown verb exit %d", code)
	}
}

func kcat(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("kcat")
	if err != nil {
		t.Skip("kcat is not installed (make test installs it)")
	}
	return path
}

func TestKcatProducedRecordIsMaterialised(t *testing.T) {
	bin := kcat(t)
	e := testenv.New(t, kafka.BrokerOptions{})
	dir := t.TempDir()
	t.Setenv(EnvPassphrase, "kcat test")
	value := `{"resourceType":"Patient","id":"kc-1","name":[{"family":"Kcat","given":["Via"]}],"gender":"other","birthDate":"1990"}`
	cmd := exec.Command(bin, "-P", "-b", e.Broker.Addr(), "-t", "fhir.patient.kc-1", "-k", "Patient/kc-1")
	cmd.Stdin = strings.NewReader(value)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kcat -P: %v: %s", err, out)
	}
	db := filepath.Join(dir, "c.db")
	if code, _, errs := run(t, "ingest", "-brokers", e.Broker.Addr(), "-settings", filepath.Join(dir, "s.json"), "-db", db, "-until-caught-up"); code != 0 {
		t.Fatalf("ingest: %s", errs)
	}
	code, out, _ := run(t, "inspect", "-db", db, "-patient", "kc-1")
	if code != 0 || !strings.Contains(out, `"Patient": 1`) {
		t.Fatalf("inspect after kcat -P: exit %d\n%s", code, out)
	}
}

func TestKcatReadsWhatPublishWrote(t *testing.T) {
	bin := kcat(t)
	e := testenv.New(t, kafka.BrokerOptions{})
	dir := t.TempDir()
	file := synthea(t, dir, "kc-2", 2)
	if code, _, errs := run(t, "publish", "-brokers", e.Broker.Addr(), "-settings", filepath.Join(dir, "s.json"), file); code != 0 {
		t.Fatalf("publish: %s", errs)
	}
	out, err := exec.Command(bin, "-C", "-b", e.Broker.Addr(), "-t", "fhir.patient.kc-2", "-e", "-o", "beginning", "-q", "-f", "%k\t%s\n").Output()
	if err != nil {
		t.Fatalf("kcat -C: %v", err)
	}
	got := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(got) != 5 {
		t.Fatalf("kcat read %d records:\n%s", len(got), out)
	}
	for _, line := range got {
		key, value, ok := strings.Cut(line, "\t")
		var res struct {
			ResourceType string `json:"resourceType"`
			ID           string `json:"id"`
			Subject      *struct {
				Reference string `json:"reference"`
			} `json:"subject"`
		}
		if !ok || json.Unmarshal([]byte(value), &res) != nil || key != res.ResourceType+"/"+res.ID {
			t.Fatalf("record %q", line)
		}
		if res.Subject != nil && res.Subject.Reference != "Patient/kc-2" {
			t.Fatalf("urn:uuid reference not resolved: %s", value)
		}
	}
}
