package ips

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/store"
)

// IPS section codes (LOINC, as the IPS Composition profile fixes them; HL7
// IPS IG 2.0.0, Composition-uv-ips), and the two sections Chartline adds
// because the patient summary screen shows what they hold: the plan of care
// (an SpO2 target Goal decides the NEWS2 SpO2 scale) and encounters.
const (
	CodeProblems      = "11450-4" // Problem list - Reported
	CodeAllergies     = "48765-2" // Allergies and adverse reactions Document
	CodeMedications   = "10160-0" // History of Medication use Narrative
	CodeImmunizations = "11369-6" // History of Immunization note
	CodeResults       = "30954-2" // Relevant diagnostic tests/laboratory data Narrative
	CodeVitalSigns    = "8716-3"  // Vital signs
	CodeProcedures    = "47519-4" // History of Procedures Document
	CodePlanOfCare    = "18776-5" // Plan of care note
	CodeEncounters    = "46240-8" // History of Hospitalizations+Outpatient visits Narrative
	// CodeSummary is the Composition type: Patient summary Document.
	CodeSummary = "60591-5"
)

// Section is one summary section: its IPS code and title, and how it picks
// its records from a patient's index entries. The rules are the patient
// summary screen's (views/patient_summary.go), without its display limits:
// the document carries every record a section stands on, so a store built
// from the document shows the same summary.
type Section struct {
	Code    string
	Display string // the LOINC display
	Title   string
	// Always: the section is written even without entries, with an
	// emptyReason (the seven IPS sections Chartline promises); the others
	// only when they have entries.
	Always bool
	// Columns heads the narrative table.
	Columns []string
	Pick    func(in *Input) []*store.Item
	Row     func(it *store.Item) []string
}

// Sections are the document's sections, in IPS order.
var Sections = []Section{
	{Code: CodeProblems, Display: "Problem list - Reported", Title: "Active problems", Always: true,
		Columns: []string{"Problem", "Status", "Onset"}, Pick: ActiveProblems, Row: statusRow},
	{Code: CodeAllergies, Display: "Allergies and adverse reactions Document", Title: "Allergies and intolerances", Always: true,
		Columns: []string{"Allergy or intolerance", "Status", "Recorded"}, Pick: Allergies, Row: statusRow},
	{Code: CodeMedications, Display: "History of Medication use Narrative", Title: "Medications", Always: true,
		Columns: []string{"Medication", "Status", "Since"}, Pick: Medications, Row: statusRow},
	{Code: CodeImmunizations, Display: "History of Immunization note", Title: "Immunizations", Always: true,
		Columns: []string{"Vaccine", "Status", "Date"}, Pick: Immunizations, Row: statusRow},
	{Code: CodeResults, Display: "Relevant diagnostic tests/laboratory data Narrative", Title: "Results", Always: true,
		Columns: []string{"Result", "Reference range", "Flag", "Date"}, Pick: Results, Row: resultRow},
	{Code: CodeVitalSigns, Display: "Vital signs", Title: "Vital signs", Always: true,
		Columns: []string{"Vital sign", "Date"}, Pick: VitalSigns, Row: plainRow},
	{Code: CodeProcedures, Display: "History of Procedures Document", Title: "Procedures", Always: true,
		Columns: []string{"Procedure", "Status", "Date"}, Pick: Procedures, Row: statusRow},
	{Code: CodePlanOfCare, Display: "Plan of care note", Title: "Plan of care: goals",
		Columns: []string{"Goal", "Status", "Date"}, Pick: Goals, Row: statusRow},
	{Code: CodeEncounters, Display: "History of Hospitalizations+Outpatient visits Narrative", Title: "Encounters",
		Columns: []string{"Encounter", "Status", "Start"}, Pick: Encounters, Row: statusRow},
}

// Input is a patient's index entries grouped for the section rules.
type Input struct {
	ByType     map[string][]*store.Item
	ByCategory map[string][]*store.Item
}

// NewInput groups index entries (pointers into items: no copies).
func NewInput(items []store.Item) *Input {
	in := &Input{ByType: map[string][]*store.Item{}, ByCategory: map[string][]*store.Item{}}
	for i := range items {
		it := &items[i]
		in.ByType[it.Type] = append(in.ByType[it.Type], it)
		in.ByCategory[it.Meta.Category] = append(in.ByCategory[it.Meta.Category], it)
	}
	return in
}

// ActiveProblems are the Conditions whose clinical status is active,
// recurrence or relapse (FHIR R4 condition-clinical), newest first.
func ActiveProblems(in *Input) []*store.Item {
	return keep(in.ByType["Condition"], func(it *store.Item) bool {
		switch it.Meta.Status {
		case "active", "recurrence", "relapse":
			return true
		}
		return false
	})
}

// Allergies are the AllergyIntolerances in force (clinical status active or
// not given), newest first; when none is an allergy, the "no known allergy"
// entries in force, which say so.
func Allergies(in *Input) []*store.Item {
	inForce := keep(in.ByType["AllergyIntolerance"], func(it *store.Item) bool {
		return it.Meta.Status == "" || it.Meta.Status == "active"
	})
	real := keep(inForce, func(it *store.Item) bool { return !record.IsNoKnownAllergy(it.Meta) })
	if len(real) > 0 {
		return real
	}
	return inForce
}

// Medications are the MedicationRequests and MedicationStatements active,
// on hold or intended, newest first.
func Medications(in *Input) []*store.Item {
	all := append(append([]*store.Item(nil), in.ByType["MedicationRequest"]...), in.ByType["MedicationStatement"]...)
	return keep(all, func(it *store.Item) bool {
		switch it.Meta.Status {
		case "active", "on-hold", "intended":
			return true
		}
		return false
	})
}

