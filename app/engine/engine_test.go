package engine_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/config"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/session"
	"github.com/chartline/chartline/app/testenv"
	"github.com/chartline/chartline/store"
)

// vitalSet is one round of NEWS2 observations, as FHIR JSON lines.
type vitalSet struct {
	rr, spo2, o2flow, sbp, pulse float64
	avpu                         string // SNOMED ACVPU answer
	temp                         float64
}

// Sets used below, scored by the RCP NEWS2 chart (2017):
// low: RR 16 (0), SpO2 97 (0), air (0), SBP 125 (0), pulse 70 (0), alert (0), 37.0 °C (0) = 0
// high: RR 26 (3), SpO2 90 (3), oxygen (2), SBP 95 (2), pulse 125 (2), voice (3), 39.5 °C (2) = 17
var (
	lowSet  = vitalSet{16, 97, 0, 125, 70, "248234008", 37.0}
	highSet = vitalSet{26, 90, 4, 95, 125, "300202002", 39.5}
)

func quantity(v float64, unit string) string {
	return fmt.Sprintf(`{"value":%g,"unit":%q,"system":"http://unitsofmeasure.org","code":%q}`, v, unit, unit)
}

func obs(patient, id, code, display string, at time.Time, value string, extra string) string {
	return fmt.Sprintf(`{"resourceType":"Observation","id":%q,"status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":%q,"display":%q}]},"subject":{"reference":"Patient/%s"},"effectiveDateTime":%q%s%s}`,
		id, code, display, patient, at.UTC().Format(time.RFC3339), value, extra)
}

// vitals renders a set as NDJSON of seven Observations taken at one time.
func vitals(patient, round string, at time.Time, v vitalSet) string {
	id := func(p string) string { return patient + "-" + round + "-" + p }
	lines := []string{
		obs(patient, id("rr"), "9279-1", "Respiratory rate", at, `,"valueQuantity":`+quantity(v.rr, "/min"), ""),
		obs(patient, id("spo2"), "59408-5", "Oxygen saturation by pulse oximetry", at, `,"valueQuantity":`+quantity(v.spo2, "%"),
			`,"component":[{"code":{"coding":[{"system":"http://loinc.org","code":"3151-8"}]},"valueQuantity":`+quantity(v.o2flow, "L/min")+`}]`),
		obs(patient, id("bp"), "85354-9", "Blood pressure panel", at, "",
			`,"component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":`+quantity(v.sbp, "mm[Hg]")+`},{"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":`+quantity(70, "mm[Hg]")+`}]`),
		obs(patient, id("hr"), "8867-4", "Heart rate", at, `,"valueQuantity":`+quantity(v.pulse, "/min"), ""),
		obs(patient, id("acvpu"), "67775-7", "Level of responsiveness", at,
			`,"valueCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"`+v.avpu+`"}]}`, ""),
		obs(patient, id("temp"), "8310-5", "Body temperature", at, `,"valueQuantity":`+quantity(v.temp, "Cel"), ""),
	}
	return strings.Join(lines, "\n")
}

func patient(id, family string) string {
	return fmt.Sprintf(`{"resourceType":"Patient","id":%q,"identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"value":"MRN-%s"}],"name":[{"use":"official","family":%q,"given":["Test"]}],"gender":"male","birthDate":"1955-06-01"}`, id, id, family)
}

// workstation is one running session over its own store.
type workstation struct {
	ss   *session.Session
	s    *store.Store
	path string
}

