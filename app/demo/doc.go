// Package demo is Chartline's demo data: a synthetic patient population, a
// trial catalogue and upstream records, generated deterministically as FHIR R4
// fixtures; a bulk generator for benchmarks; and a live simulator that keeps
// producing records so the product can be shown with no external system.
//
// Everything here is invented. No record describes a real person.
//
// # Fixtures
//
// `go generate ./app/demo` writes assets/fixtures (embedded by package assets):
// one gzip-compressed transaction Bundle per patient ("patient-<id>.json.gz"),
// plus reference.json.gz (Organizations, Locations, Practitioners for
// fhir.reference), studies.json.gz (ResearchStudies with their enrollment
// Groups for trials.studies), risk.json.gz (RiskAssessments for cds.risk) and
// matches.json.gz (ResearchSubjects for trials.matches). Generation is
// deterministic: math/rand/v2 PCG streams from Seed, one stream per patient,
// ordered JSON members, gzip with a zero header at a fixed level.
//
// Bundles are written the way Synthea writes them: every entry has a
// urn:uuid fullUrl, and references inside a Bundle (subject, encounter,
// result, reasonReference, enrollment) use those urn:uuids; request is POST
// for clinical resources and PUT for the rest. Ids:
//
//   - clinical resources (Encounter, Observation, Condition, …) use the uuid of
//     their fullUrl as id;
//   - Patients, Practitioners, Organizations, Locations, ResearchStudies and
//     Groups have readable, stable ids ("pt-0001", "pr-03", "org-kvgh",
//     "rs-egfr-nsclc"), because topics, tests and other feeds name them; their
//     fullUrl is still a urn:uuid, so a publisher must resolve a urn:uuid to the
//     entry's Type/id (not to the uuid) when it rewrites references.
//
// Patient resources reference the providers literally ("Practitioner/pr-03",
// "Organization/org-kvgh", "Location/loc-icu"), which live on fhir.reference.
// Upstream RiskAssessments and ResearchSubjects reference "Patient/<id>".
// Histories lead up to Anchor (2026-11-23T06:00Z); the simulator continues
// from the wall clock.
//
// # The cast
//
// About 25 patients with 1–5 years of history (Patients lists them). Those
// that demonstrate something have named ids: DeterioratingPatient,
// COPDPatient (a hypercapnic target recorded as an active Goal with
// target.measure LOINC 59408-5 and target.detailRange 88–92 %, which puts
// NEWS2 on SpO2 Scale 2), NSCLCPatient (EGFR result arrives from the
// simulator), ICUPatient (20,000+ Observations), RecoveringPatient,
// NoKnownAllergiesPatient (SNOMED CT 716186003), NoAllergyInfoPatient,
// HeartFailurePatient and HER2Patient. Vital signs follow the FHIR vital-signs
// profiles: BP panel 85354-9 with 8480-6/8462-4 components, SpO2 59408-5 (and
// 2708-6) with an inhaled-oxygen component (3151-8 flow in L/min, or 3150-0
// concentration in % while ventilated), 9279-1, 8867-4, 8310-5 in Cel or
// [degF], and ACVPU as LOINC 67775-7 with SNOMED CT answers.
//
// # Studies and eligibility
//
// Each ResearchStudy has an enrollment Group (type person, actual false)
// whose characteristics are an AND of leaves:
//
//   - a condition: code SNOMED CT 439401001 "Diagnosis", valueCodeableConcept = the condition;
//   - an observation with a coded value: code = the observation code, valueCodeableConcept;
//   - an observation with a quantity: code, valueQuantity with comparator;
//   - age: code LOINC 30525-0, valueRange in years (UCUM "a");
//   - sex: code LOINC 46098-0, valueCodeableConcept administrative-gender;
//   - exclude true negates a leaf.
//
// Studies that need or/not also carry the tree as an extension on the
// ResearchStudy, url https://chartline.health/fhir/StructureDefinition/eligibility-criteria,
// valueString the JSON form app/clinical defines (clinical.Criterion: "and",
// "or", "not", leaves "condition", "observation", "variant", "age", "sex",
// each with a "label"); app/clinical then ignores the Group.
//
// Biomarkers are genetic variant assessments (LOINC 69548-6, value LA9633-4
// Present) with components 48018-6 gene studied (HGNC, e.g. HGNC:3236 EGFR)
// and 48005-3 amino-acid change (HGVS); the EGFR study's leaf is
// 48018-6 = HGNC:3236, which app/clinical reads as a variant in that gene.
//
// # Loading and simulating
//
// LoadFixtures publishes the embedded fixtures through publish.Split and
// Publisher.Publish, exactly as `chartline publish` would. Simulate then keeps
// the demo alive until its context ends: a NEWS2 round for each inpatient
// every few seconds, the deteriorating patient walking from low through
// low-medium and medium to high within the first 36 s while the
// recovering one falls (the stages are boxes of vital signs inside single
// NEWS2 sub-score bins, see scenario.go, so every sample scores its stage's
// band), a new admission on a new patient topic at 20 s and then every
// minute, lab results, the NSCLC patient's EGFR result at 30 s, an amended lab result and a
// record deleted as entered in error, and once, at 50 s, a result a
// misconfigured interface puts on the wrong patient's topic (the record
// rules refuse it as another patient's, so the Quarantine screen shows a
// real refusal). SimOptions sets the rates and the
// timing; Speed plays it faster for tests. Its records are built the same
// way as the fixtures and go through Split too.
//
// # Bulk
//
// Bulk streams any number of realistic resources (about 1.5 KB on average,
// each with a generated narrative as servers add one) over many bulk patient
// topics, deterministically and in constant memory, for `make bench` and
// crash tests: about 40,000–80,000 records/s on one core of this machine.
package demo
