package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

// seqOf finds the sequence that keys a resource's raw value.
func seqOf(t *testing.T, s *Store, collection, typ, id string) uint64 {
	t.Helper()
	var seq uint64
	var ok bool
	err := s.View(func(r *Reader) error {
		col, cb := r.colBuckets(collection)
		var err error
		seq, ok, err = s.lookup(cb, col, s.keys.idKey(collection, typ, id))
		return err
	})
	if err != nil || !ok {
		t.Fatalf("lookup %s/%s: %v %v", typ, id, ok, err)
	}
	return seq
}

// sealedValue returns the sealed bytes of a resource's raw JSON.
func sealedValue(t *testing.T, s *Store, collection, typ, id string) []byte {
	t.Helper()
	seq := seqOf(t, s, collection, typ, id)
	var v []byte
	s.db.View(func(tx *bolt.Tx) error {
		v = bytes.Clone(tx.Bucket(bRaw).Get(seqKey(seq)))
		return nil
	})
	if v == nil {
		t.Fatal("value not found")
	}
	return v
}

func TestFlippedByteIsTampered(t *testing.T) {
	s, path := newTestStore(t)
	mustApply(t, s, &Batch{Puts: []Resource{obsPut("p", "o1", 72, time.Now()), obsPut("p", "o2", 75, time.Now())}})
	sealed := sealedValue(t, s, "p", "Observation", "o1")
	s.Close()

	img, _ := os.ReadFile(path)
	at := bytes.Index(img, sealed)
	if at < 0 {
		t.Fatal("sealed value not in the file image")
	}
	img[at+len(sealed)/2] ^= 0x01
	if err := os.WriteFile(path, img, 0o600); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(path, testPass, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	_, ok, err := s2.Resource(Ref{Collection: "p", Type: "Observation", ID: "o1"})
	if !errors.Is(err, ErrTampered) || ok {
		t.Fatalf("flipped byte: ok=%v err=%v, want ErrTampered", ok, err)
	}
	var te *TamperError
	if !errors.As(err, &te) || !strings.HasPrefix(te.Where, "raw/") {
		t.Fatalf("error does not say where: %v", err)
	}
	// Its neighbour still opens: the damage is reported where it is; a
	// read that reaches the damaged record reports it, never skips it.
	if _, ok, err := s2.Resource(Ref{Collection: "p", Type: "Observation", ID: "o2"}); !ok || err != nil {
		t.Fatalf("undamaged record: ok=%v err=%v", ok, err)
	}
	if _, err := s2.Items("p"); !errors.Is(err, ErrTampered) {
		t.Fatalf("items over the damaged record: %v, want ErrTampered", err)
	}
}

func TestSwappedValuesAreTampered(t *testing.T) {
	s, _ := newTestStore(t)
	mustApply(t, s, &Batch{Puts: []Resource{obsPut("p", "o1", 72, time.Now()), obsPut("p", "o2", 140, time.Now())}})
	s1, s2 := seqOf(t, s, "p", "Observation", "o1"), seqOf(t, s, "p", "Observation", "o2")
	err := s.db.Update(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bRaw)
		k1, k2 := seqKey(s1), seqKey(s2)
		v1, v2 := bytes.Clone(raw.Get(k1)), bytes.Clone(raw.Get(k2))
		return errors.Join(raw.Put(k1, v2), raw.Put(k2, v1))
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"o1", "o2"} {
		if _, _, err := s.Resource(Ref{Collection: "p", Type: "Observation", ID: id}); !errors.Is(err, ErrTampered) {
			t.Errorf("%s after swap: %v, want ErrTampered", id, err)
		}
	}
	// Another patient's record pointed to from this patient's bucket fails
	// too, and so does a pointer moved to another resource's key.
	mustApply(t, s, &Batch{Puts: []Resource{obsPut("q", "o1", 50, time.Now()), obsPut("r", "o3", 51, time.Now())}})
	qseq := seqOf(t, s, "q", "Observation", "o1")
	err = s.db.Update(func(tx *bolt.Tx) error {
		to := tx.Bucket(bCol).Bucket(s.keys.collectionTag("r")).Bucket(bIDs)
		return to.Put(s.keys.idKey("r", "Observation", "o3"), seqKey(qseq))
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Items("r"); !errors.Is(err, ErrTampered) {
		t.Fatalf("pointer to another patient's record: %v, want ErrTampered", err)
	}
	if _, _, err := s.Resource(Ref{Collection: "r", Type: "Observation", ID: "o3"}); !errors.Is(err, ErrTampered) {
		t.Fatalf("resource through a moved pointer: %v, want ErrTampered", err)
	}
}

func TestNoPlaintextPHIInFile(t *testing.T) {
	s, path := newTestStore(t)
	type person struct{ id, family, given, mrn, birth string }
	people := []person{
		{"pt-ab12", "Øster", "Åse", "MRN-5531902", "1961-07-14"},
		{"pt-cd34", "Kierkegaard", "Søren", "MRN-8812733", "1947-03-09"},
		{"pt-ef56", "Brontë-Dąbrowska", "Zoë", "MRN-2290017", "1988-12-30"},
	}
	var puts []Resource
	for i, p := range people {
		puts = append(puts, patientPut(p.id, p.family, p.given, p.mrn, p.birth))
		for j := 0; j < 50; j++ {
			puts = append(puts, obsPut(p.id, fmt.Sprintf("obs-%d-%d", i, j), float64(60+j), time.Now()))
		}
	}
	offs := map[TopicPartition]int64{}
	var quar []Quarantined
	var docs []Doc
	for _, p := range people {
		offs[TopicPartition{Topic: "fhir.patient." + p.id}] = 51
		quar = append(quar, Quarantined{Topic: "fhir.patient." + p.id, Offset: 7, Key: []byte("Observation/" + p.id), Value: []byte(p.family), Reason: "key/id mismatch"})
		docs = append(docs, Doc{Kind: "alert", Key: "alert-" + p.id, Patient: p.id, Value: []byte(p.mrn)})
	}
	mustApply(t, s, &Batch{Puts: puts, Offsets: offs, Quarantine: quar, Docs: docs,
		Enqueue: []OutboxItem{{ID: "act-1", Topic: "spv.audit", Key: []byte(people[0].id), Value: []byte(people[0].family)}}})
	var keys [][]byte
	s.db.View(func(tx *bolt.Tx) error {
		var walk func(b *bolt.Bucket)
		walk = func(b *bolt.Bucket) {
			b.ForEach(func(k, v []byte) error {
				keys = append(keys, bytes.Clone(k))
				if v == nil {
					walk(b.Bucket(k))
				}
				return nil
			})
		}
		tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			keys = append(keys, bytes.Clone(name))
			walk(b)
			return nil
		})
		return nil
	})
	s.Close()
	img, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) < 300 {
		t.Fatalf("walked only %d keys", len(keys))
	}
	for _, p := range people {
		for _, secret := range []string{p.id, p.family, p.given, p.mrn, p.birth, "8867-4", "Heart rate"} {
			if bytes.Contains(img, []byte(secret)) {
				t.Errorf("file contains %q in plaintext", secret)
			}
			for _, k := range keys {
				if bytes.Contains(k, []byte(secret)) {
					t.Errorf("a bbolt key contains %q", secret)
				}
			}
		}
	}
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

