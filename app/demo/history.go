package demo

import (
	"fmt"
	"time"
)

const day = 24 * time.Hour

// patientBundle generates one patient's transaction Bundle: the Patient
// (PUT, first), an outpatient history, then the patient's story.
func patientBundle(g *gen, p *persona) (object, int) {
	c := newChart(g, p)
	c.entries = append(c.entries, entry(c.patURL, patientResource(g, p), "PUT", "Patient/"+p.id))
	outpatientHistory(c)
	if p.story != nil {
		p.story(c)
	}
	return bundle(c.entries), c.obs
}

func patientResource(g *gen, p *persona) object {
	streets := []string{"Alder Row", "Quayside", "Mill Lane", "Orchard Close", "Kingfisher Way", "Tannery Yard", "Beacon Hill", "Saltmarsh Road"}
	return obj(
		"resourceType", "Patient",
		"id", p.id,
		"meta", meta(anchor().AddDate(-p.years, 0, 0)),
		"identifier", []object{obj(
			"use", "usual",
			"type", obj("coding", []object{obj("system", sysV20203, "code", "MR", "display", "Medical record number")}, "text", "Medical Record Number"),
			"system", sysMRN,
			"value", p.mrn,
		)},
		"active", true,
		"name", []object{obj("use", "official", "text", p.display(), "family", p.family, "given", p.given)},
		"telecom", []object{obj("system", "phone", "value", fmt.Sprintf("555-%04d", g.intn(100, 9999)), "use", "mobile")},
		"gender", p.sex,
		"birthDate", p.birth,
		"address", []object{obj("use", "home", "line", []string{fmt.Sprintf("%d %s", g.intn(1, 180), streets[g.intn(0, len(streets)-1)])}, "city", p.city, "postalCode", fmt.Sprintf("KV%d %d%s", g.intn(1, 9), g.intn(1, 9), []string{"AB", "DX", "HQ", "RT", "WN"}[g.intn(0, 4)]), "country", "GB")},
		"communication", []object{obj("language", concept(p.lang), "preferred", true)},
		"generalPractitioner", []object{refd("Practitioner/"+p.gp.id, p.gp.name)},
		"managingOrganization", refd("Organization/"+orgPractice, organizationName(orgPractice)),
	)
}

// medDose is how a medication is taken: dosage text, doses a day, as needed.
func medDose(cd code) (string, int, bool) {
	switch cd.code {
	case rxAlbuterol.code:
		return "2 puffs as needed for wheeze", 4, true
	case rxFluticasone.code, rxFluSalm.code:
		return "1 inhalation twice daily", 2, false
	case rxMetformin.code:
		return "1 tablet twice daily with meals", 2, false
	case rxInsulin.code:
		return "subcutaneous injection twice daily as directed", 2, false
	case rxCarvedilol.code, rxSacubitril.code:
		return "1 tablet twice daily", 2, false
	case rxAcetaminophen.code:
		return "2 tablets up to four times daily as needed", 4, true
	case rxIbuprofen.code, rxNaproxen.code:
		return "1 tablet up to three times daily as needed", 3, true
	case rxAmoxClav.code, rxAmoxicillin.code:
		return "1 dose three times daily for 7 days", 3, false
	case rxPipTazo.code:
		return "4.5 g intravenously every 8 hours", 3, false
	case rxPrednisone.code:
		return "30 mg (6 tablets) once daily for 5 days", 1, false
	case rxFurosemideIV.code:
		return "40 mg intravenously twice daily", 2, false
	case rxEnoxaparin.code:
		return "40 mg subcutaneously once daily", 1, false
	case rxNorepinephr.code, rxPropofol.code:
		return "continuous intravenous infusion, titrated", 1, false
	case rxWarfarin.code:
		return "as directed by INR, once daily", 1, false
	}
	return "1 tablet once daily", 1, false
}

// baseline is a persona's usual outpatient vital signs.
func baseline(g *gen, p *persona) vitals {
	v := vitals{
		RR: g.intn(13, 18), SpO2: g.intn(96, 99), SBP: int(g.norm(119, 6, 0)), HR: int(g.norm(71, 6, 0)),
		Temp: g.norm(36.7, 0.2, 1), ACVPU: acvpuAlert, TempF: p.tempF,
	}
	if p.has(condHypertension) {
		v.SBP = int(g.norm(136, 7, 0))
	}
	if p.has(condCOPD) || p.has(condILD) {
		v.SpO2 = g.intn(93, 95)
	}
	if p.has(condAF) {
		v.HR = int(g.norm(82, 9, 0))
	}
	v.DBP = v.SBP*62/100 + g.intn(-3, 5)
	return v
}

