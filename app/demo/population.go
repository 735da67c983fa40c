package demo

import (
	"strings"
	"time"
)

// Fixture patients that demonstrate something. Their ids are readable and
// stable: tests, golden files and the simulator refer to them.
const (
	// DeterioratingPatient is an inpatient whose NEWS2 starts low; the
	// simulator drives it through low-medium, medium and high.
	DeterioratingPatient = "pt-0001"
	// COPDPatient has a recorded hypercapnic target (an active Goal, SpO2
	// 88–92 %), so NEWS2 scores SpO2 on Scale 2; readings sit in 88–92 on oxygen.
	COPDPatient = "pt-0002"
	// NSCLCPatient has non-small cell lung cancer; the EGFR L858R result that
	// makes them eligible for the EGFR study arrives from the simulator.
	NSCLCPatient = "pt-0003"
	// ICUPatient has more than 20,000 Observations (5-minute monitoring over 18 days).
	ICUPatient = "pt-0004"
	// RecoveringPatient is an inpatient whose NEWS2 starts high and falls
	// during the simulation.
	RecoveringPatient = "pt-0005"
	// NoKnownAllergiesPatient has "no known allergy" recorded (SNOMED CT 716186003).
	NoKnownAllergiesPatient = "pt-0006"
	// NoAllergyInfoPatient has no AllergyIntolerance at all.
	NoAllergyInfoPatient = "pt-0007"
	// HeartFailurePatient has HFrEF (LVEF 35 %) and is eligible for the heart-failure study.
	HeartFailurePatient = "pt-0008"
	// HER2Patient has HER2-positive breast cancer and is on the HER2 study upstream.
	HER2Patient = "pt-0009"
)

// Patient describes one fixture patient.
type Patient struct {
	ID        string // FHIR Patient.id, also the topic suffix
	MRN       string
	Name      string // given names and family name
	Inpatient bool   // admitted at the end of the fixture history; the simulator charts vital signs
	Role      string // what the patient demonstrates
}

// Patients lists the fixture population in id order.
func Patients() []Patient {
	ps := population()
	out := make([]Patient, len(ps))
	for i, p := range ps {
		out[i] = Patient{ID: p.id, MRN: p.mrn, Name: p.display(), Inpatient: p.inpatient, Role: p.role}
	}
	return out
}

// anchor is the instant the fixture histories lead up to: every fixture
// resource is dated at or before it.
func anchor() time.Time { return time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC) }

// Anchor is the instant the fixture histories lead up to (2026-11-23T06:00Z).
// Inpatients were admitted in the days before it; the simulator carries on
// from the wall clock.
func Anchor() time.Time { return anchor() }

type allergyFact struct {
	code        code
	category    string // food, medication, environment
	criticality string // low, high
	reaction    code
	severity    string // mild, moderate, severe
	yearsAgo    float64
}

type chronic struct {
	cond     code
	yearsAgo float64 // onset before the anchor
	meds     []code
}

type persona struct {
	id, mrn   string
	given     []string
	family    string
	sex       string // administrative gender
	birth     string // YYYY-MM-DD
	lang      code
	city      string
	years     int // years of outpatient history
	gp        staff
	chronic   []chronic
	allergies []allergyFact
	nka       bool // "no known allergy" recorded
	smoking   code
	tempF     bool    // temperatures charted in [degF]
	weight    float64 // kg
	height    float64 // cm
	inpatient bool
	role      string
	story     func(c *chart) // what happens after the outpatient history
}

func (p *persona) display() string { return strings.Join(p.given, " ") + " " + p.family }

func (p *persona) birthTime() time.Time {
	t, err := time.Parse(time.DateOnly, p.birth)
	if err != nil {
		panic("demo: bad birth date " + p.birth)
	}
	return t
}

func (p *persona) has(cd code) bool {
	for _, c := range p.chronic {
		if c.cond.code == cd.code {
			return true
		}
	}
	return false
}

