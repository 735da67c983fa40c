package clinical

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/chartline/chartline/store"
)

// Early-warning episodes.
//
// An early-warning alert (kind "news2" or "pews") is one episode of
// deterioration, derived from the patient's whole series of scored
// observation sets, never from the order in which those sets arrived: the
// same observations give the same episodes, the same alert ids and the same
// raised times on every workstation, and a replay or a catch-up gives
// nothing new.
//
//   - A set whose band calls for an alert (NEWS2: low-medium, medium, high;
//     PEWS: medium, high, emergency) opens an episode when none is open. Its
//     band is the episode's trigger band; the alert's raised time is the time
//     of that set (its newest observation), not the time it was ingested.
//   - While the episode is open, a set in a higher band than any before
//     escalates it: the alert's severity rises and its history records the
//     rise. A set in a band at or above the trigger band keeps it open.
//   - A sustained fall below the trigger band clears it: AlertPolicy.ClearSets
//     consecutive sets below it, the last at least AlertPolicy.ClearAfter after
//     the first (defaults: 2 sets, 1 hour apart). One reassuring set is not
//     enough, and neither are two sets minutes apart. The next alerting set
//     after clearance opens a new episode (a new alert).
//   - A gap longer than the observation window between two sets ends an
//     open episode as lapsed: nothing current supported it, so data that
//     resumes days later (a readmission, a feed back after an outage) starts
//     afresh instead of continuing a weeks-old alert.
//
// Current or past. An episode is current when its causing set is inside the
// observation window relative to now (NEWS2Options.Window, default 24 h), or
// when it is still open and its latest set is inside the window. Every other
// episode is a past episode: history found while catching up, shown in the
// patient's alert history and trends, never New, never notified. Because
// this depends only on the data and now, two workstations agree whatever
// order they started in.

// Score kinds an episode can come from; each is also the alert kind.
const (
	ScoreNEWS2 = KindNEWS2
	ScorePEWS  = "pews"
)

// ScorePoint is one scored observation set of an early-warning score.
type ScorePoint struct {
	Kind     string    `json:"kind"`               // ScoreNEWS2 or ScorePEWS
	At       time.Time `json:"at"`                 // the newest observation scored: the set's time
	Score    int       `json:"score"`              // total
	Band     string    `json:"band"`               // the score's band
	Severity string    `json:"severity,omitempty"` // the alert severity the band calls for; "" none
	Complete bool      `json:"complete"`
	Trigger  store.Ref `json:"trigger"`           // the newest observation scored (ties by Type/id)
	Version  string    `json:"version,omitempty"` // its meta.versionId, else meta.lastUpdated
	// Cause is the breakdown the alert card shows: sub-scores and each
	// parameter's value and time.
	Cause Cause `json:"cause"`
}

// NEWS2Severity is the alert severity a NEWS2 band calls for (RCP 2017,
// chart 2: clinical response): low-medium (a single parameter scoring 3:
// urgent ward-based response), medium (5–6: urgent response), high (7 or
// more: emergency response); none below.
func NEWS2Severity(band string) string {
	switch band {
	case BandHigh:
		return SeverityHigh
	case BandMedium:
		return SeverityMedium
	case BandLowMedium:
		return SeverityLowMedium
	}
	return ""
}

// newestReading is the scored reading a set is dated by, its trigger: the
// newest one with an observation behind it, ties broken by reference so
// every node picks the same. nil when no reading was scored.
func newestReading(rs []Reading) *Reading {
	var trig *Reading
	for i := range rs {
		rd := &rs[i]
		if rd.Ref.ID == "" {
			continue
		}
		if trig == nil || rd.Time.After(trig.Time) || (rd.Time.Equal(trig.Time) && rd.Ref.Key() > trig.Ref.Key()) {
			trig = rd
		}
	}
	return trig
}

