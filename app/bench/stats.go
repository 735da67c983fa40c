package bench

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
)

// Spread is one figure over repeated runs: the median is what the figure's
// JSON key holds, min and max sit beside it as <key>_min and <key>_max, so
// a single noisy run neither passes nor fails a goal.
type Spread struct {
	Median, Min, Max float64
	Runs             int
}

// spreadOf summarises samples; NaN samples (a run that could not measure)
// are left out. The median of an even count is the mean of the middle two.
func spreadOf(samples []float64) (Spread, bool) {
	var v []float64
	for _, x := range samples {
		if !math.IsNaN(x) {
			v = append(v, x)
		}
	}
	if len(v) == 0 {
		return Spread{}, false
	}
	sort.Float64s(v)
	m := v[len(v)/2]
	if len(v)%2 == 0 {
		m = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return Spread{Median: m, Min: v[0], Max: v[len(v)-1], Runs: len(v)}, true
}

// samples collects each figure's per-run values by JSON key.
type samples map[string][]float64

func (s samples) add(key string, v float64) { s[key] = append(s[key], v) }

// settle sets each figure's median into res (through set) and its spread
// into res.Spreads.
func (s samples) settle(res *Result, set func(key string, median float64)) {
	if res.Spreads == nil {
		res.Spreads = map[string]Spread{}
	}
	for key, v := range s {
		sp, ok := spreadOf(v)
		if !ok {
			continue
		}
		res.Spreads[key] = sp
		set(key, sp.Median)
	}
}

// MarshalJSON writes the figures under their keys (the median where a
// figure was run several times) with <key>_min, <key>_max and <key>_runs
// beside each repeated one.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result // without this method
	b, err := json.Marshal(plain(r))
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for key, sp := range r.Spreads {
		if _, ok := m[key]; !ok {
			m[key] = sp.Median
		}
		m[key+"_min"], m[key+"_max"], m[key+"_runs"] = sp.Min, sp.Max, sp.Runs
	}
	return json.Marshal(m) // encoding/json sorts map keys: a stable file
}

// spreadText is "median (min–max, n runs)" for the table.
func (r Result) spreadText(key string, v float64) string {
	sp, ok := r.Spreads[key]
	if !ok || sp.Runs < 2 {
		return fmt.Sprintf("%12.2f %-22s", v, "")
	}
	return fmt.Sprintf("%12.2f %-22s", sp.Median, strings.TrimSpace(fmt.Sprintf("(%.2f–%.2f, %d)", sp.Min, sp.Max, sp.Runs)))
}
