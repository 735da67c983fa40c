package demo

// Code systems, as FHIR R4 names them (http://hl7.org/fhir/R4/terminologies-systems.html).
const (
	sysLOINC    = "http://loinc.org"
	sysSNOMED   = "http://snomed.info/sct"
	sysRxNorm   = "http://www.nlm.nih.gov/research/umls/rxnorm"
	sysCVX      = "http://hl7.org/fhir/sid/cvx"
	sysUCUM     = "http://unitsofmeasure.org"
	sysHGNC     = "http://www.genenames.org/geneId" // HGNC gene ids, as the HL7 Genomics Reporting IG names them
	sysHGVS     = "http://varnomen.hgvs.org"
	sysActCode  = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	sysV20203   = "http://terminology.hl7.org/CodeSystem/v2-0203"
	sysObsCat   = "http://terminology.hl7.org/CodeSystem/observation-category"
	sysInterp   = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
	sysCondCat  = "http://terminology.hl7.org/CodeSystem/condition-category"
	sysCondClin = "http://terminology.hl7.org/CodeSystem/condition-clinical"
	sysCondVer  = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
	sysAllClin  = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
	sysAllVer   = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
	sysDRCat    = "http://terminology.hl7.org/CodeSystem/v2-0074"
	sysRiskProb = "http://terminology.hl7.org/CodeSystem/risk-probability"
	sysGoalAch  = "http://terminology.hl7.org/CodeSystem/goal-achievement"
	sysLOINCAns = "http://loinc.org" // LOINC answer codes (LA…) share the LOINC system

	// Chartline's own identifier systems and extension (synthetic, documented in package demo).
	sysMRN        = "https://chartline.health/fhir/sid/mrn"
	sysNPI        = "http://hl7.org/fhir/sid/us-npi"
	sysStudyID    = "https://chartline.health/fhir/sid/study"
	extEligTree   = "https://chartline.health/fhir/StructureDefinition/eligibility-criteria"
	profVitalSign = "http://hl7.org/fhir/StructureDefinition/"
)

// code is one coding: system, code and display.
type code struct {
	system, code, display string
}

// coding renders the code as a FHIR Coding.
func (c code) coding() object {
	return obj("system", c.system, "code", c.code, "display", c.display)
}

// key is the "system|code" form the store's Meta uses.
func (c code) key() string { return c.system + "|" + c.code }

// Vital signs, LOINC 2.76 (https://loinc.org), as the FHIR R4 vital-signs
// profiles and US Core use them. These are the NEWS2 inputs (RCP NEWS2 chart 2017).
var (
	loincBPPanel      = code{sysLOINC, "85354-9", "Blood pressure panel with all children optional"}
	loincSystolic     = code{sysLOINC, "8480-6", "Systolic blood pressure"}
	loincDiastolic    = code{sysLOINC, "8462-4", "Diastolic blood pressure"}
	loincSpO2         = code{sysLOINC, "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"}
	loincSaO2         = code{sysLOINC, "2708-6", "Oxygen saturation in Arterial blood"}
	loincO2Flow       = code{sysLOINC, "3151-8", "Inhaled oxygen flow rate"}
	loincO2Conc       = code{sysLOINC, "3150-0", "Inhaled oxygen concentration"}
	loincRespRate     = code{sysLOINC, "9279-1", "Respiratory rate"}
	loincHeartRate    = code{sysLOINC, "8867-4", "Heart rate"}
	loincBodyTemp     = code{sysLOINC, "8310-5", "Body temperature"}
	loincConscious    = code{sysLOINC, "67775-7", "Level of responsiveness"}
	loincBodyWeight   = code{sysLOINC, "29463-7", "Body weight"}
	loincBodyHeight   = code{sysLOINC, "8302-2", "Body height"}
	loincBMI          = code{sysLOINC, "39156-5", "Body mass index (BMI) [Ratio]"}
	loincSmokingState = code{sysLOINC, "72166-2", "Tobacco smoking status"}
)

// ACVPU answers for LOINC 67775-7, SNOMED CT International (the codes the RCP
// NEWS2 chart 2017's "Consciousness" row maps to; NHS England's ACVPU value set).
var (
	acvpuAlert       = code{sysSNOMED, "248234008", "Mentally alert"}
	acvpuConfusion   = code{sysSNOMED, "130987000", "Acute confusion"}
	acvpuVoice       = code{sysSNOMED, "300202002", "Responds to voice"}
	acvpuPain        = code{sysSNOMED, "450847001", "Responds to pain"}
	acvpuUnresponsiv = code{sysSNOMED, "422768004", "Unresponsive"}
)

