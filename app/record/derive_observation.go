// The per-type halves of derive: each fills Time, Display, Codes and the
// value fields of one resource type (Category and Status are preset).
// This file: Observations.

package record

import (
	"strconv"
	"strings"

	"github.com/chartline/chartline/store"
)

func (x *deriver) observation() {
	d, m, root := x.d, x.m, x.root
	code := d.get(root, "code")
	x.codes(code)
	loincFirst(m.Codes)
	m.Category = observationCategory(d, root, code)
	_ = x.choice("effective") || x.when("issued")

	name := conceptText(d, code)
	m.Interpret = interpretation(d, d.get(root, "interpretation"))
	value := x.observationValue()

	// reference range (shown in Fields, not in the one-line display)
	if rr := d.first(d.get(root, "referenceRange")); rr >= 0 {
		x.setRange(rr)
	}

	parts, sys, dia := x.components()
	name, value = withComponents(d, code, name, value, parts, sys, dia)

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

// observationValue reads value[x] (or dataAbsentReason) into Meta and
// returns it as the display shows it: "5.2 mmol/L", or ": text" for a value
// that follows the name after a colon.
func (x *deriver) observationValue() string {
	d, m, root := x.d, x.m, x.root
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
	return value
}

// components reads the components into Meta, and returns each as the
// display shows it, with the systolic and diastolic blood pressures.
func (x *deriver) components() (parts []string, sys, dia quantity) {
	d, m, root := x.d, x.m, x.root
	comps, n := d.list(d.get(root, "component"))
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
	return parts, sys, dia
}

// withComponents adds the components to an Observation's name and value: a
// blood pressure reads "Blood pressure 120/80" with its unit, others list their parts.
func withComponents(d *doc, code int32, name, value string, parts []string, sys, dia quantity) (string, string) {
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
	return name, value
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
