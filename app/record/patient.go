package record

import (
	"fmt"
	"strings"

	"github.com/chartline/chartline/store"
)

// patientCheck finds the resource's patient references (eachPatientRef),
// checks them against the topic's patient under rule and returns the patient
// the resource belongs to. Unresolved and contained references are noted as
// problems; a reference to another local patient, or on a patient topic to a
// patient on another server, is a refusal.
func patientCheck(d *doc, root int32, typ, id, topicPatient string, rule RefRule, c *checker) (string, *Refusal) {
	if typ == "Patient" {
		if topicPatient != "" && id != topicPatient {
			return "", &Refusal{ReasonOtherPatient, fmt.Sprintf("Patient/%s on the topic of patient %s", id, topicPatient)}
		}
		return id, nil
	}
	var (
		patient string
		refusal *Refusal
	)
	eachPatientRef(d, root, typ, func(path RefPath, ref int32) bool {
		pr, raw := rule.classifyNode(d, ref)
		switch pr.Target {
		case LocalPatient:
			if topicPatient != "" && pr.ID != topicPatient {
				refusal = &Refusal{ReasonOtherPatient, fmt.Sprintf("%s refers to Patient/%s, the topic is patient %s", path, pr.ID, topicPatient)}
				return false
			}
			if patient == "" {
				patient = pr.ID
			}
		case ForeignPatient:
			if topicPatient != "" {
				refusal = &Refusal{ReasonForeignPatient, fmt.Sprintf("%s refers to Patient/%s on %s, which is not a local FHIR base (local_fhir_bases)", path, pr.ID, quoteShort(pr.Base))}
				return false
			}
		case UnresolvedPatient, ContainedPatient:
			what := "a Patient named by identifier only"
			if raw != nil {
				what = quoteShort(string(raw))
			}
			c.note(path.String(), "unresolved patient reference %s (not checked against the topic's patient)", what)
		}
		return true
	})
	if refusal != nil {
		return "", refusal
	}
	return patient, nil
}

// HL7 v2 table 0203 identifier type for a medical record number
// (terminology.hl7.org/CodeSystem/v2-0203).
const (
	systemV2IdentifierType = "http://terminology.hl7.org/CodeSystem/v2-0203"
	codeMRN                = "MR"
)

// demographics reads the census fields of a Patient resource.
func demographics(d *doc, root int32) *store.Demographics {
	p := &store.Demographics{
		BirthDate: d.text(d.get(root, "birthDate")),
		Sex:       d.text(d.get(root, "gender")),
	}
	// name: use=official first, else the first name
	names, count := d.list(d.get(root, "name"))
	name := int32(-1)
	for i, e := int32(0), names; i < count; i, e = i+1, d.next(e) {
		if d.kindOf(e) != kObject {
			continue
		}
		if name < 0 {
			name = e
		}
		if d.is(d.get(e, "use"), "official") {
			name = e
			break
		}
	}
	if name >= 0 {
		p.Family = d.text(d.get(name, "family"))
		var given []string
		g, gn := d.list(d.get(name, "given"))
		for i := int32(0); i < gn; i, g = i+1, d.next(g) {
			if s := d.text(g); s != "" {
				given = append(given, s)
			}
		}
		p.Given = strings.Join(given, " ")
		switch {
		case p.Family != "" && p.Given != "":
			p.Name = p.Family + ", " + p.Given
		case p.Family != "":
			p.Name = p.Family
		case p.Given != "":
			p.Name = p.Given
		default:
			p.Name = d.text(d.get(name, "text"))
		}
	}
	// MRN: the identifier typed MR (v2-0203), else the first identifier value
	ids, idn := d.list(d.get(root, "identifier"))
	for i, e := int32(0), ids; i < idn; i, e = i+1, d.next(e) {
		v := d.text(d.get(e, "value"))
		if v == "" {
			continue
		}
		if p.MRN == "" {
			p.MRN = v
		}
		if isMRN(d, d.get(e, "type")) {
			p.MRN = v
			break
		}
	}
	if v, ok := d.boolean(d.get(root, "deceasedBoolean")); ok {
		p.Deceased = v
	} else if s := d.text(d.get(root, "deceasedDateTime")); s != "" {
		p.Deceased, p.DeceasedDate = true, s
	}
	return p
}

// isMRN reports whether an identifier type CodeableConcept says MR (v2-0203).
func isMRN(d *doc, cc int32) bool {
	c, n := d.list(d.get(cc, "coding"))
	for i := int32(0); i < n; i, c = i+1, d.next(c) {
		sys := d.text(d.get(c, "system"))
		if d.is(d.get(c, "code"), codeMRN) && (sys == "" || sys == systemV2IdentifierType) {
			return true
		}
	}
	return false
}
