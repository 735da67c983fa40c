package store

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// Reader reads one consistent snapshot of the store. It is only valid inside
// the function given to View.
type Reader struct {
	s  *Store
	tx *bolt.Tx
	// entries memoises the directory entries the reads below look up
	// for a collection's topic and counts (a snapshot never changes, and
	// unsealing an entry costs as much as reading a small collection).
	entries map[string]entryRead
}

type entryRead struct {
	e  Entry
	ok bool
}

// entry is Entry for the reads of this package, memoised: its Entry is
// shared, not to be changed.
func (r *Reader) entry(collection string) (Entry, bool, error) {
	if er, ok := r.entries[collection]; ok {
		return er.e, er.ok, nil
	}
	e, ok, err := r.Entry(collection)
	if err != nil {
		return e, ok, err
	}
	if r.entries == nil {
		r.entries = map[string]entryRead{}
	}
	r.entries[collection] = entryRead{e, ok}
	return e, ok, nil
}

// View runs fn with a read snapshot: everything fn reads is from the same
// committed state.
//
// A damaged page met on the way is ErrCorrupt, not a crash (see damaged).
func (s *Store) View(fn func(r *Reader) error) (err error) {
	if s.isClosed() {
		return ErrClosed
	}
	defer damaged(&err)
	return s.db.View(func(tx *bolt.Tx) error { return fn(&Reader{s: s, tx: tx}) })
}

// Entry returns a collection's directory entry; ok is false when the store
// holds nothing of it.
func (r *Reader) Entry(collection string) (e Entry, ok bool, err error) {
	key := r.s.keys.collectionTag(collection)
	v := r.tx.Bucket(bDir).Get(key)
	if v == nil {
		return Entry{}, false, nil
	}
	err = r.s.unsealJSON(loc(key, bDir), v, &e)
	return e, err == nil, err
}

// Collections returns every collection's directory entry, patients and
// shared collections alike, in no particular order.
func (r *Reader) Collections() ([]Entry, error) {
	var out []Entry
	err := r.tx.Bucket(bDir).ForEach(func(k, v []byte) error {
		var e Entry
		if err := r.s.unsealJSON(loc(k, bDir), v, &e); err != nil {
			return err
		}
		out = append(out, e)
		return nil
	})
	if err == nil { // the census reads rows next: their entries are known
		if r.entries == nil {
			r.entries = make(map[string]entryRead, len(out))
		}
		for _, e := range out {
			r.entries[e.Collection] = entryRead{e, true}
		}
	}
	return out, err
}

// Census returns the directory entry of every patient, sorted by name then
// id. Patients whose Patient resource has not arrived yet are included (with
// Patient nil): they have data.
func (r *Reader) Census() ([]Entry, error) {
	all, err := r.Collections()
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, e := range all {
		if IsPatient(e.Collection) {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		an, bn := "", ""
		if a.Patient != nil {
			an = a.Patient.Name
		}
		if b.Patient != nil {
			bn = b.Patient.Name
		}
		if an != bn {
			return an < bn
		}
		return a.Collection < b.Collection
	})
	return out, nil
}

func (r *Reader) colBuckets(collection string) (col []byte, cb *colBuckets) {
	col = r.s.keys.collectionTag(collection)
	b := r.tx.Bucket(bCol).Bucket(col)
	if b == nil {
		return col, nil
	}
	return col, &colBuckets{ids: b.Bucket(bIDs)}
}

// Items returns the index entries of a collection's resources, all of them
// or only those of the given types, grouped by type in no particular order.
func (r *Reader) Items(collection string, types ...string) ([]Item, error) {
	var out []Item
	if len(types) == 0 {
		if e, ok, _ := r.entry(collection); ok {
			if col, cb := r.colBuckets(collection); cb != nil && runtime.GOMAXPROCS(0) > 1 && e.Total() >= parallelOpenMin {
				items, _, err := r.openAll(collection, col, e.Topic, r.tx.Bucket(bRaw), cb.ids.Cursor(), false, e.Total())
				return items, err
			}
			out = make([]Item, 0, e.Total())
		}
	} else if e, ok, _ := r.entry(collection); ok {
		n := 0 // sized up front: the engine reads a busy chart's 20,000 Observations on every change
		for _, t := range types {
			n += e.Counts[t]
		}
		out = make([]Item, 0, n)
	}
	err := r.each(collection, types, false, func(it Item, _ []byte) error {
		out = append(out, it)
		return nil
	})
	return out, err
}

