package views

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/chartline/chartline/app/config"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/session"
	"github.com/chartline/chartline/store"
)

// TestUnlockAsksSecretsOnce: with SASL on and no password anywhere, the
// unlock asks for it after the store opens; remembered, it is sealed in the
// store and the next unlock does not ask.
func TestUnlockAsksSecretsOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chartline.db")
	cfg := config.Default()
	cfg.Conn = kafka.Conn{Brokers: []string{"127.0.0.1:1"}, TLS: kafka.TLS{Enabled: true},
		SASL: kafka.SASL{Mechanism: kafka.MechanismSHA512, User: "ward7"}}
	const secret = "Typed-At-Unlock-9d1e"
	run := func(pass string, create bool) *UI {
		test.NewTempApp(t)
		w := test.NewTempWindow(t, nil)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		t.Cleanup(cancel)
		u := Run(ctx, Options{Window: w, Config: cfg, StorePath: path, StoreOptions: &store.Options{KDF: store.TestKDF},
			LockTick: -1, SystemIdle: func() (time.Duration, bool) { return 0, false }})
		u.unlock.pass.SetText(pass)
		if create {
			u.unlock.confirm.SetText(pass)
		}
		test.Tap(u.unlock.button)
		return u
	}
	started := func(u *UI) bool {
		u.mu.Lock()
		defer u.mu.Unlock()
		return u.session != nil
	}

	u := run("correct horse battery staple", true)
	waitFor(t, "the secrets step", func() bool {
		asked := false
		u.do(func() { asked = u.unlock.connect != nil })
		return asked
	})
	if started(u) {
		t.Fatal("the session started without the SASL password")
	}
	u.do(func() {
		u.unlock.saslPass.SetText(secret)
		u.unlock.remember.SetChecked(true)
		test.Tap(u.unlock.connect)
	})
	waitFor(t, "the session", func() bool { return started(u) })
	if got := u.session.Config().Conn.SASL.Password; got != secret {
		t.Fatalf("the session runs without the typed password (%d chars)", len(got))
	}
	if v, ok, err := u.store.Secret(session.SecretSASLPassword); err != nil || !ok || string(v) != secret {
		t.Fatalf("the password was not sealed in the store: %v %v", ok, err)
	}
	u.Close()

	u = run("correct horse battery staple", false)
	waitFor(t, "the session", func() bool { return started(u) })
	if u.unlock.connect != nil || u.session.Config().Conn.SASL.Password != secret {
		t.Fatal("the second unlock asked again or lost the sealed password")
	}
	u.Close()
}

func TestMissingSecrets(t *testing.T) {
	key := kafka.TLS{CertFile: "../app/kafka/testdata/client.crt", KeyFile: "../app/kafka/testdata/client-pbes2.key"}
	plain := kafka.TLS{CertFile: "../app/kafka/testdata/client.crt", KeyFile: "../app/kafka/testdata/client-plain.key"}
	for _, tc := range []struct {
		name      string
		conn      kafka.Conn
		sasl, key bool
	}{
		{"none", kafka.Conn{}, false, false},
		{"sasl without password", kafka.Conn{SASL: kafka.SASL{Mechanism: "PLAIN", User: "u"}}, true, false},
		{"sasl with password", kafka.Conn{SASL: kafka.SASL{Mechanism: "PLAIN", User: "u", Password: "p"}}, false, false},
		{"sasl with password file", kafka.Conn{SASL: kafka.SASL{Mechanism: "PLAIN", User: "u", PasswordFile: "/f"}}, false, false},
		{"encrypted key", kafka.Conn{TLS: key}, false, true},
		{"encrypted key with passphrase", kafka.Conn{TLS: func() kafka.TLS { k := key; k.KeyPassphrase = "x"; return k }()}, false, false},
		{"plain key", kafka.Conn{TLS: plain}, false, false},
	} {
		c := config.Default()
		c.Conn = tc.conn
		if sasl, key := missingSecrets(c); sasl != tc.sasl || key != tc.key {
			t.Errorf("%s: missing sasl %v key %v, want %v %v", tc.name, sasl, key, tc.sasl, tc.key)
		}
	}
}
