// NEWS2 oxygen: air or supplemental oxygen, and SpO2 Scale 2 for patients with a hypercapnic target.

package clinical

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/chartline/chartline/store"
)

func hypercapnicTarget(status string, low, high float64) store.Item {
	return store.Item{
		Ref:  store.Ref{Collection: testPatient, Type: "Goal", ID: "spo2-target"},
		Meta: store.Meta{Codes: []string{CodeSpO2}, Status: status, Low: low, HasLow: true, High: high, HasHigh: true, Unit: "%"},
	}
}

func TestAirOrOxygen(t *testing.T) {
	conc := func(spo2, pct float64) store.Item {
		it := vital("ox", t0, CodeSpO2, spo2, "%")
		it.Meta.Components = []store.Component{{Code: CodeInhaledO2Conc, Value: pct, HasValue: true, Unit: "%"}}
		return it
	}
	cases := []struct {
		name  string
		items []store.Item
		want  int
		code  string
	}{
		{"flow 0 L/min is air", []store.Item{pulseOx("ox", t0, 97, 0)}, 0, "air"},
		{"flow 0.5 L/min is oxygen", []store.Item{pulseOx("ox", t0, 97, 0.5)}, 2, "oxygen"},
		{"concentration 21% is air", []store.Item{conc(97, 21)}, 0, "air"},
		{"concentration 21.1% is oxygen", []store.Item{conc(97, 21.1)}, 2, "oxygen"},
		{"concentration 28% is oxygen", []store.Item{conc(97, 28)}, 2, "oxygen"},
		{"inspired oxygen Observation 2 L/min", []store.Item{vital("ox", t0, CodeSpO2, 97, "%"), vital("o2", t0, CodeInhaledO2Flow, 2, "L/min")}, 2, "oxygen"},
		{"inspired oxygen Observation 21%", []store.Item{vital("ox", t0, CodeSpO2, 97, "%"), vital("o2", t0, CodeInhaledO2Conc, 21, "%")}, 0, "air"},
		{"newer air beats older oxygen", []store.Item{pulseOx("ox", t0, 97, 0), vital("o2", t0.Add(-time.Hour), CodeInhaledO2Flow, 2, "L/min")}, 0, "air"},
		{"newer oxygen beats older air", []store.Item{pulseOx("ox", t0.Add(-time.Hour), 97, 0), vital("o2", t0, CodeInhaledO2Flow, 2, "L/min")}, 2, "oxygen"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			items := without(normal(t0), "ox")
			items = append(items, c.items...)
			r := NEWS2(items, nil, NEWS2Options{})
			got, ok := r.Score(AirOrOxygen)
			if !ok || got != c.want {
				t.Fatalf("air_or_oxygen %d (scored %v), want %d; skipped %+v", got, ok, c.want, r.Skipped)
			}
			if rd, _ := r.Reading(AirOrOxygen); rd.Code != c.code {
				t.Fatalf("code %q, want %q", rd.Code, c.code)
			}
		})
	}

	t.Run("no evidence is missing", func(t *testing.T) {
		items := replace(normal(t0), "ox", vital("ox", t0, CodeSpO2, 97, "%"))
		r := NEWS2(items, nil, NEWS2Options{})
		if _, ok := r.Score(AirOrOxygen); ok || r.Complete || !reflect.DeepEqual(r.Missing, []Parameter{AirOrOxygen}) {
			t.Fatalf("want air_or_oxygen missing, got %+v missing %v", r.Scores, r.Missing)
		}
		r = NEWS2(items, nil, NEWS2Options{AssumeAir: true})
		rd, ok := r.Reading(AirOrOxygen)
		if !ok || !rd.Assumed || rd.Score != 0 || !r.Complete {
			t.Fatalf("AssumeAir: reading %+v ok %v complete %v", rd, ok, r.Complete)
		}
	})
}

