// Package bench measures Chartline against the ceilings on the same machine
// in one run (`make bench`, `chartline bench`): the embedded broker is
// loaded with realistic generated FHIR (app/demo.Bulk), then
//
//   - p1: kcat reads every record to /dev/null, `chartline ingest
//     -until-caught-up` materialises them into a fresh store, and raw bbolt
//     puts of the same bytes set the storage ceiling (records/s each, and
//     chartline/kcat);
//   - p2: opening the 20,000-observation patient to a ready view model
//     (measured by the views' BenchmarkOpenPatient; the Makefile passes it in);
//   - p3: produce-to-change-notice latency of probe records under a
//     background load of about 1,000 records/s (p50, p99);
//   - p4: peak RSS of `chartline ingest` over 1M resources, sampled at
//     250k, 500k and 1M;
//   - p5: store file bytes / raw JSON bytes ingested (from p1);
//   - p6: from the first record on a new patient topic to that patient in
//     the census data.
//
// Child processes (kcat, chartline ingest) are timed from start to exit, so
// both pay their own start-up; chartline's store is created beforehand (its
// Argon2 cost is the unlock screen's, not ingest's).
package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/publish"
	"github.com/chartline/chartline/store"
)

// Options size the run. Zero values take the documented defaults.
type Options struct {
	Records    int    // p1 resources, default 100,000
	Patients   int    // p1 patient topics, default 200
	RSSRecords int    // p4 resources, default 1,000,000; negative skips p4
	Runs       int    // runs of every figure (median, min, max), default 3
	Binary     string // the chartline binary for child processes, default this executable
	Kcat       string // kcat binary, default "kcat" on PATH
	// ViewsTest is the views' compiled test binary (`go test -c ./views`):
	// p2, p2r, p3r and p8 come from its benchmarks, run Runs times each
	// (see views.go). Empty skips them, or takes P2OpenMS.
	ViewsTest string
	P2OpenMS  float64
	// IdleWarmup and IdleWindow shape p9: the apps run IdleWarmup (default
	// 90 s) before Runs windows of IdleWindow (default 20 s) are measured.
	// A negative IdleWarmup skips p9.
	IdleWarmup, IdleWindow time.Duration
	// ProfileDir, when set, receives a CPU profile of every `chartline
	// ingest` child of p1 (p1-ingest-N.prof, for go tool pprof).
	ProfileDir string
	Seed       uint64
	Log        io.Writer // progress lines
	// P7Topics and P7PerTopic size p7: patient topics and resources per
	// topic (on average), defaults 10,000 and 100; P7Topics < 0 skips p7.
	P7Topics, P7PerTopic int
}

// Result holds the figures; JSON keys are what `make bench` writes. A
// figure run several times holds its median; Spreads has its min and max
// (written as <key>_min and <key>_max).
type Result struct {
	P1ChartlineRPS float64 `json:"p1_chartline_rps"`
	P1KcatRPS      float64 `json:"p1_kcat_rps"`
	P1Ratio        float64 `json:"p1_ratio"`
	P1BoltRPS      float64 `json:"p1_bolt_rps"`
	// P1ChartlineSelfRPS is the rate `chartline ingest` reports itself (from
	// its first fetch to caught up, without process start and store open).
	P1ChartlineSelfRPS float64 `json:"p1_chartline_self_rps"`
	// P1*CPUUS are the CPU time (user + system) each child spent per record,
	// in microseconds: steadier than rates on a busy machine.
	P1KcatCPUUS      float64 `json:"p1_kcat_cpu_us"`
	P1ChartlineCPUUS float64 `json:"p1_chartline_cpu_us"`
	P1Records        int     `json:"p1_records"`
	P1RawMB          float64 `json:"p1_raw_mb"`

	P2OpenMS    float64 `json:"p2_open_ms"`
	P2RRenderMS float64 `json:"p2r_render_ms"`

	P3P50MS   float64 `json:"p3_p50_ms"`
	P3P99MS   float64 `json:"p3_p99_ms"`
	P3Probes  int     `json:"p3_probes"`
	P3LoadRPS float64 `json:"p3_load_rps"`
	P3RP99MS  float64 `json:"p3r_p99_ms"`

	P4RSSMB     float64            `json:"p4_rss_mb"`
	P4RSSAtMB   map[string]float64 `json:"p4_rss_at_mb"`
	P4Records   int                `json:"p4_records"`
	P4IngestRPS float64            `json:"p4_ingest_rps"`

	P5SizeRatio float64 `json:"p5_size_ratio"`
	P5StoreMB   float64 `json:"p5_store_mb"`

	P6DiscoveryS float64 `json:"p6_discovery_s"`

	P8ColdStartS float64 `json:"p8_cold_start_s"`
	P8UnlockKDFS float64 `json:"p8_unlock_kdf_s"`
	P8SearchMS   float64 `json:"p8_search_ms"`

	P9GUICPUPct    float64 `json:"p9_gui_cpu_pct"`
	P9GUIRSSMB     float64 `json:"p9_gui_rss_mb"`
	P9IngestCPUPct float64 `json:"p9_ingest_cpu_pct"`
	P9IngestRSSMB  float64 `json:"p9_ingest_rss_mb"`

	// Spreads holds min, max and run count of each repeated figure by key.
	Spreads map[string]Spread `json:"-"`
	// Skipped says, by key, why a figure was not measured in this run.
	Skipped map[string]string `json:"skipped,omitempty"`

	P7Result
}

