package demo

import (
	"strings"
	"time"
)

// Study ids (ResearchStudy and its enrollment Group), stable so that
// upstream matches, tests and golden files can name them.
const (
	// EGFRStudy: EGFR-mutant NSCLC, excluding interstitial lung disease (active).
	EGFRStudy = "rs-egfr-nsclc"
	// HER2Study: HER2-positive breast cancer; criteria as an and/or/not tree (active).
	HER2Study = "rs-her2-breast"
	// HeartFailureStudy: heart failure with LVEF ≤ 40 %, aged 18–80 (active).
	HeartFailureStudy = "rs-hfref"
	// AFStudy: atrial fibrillation, closed to accrual: it never matches locally.
	AFStudy = "rs-af-rhythm"
	// TMBStudy: any of NSCLC or breast cancer with tumour mutational burden ≥ 10 (active).
	TMBStudy = "rs-tmb-high"
)

// Eligibility tree nodes and leaves, in the JSON form app/clinical reads from
// the eligibility-criteria extension (clinical.Criterion): "and", "or", "not",
// and the leaves "condition", "observation", "variant", "age" and "sex", each
// with a "label" in words.
func treeAll(nodes ...object) object { return obj("and", nodes) }
func treeAny(nodes ...object) object { return obj("or", nodes) }
func treeNot(label string, node object) object {
	return obj("label", label, "not", node)
}
func hasCondition(c code) object {
	cc := conceptFor(c)
	return obj("label", trimSemantic(c.display), "condition", obj("codes", cc.keys()))
}

// conditionConcept is a study's condition as a concept (app/clinical's
// trials_terminology.go): the SNOMED CT code, the descendants records carry
// (SNOMED CT International, January 2025), and the ICD-10-CM roots whose
// codes are all below it (FY2025). Each is published as a ValueSet with an
// expansion on trials.studies, named by the enrollment Group's
// characteristic, and listed in full in the eligibility tree. Non-small cell
// lung cancer has no ICD-10 root: C34 holds small cell lung cancer too.
type conditionConcept struct {
	valueSet    string // the ValueSet id
	root        code
	descendants []code
	icd10       []code
}

const sysICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"

func (c conditionConcept) all() []code {
	return append(append([]code{c.root}, c.descendants...), c.icd10...)
}

func (c conditionConcept) keys() []string {
	var out []string
	for _, k := range c.all() {
		out = append(out, k.key())
	}
	return out
}

func sct(id, display string) code { return code{sysSNOMED, id, display} }
func icd(id, display string) code { return code{sysICD10CM, id, display} }

// conditionConcepts are the demo studies' condition concepts, by root code.
func conditionConcepts() []conditionConcept {
	return []conditionConcept{
		{"vs-nsclc", condNSCLC, []code{
			sct("254626006", "Adenocarcinoma of lung"), sct("254634000", "Squamous cell carcinoma of lung"),
			sct("254629004", "Large cell carcinoma of lung"),
			sct("424132000", "Non-small cell carcinoma of lung, TNM stage 1"), sct("425048006", "Non-small cell carcinoma of lung, TNM stage 2"),
			sct("422968005", "Non-small cell carcinoma of lung, TNM stage 3"), sct("423121009", "Non-small cell carcinoma of lung, TNM stage 4"),
		}, nil},
		{"vs-breast-cancer", condBreastCancer, []code{
			sct("372064008", "Malignant neoplasm of female breast"), sct("254838004", "Carcinoma of breast"),
			sct("408643008", "Infiltrating duct carcinoma of breast"), sct("93796005", "Primary malignant neoplasm of female breast"),
			sct("353431000119107", "Primary malignant neoplasm of female breast"),
		}, []code{icd("C50", "Malignant neoplasm of breast")}},
		{"vs-heart-failure", condHF, []code{
			sct("42343007", "Congestive heart failure"), sct("88805009", "Chronic congestive heart failure"),
			sct("85232009", "Left heart failure"), sct("367363000", "Right ventricular failure"),
			sct("417996009", "Systolic heart failure"), sct("418304008", "Diastolic heart failure"),
			sct("441481004", "Chronic systolic heart failure"), sct("441530006", "Chronic diastolic heart failure"),
			sct("703272007", "Heart failure with reduced ejection fraction"), sct("446221000", "Heart failure with normal ejection fraction"),
		}, []code{
			icd("I50", "Heart failure"), icd("I11.0", "Hypertensive heart disease with heart failure"),
			icd("I13.0", "Hypertensive heart and chronic kidney disease with heart failure and stage 1 through stage 4 chronic kidney disease, or unspecified chronic kidney disease"),
			icd("I13.2", "Hypertensive heart and chronic kidney disease with heart failure and with stage 5 chronic kidney disease, or end stage renal disease"),
			icd("I09.81", "Rheumatic heart failure"),
		}},
		{"vs-ild", condILD, []code{
			sct("700250006", "Idiopathic pulmonary fibrosis"), sct("51615001", "Fibrosis of lung"),
		}, []code{icd("J84", "Other interstitial pulmonary diseases")}},
		{"vs-atrial-fibrillation", condAF, []code{
			sct("426749004", "Chronic atrial fibrillation"), sct("282825002", "Paroxysmal atrial fibrillation"),
			sct("440059007", "Persistent atrial fibrillation"),
		}, []code{icd("I48", "Atrial fibrillation and flutter")}},
	}
}

