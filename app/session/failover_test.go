package session

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/config"
	"github.com/chartline/chartline/app/feed"
	"github.com/chartline/chartline/app/jsontime"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/testenv"
)

// After a switch to the failover cluster the outbox publishes there: an
// AuditEvent written while the failover is live lands on its spv.audit,
// once.
func TestOutboxPublishesToTheLiveCluster(t *testing.T) {
	primary := testenv.New(t, kafka.BrokerOptions{})
	failover := testenv.New(t, kafka.BrokerOptions{})
	patient := `{"resourceType":"Patient","id":"ob-1","gender":"female","birthDate":"1966-06-06"}`
	for _, e := range []*testenv.Env{primary, failover} {
		e.Produce(&kgo.Record{Topic: "fhir.patient.ob-1", Key: []byte("Patient/ob-1"), Value: []byte(patient)})
	}
	s := testenv.OpenStore(t, testenv.StorePath(t))
	cfg := config.Default()
	cfg.Conn = primary.Broker.Conn()
	cfg.Conn.Failover = failover.Broker.Conn().Brokers
	cfg.FailoverAfter = jsontime.Duration(time.Second)
	cfg.Topics = primary.Topics
	ss, err := Start(context.Background(), cfg, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ss.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := ss.WaitCaughtUp(ctx); err != nil {
		t.Fatal(err)
	}

	primary.Broker.Close()
	testenv.Eventually(t, 15*time.Second, "failover live", func() bool {
		st := ss.Status()
		return st.Cluster == feed.Failover && st.Connected()
	})
	if err := ss.Engine().ChartOpened("ob-1"); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 15*time.Second, "outbox empty", func() bool {
		items, err := s.Outbox()
		return err == nil && len(items) == 0
	})
	if got := failover.Consume(failover.Topics.Audit); len(got) != 1 {
		t.Fatalf("%d AuditEvents on the failover's spv.audit, want 1", len(got))
	}
}