func startWorkstation(t *testing.T, e *testenv.Env, name, path string, now func() time.Time) *workstation {
	t.Helper()
	if now == nil {
		now = func() time.Time { return t0.Add(2 * time.Hour) } // the test data is current
	}
	s := testenv.OpenStore(t, path)
	cfg := config.Default()
	cfg.Conn = kafka.Conn{Brokers: []string{e.Broker.Addr()}}
	cfg.Workstation, cfg.User = name, "user-"+name
	ss, err := session.StartWithClock(context.Background(), cfg, s, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	w := &workstation{ss: ss, s: s, path: path}
	t.Cleanup(w.stop)
	return w
}

func (w *workstation) stop() {
	w.ss.Close()
	w.s.Close()
}

func (w *workstation) settle(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := w.ss.WaitCaughtUp(ctx); err != nil {
		t.Fatalf("settle: %v (%s)", err, w.ss.Status())
	}
}

func alertsOf(t *testing.T, s *store.Store, p string) []engine.AlertView {
	t.Helper()
	var out []engine.AlertView
	if err := s.View(func(r *store.Reader) (err error) { out, err = engine.PatientAlerts(r, p); return }); err != nil {
		t.Fatal(err)
	}
	return out
}

func news2Of(t *testing.T, s *store.Store, p string) clinical.Result {
	t.Helper()
	var d engine.NEWS2Doc
	if err := s.View(func(r *store.Reader) (err error) { d, _, err = engine.LatestNEWS2(r, p); return }); err != nil {
		t.Fatal(err)
	}
	return d.Result
}

var t0 = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)

// afterT0 is the clock of the tests whose vital signs are dated at t0: four
// hours later, so the sets are current (scores are judged against now).
func afterT0() time.Time { return t0.Add(4 * time.Hour) }

func TestNEWS2RiseRaisesOneDeterministicAlert(t *testing.T) {
	e := testenv.New(t, kafka.BrokerOptions{})
	e.Publish(patient("p-det", "Ward") + "\n" + vitals("p-det", "r1", t0, lowSet))
	clock := func() time.Time { return t0.Add(61 * time.Minute) }
	a := startWorkstation(t, e, "ws-a", testenv.StorePath(t), clock)
	a.settle(t)
	if r := news2Of(t, a.s, "p-det"); r.Band != "low" || r.Total != 0 || !r.Complete {
		t.Fatalf("first round: %+v", r)
	}
	if got := alertsOf(t, a.s, "p-det"); len(got) != 0 {
		t.Fatalf("alerts on a low score: %+v", got)
	}

	e.Publish(vitals("p-det", "r2", t0.Add(time.Hour), highSet))
	testenv.Eventually(t, 20*time.Second, "high NEWS2 alert", func() bool { return len(alertsOf(t, a.s, "p-det")) == 1 })
	r := news2Of(t, a.s, "p-det")
	if r.Total != 17 || r.Band != "high" || !r.Red {
		t.Fatalf("second round: total %d band %s red %v", r.Total, r.Band, r.Red)
	}
	got := alertsOf(t, a.s, "p-det")[0]
	if got.Alert.Kind != "news2" || got.Alert.Severity != "high" || got.Status() != "new" || got.Alert.Cause.Score != 17 {
		t.Fatalf("alert = %+v", got.Alert)
	}
	entry, _, _ := a.s.Entry("p-det")
	if entry.Status.Band != "high" || entry.Status.NEWS2 != 17 || entry.Status.OpenAlerts != 1 {
		t.Fatalf("census status = %+v", entry.Status)
	}
	var notices []engine.Notice
	a.s.View(func(r *store.Reader) (err error) { notices, err = engine.Notices(r); return })
	if len(notices) != 1 || notices[0].ID != got.Alert.ID {
		t.Fatalf("notices = %+v", notices)
	}

	// A second workstation fed the same topics from scratch derives the same
	// alert id; a replay raises nothing new.
	b := startWorkstation(t, e, "ws-b", testenv.StorePath(t), clock)
	b.settle(t)
	other := alertsOf(t, b.s, "p-det")
	if len(other) != 1 || other[0].Alert.ID != got.Alert.ID {
		t.Fatalf("workstation b alerts = %+v, want the one id %s", other, got.Alert.ID)
	}
	if err := a.ss.Engine().Evaluate(context.Background(), "p-det"); err != nil {
		t.Fatal(err)
	}
	if n := len(alertsOf(t, a.s, "p-det")); n != 1 {
		t.Fatalf("re-evaluation duplicated the alert: %d", n)
	}
}

