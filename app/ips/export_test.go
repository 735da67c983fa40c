package ips

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/publish"
	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/store"
)

// fixtureStore builds a store holding the reference data and the named
// fixture patients, split exactly as `chartline publish` splits them and
// decoded with the feed's record rules.
func fixtureStore(t *testing.T, patients ...string) *store.Store {
	t.Helper()
	s, err := store.Create(filepath.Join(t.TempDir(), "ips.db"), []byte("ips test"), &store.Options{KDF: store.TestKDF, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	files, err := demo.FixtureFiles()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{demo.ReferenceFixture: true}
	for _, p := range patients {
		want[demo.PatientFixture(p)] = true
	}
	for _, f := range files {
		if want[f.Name] {
			putRecords(t, s, f.JSON)
		}
	}
	return s
}

// putRecords splits FHIR input and applies it to the store as the feed
// would.
func putRecords(t *testing.T, s *store.Store, data []byte) {
	t.Helper()
	topics := kafka.DefaultTopics()
	recs, err := publish.Split(data, topics, "test")
	if err != nil {
		t.Fatal(err)
	}
	b := &store.Batch{}
	for i, r := range recs {
		col, ok := topics.Collection(r.Topic)
		if !ok {
			t.Fatalf("no collection for topic %s", r.Topic)
		}
		patient := ""
		if store.IsPatient(col) {
			patient = col
		}
		d, err := record.Decode(r.Key, r.Value, patient)
		if err != nil {
			t.Fatalf("record %d (%s): %v", i, r.Key, err)
		}
		d.Meta.Source = store.Source{Topic: r.Topic, Offset: int64(i)}
		b.Puts = append(b.Puts, store.Resource{Ref: store.Ref{Collection: col, Type: d.Type, ID: d.ID}, JSON: r.Value, Meta: d.Meta})
	}
	if _, err := s.Apply(b); err != nil {
		t.Fatal(err)
	}
}

func export(t *testing.T, s *store.Store, patient string) ([]byte, Report) {
	t.Helper()
	var doc []byte
	var rep Report
	err := s.View(func(r *store.Reader) error {
		var err error
		doc, rep, err = Export(r, Options{Patient: patient, User: "a.nurse", Workstation: "ward-7-pc", Now: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return doc, rep
}

func TestExportIsAnIPSDocument(t *testing.T) {
	s := fixtureStore(t, "pt-0001", "pt-0007")
	doc, rep := export(t, s, "pt-0001")
	c, err := DefaultChecker()
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Check(doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Document) > 0 {
		t.Fatalf("document problems: %v", res.Document)
	}
	t.Logf("report: %+v", rep)
	for _, p := range res.Entries {
		t.Logf("entry problem: %s", p)
	}
	var b struct {
		ResourceType string `json:"resourceType"`
		Type         string `json:"type"`
		Timestamp    string `json:"timestamp"`
		Entry        []struct {
			FullURL  string          `json:"fullUrl"`
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(doc, &b); err != nil {
		t.Fatal(err)
	}
	if b.Type != "document" || b.Timestamp != "2026-11-30T08:00:00Z" || len(b.Entry) < 10 {
		t.Fatalf("bundle type %q timestamp %q entries %d", b.Type, b.Timestamp, len(b.Entry))
	}
	for _, e := range b.Entry {
		if !strings.HasPrefix(e.FullURL, "urn:uuid:") {
			t.Fatalf("fullUrl %q", e.FullURL)
		}
		if strings.Contains(string(e.Resource), `"reference":"Patient/`) || strings.Contains(string(e.Resource), `"reference":"Practitioner/`) {
			t.Fatalf("a reference was not rewritten: %.300s", e.Resource)
		}
	}
}

func TestExportUnknownPatient(t *testing.T) {
	s := fixtureStore(t, "pt-0007")
	err := s.View(func(r *store.Reader) error {
		_, _, err := Export(r, Options{Patient: "pt-9999", User: "u", Workstation: "w"})
		return err
	})
	if !errors.Is(err, ErrNoPatient) {
		t.Fatalf("err = %v, want ErrNoPatient", err)
	}
}

// TestEmptySectionSaysNoInformation: pt-0015 has no procedure and no
// immunization history beyond one; the procedures section is written with
// the IPS "no information" emptyReason and a narrative that says so.
func TestEmptySectionSaysNoInformation(t *testing.T) {
	s := fixtureStore(t, "pt-0015")
	doc, rep := export(t, s, "pt-0015")
	var b map[string]any
	if err := json.Unmarshal(doc, &b); err != nil {
		t.Fatal(err)
	}
	sec := sectionByCode(b, CodeProcedures)
	if sec == nil {
		t.Fatal("no procedures section")
	}
	if _, ok := sec["entry"]; ok {
		t.Fatal("empty section has entries")
	}
	if !hasCoding(sec["emptyReason"], "unavailable") {
		t.Fatalf("emptyReason = %v", sec["emptyReason"])
	}
	if div := sec["text"].(map[string]any)["div"].(string); !strings.Contains(div, "No information available") {
		t.Fatalf("narrative %q", div)
	}
	for _, r := range rep.Sections {
		if r.Code == CodeProcedures && (!r.Empty || r.Entries != 0) {
			t.Fatalf("report %+v", r)
		}
	}
	if len(rep.Sections) < 7 {
		t.Fatalf("only %d sections", len(rep.Sections))
	}
}

// TestLinkCapKeepsReferencesResolvable: past MaxLinked, a reference loses
// its link and keeps a display; the document still passes every check.
func TestLinkCapKeepsReferencesResolvable(t *testing.T) {
	s := fixtureStore(t, "pt-0001")
	full, all := export(t, s, "pt-0001")
	var doc []byte
	var rep Report
	if err := s.View(func(r *store.Reader) error {
		var err error
		doc, rep, err = Export(r, Options{Patient: "pt-0001", User: "u", Workstation: "w", MaxLinked: 1})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if rep.Linked != 1 || rep.Unlinked == 0 || rep.Resources >= all.Resources {
		t.Fatalf("capped: linked %d unlinked %d resources %d (uncapped %d)", rep.Linked, rep.Unlinked, rep.Resources, all.Resources)
	}
	if all.Unlinked != 0 || len(full) <= len(doc) {
		t.Fatalf("uncapped export dropped links: %+v", all)
	}
	c, _ := DefaultChecker()
	res, err := c.Check(doc)
	if err != nil || len(res.Document) > 0 {
		t.Fatalf("capped document: %v %v", err, res.Document)
	}
	if !strings.Contains(string(doc), `"display":"Dr. `) {
		t.Fatal("a dropped link lost its display")
	}
}
