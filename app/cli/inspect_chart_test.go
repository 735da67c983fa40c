package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/testenv"
)

// chartBundle: a deceased patient with a real allergy beside a "no known
// latex allergy" statement, chronic diastolic heart failure coded in
// ICD-10-CM, and a heart-failure study whose Group names a ValueSet.
const chartBundle = `{"resourceType":"Bundle","type":"transaction","entry":[
 {"fullUrl":"urn:uuid:ic-1","resource":{"resourceType":"Patient","id":"ic-1","name":[{"family":"Test","given":["Ida"]}],"gender":"female","birthDate":"1927-04-01","deceasedDateTime":"2012-05-03"}},
 {"resource":{"resourceType":"AllergyIntolerance","id":"a1","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical","code":"active"}]},"code":{"coding":[{"system":"http://snomed.info/sct","code":"716184000","display":"No Known Latex Allergy (situation)"}]},"patient":{"reference":"urn:uuid:ic-1"}}},
 {"resource":{"resourceType":"AllergyIntolerance","id":"a2","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical","code":"active"}]},"code":{"coding":[{"system":"http://snomed.info/sct","code":"91936005","display":"Allergy to penicillin (finding)"}]},"patient":{"reference":"urn:uuid:ic-1"}}},
 {"resource":{"resourceType":"Condition","id":"c1","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},"code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"I50.32","display":"Chronic diastolic (congestive) heart failure"}]},"subject":{"reference":"urn:uuid:ic-1"}}},
 {"resource":{"resourceType":"ValueSet","id":"vs-hf","url":"https://example.org/fhir/ValueSet/hf","status":"active","expansion":{"timestamp":"2026-01-01T00:00:00Z","contains":[{"system":"http://snomed.info/sct","code":"84114007"},{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"I50"}]}}},
 {"fullUrl":"urn:uuid:g-hf","resource":{"resourceType":"Group","id":"g-hf","type":"person","actual":false,"characteristic":[{"code":{"coding":[{"system":"http://snomed.info/sct","code":"439401001"}]},"valueReference":{"reference":"ValueSet/vs-hf","display":"Heart failure"},"exclude":false}]}},
 {"resource":{"resourceType":"ResearchStudy","id":"hf","status":"active","title":"HF","enrollment":[{"reference":"urn:uuid:g-hf"}]}}]}`

// TestInspectChartFields drives publish, ingest and inspect through the real
// CLI: allergies as the banner shows them, the death, the trial evaluation
// through a ValueSet and an ICD-10-CM child code, -keys and -quarantine.
func TestInspectChartFields(t *testing.T) {
	e := testenv.New(t, kafka.BrokerOptions{})
	dir := t.TempDir()
	settings, db, in := filepath.Join(dir, "s.json"), filepath.Join(dir, "c.db"), filepath.Join(dir, "b.json")
	t.Setenv(EnvPassphrase, "inspect chart passphrase")
	if err := os.WriteFile(in, []byte(chartBundle), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := run(t, "publish", "-brokers", e.Broker.Addr(), "-settings", settings, in); code != 0 {
		t.Fatalf("publish: %s", errs)
	}
	// a result about a patient on another server, put straight on ic-1's topic
	e.Produce(&kgo.Record{Topic: e.Topics.Patient("ic-1"), Key: []byte("Observation/far"),
		Value: []byte(`{"resourceType":"Observation","id":"far","status":"final","code":{"text":"x"},"subject":{"reference":"http://other.example/fhir/Patient/ic-1"}}`)})
	if code, _, errs := run(t, "ingest", "-brokers", e.Broker.Addr(), "-settings", settings, "-db", db, "-until-caught-up"); code != 0 {
		t.Fatalf("ingest: %s", errs)
	}

	code, out, errs := run(t, "inspect", "-db", db, "-patient", "ic-1", "-keys")
	if code != 0 {
		t.Fatalf("inspect: %s", errs)
	}
	var p PatientSummary
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if strings.Join(p.Allergies, "|") != "Allergy to penicillin" {
		t.Errorf("allergies %q, want only the penicillin allergy", p.Allergies)
	}
	if !p.Deceased || p.Died == nil || p.Died.Text != "died 2012 aged 85" || p.Died.AgeAtDeath == nil || *p.Died.AgeAtDeath != 85 {
		t.Errorf("deceased %v, died %+v", p.Deceased, p.Died)
	}
	if len(p.Trials) != 1 || p.Trials[0].Study != "ResearchStudy/hf" || p.Trials[0].Outcome != "not-eligible" ||
		len(p.Trials[0].Criteria) != 1 || p.Trials[0].Criteria[0].Outcome != "met" || p.Trials[0].Criteria[0].Text != "Heart failure" {
		t.Errorf("trials %+v: want the HF criterion met through the value set, not eligible (deceased)", p.Trials)
	}
	if strings.Join(p.Keys, ",") == "" || !strings.Contains(strings.Join(p.Keys, ","), "Condition/c1") || strings.Contains(strings.Join(p.Keys, ","), "Observation/far") {
		t.Errorf("keys %v", p.Keys)
	}

	code, out, errs = run(t, "inspect", "-db", db, "-quarantine")
	if code != 0 {
		t.Fatalf("inspect -quarantine: %s", errs)
	}
	var q QuarantineSummary
	if err := json.Unmarshal([]byte(out), &q); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(q.Quarantined) != 1 || q.Quarantined[0].Reason != "subject on another server" || q.Quarantined[0].Key != "Observation/far" ||
		q.Quarantined[0].Topic != e.Topics.Patient("ic-1") || q.Quarantined[0].Time == "" {
		t.Errorf("quarantine %+v", q.Quarantined)
	}
}
