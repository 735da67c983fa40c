package demo

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/publish"
	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/assets"
	"github.com/chartline/chartline/store"
)

// generated is one generation with the committed seed, shared by the tests.
var generated = sync.OnceValues(func() ([]Fixture, error) { return Generate(Seed) })

func fixtures(t *testing.T) []Fixture {
	t.Helper()
	fs, err := generated()
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return fs
}

func TestGenerateIsDeterministic(t *testing.T) {
	first := fixtures(t)
	second, err := Generate(Seed)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != len(second) {
		t.Fatalf("%d fixtures, then %d", len(first), len(second))
	}
	for i := range first {
		if first[i].Name != second[i].Name || !bytes.Equal(first[i].Data, second[i].Data) {
			t.Errorf("fixture %s differs between two generations with the same seed", first[i].Name)
		}
	}
	// A different seed gives a different patient (the seed is really used).
	p := population()[0]
	a, _ := patientBundle(newGen(Seed, 1000), p)
	b, _ := patientBundle(newGen(Seed+1, 1000), p)
	if !bytes.Equal(a.append(nil), first[1].JSON) {
		t.Errorf("%s is not the first patient's bundle from stream 1000", first[1].Name)
	}
	if bytes.Equal(a.append(nil), b.append(nil)) {
		t.Errorf("seeds %d and %d generate the same bundle for %s", Seed, Seed+1, p.id)
	}
}

// TestCommittedFixturesAreFresh fails when the generator changed and the
// fixtures were not regenerated: run `go generate ./app/demo`. It compares
// the decompressed JSON, so a Go release that compresses differently does not
// fail it.
func TestCommittedFixturesAreFresh(t *testing.T) {
	fresh := fixtures(t)
	committed, err := fs.Glob(assets.Fixtures, "fixtures/*.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range fresh {
		want = append(want, "fixtures/"+f.Name)
	}
	sort.Strings(want)
	if !slices.Equal(committed, want) {
		t.Fatalf("committed fixtures %v, generator writes %v: run go generate ./app/demo", committed, want)
	}
	for _, f := range fresh {
		data, err := assets.Fixtures.ReadFile("fixtures/" + f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(data, f.Data) {
			continue // same bytes: same JSON
		}
		if !bytes.Equal(gunzip(t, data), f.JSON) {
			t.Errorf("%s is stale: run go generate ./app/demo", f.Name)
		}
	}
}

func gunzip(t *testing.T, data []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFixturesSize(t *testing.T) {
	total := 0
	for _, f := range fixtures(t) {
		total += len(f.Data)
		if f.Name == RiskFixture && !bytes.Equal(gunzip(t, f.Data), f.JSON) {
			t.Errorf("%s does not decompress to its JSON", f.Name)
		}
	}
	if total > 4<<20 {
		t.Errorf("fixtures are %d bytes compressed; keep them to a few MB", total)
	}
	t.Logf("fixtures: %d files, %d bytes compressed", len(fixtures(t)), total)
}

type bundleIn struct {
	ResourceType string `json:"resourceType"`
	Type         string `json:"type"`
	Entry        []struct {
		FullURL  string          `json:"fullUrl"`
		Resource json.RawMessage `json:"resource"`
		Request  struct {
			Method string `json:"method"`
			URL    string `json:"url"`
		} `json:"request"`
	} `json:"entry"`
}

type head struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
}

// resolved is one Bundle entry, its value as publish.Split sends it
// (urn:uuid references rewritten to Type/id).
type resolved struct {
	typ, id string
	fullURL string
	method  string
	url     string
	topic   string
	value   []byte
}

// split reads a transaction Bundle's entries and runs it through
// publish.Split, the path `chartline publish` and LoadFixtures take.
func split(name string, raw []byte) ([]resolved, error) {
	var b bundleIn
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if b.ResourceType != "Bundle" || b.Type != "transaction" {
		return nil, fmt.Errorf("%s: %s of type %s, want a transaction Bundle", name, b.ResourceType, b.Type)
	}
	recs, err := publish.Split(raw, kafka.DefaultTopics(), FixtureSource)
	if err != nil {
		return nil, fmt.Errorf("%s: Split: %v", name, err)
	}
	if len(recs) != len(b.Entry) {
		return nil, fmt.Errorf("%s: %d entries, Split made %d records", name, len(b.Entry), len(recs))
	}
	out := make([]resolved, 0, len(b.Entry))
	for i, e := range b.Entry {
		var h head
		if err := json.Unmarshal(e.Resource, &h); err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		key := h.ResourceType + "/" + h.ID
		if string(recs[i].Key) != key {
			return nil, fmt.Errorf("%s: entry %d is %s, Split's record %d is %s", name, i+1, key, i, recs[i].Key)
		}
		if bytes.Contains(recs[i].Value, []byte("urn:uuid:")) {
			return nil, fmt.Errorf("%s: %s still references a urn:uuid after Split: not every reference names an entry of the Bundle", name, key)
		}
		out = append(out, resolved{typ: h.ResourceType, id: h.ID, fullURL: e.FullURL, method: e.Request.Method, url: e.Request.URL,
			topic: recs[i].Topic, value: recs[i].Value})
	}
	return out, nil
}

var (
	fhirIDRE = regexp.MustCompile(`^[A-Za-z0-9.-]{1,64}$`)
	uuidRE   = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
)

// decodedFixture is every resource of one fixture, through record.Decode.
type decodedFixture struct {
	name    string
	patient string // the patient of a patient fixture
	entries []resolved
	decoded []record.Decoded
}

func decodeAll(t *testing.T) []decodedFixture {
	t.Helper()
	fs := fixtures(t)
	out := make([]decodedFixture, len(fs))
	errs := make([]error, len(fs))
	// Split and decode on every core: both are safe for concurrent use.
	var wg sync.WaitGroup
	work := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				errs[i] = decodeFixture(fs[i], &out[i])
			}
		}()
	}
	for i := range fs {
		work <- i
	}
	close(work)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func decodeFixture(f Fixture, d *decodedFixture) error {
	d.name = f.Name
	if strings.HasPrefix(f.Name, "patient-") {
		d.patient = strings.TrimSuffix(strings.TrimPrefix(f.Name, "patient-"), ".json.gz")
	}
	entries, err := split(f.Name, f.JSON)
	if err != nil {
		return err
	}
	d.entries = entries
	d.decoded = make([]record.Decoded, len(entries))
	for j, e := range entries {
		dec, err := record.Decode([]byte(e.typ+"/"+e.id), e.value, d.patient)
		if err != nil {
			return fmt.Errorf("%s: %s/%s refused: %v", f.Name, e.typ, e.id, err)
		}
		d.decoded[j] = dec
	}
	return nil
}

