package record

import (
	"strconv"
	"strings"

	"github.com/chartline/chartline/store"
)

// The per-type halves of derive: each fills Time, Display, Codes and the
// value fields of one resource type (Category and Status are preset).

func (x *deriver) patient() {
	p := demographics(x.d, x.root)
	x.m.Patient = p
	x.m.Display = p.Name
	if v, ok := x.d.boolean(x.d.get(x.root, "active")); ok && !v {
		x.m.Status = "inactive"
	}
}

func (x *deriver) observation() {
	d, m, root := x.d, x.m, x.root
	code := d.get(root, "code")
	x.codes(code)
	loincFirst(m.Codes)
	m.Category = observationCategory(d, root, code)
	_ = x.choice("effective") || x.when("issued")

	name := conceptText(d, code)
	m.Interpret = interpretation(d, d.get(root, "interpretation"))

	// value[x]
	var value string
	if q := readQuantity(d, d.get(root, "valueQuantity")); q.ok {
		x.setValue(q)
		value = q.String()
	} else if v, lit, ok := d.num(d.get(root, "valueInteger")); ok {
		m.Value, m.HasValue = v, true
		value = lit
	} else if cc := d.get(root, "valueCodeableConcept"); cc >= 0 {
		m.ValueCode = firstCoding(d, cc)
		m.ValueText = conceptText(d, cc)
		value = ": " + m.ValueText
	} else if s := d.text(d.get(root, "valueString")); s != "" {
		m.ValueText = s
		value = ": " + s
	} else if b, ok := d.boolean(d.get(root, "valueBoolean")); ok {
		m.ValueText = strconv.FormatBool(b)
		value = ": no"
		if b {
			value = ": yes"
		}
	} else if r := d.get(root, "valueRange"); r >= 0 {
		value = rangeText(readQuantity(d, d.get(r, "low")), readQuantity(d, d.get(r, "high")), true)
	} else if r := d.get(root, "valueRatio"); r >= 0 {
		value = ratioText(d, r)
	} else if s := d.text(d.get(root, "valueDateTime")); s != "" {
		m.ValueText = s
		value = ": " + s
	} else if s := d.text(d.get(root, "valueTime")); s != "" {
		m.ValueText = s
		value = ": " + s
	} else if dar := d.get(root, "dataAbsentReason"); dar >= 0 {
		value = "(no value: " + conceptText(d, dar) + ")"
	}

	// reference range (shown in Fields, not in the one-line display)
	if rr := d.first(d.get(root, "referenceRange")); rr >= 0 {
		x.setRange(rr)
	}

	// components
	comps, n := d.list(d.get(root, "component"))
	var parts []string
	var sys, dia quantity
	for i := int32(0); i < n; i, comps = i+1, d.next(comps) {
		cc := d.get(comps, "code")
		c := store.Component{Code: firstCoding(d, cc)}
		q := readQuantity(d, d.get(comps, "valueQuantity"))
		if q.ok {
			c.Value, c.HasValue, c.Unit = q.value, true, q.unit()
		} else if v, ok := d.number(d.get(comps, "valueInteger")); ok {
			c.Value, c.HasValue = v, true
		}
		vcc := d.get(comps, "valueCodeableConcept")
		c.ValueCode = firstCoding(d, vcc)
		m.Components = append(m.Components, c)
		switch {
		case hasCode(d, cc, SystemLOINC, LOINCSystolicBP):
			sys = q
		case hasCode(d, cc, SystemLOINC, LOINCDiastolicBP):
			dia = q
		}
		cv := q.String()
		if cv == "" {
			cv = conceptText(d, vcc)
		}
		if cv == "" {
			cv = d.text(d.get(comps, "valueString"))
		}
		parts = append(parts, join(conceptText(d, cc), cv))
	}

	switch {
	case hasCode(d, code, SystemLOINC, LOINCBloodPressure) || (sys.ok && dia.ok && value == ""):
		name = "Blood pressure"
		if sys.ok || dia.ok {
			unit := sys.shown()
			if unit == "" {
				unit = dia.shown()
			}
			value = join(orDash(sys.lit())+"/"+orDash(dia.lit()), unit)
		}
	case len(parts) > 0 && value == "":
		value = ": " + strings.Join(parts, ", ")
	case len(parts) > 0:
		value += " (" + strings.Join(parts, ", ") + ")"
	}
	display := name
	if strings.HasPrefix(value, ": ") {
		display += value
	} else {
		display = join(name, value)
	}
	m.Display = join(display, paren(m.Interpret))
	if m.Status != "final" && m.Status != "amended" && m.Status != "corrected" && m.Status != "" {
		m.Display = join(m.Display, paren(statusWords(m.Status)))
	}
}

