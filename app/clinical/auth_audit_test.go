package clinical

import (
	"strings"
	"testing"
	"time"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"
)

func TestAuthenticationAudit(t *testing.T) {
	at := time.Date(2026, 12, 2, 14, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		name        string
		a           Authentication
		sub, subDCM string
		outcome     fhir.AuditEventOutcome
	}{
		{"unlock", Authentication{Kind: AuthUnlock, User: "asmith", Display: "Dr A. Smith", Workstation: "ward7-pc2", At: at}, AuthUnlock, "110122", fhir.AuditEventOutcome0},
		{"wrong passphrase", Authentication{Kind: AuthUnlock, User: "asmith", Workstation: "ward7-pc2", At: at, Failed: true}, AuthUnlock, "110122", fhir.AuditEventOutcome4},
		{"lock", Authentication{Kind: AuthLock, User: "asmith", Workstation: "ward7-pc2", At: at}, AuthLock, "110123", fhir.AuditEventOutcome0},
		{"idle lock", Authentication{Kind: AuthIdleLock, User: "asmith", Workstation: "ward7-pc2", At: at}, AuthIdleLock, "110123", fhir.AuditEventOutcome0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := AuditID(tc.a.Kind, "", tc.a.User, tc.a.Workstation, tc.a.At, "")
			raw := AuthenticationAudit(tc.a, id)
			ev, err := fhir.UnmarshalAuditEvent(raw)
			if err != nil {
				t.Fatalf("golang-fhir-models cannot read it: %v\n%s", err, raw)
			}
			if *ev.Id != id || *ev.Type.System != SystemDICOM || *ev.Type.Code != "110114" || *ev.Type.Display != "User Authentication" {
				t.Fatalf("type: %s", raw)
			}
			if len(ev.Subtype) != 2 || *ev.Subtype[0].Code != tc.sub || *ev.Subtype[1].System != SystemDICOM || *ev.Subtype[1].Code != tc.subDCM {
				t.Fatalf("subtype: %s", raw)
			}
			if *ev.Action != fhir.AuditEventActionE || *ev.Outcome != tc.outcome {
				t.Fatalf("action/outcome: %s", raw)
			}
			if len(ev.Agent) != 2 || !ev.Agent[0].Requestor || *ev.Agent[0].Who.Identifier.Value != "asmith" {
				t.Fatalf("user agent: %s", raw)
			}
			if tc.a.Display != "" && (ev.Agent[0].Name == nil || *ev.Agent[0].Name != tc.a.Display) {
				t.Fatalf("display name not beside the account: %s", raw)
			}
			if len(ev.Entity) != 0 || strings.Contains(string(raw), "Patient") {
				t.Fatalf("an authentication event names no patient: %s", raw)
			}
			s, err := ParseAudit(raw)
			if err != nil {
				t.Fatal(err)
			}
			if s.Kind != tc.sub || s.Who != "asmith" || s.Workstation != "ward7-pc2" || s.Patient != "" || !s.When.Equal(at) {
				t.Fatalf("summary %+v", s)
			}
		})
	}
}
