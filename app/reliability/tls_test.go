package reliability

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/testenv"
	"github.com/chartline/chartline/app/testenv/testcerts"
)

// TestInsecureTLSNeedsExplicitConsent runs `chartline ingest` against a TLS
// broker whose certificate the client cannot verify (no CA given). A
// settings file that turns verification off is refused (a settings file
// alone is no consent: it may have been edited by anyone who can write it)
// and nothing is created; the -tls-insecure-skip-verify flag, given on each
// run, is the consent, and ingest then works.
func TestInsecureTLSNeedsExplicitConsent(t *testing.T) {
	t.Parallel()
	certs, err := testcerts.Write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	serverTLS, err := certs.ServerTLS(false)
	if err != nil {
		t.Fatal(err)
	}
	e := testenv.New(t, kafka.BrokerOptions{TLS: serverTLS, CompactEvery: -1})
	conn := e.Broker.Conn()
	conn.TLS = testenv.ClientTLS(certs)
	prod := testenv.Client(t, conn, kgo.AllowAutoTopicCreation())
	w := newWorkload(20261129, 50, 2)
	produce(t, prod, w.wave(50))

	dir := t.TempDir()
	insecure := filepath.Join(dir, "insecure.json")
	os.WriteFile(insecure, []byte(`{"connection":{"brokers":["`+e.Broker.Addr()+`"],"tls":{"enabled":true,"insecure_skip_verify":true}}}`), 0o600)
	plain := filepath.Join(dir, "plain.json") // absent: defaults

	cases := []struct {
		name string
		args []string
		code int
		says string
	}{
		{"settings file alone", []string{"-settings", insecure}, 1, kafka.ErrInsecureTLS.Error()},
		{"settings file and the flag", []string{"-settings", insecure, "-tls-insecure-skip-verify"}, 0, "ingested 50 records"},
		{"the flag alone", []string{"-settings", plain, "-brokers", e.Broker.Addr(), "-tls-insecure-skip-verify"}, 0, "ingested 50 records"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "chartline.db")
			createIfAccepted := c.code == 0
			if createIfAccepted {
				createStore(t, db)
			}
			code, errs := runCLI(t, append(append([]string{"ingest"}, c.args...), "-db", db, "-until-caught-up")...)
			if code != c.code || !strings.Contains(errs, c.says) {
				t.Fatalf("exit %d, want %d saying %q:\n%s", code, c.code, c.says, errs)
			}
			if c.code != 0 {
				if strings.Count(strings.TrimSpace(errs), "\n") != 0 {
					t.Errorf("refusal is not one line: %q", errs)
				}
				if _, err := os.Stat(db); err == nil {
					t.Error("a refused ingest created a store file")
				}
			}
			t.Logf("exit %d: %s", code, tail(errs, 1))
		})
	}
}