// ratioText renders a Ratio "1 / 128".
func ratioText(d *doc, r int32) string {
	num := readQuantity(d, d.get(r, "numerator")).String()
	den := readQuantity(d, d.get(r, "denominator")).String()
	if num == "" || den == "" {
		return num + den
	}
	return num + " / " + den
}

// orDash returns s, or "–" when empty.
func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// statusWords renders a status code for a display: "entered-in-error" reads
// "entered in error".
func statusWords(s string) string { return strings.ReplaceAll(s, "-", " ") }

// loincFirst moves the first LOINC coding of an Observation to the front of
// its codes when a local code came first: trends and result tables key on the
// first code, and the same test from two feeds must meet on its LOINC code.
func loincFirst(codes []string) {
	for i, c := range codes {
		if strings.HasPrefix(c, SystemLOINC+"|") {
			if i > 0 {
				copy(codes[1:i+1], codes[:i])
				codes[0] = c
			}
			return
		}
	}
}

// observationCategory decides an Observation's category from its category
// codings, else from its code. A category of vital-signs, laboratory or
// imaging decides. Otherwise a vital-sign LOINC code among its codings (a
// second coding beside a local code too) makes it a vital sign when its
// category is exam, survey, local or absent; and a LOINC coding with a
// quantity makes it a laboratory result when its category is local or
// absent (feeds that code results locally first, such as HIV programme
// records, carry the LOINC code second). Other R4 categories (social
// history, procedure, therapy, activity) keep it an observation.
func observationCategory(d *doc, root, code int32) string {
	e, n := d.list(d.get(root, "category"))
	hl7Other, weak := false, false
	for i := int32(0); i < n; i, e = i+1, d.next(e) {
		c, cn := d.list(d.get(e, "coding"))
		for j := int32(0); j < cn; j, c = j+1, d.next(c) {
			cc := d.get(c, "code")
			switch {
			case d.is(cc, obsCategoryVitalSigns):
				return CategoryVitalSigns
			case d.is(cc, obsCategoryLaboratory):
				return CategoryLaboratory
			case d.is(cc, obsCategoryImaging):
				return CategoryImaging
			case d.is(cc, obsCategoryExam), d.is(cc, obsCategorySurvey):
				weak = true
			case cc >= 0 && d.is(d.get(c, "system"), systemObsCategory):
				hl7Other = true
			}
		}
	}
	if hl7Other {
		return CategoryObservation
	}
	loinc := false
	c, cn := d.list(d.get(d.first(code), "coding"))
	for j := int32(0); j < cn; j, c = j+1, d.next(c) {
		if d.is(d.get(c, "system"), SystemLOINC) {
			loinc = true
			if vitalSignCodes[d.text(d.get(c, "code"))] {
				return CategoryVitalSigns
			}
		}
	}
	if loinc && !weak && d.get(root, "valueQuantity") >= 0 {
		return CategoryLaboratory
	}
	return CategoryObservation
}

// interpretation reads the first interpretation code (H, L, HH, LL, A, N…).
func interpretation(d *doc, n int32) string {
	cc := d.first(n)
	if cc < 0 {
		return ""
	}
	if c := d.text(d.at(cc, "coding", "code")); c != "" {
		return c
	}
	return d.text(d.get(cc, "text"))
}

// clinical reads clinicalStatus and verificationStatus into Status; a
// verification of entered-in-error or refuted overrides the clinical status,
// so a filter on "active" never shows a condition that was never there.
func (x *deriver) clinical() string {
	d := x.d
	status := statusCode(d, d.get(x.root, "clinicalStatus"))
	shown := status
	switch v := statusCode(d, d.get(x.root, "verificationStatus")); v {
	case "entered-in-error", "refuted":
		status = v
		shown = statusWords(v)
	}
	x.m.Status = status
	return shown
}