// NEWS2Point is a NEWS2 result as a point of the score series. ok is false
// for a result without a scored observation.
func NEWS2Point(res Result) (ScorePoint, bool) {
	trig := newestReading(res.Readings)
	if trig == nil {
		return ScorePoint{}, false
	}
	return ScorePoint{
		Kind: ScoreNEWS2, At: trig.Time.UTC(), Score: res.Total, Band: res.Band, Severity: NEWS2Severity(res.Band),
		Complete: res.Complete, Trigger: trig.Ref, Version: trig.Version,
		Cause: Cause{Score: res.Total, Band: res.Band, Subscores: res.Subscores(), Scale: res.Scale,
			Complete: res.Complete, Missing: res.MissingNames(), Readings: causeReadings(res.Readings)},
	}, true
}

func causeReadings(rs []Reading) []CauseReading {
	out := make([]CauseReading, 0, len(rs))
	for _, rd := range rs {
		out = append(out, CauseReading{Parameter: string(rd.Parameter), Value: rd.Value, Unit: rd.Unit, Code: rd.Code,
			Time: rd.Time.UTC(), Score: rd.Score, Assumed: rd.Assumed, Ref: rd.Ref})
	}
	return out
}

// Rise is one step of an episode: its opening, or a rise into a higher band.
type Rise struct {
	At       time.Time `json:"at"`
	Score    int       `json:"score"`
	Band     string    `json:"band"`
	Severity string    `json:"severity"`
	Trigger  store.Ref `json:"trigger"`
}

// Episode is one deterioration: from the set that opened it to its
// clearance (zero while open). Points are its sets, in time order.
type Episode struct {
	Kind    string
	Opened  ScorePoint   // the causing set
	Before  *ScorePoint  // the set before it, if any and inside the window: what the score rose from
	Peak    ScorePoint   // the first set in the highest band reached
	Rises   []Rise       // the opening, then each rise
	Last    ScorePoint   // the latest set while it was open
	Cleared time.Time    // the set that completed the sustained fall; zero while open
	Lapsed  bool         // ended by a gap in the data longer than the window, not cleared
	Points  []ScorePoint // every set from the opening to the clearance
}

// Open reports whether the episode has neither cleared nor lapsed.
func (ep Episode) Open() bool { return ep.Cleared.IsZero() && !ep.Lapsed }

// Current reports whether the episode is current at now (see the package
// notes above): its causing set is inside the window, or it is open and its
// latest set is.
func (ep Episode) Current(now time.Time, window time.Duration) bool {
	if window <= 0 {
		window = DefaultStaleWindow
	}
	from := now.Add(-window)
	return !ep.Opened.At.Before(from) || (ep.Open() && !ep.Last.At.Before(from))
}

// At returns the set in force at t (the latest at or before it), and false
// before the opening.
func (ep Episode) At(t time.Time) (ScorePoint, bool) {
	i := sort.Search(len(ep.Points), func(i int) bool { return ep.Points[i].At.After(t) })
	if i == 0 {
		return ScorePoint{}, false
	}
	return ep.Points[i-1], true
}

// SeverityAt is the highest severity the episode had reached at t.
func (ep Episode) SeverityAt(t time.Time) string {
	s := ""
	for _, r := range ep.Rises {
		if !r.At.After(t) {
			s = r.Severity
		}
	}
	return s
}

// AlertPolicy is the follow-up policy of early-warning alerts. The zero value
// is the documented default; a site policy may set each field.
type AlertPolicy struct {
	// ClearSets and ClearAfter: an episode clears after ClearSets consecutive
	// sets below its trigger band, the last at least ClearAfter after the
	// first. Defaults 2 sets and 1 hour (the RCP asks for observations at
	// least hourly while the score is 5 or more; two hourly sets below the
	// band are the first evidence the response worked).
	ClearSets  int
	ClearAfter time.Duration
	// ReopenHigh, ReopenMedium, ReopenLowMedium: an acknowledged alert of that
	// severity becomes New again when, that long after the acknowledgement,
	// the patient is still in that band (or higher) and the episode has not
	// cleared; an unattended (New) alert of severity high or emergency is
	// notified again at ReopenHigh. Defaults 30 min (high and emergency:
	// RCP's continuous monitoring), 60 min (medium: at least hourly
	// observations), 0 = never for low-medium. Negative means never.
	ReopenHigh, ReopenMedium, ReopenLowMedium time.Duration
}

