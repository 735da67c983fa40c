package feed

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/chartline/chartline/store"
)

// State is the feed's connection state as the status bar shows it.
type State string

// Connection states.
const (
	Connecting State = "connecting" // no answer from the cluster yet
	CatchingUp State = "catching up"
	Live       State = "live"    // connected and within LiveLag records of the end
	Offline    State = "offline" // the cluster stopped answering; reads keep working
)

// LiveLag is the total lag, in records, under which the feed counts as live
// rather than catching up.
const LiveLag = 100

// PartitionLag is one partition's position.
type PartitionLag struct {
	Next      int64 // next offset to consume (what the store holds)
	HighWater int64 // end of the log at the last look
}

// Lag is how many records the partition is behind.
func (p PartitionLag) Lag() int64 { return max(0, p.HighWater-p.Next) }

// Status is a snapshot of the feed for the status bar and the CLI.
type Status struct {
	State   State
	Since   time.Time // when State began (for "offline since T")
	Brokers []string
	// Lag is the total number of records not yet materialised.
	Lag        int64
	Partitions map[store.TopicPartition]PartitionLag
	// Progress is the share of the current catch-up done, 0..1; 1 when live.
	Progress float64
	// Applied counts records materialised this session, Resources those that
	// were resources or tombstones, Quarantined those refused. (Several
	// versions of one key in a batch count once each, though only the last is
	// written, as compaction would keep it.)
	Applied, Resources, Quarantined int64
	// Skipped lists topics the cluster refused us (authorization) and why.
	Skipped map[string]string
	// Err is the last connection or fetch error, if any.
	Err string
	// Passes counts the successful topic discoveries: after the first, every
	// topic that existed then is in Partitions.
	Passes int
	// Cluster is the cluster read now, Primary or Failover; HasFailover
	// whether a failover cluster is configured at all; Switches how many
	// times the feed changed clusters this session.
	Cluster     string
	HasFailover bool
	Switches    int
	// Waiting lists the partitions whose stored offset (the value) is past
	// the live cluster's log end: mirroring lag on a failover cluster. They
	// are not read until the mirror reaches that offset.
	Waiting map[store.TopicPartition]int64
	// Census is the census list followed ("" for every patient topic),
	// Followed how many patients are on it, CensusPending how many of
	// those have a topic not read yet (an admission waits for the next
	// discovery pass).
	Census        string
	Followed      int
	CensusPending int
}

// Connected reports whether the cluster is answering.
func (s Status) Connected() bool { return s.State == Live || s.State == CatchingUp }

// CaughtUp reports whether the store holds everything on a topic (as of the
// last look at its end): connected, discovered, and no partition behind.
// A topic the cluster does not have counts as caught up.
func (s Status) CaughtUp(topic string) bool {
	if !s.Connected() || s.Passes == 0 {
		return false
	}
	for tp, p := range s.Partitions {
		if tp.Topic == topic && p.Lag() > 0 {
			return false
		}
	}
	return true
}

// String is the one-line form the CLI prints to stderr. With a failover
// cluster configured it starts with the cluster read ("[failover] ").
func (s Status) String() string {
	if s.HasFailover {
		w := ""
		if len(s.Waiting) > 0 {
			w = fmt.Sprintf(", %d partitions waiting for the mirror", len(s.Waiting))
		}
		return "[" + s.Cluster + "] " + s.line() + w
	}
	return s.line()
}

func (s Status) line() string {
	switch s.State {
	case Offline:
		return fmt.Sprintf("offline since %s (%s): %d records applied", s.Since.Format("15:04:05"), s.Err, s.Applied)
	case CatchingUp:
		return fmt.Sprintf("catching up: %d behind (%.0f%%), %d records applied", s.Lag, s.Progress*100, s.Applied)
	default:
		return fmt.Sprintf("%s: %d behind, %d records applied", s.State, s.Lag, s.Applied)
	}
}

