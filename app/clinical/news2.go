package clinical

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/chartline/chartline/app/jsontime"
	"github.com/chartline/chartline/store"
)

// Parameter names one of the seven NEWS2 physiological parameters. The string
// values are the keys `chartline inspect` prints under "subscores".
type Parameter string

// The NEWS2 parameters, in the order of the RCP chart.
const (
	Respiration   Parameter = "respiration"
	SpO2          Parameter = "spo2"
	AirOrOxygen   Parameter = "air_or_oxygen"
	Systolic      Parameter = "systolic"
	Pulse         Parameter = "pulse"
	Consciousness Parameter = "consciousness"
	Temperature   Parameter = "temperature"
)

// Parameters returns the seven NEWS2 parameters in chart order.
func Parameters() []Parameter {
	return []Parameter{Respiration, SpO2, AirOrOxygen, Systolic, Pulse, Consciousness, Temperature}
}

// DefaultStaleWindow is how long before now a parameter's reading may be and
// still count: 24 hours (a policy setting, StaleVitals).
const DefaultStaleWindow = 24 * time.Hour

// ScalePolicy says when SpO2 Scale 2 applies.
type ScalePolicy int

const (
	// FollowTarget (the default) uses Scale 2 when the patient has an active
	// Goal recording a hypercapnic SpO2 target (high ≤ 92 %), else Scale 1.
	FollowTarget ScalePolicy = iota
	// Scale1Only ignores recorded targets: a local policy that Scale 2 is
	// never used automatically.
	Scale1Only
)

// NEWS2Options tunes NEWS2. The zero value is the documented default.
type NEWS2Options struct {
	// Window is how long before now (NEWS2At's now) a reading may be and still
	// be scored; older readings are stale. Zero or negative means 24 h. The
	// alert engine reads the same window to decide whether data is current.
	Window time.Duration
	// Scale chooses the SpO2 scale policy; default FollowTarget.
	Scale ScalePolicy
	// AssumeAir scores "air" (0) when no air-or-oxygen evidence is recorded.
	// Default false: the parameter is missing, since assuming air under-scores
	// a patient whose oxygen was simply not charted by 2 points.
	AssumeAir bool
}

// Reading is one parameter's value as NEWS2 used (or found) it.
type Reading struct {
	Parameter Parameter         `json:"parameter"`
	Ref       store.Ref         `json:"ref"`               // the Observation; empty for an assumed value
	Version   string            `json:"version,omitempty"` // meta.versionId, else meta.lastUpdated
	Value     float64           `json:"value"`             // in Unit; temperatures in Cel after conversion
	Unit      string            `json:"unit,omitempty"`    // canonical UCUM unit of Value
	Code      string            `json:"code,omitempty"`    // consciousness: A, C, V, P or U; air_or_oxygen: air or oxygen
	Assumed   bool              `json:"assumed,omitempty"` // air assumed (NEWS2Options.AssumeAir), no Observation
	Time      time.Time         `json:"time"`
	Age       jsontime.Duration `json:"age"` // before the evaluation time (Result.At), else before Result.Newest
	Score     int               `json:"score"`
}

// Skip is a reading NEWS2 could not use, and why.
type Skip struct {
	Parameter Parameter `json:"parameter"`
	Ref       store.Ref `json:"ref"`
	Time      time.Time `json:"time"`
	Reason    string    `json:"reason"`
}

