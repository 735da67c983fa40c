package handover

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chartline/chartline/app/census"
	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/app/ips"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/publish"
	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/store"
)

// now is the demo histories' anchor: the instant they lead up to.
var now = demo.Anchor()

// Patients whose names use the scripts the demo's population has:
// Spanish, Norwegian, Polish, Vietnamese, Czech.
var scripts = []struct{ id, family string }{
	{"pt-0001", "Ñúñez Ortega"},
	{"pt-0002", "Øster"},
	{"pt-0003", "Brontë-Dąbrowska"},
	{"pt-0004", "Nguyễn"},
	{"pt-0010", "Šťastný"},
}

// fixtureStore builds a store with the reference data, the studies and
// the named fixture patients (split as `chartline publish` splits them,
// decoded with the feed's record rules), with the clinical engine's NEWS2,
// alerts and matches derived as a workstation would hold them.
func fixtureStore(t *testing.T, patients ...string) *store.Store {
	t.Helper()
	s, err := store.Create(filepath.Join(t.TempDir(), "handover.db"), []byte("handover test"), &store.Options{KDF: store.TestKDF, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	files, err := demo.FixtureFiles()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{demo.ReferenceFixture: true, demo.StudiesFixture: true, demo.MatchesFixture: true, demo.RiskFixture: true}
	for _, p := range patients {
		want[demo.PatientFixture(p)] = true
	}
	topics := kafka.DefaultTopics()
	for _, f := range files {
		if !want[f.Name] {
			continue
		}
		recs, err := publish.Split(f.JSON, topics, "test")
		if err != nil {
			t.Fatal(err)
		}
		b := &store.Batch{}
		for i, r := range recs {
			col, ok := topics.Collection(r.Topic)
			if !ok {
				t.Fatalf("no collection for %s", r.Topic)
			}
			patient := ""
			if store.IsPatient(col) {
				patient = col
			}
			d, err := record.Decode(r.Key, r.Value, patient)
			if err != nil {
				// risk and matches name patients this store may not hold
				// under their own rules; keep only what decodes.
				continue
			}
			d.Meta.Source = store.Source{Topic: r.Topic, Offset: int64(i)}
			b.Puts = append(b.Puts, store.Resource{Ref: store.Ref{Collection: col, Type: d.Type, ID: d.ID}, JSON: r.Value, Meta: d.Meta})
		}
		if _, err := s.Apply(b); err != nil {
			t.Fatal(err)
		}
	}
	derive(t, s)
	return s
}

// derive runs the clinical engine over the store until it is idle.
func derive(t *testing.T, s *store.Store) {
	t.Helper()
	eng, err := engine.New(engine.Options{Store: s, Now: func() time.Time { return now }, User: "test", Workstation: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var runErr error
	wg.Add(1)
	go func() { defer wg.Done(); runErr = eng.Run(rctx) }()
	err = eng.WaitIdle(ctx, s.Seq())
	stop()
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if runErr != nil {
		t.Fatal(runErr)
	}
}

// pdfText runs pdftotext (Debian poppler-utils, installed by make deps)
// on a PDF, keeping the layout.
func pdfText(t *testing.T, path string) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext is missing: install poppler-utils (make deps does)")
	}
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func TestHandoverSheetHoldsEverySectionOfEveryPatient(t *testing.T) {
	var ids []string
	for _, s := range scripts {
		ids = append(ids, s.id)
	}
	s := fixtureStore(t, ids...)
	path := filepath.Join(t.TempDir(), "handover.pdf")
	var audited []string
	pr, err := Write(s, Options{Patients: ids, Title: "Ward 7", User: "a.nurse", Workstation: "ward-7-pc", Now: now},
		path, func(doc string, patients []string) error {
			if !strings.HasPrefix(doc, "urn:uuid:") {
				t.Errorf("document id %q", doc)
			}
			audited = patients
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if len(audited) != len(ids) {
		t.Fatalf("audited %v, want %v", audited, ids)
	}
	if pr.Pages < len(ids) {
		t.Fatalf("%d pages for %d patients", pr.Pages, len(ids))
	}
	// Only the embedded DejaVu Sans, subset: never a PDF core font.
	fonts, err := exec.Command("pdffonts", path).Output()
	if err != nil {
		t.Fatalf("pdffonts: %v", err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(fonts)), "\n")[2:] {
		f := strings.Fields(l) // name type encoding emb sub uni object id
		if len(f) < 8 || !strings.Contains(strings.ToLower(f[0]), "dejavu") || f[1] != "CID" || f[len(f)-5] != "yes" {
			t.Errorf("not the embedded DejaVu Sans: %s", l)
		}
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() > 400<<10 {
		t.Errorf("PDF size %v (%v): the fonts are not subset", fi.Size(), err)
	}
	text := pdfText(t, path)
	pages := strings.Split(text, "\f")
	if len(pages) > 0 && strings.TrimSpace(pages[len(pages)-1]) == "" {
		pages = pages[:len(pages)-1]
	}
	if len(pages) != pr.Pages {
		t.Fatalf("pdftotext found %d pages, the sheet says %d", len(pages), pr.Pages)
	}
	// Every page: name and MRN of its patient, printed by, workstation,
	// time, page x of y, the patient-data warning.
	for i, pg := range pages {
		for _, want := range []string{
			"Printed by a.nurse on ward-7-pc at " + now.UTC().Format("2 Jan 2006 15:04 UTC"),
			"Page " + strconv.Itoa(i+1) + " of " + strconv.Itoa(len(pages)),
			"CONTAINS PATIENT DATA", "Contains patient data",
		} {
			if !strings.Contains(pg, want) {
				t.Errorf("page %d lacks %q:\n%s", i+1, want, pg)
			}
		}
		named := false
		for _, p := range pr.Sheet.Patients {
			if strings.Contains(pg, p.Name) && strings.Contains(pg, "MRN "+p.MRN) {
				named = true
			}
		}
		if !named {
			t.Errorf("page %d names no patient with MRN:\n%s", i+1, pg)
		}
	}
	// Each patient: the non-Latin name, each I-PASS section in order.
	sections := []string{"Illness severity", "Patient summary", "Active problems", "Allergies", "Medications",
		"Action list", "Situation awareness", "Oxygen", "Results out of range", "Synthesis by receiver"}
	for i, sc := range scripts {
		p := pr.Sheet.Patients[i]
		if !strings.Contains(p.Name, sc.family) {
			t.Fatalf("patient %d is %q, want family %q", i, p.Name, sc.family)
		}
		block := blockOf(text, p.Name)
		if block == "" {
			t.Fatalf("the PDF text lacks %q", p.Name)
		}
		at := 0
		for _, sec := range sections {
			j := strings.Index(block[at:], sec)
			if j < 0 {
				t.Fatalf("%s: section %q missing or out of order:\n%s", sc.id, sec, block)
			}
			at += j
		}
		if p.Severity.Score != "" && !strings.Contains(block, p.Severity.Score) {
			t.Errorf("%s: severity %q not printed", sc.id, p.Severity.Score)
		}
		for _, prob := range p.Summary.Problems {
			if !strings.Contains(flat(block), flat(prob)) {
				t.Errorf("%s: problem %q not printed", sc.id, prob)
			}
		}
	}
}

// blockOf is the text from a patient's banner to the next patient's.
func blockOf(text, name string) string {
	i := strings.Index(text, name)
	if i < 0 {
		return ""
	}
	rest := text[i:]
	if j := strings.Index(rest[len(name):], "Received by:"); j >= 0 {
		return rest[:len(name)+j]
	}
	return rest
}

// flat folds whitespace, so wrapped lines compare as one.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestNoPatients(t *testing.T) {
	s := fixtureStore(t, "pt-0007")
	_, err := Write(s, Options{Patients: []string{"pt-9999"}, User: "u", Workstation: "w", Now: now},
		filepath.Join(t.TempDir(), "x.pdf"), func(string, []string) error { return nil })
	if err != ErrNoPatients {
		t.Fatalf("err = %v, want ErrNoPatients", err)
	}
}

// TestRenderShot writes page 1 of a ward sheet as a PNG for a person to
// look at (CHARTLINE_SHOTS=DIR).
func TestRenderShot(t *testing.T) {
	dir := os.Getenv("CHARTLINE_SHOTS")
	if dir == "" {
		t.Skip("set CHARTLINE_SHOTS to write the screenshot")
	}
	ids := []string{"pt-0005", "pt-0008", "pt-0002", "pt-0004"}
	s := fixtureStore(t, ids...)
	path := filepath.Join(t.TempDir(), "handover.pdf")
	pr, err := Write(s, Options{Patients: ids, Title: "Ward 7B Acute Medicine", User: "a.nurse", Workstation: "ward-7-pc", Now: now},
		path, func(string, []string) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	for page := 1; page <= pr.Pages; page++ {
		n := strconv.Itoa(page)
		if out, err := exec.Command("pdftoppm", "-png", "-r", "110", "-f", n, "-l", n, "-singlefile", path, filepath.Join(dir, "20-handover-p"+n)).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v %s", err, out)
		}
	}
}

func TestNaturalCompare(t *testing.T) {
	tests := []struct {
		a, b string
		less bool
	}{
		{"Bed 2", "Bed 10", true},
		{"Bed 10", "Bed 2", false},
		{"Bed 02", "Bed 3", true},
		{"Ward 7B, bed 9", "Ward 7B, bed 12", true},
		{"Bay A", "Bay B", true},
		{"", "Bed 1", true},
	}
	for _, tc := range tests {
		if got := naturalCompare(tc.a, tc.b) < 0; got != tc.less {
			t.Errorf("%q < %q = %v, want %v", tc.a, tc.b, got, tc.less)
		}
	}
}

// TestCensusList: -census hands over the patients on the list in bed
// order, leaves out the discharged, and prints the census location.
func TestCensusList(t *testing.T) {
	s := fixtureStore(t, "pt-0003", "pt-0007", "pt-0010")
	entry := func(id, loc, status string) store.Doc {
		js := `{"patient":"` + id + `","list":"w7","location":"` + loc + `","status":"` + status + `","since":"2026-11-22T08:00:00Z"}`
		return store.Doc{Kind: census.Kind, Key: "w7", Patient: id, Value: []byte(js)}
	}
	if _, err := s.Apply(&store.Batch{Docs: []store.Doc{
		entry("pt-0003", "Ward 7, bed 10", census.Admitted),
		entry("pt-0010", "Ward 7, bed 2", census.Admitted),
		entry("pt-0007", "Ward 7, bed 1", census.Discharged),
	}}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	var sh *Sheet
	err := s.View(func(r *store.Reader) error {
		var err error
		if ids, err = CensusPatients(r, "w7"); err != nil {
			return err
		}
		sh, err = Build(r, Options{Patients: ids, Now: now})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(ids, ",") != "pt-0010,pt-0003" {
		t.Fatalf("census order %v", ids)
	}
	if sh.Patients[0].Location != "Ward 7, bed 2" {
		t.Fatalf("location %q", sh.Patients[0].Location)
	}
	err = s.View(func(r *store.Reader) error { _, err := CensusPatients(r, "w8"); return err })
	if !errors.Is(err, ErrNoPatients) {
		t.Fatalf("unknown list: %v", err)
	}
}

// TestNEWS2AgeBoundary: NEWS2 is printed from the 16th birthday, never
// before (RCP NEWS2: not for children; PEWS instead). pt-0005 has current
// vital signs.
func TestNEWS2AgeBoundary(t *testing.T) {
	s := fixtureStore(t, "pt-0005")
	sixteen := now.AddDate(-16, 0, 0).Format("2006-01-02")
	dayShort := now.AddDate(-16, 0, 1).Format("2006-01-02")
	tests := []struct {
		born  string
		score bool
	}{
		{sixteen, true},
		{dayShort, false},
		{"1951-01-30", true},
		{"", true}, // unknown birth date: scored, as the engine scores it
	}
	for _, tc := range tests {
		err := s.View(func(r *store.Reader) error {
			items, err := r.Items("pt-0005")
			if err != nil {
				return err
			}
			p := Patient{ID: "pt-0005", Born: tc.born}
			if err := severity(r, &p, ips.NewInput(items), Options{Now: now}); err != nil {
				return err
			}
			if got := p.Severity.Score != ""; got != tc.score {
				t.Errorf("born %q: scored %v (%+v), want %v", tc.born, got, p.Severity, tc.score)
			}
			if !tc.score && !strings.Contains(p.Severity.Trend, "PEWS") {
				t.Errorf("born %q: %q does not point to PEWS", tc.born, p.Severity.Trend)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
