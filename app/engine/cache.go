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
// cacheBudget entries the patients evaluated longest ago are dropped, and
// their next evaluation reads and scores them afresh. A restart rebuilds
// them once per patient.

// cacheBudget is how many index entries and score points the caches hold
// over all patients (a score point with its cause is about 1 KB, an index
// entry about 0.6 KB: some 90 MB at most). The demo's ICU chart (20,000
// Observations, with their series some 45,000 entries) and every other
// demo patient fit with room: at 40,000 the ICU chart alone passed the
// budget, so each of its vital sets evicted every other patient, whose next
// evaluation re-opened all its records (a quarter of the idle app's Go
// time). A hospital's catch-up (p4: 1,000 patients, 1M resources) still
// does not keep every patient's series for ever.
const cacheBudget = 120_000

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

// cachedSize is what a patient's caches hold now, plus one for the entry.
func (e *Engine) cachedSize(p string) int {
	n := 1
	if po := e.obs[p]; po != nil {
		n += po.items.Len()
	}
	for _, kind := range []string{clinical.ScoreNEWS2, clinical.ScorePEWS} {
		if c := e.cache[kind+"\x00"+p]; c != nil {
			n += len(c.points) + len(c.seen)
		}
	}
	return n
}

// settle records a patient's cache size after its evaluation and drops the
// least recently evaluated patients (never p) while over the budget.
func (e *Engine) settle(p string) {
	po := e.obs[p]
	if po == nil {
		return
	}
	n := e.cachedSize(p)
	e.cached += n - po.size
	po.size = n
	if e.cached <= cacheBudget {
		return
	}
	order := make([]string, 0, len(e.obs))
	for q := range e.obs {
		if q != p {
			order = append(order, q)
		}
	}
	sort.Slice(order, func(i, j int) bool { return e.obs[order[i]].used < e.obs[order[j]].used })
	for _, q := range order {
		if e.cached <= cacheBudget {
			break
		}
		e.cached -= e.obs[q].size
		delete(e.obs, q)
		for _, kind := range []string{clinical.ScoreNEWS2, clinical.ScorePEWS} {
			delete(e.cache, kind+"\x00"+q)
		}
	}
}
