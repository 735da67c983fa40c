package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

var testPass = []byte("correct horse battery staple")

func testOpts() *Options { return &Options{KDF: TestKDF} }

func newTestStore(t testing.TB) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "chartline.db")
	s, err := Create(path, testPass, testOpts())
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

// patientJSON is a synthetic Patient as a feed would carry it.
func patientJSON(id, family, given, mrn, birth string) []byte {
	return []byte(fmt.Sprintf(`{"resourceType":"Patient","id":%q,"identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"value":%q}],"name":[{"use":"official","family":%q,"given":[%q]}],"gender":"female","birthDate":%q}`,
		id, mrn, family, given, birth))
}

func observationJSON(id, patient string, value float64) []byte {
	return []byte(fmt.Sprintf(`{"resourceType":"Observation","id":%q,"status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}]},"subject":{"reference":"Patient/%s"},"effectiveDateTime":"2026-11-20T08:00:00Z","valueQuantity":{"value":%g,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}}`,
		id, patient, value))
}

func patientPut(id, family, given, mrn, birth string) Resource {
	return Resource{
		Ref:  Ref{Collection: id, Type: "Patient", ID: id},
		JSON: patientJSON(id, family, given, mrn, birth),
		Meta: Meta{Display: family + ", " + given, Category: "demographics",
			Patient: &Demographics{Name: family + ", " + given, Family: family, Given: given, BirthDate: birth, Sex: "female", MRN: mrn}},
	}
}

func obsPut(patient, id string, value float64, at time.Time) Resource {
	return Resource{
		Ref:  Ref{Collection: patient, Type: "Observation", ID: id},
		JSON: observationJSON(id, patient, value),
		Meta: Meta{Time: at, Display: fmt.Sprintf("Heart rate %g /min", value), Category: "vital-signs",
			Codes: []string{"http://loinc.org|8867-4"}, Value: value, HasValue: true, Unit: "/min",
			Source: Source{Topic: "fhir.patient." + patient, Offset: 1}},
	}
}

