//go:build linux && !wayland

package views

/*
#cgo LDFLAGS: -lX11 -lXss
#include <X11/Xlib.h>
#include <X11/extensions/scrnsaver.h>

// chartline_idle_open opens a display connection of Chartline's own (never
// the GUI's) with the MIT-SCREEN-SAVER extension, or returns NULL.
static Display *chartline_idle_open(void) {
	Display *d = XOpenDisplay(NULL);
	int ev, err;
	if (d && !XScreenSaverQueryExtension(d, &ev, &err)) {
		XCloseDisplay(d);
		return NULL;
	}
	return d;
}

// chartline_idle_ms is the X server's time since the last keyboard or
// pointer input, in milliseconds, or -1.
static long chartline_idle_ms(Display *d) {
	XScreenSaverInfo *info = XScreenSaverAllocInfo();
	if (!info) return -1;
	long idle = XScreenSaverQueryInfo(d, DefaultRootWindow(d), info) ? (long)info->idle : -1;
	XFree(info);
	return idle;
}
*/
import "C"

import (
	"sync"
	"time"
)

// systemIdle reads how long the X server has seen no keyboard or pointer
// input (the MIT-SCREEN-SAVER extension, as screen lockers do). Fyne hands
// a focused widget's keys and a widget's pointer events to that widget
// only, so the window cannot see every input itself; the server does. It
// counts input to any window of the display: someone typing in another
// program at this workstation is at this workstation.
type systemIdle struct {
	mu sync.Mutex
	d  *C.Display
}

// newSystemIdle opens the idle source, nil where there is no X display or
// extension (the lock then counts the input Chartline's window sees).
func newSystemIdle() *systemIdle {
	d := C.chartline_idle_open()
	if d == nil {
		return nil
	}
	return &systemIdle{d: d}
}

// idle is the time since the last input, and whether it is known.
func (s *systemIdle) idle() (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.d == nil {
		return 0, false
	}
	ms := C.chartline_idle_ms(s.d)
	if ms < 0 {
		return 0, false
	}
	return time.Duration(ms) * time.Millisecond, true
}

// close closes the display connection.
func (s *systemIdle) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.d != nil {
		C.XCloseDisplay(s.d)
		s.d = nil
	}
}
