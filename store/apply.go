package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

var kQuarantined = []byte("quarantined") // meta: uint64 count of quarantined records

// sealedPut is a resource upsert prepared ahead of the write transaction:
// its identity, collection and type tags, and its record's plaintext with
// both parts compressed (sealed in the transaction, where its sequence is
// known).
type sealedPut struct {
	col    []byte // collection tag
	id     []byte // identity key
	record []byte // record plaintext (see packRecord)
}

// parallelSealMin is the batch size from which sealing is spread over all
// cores before the write transaction: below it the goroutines cost more than
// they save.
const parallelSealMin = 64

// sealPuts encodes and compresses every put outside the write lock, in
// parallel across cores for large batches.
func (s *Store) sealPuts(puts []Resource) ([]sealedPut, error) {
	out := make([]sealedPut, len(puts))
	one := func(i int) error {
		p := &puts[i]
		out[i] = sealedPut{col: s.keys.collectionTag(p.Collection), id: s.keys.idKey(p.Collection, p.Type, p.ID),
			record: packRecord(p.Type, p.ID, &p.Meta, p.JSON)}
		return nil
	}
	workers := runtime.GOMAXPROCS(0)
	if len(puts) < parallelSealMin || workers == 1 {
		for i := range puts {
			if err := one(i); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	var wg sync.WaitGroup
	errs := make([]error, workers)
	chunk := (len(puts) + workers - 1) / workers
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min((w+1)*chunk, len(puts))
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				if err := one(i); err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

func validate(b *Batch) error {
	for _, p := range b.Puts {
		if p.Collection == "" || p.Type == "" || p.ID == "" {
			return fmt.Errorf("put: collection, type and id are required")
		}
		if len(p.JSON) == 0 {
			return fmt.Errorf("put %s: empty JSON (a delete is a Delete)", p.Type)
		}
	}
	if len(b.Deletes) > 0 && len(b.Puts) > 0 {
		put := make(map[Ref]struct{}, len(b.Puts))
		for _, p := range b.Puts {
			put[p.Ref] = struct{}{}
		}
		for _, d := range b.Deletes {
			if _, ok := put[d]; ok {
				return fmt.Errorf("%s is both put and deleted in one batch: keep only the last operation", d.Type)
			}
		}
	}
	for _, d := range b.Deletes {
		if d.Collection == "" || d.Type == "" || d.ID == "" {
			return fmt.Errorf("delete: collection, type and id are required")
		}
	}
	for _, d := range b.Docs {
		if d.Kind == "" || d.Key == "" {
			return fmt.Errorf("doc: kind and key are required")
		}
	}
	return nil
}

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

// Apply commits a batch atomically and then announces what changed. Readers
// see all of it or none of it. Empty batches commit nothing. A damaged page
// met on the way is ErrCorrupt (see damaged) and the batch is rolled back.
func (s *Store) Apply(b *Batch) (ch Change, err error) {
	if b == nil || b.Empty() {
		return Change{}, nil
	}
	if err := validate(b); err != nil {
		return Change{}, fmt.Errorf("apply batch: %w", err)
	}
	if s.isClosed() {
		return Change{}, ErrClosed
	}
	if s.opts.ReadOnly {
		return Change{}, errors.New("apply batch: store opened read-only")
	}
	sealed, err := s.sealPuts(b.Puts)
	if err != nil {
		return Change{}, fmt.Errorf("apply batch: seal: %w", err)
	}
	now := time.Now().UTC()
	ch = Change{Collections: map[string]Types{}}
	var seq uint64

	err = s.update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bMeta)
		seq = binary.BigEndian.Uint64(meta.Get(kSeq)) + 1
		if err := meta.Put(kSeq, binary.BigEndian.AppendUint64(nil, seq)); err != nil {
			return err
		}
		edits := map[string]*dirEdit{}
		edit := func(collection string) *dirEdit {
			e := edits[collection]
			if e == nil {
				e = &dirEdit{name: collection, types: Types{}, counts: map[string]int{}}
				edits[collection] = e
			}
			return e
		}
		cols := &colCache{root: tx.Bucket(bCol), m: map[string]*colBuckets{}}
		raw := tx.Bucket(bRaw)
		raw.FillPercent = 1.0 // new values append at the end: pack pages full

		for i := range b.Puts {
			p, sp := &b.Puts[i], &sealed[i]
			cb, err := cols.get(sp.col, true)
			if err != nil {
				return err
			}
			seq, existed, err := s.lookup(cb, sp.col, sp.id)
			if err != nil {
				return err
			}
			if !existed {
				if seq, err = raw.NextSequence(); err != nil {
					return err
				}
				if err := s.putSeq(cb, sp.col, sp.id, seq); err != nil {
					return err
				}
			}
			sk := seqKey(seq)
			rec, err := s.keys.seal(loc(sk, bRaw, sp.col), sp.record, false)
			if err != nil {
				return err
			}
			if err := raw.Put(sk, rec); err != nil {
				return err
			}
			e := edit(p.Collection)
			e.types[p.Type] = struct{}{}
			if !existed {
				e.counts[p.Type]++
			}
			if p.Meta.Time.After(e.lastTime) {
				e.lastTime = p.Meta.Time
			}
			if p.Meta.Source.Topic != "" {
				e.topic = p.Meta.Source.Topic
			}
			if p.Type == "Patient" && p.ID == p.Collection && p.Meta.Patient != nil {
				d := *p.Meta.Patient
				e.patient, e.unsetPt = &d, false
			}
		}
		for _, d := range b.Deletes {
			col := s.keys.collectionTag(d.Collection)
			cb, err := cols.get(col, false)
			if err != nil {
				return err
			}
			if cb == nil {
				continue // nothing held: a tombstone for a key never seen
			}
			id := s.keys.idKey(d.Collection, d.Type, d.ID)
			seq, existed, err := s.lookup(cb, col, id)
			if err != nil {
				return err
			}
			if !existed {
				continue
			}
			if err := errors.Join(cb.ids.Delete(id), raw.Delete(seqKey(seq))); err != nil {
				return err
			}
			e := edit(d.Collection)
			e.types[d.Type] = struct{}{}
			e.counts[d.Type]--
			if d.Type == "Patient" && d.ID == d.Collection {
				e.patient, e.unsetPt = nil, true
			}
		}
		for patient, st := range b.Statuses {
			st := st
			edit(patient).status = &st
		}

		if err := s.writeDirectory(tx, edits, now, &ch); err != nil {
			return err
		}
		if err := s.markDirty(tx, edits, seq); err != nil {
			return err
		}
		if err := s.writeQuarantine(tx, b.Quarantine, &ch); err != nil {
			return err
		}
		if err := s.writeOffsets(tx, b.Offsets, b.ResetOffsets, &ch); err != nil {
			return err
		}
		if err := s.writeDocs(tx, b.Docs, b.DeleteDocs, &ch); err != nil {
			return err
		}
		if err := s.writeOutbox(tx, b.Enqueue, b.Dequeue, &ch); err != nil {
			return err
		}
		return s.clean(tx, b.Clean)
	})
	if err != nil {
		return Change{}, fmt.Errorf("apply batch: %w", err)
	}
	ch.Seq, ch.Keys = seq, changeKeys(b, ch.Collections)
	ch.Records = len(b.Puts) + len(b.Deletes) + len(b.Quarantine)
	ch.Committed = time.Now()
	s.mu.Lock()
	s.seq = seq
	release := time.Since(s.released) > releaseEvery
	if release {
		s.released = time.Now()
	}
	s.mu.Unlock()
	s.publish(ch)
	if release {
		releaseMapped(s.path)
	}
	return ch, nil
}

