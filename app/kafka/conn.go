package kafka

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// SASL mechanisms Chartline speaks.
const (
	MechanismPlain  = "PLAIN"
	MechanismSHA256 = "SCRAM-SHA-256"
	MechanismSHA512 = "SCRAM-SHA-512"
)

// DefaultClientID is the Kafka client.id when Conn.ClientID is empty.
const DefaultClientID = "chartline"

// Environment variables ConnFromEnv reads.
const (
	EnvBrokers       = "CHARTLINE_BROKERS"            // comma-separated host:port list
	EnvTLSCA         = "CHARTLINE_TLS_CA"             // CA bundle (PEM) that signs the brokers' certificates; turns TLS on
	EnvTLSCert       = "CHARTLINE_TLS_CERT"           // client certificate (PEM); turns TLS on
	EnvTLSKey        = "CHARTLINE_TLS_KEY"            // client key (PEM)
	EnvTLSServerName = "CHARTLINE_TLS_SERVER_NAME"    // name to verify in the brokers' certificates
	EnvSASLMechanism = "CHARTLINE_SASL_MECHANISM"     // PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512
	EnvSASLUser      = "CHARTLINE_SASL_USER"          // SASL user name
	EnvSASLPassword  = "CHARTLINE_SASL_PASSWORD"      // SASL password (never saved)
	EnvSASLPassFile  = "CHARTLINE_SASL_PASSWORD_FILE" // file whose first line is the SASL password
	EnvFailover      = "CHARTLINE_FAILOVER_BROKERS"   // comma-separated bootstrap list of the failover cluster
)

// Errors callers decide on; check them with errors.Is.
var (
	// ErrNoBrokers means the connection names no bootstrap broker.
	ErrNoBrokers = errors.New("no Kafka brokers given")
	// ErrInsecureTLS means InsecureSkipVerify was asked for without
	// AllowInsecure: certificate checks stay on unless allowed explicitly.
	ErrInsecureTLS = errors.New("TLS certificate verification can only be skipped with an explicit allow-insecure")
	// ErrUnknownMechanism means SASL.Mechanism is none of PLAIN,
	// SCRAM-SHA-256 and SCRAM-SHA-512.
	ErrUnknownMechanism = errors.New("unknown SASL mechanism (want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)")
	// ErrNoCredentials means SASL is on but the user or the password is
	// missing.
	ErrNoCredentials = errors.New("SASL user or password missing")
)

// Conn is how to reach a Kafka cluster: bootstrap brokers, TLS and SASL. It is
// saved in the user's config file as JSON, without the password. The zero
// value (with Brokers set) is plaintext without authentication.
type Conn struct {
	// Brokers are the bootstrap brokers, "host:port" (port 9092 if left
	// out). Any reachable one is enough; give several for resilience.
	Brokers []string `json:"brokers"`
	TLS     TLS      `json:"tls"`
	SASL    SASL     `json:"sasl"`
	// ClientID is the Kafka client.id brokers log and quotas match;
	// DefaultClientID ("chartline") when empty.
	ClientID string `json:"client_id,omitempty"`
	// Failover is the bootstrap list of a second cluster whose topics mirror
	// this one's with the same offsets (Confluent cluster linking, or any
	// offset-preserving replication). The feed switches to it when the
	// primary stops answering (app/feed), with the same TLS and SASL
	// settings. Empty: no failover.
	Failover []string `json:"failover_brokers,omitempty"`
}

// FailoverConn is the connection to the failover cluster: c with Failover
// as its bootstrap brokers (and no failover of its own).
func (c Conn) FailoverConn() Conn {
	f := c
	f.Brokers, f.Failover = append([]string(nil), c.Failover...), nil
	return f
}

// HasFailover reports whether a failover cluster is configured.
func (c Conn) HasFailover() bool {
	for _, b := range c.Failover {
		if strings.TrimSpace(b) != "" {
			return true
		}
	}
	return false
}

// SplitBrokers splits a comma-separated bootstrap list, dropping blanks.
func SplitBrokers(v string) []string {
	var out []string
	for b := range strings.SplitSeq(v, ",") {
		if b = strings.TrimSpace(b); b != "" {
			out = append(out, b)
		}
	}
	return out
}