func TestRoundTrip(t *testing.T) {
	s, path := newTestStore(t)
	at := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	tp := TopicPartition{Topic: "fhir.patient.pt-1", Partition: 0}
	ch, err := s.Apply(&Batch{
		Puts: []Resource{
			patientPut("pt-1", "Ñúñez", "José", "MRN-771", "1950-02-03"),
			obsPut("pt-1", "hr-1", 88, at),
			obsPut("pt-1", "hr-2", 91, at.Add(time.Hour)),
			{Ref: Ref{Collection: Reference, Type: "Practitioner", ID: "dr-1"}, JSON: []byte(`{"resourceType":"Practitioner","id":"dr-1"}`)},
		},
		Offsets: map[TopicPartition]int64{tp: 4},
	})
	if err != nil {
		t.Fatal(err)
	}
	if ch.Seq != 1 || ch.Records != 4 || !ch.Offsets || len(ch.NewPatients) != 1 || ch.NewPatients[0] != "pt-1" {
		t.Fatalf("change = %+v", ch)
	}
	if _, ok := ch.Collections["pt-1"]["Observation"]; !ok {
		t.Fatalf("change misses pt-1 Observation: %+v", ch.Collections)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s2, err := Open(path, testPass, testOpts())
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s2.Close()
	if s2.Seq() != 1 {
		t.Errorf("seq after reopen = %d, want 1", s2.Seq())
	}
	res, ok, err := s2.Resource(Ref{Collection: "pt-1", Type: "Observation", ID: "hr-2"})
	if err != nil || !ok {
		t.Fatalf("resource: ok=%v err=%v", ok, err)
	}
	if !bytes.Equal(res.JSON, observationJSON("hr-2", "pt-1", 91)) {
		t.Errorf("JSON changed in the round trip:\n%s", res.JSON)
	}
	if res.Meta.Value != 91 || !res.Meta.Time.Equal(at.Add(time.Hour)) || res.Meta.Codes[0] != "http://loinc.org|8867-4" {
		t.Errorf("meta = %+v", res.Meta)
	}
	census, err := s2.Census()
	if err != nil {
		t.Fatal(err)
	}
	if len(census) != 1 || census[0].Patient == nil || census[0].Patient.Name != "Ñúñez, José" ||
		census[0].Counts["Observation"] != 2 || census[0].Counts["Patient"] != 1 {
		t.Fatalf("census = %+v", census)
	}
	if !census[0].LastTime.Equal(at.Add(time.Hour)) {
		t.Errorf("LastTime = %v", census[0].LastTime)
	}
	items, err := s2.Items("pt-1", "Observation")
	if err != nil || len(items) != 2 {
		t.Fatalf("items = %d, %v", len(items), err)
	}
	all, err := s2.Items("pt-1")
	if err != nil || len(all) != 3 {
		t.Fatalf("all items = %d, %v", len(all), err)
	}
	ref, err := s2.Resources(Reference)
	if err != nil || len(ref) != 1 || ref[0].ID != "dr-1" {
		t.Fatalf("reference = %+v, %v", ref, err)
	}
	offs, err := s2.Offsets()
	if err != nil || offs[tp] != 4 || len(offs) != 1 {
		t.Fatalf("offsets = %v, %v", offs, err)
	}
}

func TestUpsertAndDeleteCounts(t *testing.T) {
	s, _ := newTestStore(t)
	at := time.Now().UTC()
	mustApply(t, s, &Batch{Puts: []Resource{patientPut("p", "A", "B", "1", "2000"), obsPut("p", "o1", 1, at), obsPut("p", "o2", 2, at)}})
	// The same key again is an update, not a new resource.
	mustApply(t, s, &Batch{Puts: []Resource{obsPut("p", "o1", 10, at)}})
	e, _, _ := s.Entry("p")
	if e.Counts["Observation"] != 2 {
		t.Fatalf("after update count = %d, want 2", e.Counts["Observation"])
	}
	r, _, _ := s.Resource(Ref{Collection: "p", Type: "Observation", ID: "o1"})
	if r.Meta.Value != 10 {
		t.Fatalf("update not applied: %v", r.Meta.Value)
	}
	// A tombstone removes it; a tombstone of an unknown key changes nothing.
	ch := mustApply(t, s, &Batch{Deletes: []Ref{{Collection: "p", Type: "Observation", ID: "o1"}, {Collection: "p", Type: "Observation", ID: "never"}, {Collection: "ghost", Type: "Observation", ID: "x"}}})
	e, _, _ = s.Entry("p")
	if e.Counts["Observation"] != 1 {
		t.Fatalf("after delete count = %d, want 1", e.Counts["Observation"])
	}
	if _, ok, _ := s.Resource(Ref{Collection: "p", Type: "Observation", ID: "o1"}); ok {
		t.Fatal("deleted resource still readable")
	}
	if _, ok, _ := s.Entry("ghost"); ok {
		t.Fatal("a tombstone for an unknown patient created a census entry")
	}
	if len(ch.NewPatients) != 0 {
		t.Fatalf("tombstones announced new patients: %v", ch.NewPatients)
	}
	// Deleting the Patient clears the demographics but keeps the entry.
	mustApply(t, s, &Batch{Deletes: []Ref{{Collection: "p", Type: "Patient", ID: "p"}}})
	e, _, _ = s.Entry("p")
	if e.Patient != nil || e.Counts["Patient"] != 0 {
		t.Fatalf("entry after Patient tombstone = %+v", e)
	}
}

func TestPutAndDeleteOfOneKeyRefused(t *testing.T) {
	s, _ := newTestStore(t)
	_, err := s.Apply(&Batch{Puts: []Resource{obsPut("p", "o1", 1, time.Now())}, Deletes: []Ref{{Collection: "p", Type: "Observation", ID: "o1"}}})
	if err == nil {
		t.Fatal("a batch that puts and deletes one key was accepted")
	}
}

func mustApply(t testing.TB, s *Store, b *Batch) Change {
	t.Helper()
	ch, err := s.Apply(b)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return ch
}

func TestWrongPassphraseChangesNothing(t *testing.T) {
	s, path := newTestStore(t)
	mustApply(t, s, &Batch{Puts: []Resource{patientPut("p", "A", "B", "1", "2000")}})
	s.Close()
	before, _ := os.ReadFile(path)
	_, err := Open(path, []byte("wrong"), testOpts())
	if !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("err = %v, want ErrWrongPassphrase", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Fatal("a failed open changed the file")
	}
	if _, err := Open(filepath.Join(t.TempDir(), "none.db"), testPass, testOpts()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing store: %v", err)
	}
	if _, err := Create(path, testPass, testOpts()); !errors.Is(err, ErrExists) {
		t.Fatalf("create over an existing store: %v", err)
	}
}

func TestChangePassphrase(t *testing.T) {
	s, path := newTestStore(t)
	mustApply(t, s, &Batch{Puts: []Resource{patientPut("p", "A", "B", "1", "2000")}})
	if err := s.ChangePassphrase([]byte("nope"), []byte("new")); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("change with wrong old: %v", err)
	}
	if err := s.ChangePassphrase(testPass, []byte("new one")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(path, testPass, testOpts()); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("old passphrase still opens: %v", err)
	}
	s2, err := Open(path, []byte("new one"), testOpts())
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if _, ok, err := s2.Resource(Ref{Collection: "p", Type: "Patient", ID: "p"}); !ok || err != nil {
		t.Fatalf("data unreadable after re-wrap: %v %v", ok, err)
	}
}

