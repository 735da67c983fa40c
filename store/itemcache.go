package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sync/atomic"
)

// ItemCache keeps a collection's index entries of one type between reads
// (Reader.CachedItems), so a read opens only the records added or changed
// since the previous one. Apply writes every version of a resource under a
// sequence of its own, so an id key still mapped to the sequence it had is
// the same version: a read walks the collection's ids (no decryption) and
// opens only the records whose pair is new. A reader that knows from the
// change notices which resources changed (Reader.CachedItemsChanged) skips
// the walk too. The clinical engine keeps one per patient for the
// Observations it re-reads on every change of a busy chart.
//
// A read that only finds resources added appends them in place: the entries
// already held are neither copied nor moved, and Appended tells a caller
// which entries are new, so it can update what it derived from the rest
// instead of going over them again. Entries are therefore in no particular
// order (the ids' order, then each read's additions). Not safe for
// concurrent use.
type ItemCache struct {
	collection, typ string
	keys            []string // id keys, beside items
	seqs            []uint64
	items           []Item
	index           map[string]int // id key -> position in items
	seq             uint64         // commit sequence of the snapshot last read; 0 before the first
	read            bool
	topic           *string // the collection's topic, read once by the read under way
	scratch         scratch // reused by every read: see scratch
	// gen names the entries as they are (a new one after every read that
	// changed them); hist holds each generation's length since the last
	// read that did more than append.
	gen  uint64
	hist []genLen
	// spare is the slice the read before the last rebuild returned, reused
	// by the next rebuild (see CachedItems).
	spareKeys  []string
	spareSeqs  []uint64
	spareItems []Item
}

type genLen struct {
	gen uint64
	n   int
}

// histLen is how many generations Appended can look back over.
const histLen = 8

// NewItemCache returns an empty cache of a collection's resources of a type.
func NewItemCache(collection, typ string) *ItemCache {
	c := &ItemCache{collection: collection, typ: typ}
	c.reset()
	return c
}

// reset empties the cache under a new generation.
func (c *ItemCache) reset() {
	*c = ItemCache{collection: c.collection, typ: c.typ, gen: cacheGens.Add(1)}
	c.hist = []genLen{{c.gen, 0}}
}

// cacheGens numbers generations across every cache, so a generation a
// caller kept never names another cache's entries, nor a reset cache's.
var cacheGens atomic.Uint64

// Len is the number of index entries the cache holds.
func (c *ItemCache) Len() int { return len(c.items) }

// Seq is the commit sequence of the snapshot the cache was last read from
// (0 before its first read).
func (c *ItemCache) Seq() uint64 { return c.seq }

// Gen names the entries as the last read left them; it changes with every
// read that changes them.
func (c *ItemCache) Gen() uint64 { return c.gen }

// Appended reports what the reads since generation gen did: when they only
// added resources, ok is true and the entries from index from on are those
// added (from is Len() when nothing was). It is false when a resource was
// changed or deleted since, or gen is too old to tell.
func (c *ItemCache) Appended(gen uint64) (from int, ok bool) {
	for _, h := range c.hist {
		if h.gen == gen {
			return h.n, true
		}
	}
	return 0, false
}

// CachedItems returns the index entries of the cache's collection and type,
// as Items(collection, typ) would but in no particular order, opening only
// the records that are not in the cache yet and dropping those deleted. The
// slice belongs to the cache: it stays valid until the second read after
// this one, and must not be changed.
func (r *Reader) CachedItems(c *ItemCache) ([]Item, error) {
	return r.cachedRead(c, func() (bool, error) { return r.walkCache(c) })
}

// CachedItemsChanged is CachedItems for a caller that knows, from the
// store's change notices, which of the collection's resources changed since
// the cache was last read: changed must name every resource put or deleted
// by the commits after c.Seq() up to this reader's snapshot (others may be
// named too, and resources of other types are passed over). Then only
// those are looked up. Before the cache's first read it walks as
// CachedItems does.
func (r *Reader) CachedItemsChanged(c *ItemCache, changed []Ref) ([]Item, error) {
	if !c.read {
		return r.CachedItems(c)
	}
	return r.cachedRead(c, func() (bool, error) { return r.lookUpChanged(c, changed) })
}

// cachedRead runs a read that appends what it can and reports whether the
// entries must be rebuilt instead (a resource changed or deleted).
func (r *Reader) cachedRead(c *ItemCache, appendOnly func() (rebuild bool, err error)) ([]Item, error) {
	n := len(c.items)
	c.topic = nil
	rebuild, err := appendOnly()
	if err == nil && rebuild {
		err = r.rebuildCache(c)
	}
	if err != nil {
		c.reset() // start afresh after a failed read
		return nil, err
	}
	c.seq, c.read = r.Seq(), true
	switch {
	case rebuild:
		c.gen = cacheGens.Add(1)
		c.hist = append(c.hist[:0], genLen{c.gen, len(c.items)})
	case len(c.items) != n:
		c.gen = cacheGens.Add(1)
		if len(c.hist) == histLen {
			c.hist = append(c.hist[:0], c.hist[1:]...)
		}
		c.hist = append(c.hist, genLen{c.gen, len(c.items)})
	}
	return c.items, nil
}

