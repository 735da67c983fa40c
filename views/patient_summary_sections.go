// Summary sections: the registry of the Summary tab's sections and the
// builders that turn a patient's records into each section's lines.

package views

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/store"
)

// section is one summary section definition (after Medplum's
// sectionConfigs): a title, what it says when empty, and how it picks its
// lines from the patient's index entries. Adding a section is one entry in
// summarySections.
type section struct {
	Title string
	Empty string
	// Build picks the lines, most relevant first, and says how many more
	// there are than it shows (they are in the timeline).
	Build func(in *chartInput) (lines []line, more int)
	// Draw draws the section's body instead of the standard list of lines
	// (the NEWS2 breakdown); nil for the standard list.
	Draw func(s *summaryTab, d sectionData, c *chart) fyne.CanvasObject
}

// sectionData is a section's lines for one patient.
type sectionData struct {
	def   *section
	lines []line
	more  int
}

// line is one row of a summary section.
type line struct {
	Text  string    // what it is: "Pneumonia (disorder)", "Hemoglobin … 11.9 g/dL"
	Range string    // a result's reference range: "12–17.5"
	Flag  string    // out-of-range mark: "H", "L", "HH"…
	When  time.Time // clinical time
	Note  string    // extra words: "until 22 Nov 2026", "stale: 27 h before the latest"
	Ref   store.Ref // the resource, to open in the timeline

	// NEWS2 parameter lines.
	Value    string // the reading: "22 per min"
	Score    int
	HasScore bool
	Missing  bool
}

// summarySections are the summary's sections in International Patient
// Summary order (HL7 IPS: problems, allergies, medications, immunizations,
// results, vital signs, procedures, encounters).
var summarySections = []section{
	{Title: "Active problems", Empty: "No active problems recorded.", Build: activeProblems},
	{Title: "Allergies and intolerances", Empty: "Allergies not recorded.", Build: allergyLines},
	{Title: "Medications", Empty: "No active medications recorded.", Build: medicationLines},
	{Title: "Immunizations", Empty: "No immunizations recorded.", Build: immunizationLines},
	{Title: "Recent results", Empty: "No laboratory results recorded.", Build: resultLines},
	{Title: "Vital signs and early warning score", Empty: "No vital signs recorded.", Build: vitalLines, Draw: drawVitals},
	{Title: "Procedures", Empty: "No procedures recorded.", Build: procedureLines},
	{Title: "Recent encounters", Empty: "No encounters recorded.", Build: encounterLines},
}

// Section limits: how many lines a section shows before "N more in the
// timeline". Active problems, allergies and medications are never cut.
const (
	maxImmunizations = 8
	maxResults       = 8
	maxProcedures    = 6
	maxEncounters    = 5
)

func itemLine(it *store.Item, text string) line {
	return line{Text: text, When: it.Meta.Time, Ref: it.Ref}
}

// activeProblems: Conditions whose clinical status is active, recurrence or
// relapse (FHIR R4 condition-clinical), newest onset first.
func activeProblems(in *chartInput) ([]line, int) {
	items := in.byType["Condition"]
	sortNewest(items)
	var out []line
	for _, it := range items {
		switch it.Meta.Status {
		case "active", "recurrence", "relapse":
			out = append(out, itemLine(it, trimStatus(it.Meta.Display, "active")))
		}
	}
	return out, 0
}