func TestFileModeAndLock(t *testing.T) {
	s, path := newTestStore(t)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, want 0600", fi.Mode().Perm())
	}
	_, err = Open(path, testPass, &Options{KDF: TestKDF, LockTimeout: 50 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second open = %v, want ErrLocked", err)
	}
	s.Close()
}

func TestFailedBatchLeavesNothing(t *testing.T) {
	s, _ := newTestStore(t)
	mustApply(t, s, &Batch{Puts: []Resource{patientPut("p", "A", "B", "1", "2000")}, Offsets: map[TopicPartition]int64{{Topic: "t"}: 1}})
	sub := s.Subscribe()
	defer sub.Close()
	// The outbox item without an id fails inside the transaction, after the
	// puts and offsets were written: all of it must roll back.
	_, err := s.Apply(&Batch{
		Puts:    []Resource{obsPut("p", "o1", 1, time.Now()), patientPut("new", "C", "D", "2", "2001")},
		Offsets: map[TopicPartition]int64{{Topic: "t"}: 99},
		Enqueue: []OutboxItem{{Topic: "spv.audit"}},
	})
	if err == nil {
		t.Fatal("batch with an invalid outbox item committed")
	}
	if _, ok, _ := s.Resource(Ref{Collection: "p", Type: "Observation", ID: "o1"}); ok {
		t.Error("resource of a failed batch is visible")
	}
	if _, ok, _ := s.Entry("new"); ok {
		t.Error("patient of a failed batch is visible")
	}
	if offs, _ := s.Offsets(); offs[TopicPartition{Topic: "t"}] != 1 {
		t.Errorf("offset of a failed batch is visible: %v", offs)
	}
	if s.Seq() != 1 {
		t.Errorf("seq advanced by a failed batch: %d", s.Seq())
	}
	if _, ok := sub.Take(); ok {
		t.Error("a failed batch was announced")
	}
}

