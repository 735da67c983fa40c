package cli

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCPUProfileAfter: a profile asked to start later is written once it
// has started, and a run that ends before then leaves an empty file and
// does not wait for the delay.
func TestCPUProfileAfter(t *testing.T) {
	dir := t.TempDir()
	started := filepath.Join(dir, "started.prof")
	stop, err := startCPUProfile(started, 10*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(300 * time.Millisecond)
	for time.Now().Before(deadline) { // some CPU for the profile to see
	}
	stop()
	if fi, err := os.Stat(started); err != nil || fi.Size() == 0 {
		t.Fatalf("profile started after 10 ms: %v, %v", fi, err)
	}

	never := filepath.Join(dir, "never.prof")
	stop, err = startCPUProfile(never, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	begin := time.Now()
	stop()
	if waited := time.Since(begin); waited > time.Second {
		t.Fatalf("stop waited %v for a profile that never started", waited)
	}
	if fi, err := os.Stat(never); err != nil || fi.Size() != 0 {
		t.Fatalf("profile that never started: %v, %v", fi, err)
	}
	// A profile can start again: the one above released the profiler.
	stop, err = startCPUProfile(filepath.Join(dir, "again.prof"), 0)
	if err != nil {
		t.Fatal(err)
	}
	stop()
}
