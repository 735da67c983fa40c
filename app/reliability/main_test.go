package reliability

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chartline/chartline/app/cli"
	"github.com/chartline/chartline/app/testenv"
	"github.com/chartline/chartline/store"
)

// Environment variables between the test and its children.
const (
	// envChild makes the test binary run as a child process instead of
	// running tests: "cli" runs cli.Run on the arguments (the chartline
	// command line), "act" runs actChild (a workstation acting on alerts).
	envChild = "CHARTLINE_RELIABILITY_CHILD"
	// envMemStat names a file a child writes its peak and final HeapInuse to.
	envMemStat = "CHARTLINE_RELIABILITY_MEMSTAT"
	// envSoak turns the long variants on (make soak).
	envSoak = "CHARTLINE_SOAK"
)

// soak reports whether the long variants run.
func soak() bool { return os.Getenv(envSoak) == "1" }

// TestMain runs the tests, or, when envChild says so, runs as a child
// process: building main would need cgo and GL, so the test binary re-executes
// itself and runs the same cli.Run main.go hands the verbs to.
func TestMain(m *testing.M) {
	if mode := os.Getenv(envChild); mode != "" {
		os.Exit(runChild(mode, os.Args[1:]))
	}
	os.Exit(m.Run())
}

func runChild(mode string, args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if path := os.Getenv(envMemStat); path != "" {
		defer watchHeap(path)()
	}
	switch mode {
	case "cli":
		return cli.Run(ctx, args, cli.IO{Out: os.Stdout, Err: os.Stderr})
	case "act":
		return actChild(ctx, args)
	case "panic":
		return panicChild(args)
	}
	fmt.Fprintf(os.Stderr, "unknown child mode %q\n", mode)
	return 2
}

// watchHeap samples HeapInuse every 5 ms until the returned function is
// called, which writes "first peak final" (bytes: the first sample, before
// any work; the peak; after a GC at the end) to path.
func watchHeap(path string) func() {
	var peak uint64
	first := sampleHeap()
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			peak = max(peak, sampleHeap())
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		close(stop)
		<-done
		runtime.GC()
		os.WriteFile(path, fmt.Appendf(nil, "%d %d %d\n", first, peak, sampleHeap()), 0o600)
	}
}

func sampleHeap() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// syncBuffer is a bytes.Buffer safe to write from a child's output copier
// while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// proc is a child process: the test binary running a chartline verb.
type proc struct {
	t        *testing.T
	cmd      *exec.Cmd
	out, err syncBuffer
	done     chan struct{}
	code     int
	state    *os.ProcessState
}

// childEnv is the environment children run with: the test's, without any
// CHARTLINE_ variable, with HOME and XDG_CONFIG_HOME in the test's temp dir
// (so nothing reads or writes the real user's settings or store), plus extra.
func childEnv(home string, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "CHARTLINE_") || strings.HasPrefix(kv, "HOME=") || strings.HasPrefix(kv, "XDG_CONFIG_HOME=") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"))
	return append(env, extra...)
}

// start runs the test binary as a child in a mode ("cli", "act") with args.
// The child is killed when the test ends, if still running.
func start(t *testing.T, mode string, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, done: make(chan struct{})}
	p.cmd = exec.Command(os.Args[0], args...)
	p.cmd.Env = append(append([]string{}, env...), envChild+"="+mode)
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.err
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start child: %v", err)
	}
	go func() {
		defer close(p.done)
		err := p.cmd.Wait()
		p.state = p.cmd.ProcessState
		var ee *exec.ExitError
		switch {
		case err == nil:
			p.code = 0
		case errors.As(err, &ee):
			p.code = ee.ExitCode() // -1 when killed by a signal
		default:
			p.code = -2
		}
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

// kill sends SIGKILL and waits for the child to die.
func (p *proc) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// exited reports whether the child has exited.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// wait waits for the child to exit and returns its status; after within it
// kills the child and fails the test.
func (p *proc) wait(within time.Duration) int {
	p.t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(within):
		p.kill()
		p.t.Fatalf("child %v did not exit within %v; stderr:\n%s", p.cmd.Args[1:], within, tail(p.err.String(), 40))
		return -1
	}
}

// appliedLine is the count in the progress line `chartline ingest` prints
// every second ("catching up: 120 behind (40%), 80 records applied").
var appliedLine = regexp.MustCompile(`(\d+) records applied`)

// waitApplied waits until the child's progress lines report a record
// applied, and returns how long that took. ok is false when the child exited
// first or within passed with nothing applied.
func (p *proc) waitApplied(within time.Duration) (waited time.Duration, ok bool) {
	begin := time.Now()
	for time.Since(begin) < within && !p.exited() {
		for _, m := range appliedLine.FindAllStringSubmatch(p.err.String(), -1) {
			if m[1] != "0" {
				return time.Since(begin), true
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return time.Since(begin), false
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// createStore makes an empty store at path with the cheap test KDF, so
// children open it fast (the KDF cost is stored in the file).
func createStore(t *testing.T, path string) {
	t.Helper()
	s, err := store.Create(path, testenv.Passphrase, &store.Options{KDF: store.TestKDF})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

// openStore opens a store the children wrote, read-only unless write.
func openStore(t *testing.T, path string, write bool) *store.Store {
	t.Helper()
	s, err := store.Open(path, testenv.Passphrase, &store.Options{ReadOnly: !write, LockTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// passEnv is the child environment entry holding the test passphrase.
func passEnv() string { return cli.EnvPassphrase + "=" + string(testenv.Passphrase) }

// readMemStat reads what watchHeap wrote: first, peak and final HeapInuse.
func readMemStat(t *testing.T, path string) (first, peak, final uint64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("child memory figures: %v", err)
	}
	f := strings.Fields(string(b))
	if len(f) != 3 {
		t.Fatalf("child memory figures: %q", b)
	}
	first, _ = strconv.ParseUint(f[0], 10, 64)
	peak, _ = strconv.ParseUint(f[1], 10, 64)
	final, _ = strconv.ParseUint(f[2], 10, 64)
	return first, peak, final
}
