package kafka

import (
	"errors"
	"strings"
	"testing"
)

// TestEncryptedClientKey reads client keys OpenSSL 3 encrypted (testdata:
// a synthetic P-256 key; `openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf
// hmacWithSHA256` and `openssl ec -aes256`) with the right, a wrong and no
// passphrase.
func TestEncryptedClientKey(t *testing.T) {
	const pass = "key-passphrase-test"
	for _, tc := range []struct {
		name, key, pass string
		want            error
	}{
		{"plain key", "testdata/client-plain.key", "", nil},
		{"plain key, passphrase ignored", "testdata/client-plain.key", "anything", nil},
		{"PKCS#8 PBES2", "testdata/client-pbes2.key", pass, nil},
		{"PKCS#8 PBES2, wrong", "testdata/client-pbes2.key", pass + "x", ErrKeyPassphrase},
		{"PKCS#8 PBES2, none", "testdata/client-pbes2.key", "", ErrKeyPassphrase},
		{"legacy PEM", "testdata/client-legacy.key", pass, nil},
		{"legacy PEM, wrong", "testdata/client-legacy.key", "key-passphrase-tesT", ErrKeyPassphrase},
		{"legacy PEM, none", "testdata/client-legacy.key", "", ErrKeyPassphrase},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := TLS{CertFile: "testdata/client.crt", KeyFile: tc.key, KeyPassphrase: tc.pass}.Config()
			if tc.want == nil {
				if err != nil || len(cfg.Certificates) != 1 || cfg.Certificates[0].PrivateKey == nil {
					t.Fatalf("err %v", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), tc.pass) && tc.pass != "" {
				t.Fatalf("the error carries the passphrase: %v", err)
			}
		})
	}
}
