package clinical

import (
	"errors"
	"fmt"
	"strings"
)

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
	// ValueSet names a ValueSet whose expansion is part of the concept
	// ("ValueSet/<id>" or its canonical url); Study.WithValueSets adds its
	// codes to Codes. Until then, a test with no codes is not evaluable.
	ValueSet string `json:"valueSet,omitempty"`
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
// Unit, when set, is the bound's UCUM unit: a value in a commensurable unit
// is converted (trials_units.go says how equivalence is decided), one in
// another unit is not evaluable.
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
	if kinds := c.kinds(); kinds != 1 {
		return fmt.Errorf("%s: a criterion needs exactly one of and, or, not, condition, observation, variant, age, sex (has %d): %w", path, kinds, ErrInvalidCriteria)
	}
	at := criterionPath(path)
	switch {
	case c.And != nil || c.Or != nil:
		kids, op := c.And, "and"
		if c.Or != nil {
			kids, op = c.Or, "or"
		}
		if len(kids) == 0 {
			return at.bad("%s needs at least one criterion", op)
		}
		for i := range kids {
			if err := kids[i].validate(fmt.Sprintf("%s.%s[%d]", path, op, i), depth+1); err != nil {
				return err
			}
		}
	case c.Not != nil:
		return c.Not.validate(path+".not", depth+1)
	case c.Condition != nil:
		return at.codes("condition", c.Condition.Codes, c.Condition.ValueSet == "")
	case c.Observation != nil:
		return at.observation(c.Observation)
	case c.Variant != nil:
		if err := at.codes("variant gene", c.Variant.Genes, true); err != nil {
			return err
		}
		return at.codes("variant", c.Variant.Variants, false)
	case c.Age != nil:
		if c.Age.Min == nil && c.Age.Max == nil {
			return at.bad("age needs min or max")
		}
		if c.Age.Min != nil && c.Age.Max != nil && *c.Age.Min > *c.Age.Max {
			return at.bad("age min %d above max %d", *c.Age.Min, *c.Age.Max)
		}
	case c.Sex != nil:
		if len(c.Sex) == 0 {
			return at.bad("sex needs at least one value")
		}
		for _, s := range c.Sex {
			if !genders[s] {
				return at.bad("sex %q is not male, female, other or unknown", s)
			}
		}
	}
	return nil
}

// kinds counts the kinds of node c is (a valid criterion is exactly one).
func (c *Criterion) kinds() int {
	kinds := 0
	for _, b := range []bool{c.And != nil, c.Or != nil, c.Not != nil, c.Condition != nil, c.Observation != nil,
		c.Variant != nil, c.Age != nil, c.Sex != nil, c.Unsupported != ""} {
		if b {
			kinds++
		}
	}
	return kinds
}

// criterionPath is where a criterion stands in its tree ("$.and[0]"); its
// methods check the criterion's parts and say the path in their errors.
type criterionPath string

// bad is an ErrInvalidCriteria error at the path.
func (at criterionPath) bad(format string, a ...any) error {
	return fmt.Errorf("%s: %s: %w", string(at), fmt.Sprintf(format, a...), ErrInvalidCriteria)
}

// codes checks that every code is "system|code", and that there is one when need is set.
func (at criterionPath) codes(what string, cs []string, need bool) error {
	if need && len(cs) == 0 {
		return at.bad("%s needs codes", what)
	}
	for _, k := range cs {
		if !validCoding(k) {
			return at.bad("%s code %q is not \"system|code\"", what, k)
		}
	}
	return nil
}

// observation checks an observation test: codes or where, its components and value.
func (at criterionPath) observation(o *ObservationTest) error {
	if len(o.Codes) == 0 && len(o.Where) == 0 {
		return at.bad("observation needs codes or where")
	}
	if err := at.codes("observation", o.Codes, false); err != nil {
		return err
	}
	if err := at.components("where", o.Where); err != nil {
		return err
	}
	if err := at.components("components", o.Components); err != nil {
		return err
	}
	return at.value("observation", o.Value)
}

// value checks a value test, if any: not empty, codes well formed, and a
// quantity with either a comparator and value or an ordered low/high.
func (at criterionPath) value(what string, v *ValueTest) error {
	if v == nil {
		return nil
	}
	if len(v.Codes) == 0 && len(v.Text) == 0 && v.Quantity == nil {
		return at.bad("%s value test is empty", what)
	}
	if err := at.codes(what+" value", v.Codes, false); err != nil {
		return err
	}
	if q := v.Quantity; q != nil {
		if (q.Value != nil) == (q.Low != nil || q.High != nil) {
			return at.bad("%s quantity needs either comparator and value, or low/high", what)
		}
		if q.Value != nil {
			switch q.Comparator {
			case "", "=", "<", "<=", ">", ">=":
			default:
				return at.bad("%s comparator %q", what, q.Comparator)
			}
		}
		if q.Low != nil && q.High != nil && *q.Low > *q.High {
			return at.bad("%s range low %g above high %g", what, *q.Low, *q.High)
		}
	}
	return nil
}

// components checks each component test's codes and value.
func (at criterionPath) components(what string, cts []ComponentTest) error {
	for i, ct := range cts {
		if err := at.codes(fmt.Sprintf("%s[%d]", what, i), ct.Codes, true); err != nil {
			return err
		}
		if err := at.value(fmt.Sprintf("%s[%d]", what, i), ct.Value); err != nil {
			return err
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
		if len(c.Condition.Codes) == 0 {
			return "condition in " + c.Condition.ValueSet
		}
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
