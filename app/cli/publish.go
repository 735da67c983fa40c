package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/publish"
)

// PublishOptions are `chartline publish`'s options.
type PublishOptions struct {
	Conn   kafka.Conn
	Topics kafka.Topics
	Source string   // the source header, default "chartline-publish"
	Files  []string // FHIR Bundles, single resources or NDJSON
}

func runPublish(ctx context.Context, args []string, io IO) error {
	var cf connFlags
	var o PublishOptions
	fs := newFlags("publish", io)
	cf.register(fs)
	fs.StringVar(&o.Source, "source", "chartline-publish", "value of the records' source header")
	if err := parse(fs, args); err != nil {
		return err
	}
	o.Files = fs.Args()
	if len(o.Files) == 0 {
		return fmt.Errorf("%w: no input files", ErrUsage)
	}
	var err error
	if o.Conn, o.Topics, err = cf.resolve(); err != nil {
		return err
	}
	counts, err := Publish(ctx, o)
	fmt.Fprint(io.Out, counts.String())
	return err
}

// Publish splits every file and produces all their records, creating topics
// with Chartline's policies. A file that is not usable FHIR stops the run
// before anything is produced.
func Publish(ctx context.Context, o PublishOptions) (publish.Counts, error) {
	var total publish.Counts
	connOpts, err := o.Conn.Options()
	if err != nil {
		return total, err
	}
	cl, err := kgo.NewClient(append(connOpts, publish.ProducerOptions()...)...)
	if err != nil {
		return total, err
	}
	defer cl.Close()
	var recs []publish.Record
	for _, f := range o.Files {
		data, err := os.ReadFile(f)
		if err != nil {
			return total, err
		}
		r, err := publish.Split(data, o.Topics, o.Source)
		if err != nil {
			return total, fmt.Errorf("%s: %w", filepath.Base(f), err)
		}
		recs = append(recs, r...)
	}
	return publish.NewPublisher(cl, o.Topics).Publish(ctx, recs)
}
