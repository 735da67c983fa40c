package store

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// realisticObservation is a ~1.5 KB lab Observation as a Synthea-fed
// pipeline writes it.
func realisticObservation(id, patient string, i int) []byte {
	return []byte(fmt.Sprintf(`{"resourceType":"Observation","id":%q,"meta":{"versionId":"1","lastUpdated":"2026-11-20T08:%02d:00Z","profile":["http://hl7.org/fhir/us/core/StructureDefinition/us-core-observation-lab"]},"status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory","display":"Laboratory"}],"text":"Laboratory"}],"code":{"coding":[{"system":"http://loinc.org","code":"2345-7","display":"Glucose [Mass/volume] in Serum or Plasma"}],"text":"Glucose"},"subject":{"reference":"Patient/%s"},"encounter":{"reference":"Encounter/enc-%d"},"effectiveDateTime":"2026-11-20T08:%02d:00Z","issued":"2026-11-20T09:%02d:00.000Z","performer":[{"reference":"Practitioner/dr-17","display":"Dr. Ana Lima"},{"reference":"Organization/lab-3","display":"Central Laboratory"}],"valueQuantity":{"value":%d,"unit":"mg/dL","system":"http://unitsofmeasure.org","code":"mg/dL"},"interpretation":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation","code":"N","display":"Normal"}]}],"referenceRange":[{"low":{"value":70,"unit":"mg/dL","system":"http://unitsofmeasure.org","code":"mg/dL"},"high":{"value":99,"unit":"mg/dL","system":"http://unitsofmeasure.org","code":"mg/dL"},"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/referencerange-meaning","code":"normal","display":"Normal Range"}]},"text":"70-99 mg/dL"}],"specimen":{"reference":"Specimen/sp-%d","display":"Venous blood specimen"},"device":{"display":"Analyzer model C-311 serial 44190"},"note":[{"text":"Fasting sample. Specimen received in good condition and processed within the stability window."}]}`,
		id, i%60, patient, i/10, i%60, i%60, 70+i%60, i))
}

func benchPut(patient string, i int) Resource {
	id := fmt.Sprintf("obs-%07d", i)
	return Resource{
		Ref:  Ref{Collection: patient, Type: "Observation", ID: id},
		JSON: realisticObservation(id, patient, i),
		Meta: Meta{Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute),
			Display: "Glucose 88 mg/dL", Category: "laboratory", Codes: []string{"http://loinc.org|2345-7"},
			Value: 88, HasValue: true, Unit: "mg/dL", Low: 70, High: 99, HasLow: true, HasHigh: true, Status: "final",
			Source: Source{Topic: "fhir.patient." + patient, Offset: int64(i)}},
	}
}

// BenchmarkApplyBatch commits 1,000-resource batches of ~1.5 KB FHIR JSON
// spread over 50 patients, with offsets, fsync on.
func BenchmarkApplyBatch(b *testing.B) {
	s, err := Create(filepath.Join(b.TempDir(), "bench.db"), testPass, testOpts())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const batch = 1000
	n, bytes := 0, 0
	b.ResetTimer()
	for b.Loop() {
		puts := make([]Resource, batch)
		offs := map[TopicPartition]int64{}
		for j := range puts {
			p := fmt.Sprintf("pt-%03d", j%50)
			puts[j] = benchPut(p, n)
			bytes += len(puts[j].JSON)
			offs[TopicPartition{Topic: "fhir.patient." + p}] = int64(n)
			n++
		}
		if _, err := s.Apply(&Batch{Puts: puts, Offsets: offs}); err != nil {
			b.Fatal(err)
		}
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(n)/sec, "resources/s")
	b.ReportMetric(float64(bytes)/sec/1e6, "MB/s")
	b.ReportMetric(float64(s.Size())/float64(bytes), "file/raw")
}

// BenchmarkReadPatient reads a 20,000-resource patient: the index entries
// (what a timeline needs) and, separately, every resource with its JSON.
func BenchmarkReadPatient(b *testing.B) {
	s, err := Create(filepath.Join(b.TempDir(), "bench.db"), testPass, &Options{KDF: TestKDF, NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const total = 20000
	for lo := 0; lo < total; lo += 1000 {
		puts := make([]Resource, 1000)
		for j := range puts {
			puts[j] = benchPut("icu-1", lo+j)
		}
		if _, err := s.Apply(&Batch{Puts: puts}); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("index", func(b *testing.B) {
		for b.Loop() {
			items, err := s.Items("icu-1")
			if err != nil || len(items) != total {
				b.Fatalf("%d items, %v", len(items), err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/patient")
	})
	b.Run("resources", func(b *testing.B) {
		for b.Loop() {
			res, err := s.Resources("icu-1")
			if err != nil || len(res) != total {
				b.Fatalf("%d resources, %v", len(res), err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/patient")
	})
}

// BenchmarkKDF measures the default Argon2id cost paid at unlock.
func BenchmarkKDF(b *testing.B) {
	for b.Loop() {
		if _, _, err := wrapKey(make([]byte, 32), testPass, DefaultKDF); err != nil {
			b.Fatal(err)
		}
	}
}
