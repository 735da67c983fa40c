package record

import (
	"strconv"
	"strings"
	"time"

	"github.com/chartline/chartline/store"
)

// deriver fills a Meta from a parsed resource. It reads tolerantly: a lone
// object where an array belongs, a STU3 code string where R4 has a
// CodeableConcept, a decimal in a string all still give their value.
type deriver struct {
	d    *doc
	root int32
	typ  string
	m    *store.Meta
	c    *checker
}

// derive fills m (all but Problems and Source) from resource root of type typ.
// Problems found on the way (an unreadable date) go to c.
func derive(d *doc, root int32, typ string, m *store.Meta, c *checker) {
	x := deriver{d: d, root: root, typ: typ, m: m, c: c}
	meta := d.get(root, "meta")
	m.Version = d.text(d.get(meta, "versionId"))
	if n := d.get(meta, "lastUpdated"); n >= 0 {
		if t, ok := x.parse("meta.lastUpdated", n); ok {
			m.LastUpdated = t
		}
	}
	m.Category = categories[typ]
	m.Status = d.text(d.get(root, "status"))
	switch typ {
	case "Patient":
		x.patient()
	case "Observation":
		x.observation()
	case "Condition":
		x.condition()
	case "AllergyIntolerance":
		x.allergy()
	case "MedicationRequest":
		x.medication("dosageInstruction")
		x.when("authoredOn")
	case "MedicationStatement":
		x.medication("dosage")
		_ = x.choice("effective") || x.when("dateAsserted")
	case "MedicationAdministration":
		x.medication("dosage")
		x.choice("effective")
	case "MedicationDispense":
		x.medication("dosageInstruction")
		_ = x.when("whenHandedOver") || x.when("whenPrepared")
	case "Immunization":
		x.immunization()
	case "Procedure":
		x.coded("code", "completed")
		x.choice("performed")
	case "Encounter":
		x.encounter()
	case "DiagnosticReport":
		x.coded("code", "final")
		_ = x.choice("effective") || x.when("issued")
	case "DocumentReference":
		x.document()
	case "CarePlan":
		x.carePlan()
	case "Goal":
		x.goal()
	case "RiskAssessment":
		x.risk()
	case "ResearchStudy":
		x.study()
	case "ResearchSubject":
		x.subject()
	case "Group":
		x.group()
	case "Device":
		x.device()
	case "AuditEvent":
		x.audit()
	case "Claim", "ExplanationOfBenefit":
		x.claim()
	default:
		x.generic()
	}
	if m.Category == "" {
		m.Category = CategoryOther
	}
	if m.Time.IsZero() {
		m.Time = m.LastUpdated
	}
	if m.Status == "entered-in-error" && !strings.HasSuffix(m.Display, "(entered in error)") {
		m.Display = join(m.Display, "(entered in error)")
	}
	if m.Display == "" {
		m.Display = typ
	}
}

// ---- time

// parse reads a date/time string node, noting problems under path.
func (x *deriver) parse(path string, n int32) (t time.Time, ok bool) {
	if x.d.kindOf(n) != kString {
		return t, false
	}
	s := x.d.str(n)
	tt, lax, ok := parseTime(s)
	if !ok {
		x.c.note(path, "not a FHIR date/time %s", quoteShort(s))
		return t, false
	}
	if lax != "" {
		x.c.note(path, "%s %s", lax, quoteShort(s))
	}
	return tt, true
}

// when sets Meta.Time from element name of the resource, if readable.
func (x *deriver) when(name string) bool {
	n := x.d.get(x.root, name)
	if n < 0 {
		return false
	}
	t, ok := x.parse(name, n)
	if ok {
		x.m.Time = t
	}
	return ok
}

// period sets Time and End from a Period element.
func (x *deriver) period(name string) bool {
	p := x.d.get(x.root, name)
	if x.d.kindOf(p) != kObject {
		return false
	}
	if n := x.d.get(p, "end"); n >= 0 {
		if t, ok := x.parse(name+".end", n); ok {
			x.m.End = t
		}
	}
	if n := x.d.get(p, "start"); n >= 0 {
		if t, ok := x.parse(name+".start", n); ok {
			x.m.Time = t
			return true
		}
	}
	return false
}

