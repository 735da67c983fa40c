package demo

import (
	"fmt"
	"time"
)

// The paediatric admission: a 6-year-old with an acute asthma attack is
// admitted early in every simulation (SimOptions.PaedsAdmitAt) and charted on
// each vitals round with the National PEWS parameters besides NEWS2's:
// capillary refill time (LOINC 44963-7) and respiratory distress (SNOMED CT
// 1364081000000103, answered none/mild/moderate/severe). Chartline shows
// PEWS for them, never NEWS2 ("NEWS2 does not apply: age 6 — PEWS shown").
// The story: PEWS low (2) at admission, medium (7) from 40 s, a PEWS alert.
// The child has a generator of their own, so the rest of the simulation
// draws the same values with or without them.

// Codes the PEWS rounds chart (README, "Topics": codes the scores read).
var (
	loincCapRefill   = code{sysLOINC, "44963-7", "Capillary refill [Time] of Nail bed"}
	sctRespDistress  = code{sysSNOMED, "1364081000000103", "Respiratory distress observable"}
	sctDistressMild  = code{sysSNOMED, "255604002", "Mild"}
	sctDistressModer = code{sysSNOMED, "6736007", "Moderate"}
)

// paedsStage is one stage of the child's story: the vital signs and the two
// PEWS-only parameters.
type paedsStage struct {
	v        vitals
	crt      float64 // s
	distress code
}

// paedsPlan: low at admission (RR 28 → 1, distress mild → 1: PEWS 2 on the
// 5–12 years chart), medium from PaedsWorseAt (RR 42 → 2, HR 142 → 2, SpO2 93
// → 1, distress moderate → 2: PEWS 7).
func paedsPlan(at, worse time.Duration) paedsStage {
	if at >= worse {
		return paedsStage{v: vitals{RR: 42, SpO2: 93, SBP: 104, DBP: 64, HR: 142, Temp: 37.6, ACVPU: acvpuAlert}, crt: 2, distress: sctDistressModer}
	}
	return paedsStage{v: vitals{RR: 28, SpO2: 96, SBP: 102, DBP: 62, HR: 112, Temp: 37.4, ACVPU: acvpuAlert}, crt: 1.5, distress: sctDistressMild}
}

// pewsVitals charts a full PEWS round at t.
func (c *chart) pewsVitals(t time.Time, st paedsStage) {
	c.newsVitals(t, st.v, false)
	val, key := quantityValue(st.crt, "s", "s")
	c.observe(obsSpec{t: t, category: "vital-signs", code: loincCapRefill, value: val, valueKey: key})
	c.observe(obsSpec{t: t, category: "vital-signs", code: sctRespDistress, value: concept(st.distress), valueKey: "valueCodeableConcept"})
}

// admitChild admits the paediatric patient: Patient, ED and inpatient
// Encounters, the asthma Condition, then a first PEWS round.
func (s *sim) admitChild(at time.Duration) (string, error) {
	g := s.paedsGen
	t := s.now(at)
	born := t.AddDate(-6, -4, 0)
	per := &persona{
		id: "paed-" + s.tag, mrn: fmt.Sprintf("KV-8%05d", g.intn(0, 99999)),
		given: []string{"Maja"}, family: "Lindqvist-Okafor", sex: "female", birth: born.Format(time.DateOnly),
		lang: langEN, city: "Kestrel Vale", years: 0, gp: drQuinones, smoking: smokeNever, nka: true,
	}
	c := &chart{g: g, p: per, patURL: "Patient/" + per.id, conds: map[string]string{}, encPr: nurseRowe, memo: s.memo}
	c.sink = func(typ, id string, res object) { s.out = append(s.out, entry("urn:uuid:"+id, res, "POST", typ)) }
	s.out = append(s.out, entry("urn:uuid:"+g.uuid(), patientResource(g, per), "PUT", "Patient/"+per.id))
	c.encounter(t.Add(-2*time.Hour), t, classEMER, encEmergency, []code{condAsthma}, drLindqvist, locED)
	c.encounter(t, time.Time{}, classIMP, encAdmission, []code{condAsthma}, drOSuilleab, locWard4)
	c.condition(t.Add(-3*time.Hour), time.Time{}, condAsthma, false)
	c.noKnownAllergies(t)
	c.pewsVitals(t, paedsPlan(at, s.o.PaedsWorseAt))
	s.child = c
	return "paediatric admission", nil
}

// childRound charts the child's PEWS round of a vitals round.
func (s *sim) childRound(t time.Time, at time.Duration) {
	if s.child != nil {
		s.child.pewsVitals(t, paedsPlan(at, s.o.PaedsWorseAt))
	}
}
