package record

import (
	"encoding/json"
	"fmt"
	"reflect"
)

// Typed reads raw as the golang-fhir-models struct of resource type typ and
// returns a pointer to it (for an Observation, a *fhir.Observation), for
// views that want typed access. raw must be a resource of that type.
//
// The model drops elements it does not know (contained resources, primitive
// extensions, STU3 leftovers) and fails on a wrong shape or an unknown code
// (the Problems Decode reported): then Typed returns the error together with
// the struct as far as encoding/json read it. It costs about 20 µs for a
// 1.5 KB Observation with encoding/json, 15 µs with GOEXPERIMENT=jsonv2
// (BenchmarkTyped); Decode never calls it.
func Typed(typ string, raw []byte) (any, error) {
	t, ok := resourceTypes[typ]
	if !ok {
		return nil, fmt.Errorf("read %s: not an R4 resource type", typ)
	}
	if r := precheck(raw); r != nil {
		return nil, fmt.Errorf("read %s: %w", typ, r)
	}
	s := getScanner()
	err := s.parse(raw)
	var rt string
	if err == nil {
		rt = s.doc.str(s.doc.get(0, "resourceType"))
	}
	putScanner(s)
	switch {
	case err != nil:
		return nil, fmt.Errorf("read %s: %w", typ, &Refusal{err.reason, err.detail})
	case rt != typ:
		return nil, fmt.Errorf("read %s: the resourceType is %q", typ, rt)
	}
	p := reflect.New(t)
	if err := json.Unmarshal(raw, p.Interface()); err != nil {
		return p.Interface(), fmt.Errorf("read %s as R4: %w", typ, err)
	}
	return p.Interface(), nil
}