// each calls fn with every resource of a collection (of the given types, or
// all): its index entry, and its JSON when wantJSON.
func (r *Reader) each(collection string, types []string, wantJSON bool, fn func(it Item, json []byte) error) error {
	col, cb := r.colBuckets(collection)
	if cb == nil {
		return nil
	}
	entry, _, err := r.entry(collection)
	if err != nil {
		return err
	}
	raw := r.tx.Bucket(bRaw)
	sc := &scratch{}
	var kb [typeTagLen + tagLen]byte
	visit := func(k, v []byte) error {
		if len(k) != typeTagLen+tagLen || len(v) != 8 {
			return &TamperError{Where: loc(k, bCol, col, bIDs).String() + " (bad entry)"}
		}
		typ, id, m, js, err := r.s.openRecord(raw, col, v, wantJSON, sc)
		if err != nil {
			return err
		}
		if !bytes.Equal(r.s.keys.appendIDKey(kb[:0], collection, typ, id), k) {
			return &TamperError{Where: loc(v, bRaw, col).String() + " (record of another resource)"}
		}
		m.Source.Topic = entry.Topic
		return fn(Item{Ref: Ref{Collection: collection, Type: typ, ID: id}, Meta: m}, js)
	}
	c := cb.ids.Cursor()
	if len(types) == 0 && runtime.GOMAXPROCS(0) > 1 && entry.Total() >= parallelOpenMin {
		return r.eachParallel(collection, col, entry.Topic, raw, c, wantJSON, entry.Total(), fn)
	}
	if len(types) == 0 {
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if err := visit(k, v); err != nil {
				return err
			}
		}
		return nil
	}
	for _, t := range types {
		prefix := r.s.keys.typeTag(t)
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if err := visit(k, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// parallelOpenMin is the collection size from which reading all of it opens
// records on every core: a 20,000-entry chart opens in about half the time
// on two cores; below it the goroutines cost more than they save.
const parallelOpenMin = 512

// eachParallel is each over a whole collection, its records authenticated,
// decrypted and decoded on every core. bbolt transactions are not safe for
// concurrent use, so the tree is walked on this goroutine first (the values
// are slices of the read transaction's memory map, valid until it ends),
// records in sequence order (the order they were appended, so page reads run
// forward through the file); fn is then called in the ids' order, as each does.
func (r *Reader) eachParallel(collection string, col []byte, topic string, raw *bolt.Bucket, c *bolt.Cursor, wantJSON bool, total int, fn func(it Item, json []byte) error) error {
	items, jsons, err := r.openAll(collection, col, topic, raw, c, wantJSON, total)
	if err != nil {
		return err
	}
	for i := range items {
		var js []byte
		if wantJSON {
			js = jsons[i]
		}
		if err := fn(items[i], js); err != nil {
			return err
		}
	}
	return nil
}

// seekAfter is how many records openAll steps over before it seeks.
const seekAfter = 4

// openAll opens every record of a collection on every core (see
// eachParallel), in the ids' order.
func (r *Reader) openAll(collection string, col []byte, topic string, raw *bolt.Bucket, c *bolt.Cursor, wantJSON bool, total int) (items []Item, jsons [][]byte, err error) {
	type slot struct{ k, sk, sealed []byte }
	type bySeq struct {
		seq uint64
		i   int
	}
	slots := make([]slot, 0, total)
	order := make([]bySeq, 0, total)
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) != typeTagLen+tagLen || len(v) != 8 {
			return nil, nil, &TamperError{Where: loc(k, bCol, col, bIDs).String() + " (bad entry)"}
		}
		order = append(order, bySeq{binary.BigEndian.Uint64(v), len(slots)})
		slots = append(slots, slot{k: k, sk: v})
	}
	slices.SortFunc(order, func(a, b bySeq) int { return cmp.Compare(a.seq, b.seq) })
	rc := raw.Cursor()
	var k, v []byte // where rc is
	for _, o := range order {
		sl := &slots[o.i]
		// A patient's records written together are neighbours in the raw
		// bucket: step to the next few, and seek only past a gap.
		for step := 0; step < seekAfter && k != nil && bytes.Compare(k, sl.sk) < 0; step++ {
			k, v = rc.Next()
		}
		if !bytes.Equal(k, sl.sk) {
			k, v = rc.Seek(sl.sk)
		}
		if !bytes.Equal(k, sl.sk) {
			return nil, nil, &TamperError{Where: loc(sl.sk, bRaw, col).String() + " (index entry without record)"}
		}
		sl.sealed = v
	}
	items = make([]Item, len(slots))
	if wantJSON {
		jsons = make([][]byte, len(slots))
	}
	workers := runtime.GOMAXPROCS(0)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	chunk := (len(slots) + workers - 1) / workers
	for w := range workers {
		lo, hi := w*chunk, min((w+1)*chunk, len(slots))
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := &scratch{}
			var kb [typeTagLen + tagLen]byte
			for i := lo; i < hi; i++ {
				sl := &slots[i]
				l := loc(sl.sk, bRaw, col)
				plain, err := r.s.keys.unsealInto(l, sl.sealed, plainBuf(sc, wantJSON))
				if err != nil {
					errs[w] = err
					return
				}
				typ, id, m, js, err := openRecord(plain, wantJSON, sc)
				if err != nil {
					errs[w] = fmt.Errorf("%w: %v at %s", ErrTampered, err, l)
					return
				}
				if !bytes.Equal(r.s.keys.appendIDKey(kb[:0], collection, typ, id), sl.k) {
					errs[w] = &TamperError{Where: l.String() + " (record of another resource)"}
					return
				}
				m.Source.Topic = topic
				items[i] = Item{Ref: Ref{Collection: collection, Type: typ, ID: id}, Meta: m}
				if wantJSON {
					jsons[i] = js
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs { // the first failure in ids order, as each would report
		if err != nil {
			return nil, nil, err
		}
	}
	return items, jsons, nil
}

// openRecord reads, authenticates and opens the record at a sequence of a
// collection.
func (s *Store) openRecord(raw *bolt.Bucket, col, sk []byte, wantJSON bool, sc *scratch) (typ, id string, m Meta, js []byte, err error) {
	l := loc(sk, bRaw, col)
	v := raw.Get(sk)
	if v == nil {
		return "", "", m, nil, &TamperError{Where: l.String() + " (index entry without record)"}
	}
	plain, err := s.keys.unsealInto(l, v, plainBuf(sc, wantJSON))
	if err != nil {
		return "", "", m, nil, err
	}
	typ, id, m, js, err = openRecord(plain, wantJSON, sc)
	if err != nil {
		return "", "", m, nil, fmt.Errorf("%w: %v at %s", ErrTampered, err, l)
	}
	return typ, id, m, js, nil
}

// plainBuf is the buffer a record may be decrypted into: the scratch's,
// unless the JSON is wanted (a raw JSON part is returned in place, so it
// must not be overwritten).
func plainBuf(sc *scratch, wantJSON bool) *[]byte {
	if sc == nil || wantJSON {
		return nil
	}
	return &sc.plain
}

// Resource returns one resource with its raw JSON; ok is false when absent.
func (r *Reader) Resource(ref Ref) (res Resource, ok bool, err error) {
	col, cb := r.colBuckets(ref.Collection)
	if cb == nil {
		return Resource{}, false, nil
	}
	seq, ok, err := r.s.lookup(cb, col, r.s.keys.idKey(ref.Collection, ref.Type, ref.ID))
	if !ok || err != nil {
		return Resource{}, false, err
	}
	sk := seqKey(seq)
	typ, id, m, js, err := r.s.openRecord(r.tx.Bucket(bRaw), col, sk, true, nil)
	if err != nil {
		return Resource{}, false, err
	}
	if typ != ref.Type || id != ref.ID {
		return Resource{}, false, &TamperError{Where: loc(sk, bRaw, col).String() + " (record of another resource)"}
	}
	if entry, ok, err := r.entry(ref.Collection); err != nil {
		return Resource{}, false, err
	} else if ok {
		m.Source.Topic = entry.Topic
	}
	return Resource{Ref: ref, JSON: js, Meta: m}, true, nil
}

// Resources returns a collection's resources with their JSON, all or only
// those of the given types.
func (r *Reader) Resources(collection string, types ...string) ([]Resource, error) {
	var out []Resource
	err := r.each(collection, types, true, func(it Item, js []byte) error {
		out = append(out, Resource{Ref: it.Ref, JSON: js, Meta: it.Meta})
		return nil
	})
	return out, err
}

// Offsets returns the next offset to consume of every partition consumed.
func (r *Reader) Offsets() (map[TopicPartition]int64, error) {
	out := map[TopicPartition]int64{}
	err := r.tx.Bucket(bOff).ForEach(func(k, v []byte) error {
		o, err := r.s.offsets.open(r.s, k, v)
		if err != nil {
			return err
		}
		out[TopicPartition{Topic: o.Topic, Partition: o.Partition}] = o.Next
		return nil
	})
	return out, err
}

// offsetMemo keeps the offset records last opened, by their sealed bytes:
// the feed reads every partition's offset on each discovery pass (once a
// second), and only those that moved need opening again. A record whose
// bytes differ is opened afresh, so a reader never sees another snapshot's
// offset.
type offsetMemo struct {
	mu sync.Mutex
	m  map[string]offsetMemoEntry
}

type offsetMemoEntry struct {
	sealed []byte
	o      offsetRecord
}

func (om *offsetMemo) open(s *Store, k, v []byte) (offsetRecord, error) {
	om.mu.Lock()
	e, ok := om.m[string(k)]
	om.mu.Unlock()
	if ok && bytes.Equal(e.sealed, v) {
		return e.o, nil
	}
	var o offsetRecord
	if err := s.unsealJSON(loc(k, bOff), v, &o); err != nil {
		return o, err
	}
	om.mu.Lock()
	if om.m == nil {
		om.m = map[string]offsetMemoEntry{}
	}
	om.m[string(k)] = offsetMemoEntry{sealed: bytes.Clone(v), o: o}
	om.mu.Unlock()
	return o, nil
}

// QuarantineCount is the number of quarantined records held.
func (r *Reader) QuarantineCount() int {
	if v := r.tx.Bucket(bMeta).Get(kQuarantined); len(v) == 8 {
		return int(binary.BigEndian.Uint64(v))
	}
	return 0
}

// Quarantine returns every quarantined record, oldest first.
func (r *Reader) Quarantine() ([]Quarantined, error) {
	var out []Quarantined
	err := r.tx.Bucket(bQuar).ForEach(func(k, v []byte) error {
		var q Quarantined
		if err := r.s.unsealJSON(loc(k, bQuar), v, &q); err != nil {
			return err
		}
		out = append(out, q)
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out, err
}

// Docs returns every document of a kind.
func (r *Reader) Docs(kind string) ([]Doc, error) {
	return r.docs(kind, nil)
}

// PatientDocs returns a patient's documents of a kind.
func (r *Reader) PatientDocs(kind, patient string) ([]Doc, error) {
	return r.docs(kind, r.s.keys.collectionTag(patient))
}

func (r *Reader) docs(kind string, prefix []byte) ([]Doc, error) {
	kt := r.s.keys.kindTag(kind)
	kb := r.tx.Bucket(bDoc).Bucket(kt)
	if kb == nil {
		return nil, nil
	}
	var out []Doc
	c := kb.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var d docRecord
		if err := r.s.unsealJSON(loc(k, bDoc, kt), v, &d); err != nil {
			return nil, err
		}
		out = append(out, Doc(d))
	}
	return out, nil
}

// Doc returns one document; ok is false when absent.
func (r *Reader) Doc(kind, patient, key string) (d Doc, ok bool, err error) {
	kt := r.s.keys.kindTag(kind)
	kb := r.tx.Bucket(bDoc).Bucket(kt)
	if kb == nil {
		return Doc{}, false, nil
	}
	k := r.s.keys.docKey(patient, key)
	v := kb.Get(k)
	if v == nil {
		return Doc{}, false, nil
	}
	var rec docRecord
	if err := r.s.unsealJSON(loc(k, bDoc, kt), v, &rec); err != nil {
		return Doc{}, false, err
	}
	return Doc(rec), true, nil
}

// Outbox returns the items waiting to be published, oldest first.
func (r *Reader) Outbox() ([]OutboxItem, error) {
	var out []OutboxItem
	err := r.tx.Bucket(bOutbox).ForEach(func(k, v []byte) error {
		var it OutboxItem
		if err := r.s.unsealJSON(loc(k, bOutbox), v, &it); err != nil {
			return err
		}
		out = append(out, it)
		return nil
	})
	return out, err
}

// Dirty returns the patients whose resources changed since the clinical
// engine last cleaned them, with the commit sequence of the latest change.
func (r *Reader) Dirty() (map[string]uint64, error) {
	out := map[string]uint64{}
	err := r.tx.Bucket(bDirty).ForEach(func(k, v []byte) error {
		var m dirtyMark
		if err := r.s.unsealJSON(loc(k, bDirty), v, &m); err != nil {
			return err
		}
		out[m.Patient] = m.Seq
		return nil
	})
	return out, err
}

// The Store's read shortcuts each run one snapshot.

// Entry returns a collection's directory entry.
func (s *Store) Entry(collection string) (e Entry, ok bool, err error) {
	err = s.View(func(r *Reader) error { e, ok, err = r.Entry(collection); return err })
	return
}

// Census returns every patient's directory entry (see Reader.Census).
func (s *Store) Census() (out []Entry, err error) {
	err = s.View(func(r *Reader) error { out, err = r.Census(); return err })
	return
}

// Collections returns every collection's directory entry.
func (s *Store) Collections() (out []Entry, err error) {
	err = s.View(func(r *Reader) error { out, err = r.Collections(); return err })
	return
}

// Items returns a collection's index entries (see Reader.Items).
func (s *Store) Items(collection string, types ...string) (out []Item, err error) {
	err = s.View(func(r *Reader) error { out, err = r.Items(collection, types...); return err })
	return
}

// Resource returns one resource with its JSON.
func (s *Store) Resource(ref Ref) (res Resource, ok bool, err error) {
	err = s.View(func(r *Reader) error { res, ok, err = r.Resource(ref); return err })
	return
}

// Resources returns a collection's resources with their JSON.
func (s *Store) Resources(collection string, types ...string) (out []Resource, err error) {
	err = s.View(func(r *Reader) error { out, err = r.Resources(collection, types...); return err })
	return
}

// Offsets returns the stored next offsets.
func (s *Store) Offsets() (out map[TopicPartition]int64, err error) {
	err = s.View(func(r *Reader) error { out, err = r.Offsets(); return err })
	return
}

// QuarantineCount is the number of quarantined records.
func (s *Store) QuarantineCount() (n int) {
	s.View(func(r *Reader) error { n = r.QuarantineCount(); return nil })
	return
}

// Quarantine returns every quarantined record.
func (s *Store) Quarantine() (out []Quarantined, err error) {
	err = s.View(func(r *Reader) error { out, err = r.Quarantine(); return err })
	return
}

// Docs returns every document of a kind.
func (s *Store) Docs(kind string) (out []Doc, err error) {
	err = s.View(func(r *Reader) error { out, err = r.Docs(kind); return err })
	return
}

// PatientDocs returns a patient's documents of a kind.
func (s *Store) PatientDocs(kind, patient string) (out []Doc, err error) {
	err = s.View(func(r *Reader) error { out, err = r.PatientDocs(kind, patient); return err })
	return
}

// Doc returns one document.
func (s *Store) Doc(kind, patient, key string) (d Doc, ok bool, err error) {
	err = s.View(func(r *Reader) error { d, ok, err = r.Doc(kind, patient, key); return err })
	return
}

// Outbox returns the items waiting to be published.
func (s *Store) Outbox() (out []OutboxItem, err error) {
	err = s.View(func(r *Reader) error { out, err = r.Outbox(); return err })
	return
}

// Dirty returns the patients the clinical engine has yet to re-evaluate.
func (s *Store) Dirty() (out map[string]uint64, err error) {
	err = s.View(func(r *Reader) error { out, err = r.Dirty(); return err })
	return
}