func (x *deriver) condition() {
	d, root := x.d, x.root
	code := d.get(root, "code")
	x.codes(code)
	shown := x.clinical()
	x.m.Display = join(conceptText(d, code), paren(shown))
	if !x.choice("onset") && !x.when("recordedDate") {
		x.when("assertedDate") // STU3
	}
	// the end of a condition is its abatement
	if n := d.get(root, "abatementDateTime"); n >= 0 {
		if t, ok := x.parse("abatementDateTime", n); ok {
			x.m.End = t
		}
	} else if p := d.get(root, "abatementPeriod"); p >= 0 {
		if t, ok := x.parse("abatementPeriod.start", d.get(p, "start")); ok {
			x.m.End = t
		}
	}
}

func (x *deriver) allergy() {
	d, root, m := x.d, x.root, x.m
	code := d.get(root, "code")
	x.codes(code)
	shown := x.clinical()
	name := conceptText(d, code)
	if !IsNoKnownAllergy(*m) && name != "" && !containsFold(name, "allerg") && !containsFold(name, "intoleran") {
		if d.is(d.get(root, "type"), "intolerance") {
			name += " intolerance"
		} else {
			name += " allergy"
		}
	}
	var notes []string
	if d.is(d.get(root, "criticality"), "high") {
		notes = append(notes, "high criticality")
	}
	if shown != "" && shown != "active" {
		notes = append(notes, shown)
	}
	if len(notes) > 0 {
		name = join(name, paren(strings.Join(notes, ", ")))
	}
	m.Display = name
	if !x.choice("onset") && !x.when("recordedDate") {
		x.when("assertedDate") // STU3
	}
}

// medication fills a medication resource: its name, its first dosage, its codes.
func (x *deriver) medication(dosage string) {
	d, root, m := x.d, x.root, x.m
	var name string
	if cc := d.get(root, "medicationCodeableConcept"); cc >= 0 {
		x.codes(cc)
		name = conceptText(d, cc)
	} else if ref := d.get(root, "medicationReference"); ref >= 0 {
		name = d.text(d.get(ref, "display"))
		if r := d.str(d.get(ref, "reference")); strings.HasPrefix(r, "#") {
			// a contained Medication
			if med := containedByID(d, root, r[1:]); med >= 0 {
				x.codes(d.get(med, "code"))
				if name == "" {
					name = conceptText(d, d.get(med, "code"))
				}
			}
		}
		if name == "" {
			name = d.text(d.get(ref, "reference"))
		}
	}
	dose := dosageText(d, d.first(d.get(root, dosage)))
	if dose != "" {
		name += " — " + dose
	}
	if m.Status != "" && m.Status != "active" && m.Status != "completed" {
		name = join(name, paren(statusWords(m.Status)))
	}
	m.Display = name
}

// containedByID finds a contained resource by its local id.
func containedByID(d *doc, root int32, id string) int32 {
	e, n := d.list(d.get(root, "contained"))
	for i := int32(0); i < n; i, e = i+1, d.next(e) {
		if d.is(d.get(e, "id"), id) {
			return e
		}
	}
	return -1
}

// dosageText renders a Dosage: its text, else "1 tablet twice daily".
func dosageText(d *doc, dose int32) string {
	if d.kindOf(dose) != kObject {
		return ""
	}
	if s := d.text(d.get(dose, "text")); s != "" {
		return s
	}
	var parts []string
	dr := d.first(d.get(dose, "doseAndRate"))
	if q := readQuantity(d, d.get(dr, "doseQuantity")); q.ok {
		parts = append(parts, q.String())
	} else if q := readQuantity(d, d.get(dose, "doseQuantity")); q.ok { // STU3
		parts = append(parts, q.String())
	}
	timing := d.get(dose, "timing")
	if t := timingText(d, d.get(timing, "repeat")); t != "" {
		parts = append(parts, t)
	} else if t := conceptText(d, d.get(timing, "code")); t != "" {
		parts = append(parts, t)
	}
	if b, ok := d.boolean(d.get(dose, "asNeededBoolean")); ok && b {
		parts = append(parts, "as needed")
	} else if t := conceptText(d, d.get(dose, "asNeededCodeableConcept")); t != "" {
		parts = append(parts, "as needed for "+t)
	}
	return strings.Join(parts, " ")
}

