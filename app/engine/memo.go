package engine

import (
	"bytes"
	"encoding/json"

	"github.com/chartline/chartline/store"
)

// docMemo keeps the engine's documents of the patients it caches decoded,
// beside the bytes they were decoded from: an evaluation reads every alert,
// score and match document of its patient (the demo's ICU chart has
// hundreds of episodes), and decoding them again was a third of the idle
// engine's time. A document is decoded afresh whenever its bytes in the
// store differ from those kept, whoever wrote it, so the memo never serves
// a stale value. Values are shared between evaluations: the derivation
// reads them and changes only copies (see ageRisk, deriveEpisodes). Memory
// only, under the engine's mutex, dropped with the patient's caches.
type docMemo map[string]map[string]memoEntry // patient -> kind and key -> document

type memoEntry struct {
	raw []byte
	v   any
}

// decodeDoc decodes a document's bytes through the memo.
func decodeDoc[T any](e *Engine, kind, patient, key string, raw []byte) (T, error) {
	k := kind + "\x00" + key
	if m, ok := e.memo[patient][k]; ok && bytes.Equal(m.raw, raw) {
		if v, ok := m.v.(T); ok {
			return v, nil
		}
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, err
	}
	e.remember(kind, patient, key, raw, v)
	return v, nil
}

// remember keeps what a document's bytes decode to (or what the engine
// derived from them).
func (e *Engine) remember(kind, patient, key string, raw []byte, v any) {
	if e.memo == nil {
		e.memo = docMemo{}
	}
	if e.memo[patient] == nil {
		e.memo[patient] = map[string]memoEntry{}
	}
	e.memo[patient][kind+"\x00"+key] = memoEntry{raw: raw, v: v}
}

// docOf is getDoc through the memo.
func docOf[T any](e *Engine, r *store.Reader, kind, patient, key string) (T, bool, error) {
	var v T
	d, ok, err := r.Doc(kind, patient, key)
	if !ok || err != nil {
		return v, false, err
	}
	if v, err = decodeDoc[T](e, kind, patient, key, d.Value); err != nil {
		return v, false, errDoc(kind, err)
	}
	return v, true, nil
}

// memoSize is roughly what the memo holds of a patient, in bytes: its
// documents' bytes and their decoded values, taken as twice as large.
func (e *Engine) memoSize(p string) int {
	n := 0
	for _, m := range e.memo[p] {
		n += 3 * len(m.raw)
	}
	return n
}
