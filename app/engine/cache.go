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
	items *store.ItemCache // Observations
	// The other types an evaluation reads, few beside the Observations.
	conds, goals, pats *store.ItemCache
	// The trials' index of the Observations, as of generation trialGen of
	// items and the studies' codes numbered trialCodes (e.codesGen).
	trialIndex           clinical.ObservationIndex
	trialGen, trialCodes uint64
	// facts are the Patient resource's facts as of generation factsGen of
	// pats (factsOK once read): its JSON is parsed once per version.
	facts    clinical.PatientFacts
	factsGen uint64
	factsOK  bool
	used     uint64 // e.clock at the last evaluation
	size     int    // entries counted in e.cached for this patient
}

// cachedTypes are the resource types an evaluation reads through the caches.
var cachedTypes = map[string]bool{"Observation": true, "Condition": true, "Goal": true, "Patient": true}

// chartItems is what an evaluation reads of a patient's resources.
type chartItems struct {
	obs, conds, goals, pats []store.Item
}

// chart returns a patient's Observations, Conditions, Goals and Patient
// entries through its caches.
func (e *Engine) chart(r *store.Reader, p string) (chartItems, error) {
	if e.obs == nil {
		e.obs = map[string]*patientObs{}
	}
	po := e.obs[p]
	if po == nil {
		po = &patientObs{items: store.NewItemCache(p, "Observation"), conds: store.NewItemCache(p, "Condition"),
			goals: store.NewItemCache(p, "Goal"), pats: store.NewItemCache(p, "Patient")}
		e.obs[p] = po
	}
	e.clock++
	po.used = e.clock
	changed, known, at := e.changes.since(p, r.Seq())
	read := func(c *store.ItemCache) ([]store.Item, error) {
		if known && c.Seq() == at {
			e.changes.told++
			return r.CachedItemsChanged(c, changed)
		}
		return r.CachedItems(c)
	}
	var ch chartItems
	var err error
	if ch.obs, err = read(po.items); err != nil {
		return ch, err
	}
	if ch.conds, err = read(po.conds); err != nil {
		return ch, err
	}
	if ch.goals, err = read(po.goals); err != nil {
		return ch, err
	}
	ch.pats, err = read(po.pats)
	return ch, err
}

// changeLog is what the change notices Run takes say of the patients the
// engine caches: the resources of each one put or deleted since its caches
// were last read, so a read looks up those few rather than walking a chart
// of 20,000 Observations (store.Reader.CachedItemsChanged). It is trusted
// only for a read whose every commit since the caches' read it has been
// told of: notices come in commit order (store.Apply), so that is every
// commit up to the newest notice taken (covered), and the engine's own
// commits (documents and statuses, never a resource) when nothing came
// between.
type changeLog struct {
	following bool
	start     uint64 // the store's commit sequence when Run subscribed
	covered   uint64 // every commit up to it has been noted
	refs      map[string][]store.Ref
	whole     map[string]bool   // patients whose notice did not list its resources (too many): walk
	cleared   map[string]uint64 // patient -> the snapshot its notes were last cleared at
	told      int               // cached reads told what changed (tests)
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
		if e.obs[col] == nil || !anyCached(types) {
			continue // no cache to update (its first read walks), or none of what it caches
		}
		keys, listed := ch.Keys[col]
		if !listed || len(l.refs[col])+len(keys) > maxNoted {
			if l.whole == nil {
				l.whole = map[string]bool{}
			}
			l.whole[col] = true
			delete(l.refs, col)
			continue
		}
		if l.refs == nil {
			l.refs = map[string][]store.Ref{}
		}
		for _, k := range keys {
			if cachedTypes[k.Type] {
				l.refs[col] = append(l.refs[col], k)
			}
		}
	}
	l.covered = max(l.covered, ch.Seq)
}

func anyCached(types store.Types) bool {
	for t := range types {
		if cachedTypes[t] {
			return true
		}
	}
	return false
}

// noteOwnCommit notes one of the engine's own commits, which change no
// resource: when it came right after the newest commit noted, the log still
// covers every commit.
func (e *Engine) noteOwnCommit(ch store.Change) {
	if l := &e.changes; l.following && ch.Seq == l.covered+1 {
		l.covered = ch.Seq
	}
}

// since returns the resources of p changed since its notes were last
// cleared (at, the snapshot its caches were read at then) up to a snapshot
// at now, and clears them; known is false when the log cannot tell (then
// the caller walks).
func (l *changeLog) since(p string, now uint64) (changed []store.Ref, known bool, at uint64) {
	if now < l.covered { // notes of commits after this snapshot would be lost: walk now and next time
		return nil, false, 0
	}
	changed, whole, at := l.refs[p], l.whole[p], l.cleared[p]
	delete(l.refs, p)
	delete(l.whole, p)
	if l.cleared == nil {
		l.cleared = map[string]uint64{}
	}
	l.cleared[p] = now
	return changed, l.following && !whole && at >= l.start && at > 0 && now == l.covered, at
}

// forget drops what the log holds of a patient whose caches are dropped.
func (l *changeLog) forget(p string) {
	delete(l.refs, p)
	delete(l.whole, p)
	delete(l.cleared, p)
}

// cachedSize is roughly what a patient's caches hold now, in bytes.
func (e *Engine) cachedSize(p string) int {
	n := seenBytes // the patient's own entries
	if po := e.obs[p]; po != nil {
		n += (po.items.Len() + po.conds.Len() + po.goals.Len() + po.pats.Len()) * itemBytes
	}
	for _, kind := range []string{clinical.ScoreNEWS2, clinical.ScorePEWS} {
		if c := e.cache[kind+"\x00"+p]; c != nil {
			n += len(c.points)*pointBytes + len(c.seen)*seenBytes
		}
	}
	return n + e.memoSize(p)
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
		delete(e.memo, q)
		e.changes.forget(q) // its next read walks
		for _, kind := range []string{clinical.ScoreNEWS2, clinical.ScorePEWS} {
			delete(e.cache, kind+"\x00"+q)
		}
	}
}