func TestReadersSeeCommittedStateOnly(t *testing.T) {
	s, _ := newTestStore(t)
	mustApply(t, s, &Batch{Puts: []Resource{obsPut("p", "o1", 1, time.Now())}, Offsets: map[TopicPartition]int64{{Topic: "t"}: 1}})
	// Hold a snapshot open while a later batch commits: the snapshot keeps
	// seeing offsets and data that belong together.
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		done <- s.View(func(r *Reader) error {
			close(started)
			<-release
			items, err := r.Items("p")
			if err != nil {
				return err
			}
			offs, err := r.Offsets()
			if err != nil {
				return err
			}
			if len(items) != int(offs[TopicPartition{Topic: "t"}]) {
				return fmt.Errorf("snapshot holds %d items but offset %d", len(items), offs[TopicPartition{Topic: "t"}])
			}
			if len(items) != 1 {
				return fmt.Errorf("snapshot sees %d items, want 1", len(items))
			}
			return nil
		})
	}()
	<-started
	mustApply(t, s, &Batch{Puts: []Resource{obsPut("p", "o2", 2, time.Now())}, Offsets: map[TopicPartition]int64{{Topic: "t"}: 2}})
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestChangeNotices(t *testing.T) {
	s, _ := newTestStore(t)
	slow := s.Subscribe()
	defer slow.Close()
	fast := s.Subscribe()
	defer fast.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	mustApply(t, s, &Batch{Puts: []Resource{patientPut("a", "A", "A", "1", "2000")}})
	c, err := fast.Next(ctx)
	if err != nil || c.Seq != 1 {
		t.Fatalf("fast first = %+v %v", c, err)
	}
	mustApply(t, s, &Batch{Puts: []Resource{obsPut("b", "o", 1, time.Now())}, Quarantine: []Quarantined{{Topic: "x", Offset: 1, Reason: "not JSON"}}})
	mustApply(t, s, &Batch{Statuses: map[string]Status{"a": {Band: "high", NEWS2: 8}}, Docs: []Doc{{Kind: "alert", Key: "k", Patient: "a", Value: []byte("{}")}}})
	// The slow subscriber took nothing yet: it gets all three merged.
	m, ok := slow.Take()
	if !ok {
		t.Fatal("slow subscriber has nothing pending")
	}
	if m.Seq != 3 || m.Records != 3 || m.Quarantined != 1 || len(m.NewPatients) != 2 ||
		m.Collections["a"] == nil || m.Collections["b"] == nil || !m.Statuses["a"] || !m.Docs["alert"] || !m.DocPatients["a"] {
		t.Fatalf("merged change = %+v", m)
	}
	if _, ok := slow.Take(); ok {
		t.Fatal("taken twice")
	}
	s.Close()
	if _, err := fast.Next(ctx); err != nil {
		// fast still had batches 2 and 3 pending: they are delivered first.
	}
	if _, err := fast.Next(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("after close: %v, want ErrClosed", err)
	}
}

func TestQuarantineIdempotent(t *testing.T) {
	s, _ := newTestStore(t)
	q := Quarantined{Topic: "fhir.patient.x", Partition: 0, Offset: 12, Key: []byte("Observation/1"), Value: []byte("{"), Reason: "not JSON", Detail: "unexpected end of JSON input", Time: time.Now().UTC()}
	mustApply(t, s, &Batch{Quarantine: []Quarantined{q}})
	ch := mustApply(t, s, &Batch{Quarantine: []Quarantined{q}}) // replayed after an offset reset
	if ch.Quarantined != 0 || s.QuarantineCount() != 1 {
		t.Fatalf("replayed quarantine counted again: change %d, count %d", ch.Quarantined, s.QuarantineCount())
	}
	got, err := s.Quarantine()
	if err != nil || len(got) != 1 || got[0].Detail != q.Detail || string(got[0].Value) != "{" {
		t.Fatalf("quarantine = %+v %v", got, err)
	}
}