// Result is a NEWS2 evaluation. It is plain data, JSON-ready, so the engine can
// keep it as a store.Doc and the views can draw it.
type Result struct {
	Total     int               `json:"score"`
	Band      string            `json:"band"`
	Red       bool              `json:"red"` // a single parameter scored 3
	Scale     int               `json:"scale"`
	ScaleGoal *store.Ref        `json:"scaleGoal,omitempty"` // the Goal that chose Scale 2
	Complete  bool              `json:"complete"`            // all seven parameters scored
	Scores    map[Parameter]int `json:"subscores"`           // scored parameters only
	Missing   []Parameter       `json:"missing"`             // no usable fresh value (includes Stale), chart order
	Stale     []Reading         `json:"stale,omitempty"`     // newest usable reading, too old to score
	Readings  []Reading         `json:"readings"`            // the readings scored, chart order
	Skipped   []Skip            `json:"skipped,omitempty"`   // unusable readings newer than the one used
	Newest    time.Time         `json:"newest"`              // newest usable vital sign; zero without data
	Window    jsontime.Duration `json:"window"`

	// Status is complete, partial, insufficient, stale or not-applicable
	// (scorestatus.go); Band is "none" unless complete or partial.
	Status string `json:"status"`
	// Why says the status in words: "partial — 5 of 7; missing …",
	// "NEWS2 does not apply: age 7 — PEWS shown".
	Why string `json:"why,omitempty"`
	// ObservedAt is the time of the oldest value scored: the score is no
	// older than this.
	ObservedAt time.Time `json:"observedAt,omitempty"`
	// At is the time the window was measured back from (now); zero for a
	// score of history, measured back from Newest.
	At time.Time `json:"at,omitempty"`
}

// Score returns a parameter's sub-score and whether it was scored.
func (r Result) Score(p Parameter) (int, bool) {
	s, ok := r.Scores[p]
	return s, ok
}

// Reading returns the reading scored for a parameter, if any.
func (r Result) Reading(p Parameter) (Reading, bool) {
	for _, rd := range r.Readings {
		if rd.Parameter == p {
			return rd, true
		}
	}
	return Reading{}, false
}

// Subscores returns the sub-scores keyed by parameter name, for `chartline
// inspect`. Missing parameters are absent (listed in Missing), never 0.
func (r Result) Subscores() map[string]int {
	m := make(map[string]int, len(r.Scores))
	for p, s := range r.Scores {
		m[string(p)] = s
	}
	return m
}

// MissingNames returns Missing as strings, for `chartline inspect`.
func (r Result) MissingNames() []string {
	out := make([]string, len(r.Missing))
	for i, p := range r.Missing {
		out[i] = string(p)
	}
	return out
}

// NEWS2 scores the patient's latest vital signs per the RCP NEWS2 chart (2017).
// vitals are the patient's Observations (any category; those that are not NEWS2
// inputs are ignored); goals are the patient's Goals, read only for a
// hypercapnic SpO2 target. It never fails: what it cannot use, it reports in
// Missing, Stale and Skipped.
//
// The window is measured back from the newest vital sign: this is NEWS2 as
// it stood at that time, for trends and history. The current score is
// NEWS2At with now.
func NEWS2(vitals []store.Item, goals []store.Item, opts NEWS2Options) Result {
	return NEWS2At(vitals, goals, opts, time.Time{})
}

// NEWS2At is NEWS2 with the window measured back from now: a reading older
// than now − Window is stale, and with none inside it the status is stale
// and the band none. A zero now means the newest vital sign (NEWS2).
func NEWS2At(vitals []store.Item, goals []store.Item, opts NEWS2Options, now time.Time) Result {
	window := opts.Window
	if window <= 0 {
		window = DefaultStaleWindow
	}
	res := Result{Band: BandNone, Scale: 1, Scores: map[Parameter]int{}, Window: jsontime.Duration(window),
		Missing: []Parameter{}, Readings: []Reading{}}
	if opts.Scale == FollowTarget {
		if g, ok := hypercapnicGoal(goals); ok {
			res.Scale = 2
			res.ScaleGoal = &g
		}
	}

	best, skips := latestReadings(vitals, window)
	fresh := res.freshReadings(best, now, window, opts.AssumeAir)
	skips = res.scoreFresh(fresh, skips)
	res.reportSkips(skips, best)

	res.Complete = len(res.Scores) == len(Parameters())
	res.Band = bandOf(res.Total, res.Red, len(res.Scores) > 0)
	for _, rd := range res.Readings {
		if res.ObservedAt.IsZero() || rd.Time.Before(res.ObservedAt) {
			res.ObservedAt = rd.Time
		}
	}
	res.settleStatus(len(best) > 0)
	return res
}

