// Package schemareg reads the Confluent Schema Registry wire format that
// JSON Schema serializers put on Kafka values (README, "Topics"): a
// magic byte 0, a 4-byte big-endian schema id, then the JSON. The feed strips
// the framing before the record rules (app/record) see the value, so a framed
// FHIR resource is kept exactly as an unframed one.
//
// With a registry configured (Settings.URL), a framed value is accepted only
// when its schema id exists in the registry and is a JSON Schema; each id is
// looked up once per process (franz-go's pkg/sr client) and the verdict is
// cached, so a topic of a million records costs one request per schema id.
// A definite "no" (the registry answers 404 for the id, or the schema is Avro
// or Protobuf) quarantines the record with the reason. A registry that does
// not answer, refuses our credentials or fails (5xx) is not a verdict about
// the record: the feed waits and retries rather than quarantining good data,
// and says so in its status.
//
// Without a registry the framing is accepted as is: the id is not checked.
//
// Values that do not start with byte 0 are not framed and pass through
// untouched: JSON never starts with a NUL byte, so the two cannot be confused.
package schemareg

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/chartline/chartline/app/kafka"
)

// Magic is the first byte of a framed value (Confluent wire format).
const Magic = 0

// HeaderLen is the framing's length: the magic byte and the schema id.
const HeaderLen = 5

// Quarantine reasons for framed values (shown in the quarantine view; they
// carry no data from the record, so they are safe to log).
const (
	// ReasonFraming: the value starts with the magic byte but is too short
	// to hold a schema id.
	ReasonFraming = "bad Schema Registry framing"
	// ReasonSchema: the registry says the schema id does not exist or is
	// not a JSON Schema.
	ReasonSchema = "schema not accepted"
)

// Environment variables SettingsFromEnv reads.
const (
	EnvURL      = "CHARTLINE_SCHEMA_REGISTRY"               // registry base URL, http:// or https://
	EnvUser     = "CHARTLINE_SCHEMA_REGISTRY_USER"          // basic-auth user (Confluent Cloud: the API key)
	EnvPassword = "CHARTLINE_SCHEMA_REGISTRY_PASSWORD"      // basic-auth password (never saved)
	EnvPassFile = "CHARTLINE_SCHEMA_REGISTRY_PASSWORD_FILE" // file whose first line is the password
	EnvCA       = "CHARTLINE_SCHEMA_REGISTRY_CA"            // PEM CA bundle for an https registry
)

// ErrTruncated means a value starts with the magic byte but is shorter than
// the 5-byte header.
var ErrTruncated = errors.New("value starts with the Schema Registry magic byte but is shorter than its 5-byte header")

// Unframe splits a value in the wire format. A value that does not start
// with Magic is returned as is with framed false. A framed value gives its
// schema id and the bytes after the header (which still go through the
// record rules). A value that starts with Magic but is shorter than
// HeaderLen is ErrTruncated.
func Unframe(v []byte) (id uint32, payload []byte, framed bool, err error) {
	if len(v) == 0 || v[0] != Magic {
		return 0, v, false, nil
	}
	if len(v) < HeaderLen {
		return 0, nil, true, ErrTruncated
	}
	return binary.BigEndian.Uint32(v[1:HeaderLen]), v[HeaderLen:], true, nil
}

// Frame returns payload in the wire format with schema id id (tests and
// producers that frame their own values).
func Frame(id uint32, payload []byte) []byte {
	out := make([]byte, HeaderLen, HeaderLen+len(payload))
	out[0] = Magic
	binary.BigEndian.PutUint32(out[1:], id)
	return append(out, payload...)
}

// Settings is how to reach a Schema Registry; saved in the settings file
// without the password. The zero value (no URL) means no registry: framed
// values are accepted without checking their schema id.
type Settings struct {
	// URL is the registry's base URL, for example https://sr.example:8081.
	URL string `json:"url,omitempty"`
	// User and the password are HTTP basic-auth credentials (Confluent
	// Cloud: API key and secret). No user: no authentication.
	User string `json:"user,omitempty"`
	// Password is never saved: it comes from the caller, from
	// CHARTLINE_SCHEMA_REGISTRY_PASSWORD, or from PasswordFile.
	Password     string `json:"-"`
	PasswordFile string `json:"password_file,omitempty"`
	// TLS verifies an https registry: a CA file (default: the system's
	// roots), a client certificate for mutual TLS, a server name. The
	// same rules as the brokers' TLS: verification is never skipped
	// without an explicit allow-insecure.
	TLS kafka.TLS `json:"tls,omitzero"`
	// Timeout bounds one request. Default 5 s.
	Timeout time.Duration `json:"-"`
}

