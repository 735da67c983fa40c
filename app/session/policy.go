package session

import (
	"time"

	"github.com/chartline/chartline/app/config"
	"github.com/chartline/chartline/store"
)

// AlertFollowUp is the alert follow-up policy in force (the site's, else
// the user's settings, else 30 min for high and 60 min for medium alerts):
// how long an acknowledged alert still in its band stays acknowledged, and
// how often an unattended one is notified again. EngineOptions hands it to
// the engine as clinical.AlertPolicy.ReopenHigh and ReopenMedium.
func AlertFollowUp(cfg config.Config) (high, medium time.Duration) {
	d := config.DefaultAlertIntervals()
	high, medium = time.Duration(cfg.Alerts.High), time.Duration(cfg.Alerts.Medium)
	if high <= 0 {
		high = time.Duration(d.High)
	}
	if medium <= 0 {
		medium = time.Duration(d.Medium)
	}
	return high, medium
}

// Names of the secrets the store keeps sealed when the user asks Settings
// to remember them.
const (
	SecretSASLPassword  = "sasl-password"
	SecretKeyPassphrase = "tls-key-passphrase"
)

// WithSecrets completes settings with what the store keeps sealed: the SASL
// password, when SASL is on and neither the environment, a password file nor
// the user gave one; the client key's passphrase, when a key file is named
// and no passphrase was given.
func WithSecrets(cfg config.Config, s *store.Store) (config.Config, error) {
	if s == nil {
		return cfg, nil
	}
	if cfg.Conn.SASL.Mechanism != "" && cfg.Conn.SASL.Password == "" && cfg.Conn.SASL.PasswordFile == "" {
		pw, ok, err := s.Secret(SecretSASLPassword)
		if err != nil {
			return cfg, err
		}
		if ok {
			cfg.Conn.SASL.Password = string(pw)
		}
	}
	if cfg.Conn.TLS.KeyFile != "" && cfg.Conn.TLS.KeyPassphrase == "" {
		pw, ok, err := s.Secret(SecretKeyPassphrase)
		if err != nil {
			return cfg, err
		}
		if ok {
			cfg.Conn.TLS.KeyPassphrase = string(pw)
		}
	}
	return cfg, nil
}
