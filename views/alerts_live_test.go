package views

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/config"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/session"
	"github.com/chartline/chartline/app/testenv"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// TestInboxLive runs two workstations on one broker, as two wards would:
// both raise the same alert from the same vital signs; an escalation on
// workstation B appears in A's inbox with who did it and where; A's own
// acknowledgement shows "queued" until A's outbox has published it.
func TestInboxLive(t *testing.T) {
	k := testenv.New(t, kafka.BrokerOptions{})
	var ndjson []string
	ndjson = append(ndjson, patientJSON("p-live", "Livingstone"))
	for _, r := range highVitals(t, "p-live", time.Now().Add(-time.Minute)) {
		ndjson = append(ndjson, string(r.JSON))
	}
	k.Publish(strings.Join(ndjson, "\n"))

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	start := func(name string) *session.Session {
		cfg := config.Default()
		cfg.Conn = k.Broker.Conn()
		cfg.Workstation, cfg.User = name, "user-"+name
		s := testenv.OpenStore(t, testenv.StorePath(t))
		ss, err := session.Start(ctx, cfg, s, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ss.Close(); s.Close() })
		return ss
	}
	a, b := start("ws-a"), start("ws-b")
	subA := a.Store().Subscribe()
	defer subA.Close()
	cfgA := a.Config()
	e, _ := newTestEnvWith(t, a.Store(), ui.ModeLight, func(o *envOptions) {
		o.engine, o.config, o.session = a.Engine(), &cfgA, a
		o.notify = func(*fyne.Notification) {}
	})
	e.shell.Show(screenAlerts)
	v := e.inbox
	// waitInbox follows A's store until the inbox shows what cond wants.
	waitInbox := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			follow(e, subA)
			if cond() {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; inbox: %v", what, inboxIDs(v))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitInbox("the alert on A", func() bool { return len(v.shown) == 1 })
	v.choose(0)
	id := v.card.row.View.Alert.ID
	if err := b.WaitCaughtUp(ctx); err != nil {
		t.Fatal(err)
	}

	// B escalates: A's inbox shows it, by B's user at B.
	if _, err := b.Engine().Act("p-live", id, clinical.VerbEscalate, "called the outreach team"); err != nil {
		t.Fatalf("B could not escalate: %v", err)
	}
	waitInbox("B's escalation on A", func() bool { return v.card.row.state() == clinical.StateEscalated })
	last := v.card.history.Objects[len(v.card.history.Objects)-1]
	if !strings.Contains(labelText(last), "Escalated by user-ws-b at ws-b: “called the outreach team”") {
		t.Errorf("A's history ends %q", labelText(last))
	}
	if v.card.row.queued() {
		t.Error("B's action shows as queued on A")
	}

	// A resolves: queued until published, then not.
	v.card.note.SetText("reviewed with outreach, obs improving")
	v.card.act(clinical.VerbResolve)
	follow(e, subA)
	v.stateSel.SetSelected(stateAny)
	if v.cursorAlert() == nil || !v.cursorAlert().queued() && !publishedAlready(a.Store()) {
		t.Fatalf("A's resolve is not marked queued")
	}
	waitInbox("A's resolve published", func() bool {
		r := v.cursorAlert()
		return r != nil && r.state() == clinical.StateResolved && !r.queued()
	})
	if txt := v.card.state.Text; txt != "Resolved" {
		t.Errorf("state badge %q after publishing", txt)
	}
}

// publishedAlready reports whether the outbox is already empty (a fast
// publisher may beat the first look).
func publishedAlready(s *store.Store) bool {
	items, err := s.Outbox()
	return err == nil && len(items) == 0
}

// labelText is a label's text ("" for anything else).
func labelText(o fyne.CanvasObject) string {
	if l, ok := o.(*widget.Label); ok {
		return l.Text
	}
	return ""
}
