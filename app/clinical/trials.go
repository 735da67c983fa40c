package clinical

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
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

// Criterion is a node of an eligibility tree: exactly one of And, Or, Not or a
// leaf (Condition, Observation, Variant, Age, Sex, Unsupported). Its JSON form
// is the one the eligibility-criteria extension carries (see the package doc).
type Criterion struct {
	// Label is the criterion in words, as findings list it. A leaf without one
	// gets a generated label.
	Label string `json:"label,omitempty"`
	// Key overrides whether a leaf is about the study's key condition or
	// biomarker (see Evaluation.Match). Default: condition, observation and
	// variant leaves outside any not are key; age and sex are not.
	Key *bool `json:"key,omitempty"`

	And []Criterion `json:"and,omitempty"`
	Or  []Criterion `json:"or,omitempty"`
	Not *Criterion  `json:"not,omitempty"`

	Condition   *ConditionTest   `json:"condition,omitempty"`
	Observation *ObservationTest `json:"observation,omitempty"`
	Variant     *VariantTest     `json:"variant,omitempty"`
	Age         *AgeRange        `json:"age,omitempty"`
	Sex         []string         `json:"sex,omitempty"`
	// Unsupported is a criterion Chartline cannot evaluate (an imported Group
	// characteristic it does not understand), with why. It is always not
	// evaluable, so it is listed, never silently dropped.
	Unsupported string `json:"unsupported,omitempty"`
}

// ConditionTest is met by a Condition on the patient's record with one of
// Codes (code-system aware: "system|code").
type ConditionTest struct {
	Codes []string `json:"codes"`
	// Exact turns off descendants: by default a code also matches its
	// descendants in the Hierarchy, and an ICD-10 code matches the codes it
	// prefixes (C34 matches C34.90).
	Exact bool `json:"exact,omitempty"`
	// AnyStatus counts inactive, remission and resolved Conditions too ("history
	// of"). By default only active, recurrence and relapse count.
	AnyStatus bool `json:"anyStatus,omitempty"`
}

// ObservationTest is met by the patient's Observation with one of Codes whose
// value passes Value and whose components pass Components.
type ObservationTest struct {
	// Codes are the Observation codes that count ("system|code"). Empty means
	// any code, when Where selects by component.
	Codes []string `json:"codes,omitempty"`
	// Where selects which Observations are about the right thing, by component
	// (for example gene studied 48018-6 = HGNC:3236). An Observation that fails
	// Where is not a candidate at all.
	Where []ComponentTest `json:"where,omitempty"`
	// Value tests the Observation's own value; nil means any value (the test
	// is done).
	Value *ValueTest `json:"value,omitempty"`
	// Components test component values; each must pass.
	Components []ComponentTest `json:"components,omitempty"`
	// Any evaluates every candidate Observation (met if one passes); by
	// default only the latest candidate counts.
	Any bool `json:"any,omitempty"`
}

// ComponentTest tests one component: present with one of Codes, and its value
// passing Value (nil: present is enough).
type ComponentTest struct {
	Codes []string   `json:"codes"`
	Value *ValueTest `json:"value,omitempty"`
}

// ValueTest tests a value: coded (one of Codes), textual (one of Text,
// case-insensitive, used when the value has no coding) or a quantity.
type ValueTest struct {
	Codes    []string      `json:"codes,omitempty"`
	Text     []string      `json:"text,omitempty"`
	Quantity *QuantityTest `json:"quantity,omitempty"`
}

// QuantityTest is a bound on a quantity: either Comparator and Value (">=",
// ">", "<=", "<", "=") or an inclusive range Low..High (either may be absent).
// Unit, when set, must equal the value's UCUM unit (annotations such as
// {mutations} ignored); a value in another unit is not evaluable.
type QuantityTest struct {
	Comparator string   `json:"comparator,omitempty"`
	Value      *float64 `json:"value,omitempty"`
	Low        *float64 `json:"low,omitempty"`
	High       *float64 `json:"high,omitempty"`
	Unit       string   `json:"unit,omitempty"`
}

