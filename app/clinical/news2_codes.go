// NEWS2 inputs: the LOINC and SNOMED CT codes of the vital signs NEWS2 reads, and the
// SNOMED CT concept of the score itself.

package clinical

// LOINC and SNOMED CT codes of the NEWS2 inputs, in the store's "system|code"
// form (LOINC 2.7x; FHIR R4 vital signs profile, http://hl7.org/fhir/R4/observation-vitalsigns.html).
const (
	CodeRespiratoryRate   = SystemLOINC + "|9279-1"  // Respiratory rate
	CodeSpO2              = SystemLOINC + "|59408-5" // Oxygen saturation in Arterial blood by Pulse oximetry
	CodeSaO2              = SystemLOINC + "|2708-6"  // Oxygen saturation in Arterial blood
	CodeInhaledO2Flow     = SystemLOINC + "|3151-8"  // Inhaled oxygen flow rate
	CodeInhaledO2Conc     = SystemLOINC + "|3150-0"  // Inhaled oxygen concentration
	CodeSystolicBP        = SystemLOINC + "|8480-6"  // Systolic blood pressure
	CodeBPPanel           = SystemLOINC + "|85354-9" // Blood pressure panel with all children optional
	CodeBPPanelOld        = SystemLOINC + "|55284-4" // Blood pressure systolic and diastolic
	CodeHeartRate         = SystemLOINC + "|8867-4"  // Heart rate
	CodeResponsiveness    = SystemLOINC + "|67775-7" // Level of responsiveness
	CodeACVPUSnomed       = SystemSNOMED + "|1104441000000107"
	CodeBodyTemperature   = SystemLOINC + "|8310-5"     // Body temperature
	CodeTempOral          = SystemLOINC + "|8331-1"     // Oral temperature
	CodeTempTympanic      = SystemLOINC + "|8332-9"     // Tympanic membrane temperature
	CodeTempRectal        = SystemLOINC + "|8333-7"     // Rectal temperature
	CodeTempAxillary      = SystemLOINC + "|8328-7"     // Axillary temperature
	CodeTempTemporal      = SystemLOINC + "|8334-5"     // Temporal artery temperature
	CodeACVPUAlert        = SystemSNOMED + "|248234008" // Mentally alert
	CodeACVPUConfusion    = SystemSNOMED + "|130987000" // Acute confusion (new confusion)
	CodeACVPUVoice        = SystemSNOMED + "|300202002" // Responds to voice
	CodeACVPUPain         = SystemSNOMED + "|450847001" // Responds to pain
	CodeACVPUUnresponsive = SystemSNOMED + "|422768004" // Unresponsive
)

// NEWS2MethodCode and NEWS2MethodDisplay name the SNOMED CT concept for the NEWS2 score, used as the
// RiskAssessment method and code (SNOMED CT UK edition).
const (
	NEWS2MethodCode    = "1104051000000101"
	NEWS2MethodDisplay = "Royal College of Physicians NEWS2 (National Early Warning Score 2) score"
)

var temperatureCodes = []string{CodeBodyTemperature, CodeTempOral, CodeTempTympanic, CodeTempRectal, CodeTempAxillary, CodeTempTemporal}
