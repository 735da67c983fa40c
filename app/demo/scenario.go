package demo

// The vital-sign plans behind the demo's NEWS2 story. Each stage is a box of
// vital signs chosen so that every parameter stays inside one sub-score bin of
// the Royal College of Physicians' NEWS2 chart (2017), so any sample from a
// stage has the stage's total and band:
//
//	respiration   ≤8: 3 · 9–11: 1 · 12–20: 0 · 21–24: 2 · ≥25: 3
//	SpO2 Scale 1  ≤91: 3 · 92–93: 2 · 94–95: 1 · ≥96: 0
//	SpO2 Scale 2  ≤83: 3 · 84–85: 2 · 86–87: 1 · 88–92 (or ≥93 on air): 0 · 93–94 on O2: 1 · 95–96 on O2: 2 · ≥97 on O2: 3
//	air or oxygen air: 0 · oxygen: 2
//	systolic BP   ≤90: 3 · 91–100: 2 · 101–110: 1 · 111–219: 0 · ≥220: 3
//	pulse         ≤40: 3 · 41–50: 1 · 51–90: 0 · 91–110: 1 · 111–130: 2 · ≥131: 3
//	consciousness alert: 0 · new confusion, voice, pain, unresponsive: 3
//	temperature   ≤35.0: 3 · 35.1–36.0: 1 · 36.1–38.0: 0 · 38.1–39.0: 1 · ≥39.1: 2
//
// Bands: low 0–4, low-medium a single parameter scoring 3 with a total under
// 5, medium 5–6, high 7 or more.

// vitalRange is a box of vital signs, inclusive at both ends.
type vitalRange struct {
	RR, SpO2, SBP, HR [2]int
	O2                [2]int // inhaled oxygen flow, L/min; {0, 0} on room air
	Temp              [2]float64
	ACVPU             code
}

// sample draws one vital-sign set from the box.
func (r vitalRange) sample(g *gen) vitals {
	sbp := g.intn(r.SBP[0], r.SBP[1])
	return vitals{
		RR:    g.intn(r.RR[0], r.RR[1]),
		SpO2:  g.intn(r.SpO2[0], r.SpO2[1]),
		O2:    float64(g.intn(r.O2[0], r.O2[1])),
		SBP:   sbp,
		DBP:   g.intn(sbp*55/100, sbp*65/100),
		HR:    g.intn(r.HR[0], r.HR[1]),
		Temp:  g.uniform(r.Temp[0], r.Temp[1], 1),
		ACVPU: r.ACVPU,
	}
}

// stage is one step of a patient's NEWS2 story.
type stage struct {
	Band  string // the NEWS2 band every sample scores
	Score int    // the NEWS2 total every sample scores
	r     vitalRange
}

// deterioration is the deteriorating patient's story (community-acquired
// pneumonia becoming sepsis): admitted low, the simulator walks it through
// low-medium, medium and high, one stage every SimOptions.StageEvery.
func deterioration() []stage {
	return []stage{
		// 1: temperature 38.1–38.4 scores 1.
		{"low", 1, vitalRange{RR: [2]int{16, 19}, SpO2: [2]int{96, 97}, SBP: [2]int{121, 132}, HR: [2]int{80, 88}, Temp: [2]float64{38.1, 38.4}, ACVPU: acvpuAlert}},
		// 4 with a red score: SpO2 90–91 on air scores 3, temperature 1.
		{"low-medium", 4, vitalRange{RR: [2]int{18, 20}, SpO2: [2]int{90, 91}, SBP: [2]int{114, 124}, HR: [2]int{84, 90}, Temp: [2]float64{38.1, 38.5}, ACVPU: acvpuAlert}},
		// 6: respiration 21–24 (2), SpO2 94–95 (1) on 2 L/min oxygen (2), temperature (1).
		{"medium", 6, vitalRange{RR: [2]int{21, 24}, SpO2: [2]int{94, 95}, O2: [2]int{2, 2}, SBP: [2]int{111, 119}, HR: [2]int{86, 90}, Temp: [2]float64{38.2, 38.6}, ACVPU: acvpuAlert}},
		// 15: respiration ≥25 (3), SpO2 92–93 (2) on 4 L/min (2), systolic 95–100 (2),
		// pulse 112–124 (2), temperature 38.7–39.0 (1), new confusion (3).
		{"high", 15, vitalRange{RR: [2]int{25, 28}, SpO2: [2]int{92, 93}, O2: [2]int{4, 4}, SBP: [2]int{95, 100}, HR: [2]int{112, 124}, Temp: [2]float64{38.7, 39.0}, ACVPU: acvpuConfusion}},
	}
}

