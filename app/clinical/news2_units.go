// Unit checks for NEWS2 readings. Each returns the value in its canonical unit, that
// unit, and a reason when the unit cannot be used.

package clinical

import (
	"fmt"
	"math"
)

// Room air is 21 % oxygen: an inhaled concentration above it means supplemental
// oxygen (RCP NEWS2 2017, "air or oxygen"), as does any inhaled flow above 0 L/min.
const roomAirPercent = 21

// Plausibility limits: Chartline's own, not the chart's. A value outside them is
// a recording error (a Fahrenheit reading labelled Cel, a SpO2 of 250) and is
// skipped with a reason rather than scored.
const (
	minPlausibleCelsius = 10
	maxPlausibleCelsius = 50
	maxPercent          = 100
)

func perMinute(v float64, unit string) (float64, string, string) {
	switch ucumBase(unit) {
	case "/min", "1/min":
		return v, "/min", ""
	}
	return 0, "", unitReason(unit, "/min")
}

func percent(v float64, unit string) (float64, string, string) {
	if unit != "%" {
		return 0, "", unitReason(unit, "%")
	}
	if v > maxPercent {
		return 0, "", fmt.Sprintf("%g %% is above 100 %%", v)
	}
	return v, "%", ""
}

func mmHg(v float64, unit string) (float64, string, string) {
	if ucumBase(unit) != "mm[Hg]" {
		return 0, "", unitReason(unit, "mm[Hg]")
	}
	return v, "mm[Hg]", ""
}

func celsius(v float64, unit string) (float64, string, string) {
	var c float64
	switch ucumBase(unit) {
	case "Cel":
		c = v
	case "[degF]":
		c = (v - 32) * 5 / 9
	case "K":
		c = v - 273.15
	default:
		return 0, "", unitReason(unit, "Cel or [degF]")
	}
	if c < minPlausibleCelsius || c > maxPlausibleCelsius {
		return 0, "", fmt.Sprintf("%g %s is not a plausible body temperature", v, unit)
	}
	return c, "Cel", ""
}

func o2Flow(v float64, unit string) (float64, string, bool, string) {
	switch ucumBase(unit) {
	case "L/min", "l/min":
	default:
		return 0, "", false, unitReason(unit, "L/min")
	}
	if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, "", false, "oxygen flow is not a usable number"
	}
	return v, "L/min", v > 0, ""
}

func o2Conc(v float64, unit string) (float64, string, bool, string) {
	if unit != "%" {
		return 0, "", false, unitReason(unit, "%")
	}
	if v < 0 || v > maxPercent || math.IsNaN(v) {
		return 0, "", false, fmt.Sprintf("oxygen concentration %g %% is not plausible", v)
	}
	return v, "%", v > roomAirPercent, ""
}

func unitReason(unit, want string) string {
	if unit == "" {
		return "no unit (want " + want + ")"
	}
	return fmt.Sprintf("unit %q cannot be used (want %s)", unit, want)
}