var decodedOnce struct {
	sync.Once
	v []decodedFixture
}

func decoded(t *testing.T) []decodedFixture {
	t.Helper()
	decodedOnce.Do(func() { decodedOnce.v = decodeAll(t) })
	if decodedOnce.v == nil {
		t.Fatal("fixtures could not be decoded")
	}
	return decodedOnce.v
}

// TestFixturesConform runs every fixture resource through the record rules
// and the conformance check: zero refusals, zero problems, ids as documented.
func TestFixturesConform(t *testing.T) {
	refs := map[string]bool{}
	patients := map[string]bool{}
	for _, p := range Patients() {
		patients["Patient/"+p.ID] = true
	}
	studiesRefs := map[string]bool{}
	count := 0
	for _, d := range decoded(t) {
		for i, e := range d.entries {
			count++
			m := d.decoded[i].Meta
			if len(m.Problems) > 0 {
				t.Errorf("%s: %s/%s has problems: %v", d.name, e.typ, e.id, m.Problems)
			}
			if !strings.HasPrefix(e.fullURL, "urn:uuid:") || !uuidRE.MatchString(strings.TrimPrefix(e.fullURL, "urn:uuid:")) {
				t.Errorf("%s: fullUrl %q is not a urn:uuid", d.name, e.fullURL)
			}
			if !fhirIDRE.MatchString(e.id) {
				t.Errorf("%s: id %q is not a FHIR id", d.name, e.id)
			}
			switch e.typ {
			case "Patient", "Practitioner", "Organization", "Location", "ResearchStudy", "Group", "ValueSet":
				if e.method != "PUT" || e.url != e.typ+"/"+e.id {
					t.Errorf("%s: %s/%s request %s %s, want PUT %s/%s", d.name, e.typ, e.id, e.method, e.url, e.typ, e.id)
				}
				refs[e.typ+"/"+e.id] = true
			case "RiskAssessment", "ResearchSubject":
				if e.method != "PUT" || e.id != strings.TrimPrefix(e.fullURL, "urn:uuid:") {
					t.Errorf("%s: %s/%s request %s, fullUrl %s", d.name, e.typ, e.id, e.method, e.fullURL)
				}
			default:
				if e.method != "POST" || e.url != e.typ {
					t.Errorf("%s: %s/%s request %s %s, want POST %s", d.name, e.typ, e.id, e.method, e.url, e.typ)
				}
				if e.id != strings.TrimPrefix(e.fullURL, "urn:uuid:") {
					t.Errorf("%s: %s id %s is not the uuid of its fullUrl %s", d.name, e.typ, e.id, e.fullURL)
				}
			}
			if d.patient != "" && d.decoded[i].Patient != d.patient {
				t.Errorf("%s: %s/%s belongs to patient %q", d.name, e.typ, e.id, d.decoded[i].Patient)
			}
			if want := fixtureTopic(d, e.typ); e.topic != want {
				t.Errorf("%s: %s/%s went to %s, want %s", d.name, e.typ, e.id, e.topic, want)
			}
			if e.typ == "ResearchStudy" {
				studiesRefs["ResearchStudy/"+e.id] = true
			}
		}
	}
	// Literal references point at resources that exist on the shared topics
	// or at fixture patients.
	litRE := regexp.MustCompile(`"reference":"((Practitioner|Organization|Location|Patient|ResearchStudy|Group)/[A-Za-z0-9.-]+)"`)
	for _, d := range decoded(t) {
		for _, e := range d.entries {
			for _, m := range litRE.FindAllSubmatch(e.value, -1) {
				r := string(m[1])
				if !refs[r] && !patients[r] && !studiesRefs[r] {
					t.Errorf("%s: %s/%s references %s, which no fixture holds", d.name, e.typ, e.id, r)
				}
			}
		}
	}
	t.Logf("%d resources decoded", count)
}

