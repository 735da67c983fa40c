package record

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

// benchInput loads a fixture compacted, as a feed would carry it.
func benchInput(b *testing.B, path string) []byte {
	b.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

var benchCases = []struct {
	name, path, key, topic string
}{
	{"Observation", "testdata/bench-observation.json", "Observation/3f0c9a2e-7b1d-4c5e-9f8a-2b6d4e1a7c90", "pat-001"},
	{"Patient", "testdata/resources/patient.json", "Patient/pat-001", "pat-001"},
}

// BenchmarkDecode measures Decode on a realistic vital-sign Observation and a
// Patient, on one goroutine and on all cores (the ingest path decodes in
// parallel).
func BenchmarkDecode(b *testing.B) {
	for _, bc := range benchCases {
		value := benchInput(b, bc.path)
		key := []byte(bc.key)
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(value)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Decode(key, value, bc.topic); err != nil {
					b.Fatal(err)
				}
			}
			reportPerOp(b, len(value))
		})
		b.Run(bc.name+"/parallel", func(b *testing.B) {
			b.SetBytes(int64(len(value)))
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := Decode(key, value, bc.topic); err != nil {
						b.Error(err)
						return
					}
				}
			})
			reportPerOp(b, len(value))
		})
	}
}

// reportPerOp reports wall time per record (for the parallel variants: the
// machine's throughput, all cores together) and MB/s of JSON decoded.
func reportPerOp(b *testing.B, size int) {
	if b.N == 0 || b.Elapsed() == 0 {
		return
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/op")
	b.ReportMetric(float64(size)*float64(b.N)/b.Elapsed().Seconds()/1e6, "MB/s")
	b.ReportMetric(float64(size), "bytes/record")
}

// BenchmarkTyped measures the full golang-fhir-models decode for comparison
// (run with and without GOEXPERIMENT=jsonv2).
func BenchmarkTyped(b *testing.B) {
	for _, bc := range benchCases {
		value := benchInput(b, bc.path)
		typ := bc.name
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(value)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Typed(typ, value); err != nil {
					b.Fatal(err)
				}
			}
			reportPerOp(b, len(value))
		})
	}
}
