package feed

// # Failover
//
// A workstation may name a second cluster (kafka.Conn.Failover) whose topics
// mirror the primary's with the same offsets, as Confluent cluster linking
// keeps them. The feed reads one cluster at a time. When the cluster it reads
// has not answered (no topic listing, no fetched record) for FailoverAfter
// (default 15 s), it switches to the other one: the old client is closed,
// every batch already decoded is committed, and the new cluster is read from
// the offsets the store holds, so nothing is skipped or applied twice. The
// status says which cluster is live (Status.Cluster). The feed returns to the
// primary when asked (UseCluster) or when the failover stops answering in its
// turn; it does not fail back by itself while the failover works, since
// failing back is an operator's decision in a disaster-recovery plan.
//
// Mirroring lags: a stored offset may be past the failover's log end for a
// while. Such a partition is not started (and, between mirrored clusters, an
// offset out of range never resets a partition): it waits, listed in
// Status.Waiting and logged once, until the mirror reaches the stored offset.

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/store"
)

// The clusters a feed reads, as Status.Cluster names them.
const (
	Primary  = "primary"
	Failover = "failover"
)

// DefaultFailoverAfter is how long the live cluster may be silent before
// the feed switches to the other one (Options.FailoverAfter).
const DefaultFailoverAfter = 15 * time.Second

// cluster is one cluster the feed reads: its client and the partitions it
// consumes there. A switch makes a new one.
type cluster struct {
	name string // Primary or Failover
	conn kafka.Conn
	cl   *kgo.Client
	adm  *kadm.Client

	// guarded by Feed.mu
	consuming map[string]map[int32]bool
	expected  map[store.TopicPartition]int64 // first offset expected after adding a partition
	waiting   map[store.TopicPartition]int64 // stored offset past this cluster's log end

	failures int           // discovery passes failed in a row (discoverLoop only)
	answered atomic.Int64  // when the cluster last answered, Unix ns
	switched chan struct{} // closed when the feed leaves this cluster
}

// answer notes that the cluster answered now.
func (c *cluster) answer() { c.answered.Store(time.Now().UnixNano()) }

// silent is how long the cluster has not answered.
func (c *cluster) silent() time.Duration { return time.Since(time.Unix(0, c.answered.Load())) }

// UseCluster asks the feed to read Primary or Failover. It returns false
// when there is no such cluster (no failover configured, or another name).
// A request for the cluster already live changes nothing.
func (f *Feed) UseCluster(name string) bool {
	if name != Primary && (name != Failover || !f.o.Conn.HasFailover()) {
		return false
	}
	select {
	case <-f.switchTo: // a newer request replaces an unread one
	default:
	}
	select {
	case f.switchTo <- name:
	default:
	}
	return true
}

// runCluster reads cluster c until ctx ends ("" returned) or the feed is to
// switch (the other cluster's name returned). Its goroutines have ended and
// its client is closed when it returns.
func (f *Feed) runCluster(ctx context.Context, c *cluster, batches chan<- pending) string {
	c.answer() // the silence is counted from now
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{}, 2)
	go func() {
		defer func() { done <- struct{}{} }()
		f.discoverLoop(cctx, c)
	}()
	go func() {
		defer func() { done <- struct{}{} }()
		f.pollLoop(cctx, c, batches)
	}()
	tick := time.NewTicker(min(250*time.Millisecond, f.o.FailoverAfter/4))
	defer tick.Stop()
	next := ""
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case name := <-f.switchTo:
			if name != c.name {
				f.o.Log.Warn("switching clusters on request", "from", c.name, "to", name)
				next = name
				break loop
			}
		case <-tick.C:
			if f.o.Conn.HasFailover() && c.silent() >= f.o.FailoverAfter {
				next = Failover
				if c.name == Failover {
					next = Primary
				}
				f.o.Log.Warn("cluster silent; switching to the other one", "from", c.name, "to", next, "silent", c.silent().Round(time.Second))
				break loop
			}
		}
	}
	cancel()
	// Close the client before waiting: a request to a broker that accepted
	// the connection but never answers ignores its context and would hold
	// the discovery until the connection dies.
	c.cl.Close()
	<-done
	<-done
	return next
}

// drain waits until every batch already handed to the apply loop is
// committed, so the next cluster starts from what the store holds. It
// reports false when ctx ended first.
func (f *Feed) drain(ctx context.Context, batches chan<- pending) bool {
	done := make(chan struct{})
	select {
	case batches <- pending{done: done}:
	case <-ctx.Done():
		return false
	}
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}

// setLive makes c the cluster read and said live. The status is not
// connected until c's first discovery pass (an offline status keeps its
// time), so nothing counts as caught up on the strength of the old cluster.
func (f *Feed) setLive(c *cluster) {
	f.mu.Lock()
	old := f.live
	f.live = c
	f.mu.Unlock()
	close(old.switched)
	f.tr.update(func(s *Status) {
		s.Cluster, s.Brokers = c.name, append([]string(nil), c.conn.Brokers...)
		s.Switches++
		s.Waiting = nil
		if s.State != Offline {
			s.State, s.Since = Connecting, time.Now()
		}
	})
}

// outOfRange handles a partition the cluster says its offset is out of
// range for, between mirrored clusters: it is not reset but stopped, and the
// next discovery pass starts it again at the stored offset once the log
// reaches it (waiting meanwhile).
func (f *Feed) outOfRange(c *cluster, topic string, part int32) {
	f.mu.Lock()
	delete(c.consuming[topic], part)
	f.mu.Unlock()
	c.cl.RemoveConsumePartitions(map[string][]int32{topic: {part}})
	f.o.Log.Warn("offset out of range on a mirrored cluster: the partition waits, nothing is reset",
		"cluster", c.name, "topic", f.redact(topic), "partition", part)
}