// fixtureTopic is where a fixture resource belongs (README, "Topics").
func fixtureTopic(d decodedFixture, typ string) string {
	topics := kafka.DefaultTopics()
	switch {
	case d.patient != "":
		return topics.Patient(d.patient)
	case typ == "ResearchStudy" || typ == "Group" || typ == "ValueSet":
		return topics.Studies
	case typ == "RiskAssessment":
		return topics.Risk
	case typ == "ResearchSubject":
		return topics.Matches
	}
	return topics.Reference
}

func TestPopulation(t *testing.T) {
	ps := Patients()
	if len(ps) < 20 || len(ps) > 30 {
		t.Errorf("%d patients, want about 25", len(ps))
	}
	nonASCII := 0
	ids := map[string]bool{}
	mrns := map[string]bool{}
	for _, p := range ps {
		if !fhirIDRE.MatchString(p.ID) || ids[p.ID] {
			t.Errorf("patient id %q is not a unique FHIR id", p.ID)
		}
		ids[p.ID] = true
		if mrns[p.MRN] {
			t.Errorf("MRN %s twice", p.MRN)
		}
		mrns[p.MRN] = true
		if !utf8.ValidString(p.Name) {
			t.Errorf("name of %s is not UTF-8", p.ID)
		}
		for _, r := range p.Name {
			if r > 127 {
				nonASCII++
				break
			}
		}
	}
	if nonASCII < 10 {
		t.Errorf("%d names with non-ASCII letters, want many", nonASCII)
	}
	for _, name := range []string{"José Ñúñez Ortega", "Åse Øster", "Zoë Brontë-Dąbrowska", "Thị Hoa Nguyễn"} {
		found := false
		for _, p := range ps {
			found = found || p.Name == name
		}
		if !found {
			t.Errorf("no patient named %s", name)
		}
	}
}