// VariantTest is met by a genetic variant found in one of Genes (HGNC,
// "http://www.genenames.org/geneId|HGNC:3236"): an Observation with a gene
// studied component (LOINC 48018-6) naming the gene and either a positive
// coded result (LOINC LA9633-4 Present, SNOMED 260373001 Detected or 10828004
// Positive, or those words) or a variant component (LOINC 81252-9 discrete
// variant, 48004-6 DNA change, 48005-3 amino acid change). With Variants set,
// the variant component must carry one of them.
type VariantTest struct {
	Genes    []string `json:"genes"`
	Variants []string `json:"variants,omitempty"`
}

// AgeRange is an inclusive range of age in completed years.
type AgeRange struct {
	Min *int `json:"min,omitempty"`
	Max *int `json:"max,omitempty"`
}

// Genomics and result codes used by VariantTest (LOINC; SNOMED CT; HL7 Genomics
// Reporting IG R4).
const (
	CodeGeneStudied       = SystemLOINC + "|48018-6" // Gene studied [ID]
	CodeDiscreteVariant   = SystemLOINC + "|81252-9" // Discrete genetic variant
	CodeDNAChange         = SystemLOINC + "|48004-6" // DNA change (c.HGVS)
	CodeAminoAcidChange   = SystemLOINC + "|48005-3" // Amino acid change (pHGVS)
	CodeAnswerPresent     = SystemLOINC + "|LA9633-4"
	CodeAnswerAbsent      = SystemLOINC + "|LA9634-2"
	CodeSnomedDetected    = SystemSNOMED + "|260373001"
	CodeSnomedNotDetected = SystemSNOMED + "|260415000"
	CodeSnomedPositive    = SystemSNOMED + "|10828004"
	CodeSnomedNegative    = SystemSNOMED + "|260385009"
)

var (
	positiveCodes = []string{CodeAnswerPresent, CodeSnomedDetected, CodeSnomedPositive}
	negativeCodes = []string{CodeAnswerAbsent, CodeSnomedNotDetected, CodeSnomedNegative}
	variantCodes  = []string{CodeDiscreteVariant, CodeDNAChange, CodeAminoAcidChange}
)

// Administrative genders (FHIR R4 AdministrativeGender).
var genders = map[string]bool{"male": true, "female": true, "other": true, "unknown": true}

// ErrInvalidCriteria means an eligibility tree is malformed.
var ErrInvalidCriteria = errors.New("invalid eligibility criteria")

// Validate checks the tree: each node is exactly one kind, and/or have
// children, codes are "system|code", ranges are ordered.
func (c *Criterion) Validate() error {
	return c.validate("$", 0)
}

// maxCriteriaDepth bounds how deeply a tree may nest; real eligibility trees
// are a few levels deep, and the bound keeps a hostile one from exhausting the
// stack.
const maxCriteriaDepth = 32

