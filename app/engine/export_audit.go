package engine

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/store"
)

// Export kinds: what left the workstation. They are the subtype codes of
// the export AuditEvent (SystemExportKind).
const (
	ExportIPS      = "ips-document"   // an International Patient Summary document (chartline export)
	ExportHandover = "handover-sheet" // a printed I-PASS handover sheet (chartline handover)
	// SystemExportKind is the code system of ExportIPS and ExportHandover.
	SystemExportKind = "https://chartline.health/fhir/CodeSystem/export-kind"
)

// Codes of the export AuditEvent. DICOM PS3.15 A.5.3.6 "Export": data
// leaving the control of the system's security domain, printing included;
// event type from DICOM PS3.16 CID 400, action R (Read/View/Print), the
// destination's media from CID 405.
const (
	auditExportType   = "110106" // DICOM CID 400: Export
	auditExportAction = "R"
	exRoleDestination = "110152" // DICOM CID 402: Destination Role ID
	exRoleSource      = "110153" // DICOM CID 402: Source Role ID
	exMediaURI        = "110037" // DICOM CID 405: URI (a file the user chose)
	exMediaPaper      = "110038" // DICOM CID 405: Paper Document
	// FHIR R4 AuditEvent code systems.
	exSystemParticipation = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
	exSystemEntityType    = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
	exSystemObjectRole    = "http://terminology.hl7.org/CodeSystem/object-role"
	exSystemSourceType    = "http://terminology.hl7.org/CodeSystem/security-source-type"
	exIdentifierDocument  = "urn:ietf:rfc:3986"
)

type auditCoding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

type auditConcept struct {
	Coding []auditCoding `json:"coding"`
}

type auditIdentifier struct {
	System string `json:"system,omitempty"`
	Value  string `json:"value,omitempty"`
}

type auditRef struct {
	Reference  string           `json:"reference,omitempty"`
	Identifier *auditIdentifier `json:"identifier,omitempty"`
	Display    string           `json:"display,omitempty"`
}

type auditAgent struct {
	Type      auditConcept  `json:"type"`
	Who       *auditRef     `json:"who,omitempty"`
	Requestor bool          `json:"requestor"`
	Media     *auditCoding  `json:"media,omitempty"`
	Network   *auditNetwork `json:"network,omitempty"`
}

type auditNetwork struct {
	Address string `json:"address"`
	Type    string `json:"type"`
}

type auditEntity struct {
	What *auditRef    `json:"what"`
	Type *auditCoding `json:"type,omitempty"`
	Role *auditCoding `json:"role,omitempty"`
}

type exportAuditEvent struct {
	ResourceType string        `json:"resourceType"`
	ID           string        `json:"id"`
	Type         auditCoding   `json:"type"`
	Subtype      []auditCoding `json:"subtype"`
	Action       string        `json:"action"`
	Recorded     string        `json:"recorded"`
	Outcome      string        `json:"outcome"`
	Agent        []auditAgent  `json:"agent"`
	Source       struct {
		Observer auditRef      `json:"observer"`
		Type     []auditCoding `json:"type"`
	} `json:"source"`
	Entity []auditEntity `json:"entity"`
}

// ExportAudit is the FHIR R4 AuditEvent of one patient's data leaving the
// workstation: type DICOM 110106 Export, subtype the kind (SystemExportKind),
// action R, outcome 0; the user (requestor), the workstation (source role)
// and the destination (role 110152, media URI for a file, Paper Document
// for a handover sheet) as agents; the patient (role 1) and the document
// (by its identifier, role 3 Report) as entities. The file's path is not
// recorded: it may name the patient. One event per patient (IHE BALP keeps
// patient-specific events to one patient), so each patient's audit trail is
// complete on its own.
func ExportAudit(patient, kind, document, user, workstation string, at time.Time, id string) []byte {
	media := auditCoding{System: clinical.SystemDICOM, Code: exMediaURI, Display: "URI"}
	display := "International Patient Summary"
	if kind == ExportHandover {
		media = auditCoding{System: clinical.SystemDICOM, Code: exMediaPaper, Display: "Paper Document"}
		display = "I-PASS handover sheet"
	}
	ws := &auditRef{Identifier: &auditIdentifier{System: clinical.IdentifierWorkstation, Value: workstation}, Display: workstation}
	ev := exportAuditEvent{
		ResourceType: "AuditEvent",
		ID:           id,
		Type:         auditCoding{System: clinical.SystemDICOM, Code: auditExportType, Display: "Export"},
		Subtype:      []auditCoding{{System: SystemExportKind, Code: kind, Display: display}},
		Action:       auditExportAction,
		Recorded:     at.UTC().Format(time.RFC3339Nano),
		Outcome:      "0",
		Agent: []auditAgent{
			{
				Type:      auditConcept{Coding: []auditCoding{{System: exSystemParticipation, Code: "IRCP", Display: "information recipient"}}},
				Who:       &auditRef{Identifier: &auditIdentifier{System: clinical.IdentifierUser, Value: user}, Display: user},
				Requestor: true,
			},
			{
				Type:    auditConcept{Coding: []auditCoding{{System: clinical.SystemDICOM, Code: exRoleSource, Display: "Source Role ID"}}},
				Who:     ws,
				Network: &auditNetwork{Address: workstation, Type: "1"},
			},
			{
				Type:  auditConcept{Coding: []auditCoding{{System: clinical.SystemDICOM, Code: exRoleDestination, Display: "Destination Role ID"}}},
				Who:   &auditRef{Display: media.Display},
				Media: &media,
			},
		},
		Entity: []auditEntity{
			{
				What: &auditRef{Reference: "Patient/" + patient},
				Type: &auditCoding{System: exSystemEntityType, Code: "1", Display: "Person"},
				Role: &auditCoding{System: exSystemObjectRole, Code: "1", Display: "Patient"},
			},
			{
				What: &auditRef{Identifier: &auditIdentifier{System: exIdentifierDocument, Value: document}, Display: display},
				Type: &auditCoding{System: exSystemEntityType, Code: "2", Display: "System Object"},
				Role: &auditCoding{System: exSystemObjectRole, Code: "3", Display: "Report"},
			},
		},
	}
	ev.Source.Observer = *ws
	ev.Source.Type = []auditCoding{{System: exSystemSourceType, Code: "1", Display: "User Device"}}
	b, err := json.Marshal(ev)
	if err != nil {
		panic(fmt.Sprintf("engine: marshal export AuditEvent: %v", err)) // plain structs always marshal
	}
	return b
}

// Exported writes the export AuditEvent of each patient whose data left
// the workstation in one document (kind ExportIPS or ExportHandover;
// document is its identifier, a urn:uuid), kept locally and queued for
// spv.audit in one store transaction. A headless export queues them; the
// next session or `chartline ingest` on the store publishes them.
func (e *Engine) Exported(kind, document string, patients ...string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	at := e.opt().Now().UTC()
	b := &store.Batch{}
	for _, p := range patients {
		id := clinical.AuditID("export-"+kind, p, e.opt().User, e.opt().Workstation, at, document)
		ev := ExportAudit(p, kind, document, e.opt().User, e.opt().Workstation, at, id)
		b.Docs = append(b.Docs, store.Doc{Kind: KindAudit, Key: id, Patient: p, Value: ev})
		b.Enqueue = append(b.Enqueue, store.OutboxItem{ID: id, Topic: e.opt().Topics.Audit, Key: []byte(id), Value: ev, Created: at})
	}
	if _, err := e.s.Apply(b); err != nil {
		return fmt.Errorf("audit %s: %w", kind, err)
	}
	return nil
}
