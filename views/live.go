package views

import (
	"context"
	"slices"
	"sync"

	"github.com/chartline/chartline/store"
)

// live is the bridge from the store to the screens: it follows the store's
// change notices on its own goroutine and hands each one to every open
// screen's listener. A listener runs on the bridge goroutine, so it can read
// the store there, off the UI goroutine, and then update its widgets with
// fyne.Do. Notices merge while listeners are busy, so a burst of commits
// costs one re-read, not one per commit.
type live struct {
	mu        sync.Mutex
	next      int
	listeners map[int]func(store.Change)
}

func newLive() *live { return &live{listeners: map[int]func(store.Change){}} }

// listen registers fn for every change notice; the returned function
// unregisters it.
func (l *live) listen(fn func(store.Change)) (stop func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	id := l.next
	l.next++
	l.listeners[id] = fn
	return func() {
		l.mu.Lock()
		delete(l.listeners, id)
		l.mu.Unlock()
	}
}

// dispatch hands one change to every listener, in registration order.
func (l *live) dispatch(c store.Change) {
	l.mu.Lock()
	ids := make([]int, 0, len(l.listeners))
	for id := range l.listeners {
		ids = append(ids, id)
	}
	fns := make([]func(store.Change), 0, len(ids))
	slices.Sort(ids)
	for _, id := range ids {
		fns = append(fns, l.listeners[id])
	}
	l.mu.Unlock()
	for _, fn := range fns {
		fn(c)
	}
}

// run follows a subscription's notices until ctx ends or the store closes,
// then closes it. Subscribe before the screens first read the store, so no
// commit falls between their read and the first notice.
func (l *live) run(ctx context.Context, sub *store.Subscription) {
	defer sub.Close()
	for {
		c, err := sub.Next(ctx)
		if err != nil {
			return
		}
		l.dispatch(c)
	}
}
