// Routing: which topic and which patient each item goes to, tombstones included.

package publish

import (
	"fmt"
	"strings"

	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/record"
)

// route decides every item's topic and builds the records; an item that
// cannot be routed is refused and the others go on.
func (s *splitter) route() []Record {
	// Groups a ResearchStudy anywhere in the input enrolls from, "Group/id".
	enroll := make(map[string]bool)
	for _, it := range s.items {
		if it.del || it.typ != "ResearchStudy" {
			continue
		}
		it.doc.Elements(it.doc.Get(it.node, "enrollment"), func(_ int, r record.Node) bool {
			ref, _, _ := it.doc.RefString(r)
			if it.scope != nil {
				if res, ok := it.scope.resolve(ref); ok {
					ref = res
				}
			}
			if typ, id, ok := typeID(ref); ok && typ == "Group" {
				enroll["Group/"+id] = true
			}
			return true
		})
	}
	// ValueSets the eligibility Groups name (characteristic.valueReference),
	// by "ValueSet/id" and by canonical url: they go to trials.studies too.
	valueSets := make(map[string]bool)
	for _, it := range s.items {
		if it.del || it.typ != "Group" || !(enroll["Group/"+it.id] || definitional(it)) {
			continue
		}
		it.doc.Elements(it.doc.Get(it.node, "characteristic"), func(_ int, ch record.Node) bool {
			ref, _, _ := it.doc.RefString(it.doc.Get(ch, "valueReference"))
			if it.scope != nil {
				if res, ok := it.scope.resolve(ref); ok {
					ref = res
				}
			}
			if typ, id, ok := typeID(ref); ok && typ == "ValueSet" {
				valueSets["ValueSet/"+id] = true
			}
			if ref != "" {
				valueSets[ref] = true
			}
			return true
		})
	}
	out := make([]Record, 0, len(s.items))
	for _, it := range s.items {
		if it.del {
			out = append(out, s.routeDelete(it)...)
			continue
		}
		topic, ok := s.topicOf(it, enroll, valueSets)
		if !ok {
			continue
		}
		value := it.raw()
		if it.scope != nil {
			value = rewriteRefs(it.doc, it.node, it.scope.resolve)
		}
		if it.addID {
			value = insertID(value, it.id)
		}
		if len(value) > record.MaxValueBytes {
			s.refuse(it.where, ReasonTooLarge, "the resource is %d bytes, over the %d-byte record limit", len(value), record.MaxValueBytes)
			continue
		}
		out = append(out, Record{Topic: topic, Key: []byte(it.typ + "/" + it.id), Value: value, Headers: s.headers})
	}
	return out
}

// topicOf routes one resource; false when it is refused.
func (s *splitter) topicOf(it *item, enroll, valueSets map[string]bool) (string, bool) {
	switch it.typ {
	case "Patient":
		return s.topics.Patient(it.id), true
	case "RiskAssessment":
		return s.topics.Risk, true
	case "ResearchStudy":
		return s.topics.Studies, true
	case "ResearchSubject":
		return s.topics.Matches, true
	case "Group":
		if enroll["Group/"+it.id] || definitional(it) {
			return s.topics.Studies, true
		}
		return s.topics.Reference, true
	case "ValueSet":
		if valueSets["ValueSet/"+it.id] || valueSets[it.doc.Str(it.doc.Get(it.node, "url"))] {
			return s.topics.Studies, true
		}
		return s.topics.Reference, true
	}
	pid, r := s.patientOf(it)
	if r != nil {
		s.refused = append(s.refused, r)
		return "", false
	}
	if pid == "" {
		return s.topics.Reference, true
	}
	return s.topics.Patient(pid), true
}

// patientOf finds the local patient a resource belongs to under the
// patient-reference rule: "" for none (a resource whose patient is on
// another server has none here). A Refusal says why it has no topic.
func (s *splitter) patientOf(it *item) (string, *Refusal) {
	var (
		pid, pidAt string
		foreignAt  string
		refusal    *Refusal
	)
	refuse := func(reason, format string, args ...any) bool {
		refusal = &Refusal{Where: it.where, Reason: reason, Detail: fmt.Sprintf(format, args...)}
		return false
	}
	it.doc.PatientRefs(it.node, it.typ, func(p record.RefPath, ref record.Node) bool {
		r, typ, ident := it.doc.RefString(ref)
		if it.scope != nil && r != "" {
			if res, ok := it.scope.resolve(r); ok {
				r = res
			}
		}
		pr := s.rule.Classify(r, typ, ident)
		switch pr.Target {
		case record.LocalPatient:
			switch {
			case !kafka.ValidPatientID(pr.ID):
				return refuse(ReasonBadID, "its patient reference holds an id that is not a FHIR id")
			case pid != "" && pr.ID != pid:
				return refuse(ReasonTwoPatients, "%s and %s name two different patients", pidAt, p)
			}
			pid, pidAt = pr.ID, p.String()
		case record.ForeignPatient:
			if foreignAt == "" {
				foreignAt = p.String()
			}
		case record.UnresolvedPatient:
			switch {
			case strings.HasPrefix(r, "urn:"):
				return refuse(ReasonUnresolved, "its reference %s is not a fullUrl of the bundle", trimURN(r))
			case strings.Contains(r, "?"):
				return refuse(ReasonUnresolved, "its conditional patient reference matches no single Patient in the bundle")
			}
		}
		return true
	})
	switch {
	case refusal != nil:
		return "", refusal
	case pid != "" && foreignAt != "":
		return "", &Refusal{Where: it.where, Reason: ReasonForeignPatient,
			Detail: fmt.Sprintf("%s names a patient on another server (not a local FHIR base), %s a local patient", foreignAt, pidAt)}
	}
	return pid, nil
}