// conceptFor returns the concept of a study condition (a concept of the root
// alone when there is none).
func conceptFor(c code) conditionConcept {
	for _, cc := range conditionConcepts() {
		if cc.root == c {
			return cc
		}
	}
	return conditionConcept{root: c}
}

// resource is the ValueSet resource of a concept, with its expansion.
func (c conditionConcept) resource(at time.Time) object {
	var contains []object
	for _, k := range c.all() {
		contains = append(contains, obj("system", k.system, "code", k.code, "display", k.display))
	}
	return obj(
		"resourceType", "ValueSet",
		"id", c.valueSet,
		"meta", meta(at),
		"url", "https://chartline.health/fhir/ValueSet/"+c.valueSet,
		"name", strings.ReplaceAll(trimSemantic(c.root.display), " ", ""),
		"title", trimSemantic(c.root.display)+" (demo study concept)",
		"status", "active",
		"expansion", obj("timestamp", dt(at), "contains", contains),
	)
}
func hasCoded(label string, obs, val code) object {
	return obj("label", label, "observation", obj("codes", []string{obs.key()}, "value", obj("codes", []string{val.key()})))
}
func hasQuantity(label string, obs code, comparator string, v float64, unit string) object {
	return obj("label", label, "observation", obj("codes", []string{obs.key()}, "value", obj("quantity", obj("comparator", comparator, "value", v, "unit", unit))))
}
func ageBetween(label string, min, max int) object {
	a := obj("min", min)
	if max > 0 {
		a = append(a, member{"max", max})
	}
	return obj("label", label, "age", a)
}
func sexIs(label, s string) object { return obj("label", label, "sex", []string{s}) }

// trimSemantic drops a SNOMED CT semantic tag: "Asthma (disorder)" -> "Asthma".
func trimSemantic(s string) string {
	if i := strings.LastIndex(s, " ("); i > 0 && strings.HasSuffix(s, ")") {
		return s[:i]
	}
	return s
}

// Group.characteristic forms (code / value[x] / exclude), R4.
func charCondition(c code, exclude bool) object {
	return obj("code", concept(snomedDiagnosis), "valueReference", refd("ValueSet/"+conceptFor(c).valueSet, trimSemantic(c.display)), "exclude", exclude)
}
func charCoded(obs, val code) object {
	return obj("code", concept(obs), "valueCodeableConcept", concept(val), "exclude", false)
}
func charQuantity(obs code, comparator string, v float64, unit, ucum string) object {
	return obj("code", concept(obs), "valueQuantity", obj("value", v, "comparator", comparator, "unit", unit, "system", sysUCUM, "code", ucum), "exclude", false)
}
func charAge(min, max float64) object {
	r := obj("low", qty(min, "a", "a"))
	if max > 0 {
		r = append(r, member{"high", qty(max, "a", "a")})
	}
	return obj("code", concept(loincAge), "valueRange", r, "exclude", false)
}
func charSex(s, display string) object {
	return obj("code", concept(loincSex), "valueCodeableConcept", concept(code{"http://hl7.org/fhir/administrative-gender", s, display}), "exclude", false)
}

type study struct {
	id, group   string
	title       string
	status      string
	phase       string
	focus       []code
	description string
	criteria    []object // Group.characteristic, an AND of leaves
	tree        object   // the richer and/or/not form, or nil
	pi          staff
	site        string
	start       time.Time
}

