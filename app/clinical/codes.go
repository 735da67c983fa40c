package clinical

import (
	"strings"
)

// Code systems, as FHIR R4 names them (http://hl7.org/fhir/R4/terminologies-systems.html).
const (
	SystemLOINC           = "http://loinc.org"
	SystemSNOMED          = "http://snomed.info/sct"
	SystemUCUM            = "http://unitsofmeasure.org"
	SystemICD10CM         = "http://hl7.org/fhir/sid/icd-10-cm"
	SystemICD10           = "http://hl7.org/fhir/sid/icd-10"
	SystemHGNC            = "http://www.genenames.org/geneId"
	SystemGender          = "http://hl7.org/fhir/administrative-gender"
	SystemRiskProbability = "http://terminology.hl7.org/CodeSystem/risk-probability"
	SystemDICOM           = "http://dicom.nema.org/resources/ontology/DCM"
	SystemRestful         = "http://hl7.org/fhir/restful-interaction"
)

// Coding joins a system and a code into the "system|code" form the store's
// index entries use (store.Meta.Codes, ValueCode, Component.Code).
func Coding(system, code string) string { return system + "|" + code }

// splitCoding splits "system|code"; a string without '|' is a bare code.
func splitCoding(c string) (system, code string) {
	if i := strings.IndexByte(c, '|'); i >= 0 {
		return c[:i], c[i+1:]
	}
	return "", c
}

// validCoding reports whether c is "system|code" with both parts present.
func validCoding(c string) bool {
	s, k := splitCoding(c)
	return s != "" && strings.TrimSpace(k) != "" && !strings.ContainsAny(s, " \t")
}

// hasAny reports whether any of codes is in set.
func hasAny(codes []string, set ...string) bool {
	for _, c := range codes {
		for _, s := range set {
			if c == s {
				return true
			}
		}
	}
	return false
}

// in reports whether code is one of set.
func in(code string, set ...string) bool {
	for _, s := range set {
		if code == s {
			return true
		}
	}
	return false
}

// shortCoding renders "system|code" for people: "SNOMED 254637007",
// "LOINC 48018-6", or the raw string for a system it does not know.
func shortCoding(c string) string {
	s, k := splitCoding(c)
	switch s {
	case SystemLOINC:
		return "LOINC " + k
	case SystemSNOMED:
		return "SNOMED " + k
	case SystemICD10CM:
		return "ICD-10-CM " + k
	case SystemICD10:
		return "ICD-10 " + k
	case SystemHGNC:
		return k
	case SystemGender:
		return k
	case "":
		return k
	}
	return c
}

// ucumBase strips UCUM annotations ({breaths}, {beats}, …) and blanks, which
// carry no meaning in UCUM: "{beats}/min" and "/min" are the same unit.
func ucumBase(u string) string {
	if !strings.ContainsAny(u, "{ \t") {
		return u
	}
	var b strings.Builder
	depth := 0
	for _, r := range u {
		switch {
		case r == '{':
			depth++
		case r == '}' && depth > 0:
			depth--
		case depth > 0, r == ' ', r == '\t':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