// unitWords names the UCUM units of a Timing period (hl7.org/fhir/R4/valueset-units-of-time.html).
var unitWords = map[string]string{"s": "second", "min": "minute", "h": "hour", "d": "day", "wk": "week", "mo": "month", "a": "year"}

var perWords = map[string]string{"h": "hourly", "d": "daily", "wk": "weekly", "mo": "monthly", "a": "yearly"}

// timingText renders a Timing.repeat: "twice daily", "every 8 hours".
func timingText(d *doc, rep int32) string {
	if d.kindOf(rep) != kObject {
		return ""
	}
	freq, _, fok := d.num(d.get(rep, "frequency"))
	period, plit, pok := d.num(d.get(rep, "period"))
	unit := d.text(d.get(rep, "periodUnit"))
	if !pok || unitWords[unit] == "" {
		return ""
	}
	if !fok {
		freq = 1
	}
	if period == 1 && perWords[unit] != "" {
		switch freq {
		case 1:
			return "once " + perWords[unit]
		case 2:
			return "twice " + perWords[unit]
		case 3:
			return "three times " + perWords[unit]
		case 4:
			return "four times " + perWords[unit]
		}
		return formatNumber(freq) + " times " + perWords[unit]
	}
	every := "every " + plit + " " + unitWords[unit]
	if period != 1 {
		every += "s"
	}
	if freq == 1 {
		return every
	}
	return formatNumber(freq) + " times " + every
}

func (x *deriver) immunization() {
	d, root := x.d, x.root
	vc := d.get(root, "vaccineCode")
	x.codes(vc)
	name := conceptText(d, vc)
	switch x.m.Status {
	case "not-done":
		name = join(name, "(not given)")
	}
	if b, ok := d.boolean(d.get(root, "notGiven")); ok && b { // STU3
		name = join(name, "(not given)")
	}
	x.m.Display = name
	if !x.choice("occurrence") && !x.when("recorded") {
		x.when("date") // STU3
	}
}

func (x *deriver) encounter() {
	d, root := x.d, x.root
	types := d.get(root, "type")
	x.codes(types)
	name := conceptText(d, types)
	if name == "" {
		name = conceptText(d, d.get(root, "serviceType"))
	}
	if name == "" {
		name = conceptText(d, d.get(root, "class"))
	}
	x.m.Display = join(name, paren(statusWords(x.m.Status)))
	x.period("period")
}

// coded fills a resource read by its main code, showing the status when it
// is not the usual one.
func (x *deriver) coded(element, usual string) {
	code := x.d.get(x.root, element)
	x.codes(code)
	name := conceptText(x.d, code)
	if s := x.m.Status; s != "" && s != usual {
		name = join(name, paren(statusWords(s)))
	}
	x.m.Display = name
}

func (x *deriver) document() {
	d, root := x.d, x.root
	typ := d.get(root, "type")
	x.codes(typ)
	name := d.text(d.get(root, "description"))
	if name == "" {
		name = conceptText(d, typ)
	}
	if name == "" {
		name = d.text(d.at(root, "content", "attachment", "title"))
	}
	if s := x.m.Status; s != "" && s != "current" {
		name = join(name, paren(statusWords(s)))
	}
	x.m.Display = name
	if !x.when("date") && !x.when("created") { // created: STU3
		if t, ok := x.parse("context.period.start", d.at(root, "context", "period", "start")); ok {
			x.m.Time = t
		}
	}
}

func (x *deriver) carePlan() {
	d, root := x.d, x.root
	cat := d.get(root, "category")
	x.codes(cat)
	name := d.text(d.get(root, "title"))
	if name == "" {
		name = conceptText(d, cat)
	}
	if name == "" {
		name = d.text(d.get(root, "description"))
	}
	x.m.Display = join(name, paren(statusWords(x.m.Status)))
	if !x.period("period") {
		x.when("created")
	}
}

