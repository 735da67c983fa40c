package engine_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/testenv"
	"github.com/chartline/chartline/store"
)

// Sets used below (RCP NEWS2 chart, 2017): medium: RR 22 (2), SpO2 95 (1),
// air, SBP 105 (1), pulse 95 (1), alert, 37.0 = 5.
var mediumSet = vitalSet{22, 95, 0, 105, 95, "248234008", 37.0}

// clock is a settable test clock.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock { c := &clock{}; c.set(t); return c }
func (c *clock) set(t time.Time)  { c.ns.Store(t.UnixNano()) }
func (c *clock) now() time.Time   { return time.Unix(0, c.ns.Load()).UTC() }

func noticesOf(t *testing.T, s *store.Store) []engine.Notice {
	t.Helper()
	var ns []engine.Notice
	if err := s.View(func(r *store.Reader) (err error) { ns, err = engine.Notices(r); return }); err != nil {
		t.Fatal(err)
	}
	return ns
}

func inboxOf(t *testing.T, s *store.Store) []engine.AlertView {
	t.Helper()
	var out []engine.AlertView
	if err := s.View(func(r *store.Reader) (err error) { out, err = engine.Alerts(r); return }); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestWeekOfHistoryRaisesNoNewAlert: a week of hourly vital signs with two
// deteriorations (one that cleared, one whose data simply stops), ingested
// two days after the last set, gives past episodes in the patient's history
// and nothing in the inbox, New or notified.
func TestWeekOfHistoryRaisesNoNewAlert(t *testing.T) {
	e := testenv.New(t, kafka.BrokerOptions{})
	start := t0.Add(-7 * 24 * time.Hour)
	var b strings.Builder
	b.WriteString(patient("p-hist", "History"))
	for h := 0; h < 7*24; h++ {
		set := lowSet
		switch {
		case h >= 30 && h < 36:
			set = mediumSet
		case h >= 36 && h < 40:
			set = highSet
		case h >= 160:
			set = highSet // to the end: the data stops while high
		}
		b.WriteString("\n" + vitals("p-hist", fmt.Sprintf("h%d", h), start.Add(time.Duration(h)*time.Hour), set))
	}
	e.Publish(b.String())
	last := start.Add(167 * time.Hour)
	clk := newClock(last.Add(48 * time.Hour))
	a := startWorkstation(t, e, "ws-a", testenv.StorePath(t), clk.now)
	a.settle(t)
	testenv.Eventually(t, 20*time.Second, "two past episodes", func() bool { return len(alertsOf(t, a.s, "p-hist")) == 2 })
	for _, v := range alertsOf(t, a.s, "p-hist") {
		if v.Status() != clinical.StatePast || !v.Alert.Past || v.Alert.Severity != clinical.SeverityHigh {
			t.Fatalf("history alert %s %s: %+v", v.Status(), v.Alert.Severity, v.Alert.Episode)
		}
		if v.Alert.Raised.After(last) || v.Alert.Raised.Before(start) {
			t.Fatalf("raised %s: not the causing observation's time", v.Alert.Raised)
		}
	}
	if in := inboxOf(t, a.s); len(in) != 0 {
		t.Fatalf("inbox after history: %+v", in)
	}
	if ns := noticesOf(t, a.s); len(ns) != 0 {
		t.Fatalf("notices after history: %+v", ns)
	}
	if en, _, _ := a.s.Entry("p-hist"); en.Status.OpenAlerts != 0 {
		t.Fatalf("census open alerts %d", en.Status.OpenAlerts)
	}
	// The first episode: medium at h30, rose to high at h36, cleared two sets
	// below it at least an hour apart (h40 low, h41 low).
	var first engine.AlertView
	for _, v := range alertsOf(t, a.s, "p-hist") {
		if v.Alert.Raised.Equal(start.Add(30 * time.Hour)) {
			first = v
		}
	}
	ep := first.Alert.Episode
	if ep == nil || len(ep.Rises) != 2 || ep.Rises[1].Band != clinical.BandHigh || ep.Cleared == nil || !ep.Cleared.Equal(start.Add(41*time.Hour)) {
		t.Fatalf("first episode %+v", ep)
	}
}

// TestEpisodeEscalatesClearsAndFollowsUp: one alert per deterioration; a
// rise escalates it; an acknowledged high alert still high after 30 min is
// New again and notified; an unattended one is notified again every 30 min;
// a sustained fall clears it and tells whoever acknowledged it; only then
// does a new alert start.
func TestEpisodeEscalatesClearsAndFollowsUp(t *testing.T) {
	e := testenv.New(t, kafka.BrokerOptions{})
	clk := newClock(t0.Add(time.Minute))
	e.Publish(patient("p-ep", "Episode") + "\n" + vitals("p-ep", "r1", t0, mediumSet))
	a := startWorkstation(t, e, "ws-a", testenv.StorePath(t), clk.now)
	a.settle(t)
	testenv.Eventually(t, 10*time.Second, "medium alert", func() bool { return len(alertsOf(t, a.s, "p-ep")) == 1 })
	al := alertsOf(t, a.s, "p-ep")[0]
	if al.Status() != clinical.StateNew || al.Alert.Severity != clinical.SeverityMedium || !al.Alert.Raised.Equal(t0) {
		t.Fatalf("alert %s %s raised %s", al.Status(), al.Alert.Severity, al.Alert.Raised)
	}
	if len(noticesOf(t, a.s)) != 0 {
		t.Fatal("a medium alert notified")
	}
	eng := a.ss.Engine()
	if _, err := eng.Act("p-ep", al.Alert.ID, clinical.VerbAcknowledge, ""); err != nil {
		t.Fatal(err)
	}
	ep := &episode{t: t, e: e, clk: clk, a: a, eng: eng, id: al.Alert.ID}
	ep.rise()
	ep.unattended()
	ep.renewed()
	ep.cleared()
	ep.secondEpisode()
}

// episode is the scenario of TestEpisodeEscalatesClearsAndFollowsUp: one
// workstation on a settable clock, and the first alert it raised; each
// method is a step of the story, in order.
type episode struct {
	t   *testing.T
	e   *testenv.Env
	clk *clock
	a   *workstation
	eng *engine.Engine
	id  string
}

// rise: a rise into high escalates the same alert and makes it New again.
func (ep *episode) rise() {
	t := ep.t
	t.Helper()
	ep.clk.set(t0.Add(16 * time.Minute))
	ep.e.Publish(vitals("p-ep", "r2", t0.Add(15*time.Minute), highSet))
	testenv.Eventually(t, 10*time.Second, "escalated", func() bool {
		v := alertsOf(t, ep.a.s, "p-ep")
		return len(v) == 1 && v[0].Alert.Severity == clinical.SeverityHigh
	})
	v := alertsOf(t, ep.a.s, "p-ep")[0]
	if v.Alert.ID != ep.id || v.Status() != clinical.StateNew || len(v.Alert.Episode.Rises) != 2 {
		t.Fatalf("after the rise: id %s state %s rises %+v", v.Alert.ID, v.Status(), v.Alert.Episode.Rises)
	}
	ns := noticesOf(t, ep.a.s)
	if len(ns) != 1 || ns[0].Alert != ep.id || ns[0].Reason != engine.ReasonRose || ns[0].AlertState != clinical.StateNew || ns[0].Band != clinical.BandHigh {
		t.Fatalf("notices after the rise: %+v", ns)
	}
	if err := ep.eng.MarkSeen("p-ep", ns[0].ID); err != nil {
		t.Fatal(err)
	}
}

// unattended: left unattended for 30 min, the alert is notified again, once per interval.
func (ep *episode) unattended() {
	t := ep.t
	t.Helper()
	ep.clk.set(t0.Add(44 * time.Minute))
	if err := ep.eng.Timed(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ns := noticesOf(t, ep.a.s); len(ns) != 0 {
		t.Fatalf("re-notified after 29 min: %+v", ns)
	}
	ep.clk.set(t0.Add(45 * time.Minute))
	if err := ep.eng.Timed(context.Background()); err != nil {
		t.Fatal(err)
	}
	ns := noticesOf(t, ep.a.s)
	if len(ns) != 1 || ns[0].Reason != engine.ReasonUnattended {
		t.Fatalf("notices after 30 min unattended: %+v", ns)
	}
	ep.eng.MarkSeen("p-ep", ns[0].ID)
}

// renewed: acknowledged; 29 min later it stays acknowledged, at 30 min (still
// high) it is New again and notified.
func (ep *episode) renewed() {
	t := ep.t
	t.Helper()
	ep.clk.set(t0.Add(50 * time.Minute))
	if _, err := ep.eng.Act("p-ep", ep.id, clinical.VerbAcknowledge, "reviewing"); err != nil {
		t.Fatal(err)
	}
	ep.clk.set(t0.Add(79 * time.Minute))
	ep.eng.Timed(context.Background())
	if s := alertsOf(t, ep.a.s, "p-ep")[0].Status(); s != clinical.StateAcknowledged {
		t.Fatalf("29 min after the acknowledgement: %s", s)
	}
	ep.clk.set(t0.Add(80 * time.Minute))
	ep.eng.Timed(context.Background())
	v := alertsOf(t, ep.a.s, "p-ep")[0]
	if v.Status() != clinical.StateNew {
		t.Fatalf("30 min after the acknowledgement, still high: %s", v.Status())
	}
	last, _ := v.State.Latest()
	if last.Verb != clinical.VerbRenew || !last.At.Equal(t0.Add(80*time.Minute)) || last.Workstation != clinical.SystemWorkstation {
		t.Fatalf("renewal %+v", last)
	}
	ns := noticesOf(t, ep.a.s)
	if len(ns) != 1 || ns[0].Reason != engine.ReasonRenewed {
		t.Fatalf("notices after the renewal: %+v", ns)
	}
	ep.eng.MarkSeen("p-ep", ns[0].ID)
}

// cleared: acknowledged again; two low sets an hour apart clear it: a notice to
// this workstation, which acknowledged it.
func (ep *episode) cleared() {
	t := ep.t
	t.Helper()
	ep.clk.set(t0.Add(81 * time.Minute))
	if _, err := ep.eng.Act("p-ep", ep.id, clinical.VerbAcknowledge, ""); err != nil {
		t.Fatal(err)
	}
	ep.clk.set(t0.Add(151 * time.Minute))
	ep.e.Publish(vitals("p-ep", "r3", t0.Add(90*time.Minute), lowSet) + "\n" + vitals("p-ep", "r4", t0.Add(150*time.Minute), lowSet))
	testenv.Eventually(t, 10*time.Second, "cleared", func() bool { return alertsOf(t, ep.a.s, "p-ep")[0].Status() == clinical.StateCleared })
	ns := noticesOf(t, ep.a.s)
	if len(ns) != 1 || ns[0].Reason != engine.ReasonCleared || ns[0].AlertState != clinical.StateCleared {
		t.Fatalf("notices after clearance: %+v", ns)
	}
	if en, _, _ := ep.a.s.Entry("p-ep"); en.Status.OpenAlerts != 0 {
		t.Fatalf("open alerts after clearance: %d", en.Status.OpenAlerts)
	}
}

// secondEpisode: a new deterioration after clearance is a new alert.
func (ep *episode) secondEpisode() {
	t := ep.t
	t.Helper()
	ep.clk.set(t0.Add(181 * time.Minute))
	ep.e.Publish(vitals("p-ep", "r5", t0.Add(180*time.Minute), highSet))
	testenv.Eventually(t, 10*time.Second, "second episode", func() bool { return len(alertsOf(t, ep.a.s, "p-ep")) == 2 })
	for _, v := range alertsOf(t, ep.a.s, "p-ep") {
		if v.Alert.ID != ep.id && (v.Status() != clinical.StateNew || !v.Alert.Raised.Equal(t0.Add(180*time.Minute))) {
			t.Fatalf("second episode %s raised %s", v.Status(), v.Alert.Raised)
		}
	}
}

// TestStateBeforeAlertIsKeptNotShown: a state another workstation published
// for an alert this node has not derived is no row of its own; it is applied
// when the node derives the alert.
func TestStateBeforeAlertIsKeptNotShown(t *testing.T) {
	e := testenv.New(t, kafka.BrokerOptions{})
	e.Publish(patient("p-early", "Early"))
	id := clinical.AlertID("p-early", clinical.KindNEWS2, "Observation/p-early-r1-temp", "", "episode")
	st, _ := clinical.NewAlertState(clinical.Alert{ID: id, Patient: "p-early", Kind: clinical.KindNEWS2}).
		Apply(clinical.NewAction(id, clinical.VerbAcknowledge, "user-ws-b", "ws-b", "seen", t0.Add(5*time.Minute)))
	raw, _ := st.MarshalJSON()
	e.Produce(&kgo.Record{Topic: "spv.alert-state", Key: []byte(id), Value: raw})
	a := startWorkstation(t, e, "ws-a", testenv.StorePath(t), func() time.Time { return t0.Add(10 * time.Minute) })
	a.settle(t)
	time.Sleep(300 * time.Millisecond)
	if got := alertsOf(t, a.s, "p-early"); len(got) != 0 {
		t.Fatalf("phantom alert rows: %+v", got)
	}
	e.Publish(vitals("p-early", "r1", t0, highSet))
	testenv.Eventually(t, 10*time.Second, "alert derived", func() bool { return len(alertsOf(t, a.s, "p-early")) == 1 })
	v := alertsOf(t, a.s, "p-early")[0]
	if v.Alert.ID != id || v.Status() != clinical.StateAcknowledged || v.Alert.Title == "" || v.Alert.Raised.IsZero() {
		t.Fatalf("derived alert %s %s %q raised %s (want %s acknowledged)", v.Alert.ID, v.Status(), v.Alert.Title, v.Alert.Raised, id)
	}
	if ns := noticesOf(t, a.s); len(ns) != 0 {
		t.Fatalf("an acknowledged alert notified: %+v", ns)
	}
}

// alertStates is {alert id: state} per patient, history included.
func alertStates(t *testing.T, s *store.Store, patients []string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, p := range patients {
		m := map[string]string{}
		for _, v := range alertsOf(t, s, p) {
			m[v.Alert.ID] = v.Status() + "@" + v.Alert.Raised.Format(time.RFC3339) + "/" + v.Alert.Severity
		}
		out[p] = m
	}
	return out
}

// TestTwoNodesStartedApartConverge: two nodes on one broker, the second
// started 10 s after the first, while a live feed runs (deteriorations,
// recoveries and history arriving late), each acting on alerts, end with the
// same alerts: ids, states, raised times and severities.
func TestTwoNodesStartedApartConverge(t *testing.T) {
	if testing.Short() {
		t.Skip("10 s apart")
	}
	e := testenv.New(t, kafka.BrokerOptions{})
	patients := []string{"p-l1", "p-l2", "p-l3"}
	// Minutes on the data's clock per round; real time drives the nodes.
	base := time.Now().UTC().Add(-3 * time.Hour).Truncate(time.Minute)
	var pub strings.Builder
	for _, p := range patients {
		pub.WriteString(patient(p, "Live") + "\n")
	}
	// History, including an old deterioration, before either node starts.
	for h := 0; h < 48; h++ {
		set := lowSet
		if h >= 10 && h < 14 {
			set = highSet
		}
		pub.WriteString(vitals("p-l1", fmt.Sprintf("old%d", h), base.Add(-72*time.Hour+time.Duration(h)*time.Hour), set) + "\n")
	}
	e.Publish(strings.TrimSpace(pub.String()))

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the live feed: one round every 250 ms, 3 min of data time each
		defer wg.Done()
		pattern := []vitalSet{lowSet, mediumSet, mediumSet, highSet, highSet, mediumSet, lowSet, lowSet, lowSet, lowSet}
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-time.After(250 * time.Millisecond):
			}
			at := base.Add(time.Duration(i) * 3 * time.Minute)
			for k, p := range patients {
				set := pattern[(i/6+k)%len(pattern)]
				e.Publish(vitals(p, fmt.Sprintf("live%d", i), at, set))
			}
		}
	}()

	now := func() time.Time { return time.Now().UTC() }
	a := startWorkstation(t, e, "ws-a", testenv.StorePath(t), now)
	time.Sleep(10 * time.Second)
	b := startWorkstation(t, e, "ws-b", testenv.StorePath(t), now)
	b.settle(t)
	// Act from both sides on whatever each holds.
	acted := 0
	for _, w := range []*workstation{a, b} {
		for _, p := range patients {
			for _, v := range alertsOf(t, w.s, p) {
				if v.Status() == clinical.StateNew && acted < 4 {
					verb := clinical.VerbAcknowledge
					if w == b {
						verb = clinical.VerbEscalate
					}
					if _, err := w.ss.Engine().Act(p, v.Alert.ID, verb, "from "+w.path[len(w.path)-20:]); err == nil {
						acted++
					}
				}
			}
		}
	}
	time.Sleep(2 * time.Second)
	cancel()
	wg.Wait()
	a.settle(t)
	b.settle(t)
	var sa, sb map[string]map[string]string
	testenv.Eventually(t, 30*time.Second, "identical alerts on both nodes", func() bool {
		sa, sb = alertStates(t, a.s, patients), alertStates(t, b.s, patients)
		return fmt.Sprint(sa) == fmt.Sprint(sb)
	})
	total := 0
	for _, m := range sa {
		total += len(m)
	}
	if total < 3 || acted == 0 {
		t.Fatalf("too little happened to compare: %d alerts, %d actions: %v", total, acted, sa)
	}
	t.Logf("%d alerts, %d actions, identical: %v", total, acted, sa)
}

