// Damaged files: a garbled page or freelist is an error (ErrCorrupt, ErrTampered), never a crash or a lock left behind.

package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestDamagedFiles(t *testing.T) {
	s, path := newTestStore(t)
	var puts []Resource
	for i := 0; i < 500; i++ {
		puts = append(puts, obsPut("p", fmt.Sprint(i), float64(i), time.Now()))
	}
	mustApply(t, s, &Batch{Puts: puts})
	used := s.Size()
	s.Close()
	img, _ := os.ReadFile(path)
	t.Logf("file %d bytes, %d in use", len(img), used)

	cases := map[string][]byte{
		"empty":     {},
		"truncated": img[:used/2],
		"garbage":   bytes.Repeat([]byte("not a store "), 2000),
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "damaged.db")
			os.WriteFile(p, content, 0o600)
			_, err := Open(p, testPass, testOpts())
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
			after, _ := os.ReadFile(p)
			if !bytes.Equal(after, content) {
				t.Fatal("opening a damaged file changed it")
			}
		})
	}
	t.Run("newer format", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "newer.db")
		os.WriteFile(p, img, 0o600)
		db, err := bolt.Open(p, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put(kFormat, []byte{0, 0, 0, FormatVersion + 1}) })
		db.Close()
		before, _ := os.ReadFile(p)
		if _, err := Open(p, testPass, testOpts()); !errors.Is(err, ErrNewerFormat) {
			t.Fatalf("err = %v, want ErrNewerFormat", err)
		}
		if after, _ := os.ReadFile(p); !bytes.Equal(before, after) {
			t.Fatal("refusing a newer format changed the file")
		}
	})
}

// TestDamagedPageIsAnErrorNotACrash garbles each page in use of a real store
// file, one at a time, and reads everything and writes a batch: bbolt
// asserts its page structure with panics, and the store must turn every one
// into ErrCorrupt (or ErrTampered, when only a sealed value is hit) instead
// of crashing, and commit nothing of a batch that met the damage.
func TestDamagedPageIsAnErrorNotACrash(t *testing.T) {
	s, path := newTestStore(t)
	at := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	for p := range 4 {
		var puts []Resource
		for i := range 150 {
			puts = append(puts, obsPut(fmt.Sprint("p", p), fmt.Sprint(i), float64(i), at))
		}
		mustApply(t, s, &Batch{Puts: puts, Offsets: map[TopicPartition]int64{{Topic: fmt.Sprint("fhir.patient.p", p)}: 150}})
	}
	s.Close()
	img, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The pages in use, as bbolt sees them (on a copy: a read-write open).
	cp := filepath.Join(t.TempDir(), "copy.db")
	os.WriteFile(cp, img, 0o600)
	db, err := bolt.Open(cp, 0o600, &bolt.Options{FreelistType: bolt.FreelistMapType})
	if err != nil {
		t.Fatal(err)
	}
	var pages []int
	db.View(func(tx *bolt.Tx) error {
		for id := 2; ; id++ {
			pi, err := tx.Page(id)
			if pi == nil || err != nil {
				return err
			}
			if pi.Type == "branch" || pi.Type == "leaf" {
				pages = append(pages, id)
			}
		}
	})
	db.Close()
	if step := len(pages) / 24; step > 1 { // two dozen pages, spread over the file
		var some []int
		for i := 0; i < len(pages); i += step {
			some = append(some, pages[i])
		}
		pages = some
	}
	ps := os.Getpagesize()
	corrupt := 0
	for _, pg := range pages {
		damaged := append([]byte{}, img...)
		for i := pg * ps; i < (pg+1)*ps; i++ {
			damaged[i] = byte(i*7 + 13)
		}
		p := filepath.Join(t.TempDir(), "damaged.db")
		os.WriteFile(p, damaged, 0o600)
		s, err := Open(p, testPass, testOpts())
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("page %d: open: %v", pg, err)
			}
			corrupt++
			continue
		}
		var errs []error
		errs = append(errs, s.View(func(r *Reader) error {
			cols, err := r.Collections()
			for _, e := range cols {
				if _, err := r.Resources(e.Collection); err != nil {
					return err
				}
			}
			_, oerr := r.Offsets()
			return errors.Join(err, oerr)
		}))
		_, aerr := s.Apply(&Batch{Puts: []Resource{obsPut("p1", "new", 1, at), obsPut("p2", "0", 2, at)}})
		errs = append(errs, aerr)
		seq := s.Seq()
		s.Close()
		for _, err := range errs {
			if err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTampered) {
				t.Errorf("page %d: %v, want ErrCorrupt or ErrTampered", pg, err)
			}
			if errors.Is(err, ErrCorrupt) {
				corrupt++
			}
		}
		if aerr != nil && seq != 4 {
			t.Errorf("page %d: a failed batch moved the commit sequence to %d", pg, seq)
		}
	}
	if corrupt == 0 {
		t.Fatalf("no damaged page of %d was reported corrupt", len(pages))
	}
	t.Logf("%d pages in use garbled one at a time: %d ErrCorrupt reports, no crash", len(pages), corrupt)
}

// TestDamagedFreelistRefusedAndFileReleased: bbolt panics opening a file
// whose freelist page is damaged after it has locked the file; the store
// must refuse such a file before bbolt opens it, so the refusal leaves no
// lock behind (a second attempt in the same process, as the unlock screen
// makes, must say damaged again, not "in use by another process").
func TestDamagedFreelistRefusedAndFileReleased(t *testing.T) {
	s, path := newTestStore(t)
	var puts []Resource
	for i := range 300 {
		puts = append(puts, obsPut("p", fmt.Sprint(i), float64(i), time.Now()))
	}
	mustApply(t, s, &Batch{Puts: puts})
	s.Close()
	img, _ := os.ReadFile(path)
	// The freelist page named by the newer meta page (bbolt meta layout: a
	// 16-byte page header, then magic, version, page size, flags, root
	// bucket (16), freelist, high-water mark, txid, checksum).
	le := binary.LittleEndian
	ps := int(le.Uint32(img[24:]))
	meta := img[:ps]
	if le.Uint64(img[ps+64:]) > le.Uint64(img[64:]) {
		meta = img[ps : 2*ps]
	}
	free := int(le.Uint64(meta[48:]))
	for i := free * ps; i < (free+1)*ps; i++ {
		img[i] = byte(i*7 + 13)
	}
	os.WriteFile(path, img, 0o600)
	for attempt := range 2 {
		_, err := Open(path, testPass, testOpts())
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("attempt %d: err = %v, want ErrCorrupt", attempt+1, err)
		}
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, img) {
		t.Fatal("opening a file with a damaged freelist changed it")
	}
}