// walkCache walks the collection's ids of the cache's type: it appends the
// resources not held yet and reports a rebuild when one held changed or
// went.
func (r *Reader) walkCache(c *ItemCache) (rebuild bool, err error) {
	col, cb := r.colBuckets(c.collection)
	if cb == nil {
		return len(c.items) > 0, nil
	}
	var added [][2][]byte // id key, sequence
	matched := 0
	prefix := r.s.keys.typeTag(c.typ)
	cur := cb.ids.Cursor()
	for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
		if len(k) != typeTagLen+tagLen || len(v) != 8 {
			return false, &TamperError{Where: loc(k, bCol, col, bIDs).String() + " (bad entry)"}
		}
		i, ok := c.index[string(k)]
		switch {
		case !ok:
			added = append(added, [2][]byte{k, v})
		case c.seqs[i] == binary.BigEndian.Uint64(v):
			matched++
		default:
			return true, nil // a new version of a resource held
		}
	}
	if matched < len(c.items) {
		return true, nil // some were deleted
	}
	for _, a := range added {
		if err := r.appendCached(c, col, a[0], a[1]); err != nil {
			return false, err
		}
	}
	return false, nil
}

// lookUpChanged looks up the named resources: it appends those not held yet
// and reports a rebuild when one held changed or went.
func (r *Reader) lookUpChanged(c *ItemCache, changed []Ref) (rebuild bool, err error) {
	col, cb := r.colBuckets(c.collection)
	if cb == nil {
		return len(c.items) > 0, nil
	}
	for _, ref := range changed {
		if ref.Collection != c.collection || ref.Type != c.typ {
			continue
		}
		k := r.s.keys.idKey(c.collection, c.typ, ref.ID)
		v := cb.ids.Get(k)
		i, held := c.index[string(k)]
		switch {
		case v == nil && !held: // a tombstone for a resource never held
		case v == nil || len(v) != 8:
			return true, nil
		case !held:
			if err := r.appendCached(c, col, k, v); err != nil {
				return false, err
			}
		case c.seqs[i] != binary.BigEndian.Uint64(v):
			return true, nil
		}
	}
	return false, nil
}

// appendCached opens the record an id entry points to and appends its index
// entry. Appending never writes below the slice's old length, so a slice an
// earlier read returned still reads as it did.
func (r *Reader) appendCached(c *ItemCache, col, k, v []byte) error {
	it, err := r.openCached(c, col, k, v)
	if err != nil {
		return err
	}
	key := string(k)
	if c.index == nil {
		c.index = map[string]int{}
	}
	c.index[key] = len(c.items)
	c.keys, c.seqs, c.items = append(c.keys, key), append(c.seqs, binary.BigEndian.Uint64(v)), append(c.items, it)
	return nil
}

func (r *Reader) openCached(c *ItemCache, col, k, v []byte) (Item, error) {
	if c.topic == nil { // once per read: the entry is sealed
		entry, _, err := r.entry(c.collection)
		if err != nil {
			return Item{}, err
		}
		c.topic = &entry.Topic
	}
	typ, id, m, _, err := r.s.openRecord(r.tx.Bucket(bRaw), col, v, false, &c.scratch)
	if err != nil {
		return Item{}, err
	}
	var kb [typeTagLen + tagLen]byte
	if typ != c.typ || !bytes.Equal(r.s.keys.appendIDKey(kb[:0], c.collection, typ, id), k) {
		return Item{}, &TamperError{Where: fmt.Sprintf("%s (record of another resource)", loc(v, bRaw, col))}
	}
	m.Source.Topic = *c.topic
	return Item{Ref: Ref{Collection: c.collection, Type: typ, ID: id}, Meta: m}, nil
}

// rebuildCache reads the entries afresh in the ids' order, reusing those
// whose sequence is unchanged, into the spare slices (a slice returned by
// the read before last is no longer read).
func (r *Reader) rebuildCache(c *ItemCache) error {
	keys, seqs, items := c.spareKeys[:0], c.spareSeqs[:0], c.spareItems[:0]
	clear(items[:cap(items)]) // drop what the spare slices still point to
	index := make(map[string]int, len(c.items))
	col, cb := r.colBuckets(c.collection)
	if cb != nil {
		prefix := r.s.keys.typeTag(c.typ)
		cur := cb.ids.Cursor()
		for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
			if len(k) != typeTagLen+tagLen || len(v) != 8 {
				return &TamperError{Where: loc(k, bCol, col, bIDs).String() + " (bad entry)"}
			}
			seq := binary.BigEndian.Uint64(v)
			it, key := Item{}, ""
			if i, ok := c.index[string(k)]; ok && c.seqs[i] == seq {
				it, key = c.items[i], c.keys[i]
			} else {
				var err error
				if it, err = r.openCached(c, col, k, v); err != nil {
					return err
				}
				key = string(k)
			}
			index[key] = len(items)
			keys, seqs, items = append(keys, key), append(seqs, seq), append(items, it)
		}
	}
	c.spareKeys, c.spareSeqs, c.spareItems = c.keys, c.seqs, c.items
	c.keys, c.seqs, c.items, c.index = keys, seqs, items, index
	return nil
}

// Seq is the commit sequence of the reader's snapshot: every commit up to it
// is visible, none after.
func (r *Reader) Seq() uint64 {
	if v := r.tx.Bucket(bMeta).Get(kSeq); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}
