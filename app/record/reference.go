package record

import (
	"bytes"
	"strconv"
	"strings"
)

// The patient-reference rule: one rule, used by `chartline publish` to route a
// resource and by Decode to check it (README, "Record rules").
//
// A reference names a local patient when it is
//   - relative: "Patient/<id>" (optionally "/_history/<v>"), or a bare id
//     with type "Patient";
//   - a urn:uuid or urn:oid resolved within its Bundle (publish rewrites it to
//     "Patient/<id>" before it reaches a topic; one left unresolved is not
//     routed by publish and is only noted by Decode);
//   - absolute, "<base>/Patient/<id>", with a base the deployment declares
//     local (RefRule.LocalBases, config "local_fhir_bases"; default none).
//
// An absolute reference under any other base names a patient on another
// server: never the topic's patient. Publish sends a resource whose only
// patient references are foreign to fhir.reference (it is in no local chart)
// and refuses one that names a local patient and a foreign one; Decode
// refuses it on a patient topic with ReasonForeignPatient. Conditional
// references ("Patient?identifier=…"), contained ones ("#p1") and an
// identifier without a reference name no patient that can be checked.

// RefRule is the deployment's part of the patient-reference rule: which
// absolute base URLs are this deployment's own FHIR servers. The zero value
// declares none, so every absolute Patient URL is foreign.
type RefRule struct {
	bases []string // normalised: see normBase
}

// NewRefRule returns the rule for these local base URLs ("https://ehr.example.org/fhir");
// a trailing slash and the case of the scheme and host do not matter. Blank
// entries are ignored.
func NewRefRule(localBases []string) RefRule {
	var r RefRule
	for _, b := range localBases {
		if nb := normBase(b); nb != "" {
			r.bases = append(r.bases, nb)
		}
	}
	return r
}

// LocalBases returns the declared local bases, normalised.
func (r RefRule) LocalBases() []string { return append([]string(nil), r.bases...) }

// normBase trims a base URL's spaces and trailing slashes and lower-cases its
// scheme and host (RFC 3986 §6.2.2.1: they are case-insensitive; the path is not).
func normBase(s string) string {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	host, path, _ := strings.Cut(rest, "/")
	out := strings.ToLower(scheme) + "://" + strings.ToLower(host)
	if path != "" {
		out += "/" + path
	}
	return out
}

// isLocal reports whether base is a declared local base.
func (r RefRule) isLocal(base string) bool {
	nb := normBase(base)
	for _, b := range r.bases {
		if b == nb {
			return true
		}
	}
	return false
}

// Target is what a reference points at, as the patient rule sees it.
type Target uint8

// The targets of a reference.
const (
	// NotPatient: no reference, display only, or another resource type.
	NotPatient Target = iota
	// LocalPatient: a patient of this deployment; PatientRef.ID names it.
	LocalPatient
	// ForeignPatient: a Patient under a base URL not declared local.
	ForeignPatient
	// UnresolvedPatient: a Patient that cannot be named here: a urn:uuid or
	// urn:oid not resolved by its bundle, a conditional reference, an
	// identifier without a reference, or a relative path that is not a URL.
	UnresolvedPatient
	// ContainedPatient: "#id", a Patient inside the resource itself.
	ContainedPatient
)

// String names the target ("local patient").
func (t Target) String() string {
	switch t {
	case LocalPatient:
		return "local patient"
	case ForeignPatient:
		return "patient on another server"
	case UnresolvedPatient:
		return "unresolved patient"
	case ContainedPatient:
		return "contained patient"
	}
	return "not a patient"
}

// PatientRef is a classified reference.
type PatientRef struct {
	Target Target
	ID     string // LocalPatient and ForeignPatient: the patient id
	Base   string // ForeignPatient: the base URL as written
}

// Classify applies the rule to one Reference: reference is its reference
// string (after any bundle resolution), typ its type element, identifier
// whether it carries an identifier.
func (r RefRule) Classify(reference, typ string, identifier bool) PatientRef {
	return r.classify([]byte(strings.TrimSpace(reference)), []byte(strings.TrimSpace(typ)), identifier)
}

