package demo

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/chartline/chartline/app/kafka"
)

// BulkPatientID is the id of bulk patient i (0-based): "bulk-0000001" for
// i = 0. Bulk patients never clash with fixture or simulated patients.
func BulkPatientID(i int) string { return fmt.Sprintf("bulk-%07d", i+1) }

// Bulk streams n realistic FHIR R4 resources (about 1.5 KB each on average)
// over `patients` patient topics of kafka.DefaultTopics, for benchmarks and
// crash tests. Each patient's Patient resource comes first on its topic;
// then, patients chosen at random, a mix as a hospital feed carries it:
// vital-sign rounds and single vital signs, lab panels with their
// DiagnosticReport, single lab results, Encounters, Conditions,
// MedicationRequests, Procedures, Immunizations, AllergyIntolerances.
// References are literal ("Patient/<id>", "Encounter/<uuid>"), as a
// publisher sends them, and every resource passes the record rules.
//
// The same seed, n and patients give the same records. yield receives the
// topic, the key "<Type>/<id>" and the JSON; the slices are the caller's to
// keep. Bulk stops early when yield returns false. Memory stays flat: one
// small state per patient, nothing per record.
func Bulk(seed uint64, n, patients int, yield func(topic string, key, value []byte) bool) {
	if patients < 1 {
		patients = 1
	}
	topics := kafka.DefaultTopics()
	g := newGen(seed, 7)
	b := &bulk{g: g, pts: make([]*bulkPatient, patients), memo: map[memoKey]any{}}
	sent := 0
	for sent < n {
		i := g.r.IntN(patients)
		p := b.patient(i)
		b.queue = b.queue[:0]
		if !p.started {
			p.started = true
			b.queue = append(b.queue, bulkRecord{"Patient", p.c.p.id, patientResource(g, p.c.p)})
		} else {
			b.step(p)
		}
		topic := topics.Patient(p.c.p.id)
		for _, r := range b.queue {
			if sent == n {
				return
			}
			value := withNarrative(r.res).append(make([]byte, 0, 3072))
			if !yield(topic, []byte(r.typ+"/"+r.id), value) {
				return
			}
			sent++
		}
	}
}

type bulkRecord struct {
	typ, id string
	res     object
}

type bulkPatient struct {
	c       *chart
	started bool
	now     time.Time
	base    vitals
}

type bulk struct {
	g     *gen
	pts   []*bulkPatient
	queue []bulkRecord
	memo  map[memoKey]any // shared by every bulk patient's chart
}

var (
	bulkGiven   = []string{"Ada", "Bo", "Chiara", "Dagny", "Émile", "Farah", "Gérard", "Hana", "Ilse", "Jörg", "Kofi", "Leena", "Mónica", "Nils", "Oona", "Pål", "Quentin", "Rūta", "Siobhán", "Tadeusz", "Uma", "Vítor", "Wen", "Xóchitl", "Yusuf", "Zdeňka"}
	bulkFamily  = []string{"Abbott", "Bergström", "Castellanos", "Dvořák", "Eriksen", "Fitzgerald", "García", "Haugen", "Ibarra", "Jankowski", "Kowalczyk", "Lindahl", "Moreau", "Nakamura", "Okafor", "Petrović", "Quigley", "Rasmussen", "Søndergaard", "Tanaka", "Urquhart", "Vasquez", "Wójtowicz", "Xu", "Yildiz", "Zielińska"}
	bulkChronic = []chronic{
		{condHypertension, 8, []code{rxLisinopril}},
		{condT2DM, 6, []code{rxMetformin}},
		{condHyperlipid, 5, []code{rxAtorvastatin}},
		{condAsthma, 10, []code{rxAlbuterol}},
		{condCOPD, 7, []code{rxFluSalm}},
		{condHF, 3, []code{rxFurosemide, rxCarvedilol}},
		{condAF, 4, []code{rxWarfarin}},
		{condHypothyroid, 9, []code{rxLevothyroxine}},
		{condCKD3, 4, nil},
		{condDepression, 3, []code{rxCitalopram}},
	}
)

