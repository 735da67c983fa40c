package reliability

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/config"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/session"
	"github.com/chartline/chartline/app/testenv"
	"github.com/chartline/chartline/store"
)

// deteriorating is a Patient and one round of vital signs that scores NEWS2
// 17 (RCP NEWS2 chart 2017: RR 26 → 3, SpO2 90 → 3, on oxygen → 2, SBP 95 →
// 2, pulse 125 → 2, voice on ACVPU → 3, 39.5 °C → 2), so the engine raises a
// high alert. LOINC codes: 9279-1 respiratory rate, 59408-5 SpO2 by pulse
// oximetry (3151-8 inhaled oxygen flow), 85354-9 blood pressure panel
// (8480-6 systolic, 8462-4 diastolic), 8867-4 heart rate, 67775-7 level of
// responsiveness (SNOMED CT 300202002 responds to voice), 8310-5 body
// temperature.
func deteriorating(id string, at time.Time) string {
	q := func(v float64, unit string) string {
		return fmt.Sprintf(`{"value":%g,"unit":%q,"system":"http://unitsofmeasure.org","code":%q}`, v, unit, unit)
	}
	obs := func(suffix, code, rest string) string {
		return fmt.Sprintf(`{"resourceType":"Observation","id":"%s-%s","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":%q}]},"subject":{"reference":"Patient/%s"},"effectiveDateTime":%q%s}`,
			id, suffix, code, id, at.UTC().Format(time.RFC3339), rest)
	}
	lines := []string{
		fmt.Sprintf(`{"resourceType":"Patient","id":%q,"identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"value":"MRN-%s"}],"name":[{"family":"Crashtest","given":["Outbox"]}],"gender":"female","birthDate":"1950-01-01"}`, id, id),
		obs("rr", "9279-1", `,"valueQuantity":`+q(26, "/min")),
		obs("spo2", "59408-5", `,"valueQuantity":`+q(90, "%")+`,"component":[{"code":{"coding":[{"system":"http://loinc.org","code":"3151-8"}]},"valueQuantity":`+q(4, "L/min")+`}]`),
		obs("bp", "85354-9", `,"component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":`+q(95, "mm[Hg]")+`},{"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":`+q(60, "mm[Hg]")+`}]`),
		obs("hr", "8867-4", `,"valueQuantity":`+q(125, "/min")),
		obs("acvpu", "67775-7", `,"valueCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"300202002"}]}`),
		obs("temp", "8310-5", `,"valueQuantity":`+q(39.5, "Cel")),
	}
	return strings.Join(lines, "\n")
}

// acted parses the action ids an act child printed.
func acted(out string) []string {
	var ids []string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if id, ok := strings.CutPrefix(sc.Text(), "acted "); ok {
			ids = append(ids, id)
		}
	}
	return ids
}

// TestCrashOutboxKilledWhileActing kills a workstation (a child process
// running a session and acting on alerts every few milliseconds) at random
// moments: with the broker up, with the broker down (actions queue in the
// outbox), and right after the broker comes back (while the backlog is being
// published). Then a last run drains the outbox. Every action saved before a
// kill is on spv.alert-state in the alert's latest state there, no record is
// published twice (chartline-id header), and every AuditEvent is on
// spv.audit exactly once.
func TestCrashOutboxKilledWhileActing(t *testing.T) {
	t.Parallel()
	upKills, downKills, backKills := 3, 1, 1
	if soak() {
		upKills, downKills, backKills = 12, 4, 4
	}
	c := newOutboxCrash(t)
	for range upKills {
		c.actAndKill("broker up", 800*time.Millisecond, 2500*time.Millisecond)
	}
	c.e.Prod.Close()
	c.e.Broker.Close()
	c.up = false
	for range downKills {
		c.actAndKill("broker down", 800*time.Millisecond, 2500*time.Millisecond)
	}
	c.restartBroker()
	for range backKills {
		c.actAndKill("broker back", 1000*time.Millisecond, 3*time.Second)
	}

	// The last run drains the outbox.
	s := c.drain()
	mine, audits := savedActions(t, s)
	for _, id := range c.printed {
		if _, ok := mine[id]; !ok {
			t.Errorf("action %s was saved before a kill and is gone", id)
		}
	}
	log := readTopics(t, c.e.Broker.Conn(), c.e.Topics)
	records, own := c.checkAlertStateTopic(log, mine)
	c.checkAuditTopic(log, audits)
	if len(mine) == 0 || len(c.printed) == 0 {
		t.Fatal("no action was taken")
	}
	t.Logf("%d kills, %d items killed between the broker's acknowledgement and their dequeue; %d actions saved (%d confirmed on stdout before a kill), %d AuditEvents; spv.alert-state: %d records (%d under an action's own id, %d repairs), none twice; every action in its alert's latest state; spv.audit: every AuditEvent exactly once",
		c.kills, c.acknowledgedQueued, len(mine), len(c.printed), len(audits), records, own, records-own)
}

