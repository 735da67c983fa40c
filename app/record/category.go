package record

import (
	"strings"

	"github.com/chartline/chartline/store"
)

// Categories for Meta.Category: the coarse kind the timeline filters by and
// the summary groups by. See the package doc for which resource goes where.
const (
	CategoryVitalSigns     = "vital-signs"    // vital-sign Observations (category vital-signs, or a vital-signs LOINC code)
	CategoryLaboratory     = "laboratory"     // laboratory Observations, Specimens
	CategoryObservation    = "observation"    // other Observations (social history, surveys, exams), FamilyMemberHistory
	CategoryCondition      = "condition"      // Conditions
	CategoryMedication     = "medication"     // MedicationRequest/Statement/Administration/Dispense, Medication
	CategoryAllergy        = "allergy"        // AllergyIntolerance, including "no known allergy" (see IsNoKnownAllergy)
	CategoryImmunization   = "immunization"   // Immunization and its evaluations and recommendations
	CategoryProcedure      = "procedure"      // Procedures
	CategoryEncounter      = "encounter"      // Encounters, EpisodeOfCare, Appointments
	CategoryReport         = "report"         // DiagnosticReports, ClinicalImpressions
	CategoryDocument       = "document"       // DocumentReference, Composition, DocumentManifest
	CategoryImaging        = "imaging"        // ImagingStudy, Media, imaging Observations
	CategoryCarePlan       = "care-plan"      // CarePlan, CareTeam, ServiceRequest, Task, RequestGroup, NutritionOrder
	CategoryGoal           = "goal"           // Goals
	CategoryRisk           = "risk"           // RiskAssessment, Flag, DetectedIssue
	CategoryDevice         = "device"         // Device, DeviceUseStatement, DeviceRequest
	CategoryResearch       = "research"       // ResearchStudy, ResearchSubject, Group
	CategoryDemographics   = "demographics"   // Patient, RelatedPerson
	CategoryAdministrative = "administrative" // Practitioner, Organization, Location and other directory resources
	CategoryFinancial      = "financial"      // Claim, ExplanationOfBenefit, Coverage, Account, Invoice…
	CategoryAudit          = "audit"          // AuditEvent, Provenance
	CategoryOther          = "other"          // everything else
)

// categories gives the category of each resource type that always has the
// same one (Observation is decided by its own category and code).
var categories = map[string]string{
	"Condition":                   CategoryCondition,
	"FamilyMemberHistory":         CategoryObservation,
	"MedicationRequest":           CategoryMedication,
	"MedicationStatement":         CategoryMedication,
	"MedicationAdministration":    CategoryMedication,
	"MedicationDispense":          CategoryMedication,
	"Medication":                  CategoryMedication,
	"AllergyIntolerance":          CategoryAllergy,
	"Immunization":                CategoryImmunization,
	"ImmunizationEvaluation":      CategoryImmunization,
	"ImmunizationRecommendation":  CategoryImmunization,
	"Procedure":                   CategoryProcedure,
	"Encounter":                   CategoryEncounter,
	"EpisodeOfCare":               CategoryEncounter,
	"Appointment":                 CategoryEncounter,
	"DiagnosticReport":            CategoryReport,
	"ClinicalImpression":          CategoryReport,
	"DocumentReference":           CategoryDocument,
	"Composition":                 CategoryDocument,
	"DocumentManifest":            CategoryDocument,
	"ImagingStudy":                CategoryImaging,
	"Media":                       CategoryImaging,
	"CarePlan":                    CategoryCarePlan,
	"CareTeam":                    CategoryCarePlan,
	"ServiceRequest":              CategoryCarePlan,
	"Task":                        CategoryCarePlan,
	"RequestGroup":                CategoryCarePlan,
	"NutritionOrder":              CategoryCarePlan,
	"Goal":                        CategoryGoal,
	"RiskAssessment":              CategoryRisk,
	"Flag":                        CategoryRisk,
	"DetectedIssue":               CategoryRisk,
	"Device":                      CategoryDevice,
	"DeviceUseStatement":          CategoryDevice,
	"DeviceRequest":               CategoryDevice,
	"ResearchStudy":               CategoryResearch,
	"ResearchSubject":             CategoryResearch,
	"Group":                       CategoryResearch,
	"Patient":                     CategoryDemographics,
	"RelatedPerson":               CategoryDemographics,
	"Practitioner":                CategoryAdministrative,
	"PractitionerRole":            CategoryAdministrative,
	"Organization":                CategoryAdministrative,
	"Location":                    CategoryAdministrative,
	"HealthcareService":           CategoryAdministrative,
	"Endpoint":                    CategoryAdministrative,
	"Person":                      CategoryAdministrative,
	"Schedule":                    CategoryAdministrative,
	"Slot":                        CategoryAdministrative,
	"Consent":                     CategoryAdministrative,
	"Specimen":                    CategoryLaboratory,
	"Claim":                       CategoryFinancial,
	"ClaimResponse":               CategoryFinancial,
	"ExplanationOfBenefit":        CategoryFinancial,
	"Coverage":                    CategoryFinancial,
	"CoverageEligibilityRequest":  CategoryFinancial,
	"CoverageEligibilityResponse": CategoryFinancial,
	"Account":                     CategoryFinancial,
	"Invoice":                     CategoryFinancial,
	"ChargeItem":                  CategoryFinancial,
	"PaymentNotice":               CategoryFinancial,
	"PaymentReconciliation":       CategoryFinancial,
	"AuditEvent":                  CategoryAudit,
	"Provenance":                  CategoryAudit,
}

