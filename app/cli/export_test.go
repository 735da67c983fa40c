package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/config"
	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/app/ips"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/testenv"
	"github.com/chartline/chartline/store"
)

const testPassphrase = "cli export passphrase"

// fixtureFiles writes the named demo fixtures (decompressed) to dir.
func fixtureFiles(t *testing.T, dir string, names ...string) []string {
	t.Helper()
	all, err := demo.FixtureFiles()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range names {
		for _, f := range all {
			if f.Name == n {
				p := filepath.Join(dir, strings.TrimSuffix(n, ".gz"))
				if err := os.WriteFile(p, f.JSON, 0o600); err != nil {
					t.Fatal(err)
				}
				out = append(out, p)
			}
		}
	}
	if len(out) != len(names) {
		t.Fatalf("fixtures %v: found %d", names, len(out))
	}
	return out
}

// settingsFile writes a settings file naming the user and workstation.
func settingsFile(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "settings.json")
	if err := os.WriteFile(p, []byte(`{"user":"a.nurse","display_name":"A. Nurse","workstation":"ward-7-pc"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustRun(t *testing.T, args ...string) (string, string) {
	t.Helper()
	code, out, errs := run(t, args...)
	if code != 0 {
		t.Fatalf("chartline %s: exit %d: %s", args[0], code, errs)
	}
	return out, errs
}

func openStore(t *testing.T, path string) *store.Store {
	t.Helper()
	s, err := store.Open(path, []byte(testPassphrase), nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// summaryLine is what a summary section shows of one record.
type summaryLine struct {
	Key, Display, Status, Time, Range, Flag string
}

// summaryOf is each IPS section's records as the summary screen's rules
// choose them (app/ips.Sections), and the engine's NEWS2.
func summaryOf(t *testing.T, s *store.Store, patient string) (map[string][]summaryLine, string) {
	t.Helper()
	out := map[string][]summaryLine{}
	var news2 string
	err := s.View(func(r *store.Reader) error {
		items, err := r.Items(patient)
		if err != nil {
			return err
		}
		in := ips.NewInput(items)
		for _, sec := range ips.Sections {
			for _, it := range sec.Pick(in) {
				out[sec.Code] = append(out[sec.Code], summaryLine{it.Key(), it.Meta.Display, it.Meta.Status,
					it.Meta.Time.UTC().String(), ips.RangeText(it.Meta), ips.OutOfRange(it.Meta)})
			}
		}
		doc, ok, err := engine.LatestNEWS2(r, patient)
		if err != nil || !ok {
			return fmt.Errorf("no NEWS2 (%v)", err)
		}
		news2 = fmt.Sprintf("%d %s scale %d missing %v", doc.Result.Total, doc.Result.Band, doc.Result.Scale, doc.Result.Missing)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, news2
}

// TestExportRoundTrip: fixture patients published and ingested into a
// store; `chartline export` writes one's IPS document; the document
// published with `chartline publish` into a fresh broker and ingested into
// a fresh store gives the same summary, section by section, and the same
// NEWS2. The export's AuditEvent is kept and queued for spv.audit, and the
// next ingest publishes it there.
func TestExportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvPassphrase, testPassphrase)
	settings := settingsFile(t, dir)
	const patient = "pt-0002" // COPD on SpO2 Scale 2: the Goal must travel too

	a := testenv.New(t, kafka.BrokerOptions{})
	dbA := filepath.Join(dir, "a.db")
	mustRun(t, append([]string{"publish", "-brokers", a.Broker.Addr(), "-settings", settings},
		fixtureFiles(t, dir, demo.ReferenceFixture, demo.PatientFixture(patient), demo.PatientFixture("pt-0015"))...)...)
	mustRun(t, "ingest", "-brokers", a.Broker.Addr(), "-settings", settings, "-db", dbA, "-until-caught-up")

	doc := filepath.Join(dir, "summary.json")
	_, errs := mustRun(t, "export", "-db", dbA, "-settings", settings, "-patient", patient, "-o", doc)
	if !strings.Contains(errs, "exported an IPS document") || strings.Contains(errs, "Åse") {
		t.Fatalf("export said: %s", errs)
	}
	raw, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ips.DefaultChecker()
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Check(raw)
	if err != nil || len(res.Document) > 0 {
		t.Fatalf("exported document: %v %v", err, res.Document)
	}
	if fi, _ := os.Stat(doc); fi.Mode().Perm() != 0o600 {
		t.Fatalf("document mode %v, want 0600", fi.Mode().Perm())
	}

	// The AuditEvent: kept, queued for spv.audit, an Export of this patient.
	sA := openStore(t, dbA)
	box, err := sA.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	var auditID string
	for _, it := range box {
		if it.Topic != kafka.DefaultTopics().Audit {
			continue
		}
		sum, err := clinical.ParseAudit(it.Value)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Patient == patient && sum.Kind == engine.ExportIPS && sum.Who == config.OSUser() && // the OS account signs, never a name typed in the settings file
			sum.Workstation == "ward-7-pc" {
			auditID = sum.ID
			if !strings.Contains(string(it.Value), `"code":"110106"`) {
				t.Fatalf("not a DICOM Export event: %s", it.Value)
			}
		}
	}
	want, newsA := summaryOf(t, sA, patient)
	sA.Close()
	if auditID == "" {
		t.Fatalf("no export AuditEvent queued: %d outbox items", len(box))
	}
	mustRun(t, "ingest", "-brokers", a.Broker.Addr(), "-settings", settings, "-db", dbA, "-until-caught-up")
	found := false
	for _, r := range a.Consume(kafka.DefaultTopics().Audit) {
		found = found || string(r.Key) == auditID
	}
	if !found {
		t.Fatal("the export AuditEvent did not reach spv.audit")
	}

	// The round trip.
	b := testenv.New(t, kafka.BrokerOptions{})
	dbB := filepath.Join(dir, "b.db")
	mustRun(t, "publish", "-brokers", b.Broker.Addr(), "-settings", settings, doc)
	mustRun(t, "ingest", "-brokers", b.Broker.Addr(), "-settings", settings, "-db", dbB, "-until-caught-up")
	sB := openStore(t, dbB)
	defer sB.Close()
	got, newsB := summaryOf(t, sB, patient)
	for _, sec := range ips.Sections {
		w, g := want[sec.Code], got[sec.Code]
		if fmt.Sprint(w) != fmt.Sprint(g) {
			t.Errorf("section %s (%s) differs after the round trip:\nbefore %v\nafter  %v", sec.Title, sec.Code, w, g)
		}
	}
	if len(want[ips.CodeProblems]) == 0 || len(want[ips.CodeVitalSigns]) == 0 || len(want[ips.CodePlanOfCare]) == 0 {
		t.Fatalf("the patient's summary is too thin to test: %v", want)
	}
	if newsA != newsB {
		t.Errorf("NEWS2 before %s, after %s", newsA, newsB)
	}
}

// TestHandoverCommand: `chartline handover -patients` writes a PDF whose
// text names each patient and queues one export AuditEvent per patient.
func TestHandoverCommand(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext is missing: install poppler-utils (make deps does)")
	}
	dir := t.TempDir()
	t.Setenv(EnvPassphrase, testPassphrase)
	settings := settingsFile(t, dir)
	e := testenv.New(t, kafka.BrokerOptions{})
	db := filepath.Join(dir, "c.db")
	mustRun(t, append([]string{"publish", "-brokers", e.Broker.Addr(), "-settings", settings},
		fixtureFiles(t, dir, demo.ReferenceFixture, demo.PatientFixture("pt-0003"), demo.PatientFixture("pt-0010"))...)...)
	mustRun(t, "ingest", "-brokers", e.Broker.Addr(), "-settings", settings, "-db", db, "-until-caught-up")

	pdf := filepath.Join(dir, "handover.pdf")
	_, errs := mustRun(t, "handover", "-db", db, "-settings", settings, "-patients", "pt-0010,pt-0003", "-o", pdf)
	if !strings.Contains(errs, "2 patients") {
		t.Fatalf("handover said: %s", errs)
	}
	text, err := exec.Command("pdftotext", "-enc", "UTF-8", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Šťastný", "Brontë-Dąbrowska"} {
		if !strings.Contains(string(text), name) {
			t.Fatalf("the sheet lacks %q", name)
		}
	}
	if i, j := strings.Index(string(text), "Šťastný"), strings.Index(string(text), "Brontë"); i > j {
		t.Fatal("patients not in the order asked for")
	}
	s := openStore(t, db)
	box, err := s.Outbox()
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]int{}
	for _, it := range box {
		if sum, err := clinical.ParseAudit(it.Value); err == nil && sum.Kind == engine.ExportHandover {
			per[sum.Patient]++
		}
	}
	if per["pt-0003"] != 1 || per["pt-0010"] != 1 || len(per) != 2 {
		t.Fatalf("handover AuditEvents per patient: %v", per)
	}

	// Export to standard output: the document alone on stdout.
	out, _ := mustRun(t, "export", "-db", db, "-settings", settings, "-patient", "pt-0003")
	var b struct {
		ResourceType, Type string
	}
	if err := json.Unmarshal([]byte(out), &b); err != nil || b.ResourceType != "Bundle" || b.Type != "document" {
		t.Fatalf("stdout is not the document: %v %.200s", err, out)
	}

	// Bad use: both selections, no output, an unknown list.
	for _, args := range [][]string{
		{"handover", "-db", db, "-settings", settings, "-patients", "pt-0003", "-census", "w7", "-o", pdf},
		{"handover", "-db", db, "-settings", settings, "-patients", "pt-0003"},
		{"export", "-db", db, "-settings", settings},
	} {
		if code, _, _ := run(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if code, _, errs := run(t, "handover", "-db", db, "-settings", settings, "-census", "w7", "-o", pdf); code != 1 || !strings.Contains(errs, `census list "w7" has no patients`) {
		t.Errorf("handover of a list the store does not follow: exit %d: %s", code, errs)
	}
	if code, _, errs := run(t, "export", "-db", db, "-settings", settings, "-patient", "pt-9999"); code != 1 || !strings.Contains(errs, "no such patient") {
		t.Errorf("export of an unknown patient: exit %d: %s", code, errs)
	}
}
