package bench

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

func TestSpreadOf(t *testing.T) {
	for _, tc := range []struct {
		name             string
		in               []float64
		ok               bool
		median, min, max float64
		runs             int
	}{
		{"none", nil, false, 0, 0, 0, 0},
		{"one", []float64{4}, true, 4, 4, 4, 1},
		{"odd: the middle one", []float64{9, 1, 5}, true, 5, 1, 9, 3},
		{"even: mean of the middle two", []float64{4, 1, 2, 8}, true, 3, 1, 8, 4},
		{"a run that could not measure is left out", []float64{math.NaN(), 7, 3}, true, 5, 3, 7, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sp, ok := spreadOf(tc.in)
			if ok != tc.ok || sp.Median != tc.median || sp.Min != tc.min || sp.Max != tc.max || sp.Runs != tc.runs {
				t.Errorf("spreadOf(%v) = %+v, %v; want median %v min %v max %v runs %v, %v", tc.in, sp, ok, tc.median, tc.min, tc.max, tc.runs, tc.ok)
			}
		})
	}
}

// The JSON keeps every key of issue #9 holding the median, with _min and
// _max beside each repeated figure.
func TestResultJSON(t *testing.T) {
	var r Result
	sm := samples{}
	for _, v := range []float64{0.9, 1.2, 1.0} {
		sm.add("p1_ratio", v)
	}
	sm.add("p3_probes", 150)
	sm.add("p3_probes", 450)
	sm.add("p3_probes", 300)
	sm.settle(&r, func(k string, v float64) { setFigure(&r, k, v) })
	if r.P1Ratio != 1.0 || r.P3Probes != 300 {
		t.Fatalf("medians not set into the fields: ratio %v, probes %v", r.P1Ratio, r.P3Probes)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]float64{"p1_ratio": 1.0, "p1_ratio_min": 0.9, "p1_ratio_max": 1.2, "p1_ratio_runs": 3, "p3_probes": 300, "p2_open_ms": 0} {
		if got, ok := m[key].(float64); !ok || got != want {
			t.Errorf("%s = %v, want %v", key, m[key], want)
		}
	}
	for _, key := range []string{"p2r_render_ms", "p3r_p99_ms", "p8_cold_start_s", "p8_search_ms", "p9_gui_cpu_pct", "p9_ingest_cpu_pct"} {
		if _, ok := m[key]; !ok {
			t.Errorf("key %s missing from the JSON", key)
		}
	}
}

func TestCPUTicksOfSelf(t *testing.T) {
	if _, err := cpuTicks(1 << 30); err == nil {
		t.Error("a process that does not exist has CPU ticks")
	}
	burn := 0.0
	for i := range 20_000_000 {
		burn += math.Sqrt(float64(i))
	}
	ticks, err := cpuTicks(osPid())
	if err != nil || ticks <= 0 {
		t.Errorf("cpuTicks(self) = %d, %v after burning CPU (%v)", ticks, err, burn > 0)
	}
}

func osPid() int { return os.Getpid() }