// Observation category codes (hl7.org/fhir/R4/codesystem-observation-category.html).
const (
	obsCategoryVitalSigns = "vital-signs"
	obsCategoryLaboratory = "laboratory"
	obsCategoryImaging    = "imaging"
)

// LOINC codes of the FHIR R4 vital signs profile
// (hl7.org/fhir/R4/observation-vitalsigns.html; LOINC, loinc.org).
const (
	LOINCVitalSignsPanel = "85353-1" // Vital signs, weight, height, head circumference, oxygen saturation and BMI panel
	LOINCRespiratoryRate = "9279-1"  // Respiratory rate
	LOINCHeartRate       = "8867-4"  // Heart rate
	LOINCOxygenSat       = "2708-6"  // Oxygen saturation in Arterial blood
	LOINCPulseOximetry   = "59408-5" // Oxygen saturation in Arterial blood by Pulse oximetry
	LOINCBodyTemperature = "8310-5"  // Body temperature
	LOINCBodyHeight      = "8302-2"  // Body height
	LOINCHeadCircum      = "9843-4"  // Head Occipital-frontal circumference
	LOINCBodyWeight      = "29463-7" // Body weight
	LOINCBMI             = "39156-5" // Body mass index (BMI) [Ratio]
	LOINCBloodPressure   = "85354-9" // Blood pressure panel with all children optional
	LOINCSystolicBP      = "8480-6"  // Systolic blood pressure
	LOINCDiastolicBP     = "8462-4"  // Diastolic blood pressure
	LOINCInhaledO2Flow   = "3151-8"  // Inhaled oxygen flow rate
	LOINCInhaledO2Conc   = "3150-0"  // Inhaled oxygen concentration
)

// SystemLOINC, SystemSNOMED and SystemUCUM are the code system URIs
// (hl7.org/fhir/R4/terminologies-systems.html).
const (
	SystemLOINC  = "http://loinc.org"
	SystemSNOMED = "http://snomed.info/sct"
	SystemUCUM   = "http://unitsofmeasure.org"
)

// vitalSignCodes are the LOINC codes that make an Observation a vital sign
// even when the feed left out its category.
var vitalSignCodes = map[string]bool{
	LOINCVitalSignsPanel: true, LOINCRespiratoryRate: true, LOINCHeartRate: true, LOINCOxygenSat: true,
	LOINCPulseOximetry: true, LOINCBodyTemperature: true, LOINCBodyHeight: true, LOINCHeadCircum: true,
	LOINCBodyWeight: true, LOINCBMI: true, LOINCBloodPressure: true, LOINCSystolicBP: true, LOINCDiastolicBP: true,
}

// SNOMED CT codes that record the absence of known allergies (SNOMED CT
// International Edition, "No known allergy" and its children).
const (
	SNOMEDNoKnownAllergy              = "716186003" // No known allergy
	SNOMEDNoKnownDrugAllergy          = "409137002" // No known drug allergy
	SNOMEDNoKnownEnvironmentalAllergy = "428607008" // No known environmental allergy
	SNOMEDNoKnownFoodAllergy          = "429625007" // No known food allergy
)

var noKnownAllergyCodes = map[string]bool{
	SystemSNOMED + "|" + SNOMEDNoKnownAllergy:              true,
	SystemSNOMED + "|" + SNOMEDNoKnownDrugAllergy:          true,
	SystemSNOMED + "|" + SNOMEDNoKnownEnvironmentalAllergy: true,
	SystemSNOMED + "|" + SNOMEDNoKnownFoodAllergy:          true,
}

// IsNoKnownAllergy reports whether an allergy entry records that the patient
// has no known allergy (of all kinds, or of drugs, food or environment): a
// SNOMED CT code 716186003, 409137002, 428607008 or 429625007. Such an entry
// is the absence of an allergy and must never show as one.
func IsNoKnownAllergy(m store.Meta) bool {
	if m.Category != CategoryAllergy {
		return false
	}
	for _, c := range m.Codes {
		if noKnownAllergyCodes[c] {
			return true
		}
	}
	return false
}

// containsFold reports whether s contains sub, ignoring ASCII case.
func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), sub)
}
