// The patients' stories: the admissions, deteriorations and diagnoses the
// scenario's personas live through after their outpatient history.

package demo

import (
	"fmt"
	"time"
)

// wardRounds writes a NEWS2 set every four hours from start until before end,
// drawn from the stage chosen for each instant, charted by the ward nurse.
func (c *chart) wardRounds(start, end time.Time, stageAt func(t time.Time) stage, tempF bool) {
	pr := c.encPr
	c.encPr = nurseRowe
	for t := start; t.Before(end); t = t.Add(4 * time.Hour) {
		v := stageAt(t).r.sample(c.g)
		v.TempF = tempF
		c.newsVitals(t.Add(time.Duration(c.g.intn(0, 20))*time.Minute), v, false)
	}
	c.encPr = pr
}

// admit writes an emergency department attendance followed by an inpatient
// encounter, still in progress, of the given type.
func (c *chart) admit(at time.Time, reason code, ward string, consultant staff, typ code) {
	ed := at.Add(-time.Duration(3+c.g.intn(0, 2)) * time.Hour)
	c.encounter(ed, at, classEMER, encEmergency, []code{reason}, drLindqvist, locED)
	c.encounter(at, time.Time{}, classIMP, typ, []code{reason}, consultant, ward)
}

func storyDeteriorating(c *chart) {
	g := c.g
	admitted := anchor().Add(-20 * time.Hour)
	c.admit(admitted, condPneumonia, locWard7B, drOSuilleab, encAdmission)
	c.condition(admitted.Add(-3*day), time.Time{}, condPneumonia, false)
	c.panel(admitted.Add(30*time.Minute), panelCBC, cbcTests, map[string]float64{labWBC.code.code: 13.6})
	c.panel(admitted.Add(30*time.Minute), panelBMP, bmpTests, labShifts(c.p))
	c.lab(admitted.Add(30*time.Minute), labCRP, g.norm(86, 6, 1))
	c.lab(admitted.Add(30*time.Minute), labLactate, g.norm(1.7, 0.1, 1))
	c.procedure(admitted.Add(time.Hour), admitted.Add(80*time.Minute), procChestXRay, condPneumonia.code)
	for _, m := range []code{rxAmoxClav, rxEnoxaparin, rxAcetaminophen} {
		dose, perDay, prn := medDose(m)
		c.medication(admitted.Add(2*time.Hour), m, "active", dose, perDay, prn, condPneumonia.code)
	}
	plan := deterioration()
	c.wardRounds(admitted.Add(time.Hour), anchor(), func(time.Time) stage { return plan[0] }, false)
}

func storyCOPD(c *chart) {
	g := c.g
	clinic := officeHours(g, anchor().AddDate(-1, 0, -12))
	c.encounter(clinic, clinic.Add(40*time.Minute), classAMB, encConsult, []code{condCOPD}, drBrandtner, "")
	c.quantityObs(clinic, "exam", labFEV1FVC, 47)
	c.procedure(clinic, clinic.Add(20*time.Minute), procSpirometry, condCOPD.code)
	abg := []string{c.lab(clinic, labPH, 7.38), c.lab(clinic, labPaO2, 61), c.lab(clinic, labPaCO2, 53)}
	c.report(clinic, panelABG, abg, "Compensated chronic hypercapnia on room air.")
	c.goalSpO2(clinic, 88, 92, condCOPD.code)

	admitted := anchor().Add(-50 * time.Hour)
	exacerbation := code{sysSNOMED, "195951007", "Acute exacerbation of chronic obstructive airways disease (disorder)"}
	c.admit(admitted, exacerbation, locWard4, drBrandtner, encAdmission)
	c.condition(admitted.Add(-2*day), time.Time{}, exacerbation, false)
	abg = []string{c.lab(admitted, labPH, 7.33), c.lab(admitted, labPaO2, 58), c.lab(admitted, labPaCO2, 59)}
	c.report(admitted, panelABG, abg, "Acute-on-chronic hypercapnic respiratory failure.")
	c.panel(admitted.Add(20*time.Minute), panelCBC, cbcTests, map[string]float64{labWBC.code.code: 11.9, labHemoglobin.code.code: 13.4})
	c.panel(admitted.Add(20*time.Minute), panelBMP, bmpTests, nil)
	c.procedure(admitted.Add(time.Hour), admitted.Add(70*time.Minute), procChestXRay, exacerbation.code)
	for _, m := range []code{rxPrednisone, rxAmoxicillin, rxEnoxaparin} {
		dose, perDay, prn := medDose(m)
		c.medication(admitted.Add(2*time.Hour), m, "active", dose, perDay, prn, exacerbation.code)
	}
	s := copdStable()
	c.wardRounds(admitted.Add(time.Hour), anchor(), func(time.Time) stage { return s }, false)
}

