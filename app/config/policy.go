package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/chartline/chartline/app/jsontime"
)

// Idle lock bounds and default. Hospital standards for named users on shared
// workstations run 10 minutes, less in clinical areas (HIPAA §164.312(a)(2)(iii)
// asks for automatic logoff after a site-chosen time of inactivity).
const (
	DefaultIdleLock = 10 * time.Minute
	MinIdleLock     = 1 * time.Minute
	MaxIdleLock     = 60 * time.Minute
)

// AlertIntervals are the follow-up intervals of alerts: an acknowledged alert
// still in its band re-opens after its interval, and an unattended one is
// notified again at it.
type AlertIntervals struct {
	// High is the interval of high (and emergency) alerts. Default 30 min.
	High jsontime.Duration `json:"high"`
	// Medium is the interval of medium alerts. Default 60 min.
	Medium jsontime.Duration `json:"medium"`
}

// DefaultAlertIntervals are 30 min for high and 60 min for medium alerts.
func DefaultAlertIntervals() AlertIntervals {
	return AlertIntervals{High: jsontime.Duration(30 * time.Minute), Medium: jsontime.Duration(60 * time.Minute)}
}

func (a AlertIntervals) validate() []error {
	var errs []error
	for _, x := range []struct {
		name string
		d    jsontime.Duration
	}{{"high", a.High}, {"medium", a.Medium}} {
		if x.d < jsontime.Duration(time.Minute) || x.d > jsontime.Duration(24*time.Hour) {
			errs = append(errs, fmt.Errorf("%s alert interval %v: want 1 min to 24 h", x.name, time.Duration(x.d)))
		}
	}
	return errs
}

// EnvPolicy names the site policy file; DefaultPolicyPath is used without it.
const (
	EnvPolicy         = "CHARTLINE_POLICY"
	DefaultPolicyPath = "/etc/chartline/policy.json"
)

// Fields a policy (or the environment) can set, as Fixed keys.
const (
	FieldObservationWindow = "observation_window"
	FieldSpO2Scale2        = "spo2_scale2"
	FieldRiskThreshold     = "risk_threshold"
	FieldAlerts            = "alerts"
	FieldIdleLock          = "idle_lock"
	FieldLocalFHIRBases    = "local_fhir_bases"
	FieldBrokers           = "brokers"
	FieldTLS               = "tls"
	FieldSASL              = "sasl"
	FieldTopicPrefix       = "topic_prefix"
)

// Policy is the site's clinical and security policy, one JSON file that the
// workstation's administrator owns (/etc/chartline/policy.json, or the path
// in CHARTLINE_POLICY). Every field is optional; a field it sets overrides
// the user's settings and is read-only in Settings ("set by your site").
// Unknown fields are an error, so a misspelt policy is never silently
// ignored.
type Policy struct {
	// ObservationWindow is how old data may be and still count towards a
	// score (Config.StaleVitals), e.g. "24h".
	ObservationWindow *jsontime.Duration `json:"observation_window,omitempty"`
	// SpO2Scale2 is "recorded" or "off" (Config.SpO2Scale2).
	SpO2Scale2 *string `json:"spo2_scale2,omitempty"`
	// RiskThreshold is the upstream risk probability that raises an alert.
	RiskThreshold *float64 `json:"risk_threshold,omitempty"`
	// Alerts are the follow-up intervals; both must be given.
	Alerts *AlertIntervals `json:"alerts,omitempty"`
	// IdleLock is the idle lock interval, 1–60 min, e.g. "5m".
	IdleLock *jsontime.Duration `json:"idle_lock,omitempty"`
	// LocalFHIRBases are the site's own FHIR base URLs.
	LocalFHIRBases []string `json:"local_fhir_bases,omitempty"`
	// Brokers fixes the bootstrap brokers, when the site wants every
	// workstation on its cluster.
	Brokers []string `json:"brokers,omitempty"`
}

// PolicyPath is the policy file in force: CHARTLINE_POLICY, else
// /etc/chartline/policy.json.
func PolicyPath() string {
	if p := strings.TrimSpace(os.Getenv(EnvPolicy)); p != "" {
		return p
	}
	return DefaultPolicyPath
}

// LoadPolicy reads a policy file. A missing file is no policy (nil error); a
// file that cannot be read, is not valid JSON, has an unknown field or a
// value out of range is an error naming the file and the field: Chartline
// does not start on a policy it cannot apply.
func LoadPolicy(path string) (Policy, error) {
	var p Policy
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("read site policy %s: %w", path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Policy{}, fmt.Errorf("read site policy %s: %w", path, err)
	}
	if err := p.validate(); err != nil {
		return Policy{}, fmt.Errorf("site policy %s: %w", path, err)
	}
	return p, nil
}