// Immunizations are the completed immunizations (status completed or not
// given), newest first: the whole history, not only the latest per vaccine.
func Immunizations(in *Input) []*store.Item {
	return keep(in.ByType["Immunization"], func(it *store.Item) bool {
		return it.Meta.Status == "completed" || it.Meta.Status == ""
	})
}

// Results are the latest laboratory Observation of each test (by primary
// code), leaving out entered-in-error and cancelled ones, newest first.
func Results(in *Input) []*store.Item {
	var labs []*store.Item
	for _, it := range in.ByCategory[record.CategoryLaboratory] {
		if it.Type == "Observation" && it.Meta.Status != "entered-in-error" && it.Meta.Status != "cancelled" {
			labs = append(labs, it)
		}
	}
	return LatestPerCode(labs)
}

// VitalSigns are the latest vital-sign Observation of each code, leaving
// out entered-in-error and cancelled ones: what NEWS2 and the body
// measurements read.
func VitalSigns(in *Input) []*store.Item {
	var vs []*store.Item
	for _, it := range in.ByCategory[record.CategoryVitalSigns] {
		if it.Type == "Observation" && it.Meta.Status != "entered-in-error" && it.Meta.Status != "cancelled" {
			vs = append(vs, it)
		}
	}
	return LatestPerCode(vs)
}

// Procedures are every Procedure not entered in error, newest first.
func Procedures(in *Input) []*store.Item {
	return keep(in.ByType["Procedure"], func(it *store.Item) bool { return it.Meta.Status != "entered-in-error" })
}

// Goals are the Goals not entered in error, cancelled or rejected (an SpO2
// target changes how NEWS2 scores SpO2).
func Goals(in *Input) []*store.Item {
	return keep(in.ByType["Goal"], func(it *store.Item) bool {
		switch it.Meta.Status {
		case "entered-in-error", "cancelled", "rejected":
			return false
		}
		return true
	})
}

// Encounters are the Encounters not entered in error or cancelled, newest
// first.
func Encounters(in *Input) []*store.Item {
	return keep(in.ByType["Encounter"], func(it *store.Item) bool {
		return it.Meta.Status != "entered-in-error" && it.Meta.Status != "cancelled"
	})
}

// LatestPerCode keeps the newest item of each primary code (the display
// when it has no code), newest first.
func LatestPerCode(items []*store.Item) []*store.Item {
	items = slices.Clone(items)
	SortNewest(items)
	seen := map[string]bool{}
	var out []*store.Item
	for _, it := range items {
		key := it.Meta.Display
		if len(it.Meta.Codes) > 0 {
			key = it.Meta.Codes[0]
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, it)
		}
	}
	return out
}

// SortNewest sorts by clinical time, newest first, then by type and id so
// the order is stable.
func SortNewest(items []*store.Item) {
	slices.SortStableFunc(items, func(a, b *store.Item) int {
		if c := b.Meta.Time.Compare(a.Meta.Time); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Type, b.Type); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

func keep(items []*store.Item, ok func(*store.Item) bool) []*store.Item {
	var out []*store.Item
	for _, it := range items {
		if ok(it) {
			out = append(out, it)
		}
	}
	SortNewest(out)
	return out
}

// abnormal are the interpretation codes that mark a result out of range
// (HL7 v3 ObservationInterpretation: H high, L low, HH/LL critical, A/AA
// abnormal, HU/LU significantly high/low).
var abnormal = map[string]bool{"H": true, "L": true, "HH": true, "LL": true, "A": true, "AA": true, "HU": true, "LU": true}

// OutOfRange is a result's out-of-range mark: its interpretation code when
// that says abnormal, else H or L from its reference range; "" in range or
// without a range. (The summary screen's rule.)
func OutOfRange(m store.Meta) string {
	if abnormal[m.Interpret] {
		return m.Interpret
	}
	if !m.HasValue || m.Comparator != "" {
		return ""
	}
	switch {
	case m.HasHigh && m.Value > m.High:
		return "H"
	case m.HasLow && m.Value < m.Low:
		return "L"
	}
	return ""
}

// RangeText writes a reference range: "12–17.5", "≥ 60", "≤ 200" or "".
func RangeText(m store.Meta) string {
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	switch {
	case m.HasLow && m.HasHigh:
		return num(m.Low) + "–" + num(m.High)
	case m.HasLow:
		return "≥ " + num(m.Low)
	case m.HasHigh:
		return "≤ " + num(m.High)
	}
	return ""
}

// TrimStatus removes a trailing "(status)" from a display line when a
// column already says it.
func TrimStatus(display, status string) string {
	if status == "" {
		return display
	}
	return strings.TrimSuffix(display, " ("+strings.ReplaceAll(status, "-", " ")+")")
}

// DateText writes a clinical time for a person: "14 Mar 2026 08:30 UTC",
// "14 Mar 2026" at midnight, "" when unknown.
func DateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.UTC()
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
		return t.Format("2 Jan 2006")
	}
	return t.Format("2 Jan 2006 15:04 UTC")
}

func statusRow(it *store.Item) []string {
	return []string{TrimStatus(it.Meta.Display, it.Meta.Status), strings.ReplaceAll(it.Meta.Status, "-", " "), DateText(it.Meta.Time)}
}

func resultRow(it *store.Item) []string {
	return []string{it.Meta.Display, RangeText(it.Meta), OutOfRange(it.Meta), DateText(it.Meta.Time)}
}

func plainRow(it *store.Item) []string {
	return []string{it.Meta.Display, DateText(it.Meta.Time)}
}
