// Census rows: what the census shows of a patient, read from the store.

package views

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/store"
)

// censusRow is one patient as the census shows it.
type censusRow struct {
	ID     string
	Name   string
	Detail string // "68 y · M"
	MRN    string
	Band   string
	Score  int
	// The score's kind ("news2", "pews", "" when none applies), status and
	// the age of its data (store.Status), judged against now when the row is
	// built: past StaleAt a current score reads stale and loses its band.
	ScoreKind   string
	ScoreStatus string
	ScoreNewest time.Time
	ScoreParams int // parameters scored
	Alerts      int
	Trials      int
	// Deceased rows are hidden unless the "Show deceased" filter asks.
	Deceased bool
	censusExtra

	sortName string // folded name, for sorting
	key      string // folded name, MRN and birth dates, for searching
}

// censusRowOf builds a patient's row from its directory entry.
func censusRowOf(e store.Entry, now time.Time) censusRow {
	r := censusRow{
		ID: e.Collection, Name: patientName(e.Patient),
		Band: e.Status.Band, Score: e.Status.NEWS2, Alerts: e.Status.OpenAlerts, Trials: e.Status.Matches,
	}
	if r.Band == "" {
		r.Band = clinical.BandNone
	}
	st := e.Status
	r.ScoreKind, r.ScoreStatus, r.ScoreNewest, r.ScoreParams = st.Score, st.ScoreStatus, st.Newest, st.Scored
	if r.ScoreStatus == "" && r.Band != clinical.BandNone { // a status from before score statuses
		r.ScoreStatus = clinical.StatusComplete
	}
	if clinical.ScoreCurrent(r.ScoreStatus) && !st.StaleAt.IsZero() && now.After(st.StaleAt) {
		r.ScoreStatus, r.Band, r.Score = clinical.StatusStale, clinical.BandNone, 0
	}
	var parts, keys []string
	if p := e.Patient; p != nil {
		if a := lifeText(p, now); a != "" {
			parts = append(parts, a)
		}
		parts = append(parts, sexLetter(p.Sex))
		r.Deceased = p.Deceased
		r.MRN = p.MRN
		keys = append(keys, fold(p.Name), fold(p.Given+" "+p.Family), fold(p.MRN))
		keys = append(keys, birthDateKeys(p.BirthDate)...)
	} else {
		parts = append(parts, "records arriving")
	}
	r.Detail = strings.Join(parts, " · ")
	r.sortName = fold(r.Name)
	r.key = strings.Join(keys, "\n")
	return r
}

// censusExtra is what a census row reads beyond the patient's directory
// entry: where the patient is, how old the score is and which way it went,
// and the open alerts by severity.
type censusExtra struct {
	Location string    // "Ward 7B Acute Medicine · Bed 12" from the open Encounter; "" when none is open
	ScoreAt  time.Time // newest vital sign the score used; zero without one
	Trend    int       // +1 the score rose since the set before, -1 fell, 0 same or no earlier set
	Worst    string    // the worst open alert's severity; "" for none
	BySev    map[string]int
}

// trendCache remembers each patient's score trend by the score it was
// computed for, so a change notice that does not move the score (a lab
// result, an alert action) does not re-read a 20,000-observation chart.
// Any goroutine may use it.
type trendCache struct {
	mu sync.Mutex
	m  map[string]trendMemo
	// obs keeps the Observation index entries of the patients whose trend
	// was worked out last (at most trendObsCaches), so a busy chart's next
	// vital set re-opens only its new records, not its whole history.
	obs   map[string]*obsCache
	clock int
}

type obsCache struct {
	items *store.ItemCache
	used  int
}

// trendObsCaches is how many patients' Observation entries the census
// keeps for its trend arrows: the ones whose score changes most often (an
// ICU chart's vital set every few seconds); a 10,000-patient census does
// not hold every chart's index in memory.
const trendObsCaches = 32

