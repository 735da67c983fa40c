package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/chartline/chartline/store"
)

// storeFlags are the store flags shared by ingest and inspect.
type storeFlags struct {
	db, passFile string
}

func (s *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.db, "db", "", "store file (default: the desktop app's, under the user config dir)")
	fs.StringVar(&s.passFile, "passphrase-file", "", "file whose first line is the store passphrase (or env CHARTLINE_PASSPHRASE)")
}

// passphrase reads the store passphrase from -passphrase-file or
// CHARTLINE_PASSPHRASE. It is never taken from the command line, where any
// user of the machine could read it in the process list.
func (s *storeFlags) passphrase() ([]byte, error) {
	if s.passFile != "" {
		b, err := os.ReadFile(s.passFile)
		if err != nil {
			return nil, fmt.Errorf("read passphrase file: %w", err)
		}
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[:i]
		}
		b = bytes.TrimSuffix(b, []byte("\r"))
		if len(b) == 0 {
			return nil, errors.New("passphrase file is empty")
		}
		return b, nil
	}
	if v := os.Getenv(EnvPassphrase); v != "" {
		return []byte(v), nil
	}
	return nil, fmt.Errorf("%w: no passphrase: set %s or pass -passphrase-file", ErrUsage, EnvPassphrase)
}

func (s *storeFlags) path() (string, error) {
	if s.db != "" {
		return s.db, nil
	}
	return store.DefaultPath()
}

// open opens the store; create makes it when missing (ingest).
func (s *storeFlags) open(create bool, kdf store.KDF) (*store.Store, error) {
	path, err := s.path()
	if err != nil {
		return nil, err
	}
	pass, err := s.passphrase()
	if err != nil {
		return nil, err
	}
	defer clear(pass)
	opts := &store.Options{KDF: kdf}
	if create && !store.Exists(path) {
		return store.Create(path, pass, opts)
	}
	return store.Open(path, pass, opts)
}
