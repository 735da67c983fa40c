package record

import "strings"

// Units and names for people. Meta.Unit keeps the UCUM code (what the
// clinical logic compares); what a clinician reads is HumanUnit of it, and
// display names drop SNOMED CT semantic tags ("Heart failure (disorder)"
// reads "Heart failure").

// humanUnits are the UCUM codes clinical results use most, as they are
// printed on a chart (UCUM 2.1 print symbols, with the usual clinical
// spelling where it differs).
var humanUnits = map[string]string{
	"Cel":              "°C",
	"[degF]":           "°F",
	"mm[Hg]":           "mmHg",
	"cm[H2O]":          "cmH₂O",
	"10*3/uL":          "×10³/µL",
	"10*6/uL":          "×10⁶/µL",
	"10*9/L":           "×10⁹/L",
	"10*12/L":          "×10¹²/L",
	"10*3/mm3":         "×10³/mm³",
	"/min":             "/min",
	"{beats}/min":      "beats/min",
	"{breaths}/min":    "breaths/min",
	"/[HPF]":           "/HPF",
	"kg/m2":            "kg/m²",
	"m2":               "m²",
	"mL/min/{1.73_m2}": "mL/min/1.73 m²",
	"mL/min/1.73.m2":   "mL/min/1.73 m²",
	"[in_i]":           "in",
	"[ft_i]":           "ft",
	"[lb_av]":          "lb",
	"[oz_av]":          "oz",
	"[IU]/L":           "IU/L",
	"[iU]/L":           "IU/L",
	"[IU]/mL":          "IU/mL",
	"{copies}/mL":      "copies/mL",
	"{cells}/uL":       "cells/µL",
	"{#}/[Mb]":         "mutations/Mb",
	"1/1000000{Base}":  "per million bases",
	"{score}":          "",
	"1":                "",
	"{ratio}":          "",
	"[pH]":             "pH",
	"a":                "years",
	"mo":               "months",
	"wk":               "weeks",
	"d":                "days",
	"h":                "h",
}

// superscripts renders exponent digits.
var superscripts = strings.NewReplacer("-", "⁻", "0", "⁰", "1", "¹", "2", "²", "3", "³", "4", "⁴", "5", "⁵", "6", "⁶", "7", "⁷", "8", "⁸", "9", "⁹")

// HumanUnit renders a UCUM code for people: "Cel" → "°C", "mm[Hg]" →
// "mmHg", "10*3/uL" → "×10³/µL", "ug/mL" → "µg/mL". A unit that is not
// UCUM (free text) comes back as written. Annotations that only carry a
// word ("{beats}/min") keep the word; brackets are dropped.
func HumanUnit(u string) string {
	u = strings.TrimSpace(u)
	if h, ok := humanUnits[u]; ok {
		return h
	}
	if u == "" || strings.ContainsAny(u, " ") {
		return u
	}
	var b strings.Builder
	for i := 0; i < len(u); {
		c := u[i]
		switch {
		case strings.HasPrefix(u[i:], "10*") || strings.HasPrefix(u[i:], "10^"):
			j := i + 3
			for j < len(u) && (u[j] == '-' || u[j] >= '0' && u[j] <= '9') {
				j++
			}
			b.WriteString("×10" + superscripts.Replace(u[i+3:j]))
			i = j
		case c == '{':
			j := strings.IndexByte(u[i:], '}')
			if j < 0 {
				return u
			}
			b.WriteString(u[i+1 : i+j])
			i += j + 1
		case c == '[' || c == ']':
			i++
		case c == 'u' && (i == 0 || strings.ContainsRune("/.(", rune(u[i-1]))) && i+1 < len(u) && strings.ContainsRune("gLlmMUk", rune(u[i+1])):
			b.WriteString("µ")
			i++
		case c >= '0' && c <= '9' && i > 0 && (u[i-1] >= 'a' && u[i-1] <= 'z' || u[i-1] >= 'A' && u[i-1] <= 'Z'):
			j := i
			for j < len(u) && u[j] >= '0' && u[j] <= '9' {
				j++
			}
			b.WriteString(superscripts.Replace(u[i:j]))
			i = j
		case c == '.':
			b.WriteString("·")
			i++
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// semanticTags are the SNOMED CT semantic tags (SNOMED CT Editorial Guide,
// "Semantic Tags") a display may end with.
var semanticTags = []string{
	"disorder", "finding", "procedure", "observable entity", "situation", "morphologic abnormality",
	"qualifier value", "substance", "product", "body structure", "event", "regime/therapy",
	"clinical drug", "medicinal product", "medicinal product form", "physical object", "specimen",
	"organism", "record artifact", "environment", "occupation", "person", "attribute", "assessment scale",
}

// TrimSemanticTag drops a trailing SNOMED CT semantic tag from a display:
// "Allergy to penicillin (finding)" → "Allergy to penicillin". Other
// parentheses ("Hepatitis (viral)") stay.
func TrimSemanticTag(s string) string {
	for _, t := range semanticTags {
		if r, ok := strings.CutSuffix(s, " ("+t+")"); ok {
			return strings.TrimSpace(r)
		}
	}
	return s
}
