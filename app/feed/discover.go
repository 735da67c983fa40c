package feed

import (
	"context"
	"errors"
	"maps"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/store"
)

// Topic discovery: the feed's own regex subscription (see the package doc).

// wanted reports whether a topic is one of Chartline's that this feed
// reads: a shared topic, the census list's, or a patient topic (with a
// census list, of a patient on it).
func (f *Feed) wanted(topic string) bool {
	if f.shared[topic] {
		return true
	}
	if f.o.Census != "" && topic == f.o.Topics.Census(f.o.Census) {
		return true
	}
	return f.patient.MatchString(topic) && f.follows(topic)
}

func (f *Feed) discoverLoop(ctx context.Context, c *cluster) {
	t := time.NewTicker(f.o.Discover)
	defer t.Stop()
	for {
		f.discoverOnce(ctx, c)
		select {
		case f.discover <- struct{}{}:
		default:
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// discoverOnce lists topics, starts consuming new ones at their stored
// offsets, and refreshes the log end offsets for the lag figures. Between
// mirrored clusters (a failover is configured) a partition whose stored
// offset is past this cluster's log end is not started: it waits, reported
// in Status.Waiting, until the mirror has caught up.
func (f *Feed) discoverOnce(ctx context.Context, c *cluster) {
	timeout := max(5*time.Second, 3*f.o.Discover)
	lctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	details, err := c.adm.ListTopics(lctx)
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		c.failures++
		f.tr.update(func(s *Status) {
			s.Err = err.Error()
			// One slow answer from a busy cluster is not an outage: offline
			// is declared on the second failed pass in a row.
			if s.State != Offline && (c.failures >= 2 || s.State == Connecting) {
				s.State, s.Since = Offline, time.Now()
				f.o.Log.Warn("cluster unreachable; working offline", "cluster", c.name, "err", err)
			}
		})
		return
	}
	c.failures = 0
	c.answer()
	var topics []string
	stored, err := f.o.Store.Offsets()
	if err != nil {
		f.o.Log.Error("read stored offsets", "err", err)
		return
	}
	skipped := f.Status().Skipped
	for name, d := range details {
		if !f.wanted(name) {
			continue
		}
		if d.Err != nil {
			if errors.Is(d.Err, kerr.TopicAuthorizationFailed) {
				if _, done := skipped[name]; !done {
					f.skip(c, name, "not authorized to read (cluster ACL)")
				}
			}
			continue
		}
		if _, done := skipped[name]; done {
			continue
		}
		topics = append(topics, name)
	}

	var ends, starts kadm.ListedOffsets
	if len(topics) > 0 {
		if ends, err = c.adm.ListEndOffsets(lctx, topics...); err == nil {
			starts, err = c.adm.ListStartOffsets(lctx, topics...)
		}
		if err != nil && ctx.Err() == nil {
			f.o.Log.Warn("list offsets", "err", err)
		}
	}
	add, waiting, pending := f.startable(c, topics, details, stored, ends, starts, err)
	if len(add) > 0 {
		c.cl.AddConsumePartitions(add)
	}
	f.unfollow(c)

	f.passDone(c, topics, stored, ends, starts, waiting, pending, err)
}

// startable picks the partitions of topics not consumed yet and the offsets
// they start at (marking them consumed), the partitions waiting for a
// mirror, and how many census patients' topics exist but are not read yet.
func (f *Feed) startable(c *cluster, topics []string, details kadm.TopicDetails, stored map[store.TopicPartition]int64,
	ends, starts kadm.ListedOffsets, err error) (add map[string]map[int32]kgo.Offset, waiting map[store.TopicPartition]int64, pending int) {
	guard := f.o.Conn.HasFailover()
	add = map[string]map[int32]kgo.Offset{}
	f.mu.Lock()
	for _, name := range topics {
		for p := range details[name].Partitions {
			if c.consuming[name][p] {
				continue
			}
			tp := store.TopicPartition{Topic: name, Partition: p}
			off := kgo.NewOffset().AtStart()
			if next, ok := stored[tp]; ok {
				if guard {
					end, ok := ends.Lookup(name, p)
					if err != nil || !ok || end.Err != nil {
						continue // no log end seen: try again next pass
					}
					if end.Offset < next {
						if _, known := c.waiting[tp]; !known {
							f.o.Log.Warn("stored offset is past this cluster's log end (mirroring lag): waiting for the mirror, nothing skipped",
								"cluster", c.name, "topic", f.redact(name), "partition", p, "stored", next, "end", end.Offset)
						}
						c.waiting[tp] = next
						continue
					}
					if _, was := c.waiting[tp]; was {
						f.o.Log.Info("the mirror has reached the stored offset; resuming", "cluster", c.name, "topic", f.redact(name), "partition", p)
						delete(c.waiting, tp)
					}
					// Compaction or retention passed the stored offset: what
					// is left starts at the log start (with NoResetOffset, an
					// offset below it would be out of range for ever).
					if st, ok := starts.Lookup(name, p); ok && st.Err == nil && st.Offset > next {
						next = st.Offset
					}
				}
				off = kgo.NewOffset().At(next)
				c.expected[tp] = next
			}
			if c.consuming[name] == nil {
				c.consuming[name] = map[int32]bool{}
			}
			c.consuming[name][p] = true
			if add[name] == nil {
				add[name] = map[int32]kgo.Offset{}
			}
			add[name][p] = off
		}
	}
	waiting = maps.Clone(c.waiting)
	pending = 0 // census patients whose topic exists but is not read yet
	for id := range f.followed {
		topic := f.o.Topics.Patient(id)
		if _, exists := details[topic]; exists && len(c.consuming[topic]) == 0 {
			pending++
		}
	}
	f.mu.Unlock()
	return add, waiting, pending
}

// passDone reports a discovery pass in the status: connected again, the
// waiting partitions, and every partition's log end and start.
func (f *Feed) passDone(c *cluster, topics []string, stored map[store.TopicPartition]int64, ends, starts kadm.ListedOffsets,
	waiting map[store.TopicPartition]int64, pending int, err error) {
	f.tr.update(func(s *Status) {
		if s.State == Offline || s.State == Connecting {
			if s.State == Offline {
				f.o.Log.Info("cluster reachable again; catching up", "cluster", c.name)
			}
			s.State = Live // update() settles live vs catching up by the lag
		}
		s.Err = ""
		s.Waiting = waiting
		s.CensusPending = pending
		if len(topics) == 0 || err == nil {
			s.Passes++ // a pass counts once it has seen the log ends
		}
		ends.Each(func(o kadm.ListedOffset) {
			if o.Err != nil {
				return
			}
			tp := store.TopicPartition{Topic: o.Topic, Partition: o.Partition}
			pl, ok := s.Partitions[tp]
			if !ok {
				pl.Next = stored[tp]
			}
			if st, ok := starts.Lookup(o.Topic, o.Partition); ok && st.Err == nil && pl.Next < st.Offset {
				if pl.Next > 0 {
					f.o.Log.Info("stored offset is below the log start (compaction or retention passed it); resuming from the log start",
						"topic", f.redact(o.Topic), "partition", o.Partition)
				}
				pl.Next = st.Offset // nothing before the log start can be fetched
			}
			pl.HighWater = o.Offset
			s.Partitions[tp] = pl
		})
	})
}

// WaitCaughtUp returns once every partition that exists has been
// materialised up to the log end a discovery pass saw after the call (new
// records arriving meanwhile do not move the target), or ctx ends.
func (f *Feed) WaitCaughtUp(ctx context.Context) error {
	// Wait for a discovery pass that started after the call: the second one
	// to finish from now (the first may have listed the topics before the
	// call). A signal left in the channel by an older pass is not one.
	passes := f.Status().Passes
	for f.Status().Passes < passes+2 {
		select {
		case <-f.discover:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	var target map[store.TopicPartition]int64
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		s := f.Status()
		if s.Connected() && s.Passes > 0 {
			if target == nil {
				target = make(map[store.TopicPartition]int64, len(s.Partitions))
				for tp, p := range s.Partitions {
					target[tp] = p.HighWater
				}
			}
			if f.o.Census != "" {
				// Census patients' topics are added as the list is read:
				// each counts once a pass has started it.
				for tp, p := range s.Partitions {
					if _, ok := target[tp]; !ok {
						target[tp] = p.HighWater
					}
				}
			}
			done := s.CensusPending == 0
			for tp, hw := range target {
				p, ok := s.Partitions[tp]
				if ok && p.Next < hw { // a partition gone (skipped) no longer counts
					done = false
					break
				}
			}
			if done {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
