// NEWS2 units: temperature in UCUM Celsius, Fahrenheit or Kelvin, other UCUM units, unusable readings and rounding at band edges.

package clinical

import (
	"fmt"
	"testing"
	"time"

	"github.com/chartline/chartline/store"
)

func TestTemperatureUnits(t *testing.T) {
	cases := []struct {
		v      float64
		unit   string
		score  int
		scored bool
	}{
		{95.0, "[degF]", 3, true},  // 35.0 °C
		{95.2, "[degF]", 1, true},  // 35.1 °C
		{96.8, "[degF]", 1, true},  // 36.0 °C
		{97.0, "[degF]", 0, true},  // 36.1 °C
		{100.4, "[degF]", 0, true}, // 38.0 °C
		{100.6, "[degF]", 1, true}, // 38.1 °C
		{102.2, "[degF]", 1, true}, // 39.0 °C
		{102.4, "[degF]", 2, true}, // 39.1 °C
		{310.15, "K", 0, true},     // 37.0 °C
		{37, "Cel", 0, true},
		{98.6, "Cel", 0, false}, // Fahrenheit labelled Cel: implausible
		{37, "degC", 0, false},  // not UCUM
		{37, "", 0, false},      // no unit
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%g %s", c.v, c.unit), func(t *testing.T) {
			r := NEWS2(replace(normal(t0), "temp", vital("temp", t0, CodeTempOral, c.v, c.unit)), nil, NEWS2Options{})
			got, ok := r.Score(Temperature)
			if ok != c.scored || got != c.score {
				t.Fatalf("score %d scored %v, want %d %v; skipped %+v", got, ok, c.score, c.scored, r.Skipped)
			}
			if !c.scored && !hasSkip(r, Temperature, "") {
				t.Fatalf("unusable temperature not reported in Skipped")
			}
			if c.scored {
				if rd, _ := r.Reading(Temperature); rd.Unit != "Cel" {
					t.Fatalf("reading unit %q, want Cel", rd.Unit)
				}
			}
		})
	}
	for _, code := range temperatureCodes {
		r := NEWS2(replace(normal(t0), "temp", vital("temp", t0, code, 39.1, "Cel")), nil, NEWS2Options{})
		if got, _ := r.Score(Temperature); got != 2 {
			t.Errorf("%s: score %d, want 2", code, got)
		}
	}
}

func TestUnitsAndRounding(t *testing.T) {
	cases := []struct {
		name   string
		it     store.Item
		p      Parameter
		score  int
		scored bool
		reason string
	}{
		{"{breaths}/min", vital("rr", t0, CodeRespiratoryRate, 25, "{breaths}/min"), Respiration, 3, true, ""},
		{"1/min", vital("rr", t0, CodeRespiratoryRate, 25, "1/min"), Respiration, 3, true, ""},
		{"{beats}/min", vital("hr", t0, CodeHeartRate, 131, "{beats}/min"), Pulse, 3, true, ""},
		{"bpm is not UCUM", vital("hr", t0, CodeHeartRate, 131, "bpm"), Pulse, 0, false, `unit "bpm"`},
		{"rr 20.4 rounds to 20", vital("rr", t0, CodeRespiratoryRate, 20.4, "/min"), Respiration, 0, true, ""},
		{"rr 20.5 rounds to 21", vital("rr", t0, CodeRespiratoryRate, 20.5, "/min"), Respiration, 2, true, ""},
		{"temperature 38.04 rounds to 38.0", vital("temp", t0, CodeBodyTemperature, 38.04, "Cel"), Temperature, 0, true, ""},
		{"temperature 38.05 rounds to 38.1", vital("temp", t0, CodeBodyTemperature, 38.05, "Cel"), Temperature, 1, true, ""},
		{"spo2 without unit", vital("ox", t0, CodeSpO2, 97, ""), SpO2, 0, false, "no unit"},
		{"spo2 above 100", vital("ox", t0, CodeSpO2, 101, "%"), SpO2, 0, false, "above 100"},
		{"sbp in kPa", vital("bp", t0, CodeSystolicBP, 16, "kPa"), Systolic, 0, false, `unit "kPa"`},
		{"comparator", func() store.Item {
			it := vital("hr", t0, CodeHeartRate, 40, "/min")
			it.Meta.Comparator = "<"
			return it
		}(), Pulse, 0, false, "comparator"},
		{"no value", func() store.Item {
			it := vital("hr", t0, CodeHeartRate, 0, "/min")
			it.Meta.HasValue = false
			return it
		}(), Pulse, 0, false, "no numeric value"},
		{"negative", vital("hr", t0, CodeHeartRate, -5, "/min"), Pulse, 0, false, "not a usable number"},
		{"entered in error", func() store.Item {
			it := vital("hr", t0, CodeHeartRate, 131, "/min")
			it.Meta.Status = "entered-in-error"
			return it
		}(), Pulse, 0, false, "entered-in-error"},
		{"no time", vital("hr", time.Time{}, CodeHeartRate, 131, "/min"), Pulse, 0, false, "no effective time"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := NEWS2(replace(normal(t0), c.it.ID, c.it), nil, NEWS2Options{})
			got, ok := r.Score(c.p)
			if ok != c.scored || got != c.score {
				t.Fatalf("score %d scored %v, want %d %v; skipped %+v", got, ok, c.score, c.scored, r.Skipped)
			}
			if c.reason != "" && !hasSkip(r, c.p, c.reason) {
				t.Fatalf("want a skip mentioning %q, got %+v", c.reason, r.Skipped)
			}
		})
	}
}