func storyNSCLC(c *chart) {
	g := c.g
	gpVisit := officeHours(g, anchor().AddDate(0, 0, -62))
	c.encounter(gpVisit, gpVisit.Add(30*time.Minute), classAMB, encProblem, nil, c.p.gp, locPractice)
	c.clinicVitals(gpVisit, baseline(g, c.p), c.p.weight-4, 0)
	c.procedure(gpVisit.Add(2*time.Hour), gpVisit.Add(150*time.Minute), procChestXRay, "")
	ct := officeHours(g, anchor().AddDate(0, 0, -52))
	c.encounter(ct, ct.Add(time.Hour), classAMB, encConsult, nil, drBrandtner, "")
	c.procedure(ct, ct.Add(30*time.Minute), procChestCT, "")
	bronch := officeHours(g, anchor().AddDate(0, 0, -44))
	c.encounter(bronch, bronch.Add(4*time.Hour), classAMB, encConsult, nil, drBrandtner, "")
	c.procedure(bronch, bronch.Add(50*time.Minute), procBronchoscopy, "")
	consult := officeHours(g, anchor().AddDate(0, 0, -35))
	c.encounter(consult, consult.Add(time.Hour), classAMB, encConsult, []code{condNSCLC}, drTsao, locOncology)
	c.condition(bronch.Add(3*day), time.Time{}, condNSCLC, true)
	c.clinicVitals(consult, baseline(g, c.p), c.p.weight-5, c.p.height)
	c.panel(consult, panelCBC, cbcTests, labShifts(c.p))
	c.panel(consult, panelBMP, bmpTests, nil)
	tmb := c.lab(consult.Add(-5*day), labTMB, 6.2)
	c.report(consult.Add(-5*day), panelGenomic, []string{tmb}, "Adenocarcinoma of the right upper lobe. Tumour mutational burden 6.2 mut/Mb (not high). EGFR and ALK testing in progress; result to follow.")
	c.enc = ""
}