func (b *bulk) patient(i int) *bulkPatient {
	if p := b.pts[i]; p != nil {
		return p
	}
	g := b.g
	sex := "female"
	if g.chance(0.5) {
		sex = "male"
	}
	per := &persona{
		id: BulkPatientID(i), mrn: fmt.Sprintf("BK-%07d", i+1),
		given: []string{bulkGiven[g.intn(0, len(bulkGiven)-1)]}, family: bulkFamily[g.intn(0, len(bulkFamily)-1)],
		sex: sex, birth: fmt.Sprintf("%d-%02d-%02d", g.intn(1935, 2005), g.intn(1, 12), g.intn(1, 28)),
		lang: langEN, city: "Kestrel Vale", years: 3, gp: drQuinones, smoking: smokeNever,
		weight: g.norm(76, 12, 1), height: g.norm(170, 9, 1),
	}
	for _, ch := range bulkChronic {
		if g.chance(0.15) {
			per.chronic = append(per.chronic, ch)
		}
	}
	p := &bulkPatient{now: anchor().AddDate(-3, 0, 0).Add(time.Duration(g.intn(0, 720)) * time.Hour)}
	p.c = &chart{g: g, p: per, patURL: "Patient/" + per.id, conds: map[string]string{}, encPr: per.gp, memo: b.memo,
		sink: func(typ, id string, res object) { b.queue = append(b.queue, bulkRecord{typ, id, res}) }}
	p.base = baseline(g, per)
	b.pts[i] = p
	return p
}

// step writes the patient's next piece of history into the queue.
func (b *bulk) step(p *bulkPatient) {
	g, c := b.g, p.c
	if p.now.Before(anchor()) {
		p.now = p.now.Add(time.Duration(g.intn(10, 2880)) * time.Minute)
	} else {
		p.now = p.now.Add(time.Duration(g.intn(1, 15)) * time.Minute)
	}
	t := p.now
	if len(c.conds) > 64 { // keep per-patient state small
		clear(c.conds)
	}
	if c.enc == "" || g.chance(0.06) {
		inpatient := g.chance(0.2)
		class, typ, loc, pr := classAMB, g.pick(encCheckup, encFollowUp, encProblem), locPractice, c.p.gp
		if inpatient {
			class, typ, loc, pr = classIMP, encAdmission, g.pickString(locWard7B, locWard4, locICU), []staff{drOSuilleab, drBrandtner, drAdebayo}[g.intn(0, 2)]
		}
		c.encounter(t, t.Add(time.Duration(g.intn(20, 600))*time.Minute), class, typ, c.p.reasons(), pr, loc)
		return
	}
	v := p.base
	v.RR, v.HR, v.SBP = g.intn(12, 22), v.HR+g.intn(-8, 12), v.SBP+g.intn(-10, 10)
	v.DBP, v.Temp, v.SpO2 = v.SBP*62/100, g.norm(37, 0.4, 1), g.intn(92, 99)
	switch k := g.intn(0, 99); {
	case k < 22: // a NEWS2 round: six Observations
		c.newsVitals(t, v, false)
	case k < 40: // one vital sign
		switch g.intn(0, 3) {
		case 0:
			c.heartRate(t, v.HR, false)
		case 1:
			c.spo2(t, v.SpO2, float64(g.intn(0, 2)), true, false)
		case 2:
			c.bloodPressure(t, v.SBP, v.DBP, false)
		default:
			c.respRate(t, v.RR, false)
		}
	case k < 52: // a lab panel and its report
		switch g.intn(0, 2) {
		case 0:
			c.panel(t, panelCBC, cbcTests, nil)
		case 1:
			c.panel(t, panelBMP, bmpTests, nil)
		default:
			c.panel(t, panelLipid, lipidTests, nil)
		}
	case k < 66: // a single lab result
		test := []labTest{labCRP, labLactate, labHbA1c, labNTproBNP, labTSH, labINR, labAlbumin, labGlucose}[g.intn(0, 7)]
		c.lab(t, test, g.norm(test.mean, test.sd, test.decimals))
	case k < 74:
		dose, perDay, prn := medDose(rxAcetaminophen)
		m := rxAcetaminophen
		if len(c.p.chronic) > 0 {
			ch := c.p.chronic[g.intn(0, len(c.p.chronic)-1)]
			if len(ch.meds) > 0 {
				m = ch.meds[g.intn(0, len(ch.meds)-1)]
				dose, perDay, prn = medDose(m)
			}
		}
		c.medication(t, m, g.pickString("active", "completed", "stopped"), dose, perDay, prn, "")
	case k < 80:
		acute := g.chance(0.6)
		cd := g.pick(condSinusitis, condPharyngitis, condBronchitis, condUTI, condCellulitis)
		var abated time.Time
		if !acute && len(c.p.chronic) > 0 {
			cd = c.p.chronic[g.intn(0, len(c.p.chronic)-1)].cond
		} else {
			abated = t.Add(time.Duration(g.intn(7, 21)) * day)
		}
		c.condition(t, abated, cd, !acute)
	case k < 86:
		c.procedure(t, t.Add(time.Duration(g.intn(10, 90))*time.Minute), g.pick(procMedRec, procNeedsAssess, procECG, procChestXRay, procSpirometry, procEcho), "")
	case k < 90:
		c.immunization(t, g.pick(cvxFlu, cvxCovid, cvxTdap, cvxPCV13, cvxZoster))
	case k < 92:
		a := []allergyFact{
			{allergyPenicillin, "medication", "high", reactionRash, "moderate", 0},
			{allergyLatex, "environment", "low", reactionHives, "mild", 0},
			{allergyNut, "food", "high", reactionAnaphyl, "severe", 0},
		}[g.intn(0, 2)]
		c.allergy(t, a.code, a.category, a.criticality, a.reaction, a.severity)
	default: // a report with a narrative conclusion over one result
		r := c.lab(t, labCRP, g.norm(12, 8, 1))
		c.report(t, panelBMP, []string{r}, bulkNarrative[g.intn(0, len(bulkNarrative)-1)])
	}
}