// byPatient returns the decoded resources of one patient's fixture.
func byPatient(t *testing.T, id string) (decodedFixture, []store.Item) {
	t.Helper()
	for _, d := range decoded(t) {
		if d.patient == id {
			items := make([]store.Item, len(d.entries))
			for i, e := range d.entries {
				items[i] = store.Item{Ref: store.Ref{Collection: id, Type: e.typ, ID: e.id}, Meta: d.decoded[i].Meta}
			}
			return d, items
		}
	}
	t.Fatalf("no fixture for patient %s", id)
	return decodedFixture{}, nil
}

func ofType(items []store.Item, typ string) []store.Item {
	var out []store.Item
	for _, it := range items {
		if it.Type == typ {
			out = append(out, it)
		}
	}
	return out
}

func hasCode(m store.Meta, c code) bool { return slices.Contains(m.Codes, c.key()) }

func TestPatientDemographics(t *testing.T) {
	for _, p := range Patients() {
		_, items := byPatient(t, p.ID)
		pts := ofType(items, "Patient")
		if len(pts) != 1 || items[0].Type != "Patient" {
			t.Fatalf("%s: the Patient must come first, once", p.ID)
		}
		dem := pts[0].Meta.Patient
		if dem == nil || dem.MRN != p.MRN || dem.BirthDate == "" || (dem.Sex != "male" && dem.Sex != "female") {
			t.Errorf("%s: demographics %+v", p.ID, dem)
		}
		if dem != nil && dem.Given+" "+dem.Family != p.Name && dem.Name == "" {
			t.Errorf("%s: no name in demographics", p.ID)
		}
	}
}

func TestScenarioPatients(t *testing.T) {
	// The ICU patient has more than 20,000 Observations.
	_, icu := byPatient(t, ICUPatient)
	if n := len(ofType(icu, "Observation")); n < 20000 {
		t.Errorf("ICU patient has %d Observations, want ≥ 20,000", n)
	}

	// No known allergy recorded; no allergy information at all.
	_, nka := byPatient(t, NoKnownAllergiesPatient)
	ai := ofType(nka, "AllergyIntolerance")
	if len(ai) != 1 || !hasCode(ai[0].Meta, allergyNone) || !record.IsNoKnownAllergy(ai[0].Meta) {
		t.Errorf("no-known-allergies patient: %d AllergyIntolerances, want one 716186003", len(ai))
	}
	_, none := byPatient(t, NoAllergyInfoPatient)
	if n := len(ofType(none, "AllergyIntolerance")); n != 0 {
		t.Errorf("no-allergy-information patient has %d AllergyIntolerances", n)
	}

	// The NSCLC patient has the condition and no EGFR result yet.
	_, nsclc := byPatient(t, NSCLCPatient)
	hasNSCLC := false
	for _, c := range ofType(nsclc, "Condition") {
		hasNSCLC = hasNSCLC || (hasCode(c.Meta, condNSCLC) && c.Meta.Status == "active")
	}
	if !hasNSCLC {
		t.Error("NSCLC patient has no active 254637007 Condition")
	}
	for _, o := range ofType(nsclc, "Observation") {
		for _, comp := range o.Meta.Components {
			if comp.ValueCode == geneEGFR.key() {
				t.Errorf("NSCLC patient already has an EGFR result %s", o.ID)
			}
		}
	}

	// The COPD patient has an active SpO2 Goal 88–92 % and readings in 88–92.
	_, copd := byPatient(t, COPDPatient)
	goals := ofType(copd, "Goal")
	if len(goals) != 1 || goals[0].Meta.Status != "active" || !hasCode(goals[0].Meta, loincSpO2) ||
		goals[0].Meta.Low != 88 || goals[0].Meta.High != 92 {
		t.Errorf("COPD patient goals: %+v", goals)
	}
}