// latestReadings collects every reading of every parameter, keeping the
// latest usable one of each (best, by parameter) and the unusable ones that
// reportSkips may report.
//
// It reads the Observations of the last hour before the newest first, then
// those of the rest of the window, then the older ones, and stops after a
// span in which every parameter has had a usable reading: an older
// Observation can change nothing then, as its readings are older than the
// best of their parameter, so they are neither best nor reported as skipped
// (see reportSkips). They are passed over on their time and codes alone
// (older), so an ICU chart of 20,000 Observations reads its last set or two
// in full, not its whole history; a chart that never has some parameter
// still reads each older Observation's codes, but builds no reading of one
// whose parameters all have a newer best.
func latestReadings(vitals []store.Item, window time.Duration) (best map[Parameter]*candidate, skips []candidate) {
	var (
		slot [7]candidate // by chart order
		have [7]bool
		buf  [2]candidate // an Observation carries at most two readings
	)
	var newest time.Time
	for i := range vitals {
		if t := vitals[i].Meta.Time; t.After(newest) {
			newest = t
		}
	}
	// The spans read in turn, newest first: the last hour (a busy chart's
	// latest set), the last window, then everything older.
	cuts := []time.Time{newest.Add(-min(time.Hour, window)), newest.Add(-window), {}}
	for k, cut := range cuts {
		var upTo time.Time // the previous span's start: read only what is older
		if k > 0 {
			upTo = cuts[k-1]
		}
		for i := range vitals {
			t := vitals[i].Meta.Time
			if k == len(cuts)-1 {
				if !t.Before(upTo) {
					continue
				}
			} else if t.Before(cut) || (k > 0 && !t.Before(upTo)) {
				continue
			}
			if older(&vitals[i].Meta, &slot, &have) {
				continue
			}
			for _, c := range readingsOf(&vitals[i], buf[:0]) {
				if c.skip != "" {
					if paramIndex(c.Parameter) < len(slot) {
						skips = append(skips, c)
					}
					continue
				}
				if k := paramIndex(c.Parameter); k < len(slot) && (!have[k] || c.after(&slot[k])) {
					slot[k], have[k] = c, true
				}
			}
		}
		if !slices.Contains(have[:], false) {
			break
		}
	}
	best = map[Parameter]*candidate{}
	for k, p := range Parameters() {
		if have[k] {
			best[p] = &slot[k]
		}
	}
	return best, skips
}

// older reports that an Observation can change nothing in latestReadings:
// it is of no NEWS2 parameter, or taken before the best reading so far of
// every parameter it may give. Its readings would be neither best nor
// reported as skipped (reportSkips passes over a skip not after its
// parameter's best).
func older(m *store.Meta, slot *[7]candidate, have *[7]bool) bool {
	for _, p := range kindParameters(kindOf(m)) {
		k := paramIndex(p)
		if !have[k] || !m.Time.Before(slot[k].Time) {
			return false
		}
	}
	return true
}

// freshReadings sets Newest, At and Stale, and returns the best readings that
// are inside the window, measured back from now (or, for history, from the
// newest vital sign), with air assumed when assumeAir says so.
func (res *Result) freshReadings(best map[Parameter]*candidate, now time.Time, window time.Duration, assumeAir bool) map[Parameter]*candidate {
	for _, c := range best {
		if c.Time.After(res.Newest) {
			res.Newest = c.Time
		}
	}
	ref := res.Newest
	if !now.IsZero() {
		ref, res.At = now, now
	}
	fresh := map[Parameter]*candidate{}
	for _, p := range Parameters() {
		c := best[p]
		if c == nil {
			continue
		}
		c.Age = jsontime.Duration(max(ref.Sub(c.Time), 0))
		if time.Duration(c.Age) > window {
			res.Stale = append(res.Stale, c.Reading)
			continue
		}
		fresh[p] = c
	}
	if fresh[AirOrOxygen] == nil && assumeAir && len(fresh) > 0 {
		fresh[AirOrOxygen] = &candidate{Reading: Reading{Parameter: AirOrOxygen, Code: "air", Assumed: true, Time: res.Newest}}
	}
	return fresh
}

