package views

import (
	"cmp"
	"errors"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/app/ips"
	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// chart is a patient's view model: everything the patient view shows (the
// banner, the summary sections and the timeline rows), built from one store
// snapshot off the UI goroutine. It reads the index entries only (no JSON):
// the detail pane opens one resource when asked.
type chart struct {
	ID      string
	Entry   store.Entry
	Found   bool // the store holds something of the patient
	Patient *store.Demographics

	Allergy   ui.AllergyState
	Allergies []string // the recorded allergies, for the banner strip

	// NEWS2 is the engine's result judged at load time (Result.AsOf): a
	// score whose data left the window since the engine computed it shows
	// stale. For a child it is not applicable and PEWS holds the score.
	NEWS2           clinical.Result
	HasNEWS2        bool // the score that applies has a band (complete or partial)
	NEWS2FromEngine bool // the engine's stored result (else scored here)
	PEWS            *clinical.PEWSResult
	// Now is the load's clock, for the age of the data; Offline marks every
	// score "as of" its data (the feed is offline).
	Now     time.Time
	Offline bool

	Sections []sectionData
	Timeline []timelineEntry // newest first
	Kinds    []kindCount     // categories in the timeline, most entries first

	// Items are every index entry of the patient, for the trends (built
	// when the Trends tab shows, not on every load).
	Items []store.Item
	// Side is what the engine keeps of the patient: alerts, matches and
	// who opened the chart.
	Side sideData
	// Location is where the patient is (the open Encounter's ward · bed),
	// "" when none is open; Weight the newest body weight, if any.
	Location string
	Weight   *store.Item
	// in indexes Items for the sections, built the sections at built; a
	// patch that changes no resource reuses it.
	in    *chartInput
	built time.Time
	// EngineErr is a failed read of the engine's score documents: the
	// view logs it (its class, no PHI) and shows the score scored here.
	EngineErr error
}

// sideData is the engine's documents about a patient, read with the chart
// and re-read alone when only they change (an alert action, the outbox, an
// audit event from another workstation).
type sideData struct {
	Alerts  []alertRow
	Matches []engine.MatchView
	Audit   []clinical.AuditSummary // chart opens in the audit window, newest first
}

// auditWindow is how far back the banner looks for who else opened the
// chart.
const auditWindow = 24 * time.Hour

// loadSide reads a patient's alerts, matches and recent chart opens.
func loadSide(r *store.Reader, id string, now time.Time) (sideData, error) {
	var d sideData
	var err error
	if d.Alerts, err = loadAlertRows(r, id); err != nil {
		return d, err
	}
	if d.Matches, err = engine.PatientMatches(r, id); err != nil {
		return d, err
	}
	audit, err := engine.RecentAudit(r, id, now.Add(-auditWindow))
	if err != nil {
		return d, err
	}
	for _, a := range audit {
		if a.Kind == clinical.AuditChartOpened {
			d.Audit = append(d.Audit, a)
		}
	}
	return d, nil
}

// kindCount is a category and how many timeline entries have it.
type kindCount struct {
	Category string
	N        int
}

// chartInput is what the summary's section definitions choose from.
type chartInput struct {
	byCategory map[string][]*store.Item // pointers into one slice: no copies of 20,000 entries
	byType     map[string][]*store.Item
	news2      clinical.Result
	pews       *clinical.PEWSResult
	hasNEWS2   bool
	now        time.Time
}

// loadChart builds a patient's chart from a snapshot. now is the clock for
// the summary's "recent" choices; opts score NEWS2 when the engine has not.
// An open chart follows its changes with patched (chart_patch.go), which
// re-reads only the resources a change names.
func loadChart(r *store.Reader, id string, now time.Time, opts clinical.NEWS2Options) (*chart, error) {
	c := &chart{ID: id, Now: now}
	e, ok, err := r.Entry(id)
	if err != nil {
		return nil, err
	}
	c.Entry, c.Found, c.Patient = e, ok, e.Patient
	items, err := r.Items(id)
	if err != nil {
		return nil, err
	}
	c.Items = items
	if e.Counts["Encounter"] > 0 {
		if c.Location, err = currentLocation(r, id); err != nil {
			return nil, err
		}
	}
	c.Weight = newestWeight(items)
	var kinds map[string]int
	c.Timeline, kinds = timelineOf(items) // newest first
	c.Kinds = sortKinds(kinds)
	in := newChartInput(items, now)
	c.in, c.built = in, now
	c.scoreFrom(r, in, opts)
	c.Allergy, c.Allergies = allergyState(in.byType["AllergyIntolerance"])
	for i := range summarySections {
		s := &summarySections[i]
		lines, more := s.Build(in)
		c.Sections = append(c.Sections, sectionData{def: s, lines: lines, more: more})
	}
	return c, nil
}

// timelineOf builds the timeline of a chart's items (newest first; the
// Patient is no event: the banner shows it) and counts its categories. A
// big chart builds and sorts each half on a core of its own and merges
// them: the ICU chart's 21,600 entries take about half the time.
func timelineOf(items []store.Item) ([]timelineEntry, map[string]int) {
	type half struct {
		es    []timelineEntry
		order []int32 // es in the timeline's order
		kinds map[string]int
	}
	build := func(items []store.Item) half {
		h := half{es: make([]timelineEntry, 0, len(items)), kinds: map[string]int{}}
		fs := folds{}
		for i := range items {
			if it := &items[i]; it.Type != "Patient" {
				h.es = append(h.es, newTimelineEntry(it, fs))
				h.kinds[it.Meta.Category]++
			}
		}
		h.order = timelineOrder(h.es)
		return h
	}
	if len(items) < parallelTimelineMin || runtime.GOMAXPROCS(0) < 2 {
		h := build(items)
		out := make([]timelineEntry, len(h.order))
		for j, i := range h.order {
			out[j] = h.es[i]
		}
		return out, h.kinds
	}
	var b half
	done := make(chan struct{})
	go func() {
		defer close(done)
		b = build(items[len(items)/2:])
	}()
	a := build(items[:len(items)/2])
	<-done
	for k, n := range b.kinds {
		a.kinds[k] += n
	}
	// Merge the halves, each read through its order: every entry is
	// copied once.
	out := make([]timelineEntry, 0, len(a.es)+len(b.es))
	i, j := 0, 0
	for i < len(a.order) && j < len(b.order) {
		x, y := &a.es[a.order[i]], &b.es[b.order[j]]
		if compareEntries(y, x) < 0 {
			out = append(out, *y)
			j++
		} else {
			out = append(out, *x)
			i++
		}
	}
	for ; i < len(a.order); i++ {
		out = append(out, a.es[a.order[i]])
	}
	for ; j < len(b.order); j++ {
		out = append(out, b.es[b.order[j]])
	}
	return out, a.kinds
}

// parallelTimelineMin is the size of chart timelineOf builds in halves.
const parallelTimelineMin = 4096

// newChartInput indexes a chart's items by category and type for the
// summary's sections.
func newChartInput(items []store.Item, now time.Time) *chartInput {
	in := &chartInput{byCategory: map[string][]*store.Item{}, byType: map[string][]*store.Item{}, now: now}
	for i := range items {
		it := &items[i]
		in.byCategory[it.Meta.Category] = append(in.byCategory[it.Meta.Category], it)
		in.byType[it.Type] = append(in.byType[it.Type], it)
	}
	return in
}

// newestWeight is the newest body weight with a value, nil for none.
func newestWeight(items []store.Item) *store.Item {
	var w *store.Item
	for i := range items {
		if it := &items[i]; isWeight(it) && (w == nil || it.Meta.Time.After(w.Meta.Time)) {
			w = it
		}
	}
	return w
}

// isWeight reports whether an item is a body weight the banner may show.
func isWeight(it *store.Item) bool {
	return it.Type == "Observation" && it.Meta.HasValue && it.Meta.Status != "entered-in-error" &&
		slices.Contains(it.Meta.Codes, record.SystemLOINC+"|"+record.LOINCBodyWeight)
}

// sortKinds orders the timeline's categories, most entries first.
func sortKinds(kinds map[string]int) []kindCount {
	out := make([]kindCount, 0, len(kinds))
	for k, n := range kinds {
		if n > 0 {
			out = append(out, kindCount{Category: k, N: n})
		}
	}
	slices.SortFunc(out, func(a, b kindCount) int {
		if a.N != b.N {
			return b.N - a.N
		}
		return cmp.Compare(a.Category, b.Category)
	})
	return out
}

// scoreFrom sets the score that applies: the engine's NEWS2 (or PEWS)
// result, so banner, census and alerts agree, judged again against the
// chart's clock as time has passed since; NEWS2 scored here from the vital
// signs when the engine has none. An engine document that cannot be read
// (ErrTampered among others) is not passed over: EngineErr keeps it for the
// view to log, and the score is the one scored here.
func (c *chart) scoreFrom(r *store.Reader, in *chartInput, opts clinical.NEWS2Options) {
	c.EngineErr = nil
	doc, ok, err := engine.LatestNEWS2(r, c.ID)
	switch {
	case err != nil:
		c.EngineErr = err
		fallthrough
	case !ok:
		c.NEWS2, c.NEWS2FromEngine = clinical.NEWS2At(values(in.byCategory[record.CategoryVitalSigns]), values(in.byType["Goal"]), opts, c.Now), false
	default:
		c.NEWS2, c.NEWS2FromEngine = doc.Result.AsOf(c.Now), true
	}
	c.PEWS = nil
	if doc, ok, err := engine.LatestPEWS(r, c.ID); err != nil {
		c.EngineErr = errors.Join(c.EngineErr, err)
	} else if ok {
		p := doc.Result.AsOf(c.Now)
		c.PEWS = &p
	}
	c.HasNEWS2 = clinical.ScoreCurrent(c.NEWS2.Status) && c.NEWS2.Band != clinical.BandNone
	if c.PEWS != nil {
		c.HasNEWS2 = clinical.ScoreCurrent(c.PEWS.Status)
	}
	in.news2, in.pews, in.hasNEWS2 = c.NEWS2, c.PEWS, c.HasNEWS2
}

// score is the badge of the score that applies: PEWS for a child, else
// NEWS2, with the age of its data and "as of" when offline.
func (c *chart) score() ui.Score {
	return scoreBadge(c.NEWS2, c.PEWS, c.Now, c.Offline)
}

// scoreBadge builds a score badge from results judged at now.
func scoreBadge(n clinical.Result, p *clinical.PEWSResult, now time.Time, offline bool) ui.Score {
	if p != nil {
		s := ui.Score{PEWS: true, Band: p.Band, Total: p.Total, Status: p.Status, Scored: len(p.Scores), Of: len(clinical.PEWSParameters()), Offline: offline}
		s.Age = clinical.AgeWords(p.Newest, now)
		return s
	}
	s := ui.Score{Band: n.Band, Total: n.Total, Status: n.Status, Scored: len(n.Scores), Of: len(clinical.Parameters()), Offline: offline}
	if s.Status == "" { // a result from before statuses
		s.Status = clinical.StatusComplete
		if !n.Complete {
			s.Status = clinical.StatusPartial
		}
	}
	s.Age = clinical.AgeWords(n.Newest, now)
	if n.Status == clinical.StatusNotApplicable {
		s.NotApplicable = notApplicableShort(n.Why)
	}
	return s
}

// notApplicableShort is the one-word reason on a badge: "Deceased",
// "Pregnant", from the engine's sentence.
func notApplicableShort(why string) string {
	switch {
	case strings.Contains(why, "deceased"):
		return "Deceased"
	case strings.Contains(why, "pregnant"):
		return "Pregnant"
	}
	return "Not applicable"
}

// allergyState decides what the banner says of allergies: record.Allergies
// (the allergies in force, else "no known allergies" when an entry records
// that, else "not recorded"; a "no known …" entry never shows as an
// allergy), the rule `chartline inspect` reports too.
func allergyState(items []*store.Item) (ui.AllergyState, []string) {
	sortNewest(items)
	vals := make([]store.Item, len(items))
	for i, it := range items {
		vals[i] = *it
	}
	b := record.Allergies(vals)
	switch {
	case len(b.Names) > 0:
		return ui.AllergiesRecorded, b.Names
	case b.NoneKnown:
		return ui.AllergiesNoneKnown, nil
	}
	return ui.AllergiesNotRecorded, nil
}

// allergyInForce reports whether an AllergyIntolerance clinical status
// counts: active, or not given. Inactive, resolved, refuted and
// entered-in-error entries do not.
func allergyInForce(status string) bool { return status == "" || status == "active" }

// trimStatus removes a trailing "(status)" from a display when the section
// already says it ("Pneumonia (disorder) (active)" in Active problems).
func trimStatus(display, status string) string {
	if status == "" {
		return display
	}
	return strings.TrimSuffix(display, " ("+strings.ReplaceAll(status, "-", " ")+")")
}

// sortNewest sorts items by clinical time, newest first (then by id, so the
// order is stable).
func sortNewest(items []*store.Item) {
	slices.SortStableFunc(items, func(a, b *store.Item) int {
		if c := b.Meta.Time.Compare(a.Meta.Time); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// values copies items out of their pointers.
func values(items []*store.Item) []store.Item {
	out := make([]store.Item, len(items))
	for i, it := range items {
		out[i] = *it
	}
	return out
}

// criticalLimit is a laboratory test's critical (panic) limits, in the
// unit they are written in: a result beyond one needs a clinician now, and
// is flagged LL or HH, never the H or L of a result merely outside its
// reference range.
type criticalLimit struct {
	unit      string  // UCUM, as the result carries it
	low, high float64 // LL below low, HH above high; 0 for none
}

// criticalLimits by LOINC code. Sources: Kost GJ, "Critical limits for
// urgent clinician notification at US medical centers", JAMA
// 1990;263(5):704–7 (potassium, sodium, glucose, hemoglobin, platelets,
// leukocytes, creatinine, rounded to the limits laboratories commonly
// publish), and for lactate the Surviving Sepsis Campaign 2021 (≥ 4 mmol/L:
// septic shock range, resuscitate now).
var criticalLimits = map[string]criticalLimit{
	record.SystemLOINC + "|2823-3":  {"mmol/L", 2.8, 6.2},  // potassium
	record.SystemLOINC + "|2951-2":  {"mmol/L", 120, 160},  // sodium
	record.SystemLOINC + "|2345-7":  {"mg/dL", 40, 450},    // glucose
	record.SystemLOINC + "|718-7":   {"g/dL", 7, 20},       // hemoglobin
	record.SystemLOINC + "|777-3":   {"10*3/uL", 20, 1000}, // platelets
	record.SystemLOINC + "|6690-2":  {"10*3/uL", 2, 30},    // leukocytes
	record.SystemLOINC + "|2160-0":  {"mg/dL", 0, 7.4},     // creatinine
	record.SystemLOINC + "|2524-7":  {"mmol/L", 0, 3.99},   // lactate: 4 and above
	record.SystemLOINC + "|32693-4": {"mmol/L", 0, 3.99},   // lactate in blood
}

// criticalMark is "LL" or "HH" for a numeric result beyond its test's
// critical limits, else "".
func criticalMark(m store.Meta) string {
	if !m.HasValue || m.Comparator != "" {
		return ""
	}
	for _, c := range m.Codes {
		l, ok := criticalLimits[c]
		if !ok || l.unit != m.Unit {
			continue
		}
		switch {
		case l.high > 0 && m.Value > l.high:
			return "HH"
		case l.low > 0 && m.Value < l.low:
			return "LL"
		}
		return ""
	}
	return ""
}

// outOfRange returns the mark of a result outside its range: "HH" or "LL"
// beyond a critical limit (the interpretation's, or the test's), else the
// interpretation code when it says so, else "H" or "L" from the reference
// range; "" for a result in range or without one.
func outOfRange(m store.Meta) string {
	if m.Interpret == "HH" || m.Interpret == "LL" {
		return m.Interpret
	}
	if c := criticalMark(m); c != "" {
		return c
	}
	return ips.OutOfRange(m) // the interpretation's code, else H or L from the reference range
}

// isCritical reports whether a mark is a critical one.
func isCritical(mark string) bool { return mark == "HH" || mark == "LL" }

// rangeText writes a reference range: "12–17.5", "≥ 60", "≤ 200", or "".
func rangeText(m store.Meta) string {
	switch {
	case m.HasLow && m.HasHigh:
		return numberText(m.Low) + "–" + numberText(m.High)
	case m.HasLow:
		return "≥ " + numberText(m.Low)
	case m.HasHigh:
		return "≤ " + numberText(m.High)
	}
	return ""
}
