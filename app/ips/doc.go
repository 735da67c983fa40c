// Package ips writes a patient's HL7 International Patient Summary (IPS,
// FHIR R4, implementation guide hl7.fhir.uv.ips 2.0.0): what `chartline
// export` and the patient view's "Export summary…" write.
//
// # The document
//
// A Bundle of type document (profile Bundle-uv-ips) with an identifier and a
// timestamp; its first entry is a Composition (Composition-uv-ips, type LOINC
// 60591-5 Patient summary Document, status final) whose subject is the
// Patient entry and whose sections are, in IPS order: problems 11450-4,
// allergies 48765-2, medications 10160-0, immunizations 11369-6, results
// 30954-2, vital signs 8716-3 and procedures 47519-4 — always — and, when
// they have entries, a plan of care 18776-5 (Goals: an SpO2 target decides
// the NEWS2 SpO2 scale) and encounters 46240-8. Each section has a generated
// XHTML narrative (a table of its records' display lines, status and dates)
// and references to its entries. A section with no entry says so in its
// narrative and carries emptyReason list-empty-reason#unavailable, the
// coding IPS 2.0.0 uses for "no information" (its example
// Bundle-bundle-no-info-required-sections): Chartline cannot tell "none" from
// "not recorded", so it never writes "nil known" for the patient.
//
// The records are chosen from the store's index entries by the rules of the
// patient summary screen (Sections; views/patient_summary.go), without its
// display limits: every active problem, the allergies in force, every
// active, on-hold or intended medication, every completed immunization, the
// latest laboratory result and vital sign of each code, every procedure. So
// a store built from the document (`chartline publish` then `ingest`) shows
// the same summary. Each record's raw JSON is copied as received, with its
// references rewritten to the Bundle's urn:uuid fullUrls; records a chosen
// record references (its encounter, practitioner, location, organization…,
// in the patient's collection or fhir.reference) come along, transitively. A
// reference to a record the store does not hold loses its link and keeps its
// display, so every reference in the document resolves inside it.
//
// Authors: a Practitioner named by the workstation user's login (the person
// who asked for the summary and answers for sending it) and a Device,
// Chartline on the workstation (what compiled it). The Composition's date
// and the Bundle's timestamp are the export time.
//
// # How the document is checked
//
// Every export is checked before it is written (Checker), and the tests
// check it too. The checker reads profiles.json, a table that ./gen derives
// from the hl7.fhir.uv.ips 2.0.0 npm package (`go generate ./app/ips` runs
// `npm pack` into the user cache dir; the package is never committed): for
// each IPS profile Chartline emits, the snapshot elements with min > 0,
// max 0 or a max below the base, with the Composition's section slices (by
// section code) and the Bundle's entry slices (by the profile of their
// resource). It walks the instance along each element's path and counts
// occurrences (a choice element by any of its types; a primitive present
// only as its extension counts). On top it checks the rules a table cannot
// hold: the first entry is the Composition (bdl-11), fullUrls are unique
// (bdl-7), the identifier has system and value (bdl-9), a section has text
// or entries (cmp-1), emptyReason only without entries (cmp-2), the required
// sections have entries or an emptyReason (ips-comp-1), and every reference
// resolves inside the Bundle (FHIR R4's rules for resolving references in
// Bundles: a fullUrl, or a relative reference against the RESTful base of
// the referencing entry). It does not evaluate other FHIRPath invariants,
// value-set bindings or terminology. Where npm can fetch the package (into
// the user cache dir, outside the repository), the tests also check that
// profiles.json is exactly what ./gen derives from it and that the guide's
// own example documents pass the checker.
//
// A document that breaks the Bundle or Composition rules is Chartline's bug
// and is never written (ErrNotConformant). An entry that lacks what its IPS
// resource profile requires (a result without a performer) is the source
// record's gap: it is exported as received, and the problem reported.
package ips