// scoreFresh scores the fresh readings in chart order into Scores, Total, Red
// and Readings, listing a parameter without one in Missing. It returns skips
// with the readings the chart could not decide added.
func (res *Result) scoreFresh(fresh map[Parameter]*candidate, skips []candidate) []candidate {
	for _, p := range Parameters() {
		c := fresh[p]
		if c == nil {
			res.Missing = append(res.Missing, p)
			continue
		}
		score, why := scoreReading(c, res.Scale, fresh[AirOrOxygen])
		if why != "" {
			skips = append(skips, candidate{Reading: c.Reading, skip: why})
			res.Missing = append(res.Missing, p)
			continue
		}
		c.Score = score
		res.Scores[p] = score
		res.Total += score
		if score == redScore {
			res.Red = true
		}
		res.Readings = append(res.Readings, c.Reading)
	}
	return skips
}

// reportSkips sets Skipped to the skipped readings that matter, those newer
// than what was used, in chart order and newest first.
func (res *Result) reportSkips(skips []candidate, best map[Parameter]*candidate) {
	for _, s := range skips {
		if b := best[s.Parameter]; b != nil && !s.Time.After(b.Time) && s.Ref != b.Ref {
			continue
		}
		res.Skipped = append(res.Skipped, Skip{Parameter: s.Parameter, Ref: s.Ref, Time: s.Time, Reason: s.skip})
	}
	sort.SliceStable(res.Skipped, func(i, j int) bool {
		a, b := res.Skipped[i], res.Skipped[j]
		if a.Parameter != b.Parameter {
			return paramIndex(a.Parameter) < paramIndex(b.Parameter)
		}
		if !a.Time.Equal(b.Time) {
			return a.Time.After(b.Time)
		}
		return a.Ref.Key() < b.Ref.Key()
	})
}

// settleStatus sets Status and Why from what was scored, and drops the band
// of a score that is not complete or partial.
func (r *Result) settleStatus(anyValue bool) {
	r.Status = scoreStatus(len(r.Scores), len(Parameters()), anyValue)
	r.Why = statusWhy(r.Status, len(r.Scores), len(Parameters()), r.MissingNames(), time.Duration(r.Window))
	if !ScoreCurrent(r.Status) {
		r.Band = BandNone
	}
}

// paramIndex is a parameter's position in chart order (7 for an unknown one).
func paramIndex(p Parameter) int {
	switch p {
	case Respiration:
		return 0
	case SpO2:
		return 1
	case AirOrOxygen:
		return 2
	case Systolic:
		return 3
	case Pulse:
		return 4
	case Consciousness:
		return 5
	case Temperature:
		return 6
	}
	return 7
}

// Summary is one line a clinician reads: "NEWS2 6 (medium): respiration 2,
// spo2 1, …; missing temperature".
func (r Result) Summary() string {
	if r.Band == BandNone {
		if r.Why != "" {
			return "NEWS2: " + r.Why
		}
		return "NEWS2: no usable vital signs"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "NEWS2 %d (%s", r.Total, r.Band)
	if r.Scale == 2 {
		b.WriteString(", SpO2 scale 2")
	}
	if !r.Complete {
		b.WriteString(", partial")
	}
	b.WriteString("):")
	for i, rd := range r.Readings {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, " %s %d", rd.Parameter, rd.Score)
	}
	if len(r.Missing) > 0 {
		b.WriteString("; missing")
		for i, p := range r.Missing {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(" " + string(p))
		}
	}
	return b.String()
}
