package engine_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/testenv"
	"github.com/chartline/chartline/store"
)

// TestAuthenticationAuditsPublished locks and unlocks a workstation (a real
// store, a kfake broker) and finds each AuditEvent kept locally and on
// spv.audit exactly once, signed by the engine's user and workstation.
func TestAuthenticationAuditsPublished(t *testing.T) {
	e := testenv.New(t, kafka.BrokerOptions{})
	at := time.Date(2026, 12, 2, 14, 0, 0, 0, time.UTC)
	a := startWorkstation(t, e, "ws-a", testenv.StorePath(t), func() time.Time { return at })
	a.settle(t)
	events := []clinical.Authentication{
		{Kind: clinical.AuthUnlock, Display: "Dr A. Smith"},
		{Kind: clinical.AuthIdleLock, At: at.Add(10 * time.Minute)},
		{Kind: clinical.AuthUnlock, Failed: true, At: at.Add(11 * time.Minute)},
		{Kind: clinical.AuthUnlock, At: at.Add(12 * time.Minute)},
		{Kind: clinical.AuthLock, At: at.Add(20 * time.Minute)},
	}
	for _, ev := range events {
		if err := a.ss.Engine().Authenticated(ev); err != nil {
			t.Fatal(err)
		}
	}
	var local []store.Doc
	if err := a.s.View(func(r *store.Reader) (err error) { local, err = r.Docs(engine.KindAudit); return }); err != nil {
		t.Fatal(err)
	}
	if len(local) != len(events) {
		t.Fatalf("%d local AuditEvents, want %d", len(local), len(events))
	}
	want := map[string]bool{}
	for _, d := range local {
		want[d.Key] = true
	}
	testenv.Eventually(t, 20*time.Second, "authentication AuditEvents on spv.audit", func() bool {
		ids := consumeIDs(e, kafka.DefaultTopics().Audit)
		for id := range want {
			if ids[id] != 1 {
				return false
			}
		}
		return true
	})
	kinds := map[string]int{}
	failed := 0
	for _, r := range e.Consume(kafka.DefaultTopics().Audit) {
		s, err := clinical.ParseAudit(r.Value)
		if err != nil {
			t.Fatal(err)
		}
		if s.Who != "user-ws-a" || s.Workstation != "ws-a" || s.Patient != "" {
			t.Errorf("signed %q at %q for patient %q", s.Who, s.Workstation, s.Patient)
		}
		kinds[s.Kind]++
		if strings.Contains(string(r.Value), `"outcome":"4"`) {
			failed++
		}
	}
	if kinds[clinical.AuthUnlock] != 3 || kinds[clinical.AuthLock] != 1 || kinds[clinical.AuthIdleLock] != 1 || failed != 1 {
		t.Errorf("published kinds %v, %d failed; want 3 unlock (1 failed), 1 lock, 1 idle-lock", kinds, failed)
	}
}
