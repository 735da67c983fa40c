package clinical

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/chartline/chartline/store"
)

// NEWS2 is validated for adults aged 16 and over who are not pregnant (RCP
// NEWS2 2017, chapter 1: "not for use in children (<16 years) or pregnant
// women"); National PEWS (RCPCH / NHS England 2023) covers children under 16.
const news2MinAgeYears = 16

// pregnancyMaxWeeks is how long a pregnancy Condition or a pregnancy-status
// Observation saying pregnant is taken to stand after its onset or effective
// time: 44 weeks (term is 37–42 weeks; a record older than that is a past
// pregnancy nobody closed). Chartline's own rule, not the RCP's.
const pregnancyMaxWeeks = 44

// Codes of pregnancy. The SNOMED CT concepts are 77386006 |Pregnancy| and the
// descendants listed (SNOMED CT International, "Pregnancy" hierarchy); the
// ICD-10(-CM) codes are chapter XV (O00–O9A: pregnancy, childbirth and the
// puerperium), Z33 (pregnant state), Z34 (supervision of normal pregnancy) and
// Z3A (weeks of gestation). The pregnancy-status observable is LOINC 82810-3
// (README, "Topics": codes the scores read), answered with SNOMED CT 77386006 pregnant or 60001007 not
// pregnant (or the text).
var pregnancySNOMED = []string{
	"77386006",  // Pregnancy (finding)
	"72892002",  // Normal pregnancy
	"47200007",  // High risk pregnancy
	"16356006",  // Multiple pregnancy
	"65147003",  // Twin pregnancy
	"34801009",  // Ectopic pregnancy
	"237240001", // Teenage pregnancy
	"398254007", // Pre-eclampsia
	"15938005",  // Eclampsia
	"11687002",  // Gestational diabetes mellitus
}

// Pregnancy-status codes (LOINC 82810-3 and its SNOMED CT answers).
const (
	CodePregnancyStatus = SystemLOINC + "|82810-3"   // Pregnancy status
	CodePregnant        = SystemSNOMED + "|77386006" // Pregnant
	CodeNotPregnant     = SystemSNOMED + "|60001007" // Not pregnant
)

// Applicability says which early-warning score applies to a patient at the
// time of the observations, and why in words.
type Applicability struct {
	NEWS2 bool `json:"news2"`
	PEWS  bool `json:"pews"`
	// Why is the sentence the chart shows when NEWS2 does not apply ("NEWS2
	// does not apply: age 7 — PEWS shown"), or a caveat when it does ("age not
	// recorded").
	Why        string    `json:"why,omitempty"`
	AgeYears   int       `json:"ageYears"`          // completed years at At; -1 when unknown
	AgeMonths  int       `json:"ageMonths"`         // completed months at At; -1 when unknown
	AgeBand    string    `json:"ageBand,omitempty"` // PEWS age band, for children
	Deceased   bool      `json:"deceased,omitempty"`
	DeceasedAt time.Time `json:"deceasedAt,omitempty"`
	Pregnant   bool      `json:"pregnant,omitempty"`
	At         time.Time `json:"at"` // the time the age refers to
}

// PatientFacts is what applicability reads from the Patient resource beyond
// its index entry: the death date (the index keeps only a flag).
type PatientFacts struct {
	Deceased   bool
	DeceasedAt time.Time
}

