package clinical

import (
	"encoding/json"
	"testing"

	"github.com/chartline/chartline/store"
)

// FuzzParseCriteria checks that any tree ParseCriteria accepts is valid and
// evaluates without panicking, to one of the three outcomes.
func FuzzParseCriteria(f *testing.F) {
	f.Add([]byte(`{"and": [{"condition": {"codes": ["http://snomed.info/sct|254637007"]}}, {"not": {"age": {"max": 17}}}]}`))
	f.Add([]byte(`{"or": [{"variant": {"genes": ["http://www.genenames.org/geneId|HGNC:3236"]}}, {"observation": {"codes": ["http://loinc.org|94076-7"], "value": {"quantity": {"comparator": ">=", "value": 10}}}}]}`))
	f.Add([]byte(`{"sex": ["female"], "label": "x", "key": true}`))
	facts := Facts{
		Patient:      &store.Demographics{BirthDate: "1970", Sex: "female"},
		Conditions:   []store.Item{condition("c", snomedNSCLC, "active")},
		Observations: []store.Item{variantObs("v", hgncEGFR, CodeAnswerPresent), quantityResult("q", now, loincTMB, 12, ">", "")},
		Now:          now,
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := ParseCriteria(raw)
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("accepted an invalid tree: %v", err)
		}
		ev := Evaluate(Study{ID: "s", Status: "active", Criteria: &c}, facts, TrialOptions{})
		if ev.Outcome != Met && ev.Outcome != NotMet && ev.Outcome != NotEvaluable {
			t.Fatalf("outcome %d", ev.Outcome)
		}
	})
}

// FuzzParseGroup checks that an imported Group is always a valid tree.
func FuzzParseGroup(f *testing.F) {
	f.Add(readFixture(f, "group-nsclc-egfr.json"))
	f.Add([]byte(`{"resourceType":"Group","id":"g","characteristic":[{"code":{"text":"x"},"valueBoolean":false,"exclude":true}]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		_, c, err := ParseGroup(raw)
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("imported an invalid tree: %v", err)
		}
		_ = Evaluate(Study{ID: "s", Status: "active", Criteria: &c}, Facts{Now: now}, TrialOptions{})
	})
}

// FuzzParseAlertState checks that an accepted state survives a round trip
// byte for byte and merges idempotently.
func FuzzParseAlertState(f *testing.F) {
	s := NewAlertState(Alert{ID: "al-1", Patient: "p", Kind: KindNEWS2})
	s.Actions = append(s.Actions, NewAction("al-1", VerbAcknowledge, "u", "w", "seen", t0))
	b, _ := json.Marshal(s)
	f.Add(b)
	f.Add([]byte(`{"v":1,"alert":"al-x","actions":[{"id":"a","verb":"resolve","at":"2026-11-22T10:00:00+02:00"}]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := ParseAlertState(raw)
		if err != nil {
			return
		}
		once, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseAlertState(once)
		if err != nil {
			t.Fatalf("cannot read what it wrote: %v\n%s", err, once)
		}
		twice, _ := json.Marshal(back)
		if string(once) != string(twice) {
			t.Fatalf("round trip changed the bytes:\n%s\n%s", once, twice)
		}
		if m, _ := json.Marshal(Merge(s, s)); string(m) != string(once) {
			t.Fatalf("merge with itself changed the state")
		}
	})
}

// FuzzRiskAlert checks that RiskAlert never panics and that an alert it
// raises names a patient and an id.
func FuzzRiskAlert(f *testing.F) {
	f.Add(readFixture(f, "risk-sepsis-high.json"))
	f.Add([]byte(`{"resourceType":"RiskAssessment","id":"r","status":"final","subject":{"reference":"Patient/p"},"prediction":[{"probabilityDecimal":1e400}]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		a, ok, err := RiskAlert(raw, "h", t0, RiskOptions{}, t0)
		if err == nil && ok && (a.Patient == "" || a.ID == "" || a.Severity == "") {
			t.Fatalf("alert without identity: %+v", a)
		}
	})
}
