package demo

//go:generate go run ./gen -out ../../assets/fixtures

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// Seed is the seed the committed fixtures under assets/fixtures were
// generated with.
const Seed uint64 = 20261123

// Fixture names besides the per-patient bundles ("patient-<id>.json.gz").
const (
	ReferenceFixture = "reference.json.gz" // fhir.reference: Organizations, Locations, Practitioners
	StudiesFixture   = "studies.json.gz"   // trials.studies: ResearchStudies and their Groups
	RiskFixture      = "risk.json.gz"      // cds.risk: upstream RiskAssessments
	MatchesFixture   = "matches.json.gz"   // trials.matches: upstream ResearchSubjects
)

// gzipLevel is fixed so the same seed gives the same bytes. 6 (zlib's
// default) is within 2 % of the best ratio at 70 % of its time.
const gzipLevel = 6

// Fixture is one generated fixture file.
type Fixture struct {
	Name string // file name under assets/fixtures
	JSON []byte // the FHIR R4 transaction Bundle
	Data []byte // JSON, gzip-compressed deterministically (no name, zero ModTime, fixed level)
}

// PatientFixture names the fixture file of a patient.
func PatientFixture(id string) string { return "patient-" + id + ".json.gz" }

// Generate builds every fixture for seed: the reference Bundle, one Bundle
// per patient in id order, then the studies, risk and matches Bundles. The
// same seed always gives the same bytes. Patients are generated and
// compressed in parallel, each from its own PCG stream, so the order of work
// never shows in the output.
func Generate(seed uint64) ([]Fixture, error) {
	ps := population()
	jobs := []func() Fixture{
		func() Fixture {
			return Fixture{Name: ReferenceFixture, JSON: referenceBundle(newGen(seed, 1)).append(nil)}
		},
	}
	for i, p := range ps {
		jobs = append(jobs, func() Fixture {
			b, _ := patientBundle(newGen(seed, 1000+uint64(i)), p)
			entries, _ := b.get("entry").([]object)
			return Fixture{Name: PatientFixture(p.id), JSON: b.append(make([]byte, 0, 1300*len(entries)))}
		})
	}
	jobs = append(jobs,
		func() Fixture { return Fixture{Name: StudiesFixture, JSON: studiesBundle(newGen(seed, 2)).append(nil)} },
		func() Fixture { return Fixture{Name: RiskFixture, JSON: riskBundle(newGen(seed, 3)).append(nil)} },
		func() Fixture { return Fixture{Name: MatchesFixture, JSON: matchesBundle(newGen(seed, 4)).append(nil)} },
	)
	out := make([]Fixture, len(jobs))
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	work := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				f := jobs[i]()
				f.Data, errs[i] = compress(f.JSON)
				out[i] = f
			}
		}()
	}
	for i := range jobs {
		work <- i
	}
	close(work)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("compress %s: %w", out[i].Name, err)
		}
	}
	return out, nil
}

func compress(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzipLevel)
	if err != nil {
		return nil, err
	}
	// The zero Header (no name, zero ModTime, OS unknown) keeps output stable.
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteFixtures generates the fixtures for seed into dir, replacing files
// of the same name and removing stale *.json.gz files no longer generated.
func WriteFixtures(dir string, seed uint64) error {
	fs, err := Generate(seed)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	keep := map[string]bool{}
	for _, f := range fs {
		keep[f.Name] = true
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			return fmt.Errorf("write fixture: %w", err)
		}
	}
	old, err := filepath.Glob(filepath.Join(dir, "*.json.gz"))
	if err != nil {
		return err
	}
	for _, p := range old {
		if !keep[filepath.Base(p)] && strings.HasSuffix(p, ".json.gz") {
			if err := os.Remove(p); err != nil {
				return fmt.Errorf("remove stale fixture: %w", err)
			}
		}
	}
	return nil
}
