package clinical

import (
	"strings"
)

// condition descendants. It is applied transitively.
type Hierarchy map[string][]string

// DefaultHierarchy is the small built-in descendant map: SNOMED CT non-small
// cell lung cancer (254637007) and the disorders below it that records carry
// (SNOMED CT International: histological subtypes and the TNM-staged concepts
// Synthea emits).
func DefaultHierarchy() Hierarchy {
	s := func(code string) string { return Coding(SystemSNOMED, code) }
	return Hierarchy{
		s("254637007"): { // Non-small cell lung cancer
			s("254626006"), // Adenocarcinoma of lung
			s("254634000"), // Squamous cell carcinoma of lung
			s("254629004"), // Large cell carcinoma of lung
			s("424132000"), // Non-small cell carcinoma of lung, TNM stage 1
			s("425048006"), // Non-small cell carcinoma of lung, TNM stage 2
			s("422968005"), // Non-small cell carcinoma of lung, TNM stage 3
			s("423121009"), // Non-small cell carcinoma of lung, TNM stage 4
		},
	}
}

// expand returns codes with every descendant under h.
func (h Hierarchy) expand(codes []string) map[string]bool {
	out := map[string]bool{}
	var walk func(c string)
	walk = func(c string) {
		if out[c] {
			return
		}
		out[c] = true
		for _, k := range h[c] {
			walk(k)
		}
	}
	for _, c := range codes {
		walk(c)
	}
	return out
}

// icdPrefix reports whether patient code p is criterion code c or below it in
// ICD-10's hierarchy of code prefixes (same system; dots ignored).
func icdPrefix(c, p string) bool {
	cs, cc := splitCoding(c)
	ps, pc := splitCoding(p)
	if cs != ps || (cs != SystemICD10 && cs != SystemICD10CM) {
		return false
	}
	cc = strings.ReplaceAll(cc, ".", "")
	pc = strings.ReplaceAll(pc, ".", "")
	return cc != "" && strings.HasPrefix(pc, cc)
}
