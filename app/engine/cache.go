package engine

import (
	"sort"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/store"
)

// What the engine keeps of a patient between evaluations, in memory only:
// its Observations' index entries (a store.ItemCache, so a change re-reads
// only the records added or changed, not a busy chart's whole history) and
// its score series (seriesCache). Both are bounded together: past
// cacheBudget bytes (the largest chart apart) the patients evaluated
// longest ago are dropped, and their next evaluation reads and scores them
// afresh. A restart rebuilds them once per patient.

// cacheBudget is roughly how many bytes the caches hold over all patients,
// by the sizes below: 24 MiB, which Go's collector makes up to about twice
// that in RSS. The largest chart does not count (see settle); every other
// demo patient (about 5 MB together) fits beside the ICU chart (20,000
// Observations and their series, some 23 MB), so a vital set of the ICU
// chart never evicts the others (it did under a budget of 40,000 entries
// counted alike: their next evaluation re-opened all their records, a
// quarter of the idle app's Go time). A hospital's catch-up (p4: 1,000
// patients, 1M resources) keeps the patients evaluated last, and the ingest
// stays under its RSS goal (a budget of 120,000 entries counted alike took
// p4 from 191 to 404 MB; 40 MiB read 295 MB and 32 MiB 291–300 MB, too
// close to the 300 MB goal; 24 MiB reads 269 MB).
const cacheBudget = 24 << 20

// Sizes the budget counts, measured on the generated ICU history of the
// engine's tests (3,456 Observations, 576 sets; heap after GC with and
// without the caches): an Observation's index entry 700 B; the series 1.6
// MB, taken as 100 B per reading it has seen and 2.2 KB per score point
// with its cause.
const (
	itemBytes  = 700
	seenBytes  = 100
	pointBytes = 2200
)

type patientObs struct {
	items *store.ItemCache
	used  uint64 // e.clock at the last evaluation
	size  int    // entries counted in e.cached for this patient
}

// observations returns a patient's Observations through its cache.
func (e *Engine) observations(r *store.Reader, p string) ([]store.Item, error) {
	if e.obs == nil {
		e.obs = map[string]*patientObs{}
	}
	po := e.obs[p]
	if po == nil {
		po = &patientObs{items: store.NewItemCache(p, "Observation")}
		e.obs[p] = po
	}
	e.clock++
	po.used = e.clock
	changed, known := e.changes.since(p, po.items.Seq(), r.Seq())
	if known {
		e.changes.told++
		return r.CachedItemsChanged(po.items, changed)
	}
	return r.CachedItems(po.items)
}

// changeLog is what the change notices Run takes say of the patients the
// engine caches: each one's Observations put or deleted since its cache was
// last read, so a read looks up those few rather than walking a chart of
// 20,000 (store.Reader.CachedItemsChanged). It is trusted only for a read
// whose every commit since the cache's read it has been told of: notices
// come in commit order (store.Apply), so that is every commit up to the
// newest notice taken (covered), and the engine's own commits (documents
// and statuses, never a resource) when nothing came between.
type changeLog struct {
	following bool
	start     uint64 // the store's commit sequence when Run subscribed
	covered   uint64 // every commit up to it has been noted
	obs       map[string][]store.Ref
	whole     map[string]bool // patients whose notice did not list its resources (too many): walk
	told      int             // reads the log told what changed (tests)
}

// maxNoted is how many changed Observations the log keeps of one patient
// before it walks the chart instead.
const maxNoted = 4 * store.MaxChangeKeys

// follow starts noting changes (seq is the store's sequence once Run has
// subscribed) or, when on is false, stops.
func (e *Engine) follow(on bool, seq uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.changes = changeLog{following: on, start: seq, covered: seq}
}

// noteChange notes a change notice Run took.
func (e *Engine) noteChange(ch store.Change) {
	e.mu.Lock()
	defer e.mu.Unlock()
	l := &e.changes
	if !l.following {
		return
	}
	for col, types := range ch.Collections {
		if _, ok := types["Observation"]; !ok || e.obs[col] == nil {
			continue // no cache to update: its first read walks
		}
		keys, listed := ch.Keys[col]
		if !listed || len(l.obs[col])+len(keys) > maxNoted {
			if l.whole == nil {
				l.whole = map[string]bool{}
			}
			l.whole[col] = true
			delete(l.obs, col)
			continue
		}
		if l.obs == nil {
			l.obs = map[string][]store.Ref{}
		}
		for _, k := range keys {
			if k.Type == "Observation" {
				l.obs[col] = append(l.obs[col], k)
			}
		}
	}
	l.covered = max(l.covered, ch.Seq)
}

// noteOwnCommit notes one of the engine's own commits, which change no
// resource: when it came right after the newest commit noted, the log still
// covers every commit.
func (e *Engine) noteOwnCommit(ch store.Change) {
	if l := &e.changes; l.following && ch.Seq == l.covered+1 {
		l.covered = ch.Seq
	}
}

// since returns the Observations of p changed after its cache's read at
// seq up to a snapshot at now, and clears them; known is false when the log
// cannot tell (then the caller walks).
func (l *changeLog) since(p string, seq, now uint64) (changed []store.Ref, known bool) {
	changed, whole := l.obs[p], l.whole[p]
	delete(l.obs, p)
	delete(l.whole, p)
	return changed, l.following && !whole && seq >= l.start && seq > 0 && now <= l.covered
}

// cachedSize is roughly what a patient's caches hold now, in bytes.
func (e *Engine) cachedSize(p string) int {
	n := seenBytes // the patient's own entries
	if po := e.obs[p]; po != nil {
		n += po.items.Len() * itemBytes
	}
	for _, kind := range []string{clinical.ScoreNEWS2, clinical.ScorePEWS} {
		if c := e.cache[kind+"\x00"+p]; c != nil {
			n += len(c.points)*pointBytes + len(c.seen)*seenBytes
		}
	}
	return n
}

// settle records a patient's cache size after its evaluation and drops the
// least recently evaluated patients (never p, never the largest chart)
// while the others hold more than the budget (e.budget, cacheBudget but in
// tests).
func (e *Engine) settle(p string) {
	po := e.obs[p]
	if po == nil {
		return
	}
	n := e.cachedSize(p)
	e.cached += n - po.size
	po.size = n
	if e.cached <= e.budget {
		return
	}
	// The largest chart does not count against the budget, and is never
	// evicted: every patient is evaluated about as often (each vital-sign
	// round), so a chart that fills the budget alone would otherwise be
	// evicted by the next small patient and re-read whole on its next set
	// (the demo's ICU chart grows past 24 MiB in a long shift or a fast
	// test: then every round re-opened its 20,000-odd records).
	largest := p
	for q, o := range e.obs {
		if o.size > e.obs[largest].size {
			largest = q
		}
	}
	rest := func() int { return e.cached - e.obs[largest].size }
	if rest() <= e.budget {
		return
	}
	order := make([]string, 0, len(e.obs))
	for q := range e.obs {
		if q != p && q != largest {
			order = append(order, q)
		}
	}
	sort.Slice(order, func(i, j int) bool { return e.obs[order[i]].used < e.obs[order[j]].used })
	for _, q := range order {
		if rest() <= e.budget {
			break
		}
		e.cached -= e.obs[q].size
		delete(e.obs, q)
		e.changes.since(q, 0, 0) // its next read walks
		for _, kind := range []string{clinical.ScoreNEWS2, clinical.ScorePEWS} {
			delete(e.cache, kind+"\x00"+q)
		}
	}
}