func (c *Criterion) validate(path string, depth int) error {
	if depth > maxCriteriaDepth {
		return fmt.Errorf("%s: nested deeper than %d: %w", path, maxCriteriaDepth, ErrInvalidCriteria)
	}
	kinds := 0
	count := func(b bool) {
		if b {
			kinds++
		}
	}
	count(c.And != nil)
	count(c.Or != nil)
	count(c.Not != nil)
	count(c.Condition != nil)
	count(c.Observation != nil)
	count(c.Variant != nil)
	count(c.Age != nil)
	count(c.Sex != nil)
	count(c.Unsupported != "")
	if kinds != 1 {
		return fmt.Errorf("%s: a criterion needs exactly one of and, or, not, condition, observation, variant, age, sex (has %d): %w", path, kinds, ErrInvalidCriteria)
	}
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%s: %s: %w", path, fmt.Sprintf(format, a...), ErrInvalidCriteria)
	}
	codes := func(what string, cs []string, need bool) error {
		if need && len(cs) == 0 {
			return bad("%s needs codes", what)
		}
		for _, k := range cs {
			if !validCoding(k) {
				return bad("%s code %q is not \"system|code\"", what, k)
			}
		}
		return nil
	}
	value := func(what string, v *ValueTest) error {
		if v == nil {
			return nil
		}
		if len(v.Codes) == 0 && len(v.Text) == 0 && v.Quantity == nil {
			return bad("%s value test is empty", what)
		}
		if err := codes(what+" value", v.Codes, false); err != nil {
			return err
		}
		if q := v.Quantity; q != nil {
			if (q.Value != nil) == (q.Low != nil || q.High != nil) {
				return bad("%s quantity needs either comparator and value, or low/high", what)
			}
			if q.Value != nil {
				switch q.Comparator {
				case "", "=", "<", "<=", ">", ">=":
				default:
					return bad("%s comparator %q", what, q.Comparator)
				}
			}
			if q.Low != nil && q.High != nil && *q.Low > *q.High {
				return bad("%s range low %g above high %g", what, *q.Low, *q.High)
			}
		}
		return nil
	}
	comps := func(what string, cts []ComponentTest) error {
		for i, ct := range cts {
			if err := codes(fmt.Sprintf("%s[%d]", what, i), ct.Codes, true); err != nil {
				return err
			}
			if err := value(fmt.Sprintf("%s[%d]", what, i), ct.Value); err != nil {
				return err
			}
		}
		return nil
	}
	switch {
	case c.And != nil || c.Or != nil:
		kids, op := c.And, "and"
		if c.Or != nil {
			kids, op = c.Or, "or"
		}
		if len(kids) == 0 {
			return bad("%s needs at least one criterion", op)
		}
		for i := range kids {
			if err := kids[i].validate(fmt.Sprintf("%s.%s[%d]", path, op, i), depth+1); err != nil {
				return err
			}
		}
	case c.Not != nil:
		return c.Not.validate(path+".not", depth+1)
	case c.Condition != nil:
		return codes("condition", c.Condition.Codes, true)
	case c.Observation != nil:
		o := c.Observation
		if len(o.Codes) == 0 && len(o.Where) == 0 {
			return bad("observation needs codes or where")
		}
		if err := codes("observation", o.Codes, false); err != nil {
			return err
		}
		if err := comps("where", o.Where); err != nil {
			return err
		}
		if err := comps("components", o.Components); err != nil {
			return err
		}
		return value("observation", o.Value)
	case c.Variant != nil:
		if err := codes("variant gene", c.Variant.Genes, true); err != nil {
			return err
		}
		return codes("variant", c.Variant.Variants, false)
	case c.Age != nil:
		if c.Age.Min == nil && c.Age.Max == nil {
			return bad("age needs min or max")
		}
		if c.Age.Min != nil && c.Age.Max != nil && *c.Age.Min > *c.Age.Max {
			return bad("age min %d above max %d", *c.Age.Min, *c.Age.Max)
		}
	case c.Sex != nil:
		if len(c.Sex) == 0 {
			return bad("sex needs at least one value")
		}
		for _, s := range c.Sex {
			if !genders[s] {
				return bad("sex %q is not male, female, other or unknown", s)
			}
		}
	}
	return nil
}

// isLeaf reports whether c tests the patient directly.
func (c *Criterion) isLeaf() bool {
	return c.And == nil && c.Or == nil && c.Not == nil
}

// defaultKey: condition, observation and variant leaves are key by default.
func (c *Criterion) defaultKey() bool {
	if c.Key != nil {
		return *c.Key
	}
	return c.Condition != nil || c.Observation != nil || c.Variant != nil
}