func TestDocsOutboxDirty(t *testing.T) {
	s, _ := newTestStore(t)
	ch := mustApply(t, s, &Batch{Puts: []Resource{obsPut("p1", "o", 1, time.Now()), obsPut("p2", "o", 1, time.Now())}})
	dirty, _ := s.Dirty()
	if len(dirty) != 2 || dirty["p1"] != ch.Seq {
		t.Fatalf("dirty = %v", dirty)
	}
	mustApply(t, s, &Batch{
		Docs: []Doc{
			{Kind: "alert", Key: "a1", Patient: "p1", Value: []byte("one")},
			{Kind: "alert", Key: "a2", Patient: "p1", Value: []byte("two")},
			{Kind: "alert", Key: "a3", Patient: "p2", Value: []byte("three")},
			{Kind: "news2", Key: "latest", Patient: "p1", Value: []byte("5")},
		},
		Enqueue: []OutboxItem{{ID: "x1", Topic: "spv.alert-state", Value: []byte("1")}, {ID: "x2", Topic: "spv.audit", Value: []byte("2")}},
		Clean:   map[string]uint64{"p1": ch.Seq, "p2": ch.Seq - 1},
	})
	if all, _ := s.Docs("alert"); len(all) != 3 {
		t.Fatalf("alerts = %d", len(all))
	}
	if p1, _ := s.PatientDocs("alert", "p1"); len(p1) != 2 {
		t.Fatalf("p1 alerts = %d", len(p1))
	}
	if d, ok, _ := s.Doc("news2", "p1", "latest"); !ok || string(d.Value) != "5" {
		t.Fatalf("news2 doc = %+v %v", d, ok)
	}
	dirty, _ = s.Dirty()
	if _, ok := dirty["p1"]; ok || len(dirty) != 1 {
		t.Fatalf("dirty after clean = %v (p2 was cleaned up to an older seq and must stay)", dirty)
	}
	ob, _ := s.Outbox()
	if len(ob) != 2 || ob[0].ID != "x1" || ob[1].Seq <= ob[0].Seq {
		t.Fatalf("outbox = %+v", ob)
	}
	mustApply(t, s, &Batch{Dequeue: []uint64{ob[0].Seq}, DeleteDocs: []DocRef{{Kind: "alert", Key: "a1", Patient: "p1"}}})
	if ob, _ = s.Outbox(); len(ob) != 1 || ob[0].ID != "x2" {
		t.Fatalf("outbox after dequeue = %+v", ob)
	}
	if p1, _ := s.PatientDocs("alert", "p1"); len(p1) != 1 {
		t.Fatalf("p1 alerts after delete = %d", len(p1))
	}
}

func TestStatusInCensus(t *testing.T) {
	s, _ := newTestStore(t)
	mustApply(t, s, &Batch{Puts: []Resource{patientPut("p", "A", "B", "1", "2000")}})
	mustApply(t, s, &Batch{Statuses: map[string]Status{"p": {NEWS2: 7, Band: "high", OpenAlerts: 2, Matches: 1}}})
	c, _ := s.Census()
	if len(c) != 1 || c[0].Status.Band != "high" || c[0].Status.OpenAlerts != 2 || c[0].Patient == nil {
		t.Fatalf("census = %+v", c)
	}
}

// TestOffsetsFollowCommits: offsets read again and again (the feed's
// discovery pass, once a second, opens only those that moved) show each
// snapshot's own values, and a tampered offset record still fails.
func TestOffsetsFollowCommits(t *testing.T) {
	s, _ := newTestStore(t)
	tp := func(p int32) TopicPartition { return TopicPartition{Topic: "fhir.patient.p", Partition: p} }
	for next := int64(1); next <= 3; next++ {
		mustApply(t, s, &Batch{Offsets: map[TopicPartition]int64{tp(0): next, tp(1): 10}})
		for range 2 {
			offs, err := s.Offsets()
			if err != nil {
				t.Fatal(err)
			}
			if offs[tp(0)] != next || offs[tp(1)] != 10 || len(offs) != 2 {
				t.Fatalf("after committing %d: offsets %v", next, offs)
			}
		}
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		c := tx.Bucket(bOff).Cursor()
		k, v := c.First()
		bad := bytes.Clone(v)
		bad[len(bad)-1] ^= 1
		return tx.Bucket(bOff).Put(bytes.Clone(k), bad)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Offsets(); err == nil {
		t.Fatal("a tampered offset record read without error")
	}
}
