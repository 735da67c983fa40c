// Package record checks every Kafka record Chartline consumes against the
// record rules (README, "Topics") and derives the index entry (store.Meta) the
// store keeps beside the raw JSON.
//
// # Rules
//
// Decode keeps a record when its value is at most MaxValueBytes, valid UTF-8,
// a JSON object whose resourceType is one of the 146 FHIR R4 (4.0.1)
// resource types and equals the key's type, whose id equals the key's id, and
// whose patient references, where it has any, point at the topic's patient (a
// Patient resource on a patient topic must be that patient). Anything else is
// refused with a *Refusal: one Reason (a few words, safe to log, counted in
// the quarantine view) and a Detail that says exactly what is wrong ("key
// says Observation/7, resource id is 8"). Hostile input is refused too:
// nesting deeper than MaxDepth (64), an array longer than MaxArrayLen
// (10,000), a number beyond float64. Every refusal has its own Reason
// constant.
//
// A patient reference is a Reference in subject, patient, beneficiary,
// individual, for or candidate (an Appointment's participant actor, an
// AppointmentResponse's or Schedule's actor, a Person's link target, a
// Provenance's target, an AuditEvent's entity.what) that names a Patient.
// Which patient is decided by the one patient-reference rule (RefRule, in
// reference.go), the rule `chartline publish` routes by: "Patient/<id>" (an
// optional "/_history/<v>"), or a bare id with type "Patient", names a local
// patient; so does "<base>/Patient/<id>" when the base is declared local
// (config local_fhir_bases, Decoder.Refs); under any other base it names a
// patient on another server, refused on a patient topic as "subject on
// another server" (ReasonForeignPatient). References that cannot be resolved
// to an id (urn:uuid, conditional "Patient?…", contained "#…", identifier
// only) are kept, not refused, and noted in Meta.Problems. A Group, Device or
// Location subject is not a patient.
//
// The scanner is also exported, as Doc and ParseJSON, for app/publish: one
// JSON walker reads every input file and every record (publish splits Synthea
// style bundles at about 175 MB/s with it, against 61 MB/s with its former
// encoding/json-validated shallow walker; BenchmarkSplit).
//
// # Tolerance
//
// Real feeds are messy: a record that passes the rules is kept even when the
// typed R4 model (golang-fhir-models) cannot read every element. Decode
// walks the JSON against a schema reflected from the model's structs, so it
// finds, in one walk and without the cost of the typed decode, what the model
// would fail on (an element of the wrong shape, a code outside its value set)
// or silently drop (an element that is not R4, such as an STU3 leftover);
// with what it misses (a required element, a readable date) and what it
// cannot check (an unresolved patient), each goes into Meta.Problems in words
// with its path:
//
//	status: unknown code "finished"
//	component[1].valueQuantity.value: decimal written as a string "7.2"
//	assertedDate: not an R4 element of Condition; dropped
//	occurrence[x]: required element missing
//	effectiveDateTime: time without a zone, read as UTC "2020-05-01T10:00:00"
//	subject: unresolved patient reference "urn:uuid:…" (not checked against the topic's patient)
//
// At most 16 problems are kept per resource, then a count. Contained
// resources and Bundle entries are checked as resources of their own type;
// primitive extensions ("_birthDate") are valid and not reported. Meta is
// read just as tolerantly: a lone object where R4 has an array, an STU3 code
// string where R4 has a CodeableConcept, a decimal in a string, a dateTime
// without a zone (read as UTC, noted) all still give their value.
//
// # Meta
//
// Time is the clinical time by type (Observation effective[x] else issued,
// Condition onset[x] else recordedDate, Encounter period, …; see derive),
// else meta.lastUpdated; partial dates read as their first instant in UTC.
// Display is one line a clinician reads ("Blood pressure 142/91 mmHg",
// "Hemoglobin A1c 7.2 % (H)", "Type 2 diabetes mellitus (active)"); a status
// of entered-in-error always shows. For Conditions and AllergyIntolerances,
// Status is the clinicalStatus code, except that a verificationStatus of
// entered-in-error or refuted replaces it, so a filter on "active" never
// shows what was never there. Codes are "system|code", the primary first.
// Unit is the UCUM code when the quantity is coded in UCUM, else its unit
// text. A RiskAssessment's Value is its first prediction's
// probabilityDecimal as written (0–1) and its ValueText the qualitative risk;
// a Goal's Value, Low and High come from its first target.
//
// Category is one of the Category constants:
//
//	vital-signs     Observations with category vital-signs, or a vital-signs LOINC code and no other category
//	laboratory      Observations with category laboratory; Specimens
//	imaging         Observations with category imaging; ImagingStudy, Media
//	observation     other Observations (social history, surveys, exams); FamilyMemberHistory
//	condition       Condition
//	medication      MedicationRequest, MedicationStatement, MedicationAdministration, MedicationDispense, Medication
//	allergy         AllergyIntolerance, including "no known allergy" entries (IsNoKnownAllergy tells them apart)
//	immunization    Immunization, ImmunizationEvaluation, ImmunizationRecommendation
//	procedure       Procedure
//	encounter       Encounter, EpisodeOfCare, Appointment
//	report          DiagnosticReport, ClinicalImpression
//	document        DocumentReference, Composition, DocumentManifest
//	care-plan       CarePlan, CareTeam, ServiceRequest, Task, RequestGroup, NutritionOrder
//	goal            Goal
//	risk            RiskAssessment, Flag, DetectedIssue
//	device          Device, DeviceUseStatement, DeviceRequest
//	research        ResearchStudy, ResearchSubject, Group
//	demographics    Patient, RelatedPerson
//	administrative  Practitioner, PractitionerRole, Organization, Location, HealthcareService, Endpoint, Person, Schedule, Slot, Consent
//	financial       Claim, ClaimResponse, ExplanationOfBenefit, Coverage, Account, Invoice, ChargeItem, …
//	audit           AuditEvent, Provenance
//	other           everything else
//
// # Cost
//
// Decode makes one pass over the bytes (a scanner that checks syntax, depth,
// array length and number range while it builds a flat node list pointing
// into the value, after a fast UTF-8 check), then walks the nodes: rules,
// schema, Meta, with the resource's own members found through a small hash
// index. Its buffers come from a sync.Pool, so parallel callers share no
// lock. On this 2-core machine a 1.5 KB vital-sign Observation takes about
// 5 µs and 17 small allocations, under 3 µs per record with both cores
// decoding (BenchmarkDecode); the design not taken, encoding/json into a
// small struct plus the typed decode for problems, took about 40 µs (23 µs
// with GOEXPERIMENT=jsonv2). The first call builds the
// schemas of all 146 types by reflection (10–25 ms). Memory is bounded by
// the value: at most one 16-byte node per two bytes of JSON.
//
// Typed, the full golang-fhir-models decode (about 20 µs for the same
// Observation, 15 µs with GOEXPERIMENT=jsonv2), is for views only.
//
//go:generate go run gen_types.go
package record
