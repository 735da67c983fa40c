// A NEWS2 result as a FHIR R4 RiskAssessment, with Chartline's extensions.

package clinical

import (
	"encoding/json"
	"strings"
	"time"
)

// Extensions Chartline puts on its NEWS2 RiskAssessment.
const (
	ExtNEWS2Score    = ExtensionBase + "news2-score"    // valueInteger: the (partial) total
	ExtNEWS2Band     = ExtensionBase + "news2-band"     // valueCode: none, low, low-medium, medium, high
	ExtNEWS2Scale    = ExtensionBase + "news2-scale"    // valueInteger: SpO2 scale 1 or 2
	ExtNEWS2Complete = ExtensionBase + "news2-complete" // valueBoolean: all seven parameters scored
	ExtNEWS2Subscore = ExtensionBase + "news2-subscore" // complex: parameter (valueCode), score (valueInteger)
)

type fhirRiskAssessment struct {
	ResourceType       string               `json:"resourceType"`
	ID                 string               `json:"id,omitempty"`
	Meta               *fhirMeta            `json:"meta,omitempty"`
	Extension          []fhirExtension      `json:"extension,omitempty"`
	Status             string               `json:"status"`
	Method             *fhirConcept         `json:"method,omitempty"`
	Code               *fhirConcept         `json:"code,omitempty"`
	Subject            fhirReference        `json:"subject"`
	OccurrenceDateTime string               `json:"occurrenceDateTime,omitempty"`
	Performer          *fhirReference       `json:"performer,omitempty"`
	Basis              []fhirReference      `json:"basis,omitempty"`
	Prediction         []fhirRiskPrediction `json:"prediction,omitempty"`
	Note               []fhirAnnotation     `json:"note,omitempty"`
}

type fhirRiskPrediction struct {
	Outcome            *fhirConcept `json:"outcome,omitempty"`
	ProbabilityDecimal *json.Number `json:"probabilityDecimal,omitempty"`
	QualitativeRisk    *fhirConcept `json:"qualitativeRisk,omitempty"`
	Rationale          string       `json:"rationale,omitempty"`
}

// qualitativeRisk maps a NEWS2 band to the HL7 risk-probability code: low →
// low; low-medium and medium → moderate; high → high. The band itself is the
// concept's text and the news2-band extension.
func qualitativeRisk(band string) *fhirConcept {
	code := ""
	switch band {
	case BandLow:
		code = "low"
	case BandLowMedium, BandMedium:
		code = "moderate"
	case BandHigh:
		code = "high"
	default:
		return nil
	}
	return &fhirConcept{Coding: []fhirCoding{{System: SystemRiskProbability, Code: code, Display: strings.ToUpper(code[:1]) + code[1:] + " likelihood"}}, Text: band}
}

// RiskAssessmentJSON renders a NEWS2 result as a FHIR R4 RiskAssessment for the
// views: status final, method and code NEWS2 (SNOMED CT 1104051000000101),
// subject Patient/<patient>, occurrenceDateTime now, basis the Observations
// scored, one prediction whose qualitativeRisk follows the band (low, moderate
// for low-medium and medium, high) with the score in its rationale, and the
// score, band, scale, completeness and sub-scores in Chartline extensions.
// A result without data (band none) has a prediction with no qualitativeRisk.
func RiskAssessmentJSON(patient string, r Result, id string, now time.Time) []byte {
	news2 := &fhirConcept{Coding: []fhirCoding{{System: SystemSNOMED, Code: NEWS2MethodCode, Display: NEWS2MethodDisplay}}, Text: "NEWS2"}
	total, scale, complete := r.Total, r.Scale, r.Complete
	ra := fhirRiskAssessment{
		ResourceType: "RiskAssessment",
		ID:           id,
		Status:       "final",
		Method:       news2,
		Code:         news2,
		Subject:      fhirReference{Reference: "Patient/" + patient},
		Extension: []fhirExtension{
			{URL: ExtNEWS2Score, ValueInteger: &total},
			{URL: ExtNEWS2Band, ValueCode: r.Band},
			{URL: ExtNEWS2Scale, ValueInteger: &scale},
			{URL: ExtNEWS2Complete, ValueBoolean: &complete},
		},
		OccurrenceDateTime: fhirTime(now),
	}
	seen := map[string]bool{}
	for _, rd := range r.Readings {
		score := rd.Score
		ra.Extension = append(ra.Extension, fhirExtension{URL: ExtNEWS2Subscore, Extension: []fhirExtension{
			{URL: "parameter", ValueCode: string(rd.Parameter)},
			{URL: "score", ValueInteger: &score},
		}})
		if rd.Ref.ID == "" || seen[rd.Ref.Key()] {
			continue
		}
		seen[rd.Ref.Key()] = true
		ra.Basis = append(ra.Basis, fhirReference{Reference: rd.Ref.Key()})
	}
	summary := r.Summary()
	ra.Prediction = []fhirRiskPrediction{{
		Outcome:         &fhirConcept{Text: "Acute clinical deterioration"},
		QualitativeRisk: qualitativeRisk(r.Band),
		Rationale:       summary,
	}}
	ra.Note = []fhirAnnotation{{Text: summary}}
	return mustJSON(ra)
}
