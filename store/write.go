package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The parts of a batch's commit besides its resources (apply.go): the
// directory, dirty marks, quarantine, offsets, documents and the outbox.

var kQuarantined = []byte("quarantined") // meta: uint64 count of quarantined records

// dirEdit accumulates one batch's changes to a collection's directory entry.
type dirEdit struct {
	name     string
	types    Types
	counts   map[string]int
	patient  *Demographics
	unsetPt  bool
	status   *Status
	lastTime time.Time
	topic    string
}

func (s *Store) writeDirectory(tx *bolt.Tx, edits map[string]*dirEdit, now time.Time, ch *Change) error {
	dir := tx.Bucket(bDir)
	for name, e := range edits {
		key := s.keys.collectionTag(name)
		l := loc(key, bDir)
		var entry Entry
		if v := dir.Get(key); v != nil {
			if err := s.unsealJSON(l, v, &entry); err != nil {
				return err
			}
		} else {
			entry = Entry{Collection: name}
			if IsPatient(name) {
				ch.NewPatients = append(ch.NewPatients, name)
			}
		}
		if entry.Counts == nil {
			entry.Counts = map[string]int{}
		}
		for t, n := range e.counts {
			entry.Counts[t] += n
			if entry.Counts[t] <= 0 {
				delete(entry.Counts, t)
			}
		}
		if e.patient != nil {
			entry.Patient = e.patient
		} else if e.unsetPt {
			entry.Patient = nil
		}
		if e.status != nil {
			entry.Status = *e.status
			if ch.Statuses == nil {
				ch.Statuses = map[string]bool{}
			}
			ch.Statuses[name] = true
		}
		if e.lastTime.After(entry.LastTime) {
			entry.LastTime = e.lastTime
		}
		if e.topic != "" {
			entry.Topic = e.topic
		}
		if len(e.types) > 0 {
			entry.Updated = now
			ch.Collections[name] = e.types
		}
		v, err := s.sealJSON(l, &entry)
		if err != nil {
			return err
		}
		if err := dir.Put(key, v); err != nil {
			return err
		}
	}
	return nil
}

// dirtyMark records that a patient's resources changed at a commit, so the
// clinical engine re-evaluates them even across a crash.
type dirtyMark struct {
	Patient string `json:"p"`
	Seq     uint64 `json:"s"`
}

