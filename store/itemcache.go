package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// ItemCache keeps a collection's index entries of one type between reads
// (Reader.CachedItems), so a read opens only the records added or changed
// since the previous one. Apply writes every version of a resource under a
// sequence of its own, so an id key still mapped to the sequence it had is
// the same version: a read walks the collection's ids (no decryption) and
// opens only the records whose pair is new. The clinical engine keeps one
// per patient for the Observations it re-reads on every change of a busy
// chart. Not safe for concurrent use.
type ItemCache struct {
	collection, typ string
	keys            []string // id keys in ids order, beside items
	seqs            []uint64
	items           []Item
	// spare is the previous read's slice, reused by the next read that
	// changes something (see CachedItems).
	spareKeys  []string
	spareSeqs  []uint64
	spareItems []Item
}

// NewItemCache returns an empty cache of a collection's resources of a type.
func NewItemCache(collection, typ string) *ItemCache {
	return &ItemCache{collection: collection, typ: typ}
}

// Len is the number of index entries the cache holds.
func (c *ItemCache) Len() int { return len(c.items) }

// CachedItems returns the index entries of the cache's collection and type,
// as Items(collection, typ) would (in the ids' order), opening only the
// records that are not in the cache yet and dropping those deleted. The
// slice belongs to the cache: it stays valid until the second read after
// this one, and must not be changed.
func (r *Reader) CachedItems(c *ItemCache) ([]Item, error) {
	items, err := r.cachedItems(c)
	if err != nil {
		*c = ItemCache{collection: c.collection, typ: c.typ} // start afresh after a failed read
		return nil, err
	}
	return items, nil
}

func (r *Reader) cachedItems(c *ItemCache) ([]Item, error) {
	col, cb := r.colBuckets(c.collection)
	if cb == nil {
		c.keys, c.seqs, c.items = c.keys[:0], c.seqs[:0], c.items[:0]
		return c.items, nil
	}
	entry, _, err := r.entry(c.collection)
	if err != nil {
		return nil, err
	}
	raw := r.tx.Bucket(bRaw)
	keys, seqs, items := c.spareKeys[:0], c.spareSeqs[:0], c.spareItems[:0]
	changed := false
	j := 0 // next cached entry not yet matched
	prefix := r.s.keys.typeTag(c.typ)
	cur := cb.ids.Cursor()
	for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
		if len(k) != typeTagLen+tagLen || len(v) != 8 {
			return nil, &TamperError{Where: loc(k, bCol, col, bIDs).String() + " (bad entry)"}
		}
		seq := binary.BigEndian.Uint64(v)
		for j < len(c.keys) && c.keys[j] < string(k) { // deleted since the last read
			j++
			changed = true
		}
		if j < len(c.keys) && c.keys[j] == string(k) && c.seqs[j] == seq {
			keys, seqs, items = append(keys, c.keys[j]), append(seqs, seq), append(items, c.items[j])
			j++
			continue
		}
		if j < len(c.keys) && c.keys[j] == string(k) {
			j++ // a new version of a cached resource
		}
		changed = true
		typ, id, m, _, err := r.s.openRecord(raw, col, v, false)
		if err != nil {
			return nil, err
		}
		if typ != c.typ || !bytes.Equal(r.s.keys.idKey(c.collection, typ, id), k) {
			return nil, &TamperError{Where: fmt.Sprintf("%s (record of another resource)", loc(v, bRaw, col))}
		}
		m.Source.Topic = entry.Topic
		keys, seqs = append(keys, string(k)), append(seqs, seq)
		items = append(items, Item{Ref: Ref{Collection: c.collection, Type: typ, ID: id}, Meta: m})
	}
	if j < len(c.keys) {
		changed = true
	}
	if !changed {
		c.spareKeys, c.spareSeqs, c.spareItems = keys, seqs, items
		return c.items, nil
	}
	c.spareKeys, c.spareSeqs, c.spareItems = c.keys, c.seqs, c.items
	c.keys, c.seqs, c.items = keys, seqs, items
	return items, nil
}
