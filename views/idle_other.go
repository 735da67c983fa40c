//go:build !linux || wayland

package views

import "time"

// systemIdle is the display server's idle time; this platform has none that
// Chartline reads, so the lock counts the input its window sees.
type systemIdle struct{}

func newSystemIdle() *systemIdle                  { return nil }
func (s *systemIdle) idle() (time.Duration, bool) { return 0, false }
func (s *systemIdle) close()                      {}