func (s *Store) markDirty(tx *bolt.Tx, edits map[string]*dirEdit, seq uint64) error {
	dirty := tx.Bucket(bDirty)
	for name, e := range edits {
		if !IsPatient(name) || len(e.types) == 0 {
			continue
		}
		key := s.keys.collectionTag(name)
		v, err := s.sealJSON(loc(key, bDirty), dirtyMark{Patient: name, Seq: seq})
		if err != nil {
			return err
		}
		if err := dirty.Put(key, v); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) clean(tx *bolt.Tx, upTo map[string]uint64) error {
	dirty := tx.Bucket(bDirty)
	for patient, seq := range upTo {
		key := s.keys.collectionTag(patient)
		v := dirty.Get(key)
		if v == nil {
			continue
		}
		var m dirtyMark
		if err := s.unsealJSON(loc(key, bDirty), v, &m); err != nil {
			return err
		}
		if m.Seq <= seq {
			if err := dirty.Delete(key); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Store) writeQuarantine(tx *bolt.Tx, qs []Quarantined, ch *Change) error {
	if len(qs) == 0 {
		return nil
	}
	quar := tx.Bucket(bQuar)
	added := 0
	for i := range qs {
		q := &qs[i]
		key := s.keys.recordKey(q.Topic, q.Partition, q.Offset)
		if quar.Get(key) != nil {
			continue // the same record refused again after an offset reset
		}
		v, err := s.sealJSON(loc(key, bQuar), q)
		if err != nil {
			return err
		}
		if err := quar.Put(key, v); err != nil {
			return err
		}
		added++
	}
	meta := tx.Bucket(bMeta)
	var n uint64
	if v := meta.Get(kQuarantined); len(v) == 8 {
		n = binary.BigEndian.Uint64(v)
	}
	ch.Quarantined += added
	return meta.Put(kQuarantined, binary.BigEndian.AppendUint64(nil, n+uint64(added)))
}

// offsetRecord is the sealed value of a stored offset.
type offsetRecord struct {
	Topic     string `json:"t"`
	Partition int32  `json:"p"`
	Next      int64  `json:"o"`
}

func (s *Store) writeOffsets(tx *bolt.Tx, offs map[TopicPartition]int64, resets []TopicPartition, ch *Change) error {
	off := tx.Bucket(bOff)
	for _, tp := range resets {
		if err := off.Delete(s.keys.offsetKey(tp.Topic, tp.Partition)); err != nil {
			return err
		}
		ch.Offsets = true
	}
	for tp, next := range offs {
		key := s.keys.offsetKey(tp.Topic, tp.Partition)
		v, err := s.sealJSON(loc(key, bOff), offsetRecord{Topic: tp.Topic, Partition: tp.Partition, Next: next})
		if err != nil {
			return err
		}
		if err := off.Put(key, v); err != nil {
			return err
		}
		ch.Offsets = true
	}
	return nil
}

// docRecord is the sealed value of a Doc.
type docRecord struct {
	Kind    string `json:"k"`
	Key     string `json:"n"`
	Patient string `json:"p,omitempty"`
	Value   []byte `json:"v"`
}

func (s *Store) writeDocs(tx *bolt.Tx, docs []Doc, dels []DocRef, ch *Change) error {
	if len(docs) == 0 && len(dels) == 0 {
		return nil
	}
	root := tx.Bucket(bDoc)
	note := func(kind, patient string) {
		if ch.Docs == nil {
			ch.Docs, ch.DocPatients = map[string]bool{}, map[string]bool{}
		}
		ch.Docs[kind] = true
		if patient != "" {
			ch.DocPatients[patient] = true
		}
	}
	for _, d := range dels {
		kb := root.Bucket(s.keys.kindTag(d.Kind))
		if kb == nil {
			continue
		}
		if err := kb.Delete(s.keys.docKey(d.Patient, d.Key)); err != nil {
			return err
		}
		note(d.Kind, d.Patient)
	}
	for _, d := range docs {
		kt := s.keys.kindTag(d.Kind)
		kb, err := root.CreateBucketIfNotExists(kt)
		if err != nil {
			return err
		}
		key := s.keys.docKey(d.Patient, d.Key)
		v, err := s.sealJSON(loc(key, bDoc, kt), docRecord(d))
		if err != nil {
			return err
		}
		if err := kb.Put(key, v); err != nil {
			return err
		}
		note(d.Kind, d.Patient)
	}
	return nil
}

func (s *Store) writeOutbox(tx *bolt.Tx, add []OutboxItem, remove []uint64, ch *Change) error {
	ob := tx.Bucket(bOutbox)
	for _, seq := range remove {
		if err := ob.Delete(binary.BigEndian.AppendUint64(nil, seq)); err != nil {
			return err
		}
		ch.Outbox = true
	}
	for _, it := range add {
		if it.ID == "" || it.Topic == "" {
			return errors.New("outbox item needs an id and a topic")
		}
		seq, err := ob.NextSequence()
		if err != nil {
			return err
		}
		it.Seq = seq
		if it.Created.IsZero() {
			it.Created = time.Now().UTC()
		}
		key := binary.BigEndian.AppendUint64(nil, seq)
		v, err := s.sealJSON(loc(key, bOutbox), it)
		if err != nil {
			return err
		}
		if err := ob.Put(key, v); err != nil {
			return err
		}
		ch.Outbox = true
	}
	return nil
}

func (s *Store) sealJSON(l location, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return s.keys.seal(l, b, true)
}

func (s *Store) unsealJSON(l location, sealed []byte, v any) error {
	b, err := s.keys.unseal(l, sealed)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%w: undecodable value at %s", ErrTampered, l)
	}
	return nil
}
