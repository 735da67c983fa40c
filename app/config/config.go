// Package config holds Chartline's settings: how to reach the cluster, which
// topics to read, clinical policy and who is at the workstation. Settings
// live in one JSON file under the OS user config dir
// (~/.config/chartline/config.json on Linux), mode 0600, written atomically.
// Secrets never go in it: the store passphrase is typed at the unlock screen
// or read from CHARTLINE_PASSPHRASE / -passphrase-file by headless commands,
// and the SASL password comes from the environment, a password file, or the
// encrypted store (sealed there when the user asks to remember it). The user
// who signs is the OS account, never read from the file (identity.go); the
// site policy (policy.go) and the CHARTLINE_* environment (env.go) are laid
// over the file by Resolve.
package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/chartline/chartline/app/jsontime"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/schemareg"
)

// Config is every setting, with the defaults Default documents.
type Config struct {
	// Conn is how to reach the cluster. Default: 127.0.0.1:9092, plaintext.
	Conn kafka.Conn `json:"connection"`
	// Topics names the topics; only the patient prefix is usually changed.
	// Default: the README's Topics names ("fhir.patient." …).
	Topics kafka.Topics `json:"topics"`
	// SchemaRegistry checks the schema ids of values in the Schema Registry
	// wire format (app/schemareg). Default: none (framing accepted as is).
	SchemaRegistry schemareg.Settings `json:"schema_registry,omitzero"`
	// FailoverAfter is how long the cluster read may be silent before the
	// feed switches to the other one, when Conn names a failover cluster.
	// Default (zero) 15 s.
	FailoverAfter jsontime.Duration `json:"failover_after,omitzero"`
	// Census is the census list this workstation follows (the patients on
	// spv.census.<list>); "" follows every patient topic. Default "".
	Census string `json:"census,omitempty"`
	// CensusRetention is how long a patient discharged from the census list
	// stays readable in the store. Default (zero) 72 h (census.DefaultRetention).
	CensusRetention jsontime.Duration `json:"census_retention,omitzero"`
	// Store is the store file. Default: store.DefaultPath().
	Store string `json:"store,omitempty"`
	// StaleVitals is the observation window: how long before now a vital
	// sign may be and still count towards NEWS2 or PEWS. Default 24 h.
	StaleVitals jsontime.Duration `json:"stale_vitals"`
	// SpO2Scale2 is the NEWS2 SpO2 scale policy: "recorded" uses Scale 2 where
	// the patient has a recorded hypercapnic target (an active SpO2 Goal of
	// 88–92 %), "off" always uses Scale 1. Default "recorded".
	SpO2Scale2 string `json:"spo2_scale2"`
	// RiskThreshold is the upstream RiskAssessment probability above which an
	// alert is raised. Default 0.5.
	RiskThreshold float64 `json:"risk_threshold"`
	// Theme is "system", "light" or "dark". Default "system".
	Theme string `json:"theme"`
	// Workstation names this computer in alert actions and AuditEvents.
	// Default: the host name.
	Workstation string `json:"workstation"`
	// User is the OS account running Chartline: it signs alert actions and
	// AuditEvents. It is never read from or written to the settings file, so
	// nobody can sign as someone else by typing a name (see identity.go).
	User string `json:"-"`
	// DisplayName is the name the user adds for others to read ("Dr A.
	// Smith"); it is shown and recorded beside User, never instead of it.
	DisplayName string `json:"display_name,omitempty"`
	// IdleLock is how long the window may go without input before it locks
	// (a 60 s warning comes first, within it). Default 10 min; 1–60 min.
	IdleLock jsontime.Duration `json:"idle_lock"`
	// Alerts are the follow-up intervals of acknowledged and unattended
	// alerts. Defaults: 30 min for high, 60 min for medium.
	Alerts AlertIntervals `json:"alerts"`
	// LocalFHIRBases are the base URLs of this deployment's own FHIR servers
	// ("https://ehr.example.org/fhir"): an absolute Patient reference under
	// one of them names a local patient; under any other base it names a
	// patient on another server, never filed into a local chart
	// (record.RefRule). Default none.
	LocalFHIRBases []string `json:"local_fhir_bases,omitempty"`
}

// Scale 2 policies.
const (
	Scale2Recorded = "recorded"
	Scale2Off      = "off"
)

// Default returns the default settings.
func Default() Config {
	host, _ := os.Hostname()
	return Config{
		Conn:          kafka.Conn{Brokers: []string{"127.0.0.1:9092"}},
		Topics:        kafka.DefaultTopics(),
		StaleVitals:   jsontime.Duration(24 * time.Hour),
		SpO2Scale2:    Scale2Recorded,
		RiskThreshold: 0.5,
		Theme:         "system",
		Workstation:   host,
		User:          OSUser(),
		IdleLock:      jsontime.Duration(DefaultIdleLock),
		Alerts:        DefaultAlertIntervals(),
	}
}

// Path is the default settings file.
func Path() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find user config dir: %w", err)
	}
	return filepath.Join(dir, "chartline", "config.json"), nil
}

// Load reads settings from path over the defaults; a missing file gives the
// defaults.
func Load(path string) (Config, error) {
	c := Default()
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("read settings %s: %w", path, err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return Default(), fmt.Errorf("read settings %s: %w", path, err)
	}
	c.User = OSUser() // never from the file
	return c, c.Validate()
}

// Validate reports settings that cannot work.
func (c Config) Validate() error {
	var errs []error
	if len(c.Conn.Brokers) == 0 {
		errs = append(errs, errors.New("no bootstrap brokers"))
	}
	if c.Topics.PatientPrefix == "" {
		errs = append(errs, errors.New("empty patient topic prefix"))
	}
	if c.StaleVitals <= 0 {
		errs = append(errs, errors.New("stale-vitals window must be positive"))
	}
	if c.SpO2Scale2 != Scale2Recorded && c.SpO2Scale2 != Scale2Off {
		errs = append(errs, fmt.Errorf("SpO2 Scale 2 policy %q: want %q or %q", c.SpO2Scale2, Scale2Recorded, Scale2Off))
	}
	if c.RiskThreshold <= 0 || c.RiskThreshold > 1 {
		errs = append(errs, fmt.Errorf("risk threshold %v: want 0 < t ≤ 1", c.RiskThreshold))
	}
	if c.IdleLock < jsontime.Duration(MinIdleLock) || c.IdleLock > jsontime.Duration(MaxIdleLock) {
		errs = append(errs, fmt.Errorf("idle lock %v: want %v to %v", time.Duration(c.IdleLock), MinIdleLock, MaxIdleLock))
	}
	errs = append(errs, c.Alerts.validate()...)
	switch c.Theme {
	case "system", "light", "dark":
	default:
		errs = append(errs, fmt.Errorf("theme %q: want system, light or dark", c.Theme))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	return nil
}

// Save writes the settings to path atomically (a temporary file renamed
// over it), mode 0600. Secrets are never written: Conn's password fields
// are not serialised.
func (c Config) Save(path string) error {
	if err := c.Validate(); err != nil {
		return err
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".config-*.json")
	if err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("save settings: %w", err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("save settings: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("save settings: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	return nil
}