func storyICU(c *chart) {
	g := c.g
	start := anchor().Add(-18 * day)
	c.admit(start, condPneumonia, locICU, drAdebayo, encICU)
	c.condition(start.Add(-2*day), time.Time{}, condPneumonia, false)
	c.condition(start.Add(-2*time.Hour), time.Time{}, condSepsis, false)
	c.condition(start.Add(12*time.Hour), time.Time{}, condARDS, false)
	c.condition(start.Add(6*time.Hour), time.Time{}, condRespFailure, false)
	c.procedure(start.Add(time.Hour), start.Add(90*time.Minute), procBloodCulture, condSepsis.code)
	c.procedure(start.Add(5*time.Hour), start.Add(5*time.Hour+20*time.Minute), procIntubation, condRespFailure.code)
	extubated := start.Add(10 * day)
	c.procedure(start.Add(5*time.Hour), extubated, procVentilation, condARDS.code)
	for _, m := range []struct {
		rx     code
		status string
	}{{rxPipTazo, "completed"}, {rxNorepinephr, "completed"}, {rxPropofol, "completed"}, {rxEnoxaparin, "active"}, {rxAcetaminophen, "active"}} {
		dose, perDay, prn := medDose(m.rx)
		c.medication(start.Add(3*time.Hour), m.rx, m.status, dose, perDay, prn, condSepsis.code)
	}

	// Bedside monitor: heart rate, SpO2, respiratory rate and arterial blood
	// pressure every 5 minutes; temperature hourly and ACVPU four-hourly by the nurse.
	const step = 5 * time.Minute
	n := int(anchor().Sub(start) / step)
	pr := c.encPr
	for k := 0; k < n; k++ {
		t := start.Add(time.Duration(k) * step)
		d := float64(k) / float64(n) * 18 // day of stay
		hr := icuCurve(d, 118, 98, 84)
		sbp := icuCurve(d, 96, 114, 120)
		rr := icuCurve(d, 22, 18, 17)
		spo2 := icuCurve(d, 90, 95, 97)
		c.heartRate(t, int(g.norm(hr, 3, 0)), true)
		c.respRate(t, int(g.norm(rr, 1.2, 0)), true)
		s := int(clamp(g.norm(spo2, 1.1, 0), 80, 100))
		if t.Before(extubated) {
			fio2 := round(clamp(60-d*3, 30, 60), 0)
			val, key := quantityValue(float64(s), "%", "%")
			c.observe(obsSpec{t: t, category: "vital-signs", code: loincSpO2, also: []code{loincSaO2}, profile: "oxygensat", value: val, valueKey: key, device: true,
				components: []object{component(loincO2Conc, fio2, "%", "%")}})
		} else {
			flow := 4.0
			if d > 13 {
				flow = 2
			}
			c.spo2(t, s, flow, true, true)
		}
		sys := int(g.norm(sbp, 4, 0))
		c.bloodPressure(t, sys, sys*58/100+g.intn(-3, 3), true)
		if k%12 == 0 {
			c.encPr = nurseRowe
			temp := 37.1
			if d < 4 {
				temp = 38.9 - d*0.3
			}
			c.temperature(t.Add(time.Minute), g.norm(temp, 0.2, 1), false)
			if k%48 == 0 {
				c.consciousness(t.Add(2*time.Minute), icuConsciousness(d))
			}
			c.encPr = pr
		}
		if k%288 == 12 { // daily labs at 07:00
			sick := clamp(1-d/8, 0, 1)
			c.panel(t, panelCBC, cbcTests, map[string]float64{labWBC.code.code: 7.5 + 10*sick, labHemoglobin.code.code: 11.2, labPlatelets.code.code: 190 - 60*sick})
			c.panel(t, panelBMP, bmpTests, map[string]float64{labCreatinine.code.code: 0.9 + 0.8*sick, labUrea.code.code: 16 + 14*sick})
			c.lab(t, labCRP, g.norm(30+220*sick, 10, 1))
			c.lab(t, labLactate, g.norm(1.1+2.6*sick, 0.15, 1))
		}
		if t.Before(extubated) && k%144 == 70 { // blood gases twice a day while ventilated
			abg := []string{c.lab(t, labPH, g.norm(7.30+d*0.01, 0.01, 2)), c.lab(t, labPaO2, g.norm(62+d*2, 3, 0)), c.lab(t, labPaCO2, g.norm(52-d, 2, 0))}
			c.report(t, panelABG, abg, "")
		}
	}
	c.enc = ""
}

// icuCurve moves a value from its admission level through its level at
// extubation (day 10) to its level now (day 18).
func icuCurve(d, admission, extubation, now float64) float64 {
	if d < 10 {
		return admission + (extubation-admission)*d/10
	}
	return extubation + (now-extubation)*(d-10)/8
}

func icuConsciousness(d float64) code {
	switch {
	case d < 8:
		return acvpuUnresponsiv
	case d < 10:
		return acvpuPain
	case d < 11:
		return acvpuVoice
	case d < 12:
		return acvpuConfusion
	}
	return acvpuAlert
}

func storyRecovering(c *chart) {
	g := c.g
	admitted := anchor().Add(-62 * time.Hour)
	c.admit(admitted, condSepsis, locWard7B, drOSuilleab, encAdmission)
	c.condition(admitted.Add(-2*day), time.Time{}, condUTI, false)
	c.condition(admitted.Add(-4*time.Hour), time.Time{}, condSepsis, false)
	c.procedure(admitted.Add(-2*time.Hour), admitted.Add(-100*time.Minute), procBloodCulture, condSepsis.code)
	for _, m := range []code{rxPipTazo, rxAcetaminophen} {
		dose, perDay, prn := medDose(m)
		c.medication(admitted.Add(-time.Hour), m, "active", dose, perDay, prn, condSepsis.code)
	}
	for i, sick := range []float64{1, 0.7, 0.4} {
		t := admitted.Add(time.Duration(i)*day + time.Hour)
		c.panel(t, panelCBC, cbcTests, map[string]float64{labWBC.code.code: 11 + 7*sick})
		c.panel(t, panelBMP, bmpTests, map[string]float64{labCreatinine.code.code: 1.6 + 0.6*sick, labEGFR.code.code: 44 - 12*sick})
		c.lab(t, labLactate, g.norm(1.6+1.8*sick, 0.1, 1))
		c.lab(t, labCRP, g.norm(90+110*sick, 8, 1))
		c.lab(t, labINR, g.norm(2.6, 0.2, 1))
	}
	first, next := recoveryAdmission(), recovery()[0]
	c.wardRounds(admitted.Add(time.Hour), anchor(), func(t time.Time) stage {
		if t.Sub(admitted) < day {
			return first
		}
		return next
	}, false)
}