func (r RefRule) classify(ref, typ []byte, identifier bool) PatientRef {
	isPatient := string(typ) == "Patient"
	if len(ref) == 0 {
		if isPatient && identifier {
			return PatientRef{Target: UnresolvedPatient}
		}
		return PatientRef{}
	}
	if ref[0] == '#' {
		if isPatient || len(typ) == 0 {
			return PatientRef{Target: ContainedPatient}
		}
		return PatientRef{}
	}
	if bytes.HasPrefix(ref, []byte("urn:")) {
		// a urn:uuid or urn:oid the bundle did not resolve: unresolved unless typed otherwise
		if isPatient || len(typ) == 0 {
			return PatientRef{Target: UnresolvedPatient}
		}
		return PatientRef{}
	}
	if q := bytes.IndexByte(ref, '?'); q >= 0 {
		// a conditional reference: "Patient?identifier=…", "http://x/fhir/Patient?…"
		t := ref[:q]
		if i := bytes.LastIndexByte(t, '/'); i >= 0 {
			t = t[i+1:]
		}
		if string(t) == "Patient" {
			return PatientRef{Target: UnresolvedPatient}
		}
		return PatientRef{}
	}
	p := ref
	if i := bytes.Index(p, []byte("/_history/")); i >= 0 {
		p = p[:i]
	}
	p = bytes.TrimSuffix(p, []byte("/"))
	i := bytes.LastIndexByte(p, '/')
	if i < 0 {
		// a bare id: only the reference's type can tell
		if isPatient {
			return PatientRef{Target: LocalPatient, ID: string(p)}
		}
		return PatientRef{}
	}
	t := p[:i]
	base := []byte(nil)
	if j := bytes.LastIndexByte(t, '/'); j >= 0 {
		base, t = t[:j], t[j+1:]
	}
	if string(t) != "Patient" {
		return PatientRef{}
	}
	id := string(p[i+1:])
	switch {
	case base == nil:
		return PatientRef{Target: LocalPatient, ID: id}
	case !bytes.Contains(base, []byte("://")):
		// "../Patient/1", "fhir/Patient/1": not a literal reference R4 defines
		return PatientRef{Target: UnresolvedPatient, ID: id}
	case r.isLocal(string(base)):
		return PatientRef{Target: LocalPatient, ID: id}
	}
	return PatientRef{Target: ForeignPatient, ID: id, Base: string(base)}
}

// patientElements are the top-level element names that hold a resource's
// patient when they are References: the members of the R4 patient
// compartment (hl7.org/fhir/R4/compartmentdefinition-patient.html) that name
// the patient the resource is about. Only references that point at a Patient
// count: a Group, Device or Location subject is not a patient reference.
var patientElements = [...]string{"subject", "patient", "beneficiary", "individual", "for", "candidate"}

// patientPaths are the nested places, by resource type, where the same
// compartment definition finds the patient: an Appointment's participant
// actor, an AppointmentResponse's or Schedule's actor, a Person's link
// target, a Provenance's target, an AuditEvent's entity.what.
var patientPaths = map[string][2]string{
	"Appointment":         {"participant", "actor"},
	"AppointmentResponse": {"actor", ""},
	"Schedule":            {"actor", ""},
	"Person":              {"link", "target"},
	"Provenance":          {"target", ""},
	"AuditEvent":          {"entity", "what"},
}

// RefPath names where a reference sits in its resource: "subject",
// "participant[1].actor".
type RefPath struct {
	Name  string
	Index int    // -1 when the element is not a list
	Sub   string // the member inside a list element, or ""
}

// String renders the path.
func (p RefPath) String() string {
	s := p.Name
	if p.Index >= 0 {
		s += "[" + strconv.Itoa(p.Index) + "]"
	}
	if p.Sub != "" {
		s += "." + p.Sub
	}
	return s
}

// eachPatientRef calls fn with every Reference of the resource at root (of
// type typ) that may name its patient, in document order of the rule's
// elements, until fn returns false.
func eachPatientRef(d *doc, root int32, typ string, fn func(p RefPath, ref int32) bool) {
	visit := func(name, sub string) bool {
		v := d.get(root, name)
		if v < 0 {
			return true
		}
		e, n := d.list(v)
		list := d.kindOf(v) == kArray
		for i := int32(0); i < n; i, e = i+1, d.next(e) {
			p := RefPath{Name: name, Index: -1, Sub: sub}
			if list {
				p.Index = int(i)
			}
			ref := e
			if sub != "" {
				ref = d.get(e, sub)
			}
			if ref >= 0 && !fn(p, ref) {
				return false
			}
		}
		return true
	}
	for _, name := range patientElements {
		if !visit(name, "") {
			return
		}
	}
	if pp, ok := patientPaths[typ]; ok {
		visit(pp[0], pp[1])
	}
}

// classifyNode applies the rule to the Reference object at ref. raw is its
// reference string (a view into the document), nil when it has none.
func (r RefRule) classifyNode(d *doc, ref int32) (PatientRef, []byte) {
	if d.kindOf(ref) != kObject {
		return PatientRef{}, nil
	}
	raw := d.rawText(d.get(ref, "reference"))
	return r.classify(raw, d.rawText(d.get(ref, "type")), d.get(ref, "identifier") >= 0), raw
}
