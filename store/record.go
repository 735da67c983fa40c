package store

import (
	"encoding/binary"
	"errors"
)

// A resource is stored as one record in the raw bucket, keyed by its
// store-wide sequence and sealed with that key and its collection as
// additional data:
//
//	recordVersion (1) ‖ uvarint len(index part) ‖ index part ‖ JSON part
//
// where each part is codec ‖ payload (see appendPart): the index entry
// (encodeItem: type, id, Meta; S2) and the raw JSON (zstd), each compressed
// on its own, so reading the index entry never decompresses the JSON. Keeping both in one
// value packs them into the raw bucket's full, append-only pages; the
// collection's ids bucket maps each resource's key to its sequence.
const recordVersion = 1

// packRecord builds a record's plaintext (compression included) outside the
// write transaction.
func packRecord(typ, id string, m *Meta, json []byte) []byte {
	item := appendPart(nil, encodeItem(typ, id, m), codecS2Dict)
	out := make([]byte, 0, 1+binary.MaxVarintLen32+len(item)+1+len(json)/3)
	out = append(out, recordVersion)
	out = binary.AppendUvarint(out, uint64(len(item)))
	out = append(out, item...)
	return appendPart(out, json, codecZstdDict)
}

var errRecord = errors.New("unreadable record")

// openRecord reads a record's plaintext; the JSON is decompressed only when
// wanted.
func openRecord(plain []byte, wantJSON bool, sc *scratch) (typ, id string, m Meta, json []byte, err error) {
	if len(plain) < 2 || plain[0] != recordVersion {
		return "", "", m, nil, errRecord
	}
	n, k := binary.Uvarint(plain[1:])
	if k <= 0 || n > uint64(len(plain)-1-k) {
		return "", "", m, nil, errRecord
	}
	itemPart, jsonPart := plain[1+k:1+k+int(n)], plain[1+k+int(n):]
	var itemBuf *[]byte
	var in *interner
	if sc != nil {
		itemBuf, in = &sc.item, &sc.in
	}
	item, err := openPart(itemPart, itemBuf)
	if err != nil {
		return "", "", m, nil, err
	}
	if typ, id, m, err = decodeItem(item, in); err != nil {
		return "", "", m, nil, err
	}
	if wantJSON {
		if json, err = openPart(jsonPart, nil); err != nil {
			return "", "", m, nil, err
		}
	}
	return typ, id, m, json, nil
}

// scratch is what one goroutine's run of record reads reuses: the interner
// of the index entries' repeated strings, and the buffers a record is
// decrypted and its index entry decompressed into when its JSON is not
// wanted (everything an Item holds is copied out of them). Not safe for
// concurrent use.
type scratch struct {
	in          interner
	plain, item []byte
}
