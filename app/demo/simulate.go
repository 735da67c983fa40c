package demo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/publish"
)

// SimOptions tunes the live simulator. Every zero field takes the default
// given beside it. Durations are simulated time: Speed divides them all.
type SimOptions struct {
	// VitalsEvery is how often each inpatient gets a NEWS2 round (six
	// Observations). Default 5 s. Each round is about 6 records per inpatient.
	VitalsEvery time.Duration
	// StageEvery is how long the deteriorating and the recovering patient
	// stay in each stage of their story. Default 12 s, so that the demo
	// tells its story within its first minute: the deteriorating patient is
	// low, then low-medium from 12 s, medium from 24 s, high from 36 s; the
	// recovering one high, medium from 12 s, low from 24 s.
	StageEvery time.Duration
	// AdmitEvery is how often a new patient is admitted on a new patient
	// topic (Patient, Encounters, a Condition, labs, then NEWS2 rounds).
	// Default 60 s.
	AdmitEvery time.Duration
	// FirstAdmitAt is when the first of those admissions arrives. Default 20 s.
	FirstAdmitAt time.Duration
	// PaedsAdmitAt is when the paediatric patient (a 6-year-old, scored on
	// National PEWS) is admitted; PaedsWorseAt when their PEWS rises from
	// low to medium (paeds.go). Defaults 8 s and 40 s.
	PaedsAdmitAt, PaedsWorseAt time.Duration
	// MaxAdmitted is how many simulated admissions stay in hospital and get
	// vital signs; the oldest is discharged (its Encounter finished) beyond
	// it. Default 12.
	MaxAdmitted int
	// LabsEvery is how often a lab result arrives for an inpatient. Default 20 s.
	LabsEvery time.Duration
	// BiomarkerAt is when the NSCLC patient's EGFR L858R result arrives,
	// which makes her eligible for the EGFR study. Default 30 s.
	BiomarkerAt time.Duration
	// AmendEvery is how often the latest lab result is amended: the same key
	// again with meta.versionId + 1 and status amended. Default 90 s.
	AmendEvery time.Duration
	// ErrorEvery is how often a result is charted on the wrong patient; it is
	// deleted as entered in error (a tombstone on its key) CorrectAfter
	// later. Defaults 120 s and 15 s.
	ErrorEvery   time.Duration
	CorrectAfter time.Duration
	// MisrouteAt is when, once, an upstream interface puts a glucose result
	// for one patient on another patient's topic. The record rules refuse
	// it ("other patient"): Chartline quarantines it, so the demo's
	// Quarantine screen shows a real refusal. Default 50 s.
	MisrouteAt time.Duration
	// Speed is simulated seconds per wall-clock second: 10 plays the
	// scenario ten times faster, clinical times advancing ten times faster
	// too. Default 1.
	Speed float64
	// Seed seeds the simulator's random choices; 0 (the default) seeds from
	// the clock, so two runs against one broker never reuse resource ids.
	Seed uint64
	// Now is the clinical time the simulation starts at; default time.Now.
	Now func() time.Time
	// Logger receives what the simulator publishes, in kinds and counts
	// (never patient ids or values); nil discards it.
	Logger *slog.Logger
}