// Languages, BCP 47 (urn:ietf:bcp:47).
var (
	langEN = code{"urn:ietf:bcp:47", "en", "English"}
	langES = code{"urn:ietf:bcp:47", "es", "Spanish"}
	langNB = code{"urn:ietf:bcp:47", "nb", "Norwegian Bokmål"}
	langPL = code{"urn:ietf:bcp:47", "pl", "Polish"}
	langVI = code{"urn:ietf:bcp:47", "vi", "Vietnamese"}
	langDA = code{"urn:ietf:bcp:47", "da", "Danish"}
	langRO = code{"urn:ietf:bcp:47", "ro", "Romanian"}
	langFR = code{"urn:ietf:bcp:47", "fr", "French"}
	langCS = code{"urn:ietf:bcp:47", "cs", "Czech"}
	langGA = code{"urn:ietf:bcp:47", "ga", "Irish"}
	langJA = code{"urn:ietf:bcp:47", "ja", "Japanese"}
	langTR = code{"urn:ietf:bcp:47", "tr", "Turkish"}
	langPT = code{"urn:ietf:bcp:47", "pt", "Portuguese"}
	langIS = code{"urn:ietf:bcp:47", "is", "Icelandic"}
	langSV = code{"urn:ietf:bcp:47", "sv", "Swedish"}
	langDE = code{"urn:ietf:bcp:47", "de", "German"}
)

