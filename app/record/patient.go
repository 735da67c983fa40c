package record

import (
	"bytes"
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

// patientRef resolves a Reference object. raw is its reference string (a
// view into the document, nil for an identifier-only reference); only the id
// of a resolved patient is allocated.
func patientRef(d *doc, ref int32) (id string, k refKind, raw []byte) {
	if d.kindOf(ref) != kObject {
		return "", refNone, nil
	}
	typ := d.rawText(d.get(ref, "type"))
	r := d.rawText(d.get(ref, "reference"))
	isPatient := string(typ) == "Patient"
	if len(r) == 0 {
		if isPatient && d.get(ref, "identifier") >= 0 {
			return "", refUnresolved, nil
		}
		return "", refNone, nil
	}
	if r[0] == '#' || bytes.HasPrefix(r, []byte("urn:")) {
		// a contained resource, a urn:uuid or urn:oid: unresolved unless typed otherwise
		if isPatient || len(typ) == 0 {
			return "", refUnresolved, r
		}
		return "", refOther, r
	}
	if q := bytes.IndexByte(r, '?'); q >= 0 {
		// a conditional reference: "Patient?identifier=…"
		t := r[:q]
		if i := bytes.LastIndexByte(t, '/'); i >= 0 {
			t = t[i+1:]
		}
		if string(t) == "Patient" {
			return "", refUnresolved, r
		}
		return "", refOther, r
	}
	p := r
	if i := bytes.Index(p, []byte("/_history/")); i >= 0 {
		p = p[:i]
	}
	p = bytes.TrimSuffix(p, []byte("/"))
	i := bytes.LastIndexByte(p, '/')
	if i < 0 {
		// a bare id: only the reference's type can tell
		if isPatient {
			return string(p), refPatient, r
		}
		return "", refNone, r
	}
	t := p[:i]
	if j := bytes.LastIndexByte(t, '/'); j >= 0 {
		t = t[j+1:]
	}
	if string(t) == "Patient" {
		return string(p[i+1:]), refPatient, r
	}
	return "", refOther, r
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
	p := patientChecker{d: d, c: c, topic: topicPatient}
	for _, name := range patientElements {
		v := d.get(root, name)
		if v < 0 {
			continue
		}
		e, n := d.list(v)
		for i := int32(0); i < n; i++ {
			idx := int32(-1)
			if d.kindOf(v) == kArray {
				idx = i
			}
			if r := p.check(name, idx, "", e); r != nil {
				return "", r
			}
			e = d.next(e)
		}
	}
	if typ == "AuditEvent" {
		// the patient an audit event is about is an entity (R4 AuditEvent.entity.what)
		e, n := d.list(d.get(root, "entity"))
		for i := int32(0); i < n; i++ {
			if r := p.check("entity", i, ".what", d.get(e, "what")); r != nil {
				return "", r
			}
			e = d.next(e)
		}
	}
	return p.patient, nil
}

// patientChecker checks the patient references of one resource.
type patientChecker struct {
	d       *doc
	c       *checker
	topic   string
	patient string // the first patient resolved
}

// check checks the reference at name[idx]suffix (idx -1: not a list).
func (p *patientChecker) check(name string, idx int32, suffix string, ref int32) *Refusal {
	pid, k, raw := patientRef(p.d, ref)
	path := func() string {
		if idx < 0 {
			return name + suffix
		}
		return fmt.Sprintf("%s[%d]%s", name, idx, suffix)
	}
	switch k {
	case refPatient:
		if p.topic != "" && pid != p.topic {
			return &Refusal{ReasonOtherPatient, fmt.Sprintf("%s refers to Patient/%s, the topic is patient %s", path(), pid, p.topic)}
		}
		if p.patient == "" {
			p.patient = pid
		}
	case refUnresolved:
		what := "a Patient named by identifier only"
		if raw != nil {
			what = quoteShort(string(raw))
		}
		p.c.note(path(), "unresolved patient reference %s (not checked against the topic's patient)", what)
	}
	return nil
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
