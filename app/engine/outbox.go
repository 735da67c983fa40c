package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/store"
)

// HeaderID is the record header carrying an outbox item's id.
const HeaderID = "chartline-id"

// Ready reports whether the store holds everything already on a topic (the
// feed has caught up on it), so the publisher can tell what an earlier run
// already published.
type Ready func(topic string) bool

// Publish publishes the outbox until ctx ends: every queued alert action and
// AuditEvent is produced, and removed from the outbox once the broker has
// acknowledged it.
//
// Exactly once: an item is produced as soon as it is queued. An item that may
// already be on the topic (it was queued before this run started, so a crash
// may have come between the acknowledgement and its removal; or an attempt
// failed, which may have been delivered all the same) is first checked
// against what the feed consumed back from the topic, once the feed has
// caught up on it (ready): an alert state is on spv.alert-state when the
// alert's latest state there holds every action of this workstation the item
// carries; an
// AuditEvent is on spv.audit when the store holds it. Only items not found
// are produced again.
//
// A repair (see repair) is always checked before it is produced, since it is
// derived from what the feed has consumed, which may lag behind what this
// workstation has already published: it waits until the store holds the
// record this run last published under the alert's key, and is dropped when
// the topic's latest state already holds every action of this workstation.
func (e *Engine) Publish(ctx context.Context, cl *kgo.Client, ready Ready) error {
	sub := e.s.Subscribe()
	defer sub.Close()
	items, err := e.s.Outbox()
	if err != nil {
		return err
	}
	p := &publishing{verify: map[uint64]bool{}, acked: map[string]store.Source{}}
	for _, it := range items {
		p.verify[it.Seq] = true
	}
	backoff := time.Second
	for {
		progress, waiting, err := e.publishOnce(ctx, cl, ready, p)
		if err != nil && !errors.Is(err, context.Canceled) {
			if errors.Is(err, store.ErrClosed) {
				return nil
			}
			e.opt().Log.Warn("outbox: publish failed; will retry", "err", err)
		}
		wait := backoff
		switch {
		case progress:
			backoff = time.Second
		case err != nil:
			backoff = min(2*backoff, 30*time.Second)
		case waiting:
			wait = 250 * time.Millisecond // the feed is catching up
		default:
			wait = 30 * time.Second // idle: a change notice wakes us
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-sub.Done():
			t.Stop()
			return nil
		case <-sub.Ready():
			sub.Take()
		case <-t.C:
		}
		t.Stop()
	}
}

// publishing is what a run of Publish remembers between passes.
type publishing struct {
	verify map[uint64]bool         // items that may already be published
	acked  map[string]store.Source // topic and key -> the last record this run published under it
}

func ackedKey(topic string, key []byte) string { return topic + "\x00" + string(key) }

// publishOnce handles the outbox as it stands. progress is true when an item
// was published or dropped as already published; waiting when an item waits
// for the feed to catch up.
func (e *Engine) publishOnce(ctx context.Context, cl *kgo.Client, ready Ready, p *publishing) (progress, waiting bool, err error) {
	items, err := e.s.Outbox()
	if err != nil || len(items) == 0 {
		return false, false, err
	}
	var send []store.OutboxItem
	var done []uint64
	for _, it := range items {
		if p.verify[it.Seq] || isRepair(it) {
			if !ready(it.Topic) {
				waiting = true
				continue
			}
			after, sent := p.acked[ackedKey(it.Topic, it.Key)]
			if !sent {
				after.Offset = -1
			}
			on, lag, err := e.onTopic(it, after)
			if err != nil {
				return false, waiting, err
			}
			if lag {
				waiting = true
				continue
			}
			delete(p.verify, it.Seq)
			if on {
				done = append(done, it.Seq)
				continue
			}
		}
		send = append(send, it)
	}
	if len(send) > 0 {
		recs := make([]*kgo.Record, len(send))
		for i, it := range send {
			recs[i] = &kgo.Record{Topic: it.Topic, Key: it.Key, Value: it.Value,
				Headers: []kgo.RecordHeader{{Key: HeaderID, Value: []byte(it.ID)}, {Key: "content-type", Value: []byte(contentType(it.Topic, e))}}}
		}
		pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		results := cl.ProduceSync(pctx, recs...)
		cancel()
		for i, r := range results {
			if r.Err != nil {
				p.verify[send[i].Seq] = true // it may have reached the broker all the same
				err = fmt.Errorf("produce to %s: %w", send[i].Topic, r.Err)
				continue
			}
			p.acked[ackedKey(send[i].Topic, send[i].Key)] = store.Source{Topic: r.Record.Topic, Partition: r.Record.Partition, Offset: r.Record.Offset}
			done = append(done, send[i].Seq)
		}
	}
	if len(done) > 0 {
		if _, aerr := e.s.Apply(&store.Batch{Dequeue: done}); aerr != nil {
			return false, waiting, aerr
		}
		progress = true
	}
	return progress, waiting, err
}

func contentType(topic string, e *Engine) string {
	if topic == e.opt().Topics.Audit {
		return "application/fhir+json"
	}
	return "application/json"
}

// isRepair reports whether an outbox item is a repair of an alert's state.
func isRepair(it store.OutboxItem) bool { return strings.HasPrefix(it.ID, repairPrefix+"-") }

// onTopic reports whether an outbox item is already on its topic, as far as
// the store (fed by the feed) shows. after is the last record this run
// published under the item's key (offset -1: none); lag reports that the
// store has not consumed it yet, so the answer must wait. An alert state is
// on the topic when the latest state there holds every action of this
// workstation the item carries (each workstation restores its own actions;
// see repair); an AuditEvent when the store holds it.
func (e *Engine) onTopic(it store.OutboxItem, after store.Source) (on, lag bool, err error) {
	switch it.Topic {
	case e.opt().Topics.AlertState:
		res, ok, err := e.s.Resource(store.Ref{Collection: store.AlertState, Type: AlertStateType, ID: string(it.Key)})
		if err != nil {
			return false, false, err
		}
		if after.Offset >= 0 && (!ok || res.Meta.Source.Partition == after.Partition && res.Meta.Source.Offset < after.Offset) {
			return false, true, nil
		}
		if !ok {
			return false, false, nil
		}
		st, err := clinical.ParseAlertState(res.JSON)
		if err != nil {
			return false, false, nil
		}
		// On the topic when the latest state there holds every action of
		// this workstation the item carries: publishing it again would add
		// nothing this workstation must restore.
		mine, err := clinical.ParseAlertState(it.Value)
		if err != nil {
			return false, false, nil
		}
		for _, a := range mine.Actions {
			if a.Workstation != e.opt().Workstation {
				continue
			}
			if !slices.ContainsFunc(st.Actions, func(b clinical.Action) bool { return b.ID == a.ID }) {
				return false, false, nil
			}
		}
		return true, false, nil
	case e.opt().Topics.Audit:
		_, ok, err := e.s.Resource(store.Ref{Collection: store.Audit, Type: "AuditEvent", ID: it.ID})
		return ok, false, err
	}
	return false, false, nil
}
