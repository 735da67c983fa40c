package demo

import (
	"fmt"
	"math"
	"time"
)

// Small FHIR R4 datatype builders. Every resource the generator writes goes
// through these, so the whole population shares one shape.

func dt(t time.Time) string   { return t.UTC().Format(time.RFC3339) }
func date(t time.Time) string { return t.UTC().Format(time.DateOnly) }

func ref(r string) object           { return obj("reference", r) }
func refd(r, display string) object { return obj("reference", r, "display", display) }
func concept(cs ...code) object     { return conceptText(cs[0].display, cs...) }
func text(s string) object          { return obj("text", s) }

func conceptText(txt string, cs ...code) object {
	codings := make([]object, len(cs))
	for i, c := range cs {
		codings[i] = c.coding()
	}
	return obj("coding", codings, "text", txt)
}

func periodOf(start, end time.Time) object {
	p := obj("start", dt(start))
	if !end.IsZero() {
		p = append(p, member{"end", dt(end)})
	}
	return p
}

// qty is a UCUM Quantity.
func qty(v float64, unit, ucum string) object {
	return obj("value", v, "unit", unit, "system", sysUCUM, "code", ucum)
}

func meta(t time.Time, profiles ...string) object {
	m := obj("versionId", "1", "lastUpdated", dt(t))
	if len(profiles) > 0 {
		m = append(m, member{"profile", profiles})
	}
	return m
}

func category(system, c, display string) []object {
	return []object{obj("coding", []object{obj("system", system, "code", c, "display", display)})}
}

var obsCategoryDisplay = map[string]string{
	"vital-signs":    "Vital Signs",
	"laboratory":     "Laboratory",
	"social-history": "Social History",
	"exam":           "Exam",
	"imaging":        "Imaging",
	"procedure":      "Procedure",
}

// entry is one transaction Bundle entry as Synthea writes it.
func entry(fullURL string, res object, method, url string) object {
	return obj("fullUrl", fullURL, "resource", res, "request", obj("method", method, "url", url))
}

// bundle wraps entries in a transaction Bundle.
func bundle(entries []object) object {
	return obj("resourceType", "Bundle", "type", "transaction", "entry", entries)
}

// chart accumulates one patient's transaction Bundle, or, with a sink,
// hands each resource over as it is built (the bulk generator).
type chart struct {
	g       *gen
	p       *persona
	patURL  string // fullUrl of the Patient entry, or "Patient/<id>" with a sink
	entries []object
	enc     string // fullUrl (or Type/id) of the encounter being written
	encPr   staff  // its practitioner
	encLoc  string // its location reference, "" for none
	conds   map[string]string
	obs     int // Observations written
	// sink, when set, receives every resource instead of entries, and
	// references are literal Type/id rather than urn:uuid.
	sink func(typ, id string, res object)
	// memo shares the parts many resources repeat (a category, a code, the
	// subject reference). Shared parts are never modified after they are built.
	memo map[memoKey]any
}

type memoKey struct {
	kind uint8
	a, b string
}

const (
	memoSubject uint8 = iota
	memoEncounter
	memoPerformer
	memoCategory
	memoCode
	memoProfile
	memoInterp
)

// shared returns the part cached under k, building it on first use. A
// long-lived sink chart (bulk, simulator) does not cache its patient's own
// references, so its cache holds only what every patient shares.
func (c *chart) shared(k memoKey, build func() any) any {
	if c.sink != nil && (k.kind == memoSubject || k.kind == memoEncounter) {
		return build()
	}
	if v, ok := c.memo[k]; ok {
		return v
	}
	if c.memo == nil {
		c.memo = map[memoKey]any{}
	}
	if len(c.memo) >= 256 { // a long-lived chart (bulk, simulator) stays small
		clear(c.memo)
	}
	v := build()
	c.memo[k] = v
	return v
}

func newChart(g *gen, p *persona) *chart {
	return &chart{g: g, p: p, patURL: "urn:uuid:" + g.uuid(), conds: map[string]string{}}
}

// add appends a clinical resource with a fresh uuid id (POST, as Synthea
// writes them) and returns its fullUrl.
func (c *chart) add(typ string, build func(id string) object) string {
	id := c.g.uuid()
	res := build(id)
	if typ == "Observation" {
		c.obs++
	}
	if c.sink != nil {
		c.sink(typ, id, res)
		return typ + "/" + id
	}
	url := "urn:uuid:" + id
	c.entries = append(c.entries, entry(url, res, "POST", typ))
	return url
}

func (c *chart) subject() object {
	return c.shared(memoKey{memoSubject, c.patURL, ""}, func() any { return ref(c.patURL) }).(object)
}

