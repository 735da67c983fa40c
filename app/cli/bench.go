package cli

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/chartline/chartline/app/bench"
)

func runBench(ctx context.Context, args []string, io IO) error {
	var o bench.Options
	out := os.Getenv("BENCH_OUT")
	if out == "" {
		out = "bench.json"
	}
	fs := newFlags("bench", io)
	fs.IntVar(&o.Records, "records", 100_000, "p1: resources to ingest")
	fs.IntVar(&o.Patients, "patients", 200, "p1: patient topics")
	fs.IntVar(&o.RSSRecords, "rss-records", 1_000_000, "p4: resources for the RSS run (-1 skips it)")
	fs.IntVar(&o.Runs, "runs", 3, "runs of every figure: the median is reported, with min and max")
	fs.StringVar(&o.ViewsTest, "views-test", "", "the views' test binary (go test -c ./views): p2, p2r, p3r and p8 from its benchmarks")
	fs.Float64Var(&o.P2OpenMS, "p2-ms", 0, "p2 in ms, when measured elsewhere (without -views-test)")
	fs.DurationVar(&o.IdleWarmup, "idle-warmup", 90*time.Second, "p9: how long the demo and a headless ingest run before idle CPU is measured (negative skips p9)")
	fs.DurationVar(&o.IdleWindow, "idle-window", 20*time.Second, "p9: each measuring window")
	fs.StringVar(&o.ProfileDir, "profile-dir", "", "write a CPU profile of each p1 `chartline ingest` here")
	fs.IntVar(&o.P7Topics, "p7-topics", 10_000, "p7: patient topics (-1 skips p7)")
	fs.IntVar(&o.P7PerTopic, "p7-per-topic", 100, "p7: resources per patient topic (mean)")
	fs.StringVar(&out, "out", out, "write the JSON figures here (env BENCH_OUT)")
	if err := parse(fs, args); err != nil {
		return err
	}
	o.Log = io.Err
	res, err := bench.Run(ctx, o)
	if err != nil {
		return err
	}
	fmt.Fprint(io.Out, res.Table())
	if err := res.WriteJSON(out); err != nil {
		return err
	}
	fmt.Fprintf(io.Err, "figures written to %s\n", out)
	return nil
}
