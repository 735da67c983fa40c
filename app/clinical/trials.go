package clinical

import (
	"fmt"
	"slices"
	"time"

	"github.com/chartline/chartline/store"
)

// Outcome is the three-valued result of an eligibility criterion. The zero
// value is NotEvaluable: what is not known is never "not met".
type Outcome int8

// Outcomes.
const (
	NotEvaluable Outcome = iota // missing or unusable data
	NotMet
	Met
)

// String returns "met", "not met" or "not evaluable".
func (o Outcome) String() string {
	switch o {
	case Met:
		return "met"
	case NotMet:
		return "not met"
	}
	return "not evaluable"
}

// MarshalText writes the outcome as its String.
func (o Outcome) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// UnmarshalText reads "met", "not met" or "not evaluable".
func (o *Outcome) UnmarshalText(b []byte) error {
	switch string(b) {
	case "met":
		*o = Met
	case "not met":
		*o = NotMet
	case "not evaluable":
		*o = NotEvaluable
	default:
		return fmt.Errorf("outcome %q", b)
	}
	return nil
}

// kleene is the truth order of Kleene's logic: not met < not evaluable < met.
// And is the minimum, Or the maximum, Not the mirror.
func kleene(o Outcome) int {
	switch o {
	case NotMet:
		return 0
	case Met:
		return 2
	}
	return 1
}

func not(o Outcome) Outcome {
	switch o {
	case Met:
		return NotMet
	case NotMet:
		return Met
	}
	return NotEvaluable
}

// Facts are what eligibility is evaluated against: the patient's index
// entries and demographics, and now (for age).
//
// IndexObservations indexes the Observations by the codes the studies'
// observation tests name (ObservationCodes) when the same facts are
// evaluated against several studies: each such test then reads the few
// Observations of its codes, not the whole chart (the 20,000-observation
// patient, on every vital-sign set, times every criterion).
type Facts struct {
	Patient      *store.Demographics
	Conditions   []store.Item
	Observations []store.Item
	Now          time.Time

	byCode map[string][]int // Observations by each indexed code (IndexObservations)
}

// IndexObservations indexes f.Observations by each of codes, for every
// Evaluate of f (and its copies) that follows; a test naming a code not
// indexed reads every Observation, as without an index. Change
// Observations and index again.
func (f *Facts) IndexObservations(codes []string) {
	f.byCode = make(map[string][]int, len(codes))
	for _, c := range codes {
		f.byCode[c] = nil
	}
	f.index(0)
}

func (f *Facts) index(from int) {
	for i := from; i < len(f.Observations); i++ {
		for _, c := range f.Observations[i].Meta.Codes {
			if l, ok := f.byCode[c]; ok && (len(l) == 0 || l[len(l)-1] != i) { // a code listed twice counts once
				f.byCode[c] = append(l, i)
			}
		}
	}
}

// ObservationIndex is the index IndexObservations builds, kept by a caller
// whose Observations only grow between evaluations (ExtendIndex).
type ObservationIndex struct {
	byCode map[string][]int
	n      int // Observations indexed
}

// Index returns f's index, for ExtendIndex on a later Facts.
func (f *Facts) Index() ObservationIndex { return ObservationIndex{f.byCode, len(f.Observations)} }

// ExtendIndex indexes f.Observations as IndexObservations(codes) would, from
// an index of the same codes over the Observations f's begin with (an
// earlier Facts' Index, its Observations f.Observations[:from]), reading only
// those after it: a new set of a 20,000-observation chart indexes its seven
// readings. The earlier index is extended in place and must not be used
// again. Without such an index (prev covers not from Observations) it
// indexes them all.
func (f *Facts) ExtendIndex(codes []string, prev ObservationIndex, from int) {
	if prev.byCode == nil || prev.n != from || from > len(f.Observations) {
		f.IndexObservations(codes)
		return
	}
	f.byCode = prev.byCode
	f.index(from)
}

// observationsCoded returns the indexes of the Observations that carry any
// of codes, in their order; ok is false unless every code is indexed.
func (f *Facts) observationsCoded(codes []string) (idx []int, ok bool) {
	for _, c := range codes {
		l, ok := f.byCode[c]
		if !ok {
			return nil, false
		}
		idx = append(idx, l...)
	}
	slices.Sort(idx)
	return slices.Compact(idx), true
}

