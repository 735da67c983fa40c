// The chart's Observations and DiagnosticReports: laboratory results, panels,
// coded findings and genetic variants.

package demo

import "time"

// obsSpec describes one Observation.
type obsSpec struct {
	t          time.Time
	category   string
	code       code
	also       []code // further codings of the same concept
	profile    string // FHIR core profile name, e.g. "heartrate"
	value      object // a Quantity or CodeableConcept
	valueKey   string // "valueQuantity", "valueCodeableConcept", "valueString"
	valueStr   string
	components []object
	rangeLow   any
	rangeHigh  any
	interp     string
	device     bool // recorded by a bedside monitor: no human performer
	note       string
	members    []string
}

var interpDisplay = map[string]string{"H": "High", "L": "Low", "N": "Normal", "A": "Abnormal", "HH": "Critical high", "LL": "Critical low", "POS": "Positive", "NEG": "Negative"}

func (c *chart) observe(s obsSpec) string {
	return c.add("Observation", func(id string) object {
		var profiles []string
		if s.profile != "" {
			profiles = c.shared(memoKey{memoProfile, s.profile, ""}, func() any { return []string{profVitalSign + s.profile} }).([]string)
		}
		alsoKey := ""
		if len(s.also) > 0 {
			alsoKey = s.also[0].key()
		}
		issued := dt(s.t.Add(2 * time.Minute))
		o := make(object, 0, 16)
		o = append(o,
			member{"resourceType", "Observation"},
			member{"id", id},
			member{"meta", obj("versionId", "1", "lastUpdated", issued, "profile", profiles)},
			member{"status", "final"},
			member{"category", c.shared(memoKey{memoCategory, s.category, ""}, func() any {
				return []object{obj("coding", []object{obj("system", sysObsCat, "code", s.category, "display", obsCategoryDisplay[s.category])}, "text", obsCategoryDisplay[s.category])}
			})},
			member{"code", c.shared(memoKey{memoCode, s.code.key(), alsoKey}, func() any {
				return conceptText(s.code.display, append([]code{s.code}, s.also...)...)
			})},
			member{"subject", c.subject()},
		)
		if enc := c.encounterRef(); enc != nil {
			o = append(o, member{"encounter", enc})
		}
		o = append(o, member{"effectiveDateTime", dt(s.t)}, member{"issued", issued})
		if !s.device && c.encPr.id != "" {
			o = append(o, member{"performer", c.shared(memoKey{memoPerformer, c.encPr.id, ""}, func() any {
				return []object{refd("Practitioner/"+c.encPr.id, c.encPr.name)}
			})})
		}
		switch {
		case s.valueStr != "":
			o = append(o, member{"valueString", s.valueStr})
		case s.value != nil:
			o = append(o, member{s.valueKey, s.value})
		}
		if s.interp != "" {
			o = append(o, member{"interpretation", c.shared(memoKey{memoInterp, s.interp, ""}, func() any {
				return []object{obj("coding", []object{obj("system", sysInterp, "code", s.interp, "display", interpDisplay[s.interp])}, "text", interpDisplay[s.interp])}
			})})
		}
		if s.note != "" {
			o = append(o, member{"note", []object{text(s.note)}})
		}
		if s.rangeLow != nil || s.rangeHigh != nil {
			o = append(o, member{"referenceRange", []object{obj("low", s.rangeLow, "high", s.rangeHigh)}})
		}
		if len(s.members) > 0 {
			ms := make([]object, len(s.members))
			for i, m := range s.members {
				ms[i] = ref(m)
			}
			o = append(o, member{"hasMember", ms})
		}
		if len(s.components) > 0 {
			o = append(o, member{"component", s.components})
		}
		return o
	})
}

func quantityValue(v float64, unit, ucum string) (object, string) {
	return qty(v, unit, ucum), "valueQuantity"
}

func component(cd code, v float64, unit, ucum string) object {
	return obj("code", concept(cd), "valueQuantity", qty(v, unit, ucum))
}

func codedComponent(cd, value code) object {
	return obj("code", concept(cd), "valueCodeableConcept", concept(value))
}