func (x *deriver) goal() {
	d, root, m := x.d, x.root, x.m
	m.Status = d.text(d.get(root, "lifecycleStatus"))
	name := conceptText(d, d.get(root, "description"))
	targets, n := d.list(d.get(root, "target"))
	var target string
	for i := int32(0); i < n; i, targets = i+1, d.next(targets) {
		x.codes(d.get(targets, "measure"))
		if i > 0 {
			continue
		}
		if q := readQuantity(d, d.get(targets, "detailQuantity")); q.ok {
			x.setValue(q)
			target = q.String()
		} else if r := d.get(targets, "detailRange"); r >= 0 {
			low, high := x.setRange(r)
			target = rangeText(low, high, true)
		} else if s := conceptText(d, d.get(targets, "detailCodeableConcept")); s != "" {
			m.ValueCode = firstCoding(d, d.get(targets, "detailCodeableConcept"))
			m.ValueText = s
			target = s
		}
	}
	if target != "" {
		name += " — target " + target
	}
	m.Display = join(name, paren(statusWords(m.Status)))
	if !x.when("startDate") {
		x.when("statusDate")
	}
}

func (x *deriver) risk() {
	d, root, m := x.d, x.root, x.m
	code := d.get(root, "code")
	x.codes(code)
	pred := d.first(d.get(root, "prediction"))
	outcome := d.get(pred, "outcome")
	x.codes(outcome)
	name := conceptText(d, outcome)
	if name == "" {
		name = conceptText(d, code)
	}
	if name == "" {
		name = "Risk assessment"
	}
	var value string
	if v, lit, ok := d.num(d.get(pred, "probabilityDecimal")); ok {
		m.Value, m.HasValue = v, true
		if v >= 0 && v <= 1 {
			value = formatNumber(float64(int64(v*1000+0.5))/10) + "%"
		} else {
			value = lit
		}
	} else if r := d.get(pred, "probabilityRange"); r >= 0 {
		low, high := x.setRange(r)
		value = rangeText(low, high, true)
	}
	qr := d.get(pred, "qualitativeRisk")
	m.ValueCode = firstCoding(d, qr)
	m.ValueText = conceptText(d, qr)
	m.Display = join(name, value, paren(m.ValueText))
	x.choice("occurrence")
}

func (x *deriver) study() {
	d, root := x.d, x.root
	x.codes(d.get(root, "condition"))
	name := d.text(d.get(root, "title"))
	if name == "" {
		name = d.text(d.at(root, "identifier", "value"))
	}
	x.m.Display = join(name, paren(statusWords(x.m.Status)))
	x.period("period")
}

func (x *deriver) subject() {
	d, root := x.d, x.root
	study := d.get(root, "study")
	name := d.text(d.get(study, "display"))
	if name == "" {
		name = d.text(d.get(study, "reference"))
	}
	x.m.Display = join(name, "—", statusWords(x.m.Status))
	if x.m.Status == "" {
		x.m.Display = name
	}
	x.period("period")
}

func (x *deriver) group() {
	d, root, m := x.d, x.root, x.m
	code := d.get(root, "code")
	x.codes(code)
	name := d.text(d.get(root, "name"))
	if name == "" {
		name = conceptText(d, code)
	}
	if _, lit, ok := d.num(d.get(root, "quantity")); ok {
		name = join(name, "("+lit+" members)")
	}
	m.Display = name
	if v, ok := d.boolean(d.get(root, "active")); ok {
		m.Status = "inactive"
		if v {
			m.Status = "active"
		}
	}
}

func (x *deriver) device() {
	d, root := x.d, x.root
	typ := d.get(root, "type")
	x.codes(typ)
	name := d.text(d.at(root, "deviceName", "name"))
	if name == "" {
		name = conceptText(d, typ)
	}
	if name == "" {
		name = d.text(d.at(root, "udiCarrier", "deviceIdentifier"))
	}
	if s := x.m.Status; s != "" && s != "active" {
		name = join(name, paren(statusWords(s)))
	}
	x.m.Display = name
}