// Targets are the goals of issues #9 and 19.
var Targets = map[string]string{
	"p1_ratio": ">= 1.0", "p2_open_ms": "<= 50", "p2r_render_ms": "<= 150", "p3_p99_ms": "<= 200",
	"p3r_p99_ms": "<= 100", "p4_rss_mb": "<= 300", "p5_size_ratio": "<= 0.5", "p6_discovery_s": "<= 5",
	"p8_cold_start_s": "<= 1", "p8_search_ms": "<= 16", "p9_gui_cpu_pct": "<= 5", "p9_ingest_cpu_pct": "<= 1",
	// issue 18: new topics and admissions within seconds at a hospital's scale
	"p7_all_discovery_s": "<= 5", "p7_census_admission_s": "<= 5",
}

const passphrase = "bench passphrase, not a secret"

// Run runs every measurement and returns the figures.
func Run(ctx context.Context, o Options) (res Result, err error) {
	if o.Records <= 0 {
		o.Records = 100_000
	}
	if o.Patients <= 0 {
		o.Patients = 200
	}
	if o.RSSRecords == 0 {
		o.RSSRecords = 1_000_000
	}
	if o.Runs <= 0 {
		o.Runs = 3
	}
	if o.IdleWarmup == 0 {
		o.IdleWarmup = 90 * time.Second
	}
	if o.IdleWindow <= 0 {
		o.IdleWindow = 20 * time.Second
	}
	if o.Binary == "" {
		exe, err := os.Executable()
		if err != nil {
			return Result{}, err
		}
		o.Binary = exe
	}
	if o.Kcat == "" {
		o.Kcat = "kcat"
	}
	if o.Seed == 0 {
		o.Seed = 9
	}
	if o.P7Topics == 0 {
		o.P7Topics = 10_000
	}
	if o.P7PerTopic <= 0 {
		o.P7PerTopic = 100
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	logf := func(format string, args ...any) { fmt.Fprintf(o.Log, format+"\n", args...) }
	res = Result{P2OpenMS: o.P2OpenMS, P4RSSAtMB: map[string]float64{}, Spreads: map[string]Spread{}, Skipped: map[string]string{}}
	sm := samples{}
	defer sm.settle(&res, func(key string, v float64) { setFigure(&res, key, v) })

	dir, err := os.MkdirTemp("", "chartline-bench-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	b, err := kafka.StartBroker(ctx, kafka.BrokerOptions{Addr: "127.0.0.1:0", CompactEvery: -1})
	if err != nil {
		return res, err
	}
	defer b.Close()
	prod, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(b.Addr()), kgo.AllowAutoTopicCreation()}, publish.ProducerOptions()...)...)
	if err != nil {
		return res, err
	}
	defer prod.Close()

	if err := throughput(ctx, o, b, prod, dir, &res, sm, logf); err != nil {
		return res, err
	}
	// p3 and p6, in process, each run on its own topic prefix.
	for i := range o.Runs {
		if err := latency(ctx, b, prod, dir, i, &res, sm, logf); err != nil {
			return res, err
		}
	}
	var bigStore string
	if o.RSSRecords > 0 {
		if bigStore, err = rss(ctx, o, b, prod, dir, &res, sm, logf); err != nil {
			return res, err
		}
	} else {
		res.Skipped["p4_rss_mb"] = "p4 not asked for (-rss-records < 0)"
	}
	// p7: 10,000 patient topics, all of them or a 40-patient census.
	if o.P7Topics > 0 {
		b.Close() // p1–p4's records leave memory first
		if err := runP7(ctx, o, dir, &res, logf); err != nil {
			return res, err
		}
	}
	if err := viewsFigures(ctx, o, dir, bigStore, &res, sm, logf); err != nil {
		return res, err
	}
	if err := idle(ctx, o, dir, &res, sm, logf); err != nil {
		return res, err
	}
	return res, nil
}

