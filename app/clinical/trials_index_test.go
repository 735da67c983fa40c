package clinical

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/chartline/chartline/store"
)

// TestExtendIndexEqualsIndex: an index extended over the Observations added
// since equals one built over them all, and one that does not cover the
// Observations it is given is not used.
func TestExtendIndexEqualsIndex(t *testing.T) {
	codes := []string{CodeHeartRate, CodeSpO2, "http://loinc.org|21908-9"}
	others := append(codes, "http://loinc.org|2160-0", CodeBodyTemperature)
	rng := rand.New(rand.NewPCG(1, 2))
	var obs []store.Item
	var prev ObservationIndex
	for round := range 30 {
		from := len(obs)
		for i := 0; i < rng.IntN(8); i++ {
			it := store.Item{Ref: store.Ref{Type: "Observation", ID: fmt.Sprint(round, "-", i)}}
			for range 1 + rng.IntN(2) {
				it.Meta.Codes = append(it.Meta.Codes, others[rng.IntN(len(others))])
			}
			obs = append(obs, it)
		}
		ext := Facts{Observations: obs}
		ext.ExtendIndex(codes, prev, from)
		full := Facts{Observations: obs}
		full.IndexObservations(codes)
		if !reflect.DeepEqual(ext.byCode, full.byCode) {
			t.Fatalf("round %d: the extended index differs from a full one", round)
		}
		prev = ext.Index()
	}
	stale := Facts{Observations: obs[:len(obs)-1]}
	stale.ExtendIndex(codes, prev, len(obs)-1) // prev covers more than these
	full := Facts{Observations: obs[:len(obs)-1]}
	full.IndexObservations(codes)
	if !reflect.DeepEqual(stale.byCode, full.byCode) {
		t.Fatal("an index over other Observations was used")
	}
}
