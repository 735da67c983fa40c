package clinical

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Terminology for trial matching, with no terminology server.
//
// A criterion's codes are a concept: a set of "system|code" codings across
// SNOMED CT, ICD-10-CM (and WHO ICD-10), ICD-O-3 and LOINC. A patient's
// coding is inside the concept when
//   - it is one of the codes;
//   - it is below one of them in the Hierarchy (SNOMED CT descendants;
//     DefaultHierarchy holds those the demo and common feeds carry), applied
//     transitively;
//   - ICD-10, ICD-10-CM, ICD-O-3: a code of the concept prefixes it (I50
//     holds I50.32), dots and slashes ignored. WHO ICD-10 and ICD-10-CM share
//     their three-character categories, so a root in either system holds the
//     other's codes below it;
//   - it is in the expansion of a ValueSet the criterion names (a Group
//     characteristic's valueReference to ValueSet/<id> or a canonical URL;
//     ValueSet resources with an expansion published on trials.studies;
//     ValueSets, Study.WithValueSets);
//   - for observation codes, LOINC: Alternates lists codes that report the
//     same finding (HER2 by immunohistochemistry and by in-situ hybridisation
//     have several), so a result coded with any of them is a candidate.
//
// A record inside an excluded concept never lets the exclusion be met: an
// inactive or resolved one makes it "not evaluable: confirm". Outcomes that
// rest on the absence of a record say "not on record — confirm".

// Hierarchy maps a code to its children ("system|code" → children), for
// condition descendants. It is applied transitively.
type Hierarchy map[string][]string