// outboxCrash is the scenario of TestCrashOutboxKilledWhileActing: a broker
// (restartable on the same address and data), a store with one high alert
// per patient, and what the killed act children said and left behind.
type outboxCrash struct {
	t       *testing.T
	e       *testenv.Env
	addr    string
	dataDir string
	db      string
	env     []string
	rng     *rand.Rand
	up      bool // the broker is up

	printed            []string // action ids the children printed before a kill
	kills              int
	acknowledgedQueued int // items on the topic while the outbox still listed them
}

// newOutboxCrash publishes deteriorating patients and ingests them into a
// new store, so that each has one high alert to act on.
func newOutboxCrash(t *testing.T) *outboxCrash {
	t.Helper()
	dataDir := t.TempDir()
	e := testenv.New(t, kafka.BrokerOptions{CompactEvery: -1, DataDir: dataDir})
	addr := e.Broker.Addr()
	patients := []string{"crash-a", "crash-b", "crash-c"}
	// Current vital signs: alerts are raised only from data inside the
	// observation window of now; older sets are history.
	taken := time.Now().UTC().Add(-30 * time.Minute).Truncate(time.Minute)
	for _, p := range patients {
		e.Publish(deteriorating(p, taken))
	}
	home := t.TempDir()
	db := filepath.Join(home, "chartline.db")
	createStore(t, db)
	env := childEnv(home, passEnv())
	ingest := start(t, "cli", env, "ingest", "-brokers", addr, "-settings", filepath.Join(home, "settings.json"), "-db", db, "-until-caught-up")
	if code := ingest.wait(2 * time.Minute); code != 0 {
		t.Fatalf("ingest exit %d:\n%s", code, ingest.err.String())
	}
	s := openStore(t, db, false)
	var alerts []engine.AlertView
	s.View(func(r *store.Reader) (err error) { alerts, err = engine.Alerts(r); return })
	s.Close()
	if len(alerts) != len(patients) {
		t.Fatalf("%d alerts raised, want one per patient", len(alerts))
	}
	return &outboxCrash{t: t, e: e, addr: addr, dataDir: dataDir, db: db, env: env,
		rng: rand.New(rand.NewPCG(20261124, 2)), up: true}
}

// actAndKill starts an act child, kills it after a random delay in [lo, hi),
// and counts the actions it printed and the outbox items it left in limbo.
func (c *outboxCrash) actAndKill(phase string, lo, hi time.Duration) {
	t := c.t
	t.Helper()
	p := start(t, "act", c.env, "-db", c.db, "-brokers", c.addr, "-every", "2ms")
	delay := lo + time.Duration(c.rng.Int64N(int64(hi-lo)))
	time.Sleep(delay)
	if p.exited() {
		t.Fatalf("act child exited by itself (status %d):\n%s", p.code, tail(p.err.String(), 20))
	}
	p.kill()
	c.kills++
	ids := acted(p.out.String())
	c.printed = append(c.printed, ids...)
	// Items the broker already holds but the outbox still lists: the
	// kill came between the acknowledgement and the dequeue, and the next
	// run must verify instead of publishing again.
	s := openStore(t, c.db, false)
	queued, err := s.Outbox()
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	limbo := 0
	if c.up {
		limbo = c.onTopic(queued)
	}
	c.acknowledgedQueued += limbo
	t.Logf("%s: killed after %v with %d actions saved, %d items queued, %d of them already on the topic", phase, delay.Round(time.Millisecond), len(ids), len(queued), limbo)
}

// onTopic counts the queued items already on spv.alert-state or spv.audit.
func (c *outboxCrash) onTopic(queued []store.OutboxItem) int {
	onTopic := map[string]bool{}
	log := readTopics(c.t, c.e.Broker.Conn(), c.e.Topics)
	for _, topic := range []string{c.e.Topics.AlertState, c.e.Topics.Audit} {
		for _, r := range log.records[store.TopicPartition{Topic: topic}] {
			for _, h := range r.Headers {
				if h.Key == engine.HeaderID {
					onTopic[string(h.Value)] = true
				}
			}
		}
	}
	limbo := 0
	for _, it := range queued {
		if onTopic[it.ID] {
			limbo++
		}
	}
	return limbo
}