func studies() []study {
	return []study{
		{
			id: EGFRStudy, group: "grp-egfr-nsclc", status: "active", phase: "phase-3",
			title:       "KESTREL-EGFR: first-line targeted therapy for EGFR-mutant advanced non-small cell lung cancer",
			focus:       []code{condNSCLC},
			description: "Adults with non-small cell lung cancer whose tumour carries an activating EGFR variant (exon 19 deletion or L858R). Interstitial lung disease excludes.",
			criteria: []object{
				charCondition(condNSCLC, false),
				charCoded(loincGeneStudied, geneEGFR),
				charCondition(condILD, true),
				charAge(18, 0),
			},
			pi: drTsao, site: locOncology, start: anchor().AddDate(-1, -2, 0),
		},
		{
			id: HER2Study, group: "grp-her2-breast", status: "active", phase: "phase-2",
			title:       "NORTHGATE-HER2: adjuvant antibody–drug conjugate in HER2-positive early breast cancer",
			focus:       []code{condBreastCancer},
			description: "Women with breast cancer that is HER2 positive by immunohistochemistry or in-situ hybridisation, without heart failure.",
			criteria: []object{
				charCondition(condBreastCancer, false),
				charCoded(loincHER2IHC, snomedPositive),
				charSex("female", "Female"),
				charCondition(condHF, true),
			},
			tree: treeAll(
				hasCondition(condBreastCancer),
				treeAny(hasCoded("HER2 positive by IHC", loincHER2IHC, snomedPositive), hasCoded("HER2 positive by FISH", loincHER2FISH, snomedPositive)),
				sexIs("Female", "female"),
				ageBetween("Adult", 18, 0),
				treeNot("No heart failure", hasCondition(condHF)),
			),
			pi: drSolberg, site: locOncology, start: anchor().AddDate(-2, 0, 0),
		},
		{
			id: HeartFailureStudy, group: "grp-hfref", status: "active", phase: "phase-4",
			title:       "HARBOUR-HF: remote titration of guideline-directed therapy in heart failure with reduced ejection fraction",
			focus:       []code{condHF},
			description: "Adults aged 18 to 80 with heart failure and a left ventricular ejection fraction of 40 % or less.",
			criteria: []object{
				charCondition(condHF, false),
				charQuantity(labLVEF.code, "<=", 40, "%", "%"),
				charAge(18, 80),
			},
			tree: treeAll(
				hasCondition(condHF),
				treeAny(hasQuantity("LVEF ≤ 40 %", labLVEF.code, "<=", 40, "%"), hasQuantity("LVEF ≤ 40 % by 2D echo", labLVEFEcho.code, "<=", 40, "%")),
				ageBetween("Aged 18–80", 18, 80),
			),
			pi: drDuring, site: locCardio, start: anchor().AddDate(-1, 0, 0),
		},
		{
			id: AFStudy, group: "grp-af-rhythm", status: "closed-to-accrual", phase: "phase-3",
			title:       "VALE-AF: early rhythm control in atrial fibrillation",
			focus:       []code{condAF},
			description: "Adults with atrial fibrillation diagnosed within the last year. Closed to accrual.",
			criteria: []object{
				charCondition(condAF, false),
				charAge(18, 0),
			},
			pi: drDuring, site: locCardio, start: anchor().AddDate(-4, 0, 0),
		},
		{
			id: TMBStudy, group: "grp-tmb-high", status: "active", phase: "phase-2",
			title:       "PAN-TMB: immunotherapy basket for solid tumours with high tumour mutational burden",
			focus:       []code{condNSCLC, condBreastCancer},
			description: "Adults with non-small cell lung cancer or breast cancer and a tumour mutational burden of at least 10 mutations per megabase.",
			criteria: []object{
				charQuantity(labTMB.code, ">=", 10, "mutations/megabase", "{#}/[Mb]"),
				charAge(18, 0),
			},
			tree: treeAll(
				treeAny(hasCondition(condNSCLC), hasCondition(condBreastCancer)),
				hasQuantity("TMB ≥ 10 mut/Mb", labTMB.code, ">=", 10, "{#}/[Mb]"),
				ageBetween("Adult", 18, 0),
			),
			pi: drTsao, site: locOncology, start: anchor().AddDate(0, -8, 0),
		},
	}
}

var studyPhaseDisplay = map[string]string{"phase-2": "Phase 2", "phase-3": "Phase 3", "phase-4": "Phase 4"}