// Defaults of AlertPolicy.
const (
	DefaultClearSets    = 2
	DefaultClearAfter   = time.Hour
	DefaultReopenHigh   = 30 * time.Minute
	DefaultReopenMedium = 60 * time.Minute
)

func (p AlertPolicy) clearSets() int {
	if p.ClearSets <= 0 {
		return DefaultClearSets
	}
	return p.ClearSets
}

func (p AlertPolicy) clearAfter() time.Duration {
	if p.ClearAfter <= 0 {
		return DefaultClearAfter
	}
	return p.ClearAfter
}

// Reopen is the follow-up interval of a severity; 0 means none.
func (p AlertPolicy) Reopen(severity string) time.Duration {
	d := time.Duration(0)
	switch severity {
	case SeverityHigh, SeverityEmergency:
		d = p.ReopenHigh
		if d == 0 {
			d = DefaultReopenHigh
		}
	case SeverityMedium:
		d = p.ReopenMedium
		if d == 0 {
			d = DefaultReopenMedium
		}
	case SeverityLowMedium:
		d = p.ReopenLowMedium
	}
	return max(d, 0)
}

// Episodes splits a score series (any order; points of one kind) into
// episodes, oldest first. window is the observation window (zero: 24 h): a
// longer gap between sets ends an open episode as lapsed.
//
// An episode's Points are a view of points when they come in order (the
// engine's series keeps them so: a sorted copy of the ICU chart's 3,000
// points was a third of the episodes' cost), else of a sorted copy: the
// caller must not change points while it uses the episodes.
func Episodes(points []ScorePoint, pol AlertPolicy, window time.Duration) []Episode {
	if window <= 0 {
		window = DefaultStaleWindow
	}
	before := func(a, b *ScorePoint) bool {
		if !a.At.Equal(b.At) {
			return a.At.Before(b.At)
		}
		return a.Trigger.Key() < b.Trigger.Key()
	}
	ps := points
	for i := 1; i < len(ps); i++ {
		if before(&ps[i], &ps[i-1]) {
			ps = append([]ScorePoint(nil), points...)
			sort.SliceStable(ps, func(i, j int) bool { return before(&ps[i], &ps[j]) })
			break
		}
	}
	var out []Episode
	var cur *Episode
	var belowSince time.Time
	below := 0
	var prev *ScorePoint
	start := 0 // where cur's points begin in ps: an episode's points are a run of ps
	for i := range ps {
		p := ps[i]
		before := prev
		prev = &ps[i]
		rank := SeverityRank(p.Severity)
		if cur != nil && p.At.Sub(cur.Last.At) > window {
			cur.Lapsed = true
			out = append(out, *cur)
			cur = nil
		}
		if cur == nil {
			if rank > 0 {
				if before != nil && p.At.Sub(before.At) > window {
					before = nil
				}
				start = i
				cur = &Episode{Kind: p.Kind, Opened: p, Before: before, Peak: p, Last: p, Points: ps[i : i+1 : i+1],
					Rises: []Rise{{At: p.At, Score: p.Score, Band: p.Band, Severity: p.Severity, Trigger: p.Trigger}}}
				below = 0
			}
			continue
		}
		cur.Points = ps[start : i+1 : i+1] // a view of ps, capped: an append copies
		cur.Last = p
		if rank >= SeverityRank(cur.Opened.Severity) {
			below = 0
			if rank > SeverityRank(cur.Peak.Severity) {
				cur.Peak = p
				cur.Rises = append(cur.Rises, Rise{At: p.At, Score: p.Score, Band: p.Band, Severity: p.Severity, Trigger: p.Trigger})
			}
			continue
		}
		if below == 0 {
			belowSince = p.At
		}
		below++
		if below >= pol.clearSets() && p.At.Sub(belowSince) >= pol.clearAfter() {
			cur.Cleared = p.At
			out = append(out, *cur)
			cur = nil
		}
	}
	if cur != nil {
		out = append(out, *cur)
	}
	return out
}

