package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/chartline/chartline/store"
)

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat CPU times: 100 on
// every Linux architecture Chartline builds for.
const clockTicks = 100

// idle is p9: what Chartline costs at the demo's trickle of a few records
// a second. `chartline demo` runs under its own Xvfb, and a headless
// `chartline ingest` follows `chartline broker -fixtures -simulate`, both at
// once (neither is busy). After IdleWarmup, each of Runs windows of
// IdleWindow measures CPU (/proc/<pid>/stat ticks, % of one core) and RSS.
func idle(ctx context.Context, o Options, dir string, res *Result, sm samples, logf func(string, ...any)) error {
	if o.IdleWarmup < 0 {
		for _, k := range []string{"p9_gui_cpu_pct", "p9_gui_rss_mb", "p9_ingest_cpu_pct", "p9_ingest_rss_mb"} {
			res.Skipped[k] = "p9 not asked for (-idle-warmup < 0)"
		}
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	home := filepath.Join(dir, "home") // default settings, nothing of the user's touched
	if err := os.MkdirAll(filepath.Join(home, ".config"), 0o700); err != nil {
		return err
	}
	env := append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"CHARTLINE_PASSPHRASE="+passphrase)
	var procs []*exec.Cmd
	defer func() {
		for i := len(procs) - 1; i >= 0; i-- {
			stopChild(procs[i])
		}
	}()

	gui := 0
	if display, xvfb, err := startXvfb(ctx); err != nil {
		res.Skipped["p9_gui_cpu_pct"] = err.Error()
		res.Skipped["p9_gui_rss_mb"] = err.Error()
		logf("p9: no GUI figure: %v", err)
	} else {
		procs = append(procs, xvfb)
		demo := exec.CommandContext(ctx, o.Binary, "demo")
		demo.Env = append(env, "DISPLAY="+display)
		demo.Stdout, demo.Stderr = io.Discard, io.Discard
		if err := demo.Start(); err != nil {
			return fmt.Errorf("p9: chartline demo: %w", err)
		}
		procs = append(procs, demo)
		gui = demo.Process.Pid
	}

	broker := exec.CommandContext(ctx, o.Binary, "broker", "-addr", "127.0.0.1:0", "-fixtures", "-simulate")
	broker.Env = env
	addr, err := startAndRead(broker, "broker listening on ")
	if err != nil {
		return fmt.Errorf("p9: chartline broker: %w", err)
	}
	procs = append(procs, broker)
	db := filepath.Join(dir, "p9.db")
	s, err := store.Create(db, []byte(passphrase), &store.Options{KDF: store.TestKDF})
	if err != nil {
		return err
	}
	s.Close()
	ing := exec.CommandContext(ctx, o.Binary, "ingest", "-brokers", strings.Fields(addr)[0], "-db", db, "-settings", filepath.Join(dir, "none.json"))
	ing.Env = env
	ing.Stdout, ing.Stderr = io.Discard, io.Discard
	if err := ing.Start(); err != nil {
		return fmt.Errorf("p9: chartline ingest: %w", err)
	}
	procs = append(procs, ing)

	logf("p9: demo under Xvfb and headless ingest running; measuring after %s, %d windows of %s", o.IdleWarmup, o.Runs, o.IdleWindow)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(o.IdleWarmup):
	}
	for i := range o.Runs {
		g0, _ := cpuTicks(gui)
		h0, _ := cpuTicks(ing.Process.Pid)
		start := time.Now()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(o.IdleWindow):
		}
		secs := time.Since(start).Seconds()
		if gui != 0 {
			g1, err := cpuTicks(gui)
			if err != nil {
				return fmt.Errorf("p9: chartline demo ended early: %w", err)
			}
			pct := float64(g1-g0) / clockTicks / secs * 100
			rss, _ := readRSS(fmt.Sprintf("/proc/%d/status", gui))
			sm.add("p9_gui_cpu_pct", pct)
			sm.add("p9_gui_rss_mb", rss)
			logf("p9 window %d: chartline demo %.1f %% of a core, RSS %.0f MB", i+1, pct, rss)
		}
		h1, err := cpuTicks(ing.Process.Pid)
		if err != nil {
			return fmt.Errorf("p9: chartline ingest ended early: %w", err)
		}
		pct := float64(h1-h0) / clockTicks / secs * 100
		rss, _ := readRSS(fmt.Sprintf("/proc/%d/status", ing.Process.Pid))
		sm.add("p9_ingest_cpu_pct", pct)
		sm.add("p9_ingest_rss_mb", rss)
		logf("p9 window %d: headless ingest %.1f %% of a core, RSS %.0f MB", i+1, pct, rss)
	}
	return nil
}

// startXvfb starts a virtual X server on a free display and returns it.
func startXvfb(ctx context.Context) (string, *exec.Cmd, error) {
	bin, err := exec.LookPath("Xvfb")
	if err != nil {
		return "", nil, errors.New("no Xvfb installed")
	}
	r, w, err := os.Pipe()
	if err != nil {
		return "", nil, err
	}
	defer r.Close()
	cmd := exec.CommandContext(ctx, bin, "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		w.Close()
		return "", nil, fmt.Errorf("start Xvfb: %w", err)
	}
	w.Close()
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		stopChild(cmd)
		return "", nil, fmt.Errorf("the Xvfb server did not say its display: %w", err)
	}
	return ":" + strings.TrimSpace(line), cmd, nil
}

// startAndRead starts cmd and returns the rest of the first stderr line
// that begins with prefix; the rest of stderr is drained.
func startAndRead(cmd *exec.Cmd, prefix string) (string, error) {
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), prefix); ok {
				select {
				case found <- rest:
				default:
				}
			}
		}
		close(found)
	}()
	select {
	case rest, ok := <-found:
		if !ok {
			stopChild(cmd)
			return "", fmt.Errorf("ended before printing %q", prefix)
		}
		return rest, nil
	case <-time.After(30 * time.Second):
		stopChild(cmd)
		return "", fmt.Errorf("did not print %q within 30 s", prefix)
	}
}

// cpuTicks is a process's user + system CPU time in clock ticks.
func cpuTicks(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces: fields count from its ')'.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, errors.New("unreadable /proc stat")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("short /proc stat")
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	return utime + stime, errors.Join(err1, err2)
}

// stopChild interrupts a child, and kills it if it has not ended in 5 s.
func stopChild(cmd *exec.Cmd) {
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}