// encounter opens an encounter; resources written until the next call
// reference it. A zero end leaves it in progress.
func (c *chart) encounter(start, end time.Time, class, typ code, reason []code, pr staff, loc string) string {
	status := "finished"
	if end.IsZero() {
		status = "in-progress"
	}
	var reasons []object
	for _, r := range reason {
		reasons = append(reasons, concept(r))
	}
	var locs []object
	if loc != "" {
		locs = []object{obj("location", refd("Location/"+loc, locationName(loc)))}
	}
	org := pr.org
	url := c.add("Encounter", func(id string) object {
		return obj(
			"resourceType", "Encounter",
			"id", id,
			"meta", meta(start),
			"identifier", []object{obj("use", "official", "system", "https://chartline.health/fhir/sid/encounter", "value", id)},
			"status", status,
			"class", class.coding(),
			"type", []object{concept(typ)},
			"subject", c.subject(),
			"participant", []object{obj(
				"type", []object{obj("coding", []object{obj("system", "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code", "PPRF", "display", "primary performer")}, "text", "primary performer")},
				"period", periodOf(start, end),
				"individual", refd("Practitioner/"+pr.id, pr.name),
			)},
			"period", periodOf(start, end),
			"reasonCode", reasons,
			"location", locs,
			"serviceProvider", refd("Organization/"+org, organizationName(org)),
		)
	})
	c.enc, c.encPr, c.encLoc = url, pr, loc
	return url
}

func (c *chart) encounterRef() any {
	if c.enc == "" {
		return nil
	}
	return c.shared(memoKey{memoEncounter, c.enc, ""}, func() any { return ref(c.enc) })
}

// condition records a diagnosis. A zero abated leaves it active.
func (c *chart) condition(onset, abated time.Time, cd code, problemList bool) string {
	clinical, clinicalDisplay := "active", "Active"
	if !abated.IsZero() {
		clinical, clinicalDisplay = "resolved", "Resolved"
	}
	cat, catDisplay := "encounter-diagnosis", "Encounter Diagnosis"
	if problemList {
		cat, catDisplay = "problem-list-item", "Problem List Item"
	}
	recorded := onset
	url := c.add("Condition", func(id string) object {
		var abate any
		if !abated.IsZero() {
			abate = dt(abated)
		}
		return obj(
			"resourceType", "Condition",
			"id", id,
			"meta", meta(recorded),
			"clinicalStatus", obj("coding", []object{obj("system", sysCondClin, "code", clinical, "display", clinicalDisplay)}),
			"verificationStatus", obj("coding", []object{obj("system", sysCondVer, "code", "confirmed", "display", "Confirmed")}),
			"category", category(sysCondCat, cat, catDisplay),
			"code", concept(cd),
			"subject", c.subject(),
			"encounter", c.encounterRef(),
			"onsetDateTime", dt(onset),
			"abatementDateTime", abate,
			"recordedDate", dt(recorded),
			"recorder", refd("Practitioner/"+c.encPr.id, c.encPr.name),
		)
	})
	c.conds[cd.code] = url
	return url
}

// medication records a prescription.
func (c *chart) medication(t time.Time, cd code, status, dose string, perDay int, asNeeded bool, reason string) string {
	return c.add("MedicationRequest", func(id string) object {
		timing := obj("repeat", obj("frequency", perDay, "period", 1, "periodUnit", "d"))
		var reasonRef []object
		if u, ok := c.conds[reason]; ok {
			reasonRef = []object{ref(u)}
		}
		return obj(
			"resourceType", "MedicationRequest",
			"id", id,
			"meta", meta(t),
			"status", status,
			"intent", "order",
			"category", []object{obj("coding", []object{obj("system", "http://terminology.hl7.org/CodeSystem/medicationrequest-category", "code", "community", "display", "Community")}, "text", "Community")},
			"medicationCodeableConcept", concept(cd),
			"subject", c.subject(),
			"encounter", c.encounterRef(),
			"authoredOn", dt(t),
			"requester", refd("Practitioner/"+c.encPr.id, c.encPr.name),
			"reasonReference", reasonRef,
			"dosageInstruction", []object{obj(
				"sequence", 1,
				"text", dose,
				"timing", timing,
				"asNeededBoolean", asNeeded,
				"doseAndRate", []object{obj(
					"type", concept(code{"http://terminology.hl7.org/CodeSystem/dose-rate-type", "ordered", "Ordered"}),
					"doseQuantity", obj("value", 1),
				)},
			)},
		)
	})
}