// population is the fixture cast. Every name, date and number is invented.
func population() []*persona {
	return []*persona{
		{
			id: DeterioratingPatient, mrn: "KV-100231", given: []string{"José"}, family: "Ñúñez Ortega", sex: "male", birth: "1958-03-14",
			lang: langES, city: "Kestrel Vale", years: 3, gp: drQuinones, smoking: smokeNever, weight: 84, height: 172, inpatient: true,
			chronic: []chronic{
				{condHypertension, 9, []code{rxLisinopril}},
				{condT2DM, 6, []code{rxMetformin}},
			},
			allergies: []allergyFact{{allergyFish, "food", "high", reactionHives, "moderate", 20}},
			role:      "deteriorating inpatient (community-acquired pneumonia): NEWS2 low at admission, driven to high by the simulator",
			story:     storyDeteriorating,
		},
		{
			id: COPDPatient, mrn: "KV-100874", given: []string{"Åse"}, family: "Øster", sex: "female", birth: "1953-09-02",
			lang: langNB, city: "Harbour View", years: 5, gp: drHalvorsen, smoking: smokeEx, weight: 61, height: 164, inpatient: true,
			chronic: []chronic{
				{condCOPD, 12, []code{rxFluSalm, rxAlbuterol}},
				{condHypertension, 15, []code{rxAmlodipine}},
			},
			allergies: []allergyFact{{allergyLatex, "environment", "low", reactionHives, "mild", 30}},
			role:      "COPD exacerbation with a recorded hypercapnic target (Goal SpO2 88–92 %): NEWS2 SpO2 Scale 2",
			story:     storyCOPD,
		},
		{
			id: NSCLCPatient, mrn: "KV-101562", given: []string{"Zoë"}, family: "Brontë-Dąbrowska", sex: "female", birth: "1969-11-27",
			lang: langPL, city: "Northgate", years: 2, gp: drHalvorsen, smoking: smokeEx, weight: 66, height: 168,
			chronic: []chronic{
				{condHyperlipid, 4, []code{rxSimvastatin}},
			},
			allergies: []allergyFact{{allergyNut, "food", "high", reactionAnaphyl, "severe", 35}},
			role:      "newly diagnosed non-small cell lung cancer; the EGFR L858R result arrives from the simulator and makes her eligible for the EGFR study",
			story:     storyNSCLC,
		},
		{
			id: ICUPatient, mrn: "KV-102409", given: []string{"Thị", "Hoa"}, family: "Nguyễn", sex: "female", birth: "1968-05-19",
			lang: langVI, city: "Kestrel Vale", years: 2, gp: drQuinones, smoking: smokeNever, weight: 58, height: 155, inpatient: true,
			chronic: []chronic{
				{condAsthma, 20, []code{rxFluticasone}},
			},
			nka:   true,
			role:  "intensive care (pneumonia, ARDS, sepsis): 5-minute monitoring over 18 days, more than 20,000 Observations",
			story: storyICU,
		},
		{
			id: RecoveringPatient, mrn: "KV-103118", given: []string{"Søren"}, family: "Kjærgaard-Lund", sex: "male", birth: "1951-01-30",
			lang: langDA, city: "Harbour View", years: 4, gp: drHalvorsen, smoking: smokeEx, weight: 79, height: 181, inpatient: true,
			chronic: []chronic{
				{condAF, 6, []code{rxWarfarin, rxMetoprolol}},
				{condCKD3, 5, nil},
				{condHypertension, 14, []code{rxAmlodipine}},
			},
			allergies: []allergyFact{{allergyEggs, "food", "low", reactionHives, "mild", 40}},
			role:      "urosepsis on day 3: NEWS2 high and falling during the simulation",
			story:     storyRecovering,
		},
		{
			id: NoKnownAllergiesPatient, mrn: "KV-103760", given: []string{"Mărgărita"}, family: "Ionescu", sex: "female", birth: "1985-07-08",
			lang: langRO, city: "Kestrel Vale", years: 2, gp: drQuinones, smoking: smokeNever, weight: 64, height: 166, nka: true,
			chronic: []chronic{{condAsthma, 10, []code{rxFluticasone, rxAlbuterol}}},
			role:    "\"no known allergy\" recorded (SNOMED CT 716186003, confirmed)",
		},
		{
			id: NoAllergyInfoPatient, mrn: "KV-104027", given: []string{"Łukasz"}, family: "Wójcik", sex: "male", birth: "1990-02-11",
			lang: langPL, city: "Northgate", years: 1, gp: drQuinones, smoking: smokeDaily, weight: 82, height: 184,
			chronic: []chronic{{condMigraine, 6, []code{rxIbuprofen}}},
			role:    "no allergy information at all (no AllergyIntolerance)",
		},
		{
			id: HeartFailurePatient, mrn: "KV-104981", given: []string{"François"}, family: "Lefèvre", sex: "male", birth: "1954-06-21",
			lang: langFR, city: "Harbour View", years: 4, gp: drHalvorsen, smoking: smokeEx, weight: 91, height: 176, inpatient: true, tempF: true,
			chronic: []chronic{
				{condMI, 4.5, []code{rxAspirin, rxAtorvastatin}},
				{condCAD, 4.5, nil},
				{condHF, 3, []code{rxSacubitril, rxCarvedilol, rxSpironolact, rxFurosemide}},
				{condHypertension, 12, nil},
			},
			allergies: []allergyFact{{allergyPenicillin, "medication", "high", reactionAnaphyl, "severe", 25}},
			role:      "decompensated HFrEF (LVEF 35 %), temperatures charted in °F; eligible for the heart-failure study",
			story:     storyHeartFailure,
		},
		{
			id: HER2Patient, mrn: "KV-105233", given: []string{"Ingrid"}, family: "Bjørnstad", sex: "female", birth: "1972-12-03",
			lang: langNB, city: "Northgate", years: 3, gp: drHalvorsen, smoking: smokeNever, weight: 70, height: 170, nka: true,
			chronic: []chronic{{condHypothyroid, 8, []code{rxLevothyroxine}}},
			role:    "HER2-positive breast cancer; on the HER2 study upstream",
			story:   storyHER2,
		},
		{
			id: "pt-0010", mrn: "KV-105870", given: []string{"Dmitrij"}, family: "Šťastný", sex: "male", birth: "1960-04-16",
			lang: langCS, city: "Kestrel Vale", years: 5, gp: drQuinones, smoking: smokeEx, weight: 102, height: 178,
			chronic: []chronic{
				{condT2DM, 11, []code{rxMetformin, rxInsulin}},
				{condCKD3, 3, nil},
				{condHyperlipid, 9, []code{rxAtorvastatin}},
				{condHypertension, 10, []code{rxLisinopril, rxHCTZ}},
				{condObesity, 8, nil},
			},
			role: "long multimorbid outpatient history (diabetes, CKD): many lab trends",
		},
		{
			id: "pt-0011", mrn: "KV-106344", given: []string{"Aoife"}, family: "Ní Bhriain", sex: "female", birth: "1994-08-23",
			lang: langGA, city: "Northgate", years: 3, gp: drHalvorsen, smoking: smokeNever, weight: 59, height: 163,
			chronic:   []chronic{{condAsthma, 14, []code{rxAlbuterol}}},
			allergies: []allergyFact{{allergyNut, "food", "high", reactionAnaphyl, "severe", 20}},
			role:      "young asthmatic with a severe nut allergy",
		},
		{
			id: "pt-0012", mrn: "KV-106902", given: []string{"Kwame"}, family: "Mensah-Boateng", sex: "male", birth: "1966-10-05",
			lang: langEN, city: "Harbour View", years: 4, gp: drQuinones, smoking: smokeNever, weight: 112, height: 183, tempF: true,
			chronic: []chronic{
				{condHypertension, 7, []code{rxAmlodipine, rxHCTZ}},
				{condObesity, 10, nil},
				{condSleepApnea, 3, nil},
			},
			nka:  true,
			role: "hypertension and obesity",
		},
		{
			id: "pt-0013", mrn: "KV-107415", given: []string{"Chloé"}, family: "Marchand", sex: "female", birth: "1979-01-17",
			lang: langFR, city: "Kestrel Vale", years: 3, gp: drHalvorsen, smoking: smokeNever, weight: 68, height: 167,
			chronic: []chronic{
				{condHypothyroid, 6, []code{rxLevothyroxine}},
				{condDepression, 4, []code{rxCitalopram}},
			},
			allergies: []allergyFact{{allergyPenicillin, "medication", "low", reactionRash, "mild", 15}},
			role:      "hypothyroidism and depression",
		},
		{
			id: "pt-0014", mrn: "KV-107993", given: []string{"Haruto"}, family: "Ōishi", sex: "male", birth: "1947-03-09",
			lang: langJA, city: "Harbour View", years: 5, gp: drQuinones, smoking: smokeEx, weight: 67, height: 166,
			chronic: []chronic{
				{condAF, 4, []code{rxWarfarin, rxMetoprolol}},
				{condHypertension, 20, []code{rxLisinopril}},
				{condOAKnee, 9, []code{rxAcetaminophen}},
			},
			nka:  true,
			role: "atrial fibrillation; eligible upstream for the AF study, which is closed to accrual",
		},
		{
			id: "pt-0015", mrn: "KV-108466", given: []string{"Leilani"}, family: "Kealoha-Brandt", sex: "female", birth: "1988-06-30",
			lang: langEN, city: "Northgate", years: 1, gp: drHalvorsen, smoking: smokeNever, weight: 63, height: 171,
			allergies: []allergyFact{{allergyLatex, "environment", "high", reactionHives, "moderate", 5}},
			role:      "healthy adult with a latex allergy",
		},
		{
			id: "pt-0016", mrn: "KV-109031", given: []string{"María", "José"}, family: "Peña Ibáñez", sex: "female", birth: "1975-09-12",
			lang: langES, city: "Kestrel Vale", years: 4, gp: drQuinones, smoking: smokeNever, weight: 88, height: 160,
			chronic: []chronic{
				{condT2DM, 5, []code{rxMetformin}},
				{condHypertension, 6, []code{rxLisinopril}},
				{condHF, 2, []code{rxFurosemide}},
			},
			nka:   true,
			role:  "heart failure with preserved ejection fraction (LVEF 55 %): not eligible for the HFrEF study",
			story: storyHFpEF,
		},
		{
			id: "pt-0017", mrn: "KV-109588", given: []string{"Oğuz"}, family: "Yılmaz-Demir", sex: "male", birth: "1942-11-01",
			lang: langTR, city: "Harbour View", years: 3, gp: drHalvorsen, smoking: smokeEx, weight: 74, height: 170,
			chronic: []chronic{
				{condHF, 4, []code{rxCarvedilol, rxFurosemide}},
				{condHypertension, 25, []code{rxAmlodipine}},
			},
			nka:   true,
			role:  "HFrEF (LVEF 30 %) but aged 84: outside the heart-failure study's 18–80 age range",
			story: storyHFElderly,
		},
		{
			id: "pt-0018", mrn: "KV-110147", given: []string{"Ana"}, family: "Conceição Gonçalves", sex: "female", birth: "1958-02-25",
			lang: langPT, city: "Northgate", years: 2, gp: drQuinones, smoking: smokeEx, weight: 57, height: 158,
			chronic: []chronic{
				{condILD, 3, []code{rxPrednisone}},
			},
			nka:   true,
			role:  "NSCLC with EGFR exon 19 deletion but interstitial lung disease (excluded from the EGFR study); TMB-high (eligible for the TMB basket)",
			story: storyNSCLCWithILD,
		},
		{
			id: "pt-0019", mrn: "KV-110702", given: []string{"Björn"}, family: "Þórsson", sex: "male", birth: "1983-12-19",
			lang: langIS, city: "Kestrel Vale", years: 2, gp: drHalvorsen, smoking: smokeNever, weight: 88, height: 186,
			chronic: []chronic{
				{condGERD, 5, nil},
				{condHyperlipid, 2, []code{rxSimvastatin}},
			},
			allergies: []allergyFact{{allergyFish, "food", "high", reactionHives, "moderate", 25}},
			role:      "reflux and hyperlipidaemia; fish allergy",
		},
		{
			id: "pt-0020", mrn: "KV-111268", given: []string{"Renée"}, family: "Dubois-Ångström", sex: "female", birth: "1963-04-04",
			lang: langSV, city: "Northgate", years: 4, gp: drHalvorsen, smoking: smokeNever, weight: 72, height: 169,
			chronic: []chronic{
				{condHypertension, 8, []code{rxLisinopril}},
			},
			nka:   true,
			role:  "HER2-negative, ER-positive breast cancer on letrozole: not eligible for the HER2 study",
			story: storyBreastHER2Negative,
		},
		{
			id: "pt-0021", mrn: "KV-111839", given: []string{"Tomás"}, family: "Ó Briain", sex: "male", birth: "1971-07-27",
			lang: langGA, city: "Harbour View", years: 5, gp: drQuinones, smoking: smokeEx, weight: 86, height: 179,
			chronic: []chronic{
				{condCAD, 3, []code{rxAspirin, rxAtorvastatin, rxMetoprolol}},
				{condHyperlipid, 8, nil},
			},
			nka:   true,
			role:  "coronary artery disease after a stent",
			story: storyPCI,
		},
		{
			id: "pt-0022", mrn: "KV-112390", given: []string{"Priyanka"}, family: "Raghunathan", sex: "female", birth: "1991-10-14",
			lang: langEN, city: "Kestrel Vale", years: 2, gp: drHalvorsen, smoking: smokeNever, weight: 77, height: 158, tempF: true,
			chronic: []chronic{
				{condPrediabetes, 1.5, nil},
				{condAnemia, 1, nil},
			},
			allergies: []allergyFact{{allergyEggs, "food", "low", reactionRash, "mild", 25}},
			role:      "prediabetes and anaemia",
		},
		{
			id: "pt-0023", mrn: "KV-112957", given: []string{"Amara"}, family: "Okonkwo-Lindgren", sex: "female", birth: "1999-05-05",
			lang: langEN, city: "Northgate", years: 1, gp: drQuinones, smoking: smokeNever, weight: 60, height: 172,
			chronic:   []chronic{{condAsthma, 12, []code{rxAlbuterol}}},
			allergies: []allergyFact{{allergyMould, "environment", "low", reactionRhinitis, "mild", 10}},
			role:      "young adult with asthma and a mould allergy",
		},
		{
			id: "pt-0024", mrn: "KV-113508", given: []string{"Élodie"}, family: "Castañeda", sex: "female", birth: "1937-08-16",
			lang: langFR, city: "Harbour View", years: 5, gp: drHalvorsen, smoking: smokeNever, weight: 54, height: 157,
			chronic: []chronic{
				{condStroke, 7, []code{rxAspirin}},
				{condAF, 7, []code{rxWarfarin}},
				{condHypertension, 30, []code{rxAmlodipine}},
				{condCKD3, 4, nil},
			},
			allergies: []allergyFact{{allergyPenicillin, "medication", "high", reactionAnaphyl, "severe", 50}},
			role:      "frail 89-year-old after a stroke",
		},
		{
			id: "pt-0025", mrn: "KV-114076", given: []string{"Jürgen"}, family: "Weißbach", sex: "male", birth: "1956-01-08",
			lang: langDE, city: "Kestrel Vale", years: 5, gp: drQuinones, smoking: smokeEx, weight: 97, height: 175,
			chronic: []chronic{
				{condT2DM, 7, []code{rxMetformin}},
				{condObesity, 12, nil},
				{condOAKnee, 6, []code{rxNaproxen}},
				{condCOPD, 5, []code{rxAlbuterol}},
			},
			nka:  true,
			role: "COPD without a hypercapnic target (NEWS2 Scale 1), diabetes",
		},
	}
}