// TLS is the TLS part of a Conn. TLS is on when Enabled is set or any file is
// named; with no CAFile the system's roots verify the brokers.
type TLS struct {
	Enabled bool `json:"enabled,omitempty"`
	// CAFile is a PEM bundle of the CAs that sign the brokers' certificates.
	CAFile string `json:"ca_file,omitempty"`
	// CertFile and KeyFile are the client's certificate and key (PEM), for
	// brokers that authenticate clients by certificate (mutual TLS).
	CertFile string `json:"cert_file,omitempty"`
	KeyFile  string `json:"key_file,omitempty"`
	// KeyPassphrase decrypts an encrypted KeyFile (PKCS #8 PBES2 or a
	// legacy encrypted PEM). It is never saved: the caller gives it, or the
	// store keeps it sealed (session.WithSecrets).
	KeyPassphrase string `json:"-"`
	// ServerName is the name to verify in the brokers' certificates; by
	// default each broker's own host name.
	ServerName string `json:"server_name,omitempty"`
	// InsecureSkipVerify turns off certificate verification. It has effect
	// only together with AllowInsecure; alone it is an error (ErrInsecureTLS).
	InsecureSkipVerify bool `json:"insecure_skip_verify,omitempty"`
	// AllowInsecure is the explicit consent to InsecureSkipVerify. It is
	// never saved, so a config file alone cannot turn verification off: the
	// caller sets it from a command-line flag or a settings dialog each run.
	AllowInsecure bool `json:"-"`
}

// On reports whether TLS is to be used.
func (t TLS) On() bool {
	return t.Enabled || t.CAFile != "" || t.CertFile != "" || t.KeyFile != ""
}

// SASL is the SASL part of a Conn. SASL is on when Mechanism is set.
type SASL struct {
	// Mechanism is PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (any case); "" for
	// no SASL. PLAIN sends the password as is: use it only over TLS.
	Mechanism string `json:"mechanism,omitempty"`
	User      string `json:"user,omitempty"`
	// Password is never saved. It comes from the caller, from
	// CHARTLINE_SASL_PASSWORD (ConnFromEnv), or from PasswordFile.
	Password string `json:"-"`
	// PasswordFile names a file whose first line is the password; read by
	// Options when Password is empty.
	PasswordFile string `json:"password_file,omitempty"`
}

// Options returns the kgo options that reach the cluster: seed brokers, client
// id, TLS dialing and SASL. Add feed or producer options after them. It reads
// the CA, certificate, key and password files, and fails with a clear error for
// a file it cannot read or parse, an unknown mechanism (ErrUnknownMechanism),
// missing credentials (ErrNoCredentials), no brokers (ErrNoBrokers) or skipped
// verification without consent (ErrInsecureTLS).
func (c Conn) Options() ([]kgo.Opt, error) {
	var brokers []string
	for _, b := range c.Brokers {
		if b = strings.TrimSpace(b); b != "" {
			brokers = append(brokers, b)
		}
	}
	if len(brokers) == 0 {
		return nil, ErrNoBrokers
	}
	id := c.ClientID
	if id == "" {
		id = DefaultClientID
	}
	opts := []kgo.Opt{kgo.SeedBrokers(brokers...), kgo.ClientID(id)}
	if c.TLS.On() {
		cfg, err := c.TLS.Config()
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.DialTLSConfig(cfg))
	}
	if c.SASL.Mechanism != "" {
		m, err := c.SASL.mechanism()
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.SASL(m))
	}
	return opts, nil
}

