// The per-type halves of derive: each fills Time, Display, Codes and the
// value fields of one resource type (Category and Status are preset).
// This file: conditions, allergies, medications, immunizations,
// encounters, documents, care plans and goals.

package record

import "strings"

// clinical reads clinicalStatus and verificationStatus into Status; a
// verification of entered-in-error or refuted overrides the clinical status,
// so a filter on "active" never shows a condition that was never there.
// DoseSeparator joins a medication's name and its dosage in its display
// ("Amoxicillin 500 MG Oral Capsule — 1 capsule three times daily"); the
// timeline shows the two on separate lines.
const DoseSeparator = " — "

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
		name += DoseSeparator + dose
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
