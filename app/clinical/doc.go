// Package clinical is Chartline's clinical logic: the NEWS2 early warning score
// where it applies and National PEWS for children,
// clinical-trial eligibility, the alert model with its shared lifecycle, and
// the FHIR AuditEvents of chart opens and alert actions.
//
// Everything here is pure: no I/O, no Kafka, no store writes, no clocks (time is
// passed in), no package state. The engine that feeds it from the store and
// publishes its output lives elsewhere and drives it through the functions
// below; equal inputs give equal outputs on every workstation, which is what
// makes alert ids, RiskAssessments and merged alert states agree across them.
// Inputs are the store's index entries (store.Item, store.Meta), with codes in
// "system|code" form.
//
// # NEWS2
//
// NEWS2(vitals, goals, opts) scores the patient's latest vital signs on the
// Royal College of Physicians' NEWS2 chart (2017). Per parameter it takes the
// latest usable Observation (latest clinical time, then meta.lastUpdated, then
// Type/id, so every workstation picks the same one):
//
//	respiration    LOINC 9279-1, /min
//	spo2           LOINC 59408-5 or 2708-6, %
//	air_or_oxygen  components 3151-8 inhaled O2 flow (L/min; > 0 is oxygen) or 3150-0
//	               inhaled O2 concentration (%; > 21 is oxygen) of the SpO2 Observation,
//	               or an Observation whose own code is 3151-8 or 3150-0
//	systolic       LOINC 8480-6 alone, or its component in panel 85354-9 or 55284-4, mm[Hg]
//	pulse          LOINC 8867-4, /min
//	consciousness  LOINC 67775-7 or SNOMED CT 1104441000000107, answered by the SNOMED CT
//	               ACVPU codes (248234008 alert, 130987000 new confusion, 300202002 voice,
//	               450847001 pain, 422768004 unresponsive), else by text: a single letter
//	               A/C/V/P/U, or the words (unresponsive, pain, voice, confus…, alert);
//	               negated text ("not alert") is skipped, never guessed
//	temperature    LOINC 8310-5, 8331-1, 8332-9, 8333-7, 8328-7, 8334-5; Cel, [degF]
//	               (converted to °C) or K
//
// Units are UCUM codes; annotations are ignored ({breaths}/min is /min). A
// reading is skipped, with its reason in Result.Skipped, when its unit cannot
// be used, it has no value or a comparator ("<90"), its status is not final,
// amended, corrected or preliminary, it has no time, or it is implausible
// (SpO2 above 100 %, a temperature outside 10–50 °C: Chartline's own limits,
// which catch Fahrenheit labelled Cel). Skipped lists only readings newer than
// the one used, i.e. the ones that would otherwise have counted. No SNOMED
// "on oxygen" finding is read: oxygen is taken only from the LOINC codes above.
// Without any air-or-oxygen evidence the parameter is missing (NEWS2Options.AssumeAir
// scores air instead, at the cost of under-scoring an uncharted oxygen patient).
//
// Values between the chart's rows are rounded half away from zero to the
// chart's resolution (whole numbers; tenths of a degree for temperature)
// before scoring, so 20.4 breaths/min scores as 20 and 38.05 °C as 38.1.
//
// SpO2 Scale 2 applies only where a hypercapnic target is recorded: an active
// FHIR Goal (lifecycleStatus "active") whose target.measure is SpO2 (59408-5 or
// 2708-6) and whose target range has a high of at most 92 % (RCP: the
// prescribed 88–92 %). Its index entry carries the measure codings in Codes,
// the range in Low/High (HasLow/HasHigh), the unit "%" or none, and the
// lifecycleStatus in Status. NEWS2Options.Scale = Scale1Only ignores such
// Goals (a local policy). On Scale 2, SpO2 of 93 % or more scores 0 on air and
// 1/2/3 on oxygen (93–94/95–96/≥97); when air or oxygen is not known, such a
// reading cannot be scored and spo2 is reported missing with the reason.
//
// Staleness: NEWS2At(…, now) measures the window (NEWS2Options.Window,
// default 24 h, the policy setting StaleVitals) back from now: a parameter
// whose latest reading is older than now − window is stale, listed in Stale
// and in Missing, not scored; a reading exactly at the window's edge is fresh.
// NEWS2 without now measures back from the newest vital sign: the score as it
// stood then, for trends and the episode series. Result.AsOf(now) re-judges a
// stored result later (the views, inspect), so a score whose data has aged
// out shows stale without waiting for new data.
//
// # Score status (scorestatus.go)
//
// Every score (NEWS2 and PEWS) has a Status: complete (all 7 parameters),
// partial (MinScoredParameters = 4 or more: "partial — 5 of 7; missing …"),
// insufficient (fewer than 4 current values: no band, never a band from one
// or two readings), stale (values exist, none inside the window) or
// not-applicable; Band is "none" unless complete or partial. Why says it in
// words; ObservedAt is the oldest value used, Newest the newest. The 4-of-7
// minimum is Chartline's own decision: the charts assume a full set, and a
// lone systolic pressure scoring "Low" reads as reassurance it is not.
//
// # Applicability (applicability.go)
//
// Applies decides before any score, at the time of the newest vital sign:
// deceased (deceasedBoolean true or deceasedDateTime) → no score ("NEWS2 does
// not apply: deceased 14 Mar 2012"); under 16 → National PEWS on the age
// band of that age ("NEWS2 does not apply: age 7 — PEWS shown"); pregnant →
// no NEWS2 (RCP NEWS2 2017 ch. 1; an obstetric score is outside Chartline);
// else NEWS2. Pregnant: the newest pregnancy-status Observation (LOINC
// 82810-3, SNOMED 77386006 pregnant / 60001007 not pregnant, or the words)
// within 44 weeks decides; else an active, unabated Condition coded in the
// pregnancy hierarchy (SNOMED 77386006 and the descendants listed, ICD-10(-CM)
// O00–O9A, Z33, Z34, Z3A) with onset within 44 weeks. 44 weeks is
// Chartline's rule: an older "active" pregnancy is one nobody closed. A
// partial birth date is read at its latest day (nobody who may be a child is
// scored as an adult); without a birth date NEWS2 applies, "age not recorded"
// said beside it.
//
// # National PEWS (pews.go)
//
// PEWS(vitals, ageMonths, opts, now) scores the seven numerically scored
// parameters of the NHS England / RCPCH National PEWS charts (2023) on the
// chart of the child's age band (0-11m, 1-4y, 5-12y, 13y+; changes on the
// 1st, 5th and 13th birthdays): respiration, respiratory distress (SNOMED
// 1364081000000103: none 0, mild 1, moderate 2, severe 4), SpO2, oxygen
// support (flow 3151-8 or concentration 3150-0 on the SpO2 Observation),
// heart rate, systolic pressure, capillary refill (LOINC 44963-7 or SNOMED
// 15527001, seconds). Cell scores are 0/1/2/4 (white, yellow, orange, pink);
// the tables in pews.go cite the chart. AVPU and temperature are on the chart
// but not in the total (the SPOT NPEWS configuration): AVPU V raises the
// escalation to at least high, P or U to emergency; 38 °C or more, or under
// 36 °C, prompts "think sepsis". Escalation by total: 0 none, 1–4 low, 5–8
// medium, 9–12 high, 13+ emergency. Where the chart is silent Chartline
// decides, towards escalation: a capillary refill between 2 and 3 s scores 2;
// an inhaled concentration of 21 % or less is room air (0); an oxygen device
// (high flow, CPAP, BiPAP: 4 on the chart) is not read.
//
// # Guidance (guidance.go)
//
// NEWS2Guidance gives the RCP NEWS2 clinical response for the aggregate (0;
// 1–4; a single 3; 5–6 urgent; 7+ emergency response, continuous monitoring),
// PEWSGuidance the National PEWS escalation response (low, medium, high,
// emergency: who reviews, how soon, how often to observe). Neither is given
// for a score without a band.
//
// Missing parameters: the RCP chart assumes a full set, but a partial set must
// still warn. The Total is the sum of the parameters scored, Missing lists the
// others in chart order, and Complete is true only when all seven are scored.
// The band comes from the partial sum, in this order of precedence: no scored
// parameter → "none"; total ≥ 7 → "high"; 5–6 → "medium"; any single parameter
// scoring 3 → "low-medium"; otherwise "low". Red is set whenever a single
// parameter scores 3, whatever the band. A partial score can only under-state
// the full one, so a band from it is a floor.
//
// RiskAssessmentJSON renders a Result as a FHIR R4 RiskAssessment (method and
// code SNOMED CT 1104051000000101, basis the Observations scored,
// qualitativeRisk low / moderate (low-medium and medium) / high, the score in
// the rationale, a note and the news2-* extensions under ExtensionBase).
//
// # Alerts
//
// An Alert's id is AlertID(patient, kind, trigger Type/id, trigger version,
// detail…) = "al-" + 20 base32 characters of a SHA-256, so two workstations
// with the same data raise the same alert and a replay raises none.
//
// NEWS2Alert raises one when the band rises into low-medium, medium or high
// (never on a fall or when the band stays). Its trigger is the newest
// Observation the current result scored, and the band reached is part of the
// id: a second rise caused by the same Observation (a Goal removed, say) is a
// new alert, a recomputation is not. Severity is the band.
//
// RiskAlert reads an upstream RiskAssessment (cds.risk): qualitativeRisk (HL7
// risk-probability) high or certain → severity high, moderate → medium;
// probabilityDecimal above RiskOptions.Threshold (default 0.5, strictly above)
// → medium, at or above HighThreshold (default 0.8) → high; the higher of the
// two wins. A probability above 1 is read as a percentage (R4 allows 0–100),
// so 1 means 100 %. Its source label is meta.source, else performer.display,
// else the record's "source" header the caller passes, else "upstream". Its
// trigger is the RiskAssessment and its meta.versionId (else meta.lastUpdated):
// a new version raises a new alert. Statuses other than final, amended,
// corrected and preliminary raise nothing.
//
// # Alert lifecycle
//
// An alert is new, acknowledged, escalated or resolved. Users act on it with
// an Action (id, verb, by, workstation, at, note); the verbs are acknowledge,
// escalate, resolve, reopen and note. The AlertState (alert id, patient, kind,
// every action) is what spv.alert-state carries, key = alert id, as version 1
// JSON:
//
//	{"v": 1, "alert": "al-…", "patient": "p-1", "kind": "news2",
//	 "actions": [{"id": "ac-…", "verb": "acknowledge", "by": "dr.jones",
//	              "workstation": "ward7-pc2", "at": "2026-11-22T10:15:00Z", "note": "seen"}]}
//
// Actions are written sorted, in UTC, so equal states are equal bytes. Readers
// refuse a higher "v" (ErrUnsupportedVersion) and ignore unknown fields and
// verbs.
//
// Merge is the union of actions by id: commutative, associative and idempotent.
// The state is derived, never stored: the actions are applied in (At,
// Workstation, ID) order by a total fold, so concurrent actions resolve
// deterministically (the later one wins; a tie in time goes to the greater
// workstation id):
//
//	acknowledge  new → acknowledged; otherwise no change (a concurrent second acknowledge is moot)
//	escalate     any → escalated (an escalation after a concurrent resolve wins: the safer outcome)
//	resolve      any → resolved
//	reopen       resolved → acknowledged (whoever reopens has seen it); otherwise no change
//	note         no change
//
// Local actions go through AlertState.Apply, which is stricter (Legal):
// acknowledge only a new alert; escalate or resolve an open one (resolving
// straight from new is allowed, for a false alarm; re-escalating is allowed);
// reopen only a resolved one; escalating a resolved alert is refused
// (ErrIllegalTransition): reopen it first. A note needs text. An action must be
// later than the latest one recorded (AlertState.NextAt gives a safe time even
// when this workstation's clock is behind), so a response never sorts before
// what it answers.
//
// # Trial eligibility
//
// A study's eligibility is a Criterion tree evaluated with Kleene's
// three-valued logic: each criterion is met, not met, or not evaluable, and
// missing data is not evaluable, never "not met". The leaves:
//
//	condition    a Condition inside the concept of the codes (trials_terminology.go:
//	             code-system aware, "system|code"; descendants count unless "exact":
//	             DefaultHierarchy for SNOMED CT NSCLC, breast cancer, heart failure;
//	             ICD-10, ICD-10-CM and ICD-O-3 by code prefix, C34 ⊇ C34.90, WHO
//	             ICD-10 and ICD-10-CM one family; a "valueSet" adds its expansion,
//	             published on trials.studies). Active (active, recurrence, relapse,
//	             or no clinicalStatus) unless "anyStatus". Not evaluable when the
//	             patient has no Conditions at all; not met when the problem list
//	             exists without it ("not on record — confirm"), or has it only
//	             inactive.
//	observation  an Observation with one of the codes or their LOINC alternates
//	             (DefaultAlternates: HER2 by IHC, ISH, interpretation; candidates narrowed by
//	             "where" component tests, e.g. gene studied = EGFR), its value tested
//	             by code, text or quantity and its components by "components". The
//	             latest candidate counts ("any": every candidate, met if one passes).
//	             No candidate: not evaluable. A coded value decides when it is in
//	             the test's code system (a different system is not evaluable); text
//	             without a coding decides only when it equals one of "text". A
//	             quantity with its own comparator is an interval: ">20" meets "≥ 10",
//	             "<15" against "≥ 10" is not evaluable. A value in a commensurable
//	             UCUM unit is converted (trials_units.go: 1/1000000{Base} ≡ {#}/[Mb]);
//	             one in another unit is not evaluable.
//	variant      a genetic variant in one of the genes (HGNC): an Observation with
//	             component 48018-6 gene studied = the gene, and a positive coded result
//	             (LOINC LA9633-4 Present, SNOMED CT 260373001 Detected or 10828004
//	             Positive, or the words) or a variant component (81252-9, 48004-6,
//	             48005-3), matching "variants" when given. A negative result (LA9634-2,
//	             260415000, 260385009, or the words) is not met; no test of the gene is
//	             not evaluable.
//	age          completed years at Facts.Now, inclusive min/max; a partial birth date
//	             gives a range of ages: met only if all of it fits.
//	sex          administrative gender; unknown or missing is not evaluable.
//
// "Has no" exclusions are written as not over a leaf ({"not": {"condition": …}});
// they are listed as one finding, "no …", met when the patient does not have it,
// and never met while the patient has a record inside the excluded concept
// (a resolved one makes it not evaluable: "… — confirm").
//
// Only studies whose R4 status is "active" match (Study.Recruiting); approved,
// in-review, closed-to-accrual and the others do not, so a study closing ends
// its matches. A deceased patient never matches. Evaluation.Eligible is the
// whole tree met. Evaluation.Match, which raises the notification, is laxer:
// nothing decisive is not met (the tree is not "not met") and every key leaf
// is met, where key leaves are the condition, observation and variant leaves
// outside any not (the study's condition and biomarkers; "key" overrides it
// per leaf). The tree is evaluated a second time with the non-key leaves
// standing neutral to decide that; with no key leaf at all, Match needs the
// whole tree met. The notification lists what is met, not met and not
// evaluable (Evaluation.Met, NotMet, NotEvaluable) for the clinician to check.
//
// A ResearchStudy's eligibility comes from (first match wins):
//
//  1. the extension ExtEligibilityCriteria
//     ("https://chartline.health/fhir/StructureDefinition/eligibility-criteria")
//     whose valueString is a tree in the JSON form below; or
//  2. its enrollment Group: an AND of one criterion per characteristic,
//     exclude = true wrapping it in not. A characteristic whose code is
//     LOINC 30525-0 / SNOMED CT 424144002 or 397669002 is an age (valueRange or
//     valueQuantity with comparator, in years "a"); LOINC 46098-0 or 76689-9 /
//     SNOMED CT 263495000 is a sex; SNOMED CT 64572001 or 439401001 / LOINC
//     29308-4 or 11450-4 with a coded value is a condition (the value's codes);
//     LOINC 48018-6 with an HGNC value is a variant in that gene; any other code
//     with valueCodeableConcept, valueQuantity or valueRange is an observation of
//     that code with that value; with valueBoolean it is the presence of that
//     Observation (LOINC code) or Condition (any other system), false meaning
//     absence. Anything else becomes an "unsupported" criterion: never
//     evaluable, always listed.
//
// The JSON form of a tree (Criterion): each object has exactly one of "and",
// "or" (arrays), "not" (object), or a leaf ("condition", "observation",
// "variant", "age", "sex"), plus an optional "label" (the words the findings
// use) and "key". Unknown fields are refused. Example (NSCLC with an EGFR
// or ALK variant, tumour mutational burden (LOINC 94076-7) ≥ 10, adults, no active
// interstitial lung disease):
//
//	{"and": [
//	  {"label": "Non-small cell lung cancer",
//	   "condition": {"codes": ["http://snomed.info/sct|254637007"]}},
//	  {"or": [
//	    {"label": "EGFR mutation", "variant": {"genes": ["http://www.genenames.org/geneId|HGNC:3236"]}},
//	    {"label": "ALK rearrangement", "variant": {"genes": ["http://www.genenames.org/geneId|HGNC:427"]}}
//	  ]},
//	  {"label": "TMB ≥ 10 mut/Mb",
//	   "observation": {"codes": ["http://loinc.org|94076-7"],
//	                   "value": {"quantity": {"comparator": ">=", "value": 10, "unit": "{mutations}/[Mb]"}}}},
//	  {"label": "Adult", "age": {"min": 18}},
//	  {"label": "No interstitial lung disease",
//	   "not": {"condition": {"codes": ["http://snomed.info/sct|233703007"]}}}
//	]}
//
// # AuditEvents
//
// ChartOpenedAudit and AlertActionAudit write FHIR R4 AuditEvents after the IHE
// Basic Audit Log Patterns patient-read pattern: type DICOM 110110 Patient
// Record, outcome 0, recorded = the time, agent 1 the user (requestor, who by
// identifier and display), agent 2 the workstation (network address, type 1
// machine name), source.observer the workstation, entity the patient
// (Patient/<id>, type 1 Person, role 1 Patient). A chart open is subtype read,
// action R. An alert action is action E (the user executed an application
// function on the patient's alert; the alert is not a FHIR resource being
// updated), subtype the verb in SystemAlertAction, with a second entity naming
// the alert and the action id; the note stays out of the audit trail. AuditID
// derives ids, so a retried write is the same event. ParseAudit reads any
// AuditEvent back into an AuditSummary for "who else opened this chart".
package clinical
