package ips

import (
	"encoding/json"
	"strings"
	"testing"
)

// mutate decodes a document, lets change edit it, and encodes it again.
func mutate(t *testing.T, doc []byte, change func(b map[string]any)) []byte {
	t.Helper()
	var b map[string]any
	if err := json.Unmarshal(doc, &b); err != nil {
		t.Fatal(err)
	}
	change(b)
	out, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func composition(b map[string]any) map[string]any {
	return b["entry"].([]any)[0].(map[string]any)["resource"].(map[string]any)
}

func sectionByCode(b map[string]any, code string) map[string]any {
	for _, s := range composition(b)["section"].([]any) {
		if hasCoding(s.(map[string]any)["code"], code) {
			return s.(map[string]any)
		}
	}
	return nil
}

func entryOf(b map[string]any, typ string) map[string]any {
	for _, e := range b["entry"].([]any) {
		r := e.(map[string]any)["resource"].(map[string]any)
		if r["resourceType"] == typ {
			return r
		}
	}
	return nil
}

// TestCheckerFindsEachBrokenRule breaks one rule at a time in a real
// export and expects the checker to name it; the unbroken export passes.
func TestCheckerFindsEachBrokenRule(t *testing.T) {
	s := fixtureStore(t, "pt-0001")
	doc, _ := export(t, s, "pt-0001")
	c, err := DefaultChecker()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		change   func(b map[string]any)
		where    string // expected in a document problem's text
		entryErr bool   // the problem is an entry problem
	}{
		{"unchanged", func(map[string]any) {}, "", false},
		{"no timestamp", func(b map[string]any) { delete(b, "timestamp") }, "Bundle.timestamp: 0 found", false},
		{"no identifier", func(b map[string]any) { delete(b, "identifier") }, "Bundle.identifier: 0 found", false},
		{"type collection", func(b map[string]any) { b["type"] = "collection" }, "Bundle.type: must be document", false},
		{"composition not first", func(b map[string]any) {
			es := b["entry"].([]any)
			es[0], es[1] = es[1], es[0]
		}, "first entry must be the Composition", false},
		{"two patients", func(b map[string]any) {
			es := b["entry"].([]any)
			p := entryOf(b, "Patient")
			cp := map[string]any{}
			for k, v := range p {
				cp[k] = v
			}
			b["entry"] = append(es, map[string]any{"fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000001", "resource": cp})
		}, "Bundle.entry:patient: 2 found, at most 1", false},
		{"duplicate fullUrl", func(b map[string]any) {
			es := b["entry"].([]any)
			es[2].(map[string]any)["fullUrl"] = es[1].(map[string]any)["fullUrl"]
		}, "not unique (bdl-7)", false},
		{"no composition date", func(b map[string]any) { delete(composition(b), "date") }, "Composition.date: 0 found", false},
		{"no author", func(b map[string]any) { delete(composition(b), "author") }, "Composition.author: 0 found", false},
		{"wrong type", func(b map[string]any) { composition(b)["type"] = concept(systemLOINC, "34133-9", "x") }, "Composition.type: must be 60591-5", false},
		{"no problems section", func(b map[string]any) {
			var keep []any
			for _, s := range composition(b)["section"].([]any) {
				if !hasCoding(s.(map[string]any)["code"], CodeProblems) {
					keep = append(keep, s)
				}
			}
			composition(b)["section"] = keep
		}, "Composition.section:sectionProblems: 0 found, at least 1", false},
		{"section without text", func(b map[string]any) { delete(sectionByCode(b, CodeAllergies), "text") }, "Composition.section:sectionAllergies.text: 0 found", false},
		{"section without title", func(b map[string]any) { delete(sectionByCode(b, CodeResults), "title") }, "Composition.section.title: 0 found", false},
		{"emptyReason with entries", func(b map[string]any) {
			sectionByCode(b, CodeMedications)["emptyReason"] = map[string]any{"text": "x"}
		}, "emptyReason with entries (cmp-2)", false},
		{"required section empty without reason", func(b map[string]any) { delete(sectionByCode(b, CodeMedications), "entry") }, "ips-comp-1", false},
		{"dangling reference", func(b map[string]any) {
			sectionByCode(b, CodeProblems)["entry"].([]any)[0].(map[string]any)["reference"] = "Condition/elsewhere"
		}, "does not resolve inside the bundle", false},
		{"nested section", func(b map[string]any) {
			sectionByCode(b, CodeProcedures)["section"] = []any{map[string]any{"title": "x"}}
		}, "Composition.section:sectionProceduresHx.section: 1 found, at most 0", false},
		{"patient without birth date", func(b map[string]any) { delete(entryOf(b, "Patient"), "birthDate") }, "Patient.birthDate: 0 found", true},
		{"condition without code", func(b map[string]any) { delete(entryOf(b, "Condition"), "code") }, "Condition.code: 0 found", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := c.Check(mutate(t, doc, tc.change))
			if err != nil {
				t.Fatal(err)
			}
			got := res.Document
			if tc.entryErr {
				got = res.Entries
			}
			var all []string
			for _, p := range got {
				all = append(all, p.String())
			}
			text := strings.Join(all, "\n")
			if tc.where == "" {
				if len(res.Document)+len(res.Entries) > 0 {
					t.Fatalf("unchanged export has problems:\n%s %v", text, res.Entries)
				}
				return
			}
			if !strings.Contains(text, tc.where) {
				t.Fatalf("want a problem %q, got:\n%s", tc.where, text)
			}
		})
	}
}

// TestPrimitiveExtensionCounts: a required primitive present only as its
// extension (data-absent-reason) is present.
func TestPrimitiveExtensionCounts(t *testing.T) {
	s := fixtureStore(t, "pt-0007")
	doc, _ := export(t, s, "pt-0007")
	c, _ := DefaultChecker()
	res, err := c.Check(mutate(t, doc, func(b map[string]any) {
		p := entryOf(b, "Patient")
		delete(p, "birthDate")
		p["_birthDate"] = map[string]any{"extension": []any{map[string]any{"url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason", "valueCode": "unknown"}}}
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Entries) != 0 || len(res.Document) != 0 {
		t.Fatalf("problems: %v %v", res.Document, res.Entries)
	}
}