// Smoking status answers, SNOMED CT (US Core smoking status value set).
var (
	smokeNever = code{sysSNOMED, "266919005", "Never smoked tobacco"}
	smokeEx    = code{sysSNOMED, "8517006", "Ex-smoker"}
	smokeDaily = code{sysSNOMED, "449868002", "Smokes tobacco daily"}
)

// Laboratory tests, LOINC 2.76 (https://loinc.org), with adult reference
// ranges as a general hospital laboratory reports them (synthetic data only).
type labTest struct {
	code
	unit, ucum string
	low, high  float64 // reference range; a zero low with high set is "< high"
	hasLow     bool
	decimals   int
	mean, sd   float64 // typical value and spread for a generated result
}

var (
	labHemoglobin = labTest{code{sysLOINC, "718-7", "Hemoglobin [Mass/volume] in Blood"}, "g/dL", "g/dL", 12.0, 17.5, true, 1, 13.8, 1.2}
	labWBC        = labTest{code{sysLOINC, "6690-2", "Leukocytes [#/volume] in Blood by Automated count"}, "10*3/uL", "10*3/uL", 4.0, 11.0, true, 1, 7.2, 1.8}
	labPlatelets  = labTest{code{sysLOINC, "777-3", "Platelets [#/volume] in Blood by Automated count"}, "10*3/uL", "10*3/uL", 150, 400, true, 0, 260, 55}
	labSodium     = labTest{code{sysLOINC, "2951-2", "Sodium [Moles/volume] in Serum or Plasma"}, "mmol/L", "mmol/L", 135, 145, true, 0, 139, 2.5}
	labPotassium  = labTest{code{sysLOINC, "2823-3", "Potassium [Moles/volume] in Serum or Plasma"}, "mmol/L", "mmol/L", 3.5, 5.1, true, 1, 4.2, 0.35}
	labCreatinine = labTest{code{sysLOINC, "2160-0", "Creatinine [Mass/volume] in Serum or Plasma"}, "mg/dL", "mg/dL", 0.6, 1.2, true, 2, 0.9, 0.15}
	labUrea       = labTest{code{sysLOINC, "3094-0", "Urea nitrogen [Mass/volume] in Serum or Plasma"}, "mg/dL", "mg/dL", 7, 20, true, 0, 14, 3.5}
	labGlucose    = labTest{code{sysLOINC, "2345-7", "Glucose [Mass/volume] in Serum or Plasma"}, "mg/dL", "mg/dL", 70, 99, true, 0, 92, 10}
	labEGFR       = labTest{code{sysLOINC, "33914-3", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum or Plasma by Creatinine-based formula (MDRD)"}, "mL/min/{1.73_m2}", "mL/min/{1.73_m2}", 60, 0, true, 0, 82, 12}
	labHbA1c      = labTest{code{sysLOINC, "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood"}, "%", "%", 4.0, 5.6, true, 1, 5.4, 0.3}
	labCRP        = labTest{code{sysLOINC, "1988-5", "C reactive protein [Mass/volume] in Serum or Plasma"}, "mg/L", "mg/L", 0, 5, false, 1, 2.5, 1.5}
	labLactate    = labTest{code{sysLOINC, "2524-7", "Lactate [Moles/volume] in Serum or Plasma"}, "mmol/L", "mmol/L", 0.5, 2.2, true, 1, 1.2, 0.3}
	labNTproBNP   = labTest{code{sysLOINC, "33762-6", "Natriuretic peptide.B prohormone N-Terminal [Mass/volume] in Serum or Plasma"}, "pg/mL", "pg/mL", 0, 125, false, 0, 80, 30}
	labCholTotal  = labTest{code{sysLOINC, "2093-3", "Cholesterol [Mass/volume] in Serum or Plasma"}, "mg/dL", "mg/dL", 0, 200, false, 0, 185, 25}
	labLDL        = labTest{code{sysLOINC, "18262-6", "Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay"}, "mg/dL", "mg/dL", 0, 100, false, 0, 105, 22}
	labHDL        = labTest{code{sysLOINC, "2085-9", "Cholesterol in HDL [Mass/volume] in Serum or Plasma"}, "mg/dL", "mg/dL", 40, 0, true, 0, 52, 10}
	labTrig       = labTest{code{sysLOINC, "2571-8", "Triglyceride [Mass/volume] in Serum or Plasma"}, "mg/dL", "mg/dL", 0, 150, false, 0, 130, 35}
	labTSH        = labTest{code{sysLOINC, "3016-3", "Thyrotropin [Units/volume] in Serum or Plasma"}, "m[IU]/L", "m[IU]/L", 0.4, 4.0, true, 2, 2.1, 0.8}
	labINR        = labTest{code{sysLOINC, "6301-6", "INR in Platelet poor plasma by Coagulation assay"}, "{INR}", "{INR}", 0.8, 1.2, true, 1, 1.0, 0.08}
	labAlbumin    = labTest{code{sysLOINC, "1751-7", "Albumin [Mass/volume] in Serum or Plasma"}, "g/dL", "g/dL", 3.5, 5.0, true, 1, 4.1, 0.3}
	labPaO2       = labTest{code{sysLOINC, "2703-7", "Oxygen [Partial pressure] in Arterial blood"}, "mm[Hg]", "mm[Hg]", 80, 100, true, 0, 88, 8}
	labPaCO2      = labTest{code{sysLOINC, "2019-8", "Carbon dioxide [Partial pressure] in Arterial blood"}, "mm[Hg]", "mm[Hg]", 35, 45, true, 0, 40, 3}
	labPH         = labTest{code{sysLOINC, "2744-1", "pH of Arterial blood"}, "[pH]", "[pH]", 7.35, 7.45, true, 2, 7.40, 0.03}
	labFEV1FVC    = labTest{code{sysLOINC, "19926-5", "FEV1/FVC"}, "%", "%", 70, 0, true, 0, 78, 5}
	labLVEF       = labTest{code{sysLOINC, "10230-1", "Left ventricular Ejection fraction"}, "%", "%", 52, 72, true, 0, 60, 5}
	labLVEFEcho   = labTest{code{sysLOINC, "8806-2", "Left ventricular Ejection fraction by 2D echo"}, "%", "%", 52, 72, true, 0, 60, 5}
	labTMB        = labTest{code{sysLOINC, "94076-7", "Mutations/Megabase [# Ratio] in Tumor"}, "{#}/[Mb]", "{#}/[Mb]", 0, 0, false, 1, 4, 2}
)

// Laboratory panels reported as DiagnosticReports, LOINC 2.76.
var (
	panelCBC     = code{sysLOINC, "58410-2", "CBC panel - Blood by Automated count"}
	panelBMP     = code{sysLOINC, "51990-0", "Basic metabolic panel - Blood"}
	panelLipid   = code{sysLOINC, "57698-3", "Lipid panel with direct LDL - Serum or Plasma"}
	panelABG     = code{sysLOINC, "24336-0", "Gas panel - Arterial blood"}
	panelGenomic = code{sysLOINC, "81247-9", "Master HL7 genetic variant reporting panel"}
	reportEcho   = code{sysLOINC, "34552-0", "Cardiac 2D echo panel"}
)

// Biomarkers. Genetic variant reporting follows the HL7 Genomics Reporting
// IG (LOINC 69548-6 with components 48018-6 gene studied, 48005-3 amino acid
// change); gene ids are HGNC (https://www.genenames.org): HGNC:3236 EGFR.
// HER2, ER and PR status are LOINC 2.76 receptor results with SNOMED CT
// Positive/Negative answers.
var (
	loincVariantAssess = code{sysLOINC, "69548-6", "Genetic variant assessment"}
	loincGeneStudied   = code{sysLOINC, "48018-6", "Gene studied [ID]"}
	loincAAChange      = code{sysLOINC, "48005-3", "Amino acid change (pHGVS)"}
	answerPresent      = code{sysLOINCAns, "LA9633-4", "Present"}
	answerAbsent       = code{sysLOINCAns, "LA9634-2", "Absent"}
	geneEGFR           = code{sysHGNC, "HGNC:3236", "EGFR"}
	egfrL858R          = code{sysHGVS, "p.Leu858Arg", "EGFR p.Leu858Arg (L858R)"}
	loincHER2IHC       = code{sysLOINC, "85319-2", "HER2 [Presence] in Breast cancer specimen by Immune stain"}
	loincHER2FISH      = code{sysLOINC, "85318-4", "HER2 [Presence] in Breast cancer specimen by FISH"}
	loincERStatus      = code{sysLOINC, "85337-4", "Estrogen receptor Ag [Presence] in Breast cancer specimen by Immune stain"}
	loincPRStatus      = code{sysLOINC, "85339-0", "Progesterone receptor Ag [Presence] in Breast cancer specimen by Immune stain"}
	snomedPositive     = code{sysSNOMED, "10828004", "Positive"}
	snomedNegative     = code{sysSNOMED, "260385009", "Negative"}
	loincAge           = code{sysLOINC, "30525-0", "Age"}
	loincSex           = code{sysLOINC, "46098-0", "Sex"}
	snomedDiagnosis    = code{sysSNOMED, "439401001", "Diagnosis (observable entity)"}
)

// Conditions, SNOMED CT International.
var (
	condHypertension = code{sysSNOMED, "59621000", "Essential hypertension (disorder)"}
	condT2DM         = code{sysSNOMED, "44054006", "Diabetes mellitus type 2 (disorder)"}
	condPrediabetes  = code{sysSNOMED, "15777000", "Prediabetes (finding)"}
	condCOPD         = code{sysSNOMED, "13645005", "Chronic obstructive lung disease (disorder)"}
	condAsthma       = code{sysSNOMED, "195967001", "Asthma (disorder)"}
	condCKD3         = code{sysSNOMED, "433144002", "Chronic kidney disease stage 3 (disorder)"}
	condHF           = code{sysSNOMED, "84114007", "Heart failure (disorder)"}
	condAF           = code{sysSNOMED, "49436004", "Atrial fibrillation (disorder)"}
	condNSCLC        = code{sysSNOMED, "254637007", "Non-small cell lung cancer (disorder)"}
	condBreastCancer = code{sysSNOMED, "254837009", "Malignant neoplasm of breast (disorder)"}
	condILD          = code{sysSNOMED, "233703007", "Interstitial lung disease (disorder)"}
	condPneumonia    = code{sysSNOMED, "233604007", "Pneumonia (disorder)"}
	condSepsis       = code{sysSNOMED, "91302008", "Sepsis (disorder)"}
	condARDS         = code{sysSNOMED, "67782005", "Acute respiratory distress syndrome (disorder)"}
	condRespFailure  = code{sysSNOMED, "65710008", "Acute respiratory failure (disorder)"}
	condHypothyroid  = code{sysSNOMED, "40930008", "Hypothyroidism (disorder)"}
	condHyperlipid   = code{sysSNOMED, "55822004", "Hyperlipidemia (disorder)"}
	condObesity      = code{sysSNOMED, "162864005", "Body mass index 30+ - obesity (finding)"}
	condOAKnee       = code{sysSNOMED, "239873007", "Osteoarthritis of knee (disorder)"}
	condDepression   = code{sysSNOMED, "35489007", "Depressive disorder (disorder)"}
	condMI           = code{sysSNOMED, "22298006", "Myocardial infarction (disorder)"}
	condCAD          = code{sysSNOMED, "53741008", "Coronary arteriosclerosis (disorder)"}
	condAnemia       = code{sysSNOMED, "271737000", "Anemia (disorder)"}
	condSinusitis    = code{sysSNOMED, "444814009", "Viral sinusitis (disorder)"}
	condBronchitis   = code{sysSNOMED, "10509002", "Acute bronchitis (disorder)"}
	condUTI          = code{sysSNOMED, "68566005", "Urinary tract infectious disease (disorder)"}
	condPharyngitis  = code{sysSNOMED, "195662009", "Acute viral pharyngitis (disorder)"}
	condMigraine     = code{sysSNOMED, "37796009", "Migraine (disorder)"}
	condGERD         = code{sysSNOMED, "235595009", "Gastroesophageal reflux disease (disorder)"}
	condSleepApnea   = code{sysSNOMED, "73430006", "Sleep apnea (disorder)"}
	condStroke       = code{sysSNOMED, "230690007", "Cerebrovascular accident (disorder)"}
	condCellulitis   = code{sysSNOMED, "128045006", "Cellulitis (disorder)"}
)

// Allergies, SNOMED CT International. 716186003 is the IPS "no known
// allergy" code a clinician records after asking.
var (
	allergyNone       = code{sysSNOMED, "716186003", "No known allergy (situation)"}
	allergyPenicillin = code{sysSNOMED, "91936005", "Allergy to penicillin (finding)"}
	allergyLatex      = code{sysSNOMED, "300916003", "Latex allergy (finding)"}
	allergyNut        = code{sysSNOMED, "91934008", "Allergy to nut (finding)"}
	allergyFish       = code{sysSNOMED, "417532002", "Allergy to fish (finding)"}
	allergyEggs       = code{sysSNOMED, "91930004", "Allergy to eggs (finding)"}
	allergyMould      = code{sysSNOMED, "419474003", "Allergy to mould (finding)"}
	reactionHives     = code{sysSNOMED, "247472004", "Wheal (finding)"}
	reactionRash      = code{sysSNOMED, "271807003", "Eruption of skin (disorder)"}
	reactionAnaphyl   = code{sysSNOMED, "39579001", "Anaphylaxis (disorder)"}
	reactionRhinitis  = code{sysSNOMED, "267101005", "Allergic rhinitis (disorder)"}
)

// Medications, RxNorm (NLM, https://www.nlm.nih.gov/research/umls/rxnorm).
var (
	rxLisinopril    = code{sysRxNorm, "314076", "lisinopril 10 MG Oral Tablet"}
	rxAmlodipine    = code{sysRxNorm, "197361", "amlodipine 5 MG Oral Tablet"}
	rxHCTZ          = code{sysRxNorm, "310798", "Hydrochlorothiazide 25 MG Oral Tablet"}
	rxMetformin     = code{sysRxNorm, "860975", "24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet"}
	rxAtorvastatin  = code{sysRxNorm, "259255", "Atorvastatin 80 MG Oral Tablet"}
	rxSimvastatin   = code{sysRxNorm, "312961", "Simvastatin 20 MG Oral Tablet"}
	rxFluticasone   = code{sysRxNorm, "895994", "120 ACTUAT Fluticasone propionate 0.044 MG/ACTUAT Metered Dose Inhaler"}
	rxFluSalm       = code{sysRxNorm, "896209", "60 ACTUAT Fluticasone propionate 0.25 MG/ACTUAT / salmeterol 0.05 MG/ACTUAT Dry Powder Inhaler"}
	rxAlbuterol     = code{sysRxNorm, "745679", "200 ACTUAT Albuterol 0.09 MG/ACTUAT Metered Dose Inhaler"}
	rxAcetaminophen = code{sysRxNorm, "313782", "Acetaminophen 325 MG Oral Tablet"}
	rxAspirin       = code{sysRxNorm, "243670", "aspirin 81 MG Oral Tablet"}
	rxFurosemide    = code{sysRxNorm, "313988", "furosemide 40 MG Oral Tablet"}
	rxFurosemideIV  = code{sysRxNorm, "1719286", "10 ML Furosemide 10 MG/ML Injection"}
	rxCarvedilol    = code{sysRxNorm, "200031", "carvedilol 6.25 MG Oral Tablet"}
	rxSacubitril    = code{sysRxNorm, "1656340", "sacubitril 49 MG / valsartan 51 MG Oral Tablet"}
	rxSpironolact   = code{sysRxNorm, "313096", "Spironolactone 25 MG Oral Tablet"}
	rxLevothyroxine = code{sysRxNorm, "966222", "Levothyroxine Sodium 0.075 MG Oral Tablet"}
	rxWarfarin      = code{sysRxNorm, "855332", "Warfarin Sodium 5 MG Oral Tablet"}
	rxMetoprolol    = code{sysRxNorm, "866414", "24 HR Metoprolol succinate 100 MG Extended Release Oral Tablet"}
	rxPipTazo       = code{sysRxNorm, "1659149", "piperacillin 4000 MG / tazobactam 500 MG Injection"}
	rxNorepinephr   = code{sysRxNorm, "242969", "4 ML norepinephrine 1 MG/ML Injection"}
	rxPropofol      = code{sysRxNorm, "1808217", "100 ML Propofol 10 MG/ML Injection"}
	rxEnoxaparin    = code{sysRxNorm, "854235", "0.4 ML Enoxaparin sodium 100 MG/ML Prefilled Syringe"}
	rxAmoxClav      = code{sysRxNorm, "562251", "Amoxicillin 250 MG / Clavulanate 125 MG Oral Tablet"}
	rxAmoxicillin   = code{sysRxNorm, "308182", "Amoxicillin 250 MG Oral Capsule"}
	rxPrednisone    = code{sysRxNorm, "312617", "predniSONE 5 MG Oral Tablet"}
	rxNaproxen      = code{sysRxNorm, "849574", "Naproxen sodium 220 MG Oral Tablet"}
	rxIbuprofen     = code{sysRxNorm, "197806", "Ibuprofen 400 MG Oral Tablet"}
	rxCitalopram    = code{sysRxNorm, "200371", "Citalopram 20 MG Oral Tablet"}
	rxInsulin       = code{sysRxNorm, "106892", "insulin isophane, human 70 UNT/ML / insulin, regular, human 30 UNT/ML Injectable Suspension [Humulin]"}
	rxLetrozole     = code{sysRxNorm, "200064", "letrozole 2.5 MG Oral Tablet"}
)

// Immunizations, CVX (CDC, https://www2.cdc.gov/vaccines/iis/iisstandards/vaccines.asp).
var (
	cvxFlu     = code{sysCVX, "140", "Influenza, seasonal, injectable, preservative free"}
	cvxCovid   = code{sysCVX, "208", "SARS-COV-2 (COVID-19) vaccine, mRNA, spike protein, LNP, preservative free, 30 mcg/0.3mL dose"}
	cvxTdap    = code{sysCVX, "115", "Tdap"}
	cvxPCV13   = code{sysCVX, "133", "Pneumococcal conjugate PCV 13"}
	cvxPPSV23  = code{sysCVX, "33", "pneumococcal polysaccharide vaccine, 23 valent"}
	cvxZoster  = code{sysCVX, "187", "zoster vaccine recombinant"}
	cvxHepB    = code{sysCVX, "43", "Hep B, adult"}
	cvxTdAdult = code{sysCVX, "113", "Td (adult) preservative free"}
)

// Procedures, SNOMED CT International.
var (
	procMedRec       = code{sysSNOMED, "430193006", "Medication reconciliation (procedure)"}
	procNeedsAssess  = code{sysSNOMED, "710824005", "Assessment of health and social care needs (procedure)"}
	procSpirometry   = code{sysSNOMED, "127783003", "Spirometry (procedure)"}
	procEcho         = code{sysSNOMED, "40701008", "Echocardiography (procedure)"}
	procChestXRay    = code{sysSNOMED, "399208008", "Plain chest X-ray (procedure)"}
	procChestCT      = code{sysSNOMED, "169069000", "Computed tomography of chest (procedure)"}
	procBronchoscopy = code{sysSNOMED, "10847001", "Bronchoscopy (procedure)"}
	procMammography  = code{sysSNOMED, "71651007", "Mammography (procedure)"}
	procLumpectomy   = code{sysSNOMED, "392021009", "Lumpectomy of breast (procedure)"}
	procPCI          = code{sysSNOMED, "415070008", "Percutaneous coronary intervention (procedure)"}
	procECG          = code{sysSNOMED, "29303009", "Electrocardiographic procedure (procedure)"}
	procIntubation   = code{sysSNOMED, "112798008", "Insertion of endotracheal tube (procedure)"}
	procVentilation  = code{sysSNOMED, "40617009", "Artificial respiration (procedure)"}
	procBloodCulture = code{sysSNOMED, "30088009", "Blood culture (procedure)"}
)

// Encounter types, SNOMED CT International; classes, HL7 v3 ActCode.
var (
	encCheckup   = code{sysSNOMED, "162673000", "General examination of patient (procedure)"}
	encProblem   = code{sysSNOMED, "185347001", "Encounter for problem (procedure)"}
	encFollowUp  = code{sysSNOMED, "390906007", "Follow-up encounter (procedure)"}
	encEmergency = code{sysSNOMED, "50849002", "Emergency room admission (procedure)"}
	encAdmission = code{sysSNOMED, "32485007", "Hospital admission (procedure)"}
	encICU       = code{sysSNOMED, "305351004", "Admission to intensive care unit (procedure)"}
	encConsult   = code{sysSNOMED, "698314001", "Consultation for treatment (procedure)"}
	classAMB     = code{sysActCode, "AMB", "ambulatory"}
	classIMP     = code{sysActCode, "IMP", "inpatient encounter"}
	classEMER    = code{sysActCode, "EMER", "emergency"}
)

// Outcomes RiskAssessments predict, SNOMED CT International.
var (
	outcomeSepsis     = code{sysSNOMED, "91302008", "Sepsis (disorder)"}
	outcomeReadmit    = code{sysSNOMED, "417005", "Hospital re-admission (procedure)"}
	outcomeDeteriorat = code{sysSNOMED, "271299001", "Patient's condition worsened (finding)"}
)
