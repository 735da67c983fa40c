package views

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	bolt "go.etcd.io/bbolt"

	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// fixedDir is a directory at a fixed path, so the store path the unlock
// screen shows is the same in every run (its golden markup holds it).
func fixedDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(os.TempDir(), "chartline-views-test", t.Name())
	os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// unlockTest shows the unlock screen for path in a test window; opened
// receives the store it opens.
func unlockTest(t *testing.T, path string, onOpen func(*store.Store) error) (*unlockView, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	test.ApplyTheme(t, ui.NewTheme(ui.ModeLight))
	w := test.NewTempWindow(t, nil)
	w.Resize(windowSize)
	v := newUnlock(unlockOptions{
		path: path, storeOptions: &store.Options{KDF: store.TestKDF, LockTimeout: 50 * time.Millisecond},
		async: func(fn func()) { fn() }, onOpen: onOpen,
	})
	w.SetContent(v.content)
	w.Canvas().Focus(v.focus())
	return v, w
}

func TestUnlockCreate(t *testing.T) {
	path := filepath.Join(fixedDir(t), "profile", "chartline.db")
	var opened *store.Store
	v, w := unlockTest(t, path, func(s *store.Store) error { opened = s; return nil })
	t.Cleanup(func() {
		if opened != nil {
			opened.Close()
		}
	})
	if !v.create || !strings.Contains(v.path.Text, path) || !strings.Contains(v.heading.Text, "Create") {
		t.Fatalf("no store at the path: want the create form showing the path, got heading %q path %q", v.heading.Text, v.path.Text)
	}
	for _, tc := range []struct {
		pass, confirm string
		enabled       bool
		hint          string
	}{
		{"", "", false, "at least 10"},
		{"short", "short", false, "Too short"},
		{"123456789", "123456789", false, "Too short"}, // 9: one under the minimum
		{"1234567890", "1234567890", true, "Weak"},     // 10 digits: long enough, weak
		{"aaaaaaaaaaaa", "aaaaaaaaaaaa", true, "Weak"}, // repeats count for less
		{"correct horse battery", "correct horse", false, "differ"},
		{"correct horse battery staple", "correct horse battery stapl", false, "differ"}, // strong, yet a mismatch
		{"correct horse battery staple", "correct horse battery staple", true, "Strong"},
	} {
		v.pass.SetText(tc.pass)
		v.confirm.SetText(tc.confirm)
		if v.button.Disabled() == tc.enabled {
			t.Errorf("%q/%q: button enabled %v, want %v", tc.pass, tc.confirm, !v.button.Disabled(), tc.enabled)
		}
		if !strings.Contains(v.strength.Text, tc.hint) {
			t.Errorf("%q/%q: hint %q, want it to say %q", tc.pass, tc.confirm, v.strength.Text, tc.hint)
		}
		if mismatch := tc.hint == "differ"; mismatch != (v.strength.Importance == widget.DangerImportance) && tc.hint != "Too short" {
			t.Errorf("%q/%q: hint importance %v; a mismatch is shown in the error colour, only a mismatch", tc.pass, tc.confirm, v.strength.Importance)
		}
	}
	v.pass.SetText("correct horse battery staple")
	v.confirm.SetText("correct horse battery staple")
	test.AssertRendersToMarkup(t, "unlock_create.xml", w.Canvas())
	shot(t, w, "unlock-create")
	test.Tap(v.button)
	if opened == nil {
		t.Fatalf("Create did not open a store (message %q)", v.message.Text)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("store file: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}
}

// TestUnlockOpen: the wrong passphrase says so, keeps what was typed and
// changes nothing; the right one opens the store.
func TestUnlockOpen(t *testing.T) {
	path := filepath.Join(fixedDir(t), "chartline.db")
	s, err := store.Create(path, []byte("the right passphrase"), &store.Options{KDF: store.TestKDF})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	before, _ := os.ReadFile(path)
	var opened *store.Store
	v, w := unlockTest(t, path, func(s *store.Store) error { opened = s; return nil })
	t.Cleanup(func() {
		if opened != nil {
			opened.Close()
		}
	})
	if v.create || v.heading.Text != "Unlock Chartline" || !v.button.Disabled() {
		t.Fatalf("existing store: heading %q, create %v, button enabled %v", v.heading.Text, v.create, !v.button.Disabled())
	}
	test.Type(v.pass, "the wrong passphrase")
	v.pass.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if opened != nil {
		t.Fatal("the wrong passphrase opened the store")
	}
	if !strings.HasPrefix(v.message.Text, "Wrong passphrase.") || v.message.Hidden {
		t.Fatalf("message %q (hidden %v), want it to say wrong passphrase", v.message.Text, v.message.Hidden)
	}
	if v.pass.Text != "the wrong passphrase" {
		t.Fatalf("the field was cleared: %q", v.pass.Text)
	}
	if v.pass.Disabled() || v.button.Disabled() || w.Canvas().Focused() != v.pass {
		t.Fatalf("after a wrong passphrase the field must be usable and focused")
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Fatal("a wrong passphrase changed the store file")
	}
	test.AssertRendersToMarkup(t, "unlock_wrong.xml", w.Canvas())
	shot(t, w, "unlock-wrong")

	v.pass.SetText("the right passphrase")
	test.Tap(v.button)
	if opened == nil || !v.message.Hidden {
		t.Fatalf("the right passphrase did not open the store (message %q)", v.message.Text)
	}
}

// TestUnlockStartFails: an error starting the session after the store opened
// is shown, and the screen stays.
func TestUnlockStartFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chartline.db")
	s, err := store.Create(path, []byte("the right passphrase"), &store.Options{KDF: store.TestKDF})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	v, _ := unlockTest(t, path, func(s *store.Store) error {
		s.Close()
		return errors.New("settings: no bootstrap brokers")
	})
	test.Type(v.pass, "the right passphrase")
	test.Tap(v.button)
	if !strings.Contains(v.message.Text, "could not start: settings: no bootstrap brokers") {
		t.Fatalf("message %q", v.message.Text)
	}
}

func TestUnlockMessages(t *testing.T) {
	dir := t.TempDir()
	// A store held by another process (here: another handle) is locked.
	locked := filepath.Join(dir, "locked.db")
	held, err := store.Create(locked, []byte("passphrase!"), &store.Options{KDF: store.TestKDF})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	// A file that is not a store.
	corrupt := filepath.Join(dir, "corrupt.db")
	if err := os.WriteFile(corrupt, make([]byte, 16384), 0o600); err != nil {
		t.Fatal(err)
	}
	// A store written by a newer Chartline.
	newer := filepath.Join(dir, "newer.db")
	ns, err := store.Create(newer, []byte("passphrase!"), &store.Options{KDF: store.TestKDF})
	if err != nil {
		t.Fatal(err)
	}
	ns.Close()
	db, err := bolt.Open(newer, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("meta")).Put([]byte("format"), binary.BigEndian.AppendUint32(nil, store.FormatVersion+1))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	for _, tc := range []struct {
		path string
		want string
	}{
		{locked, "in use by another Chartline"},
		{corrupt, "damaged or is not a Chartline store"},
		{newer, "newer version of Chartline"},
	} {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			v, _ := unlockTest(t, tc.path, func(s *store.Store) error { s.Close(); return nil })
			test.Type(v.pass, "passphrase!")
			test.Tap(v.button)
			if !strings.Contains(v.message.Text, tc.want) {
				t.Fatalf("message %q, want it to say %q", v.message.Text, tc.want)
			}
			if v.pass.Text != "passphrase!" {
				t.Fatalf("field cleared")
			}
		})
	}
	if got := unlockMessage(errors.New("disk on fire")); !strings.Contains(got, "disk on fire") {
		t.Errorf("an unknown error is not shown: %q", got)
	}
}

func TestPassphraseStrength(t *testing.T) {
	for _, tc := range []struct {
		p          string
		level      string
		acceptable bool
	}{
		{"", "", false},
		{"abcdefghi", "too short", false},                // 9
		{"abcdefghij", "weak", true},                     // 10 lowercase: 47 bits
		{"Abcdefgh1!", "fair", true},                     // 10 of four kinds: 65 bits
		{"zzzzzzzzzzzzzzzzzzzz", "weak", true},           // repeats halve it
		{"correct horse battery staple", "strong", true}, // long words
		{"Ünïcödé pässphrâse", "strong", true},           // non-ASCII widens the alphabet
	} {
		st := passphraseStrength(tc.p)
		if st.level != tc.level || st.acceptable != tc.acceptable {
			t.Errorf("%q: %s (%.0f bits) acceptable %v; want %s, %v", tc.p, st.level, st.bits, st.acceptable, tc.level, tc.acceptable)
		}
	}
}