// DefaultHierarchy is the small built-in descendant map (SNOMED CT
// International, January 2025 release): the disorders below non-small cell
// lung cancer, malignant neoplasm of breast and heart failure that records
// carry (histological subtypes, the TNM-staged concepts Synthea emits, the US
// extension's primary breast cancer that mCODE examples use).
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
		s("254837009"): { // Malignant neoplasm of breast
			s("372064008"),       // Malignant neoplasm of female breast
			s("254838004"),       // Carcinoma of breast
			s("408643008"),       // Infiltrating duct carcinoma of breast
			s("93796005"),        // Primary malignant neoplasm of female breast
			s("353431000119107"), // Primary malignant neoplasm of female breast (US extension)
		},
		s("84114007"): { // Heart failure
			s("42343007"),  // Congestive heart failure
			s("88805009"),  // Chronic congestive heart failure
			s("85232009"),  // Left heart failure
			s("367363000"), // Right ventricular failure
			s("417996009"), // Systolic heart failure
			s("418304008"), // Diastolic heart failure
			s("441481004"), // Chronic systolic heart failure
			s("441530006"), // Chronic diastolic heart failure
			s("703272007"), // Heart failure with reduced ejection fraction
			s("446221000"), // Heart failure with normal ejection fraction
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

// SystemICDO3 is ICD-O-3 (International Classification of Diseases for
// Oncology, 3rd edition), topography and morphology.
const SystemICDO3 = "http://terminology.hl7.org/CodeSystem/icd-o-3"

// prefixFamily names the code systems whose hierarchy is the code prefix,
// with the systems that share it.
func prefixFamily(system string) string {
	switch system {
	case SystemICD10, SystemICD10CM:
		return "icd-10"
	case SystemICDO3:
		return "icd-o-3"
	}
	return ""
}

// icdPrefix reports whether patient code p is criterion code c or below it in
// a prefix hierarchy: ICD-10 and ICD-10-CM (one family), ICD-O-3; dots and
// the ICD-O-3 behaviour slash ignored.
func icdPrefix(c, p string) bool {
	cs, cc := splitCoding(c)
	ps, pc := splitCoding(p)
	f := prefixFamily(cs)
	if f == "" || f != prefixFamily(ps) {
		return false
	}
	norm := strings.NewReplacer(".", "", "/", "", " ", "")
	cc, pc = norm.Replace(strings.ToUpper(cc)), norm.Replace(strings.ToUpper(pc))
	return cc != "" && strings.HasPrefix(pc, cc)
}

// concept is a compiled set of codes: what a patient's coding is checked against.
type concept struct {
	codes  map[string]bool // the codes and their descendants
	roots  []string        // the codes, for prefix hierarchies
	prefix bool            // prefix hierarchies apply (not Exact)
}

// newConcept compiles codes: exact, or with descendants under h and ICD
// prefixes.
func newConcept(codes []string, h Hierarchy, exact bool) concept {
	if exact {
		m := make(map[string]bool, len(codes))
		for _, c := range codes {
			m[c] = true
		}
		return concept{codes: m}
	}
	return concept{codes: h.expand(codes), roots: codes, prefix: true}
}

// has reports whether coding is inside the concept.
func (c concept) has(coding string) bool {
	if c.codes[coding] {
		return true
	}
	if c.prefix {
		for _, r := range c.roots {
			if icdPrefix(r, coding) {
				return true
			}
		}
	}
	return false
}

// hasAny reports whether one of codings is inside the concept.
func (c concept) hasAny(codings []string) bool {
	for _, k := range codings {
		if c.has(k) {
			return true
		}
	}
	return false
}

// Alternates groups observation codes that report the same finding: a result
// coded with any code of a group is a candidate for a criterion naming
// another. Applied to observation criteria by Evaluate.
type Alternates [][]string

// DefaultAlternates are the LOINC codes (LOINC 2.78) of the biomarkers the
// demo and mCODE studies test, one group per finding.
func DefaultAlternates() Alternates {
	l := func(code string) string { return Coding(SystemLOINC, code) }
	return Alternates{
		{ // HER2 status
			l("85319-2"), // HER2 [Presence] in Breast cancer specimen by Immune stain
			l("18474-7"), // HER2 Ag [Presence] in Tissue by Immune stain
			l("85318-4"), // HER2 [Presence] in Breast cancer specimen by FISH
			l("48676-1"), // HER2 [Interpretation] in Tissue
		},
		{ // Left ventricular ejection fraction
			l("10230-1"), // Left ventricular Ejection fraction
			l("8806-2"),  // Left ventricular Ejection fraction by 2D echo
		},
	}
}

// answerEquivalents are coded results that say the same thing in SNOMED CT
// and in LOINC answer lists (LOINC 2.78 answer codes): a HER2 result of
// LOINC LA6576-8 Positive meets a criterion asking for SNOMED CT 10828004
// Positive, and LA6577-6 Negative does not.
var answerEquivalents = Alternates{
	{CodeSnomedPositive, SystemLOINC + "|LA6576-8"},     // Positive
	{CodeSnomedNegative, SystemLOINC + "|LA6577-6"},     // Negative
	{CodeSnomedDetected, SystemLOINC + "|LA11882-0"},    // Detected
	{CodeSnomedNotDetected, SystemLOINC + "|LA11883-8"}, // Not detected
}

// expand adds to codes every alternate of each.
func (a Alternates) expand(codes []string) []string {
	out := append([]string(nil), codes...)
	seen := make(map[string]bool, len(codes))
	for _, c := range codes {
		seen[c] = true
	}
	for _, g := range a {
		hit := false
		for _, c := range g {
			hit = hit || seen[c]
		}
		if !hit {
			continue
		}
		for _, c := range g {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	return out
}

// ValueSets holds ValueSet expansions by every name a criterion may use:
// "ValueSet/<id>" and the canonical url (with and without a |version).
type ValueSets map[string][]string

// Add reads a ValueSet resource (FHIR R4 JSON) and files its codes: the
// expansion's contains (nested ones too), else the concepts its compose
// enumerates (an intensional compose with filters cannot be expanded without
// a terminology server and is an error).
func (vs ValueSets) Add(raw []byte) error {
	type contains struct {
		System   string            `json:"system"`
		Code     string            `json:"code"`
		Abstract bool              `json:"abstract"`
		Contains []json.RawMessage `json:"contains"`
	}
	var v struct {
		ResourceType string `json:"resourceType"`
		ID           string `json:"id"`
		URL          string `json:"url"`
		Version      string `json:"version"`
		Expansion    *struct {
			Contains []json.RawMessage `json:"contains"`
		} `json:"expansion"`
		Compose *struct {
			Include []struct {
				System  string `json:"system"`
				Concept []struct {
					Code string `json:"code"`
				} `json:"concept"`
				Filter   []json.RawMessage `json:"filter"`
				ValueSet []string          `json:"valueSet"`
			} `json:"include"`
		} `json:"compose"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return fmt.Errorf("read ValueSet: %w", err)
	}
	if v.ResourceType != "ValueSet" || v.ID == "" {
		return fmt.Errorf("read ValueSet: resourceType %q id %q is not a ValueSet", v.ResourceType, v.ID)
	}
	var codes []string
	var walk func(items []json.RawMessage, depth int) error
	walk = func(items []json.RawMessage, depth int) error {
		if depth > maxCriteriaDepth {
			return fmt.Errorf("read ValueSet/%s: expansion nested deeper than %d", v.ID, maxCriteriaDepth)
		}
		for _, raw := range items {
			var c contains
			if err := json.Unmarshal(raw, &c); err != nil {
				return fmt.Errorf("read ValueSet/%s expansion: %w", v.ID, err)
			}
			if c.Code != "" && c.System != "" && !c.Abstract {
				codes = append(codes, Coding(c.System, c.Code))
			}
			if err := walk(c.Contains, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	switch {
	case v.Expansion != nil:
		if err := walk(v.Expansion.Contains, 0); err != nil {
			return err
		}
	case v.Compose != nil:
		for _, inc := range v.Compose.Include {
			if len(inc.Filter) > 0 || len(inc.ValueSet) > 0 || len(inc.Concept) == 0 {
				return fmt.Errorf("read ValueSet/%s: compose needs a terminology server to expand; publish it with an expansion", v.ID)
			}
			for _, c := range inc.Concept {
				codes = append(codes, Coding(inc.System, c.Code))
			}
		}
	}
	if len(codes) == 0 {
		return fmt.Errorf("read ValueSet/%s: no codes in its expansion", v.ID)
	}
	vs["ValueSet/"+v.ID] = codes
	if v.URL != "" {
		vs[v.URL] = codes
		if v.Version != "" {
			vs[v.URL+"|"+v.Version] = codes
		}
	}
	return nil
}

// lookup finds a value set by a reference ("ValueSet/x", an absolute URL
// ending in ValueSet/x, or a canonical url, with an optional |version).
func (vs ValueSets) lookup(ref string) ([]string, bool) {
	if c, ok := vs[ref]; ok {
		return c, true
	}
	if i := strings.LastIndex(ref, "/ValueSet/"); i >= 0 {
		if c, ok := vs[ref[i+1:]]; ok {
			return c, true
		}
	}
	if u, _, ok := strings.Cut(ref, "|"); ok {
		return vs.lookup(u)
	}
	return nil, false
}

// WithValueSets returns the study with every criterion that names a value
// set given its expansion's codes (beside any codes of its own). A value set
// missing from vs leaves the criterion as it is: with no codes it is not
// evaluable, saying which value set is missing.
func (s Study) WithValueSets(vs ValueSets) Study {
	if s.Criteria == nil || len(vs) == 0 {
		return s
	}
	c := s.Criteria.withValueSets(vs)
	s.Criteria = &c
	return s
}

func (c Criterion) withValueSets(vs ValueSets) Criterion {
	kids := func(cs []Criterion) []Criterion {
		if cs == nil {
			return nil
		}
		out := make([]Criterion, len(cs))
		for i := range cs {
			out[i] = cs[i].withValueSets(vs)
		}
		return out
	}
	c.And, c.Or = kids(c.And), kids(c.Or)
	if c.Not != nil {
		n := c.Not.withValueSets(vs)
		c.Not = &n
	}
	if t := c.Condition; t != nil && t.ValueSet != "" {
		if codes, ok := vs.lookup(t.ValueSet); ok {
			nt := *t
			nt.Codes = append(append([]string(nil), t.Codes...), codes...)
			c.Condition = &nt
		}
	}
	return c
}
