package demo

import (
	"testing"
)

// chartScore scores one vital-sign set on the RCP NEWS2 chart (2017), written
// out independently of the plans, to check them.
func chartScore(v vitals, scale2 bool) (total int, red bool) {
	add := func(s int) {
		total += s
		red = red || s == 3
	}
	switch rr := v.RR; {
	case rr <= 8:
		add(3)
	case rr <= 11:
		add(1)
	case rr <= 20:
		add(0)
	case rr <= 24:
		add(2)
	default:
		add(3)
	}
	onO2 := v.O2 > 0
	s := v.SpO2
	if !scale2 {
		switch {
		case s <= 91:
			add(3)
		case s <= 93:
			add(2)
		case s <= 95:
			add(1)
		default:
			add(0)
		}
	} else {
		switch {
		case s <= 83:
			add(3)
		case s <= 85:
			add(2)
		case s <= 87:
			add(1)
		case s <= 92 || !onO2:
			add(0)
		case s <= 94:
			add(1)
		case s <= 96:
			add(2)
		default:
			add(3)
		}
	}
	if onO2 {
		add(2)
	}
	switch sbp := v.SBP; {
	case sbp <= 90:
		add(3)
	case sbp <= 100:
		add(2)
	case sbp <= 110:
		add(1)
	case sbp <= 219:
		add(0)
	default:
		add(3)
	}
	switch hr := v.HR; {
	case hr <= 40:
		add(3)
	case hr <= 50:
		add(1)
	case hr <= 90:
		add(0)
	case hr <= 110:
		add(1)
	case hr <= 130:
		add(2)
	default:
		add(3)
	}
	if v.ACVPU.code != acvpuAlert.code {
		add(3)
	}
	switch t := round(v.Temp, 1); {
	case t <= 35.0:
		add(3)
	case t <= 36.0:
		add(1)
	case t <= 38.0:
		add(0)
	case t <= 39.0:
		add(1)
	default:
		add(2)
	}
	return total, red
}

func chartBand(total int, red bool) string {
	switch {
	case total >= 7:
		return "high"
	case total >= 5:
		return "medium"
	case red:
		return "low-medium"
	}
	return "low"
}

func TestChartScoreEdges(t *testing.T) {
	base := vitals{RR: 16, SpO2: 97, SBP: 120, HR: 70, Temp: 37, ACVPU: acvpuAlert}
	tests := []struct {
		name   string
		change func(*vitals)
		scale2 bool
		want   int
	}{
		{"all normal", func(*vitals) {}, false, 0},
		{"RR 20", func(v *vitals) { v.RR = 20 }, false, 0},
		{"RR 21", func(v *vitals) { v.RR = 21 }, false, 2},
		{"RR 24", func(v *vitals) { v.RR = 24 }, false, 2},
		{"RR 25", func(v *vitals) { v.RR = 25 }, false, 3},
		{"RR 11", func(v *vitals) { v.RR = 11 }, false, 1},
		{"RR 8", func(v *vitals) { v.RR = 8 }, false, 3},
		{"SpO2 96", func(v *vitals) { v.SpO2 = 96 }, false, 0},
		{"SpO2 95", func(v *vitals) { v.SpO2 = 95 }, false, 1},
		{"SpO2 93", func(v *vitals) { v.SpO2 = 93 }, false, 2},
		{"SpO2 91", func(v *vitals) { v.SpO2 = 91 }, false, 3},
		{"scale 2 SpO2 88 on O2", func(v *vitals) { v.SpO2, v.O2 = 88, 1 }, true, 2},
		{"scale 2 SpO2 92 on O2", func(v *vitals) { v.SpO2, v.O2 = 92, 1 }, true, 2},
		{"scale 2 SpO2 93 on O2", func(v *vitals) { v.SpO2, v.O2 = 93, 1 }, true, 3},
		{"scale 2 SpO2 97 on air", func(v *vitals) { v.SpO2 = 97 }, true, 0},
		{"scale 2 SpO2 87", func(v *vitals) { v.SpO2 = 87 }, true, 1},
		{"SBP 111", func(v *vitals) { v.SBP = 111 }, false, 0},
		{"SBP 110", func(v *vitals) { v.SBP = 110 }, false, 1},
		{"SBP 100", func(v *vitals) { v.SBP = 100 }, false, 2},
		{"SBP 90", func(v *vitals) { v.SBP = 90 }, false, 3},
		{"SBP 220", func(v *vitals) { v.SBP = 220 }, false, 3},
		{"HR 90", func(v *vitals) { v.HR = 90 }, false, 0},
		{"HR 91", func(v *vitals) { v.HR = 91 }, false, 1},
		{"HR 111", func(v *vitals) { v.HR = 111 }, false, 2},
		{"HR 131", func(v *vitals) { v.HR = 131 }, false, 3},
		{"HR 50", func(v *vitals) { v.HR = 50 }, false, 1},
		{"HR 40", func(v *vitals) { v.HR = 40 }, false, 3},
		{"confused", func(v *vitals) { v.ACVPU = acvpuConfusion }, false, 3},
		{"temp 38.0", func(v *vitals) { v.Temp = 38.0 }, false, 0},
		{"temp 38.1", func(v *vitals) { v.Temp = 38.1 }, false, 1},
		{"temp 39.1", func(v *vitals) { v.Temp = 39.1 }, false, 2},
		{"temp 36.0", func(v *vitals) { v.Temp = 36.0 }, false, 1},
		{"temp 35.0", func(v *vitals) { v.Temp = 35.0 }, false, 3},
	}
	for _, tc := range tests {
		v := base
		tc.change(&v)
		if got, _ := chartScore(v, tc.scale2); got != tc.want {
			t.Errorf("%s: score %d, want %d", tc.name, got, tc.want)
		}
	}
}