// EpisodeAlert is the alert of an episode. Its id is derived from the set
// that opened it (patient, kind, that set's newest observation and its
// version), so it stays the same through every rise; Raised is that set's
// time. Severity and Cause are those of the highest band reached; Episode
// carries the rises, the latest set and the clearance; Past marks history
// (see Episode.Current).
func EpisodeAlert(patient string, ep Episode, now time.Time, window time.Duration) Alert {
	o := ep.Opened
	name := scoreName(ep.Kind)
	title := fmt.Sprintf("%s %d: %s", name, ep.Peak.Score, ep.Peak.Band)
	if ep.Peak.Band == BandLowMedium {
		var reds []string
		for _, rd := range ep.Peak.Cause.Readings {
			if rd.Score == redScore {
				reds = append(reds, rd.Parameter)
			}
		}
		if len(reds) > 0 {
			title += " (3 in " + strings.Join(reds, ", ") + ")"
		}
	}
	if !ep.Peak.Complete {
		title += ", partial"
	}
	cause := ep.Peak.Cause
	switch {
	case len(ep.Rises) > 1:
		cause.PrevBand = ep.Rises[len(ep.Rises)-2].Band
	case ep.Before != nil:
		cause.PrevBand = ep.Before.Band
	default:
		cause.PrevBand = "" // no earlier set inside the window: the card says "no score"
	}
	info := &EpisodeInfo{Opened: o.At, Rises: ep.Rises, Latest: Rise{At: ep.Last.At, Score: ep.Last.Score, Band: ep.Last.Band,
		Severity: ep.Last.Severity, Trigger: ep.Last.Trigger}}
	if !ep.Cleared.IsZero() {
		c := ep.Cleared
		info.Cleared = &c
	}
	info.Lapsed = ep.Lapsed
	return Alert{
		ID:       AlertID(patient, ep.Kind, o.Trigger.Key(), o.Version, "episode"),
		Patient:  patient,
		Kind:     ep.Kind,
		Severity: ep.Peak.Severity,
		Title:    title,
		Cause:    cause,
		Raised:   o.At,
		Trigger:  o.Trigger,
		Version:  o.Version,
		Episode:  info,
		Past:     !ep.Current(now, window),
	}
}

func scoreName(kind string) string {
	switch kind {
	case ScorePEWS:
		return "PEWS"
	case ScoreNEWS2:
		return "NEWS2"
	}
	return strings.ToUpper(kind)
}

// EpisodeInfo is what an early-warning alert carries of its episode.
type EpisodeInfo struct {
	Opened  time.Time  `json:"opened"`            // the causing set
	Rises   []Rise     `json:"rises"`             // the opening, then each rise
	Latest  Rise       `json:"latest"`            // the latest set while open
	Cleared *time.Time `json:"cleared,omitempty"` // when the sustained fall completed
	Lapsed  bool       `json:"lapsed,omitempty"`  // ended by a gap in the data longer than the window
}

// System actions: the follow-up policy's own steps, which every workstation
// derives identically from the same data and actions (same id, same time), so
// they merge as one and are never published as anyone's.
const (
	// VerbRenew makes an acknowledged alert New again: the patient rose into a
	// higher band, or is still in band when the follow-up interval ends.
	VerbRenew = "renew"
	// SystemUser and SystemWorkstation sign system actions.
	SystemUser        = "Chartline follow-up policy"
	SystemWorkstation = "policy"
)

// FollowUp adds the follow-up policy's system actions to an alert's state:
// a renew at each rise of the episode that finds the alert acknowledged or
// resolved (resolving does not silence a patient who gets worse), and
// a renew when an acknowledgement has stood for the policy interval of the
// severity it acknowledged (AlertPolicy.Reopen) while the patient is still in
// that band and the episode has not cleared. Only times up to now are
// considered. The result is canonical; st is not changed.
func FollowUp(st AlertState, ep Episode, pol AlertPolicy, now time.Time) AlertState {
	c := st.canonical()
	for range 1000 { // each pass adds one action; the bound only guards a bug
		a, ok := nextFollowUp(c, ep, pol, now)
		if !ok {
			return c
		}
		c.Actions = append(c.Actions, a)
		c = c.canonical()
	}
	return c
}