// allergy records an allergy or intolerance with one reaction.
func (c *chart) allergy(t time.Time, cd code, cat, criticality string, reaction code, severity string) string {
	return c.add("AllergyIntolerance", func(id string) object {
		return obj(
			"resourceType", "AllergyIntolerance",
			"id", id,
			"meta", meta(t),
			"clinicalStatus", obj("coding", []object{obj("system", sysAllClin, "code", "active", "display", "Active")}),
			"verificationStatus", obj("coding", []object{obj("system", sysAllVer, "code", "confirmed", "display", "Confirmed")}),
			"type", "allergy",
			"category", []string{cat},
			"criticality", criticality,
			"code", concept(cd),
			"patient", c.subject(),
			"encounter", c.encounterRef(),
			"recordedDate", dt(t),
			"recorder", refd("Practitioner/"+c.encPr.id, c.encPr.name),
			"reaction", []object{obj(
				"manifestation", []object{concept(reaction)},
				"severity", severity,
			)},
		)
	})
}

// noKnownAllergies records that the patient was asked and has none
// (SNOMED CT 716186003, confirmed).
func (c *chart) noKnownAllergies(t time.Time) string {
	return c.add("AllergyIntolerance", func(id string) object {
		return obj(
			"resourceType", "AllergyIntolerance",
			"id", id,
			"meta", meta(t),
			"clinicalStatus", obj("coding", []object{obj("system", sysAllClin, "code", "active", "display", "Active")}),
			"verificationStatus", obj("coding", []object{obj("system", sysAllVer, "code", "confirmed", "display", "Confirmed")}),
			"code", concept(allergyNone),
			"patient", c.subject(),
			"encounter", c.encounterRef(),
			"recordedDate", dt(t),
			"recorder", refd("Practitioner/"+c.encPr.id, c.encPr.name),
		)
	})
}

func (c *chart) immunization(t time.Time, cd code) string {
	return c.add("Immunization", func(id string) object {
		return obj(
			"resourceType", "Immunization",
			"id", id,
			"meta", meta(t),
			"status", "completed",
			"vaccineCode", concept(cd),
			"patient", c.subject(),
			"encounter", c.encounterRef(),
			"occurrenceDateTime", dt(t),
			"primarySource", true,
			"lotNumber", fmt.Sprintf("LOT%05d", c.g.intn(10000, 99999)),
			"route", concept(code{"http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration", "IM", "Injection, intramuscular"}),
			"performer", []object{obj("actor", refd("Practitioner/"+c.encPr.id, c.encPr.name))},
		)
	})
}

func (c *chart) procedure(start, end time.Time, cd code, reason string) string {
	return c.add("Procedure", func(id string) object {
		var reasonRef []object
		if u, ok := c.conds[reason]; ok {
			reasonRef = []object{ref(u)}
		}
		var loc any
		if c.encLoc != "" {
			loc = refd("Location/"+c.encLoc, locationName(c.encLoc))
		}
		return obj(
			"resourceType", "Procedure",
			"id", id,
			"meta", meta(end),
			"status", "completed",
			"code", concept(cd),
			"subject", c.subject(),
			"encounter", c.encounterRef(),
			"performedPeriod", periodOf(start, end),
			"performer", []object{obj("actor", refd("Practitioner/"+c.encPr.id, c.encPr.name))},
			"location", loc,
			"reasonReference", reasonRef,
		)
	})
}

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

// vitals is one set of the NEWS2 vital signs (RCP NEWS2 chart 2017).
type vitals struct {
	RR       int     // respiratory rate, /min
	SpO2     int     // pulse oximetry, %
	O2       float64 // inhaled oxygen flow, L/min; 0 on room air
	SBP, DBP int     // blood pressure, mm[Hg]
	HR       int     // pulse, /min
	Temp     float64 // body temperature, °C
	ACVPU    code    // level of consciousness
	TempF    bool    // chart the temperature in [degF]
}

// newsVitals writes one full NEWS2 set at t, as a ward observation round
// records it: respiratory rate, pulse oximetry (with the inhaled oxygen flow
// when on oxygen), blood pressure panel, heart rate, temperature, ACVPU.
func (c *chart) newsVitals(t time.Time, v vitals, device bool) []string {
	urls := make([]string, 0, 6)
	urls = append(urls, c.respRate(t, v.RR, device))
	urls = append(urls, c.spo2(t, v.SpO2, v.O2, true, device))
	urls = append(urls, c.bloodPressure(t, v.SBP, v.DBP, device))
	urls = append(urls, c.heartRate(t, v.HR, device))
	urls = append(urls, c.temperature(t, v.Temp, v.TempF))
	urls = append(urls, c.consciousness(t, v.ACVPU))
	return urls
}

func (c *chart) respRate(t time.Time, rr int, device bool) string {
	val, key := quantityValue(float64(rr), "breaths/minute", "/min")
	return c.observe(obsSpec{t: t, category: "vital-signs", code: loincRespRate, profile: "resprate", value: val, valueKey: key, device: device})
}

func (c *chart) heartRate(t time.Time, hr int, device bool) string {
	val, key := quantityValue(float64(hr), "beats/minute", "/min")
	return c.observe(obsSpec{t: t, category: "vital-signs", code: loincHeartRate, profile: "heartrate", value: val, valueKey: key, device: device})
}