// lab writes one laboratory result with its reference range and
// interpretation, and returns its fullUrl.
func (c *chart) lab(t time.Time, test labTest, v float64) string {
	v = round(v, test.decimals)
	var low, high any
	interp := "N"
	if test.hasLow {
		low = qty(test.low, test.unit, test.ucum)
		if v < test.low {
			interp = "L"
		}
	}
	if test.high > 0 {
		high = qty(test.high, test.unit, test.ucum)
		if v > test.high {
			interp = "H"
		}
	}
	if low == nil && high == nil {
		interp = ""
	}
	val, key := quantityValue(v, test.unit, test.ucum)
	return c.observe(obsSpec{t: t, category: "laboratory", code: test.code, value: val, valueKey: key, rangeLow: low, rangeHigh: high, interp: interp})
}

// labs draws a value for each test around its typical value (shifted by
// the given overrides) and writes them with one DiagnosticReport.
func (c *chart) panel(t time.Time, report code, tests []labTest, means map[string]float64) string {
	urls := make([]string, 0, len(tests))
	for _, test := range tests {
		mean := test.mean
		if m, ok := means[test.code.code]; ok {
			mean = m
		}
		v := c.g.norm(mean, test.sd, test.decimals)
		if v < 0 {
			v = round(test.mean/10, test.decimals)
		}
		urls = append(urls, c.lab(t, test, v))
	}
	return c.report(t, report, urls, "")
}

// report writes a DiagnosticReport over results.
func (c *chart) report(t time.Time, cd code, results []string, conclusion string) string {
	return c.add("DiagnosticReport", func(id string) object {
		rs := make([]object, len(results))
		for i, r := range results {
			rs[i] = ref(r)
		}
		return obj(
			"resourceType", "DiagnosticReport",
			"id", id,
			"meta", meta(t.Add(3*time.Hour)),
			"status", "final",
			"category", []object{obj("coding", []object{obj("system", sysDRCat, "code", "LAB", "display", "Laboratory")}, "text", "Laboratory")},
			"code", concept(cd),
			"subject", c.subject(),
			"encounter", c.encounterRef(),
			"effectiveDateTime", dt(t),
			"issued", dt(t.Add(3*time.Hour)),
			"performer", []object{refd("Organization/"+orgLab, organizationName(orgLab))},
			"result", rs,
			"conclusion", conclusion,
		)
	})
}

// codedObs writes an Observation with a coded value.
func (c *chart) codedObs(t time.Time, cat string, cd, value code, interp string) string {
	return c.observe(obsSpec{t: t, category: cat, code: cd, value: concept(value), valueKey: "valueCodeableConcept", interp: interp})
}

// quantityObs writes an Observation with a quantity and a reference range.
func (c *chart) quantityObs(t time.Time, cat string, test labTest, v float64) string {
	if cat == "laboratory" {
		return c.lab(t, test, v)
	}
	v = round(v, test.decimals)
	val, key := quantityValue(v, test.unit, test.ucum)
	var low, high any
	if test.hasLow {
		low = qty(test.low, test.unit, test.ucum)
	}
	if test.high > 0 {
		high = qty(test.high, test.unit, test.ucum)
	}
	interp := "N"
	if test.hasLow && v < test.low {
		interp = "L"
	}
	if test.high > 0 && v > test.high {
		interp = "H"
	}
	return c.observe(obsSpec{t: t, category: cat, code: test.code, value: val, valueKey: key, rangeLow: low, rangeHigh: high, interp: interp})
}

// variant writes a genetic variant assessment (HL7 Genomics Reporting IG
// style): value Present/Absent, components gene studied and amino-acid change.
func (c *chart) variant(t time.Time, gene, change code, present bool) string {
	value := answerAbsent
	interp := "NEG"
	if present {
		value, interp = answerPresent, "POS"
	}
	comps := []object{codedComponent(loincGeneStudied, gene)}
	if present && change.code != "" {
		comps = append(comps, codedComponent(loincAAChange, change))
	}
	return c.observe(obsSpec{t: t, category: "laboratory", code: loincVariantAssess, value: concept(value), valueKey: "valueCodeableConcept", interp: interp, components: comps})
}
