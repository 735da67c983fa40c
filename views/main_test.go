package views

import (
	"fmt"
	"os"
	"testing"
)

// sharedDir holds the shared fixture store for the whole test binary.
var sharedDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "chartline-views-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sharedDir = dir
	code := m.Run()
	if shared.s != nil {
		shared.s.Close()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}
