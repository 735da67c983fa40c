package kafka

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chartline/chartline/store"
)

func TestValidPatientID(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"", false},
		{"a", true},
		{"p-1.2", true},
		{"ABCxyz019", true},
		{strings.Repeat("x", 64), true},
		{strings.Repeat("x", 65), false},
		{"a_b", false}, // legal in a topic name, not in a FHIR id
		{"a/b", false},
		{"a b", false},
		{"é", false},
	}
	for _, tt := range tests {
		if got := ValidPatientID(tt.id); got != tt.want {
			t.Errorf("ValidPatientID(%q) = %v, want %v", tt.id, got, tt.want)
		}
	}
}

func TestCollectionAndKind(t *testing.T) {
	top := DefaultTopics()
	tests := []struct {
		topic      string
		collection string
		kind       string
		ok         bool
	}{
		{"fhir.patient.p1", "p1", KindPatient, true},
		{"fhir.patient." + strings.Repeat("9", 64), strings.Repeat("9", 64), KindPatient, true},
		{"fhir.patient." + strings.Repeat("9", 65), "", "", false},
		{"fhir.patient.", "", "", false},
		{"fhir.patient.a_b", "", "", false},
		{"fhir.reference", store.Reference, KindReference, true},
		{"trials.studies", store.Studies, KindStudies, true},
		{"cds.risk", store.Risk, KindRisk, true},
		{"trials.matches", store.Matches, KindMatches, true},
		{"spv.alert-state", store.AlertState, KindAlertState, true},
		{"spv.audit", store.Audit, KindAudit, true},
		{"fhir.patients", "", "", false},
		{"", "", "", false},
		{"__consumer_offsets", "", "", false},
	}
	for _, tt := range tests {
		got, ok := top.Collection(tt.topic)
		if got != tt.collection || ok != tt.ok {
			t.Errorf("Collection(%q) = %q, %v; want %q, %v", tt.topic, got, ok, tt.collection, tt.ok)
		}
		if k := top.Kind(tt.topic); k != tt.kind {
			t.Errorf("Kind(%q) = %q, want %q", tt.topic, k, tt.kind)
		}
	}
}

func TestSharedNameWinsOverPrefix(t *testing.T) {
	top := DefaultTopics()
	top.PatientPrefix = "fhir."
	if c, ok := top.Collection("fhir.reference"); !ok || c != store.Reference {
		t.Fatalf("Collection(fhir.reference) = %q, %v; want the reference collection", c, ok)
	}
	if c, ok := top.Collection("fhir.p7"); !ok || c != "p7" {
		t.Fatalf("Collection(fhir.p7) = %q, %v; want p7", c, ok)
	}
}

func TestPatientRegex(t *testing.T) {
	top := DefaultTopics()
	re := regexp.MustCompile(top.PatientRegex())
	tests := []struct {
		topic string
		want  bool
	}{
		{top.Patient("p1"), true},
		{top.Patient(strings.Repeat("a", 64)), true},
		{top.Patient(strings.Repeat("a", 65)), false},
		{"fhir.patient.", false},
		{"fhirXpatient.p1", false}, // the dots are literal
		{"x.fhir.patient.p1", false},
		{"fhir.patient.p1_x", false},
		{"fhir.reference", false},
	}
	for _, tt := range tests {
		if got := re.MatchString(tt.topic); got != tt.want {
			t.Errorf("PatientRegex matches %q = %v, want %v", tt.topic, got, tt.want)
		}
	}
}

