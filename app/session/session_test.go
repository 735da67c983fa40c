package session

import (
	"context"
	"testing"
	"time"

	"github.com/chartline/chartline/app/config"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/testenv"
)

// Cancelling the context Start was given stops the engine, the feed and the
// publisher; Close afterwards returns at once and is idempotent.
func TestStartHonoursItsContext(t *testing.T) {
	env := testenv.New(t, kafka.BrokerOptions{})
	s := testenv.OpenStore(t, testenv.StorePath(t))
	cfg := config.Default()
	cfg.Conn = env.Broker.Conn()
	cfg.Topics = env.Topics

	ctx, cancel := context.WithCancel(context.Background())
	ss, err := Start(ctx, cfg, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-ss.Done():
		t.Fatal("session stopped before its context was cancelled")
	case <-time.After(200 * time.Millisecond):
	}
	cancel()
	select {
	case <-ss.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("engine still running 10 s after Start's context was cancelled")
	}
	stopped := make(chan struct{})
	go func() { ss.running.Wait(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("feed or publisher still running 10 s after Start's context was cancelled")
	}
	if err := ss.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ss.Close(); err != nil {
		t.Fatal(err)
	}
}
