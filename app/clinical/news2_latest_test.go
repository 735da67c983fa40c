package clinical

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/chartline/chartline/store"
)

// TestLatestReadingsReadsOnlyWhatCanMatter: reading the last day first and
// the older Observations only when a parameter has no usable reading there
// finds the same best readings and reports the same skips as reading every
// Observation, on random histories in random order: sets up to five days
// old, parameters missing for days, readings entered in error, cancelled,
// without a time, without a value or with a comparator.
func TestLatestReadingsReadsOnlyWhatCanMatter(t *testing.T) {
	rng := rand.New(rand.NewPCG(20261203, 1))
	const everything = 200 * 365 * 24 * time.Hour // a cut before any reading: every Observation is read
	for trial := range 400 {
		items := randomHistory(rng)
		fast, fastSkips := latestReadings(items, DefaultStaleWindow)
		all, allSkips := latestReadings(items, everything)
		if !reflect.DeepEqual(fast, all) {
			t.Fatalf("history %d (%d Observations): best readings differ:\n%v\n%v", trial, len(items), fast, all)
		}
		var a, b Result
		a.reportSkips(fastSkips, fast)
		b.reportSkips(allSkips, all)
		if fmt.Sprint(a.Skipped) != fmt.Sprint(b.Skipped) {
			t.Fatalf("history %d: reported skips differ:\n%v\n%v", trial, a.Skipped, b.Skipped)
		}
	}
}

// randomHistory is up to 60 vital-sign sets over five days, each parameter
// of a set present with probability 0.8 (a parameter may be absent from a
// whole day), one reading in eight unusable, shuffled.
func randomHistory(rng *rand.Rand) []store.Item {
	var out []store.Item
	end := t0
	sets := 1 + rng.IntN(60)
	drop := rng.IntN(7) // a parameter recorded only more than a day ago
	for s := range sets {
		at := end.Add(-time.Duration(rng.Int64N(int64(5 * 24 * time.Hour)))).Truncate(time.Minute)
		set := normal(at)
		for i := range set {
			it := set[i]
			if rng.Float64() > 0.8 || (i == drop && end.Sub(at) < DefaultStaleWindow) {
				continue
			}
			it.ID = fmt.Sprintf("%s-%d", it.ID, s)
			switch rng.IntN(8) {
			case 0:
				it.Meta.Status = []string{"entered-in-error", "cancelled", "registered"}[rng.IntN(3)]
			case 1:
				if rng.IntN(2) == 0 {
					it.Meta.Time = time.Time{}
				} else if it.Meta.HasValue {
					it.Meta.Comparator = ">"
				}
			}
			out = append(out, it)
		}
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// TestKindParametersCoverReadings: latestReadings passes over an
// Observation by the parameters kindParameters says its kind can give, so
// every NEWS2 reading readingsOf finds must be of one of them, for every
// code readingsOf knows (a kind that gave a parameter kindParameters left
// out would let an older reading of it be skipped unread).
func TestKindParametersCoverReadings(t *testing.T) {
	o2 := []store.Component{{Code: CodeInhaledO2Flow, Value: 2, HasValue: true, Unit: "L/min"}, {Code: CodeInhaledO2Conc, Value: 28, HasValue: true, Unit: "%"}}
	bp := []store.Component{{Code: CodeSystolicBP, Value: 120, HasValue: true, Unit: "mm[Hg]"}}
	codes := map[string][]store.Component{
		CodeRespiratoryRate: nil, CodeHeartRate: nil, CodeSystolicBP: nil, CodeSpO2: o2, CodeSaO2: o2,
		CodeInhaledO2Flow: nil, CodeInhaledO2Conc: nil, CodeBPPanel: bp, CodeBPPanelOld: bp,
		CodeCapillaryRefill: nil, CodeCapillaryRefillSCT: nil, CodeRespiratoryDistress: nil,
		CodeResponsiveness: nil, CodeACVPUSnomed: nil, SystemLOINC + "|2345-7": nil, // glucose: no kind
	}
	for _, c := range temperatureCodes {
		codes[c] = nil
	}
	var buf [2]candidate
	for code, comps := range codes {
		it := vital("k", t0, code, 1, "")
		it.Meta.Components, it.Meta.ValueCode = comps, CodeACVPUAlert
		allowed := kindParameters(kindOf(&it.Meta))
		for _, c := range readingsOf(&it, buf[:0]) {
			if paramIndex(c.Parameter) < 7 && !slices.Contains(allowed, c.Parameter) {
				t.Errorf("%s: readingsOf gives %s, kindParameters(%d) only %v", code, c.Parameter, kindOf(&it.Meta), allowed)
			}
		}
		if kindOf(&it.Meta) == kindNone && len(readingsOf(&it, buf[:0])) > 0 {
			t.Errorf("%s: no kind, yet readingsOf reads it", code)
		}
	}
}