// studiesBundle is trials.studies' content: the condition concepts'
// ValueSets, then each ResearchStudy with its enrollment Group, the study
// referencing the Group by urn:uuid.
func studiesBundle(g *gen) object {
	var entries []object
	for _, cc := range conditionConcepts() {
		entries = append(entries, entry("urn:uuid:"+g.uuid(), cc.resource(anchor().AddDate(-4, 0, 0)), "PUT", "ValueSet/"+cc.valueSet))
	}
	for _, s := range studies() {
		groupURL := "urn:uuid:" + g.uuid()
		studyURL := "urn:uuid:" + g.uuid()
		group := obj(
			"resourceType", "Group",
			"id", s.group,
			"meta", meta(s.start),
			"type", "person",
			"actual", false,
			"name", "Eligibility criteria: "+s.title,
			"characteristic", s.criteria,
		)
		var ext []object
		if s.tree != nil {
			ext = []object{obj("url", extEligTree, "valueString", string(s.tree.append(nil)))}
		}
		focus := make([]object, len(s.focus))
		for i, f := range s.focus {
			focus[i] = concept(f)
		}
		study := obj(
			"resourceType", "ResearchStudy",
			"id", s.id,
			"meta", meta(s.start),
			"extension", ext,
			"identifier", []object{obj("system", sysStudyID, "value", s.id)},
			"title", s.title,
			"status", s.status,
			"primaryPurposeType", concept(code{"http://terminology.hl7.org/CodeSystem/research-study-prim-purp-type", "treatment", "Treatment"}),
			"phase", concept(code{"http://terminology.hl7.org/CodeSystem/research-study-phase", s.phase, studyPhaseDisplay[s.phase]}),
			"condition", focus,
			"description", s.description,
			"enrollment", []object{ref(groupURL)},
			"period", periodOf(s.start, time.Time{}),
			"sponsor", refd("Organization/"+orgSponsor, organizationName(orgSponsor)),
			"principalInvestigator", refd("Practitioner/"+s.pi.id, s.pi.name),
			"site", []object{refd("Location/"+s.site, locationName(s.site))},
		)
		entries = append(entries,
			entry(groupURL, group, "PUT", "Group/"+s.group),
			entry(studyURL, study, "PUT", "ResearchStudy/"+s.id),
		)
	}
	return bundle(entries)
}

var riskDisplay = map[string]string{"low": "Low likelihood", "moderate": "Moderate likelihood", "high": "High likelihood"}

// riskBundle is cds.risk's content: RiskAssessments as an upstream Flink job
// emits them (meta.source names the job).
func riskBundle(g *gen) object {
	type risk struct {
		patient, source, model, modelDisplay string
		outcome                              code
		level                                string
		p                                    float64
		at                                   time.Time
	}
	risks := []risk{
		{RecoveringPatient, "flink://sepsis-risk", "sepsis-v3", "Sepsis risk model v3", outcomeSepsis, "high", 0.82, anchor().Add(-60 * time.Hour)},
		{DeterioratingPatient, "flink://sepsis-risk", "sepsis-v3", "Sepsis risk model v3", outcomeSepsis, "moderate", 0.34, anchor().Add(-2 * time.Hour)},
		{HeartFailurePatient, "flink://readmission-risk", "readmit-30d-v2", "30-day readmission model v2", outcomeReadmit, "moderate", 0.27, anchor().Add(-20 * time.Hour)},
		{"pt-0010", "flink://readmission-risk", "readmit-30d-v2", "30-day readmission model v2", outcomeReadmit, "low", 0.08, anchor().AddDate(0, 0, -20)},
		{"pt-0024", "flink://deterioration-risk", "deterioration-v1", "Community deterioration model v1", outcomeDeteriorat, "low", 0.12, anchor().AddDate(0, 0, -3)},
	}
	var entries []object
	for _, r := range risks {
		id := g.uuid()
		res := obj(
			"resourceType", "RiskAssessment",
			"id", id,
			"meta", obj("versionId", "1", "lastUpdated", dt(r.at), "source", r.source),
			"status", "final",
			"method", concept(code{"https://chartline.health/fhir/CodeSystem/risk-model", r.model, r.modelDisplay}),
			"subject", ref("Patient/"+r.patient),
			"occurrenceDateTime", dt(r.at),
			"prediction", []object{obj(
				"outcome", concept(r.outcome),
				"probabilityDecimal", r.p,
				"qualitativeRisk", concept(code{sysRiskProb, r.level, riskDisplay[r.level]}),
			)},
		)
		entries = append(entries, entry("urn:uuid:"+id, res, "PUT", "RiskAssessment/"+id))
	}
	return bundle(entries)
}

// matchesBundle is trials.matches' content: ResearchSubjects as the upstream
// "approved patients" feed emits them.
func matchesBundle(g *gen) object {
	type match struct {
		patient, study, status string
		since                  time.Time
	}
	matches := []match{
		{HER2Patient, HER2Study, "on-study", anchor().AddDate(0, 0, -60)},
		{HeartFailurePatient, HeartFailureStudy, "candidate", anchor().AddDate(0, 0, -10)},
		{"pt-0014", AFStudy, "eligible", anchor().AddDate(0, -5, 0)},
		{"pt-0018", TMBStudy, "candidate", anchor().AddDate(0, 0, -30)},
	}
	var entries []object
	for _, m := range matches {
		id := g.uuid()
		res := obj(
			"resourceType", "ResearchSubject",
			"id", id,
			"meta", obj("versionId", "1", "lastUpdated", dt(m.since), "source", "flink://trial-matching"),
			"status", m.status,
			"period", periodOf(m.since, time.Time{}),
			"study", ref("ResearchStudy/"+m.study),
			"individual", ref("Patient/"+m.patient),
		)
		entries = append(entries, entry("urn:uuid:"+id, res, "PUT", "ResearchSubject/"+id))
	}
	return bundle(entries)
}