// restartBroker starts the broker again on its address and data directory.
func (c *outboxCrash) restartBroker() {
	t := c.t
	t.Helper()
	b, err := kafka.StartBroker(context.Background(), kafka.BrokerOptions{Addr: c.addr, DataDir: c.dataDir, CompactEvery: -1})
	if err != nil {
		t.Fatalf("restart the broker on %s: %v", c.addr, err)
	}
	t.Cleanup(b.Close)
	c.e.Broker = b
	c.up = true
}

// drain runs a session on the store until its outbox is empty and it has
// caught up; the store and the session stay open until the test ends.
func (c *outboxCrash) drain() *store.Store {
	t := c.t
	t.Helper()
	s := openStore(t, c.db, true)
	t.Cleanup(func() { s.Close() })
	cfg := config.Default()
	cfg.Conn = kafka.Conn{Brokers: []string{c.addr}}
	cfg.Workstation, cfg.User = actWorkstation, actUser
	ss, err := session.Start(context.Background(), cfg, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	settle := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if err := ss.WaitCaughtUp(ctx); err != nil {
			t.Fatalf("settle: %v (%s)", err, ss.Status())
		}
	}
	testenv.Eventually(t, 60*time.Second, "outbox drained", func() bool {
		ob, err := s.Outbox()
		return err == nil && len(ob) == 0
	})
	settle()
	testenv.Eventually(t, 30*time.Second, "outbox still empty once caught up (repairs published)", func() bool {
		ob, _ := s.Outbox()
		return len(ob) == 0
	})
	settle()
	return s
}

// savedActions is what this workstation did, as its store says: its actions
// (action id -> alert id) and its AuditEvents.
func savedActions(t *testing.T, s *store.Store) (map[string]string, []store.Doc) {
	t.Helper()
	mine := map[string]string{} // action id -> alert id
	var audits []store.Doc
	err := s.View(func(r *store.Reader) error {
		views, err := engine.Alerts(r)
		if err != nil {
			return err
		}
		for _, v := range views {
			for _, a := range v.State.Actions {
				if a.Workstation == actWorkstation {
					mine[a.ID] = v.Alert.ID
				}
			}
		}
		audits, err = r.Docs(engine.KindAudit)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return mine, audits
}

// checkAlertStateTopic checks spv.alert-state in log: no record twice, each one an
// action of this workstation or a repair, and every action in its alert's
// latest state there. It returns the records and those under an action's id.
func (c *outboxCrash) checkAlertStateTopic(log topicLog, mine map[string]string) (records, own int) {
	t := c.t
	t.Helper()
	ids := map[string]int{}
	latest := map[string]clinical.AlertState{} // alert -> its last state on the topic
	for _, r := range log.records[store.TopicPartition{Topic: c.e.Topics.AlertState}] {
		for _, h := range r.Headers {
			if h.Key == engine.HeaderID {
				ids[string(h.Value)]++
			}
		}
		st, err := clinical.ParseAlertState(r.Value)
		if err != nil {
			t.Fatalf("unreadable alert state on the topic: %v", err)
		}
		latest[string(r.Key)] = st
	}
	for id, n := range ids {
		if n != 1 {
			t.Errorf("spv.alert-state: record %s published %d times", id, n)
		}
		if _, ok := mine[id]; ok {
			own++
		} else if !strings.HasPrefix(id, "rp-") {
			t.Errorf("spv.alert-state: record %s is no action of this workstation", id)
		}
	}
	for id, alert := range mine {
		if !slices.ContainsFunc(latest[alert].Actions, func(a clinical.Action) bool { return a.ID == id }) {
			t.Errorf("action %s is not in the latest state of its alert on spv.alert-state", id)
		}
	}
	return len(ids), own
}

// checkAuditTopic checks that every AuditEvent this workstation wrote is on
// spv.audit in log exactly once, and nothing else is.
func (c *outboxCrash) checkAuditTopic(log topicLog, audits []store.Doc) {
	t := c.t
	t.Helper()
	auditIDs := map[string]int{}
	for _, r := range log.records[store.TopicPartition{Topic: c.e.Topics.Audit}] {
		for _, h := range r.Headers {
			if h.Key == engine.HeaderID {
				auditIDs[string(h.Value)]++
			}
		}
	}
	for _, d := range audits {
		if n := auditIDs[d.Key]; n != 1 {
			t.Errorf("spv.audit: AuditEvent %s published %d times", d.Key, n)
		}
	}
	if len(auditIDs) != len(audits) {
		t.Errorf("spv.audit holds %d AuditEvents, this workstation wrote %d", len(auditIDs), len(audits))
	}
}
