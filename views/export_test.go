package views

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/publish"
	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// sectionText is what the summary screen shows of a chart's sections.
func sectionText(c *chart) []string {
	var out []string
	for _, d := range c.Sections {
		s := d.def.Title + fmt.Sprintf(" (+%d):", d.more)
		for _, l := range d.lines {
			s += fmt.Sprintf(" [%s|%s|%s|%s|%s|%v|%d]", l.Text, l.Value, l.Range, l.Flag, l.Note, l.When.UTC(), l.Score)
		}
		out = append(out, s)
	}
	return out
}

// TestExportedSummaryShowsTheSameSummary: "Export summary…" of the COPD
// patient writes the IPS document and its AuditEvent; the document split
// as `chartline publish` splits it, stored as the feed stores it in a fresh
// store, with the engine run, gives the same summary screen, section by
// section, line by line, and the same NEWS2.
func TestExportedSummaryShowsTheSameSummary(t *testing.T) {
	const patient = "pt-0002"
	s := smallStore(t, patient)
	eng := testEngine(t, s, "a.nurse", "ward-7-pc", func() time.Time { return fixtureNow })
	e, _ := newTestEnvWith(t, s, ui.ModeLight, func(o *envOptions) { o.engine = eng })
	e.openPatient(patient)
	pv := e.patient
	path := filepath.Join(t.TempDir(), "summary.json")
	rep, err := pv.exportTo(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Sections) < 7 {
		t.Fatalf("sections %+v", rep.Sections)
	}
	exported := 0
	box, err := s.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range box {
		if a, err := clinical.ParseAudit(it.Value); err == nil && a.Kind == engine.ExportIPS && a.Patient == patient && a.Who == "a.nurse" {
			exported++
		}
	}
	if exported != 1 {
		t.Fatalf("%d export AuditEvents queued, want 1", exported)
	}

	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := store.Create(filepath.Join(t.TempDir(), "b.db"), []byte("fixture passphrase"), &store.Options{KDF: store.TestKDF, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	topics := kafka.DefaultTopics()
	recs, err := publish.Split(doc, topics, "test")
	if err != nil {
		t.Fatal(err)
	}
	batch := &store.Batch{}
	for i, r := range recs {
		col, _ := topics.Collection(r.Topic)
		pat := ""
		if store.IsPatient(col) {
			pat = col
		}
		d, err := record.Decode(r.Key, r.Value, pat)
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		batch.Puts = append(batch.Puts, store.Resource{Ref: store.Ref{Collection: col, Type: d.Type, ID: d.ID}, JSON: r.Value, Meta: d.Meta})
	}
	if _, err := b.Apply(batch); err != nil {
		t.Fatal(err)
	}
	deriveAll(t, b)

	chartOf := func(s *store.Store) *chart {
		var c *chart
		if err := s.View(func(r *store.Reader) error {
			var err error
			c, err = loadChart(r, patient, fixtureNow, clinical.NEWS2Options{})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return c
	}
	before, after := chartOf(s), chartOf(b)
	bs, as := sectionText(before), sectionText(after)
	if len(bs) != len(as) {
		t.Fatalf("%d sections before, %d after", len(bs), len(as))
	}
	for i := range bs {
		if bs[i] != as[i] {
			t.Errorf("summary section differs after the round trip:\nbefore %s\nafter  %s", bs[i], as[i])
		}
	}
	if before.NEWS2.Total != after.NEWS2.Total || before.NEWS2.Band != after.NEWS2.Band || before.NEWS2.Scale != after.NEWS2.Scale {
		t.Errorf("NEWS2 before %d %s scale %d, after %d %s scale %d", before.NEWS2.Total, before.NEWS2.Band, before.NEWS2.Scale,
			after.NEWS2.Total, after.NEWS2.Band, after.NEWS2.Scale)
	}
	if fmt.Sprint(before.Allergies) != fmt.Sprint(after.Allergies) || before.Allergy != after.Allergy {
		t.Errorf("banner allergies before %v, after %v", before.Allergies, after.Allergies)
	}
}

// TestPrintHandoverFromCensus: the census offers the list shown or the
// patient under the cursor; printing writes the PDF and one AuditEvent per
// patient on it; without an engine (no audit trail) nothing is written.
func TestPrintHandoverFromCensus(t *testing.T) {
	s := smallStore(t, "pt-0003", "pt-0010")
	eng := testEngine(t, s, "a.nurse", "ward-7-pc", func() time.Time { return fixtureNow })
	e, _ := newTestEnvWith(t, s, ui.ModeLight, func(o *envOptions) { o.engine = eng })
	v := e.census
	list, selected := v.handoverChoice()
	if len(list) != 2 || selected != "" {
		t.Fatalf("choice %v %q", list, selected)
	}
	v.move(1)
	if _, selected = v.handoverChoice(); selected != list[0] {
		t.Fatalf("selected %q, want the cursor's %q", selected, list[0])
	}
	path := filepath.Join(t.TempDir(), "handover.pdf")
	pr, err := v.handoverTo(list, "Census", path)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil || !strings.HasPrefix(string(raw), "%PDF-") || len(pr.Sheet.Patients) != 2 {
		t.Fatalf("PDF: %v %.8q, %d patients", err, raw, len(pr.Sheet.Patients))
	}
	box, err := s.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]int{}
	for _, it := range box {
		if a, err := clinical.ParseAudit(it.Value); err == nil && a.Kind == engine.ExportHandover {
			per[a.Patient]++
		}
	}
	if per["pt-0003"] != 1 || per["pt-0010"] != 1 {
		t.Fatalf("handover AuditEvents %v", per)
	}

	e2, _ := newTestEnv(t, s, ui.ModeLight) // no engine
	other := filepath.Join(t.TempDir(), "none.pdf")
	if _, err := e2.census.handoverTo(list, "Census", other); err == nil {
		t.Fatal("a sheet was printed with no audit trail")
	}
	if _, err := os.Stat(other); !os.IsNotExist(err) {
		t.Fatalf("file left behind: %v", err)
	}
}

// TestHandoverChoiceDialog: "Print handover…" asks first which patients:
// the list shown, or the patient under the cursor.
func TestHandoverChoiceDialog(t *testing.T) {
	s := smallStore(t, "pt-0003", "pt-0010")
	eng := testEngine(t, s, "a.nurse", "ward-7-pc", func() time.Time { return fixtureNow })
	e, w := newTestEnvWith(t, s, ui.ModeLight, func(o *envOptions) { o.engine = eng })
	v := e.census
	v.move(1)
	v.chooseHandover()
	shot(t, w, "handover-choice")
	var texts []string
	for _, o := range w.Canvas().Overlays().List() {
		texts = append(texts, overlayTexts(o)...)
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{"Print handover", "The list shown (2 patients)", "The selected patient (" + v.rows[v.shown[0]].Name + ")", "Continue…", "Cancel"} {
		if !strings.Contains(all, want) {
			t.Errorf("dialog lacks %q:\n%s", want, all)
		}
	}
}

// overlayTexts collects the texts of an overlay's widgets.
func overlayTexts(o fyne.CanvasObject) []string {
	var out []string
	var walk func(fyne.CanvasObject)
	walk = func(c fyne.CanvasObject) {
		switch x := c.(type) {
		case *canvas.Text:
			out = append(out, x.Text)
		case *fyne.Container:
			for _, k := range x.Objects {
				walk(k)
			}
		case fyne.Widget:
			for _, k := range test.WidgetRenderer(x).Objects() {
				walk(k)
			}
		}
	}
	walk(o)
	return out
}
