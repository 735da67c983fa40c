// The RCP NEWS2 chart 2017: its bands, its thresholds, and the functions that apply
// them to one reading.

package clinical

import "math"

// NEWS2 bands, from the RCP NEWS2 chart 2017 ("NEWS thresholds and triggers"),
// plus "none" when there is no usable vital sign at all.
const (
	BandNone       = "none"
	BandLow        = "low"        // aggregate 0–4
	BandLowMedium  = "low-medium" // a single parameter scoring 3 (red score), aggregate under 5
	BandMedium     = "medium"     // aggregate 5–6
	BandHigh       = "high"       // aggregate 7 or more
	bandMediumFrom = 5            // RCP NEWS2 chart 2017: aggregate 5–6 is medium
	bandHighFrom   = 7            // RCP NEWS2 chart 2017: aggregate ≥ 7 is high
	redScore       = 3            // RCP NEWS2 chart 2017: a single parameter scoring 3 is a red score
)

// BandRank orders the bands: none 0, low 1, low-medium 2, medium 3, high 4,
// and National PEWS's emergency 5 (so the census ranks both scores on one
// scale); an unknown band is -1. A NEWS2 alert is a rise in rank.
func BandRank(band string) int {
	switch band {
	case BandNone:
		return 0
	case BandLow:
		return 1
	case BandLowMedium:
		return 2
	case BandMedium:
		return 3
	case BandHigh:
		return 4
	case PEWSEmergency:
		return 5
	}
	return -1
}

// Thresholds of the RCP NEWS2 chart 2017 (Royal College of Physicians, National
// Early Warning Score (NEWS) 2, Chart 1: The NEWS scoring system). Each constant
// is the highest value of its row; a value above the last row scores the top row.
const (
	// Respiration rate, per minute: ≤8 → 3, 9–11 → 1, 12–20 → 0, 21–24 → 2, ≥25 → 3.
	respScore3Max = 8
	respScore1Max = 11
	respScore0Max = 20
	respScore2Max = 24

	// SpO2 Scale 1, %: ≤91 → 3, 92–93 → 2, 94–95 → 1, ≥96 → 0.
	spo2S1Score3Max = 91
	spo2S1Score2Max = 93
	spo2S1Score1Max = 95

	// SpO2 Scale 2 (hypercapnic respiratory failure), %: ≤83 → 3, 84–85 → 2,
	// 86–87 → 1, 88–92 or ≥93 on air → 0; on oxygen 93–94 → 1, 95–96 → 2, ≥97 → 3.
	spo2S2Score3Max     = 83
	spo2S2Score2Max     = 85
	spo2S2Score1Max     = 87
	spo2S2Score0Max     = 92
	spo2S2O2Score1Max   = 94
	spo2S2O2Score2Max   = 96
	hypercapnicTargetHi = 92 // RCP NEWS2 2017: Scale 2 is for a prescribed target range of 88–92 %

	// Air or oxygen: air → 0, oxygen → 2.
	oxygenScore = 2

	// Systolic blood pressure, mmHg: ≤90 → 3, 91–100 → 2, 101–110 → 1, 111–219 → 0, ≥220 → 3.
	sbpScore3Max = 90
	sbpScore2Max = 100
	sbpScore1Max = 110
	sbpScore0Max = 219

	// Pulse, per minute: ≤40 → 3, 41–50 → 1, 51–90 → 0, 91–110 → 1, 111–130 → 2, ≥131 → 3.
	pulseScore3Max   = 40
	pulseScore1Max   = 50
	pulseScore0Max   = 90
	pulseScore1HiMax = 110
	pulseScore2HiMax = 130

	// Consciousness: alert → 0; new confusion, voice, pain or unresponsive (CVPU) → 3.
	cvpuScore = 3

	// Temperature, tenths of °C: ≤35.0 → 3, 35.1–36.0 → 1, 36.1–38.0 → 0, 38.1–39.0 → 1, ≥39.1 → 2.
	tempScore3MaxTenths   = 350
	tempScore1MaxTenths   = 360
	tempScore0MaxTenths   = 380
	tempScore1HiMaxTenths = 390
)

