package record

import (
	"sort"
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
	obsCategoryExam       = "exam"
	obsCategorySurvey     = "survey"
	// systemObsCategory is the R4 observation-category code system.
	systemObsCategory = "http://terminology.hl7.org/CodeSystem/observation-category"
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
// International Edition, "No known allergy" 716186003 and its children, and
// the older "No known allergies" 160244002 that UK records still carry).
const (
	SNOMEDNoKnownAllergy              = "716186003" // No known allergy
	SNOMEDNoKnownDrugAllergy          = "409137002" // No known drug allergy
	SNOMEDNoKnownEnvironmentalAllergy = "428607008" // No known environmental allergy
	SNOMEDNoKnownFoodAllergy          = "429625007" // No known food allergy
	SNOMEDNoKnownLatexAllergy         = "716184000" // No known latex allergy
	SNOMEDNoKnownInsectAllergy        = "428197003" // No known insect allergy
	SNOMEDNoKnownAllergiesLegacy      = "160244002" // No known allergies (inactive since 2017, still in records)
)

// The International Patient Summary's absent and unknown codes
// (hl7.org/fhir/uv/ips CodeSystem absent-unknown-uv-ips, IPS 1.1): an
// AllergyIntolerance coded with them states that none is known, or that
// nothing is known.
const (
	SystemIPSAbsentUnknown = "http://hl7.org/fhir/uv/ips/CodeSystem/absent-unknown-uv-ips"
	IPSNoKnownAllergies    = "no-known-allergies" // No known allergies
	IPSNoAllergyInfo       = "no-allergy-info"    // No information about allergies
)

// noKnownAllergyCodes state that no allergy is known.
var noKnownAllergyCodes = map[string]bool{
	SystemSNOMED + "|" + SNOMEDNoKnownAllergy:              true,
	SystemSNOMED + "|" + SNOMEDNoKnownDrugAllergy:          true,
	SystemSNOMED + "|" + SNOMEDNoKnownEnvironmentalAllergy: true,
	SystemSNOMED + "|" + SNOMEDNoKnownFoodAllergy:          true,
	SystemSNOMED + "|" + SNOMEDNoKnownLatexAllergy:         true,
	SystemSNOMED + "|" + SNOMEDNoKnownInsectAllergy:        true,
	SystemSNOMED + "|" + SNOMEDNoKnownAllergiesLegacy:      true,
	SystemIPSAbsentUnknown + "|" + IPSNoKnownAllergies:     true,
}

// noAllergyInfoCodes state that nothing is known of allergies.
var noAllergyInfoCodes = map[string]bool{
	SystemIPSAbsentUnknown + "|" + IPSNoAllergyInfo: true,
}

// IsNoKnownAllergy reports whether an allergy entry is not an allergy but a
// statement about allergies: none known (of all kinds, or of drugs, food,
// latex, insects, the environment: the SNOMED CT and IPS codes above), or no
// information (IPS no-allergy-info, see IsAllergyInfoMissing). Such an entry
// is never shown as an allergy.
func IsNoKnownAllergy(m store.Meta) bool {
	if m.Category != CategoryAllergy {
		return false
	}
	for _, c := range m.Codes {
		if noKnownAllergyCodes[c] || noAllergyInfoCodes[c] {
			return true
		}
	}
	return false
}

// IsAllergyInfoMissing reports whether an allergy entry says nothing is known
// about allergies (IPS no-allergy-info): the banner then says "not recorded",
// never "no known allergies".
func IsAllergyInfoMissing(m store.Meta) bool {
	if m.Category != CategoryAllergy {
		return false
	}
	for _, c := range m.Codes {
		if noAllergyInfoCodes[c] {
			return true
		}
	}
	return false
}

// BannerAllergies is what a patient banner shows of allergies.
type BannerAllergies struct {
	// Names are the allergies in force, newest first, as their display lines
	// without the "(active)" the banner need not repeat.
	Names []string
	// NoneKnown: no allergy in force and an entry that states none is known.
	NoneKnown bool
}

// Allergies decides the banner from a patient's AllergyIntolerance entries:
// the allergies in force (clinical status active or not given), else "no
// known allergies" when an entry states that, else nothing ("not recorded").
// A "no known …" or "no information" entry never shows as an allergy.
func Allergies(items []store.Item) BannerAllergies {
	sorted := make([]*store.Item, len(items))
	for i := range items {
		sorted[i] = &items[i]
	}
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		if !a.Meta.Time.Equal(b.Meta.Time) {
			return a.Meta.Time.After(b.Meta.Time)
		}
		return a.ID < b.ID
	})
	var out BannerAllergies
	for _, it := range sorted {
		if st := it.Meta.Status; st != "" && st != "active" {
			continue
		}
		if IsNoKnownAllergy(it.Meta) {
			out.NoneKnown = out.NoneKnown || !IsAllergyInfoMissing(it.Meta)
			continue
		}
		out.Names = append(out.Names, strings.TrimSuffix(it.Meta.Display, " (active)"))
	}
	if len(out.Names) > 0 {
		out.NoneKnown = false
	}
	return out
}

// containsFold reports whether s contains sub, ignoring ASCII case.
func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), sub)
}
