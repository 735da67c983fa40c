package record

import (
	"fmt"
	"strings"

	"github.com/chartline/chartline/store"
)

// patientElements are the top-level element names that hold a resource's
// patient when they are References: the members of the R4 patient
// compartment (hl7.org/fhir/R4/compartmentdefinition-patient.html) that name
// the patient the resource is about. Only references that point at a Patient
// count: a Group, Device or Location subject is not a patient reference.
var patientElements = [...]string{"subject", "patient", "beneficiary", "individual", "for", "candidate"}

// refKind says what a reference points at.
type refKind uint8

const (
	refNone       refKind = iota // no usable reference (display only, or empty)
	refPatient                   // Patient/<id>, resolved
	refOther                     // another resource type
	refUnresolved                // a Patient we cannot name: urn:uuid, conditional, contained, identifier only
)

// patientRef resolves a Reference object.
func patientRef(d *doc, ref int32) (id string, k refKind, text string) {
	if d.kindOf(ref) != kObject {
		return "", refNone, ""
	}
	typ := d.text(d.get(ref, "type"))
	r := d.text(d.get(ref, "reference"))
	if r == "" {
		if typ == "Patient" && d.get(ref, "identifier") >= 0 {
			return "", refUnresolved, "a Patient named by identifier only"
		}
		return "", refNone, ""
	}
	switch {
	case strings.HasPrefix(r, "#"):
		if typ == "Patient" || typ == "" {
			return "", refUnresolved, quoteShort(r)
		}
		return "", refOther, r
	case strings.HasPrefix(r, "urn:"):
		if typ == "" || typ == "Patient" {
			return "", refUnresolved, quoteShort(r)
		}
		return "", refOther, r
	}
	if q := strings.IndexByte(r, '?'); q >= 0 {
		// a conditional reference: "Patient?identifier=…"
		t := r[:q]
		if i := strings.LastIndexByte(t, '/'); i >= 0 {
			t = t[i+1:]
		}
		if t == "Patient" {
			return "", refUnresolved, quoteShort(r)
		}
		return "", refOther, r
	}
	if i := strings.Index(r, "/_history/"); i >= 0 {
		r = r[:i]
	}
	r = strings.TrimSuffix(r, "/")
	i := strings.LastIndexByte(r, '/')
	if i < 0 {
		// a bare id: only the reference's type can tell
		if typ == "Patient" {
			return r, refPatient, "Patient/" + r
		}
		return "", refNone, ""
	}
	id = r[i+1:]
	t := r[:i]
	if j := strings.LastIndexByte(t, '/'); j >= 0 {
		t = t[j+1:]
	}
	if t == "Patient" {
		return id, refPatient, "Patient/" + id
	}
	return "", refOther, t + "/" + id
}

// patientCheck finds the resource's patient references, checks them against
// the topic's patient and returns the patient the resource belongs to.
// Unresolved references are noted as problems; a reference to another
// patient is a refusal.
func patientCheck(d *doc, root int32, typ, id, topicPatient string, c *checker) (string, *Refusal) {
	if typ == "Patient" {
		if topicPatient != "" && id != topicPatient {
			return "", &Refusal{ReasonOtherPatient, fmt.Sprintf("Patient/%s on the topic of patient %s", id, topicPatient)}
		}
		return id, nil
	}
	patient := ""
	check := func(path string, ref int32) *Refusal {
		pid, k, text := patientRef(d, ref)
		switch k {
		case refPatient:
			if topicPatient != "" && pid != topicPatient {
				return &Refusal{ReasonOtherPatient, fmt.Sprintf("%s refers to %s, the topic is patient %s", path, text, topicPatient)}
			}
			if patient == "" {
				patient = pid
			}
		case refUnresolved:
			c.note(path, "unresolved patient reference %s (not checked against the topic's patient)", text)
		}
		return nil
	}
	for _, name := range patientElements {
		v := d.get(root, name)
		if v < 0 {
			continue
		}
		e, n := d.list(v)
		for i := int32(0); i < n; i++ {
			path := name
			if d.kindOf(v) == kArray {
				path = fmt.Sprintf("%s[%d]", name, i)
			}
			if r := check(path, e); r != nil {
				return "", r
			}
			e = d.next(e)
		}
	}
	if typ == "AuditEvent" {
		// the patient an audit event is about is an entity (R4 AuditEvent.entity.what)
		e, n := d.list(d.get(root, "entity"))
		for i := int32(0); i < n; i++ {
			if r := check(fmt.Sprintf("entity[%d].what", i), d.get(e, "what")); r != nil {
				return "", r
			}
			e = d.next(e)
		}
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
	} else if d.text(d.get(root, "deceasedDateTime")) != "" {
		p.Deceased = true
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