// TestInpatientNEWS2 scores each inpatient's latest fixture vital signs with
// app/clinical: the bands the simulator starts from.
func TestInpatientNEWS2(t *testing.T) {
	tests := []struct {
		patient string
		band    string
		scale   int
	}{
		{DeterioratingPatient, "low", 1},
		{COPDPatient, "low", 2},
		{ICUPatient, "low", 1},
		{RecoveringPatient, "high", 1},
		{HeartFailurePatient, "low", 1},
	}
	for _, tc := range tests {
		_, items := byPatient(t, tc.patient)
		r := clinical.NEWS2(ofType(items, "Observation"), ofType(items, "Goal"), clinical.NEWS2Options{})
		if r.Band != tc.band || r.Scale != tc.scale || !r.Complete {
			t.Errorf("%s: NEWS2 %d %s on scale %d (complete %v, missing %v, skipped %v), want %s on scale %d",
				tc.patient, r.Total, r.Band, r.Scale, r.Complete, r.Missing, r.Skipped, tc.band, tc.scale)
		}
	}
	inpatients := 0
	for _, p := range Patients() {
		if p.Inpatient {
			inpatients++
		}
	}
	if inpatients != len(tests) {
		t.Errorf("%d inpatients, the test covers %d", inpatients, len(tests))
	}
}

func TestStudiesRiskMatches(t *testing.T) {
	var studies, groups, risks, subjects []record.Decoded
	var studyJSON = map[string][]byte{}
	var groupJSON = map[string][]byte{}
	for _, d := range decoded(t) {
		for i, e := range d.entries {
			switch e.typ {
			case "ResearchStudy":
				studies = append(studies, d.decoded[i])
				studyJSON[e.id] = e.value
			case "Group":
				groups = append(groups, d.decoded[i])
				groupJSON[e.id] = e.value
			case "RiskAssessment":
				risks = append(risks, d.decoded[i])
			case "ResearchSubject":
				subjects = append(subjects, d.decoded[i])
			}
		}
	}
	if len(studies) < 3 || len(studies) > 5 || len(groups) != len(studies) {
		t.Fatalf("%d studies, %d groups", len(studies), len(groups))
	}
	closed, trees := 0, 0
	for id, raw := range studyJSON {
		s, err := clinical.ParseStudy(raw)
		if err != nil {
			t.Fatalf("ResearchStudy/%s: %v", id, err)
		}
		if !s.Recruiting() {
			closed++
		}
		if s.From == "extension" {
			trees++
		}
		if len(s.Enrollment) != 1 {
			t.Fatalf("ResearchStudy/%s enrollment %v", id, s.Enrollment)
		}
		group := groupJSON[s.Enrollment[0]]
		if group == nil {
			t.Fatalf("ResearchStudy/%s enrolls Group/%s, which is not in the fixtures", id, s.Enrollment[0])
		}
		if s, err = s.AttachGroup(group); err != nil {
			t.Fatalf("ResearchStudy/%s: %v", id, err)
		}
		if s.Criteria == nil || strings.Contains(s.Criteria.Describe(), "unsupported") {
			t.Errorf("ResearchStudy/%s criteria %s", id, s.Criteria.Describe())
		}
	}
	if closed != 1 || trees < 1 {
		t.Errorf("%d closed studies, %d with a criteria tree", closed, trees)
	}
	high := 0
	for _, r := range risks {
		if r.Patient == "" {
			t.Errorf("RiskAssessment/%s has no patient", r.ID)
		}
		if r.Meta.ValueText == "High likelihood" || strings.Contains(strings.ToLower(r.Meta.ValueText), "high") {
			high++
		}
	}
	if len(risks) < 3 || high != 1 {
		t.Errorf("%d risks, %d high", len(risks), high)
	}
	if len(subjects) < 3 {
		t.Errorf("%d ResearchSubjects", len(subjects))
	}
}

// BenchmarkGenerate measures a full fixture generation (about 31,000
// resources, 30 MB of JSON, gzip included).
func BenchmarkGenerate(b *testing.B) {
	resources, raw := 0, 0
	for b.Loop() {
		fs, err := Generate(Seed)
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range fs {
			raw += len(f.JSON)
			resources += bytes.Count(f.JSON, []byte(`"fullUrl"`))
		}
	}
	b.ReportMetric(float64(resources)/b.Elapsed().Seconds(), "resources/s")
	b.ReportMetric(float64(raw)/b.Elapsed().Seconds()/1e6, "MB/s")
}
