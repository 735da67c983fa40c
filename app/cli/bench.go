package cli

import (
	"context"
	"fmt"
	"os"

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
	fs.IntVar(&o.P7Topics, "p7-topics", 10_000, "p7: patient topics (-1 skips p7)")
	fs.IntVar(&o.P7PerTopic, "p7-per-topic", 100, "p7: resources per patient topic (mean)")
	fs.Float64Var(&o.P2OpenMS, "p2-ms", 0, "p2: the views' BenchmarkOpenPatient figure in ms (make bench passes it)")
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
