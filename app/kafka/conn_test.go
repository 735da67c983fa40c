package kafka

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chartline/chartline/app/testenv/testcerts"
)

func TestOptions(t *testing.T) {
	dir := t.TempDir()
	certs, err := testcerts.Write(dir)
	if err != nil {
		t.Fatal(err)
	}
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	passFile := filepath.Join(dir, "pass")
	if err := os.WriteFile(passFile, []byte("s3cret\nignored\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	brokers := []string{"127.0.0.1:9092"}
	tests := []struct {
		name    string
		conn    Conn
		wantErr error  // errors.Is target, or nil
		errText string // substring of the error, or "" for success
		nopts   int
	}{
		{"plain", Conn{Brokers: brokers}, nil, "", 2},
		{"several brokers, blanks dropped", Conn{Brokers: []string{" a:1 ", "", "b:2"}}, nil, "", 2},
		{"no brokers", Conn{}, ErrNoBrokers, "no Kafka brokers", 0},
		{"only blanks", Conn{Brokers: []string{" "}}, ErrNoBrokers, "no Kafka brokers", 0},
		{"tls system roots", Conn{Brokers: brokers, TLS: TLS{Enabled: true}}, nil, "", 3},
		{"mutual tls", Conn{Brokers: brokers, TLS: clientTLS(certs)}, nil, "", 3},
		{"missing CA", Conn{Brokers: brokers, TLS: TLS{CAFile: filepath.Join(dir, "nope.pem")}}, os.ErrNotExist, "read TLS CA file", 0},
		{"CA not PEM", Conn{Brokers: brokers, TLS: TLS{CAFile: notPEM}}, nil, "no PEM certificate", 0},
		{"cert without key", Conn{Brokers: brokers, TLS: TLS{CertFile: certs.ClientCertFile}}, nil, "without its key", 0},
		{"key without cert", Conn{Brokers: brokers, TLS: TLS{KeyFile: certs.ClientKeyFile}}, nil, "without its certificate", 0},
		{"bad key", Conn{Brokers: brokers, TLS: TLS{CertFile: certs.ClientCertFile, KeyFile: notPEM}}, nil, "load TLS client certificate", 0},
		{"insecure refused", Conn{Brokers: brokers, TLS: TLS{Enabled: true, InsecureSkipVerify: true}}, ErrInsecureTLS, "explicit", 0},
		{"insecure allowed", Conn{Brokers: brokers, TLS: TLS{Enabled: true, InsecureSkipVerify: true, AllowInsecure: true}}, nil, "", 3},
		{"sasl plain", Conn{Brokers: brokers, SASL: SASL{Mechanism: "plain", User: "u", Password: "p"}}, nil, "", 3},
		{"sasl scram-256", Conn{Brokers: brokers, SASL: SASL{Mechanism: "SCRAM-SHA-256", User: "u", Password: "p"}}, nil, "", 3},
		{"sasl scram-512 password file", Conn{Brokers: brokers, SASL: SASL{Mechanism: "scram-sha-512", User: "u", PasswordFile: passFile}}, nil, "", 3},
		{"unknown mechanism", Conn{Brokers: brokers, SASL: SASL{Mechanism: "GSSAPI", User: "u", Password: "p"}}, ErrUnknownMechanism, "GSSAPI", 0},
		{"no user", Conn{Brokers: brokers, SASL: SASL{Mechanism: "PLAIN", Password: "p"}}, ErrNoCredentials, "no user", 0},
		{"no password", Conn{Brokers: brokers, SASL: SASL{Mechanism: "PLAIN", User: "u"}}, ErrNoCredentials, "CHARTLINE_SASL_PASSWORD", 0},
		{"missing password file", Conn{Brokers: brokers, SASL: SASL{Mechanism: "PLAIN", User: "u", PasswordFile: filepath.Join(dir, "nope")}}, os.ErrNotExist, "read SASL password file", 0},
	}
	for _, tt := range tests {
		opts, err := tt.conn.Options()
		if tt.errText == "" {
			if err != nil {
				t.Errorf("%s: Options() = %v, want success", tt.name, err)
			} else if len(opts) != tt.nopts {
				t.Errorf("%s: %d options, want %d", tt.name, len(opts), tt.nopts)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: Options() succeeded, want an error with %q", tt.name, tt.errText)
			continue
		}
		if !strings.Contains(err.Error(), tt.errText) {
			t.Errorf("%s: error %q does not say %q", tt.name, err, tt.errText)
		}
		if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: error %q is not %v", tt.name, err, tt.wantErr)
		}
	}
}

func TestConnJSONKeepsSecretsOut(t *testing.T) {
	c := Conn{
		Brokers: []string{"a:9092", "b:9092"},
		TLS:     TLS{CAFile: "/ca.pem", InsecureSkipVerify: true, AllowInsecure: true},
		SASL:    SASL{Mechanism: "SCRAM-SHA-512", User: "clin", Password: "hunter2"},
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "hunter2") || strings.Contains(strings.ToLower(string(b)), "allow") {
		t.Fatalf("saved connection holds a secret or the insecure consent: %s", b)
	}
	var back Conn
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.SASL.User != "clin" || back.TLS.CAFile != "/ca.pem" || len(back.Brokers) != 2 || back.SASL.Password != "" || back.TLS.AllowInsecure {
		t.Fatalf("round trip = %+v", back)
	}
	// A saved insecure setting alone does not turn verification off.
	if _, err := back.Options(); !errors.Is(err, ErrInsecureTLS) {
		t.Fatalf("Options() after reload = %v, want ErrInsecureTLS", err)
	}
}

func TestConnFromLookup(t *testing.T) {
	base := Conn{Brokers: []string{"saved:9092"}, SASL: SASL{Mechanism: "PLAIN", User: "saved"}}
	tests := []struct {
		name  string
		env   map[string]string
		check func(Conn) bool
	}{
		{"nothing set keeps base", nil, func(c Conn) bool {
			return len(c.Brokers) == 1 && c.Brokers[0] == "saved:9092" && c.SASL.User == "saved" && !c.TLS.On()
		}},
		{"empty values keep base", map[string]string{EnvBrokers: " ", EnvSASLUser: ""}, func(c Conn) bool {
			return c.Brokers[0] == "saved:9092" && c.SASL.User == "saved"
		}},
		{"brokers split and trimmed", map[string]string{EnvBrokers: "a:1, b:2,,c:3 "}, func(c Conn) bool {
			return strings.Join(c.Brokers, "|") == "a:1|b:2|c:3"
		}},
		{"CA turns TLS on", map[string]string{EnvTLSCA: "/ca.pem"}, func(c Conn) bool {
			return c.TLS.On() && c.TLS.CAFile == "/ca.pem"
		}},
		{"client cert", map[string]string{EnvTLSCert: "/c.pem", EnvTLSKey: "/k.pem", EnvTLSServerName: "kafka.local"}, func(c Conn) bool {
			return c.TLS.On() && c.TLS.CertFile == "/c.pem" && c.TLS.KeyFile == "/k.pem" && c.TLS.ServerName == "kafka.local"
		}},
		{"sasl", map[string]string{EnvSASLMechanism: "SCRAM-SHA-256", EnvSASLUser: "u", EnvSASLPassword: " p w ", EnvSASLPassFile: "/pw"}, func(c Conn) bool {
			return c.SASL.Mechanism == "SCRAM-SHA-256" && c.SASL.User == "u" && c.SASL.Password == " p w " && c.SASL.PasswordFile == "/pw"
		}},
	}
	for _, tt := range tests {
		got := connFromLookup(base, func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok })
		if !tt.check(got) {
			t.Errorf("%s: got %+v", tt.name, got)
		}
	}
	if base.Brokers[0] != "saved:9092" {
		t.Fatal("connFromLookup changed its base")
	}
}

func TestConnFromEnv(t *testing.T) {
	t.Setenv(EnvBrokers, "x:1,y:2")
	t.Setenv(EnvSASLPassword, "pw")
	c := ConnFromEnv(Conn{})
	if strings.Join(c.Brokers, ",") != "x:1,y:2" || c.SASL.Password != "pw" {
		t.Fatalf("ConnFromEnv = %+v", c)
	}
}

// clientTLS trusts c's CA and presents its client certificate.
func clientTLS(c testcerts.Certs) TLS {
	return TLS{Enabled: true, CAFile: c.CAFile, CertFile: c.ClientCertFile, KeyFile: c.ClientKeyFile}
}
