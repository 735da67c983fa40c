package clinical

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"
)

func TestChartOpenedAudit(t *testing.T) {
	at := time.Date(2026, 11, 22, 10, 15, 30, 0, time.FixedZone("CET", 3600))
	id := AuditID(AuditChartOpened, testPatient, "dr.jones", "ward7-pc2", at, "")
	raw := ChartOpenedAudit(testPatient, "dr.jones", "ward7-pc2", at, id)

	ev, err := fhir.UnmarshalAuditEvent(raw)
	if err != nil {
		t.Fatalf("golang-fhir-models cannot read it: %v\n%s", err, raw)
	}
	if *ev.Id != id || *ev.Type.System != SystemDICOM || *ev.Type.Code != "110110" || *ev.Type.Display != "Patient Record" {
		t.Fatalf("id/type: %s", raw)
	}
	if len(ev.Subtype) != 1 || *ev.Subtype[0].System != SystemRestful || *ev.Subtype[0].Code != "read" {
		t.Fatalf("subtype: %s", raw)
	}
	if ev.Action == nil || *ev.Action != fhir.AuditEventActionR || ev.Outcome == nil || *ev.Outcome != fhir.AuditEventOutcome0 {
		t.Fatalf("action/outcome: %s", raw)
	}
	if ev.Recorded != "2026-11-22T09:15:30Z" {
		t.Fatalf("recorded %s", ev.Recorded)
	}
	if len(ev.Agent) != 2 || !ev.Agent[0].Requestor || *ev.Agent[0].Who.Identifier.Value != "dr.jones" || *ev.Agent[0].Who.Display != "dr.jones" {
		t.Fatalf("user agent: %s", raw)
	}
	if ev.Agent[1].Requestor || *ev.Agent[1].Network.Address != "ward7-pc2" || *ev.Agent[1].Network.Type != fhir.AuditEventAgentNetworkType1 {
		t.Fatalf("workstation agent: %s", raw)
	}
	if *ev.Source.Observer.Display != "ward7-pc2" {
		t.Fatalf("observer: %s", raw)
	}
	if len(ev.Entity) != 1 || *ev.Entity[0].What.Reference != "Patient/pt-1" || *ev.Entity[0].Role.Code != "1" || *ev.Entity[0].Role.Display != "Patient" {
		t.Fatalf("entity: %s", raw)
	}

	s, err := ParseAudit(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := AuditSummary{ID: id, Kind: AuditChartOpened, Action: "read", Who: "dr.jones", Workstation: "ward7-pc2", Patient: testPatient, When: at}
	if s.ID != want.ID || s.Kind != want.Kind || s.Action != want.Action || s.Who != want.Who || s.Workstation != want.Workstation ||
		s.Patient != want.Patient || !s.When.Equal(at) || s.Alert != "" {
		t.Fatalf("summary %+v, want %+v", s, want)
	}
}

func TestAlertActionAudit(t *testing.T) {
	a := NewAction("al-abc", VerbEscalate, "dr.jones", "ward7-pc2", "sepsis six started, called outreach", t0)
	id := AuditID(AuditAlertAction, testPatient, a.By, a.Workstation, a.At, a.ID)
	raw := AlertActionAudit(testPatient, "al-abc", a, id)
	ev, err := fhir.UnmarshalAuditEvent(raw)
	if err != nil {
		t.Fatalf("golang-fhir-models cannot read it: %v\n%s", err, raw)
	}
	if *ev.Action != fhir.AuditEventActionE || *ev.Subtype[0].System != SystemAlertAction || *ev.Subtype[0].Code != VerbEscalate {
		t.Fatalf("action/subtype: %s", raw)
	}
	if len(ev.Entity) != 2 || *ev.Entity[1].What.Identifier.Value != "al-abc" || ev.Entity[1].Detail[0].ValueString != a.ID {
		t.Fatalf("alert entity: %s", raw)
	}
	if strings.Contains(string(raw), "outreach") {
		t.Fatalf("the note leaked into the audit trail: %s", raw)
	}
	s, err := ParseAudit(raw)
	if err != nil {
		t.Fatal(err)
	}
	if s.Kind != AuditAlertAction || s.Action != VerbEscalate || s.Alert != "al-abc" || s.Who != "dr.jones" || s.Patient != testPatient || !s.When.Equal(t0) {
		t.Fatalf("summary %+v", s)
	}
}

func TestAuditIDs(t *testing.T) {
	a := AuditID(AuditChartOpened, testPatient, "u", "w", t0, "")
	if a != AuditID(AuditChartOpened, testPatient, "u", "w", t0.In(time.FixedZone("x", 7200)), "") {
		t.Fatalf("the same instant in another zone gave another id")
	}
	for _, other := range []string{
		AuditID(AuditChartOpened, testPatient, "u", "w", t0.Add(time.Nanosecond), ""),
		AuditID(AuditChartOpened, testPatient, "u2", "w", t0, ""),
		AuditID(AuditChartOpened, testPatient, "u", "w2", t0, ""),
		AuditID(AuditChartOpened, "pt-2", "u", "w", t0, ""),
		AuditID(AuditAlertAction, testPatient, "u", "w", t0, ""),
	} {
		if other == a {
			t.Fatalf("distinct events share id %s", a)
		}
	}
	if !strings.HasPrefix(a, "au-") || len(a) != 23 {
		t.Fatalf("id shape %q", a)
	}
}

func TestParseAuditFromAnotherSystem(t *testing.T) {
	s, err := ParseAudit(readFixture(t, "audit-other-system.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 11, 22, 7, 30, 12, 250_000_000, time.UTC)
	if s.Who != "nurse.smith" || s.Workstation != "ehr-prod-1" || s.Patient != testPatient || !s.When.Equal(want) ||
		s.Kind != AuditChartOpened || s.Action != "read" {
		t.Fatalf("summary %+v", s)
	}

	cases := []struct {
		name string
		raw  string
		ok   bool
		who  string
		ws   string
	}{
		{"no requestor: first agent", `{"resourceType":"AuditEvent","recorded":"2026-11-22T10:00:00Z","agent":[{"name":"batch job","requestor":false,"network":{"address":"10.1.1.1"}}],"source":{"observer":{}}}`, true, "batch job", "10.1.1.1"},
		{"period start when no recorded", `{"resourceType":"AuditEvent","period":{"start":"2026-11-22"},"agent":[],"source":{"observer":{"display":"x"}}}`, true, "", "x"},
		{"not an AuditEvent", `{"resourceType":"Patient","id":"p"}`, false, "", ""},
		{"no time", `{"resourceType":"AuditEvent","agent":[],"source":{"observer":{}}}`, false, "", ""},
		{"not JSON", `{`, false, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := ParseAudit([]byte(c.raw))
			if (err == nil) != c.ok {
				t.Fatalf("err %v", err)
			}
			if c.ok && (s.Who != c.who || s.Workstation != c.ws) {
				t.Fatalf("summary %+v", s)
			}
		})
	}
}

// FuzzParseAudit checks that ParseAudit never panics and that what it
// accepts has a time.
func FuzzParseAudit(f *testing.F) {
	f.Add(ChartOpenedAudit(testPatient, "u", "w", t0, "id"))
	f.Add(AlertActionAudit(testPatient, "al-1", NewAction("al-1", VerbNote, "u", "w", "n", t0), "id"))
	f.Add([]byte(`{"resourceType":"AuditEvent","recorded":"2026"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		if _, err := ParseAudit(raw); err == nil && !json.Valid(raw) {
			t.Fatalf("accepted invalid JSON")
		}
	})
}