// throughput is p1 and p5: the records loaded once, then Runs rounds of
// kcat and `chartline ingest` interleaved (so a busy spell hits both), and
// raw bbolt puts of the same bytes.
func throughput(ctx context.Context, o Options, b *kafka.Broker, prod *kgo.Client, dir string, res *Result, sm samples, logf func(string, ...any)) error {
	logf("p1: generating and producing %d resources over %d patient topics", o.Records, o.Patients)
	raw, err := load(ctx, prod, o.Seed, o.Records, o.Patients, "")
	if err != nil {
		return err
	}
	res.P1Records, res.P1RawMB = o.Records, float64(raw)/1e6
	for i := range o.Runs {
		secs, cpu, err := timeCmd(ctx, o.Kcat, "-b", b.Addr(), "-e", "-o", "beginning", "-q", "-G", fmt.Sprintf("chartline-bench-%d", i), `^fhir\.patient\..*`)
		if err != nil {
			return fmt.Errorf("kcat: %w", err)
		}
		kcat := float64(o.Records) / secs
		sm.add("p1_kcat_rps", kcat)
		sm.add("p1_kcat_cpu_us", cpu/float64(o.Records)*1e6)
		logf("p1 run %d: kcat read %d records in %.2f s: %.0f records/s (%.1f µs CPU each)", i+1, o.Records, secs, kcat, cpu/float64(o.Records)*1e6)

		db := filepath.Join(dir, fmt.Sprintf("p1-%d.db", i))
		var profile []string
		if o.ProfileDir != "" {
			profile = []string{"-cpuprofile", filepath.Join(o.ProfileDir, fmt.Sprintf("p1-ingest-%d.prof", i+1))}
		}
		st, err := ingest(ctx, o, b.Addr(), db, "", nil, profile...)
		if err != nil {
			return err
		}
		if st.applied < o.Records {
			return fmt.Errorf("chartline ingest applied %d of %d records", st.applied, o.Records)
		}
		rps := float64(o.Records) / st.wall
		sm.add("p1_chartline_rps", rps)
		sm.add("p1_chartline_self_rps", st.selfRPS)
		sm.add("p1_chartline_cpu_us", st.cpu/float64(o.Records)*1e6)
		sm.add("p1_ratio", rps/kcat) // the ratio of one round: both under the same load
		logf("p1 run %d: chartline ingest materialised %d records in %.2f s: %.0f records/s (self-reported %.0f, %.1f µs CPU each), %.2f of kcat",
			i+1, st.applied, st.wall, rps, st.selfRPS, st.cpu/float64(o.Records)*1e6, rps/kcat)
		if fi, err := os.Stat(db); err == nil {
			sm.add("p5_store_mb", float64(fi.Size())/1e6)
			sm.add("p5_size_ratio", float64(fi.Size())/float64(raw))
		}
		os.Remove(db)
		bolt, err := rawBolt(filepath.Join(dir, "bolt.db"), o.Seed, o.Records, o.Patients)
		if err != nil {
			return err
		}
		os.Remove(filepath.Join(dir, "bolt.db"))
		sm.add("p1_bolt_rps", bolt)
		logf("p1 run %d: raw bbolt puts: %.0f records/s", i+1, bolt)
	}
	return nil
}

// setFigure sets the Result field whose JSON key is key.
func setFigure(r *Result, key string, v float64) {
	rv := reflect.ValueOf(r).Elem()
	rt := rv.Type()
	for i := range rt.NumField() {
		if strings.Split(rt.Field(i).Tag.Get("json"), ",")[0] != key {
			continue
		}
		switch f := rv.Field(i); f.Kind() {
		case reflect.Float64:
			f.SetFloat(v)
		case reflect.Int:
			f.SetInt(int64(math.Round(v)))
		}
		return
	}
}

func label(n int) string {
	if n%1_000_000 == 0 {
		return fmt.Sprintf("%dM", n/1_000_000)
	}
	return fmt.Sprintf("%dk", n/1000)
}

