package ips

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/chartline/chartline/store"
)

// Save exports a patient's summary from one store snapshot and writes it to
// w, then calls audit with the document's identifier. Nothing is written
// when the export fails.
func Save(s *store.Store, o Options, w io.Writer, audit func(document string) error) (Report, error) {
	var doc []byte
	var rep Report
	err := s.View(func(r *store.Reader) error {
		var err error
		doc, rep, err = Export(r, o)
		return err
	})
	if err != nil {
		return rep, err
	}
	if _, err := w.Write(append(doc, '\n')); err != nil {
		return rep, fmt.Errorf("write IPS document: %w", err)
	}
	if err := audit(rep.Document); err != nil {
		return rep, err
	}
	return rep, nil
}

// SaveFile is Save to a file, written whole or not at all: a temporary
// file in the same folder (mode 0600: it holds patient data) renamed over
// path once written, and removed again when the audit cannot be written, so
// no document leaves the workstation unaudited.
func SaveFile(s *store.Store, o Options, path string, audit func(document string) error) (Report, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".chartline-ips-*")
	if err != nil {
		return Report{}, fmt.Errorf("write IPS document: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename, a no-op
	var doc []byte
	var rep Report
	err = s.View(func(r *store.Reader) error {
		var err error
		doc, rep, err = Export(r, o)
		return err
	})
	if err == nil {
		_, err = tmp.Write(append(doc, '\n'))
	}
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("write IPS document: %w", cerr)
	}
	if err != nil {
		return rep, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return rep, fmt.Errorf("write IPS document: %w", err)
	}
	if err := audit(rep.Document); err != nil {
		os.Remove(path)
		return rep, fmt.Errorf("IPS document not kept: %w", err)
	}
	return rep, nil
}