func TestConfigAndPartitions(t *testing.T) {
	top := DefaultTopics()
	tests := []struct {
		topic      string
		policy     string
		retention  bool
		partitions int32
	}{
		{top.Patient("p1"), "compact", false, 1},
		{top.Reference, "compact", false, -1},
		{top.Studies, "compact", false, -1},
		{top.Risk, "compact", false, -1},
		{top.Matches, "compact", false, -1},
		{top.AlertState, "compact", false, -1},
		{top.Audit, "delete", true, -1},
	}
	for _, tt := range tests {
		cfg := top.Config(tt.topic)
		if p := cfg["cleanup.policy"]; p == nil || *p != tt.policy {
			t.Errorf("%s: cleanup.policy = %v, want %s", tt.topic, p, tt.policy)
		}
		if r := cfg["retention.ms"]; (r != nil) != tt.retention {
			t.Errorf("%s: retention.ms = %v, want set = %v", tt.topic, r, tt.retention)
		}
		if m := cfg["max.message.bytes"]; m == nil || *m != "8388608" {
			t.Errorf("%s: max.message.bytes = %v, want 8388608", tt.topic, m)
		}
		if p := top.Partitions(tt.topic); p != tt.partitions {
			t.Errorf("%s: partitions = %d, want %d", tt.topic, p, tt.partitions)
		}
	}
	if r := top.Config(top.Audit)["retention.ms"]; *r != "7776000000" {
		t.Errorf("audit retention.ms = %s, want 90 days", *r)
	}
	if cfg := top.Config("someone.elses"); cfg != nil {
		t.Errorf("Config of a foreign topic = %v, want nil", cfg)
	}
	// Each call returns a fresh map: a caller may change it.
	*top.Config(top.Reference)["cleanup.policy"] = "delete"
	if p := *top.Config(top.Reference)["cleanup.policy"]; p != "compact" {
		t.Errorf("Config shares its map between calls")
	}
}

func TestValidate(t *testing.T) {
	ok := DefaultTopics()
	tests := []struct {
		name   string
		change func(*Topics)
		valid  bool
	}{
		{"defaults", func(*Topics) {}, true},
		{"other prefix", func(t *Topics) { t.PatientPrefix = "ehr_patient-" }, true},
		{"empty prefix", func(t *Topics) { t.PatientPrefix = "" }, false},
		{"slash", func(t *Topics) { t.Risk = "cds/risk" }, false},
		{"empty shared", func(t *Topics) { t.Audit = "" }, false},
		{"duplicate", func(t *Topics) { t.Audit = t.Risk }, false},
		{"longest prefix", func(t *Topics) { t.PatientPrefix = strings.Repeat("p", 249-64) }, true},
		{"prefix too long", func(t *Topics) { t.PatientPrefix = strings.Repeat("p", 249-63) }, false},
		{"dot", func(t *Topics) { t.Matches = "." }, false},
	}
	for _, tt := range tests {
		top := ok
		tt.change(&top)
		if err := top.Validate(); (err == nil) != tt.valid {
			t.Errorf("%s: Validate() = %v, want valid %v", tt.name, err, tt.valid)
		}
	}
}

func TestShared(t *testing.T) {
	want := []string{"fhir.reference", "trials.studies", "cds.risk", "trials.matches", "spv.alert-state", "spv.audit"}
	got := DefaultTopics().Shared()
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("Shared() = %v, want %v", got, want)
	}
	if p := DefaultTopics().Patient("p9"); p != "fhir.patient.p9" {
		t.Fatalf("Patient(p9) = %q", p)
	}
}

func TestCensusTopics(t *testing.T) {
	tp := DefaultTopics()
	if got := tp.Census("ward-7b"); got != "spv.census.ward-7b" {
		t.Fatalf("Census = %q", got)
	}
	for _, tc := range []struct {
		topic, list string
		ok          bool
	}{
		{"spv.census.ward-7b", "ward-7b", true},
		{"spv.census.a", "a", true},
		{"spv.census.", "", false},
		{"spv.census." + strings.Repeat("x", 65), "", false},
		{"spv.census.ward 7", "", false},
		{"spv.alert-state", "", false},
	} {
		list, ok := tp.CensusList(tc.topic)
		if ok != tc.ok || (ok && list != tc.list) {
			t.Errorf("CensusList(%q) = %q, %v", tc.topic, list, ok)
		}
		if kind := tp.Kind(tc.topic); (kind == KindCensus) != tc.ok {
			t.Errorf("Kind(%q) = %q", tc.topic, kind)
		}
	}
	if c := tp.Config("spv.census.w"); *c["cleanup.policy"] != "compact" || tp.Partitions("spv.census.w") != 1 {
		t.Fatalf("census topic policy %v, %d partitions", c, tp.Partitions("spv.census.w"))
	}
	if _, ok := tp.Collection("spv.census.w"); ok {
		t.Fatal("a census topic is not a store collection")
	}
}