func TestDamagedFiles(t *testing.T) {
	s, path := newTestStore(t)
	var puts []Resource
	for i := 0; i < 500; i++ {
		puts = append(puts, obsPut("p", fmt.Sprint(i), float64(i), time.Now()))
	}
	mustApply(t, s, &Batch{Puts: puts})
	used := s.Size()
	s.Close()
	img, _ := os.ReadFile(path)
	t.Logf("file %d bytes, %d in use", len(img), used)

	cases := map[string][]byte{
		"empty":     {},
		"truncated": img[:used/2],
		"garbage":   bytes.Repeat([]byte("not a store "), 2000),
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "damaged.db")
			os.WriteFile(p, content, 0o600)
			_, err := Open(p, testPass, testOpts())
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
			after, _ := os.ReadFile(p)
			if !bytes.Equal(after, content) {
				t.Fatal("opening a damaged file changed it")
			}
		})
	}
	t.Run("newer format", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "newer.db")
		os.WriteFile(p, img, 0o600)
		db, err := bolt.Open(p, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put(kFormat, []byte{0, 0, 0, FormatVersion + 1}) })
		db.Close()
		before, _ := os.ReadFile(p)
		if _, err := Open(p, testPass, testOpts()); !errors.Is(err, ErrNewerFormat) {
			t.Fatalf("err = %v, want ErrNewerFormat", err)
		}
		if after, _ := os.ReadFile(p); !bytes.Equal(before, after) {
			t.Fatal("refusing a newer format changed the file")
		}
	})
}