// labShifts are a persona's usual lab values where their conditions move them.
func labShifts(p *persona) map[string]float64 {
	m := map[string]float64{}
	if p.has(condT2DM) {
		m[labHbA1c.code.code] = 7.6
		m[labGlucose.code.code] = 152
	}
	if p.has(condPrediabetes) {
		m[labHbA1c.code.code] = 6.1
		m[labGlucose.code.code] = 108
	}
	if p.has(condCKD3) {
		m[labCreatinine.code.code] = 1.6
		m[labEGFR.code.code] = 44
		m[labUrea.code.code] = 28
	}
	if p.has(condHyperlipid) || p.has(condCAD) {
		m[labLDL.code.code] = 128
		m[labCholTotal.code.code] = 218
	}
	if p.has(condAnemia) {
		m[labHemoglobin.code.code] = 10.6
	}
	if p.has(condHF) {
		m[labNTproBNP.code.code] = 1450
	}
	if p.has(condHypothyroid) {
		m[labTSH.code.code] = 3.4
	}
	if p.sex == "female" {
		if _, ok := m[labHemoglobin.code.code]; !ok {
			m[labHemoglobin.code.code] = 13.1
		}
	}
	return m
}

var (
	cbcTests   = []labTest{labHemoglobin, labWBC, labPlatelets}
	bmpTests   = []labTest{labSodium, labPotassium, labCreatinine, labUrea, labGlucose, labEGFR}
	lipidTests = []labTest{labCholTotal, labLDL, labHDL, labTrig}
)

// officeHours moves t to a weekday between 08:30 and 16:30.
func officeHours(g *gen, t time.Time) time.Time {
	t = time.Date(t.Year(), t.Month(), t.Day(), 8, 30, 0, 0, time.UTC).Add(time.Duration(g.intn(0, 32)) * 15 * time.Minute)
	switch t.Weekday() {
	case time.Saturday:
		t = t.AddDate(0, 0, 2)
	case time.Sunday:
		t = t.AddDate(0, 0, 1)
	}
	return t
}

// outpatientHistory writes years of primary-care visits: check-ups with
// labs, follow-ups of chronic conditions, the odd acute problem, vaccines.
func outpatientHistory(c *chart) {
	g, p := c.g, c.p
	end := anchor().AddDate(0, 0, -14)
	t := officeHours(g, anchor().AddDate(-p.years, 0, 0).Add(time.Duration(g.intn(1, 40))*day))
	interval := 240 * day
	if len(p.chronic) > 0 {
		interval = 125 * day
	}
	h := &outpatient{c: c, base: baseline(g, p), shifts: labShifts(p), weight: p.weight,
		recorded: make([]bool, len(p.chronic)), first: true}
	for t.Before(end) {
		h.visit(t)
		h.first = false
		t = officeHours(g, t.Add(g.jitter(interval, 0.3)))
	}
	c.enc = ""
}

// outpatient is an outpatient history being written, visit by visit. Each
// step draws from the generator in the order the visit records it, so a
// seed always gives the same history.
type outpatient struct {
	c                  *chart
	base               vitals             // the patient's usual vital signs
	shifts             map[string]float64 // the patient's usual lab results
	weight             float64            // kg, drifting visit to visit
	recorded           []bool             // p.chronic[i] is on the chart
	lastCheckup        time.Time
	fluYear, covidYear int // the years of the last flu and COVID-19 vaccines
	first              bool
}

// visit writes one visit at t.
func (h *outpatient) visit(t time.Time) {
	checkup, acute, acuteCond := h.open(t)
	h.recordConditions(t)
	h.measure(t, checkup, acute)
	h.tests(t, checkup)
	if acute {
		h.treatAcute(t, acuteCond)
	}
	h.immunize(t)
}

// open opens the visit's encounter: a yearly check-up, a follow-up of the
// chronic conditions, or now and then an acute problem (acuteCond).
func (h *outpatient) open(t time.Time) (checkup, acute bool, acuteCond code) {
	c, g, p := h.c, h.c.g, h.c.p
	checkup = h.first || t.Sub(h.lastCheckup) > 330*day
	typ := encFollowUp
	if checkup {
		typ = encCheckup
		h.lastCheckup = t
	}
	var reasons []code
	for _, ch := range p.chronic {
		if onset(ch).Before(t) && !checkup {
			reasons = append(reasons, ch.cond)
		}
	}
	acute = !checkup && g.chance(0.18)
	if acute {
		acuteCond = g.pick(condSinusitis, condPharyngitis, condBronchitis)
		typ = encProblem
		reasons = []code{acuteCond}
	}
	c.encounter(t, t.Add(time.Duration(g.intn(20, 45))*time.Minute), classAMB, typ, reasons, p.gp, locPractice)
	return checkup, acute, acuteCond
}

