package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chartline/chartline/app/jsontime"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "config.json")
	c := Default()
	c.Conn.Brokers = []string{"kafka-1.hospital.example:9093", "kafka-2.hospital.example:9093"}
	c.Conn.TLS.Enabled = true
	c.Conn.TLS.CAFile = "/etc/chartline/ca.pem"
	c.Conn.SASL.Mechanism = "SCRAM-SHA-512"
	c.Conn.SASL.User = "spv-ward-7"
	c.Conn.SASL.Password = "s3cret-never-saved"
	c.Topics.PatientPrefix = "prod.fhir.patient."
	c.StaleVitals = jsontime.Duration(12 * time.Hour)
	c.SpO2Scale2 = Scale2Off
	c.Theme = "dark"
	c.Workstation, c.User, c.DisplayName = "ward7-ws3", "nurse.lee", "Nurse K. Lee"
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v", fi.Mode().Perm(), err)
	}
	raw, _ := os.ReadFile(path)
	if strings.Contains(string(raw), "s3cret") {
		t.Fatal("password written to the settings file")
	}
	if strings.Contains(string(raw), "nurse.lee") {
		t.Fatal("the signing user was written to the settings file: anyone could edit who signs")
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	c.Conn.SASL.Password = ""
	if got.Conn.Brokers[1] != c.Conn.Brokers[1] || got.Conn.SASL.User != "spv-ward-7" || !got.Conn.TLS.Enabled ||
		got.Topics.PatientPrefix != c.Topics.PatientPrefix || got.StaleVitals != c.StaleVitals ||
		got.SpO2Scale2 != Scale2Off || got.Theme != "dark" || got.Workstation != "ward7-ws3" || got.User != OSUser() ||
		got.DisplayName != "Nurse K. Lee" {
		t.Fatalf("round trip lost settings: %+v", got)
	}
}

func TestLoadMissingGivesDefaults(t *testing.T) {
	c, err := Load(filepath.Join(t.TempDir(), "none.json"))
	if err != nil {
		t.Fatal(err)
	}
	if time.Duration(c.StaleVitals) != 24*time.Hour || c.SpO2Scale2 != Scale2Recorded || c.RiskThreshold != 0.5 || c.Topics.PatientPrefix != "fhir.patient." {
		t.Fatalf("defaults = %+v", c)
	}
}

func TestValidate(t *testing.T) {
	cases := map[string]func(*Config){
		"no brokers":    func(c *Config) { c.Conn.Brokers = nil },
		"no prefix":     func(c *Config) { c.Topics.PatientPrefix = "" },
		"zero window":   func(c *Config) { c.StaleVitals = 0 },
		"bad policy":    func(c *Config) { c.SpO2Scale2 = "sometimes" },
		"bad theme":     func(c *Config) { c.Theme = "neon" },
		"threshold 0":   func(c *Config) { c.RiskThreshold = 0 },
		"threshold >1":  func(c *Config) { c.RiskThreshold = 1.01 },
		"idle lock 59s": func(c *Config) { c.IdleLock = jsontime.Duration(59 * time.Second) },
		"idle lock 61m": func(c *Config) { c.IdleLock = jsontime.Duration(61 * time.Minute) },
		"alerts 0":      func(c *Config) { c.Alerts.High = 0 },
	}
	for name, mutate := range cases {
		c := Default()
		mutate(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
		if err := c.Save(filepath.Join(t.TempDir(), "c.json")); err == nil {
			t.Errorf("%s: saved", name)
		}
	}
	c := Default()
	c.RiskThreshold = 1
	if err := c.Validate(); err != nil {
		t.Errorf("threshold 1 refused: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"stale_vitals":"forever"}`), 0o600)
	if _, err := Load(bad); err == nil {
		t.Error("unparseable duration accepted")
	}
}
