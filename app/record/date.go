package record

import "time"

// parseTime reads a FHIR date, dateTime or instant. Partial dates (YYYY,
// YYYY-MM, YYYY-MM-DD) read as their first instant in UTC. Two deviations
// seen in real feeds are tolerated and reported in lax: a time without a zone
// (read as UTC) and a time without seconds. The result is in UTC.
func parseTime(s string) (t time.Time, lax string, ok bool) {
	n := len(s)
	if n < 4 {
		return time.Time{}, "", false
	}
	year, ok := digits(s, 0, 4)
	if !ok || year == 0 {
		return time.Time{}, "", false
	}
	month, day := 1, 1
	if n == 4 {
		return time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), "", true
	}
	if s[4] != '-' || n < 7 {
		return time.Time{}, "", false
	}
	if month, ok = digits(s, 5, 2); !ok || month < 1 || month > 12 {
		return time.Time{}, "", false
	}
	if n == 7 {
		return time.Date(year, time.Month(month), 1, 0, 0, 0, 0, time.UTC), "", true
	}
	if s[7] != '-' || n < 10 {
		return time.Time{}, "", false
	}
	if day, ok = digits(s, 8, 2); !ok || day < 1 || day > daysIn(year, month) {
		return time.Time{}, "", false
	}
	if n == 10 {
		return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC), "", true
	}
	if s[10] != 'T' || n < 16 {
		return time.Time{}, "", false
	}
	hour, ok1 := digits(s, 11, 2)
	min, ok2 := digits(s, 14, 2)
	if !ok1 || !ok2 || s[13] != ':' || hour > 23 || min > 59 {
		return time.Time{}, "", false
	}
	i := 16
	sec, nsec := 0, 0
	if i < n && s[i] == ':' {
		var ok bool
		if sec, ok = digits(s, i+1, 2); !ok || sec > 60 {
			return time.Time{}, "", false
		}
		i += 3
		if i < n && s[i] == '.' {
			i++
			start := i
			scale := 100_000_000
			for i < n && isDigit(s[i]) {
				if scale > 0 {
					nsec += int(s[i]-'0') * scale
					scale /= 10
				}
				i++
			}
			if i == start {
				return time.Time{}, "", false
			}
		}
	} else {
		lax = "time without seconds"
	}
	loc := time.UTC
	switch {
	case i == n:
		if lax != "" {
			lax += " and without a zone, read as UTC"
		} else {
			lax = "time without a zone, read as UTC"
		}
	case s[i] == 'Z' && i+1 == n:
	case (s[i] == '+' || s[i] == '-') && n-i == 6 && s[i+3] == ':':
		oh, ok1 := digits(s, i+1, 2)
		om, ok2 := digits(s, i+4, 2)
		if !ok1 || !ok2 || oh > 14 || om > 59 {
			return time.Time{}, "", false
		}
		off := oh*3600 + om*60
		if s[i] == '-' {
			off = -off
		}
		if off != 0 {
			loc = time.FixedZone("", off)
		}
	default:
		return time.Time{}, "", false
	}
	return time.Date(year, time.Month(month), day, hour, min, sec, nsec, loc).UTC(), lax, true
}

// digits reads n decimal digits of s at i.
func digits(s string, i, n int) (int, bool) {
	if i+n > len(s) {
		return 0, false
	}
	v := 0
	for _, c := range []byte(s[i : i+n]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
