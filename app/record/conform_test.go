package record

import (
	"os"
	"path/filepath"
	"testing"
)

// hardProblems runs the conformance walk alone and returns how many problems
// the typed model should fail on, and the problems.
func hardProblems(t testing.TB, raw []byte) (int, []string, string) {
	s := getScanner()
	defer putScanner(s)
	if e := s.parse(raw); e != nil {
		t.Fatalf("parse: %s", e.detail)
	}
	d := &s.doc
	typ := d.str(d.get(0, "resourceType"))
	sc := schemas()[typ]
	if sc == nil {
		return -1, nil, typ
	}
	c := &s.check
	c.reset(d)
	c.resource(0, sc, true)
	return c.hard, c.result(), typ
}

// TestConformanceMatchesModel checks the schema walk against the real thing:
// the walk finds a problem the model fails on exactly when the typed decode
// of golang-fhir-models returns an error.
func TestConformanceMatchesModel(t *testing.T) {
	files, err := filepath.Glob("testdata/resources/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	extra := []string{
		`{"resourceType":"Observation","status":null}`,
		`{"resourceType":"Observation","status":"final","code":"x"}`,
		`{"resourceType":"Observation","status":"final","code":{},"valueInteger":1.5}`,
		`{"resourceType":"Observation","status":"final","code":{},"valueInteger":12345678901234567890}`,
		`{"resourceType":"Observation","status":"final","code":{},"valueQuantity":{"value":"abc"}}`,
		`{"resourceType":"Observation","status":"final","code":{},"valueQuantity":{"value":" 1"}}`,
		`{"resourceType":"Observation","status":"final","code":{},"valueQuantity":{"value":true}}`,
		`{"resourceType":"Observation","STATUS":"bogus","code":{}}`,
		`{"resourceType":"Observation","status":"fin\u0061l","code":{}}`,
		`{"resourceType":"Observation","status":"final","code":null,"category":null,"subject":null}`,
		`{"resourceType":"AllergyIntolerance","patient":{},"category":[null]}`,
		`{"resourceType":"AllergyIntolerance","patient":{},"category":["food",null]}`,
		`{"resourceType":"AllergyIntolerance","patient":{},"criticality":null}`,
		`{"resourceType":"Patient","active":"true"}`,
		`{"resourceType":"Patient","name":{"family":"x"}}`,
		`{"resourceType":"Patient","name":[{"given":"x"}]}`,
		`{"resourceType":"Patient","name":[{"given":[1]}]}`,
		`{"resourceType":"Patient","name":[[]]}`,
		`{"resourceType":"Patient","multipleBirthInteger":-0}`,
		`{"resourceType":"Patient","gender":5}`,
		`{"resourceType":"Patient","gender":{"a":1}}`,
		`{"resourceType":"Patient","gender":"\"male\""}`,
		`{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Observation","status":"nope"}}]}`,
	}
	cases := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		cases[filepath.Base(f)] = b
	}
	for i, e := range extra {
		cases["extra-"+string(rune('a'+i))] = []byte(e)
	}
	for name, raw := range cases {
		hard, problems, typ := hardProblems(t, raw)
		_, err := Typed(typ, raw)
		if (hard > 0) != (err != nil) {
			t.Errorf("%s: the walk found %d model problems %q, the typed decode says %v", name, hard, problems, err)
		}
	}
}