// load produces n generated resources, their topics renamed to prefix when
// given, and returns the JSON bytes produced.
func load(ctx context.Context, cl *kgo.Client, seed uint64, n, patients int, prefix string) (int64, error) {
	var raw int64
	var mu sync.Mutex
	var firstErr error
	std := kafka.DefaultTopics().PatientPrefix
	demo.Bulk(seed, n, patients, func(topic string, key, value []byte) bool {
		if prefix != "" {
			topic = prefix + strings.TrimPrefix(topic, std)
		}
		raw += int64(len(value))
		cl.Produce(ctx, &kgo.Record{Topic: topic, Key: key, Value: value}, func(_ *kgo.Record, err error) {
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		})
		return ctx.Err() == nil
	})
	if err := cl.Flush(ctx); err != nil {
		return raw, err
	}
	mu.Lock()
	defer mu.Unlock()
	return raw, firstErr
}

// timeCmd runs a command to its end and returns its wall time and the CPU
// time (user + system) it used, in seconds.
func timeCmd(ctx context.Context, name string, args ...string) (wall, cpu float64, err error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout = io.Discard
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, 0, fmt.Errorf("%v: %s", err, stderr.String())
	}
	return time.Since(start).Seconds(), cpuOf(cmd.ProcessState), nil
}

func cpuOf(ps *os.ProcessState) float64 {
	if ps == nil {
		return 0
	}
	return (ps.UserTime() + ps.SystemTime()).Seconds()
}

// ingestRun is what one `chartline ingest` child did.
type ingestRun struct {
	wall    float64
	cpu     float64 // user + system seconds
	selfRPS float64
	applied int
	peakMB  float64
	rssAt   []float64 // MB when applied first reached each mark
}

var (
	finalLine    = regexp.MustCompile(`^ingested (\d+) records \((\d+) resources, (\d+) quarantined\) in ([\d.]+) s: (\d+) records/s`)
	progressLine = regexp.MustCompile(`(\d+) records applied`)
)

// ingest runs `chartline ingest -until-caught-up` into a fresh store,
// sampling its RSS; extra flags go to the child (-cpuprofile FILE for a profile).
// The store is created beforehand with a cheap KDF: Argon2 is the unlock
// screen's cost (p8_unlock_kdf_s), not ingest's.
func ingest(ctx context.Context, o Options, addr, db, prefix string, marks []int, extra ...string) (ingestRun, error) {
	var run ingestRun
	s, err := store.Create(db, []byte(passphrase), &store.Options{KDF: store.TestKDF})
	if err != nil {
		return run, err
	}
	s.Close()
	args := []string{"ingest", "-brokers", addr, "-db", db, "-until-caught-up", "-settings", filepath.Join(filepath.Dir(db), "none.json")}
	if prefix != "" {
		args = append(args, "-topic-prefix", prefix)
	}
	args = append(args, extra...)
	cmd := exec.CommandContext(ctx, o.Binary, args...)
	cmd.Env = append(os.Environ(), "CHARTLINE_PASSPHRASE="+passphrase)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return run, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return run, err
	}
	status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
	done := make(chan struct{})
	applied := make(chan int, 16)
	go func() { // sample RSS every 100 ms and at each progress line
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		next := 0
		for {
			select {
			case <-done:
				return
			case n := <-applied:
				for next < len(marks) && n >= marks[next] {
					rss, _ := readRSS(status)
					run.rssAt = append(run.rssAt, rss)
					next++
				}
			case <-t.C:
			}
			if _, hwm := readRSS(status); hwm > run.peakMB {
				run.peakMB = hwm
			}
		}
	}()
	var last string
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		line := sc.Text()
		last = line
		if m := progressLine.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			select {
			case applied <- n:
			default:
			}
		}
	}
	err = cmd.Wait()
	close(done)
	run.wall = time.Since(start).Seconds()
	run.cpu = cpuOf(cmd.ProcessState)
	if err != nil {
		return run, fmt.Errorf("chartline ingest: %v (%s)", err, last)
	}
	m := finalLine.FindStringSubmatch(last)
	if m == nil {
		return run, fmt.Errorf("chartline ingest: unexpected last line %q", last)
	}
	run.applied, _ = strconv.Atoi(m[1])
	run.selfRPS, _ = strconv.ParseFloat(m[5], 64)
	for len(run.rssAt) < len(marks) && run.applied >= marks[len(run.rssAt)] {
		run.rssAt = append(run.rssAt, run.peakMB) // the last mark is reached at exit
	}
	return run, nil
}