func (o SimOptions) withDefaults() SimOptions {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.VitalsEvery, 5*time.Second)
	def(&o.StageEvery, 12*time.Second)
	def(&o.AdmitEvery, time.Minute)
	def(&o.FirstAdmitAt, 20*time.Second)
	def(&o.PaedsAdmitAt, 8*time.Second)
	def(&o.PaedsWorseAt, 40*time.Second)
	def(&o.LabsEvery, 20*time.Second)
	def(&o.BiomarkerAt, 30*time.Second)
	def(&o.AmendEvery, 90*time.Second)
	def(&o.ErrorEvery, 120*time.Second)
	def(&o.CorrectAfter, 15*time.Second)
	def(&o.MisrouteAt, 50*time.Second)
	if o.MaxAdmitted <= 0 {
		o.MaxAdmitted = 12
	}
	if o.Speed <= 0 {
		o.Speed = 1
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Seed == 0 {
		o.Seed = uint64(time.Now().UnixNano())
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return o
}

// simPatient is a patient the simulator charts vital signs for.
type simPatient struct {
	c     *chart
	stage func(at time.Duration) stage
	tempF bool
	enc   object // a simulated admission's inpatient Encounter, to discharge it
}

type pendingDelete struct {
	at          time.Duration
	patient, id string
}

// sim is one run of the simulator.
type sim struct {
	o       SimOptions
	p       *publish.Publisher
	topics  kafka.Topics
	g       *gen
	clock0  time.Time
	tag     string
	out     []object // entries of the Bundle being built
	wards   []*simPatient
	admits  []*simPatient
	nAdmit  int
	lastLab *labResult
	deletes []pendingDelete
	raw     []publish.Record // records published as they are, past Split
	memo    map[memoKey]any  // shared by every chart of the run
	// paedsGen draws the paediatric admission's values; child is their
	// chart once admitted (paeds.go).
	paedsGen *gen
	child    *chart
}

type labResult struct {
	c   *chart
	res object
}

// Simulate keeps producing records until ctx ends, as a hospital feed would
// while the demo runs: a NEWS2 round for every inpatient every VitalsEvery
// (most stable with small noise; the deteriorating patient climbing from low
// through low-medium and medium to high, the recovering one falling), a new
// admission on a new patient topic every AdmitEvery, lab results, the EGFR
// result for NSCLCPatient at BiomarkerAt, an amended Observation now and then
// and a record deleted as entered in error (a tombstone). Every batch goes
// through publish.Split and Publisher.Publish, the path of `chartline
// publish`. Load the fixtures first (LoadFixtures): the simulator continues
// their stories.
//
// Simulate returns nil when ctx is cancelled, and the error of a publish that
// fails otherwise.
func Simulate(ctx context.Context, p *publish.Publisher, topics kafka.Topics, o SimOptions) error {
	o = o.withDefaults()
	encs, err := inpatientEncounters()
	if err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	s := &sim{o: o, p: p, topics: topics, g: newGen(o.Seed, 99), paedsGen: newGen(o.Seed, 61), clock0: o.Now(), memo: map[memoKey]any{}}
	s.tag = fmt.Sprintf("%04x", s.g.r.Uint64()&0xffff)
	dets, recs := deterioration(), recovery()
	atStage := func(plan []stage) func(time.Duration) stage {
		return func(at time.Duration) stage {
			i := int(at / o.StageEvery)
			return plan[min(i, len(plan)-1)]
		}
	}
	fixed := func(st stage) func(time.Duration) stage { return func(time.Duration) stage { return st } }
	for _, per := range population() {
		if !per.inpatient {
			continue
		}
		sp := &simPatient{c: s.chart(per, encs[per.id]), tempF: per.tempF}
		switch per.id {
		case DeterioratingPatient:
			sp.stage = atStage(dets)
		case RecoveringPatient:
			sp.stage = atStage(recs)
		case COPDPatient:
			sp.stage = fixed(copdStable())
		case ICUPatient:
			sp.stage = fixed(icuStable())
		default:
			sp.stage = fixed(heartFailureStable())
		}
		s.wards = append(s.wards, sp)
	}

	type task struct {
		next  time.Duration
		every time.Duration // 0: once
		run   func(at time.Duration) (string, error)
	}
	tasks := []*task{
		{o.PaedsAdmitAt, 0, s.admitChild},
		{0, o.VitalsEvery, s.vitalsRound},
		{o.LabsEvery, o.LabsEvery, s.labResult},
		{o.BiomarkerAt, 0, s.biomarker},
		{o.FirstAdmitAt, o.AdmitEvery, s.admit},
		{o.AmendEvery, o.AmendEvery, s.amend},
		{o.ErrorEvery, o.ErrorEvery, s.misChart},
		{o.MisrouteAt, 0, s.misroute},
		{-1, 0, s.correct}, // scheduled by misChart
	}
	correct := tasks[len(tasks)-1]
	start := time.Now()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		var due *task
		for _, t := range tasks {
			if t.next >= 0 && (due == nil || t.next < due.next) {
				due = t
			}
		}
		wall := start.Add(time.Duration(float64(due.next) / o.Speed))
		timer.Reset(time.Until(wall))
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		}
		at := due.next
		what, err := due.run(at)
		if err == nil && what != "" {
			err = s.flush(ctx, what)
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("simulate: %w", err)
		}
		if due.every > 0 {
			due.next += due.every
		} else {
			due.next = -1
		}
		correct.next = -1
		if len(s.deletes) > 0 {
			correct.next = s.deletes[0].at
		}
	}
}