// On reports whether a registry is configured.
func (s Settings) On() bool { return strings.TrimSpace(s.URL) != "" }

// SettingsFromEnv returns base with what the environment sets laid over it
// (EnvURL, EnvUser, EnvPassword, EnvPassFile, EnvCA). An unset or empty
// variable leaves base's value.
func SettingsFromEnv(base Settings) Settings {
	s := base
	get := func(k string) (string, bool) {
		v := strings.TrimSpace(os.Getenv(k))
		return v, v != ""
	}
	if v, ok := get(EnvURL); ok {
		s.URL = v
	}
	if v, ok := get(EnvUser); ok {
		s.User = v
	}
	if v := os.Getenv(EnvPassword); v != "" {
		s.Password = v
	}
	if v, ok := get(EnvPassFile); ok {
		s.PasswordFile = v
	}
	if v, ok := get(EnvCA); ok {
		s.TLS.CAFile = v
	}
	return s
}

// Registry checks schema ids against a Schema Registry, once per id. It is
// safe for concurrent use.
type Registry struct {
	cl  *sr.Client
	url string

	mu       sync.Mutex
	verdicts map[uint32]string // id -> "" accepted, else why refused
	lookups  int
}

// New builds a Registry client (it does not dial). It fails for a URL that
// is not http(s), TLS files it cannot read, or a user without a password.
func New(s Settings) (*Registry, error) {
	u := strings.TrimRight(strings.TrimSpace(s.URL), "/")
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		return nil, fmt.Errorf("schema registry URL %q: want http:// or https://", s.URL)
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	opts := []sr.ClientOpt{sr.URLs(u), sr.UserAgent("chartline"), sr.HTTPClient(&http.Client{Timeout: timeout})}
	if strings.HasPrefix(u, "https://") || s.TLS.On() {
		cfg, err := s.TLS.Config()
		if err != nil {
			return nil, fmt.Errorf("schema registry TLS: %w", err)
		}
		opts = append(opts, sr.DialTLSConfig(cfg))
	}
	if s.User != "" {
		pass := s.Password
		if pass == "" && s.PasswordFile != "" {
			b, err := os.ReadFile(s.PasswordFile)
			if err != nil {
				return nil, fmt.Errorf("read schema registry password file: %w", err)
			}
			pass, _, _ = strings.Cut(string(b), "\n")
			pass = strings.TrimRight(pass, "\r")
		}
		if pass == "" {
			return nil, fmt.Errorf("schema registry user %q has no password (set %s or a password file)", s.User, EnvPassword)
		}
		opts = append(opts, sr.BasicAuth(s.User, pass))
	}
	cl, err := sr.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("schema registry: %w", err)
	}
	return &Registry{cl: cl, url: u, verdicts: map[uint32]string{}}, nil
}

// Check says whether schema id may frame a value: refusal is "" when the
// registry holds the id as a JSON Schema, else why not (the record is
// quarantined with it). err is set when the registry gave no verdict (not
// reachable, credentials refused, server error): the caller retries later.
// Verdicts are cached; errors are not.
func (r *Registry) Check(ctx context.Context, id uint32) (refusal string, err error) {
	r.mu.Lock()
	v, ok := r.verdicts[id]
	r.mu.Unlock()
	if ok {
		return v, nil
	}
	s, err := r.cl.SchemaByID(ctx, int(id))
	var re *sr.ResponseError
	switch {
	case err == nil && s.Type == sr.TypeJSON:
		v = ""
	case err == nil:
		v = fmt.Sprintf("schema id %d is a %s schema, not a JSON Schema", id, s.Type)
	case errors.As(err, &re) && re.StatusCode == http.StatusNotFound:
		v = fmt.Sprintf("schema id %d is not in the registry", id)
	case errors.As(err, &re):
		return "", fmt.Errorf("schema registry: schema id %d: HTTP %d: %s", id, re.StatusCode, re.Message)
	default:
		return "", fmt.Errorf("schema registry: %w", err)
	}
	r.mu.Lock()
	r.verdicts[id] = v
	r.lookups++
	r.mu.Unlock()
	return v, nil
}

// Lookups is how many schema ids were looked up (each once); tests use it.
func (r *Registry) Lookups() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lookups
}

// URL is the registry's base URL (for status lines; it carries no secret).
func (r *Registry) URL() string { return r.url }