// auditActions names AuditEvent.action codes (hl7.org/fhir/R4/valueset-audit-event-action.html).
var auditActions = map[string]string{"C": "create", "R": "read", "U": "update", "D": "delete", "E": "execute"}

func (x *deriver) audit() {
	d, root, m := x.d, x.root, x.m
	typ := d.get(root, "type")
	sub := d.get(root, "subtype")
	x.codes(typ)
	x.codes(sub)
	name := conceptText(d, typ)
	what := auditActions[d.text(d.get(root, "action"))]
	if what == "" {
		what = conceptText(d, sub)
	}
	name = join(name, paren(what))
	if o := d.text(d.get(root, "outcome")); o != "" && o != "0" {
		name = join(name, "(failed)")
	}
	m.Display = name
	x.when("recorded")
}

func (x *deriver) claim() {
	d, root, m := x.d, x.root, x.m
	typ := d.get(root, "type")
	x.codes(typ)
	label := "Claim"
	total := d.get(root, "total")
	if x.typ == "ExplanationOfBenefit" {
		label = "Explanation of benefit"
		total = d.get(d.first(total), "amount")
	}
	name := label
	if t := conceptText(d, typ); t != "" {
		name += ": " + t
	}
	if v, lit, ok := d.num(d.get(total, "value")); ok {
		m.Value, m.HasValue = v, true
		m.Unit = d.text(d.get(total, "currency"))
		name = join(name, lit, m.Unit)
	}
	m.Display = name
	if !x.period("billablePeriod") {
		x.when("created")
	}
}

// generic fills any other resource. Display: its name (Organization,
// Location…), title, code, type, HumanName (Practitioner…), description or
// category, the first found; Codes: its code and type codings; Time: the
// first readable of effective[x], occurrence[x], performed[x], onset[x],
// period, billablePeriod, authoredOn, recorded, issued, date, created, sent,
// started, authored, start, recordedDate, dateTime (else, in derive,
// meta.lastUpdated).
func (x *deriver) generic() {
	d, root, m := x.d, x.root, x.m
	var name string
	if n := d.get(root, "name"); d.kindOf(n) == kString {
		name = d.text(n) // Organization, Location, HealthcareService…
	}
	if name == "" {
		name = d.text(d.get(root, "title"))
	}
	for _, el := range [...]string{"code", "type"} {
		if n := d.get(root, el); n >= 0 && d.kindOf(n) != kString {
			x.codes(n)
			if name == "" {
				name = conceptText(d, n)
			}
		}
	}
	if n := d.get(root, "name"); name == "" && d.kindOf(n) != kString {
		name = humanName(d, d.first(n)) // Practitioner, RelatedPerson, Person
	}
	if name == "" {
		name = d.text(d.get(root, "description"))
	}
	if name == "" {
		name = conceptText(d, d.get(root, "category"))
	}
	if s := m.Status; s != "" && s != "active" && s != "completed" && s != "final" {
		name = join(name, paren(statusWords(s)))
	}
	m.Display = name
	for _, el := range [...]string{"effective", "occurrence", "performed", "onset"} {
		if x.choice(el) {
			return
		}
	}
	for _, el := range [...]string{"period", "billablePeriod"} {
		if x.period(el) {
			return
		}
	}
	for _, el := range [...]string{"authoredOn", "recorded", "issued", "date", "created", "sent", "started", "authored", "start", "recordedDate", "dateTime"} {
		if x.when(el) {
			return
		}
	}
}

// humanName renders a HumanName the way a person is addressed: its text, else
// "Dr Ann Smith".
func humanName(d *doc, n int32) string {
	if s := d.text(d.get(n, "text")); s != "" {
		return s
	}
	var parts []string
	for _, el := range [...]string{"prefix", "given"} {
		e, cnt := d.list(d.get(n, el))
		for i := int32(0); i < cnt; i, e = i+1, d.next(e) {
			if s := d.text(e); s != "" {
				parts = append(parts, s)
			}
		}
	}
	if s := d.text(d.get(n, "family")); s != "" {
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}