// Describe is the criterion's label, or one generated from its test.
func (c *Criterion) Describe() string {
	if c.Label != "" {
		return c.Label
	}
	short := func(cs []string) string {
		out := make([]string, len(cs))
		for i, k := range cs {
			out[i] = shortCoding(k)
		}
		return strings.Join(out, " or ")
	}
	switch {
	case c.Condition != nil:
		return "condition " + short(c.Condition.Codes)
	case c.Observation != nil:
		o := c.Observation
		s := "observation " + short(o.Codes)
		for _, w := range o.Where {
			s += " where " + short(w.Codes) + describeValue(w.Value)
		}
		s += describeValue(o.Value)
		for _, ct := range o.Components {
			s += " with " + short(ct.Codes) + describeValue(ct.Value)
		}
		return strings.TrimSpace(s)
	case c.Variant != nil:
		s := short(c.Variant.Genes) + " variant"
		if len(c.Variant.Variants) > 0 {
			s += " " + short(c.Variant.Variants)
		}
		return s
	case c.Age != nil:
		switch {
		case c.Age.Min != nil && c.Age.Max != nil:
			return fmt.Sprintf("age %d–%d", *c.Age.Min, *c.Age.Max)
		case c.Age.Min != nil:
			return fmt.Sprintf("age ≥ %d", *c.Age.Min)
		default:
			return fmt.Sprintf("age ≤ %d", *c.Age.Max)
		}
	case c.Sex != nil:
		return "sex " + strings.Join(c.Sex, " or ")
	case c.Unsupported != "":
		return "unsupported criterion"
	case c.Not != nil:
		return "no " + c.Not.Describe()
	case c.And != nil:
		return "all of " + fmt.Sprint(len(c.And))
	case c.Or != nil:
		return "one of " + fmt.Sprint(len(c.Or))
	}
	return "empty criterion"
}

func describeValue(v *ValueTest) string {
	if v == nil {
		return ""
	}
	var parts []string
	for _, k := range v.Codes {
		parts = append(parts, shortCoding(k))
	}
	parts = append(parts, v.Text...)
	s := ""
	if len(parts) > 0 {
		s = " = " + strings.Join(parts, " or ")
	}
	if q := v.Quantity; q != nil {
		s += " " + describeQuantity(q)
	}
	return s
}

func describeQuantity(q *QuantityTest) string {
	u := ""
	if q.Unit != "" {
		u = " " + q.Unit
	}
	switch {
	case q.Value != nil:
		c := q.Comparator
		if c == "" {
			c = "="
		}
		return fmt.Sprintf("%s %g%s", c, *q.Value, u)
	case q.Low != nil && q.High != nil:
		return fmt.Sprintf("%g–%g%s", *q.Low, *q.High, u)
	case q.Low != nil:
		return fmt.Sprintf(">= %g%s", *q.Low, u)
	case q.High != nil:
		return fmt.Sprintf("<= %g%s", *q.High, u)
	}
	return ""
}

// Hierarchy maps a code to its children ("system|code" → children), for
// condition descendants. It is applied transitively.
type Hierarchy map[string][]string

// DefaultHierarchy is the small built-in descendant map: SNOMED CT non-small
// cell lung cancer (254637007) and the disorders below it that records carry
// (SNOMED CT International: histological subtypes and the TNM-staged concepts
// Synthea emits).
func DefaultHierarchy() Hierarchy {
	s := func(code string) string { return Coding(SystemSNOMED, code) }
	return Hierarchy{
		s("254637007"): { // Non-small cell lung cancer
			s("254626006"), // Adenocarcinoma of lung
			s("254634000"), // Squamous cell carcinoma of lung
			s("254629004"), // Large cell carcinoma of lung
			s("424132000"), // Non-small cell carcinoma of lung, TNM stage 1
			s("425048006"), // Non-small cell carcinoma of lung, TNM stage 2
			s("422968005"), // Non-small cell carcinoma of lung, TNM stage 3
			s("423121009"), // Non-small cell carcinoma of lung, TNM stage 4
		},
	}
}

// expand returns codes with every descendant under h.
func (h Hierarchy) expand(codes []string) map[string]bool {
	out := map[string]bool{}
	var walk func(c string)
	walk = func(c string) {
		if out[c] {
			return
		}
		out[c] = true
		for _, k := range h[c] {
			walk(k)
		}
	}
	for _, c := range codes {
		walk(c)
	}
	return out
}