func TestScale2(t *testing.T) {
	goal := []store.Item{hypercapnicTarget("active", 88, 92)}
	type row struct {
		spo2 float64
		o2   bool
		want int
	}
	rows := []row{
		{80, false, 3}, {83, false, 3}, {84, false, 2}, {85, false, 2}, {86, false, 1}, {87, false, 1},
		{88, false, 0}, {92, false, 0}, {93, false, 0}, {97, false, 0}, {100, false, 0},
		{83, true, 3}, {88, true, 0}, {92, true, 0}, {93, true, 1}, {94, true, 1}, {95, true, 2}, {96, true, 2}, {97, true, 3}, {100, true, 3},
	}
	for _, c := range rows {
		flow := 0.0
		if c.o2 {
			flow = 2
		}
		t.Run(fmt.Sprintf("spo2=%g oxygen=%v", c.spo2, c.o2), func(t *testing.T) {
			r := NEWS2(replace(normal(t0), "ox", pulseOx("ox", t0, c.spo2, flow)), goal, NEWS2Options{})
			if r.Scale != 2 || r.ScaleGoal == nil || r.ScaleGoal.ID != "spo2-target" {
				t.Fatalf("scale %d goal %v, want 2 from the Goal", r.Scale, r.ScaleGoal)
			}
			if got, ok := r.Score(SpO2); !ok || got != c.want {
				t.Fatalf("spo2 score %d (scored %v), want %d", got, ok, c.want)
			}
		})
	}

	t.Run("which goals choose scale 2", func(t *testing.T) {
		other := hypercapnicTarget("active", 88, 92)
		other.Meta.Codes = []string{SystemLOINC + "|2339-0"}
		cases := []struct {
			name  string
			goals []store.Item
			opts  NEWS2Options
			scale int
		}{
			{"no goal", nil, NEWS2Options{}, 1},
			{"target 88-92 active", goal, NEWS2Options{}, 2},
			{"target high 92 without low", []store.Item{func() store.Item { g := hypercapnicTarget("active", 0, 92); g.Meta.HasLow = false; return g }()}, NEWS2Options{}, 2},
			{"target 94-98 is not hypercapnic", []store.Item{hypercapnicTarget("active", 94, 98)}, NEWS2Options{}, 1},
			{"target high 93 is not hypercapnic", []store.Item{hypercapnicTarget("active", 88, 93)}, NEWS2Options{}, 1},
			{"completed goal", []store.Item{hypercapnicTarget("completed", 88, 92)}, NEWS2Options{}, 1},
			{"goal on another measure", []store.Item{other}, NEWS2Options{}, 1},
			{"policy forces scale 1", goal, NEWS2Options{Scale: Scale1Only}, 1},
		}
		for _, c := range cases {
			r := NEWS2(replace(normal(t0), "ox", pulseOx("ox", t0, 90, 0)), c.goals, NEWS2Options{Scale: c.opts.Scale})
			if r.Scale != c.scale {
				t.Errorf("%s: scale %d, want %d", c.name, r.Scale, c.scale)
			}
			want := 3 // SpO2 90 on Scale 1
			if c.scale == 2 {
				want = 0
			}
			if got, _ := r.Score(SpO2); got != want {
				t.Errorf("%s: spo2 score %d, want %d", c.name, got, want)
			}
		}
	})

	t.Run("spo2 93 on scale 2 without air or oxygen", func(t *testing.T) {
		items := replace(normal(t0), "ox", vital("ox", t0, CodeSpO2, 95, "%"))
		r := NEWS2(items, goal, NEWS2Options{})
		if _, ok := r.Score(SpO2); ok {
			t.Fatalf("spo2 95 on scale 2 scored without knowing oxygen")
		}
		if !reflect.DeepEqual(r.Missing, []Parameter{SpO2, AirOrOxygen}) || !hasSkip(r, SpO2, "Scale 2") {
			t.Fatalf("missing %v skipped %+v", r.Missing, r.Skipped)
		}
		// 92 % is 0 on Scale 2 whatever the oxygen.
		r = NEWS2(replace(normal(t0), "ox", vital("ox", t0, CodeSpO2, 92, "%")), goal, NEWS2Options{})
		if got, ok := r.Score(SpO2); !ok || got != 0 {
			t.Fatalf("spo2 92 on scale 2: %d %v", got, ok)
		}
	})
}
