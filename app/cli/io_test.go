package cli

import (
	"bytes"
	"strings"
	"sync"
	"testing"
)

// A verb's writers are shared by its own goroutine and its feed's and
// engine's loggers: synced makes a plain bytes.Buffer safe for that (run
// with -race) and keeps each write whole.
func TestSyncedIOConcurrentWrites(t *testing.T) {
	var out, errb bytes.Buffer
	io := IO{Out: &out, Err: &errb}.synced()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				io.Err.Write([]byte(strings.Repeat(string(rune('a'+g)), 10) + "\n"))
			}
		}()
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(errb.String(), "\n"), "\n")
	if len(lines) != 1600 {
		t.Fatalf("%d lines, want 1600", len(lines))
	}
	for _, l := range lines {
		if len(l) != 10 || strings.Count(l, l[:1]) != 10 {
			t.Fatalf("interleaved write %q", l)
		}
	}
}
