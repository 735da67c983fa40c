package record

import (
	"strconv"
	"strings"

	"github.com/chartline/chartline/store"
)

// SplitValue splits a result's one-line display ("Creatinine [Mass/volume]
// in Serum or Plasma 1.67 mg/dL") into the test's name and its value with
// unit, for the screens and documents that give the value a column of its
// own: at the last " <comparator><value>" of a numeric result (the number
// must end there: 1 is not the start of 13), at the first ": " of a coded
// or text one ("EGFR …: Present"). ok is false when display cannot be split.
func SplitValue(display string, m store.Meta) (name, value string, ok bool) {
	if !m.HasValue {
		if i := strings.Index(display, ": "); i > 0 {
			return display[:i], display[i+2:], true
		}
		return display, "", false
	}
	num := " " + m.Comparator + strconv.FormatFloat(m.Value, 'f', -1, 64)
	i := strings.LastIndex(display, num)
	if i <= 0 {
		return display, "", false
	}
	if end := i + len(num); end < len(display) && (display[end] >= '0' && display[end] <= '9' || display[end] == '.') {
		return display, "", false
	}
	return display[:i], display[i+1:], true
}
