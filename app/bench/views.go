package bench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/chartline/chartline/store"
)

// viewsMetrics maps the custom metric units of the views' benchmarks to the
// figures they measure. app/bench cannot import Fyne, so these run in the
// views' compiled test binary (Options.ViewsTest), one run per -test.count.
var viewsMetrics = []struct {
	bench, unit, key string
}{
	{"BenchmarkOpenPatient", "ms/open", "p2_open_ms"},
	{"BenchmarkRenderPatient", "ms/render", "p2r_render_ms"},
	{"BenchmarkChartRefresh", "ms/p99-shown", "p3r_p99_ms"},
	{"BenchmarkColdStart", "s/cold-start", "p8_cold_start_s"},
	{"BenchmarkCensusSearch", "ms/keystroke", "p8_search_ms"},
}

// Environment of the views' benchmarks: the 1M-resource store p4 left for
// BenchmarkColdStart, and its passphrase.
const (
	EnvBenchStore      = "CHARTLINE_BENCH_STORE"
	EnvBenchPassphrase = "CHARTLINE_BENCH_PASSPHRASE"
)

// viewsFigures runs the views' benchmarks Runs times each and measures the
// unlock screen's Argon2 apart (p8_unlock_kdf_s).
func viewsFigures(ctx context.Context, o Options, dir, bigStore string, res *Result, sm samples, logf func(string, ...any)) error {
	for i := range o.Runs {
		secs, err := kdfSeconds(filepath.Join(dir, fmt.Sprintf("kdf-%d.db", i)))
		if err != nil {
			return err
		}
		sm.add("p8_unlock_kdf_s", secs)
	}
	if o.ViewsTest == "" {
		for _, m := range viewsMetrics {
			if m.key != "p2_open_ms" || o.P2OpenMS == 0 {
				res.Skipped[m.key] = "no views test binary (-views-test)"
			}
		}
		return nil
	}
	var names []string
	for _, m := range viewsMetrics {
		names = append(names, m.bench+"$")
	}
	logf("views: %s (%d runs each)", strings.Join(names, " "), o.Runs)
	cmd := exec.CommandContext(ctx, o.ViewsTest, "-test.run", "^$", "-test.bench", "^("+strings.Join(names, "|")+")",
		"-test.count", strconv.Itoa(o.Runs), "-test.benchtime", "10x", "-test.timeout", "20m")
	cmd.Env = append(os.Environ(), EnvBenchPassphrase+"="+passphrase)
	if bigStore != "" {
		cmd.Env = append(cmd.Env, EnvBenchStore+"="+bigStore)
	}
	if wd, err := os.Getwd(); err == nil {
		if fi, err := os.Stat(filepath.Join(wd, "views")); err == nil && fi.IsDir() {
			cmd.Dir = filepath.Join(wd, "views") // where its testdata lives
		}
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("views benchmarks: %w", err)
	}
	seen := map[string]bool{}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		f := strings.Fields(line)
		if len(f) < 3 || !strings.HasPrefix(f[0], "Benchmark") {
			if strings.Contains(line, "SKIP") || strings.Contains(line, "--- ") {
				logf("views: %s", strings.TrimSpace(line))
			}
			continue
		}
		name := strings.Split(f[0], "-")[0]
		for i := 2; i+1 < len(f); i += 2 {
			for _, m := range viewsMetrics {
				if m.bench == name && m.unit == f[i+1] {
					if v, err := strconv.ParseFloat(f[i], 64); err == nil {
						sm.add(m.key, v)
						seen[m.key] = true
						logf("views: %s %s %s", m.key, f[i], m.unit)
					}
				}
			}
		}
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("views benchmarks: %v: %s", err, stderr.String())
	}
	for _, m := range viewsMetrics {
		if !seen[m.key] {
			res.Skipped[m.key] = "not measured (see the views benchmark's skip reason)"
		}
	}
	return nil
}

// kdfSeconds is the unlock screen's Argon2: opening an empty store created
// with the default KDF is all key derivation.
func kdfSeconds(path string) (float64, error) {
	s, err := store.Create(path, []byte(passphrase), &store.Options{NoSync: true})
	if err != nil {
		return 0, err
	}
	s.Close()
	defer os.Remove(path)
	start := time.Now()
	s, err = store.Open(path, []byte(passphrase), nil)
	if err != nil {
		return 0, err
	}
	secs := time.Since(start).Seconds()
	s.Close()
	return secs, nil
}
