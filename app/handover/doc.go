// Package handover writes the printable I-PASS handover sheet of a ward list
// or of chosen patients: what the census's "Print handover…" and `chartline
// handover` write. Build reads every patient from one store snapshot (index
// entries, the engine's documents, one Encounter's JSON for the location),
// Render sets it as a PDF, Write does both, writes the file whole and has the
// caller record the AuditEvents, and Open prints or shows it.
//
// # The sheet
//
// A4 portrait, one patient per page (more when a patient's lists run over),
// in I-PASS order (Starmer et al., I-PASS handoff bundle, NEJM 2014):
//
//   - Illness severity: the early-warning score the engine keeps — a child's
//     National PEWS (with its chart's age band and escalation triggers),
//     else NEWS2 — score and band on the response colours and in words (a
//     black-and-white print loses nothing), the clinical response for it
//     (app/clinical's RCP NEWS2 2017 and NHS England/RCPCH PEWS 2023
//     guidance: chart row, observation frequency, first action), SpO2
//     Scale 2 when it applies, a partial score said so with what is missing,
//     the trend against the score of the readings before the newest set, and
//     the age of the data — in bold with "re-observe" when the newest vital
//     sign is older than the scoring window (default 24 h). A score that is
//     stale, insufficient or not applicable is not printed as a score: the
//     engine's reason is. Under 16 years NEWS2 is never printed.
//   - Patient summary: active problems, allergies in force (or "no known
//     allergy", or "not recorded: ask the patient"), active and on-hold
//     medications (at most 8, "… and N more"), and the location: the census
//     entry's, else the open encounter's.
//   - Action list: open alerts with severity, state and who acted last, and
//     trial screening still to do (eligible or potential matches, upstream
//     candidates), each with a box to tick.
//   - Situation awareness: the oxygen the patient is on (the newest
//     pulse-oximetry reading's LOINC 3151-8 flow and 3150-0 concentration
//     components; 0 L/min or 21 % is room air) with the SpO2, and the latest
//     result of each test that is out of range and at most 7 days old (older
//     ones are history; counted, not listed), as a table of value, range and
//     time.
//   - Synthesis by receiver: the rest of the page ruled (at least 38 mm, else
//     a new page), with a "received by / signature / time" line.
//
// Every page carries the list's name and "contains patient data" at the top;
// the patient's name and MRN (the banner, or a "continued" line on a
// patient's further pages); and at the foot who printed it, on which
// workstation, when (UTC), "page x of y" and the confidential-waste warning.
//
// # Fonts
//
// Text is set in DejaVu Sans and DejaVu Sans Bold, embedded in the binary
// (assets.Fonts, unmodified, Bitstream Vera licence) and subset into each PDF
// by go-pdf/fpdf, so names in Vietnamese, Polish, Czech, Norwegian, Spanish,
// Greek or Cyrillic print on a machine with no fonts installed. The PDF core
// fonts (Latin-1 only) are never used.
package handover
