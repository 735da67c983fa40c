package handover

import (
	"fmt"
	"strconv"
	"time"
)

// ageText is the age in whole years on now from a FHIR birth date
// (YYYY, YYYY-MM or YYYY-MM-DD); "" when unreadable. Under 2 years: months.
func ageText(birth string, now time.Time) string {
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
	if err != nil || b.After(now) {
		return ""
	}
	y := now.Year() - b.Year()
	if now.YearDay() < b.YearDay() {
		y--
	}
	if y < 2 {
		m := (now.Year()-b.Year())*12 + int(now.Month()) - int(b.Month())
		if now.Day() < b.Day() {
			m--
		}
		return fmt.Sprintf("%d mo", m)
	}
	return fmt.Sprintf("%d y", y)
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
