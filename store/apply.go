package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

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
	// Commits are announced in their order: a subscriber that has taken the
	// notice of commit n has taken every one before it (the engine's cached
	// reads rely on it, see ItemCache).
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	err = s.update(func(tx *bolt.Tx) error {
		var err error
		seq, err = s.applyTx(tx, b, sealed, now, &ch)
		return err
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

// applyTx writes a batch in the write transaction and returns its commit
// sequence.
func (s *Store) applyTx(tx *bolt.Tx, b *Batch, sealed []sealedPut, now time.Time, ch *Change) (uint64, error) {
	meta := tx.Bucket(bMeta)
	seq := binary.BigEndian.Uint64(meta.Get(kSeq)) + 1
	if err := meta.Put(kSeq, binary.BigEndian.AppendUint64(nil, seq)); err != nil {
		return 0, err
	}
	w := &batchWrite{
		edits: map[string]*dirEdit{},
		cols:  &colCache{root: tx.Bucket(bCol), m: map[string]*colBuckets{}},
		raw:   tx.Bucket(bRaw),
	}
	w.raw.FillPercent = 1.0 // new values append at the end: pack pages full
	if err := s.applyPuts(w, b.Puts, sealed); err != nil {
		return 0, err
	}
	if err := s.applyDeletes(w, b.Deletes); err != nil {
		return 0, err
	}
	for patient, st := range b.Statuses {
		st := st
		w.edit(patient).status = &st
	}
	for _, write := range []func() error{
		func() error { return s.writeDirectory(tx, w.edits, now, ch) },
		func() error { return s.markDirty(tx, w.edits, seq) },
		func() error { return s.writeQuarantine(tx, b.Quarantine, ch) },
		func() error { return s.writeOffsets(tx, b.Offsets, b.ResetOffsets, ch) },
		func() error { return s.writeDocs(tx, b.Docs, b.DeleteDocs, ch) },
		func() error { return s.writeOutbox(tx, b.Enqueue, b.Dequeue, ch) },
		func() error { return s.clean(tx, b.Clean) },
	} {
		if err := write(); err != nil {
			return 0, err
		}
	}
	return seq, nil
}

// batchWrite is one transaction's state while a batch's resources are
// written: the directory edits and the buckets met so far.
type batchWrite struct {
	edits map[string]*dirEdit
	cols  *colCache
	raw   *bolt.Bucket
}

func (w *batchWrite) edit(collection string) *dirEdit {
	e := w.edits[collection]
	if e == nil {
		e = &dirEdit{name: collection, types: Types{}, counts: map[string]int{}}
		w.edits[collection] = e
	}
	return e
}

// applyPuts writes each upsert's record under a new sequence: a new version
// of a resource replaces the old record rather than overwriting it in
// place, so a sequence always names one version (ItemCache relies on it).
func (s *Store) applyPuts(w *batchWrite, puts []Resource, sealed []sealedPut) error {
	for i := range puts {
		p, sp := &puts[i], &sealed[i]
		cb, err := w.cols.get(sp.col, true)
		if err != nil {
			return err
		}
		old, existed, err := s.lookup(cb, sp.col, sp.id)
		if err != nil {
			return err
		}
		if existed {
			if err := w.raw.Delete(seqKey(old)); err != nil {
				return err
			}
		}
		seq, err := w.raw.NextSequence()
		if err != nil {
			return err
		}
		if err := s.putSeq(cb, sp.col, sp.id, seq); err != nil {
			return err
		}
		sk := seqKey(seq)
		rec, err := s.keys.seal(loc(sk, bRaw, sp.col), sp.record, false)
		if err != nil {
			return err
		}
		if err := w.raw.Put(sk, rec); err != nil {
			return err
		}
		e := w.edit(p.Collection)
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
	return nil
}

// applyDeletes removes what tombstones name; a key never held is nothing to do.
func (s *Store) applyDeletes(w *batchWrite, dels []Ref) error {
	for _, d := range dels {
		col := s.keys.collectionTag(d.Collection)
		cb, err := w.cols.get(col, false)
		if err != nil {
			return err
		}
		if cb == nil {
			continue
		}
		id := s.keys.idKey(d.Collection, d.Type, d.ID)
		seq, existed, err := s.lookup(cb, col, id)
		if err != nil {
			return err
		}
		if !existed {
			continue
		}
		if err := errors.Join(cb.ids.Delete(id), w.raw.Delete(seqKey(seq))); err != nil {
			return err
		}
		e := w.edit(d.Collection)
		e.types[d.Type] = struct{}{}
		e.counts[d.Type]--
		if d.Type == "Patient" && d.ID == d.Collection {
			e.patient, e.unsetPt = nil, true
		}
	}
	return nil
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
