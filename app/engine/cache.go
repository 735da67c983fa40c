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
	return r.CachedItems(po.items)
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
		for _, kind := range []string{clinical.ScoreNEWS2, clinical.ScorePEWS} {
			delete(e.cache, kind+"\x00"+q)
		}
	}
}
