// Package publish turns FHIR input (Bundles of any type, single resources,
// NDJSON) into Kafka records for Chartline's topics (README, "Topics") and
// produces them: what `chartline publish` and the demo simulator use.
//
// # Routing
//
// Split sends each resource to one topic:
//   - a Patient to its own topic, fhir.patient.<id>;
//   - a RiskAssessment to cds.risk, even though it has a subject: cds.risk is
//     the contract topic for upstream risk scores, the clinical engine reads
//     them there by subject, and one resource must not live in two places;
//   - a ResearchStudy to trials.studies, and a Group there too when it plays
//     an enrollment role: a ResearchStudy in the same input names it in
//     enrollment, or it is a definitional Group (actual=false) with
//     characteristics, which is what eligibility criteria look like;
//   - a ValueSet to trials.studies when an eligibility Group there names it
//     (characteristic.valueReference, by id or canonical url): its
//     expansion is part of the criterion's concept;
//   - a ResearchSubject to trials.matches (its individual is a patient, but
//     the topic is the upstream match feed);
//   - any other resource whose subject, patient, beneficiary, individual,
//     candidate or for (an Appointment's, AppointmentResponse's or
//     Schedule's actor, a Person's link target, a Provenance's target)
//     names a local patient under the patient-reference rule of app/record
//     (record.RefRule: relative, resolved within its Bundle, or absolute
//     under a declared local base; Decode checks the same rule on ingest),
//     to that patient's topic;
//   - everything else (Practitioner, Organization, Location, Medication, an
//     Observation about a Group, a resource about a patient on another
//     server, …) to fhir.reference.
//
// A resource whose references name two different local patients, or a
// local patient and one on another server, has no topic: it is refused
// ("two patients", "subject on another server").
//
// # Refusals
//
// Split keeps going: every entry that can be published is, and each one that
// cannot is a Refusal naming the entry or line, with a Reason in a few words
// (counted by `chartline publish`) and a detail; SplitAll returns them beside
// the records, Split turns the first into an error and returns no record.
// Input the walker cannot read at all (a file that is not JSON) is one
// refusal; an NDJSON line that is not JSON is refused alone and the next
// lines are read. The input is read with app/record's JSON walker
// (record.ParseJSON), the scanner that also decodes every record on ingest.
//
// # References
//
// Within a Bundle, a reference equal to an entry's fullUrl (urn:uuid:…,
// urn:oid:…, or an absolute URL) becomes "Type/id", and a conditional
// reference ("Patient?identifier=system|value", "_id=…") that matches exactly
// one entry of the bundle becomes that entry's "Type/id". The rewrite is done
// on the bytes of each "reference" value: every other byte of the resource is
// published exactly as it came in, unknown fields, order and spacing included.
// Conditional references that match nothing in the bundle stay as they are,
// except in the field that names the resource's patient, where they are an
// error: the resource could not be routed.
//
// A resource without an id gets the id of its urn:uuid or urn:oid fullUrl, or
// the id of its PUT request URL, or else a deterministic one (the first 16
// bytes of the SHA-256 of its type and JSON, in hex), inserted as the first
// member of the JSON object.
//
// # Deletes
//
// A Bundle entry with request DELETE becomes a tombstone (a nil value) keyed
// "Type/id". The URL may be "Type/id" (absolute or relative) or a conditional
// "Type?_id=id" with an optional "patient=" or "subject=" naming the patient.
// A Patient's tombstone goes to its own topic; RiskAssessment, ResearchStudy
// and ResearchSubject tombstones to their shared topics; a Group's to both
// trials.studies and fhir.reference (a tombstone for a key a topic never held
// is harmless); the tombstone of another patient-compartment type (FHIR R4
// CompartmentDefinition patient) goes to the patient its URL names, or, when
// the Bundle holds resources of exactly one patient, to that patient; other
// types go to fhir.reference.
//
// Entries without a resource that are not DELETE (GET, HEAD) and search
// entries of mode "outcome" publish nothing. PATCH entries are an error.
package publish