// observations is the patient's Observations and Goals, as
// r.Items(id, "Observation", "Goal") reads them; the Observations come
// through the cache. The slice is the caller's.
func (c *trendCache) observations(r *store.Reader, id string) ([]store.Item, error) {
	if c == nil {
		return r.Items(id, "Observation", "Goal")
	}
	goals, err := r.Items(id, "Goal")
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.obs == nil {
		c.obs = map[string]*obsCache{}
	}
	oc := c.obs[id]
	if oc == nil {
		if len(c.obs) >= trendObsCaches {
			c.evictOldest()
		}
		oc = &obsCache{items: store.NewItemCache(id, "Observation")}
		c.obs[id] = oc
	}
	c.clock++
	oc.used = c.clock
	obs, err := r.CachedItems(oc.items)
	if err != nil {
		delete(c.obs, id)
		return nil, err
	}
	out := make([]store.Item, 0, len(obs)+len(goals))
	return append(append(out, obs...), goals...), nil
}

// evictOldest drops the observation cache used longest ago; c.mu is held.
func (c *trendCache) evictOldest() {
	oldest, at := "", 0
	for id, oc := range c.obs {
		if oldest == "" || oc.used < at {
			oldest, at = id, oc.used
		}
	}
	delete(c.obs, oldest)
}

type trendMemo struct {
	at    time.Time
	score int
	band  string
	trend int
}

func (c *trendCache) get(id string, at time.Time, score int, band string) (int, bool) {
	if c == nil {
		return 0, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.m[id]
	return m.trend, ok && m.at.Equal(at) && m.score == score && m.band == band
}

func (c *trendCache) put(id string, at time.Time, score int, band string, trend int) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]trendMemo{}
	}
	c.m[id] = trendMemo{at, score, band, trend}
}

// censusRows builds the rows of directory entries from one snapshot.
func censusRows(r *store.Reader, entries []store.Entry, now time.Time, opts clinical.NEWS2Options, cache ...*trendCache) ([]censusRow, error) {
	rows := make([]censusRow, len(entries))
	for i, en := range entries {
		rows[i] = censusRowOf(en, now)
		var tc *trendCache
		if len(cache) > 0 {
			tc = cache[0]
		}
		x, err := readCensusExtra(r, en, opts, tc)
		if err != nil {
			return nil, err
		}
		rows[i].censusExtra = x
	}
	return rows, nil
}

// readCensusExtra reads a patient's location, score age and trend, and open
// alerts.
func readCensusExtra(r *store.Reader, en store.Entry, opts clinical.NEWS2Options, tc *trendCache) (censusExtra, error) {
	var x censusExtra
	id := en.Collection
	if en.Counts["Encounter"] > 0 {
		loc, err := currentLocation(r, id)
		if err != nil {
			return x, err
		}
		x.Location = loc
	}
	x.ScoreAt = en.Status.Newest
	if en.Status.Score == "pews" {
		x.Trend, _ = statusTrend(en.Status.Trend)
	} else if en.Status.Band != "" && en.Status.Band != clinical.BandNone {
		if x.ScoreAt.IsZero() { // a status from before score statuses
			if d, ok, err := engine.LatestNEWS2(r, id); err != nil {
				return x, err
			} else if ok {
				x.ScoreAt = d.Result.Newest
			}
		}
		if t, ok := statusTrend(en.Status.Trend); ok {
			x.Trend = t // the engine's, from the series it just swept
		} else if t, ok := tc.get(id, x.ScoreAt, en.Status.NEWS2, en.Status.Band); ok {
			x.Trend = t
		} else if !x.ScoreAt.IsZero() {
			obs, err := tc.observations(r, id)
			if err != nil {
				return x, err
			}
			x.Trend = scoreTrend(obs, x.ScoreAt, opts)
			tc.put(id, x.ScoreAt, en.Status.NEWS2, en.Status.Band, x.Trend)
		}
	}
	if en.Status.OpenAlerts > 0 {
		alerts, err := engine.PatientAlerts(r, id)
		if err != nil {
			return x, err
		}
		for _, a := range alerts {
			if !a.Open() {
				continue
			}
			if x.BySev == nil {
				x.BySev = map[string]int{}
			}
			x.BySev[a.Alert.Severity]++
			if clinical.SeverityRank(a.Alert.Severity) > clinical.SeverityRank(x.Worst) {
				x.Worst = a.Alert.Severity
			}
		}
	}
	return x, nil
}