// TestStatusTrend: the census status carries how the score moved at its
// newest set against the set before, so the census computes nothing.
func TestStatusTrend(t *testing.T) {
	e := testenv.New(t, kafka.BrokerOptions{})
	e.Publish(patient("p-trend", "Ward") + "\n" + vitals("p-trend", "r1", t0, lowSet))
	clock := func() time.Time { return t0.Add(3*time.Hour + time.Minute) }
	a := startWorkstation(t, e, "ws-a", testenv.StorePath(t), clock)
	a.settle(t)
	trend := func() string {
		en, _, err := a.s.Entry("p-trend")
		if err != nil {
			t.Fatal(err)
		}
		return en.Status.Trend
	}
	if got := trend(); got != store.TrendSame {
		t.Fatalf("one set: trend %q, want %q", got, store.TrendSame)
	}
	for i, step := range []struct {
		set  vitalSet
		want string
	}{
		{highSet, store.TrendRose},
		{lowSet, store.TrendFell},
		{lowSet, store.TrendSame},
	} {
		e.Publish(vitals("p-trend", fmt.Sprintf("r%d", i+2), t0.Add(time.Duration(i+1)*time.Hour), step.set))
		testenv.Eventually(t, 20*time.Second, "trend "+step.want, func() bool { return trend() == step.want })
		if en, _, _ := a.s.Entry("p-trend"); !en.Status.Newest.Equal(t0.Add(time.Duration(i+1) * time.Hour)) {
			t.Fatalf("set %d: status newest %s", i+2, en.Status.Newest)
		}
	}
}

func TestUpstreamRiskAlert(t *testing.T) {
	e := testenv.New(t, kafka.BrokerOptions{})
	e.Publish(patient("p-risk", "Sepsis"))
	e.Produce(&kgo.Record{Topic: "cds.risk", Key: []byte("RiskAssessment/ra-1"), Value: []byte(`{"resourceType":"RiskAssessment","id":"ra-1","meta":{"versionId":"3","source":"flink://sepsis-risk"},"status":"final","subject":{"reference":"Patient/p-risk"},"occurrenceDateTime":"2026-11-20T09:00:00Z","prediction":[{"outcome":{"text":"Sepsis within 48 h"},"probabilityDecimal":0.91,"qualitativeRisk":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/risk-probability","code":"high"}]}}]}`)},
		&kgo.Record{Topic: "cds.risk", Key: []byte("RiskAssessment/ra-2"), Value: []byte(`{"resourceType":"RiskAssessment","id":"ra-2","status":"final","subject":{"reference":"Patient/p-risk"},"prediction":[{"probabilityDecimal":0.2}]}`)})
	a := startWorkstation(t, e, "ws-a", testenv.StorePath(t), afterT0)
	a.settle(t)
	testenv.Eventually(t, 10*time.Second, "risk alert", func() bool { return len(alertsOf(t, a.s, "p-risk")) == 2 })
	var got, info clinical.Alert
	for _, v := range alertsOf(t, a.s, "p-risk") {
		if v.Inbox() {
			got = v.Alert
		} else {
			info = v.Alert
		}
	}
	if got.Kind != "risk" || got.Severity != "high" || got.Cause.Source != "flink://sepsis-risk" || got.Trigger.ID != "ra-1" ||
		!got.Raised.Equal(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("risk alert = %+v", got)
	}
	// A low probability is information on the chart, not in the inbox.
	if info.Trigger.ID != "ra-2" || !info.Info || info.Severity != clinical.SeverityInfo {
		t.Fatalf("information = %+v", info)
	}
}

// consumeIDs returns the outbox ids of the records on a topic.
func consumeIDs(e *testenv.Env, topic string) map[string]int {
	ids := map[string]int{}
	for _, r := range e.Consume(topic) {
		for _, h := range r.Headers {
			if h.Key == engine.HeaderID {
				ids[string(h.Value)]++
			}
		}
	}
	return ids
}

