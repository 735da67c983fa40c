package record

import (
	"os"
	"path/filepath"
	"testing"
)

// hardProblems runs the conformance walk alone and returns how many problems
// the typed model should fail on, the problems, and the resource type.
func hardProblems(t testing.TB, raw []byte) (int, []string, string) {
	t.Helper()
	s := getScanner()
	defer putScanner(s)
	if e := s.parse(raw); e != nil {
		t.Fatalf("parse: %s", e.detail)
	}
	d := &s.doc
	typ := d.str(d.get(0, "resourceType"))
	sc := schemas().types[typ]
	if sc == nil {
		return -1, nil, typ
	}
	c := &s.check
	c.reset(d)
	c.resource(0, sc, true)
	return c.hard, c.result(), typ
}

// TestConformanceMatchesModel checks the schema walk against the real thing:
// it finds a problem the model fails on exactly when the typed decode of
// golang-fhir-models returns an error, for every fixture and for each shape
// encoding/json treats in its own way.
func TestConformanceMatchesModel(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		hard bool // the typed model fails
		want string
	}{
		{"null for a required code", `{"resourceType":"Observation","status":null,"code":{}}`, true, `status: expected a code, found null`},
		{"a string for a struct", `{"resourceType":"Observation","status":"final","code":"x"}`, true, `code: expected an object (CodeableConcept), found the string "x"`},
		{"a fraction for an integer", `{"resourceType":"Observation","status":"final","code":{},"valueInteger":1.5}`, true, `valueInteger: expected an integer, found 1.5`},
		{"an integer beyond int64", `{"resourceType":"Observation","status":"final","code":{},"valueInteger":12345678901234567890}`, true, `valueInteger: expected an integer, found 12345678901234567890`},
		{"a word for a decimal", `{"resourceType":"Observation","status":"final","code":{},"valueQuantity":{"value":"abc"}}`, true, `valueQuantity.value: expected a decimal, found the string "abc"`},
		{"a padded decimal string", `{"resourceType":"Observation","status":"final","code":{},"valueQuantity":{"value":" 1"}}`, true, `valueQuantity.value: expected a decimal, found the string " 1"`},
		{"a decimal string", `{"resourceType":"Observation","status":"final","code":{},"valueQuantity":{"value":"1.50"}}`, false, `valueQuantity.value: decimal written as a string "1.50"`},
		{"a boolean for a decimal", `{"resourceType":"Observation","status":"final","code":{},"valueQuantity":{"value":true}}`, true, `valueQuantity.value: expected a decimal, found a boolean`},
		{"a name in the wrong case", `{"resourceType":"Observation","STATUS":"bogus","code":{}}`, true, `STATUS: element name in the wrong case (read as "status")`},
		{"an escaped code", `{"resourceType":"Observation","status":"fin\u0061l","code":{}}`, true, `status: unknown code "final"`},
		{"nulls for optional parts", `{"resourceType":"Observation","status":"final","code":null,"category":null,"subject":null}`, false, ``},
		{"null in a list of codes", `{"resourceType":"AllergyIntolerance","patient":{},"category":["food",null]}`, true, `category[1]: expected a code, found null`},
		{"null for an optional code", `{"resourceType":"AllergyIntolerance","patient":{},"criticality":null}`, false, ``},
		{"a string for a boolean", `{"resourceType":"Patient","active":"true"}`, true, `active: expected true or false, found the string "true"`},
		{"an object for a list", `{"resourceType":"Patient","name":{"family":"x"}}`, true, `name: expected an array, found an object`},
		{"a string for a list of strings", `{"resourceType":"Patient","name":[{"given":"x"}]}`, true, `name[0].given: expected an array, found a string`},
		{"a number in a list of strings", `{"resourceType":"Patient","name":[{"given":[1]}]}`, true, `name[0].given[0]: expected a string, found a number`},
		{"negative zero", `{"resourceType":"Patient","multipleBirthInteger":-0}`, false, ``},
		{"a number for a code", `{"resourceType":"Patient","gender":5}`, true, `gender: expected a code, found 5`},
		{"a quoted code", `{"resourceType":"Patient","gender":"\"male\""}`, true, `gender: unknown code "\"male\""`},
		{"a bad code in a Bundle entry", `{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Observation","status":"nope","code":{}}}]}`, false, `entry[0].resource.status: unknown code "nope"`},
		{"a primitive extension", `{"resourceType":"Patient","birthDate":"1970","_birthDate":{"id":"x"}}`, false, ``},
		{"an extension of nothing", `{"resourceType":"Patient","_birthdate":{"id":"x"}}`, false, `_birthdate: not an R4 element of Patient; dropped`},
		{"a contained resource of no type", `{"resourceType":"Patient","contained":[{"id":"x"}]}`, false, `contained[0]: not a resource: no resourceType`},
		{"resourceType inside a datatype", `{"resourceType":"Patient","name":[{"resourceType":"HumanName"}]}`, false, `name[0].resourceType: not an R4 element of HumanName; dropped`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hard, problems, typ := hardProblems(t, []byte(tt.raw))
			_, err := Typed(typ, []byte(tt.raw))
			if (hard > 0) != tt.hard || (err != nil) != tt.hard {
				t.Errorf("walk: %d model problems %q; typed decode: %v; want the model to fail: %v", hard, problems, err, tt.hard)
			}
			if tt.want == "" {
				if len(problems) != 0 {
					t.Errorf("problems %q, want none", problems)
				}
			} else if len(problems) == 0 || problems[0] != tt.want {
				t.Errorf("problems %q, want first %q", problems, tt.want)
			}
		})
	}
	files, err := filepath.Glob("testdata/resources/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		hard, problems, typ := hardProblems(t, raw)
		if _, err := Typed(typ, raw); (hard > 0) != (err != nil) {
			t.Errorf("%s: the walk found %d model problems %q, the typed decode says %v", f, hard, problems, err)
		}
	}
}

// TestSchemas builds every resource type's schema and checks a few that the
// conformance walk relies on.
func TestSchemas(t *testing.T) {
	set := schemas()
	if len(set.types) != len(resourceTypes) {
		t.Fatalf("%d schemas for %d resource types", len(set.types), len(resourceTypes))
	}
	obs := set.types["Observation"]
	st := obs.elements[obs.byName["status"]]
	if st.shape != shCode || !st.required || len(st.codes.codes) != 8 {
		t.Errorf("Observation.status: shape %d, required %v, %d codes; want a required code of 8", st.shape, st.required, len(st.codes.codes))
	}
	if e := obs.elements[obs.byName["valueQuantity"]]; e.shape != shStruct || e.st.name != "Quantity" || e.list {
		t.Errorf("Observation.valueQuantity: %+v", e)
	}
	var req []string
	for _, r := range set.types["Immunization"].required {
		req = append(req, r.name)
	}
	if want := []string{"status", "vaccineCode", "patient", "occurrence[x]"}; len(req) != len(want) || req[3] != want[3] {
		t.Errorf("Immunization requires %q, want %q", req, want)
	}
	if set.extension == nil || !set.extension.has([]byte("valueString")) {
		t.Error("no Extension schema")
	}
}