// statusTrend reads the engine's trend of a status: false for a status
// written before the engine kept trends.
func statusTrend(t string) (int, bool) {
	switch t {
	case store.TrendRose:
		return 1, true
	case store.TrendFell:
		return -1, true
	case store.TrendSame:
		return 0, true
	}
	return 0, false
}

// scoreTrend compares the NEWS2 at the newest vital-sign set (at) with the
// score at the set before it, both scored as the Trends tab scores them:
// +1 rose, -1 fell, 0 same or no earlier set.
func scoreTrend(items []store.Item, at time.Time, opts clinical.NEWS2Options) int {
	pts := news2Trend(items, at, at, opts)
	if len(pts) < 2 {
		return 0
	}
	a, b := pts[len(pts)-2].V, pts[len(pts)-1].V
	switch {
	case b > a:
		return 1
	case b < a:
		return -1
	}
	return 0
}

// currentLocation is where an admitted patient is: the locations of their
// newest in-progress Encounter (ward, room and bed, as the Encounter lists
// them, joined by " · "); "" when no Encounter is in progress (an
// outpatient, a discharged patient).
func currentLocation(r *store.Reader, patient string) (string, error) {
	encs, err := r.Items(patient, "Encounter")
	if err != nil {
		return "", err
	}
	var newest *store.Item
	for i := range encs {
		e := &encs[i]
		if e.Meta.Status != "in-progress" && e.Meta.Status != "arrived" && e.Meta.Status != "onleave" {
			continue
		}
		if newest == nil || e.Meta.Time.After(newest.Meta.Time) {
			newest = e
		}
	}
	if newest == nil {
		return "", nil
	}
	res, ok, err := r.Resource(newest.Ref)
	if err != nil || !ok {
		return "", err
	}
	return encounterLocation(res.JSON), nil
}

// encounterLocation reads an Encounter's current locations: entries whose
// status is active (or not given), each by its display (else the reference),
// ward before room before bed (physicalType wa, ro, bd; others in order).
func encounterLocation(raw []byte) string {
	var enc struct {
		Location []struct {
			Status   string `json:"status"`
			Location struct {
				Reference string `json:"reference"`
				Display   string `json:"display"`
			} `json:"location"`
			PhysicalType struct {
				Coding []struct {
					Code string `json:"code"`
				} `json:"coding"`
			} `json:"physicalType"`
		} `json:"location"`
	}
	if json.Unmarshal(raw, &enc) != nil {
		return ""
	}
	order := map[string]int{"si": 0, "bu": 1, "wi": 2, "wa": 3, "ro": 4, "bd": 5}
	type part struct {
		text string
		rank int
	}
	var parts []part
	for i, l := range enc.Location {
		if l.Status != "" && l.Status != "active" {
			continue
		}
		text := strings.TrimSpace(l.Location.Display)
		if text == "" {
			text = strings.TrimPrefix(l.Location.Reference, "Location/")
		}
		if text == "" {
			continue
		}
		rank := 3 // an untyped location reads as the ward
		if len(l.PhysicalType.Coding) > 0 {
			if o, ok := order[l.PhysicalType.Coding[0].Code]; ok {
				rank = o
			}
		}
		parts = append(parts, part{text, rank*100 + i})
	}
	slices.SortFunc(parts, func(a, b part) int { return a.rank - b.rank })
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = p.text
	}
	return strings.Join(out, " · ")
}