// corners returns every corner of a stage's box: each parameter at its low
// or its high end (every sub-score is constant inside the box, and each
// sub-score is monotone in its parameter within a bin, so the corners bound it).
func corners(r vitalRange) []vitals {
	var out []vitals
	for mask := 0; mask < 64; mask++ {
		pick := func(bit int, lo, hi int) int {
			if mask&(1<<bit) != 0 {
				return hi
			}
			return lo
		}
		temp := r.Temp[0]
		if mask&(1<<5) != 0 {
			temp = r.Temp[1]
		}
		out = append(out, vitals{
			RR: pick(0, r.RR[0], r.RR[1]), SpO2: pick(1, r.SpO2[0], r.SpO2[1]), O2: float64(pick(2, r.O2[0], r.O2[1])),
			SBP: pick(3, r.SBP[0], r.SBP[1]), HR: pick(4, r.HR[0], r.HR[1]), Temp: temp, ACVPU: r.ACVPU,
		})
	}
	return out
}

func TestStagesScoreTheirBand(t *testing.T) {
	plans := []struct {
		name   string
		stages []stage
		scale2 bool
		bands  []string
	}{
		{"deterioration", deterioration(), false, []string{"low", "low-medium", "medium", "high"}},
		{"recovery", recovery(), false, []string{"high", "medium", "low", "low"}},
		{"recovery admission", []stage{recoveryAdmission()}, false, []string{"high"}},
		{"COPD on Scale 2", []stage{copdStable()}, true, []string{"low"}},
		{"ICU", []stage{icuStable()}, false, []string{"low"}},
		{"heart failure", []stage{heartFailureStable()}, false, []string{"low"}},
	}
	g := newGen(1, 1)
	for _, p := range plans {
		if len(p.stages) != len(p.bands) {
			t.Fatalf("%s: %d stages, %d bands", p.name, len(p.stages), len(p.bands))
		}
		for i, s := range p.stages {
			if s.Band != p.bands[i] {
				t.Errorf("%s stage %d: planned band %s, want %s", p.name, i, s.Band, p.bands[i])
			}
			samples := corners(s.r)
			for range 200 {
				samples = append(samples, s.r.sample(g))
			}
			for _, v := range samples {
				total, red := chartScore(v, p.scale2)
				if total != s.Score || chartBand(total, red) != s.Band {
					t.Fatalf("%s stage %d: %+v scores %d (%s), planned %d (%s)", p.name, i, v, total, chartBand(total, red), s.Score, s.Band)
				}
			}
		}
	}
	// The COPD readings would be low-medium or medium on Scale 1: Scale 2 matters.
	for _, v := range corners(copdStable().r) {
		if total, red := chartScore(v, false); chartBand(total, red) == "low" {
			t.Fatalf("COPD reading %+v is low on Scale 1 too; Scale 2 would not show", v)
		}
	}
}
