package handover

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/publish"
	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/store"
)

// childBundle is a synthetic 8-year-old with a full set of the National
// PEWS observations 30 minutes before now; heart rate 150 per min.
func childBundle(at time.Time) string {
	when := at.Add(-30 * time.Minute).UTC().Format(time.RFC3339)
	obs := func(id, code, system, display, value string) string {
		return fmt.Sprintf(`{"fullUrl":"urn:uuid:ch-%[1]s","resource":{"resourceType":"Observation","id":"ch-%[1]s","status":"final",`+
			`"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],`+
			`"code":{"coding":[{"system":"%[3]s","code":"%[2]s","display":"%[4]s"}]},"subject":{"reference":"urn:uuid:ch-pt"},`+
			`"effectiveDateTime":"%[5]s",%[6]s},"request":{"method":"POST","url":"Observation"}}`, id, code, system, display, when, value)
	}
	qty := func(v, unit string) string {
		return fmt.Sprintf(`"valueQuantity":{"value":%s,"unit":"%s","system":"http://unitsofmeasure.org","code":"%s"}`, v, unit, unit)
	}
	cc := func(system, code, display string) string {
		return fmt.Sprintf(`"valueCodeableConcept":{"coding":[{"system":"%s","code":"%s","display":"%s"}],"text":"%s"}`, system, code, display, display)
	}
	born := at.AddDate(-8, -2, 0).Format("2006-01-02")
	entries := []string{
		`{"fullUrl":"urn:uuid:ch-pt","resource":{"resourceType":"Patient","id":"ch-0001","identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"value":"KV-CHILD1"}],"name":[{"family":"Dvořáková","given":["Anežka"]}],"gender":"female","birthDate":"` + born + `"},"request":{"method":"POST","url":"Patient"}}`,
		obs("rr", "9279-1", "http://loinc.org", "Respiratory rate", qty("22", "/min")),
		obs("hr", "8867-4", "http://loinc.org", "Heart rate", qty("150", "/min")),
		obs("sbp", "8480-6", "http://loinc.org", "Systolic blood pressure", qty("100", "mm[Hg]")),
		obs("crt", "44963-7", "http://loinc.org", "Capillary refill", qty("1", "s")),
		obs("temp", "8310-5", "http://loinc.org", "Body temperature", qty("37", "Cel")),
		obs("rd", "1364081000000103", "http://snomed.info/sct", "Respiratory distress", cc("http://snomed.info/sct", "260413007", "None")),
		obs("avpu", "67775-7", "http://loinc.org", "Level of responsiveness", cc("http://snomed.info/sct", "248234008", "Alert")),
		obs("ox", "59408-5", "http://loinc.org", "Oxygen saturation by pulse oximetry", qty("98", "%")+
			`,"component":[{"code":{"coding":[{"system":"http://loinc.org","code":"3151-8"}]},"valueQuantity":{"value":0,"unit":"L/min","system":"http://unitsofmeasure.org","code":"L/min"}}]`),
	}
	return `{"resourceType":"Bundle","type":"transaction","entry":[` + strings.Join(entries, ",") + `]}`
}

// TestChildGetsPEWS: a child's sheet shows the National PEWS the engine
// scored, with its escalation response, never NEWS2.
func TestChildGetsPEWS(t *testing.T) {
	s := fixtureStore(t)
	topics := kafka.DefaultTopics()
	recs, err := publish.Split([]byte(childBundle(now)), topics, "test")
	if err != nil {
		t.Fatal(err)
	}
	b := &store.Batch{}
	for _, r := range recs {
		col, _ := topics.Collection(r.Topic)
		d, err := record.Decode(r.Key, r.Value, col)
		if err != nil {
			t.Fatal(err)
		}
		b.Puts = append(b.Puts, store.Resource{Ref: store.Ref{Collection: col, Type: d.Type, ID: d.ID}, JSON: r.Value, Meta: d.Meta})
	}
	if _, err := s.Apply(b); err != nil {
		t.Fatal(err)
	}
	derive(t, s)
	path := filepath.Join(t.TempDir(), "child.pdf")
	pr, err := Write(s, Options{Patients: []string{"ch-0001"}, Title: "Paediatrics", User: "a.nurse", Workstation: "paeds-pc", Now: now},
		path, func(string, []string) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	sev := pr.Sheet.Patients[0].Severity
	if sev.Kind != "PEWS" || !strings.HasPrefix(sev.Score, "PEWS ") || sev.Score == "PEWS 0" || !strings.Contains(sev.Response, "PEWS") {
		t.Fatalf("severity %+v", sev)
	}
	text := pdfText(t, path)
	for _, want := range []string{"Dvořáková, Anežka", sev.Score, "National PEWS (2023) escalation"} {
		if !strings.Contains(text, want) {
			t.Errorf("the sheet lacks %q", want)
		}
	}
	if strings.Contains(text, "NEWS2 ") {
		t.Error("a child's sheet prints a NEWS2")
	}
	if dir := os.Getenv("CHARTLINE_SHOTS"); dir != "" {
		if out, err := exec.Command("pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile", path, filepath.Join(dir, "20-handover-child-p1")).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v %s", err, out)
		}
	}
}