// WriteJSON writes the result to path.
func (r Result) WriteJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// Table renders the figures with their goals: the median, its min–max
// and run count where a figure ran several times, and why a figure was
// skipped.
func (r Result) Table() string {
	var b strings.Builder
	row := func(key, what string, v float64, unit string) {
		if why, ok := r.Skipped[key]; ok {
			fmt.Fprintf(&b, "%-22s %-50s %35s %-10s %s\n", key, what, "skipped: "+why, unit, Targets[key])
			return
		}
		fmt.Fprintf(&b, "%-22s %-50s %s %-10s %s\n", key, what, r.spreadText(key, v), unit, Targets[key])
	}
	fmt.Fprintf(&b, "%-22s %-50s %12s %-22s %-10s %s\n", "key", "measure", "median", "(min–max, runs)", "unit", "goal")
	row("p1_kcat_rps", "kcat -e -o beginning, all records to /dev/null", r.P1KcatRPS, "records/s")
	row("p1_chartline_rps", "chartline ingest -until-caught-up, fresh store", r.P1ChartlineRPS, "records/s")
	row("p1_ratio", "chartline / kcat, each round", r.P1Ratio, "")
	row("p1_kcat_cpu_us", "kcat CPU (user + system) per record", r.P1KcatCPUUS, "µs")
	row("p1_chartline_cpu_us", "chartline ingest CPU per record", r.P1ChartlineCPUUS, "µs")
	row("p1_bolt_rps", "raw bbolt puts of the same JSON", r.P1BoltRPS, "records/s")
	row("p2_open_ms", "open the 20,000-observation patient (view model)", r.P2OpenMS, "ms")
	row("p2r_render_ms", "Enter → patient view laid out and rendered", r.P2RRenderMS, "ms")
	row("p3_p50_ms", "produce → change notice, median", r.P3P50MS, "ms")
	row("p3_p99_ms", "produce → change notice, 99th percentile", r.P3P99MS, "ms")
	row("p3r_p99_ms", "produce → open chart shows it, 99th percentile", r.P3RP99MS, "ms")
	row("p4_rss_mb", fmt.Sprintf("peak RSS of chartline ingest over %d resources", r.P4Records), r.P4RSSMB, "MB")
	row("p5_size_ratio", "store file bytes / raw JSON bytes", r.P5SizeRatio, "")
	row("p6_discovery_s", "new patient topic → census", r.P6DiscoveryS, "s")
	row("p8_cold_start_s", "1M-resource store: open (no Argon2) → census drawn", r.P8ColdStartS, "s")
	row("p8_unlock_kdf_s", "Argon2 at the unlock screen (apart from p8)", r.P8UnlockKDFS, "s")
	row("p8_search_ms", "census search at 10,000 patients, per keystroke", r.P8SearchMS, "ms")
	row("p9_gui_cpu_pct", "chartline demo under Xvfb, idle trickle", r.P9GUICPUPct, "% of core")
	row("p9_gui_rss_mb", "chartline demo RSS over the windows", r.P9GUIRSSMB, "MB")
	row("p9_ingest_cpu_pct", "headless ingest of the demo broker", r.P9IngestCPUPct, "% of core")
	row("p9_ingest_rss_mb", "headless ingest RSS over the windows", r.P9IngestRSSMB, "MB")
	if r.P7Topics > 0 {
		row("p7_all_catchup_s", fmt.Sprintf("catch up %d topics (%d resources), following all", r.P7Topics, r.P7Records), r.P7AllCatchupS, "s")
		row("p7_all_rss_mb", "peak RSS of that ingest", r.P7AllRSSMB, "MB")
		row("p7_all_first_pass_s", fmt.Sprintf("first discovery pass over %d topics", r.P7Topics), r.P7AllFirstPassS, "s")
		row("p7_all_discovery_s", "new patient topic → store, among them", r.P7AllDiscoveryS, "s")
		row("p7_census_catchup_s", fmt.Sprintf("catch up a %d-patient census list", r.P7CensusN), r.P7CensusCatchupS, "s")
		row("p7_census_rss_mb", "peak RSS of that ingest", r.P7CensusRSSMB, "MB")
		row("p7_census_admission_s", "census admission → patient in the store", r.P7CensusAdmitS, "s")
		fmt.Fprintf(&b, "(p7 figures taken on a %s)\n", r.P7Underway)
	}
	return b.String()
}
