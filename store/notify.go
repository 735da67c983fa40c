package store

import (
	"context"
	"sync"
)

// Subscription receives the store's change notices. Notices are merged while
// the subscriber is busy, so the writer never waits and nothing is lost: a
// subscriber that falls behind gets one Change covering everything since it
// last took one.
type Subscription struct {
	s       *Store
	mu      sync.Mutex
	pending Change
	has     bool
	ready   chan struct{} // holds one token while a change is pending
	done    chan struct{}
	once    sync.Once
}

// Subscribe starts receiving change notices. Call Close when done.
func (s *Store) Subscribe() *Subscription {
	sub := &Subscription{s: s, ready: make(chan struct{}, 1), done: make(chan struct{})}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		sub.end()
		return sub
	}
	s.subs[sub] = struct{}{}
	return sub
}

// Ready is signalled when a change is pending; then call Take.
func (sub *Subscription) Ready() <-chan struct{} { return sub.ready }

// Done is closed when the subscription or the store is closed.
func (sub *Subscription) Done() <-chan struct{} { return sub.done }

// Take returns the pending change (merged) and clears it; ok is false when
// nothing is pending.
func (sub *Subscription) Take() (Change, bool) {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	if !sub.has {
		return Change{}, false
	}
	c := sub.pending
	sub.pending, sub.has = Change{}, false
	return c, true
}

// Next waits for the next change. It returns ctx.Err() when ctx ends and
// ErrClosed when the subscription or store closes.
func (sub *Subscription) Next(ctx context.Context) (Change, error) {
	for {
		if c, ok := sub.Take(); ok {
			return c, nil
		}
		select {
		case <-ctx.Done():
			return Change{}, ctx.Err()
		case <-sub.done:
			if c, ok := sub.Take(); ok {
				return c, nil
			}
			return Change{}, ErrClosed
		case <-sub.ready:
		}
	}
}

// Close stops the subscription.
func (sub *Subscription) Close() {
	sub.s.mu.Lock()
	delete(sub.s.subs, sub)
	sub.s.mu.Unlock()
	sub.end()
}

func (sub *Subscription) end() { sub.once.Do(func() { close(sub.done) }) }

func (sub *Subscription) offer(c Change) {
	sub.mu.Lock()
	if sub.has {
		sub.pending.merge(c)
	} else {
		sub.pending, sub.has = c.clone(), true
	}
	sub.mu.Unlock()
	select {
	case sub.ready <- struct{}{}:
	default:
	}
}

func (s *Store) publish(c Change) {
	s.mu.Lock()
	subs := make([]*Subscription, 0, len(s.subs))
	for sub := range s.subs {
		subs = append(subs, sub)
	}
	s.mu.Unlock()
	for _, sub := range subs {
		sub.offer(c)
	}
}

// clone deep-copies the maps so subscribers never share them.
func (c Change) clone() Change {
	out := c
	out.Collections = nil
	out.NewPatients = append([]string(nil), c.NewPatients...)
	out.Docs, out.DocPatients, out.Statuses, out.Keys = nil, nil, nil, nil
	out.merge(Change{Collections: c.Collections, Keys: c.Keys, Docs: c.Docs, DocPatients: c.DocPatients, Statuses: c.Statuses})
	return out
}

// merge folds a later change into c.
func (c *Change) merge(o Change) {
	c.Seq = max(c.Seq, o.Seq)
	if o.Committed.After(c.Committed) {
		c.Committed = o.Committed
	}
	c.mergeKeys(o)
	for col, types := range o.Collections {
		if c.Collections == nil {
			c.Collections = map[string]Types{}
		}
		t := c.Collections[col]
		if t == nil {
			t = Types{}
			c.Collections[col] = t
		}
		for k := range types {
			t[k] = struct{}{}
		}
	}
	c.NewPatients = append(c.NewPatients, o.NewPatients...)
	c.Docs = mergeSet(c.Docs, o.Docs)
	c.DocPatients = mergeSet(c.DocPatients, o.DocPatients)
	c.Statuses = mergeSet(c.Statuses, o.Statuses)
	c.Quarantined += o.Quarantined
	c.Offsets = c.Offsets || o.Offsets
	c.Outbox = c.Outbox || o.Outbox
	c.Records += o.Records
}

func mergeSet(a, b map[string]bool) map[string]bool {
	for k, v := range b {
		if a == nil {
			a = map[string]bool{}
		}
		a[k] = a[k] || v
	}
	return a
}

// mergeKeys folds a later change's Keys into c's, before its Collections
// are: a collection stays named key by key only while every merged change
// named its keys and they number at most MaxChangeKeys.
func (c *Change) mergeKeys(o Change) {
	for col := range o.Collections {
		prev, had := c.Keys[col]
		_, named := c.Collections[col]
		keys, known := o.Keys[col]
		if !known || named && !had || len(prev)+len(keys) > MaxChangeKeys {
			delete(c.Keys, col) // too many, or not known: re-read whole
			continue
		}
		if c.Keys == nil {
			c.Keys = map[string][]Ref{}
		}
		c.Keys[col] = append(prev[:len(prev):len(prev)], keys...)
	}
}

// changeKeys lists, per collection a commit changed, the resources it put
// or deleted (a tombstone for a key never held is named too: a reader finds
// it absent), leaving out a collection with more than MaxChangeKeys.
func changeKeys(b *Batch, changed map[string]Types) map[string][]Ref {
	keys := map[string][]Ref{}
	many := map[string]bool{}
	note := func(r Ref) {
		if changed[r.Collection] == nil || many[r.Collection] {
			return
		}
		if len(keys[r.Collection]) == MaxChangeKeys {
			delete(keys, r.Collection)
			many[r.Collection] = true
			return
		}
		keys[r.Collection] = append(keys[r.Collection], r)
	}
	for i := range b.Puts {
		note(b.Puts[i].Ref)
	}
	for _, d := range b.Deletes {
		note(d)
	}
	return keys
}