func (p Policy) validate() error {
	var errs []error
	if p.ObservationWindow != nil && (*p.ObservationWindow <= 0 || *p.ObservationWindow > jsontime.Duration(14*24*time.Hour)) {
		errs = append(errs, fmt.Errorf("observation_window %v: want up to 14 days", time.Duration(*p.ObservationWindow)))
	}
	if p.SpO2Scale2 != nil && *p.SpO2Scale2 != Scale2Recorded && *p.SpO2Scale2 != Scale2Off {
		errs = append(errs, fmt.Errorf("spo2_scale2 %q: want %q or %q", *p.SpO2Scale2, Scale2Recorded, Scale2Off))
	}
	if p.RiskThreshold != nil && (*p.RiskThreshold <= 0 || *p.RiskThreshold > 1) {
		errs = append(errs, fmt.Errorf("risk_threshold %v: want 0 < t ≤ 1", *p.RiskThreshold))
	}
	if p.Alerts != nil {
		errs = append(errs, p.Alerts.validate()...)
	}
	if p.IdleLock != nil && (*p.IdleLock < jsontime.Duration(MinIdleLock) || *p.IdleLock > jsontime.Duration(MaxIdleLock)) {
		errs = append(errs, fmt.Errorf("idle_lock %v: want %v to %v", time.Duration(*p.IdleLock), MinIdleLock, MaxIdleLock))
	}
	for _, b := range p.LocalFHIRBases {
		if u, err := url.Parse(b); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Errorf("local_fhir_bases %q: want an absolute http(s) URL", b))
		}
	}
	for _, b := range p.Brokers {
		if strings.TrimSpace(b) == "" {
			errs = append(errs, errors.New("brokers: empty entry"))
		}
	}
	return errors.Join(errs...)
}

// Fixed names the settings that something other than the settings file
// sets for this run, each with who set it ("your site", "CHARTLINE_BROKERS"):
// Settings shows them read-only and never saves them.
type Fixed map[string]string

// PolicySource is the Fixed value of a field the site policy sets.
const PolicySource = "your site"

// Apply lays the policy over settings and marks what it set in fixed.
func (p Policy) Apply(c Config, fixed Fixed) Config {
	set := func(field string) { fixed[field] = PolicySource }
	if p.ObservationWindow != nil {
		c.StaleVitals = *p.ObservationWindow
		set(FieldObservationWindow)
	}
	if p.SpO2Scale2 != nil {
		c.SpO2Scale2 = *p.SpO2Scale2
		set(FieldSpO2Scale2)
	}
	if p.RiskThreshold != nil {
		c.RiskThreshold = *p.RiskThreshold
		set(FieldRiskThreshold)
	}
	if p.Alerts != nil {
		c.Alerts = *p.Alerts
		set(FieldAlerts)
	}
	if p.IdleLock != nil {
		c.IdleLock = *p.IdleLock
		set(FieldIdleLock)
	}
	if p.LocalFHIRBases != nil {
		c.LocalFHIRBases = slices.Clone(p.LocalFHIRBases)
		set(FieldLocalFHIRBases)
	}
	if len(p.Brokers) > 0 {
		c.Conn.Brokers = slices.Clone(p.Brokers)
		set(FieldBrokers)
	}
	return c
}

// Keep copies the fixed fields of from into c: what Settings saves is the
// file's own value of a field the site or the environment sets.
func (f Fixed) Keep(c, from Config) Config {
	if _, ok := f[FieldObservationWindow]; ok {
		c.StaleVitals = from.StaleVitals
	}
	if _, ok := f[FieldSpO2Scale2]; ok {
		c.SpO2Scale2 = from.SpO2Scale2
	}
	if _, ok := f[FieldRiskThreshold]; ok {
		c.RiskThreshold = from.RiskThreshold
	}
	if _, ok := f[FieldAlerts]; ok {
		c.Alerts = from.Alerts
	}
	if _, ok := f[FieldIdleLock]; ok {
		c.IdleLock = from.IdleLock
	}
	if _, ok := f[FieldLocalFHIRBases]; ok {
		c.LocalFHIRBases = from.LocalFHIRBases
	}
	if _, ok := f[FieldBrokers]; ok {
		c.Conn.Brokers = from.Conn.Brokers
	}
	if _, ok := f[FieldTLS]; ok {
		c.Conn.TLS = from.Conn.TLS
	}
	if _, ok := f[FieldSASL]; ok {
		c.Conn.SASL = from.Conn.SASL
	}
	if _, ok := f[FieldTopicPrefix]; ok {
		c.Topics.PatientPrefix = from.Topics.PatientPrefix
	}
	return c
}
