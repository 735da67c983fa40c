package clinical

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/store"
)

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
//
// The concept is the test's codes, their descendants and ICD prefixes (see
// trials_terminology.go). inside reports a record inside the concept.
func (e *evaluator) condition(t *ConditionTest) (Outcome, string, bool) {
	if len(t.Codes) == 0 {
		return NotEvaluable, fmt.Sprintf("value set %s is not on trials.studies", t.ValueSet), false
	}
	concept := newConcept(t.Codes, e.hier, t.Exact)
	var inactive *store.Item
	for i := range e.facts.Conditions {
		it := &e.facts.Conditions[i]
		if !usableCondition(&it.Meta) {
			continue
		}
		if !concept.hasAny(it.Meta.Codes) {
			continue
		}
		if t.AnyStatus || activeCondition(&it.Meta) {
			return Met, fmt.Sprintf("%s (%s)", conditionName(it), statusWord(it.Meta.Status)), true
		}
		inactive = it
	}
	switch {
	case inactive != nil:
		return NotMet, fmt.Sprintf("%s (%s)", conditionName(inactive), inactive.Meta.Status), true
	case !e.hasConditions:
		return NotEvaluable, "no Conditions on record", false
	}
	return NotMet, "not on record — confirm", false
}

// conditionName names a Condition for a finding: its display line without
// the status it ends with or a SNOMED CT semantic tag, else "unnamed
// condition" (never a bare resource id).
func conditionName(it *store.Item) string {
	d := strings.TrimSpace(it.Meta.Display)
	if st := it.Meta.Status; st != "" {
		d = strings.TrimSpace(strings.TrimSuffix(d, "("+st+")"))
	}
	if d = record.TrimSemanticTag(d); d != "" {
		return d
	}
	return "unnamed condition"
}

// resultName names an Observation for a finding by its clinical date ("result
// of 20 Nov 2026"), never by its resource id.
func resultName(it *store.Item) string {
	if it.Meta.Time.IsZero() {
		return "undated result"
	}
	return "result of " + it.Meta.Time.UTC().Format("2 Jan 2006")
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
	codes := e.alts.expand(t.Codes) // every code reporting the same finding
	var cands []*store.Item
	scan := func(yield func(int) bool) { // the Observations that can carry codes, in order
		if idx, ok := e.facts.observationsCoded(codes); ok && len(codes) > 0 {
			for _, i := range idx {
				if !yield(i) {
					return
				}
			}
			return
		}
		for i := range e.facts.Observations {
			if !yield(i) {
				return
			}
		}
	}
	for i := range scan {
		it := &e.facts.Observations[i]
		if !usableObservation(&it.Meta) {
			continue
		}
		if len(codes) > 0 && !hasAny(it.Meta.Codes, codes...) {
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
		w = resultName(it) + ": " + w
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
		codes := answerEquivalents.expand(t.Codes) // "positive" in SNOMED CT and in LOINC answers
		sys, _ := splitCoding(code)
		sameSystem := false
		for _, c := range codes {
			if s, _ := splitCoding(c); s == sys {
				sameSystem = true
			}
		}
		switch {
		case code != "" && in(code, codes...):
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
	value := q.value
	if t.Unit != "" {
		v, ok, why := convertUnit(q.value, q.unit, t.Unit)
		if !ok {
			return NotEvaluable, why
		}
		value = v
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
	got := intervalOf(q.comparator, value)
	desc := fmt.Sprintf("value %s%g %s", q.comparator, q.value, record.HumanUnit(q.unit))
	if value != q.value {
		desc += fmt.Sprintf(" (%g %s)", value, record.HumanUnit(t.Unit))
	}
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
		w = resultName(it) + ": " + w
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

// age: completed years at Now, or at death for the dead. A partial birth date (YYYY or YYYY-MM) gives a
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
	// the dead are as old as they were at death, never as old as they would be now
	at, atDeath := e.facts.Now, ""
	if t, ok := record.DeathTime(p); ok {
		at, atDeath = t, " at death"
	}
	maxAge, minAge := ageAt(earliest, at), ageAt(latest, at)
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
	why := fmt.Sprintf("age %d%s", minAge, atDeath)
	if maxAge != minAge {
		why = fmt.Sprintf("age %d–%d%s (partial birth date)", minAge, maxAge, atDeath)
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
