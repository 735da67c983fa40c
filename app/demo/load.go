package demo

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"sort"

	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/publish"
	"github.com/chartline/chartline/assets"
)

// FixtureSource is the "source" record header of the fixtures and the
// simulator's records.
const FixtureSource = "chartline-demo"

// FixtureFiles returns the embedded fixtures, decompressed, in publishing
// order: reference data first (what patient resources reference), then the
// studies, the patients in id order, the risk assessments and the matches.
func FixtureFiles() ([]Fixture, error) {
	names, err := fs.Glob(assets.Fixtures, "fixtures/*.json.gz")
	if err != nil {
		return nil, fmt.Errorf("list fixtures: %w", err)
	}
	rank := func(n string) int {
		switch path.Base(n) {
		case ReferenceFixture:
			return 0
		case StudiesFixture:
			return 1
		case RiskFixture:
			return 3
		case MatchesFixture:
			return 4
		}
		return 2
	}
	sort.SliceStable(names, func(i, j int) bool {
		if ri, rj := rank(names[i]), rank(names[j]); ri != rj {
			return ri < rj
		}
		return names[i] < names[j]
	})
	out := make([]Fixture, 0, len(names))
	for _, n := range names {
		data, err := assets.Fixtures.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("read fixture %s: %w", path.Base(n), err)
		}
		raw, err := gunzipBytes(data)
		if err != nil {
			return nil, fmt.Errorf("decompress fixture %s: %w", path.Base(n), err)
		}
		out = append(out, Fixture{Name: path.Base(n), JSON: raw, Data: data})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no fixtures embedded: run go generate ./app/demo")
	}
	return out, nil
}

func gunzipBytes(data []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	return io.ReadAll(zr)
}

// LoadFixtures publishes every embedded fixture the way `chartline publish`
// does: each Bundle through publish.Split (urn:uuid references resolved,
// resources routed to their patient, reference, studies, risk and matches
// topics) and then one Publisher.Publish, which creates missing topics with
// Chartline's policies and waits for every acknowledgement. It returns what
// was delivered.
func LoadFixtures(ctx context.Context, p *publish.Publisher, topics kafka.Topics) (publish.Counts, error) {
	files, err := FixtureFiles()
	if err != nil {
		return publish.Counts{}, err
	}
	var recs []publish.Record
	for _, f := range files {
		rs, err := publish.Split(f.JSON, topics, FixtureSource)
		if err != nil {
			return publish.Counts{}, fmt.Errorf("split fixture %s: %w", f.Name, err)
		}
		recs = append(recs, rs...)
	}
	counts, err := p.Publish(ctx, recs)
	if err != nil {
		return counts, fmt.Errorf("load fixtures: %w", err)
	}
	return counts, nil
}

// encounterInProgress matches an Encounter still in progress in a fixture
// Bundle, as the generator writes it (members in a fixed order).
var encounterInProgress = regexp.MustCompile(`"resourceType":"Encounter","id":"([0-9a-f-]{36})","meta":\{[^{}]*\},"identifier":\[[^\[\]]*\],"status":"in-progress"`)

// inpatientEncounters finds, for each fixture inpatient, the Encounter of
// the admission still in progress, so the simulator's vital signs belong to it.
func inpatientEncounters() (map[string]string, error) {
	files, err := FixtureFiles()
	if err != nil {
		return nil, err
	}
	byName := map[string][]byte{}
	for _, f := range files {
		byName[f.Name] = f.JSON
	}
	out := map[string]string{}
	for _, p := range population() {
		if !p.inpatient {
			continue
		}
		raw, ok := byName[PatientFixture(p.id)]
		if !ok {
			return nil, fmt.Errorf("no fixture for an inpatient: run go generate ./app/demo")
		}
		ms := encounterInProgress.FindAllSubmatch(raw, -1)
		if len(ms) == 0 {
			return nil, fmt.Errorf("an inpatient fixture has no encounter in progress")
		}
		out[p.id] = string(ms[len(ms)-1][1])
	}
	return out, nil
}
