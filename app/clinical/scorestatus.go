package clinical

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/chartline/chartline/app/jsontime"
)

// Score statuses: what every early-warning score says about the data it was
// computed from (README, "`inspect` output"). Only complete and partial scores have a band.
const (
	StatusComplete      = "complete"       // every parameter scored
	StatusPartial       = "partial"        // at least MinScoredParameters, not all: "partial — 5 of 7"
	StatusInsufficient  = "insufficient"   // fewer than MinScoredParameters current values
	StatusStale         = "stale"          // values exist, none inside the window
	StatusNotApplicable = "not-applicable" // the score does not apply to this patient
)

// MinScoredParameters is the fewest parameters, with a current value each, a
// score is computed from: 4 of the 7 (NEWS2 and National PEWS alike). Below it
// the status is insufficient and there is no band. Chartline's own rule: the
// RCP and RCPCH charts assume a full set; a band from one or two readings
// (a lone systolic pressure scoring "Low") reads as reassurance it is not.
// Four is the smallest set in which the parameters that most often drive the
// score (respiration, SpO2, pulse, and one more) can all be present.
const MinScoredParameters = 4

// ScoreCurrent reports whether a status carries a band: complete or partial.
func ScoreCurrent(status string) bool {
	return status == StatusComplete || status == StatusPartial
}

// scoreStatus decides a status from how many parameters were scored (of the
// chart's total) and whether any value existed at all, fresh or stale.
func scoreStatus(scored, of int, anyValue bool) string {
	switch {
	case scored == of:
		return StatusComplete
	case scored >= MinScoredParameters:
		return StatusPartial
	case scored == 0 && anyValue:
		return StatusStale
	}
	return StatusInsufficient
}

// statusWhy is the sentence that explains a status ("partial — 5 of 7;
// missing temperature, consciousness"). names renders the missing ones.
func statusWhy(status string, scored, of int, missing []string, window time.Duration) string {
	switch status {
	case StatusPartial:
		words := make([]string, len(missing))
		for i, m := range missing {
			words[i] = strings.ReplaceAll(m, "_", " ") // "air or oxygen", "capillary refill"
		}
		return fmt.Sprintf("partial — %d of %d; missing %s", scored, of, strings.Join(words, ", "))
	case StatusInsufficient:
		if scored == 0 {
			return fmt.Sprintf("insufficient — no current vital signs (at least %d of %d needed)", MinScoredParameters, of)
		}
		return fmt.Sprintf("insufficient — %d of %d (at least %d needed)", scored, of, MinScoredParameters)
	case StatusStale:
		return "stale — no vital signs in the last " + DurationWords(window)
	}
	return ""
}

// AgeWords says how long ago t was, as a badge shows it: "just now",
// "12 min ago", "2 h ago", "3 days ago", "6 weeks ago", "2 years ago".
// A time after now (a clock ahead of this workstation's) is "just now".
func AgeWords(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := now.Sub(t)
	if d < time.Minute {
		return "just now"
	}
	return DurationWords(d) + " ago"
}

// DurationWords renders a duration coarsely: "12 min", "2 h", "3 days",
// "6 weeks", "4 months", "2 years".
func DurationWords(d time.Duration) string {
	day := 24 * time.Hour
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	case d < 2*day:
		return fmt.Sprintf("%d h", int(d/time.Hour))
	case d < 14*day:
		return plural(int(d/day), "day")
	case d < 61*day:
		return plural(int(d/(7*day)), "week")
	case d < 365*day:
		return plural(int(d/(30*day)), "month")
	}
	return plural(int(d/(365*day)), "year")
}

// NotApplicable returns r as the result of a patient NEWS2 does not apply to:
// no score, no band, no sub-scores, status not-applicable and why in words.
// The window, newest time and evaluation time are kept.
func (r Result) NotApplicable(why string) Result {
	return Result{Band: BandNone, Scale: r.Scale, Scores: map[Parameter]int{}, Missing: []Parameter{},
		Readings: []Reading{}, Newest: r.Newest, Window: r.Window, At: r.At,
		Status: StatusNotApplicable, Why: why}
}

