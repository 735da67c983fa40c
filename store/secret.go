package store

import (
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// KindSecret is the document kind that holds sealed secrets (a SASL
// password, a client key's passphrase). Like every document it is sealed
// with AES-256-GCM under the store's key, its kind and name are HMAC
// pseudonyms in the file, and it is readable only with the passphrase.
const KindSecret = "secret"

// CheckPassphrase reports whether passphrase is the store's: nil when it
// is, ErrWrongPassphrase when it is not. It runs the same Argon2id
// derivation as Open (the cost stored in the file, about half a second) and
// changes nothing; the idle lock uses it to unlock a store that stays open.
func (s *Store) CheckPassphrase(passphrase []byte) error {
	if s.isClosed() {
		return ErrClosed
	}
	var rec, wrapped []byte
	err := view(s.db, func(tx *bolt.Tx) error {
		m := tx.Bucket(bMeta)
		if m == nil {
			return fmt.Errorf("%w: no meta bucket", ErrCorrupt)
		}
		rec, wrapped = append([]byte(nil), m.Get(kKDF)...), append([]byte(nil), m.Get(kWrapped)...)
		return nil
	})
	if err != nil {
		return fmt.Errorf("check passphrase: %w", err)
	}
	master, err := unwrapKey(rec, wrapped, passphrase)
	if err != nil {
		return fmt.Errorf("check passphrase: %w", err)
	}
	clear(master)
	return nil
}

// SetSecret seals value under name (one transaction); an empty value
// removes the secret. Names are fixed words ("sasl-password"), never PHI.
func (s *Store) SetSecret(name string, value []byte) error {
	if name == "" {
		return errors.New("set secret: empty name")
	}
	b := &Batch{}
	if len(value) == 0 {
		b.DeleteDocs = []DocRef{{Kind: KindSecret, Key: name}}
	} else {
		b.Docs = []Doc{{Kind: KindSecret, Key: name, Value: value}}
	}
	if _, err := s.Apply(b); err != nil {
		return fmt.Errorf("set secret %s: %w", name, err)
	}
	return nil
}

// Secret returns the secret sealed under name, and whether there is one.
func (s *Store) Secret(name string) ([]byte, bool, error) {
	d, ok, err := s.Doc(KindSecret, "", name)
	if err != nil {
		return nil, false, fmt.Errorf("read secret %s: %w", name, err)
	}
	return d.Value, ok, nil
}