func systemAction(alert string, at time.Time, note string) Action {
	a := NewAction(alert, VerbRenew, SystemUser, SystemWorkstation, note, at)
	return a
}

// nextFollowUp walks the alert's actions, the episode's rises and the
// follow-up deadlines in time order and returns the first system action due
// and missing.
func nextFollowUp(c AlertState, ep Episode, pol AlertPolicy, now time.Time) (Action, bool) {
	acts := c.Actions
	var rises []Rise
	if len(ep.Rises) > 1 {
		rises = ep.Rises[1:]
	}
	state := StateNew
	var deadline time.Time
	var ackSev string
	i, j := 0, 0
	name := scoreName(ep.Kind)
	for {
		next := time.Time{}
		kind := ""
		if i < len(acts) {
			next, kind = acts[i].At, "action"
		}
		if j < len(rises) && !rises[j].At.After(now) && (kind == "" || rises[j].At.Before(next)) {
			next, kind = rises[j].At, "rise"
		}
		if !deadline.IsZero() && !deadline.After(now) && (kind == "" || deadline.Before(next)) {
			next, kind = deadline, "deadline"
		}
		switch kind {
		case "":
			return Action{}, false
		case "action":
			to := next0(state, acts[i].Verb)
			if to == StateAcknowledged && state != StateAcknowledged {
				ackSev = ep.SeverityAt(acts[i].At)
				deadline = time.Time{}
				if d := pol.Reopen(ackSev); d > 0 {
					deadline = acts[i].At.Add(d)
				}
			}
			if to != StateAcknowledged {
				deadline = time.Time{}
			}
			state = to
			i++
		case "rise":
			r := rises[j]
			j++
			switch state {
			case StateAcknowledged:
				return systemAction(c.Alert, r.At, fmt.Sprintf("%s rose to %d (%s) after the acknowledgement", name, r.Score, r.Band)), true
			case StateResolved: // resolved while the episode went on: a rise needs attention again
				return systemAction(c.Alert, r.At, fmt.Sprintf("%s rose to %d (%s) after it was resolved", name, r.Score, r.Band)), true
			}
		case "deadline":
			d := deadline
			deadline = time.Time{}
			if !ep.Open() && !ep.Cleared.After(d) {
				continue
			}
			p, ok := ep.At(d)
			if ok && SeverityRank(p.Severity) >= SeverityRank(ackSev) {
				return systemAction(c.Alert, d, fmt.Sprintf("still %s %s after the acknowledgement (%s %d)",
					ackSev, shortDuration(pol.Reopen(ackSev)), name, p.Score)), true
			}
		}
	}
}

// next0 is next, with the system verb.
func next0(state, verb string) string { return next(state, verb) }

func shortDuration(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d h", int(d/time.Hour))
	}
	return fmt.Sprintf("%d min", int(d/time.Minute))
}

// NewSince is when the alert last became New: its raising (the episode's
// rise into its current severity, for a rise) or the latest renew; zero when
// it is not New.
func NewSince(st AlertState, raised time.Time) time.Time {
	state := StateNew
	since := raised
	for _, a := range st.canonical().Actions {
		to := next(state, a.Verb)
		if to == StateNew && state != StateNew {
			since = a.At
		}
		state = to
	}
	if state != StateNew {
		return time.Time{}
	}
	return since
}

// NEWS2Vital reports whether an Observation is one NEWS2 reads (one of its
// LOINC-coded vital signs), usable or not.
func NEWS2Vital(it *store.Item) bool {
	var buf [4]candidate
	return len(readingsOf(it, buf[:0])) > 0
}

// FormatInterval writes a policy interval as the card and notices say it:
// "30 min", "2 h".
func FormatInterval(d time.Duration) string { return shortDuration(d) }
