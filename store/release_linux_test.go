package store

import (
	"os"
	"path/filepath"
	"testing"
)

func TestParseMapsLine(t *testing.T) {
	for _, c := range []struct {
		line       string
		start, end uint64
		path       string
		ok         bool
	}{
		{"7f00a000-7f00c000 r--s 00000000 08:01 1234                       /tmp/a/chartline.db", 0x7f00a000, 0x7f00c000, "/tmp/a/chartline.db", true},
		{"7f00a000-7f00c000 r--s 00000000 08:01 1234                       /home/dr smith/My Stores/chartline.db", 0x7f00a000, 0x7f00c000, "/home/dr smith/My Stores/chartline.db", true},
		{"7f00a000-7f00c000 r--s 00000000 08:01 1234 /path ending in space ", 0x7f00a000, 0x7f00c000, "/path ending in space ", true},
		{"7ffd1000-7ffd2000 rw-p 00000000 00:00 0", 0, 0, "", false},                           // anonymous mapping: no path
		{"7ffd1000-7ffd2000 rw-p 00000000 00:00 0                          ", 0, 0, "", false}, // padding only
		{"zz-7ffd2000 r--s 00000000 08:01 1 /x", 0, 0, "", false},
		{"7ffd2000-7ffd1000 r--s 00000000 08:01 1 /x", 0, 0, "", false}, // end before start
		{"garbage", 0, 0, "", false},
	} {
		start, end, path, ok := parseMapsLine([]byte(c.line))
		if ok != c.ok || start != c.start || end != c.end || path != c.path {
			t.Errorf("parseMapsLine(%q) = %x, %x, %q, %v; want %x, %x, %q, %v", c.line, start, end, path, ok, c.start, c.end, c.path, c.ok)
		}
	}
}

// A store whose path has spaces in it (a home directory "dr smith") still has
// its mapped pages found and released.
func TestReleaseMappedPathWithSpaces(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dr smith", "My Stores")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "chartline.db")
	s, err := Create(path, testPass, testOpts())
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	defer s.Close()
	if n := releaseMapped(path); n == 0 {
		t.Fatalf("releaseMapped(%q) released no mapping of the open store", path)
	}
	if n := releaseMapped(filepath.Join(dir, "other.db")); n != 0 {
		t.Fatalf("releaseMapped of a file not mapped released %d ranges", n)
	}
}
