package store

import (
	"reflect"
	"testing"
	"time"
)

// TestCodecDeceasedDate: the date of death, added after encoding version 2,
// round-trips, and an entry written before it (ending at Source.Time) still
// decodes, with no date.
func TestCodecDeceasedDate(t *testing.T) {
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name string
		p    *Demographics
	}{
		{"with a date of death", &Demographics{Name: "n", BirthDate: "1927-04-01", Deceased: true, DeceasedDate: "2012-05-03"}},
		{"deceased, no date", &Demographics{Name: "n", Deceased: true}},
		{"alive", &Demographics{Name: "n", BirthDate: "1950"}},
		{"no patient", nil},
	}
	for _, tt := range tests {
		m := Meta{Display: "x", Source: Source{Partition: 1, Offset: 7, Time: at}, Patient: tt.p}
		b := encodeItem("Patient", "p1", &m)
		_, _, got, err := decodeItem(b, nil)
		if err != nil || !reflect.DeepEqual(got.Patient, tt.p) || got.Source.Offset != 7 {
			t.Errorf("%s: decoded %+v (%v), want %+v", tt.name, got.Patient, err, tt.p)
		}
	}
	// an entry from before the field: the same bytes without the trailing date
	old := Meta{Display: "x", Source: Source{Time: at}, Patient: &Demographics{Name: "n", Deceased: true}}
	b := encodeItem("Patient", "p1", &old)
	if _, _, got, err := decodeItem(b, nil); err != nil || got.Patient.DeceasedDate != "" || !got.Patient.Deceased {
		t.Errorf("older entry: %+v, %v", got.Patient, err)
	}
}