func TestOfflineActionsPublishedExactlyOnce(t *testing.T) {
	dir := t.TempDir()
	e := testenv.New(t, kafka.BrokerOptions{DataDir: dir})
	addr := e.Broker.Addr()
	e.Publish(patient("p-off", "Offline") + "\n" + vitals("p-off", "r1", t0, highSet))
	path := testenv.StorePath(t)
	a := startWorkstation(t, e, "ws-a", path, afterT0)
	a.settle(t)
	testenv.Eventually(t, 10*time.Second, "alert", func() bool { return len(alertsOf(t, a.s, "p-off")) == 1 })
	al := alertsOf(t, a.s, "p-off")[0].Alert

	// The broker goes away; the coordinator acknowledges and escalates.
	e.Prod.Close()
	e.Broker.Close()
	testenv.Eventually(t, 20*time.Second, "offline", func() bool { return !a.ss.Status().Connected() })
	if _, err := a.ss.Engine().Act("p-off", al.ID, "acknowledge", "seen, reviewing"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ss.Engine().Act("p-off", al.ID, "escalate", "called the outreach team"); err != nil {
		t.Fatal(err)
	}
	v := alertsOf(t, a.s, "p-off")[0]
	if v.Status() != "escalated" || len(v.Queued) != 2 {
		t.Fatalf("offline actions: state %s, queued %d", v.Status(), len(v.Queued))
	}
	// The workstation restarts while still offline.
	a.stop()
	time.Sleep(100 * time.Millisecond)

	b, err := kafka.StartBroker(context.Background(), kafka.BrokerOptions{Addr: addr, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	e.Broker = b
	a = startWorkstation(t, e, "ws-a", path, afterT0)
	testenv.Eventually(t, 30*time.Second, "outbox drained", func() bool {
		ob, _ := a.s.Outbox()
		return len(ob) == 0
	})
	if v := alertsOf(t, a.s, "p-off")[0]; len(v.Queued) != 0 || v.Status() != "escalated" {
		t.Fatalf("after publishing: %+v", v)
	}
	// Restart once more: nothing is published twice.
	a.stop()
	a = startWorkstation(t, e, "ws-a", path, afterT0)
	a.settle(t)
	time.Sleep(500 * time.Millisecond)
	states := consumeIDs(e, "spv.alert-state")
	audits := consumeIDs(e, "spv.audit")
	if len(states) != 2 || len(audits) != 2 {
		t.Fatalf("published %d alert-state and %d audit ids, want 2 and 2: %v %v", len(states), len(audits), states, audits)
	}
	for id, n := range states {
		if n != 1 {
			t.Errorf("action %s published %d times", id, n)
		}
	}
	for id, n := range audits {
		if n != 1 {
			t.Errorf("audit %s published %d times", id, n)
		}
	}
}

func TestCrashAfterAckBeforeDequeueDoesNotRepublish(t *testing.T) {
	e := testenv.New(t, kafka.BrokerOptions{})
	e.Publish(patient("p-ack", "Ack") + "\n" + vitals("p-ack", "r1", t0, highSet))
	path := testenv.StorePath(t)
	a := startWorkstation(t, e, "ws-a", path, afterT0)
	a.settle(t)
	testenv.Eventually(t, 10*time.Second, "alert", func() bool { return len(alertsOf(t, a.s, "p-ack")) == 1 })
	al := alertsOf(t, a.s, "p-ack")[0].Alert
	a.stop()

	// Queue an action with no publisher running, then publish its records
	// by hand, as a run that died between the broker's acknowledgement and
	// removing the items from the outbox would have.
	s := testenv.OpenStore(t, path)
	eng, err := engine.New(engine.Options{Store: s, User: "u", Workstation: "ws-a"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Act("p-ack", al.ID, "acknowledge", ""); err != nil {
		t.Fatal(err)
	}
	items, _ := s.Outbox()
	if len(items) != 2 {
		t.Fatalf("outbox = %d items", len(items))
	}
	for _, it := range items {
		e.Produce(&kgo.Record{Topic: it.Topic, Key: it.Key, Value: it.Value, Headers: []kgo.RecordHeader{{Key: engine.HeaderID, Value: []byte(it.ID)}}})
	}
	s.Close()

	a = startWorkstation(t, e, "ws-a", path, afterT0)
	testenv.Eventually(t, 20*time.Second, "outbox verified against the topics", func() bool {
		ob, _ := a.s.Outbox()
		return len(ob) == 0
	})
	for topic, want := range map[string]int{"spv.alert-state": 1, "spv.audit": 1} {
		ids := consumeIDs(e, topic)
		for id, n := range ids {
			if n != 1 {
				t.Errorf("%s: %s published %d times", topic, id, n)
			}
		}
		if len(ids) != want {
			t.Errorf("%s: %d ids", topic, len(ids))
		}
	}
}

// TestRepairWaitsForWhatThisRunPublished: a run published its action on an
// alert and removed it from the outbox, then died before its feed consumed the
// record back. The next run starts on the older state in its store (another
// workstation's, without the action), so the alert looks as if the topic had
// lost the action. It must find its own record on the topic instead of
// publishing a repair: the same repair published twice was caught by
// TestCrashOutboxKilledWhileActing.
func TestRepairWaitsForWhatThisRunPublished(t *testing.T) {
	e := testenv.New(t, kafka.BrokerOptions{})
	e.Publish(patient("p-rep", "Repair") + "\n" + vitals("p-rep", "r1", t0, highSet))
	path := testenv.StorePath(t)
	a := startWorkstation(t, e, "ws-a", path, afterT0)
	a.settle(t)
	testenv.Eventually(t, 10*time.Second, "alert", func() bool { return len(alertsOf(t, a.s, "p-rep")) == 1 })
	al := alertsOf(t, a.s, "p-rep")[0].Alert

	// Another workstation acknowledges first; a consumes its state.
	b := clinical.NewAction(al.ID, "acknowledge", "user-ws-b", "ws-b", "", afterT0())
	other, err := clinical.AlertState{Alert: al.ID, Patient: "p-rep", Kind: al.Kind, Actions: []clinical.Action{b}}.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	e.Produce(&kgo.Record{Topic: "spv.alert-state", Key: []byte(al.ID), Value: other, Headers: []kgo.RecordHeader{{Key: engine.HeaderID, Value: []byte(b.ID)}}})
	testenv.Eventually(t, 10*time.Second, "the other workstation's action", func() bool { return len(alertsOf(t, a.s, "p-rep")[0].State.Actions) == 1 })
	a.stop()

	// a escalates; its records reach the broker and leave the outbox, and
	// the run dies before the feed reads them back.
	s := testenv.OpenStore(t, path)
	eng, err := engine.New(engine.Options{Store: s, User: "user-ws-a", Workstation: "ws-a", Now: afterT0})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Act("p-rep", al.ID, "escalate", "called the outreach team"); err != nil {
		t.Fatal(err)
	}
	items, _ := s.Outbox()
	if len(items) != 2 {
		t.Fatalf("outbox = %d items, want the state and its AuditEvent", len(items))
	}
	var seqs []uint64
	for _, it := range items {
		e.Produce(&kgo.Record{Topic: it.Topic, Key: it.Key, Value: it.Value, Headers: []kgo.RecordHeader{{Key: engine.HeaderID, Value: []byte(it.ID)}}})
		seqs = append(seqs, it.Seq)
	}
	if _, err := s.Apply(&store.Batch{Dequeue: seqs}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	a = startWorkstation(t, e, "ws-a", path, afterT0)
	a.settle(t)
	testenv.Eventually(t, 20*time.Second, "both actions in the store", func() bool { return len(alertsOf(t, a.s, "p-rep")[0].State.Actions) == 2 })
	time.Sleep(time.Second) // a repair, had one been queued, is published by now
	a.settle(t)
	if ob, _ := a.s.Outbox(); len(ob) != 0 {
		t.Fatalf("%d items still queued", len(ob))
	}
	ids := consumeIDs(e, "spv.alert-state")
	for id, n := range ids {
		if n != 1 {
			t.Errorf("%s published %d times", id, n)
		}
	}
	if len(ids) != 2 {
		t.Errorf("spv.alert-state holds %d records, want the two actions' and no repair: %v", len(ids), ids)
	}
}

func TestTwoWorkstationsConverge(t *testing.T) {
	e := testenv.New(t, kafka.BrokerOptions{})
	e.Publish(patient("p-two", "Two") + "\n" + vitals("p-two", "r1", t0, highSet))
	// Both act "at the same time": a's clock is one second later, so a's
	// action wins whatever order they arrive in.
	clockA := func() time.Time { return time.Date(2026, 11, 20, 10, 0, 1, 0, time.UTC) }
	clockB := func() time.Time { return time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC) }
	a := startWorkstation(t, e, "ws-a", testenv.StorePath(t), clockA)
	b := startWorkstation(t, e, "ws-b", testenv.StorePath(t), clockB)
	a.settle(t)
	b.settle(t)
	testenv.Eventually(t, 10*time.Second, "alert on both", func() bool {
		return len(alertsOf(t, a.s, "p-two")) == 1 && len(alertsOf(t, b.s, "p-two")) == 1
	})
	id := alertsOf(t, a.s, "p-two")[0].Alert.ID
	if _, err := a.ss.Engine().Act("p-two", id, "resolve", "reviewed, observations repeated"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.ss.Engine().Act("p-two", id, "escalate", "called the outreach team"); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 20*time.Second, "both workstations hold both actions", func() bool {
		va, vb := alertsOf(t, a.s, "p-two")[0], alertsOf(t, b.s, "p-two")[0]
		return len(va.State.Actions) == 2 && len(vb.State.Actions) == 2
	})
	va, vb := alertsOf(t, a.s, "p-two")[0], alertsOf(t, b.s, "p-two")[0]
	if va.Status() != vb.Status() || va.Status() != "resolved" {
		t.Fatalf("diverged or wrong winner: a=%s b=%s (the later action, a's resolve, must win)", va.Status(), vb.Status())
	}
	latest, _ := va.State.Latest()
	if latest.Workstation != "ws-a" || latest.Note != "reviewed, observations repeated" {
		t.Fatalf("latest action = %+v", latest)
	}
	// The topic converges too: its latest state for the alert (what
	// compaction keeps) holds both actions.
	testenv.Eventually(t, 20*time.Second, "topic holds both actions", func() bool {
		recs := e.Consume("spv.alert-state")
		st, err := clinical.ParseAlertState(recs[len(recs)-1].Value)
		return err == nil && len(st.Actions) == 2
	})
}

const nsclcStudies = `{"resourceType":"Bundle","type":"collection","entry":[
{"resource":{"resourceType":"Group","id":"grp-egfr","type":"person","actual":false,"characteristic":[
 {"code":{"coding":[{"system":"http://snomed.info/sct","code":"439401001"}]},"valueCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"254637007"}]},"exclude":false},
 {"code":{"coding":[{"system":"http://loinc.org","code":"48018-6"}]},"valueCodeableConcept":{"coding":[{"system":"http://www.genenames.org/geneId","code":"HGNC:3236"}]},"exclude":false}]}},
{"resource":{"resourceType":"ResearchStudy","id":"rs-egfr","meta":{"versionId":"1"},"title":"EGFR-mutant NSCLC study","status":"%s","enrollment":[{"reference":"Group/grp-egfr"}]}}]}`

func TestTrialMatchAndStudyClosing(t *testing.T) {
	e := testenv.New(t, kafka.BrokerOptions{})
	e.Publish(fmt.Sprintf(nsclcStudies, "active"))
	e.Publish(patient("p-onc", "Onco") + "\n" +
		`{"resourceType":"Condition","id":"p-onc-c1","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},"verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-ver-status","code":"confirmed"}]},"code":{"coding":[{"system":"http://snomed.info/sct","code":"254637007","display":"Non-small cell lung cancer"}]},"subject":{"reference":"Patient/p-onc"},"onsetDateTime":"2026-09-01"}`)
	a := startWorkstation(t, e, "ws-a", testenv.StorePath(t), nil)
	a.settle(t)
	matches := func() []engine.MatchView {
		var m []engine.MatchView
		a.s.View(func(r *store.Reader) (err error) { m, err = engine.PatientMatches(r, "p-onc"); return })
		return m
	}
	if m := matches(); len(m) != 0 {
		t.Fatalf("matched before the biomarker: %+v", m)
	}
	// The EGFR result arrives: exon 19 deletion detected.
	e.Publish(`{"resourceType":"Observation","id":"p-onc-egfr","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"69548-6","display":"Genetic variant assessment"}]},"subject":{"reference":"Patient/p-onc"},"effectiveDateTime":"2026-11-20T10:00:00Z","valueCodeableConcept":{"coding":[{"system":"http://loinc.org","code":"LA9633-4","display":"Present"}]},"component":[{"code":{"coding":[{"system":"http://loinc.org","code":"48018-6"}]},"valueCodeableConcept":{"coding":[{"system":"http://www.genenames.org/geneId","code":"HGNC:3236","display":"EGFR"}]}},{"code":{"coding":[{"system":"http://loinc.org","code":"48005-3"}]},"valueCodeableConcept":{"text":"p.Leu858Arg"}}]}`)
	testenv.Eventually(t, 20*time.Second, "trial match", func() bool { return len(matches()) == 1 })
	m := matches()[0]
	if m.Study != "ResearchStudy/rs-egfr" || m.Local == nil || !m.Local.Match || len(m.Local.Met) < 2 {
		t.Fatalf("match = %+v", m)
	}
	var notices []engine.Notice
	a.s.View(func(r *store.Reader) (err error) { notices, err = engine.Notices(r); return })
	if len(notices) != 1 || notices[0].Kind != "match" {
		t.Fatalf("notices = %+v", notices)
	}
	if err := a.ss.Engine().MarkSeen("p-onc", notices[0].ID); err != nil {
		t.Fatal(err)
	}
	if entry, _, _ := a.s.Entry("p-onc"); entry.Status.Matches != 1 {
		t.Fatalf("census matches = %d", entry.Status.Matches)
	}
	// The study closes to accrual: the match goes.
	e.Publish(strings.Replace(fmt.Sprintf(nsclcStudies, "closed-to-accrual"), `"versionId":"1"`, `"versionId":"2"`, 1))
	testenv.Eventually(t, 20*time.Second, "match removed", func() bool { return len(matches()) == 0 })
	a.s.View(func(r *store.Reader) (err error) { notices, err = engine.Notices(r); return })
	if len(notices) != 0 {
		t.Fatalf("notices after seen and closing: %+v", notices)
	}
}

func TestChartOpenedAuditPublished(t *testing.T) {
	e := testenv.New(t, kafka.BrokerOptions{})
	e.Publish(patient("p-aud", "Audit"))
	a := startWorkstation(t, e, "ws-a", testenv.StorePath(t), time.Now)
	b := startWorkstation(t, e, "ws-b", testenv.StorePath(t), time.Now)
	a.settle(t)
	if err := a.ss.Engine().ChartOpened("p-aud"); err != nil {
		t.Fatal(err)
	}
	// b sees who opened the chart, from spv.audit.
	testenv.Eventually(t, 20*time.Second, "audit on the other workstation", func() bool {
		var got []clinical.AuditSummary
		b.s.View(func(r *store.Reader) (err error) {
			got, err = engine.RecentAudit(r, "p-aud", time.Now().Add(-time.Hour))
			return
		})
		return len(got) == 1 && got[0].Who == "user-ws-a" && got[0].Workstation == "ws-a"
	})
	if ids := consumeIDs(e, "spv.audit"); len(ids) != 1 {
		t.Fatalf("audit records = %v", ids)
	}
}