// chart returns a sink-mode chart for an existing patient: references are
// literal, resources go into the Bundle being built.
func (s *sim) chart(per *persona, encounterID string) *chart {
	c := &chart{g: s.g, p: per, patURL: "Patient/" + per.id, conds: map[string]string{}, encPr: nurseRowe, memo: s.memo}
	if encounterID != "" {
		c.enc = "Encounter/" + encounterID
	}
	c.sink = func(typ, id string, res object) {
		s.out = append(s.out, entry("urn:uuid:"+id, res, "POST", typ))
	}
	return c
}

// now is the clinical time of a simulated offset.
func (s *sim) now(at time.Duration) time.Time { return s.clock0.Add(at).Truncate(time.Second) }

// flush publishes the Bundle built so far through Split and Publish.
func (s *sim) flush(ctx context.Context, what string) error {
	if len(s.out) == 0 && len(s.raw) == 0 {
		return nil
	}
	var recs []publish.Record
	if len(s.out) > 0 {
		data := bundle(s.out).append(nil)
		s.out = s.out[:0]
		var err error
		if recs, err = publish.Split(data, s.topics, FixtureSource); err != nil {
			return fmt.Errorf("split %s: %w", what, err)
		}
	}
	recs = append(recs, s.raw...)
	s.raw = s.raw[:0]
	counts, err := s.p.Publish(ctx, recs)
	if err != nil {
		return fmt.Errorf("publish %s: %w", what, err)
	}
	s.o.Logger.Debug("simulator published", "what", what, "records", counts.Records, "tombstones", counts.Tombstones)
	return nil
}

func (s *sim) vitalsRound(at time.Duration) (string, error) {
	t := s.now(at)
	for _, sp := range append(append([]*simPatient{}, s.wards...), s.admits...) {
		v := sp.stage(at).r.sample(s.g)
		v.TempF = sp.tempF
		sp.c.newsVitals(t, v, false)
	}
	s.childRound(t, at)
	return "vital signs", nil
}

func (s *sim) labResult(at time.Duration) (string, error) {
	all := append(append([]*simPatient{}, s.wards...), s.admits...)
	sp := all[s.g.intn(0, len(all)-1)]
	test := []labTest{labCRP, labLactate, labPotassium, labHemoglobin, labCreatinine}[s.g.intn(0, 4)]
	mean, sd := test.mean, test.sd
	if sp.c.p.id == DeterioratingPatient {
		stage := min(int(at/s.o.StageEvery), len(deterioration())-1)
		mean, sd = sepsisLab(test, stage)
	}
	t := s.now(at)
	v := plausibleLab(test, s.g.norm(mean, sd, test.decimals))
	s.lab(sp.c, t, test, v)
	return "lab result", nil
}

// sepsisLabs are the deteriorating patient's lactate (mmol/L) and CRP
// (mg/L) at each stage of the deterioration (low, low-medium, medium, high):
// a sepsis that declares itself over hours, as its vital signs do. Lactate
// over 2 mmol/L is hypoperfusion and 4 or more septic shock (Surviving
// Sepsis Campaign 2021); a CRP over 100 mg/L is common in bacterial sepsis.
// The rise stops at the last stage however long the demo runs.
var sepsisLabs = map[string][]struct{ mean, sd float64 }{
	labLactate.code.code: {{1.4, 0.2}, {2.2, 0.3}, {3.1, 0.3}, {4.4, 0.4}},
	labCRP.code.code:     {{38, 6}, {85, 10}, {140, 15}, {210, 20}},
}

// sepsisLab is the mean and spread of a result of the deteriorating patient
// at a stage of the deterioration; tests the sepsis does not move keep
// their usual values.
func sepsisLab(test labTest, stage int) (mean, sd float64) {
	plan, ok := sepsisLabs[test.code.code]
	if !ok {
		return test.mean, test.sd
	}
	st := plan[max(0, min(stage, len(plan)-1))]
	return st.mean, st.sd
}

// labLimits bound what the simulator reports, by LOINC code: values a
// laboratory reports from living patients (beyond them an analyser flags
// the sample, not the patient). A draw outside is clamped to the limit, so
// a long demo never shows a lactate of 34 mmol/L.
var labLimits = map[string][2]float64{
	labLactate.code.code:    {0.3, 15},  // mmol/L
	labCRP.code.code:        {0.2, 400}, // mg/L
	labPotassium.code.code:  {2.5, 7.0}, // mmol/L
	labHemoglobin.code.code: {5, 20},    // g/dL
	labCreatinine.code.code: {0.3, 12},  // mg/dL
}