// ParsePatientFacts reads deceasedBoolean / deceasedDateTime from a FHIR R4
// Patient. An unreadable resource is an error; absent fields are not.
func ParsePatientFacts(raw []byte) (PatientFacts, error) {
	var p struct {
		DeceasedBoolean  *bool  `json:"deceasedBoolean"`
		DeceasedDateTime string `json:"deceasedDateTime"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return PatientFacts{}, fmt.Errorf("patient: %w", err)
	}
	var f PatientFacts
	if p.DeceasedBoolean != nil && *p.DeceasedBoolean {
		f.Deceased = true
	}
	if p.DeceasedDateTime != "" {
		f.Deceased = true
		if t, err := parseFHIRTime(p.DeceasedDateTime); err == nil {
			f.DeceasedAt = t
		}
	}
	return f, nil
}

// Applies decides which score applies at time at (the newest vital sign; the
// engine passes now when there is none). demo is the patient's index entry
// (nil before the Patient resource arrives), facts the death date, conditions
// and observations the patient's Conditions and Observations (for pregnancy).
//
// Rules, in order: deceased (deceasedBoolean true or deceasedDateTime set) →
// neither score; age under 16 at at → PEWS (age band from the same age), NEWS2
// not; pregnant → neither (NEWS2 is not validated in pregnancy; an obstetric
// score is outside Chartline); otherwise NEWS2. A partial birth date (YYYY,
// YYYY-MM) is read at its latest possible day, so nobody who might still be a
// child is scored as an adult. No birth date: NEWS2 applies, with "age not
// recorded" said beside it (a ward of adults without dates of birth still
// needs its scores).
func Applies(demo *store.Demographics, facts PatientFacts, conditions, observations []store.Item, at time.Time) Applicability {
	a := Applicability{AgeYears: -1, AgeMonths: -1, At: at}
	if facts.Deceased || (demo != nil && demo.Deceased) {
		a.Deceased, a.DeceasedAt = true, facts.DeceasedAt
		a.Why = "NEWS2 does not apply: deceased"
		if !facts.DeceasedAt.IsZero() {
			a.Why = "NEWS2 does not apply: deceased " + facts.DeceasedAt.Format("2 Jan 2006")
		}
		return a
	}
	if demo != nil && demo.BirthDate != "" {
		if _, latest, err := birthRange(demo.BirthDate); err == nil {
			a.AgeYears, a.AgeMonths = 0, 0 // observations dated before the birth date: a newborn
			if !at.Before(latest) {
				a.AgeYears, a.AgeMonths = ageAt(latest, at), monthsAt(latest, at)
			}
		}
	}
	if a.AgeYears >= 0 && a.AgeYears < news2MinAgeYears {
		a.PEWS = true
		a.AgeBand = PEWSAgeBand(a.AgeMonths)
		a.Why = "NEWS2 does not apply: " + ageWords(a.AgeYears, a.AgeMonths) + " — PEWS shown"
		return a
	}
	if why, ok := pregnant(conditions, observations, at); ok {
		a.Pregnant = true
		a.Why = "NEWS2 does not apply: pregnant (" + why + ")"
		return a
	}
	a.NEWS2 = true
	if a.AgeYears < 0 {
		a.Why = "age not recorded — NEWS2 assumed (adult)"
	}
	return a
}

// ageWords is an age as a clinician says it: "age 7", "age 8 months".
func ageWords(years, months int) string {
	if years < 1 {
		if months == 1 {
			return "age 1 month"
		}
		return fmt.Sprintf("age %d months", months)
	}
	return fmt.Sprintf("age %d", years)
}

// monthsAt is the number of completed months from birth to now.
func monthsAt(birth, now time.Time) int {
	m := (now.Year()-birth.Year())*12 + int(now.Month()) - int(birth.Month())
	if now.Day() < birth.Day() {
		m--
	}
	return m
}

// pregnant reports whether the record says the patient is pregnant at at:
// the newest pregnancy-status Observation (LOINC 82810-3) within 44 weeks
// decides when there is one; else an active pregnancy Condition with onset
// within 44 weeks (or no onset) and no abatement.
func pregnant(conditions, observations []store.Item, at time.Time) (string, bool) {
	horizon := at.AddDate(0, 0, -7*pregnancyMaxWeeks)
	var status *store.Item
	for i := range observations {
		o := &observations[i]
		if !hasAny(o.Meta.Codes, CodePregnancyStatus) || !usableStatus(o.Meta.Status) || o.Meta.Time.IsZero() {
			continue
		}
		if o.Meta.Time.After(at) || o.Meta.Time.Before(horizon) {
			continue
		}
		if status == nil || o.Meta.Time.After(status.Meta.Time) {
			status = o
		}
	}
	if status != nil {
		switch pregnancyAnswer(status.Meta.ValueCode, status.Meta.ValueText) {
		case 1:
			return "pregnancy status " + status.Meta.Time.Format("2 Jan 2006"), true
		case -1:
			return "", false
		}
	}
	for i := range conditions {
		c := &conditions[i]
		if !isPregnancyCode(c.Meta.Codes) {
			continue
		}
		switch c.Meta.Status {
		case "active", "recurrence", "relapse":
		default:
			continue
		}
		if !c.Meta.End.IsZero() && !c.Meta.End.After(at) {
			continue
		}
		if !c.Meta.Time.IsZero() && (c.Meta.Time.Before(horizon) || c.Meta.Time.After(at)) {
			continue
		}
		return "active pregnancy condition", true
	}
	return "", false
}

// pregnancyAnswer reads a pregnancy-status answer: 1 pregnant, -1 not
// pregnant, 0 unknown (e.g. "possible pregnancy", "unknown").
func pregnancyAnswer(code, text string) int {
	switch code {
	case CodePregnant:
		return 1
	case CodeNotPregnant:
		return -1
	}
	switch strings.ToLower(strings.TrimSpace(text)) {
	case "pregnant", "yes", "positive":
		return 1
	case "not pregnant", "no", "negative":
		return -1
	}
	return 0
}

// isPregnancyCode reports whether any coding is in the pregnancy hierarchy:
// the SNOMED CT concepts listed, or ICD-10(-CM) O00–O9A, Z33, Z34, Z3A.
func isPregnancyCode(codes []string) bool {
	for _, c := range codes {
		sys, code := splitCoding(c)
		switch sys {
		case SystemSNOMED:
			if in(code, pregnancySNOMED...) {
				return true
			}
		case SystemICD10CM, SystemICD10:
			k := strings.ToUpper(strings.ReplaceAll(code, ".", ""))
			if len(k) >= 3 && k[0] == 'O' && k[1] >= '0' && k[1] <= '9' {
				return true
			}
			if strings.HasPrefix(k, "Z33") || strings.HasPrefix(k, "Z34") || strings.HasPrefix(k, "Z3A") {
				return true
			}
		}
	}
	return false
}
