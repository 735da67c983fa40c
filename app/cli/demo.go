package cli

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/publish"
)

// runDemoData loads the demo fixtures into a running broker and, when asked,
// runs the live simulator until ctx ends.
func runDemoData(ctx context.Context, b *kafka.Broker, o BrokerOptions, io IO, log *slog.Logger) error {
	opts, err := b.Conn().Options()
	if err != nil {
		return err
	}
	cl, err := kgo.NewClient(append(opts, publish.ProducerOptions()...)...)
	if err != nil {
		return err
	}
	defer cl.Close()
	topics := kafka.DefaultTopics()
	p := publish.NewPublisher(cl, topics)
	if o.Fixtures || o.Simulate {
		counts, err := demo.LoadFixtures(ctx, p, topics)
		if err != nil {
			return fmt.Errorf("load fixtures: %w", err)
		}
		fmt.Fprint(io.Err, counts.String())
	}
	if !o.Simulate {
		return nil
	}
	fmt.Fprintln(io.Err, "simulating live data (Ctrl-C to stop)")
	sim := o.Sim
	sim.Logger = log
	err = demo.Simulate(ctx, p, topics, sim)
	if ctx.Err() != nil {
		return nil
	}
	return err
}