// recordConditions charts the chronic conditions that have begun by t with
// their medications, once each, and at the first visit the allergies.
func (h *outpatient) recordConditions(t time.Time) {
	c, p := h.c, h.c.p
	for i, ch := range p.chronic {
		if h.recorded[i] || onset(ch).After(t) {
			continue
		}
		h.recorded[i] = true
		c.condition(onset(ch), time.Time{}, ch.cond, true)
		for _, m := range ch.meds {
			dose, perDay, prn := medDose(m)
			c.medication(t, m, "active", dose, perDay, prn, ch.cond.code)
		}
	}
	if h.first {
		for _, a := range p.allergies {
			c.allergy(t, a.code, a.category, a.criticality, a.reaction, a.severity)
		}
		if p.nka {
			c.noKnownAllergies(t)
		}
	}
}

// measure writes the clinic vital signs and weight (and height at the first
// visit and check-ups), a fever with an acute problem.
func (h *outpatient) measure(t time.Time, checkup, acute bool) {
	c, g, p := h.c, h.c.g, h.c.p
	v := h.base
	v.SBP += g.intn(-6, 6)
	v.DBP += g.intn(-4, 4)
	v.HR += g.intn(-5, 5)
	v.RR = g.intn(13, 18)
	v.Temp = g.norm(36.7, 0.2, 1)
	if acute {
		v.Temp = g.uniform(37.4, 38.3, 1)
		v.HR += 8
	}
	h.weight += g.norm(0, 0.8, 1)
	height := 0.0
	if h.first || checkup {
		height = p.height
	}
	c.clinicVitals(t, v, h.weight, height)
}

// tests writes a check-up's panels, smoking status and reviews, and the
// tests that follow each chronic condition.
func (h *outpatient) tests(t time.Time, checkup bool) {
	c, g, p, shifts := h.c, h.c.g, h.c.p, h.shifts
	if checkup {
		c.panel(t, panelCBC, cbcTests, shifts)
		c.panel(t, panelBMP, bmpTests, shifts)
		if p.has(condHyperlipid) || p.has(condCAD) || p.has(condT2DM) {
			c.panel(t, panelLipid, lipidTests, shifts)
		}
		if p.has(condHypothyroid) {
			c.lab(t, labTSH, g.norm(shifts[labTSH.code.code], 0.6, 2))
		}
		c.codedObs(t, "social-history", loincSmokingState, p.smoking, "")
		if len(p.chronic) > 0 {
			c.procedure(t, t.Add(10*time.Minute), procMedRec, "")
		}
		if g.chance(0.3) {
			c.procedure(t, t.Add(15*time.Minute), procNeedsAssess, "")
		}
	}
	if p.has(condT2DM) || p.has(condPrediabetes) {
		c.lab(t, labHbA1c, g.norm(shifts[labHbA1c.code.code], 0.35, 1))
	}
	if p.has(condHF) {
		c.lab(t, labNTproBNP, g.norm(shifts[labNTproBNP.code.code], 300, 0))
	}
	if p.has(condCOPD) && checkup {
		c.quantityObs(t, "exam", labFEV1FVC, g.norm(56, 4, 0))
		c.procedure(t, t.Add(20*time.Minute), procSpirometry, condCOPD.code)
	}
}

// treatAcute charts an acute problem, resolved within weeks, and its
// acetaminophen.
func (h *outpatient) treatAcute(t time.Time, acuteCond code) {
	c, g := h.c, h.c.g
	c.condition(t.Add(-3*day), t.Add(time.Duration(g.intn(10, 21))*day), acuteCond, false)
	dose, perDay, prn := medDose(rxAcetaminophen)
	c.medication(t, rxAcetaminophen, "completed", dose, perDay, prn, acuteCond.code)
}

// immunize gives the autumn flu vaccine (often with a COVID-19 one) once a
// year, and at the first visit a catch-up vaccine, and one for the over-65s.
func (h *outpatient) immunize(t time.Time) {
	c, g, p := h.c, h.c.g, h.c.p
	if m := t.Month(); m >= time.September && m <= time.December && h.fluYear != t.Year() {
		h.fluYear = t.Year()
		c.immunization(t, cvxFlu)
		if h.covidYear != t.Year() && g.chance(0.6) {
			h.covidYear = t.Year()
			c.immunization(t.Add(5*time.Minute), cvxCovid)
		}
	}
	if h.first && g.chance(0.5) {
		c.immunization(t.Add(10*time.Minute), g.pick(cvxTdap, cvxTdAdult, cvxHepB))
	}
	if h.first && p.birthTime().Before(anchor().AddDate(-65, 0, 0)) {
		c.immunization(t.Add(12*time.Minute), g.pick(cvxPCV13, cvxPPSV23, cvxZoster))
	}
}

func onset(ch chronic) time.Time {
	return anchor().Add(-time.Duration(ch.yearsAgo * 365 * float64(day)))
}