// TestReconfigureRace is the race probe: Reconfigure while Run, Publish and
// Act read the options. Run it with -race.
func TestReconfigureRace(t *testing.T) {
	e := testenv.New(t, kafka.BrokerOptions{})
	e.Publish(patient("p-race", "Race") + "\n" + vitals("p-race", "r1", t0, highSet))
	w := startWorkstation(t, e, "ws-a", testenv.StorePath(t), nil)
	w.settle(t)
	testenv.Eventually(t, 10*time.Second, "alert", func() bool { return len(alertsOf(t, w.s, "p-race")) == 1 })
	id := alertsOf(t, w.s, "p-race")[0].Alert.ID
	eng := w.ss.Engine()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := range 200 {
			err := eng.Reconfigure(engine.Options{Store: w.s, User: "user-ws-a", Workstation: "ws-a",
				NEWS2: clinical.NEWS2Options{Window: time.Duration(24+i%2) * time.Hour}, Now: func() time.Time { return t0.Add(2 * time.Hour) }})
			if err != nil {
				t.Error(err)
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		for i := range 20 {
			eng.Act("p-race", id, clinical.VerbNote, fmt.Sprintf("note %d", i))
			eng.Evaluate(context.Background(), "p-race")
			eng.Timed(context.Background())
		}
	}()
	wg.Wait()
	testenv.Eventually(t, 20*time.Second, "notes published", func() bool {
		recs := e.Consume("spv.alert-state")
		if len(recs) == 0 {
			return false
		}
		st, err := clinical.ParseAlertState(recs[len(recs)-1].Value)
		return err == nil && len(st.Actions) >= 20
	})
}