// allergyLines: the allergies in force, or the "no known allergy" entries
// when there are none.
func allergyLines(in *chartInput) ([]line, int) {
	items := in.byType["AllergyIntolerance"]
	sortNewest(items)
	var out, none []line
	for _, it := range items {
		if !allergyInForce(it.Meta.Status) {
			continue
		}
		l := itemLine(it, trimStatus(it.Meta.Display, it.Meta.Status))
		if record.IsNoKnownAllergy(it.Meta) {
			none = append(none, l)
			continue
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		return none, 0
	}
	return out, 0
}

// medicationLines: MedicationRequests active or on hold and
// MedicationStatements active or intended, newest first, each medication
// once.
func medicationLines(in *chartInput) ([]line, int) {
	items := append(append([]*store.Item(nil), in.byType["MedicationRequest"]...), in.byType["MedicationStatement"]...)
	sortNewest(items)
	seen := map[string]bool{}
	var out []line
	for _, it := range items {
		switch it.Meta.Status {
		case "active", "on-hold", "intended":
		default:
			continue
		}
		text := trimStatus(it.Meta.Display, "active")
		if seen[text] {
			continue
		}
		seen[text] = true
		l := itemLine(it, text)
		if it.Meta.Status == "on-hold" {
			l.Note = "on hold"
		}
		out = append(out, l)
	}
	return out, 0
}

// immunizationLines: completed immunizations, the latest of each vaccine.
func immunizationLines(in *chartInput) ([]line, int) {
	return latestPerCode(in.byType["Immunization"], maxImmunizations, func(it *store.Item) bool {
		return it.Meta.Status == "completed" || it.Meta.Status == ""
	}, func(it *store.Item) line { return itemLine(it, trimStatus(it.Meta.Display, it.Meta.Status)) })
}

// resultLines: the latest laboratory result of each test, with its reference
// range and an out-of-range mark.
func resultLines(in *chartInput) ([]line, int) {
	var labs []*store.Item
	for _, it := range in.byCategory[record.CategoryLaboratory] {
		if it.Type == "Observation" {
			labs = append(labs, it)
		}
	}
	return latestPerCode(labs, maxResults, func(it *store.Item) bool {
		return it.Meta.Status != "entered-in-error" && it.Meta.Status != "cancelled"
	}, func(it *store.Item) line {
		l := itemLine(it, it.Meta.Display)
		l.Text, l.Value = splitValue(it.Meta)
		l.Text = resultName(l.Text)
		if short, ok := shortResultNames[primaryCode(it.Meta.Codes)]; ok {
			l.Text = short
		}
		l.Range, l.Flag = rangeText(it.Meta), outOfRange(it.Meta)
		return l
	})
}

// shortResultNames are the names clinicians use for tests whose LOINC long
// common name (LOINC 2.76, loinc.org; quoted beside each) wraps to four or
// more lines in the summary's results column at 1280×800. Any other test
// reads by resultName; the timeline's detail keeps the full name.
var shortResultNames = map[string]string{
	record.SystemLOINC + "|33914-3": "eGFR (MDRD)",            // Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum or Plasma by Creatinine-based formula (MDRD)
	record.SystemLOINC + "|48642-3": "eGFR (MDRD, non-black)", // … among non-blacks [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (MDRD)
	record.SystemLOINC + "|48643-1": "eGFR (MDRD, black)",     // … among blacks [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (MDRD)
	record.SystemLOINC + "|62238-1": "eGFR (CKD-EPI)",         // … among non-blacks [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI)
	record.SystemLOINC + "|98979-8": "eGFR (CKD-EPI 2021)",    // … [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI 2021)
	record.SystemLOINC + "|69405-9": "eGFR",                   // Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood
	record.SystemLOINC + "|33762-6": "NT-proBNP",              // Natriuretic peptide.B prohormone N-Terminal [Mass/volume] in Serum or Plasma
	record.SystemLOINC + "|4548-4":  "HbA1c",                  // Hemoglobin A1c/Hemoglobin.total in Blood
	record.SystemLOINC + "|1920-8":  "AST",                    // Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma
	record.SystemLOINC + "|1742-6":  "ALT",                    // Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma
	record.SystemLOINC + "|6768-6":  "Alkaline phosphatase",   // Alkaline phosphatase [Enzymatic activity/volume] in Serum or Plasma
	record.SystemLOINC + "|785-6":   "MCH",                    // Erythrocyte mean corpuscular hemoglobin [Entitic mass] by Automated count
	record.SystemLOINC + "|786-4":   "MCHC",                   // Erythrocyte mean corpuscular hemoglobin concentration [Mass/volume] by Automated count
	record.SystemLOINC + "|787-2":   "MCV",                    // Erythrocyte mean corpuscular volume [Entitic volume] by Automated count
	record.SystemLOINC + "|21000-5": "RDW",                    // Erythrocyte distribution width [Entitic volume] by Automated count
	record.SystemLOINC + "|32623-1": "MPV",                    // Platelet mean volume [Entitic volume] in Blood by Automated count
}

// primaryCode is a resource's primary coding, "system|code" ("" for none).
func primaryCode(codes []string) string {
	if len(codes) == 0 {
		return ""
	}
	return codes[0]
}

// resultName is a test's name for the summary: a LOINC long name without its
// bracketed property ("Hemoglobin [Mass/volume] in Blood" reads "Hemoglobin
// in Blood"), which the unit beside it states; the specimen and method stay.
// The timeline's detail keeps the full name.
func resultName(name string) string {
	for {
		i := strings.Index(name, " [")
		j := strings.Index(name[max(i, 0):], "]")
		if i < 0 || j < 0 {
			return name
		}
		name = name[:i] + name[i+j+1:]
	}
}

// splitValue splits a result's one-line display ("Hemoglobin … in Blood
// 11.9 g/dL (L)") into the test's name and its value with unit, so the value
// gets its own column. A display it cannot split stays whole.
func splitValue(m store.Meta) (name, value string) {
	d := m.Display
	if m.Interpret != "" {
		d = strings.TrimSuffix(d, " ("+m.Interpret+")")
	}
	name, value, ok := record.SplitValue(d, m)
	if !ok && m.HasValue {
		return m.Display, ""
	}
	return name, value
}

// procedureLines: procedures, newest first.
func procedureLines(in *chartInput) ([]line, int) {
	items := in.byType["Procedure"]
	sortNewest(items)
	var out []line
	for _, it := range items {
		if it.Meta.Status == "entered-in-error" {
			continue
		}
		out = append(out, itemLine(it, trimStatus(it.Meta.Display, "completed")))
	}
	return cut(out, maxProcedures)
}

// encounterLines: encounters, newest first, with their end.
func encounterLines(in *chartInput) ([]line, int) {
	items := in.byType["Encounter"]
	sortNewest(items)
	var out []line
	for _, it := range items {
		if it.Meta.Status == "entered-in-error" || it.Meta.Status == "cancelled" {
			continue
		}
		l := itemLine(it, trimStatus(it.Meta.Display, "finished"))
		if !it.Meta.End.IsZero() && !sameDay(it.Meta.End, it.Meta.Time) {
			l.Note = "until " + it.Meta.End.Format("2 Jan 2006")
		}
		out = append(out, l)
	}
	return cut(out, maxEncounters)
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// latestPerCode keeps the newest item of each primary code that keep
// accepts, newest first, at most limit of them.
func latestPerCode(items []*store.Item, limit int, keep func(*store.Item) bool, mk func(*store.Item) line) ([]line, int) {
	sortNewest(items)
	seen := map[string]bool{}
	var out []line
	for _, it := range items {
		if !keep(it) {
			continue
		}
		key := it.Meta.Display
		if len(it.Meta.Codes) > 0 {
			key = it.Meta.Codes[0]
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, mk(it))
	}
	return cut(out, limit)
}

func cut(lines []line, limit int) ([]line, int) {
	if len(lines) <= limit {
		return lines, 0
	}
	return lines[:limit], len(lines) - limit
}

// NEWS2 parameter names as the chart prints them (RCP NEWS2 chart 2017).
var parameterLabels = map[clinical.Parameter]string{
	clinical.Respiration:   "Respiration rate",
	clinical.SpO2:          "SpO2",
	clinical.AirOrOxygen:   "Air or oxygen",
	clinical.Systolic:      "Systolic blood pressure",
	clinical.Pulse:         "Pulse",
	clinical.Consciousness: "Consciousness",
	clinical.Temperature:   "Temperature",

	// National PEWS (NHS England / RCPCH 2023 charts)
	clinical.RespiratoryDistress: "Respiratory distress",
	clinical.OxygenSupport:       "Oxygen",
	clinical.HeartRate:           "Heart rate",
	clinical.CapillaryRefill:     "Capillary refill",
}

// acvpuWords spells the ACVPU codes (RCP NEWS2 chart 2017).
var acvpuWords = map[string]string{"A": "Alert", "C": "New confusion", "V": "Voice", "P": "Pain", "U": "Unresponsive"}

// readingText writes a NEWS2 reading in the chart's units.
func readingText(rd clinical.Reading) string {
	switch rd.Parameter {
	case clinical.Respiration, clinical.Pulse, clinical.HeartRate:
		return numberText(rd.Value) + " per min"
	case clinical.CapillaryRefill:
		return numberText(rd.Value) + " s"
	case clinical.RespiratoryDistress:
		return strings.ToUpper(rd.Code[:min(1, len(rd.Code))]) + rd.Code[min(1, len(rd.Code)):]
	case clinical.OxygenSupport:
		switch {
		case rd.Unit == "L/min" && rd.Value > 0:
			return numberText(rd.Value) + " L/min"
		case rd.Unit == "%" && rd.Value > 21:
			return numberText(rd.Value) + " %"
		}
		return "Air"
	case clinical.SpO2:
		return numberText(rd.Value) + " %"
	case clinical.Systolic:
		return numberText(rd.Value) + " mmHg"
	case clinical.Temperature:
		return fmt.Sprintf("%.1f °C", rd.Value)
	case clinical.Consciousness:
		if w, ok := acvpuWords[rd.Code]; ok {
			return w
		}
		return rd.Code
	case clinical.AirOrOxygen:
		text := "Air"
		if rd.Code == "oxygen" {
			text = "Oxygen"
		}
		if rd.Assumed {
			text += " (assumed)"
		}
		return text
	}
	return numberText(rd.Value) + " " + record.HumanUnit(rd.Unit)
}

// vitalLines: one line per parameter of the score that applies (NEWS2, or
// National PEWS for a child) in chart order, with its reading and sub-score,
// or why it is missing; then the latest body measurements.
func vitalLines(in *chartInput) ([]line, int) {
	var out []line
	params, readings, stale, skipped := scoreParts(in.news2, in.pews)
	if in.hasNEWS2 || len(stale) > 0 || len(skipped) > 0 {
		for _, p := range params {
			l := line{Text: parameterLabels[p]}
			if rd, ok := readings[p]; ok {
				l.Value, l.When, l.Ref = readingText(rd), rd.Time, rd.Ref
				l.Score, l.HasScore = rd.Score, true
				out = append(out, l)
				continue
			}
			l.Missing, l.Note = true, "missing"
			for _, st := range stale {
				if st.Parameter == p {
					l.Value, l.When, l.Ref = readingText(st), st.Time, st.Ref
					l.Note = "stale: last set " + clinical.AgeWords(st.Time, in.now)
				}
			}
			for _, sk := range skipped {
				if sk.Parameter == p && l.Value == "" {
					l.Note = "missing: " + sk.Reason
				}
			}
			out = append(out, l)
		}
	}
	if in.pews != nil { // recorded on the PEWS chart, not scored
		for _, rd := range in.pews.Observed {
			out = append(out, line{Text: parameterLabels[rd.Parameter] + " " + readingText(rd) + " (not scored on PEWS)", When: rd.Time, Ref: rd.Ref})
		}
	}
	// Body measurements the NEWS2 chart does not use.
	latest := map[string]*store.Item{}
	for _, it := range in.byCategory[record.CategoryVitalSigns] {
		for _, code := range bodyCodes {
			if cur := latest[code]; hasCode(it.Meta, code) && (cur == nil || it.Meta.Time.After(cur.Meta.Time)) {
				latest[code] = it
			}
		}
	}
	for _, code := range bodyCodes {
		if it, ok := latest[code]; ok {
			out = append(out, itemLine(it, it.Meta.Display))
		}
	}
	return out, 0
}

// bodyCodes are the body measurements the vital-signs section shows after
// the score, as "system|code" (LOINC 29463-7 weight, 8302-2 height, 39156-5
// BMI).
var bodyCodes = []string{
	record.SystemLOINC + "|" + record.LOINCBodyWeight,
	record.SystemLOINC + "|" + record.LOINCBodyHeight,
	record.SystemLOINC + "|" + record.LOINCBMI,
}

// scoreParts lists the parameters, readings, stale readings and skipped
// readings of the score that applies: PEWS when p is set, else NEWS2.
func scoreParts(n clinical.Result, p *clinical.PEWSResult) ([]clinical.Parameter, map[clinical.Parameter]clinical.Reading, []clinical.Reading, []clinical.Skip) {
	readings := map[clinical.Parameter]clinical.Reading{}
	if p != nil {
		for _, rd := range p.Readings {
			readings[rd.Parameter] = rd
		}
		return clinical.PEWSParameters(), readings, p.Stale, p.Skipped
	}
	for _, rd := range n.Readings {
		readings[rd.Parameter] = rd
	}
	if n.Status == clinical.StatusNotApplicable {
		return nil, readings, nil, nil
	}
	return clinical.Parameters(), readings, n.Stale, n.Skipped
}

func hasCode(m store.Meta, code string) bool {
	for _, c := range m.Codes {
		if c == code {
			return true
		}
	}
	return false
}
