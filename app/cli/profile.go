package cli

import (
	"fmt"
	"os"
	"runtime/pprof"
	"time"
)

// startCPUProfile writes a CPU profile to path, from after on, until the
// returned stop is called: `chartline ingest -cpuprofile FILE` is how the
// ingest path is profiled as it really runs (feed, store and clinical
// engine together).
func startCPUProfile(path string, after time.Duration) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if after <= 0 {
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("cpu profile: %w", err)
		}
		return func() {
			pprof.StopCPUProfile()
			f.Close()
		}, nil
	}
	started := make(chan bool, 1)
	timer := time.AfterFunc(after, func() { started <- pprof.StartCPUProfile(f) == nil })
	return func() {
		if !timer.Stop() && <-started {
			pprof.StopCPUProfile()
		}
		f.Close()
	}, nil
}