// echo writes an echocardiogram with its ejection fraction, coded as
// LOINC 10230-1 or 8806-2 (by 2D echo).
func (c *chart) echo(t time.Time, lvef float64, by2D bool) {
	test := labLVEF
	if by2D {
		test = labLVEFEcho
	}
	c.procedure(t, t.Add(40*time.Minute), procEcho, condHF.code)
	r := c.quantityObs(t, "imaging", test, lvef)
	c.report(t, reportEcho, []string{r}, fmt.Sprintf("Left ventricular ejection fraction %g%%.", lvef))
}

func storyHeartFailure(c *chart) {
	g := c.g
	for i, when := range []int{-400, -200} {
		t := officeHours(g, anchor().AddDate(0, 0, when))
		c.encounter(t, t.Add(time.Hour), classAMB, encFollowUp, []code{condHF}, drDuring, locCardio)
		c.echo(t, 35-float64(i), i == 1)
		c.procedure(t, t.Add(10*time.Minute), procECG, condHF.code)
	}
	admitted := anchor().Add(-44 * time.Hour)
	c.admit(admitted, condHF, locWard7B, drOSuilleab, encAdmission)
	c.lab(admitted.Add(30*time.Minute), labNTproBNP, 4210)
	c.panel(admitted.Add(30*time.Minute), panelBMP, bmpTests, map[string]float64{labCreatinine.code.code: 1.4})
	dose, perDay, prn := medDose(rxFurosemideIV)
	c.medication(admitted.Add(time.Hour), rxFurosemideIV, "active", dose, perDay, prn, condHF.code)
	s := heartFailureStable()
	c.wardRounds(admitted.Add(time.Hour), anchor(), func(time.Time) stage { return s }, true)
}

func storyHER2(c *chart) {
	g := c.g
	mammo := officeHours(g, anchor().AddDate(0, 0, -150))
	c.encounter(mammo, mammo.Add(time.Hour), classAMB, encProblem, nil, c.p.gp, locPractice)
	c.procedure(mammo, mammo.Add(30*time.Minute), procMammography, "")
	diag := officeHours(g, anchor().AddDate(0, 0, -138))
	c.encounter(diag, diag.Add(time.Hour), classAMB, encConsult, []code{condBreastCancer}, drSolberg, locOncology)
	c.condition(diag, time.Time{}, condBreastCancer, true)
	her2 := c.codedObs(diag, "laboratory", loincHER2IHC, snomedPositive, "POS")
	er := c.codedObs(diag, "laboratory", loincERStatus, snomedNegative, "NEG")
	pr := c.codedObs(diag, "laboratory", loincPRStatus, snomedNegative, "NEG")
	c.report(diag, code{sysLOINC, "60568-3", "Pathology Synoptic report"}, []string{her2, er, pr}, "Invasive ductal carcinoma, grade 3. HER2 positive (IHC 3+), ER negative, PR negative.")
	surgery := officeHours(g, anchor().AddDate(0, 0, -100))
	c.encounter(surgery, surgery.Add(8*time.Hour), classAMB, encConsult, []code{condBreastCancer}, drSolberg, "")
	c.procedure(surgery, surgery.Add(2*time.Hour), procLumpectomy, condBreastCancer.code)
	for t := surgery.AddDate(0, 0, 21); t.Before(anchor().AddDate(0, 0, -3)); t = t.AddDate(0, 0, 21) {
		v := officeHours(g, t)
		c.encounter(v, v.Add(3*time.Hour), classAMB, encFollowUp, []code{condBreastCancer}, drSolberg, locOncology)
		c.clinicVitals(v, baseline(g, c.p), c.p.weight, 0)
		c.panel(v, panelCBC, cbcTests, labShifts(c.p))
	}
	c.enc = ""
}

