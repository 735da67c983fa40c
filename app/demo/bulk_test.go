package demo

import (
	"bytes"
	"crypto/sha256"
	"runtime"
	"strings"
	"testing"

	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/record"
)

func bulkDigest(seed uint64, n, patients int) ([32]byte, int, int) {
	h := sha256.New()
	count, size := 0, 0
	Bulk(seed, n, patients, func(topic string, key, value []byte) bool {
		h.Write([]byte(topic))
		h.Write(key)
		h.Write(value)
		count++
		size += len(value)
		return true
	})
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum, count, size
}

func TestBulkIsDeterministic(t *testing.T) {
	a, n, _ := bulkDigest(1, 5000, 50)
	b, _, _ := bulkDigest(1, 5000, 50)
	c, _, _ := bulkDigest(2, 5000, 50)
	if n != 5000 {
		t.Fatalf("Bulk yielded %d records, want 5000", n)
	}
	if a != b {
		t.Error("Bulk with the same seed yielded different records")
	}
	if a == c {
		t.Error("Bulk with seeds 1 and 2 yielded the same records")
	}
}

func TestBulkCounts(t *testing.T) {
	tests := []struct{ n, patients, want int }{
		{0, 10, 0},
		{1, 10, 1},
		{7, 10, 7},  // fewer records than patients: each is a Patient
		{10, 0, 10}, // patients < 1 means one patient
		{999, 3, 999},
	}
	for _, tc := range tests {
		if _, got, _ := bulkDigest(3, tc.n, tc.patients); got != tc.want {
			t.Errorf("Bulk(n=%d, patients=%d) yielded %d records", tc.n, tc.patients, got)
		}
	}
	// yield returning false stops at once.
	got := 0
	Bulk(3, 100, 5, func(string, []byte, []byte) bool { got++; return got < 10 })
	if got != 10 {
		t.Errorf("Bulk went on for %d records after yield returned false at 10", got)
	}
}

// TestBulkRecords checks a sample: the Patient first on each topic, every
// record passes the record rules with no conformance problem, the mix holds
// the expected types, and the average size is about 1.5 KB.
func TestBulkRecords(t *testing.T) {
	const n, patients = 10000, 100
	topics := kafka.DefaultTopics()
	seen := map[string]bool{}
	types := map[string]int{}
	size := 0
	Bulk(11, n, patients, func(topic string, key, value []byte) bool {
		id, ok := strings.CutPrefix(topic, topics.PatientPrefix)
		if !ok || !kafka.ValidPatientID(id) {
			t.Fatalf("topic %q is not a patient topic", topic)
		}
		d, err := record.Decode(key, value, id)
		if err != nil {
			t.Fatalf("%s refused: %v", key, err)
		}
		if len(d.Meta.Problems) > 0 {
			t.Fatalf("%s has problems: %v\n%s", key, d.Meta.Problems, value)
		}
		if !seen[id] && d.Type != "Patient" {
			t.Fatalf("first record on a patient topic is %s, not the Patient", key)
		}
		seen[id] = true
		types[d.Type]++
		size += len(value)
		return true
	})
	if len(seen) != patients {
		t.Errorf("%d patient topics, want %d", len(seen), patients)
	}
	for _, typ := range []string{"Patient", "Observation", "DiagnosticReport", "Encounter", "Condition", "MedicationRequest", "Procedure", "Immunization", "AllergyIntolerance"} {
		if types[typ] == 0 {
			t.Errorf("no %s in the mix %v", typ, types)
		}
	}
	if obs := types["Observation"]; obs < n/2 || obs > n*9/10 {
		t.Errorf("%d Observations of %d: not a hospital feed's mix", obs, n)
	}
	avg := size / n
	if avg < 1200 || avg > 1800 {
		t.Errorf("average record %d bytes, want about 1.5 KB", avg)
	}
	t.Logf("average %d bytes; mix %v", avg, types)
}

// TestBulkMemoryFlat checks that Bulk keeps no per-record state: the heap
// after 40,000 records is about what it is after 10,000.
func TestBulkMemoryFlat(t *testing.T) {
	heap := func(n int) uint64 {
		var keep [][]byte
		Bulk(5, n, 100, func(_ string, _, value []byte) bool {
			if len(keep) < 1 {
				keep = append(keep, value)
			}
			return true
		})
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		_ = bytes.Clone(keep[0])
		return m.HeapAlloc
	}
	small, large := heap(10000), heap(40000)
	if large > small+8<<20 {
		t.Errorf("heap %d MB after 40k records, %d MB after 10k: Bulk is not streaming", large>>20, small>>20)
	}
}

func BenchmarkBulk(b *testing.B) {
	size := 0
	records := 0
	for b.Loop() {
		Bulk(1, 10000, 100, func(_ string, _, value []byte) bool {
			size += len(value)
			records++
			return true
		})
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(size)/b.Elapsed().Seconds()/1e6, "MB/s")
	b.ReportMetric(float64(size)/float64(records), "B/record")
}