// choice sets Time (and End) from a choice element prefix[x]: dateTime,
// instant, Period, Timing (its first event) or date.
func (x *deriver) choice(prefix string) bool {
	if x.when(prefix+"DateTime") || x.when(prefix+"Instant") || x.period(prefix+"Period") {
		return true
	}
	if ev := x.d.get(x.d.get(x.root, prefix+"Timing"), "event"); ev >= 0 {
		if x.d.kindOf(ev) == kArray {
			ev = x.d.first(ev)
		}
		if t, ok := x.parse(prefix+"Timing.event", ev); ok {
			x.m.Time = t
			return true
		}
	}
	return x.when(prefix + "Date")
}

// ---- codes and text

// codes appends every coding of n (a CodeableConcept, a Coding, or an array
// of either) to Meta.Codes as "system|code".
func (x *deriver) codes(n int32) {
	d := x.d
	e, cnt := d.list(n)
	for i := int32(0); i < cnt; i, e = i+1, d.next(e) {
		if d.kindOf(e) != kObject {
			continue
		}
		if cod := d.get(e, "coding"); cod >= 0 {
			c, cn := d.list(cod)
			for j := int32(0); j < cn; j, c = j+1, d.next(c) {
				x.coding(c)
			}
		} else {
			x.coding(e)
		}
	}
}

func (x *deriver) coding(c int32) {
	if k := codingKey(x.d, c); k != "" {
		x.m.Codes = append(x.m.Codes, k)
	}
}

// codingKey returns "system|code" of a Coding, "" without a code.
func codingKey(d *doc, c int32) string {
	code := d.rawText(d.get(c, "code"))
	if len(code) == 0 {
		return ""
	}
	sys := d.rawText(d.get(c, "system"))
	var b strings.Builder
	b.Grow(len(sys) + 1 + len(code))
	b.Write(sys)
	b.WriteByte('|')
	b.Write(code)
	return b.String()
}

// firstCoding returns "system|code" of the first coding of CodeableConcept n.
func firstCoding(d *doc, n int32) string {
	return codingKey(d, d.first(d.get(d.first(n), "coding")))
}

// conceptText is what a clinician reads for a CodeableConcept (or a Coding,
// or a bare code string): its text, else the first coding's display, else
// the first code; a SNOMED CT semantic tag is dropped.
func conceptText(d *doc, n int32) string { return TrimSemanticTag(rawConceptText(d, n)) }

// rawConceptText is conceptText as written.
func rawConceptText(d *doc, n int32) string {
	if d.kindOf(n) == kString {
		return d.text(n)
	}
	n = d.first(n)
	if n < 0 {
		return ""
	}
	if s := d.text(d.get(n, "text")); s != "" {
		return s
	}
	c, cn := d.list(d.get(n, "coding"))
	if cn == 0 {
		c, cn = n, 1 // a Coding
	}
	first := ""
	for i := int32(0); i < cn; i, c = i+1, d.next(c) {
		if s := d.text(d.get(c, "display")); s != "" {
			return s
		}
		if first == "" {
			first = d.text(d.get(c, "code"))
		}
	}
	return first
}

// statusCode reads a status that R4 holds as a CodeableConcept
// (clinicalStatus) and STU3 as a code string.
func statusCode(d *doc, n int32) string {
	if d.kindOf(n) == kString {
		return d.text(n)
	}
	n = d.first(n)
	if c := d.text(d.at(n, "coding", "code")); c != "" {
		return c
	}
	return d.text(d.get(n, "text"))
}

// hasCode reports whether CodeableConcept n has a coding with this code (in
// system, or in any system when system is "").
func hasCode(d *doc, n int32, system, code string) bool {
	c, cn := d.list(d.get(d.first(n), "coding"))
	for i := int32(0); i < cn; i, c = i+1, d.next(c) {
		if d.is(d.get(c, "code"), code) && (system == "" || d.is(d.get(c, "system"), system)) {
			return true
		}
	}
	return false
}