// AsOf re-judges a current result at a later time now, as a view does when
// it shows a score the engine computed earlier: readings that have left the
// window move to Stale and Missing, and the total, band, status and why
// follow. A result of history (At zero), one not applicable, or a now not
// after At is returned as it is.
func (r Result) AsOf(now time.Time) Result {
	if r.At.IsZero() || !now.After(r.At) || r.Status == StatusNotApplicable {
		return r
	}
	window := time.Duration(r.Window)
	out := r
	out.At = now
	out.Scores = map[Parameter]int{}
	out.Readings = nil
	out.Stale = append([]Reading(nil), r.Stale...)
	out.Missing = append([]Parameter(nil), r.Missing...)
	out.Total, out.Red, out.ObservedAt = 0, false, time.Time{}
	for _, rd := range r.Readings {
		rd.Age = jsontime.Duration(max(now.Sub(rd.Time), 0))
		if time.Duration(rd.Age) > window && !rd.Assumed {
			out.Stale = append(out.Stale, rd)
			out.Missing = append(out.Missing, rd.Parameter)
			continue
		}
		out.Readings = append(out.Readings, rd)
		out.Scores[rd.Parameter] = rd.Score
		out.Total += rd.Score
		if rd.Score == redScore {
			out.Red = true
		}
		if !rd.Assumed && (out.ObservedAt.IsZero() || rd.Time.Before(out.ObservedAt)) {
			out.ObservedAt = rd.Time
		}
	}
	if len(out.Readings) == 1 && out.Readings[0].Assumed { // assumed air alone is no reading
		out.Readings, out.Scores, out.Total = nil, map[Parameter]int{}, 0
		out.Missing = append(out.Missing, AirOrOxygen)
	}
	sort.SliceStable(out.Missing, func(i, j int) bool { return paramIndex(out.Missing[i]) < paramIndex(out.Missing[j]) })
	if out.Readings == nil {
		out.Readings = []Reading{}
	}
	out.Complete = len(out.Scores) == len(Parameters())
	out.Band = bandOf(out.Total, out.Red, len(out.Scores) > 0)
	out.settleStatus(len(r.Readings)+len(r.Stale) > 0)
	return out
}

// NotApplicablePEWS is the PEWS result of a patient PEWS does not apply to.
func NotApplicablePEWS(why string) PEWSResult {
	return PEWSResult{Band: PEWSNone, ScoreBand: PEWSNone, Scores: map[Parameter]int{}, Missing: []Parameter{},
		Readings: []Reading{}, Status: StatusNotApplicable, Why: why}
}

// AsOf re-judges a current PEWS result at a later time now (see Result.AsOf).
// AVPU and temperature readings that left the window stop counting too.
func (r PEWSResult) AsOf(now time.Time) PEWSResult {
	if r.At.IsZero() || !now.After(r.At) || r.Status == StatusNotApplicable {
		return r
	}
	window := time.Duration(r.Window)
	out := r
	out.At = now
	out.Scores = map[Parameter]int{}
	out.Readings = []Reading{}
	out.Stale = append([]Reading(nil), r.Stale...)
	out.Missing = append([]Parameter(nil), r.Missing...)
	out.Total, out.ObservedAt = 0, time.Time{}
	for _, rd := range r.Readings {
		rd.Age = jsontime.Duration(max(now.Sub(rd.Time), 0))
		if time.Duration(rd.Age) > window {
			out.Stale = append(out.Stale, rd)
			out.Missing = append(out.Missing, rd.Parameter)
			continue
		}
		out.Readings = append(out.Readings, rd)
		out.Scores[rd.Parameter] = rd.Score
		out.Total += rd.Score
		if out.ObservedAt.IsZero() || rd.Time.Before(out.ObservedAt) {
			out.ObservedAt = rd.Time
		}
	}
	order := map[Parameter]int{}
	for i, p := range PEWSParameters() {
		order[p] = i
	}
	sort.SliceStable(out.Missing, func(i, j int) bool { return order[out.Missing[i]] < order[out.Missing[j]] })
	out.Observed, out.Triggers, out.Sepsis = nil, nil, ""
	out.ScoreBand = pewsLevel(out.Total)
	out.Band = out.ScoreBand
	for _, o := range r.Observed {
		if now.Sub(o.Time) > window {
			continue
		}
		out.Observed = append(out.Observed, o)
	}
	out.applyObserved()
	out.Status = scoreStatus(len(out.Scores), len(PEWSParameters()), len(r.Readings)+len(r.Stale) > 0)
	out.Why = statusWhy(out.Status, len(out.Scores), len(PEWSParameters()), out.MissingNames(), window)
	if !ScoreCurrent(out.Status) {
		out.Band = PEWSNone
	}
	return out
}
