package views

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/chartline/chartline/store"
)

// fold lowers case and strips accents so searches match the way people type:
// "Ñúñez" folds to "nunez", "Øster" to "oster", "Weißbach" to "weissbach".
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if rep, ok := foldSpecial[r]; ok {
			b.WriteString(rep)
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// foldSpecial spells letters that Unicode does not decompose into a base
// letter and an accent.
var foldSpecial = map[rune]string{
	'ø': "o", 'Ø': "o", 'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe", 'ß': "ss",
	'ł': "l", 'Ł': "l", 'đ': "d", 'Đ': "d", 'ð': "d", 'Ð': "d", 'þ': "th", 'Þ': "th",
	'ı': "i", 'ħ': "h", 'Ħ': "h",
}

// matchAll reports whether every word of a folded query occurs in a folded
// text.
func matchAll(text string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

// queryWords folds a query and splits it into words.
func queryWords(q string) []string { return strings.Fields(fold(q)) }

// birthTime reads a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD).
func birthTime(d string) (t time.Time, precision int, ok bool) {
	for i, layout := range []string{"2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, d); err == nil {
			return t, 3 - i, true
		}
	}
	return time.Time{}, 0, false
}

// ageText is a patient's age at now: "68 y", "7 mo" under two years, "12 d"
// under two months; "" without a usable birth date.
func ageText(birthDate string, now time.Time) string {
	b, _, ok := birthTime(birthDate)
	if !ok || now.Before(b) {
		return ""
	}
	y, m, d := now.Date()
	by, bm, bd := b.Date()
	years := y - by
	if m < bm || m == bm && d < bd {
		years--
	}
	if years >= 2 {
		return fmt.Sprintf("%d y", years)
	}
	months := (y-by)*12 + int(m-bm)
	if d < bd {
		months--
	}
	if months >= 2 {
		return fmt.Sprintf("%d mo", months)
	}
	return fmt.Sprintf("%d d", int(now.Sub(b).Hours()/24))
}

// sexText is an administrative gender in words.
func sexText(sex string) string {
	switch sex {
	case "male":
		return "Male"
	case "female":
		return "Female"
	case "other":
		return "Other"
	}
	return "Sex unknown"
}

// sexLetter is an administrative gender as a census row writes it beside
// the age: "M", "F", "Other", "Sex unknown".
func sexLetter(sex string) string {
	switch sex {
	case "male":
		return "M"
	case "female":
		return "F"
	}
	return sexText(sex)
}

// birthDateText writes a FHIR birth date for reading: "14 Mar 1958".
func birthDateText(d string) string {
	t, precision, ok := birthTime(d)
	switch {
	case !ok:
		return d
	case precision == 3:
		return t.Format("2 Jan 2006")
	case precision == 2:
		return t.Format("Jan 2006")
	}
	return t.Format("2006")
}

// birthDateKeys are the ways a birth date may be typed in a search.
func birthDateKeys(d string) []string {
	t, precision, ok := birthTime(d)
	if !ok {
		return []string{d}
	}
	if precision < 3 {
		return []string{d}
	}
	return []string{d, t.Format("02/01/2006"), t.Format("02.01.2006"), fold(t.Format("2 Jan 2006"))}
}

// patientName is the name to show, or a stand-in while the Patient resource
// has not arrived.
func patientName(p *store.Demographics) string {
	if p == nil || strings.TrimSpace(p.Name) == "" {
		return "Name not yet received"
	}
	return p.Name
}

// dateText writes a clinical date: "23 Nov 2026".
func dateText(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "no date"
	}
	return t.In(loc).Format("2 Jan 2006")
}

// dateTimeText writes a clinical time: "23 Nov 2026 05:40".
func dateTimeText(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "no date"
	}
	return t.In(loc).Format("2 Jan 2006 15:04")
}

// numberText writes a measured value without trailing zeros: 7.20 → "7.2".
func numberText(v float64) string {
	s := fmt.Sprintf("%.4f", v)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// agoText writes a duration for "stale" notes: "26 h", "3 d", "45 min".
func agoText(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d d", int(d.Hours()/24))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d h", int(d.Hours()))
	}
	return fmt.Sprintf("%d min", int(d.Minutes()))
}

// relativeText is how long ago a clinical time was, in the largest whole
// unit: "just now" under a minute, "12 min ago", "3 h ago", "4 d ago". A
// time more than a minute ahead of the clock (a device clock set wrong, a
// planned time) is flagged, never read as fresh: "in 5 min (future)".
func relativeText(t, now time.Time) string {
	d := now.Sub(t)
	if d < -time.Minute {
		return "in " + agoText(-d) + " (future)"
	}
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	}
	return fmt.Sprintf("%d d ago", int(d.Hours()/24))
}

// whenText is a clinical time as a clinician reads it at a glance: how long
// ago, then the local clock time, with the date when it is not today:
// "12 min ago · 05:21", "3 d ago · 20 Nov 05:21", "in 5 min (future) ·
// 14:35". The date carries the year when it is not this year.
func whenText(t, now time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "no time"
	}
	return relativeText(t, now) + " · " + clockText(t, now, loc)
}

// clockText is a local clock time, with the date when it is not today's:
// "05:21", "20 Nov 05:21", "20 Nov 2025 05:21".
func clockText(t, now time.Time, loc *time.Location) string {
	lt, ln := t.In(loc), now.In(loc)
	switch {
	case lt.Year() == ln.Year() && lt.YearDay() == ln.YearDay():
		return lt.Format("15:04")
	case lt.Year() == ln.Year():
		return lt.Format("2 Jan 15:04")
	}
	return lt.Format("2 Jan 2006 15:04")
}

// resultWhen is a result's time in the summary: the date and the time,
// always (a result from 06:00 and one from 18:00 are different results):
// "today 10:30", "22 Nov 10:30", "22 Nov 2025 10:30"; a time ahead of the
// clock is flagged "(future)".
func resultWhen(t, now time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "no date"
	}
	s := clockText(t, now, loc)
	if !strings.Contains(s, " ") {
		s = "today " + s
	}
	if t.Sub(now) > time.Minute {
		s += " (future)"
	}
	return s
}