// join joins non-empty parts with a space.
func join(parts ...string) string {
	n := 0
	for _, p := range parts {
		if p != "" {
			n += len(p) + 1
		}
	}
	var b strings.Builder
	b.Grow(n)
	for _, p := range parts {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p)
	}
	return b.String()
}

// paren returns "(s)", or "" for an empty s.
func paren(s string) string {
	if s == "" {
		return ""
	}
	return "(" + s + ")"
}

// statusWords renders a status code for a display: "entered-in-error" reads
// "entered in error".
func statusWords(s string) string { return strings.ReplaceAll(s, "-", " ") }

// ---- quantities

// quantity is a Quantity as Meta and Display want it. Its strings are read
// from the document only when asked for, so reading a value allocates nothing.
// The zero quantity is an absent one.
type quantity struct {
	d                       *doc
	val, comp, unitN, codeN int32
	ucum                    bool
	value                   float64
	ok                      bool
}

func readQuantity(d *doc, q int32) quantity {
	r := quantity{d: d, val: -1, comp: -1, unitN: -1, codeN: -1}
	if d.kindOf(q) != kObject {
		return r
	}
	r.val = d.get(q, "value")
	r.value, r.ok = d.number(r.val)
	r.comp = d.get(q, "comparator")
	r.unitN = d.get(q, "unit")
	r.codeN = d.get(q, "code")
	r.ucum = d.is(d.get(q, "system"), SystemUCUM)
	return r
}

// lit is the number as written.
func (q quantity) lit() string {
	if !q.ok {
		return ""
	}
	return q.d.literal(q.val)
}

// comparator is "<", "<=", ">=" or ">", or "".
func (q quantity) comparator() string {
	if q.d == nil {
		return ""
	}
	return q.d.text(q.comp)
}

// unit is the UCUM code when the quantity is coded in UCUM, else the unit text.
func (q quantity) unit() string {
	if q.d == nil {
		return ""
	}
	if code := q.d.text(q.codeN); code != "" && q.ucum {
		return code
	}
	if text := q.d.text(q.unitN); text != "" {
		return text
	}
	return q.d.text(q.codeN)
}

// shown is the unit a clinician reads: the unit text, else the code, as
// HumanUnit renders it (feeds often copy the UCUM code into the text).
func (q quantity) shown() string {
	if q.d == nil {
		return ""
	}
	if text := q.d.text(q.unitN); text != "" {
		return HumanUnit(text)
	}
	return HumanUnit(q.d.text(q.codeN))
}

// String renders "<5.2 mmol/L".
func (q quantity) String() string {
	if !q.ok {
		return ""
	}
	return join(q.comparator()+q.lit(), q.shown())
}

// setValue puts a quantity into Meta's value fields.
func (x *deriver) setValue(q quantity) {
	if !q.ok {
		return
	}
	x.m.Value, x.m.HasValue = q.value, true
	x.m.Comparator = q.comparator()
	x.m.Unit = q.unit()
}

// setRange puts a Range (or a reference range) into Low/High.
func (x *deriver) setRange(r int32) (low, high quantity) {
	low = readQuantity(x.d, x.d.get(r, "low"))
	high = readQuantity(x.d, x.d.get(r, "high"))
	if low.ok {
		x.m.Low, x.m.HasLow = low.value, true
	}
	if high.ok {
		x.m.High, x.m.HasHigh = high.value, true
	}
	return low, high
}

// rangeText renders a range "3.9–5.5 mmol/L", "≥ 60", "≤ 5.7"; unit false
// leaves the unit out.
func rangeText(low, high quantity, unit bool) string {
	u := func(q quantity) string {
		if !unit {
			return ""
		}
		return q.shown()
	}
	switch {
	case low.ok && high.ok:
		shown := u(high)
		if shown == "" {
			shown = u(low)
		}
		return join(low.lit()+"–"+high.lit(), shown)
	case low.ok:
		return join("≥ "+low.lit(), u(low))
	case high.ok:
		return join("≤ "+high.lit(), u(high))
	}
	return ""
}

// formatNumber renders a float without a needless exponent or trailing zeros.
func formatNumber(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}
