package record

import (
	"fmt"
	"time"

	"github.com/chartline/chartline/store"
)

// Ages of the dead are ages at death: a patient who died in 2012 aged 85 is
// never "111 y". A partial date (YYYY, YYYY-MM) reads as its first day, as
// every other date does (see the package doc).

// fhirDate reads a FHIR date or dateTime as its first instant, in UTC.
func fhirDate(s string) (time.Time, bool) {
	if len(s) > 10 {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t.UTC(), true
		}
		s = s[:10]
	}
	for _, layout := range []string{"2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// DeathTime is when a deceased patient died (Demographics.DeceasedDate);
// false when the patient is alive or the date is not known.
func DeathTime(p *store.Demographics) (time.Time, bool) {
	if p == nil || !p.Deceased || p.DeceasedDate == "" {
		return time.Time{}, false
	}
	return fhirDate(p.DeceasedDate)
}

// AgeAt is the completed years from a FHIR birth date to t (someone born
// on 29 February turns a year older on 1 March in common years); false
// without a usable birth date or when t is before it.
func AgeAt(birthDate string, t time.Time) (int, bool) {
	b, ok := fhirDate(birthDate)
	if !ok || t.Before(b) {
		return 0, false
	}
	y := t.Year() - b.Year()
	if t.Month() < b.Month() || (t.Month() == b.Month() && t.Day() < b.Day()) {
		y--
	}
	return y, true
}

// AgeReference is the instant a patient's age is counted at: the death for
// the dead (when its date is known), else now.
func AgeReference(p *store.Demographics, now time.Time) time.Time {
	if t, ok := DeathTime(p); ok {
		return t
	}
	return now
}

// DeathText says "died 2012 aged 85" (the year of death and the age at
// death), "died 2012" without a birth date, "deceased" without a date of
// death, "" for the living.
func DeathText(p *store.Demographics) string {
	if p == nil || !p.Deceased {
		return ""
	}
	t, ok := DeathTime(p)
	if !ok {
		return "deceased"
	}
	if a, ok := AgeAt(p.BirthDate, t); ok {
		return fmt.Sprintf("died %d aged %d", t.Year(), a)
	}
	return fmt.Sprintf("died %d", t.Year())
}