// recoveryAdmission is the recovering patient's first day in hospital, in
// the fixtures only: NEWS2 16.
func recoveryAdmission() stage {
	return stage{"high", 16, vitalRange{RR: [2]int{25, 27}, SpO2: [2]int{92, 93}, O2: [2]int{4, 4}, SBP: [2]int{91, 98}, HR: [2]int{118, 128}, Temp: [2]float64{39.1, 39.5}, ACVPU: acvpuConfusion}}
}

// recovery is the recovering patient's story (urosepsis on antibiotics):
// high at the end of the fixtures, then medium, then low.
func recovery() []stage {
	return []stage{
		// 9: respiration 21–24 (2), SpO2 94–95 (1) on 3 L/min (2), systolic 101–108 (1),
		// pulse 111–118 (2), temperature 38.2–38.8 (1).
		{"high", 9, vitalRange{RR: [2]int{21, 24}, SpO2: [2]int{94, 95}, O2: [2]int{3, 3}, SBP: [2]int{101, 108}, HR: [2]int{111, 118}, Temp: [2]float64{38.2, 38.8}, ACVPU: acvpuAlert}},
		// 5: respiration 21–23 (2), oxygen 2 L/min (2), pulse 92–104 (1).
		{"medium", 5, vitalRange{RR: [2]int{21, 23}, SpO2: [2]int{96, 97}, O2: [2]int{2, 2}, SBP: [2]int{111, 120}, HR: [2]int{92, 104}, Temp: [2]float64{37.5, 38.0}, ACVPU: acvpuAlert}},
		// 3: SpO2 94–95 on air (1), systolic 105–110 (1), pulse 92–99 (1).
		{"low", 3, vitalRange{RR: [2]int{17, 20}, SpO2: [2]int{94, 95}, SBP: [2]int{105, 110}, HR: [2]int{92, 99}, Temp: [2]float64{36.8, 37.6}, ACVPU: acvpuAlert}},
		// 0.
		{"low", 0, vitalRange{RR: [2]int{14, 18}, SpO2: [2]int{96, 98}, SBP: [2]int{118, 132}, HR: [2]int{72, 88}, Temp: [2]float64{36.5, 37.3}, ACVPU: acvpuAlert}},
	}
}

// COPD on oxygen with a hypercapnic target, SpO2 88–91 %: 2 on Scale 2
// (oxygen only); on Scale 1 the same readings would score 5 (medium).
func copdStable() stage {
	return stage{"low", 2, vitalRange{RR: [2]int{18, 20}, SpO2: [2]int{88, 91}, O2: [2]int{1, 2}, SBP: [2]int{128, 142}, HR: [2]int{80, 90}, Temp: [2]float64{36.6, 37.4}, ACVPU: acvpuAlert}}
}

// The intensive care patient, extubated and on 2 L/min: 2 (oxygen only).
func icuStable() stage {
	return stage{"low", 2, vitalRange{RR: [2]int{15, 19}, SpO2: [2]int{96, 98}, O2: [2]int{2, 2}, SBP: [2]int{112, 128}, HR: [2]int{76, 88}, Temp: [2]float64{36.7, 37.5}, ACVPU: acvpuAlert}}
}

// The heart-failure inpatient on room air: 0.
func heartFailureStable() stage {
	return stage{"low", 0, vitalRange{RR: [2]int{16, 20}, SpO2: [2]int{96, 98}, SBP: [2]int{112, 124}, HR: [2]int{66, 80}, Temp: [2]float64{36.4, 37.4}, ACVPU: acvpuAlert}}
}