// spo2 charts pulse oximetry. On oxygen it carries the inhaled oxygen flow
// (LOINC 3151-8); on air, when chartAir, a flow of 0 L/min, so NEWS2 sees
// "air" charted rather than missing.
func (c *chart) spo2(t time.Time, spo2 int, o2 float64, chartAir, device bool) string {
	val, key := quantityValue(float64(spo2), "%", "%")
	var comps []object
	if o2 > 0 || chartAir {
		comps = []object{component(loincO2Flow, o2, "L/min", "L/min")}
	}
	return c.observe(obsSpec{t: t, category: "vital-signs", code: loincSpO2, also: []code{loincSaO2}, profile: "oxygensat", value: val, valueKey: key, components: comps, device: device})
}

func (c *chart) bloodPressure(t time.Time, sbp, dbp int, device bool) string {
	return c.observe(obsSpec{t: t, category: "vital-signs", code: loincBPPanel, profile: "bp", device: device, components: []object{
		component(loincSystolic, float64(sbp), "mm[Hg]", "mm[Hg]"),
		component(loincDiastolic, float64(dbp), "mm[Hg]", "mm[Hg]"),
	}})
}

// temperature charts °C, or °F when asked (F = C × 9/5 + 32, one decimal).
func (c *chart) temperature(t time.Time, celsius float64, fahrenheit bool) string {
	val, key := quantityValue(round(celsius, 1), "Cel", "Cel")
	if fahrenheit {
		val, key = quantityValue(round(celsius*9/5+32, 1), "degF", "[degF]")
	}
	return c.observe(obsSpec{t: t, category: "vital-signs", code: loincBodyTemp, profile: "bodytemp", value: val, valueKey: key})
}

func (c *chart) consciousness(t time.Time, answer code) string {
	return c.observe(obsSpec{t: t, category: "vital-signs", code: loincConscious, value: concept(answer), valueKey: "valueCodeableConcept"})
}

// clinicVitals writes the vital signs of an outpatient visit.
func (c *chart) clinicVitals(t time.Time, v vitals, weight, height float64) {
	c.bloodPressure(t, v.SBP, v.DBP, false)
	c.heartRate(t, v.HR, false)
	c.respRate(t, v.RR, false)
	c.temperature(t, v.Temp, v.TempF)
	c.spo2(t, v.SpO2, 0, false, false)
	if weight > 0 {
		val, key := quantityValue(round(weight, 1), "kg", "kg")
		c.observe(obsSpec{t: t, category: "vital-signs", code: loincBodyWeight, profile: "bodyweight", value: val, valueKey: key})
	}
	if height > 0 {
		val, key := quantityValue(round(height, 1), "cm", "cm")
		c.observe(obsSpec{t: t, category: "vital-signs", code: loincBodyHeight, profile: "bodyheight", value: val, valueKey: key})
		if weight > 0 {
			bmi := weight / math.Pow(height/100, 2)
			val, key := quantityValue(round(bmi, 1), "kg/m2", "kg/m2")
			c.observe(obsSpec{t: t, category: "vital-signs", code: loincBMI, profile: "bmi", value: val, valueKey: key})
		}
	}
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

// goalSpO2 records a target oxygen saturation range as an active Goal
// (target.measure LOINC 59408-5, target.detailRange low–high %): how Chartline
// records a hypercapnic target, which switches NEWS2 to SpO2 Scale 2.
func (c *chart) goalSpO2(t time.Time, low, high float64, addresses string) string {
	return c.add("Goal", func(id string) object {
		var addr []object
		if u, ok := c.conds[addresses]; ok {
			addr = []object{ref(u)}
		}
		return obj(
			"resourceType", "Goal",
			"id", id,
			"meta", meta(t),
			"lifecycleStatus", "active",
			"achievementStatus", concept(code{sysGoalAch, "in-progress", "In Progress"}),
			"category", []object{concept(code{"http://terminology.hl7.org/CodeSystem/goal-category", "physiotherapy", "Physiotherapy"})},
			"description", obj("coding", []object{obj("system", sysSNOMED, "code", "57485005", "display", "Oxygen therapy (procedure)")}, "text", fmt.Sprintf("Target oxygen saturation %g–%g%% (hypercapnic respiratory failure risk): use NEWS2 SpO2 Scale 2", low, high)),
			"subject", c.subject(),
			"startDate", date(t),
			"target", []object{obj(
				"measure", concept(loincSpO2),
				"detailRange", obj("low", qty(low, "%", "%"), "high", qty(high, "%", "%")),
			)},
			"expressedBy", refd("Practitioner/"+c.encPr.id, c.encPr.name),
			"addresses", addr,
			"note", []object{text("Known CO2 retainer: titrate oxygen to the target range, do not aim for 94–98%.")},
		)
	})
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
