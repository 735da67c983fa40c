package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chartline/chartline/app/jsontime"
	"github.com/chartline/chartline/app/kafka"
)

// examplePolicy is the README's example policy file.
const examplePolicy = `{
  "observation_window": "12h",
  "spo2_scale2": "recorded",
  "risk_threshold": 0.4,
  "alerts": {"high": "15m", "medium": "45m"},
  "idle_lock": "5m",
  "local_fhir_bases": ["https://fhir.hospital.example/r4"],
  "brokers": ["kafka-1.hospital.example:9093", "kafka-2.hospital.example:9093"]
}
`

func writePolicy(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPolicyExampleApplies(t *testing.T) {
	p, err := LoadPolicy(writePolicy(t, examplePolicy))
	if err != nil {
		t.Fatal(err)
	}
	user := Default()
	user.StaleVitals = jsontime.Duration(48 * time.Hour)
	user.IdleLock = jsontime.Duration(30 * time.Minute)
	user.Theme = "dark"
	fixed := Fixed{}
	c := p.Apply(user, fixed)
	if time.Duration(c.StaleVitals) != 12*time.Hour || c.SpO2Scale2 != Scale2Recorded || c.RiskThreshold != 0.4 ||
		time.Duration(c.Alerts.High) != 15*time.Minute || time.Duration(c.Alerts.Medium) != 45*time.Minute ||
		time.Duration(c.IdleLock) != 5*time.Minute || c.LocalFHIRBases[0] != "https://fhir.hospital.example/r4" ||
		len(c.Conn.Brokers) != 2 || c.Theme != "dark" {
		t.Fatalf("applied: %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{FieldObservationWindow, FieldSpO2Scale2, FieldRiskThreshold, FieldAlerts, FieldIdleLock, FieldLocalFHIRBases, FieldBrokers} {
		if fixed[f] != PolicySource {
			t.Errorf("%s not marked as set by the site: %v", f, fixed)
		}
	}
	// What Settings saves keeps the file's own values of fixed fields.
	kept := fixed.Keep(c, user)
	if kept.StaleVitals != user.StaleVitals || kept.IdleLock != user.IdleLock || !reflect.DeepEqual(kept.Conn.Brokers, user.Conn.Brokers) {
		t.Fatalf("Keep: %+v", kept)
	}
}

func TestPolicyMissingIsNone(t *testing.T) {
	p, err := LoadPolicy(filepath.Join(t.TempDir(), "none.json"))
	if err != nil || !reflect.DeepEqual(p, Policy{}) {
		t.Fatalf("missing file: %+v, %v", p, err)
	}
	fixed := Fixed{}
	if c := p.Apply(Default(), fixed); len(fixed) != 0 || c.IdleLock != jsontime.Duration(DefaultIdleLock) {
		t.Fatalf("empty policy set %v", fixed)
	}
}

func TestPolicyRefused(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"not JSON", `{"idle_lock":`, "policy"},
		{"misspelt field", `{"idle_lok":"5m"}`, "idle_lok"},
		{"idle lock 59s", `{"idle_lock":"59s"}`, "idle_lock"},
		{"idle lock 61m", `{"idle_lock":"61m"}`, "idle_lock"},
		{"scale", `{"spo2_scale2":"always"}`, "spo2_scale2"},
		{"threshold 0", `{"risk_threshold":0}`, "risk_threshold"},
		{"threshold 1.01", `{"risk_threshold":1.01}`, "risk_threshold"},
		{"window 15d", `{"observation_window":"360h"}`, "observation_window"},
		{"alert 30s", `{"alerts":{"high":"30s","medium":"1h"}}`, "high alert interval"},
		{"relative base", `{"local_fhir_bases":["fhir/r4"]}`, "local_fhir_bases"},
		{"empty broker", `{"brokers":[" "]}`, "brokers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writePolicy(t, tc.body)
			_, err := LoadPolicy(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("err = %v, want one naming %q and the file", err, tc.want)
			}
		})
	}
	for _, ok := range []string{`{"idle_lock":"1m"}`, `{"idle_lock":"60m"}`, `{"risk_threshold":1}`, `{"observation_window":"336h"}`} {
		if _, err := LoadPolicy(writePolicy(t, ok)); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
}

func TestPolicyPath(t *testing.T) {
	t.Setenv(EnvPolicy, "")
	if PolicyPath() != DefaultPolicyPath {
		t.Fatal(PolicyPath())
	}
	t.Setenv(EnvPolicy, "/srv/site/policy.json")
	if PolicyPath() != "/srv/site/policy.json" {
		t.Fatal(PolicyPath())
	}
}

// TestResolveEnvThenPolicy: the CHARTLINE_* variables set the connection for
// this run (the GUI honours them as the README says), and the site policy wins
// over both file and environment.
func TestResolveEnvThenPolicy(t *testing.T) {
	t.Setenv(kafka.EnvBrokers, "env-a:9092, env-b:9092")
	t.Setenv(kafka.EnvSASLMechanism, "SCRAM-SHA-512")
	t.Setenv(kafka.EnvSASLUser, "ward7")
	t.Setenv(EnvTopicPrefix, "test.fhir.patient.")
	c, fixed := Resolve(Default(), Policy{})
	if !reflect.DeepEqual(c.Conn.Brokers, []string{"env-a:9092", "env-b:9092"}) || c.Conn.SASL.User != "ward7" ||
		c.Topics.PatientPrefix != "test.fhir.patient." {
		t.Fatalf("env not applied: %+v", c)
	}
	if fixed[FieldBrokers] != kafka.EnvBrokers || fixed[FieldSASL] == "" || fixed[FieldTopicPrefix] != EnvTopicPrefix {
		t.Fatalf("fixed = %v", fixed)
	}
	if _, ok := fixed[FieldTLS]; ok {
		t.Fatal("TLS marked though no TLS variable is set")
	}
	c, fixed = Resolve(Default(), Policy{Brokers: []string{"site:9093"}})
	if !reflect.DeepEqual(c.Conn.Brokers, []string{"site:9093"}) || fixed[FieldBrokers] != PolicySource {
		t.Fatalf("policy did not win: %v %v", c.Conn.Brokers, fixed)
	}
}

func TestSignature(t *testing.T) {
	c := Default()
	c.User = "asmith"
	for _, tc := range []struct{ display, want string }{
		{"", "asmith"}, {"  ", "asmith"}, {"asmith", "asmith"}, {"Dr A. Smith", "Dr A. Smith (asmith)"},
	} {
		c.DisplayName = tc.display
		if got := c.Signature(); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.display, got, tc.want)
		}
	}
}

// TestUserNeverFromFile: a settings file naming another user does not make
// anyone sign as them.
func TestUserNeverFromFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	os.WriteFile(path, []byte(`{"user":"someone-else-entirely","display_name":"Someone"}`), 0o600)
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.User != OSUser() || c.DisplayName != "Someone" {
		t.Fatalf("user %q display %q", c.User, c.DisplayName)
	}
}
