package store

import (
	"bytes"
	"errors"
	"os"
	"testing"
)

func TestCheckPassphrase(t *testing.T) {
	s, _ := newTestStore(t)
	for _, tc := range []struct {
		pass string
		want error
	}{
		{"correct horse battery staple", nil},
		{"correct horse battery stapl", ErrWrongPassphrase},
		{"", ErrWrongPassphrase},
		{"Correct horse battery staple", ErrWrongPassphrase},
	} {
		if err := s.CheckPassphrase([]byte(tc.pass)); !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Errorf("CheckPassphrase(%q) = %v, want %v", tc.pass, err, tc.want)
		}
	}
	s.Close()
	if err := s.CheckPassphrase([]byte("correct horse battery staple")); !errors.Is(err, ErrClosed) {
		t.Errorf("closed store: %v, want ErrClosed", err)
	}
}

// TestSecretSealed keeps a secret across a reopen, finds none of its bytes in
// the file, and removes it.
func TestSecretSealed(t *testing.T) {
	s, path := newTestStore(t)
	secret := []byte("sasl-Pa55word-7f3c9e")
	if _, ok, err := s.Secret("sasl-password"); err != nil || ok {
		t.Fatalf("fresh store: secret %v, %v", ok, err)
	}
	if err := s.SetSecret("sasl-password", secret); err != nil {
		t.Fatal(err)
	}
	s.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, needle := range [][]byte{secret, []byte("sasl-password"), []byte(KindSecret)} {
		if bytes.Contains(raw, needle) {
			t.Errorf("store file holds %q in plaintext", needle)
		}
	}
	s, err = Open(path, []byte("correct horse battery staple"), testOpts())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, ok, err := s.Secret("sasl-password")
	if err != nil || !ok || !bytes.Equal(got, secret) {
		t.Fatalf("after reopen: %q %v %v", got, ok, err)
	}
	if err := s.SetSecret("sasl-password", nil); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.Secret("sasl-password"); err != nil || ok {
		t.Fatalf("removed secret still there: %v %v", ok, err)
	}
	if err := s.SetSecret("", secret); err == nil {
		t.Error("empty name accepted")
	}
}
