package handover

import (
	"fmt"
	"strconv"
	"time"
)

// ageText is the age in whole years on now from a FHIR birth date
// (YYYY, YYYY-MM or YYYY-MM-DD); "" when unreadable. Under 2 years: months.
func ageText(birth string, now time.Time) string {
	y, ok := ageYears(birth, now)
	if !ok {
		return ""
	}
	if y < 2 {
		b, _ := parseBirth(birth)
		m := (now.Year()-b.Year())*12 + int(now.Month()) - int(b.Month())
		if now.Day() < b.Day() {
			m--
		}
		return fmt.Sprintf("%d mo", m)
	}
	return fmt.Sprintf("%d y", y)
}

// ageYears is the age in whole years on now; false when the birth date is
// unreadable or in the future.
func ageYears(birth string, now time.Time) (int, bool) {
	b, err := parseBirth(birth)
	if err != nil || b.After(now) {
		return 0, false
	}
	y := now.Year() - b.Year()
	if now.Month() < b.Month() || now.Month() == b.Month() && now.Day() < b.Day() {
		y-- // not yet had this year's birthday (month and day, not day of year: leap years)
	}
	return y, true
}

func parseBirth(birth string) (time.Time, error) {
	var b time.Time
	var err error
	switch len(birth) {
	case 4:
		b, err = time.Parse("2006", birth)
	case 7:
		b, err = time.Parse("2006-01", birth)
	default:
		b, err = time.Parse("2006-01-02", birth)
	}
	return b, err
}

// agoText is a duration in the largest sensible unit: "40 min", "5 h", "3 d".
func agoText(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "under 1 min"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d/time.Hour))
	}
	return fmt.Sprintf("%d d", int(d/(24*time.Hour)))
}

// clock writes a time for the sheet: "06:20" today, "yesterday 22:10",
// else "12 Nov 06:20" (this year) or "12 Nov 2025"; all UTC, as printed
// in the footer.
func clock(t, now time.Time) string {
	if t.IsZero() {
		return "time unknown"
	}
	t, now = t.UTC(), now.UTC()
	ty, tm, td := t.Date()
	ny, nm, nd := now.Date()
	switch {
	case ty == ny && tm == nm && td == nd:
		return t.Format("15:04")
	case now.Sub(t) < 48*time.Hour && now.AddDate(0, 0, -1).Day() == td:
		return "yesterday " + t.Format("15:04")
	case ty == ny:
		return t.Format("2 Jan 15:04")
	}
	return t.Format("2 Jan 2006")
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