// trimURN shortens a urn for an error message (a urn:uuid is not PHI, but
// it is long).
func trimURN(s string) string {
	if len(s) > 24 {
		return s[:24] + "…"
	}
	return s
}

// routeDelete routes a DELETE to one or two topics as tombstones.
func (s *splitter) routeDelete(it *item) []Record {
	key := []byte(it.typ + "/" + it.id)
	rec := func(topic string) Record { return Record{Topic: topic, Key: key, Headers: s.headers} }
	switch {
	case it.typ == "Patient":
		return []Record{rec(s.topics.Patient(it.id))}
	case it.typ == "RiskAssessment":
		return []Record{rec(s.topics.Risk)}
	case it.typ == "ResearchStudy":
		return []Record{rec(s.topics.Studies)}
	case it.typ == "ResearchSubject":
		return []Record{rec(s.topics.Matches)}
	case it.typ == "Group":
		return []Record{rec(s.topics.Studies), rec(s.topics.Reference)}
	case !patientCompartment[it.typ]:
		return []Record{rec(s.topics.Reference)}
	case it.delPat != "":
		return []Record{rec(s.topics.Patient(it.delPat))}
	}
	if it.scope != nil {
		if pid := s.singlePatient(it.scope); pid != "" {
			return []Record{rec(s.topics.Patient(pid))}
		}
	}
	s.refuse(it.where, ReasonDelete, "cannot tell which patient's topic holds it: use Type?_id=ID&patient=PATIENT or a bundle of one patient")
	return nil
}

// singlePatient returns the one patient a bundle's resources belong to, ""
// when they belong to none or to several. It is computed once per bundle.
func (s *splitter) singlePatient(sc *scope) string {
	if sc.patientDone {
		return sc.patient
	}
	sc.patientDone = true
	for _, it := range sc.items {
		pid := it.id
		if it.typ != "Patient" {
			pid, _ = s.patientOf(it)
		}
		switch {
		case pid == "" || pid == sc.patient:
		case sc.patient != "":
			sc.patient = ""
			return ""
		default:
			sc.patient = pid
		}
	}
	return sc.patient
}

// patientCompartment lists the resource types of the FHIR R4 patient
// compartment (CompartmentDefinition patient,
// http://hl7.org/fhir/R4/compartmentdefinition-patient.html): a tombstone of
// one of these types belongs in a patient topic.
var patientCompartment = map[string]bool{
	"Account": true, "AdverseEvent": true, "AllergyIntolerance": true, "Appointment": true,
	"AppointmentResponse": true, "AuditEvent": true, "Basic": true, "BodyStructure": true,
	"CarePlan": true, "CareTeam": true, "ChargeItem": true, "Claim": true, "ClaimResponse": true,
	"ClinicalImpression": true, "Communication": true, "CommunicationRequest": true,
	"Composition": true, "Condition": true, "Consent": true, "Coverage": true,
	"CoverageEligibilityRequest": true, "CoverageEligibilityResponse": true, "DetectedIssue": true,
	"DeviceRequest": true, "DeviceUseStatement": true, "DiagnosticReport": true,
	"DocumentManifest": true, "DocumentReference": true, "Encounter": true,
	"EnrollmentRequest": true, "EpisodeOfCare": true, "ExplanationOfBenefit": true,
	"FamilyMemberHistory": true, "Flag": true, "Goal": true, "Group": true, "ImagingStudy": true,
	"Immunization": true, "ImmunizationEvaluation": true, "ImmunizationRecommendation": true,
	"Invoice": true, "List": true, "MeasureReport": true, "Media": true,
	"MedicationAdministration": true, "MedicationDispense": true, "MedicationRequest": true,
	"MedicationStatement": true, "MolecularSequence": true, "NutritionOrder": true,
	"Observation": true, "Patient": true, "Person": true, "Procedure": true, "Provenance": true,
	"QuestionnaireResponse": true, "RelatedPerson": true, "RequestGroup": true,
	"ResearchSubject": true, "RiskAssessment": true, "Schedule": true, "ServiceRequest": true,
	"Specimen": true, "SupplyDelivery": true, "SupplyRequest": true, "VisionPrescription": true,
}