// plausibleLab keeps a generated value within its test's limits (and above
// zero for any test).
func plausibleLab(test labTest, v float64) float64 {
	if l, ok := labLimits[test.code.code]; ok {
		return max(l[0], min(l[1], v))
	}
	if v <= 0 {
		return test.mean
	}
	return v
}

// lab writes a lab result and remembers it, so it can be amended.
func (s *sim) lab(c *chart, t time.Time, test labTest, v float64) {
	pr := c.encPr
	c.encPr = drOSuilleab
	c.lab(t, test, v)
	c.encPr = pr
	last := s.out[len(s.out)-1].get("resource").(object)
	s.lastLab = &labResult{c: c, res: last}
}

// biomarker is the EGFR result that makes NSCLCPatient eligible for the EGFR study.
func (s *sim) biomarker(at time.Duration) (string, error) {
	var per *persona
	for _, p := range population() {
		if p.id == NSCLCPatient {
			per = p
		}
	}
	c := s.chart(per, "")
	c.encPr = drTsao
	t := s.now(at)
	v := c.variant(t, geneEGFR, egfrL858R, true)
	c.report(t, panelGenomic, []string{v}, "EGFR exon 21 p.Leu858Arg (L858R) detected: an activating EGFR variant. ALK rearrangement not detected.")
	return "biomarker", nil
}

// amend publishes the latest lab result again, corrected: same key, the
// next meta.versionId, status amended.
func (s *sim) amend(at time.Duration) (string, error) {
	l := s.lastLab
	if l == nil {
		return "", nil
	}
	s.lastLab = nil
	res := append(object(nil), l.res...)
	version := 2
	if m, ok := res.get("meta").(object); ok {
		if v, ok := m.get("versionId").(string); ok {
			fmt.Sscan(v, &version)
			version++
		}
	}
	res = res.set("meta", obj("versionId", fmt.Sprint(version), "lastUpdated", dt(s.now(at))))
	res = res.set("status", "amended")
	if q, ok := res.get("valueQuantity").(object); ok {
		q = append(object(nil), q...)
		if v, ok := q.get("value").(float64); ok {
			res = res.set("valueQuantity", q.set("value", round(v*0.9, 2)))
		}
	}
	res = res.set("note", []object{text("Amended: the first result was from a haemolysed sample; re-run on a new sample.")})
	id, _ := res.get("id").(string)
	s.out = append(s.out, entry("urn:uuid:"+id, res, "PUT", "Observation/"+id))
	return "amended result", nil
}

// misChart charts a glucose on a patient it does not belong to; correct
// deletes it CorrectAfter later.
func (s *sim) misChart(at time.Duration) (string, error) {
	ps := population()
	per := ps[s.g.intn(9, len(ps)-1)] // an outpatient without a scenario
	c := s.chart(per, "")
	c.encPr = drOSuilleab
	url := c.lab(s.now(at), labGlucose, s.g.norm(168, 12, 0))
	_, id, _ := cutKey(url)
	s.deletes = append(s.deletes, pendingDelete{at: at + s.o.CorrectAfter, patient: per.id, id: id})
	return "mis-charted result", nil
}

// misroute puts a glucose result for one outpatient on another's topic,
// as a misconfigured interface engine would: past Split, which would route
// it right, straight to the wrong topic.
func (s *sim) misroute(at time.Duration) (string, error) {
	ps := population()
	on := ps[s.g.intn(9, len(ps)-1)]
	of := on
	for of == on {
		of = ps[s.g.intn(9, len(ps)-1)]
	}
	id := s.g.uuid()
	res := obj("resourceType", "Observation", "id", id, "status", "final",
		"category", []any{obj("coding", []any{obj("system", "http://terminology.hl7.org/CodeSystem/observation-category", "code", "laboratory")})},
		"code", obj("coding", []any{labGlucose.code.coding()}),
		"subject", obj("reference", "Patient/"+of.id),
		"effectiveDateTime", dt(s.now(at)),
		"valueQuantity", qty(round(s.g.norm(154, 10, 0), 0), labGlucose.unit, labGlucose.ucum))
	s.raw = append(s.raw, publish.Record{
		Topic: s.topics.Patient(on.id), Key: []byte("Observation/" + id), Value: res.append(nil),
		Headers: []kgo.RecordHeader{
			{Key: publish.HeaderContentType, Value: []byte(publish.ContentType)},
			{Key: publish.HeaderFHIRVersion, Value: []byte(publish.FHIRVersion)},
			{Key: publish.HeaderSource, Value: []byte("lab-interface")},
		},
	})
	return "misrouted result", nil
}