func (p *persona) reasons() []code {
	var out []code
	for _, ch := range p.chronic {
		out = append(out, ch.cond)
	}
	return out
}

func (g *gen) pickString(s ...string) string { return s[g.intn(0, len(s)-1)] }

var bulkNarrative = []string{
	"Results reviewed with the patient. Inflammatory markers are modestly raised and consistent with the clinical picture of a resolving lower respiratory tract infection; no change to the current plan. Repeat in one week or sooner if symptoms recur.",
	"Renal function stable compared with the previous three results. Potassium within range on the current dose of the ACE inhibitor. Continue the current regimen and recheck at the next scheduled review in three months.",
	"Marked rise compared with baseline. Discussed with the on-call registrar; sepsis screen started and blood cultures taken. Lactate to be repeated within two hours and fluid balance charted hourly.",
	"Within normal limits. No action needed. The patient was informed by text message and the result was filed to the record by the reviewing clinician.",
}

// withNarrative adds a generated narrative (text.div), as FHIR servers such
// as HAPI generate it: a table of the resource's top-level elements. Real
// feeds carry one on most resources, and it is most of their size.
func withNarrative(res object) object {
	var sb strings.Builder
	sb.WriteString(`<div xmlns="http://www.w3.org/1999/xhtml"><table class="hapiPropertyTable"><tbody>`)
	for _, m := range res {
		switch m.key {
		case "resourceType", "id", "meta", "category", "subject", "patient", "encounter", "performer",
			"issued", "identifier", "participant", "serviceProvider", "requester", "recorder", "result", "location":
			continue
		}
		sb.WriteString("<tr><th>")
		sb.WriteString(m.key)
		sb.WriteString("</th><td>")
		writeHTML(&sb, summary(m.value))
		sb.WriteString("</td></tr>")
	}
	sb.WriteString("</tbody></table></div>")
	out := make(object, 0, len(res)+1)
	for _, m := range res {
		out = append(out, m)
		if m.key == "meta" {
			out = append(out, member{"text", obj("status", "generated", "div", sb.String())})
		}
	}
	return out
}

// summary is a value in a few words: a text, a display, a quantity, a reference.
func summary(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case int:
		return strconv.Itoa(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case []string:
		return strings.Join(v, ", ")
	case []object:
		parts := make([]string, 0, len(v))
		for _, o := range v {
			parts = append(parts, summary(o))
		}
		return strings.Join(parts, "; ")
	case object:
		if s, ok := v.get("text").(string); ok {
			return s
		}
		if d, ok := v.get("display").(string); ok {
			return d
		}
		if val := v.get("value"); val != nil {
			if u, ok := v.get("unit").(string); ok {
				return summary(val) + " " + u
			}
			return summary(val)
		}
		if r, ok := v.get("reference").(string); ok {
			return r
		}
		parts := make([]string, 0, len(v))
		for _, m := range v {
			parts = append(parts, m.key+": "+summary(m.value))
		}
		return strings.Join(parts, ", ")
	}
	return ""
}

func writeHTML(sb *strings.Builder, s string) {
	start := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '&':
			esc = "&amp;"
		default:
			continue
		}
		sb.WriteString(s[start:i])
		sb.WriteString(esc)
		start = i + 1
	}
	sb.WriteString(s[start:])
}