// bandOf applies the RCP NEWS2 chart 2017 thresholds in this order of
// precedence: no scored parameter → none; aggregate ≥ 7 → high; 5–6 → medium;
// a red score (single parameter 3) → low-medium; otherwise low.
func bandOf(total int, red, any bool) string {
	switch {
	case !any:
		return BandNone
	case total >= bandHighFrom:
		return BandHigh
	case total >= bandMediumFrom:
		return BandMedium
	case red:
		return BandLowMedium
	}
	return BandLow
}

// scoreReading applies the chart to one reading. It returns a reason instead
// when the score cannot be decided (Scale 2 SpO2 ≥ 93 % without knowing whether
// the patient is on oxygen).
func scoreReading(c *candidate, scale int, air *candidate) (int, string) {
	switch c.Parameter {
	case Respiration:
		return scoreRespiration(c.Value), ""
	case SpO2:
		if scale == 2 {
			v := int(math.Round(c.Value))
			if v > spo2S2Score0Max && air == nil {
				return 0, "Scale 2 needs air or oxygen for SpO2 ≥ 93 %, and none is recorded"
			}
			return scoreSpO2Scale2(c.Value, air != nil && air.o2), ""
		}
		return scoreSpO2Scale1(c.Value), ""
	case AirOrOxygen:
		if c.o2 {
			return oxygenScore, ""
		}
		return 0, ""
	case Systolic:
		return scoreSystolic(c.Value), ""
	case Pulse:
		return scorePulse(c.Value), ""
	case Consciousness:
		if c.Code == "A" {
			return 0, ""
		}
		return cvpuScore, ""
	case Temperature:
		return scoreTemperature(c.Value), ""
	}
	return 0, "unknown parameter"
}

// The chart's rows are whole numbers (one decimal for temperature); a value
// between rows is rounded half away from zero to the chart's resolution first.

func scoreRespiration(v float64) int {
	switch n := int(math.Round(v)); {
	case n <= respScore3Max:
		return 3
	case n <= respScore1Max:
		return 1
	case n <= respScore0Max:
		return 0
	case n <= respScore2Max:
		return 2
	}
	return 3
}

func scoreSpO2Scale1(v float64) int {
	switch n := int(math.Round(v)); {
	case n <= spo2S1Score3Max:
		return 3
	case n <= spo2S1Score2Max:
		return 2
	case n <= spo2S1Score1Max:
		return 1
	}
	return 0
}

func scoreSpO2Scale2(v float64, onOxygen bool) int {
	n := int(math.Round(v))
	switch {
	case n <= spo2S2Score3Max:
		return 3
	case n <= spo2S2Score2Max:
		return 2
	case n <= spo2S2Score1Max:
		return 1
	case n <= spo2S2Score0Max, !onOxygen:
		return 0
	case n <= spo2S2O2Score1Max:
		return 1
	case n <= spo2S2O2Score2Max:
		return 2
	}
	return 3
}

func scoreSystolic(v float64) int {
	switch n := int(math.Round(v)); {
	case n <= sbpScore3Max:
		return 3
	case n <= sbpScore2Max:
		return 2
	case n <= sbpScore1Max:
		return 1
	case n <= sbpScore0Max:
		return 0
	}
	return 3
}

func scorePulse(v float64) int {
	switch n := int(math.Round(v)); {
	case n <= pulseScore3Max:
		return 3
	case n <= pulseScore1Max:
		return 1
	case n <= pulseScore0Max:
		return 0
	case n <= pulseScore1HiMax:
		return 1
	case n <= pulseScore2HiMax:
		return 2
	}
	return 3
}

func scoreTemperature(celsius float64) int {
	switch t := int(math.Round(celsius * 10)); {
	case t <= tempScore3MaxTenths:
		return 3
	case t <= tempScore1MaxTenths:
		return 1
	case t <= tempScore0MaxTenths:
		return 0
	case t <= tempScore1HiMaxTenths:
		return 1
	}
	return 2
}