// TestDamagedPageIsAnErrorNotACrash garbles each page in use of a real store
// file, one at a time, and reads everything and writes a batch: bbolt
// asserts its page structure with panics, and the store must turn every one
// into ErrCorrupt (or ErrTampered, when only a sealed value is hit) instead
// of crashing, and commit nothing of a batch that met the damage.
func TestDamagedPageIsAnErrorNotACrash(t *testing.T) {
	s, path := newTestStore(t)
	at := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	for p := range 4 {
		var puts []Resource
		for i := range 150 {
			puts = append(puts, obsPut(fmt.Sprint("p", p), fmt.Sprint(i), float64(i), at))
		}
		mustApply(t, s, &Batch{Puts: puts, Offsets: map[TopicPartition]int64{{Topic: fmt.Sprint("fhir.patient.p", p)}: 150}})
	}
	s.Close()
	img, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The pages in use, as bbolt sees them (on a copy: a read-write open).
	cp := filepath.Join(t.TempDir(), "copy.db")
	os.WriteFile(cp, img, 0o600)
	db, err := bolt.Open(cp, 0o600, &bolt.Options{FreelistType: bolt.FreelistMapType})
	if err != nil {
		t.Fatal(err)
	}
	var pages []int
	db.View(func(tx *bolt.Tx) error {
		for id := 2; ; id++ {
			pi, err := tx.Page(id)
			if pi == nil || err != nil {
				return err
			}
			if pi.Type == "branch" || pi.Type == "leaf" {
				pages = append(pages, id)
			}
		}
	})
	db.Close()
	if step := len(pages) / 24; step > 1 { // two dozen pages, spread over the file
		var some []int
		for i := 0; i < len(pages); i += step {
			some = append(some, pages[i])
		}
		pages = some
	}
	ps := os.Getpagesize()
	corrupt := 0
	for _, pg := range pages {
		damaged := append([]byte{}, img...)
		for i := pg * ps; i < (pg+1)*ps; i++ {
			damaged[i] = byte(i*7 + 13)
		}
		p := filepath.Join(t.TempDir(), "damaged.db")
		os.WriteFile(p, damaged, 0o600)
		s, err := Open(p, testPass, testOpts())
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("page %d: open: %v", pg, err)
			}
			corrupt++
			continue
		}
		var errs []error
		errs = append(errs, s.View(func(r *Reader) error {
			cols, err := r.Collections()
			for _, e := range cols {
				if _, err := r.Resources(e.Collection); err != nil {
					return err
				}
			}
			_, oerr := r.Offsets()
			return errors.Join(err, oerr)
		}))
		_, aerr := s.Apply(&Batch{Puts: []Resource{obsPut("p1", "new", 1, at), obsPut("p2", "0", 2, at)}})
		errs = append(errs, aerr)
		seq := s.Seq()
		s.Close()
		for _, err := range errs {
			if err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTampered) {
				t.Errorf("page %d: %v, want ErrCorrupt or ErrTampered", pg, err)
			}
			if errors.Is(err, ErrCorrupt) {
				corrupt++
			}
		}
		if aerr != nil && seq != 4 {
			t.Errorf("page %d: a failed batch moved the commit sequence to %d", pg, seq)
		}
	}
	if corrupt == 0 {
		t.Fatalf("no damaged page of %d was reported corrupt", len(pages))
	}
	t.Logf("%d pages in use garbled one at a time: %d ErrCorrupt reports, no crash", len(pages), corrupt)
}

// TestDamagedFreelistRefusedAndFileReleased: bbolt panics opening a file
// whose freelist page is damaged after it has locked the file; the store
// must refuse such a file before bbolt opens it, so the refusal leaves no
// lock behind (a second attempt in the same process, as the unlock screen
// makes, must say damaged again, not "in use by another process").
func TestDamagedFreelistRefusedAndFileReleased(t *testing.T) {
	s, path := newTestStore(t)
	var puts []Resource
	for i := range 300 {
		puts = append(puts, obsPut("p", fmt.Sprint(i), float64(i), time.Now()))
	}
	mustApply(t, s, &Batch{Puts: puts})
	s.Close()
	img, _ := os.ReadFile(path)
	// The freelist page named by the newer meta page (bbolt meta layout: a
	// 16-byte page header, then magic, version, page size, flags, root
	// bucket (16), freelist, high-water mark, txid, checksum).
	le := binary.LittleEndian
	ps := int(le.Uint32(img[24:]))
	meta := img[:ps]
	if le.Uint64(img[ps+64:]) > le.Uint64(img[64:]) {
		meta = img[ps : 2*ps]
	}
	free := int(le.Uint64(meta[48:]))
	for i := free * ps; i < (free+1)*ps; i++ {
		img[i] = byte(i*7 + 13)
	}
	os.WriteFile(path, img, 0o600)
	for attempt := range 2 {
		_, err := Open(path, testPass, testOpts())
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("attempt %d: err = %v, want ErrCorrupt", attempt+1, err)
		}
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, img) {
		t.Fatal("opening a file with a damaged freelist changed it")
	}
}