// colBuckets are one collection's sub-buckets: index entries and the
// identity -> sequence map.
type colBuckets struct{ ids *bolt.Bucket }

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(make([]byte, 0, 8), seq) }

// lookup finds where a resource's record is kept; existed is false when the
// collection does not hold it.
//
// The sequence is stored in plaintext: it says only in which order
// resources arrived. Integrity does not rest on it: the record it points to
// is sealed with its sequence and collection as additional data and names
// its resource inside, and readers check that name, so a swapped or edited
// sequence makes the read fail as tampered instead of returning another
// resource.
func (s *Store) lookup(cb *colBuckets, col, id []byte) (seq uint64, existed bool, err error) {
	v := cb.ids.Get(id)
	if v == nil {
		return 0, false, nil
	}
	if len(v) != 8 {
		return 0, false, &TamperError{Where: loc(id, bCol, col, bIDs).String()}
	}
	return binary.BigEndian.Uint64(v), true, nil
}

func (s *Store) putSeq(cb *colBuckets, col, id []byte, seq uint64) error {
	return cb.ids.Put(id, seqKey(seq))
}

type colCache struct {
	root *bolt.Bucket
	m    map[string]*colBuckets
}

func (c *colCache) get(tag []byte, create bool) (*colBuckets, error) {
	if cb, ok := c.m[string(tag)]; ok && (cb != nil || !create) {
		return cb, nil
	}
	b := c.root.Bucket(tag)
	if b == nil {
		if !create {
			c.m[string(tag)] = nil
			return nil, nil
		}
		var err error
		if b, err = c.root.CreateBucket(tag); err != nil {
			return nil, err
		}
	}
	ids, err := b.CreateBucketIfNotExists(bIDs)
	if err != nil {
		return nil, err
	}
	// Keys are pseudonyms, so inserts land at random places: bbolt's
	// default 50/50 split keeps pages about 63 % full here (a 90/10 split
	// measured 37 %).
	cb := &colBuckets{ids: ids}
	c.m[string(tag)] = cb
	return cb, nil
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