// Config builds the client TLS configuration (TLS 1.2 or later). Errors name
// the file that could not be used.
func (t TLS) Config() (*tls.Config, error) {
	if t.InsecureSkipVerify && !t.AllowInsecure {
		return nil, ErrInsecureTLS
	}
	cfg := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         t.ServerName,
		InsecureSkipVerify: t.InsecureSkipVerify, //nolint:gosec // only with explicit AllowInsecure, checked above
	}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read TLS CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("TLS CA file %s: no PEM certificate in it", t.CAFile)
		}
		cfg.RootCAs = pool
	}
	switch {
	case t.CertFile != "" && t.KeyFile != "":
		cert, err := loadKeyPair(t.CertFile, t.KeyFile, t.KeyPassphrase)
		if err != nil {
			return nil, fmt.Errorf("load TLS client certificate %s and key %s: %w", t.CertFile, t.KeyFile, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	case t.CertFile != "":
		return nil, fmt.Errorf("TLS client certificate %s given without its key file", t.CertFile)
	case t.KeyFile != "":
		return nil, fmt.Errorf("TLS client key %s given without its certificate file", t.KeyFile)
	}
	return cfg, nil
}

// NormalMechanism returns the canonical name of a SASL mechanism (PLAIN,
// SCRAM-SHA-256, SCRAM-SHA-512) and whether it is one Chartline speaks.
func NormalMechanism(m string) (string, bool) {
	switch u := strings.ToUpper(strings.TrimSpace(m)); u {
	case MechanismPlain, MechanismSHA256, MechanismSHA512:
		return u, true
	}
	return "", false
}

// mechanism builds the franz-go SASL mechanism, reading PasswordFile when the
// password is not given.
func (s SASL) mechanism() (sasl.Mechanism, error) {
	name, ok := NormalMechanism(s.Mechanism)
	if !ok {
		return nil, fmt.Errorf("SASL mechanism %q: %w", s.Mechanism, ErrUnknownMechanism)
	}
	pass := s.Password
	if pass == "" && s.PasswordFile != "" {
		b, err := os.ReadFile(s.PasswordFile)
		if err != nil {
			return nil, fmt.Errorf("read SASL password file: %w", err)
		}
		pass, _, _ = strings.Cut(string(b), "\n")
		pass = strings.TrimRight(pass, "\r")
	}
	switch {
	case s.User == "":
		return nil, fmt.Errorf("SASL %s: no user: %w", name, ErrNoCredentials)
	case pass == "":
		return nil, fmt.Errorf("SASL %s: no password (set %s or a password file): %w", name, EnvSASLPassword, ErrNoCredentials)
	}
	switch name {
	case MechanismPlain:
		return plain.Auth{User: s.User, Pass: pass}.AsMechanism(), nil
	case MechanismSHA256:
		return scram.Auth{User: s.User, Pass: pass}.AsSha256Mechanism(), nil
	default:
		return scram.Auth{User: s.User, Pass: pass}.AsSha512Mechanism(), nil
	}
}

// ConnFromEnv returns base with what the environment sets laid over it:
// CHARTLINE_BROKERS (comma-separated), CHARTLINE_TLS_CA, CHARTLINE_TLS_CERT,
// CHARTLINE_TLS_KEY, CHARTLINE_TLS_SERVER_NAME, CHARTLINE_SASL_MECHANISM,
// CHARTLINE_SASL_USER, CHARTLINE_SASL_PASSWORD and
// CHARTLINE_SASL_PASSWORD_FILE. An unset or empty variable leaves base's value.
// A CA or client certificate turns TLS on.
func ConnFromEnv(base Conn) Conn {
	return connFromLookup(base, os.LookupEnv)
}

// connFromLookup is ConnFromEnv over any variable source.
func connFromLookup(c Conn, lookup func(string) (string, bool)) Conn {
	get := func(k string) (string, bool) {
		v, ok := lookup(k)
		v = strings.TrimSpace(v)
		return v, ok && v != ""
	}
	if v, ok := get(EnvBrokers); ok {
		c.Brokers = nil
		for b := range strings.SplitSeq(v, ",") {
			if b = strings.TrimSpace(b); b != "" {
				c.Brokers = append(c.Brokers, b)
			}
		}
	}
	if v, ok := get(EnvFailover); ok {
		c.Failover = SplitBrokers(v)
	}
	if v, ok := get(EnvTLSCA); ok {
		c.TLS.CAFile, c.TLS.Enabled = v, true
	}
	if v, ok := get(EnvTLSCert); ok {
		c.TLS.CertFile, c.TLS.Enabled = v, true
	}
	if v, ok := get(EnvTLSKey); ok {
		c.TLS.KeyFile = v
	}
	if v, ok := get(EnvTLSServerName); ok {
		c.TLS.ServerName = v
	}
	if v, ok := get(EnvSASLMechanism); ok {
		c.SASL.Mechanism = v
	}
	if v, ok := get(EnvSASLUser); ok {
		c.SASL.User = v
	}
	// The password itself is not trimmed: spaces may belong to it.
	if v, ok := lookup(EnvSASLPassword); ok && v != "" {
		c.SASL.Password = v
	}
	if v, ok := get(EnvSASLPassFile); ok {
		c.SASL.PasswordFile = v
	}
	return c
}