func storyHFpEF(c *chart) {
	t := officeHours(c.g, anchor().AddDate(0, 0, -90))
	c.encounter(t, t.Add(time.Hour), classAMB, encConsult, []code{condHF}, drDuring, locCardio)
	c.echo(t, 55, false)
	c.enc = ""
}

func storyHFElderly(c *chart) {
	t := officeHours(c.g, anchor().AddDate(0, 0, -120))
	c.encounter(t, t.Add(time.Hour), classAMB, encConsult, []code{condHF}, drDuring, locCardio)
	c.echo(t, 30, true)
	c.enc = ""
}

func storyNSCLCWithILD(c *chart) {
	g := c.g
	diag := officeHours(g, anchor().AddDate(0, 0, -210))
	c.encounter(diag, diag.Add(time.Hour), classAMB, encConsult, []code{condNSCLC}, drTsao, locOncology)
	c.procedure(diag.Add(-20*day), diag.Add(-20*day+time.Hour), procBronchoscopy, "")
	c.condition(diag.Add(-14*day), time.Time{}, condNSCLC, true)
	egfr := c.variant(diag.Add(-7*day), geneEGFR, code{sysHGVS, "p.Glu746_Ala750del", "EGFR exon 19 deletion p.Glu746_Ala750del"}, true)
	tmb := c.lab(diag.Add(-7*day), labTMB, 12.4)
	c.report(diag.Add(-7*day), panelGenomic, []string{egfr, tmb}, "EGFR exon 19 deletion detected. Tumour mutational burden 12.4 mut/Mb (high).")
	for t := diag.AddDate(0, 0, 28); t.Before(anchor().AddDate(0, 0, -7)); t = t.AddDate(0, 0, 42) {
		v := officeHours(g, t)
		c.encounter(v, v.Add(time.Hour), classAMB, encFollowUp, []code{condNSCLC}, drTsao, locOncology)
		c.clinicVitals(v, baseline(g, c.p), c.p.weight, 0)
		c.panel(v, panelCBC, cbcTests, labShifts(c.p))
	}
	c.enc = ""
}

func storyBreastHER2Negative(c *chart) {
	g := c.g
	diag := officeHours(g, anchor().AddDate(-2, 0, -40))
	c.encounter(diag, diag.Add(time.Hour), classAMB, encConsult, []code{condBreastCancer}, drSolberg, locOncology)
	c.condition(diag, time.Time{}, condBreastCancer, true)
	her2 := c.codedObs(diag, "laboratory", loincHER2IHC, snomedNegative, "NEG")
	er := c.codedObs(diag, "laboratory", loincERStatus, snomedPositive, "POS")
	pr := c.codedObs(diag, "laboratory", loincPRStatus, snomedPositive, "POS")
	c.report(diag, code{sysLOINC, "60568-3", "Pathology Synoptic report"}, []string{her2, er, pr}, "Invasive ductal carcinoma, grade 2. HER2 negative (IHC 1+), ER positive, PR positive.")
	c.procedure(diag.AddDate(0, 0, 30), diag.AddDate(0, 0, 30).Add(2*time.Hour), procLumpectomy, condBreastCancer.code)
	dose, perDay, prn := medDose(rxLetrozole)
	c.medication(diag.AddDate(0, 0, 60), rxLetrozole, "active", dose, perDay, prn, condBreastCancer.code)
	c.enc = ""
}

func storyPCI(c *chart) {
	at := anchor().AddDate(-3, 0, 0).Add(14 * time.Hour)
	c.encounter(at.Add(-4*time.Hour), at, classEMER, encEmergency, []code{condCAD}, drLindqvist, locED)
	c.encounter(at, at.Add(3*day), classIMP, encAdmission, []code{condCAD}, drDuring, locWard7B)
	c.procedure(at.Add(2*time.Hour), at.Add(3*time.Hour), procPCI, condCAD.code)
	c.procedure(at.Add(time.Hour), at.Add(70*time.Minute), procECG, condCAD.code)
	c.enc = ""
}