// TopicLags sums the lag per topic, largest first (for a lag table).
func (s Status) TopicLags() []TopicLag {
	m := map[string]int64{}
	for tp, p := range s.Partitions {
		m[tp.Topic] += p.Lag()
	}
	out := make([]TopicLag, 0, len(m))
	for t, l := range m {
		out = append(out, TopicLag{Topic: t, Lag: l})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Lag != out[j].Lag {
			return out[i].Lag > out[j].Lag
		}
		return out[i].Topic < out[j].Topic
	})
	return out
}

// TopicLag is one topic's total lag.
type TopicLag struct {
	Topic string
	Lag   int64
}

// tracker keeps the status and tells watchers when it changes.
type tracker struct {
	mu       sync.Mutex
	st       Status
	base     int64 // lag when the current catch-up began
	done     int64 // records applied since then
	watchers map[chan Status]struct{}
}

func newTracker(brokers []string) *tracker {
	return &tracker{
		st: Status{State: Connecting, Since: time.Now(), Brokers: brokers,
			Partitions: map[store.TopicPartition]PartitionLag{}, Skipped: map[string]string{}},
		watchers: map[chan Status]struct{}{},
	}
}

func (t *tracker) snapshot() Status {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.copyLocked()
}

func (t *tracker) copyLocked() Status {
	s := t.st
	s.Partitions = make(map[store.TopicPartition]PartitionLag, len(t.st.Partitions))
	for k, v := range t.st.Partitions {
		s.Partitions[k] = v
	}
	s.Skipped = make(map[string]string, len(t.st.Skipped))
	for k, v := range t.st.Skipped {
		s.Skipped[k] = v
	}
	s.Brokers = append([]string(nil), t.st.Brokers...)
	if t.st.Waiting != nil {
		s.Waiting = make(map[store.TopicPartition]int64, len(t.st.Waiting))
		for k, v := range t.st.Waiting {
			s.Waiting[k] = v
		}
	}
	return s
}

// update changes the status under the lock, recomputes lag, state and
// progress, and tells every watcher (latest value wins; never blocks).
func (t *tracker) update(fn func(s *Status)) {
	t.mu.Lock()
	prev := t.st.State
	fn(&t.st)
	var lag int64
	for _, p := range t.st.Partitions {
		lag += p.Lag()
	}
	t.st.Lag = lag
	// fn sets Offline or Connecting, or Live to say "connected": once
	// connected, the lag decides between live and catching up.
	if t.st.State == Live || t.st.State == CatchingUp {
		if lag > LiveLag {
			t.st.State = CatchingUp
		} else {
			t.st.State = Live
		}
	}
	switch {
	case t.st.State == CatchingUp && prev != CatchingUp:
		t.base, t.done = lag, 0
	case t.st.State == CatchingUp && lag > t.base-t.done:
		t.base = t.done + lag // more arrived meanwhile
	}
	if t.st.State == CatchingUp && t.base > 0 {
		t.st.Progress = min(1, float64(t.done)/float64(t.base))
	} else if t.st.State == Live {
		t.st.Progress = 1
	}
	if t.st.State != prev {
		t.st.Since = time.Now()
	}
	s := t.copyLocked()
	for w := range t.watchers {
		select {
		case <-w: // drop the stale value
		default:
		}
		select {
		case w <- s:
		default:
		}
	}
	t.mu.Unlock()
}

func (t *tracker) applied(n int64) {
	t.mu.Lock()
	t.done += n
	t.mu.Unlock()
}

func (t *tracker) watch() (<-chan Status, func()) {
	ch := make(chan Status, 1)
	t.mu.Lock()
	t.watchers[ch] = struct{}{}
	ch <- t.copyLocked()
	t.mu.Unlock()
	return ch, func() {
		t.mu.Lock()
		delete(t.watchers, ch)
		t.mu.Unlock()
	}
}