// ObservationCodes are the codes the studies' observation tests read, with
// their alternates under opts (see Facts.IndexObservations).
func ObservationCodes(studies []Study, opts TrialOptions) []string {
	alts := opts.Alternates
	if alts == nil {
		alts = DefaultAlternates()
	}
	seen := map[string]bool{}
	var out []string
	var walk func(c *Criterion)
	walk = func(c *Criterion) {
		if c == nil {
			return
		}
		if c.Observation != nil {
			for _, code := range alts.expand(c.Observation.Codes) {
				if !seen[code] {
					seen[code] = true
					out = append(out, code)
				}
			}
		}
		for i := range c.And {
			walk(&c.And[i])
		}
		for i := range c.Or {
			walk(&c.Or[i])
		}
		walk(c.Not)
	}
	for i := range studies {
		walk(studies[i].Criteria)
	}
	return out
}

// TrialOptions tunes Evaluate.
type TrialOptions struct {
	// Hierarchy is the descendant map for condition codes. Nil means
	// DefaultHierarchy(); an empty, non-nil map turns descendants off.
	Hierarchy Hierarchy
	// Alternates groups observation codes reporting the same finding. Nil
	// means DefaultAlternates(); an empty, non-nil list turns them off.
	Alternates Alternates
}

// Finding is one criterion in words with its outcome as it counts for
// eligibility: an exclusion ("no interstitial lung disease") is met when the
// patient does not have it.
type Finding struct {
	Label     string  `json:"label"`
	Outcome   Outcome `json:"outcome"`
	Why       string  `json:"why,omitempty"`
	Exclusion bool    `json:"exclusion,omitempty"`
	Key       bool    `json:"key,omitempty"`
}

// Evaluation is a study's eligibility for one patient.
type Evaluation struct {
	Study      string  `json:"study"` // "ResearchStudy/<id>"
	Title      string  `json:"title,omitempty"`
	Status     string  `json:"status"`
	Version    string  `json:"version,omitempty"`
	Recruiting bool    `json:"recruiting"`
	Outcome    Outcome `json:"outcome"` // the whole tree
	// Eligible: recruiting, patient alive, and the whole tree met.
	Eligible bool `json:"eligible"`
	// Match raises a trial-match notification: recruiting, patient alive,
	// the tree not "not met", and the key part of the tree (its condition and
	// biomarker leaves outside exclusions) met. Not-evaluable criteria are
	// listed for the clinician to check.
	Match        bool      `json:"match"`
	Reason       string    `json:"reason,omitempty"` // why not, in words, when it is not a match
	Met          []Finding `json:"met"`
	NotMet       []Finding `json:"notMet"`
	NotEvaluable []Finding `json:"notEvaluable"`
}

// MatchID is the deterministic id of a trial-match notification: "tm-" and 20
// base32 characters of the SHA-256 of (patient, study Type/id, study version).
func MatchID(patient, study, version string) string {
	return HashID("tm", patient, study, version)
}

// Evaluate decides a study's eligibility for a patient with Kleene's
// three-valued logic (and = all met, or = one met, not swaps met and not met;
// not evaluable propagates unless decided otherwise). It is pure: the same
// study, facts and options always give the same evaluation.
func Evaluate(s Study, f Facts, opts TrialOptions) Evaluation {
	h := opts.Hierarchy
	if h == nil {
		h = DefaultHierarchy()
	}
	ev := Evaluation{Study: "ResearchStudy/" + s.ID, Title: s.Title, Status: s.Status, Version: s.Version,
		Recruiting: s.Recruiting(), Met: []Finding{}, NotMet: []Finding{}, NotEvaluable: []Finding{}}
	if s.Criteria == nil {
		ev.NotEvaluable = append(ev.NotEvaluable, Finding{Label: "eligibility criteria", Why: "the study has no eligibility criteria Chartline can read"})
		ev.Reason = "no eligibility criteria"
		return ev
	}
	alts := opts.Alternates
	if alts == nil {
		alts = DefaultAlternates()
	}
	e := &evaluator{facts: f, hier: h, alts: alts}
	for i := range f.Conditions {
		if usableCondition(&f.Conditions[i].Meta) {
			e.hasConditions = true
			break
		}
	}
	full, key := e.eval(s.Criteria, false)
	ev.Outcome = full
	for _, fd := range e.findings {
		switch fd.Outcome {
		case Met:
			ev.Met = append(ev.Met, fd)
		case NotMet:
			ev.NotMet = append(ev.NotMet, fd)
		default:
			ev.NotEvaluable = append(ev.NotEvaluable, fd)
		}
	}
	deceased := f.Patient != nil && f.Patient.Deceased
	ev.Eligible = ev.Recruiting && !deceased && full == Met
	keyMet := key == Met
	if !e.hasKey {
		keyMet = full == Met
	}
	ev.Match = ev.Recruiting && !deceased && full != NotMet && keyMet
	switch {
	case !ev.Recruiting:
		ev.Reason = fmt.Sprintf("study is not recruiting (status %s)", statusWord(s.Status))
	case deceased:
		ev.Reason = "patient is deceased"
	case full == NotMet:
		ev.Reason = "criteria not met"
	case !keyMet:
		ev.Reason = "key criteria not yet evaluable"
	}
	return ev
}

