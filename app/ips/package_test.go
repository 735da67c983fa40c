package ips

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// ipsPackage returns the unpacked hl7.fhir.uv.ips 2.0.0 package, fetched
// by ./gen into the user cache dir (outside the repository) with `npm
// pack` the first time; the test is skipped where npm cannot reach the
// registry.
func ipsPackage(t *testing.T) string {
	t.Helper()
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Skip("no user cache dir:", err)
	}
	dir := filepath.Join(cache, "chartline", "ips", "2.0.0", "package")
	if _, err := os.Stat(filepath.Join(dir, "package.json")); err == nil {
		return dir
	}
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skip("npm is not installed: cannot fetch hl7.fhir.uv.ips")
	}
	out, err := exec.Command("go", "run", "./gen", "-o", filepath.Join(t.TempDir(), "profiles.json")).CombinedOutput()
	if err != nil {
		t.Skipf("cannot fetch hl7.fhir.uv.ips with npm: %v\n%s", err, out)
	}
	return dir
}

// TestProfilesTableIsGenerated: profiles.json is exactly what ./gen derives
// from the IPS package.
func TestProfilesTableIsGenerated(t *testing.T) {
	dir := ipsPackage(t)
	out := filepath.Join(t.TempDir(), "profiles.json")
	if b, err := exec.Command("go", "run", "./gen", "-package", dir, "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("gen: %v\n%s", err, b)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, profilesJSON) {
		t.Fatal("profiles.json differs from what ./gen derives from the package: run go generate ./app/ips")
	}
}

// TestIPSExamplesPass: the IPS implementation guide's own example
// documents pass the checker, so its rules are the guide's, not ours.
func TestIPSExamplesPass(t *testing.T) {
	dir := ipsPackage(t)
	files, err := filepath.Glob(filepath.Join(dir, "example", "Bundle-*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no example Bundles in %s (%v)", dir, err)
	}
	c, err := DefaultChecker()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		res, err := c.Check(raw)
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(f), err)
		}
		if len(res.Document)+len(res.Entries) > 0 {
			t.Errorf("%s: %v %v", filepath.Base(f), res.Document, res.Entries)
		}
	}
}