// correct deletes the oldest mis-charted result as entered in error: a
// DELETE entry, which Split turns into a tombstone on its key.
func (s *sim) correct(at time.Duration) (string, error) {
	if len(s.deletes) == 0 {
		return "", nil
	}
	d := s.deletes[0]
	s.deletes = s.deletes[1:]
	s.out = append(s.out, obj("request", obj("method", "DELETE", "url", "Observation?_id="+d.id+"&patient=Patient/"+d.patient)))
	return "entered-in-error deletion", nil
}

func cutKey(key string) (typ, id string, ok bool) {
	for i := 0; i < len(key); i++ {
		if key[i] == '/' {
			return key[:i], key[i+1:], true
		}
	}
	return "", "", false
}

var (
	admitGiven  = []string{"Ines", "Mehmet", "Saoirse", "Bartłomiej", "Chidi", "Ågot", "Lúcia", "Hyun-woo", "Émilie", "Dragoș", "Fionnuala", "Tõnis", "Ngozi", "Aurélien", "Małgorzata", "Kalani"}
	admitFamily = []string{"Ferreira", "Öztürk", "Mac Giolla", "Wiśniewski", "Eze", "Løvland", "Gonçalves", "Park", "Lévesque", "Popescu", "Ní Dhomhnaill", "Tamm", "Adeyemi", "Rousseau", "Kamińska", "Kahananui"}
	admitReason = []code{condPneumonia, condCellulitis, condUTI, condHF, condBronchitis}
)

// admit admits a new patient on a new patient topic.
func (s *sim) admit(at time.Duration) (string, error) {
	g := s.g
	s.nAdmit++
	sex := "female"
	if g.chance(0.5) {
		sex = "male"
	}
	per := &persona{
		id: fmt.Sprintf("adm-%s-%02d", s.tag, s.nAdmit), mrn: fmt.Sprintf("KV-9%05d", g.intn(0, 99999)),
		given: []string{admitGiven[g.intn(0, len(admitGiven)-1)]}, family: admitFamily[g.intn(0, len(admitFamily)-1)],
		sex: sex, birth: fmt.Sprintf("%d-%02d-%02d", g.intn(1930, 2004), g.intn(1, 12), g.intn(1, 28)),
		lang: langEN, city: "Kestrel Vale", years: 0, gp: drQuinones, smoking: smokeNever, nka: g.chance(0.6),
	}
	t := s.now(at)
	c := s.chart(per, "")
	s.out = append(s.out, entry("urn:uuid:"+g.uuid(), patientResource(g, per), "PUT", "Patient/"+per.id))
	reason := admitReason[g.intn(0, len(admitReason)-1)]
	ward := []string{locWard7B, locWard4}[g.intn(0, 1)]
	c.encounter(t.Add(-3*time.Hour), t, classEMER, encEmergency, []code{reason}, drLindqvist, locED)
	c.encounter(t, time.Time{}, classIMP, encAdmission, []code{reason}, drOSuilleab, ward)
	enc := s.out[len(s.out)-1].get("resource").(object)
	c.condition(t.Add(-2*day), time.Time{}, reason, false)
	if per.nka {
		c.noKnownAllergies(t)
	}
	c.panel(t, panelCBC, cbcTests, nil)
	c.panel(t, panelBMP, bmpTests, nil)
	st := heartFailureStable()
	sp := &simPatient{c: c, stage: func(time.Duration) stage { return st }, enc: enc}
	c.encPr = nurseRowe
	c.newsVitals(t.Add(10*time.Minute), st.r.sample(g), false)
	s.admits = append(s.admits, sp)
	if len(s.admits) > s.o.MaxAdmitted {
		s.discharge(s.admits[0], t)
		s.admits = s.admits[1:]
	}
	return "admission", nil
}

// discharge finishes a simulated admission's Encounter (its next version).
func (s *sim) discharge(sp *simPatient, t time.Time) {
	res := append(object(nil), sp.enc...)
	res = res.set("meta", obj("versionId", "2", "lastUpdated", dt(t)))
	res = res.set("status", "finished")
	if p, ok := res.get("period").(object); ok {
		res = res.set("period", append(append(object(nil), p...), member{"end", dt(t)}))
	}
	id, _ := res.get("id").(string)
	s.out = append(s.out, entry("urn:uuid:"+id, res, "PUT", "Encounter/"+id))
}