func statusWord(s string) string {
	if s == "" {
		return "missing"
	}
	return s
}

type evaluator struct {
	facts         Facts
	hier          Hierarchy
	alts          Alternates
	hasConditions bool
	hasKey        bool
	findings      []Finding
}

// eval returns the node's outcome and its key outcome: the outcome with every
// non-key leaf replaced by the value that leaves the rest undecided by it
// (met in an inclusion, not met under an odd number of nots).
func (e *evaluator) eval(c *Criterion, negated bool) (Outcome, Outcome) {
	switch {
	case c.And != nil || c.Or != nil:
		kids, and := c.And, true
		if c.Or != nil {
			kids, and = c.Or, false
		}
		full, key := Met, Met
		if !and {
			full, key = NotMet, NotMet
		}
		for i := range kids {
			f, k := e.eval(&kids[i], negated)
			if and {
				full, key = minOutcome(full, f), minOutcome(key, k)
			} else {
				full, key = maxOutcome(full, f), maxOutcome(key, k)
			}
		}
		return full, key
	case c.Not != nil:
		if !c.Not.isLeaf() {
			f, k := e.eval(c.Not, !negated)
			return not(f), not(k)
		}
		// An exclusion ("has no X"): one finding, "no X", met when X is not met,
		// but never while the patient has a record inside X's concept (an
		// inactive or resolved one): that needs a clinician to confirm.
		o, why, inside := e.leaf(c.Not)
		fo := not(o)
		if fo == Met && inside {
			fo, why = NotEvaluable, why+": a record inside the excluded concept — confirm"
		}
		key := !negated && c.Key != nil && *c.Key
		if key {
			e.hasKey = true
		}
		label := c.Label
		if label == "" {
			label = "no " + c.Not.Describe()
		}
		if negated {
			label = c.Not.Describe()
		}
		e.findings = append(e.findings, Finding{Label: label, Outcome: signed(fo, negated), Why: why, Exclusion: !negated, Key: key})
		if key {
			return fo, fo
		}
		return fo, neutral(negated)
	}
	o, why, inside := e.leaf(c)
	if negated && o == NotMet && inside {
		o, why = NotEvaluable, why+": a record inside the excluded concept — confirm"
	}
	key := !negated && c.defaultKey()
	if key {
		e.hasKey = true
	}
	label := c.Describe()
	if negated {
		label = "no " + label
	}
	e.findings = append(e.findings, Finding{Label: label, Outcome: signed(o, negated), Why: why, Exclusion: negated, Key: key})
	if key {
		return o, o
	}
	return o, neutral(negated)
}

// signed is a leaf's outcome as it counts for eligibility at its polarity.
func signed(o Outcome, negated bool) Outcome {
	if negated {
		return not(o)
	}
	return o
}

// neutral is the key-evaluation stand-in for a non-key leaf: met at positive
// polarity, not met under a not (so the not makes it met).
func neutral(negated bool) Outcome {
	if negated {
		return NotMet
	}
	return Met
}

func minOutcome(a, b Outcome) Outcome {
	if kleene(b) < kleene(a) {
		return b
	}
	return a
}

func maxOutcome(a, b Outcome) Outcome {
	if kleene(b) > kleene(a) {
		return b
	}
	return a
}

// leaf evaluates one test against the facts, with why in words. inside
// says the patient has a record inside the test's concept even when the
// outcome is not met (an inactive Condition): an exclusion of it is then
// never met.
func (e *evaluator) leaf(c *Criterion) (o Outcome, why string, inside bool) {
	switch {
	case c.Condition != nil:
		return e.condition(c.Condition)
	case c.Observation != nil:
		o, why = e.observation(c.Observation)
	case c.Variant != nil:
		o, why = e.variant(c.Variant)
	case c.Age != nil:
		o, why = e.age(c.Age)
	case c.Sex != nil:
		o, why = e.sex(c.Sex)
	case c.Unsupported != "":
		o, why = NotEvaluable, c.Unsupported
	default:
		o, why = NotEvaluable, "empty criterion"
	}
	return o, why, false
}

// usableCondition: a Condition that is on the record (any clinical status).
