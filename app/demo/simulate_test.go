package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/publish"
	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/store"
)

// startBroker starts the embedded broker on a free loopback port and a
// Publisher on it.
func startBroker(t *testing.T) (*kafka.Broker, *publish.Publisher, *kgo.Client) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	b, err := kafka.StartBroker(ctx, kafka.BrokerOptions{Addr: "127.0.0.1:0", CompactEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	opts, err := b.Conn().Options()
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(append(opts, publish.ProducerOptions()...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return b, publish.NewPublisher(cl, kafka.DefaultTopics()), cl
}

func TestLoadFixtures(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 30,000 records into a broker")
	}
	_, pub, cl := startBroker(t)
	topics := kafka.DefaultTopics()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	counts, err := LoadFixtures(ctx, pub, topics)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	resources := 0
	for _, d := range decoded(t) {
		for _, e := range d.entries {
			resources++
			switch {
			case d.patient != "":
				want[kafka.KindPatient]++
			case e.typ == "ResearchStudy" || e.typ == "Group" || e.typ == "ValueSet":
				want[kafka.KindStudies]++
			case e.typ == "RiskAssessment":
				want[kafka.KindRisk]++
			case e.typ == "ResearchSubject":
				want[kafka.KindMatches]++
			default:
				want[kafka.KindReference]++
			}
		}
	}
	if counts.Records != resources || counts.Tombstones != 0 {
		t.Errorf("published %d records (%d tombstones), the fixtures hold %d resources", counts.Records, counts.Tombstones, resources)
	}
	for kind, n := range want {
		if counts.ByTopicKind[kind] != n {
			t.Errorf("%d records to %s topics, want %d", counts.ByTopicKind[kind], kind, n)
		}
	}
	if counts.Topics != len(Patients())+4 {
		t.Errorf("%d topics written, want %d patient topics and 4 shared", counts.Topics, len(Patients()))
	}
	// The ICU patient's topic really holds its 21,000-odd records.
	ends, err := kadm.NewClient(cl).ListEndOffsets(ctx, topics.Patient(ICUPatient))
	if err != nil {
		t.Fatal(err)
	}
	_, icu := byPatient(t, ICUPatient)
	if o, ok := ends.Lookup(topics.Patient(ICUPatient), 0); !ok || o.Offset != int64(len(icu)) {
		t.Errorf("ICU topic ends at %+v, want %d records", o, len(icu))
	}
}

// TestSimulate runs the simulator 100 times faster than real time against
// the embedded broker and follows its records until the whole scenario has
// played, then cancels it.
func TestSimulate(t *testing.T) {
	b, pub, _ := startBroker(t)
	topics := kafka.DefaultTopics()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	simCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	start := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	go func() {
		done <- Simulate(simCtx, pub, topics, SimOptions{Speed: 100, Seed: 7, Now: func() time.Time { return start }})
	}()

	opts, _ := b.Conn().Options()
	consumer, err := kgo.NewClient(append(opts,
		kgo.ConsumeRegex(), kgo.ConsumeTopics(`^fhir\.patient\..+`),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.MetadataMaxAge(300*time.Millisecond), kgo.MetadataMinAge(100*time.Millisecond),
		kgo.FetchMaxWait(200*time.Millisecond))...)
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()

	s := newScenarioSeen(topics)
	for !s.complete() {
		if ctx.Err() != nil {
			t.Fatalf("the scenario did not play out: %s", s)
		}
		pollCtx, pollCancel := context.WithTimeout(ctx, time.Second)
		fs := consumer.PollFetches(pollCtx)
		pollCancel()
		fs.EachRecord(func(r *kgo.Record) {
			if err := s.add(r); err != nil {
				t.Fatal(err)
			}
		})
	}
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Simulate returned %v after cancel, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Simulate did not stop within 10 s of cancel")
	}
	if got, want := s.bands(DeterioratingPatient), []string{"low", "low-medium", "medium", "high"}; !slices.Equal(got, want) {
		t.Errorf("deteriorating patient's bands %v, want %v", got, want)
	}
	if got, want := s.bands(RecoveringPatient), []string{"high", "medium", "low"}; !slices.Equal(got, want) {
		t.Errorf("recovering patient's bands %v, want %v", got, want)
	}
	// The paediatric admission: a PEWS round of the seven National PEWS
	// parameters, scored on the 5–12 years chart: low, then medium.
	var child string
	for id := range s.rounds {
		if strings.HasPrefix(id, "paed-") {
			child = id
		}
	}
	if got, want := s.pewsLevels(child, 6*12+4), []string{"low", "medium"}; child == "" || !slices.Equal(got, want) {
		t.Errorf("paediatric patient %q PEWS levels %v, want %v", child, got, want)
	}
	t.Logf("%s", s)
}

// pewsLevels scores a child's full PEWS rounds (eight Observations: NEWS2's
// six, capillary refill, respiratory distress) on National PEWS.
func (s *scenarioSeen) pewsLevels(patient string, months int) []string {
	rounds := s.rounds[patient]
	var times []time.Time
	for at, items := range rounds {
		if len(items) == 8 {
			times = append(times, at)
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	levels := []string{}
	for _, at := range times {
		r := clinical.PEWS(rounds[at], months, clinical.NEWS2Options{}, at)
		if r.Status != clinical.StatusComplete {
			return append(levels, r.Status)
		}
		if len(levels) == 0 || levels[len(levels)-1] != r.Band {
			levels = append(levels, r.Band)
		}
	}
	return levels
}

// scenarioSeen follows the simulator's records as they arrive.
type scenarioSeen struct {
	topics    kafka.Topics
	keys      map[string]map[string]bool // topic -> keys with a value so far
	rounds    map[string]map[time.Time][]store.Item
	biomarker bool
	admission bool
	amended   bool
	tombstone bool
	misrouted bool
}

func newScenarioSeen(topics kafka.Topics) *scenarioSeen {
	return &scenarioSeen{topics: topics, keys: map[string]map[string]bool{}, rounds: map[string]map[time.Time][]store.Item{}}
}

func (s *scenarioSeen) String() string {
	return fmt.Sprintf("deteriorating bands %v, recovering bands %v, biomarker %v, admission %v, amended %v, tombstone %v, misrouted %v",
		s.bands(DeterioratingPatient), s.bands(RecoveringPatient), s.biomarker, s.admission, s.amended, s.tombstone, s.misrouted)
}

func (s *scenarioSeen) complete() bool {
	rec := s.bands(RecoveringPatient)
	return slices.Contains(s.bands(DeterioratingPatient), "high") && len(rec) > 0 && rec[len(rec)-1] == "low" &&
		s.biomarker && s.admission && s.amended && s.tombstone && s.misrouted
}

var admissionTopic = regexp.MustCompile(`^fhir\.patient\.adm-[0-9a-f]{4}-\d{2}$`)

// add reads one record: every simulated record passes the record rules with
// no conformance problem, but for the one misrouted result, which the rules
// refuse as another patient's.
func (s *scenarioSeen) add(r *kgo.Record) error {
	id := strings.TrimPrefix(r.Topic, s.topics.PatientPrefix)
	keys := s.keys[r.Topic]
	if keys == nil {
		keys = map[string]bool{}
		s.keys[r.Topic] = keys
	}
	if r.Value == nil {
		if !keys[string(r.Key)] {
			return fmt.Errorf("tombstone on %s, a key never published", r.Key)
		}
		s.tombstone = true
		return nil
	}
	d, err := record.Decode(r.Key, r.Value, id)
	var refusal *record.Refusal
	if errors.As(err, &refusal) && refusal.Reason == record.ReasonOtherPatient && !s.misrouted && header(r, publish.HeaderSource) == "lab-interface" {
		s.misrouted = true
		return nil
	}
	if err != nil {
		return fmt.Errorf("simulated record %s refused: %v", r.Key, err)
	}
	if len(d.Meta.Problems) > 0 {
		return fmt.Errorf("simulated record %s has problems %v", r.Key, d.Meta.Problems)
	}
	if admissionTopic.MatchString(r.Topic) {
		if len(keys) == 0 && d.Type != "Patient" {
			return fmt.Errorf("first record of an admission is %s", r.Key)
		}
		s.admission = true
	}
	if keys[string(r.Key)] && d.Meta.Status == "amended" && d.Meta.Version == "2" {
		s.amended = true
	}
	keys[string(r.Key)] = true
	if id == NSCLCPatient {
		for _, comp := range d.Meta.Components {
			s.biomarker = s.biomarker || comp.ValueCode == geneEGFR.key()
		}
	}
	if d.Meta.Category == "vital-signs" {
		rs := s.rounds[id]
		if rs == nil {
			rs = map[time.Time][]store.Item{}
			s.rounds[id] = rs
		}
		rs[d.Meta.Time] = append(rs[d.Meta.Time], store.Item{Ref: store.Ref{Type: d.Type, ID: d.ID}, Meta: d.Meta})
	}
	return nil
}

func header(r *kgo.Record, key string) string {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

// bands scores each full NEWS2 round of a patient with app/clinical, in
// time order, and lists the bands as they change.
func (s *scenarioSeen) bands(patient string) []string {
	rounds := s.rounds[patient]
	times := make([]time.Time, 0, len(rounds))
	for at, items := range rounds {
		if len(items) == 6 { // a round in full
			times = append(times, at)
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	bands := []string{}
	for _, at := range times {
		r := clinical.NEWS2(rounds[at], nil, clinical.NEWS2Options{})
		if !r.Complete {
			return append(bands, "incomplete")
		}
		if len(bands) == 0 || bands[len(bands)-1] != r.Band {
			bands = append(bands, r.Band)
		}
	}
	return bands
}

func TestSimulatedBandSequence(t *testing.T) {
	// Driven without a broker: the vital signs each stage produces, scored
	// by app/clinical, in the order the simulator plays them.
	tests := []struct {
		name  string
		plan  []stage
		bands []string
	}{
		{"deteriorating", deterioration(), []string{"low", "low-medium", "medium", "high"}},
		{"recovering", recovery(), []string{"high", "medium", "low", "low"}},
	}
	g := newGen(3, 3)
	for _, tc := range tests {
		for i, st := range tc.plan {
			for range 50 {
				v := st.r.sample(g)
				c := &chart{g: g, p: population()[0], patURL: "Patient/" + DeterioratingPatient, conds: map[string]string{}}
				var items []store.Item
				c.sink = func(typ, id string, res object) {
					d, err := record.Decode([]byte(typ+"/"+id), res.append(nil), DeterioratingPatient)
					if err != nil {
						t.Fatal(err)
					}
					items = append(items, store.Item{Ref: store.Ref{Type: typ, ID: id}, Meta: d.Meta})
				}
				c.newsVitals(anchor(), v, false)
				r := clinical.NEWS2(items, nil, clinical.NEWS2Options{})
				if r.Band != tc.bands[i] || r.Total != st.Score {
					t.Fatalf("%s stage %d: %+v scores %d %s in app/clinical, planned %d %s", tc.name, i, v, r.Total, r.Band, st.Score, tc.bands[i])
				}
			}
		}
	}
}

// TestTrialMatches evaluates every study against every fixture patient with
// app/clinical, and again for the NSCLC patient once the simulator's EGFR
// result has arrived.
func TestTrialMatches(t *testing.T) {
	var studies []clinical.Study
	groups := map[string][]byte{}
	valueSets := clinical.ValueSets{}
	for _, d := range decoded(t) {
		for _, e := range d.entries {
			switch e.typ {
			case "Group":
				groups[e.id] = e.value
			case "ValueSet":
				if err := valueSets.Add(e.value); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	for _, d := range decoded(t) {
		for _, e := range d.entries {
			if e.typ != "ResearchStudy" {
				continue
			}
			s, err := clinical.ParseStudy(e.value)
			if err != nil {
				t.Fatal(err)
			}
			if s, err = s.AttachGroup(groups[s.Enrollment[0]]); err != nil {
				t.Fatal(err)
			}
			studies = append(studies, s.WithValueSets(valueSets))
		}
	}
	all := map[string]clinical.Facts{}
	for _, p := range Patients() {
		_, items := byPatient(t, p.ID)
		all[p.ID] = clinical.Facts{Patient: items[0].Meta.Patient, Now: anchor(),
			Conditions: ofType(items, "Condition"), Observations: ofType(items, "Observation")}
	}
	facts := func(id string, extra []store.Item) clinical.Facts {
		f := all[id]
		f.Observations = append(slices.Clip(f.Observations), extra...)
		return f
	}
	want := map[string]string{HER2Study: HER2Patient, HeartFailureStudy: HeartFailurePatient, TMBStudy: "pt-0018"}
	for _, s := range studies {
		var matched []string
		for _, p := range Patients() {
			if clinical.Evaluate(s, facts(p.ID, nil), clinical.TrialOptions{}).Match {
				matched = append(matched, p.ID)
			}
		}
		w := []string{}
		if want[s.ID] != "" {
			w = []string{want[s.ID]}
		}
		if !slices.Equal(append([]string{}, matched...), w) {
			t.Errorf("%s matches %v in the fixtures, want %v", s.ID, matched, w)
		}
	}

	// The biomarker, as the simulator publishes it.
	s := &sim{o: SimOptions{}.withDefaults(), g: newGen(1, 1), clock0: anchor(), topics: kafka.DefaultTopics()}
	if _, err := s.biomarker(time.Minute); err != nil {
		t.Fatal(err)
	}
	recs, err := publish.Split(bundle(s.out).append(nil), s.topics, FixtureSource)
	if err != nil {
		t.Fatal(err)
	}
	var extra []store.Item
	for _, r := range recs {
		if r.Topic != s.topics.Patient(NSCLCPatient) {
			t.Fatalf("the biomarker went to another topic")
		}
		d, err := record.Decode(r.Key, r.Value, NSCLCPatient)
		if err != nil || len(d.Meta.Problems) > 0 {
			t.Fatalf("biomarker record %s: %v %v", r.Key, err, d.Meta.Problems)
		}
		extra = append(extra, store.Item{Ref: store.Ref{Collection: NSCLCPatient, Type: d.Type, ID: d.ID}, Meta: d.Meta})
	}
	for _, st := range studies {
		if st.ID != EGFRStudy {
			continue
		}
		before := clinical.Evaluate(st, facts(NSCLCPatient, nil), clinical.TrialOptions{})
		after := clinical.Evaluate(st, facts(NSCLCPatient, extra), clinical.TrialOptions{})
		if before.Match || !after.Match || !after.Eligible {
			b, _ := json.Marshal(after)
			t.Errorf("EGFR study for the NSCLC patient: match %v before the biomarker, %v after: %s", before.Match, after.Match, b)
		}
	}
}

func TestSimOptionsDefaults(t *testing.T) {
	o := SimOptions{}.withDefaults()
	if o.VitalsEvery != 5*time.Second || o.StageEvery != 12*time.Second || o.AdmitEvery != time.Minute || o.FirstAdmitAt != 20*time.Second ||
		o.BiomarkerAt != 30*time.Second || o.Speed != 1 || o.Seed == 0 || o.Now == nil || o.MaxAdmitted != 12 {
		t.Errorf("defaults %+v", o)
	}
	// The demo tells its story within its first minute: the deteriorating
	// patient reaches high, the EGFR result arrives, a patient is admitted.
	if at := time.Duration(len(deterioration())-1) * o.StageEvery; at > 45*time.Second {
		t.Errorf("high only after %v", at)
	}
	if o.BiomarkerAt > 45*time.Second || o.FirstAdmitAt > 45*time.Second {
		t.Errorf("EGFR result at %v, first admission at %v", o.BiomarkerAt, o.FirstAdmitAt)
	}
	set := SimOptions{VitalsEvery: time.Second, Speed: 10, Seed: 5}.withDefaults()
	if set.VitalsEvery != time.Second || set.Speed != 10 || set.Seed != 5 {
		t.Errorf("set options overwritten: %+v", set)
	}
}

// TestAdmissionsAndDischarge admits past MaxAdmitted: each admission is a
// new patient topic whose Patient comes first, and the oldest admission is
// discharged (its Encounter again, version 2, finished).
func TestAdmissionsAndDischarge(t *testing.T) {
	s := &sim{o: SimOptions{MaxAdmitted: 1, Seed: 9}.withDefaults(), g: newGen(9, 1), clock0: anchor(), topics: kafka.DefaultTopics(), memo: map[memoKey]any{}}
	s.tag = "beef"
	var topicsSeen []string
	for i := range 2 {
		if _, err := s.admit(time.Duration(i) * time.Minute); err != nil {
			t.Fatal(err)
		}
		recs, err := publish.Split(bundle(s.out).append(nil), s.topics, FixtureSource)
		if err != nil {
			t.Fatal(err)
		}
		s.out = s.out[:0]
		first := map[string]bool{}
		for _, r := range recs {
			id := strings.TrimPrefix(r.Topic, s.topics.PatientPrefix)
			d, err := record.Decode(r.Key, r.Value, id)
			if err != nil || len(d.Meta.Problems) > 0 {
				t.Fatalf("admission record %s: %v %v", r.Key, err, d.Meta.Problems)
			}
			if !first[r.Topic] {
				first[r.Topic] = true
				if d.Type == "Patient" {
					topicsSeen = append(topicsSeen, r.Topic)
				}
			}
			if i == 1 && d.Type == "Encounter" && d.Meta.Version == "2" {
				if d.Meta.Status != "finished" || r.Topic != topicsSeen[0] {
					t.Errorf("discharge: %s %s on the wrong topic or not finished", r.Key, d.Meta.Status)
				}
				t.Logf("discharged %s", r.Key)
			}
		}
	}
	if len(topicsSeen) != 2 || topicsSeen[0] == topicsSeen[1] || !admissionTopic.MatchString(topicsSeen[0]) {
		t.Fatalf("admission topics %v", topicsSeen)
	}
	if len(s.admits) != 1 || s.admits[0].c.p.id != strings.TrimPrefix(topicsSeen[1], s.topics.PatientPrefix) {
		t.Errorf("%d admissions still in hospital after discharging the oldest", len(s.admits))
	}
}

// TestSimulatedLabsPlausible: however long the demo runs, the deteriorating
// patient's lactate and CRP rise with the stages and stop at the last one
// (lactate about 4.4 mmol/L, never the 34 mmol/L an unbounded rise gave),
// and every generated result stays within what a laboratory reports.
func TestSimulatedLabsPlausible(t *testing.T) {
	g := newGen(1, 99)
	last := map[string]float64{}
	for stage := range 60 { // an hour of demo at one stage every 12 s
		for _, test := range []labTest{labLactate, labCRP, labPotassium, labHemoglobin, labCreatinine} {
			mean, sd := sepsisLab(test, stage)
			if mean < last[test.code.code] {
				t.Errorf("%s mean falls at stage %d: %v after %v", test.display, stage, mean, last[test.code.code])
			}
			last[test.code.code] = mean
			for range 200 {
				v := plausibleLab(test, g.norm(mean, sd, test.decimals))
				lim := labLimits[test.code.code]
				if v < lim[0] || v > lim[1] {
					t.Fatalf("%s %v outside %v", test.display, v, lim)
				}
				if test == labLactate && v > 6 {
					t.Fatalf("stage %d: lactate %v mmol/L", stage, v)
				}
			}
		}
	}
	for _, tc := range []struct {
		test labTest
		in   float64
		want float64
	}{
		{labLactate, 34.1, 15}, {labLactate, 14.9, 14.9}, {labLactate, 0.1, 0.3}, {labLactate, 0.4, 0.4},
		{labPotassium, 7.1, 7.0}, {labPotassium, 2.4, 2.5}, {labPotassium, 4.2, 4.2},
		{labNTproBNP, -3, labNTproBNP.mean}, {labNTproBNP, 90, 90},
	} {
		if got := plausibleLab(tc.test, tc.in); got != tc.want {
			t.Errorf("plausibleLab(%s, %v) = %v, want %v", tc.test.display, tc.in, got, tc.want)
		}
	}
}
