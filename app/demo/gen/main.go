// Command gen writes Chartline's demo fixtures: deterministic, synthetic FHIR
// R4 transaction Bundles, gzip-compressed, under assets/fixtures. It is run by
// `go generate ./app/demo`; the same seed always writes the same bytes.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/chartline/chartline/app/demo"
)

func main() {
	out := flag.String("out", "assets/fixtures", "directory to write the fixtures into")
	seed := flag.Uint64("seed", demo.Seed, "generator seed")
	flag.Parse()
	if err := demo.WriteFixtures(*out, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
