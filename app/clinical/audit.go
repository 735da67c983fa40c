package clinical

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Codes of the AuditEvents Chartline writes (IHE ITI Basic Audit Log Patterns,
// BALP, patient-read pattern; DICOM PS3.16 CID 400 for the event type).
const (
	auditTypeCode       = "110110" // DICOM: Patient Record
	auditTypeDisplay    = "Patient Record"
	auditSubtypeRead    = "read" // http://hl7.org/fhir/restful-interaction
	auditActionRead     = "R"    // AuditEvent.action: Read/View/Print
	auditActionExecute  = "E"    // AuditEvent.action: Execute (an application function on the patient's alert)
	auditOutcomeSuccess = "0"
	// BALP agent and entity codes.
	systemParticipation = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
	systemEntityType    = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
	systemObjectRole    = "http://terminology.hl7.org/CodeSystem/object-role"
	systemSourceType    = "http://terminology.hl7.org/CodeSystem/security-source-type"
	balpPatientRead     = "https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PatientRead"
	networkMachineName  = "1" // AuditEvent.agent.network.type: machine name
	// SystemAlertAction is the code system of the subtype of an alert-action
	// AuditEvent: its codes are the verbs (acknowledge, escalate, …).
	SystemAlertAction = "https://chartline.health/fhir/CodeSystem/alert-action"
	// IdentifierUser and IdentifierWorkstation are the identifier systems of
	// the agents Chartline records.
	IdentifierUser        = "https://chartline.health/fhir/sid/user"
	IdentifierWorkstation = "https://chartline.health/fhir/sid/workstation"
	// IdentifierAlert is the identifier system of an alert entity.
	IdentifierAlert = "https://chartline.health/fhir/sid/alert"
)

// Audit kinds, as AuditSummary reports them.
const (
	AuditChartOpened = "chart-opened"
	AuditAlertAction = "alert-action"
)

type fhirAuditEvent struct {
	ResourceType string            `json:"resourceType"`
	ID           string            `json:"id,omitempty"`
	Meta         *fhirMeta         `json:"meta,omitempty"`
	Type         fhirCoding        `json:"type"`
	Subtype      []fhirCoding      `json:"subtype,omitempty"`
	Action       string            `json:"action,omitempty"`
	Period       *fhirPeriod       `json:"period,omitempty"`
	Recorded     string            `json:"recorded"`
	Outcome      string            `json:"outcome,omitempty"`
	Agent        []fhirAuditAgent  `json:"agent"`
	Source       fhirAuditSource   `json:"source"`
	Entity       []fhirAuditEntity `json:"entity,omitempty"`
}

type fhirPeriod struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

type fhirAuditAgent struct {
	Type      *fhirConcept      `json:"type,omitempty"`
	Who       *fhirReference    `json:"who,omitempty"`
	Name      string            `json:"name,omitempty"`
	Requestor bool              `json:"requestor"`
	Network   *fhirAuditNetwork `json:"network,omitempty"`
}

type fhirAuditNetwork struct {
	Address string `json:"address,omitempty"`
	Type    string `json:"type,omitempty"`
}

type fhirAuditSource struct {
	Site     string        `json:"site,omitempty"`
	Observer fhirReference `json:"observer"`
	Type     []fhirCoding  `json:"type,omitempty"`
}

type fhirAuditEntity struct {
	What   *fhirReference    `json:"what,omitempty"`
	Type   *fhirCoding       `json:"type,omitempty"`
	Role   *fhirCoding       `json:"role,omitempty"`
	Detail []fhirAuditDetail `json:"detail,omitempty"`
}

type fhirAuditDetail struct {
	Type        string `json:"type"`
	ValueString string `json:"valueString"`
}

// AuditID is the deterministic id of an AuditEvent: "au-" and 20 base32
// characters of the SHA-256 of (kind, patient, user, workstation, time, and
// the action id for an alert action). Writing the same event twice (a retry,
// a replay) gives the same id, and spv.audit holds it once per id.
func AuditID(kind, patient, user, workstation string, at time.Time, action string) string {
	return HashID("au", kind, patient, user, workstation, at.UTC().Format(time.RFC3339Nano), action)
}

// auditBase builds what both patterns share: recorded, outcome success, the
// user (requestor) and the workstation as agents, the workstation as observer,
// and the patient as the entity.
func auditBase(id, patient, user, workstation string, at time.Time) fhirAuditEvent {
	return fhirAuditEvent{
		ResourceType: "AuditEvent",
		ID:           id,
		Meta:         &fhirMeta{Profile: []string{balpPatientRead}},
		Type:         fhirCoding{System: SystemDICOM, Code: auditTypeCode, Display: auditTypeDisplay},
		Recorded:     fhirTime(at),
		Outcome:      auditOutcomeSuccess,
		Agent: []fhirAuditAgent{
			{
				Type:      &fhirConcept{Coding: []fhirCoding{{System: systemParticipation, Code: "IRCP", Display: "information recipient"}}},
				Who:       &fhirReference{Identifier: &fhirIdentifier{System: IdentifierUser, Value: user}, Display: user},
				Requestor: true,
			},
			{
				Type:      &fhirConcept{Coding: []fhirCoding{{System: SystemDICOM, Code: "110153", Display: "Source Role ID"}}},
				Who:       &fhirReference{Identifier: &fhirIdentifier{System: IdentifierWorkstation, Value: workstation}, Display: workstation},
				Requestor: false,
				Network:   &fhirAuditNetwork{Address: workstation, Type: networkMachineName},
			},
		},
		Source: fhirAuditSource{
			Observer: fhirReference{Identifier: &fhirIdentifier{System: IdentifierWorkstation, Value: workstation}, Display: workstation},
			Type:     []fhirCoding{{System: systemSourceType, Code: "1", Display: "User Device"}},
		},
		Entity: []fhirAuditEntity{{
			What: &fhirReference{Reference: "Patient/" + patient},
			Type: &fhirCoding{System: systemEntityType, Code: "1", Display: "Person"},
			Role: &fhirCoding{System: systemObjectRole, Code: "1", Display: "Patient"},
		}},
	}
}

// ChartOpenedAudit is the FHIR R4 AuditEvent for a user opening a patient's
// chart (IHE BALP patient read): type DICOM 110110 Patient Record, subtype read,
// action R, outcome 0, the user (requestor) and the workstation as agents, the
// workstation as source.observer, the patient as entity (role 1 Patient).
// id is the AuditEvent id; AuditID makes one.
func ChartOpenedAudit(patient, user, workstation string, at time.Time, id string) []byte {
	ev := auditBase(id, patient, user, workstation, at)
	ev.Subtype = []fhirCoding{{System: SystemRestful, Code: auditSubtypeRead, Display: "read"}}
	ev.Action = auditActionRead
	return mustJSON(ev)
}

// AlertActionAudit is the FHIR R4 AuditEvent for an alert action: the same
// shape as ChartOpenedAudit, with action E (the user executed an application
// function on the patient's alert), subtype the verb (SystemAlertAction), and a
// second entity naming the alert by identifier with the action id and verb as
// details. The note is not copied into the audit trail: it travels on
// spv.alert-state only.
func AlertActionAudit(patient, alert string, a Action, id string) []byte {
	ev := auditBase(id, patient, a.By, a.Workstation, a.At)
	ev.Subtype = []fhirCoding{{System: SystemAlertAction, Code: a.Verb, Display: a.Verb}}
	ev.Action = auditActionExecute
	ev.Entity = append(ev.Entity, fhirAuditEntity{
		What: &fhirReference{Identifier: &fhirIdentifier{System: IdentifierAlert, Value: alert}, Display: "alert " + alert},
		Type: &fhirCoding{System: systemEntityType, Code: "2", Display: "System Object"},
		Detail: []fhirAuditDetail{
			{Type: "action", ValueString: a.ID},
			{Type: "verb", ValueString: a.Verb},
		},
	})
	return mustJSON(ev)
}

// AuditSummary is what the "who else opened this chart recently" list shows.
type AuditSummary struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`   // chart-opened, alert-action, or the subtype code for other events
	Action      string    `json:"action"` // read, or the alert verb
	Who         string    `json:"who"`
	Workstation string    `json:"workstation"`
	Patient     string    `json:"patient"`
	Alert       string    `json:"alert,omitempty"`
	When        time.Time `json:"when"`
}

type fhirAuditIn struct {
	ResourceType string       `json:"resourceType"`
	ID           string       `json:"id"`
	Subtype      []fhirCoding `json:"subtype"`
	Action       string       `json:"action"`
	Recorded     string       `json:"recorded"`
	Period       *fhirPeriod  `json:"period"`
	Agent        []struct {
		Who       *fhirReference    `json:"who"`
		Name      string            `json:"name"`
		Requestor bool              `json:"requestor"`
		Network   *fhirAuditNetwork `json:"network"`
	} `json:"agent"`
	Source struct {
		Observer fhirReference `json:"observer"`
	} `json:"source"`
	Entity []struct {
		What *fhirReference `json:"what"`
		Role *fhirCoding    `json:"role"`
	} `json:"entity"`
}

// refName is how a person or device is named in an AuditEvent reference:
// display, else identifier value, else the reference itself.
func refName(r *fhirReference) string {
	switch {
	case r == nil:
		return ""
	case r.Display != "":
		return r.Display
	case r.Identifier != nil && r.Identifier.Value != "":
		return r.Identifier.Value
	}
	return r.Reference
}

// ParseAudit reads any FHIR R4 AuditEvent (Chartline's or another system's)
// into a summary: who is the requestor agent (else the first agent), the
// workstation is source.observer (else a network address), the patient is the
// entity with role 1 or a Patient reference, when is recorded (else
// period.start). It fails on JSON that is not an AuditEvent or has no readable
// time.
func ParseAudit(raw []byte) (AuditSummary, error) {
	var ev fhirAuditIn
	if err := json.Unmarshal(raw, &ev); err != nil {
		return AuditSummary{}, fmt.Errorf("read AuditEvent: %w", err)
	}
	if ev.ResourceType != "AuditEvent" {
		return AuditSummary{}, fmt.Errorf("read AuditEvent: resourceType is %q", ev.ResourceType)
	}
	s := AuditSummary{ID: ev.ID}
	when := ev.Recorded
	if when == "" && ev.Period != nil {
		when = ev.Period.Start
	}
	t, err := parseFHIRTime(when)
	if err != nil {
		return AuditSummary{}, fmt.Errorf("read AuditEvent/%s: %w", ev.ID, err)
	}
	s.When = t

	requestor := false
	for _, a := range ev.Agent {
		name := refName(a.Who)
		if name == "" {
			name = a.Name
		}
		if (a.Requestor && !requestor) || (!requestor && s.Who == "") {
			s.Who, requestor = name, a.Requestor
		}
		if s.Workstation == "" && a.Network != nil {
			s.Workstation = a.Network.Address
		}
	}
	if o := refName(&ev.Source.Observer); o != "" {
		s.Workstation = o
	}
	for _, e := range ev.Entity {
		if e.What == nil {
			continue
		}
		if id, ok := referenceID(e.What.Reference, "Patient"); ok && (s.Patient == "" || (e.Role != nil && e.Role.Code == "1")) {
			s.Patient = id
		}
		if e.What.Identifier != nil && e.What.Identifier.System == IdentifierAlert {
			s.Alert = e.What.Identifier.Value
		}
	}
	for _, st := range ev.Subtype {
		switch {
		case st.System == SystemAlertAction:
			s.Kind, s.Action = AuditAlertAction, st.Code
		case st.System == SystemRestful && st.Code == auditSubtypeRead && s.Kind == "":
			s.Kind, s.Action = AuditChartOpened, st.Code
		case s.Kind == "":
			s.Kind, s.Action = st.Code, st.Code
		}
	}
	if s.Kind == "" {
		s.Kind, s.Action = strings.ToLower(ev.Action), strings.ToLower(ev.Action)
	}
	return s, nil
}

// User authentication AuditEvents (DICOM PS3.15 A.5.3.8 / IHE ITI ATNA "User
// Authentication": event type DICOM 110114, subtype 110122 Login or 110123
// Logout, action E, outcome 0 success or 4 minor failure).
const (
	auditTypeAuth        = "110114" // DICOM: User Authentication
	auditTypeAuthDisplay = "User Authentication"
	auditSubtypeLogin    = "110122" // DICOM: Login
	auditSubtypeLogout   = "110123" // DICOM: Logout
	auditOutcomeMinor    = "4"      // AuditEvent.outcome: Minor failure (a wrong passphrase)
	// SystemSessionEvent is the code system of Chartline's own subtype of a
	// user authentication AuditEvent: unlock, lock, idle-lock.
	SystemSessionEvent = "https://chartline.health/fhir/CodeSystem/session-event"
)

// Authentication kinds: how a workstation's window was unlocked or locked.
const (
	AuthUnlock   = "unlock"    // the passphrase was given (at start or at the lock screen)
	AuthLock     = "lock"      // the user locked the window (Ctrl+L, the Lock button)
	AuthIdleLock = "idle-lock" // the window locked itself after the site's idle interval
)

// Authentication is one unlock or lock of a workstation's window.
type Authentication struct {
	// Kind is AuthUnlock, AuthLock or AuthIdleLock.
	Kind string
	// User is the OS account that runs Chartline: it signs the event.
	User string
	// Display is the name the user added in Settings, "" for none; it is
	// recorded beside the account, never instead of it.
	Display     string
	Workstation string
	At          time.Time
	// Failed marks an unlock refused for a wrong passphrase (outcome 4).
	Failed bool
}

// AuthenticationAudit is the FHIR R4 AuditEvent of an unlock or a lock: type
// DICOM 110114 User Authentication, subtype Chartline's kind and DICOM 110122
// Login (unlock) or 110123 Logout (lock, idle lock), action E, outcome 0 or 4,
// the OS account as the requestor agent (its display name, if any, as
// agent.name) and the workstation as agent and source.observer. It names no
// patient. id is the AuditEvent id; AuditID makes one.
func AuthenticationAudit(a Authentication, id string) []byte {
	sub, subDisplay := auditSubtypeLogout, "Logout"
	if a.Kind == AuthUnlock {
		sub, subDisplay = auditSubtypeLogin, "Login"
	}
	outcome := auditOutcomeSuccess
	if a.Failed {
		outcome = auditOutcomeMinor
	}
	ws := &fhirIdentifier{System: IdentifierWorkstation, Value: a.Workstation}
	user := fhirAuditAgent{
		Who:       &fhirReference{Identifier: &fhirIdentifier{System: IdentifierUser, Value: a.User}, Display: a.User},
		Name:      a.Display,
		Requestor: true,
	}
	ev := fhirAuditEvent{
		ResourceType: "AuditEvent",
		ID:           id,
		Type:         fhirCoding{System: SystemDICOM, Code: auditTypeAuth, Display: auditTypeAuthDisplay},
		Subtype: []fhirCoding{
			{System: SystemSessionEvent, Code: a.Kind, Display: a.Kind},
			{System: SystemDICOM, Code: sub, Display: subDisplay},
		},
		Action:   auditActionExecute,
		Recorded: fhirTime(a.At),
		Outcome:  outcome,
		Agent: []fhirAuditAgent{user, {
			Type:    &fhirConcept{Coding: []fhirCoding{{System: SystemDICOM, Code: "110153", Display: "Source Role ID"}}},
			Who:     &fhirReference{Identifier: ws, Display: a.Workstation},
			Network: &fhirAuditNetwork{Address: a.Workstation, Type: networkMachineName},
		}},
		Source: fhirAuditSource{
			Observer: fhirReference{Identifier: ws, Display: a.Workstation},
			Type:     []fhirCoding{{System: systemSourceType, Code: "1", Display: "User Device"}},
		},
	}
	return mustJSON(ev)
}
