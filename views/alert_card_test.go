package views

import (
	"testing"

	"github.com/chartline/chartline/app/clinical"
)

// TestCauseReadingText: the alert's cause lines write units for people
// (UCUM display), never the UCUM code.
func TestCauseReadingText(t *testing.T) {
	for _, c := range []struct {
		rd   clinical.CauseReading
		want string
	}{
		{clinical.CauseReading{Parameter: string(clinical.Systolic), Value: 100, Unit: "mm[Hg]"}, "100 mmHg"},
		{clinical.CauseReading{Parameter: string(clinical.Temperature), Value: 38.7, Unit: "Cel"}, "38.7 °C"},
		{clinical.CauseReading{Parameter: string(clinical.Respiration), Value: 25, Unit: "/min"}, "25 /min"},
		{clinical.CauseReading{Parameter: string(clinical.SpO2), Value: 93, Unit: "%"}, "93 %"},
		{clinical.CauseReading{Parameter: string(clinical.AirOrOxygen), Code: "oxygen", Value: 4, Unit: "L/min"}, "oxygen 4 L/min"},
		{clinical.CauseReading{Parameter: string(clinical.AirOrOxygen), Code: "air"}, "air"},
		{clinical.CauseReading{Parameter: string(clinical.Consciousness), Code: "C"}, "C"},
	} {
		if got := causeReadingText(c.rd); got != c.want {
			t.Errorf("causeReadingText(%s %v %q) = %q, want %q", c.rd.Parameter, c.rd.Value, c.rd.Unit, got, c.want)
		}
	}
}