// icdPrefix reports whether patient code p is criterion code c or below it in
// ICD-10's hierarchy of code prefixes (same system; dots ignored).
func icdPrefix(c, p string) bool {
	cs, cc := splitCoding(c)
	ps, pc := splitCoding(p)
	if cs != ps || (cs != SystemICD10 && cs != SystemICD10CM) {
		return false
	}
	cc = strings.ReplaceAll(cc, ".", "")
	pc = strings.ReplaceAll(pc, ".", "")
	return cc != "" && strings.HasPrefix(pc, cc)
}

// Facts are what eligibility is evaluated against: the patient's index
// entries and demographics, and now (for age).
type Facts struct {
	Patient      *store.Demographics
	Conditions   []store.Item
	Observations []store.Item
	Now          time.Time
}

// TrialOptions tunes Evaluate.
type TrialOptions struct {
	// Hierarchy is the descendant map for condition codes. Nil means
	// DefaultHierarchy(); an empty, non-nil map turns descendants off.
	Hierarchy Hierarchy
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

// NewlyMatched reports whether cur is a match that prev was not: the moment to
// notify.
func NewlyMatched(prev, cur Evaluation) bool { return cur.Match && !prev.Match }

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
	e := &evaluator{facts: f, hier: h}
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
		// An exclusion ("has no X"): one finding, "no X", met when X is not met.
		o, why := e.leaf(c.Not)
		fo := not(o)
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
	o, why := e.leaf(c)
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

// leaf evaluates one test against the facts, with why in words.
func (e *evaluator) leaf(c *Criterion) (Outcome, string) {
	switch {
	case c.Condition != nil:
		return e.condition(c.Condition)
	case c.Observation != nil:
		return e.observation(c.Observation)
	case c.Variant != nil:
		return e.variant(c.Variant)
	case c.Age != nil:
		return e.age(c.Age)
	case c.Sex != nil:
		return e.sex(c.Sex)
	case c.Unsupported != "":
		return NotEvaluable, c.Unsupported
	}
	return NotEvaluable, "empty criterion"
}

// usableCondition: a Condition that is on the record (any clinical status).
func usableCondition(m *store.Meta) bool {
	switch m.Status {
	case "", "active", "recurrence", "relapse", "inactive", "remission", "resolved":
		return true
	}
	return false
}

func activeCondition(m *store.Meta) bool {
	switch m.Status {
	case "", "active", "recurrence", "relapse":
		return true
	}
	return false
}

// condition: met by a matching Condition (active, unless AnyStatus); not met
// when the patient has a problem list without one (or only an inactive one);
// not evaluable when the patient has no Conditions at all.
func (e *evaluator) condition(t *ConditionTest) (Outcome, string) {
	want := map[string]bool{}
	for _, c := range t.Codes {
		want[c] = true
	}
	if !t.Exact {
		want = e.hier.expand(t.Codes)
	}
	matches := func(code string) bool {
		if want[code] {
			return true
		}
		if !t.Exact {
			for _, c := range t.Codes {
				if icdPrefix(c, code) {
					return true
				}
			}
		}
		return false
	}
	var inactive *store.Item
	for i := range e.facts.Conditions {
		it := &e.facts.Conditions[i]
		if !usableCondition(&it.Meta) {
			continue
		}
		hit := false
		for _, code := range it.Meta.Codes {
			if matches(code) {
				hit = true
				break
			}
		}
		if !hit {
			continue
		}
		if t.AnyStatus || activeCondition(&it.Meta) {
			return Met, fmt.Sprintf("%s (%s)", it.Key(), statusWord(it.Meta.Status))
		}
		inactive = it
	}
	switch {
	case inactive != nil:
		return NotMet, fmt.Sprintf("%s is %s", inactive.Key(), inactive.Meta.Status)
	case !e.hasConditions:
		return NotEvaluable, "no Conditions on record"
	}
	return NotMet, "not on the problem list"
}

// usableObservation: Observation statuses that carry a result.
func usableObservation(m *store.Meta) bool {
	switch m.Status {
	case "final", "amended", "corrected", "preliminary":
		return true
	}
	return false
}

// latestFirst sorts candidates newest first, ties by Type/id, so "latest" is
// the same everywhere.
func latestFirst(its []*store.Item) {
	sort.Slice(its, func(i, j int) bool {
		a, b := its[i], its[j]
		if !a.Meta.Time.Equal(b.Meta.Time) {
			return a.Meta.Time.After(b.Meta.Time)
		}
		return a.Key() > b.Key()
	})
}

func (e *evaluator) observation(t *ObservationTest) (Outcome, string) {
	var cands []*store.Item
	for i := range e.facts.Observations {
		it := &e.facts.Observations[i]
		if !usableObservation(&it.Meta) {
			continue
		}
		if len(t.Codes) > 0 && !hasAny(it.Meta.Codes, t.Codes...) {
			continue
		}
		ok := true
		for _, w := range t.Where {
			if o, _ := componentTest(&it.Meta, &w); o != Met {
				ok = false
				break
			}
		}
		if ok {
			cands = append(cands, it)
		}
	}
	if len(cands) == 0 {
		return NotEvaluable, "no such result on record"
	}
	latestFirst(cands)
	if !t.Any {
		cands = cands[:1]
	}
	best, why := NotMet, ""
	for _, it := range cands {
		o, w := Met, "result present"
		if t.Value != nil {
			o, w = valueTest(it.Meta.ValueCode, it.Meta.ValueText, quantityOf(&it.Meta), t.Value)
		}
		for i := range t.Components {
			if co, cw := componentTest(&it.Meta, &t.Components[i]); kleene(co) < kleene(o) {
				if cw == "" {
					cw = missingComponent(&t.Components[i])
				}
				o, w = co, cw
			}
		}
		w = it.Key() + ": " + w
		if kleene(o) > kleene(best) || why == "" {
			best, why = o, w
		}
		if best == Met {
			break
		}
	}
	return best, why
}

// quantity is a numeric value with its comparator and unit.
type quantity struct {
	ok         bool
	value      float64
	comparator string
	unit       string
}

func quantityOf(m *store.Meta) quantity {
	return quantity{ok: m.HasValue, value: m.Value, comparator: m.Comparator, unit: m.Unit}
}

// componentTest finds a component with one of ct.Codes and tests its value.
func componentTest(m *store.Meta, ct *ComponentTest) (Outcome, string) {
	for i := range m.Components {
		comp := &m.Components[i]
		if !in(comp.Code, ct.Codes...) {
			continue
		}
		if ct.Value == nil {
			return Met, shortCoding(comp.Code) + " present"
		}
		return valueTest(comp.ValueCode, "", quantity{ok: comp.HasValue, value: comp.Value, unit: comp.Unit}, ct.Value)
	}
	return NotEvaluable, "" // the caller says which component, when it needs to
}

// missingComponent words a component test that found no component.
func missingComponent(ct *ComponentTest) string {
	names := make([]string, len(ct.Codes))
	for i, c := range ct.Codes {
		names[i] = shortCoding(c)
	}
	return "no " + strings.Join(names, " or ") + " component"
}

// valueTest decides a value against a test: a coding decides a coded test; a
// text without coding decides it only when it equals one of Text; a quantity
// decides a quantity test (see quantityTest).
func valueTest(code, text string, q quantity, t *ValueTest) (Outcome, string) {
	if len(t.Codes) > 0 || len(t.Text) > 0 {
		tt := strings.TrimSpace(text)
		textMatch := false
		for _, w := range t.Text {
			if tt != "" && strings.EqualFold(tt, strings.TrimSpace(w)) {
				textMatch = true
			}
		}
		sys, _ := splitCoding(code)
		sameSystem := false
		for _, c := range t.Codes {
			if s, _ := splitCoding(c); s == sys {
				sameSystem = true
			}
		}
		switch {
		case code != "" && in(code, t.Codes...):
			return Met, "value " + shortCoding(code)
		case textMatch:
			return Met, "value " + tt
		case code != "" && sameSystem:
			return NotMet, "value " + shortCoding(code)
		case t.Quantity != nil:
		case code != "":
			return NotEvaluable, "value " + shortCoding(code) + " is coded in another system"
		case tt != "":
			return NotEvaluable, fmt.Sprintf("value %q has no coding to compare", tt)
		default:
			return NotEvaluable, "no coded value"
		}
	}
	if t.Quantity != nil {
		return quantityTest(q, t.Quantity)
	}
	return NotEvaluable, "no value"
}

// interval is a set of reals with open or closed ends.
type interval struct {
	lo, hi         float64
	loOpen, hiOpen bool
}

func intervalOf(comparator string, v float64) interval {
	inf := math.Inf(1)
	switch comparator {
	case "<":
		return interval{lo: -inf, hi: v, loOpen: true, hiOpen: true}
	case "<=":
		return interval{lo: -inf, hi: v, loOpen: true}
	case ">":
		return interval{lo: v, hi: inf, loOpen: true, hiOpen: true}
	case ">=":
		return interval{lo: v, hi: inf, hiOpen: true}
	}
	return interval{lo: v, hi: v}
}

// within reports a ⊆ b.
func (a interval) within(b interval) bool {
	loOK := a.lo > b.lo || (a.lo == b.lo && (!b.loOpen || a.loOpen))
	hiOK := a.hi < b.hi || (a.hi == b.hi && (!b.hiOpen || a.hiOpen))
	return loOK && hiOK
}

// disjoint reports a ∩ b = ∅.
func (a interval) disjoint(b interval) bool {
	left := a.hi < b.lo || (a.hi == b.lo && (a.hiOpen || b.loOpen))
	right := b.hi < a.lo || (b.hi == a.lo && (b.hiOpen || a.loOpen))
	return left || right
}

// quantityTest: the value (with its own comparator, e.g. ">20") is an interval;
// met when it lies inside the test's, not met when they do not meet, else not
// evaluable ("<15" against "≥ 10").
func quantityTest(q quantity, t *QuantityTest) (Outcome, string) {
	if !q.ok || math.IsNaN(q.value) {
		return NotEvaluable, "no numeric value"
	}
	if t.Unit != "" && ucumBase(q.unit) != ucumBase(t.Unit) {
		return NotEvaluable, fmt.Sprintf("unit %q is not %q", q.unit, t.Unit)
	}
	var want interval
	if t.Value != nil {
		want = intervalOf(t.Comparator, *t.Value)
	} else {
		inf := math.Inf(1)
		want = interval{lo: -inf, hi: inf, loOpen: true, hiOpen: true}
		if t.Low != nil {
			want.lo, want.loOpen = *t.Low, false
		}
		if t.High != nil {
			want.hi, want.hiOpen = *t.High, false
		}
	}
	got := intervalOf(q.comparator, q.value)
	desc := fmt.Sprintf("value %s%g %s", q.comparator, q.value, q.unit)
	desc = strings.TrimSpace(desc)
	switch {
	case got.within(want):
		return Met, desc
	case got.disjoint(want):
		return NotMet, desc
	}
	return NotEvaluable, desc + " cannot be compared " + describeQuantity(t)
}

// variant: see VariantTest.
func (e *evaluator) variant(t *VariantTest) (Outcome, string) {
	gene := &ComponentTest{Codes: []string{CodeGeneStudied}, Value: &ValueTest{Codes: t.Genes}}
	var cands []*store.Item
	for i := range e.facts.Observations {
		it := &e.facts.Observations[i]
		if !usableObservation(&it.Meta) {
			continue
		}
		if o, _ := componentTest(&it.Meta, gene); o == Met {
			cands = append(cands, it)
		}
	}
	if len(cands) == 0 {
		return NotEvaluable, "gene not tested"
	}
	latestFirst(cands)
	best, why := NotMet, ""
	for _, it := range cands {
		o, w := variantOutcome(&it.Meta, t.Variants)
		w = it.Key() + ": " + w
		if kleene(o) > kleene(best) || why == "" {
			best, why = o, w
		}
		if best == Met {
			break
		}
	}
	return best, why
}

// variantOutcome reads one genomic Observation about the gene.
func variantOutcome(m *store.Meta, want []string) (Outcome, string) {
	negative := in(m.ValueCode, negativeCodes...) || negativeWord(m.ValueText)
	positive := in(m.ValueCode, positiveCodes...) || positiveWord(m.ValueText)
	if negative {
		return NotMet, "not detected"
	}
	var found []string
	for _, c := range m.Components {
		if in(c.Code, variantCodes...) && c.ValueCode != "" {
			found = append(found, c.ValueCode)
		}
	}
	if len(want) == 0 {
		if positive || len(found) > 0 {
			return Met, "variant detected"
		}
		return NotEvaluable, "result does not say detected or not"
	}
	for _, f := range found {
		if in(f, want...) {
			return Met, "variant " + shortCoding(f) + " detected"
		}
	}
	if len(found) > 0 {
		return NotMet, "other variant " + shortCoding(found[0])
	}
	return NotEvaluable, "detected, variant not named"
}

func positiveWord(t string) bool {
	switch strings.ToLower(strings.TrimSpace(t)) {
	case "detected", "present", "positive":
		return true
	}
	return false
}

func negativeWord(t string) bool {
	switch strings.ToLower(strings.TrimSpace(t)) {
	case "not detected", "absent", "negative":
		return true
	}
	return false
}

// age: completed years at Now. A partial birth date (YYYY or YYYY-MM) gives a
// range of possible ages; met when all of it is inside, not met when none is.
func (e *evaluator) age(r *AgeRange) (Outcome, string) {
	p := e.facts.Patient
	if p == nil || p.BirthDate == "" {
		return NotEvaluable, "no birth date"
	}
	if e.facts.Now.IsZero() {
		return NotEvaluable, "no evaluation time"
	}
	earliest, latest, err := birthRange(p.BirthDate)
	if err != nil {
		return NotEvaluable, "birth date unreadable"
	}
	maxAge, minAge := ageAt(earliest, e.facts.Now), ageAt(latest, e.facts.Now)
	if minAge < 0 {
		return NotEvaluable, "birth date after now"
	}
	inf := math.Inf(1)
	want := interval{lo: -inf, hi: inf, loOpen: true, hiOpen: true}
	if r.Min != nil {
		want.lo, want.loOpen = float64(*r.Min), false
	}
	if r.Max != nil {
		want.hi, want.hiOpen = float64(*r.Max), false
	}
	got := interval{lo: float64(minAge), hi: float64(maxAge)}
	why := fmt.Sprintf("age %d", minAge)
	if maxAge != minAge {
		why = fmt.Sprintf("age %d–%d (partial birth date)", minAge, maxAge)
	}
	switch {
	case got.within(want):
		return Met, why
	case got.disjoint(want):
		return NotMet, why
	}
	return NotEvaluable, why
}

// birthRange is the first and last day a FHIR date (YYYY, YYYY-MM,
// YYYY-MM-DD) could mean.
func birthRange(d string) (time.Time, time.Time, error) {
	if t, err := time.Parse("2006-01-02", d); err == nil {
		return t, t, nil
	}
	if t, err := time.Parse("2006-01", d); err == nil {
		return t, t.AddDate(0, 1, -1), nil
	}
	if t, err := time.Parse("2006", d); err == nil {
		return t, t.AddDate(1, 0, -1), nil
	}
	if len(d) > 10 {
		return birthRange(d[:10])
	}
	return time.Time{}, time.Time{}, fmt.Errorf("birth date %q", d)
}

// ageAt is the number of birthdays completed by now's calendar date (someone
// born on 29 February turns a year older on 1 March in common years).
func ageAt(birth, now time.Time) int {
	y := now.Year() - birth.Year()
	if now.Month() < birth.Month() || (now.Month() == birth.Month() && now.Day() < birth.Day()) {
		y--
	}
	return y
}

func (e *evaluator) sex(want []string) (Outcome, string) {
	p := e.facts.Patient
	if p == nil || p.Sex == "" || p.Sex == "unknown" {
		return NotEvaluable, "sex not recorded"
	}
	for _, w := range want {
		if p.Sex == w {
			return Met, "sex " + p.Sex
		}
	}
	return NotMet, "sex " + p.Sex
}
