package handover

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeTools puts shell scripts named lpstat, lp and xdg-open first on PATH;
// each records its arguments in dir/<name>.args. lpstat prints out.
func fakeTools(t *testing.T, lpstatOut string, lpstatOK bool) string {
	t.Helper()
	dir := t.TempDir()
	status := "0"
	if !lpstatOK {
		status = "1"
	}
	scripts := map[string]string{
		"lpstat":   "#!/bin/sh\necho \"$@\" > " + dir + "/lpstat.args\necho '" + lpstatOut + "'\nexit " + status + "\n",
		"lp":       "#!/bin/sh\necho \"$@\" > " + dir + "/lp.args\n",
		"xdg-open": "#!/bin/sh\necho \"$@\" > " + dir + "/xdg-open.args\n",
	}
	for name, body := range scripts {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return dir
}

func readArgs(t *testing.T, path string) (string, bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, err := os.ReadFile(path)
		if err == nil {
			return strings.TrimSpace(string(b)), true
		}
		if time.Now().After(deadline) {
			return "", false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestOpenPrintsWithADefaultPrinter: lp when CUPS names a default
// destination, the desktop viewer otherwise.
func TestOpenPrintsWithADefaultPrinter(t *testing.T) {
	tests := []struct {
		name     string
		out      string
		ok       bool
		want     string // "printed" or "opened"
		tool     string
		notTool  string
		wantArgs string
	}{
		{"default printer", "system default destination: ward7-laser", true, "printed", "lp", "xdg-open", "-- "},
		{"no default", "no system default destination", true, "opened", "xdg-open", "lp", ""},
		{"no CUPS", "", false, "opened", "xdg-open", "lp", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := fakeTools(t, tc.out, tc.ok)
			pdf := filepath.Join(t.TempDir(), "sheet.pdf")
			did, err := Open(context.Background(), pdf)
			if err != nil || did != tc.want {
				t.Fatalf("Open = %q, %v; want %q", did, err, tc.want)
			}
			args, ok := readArgs(t, filepath.Join(dir, tc.tool+".args"))
			if !ok || args != tc.wantArgs+pdf {
				t.Fatalf("%s called with %q (%v), want %q", tc.tool, args, ok, tc.wantArgs+pdf)
			}
			if _, err := os.Stat(filepath.Join(dir, tc.notTool+".args")); err == nil {
				t.Fatalf("%s was called too", tc.notTool)
			}
		})
	}
}
