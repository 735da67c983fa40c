package views

import (
	"fmt"
	"strings"
	"time"

	"github.com/chartline/chartline/app/feed"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// statusBar keeps the window's status bar: the feed's connection state,
// brokers, lag and catch-up progress (from the session's status watch) and
// the store's count of quarantined records (re-read when a change notice
// says records were quarantined).
type statusBar struct {
	e   *env
	bar *ui.StatusBar

	// Read and written on the UI goroutine only.
	feed        feed.Status
	hasFeed     bool
	quarantined int
}

func newStatusBar(e *env) *statusBar {
	return &statusBar{e: e, bar: ui.NewStatusBar()}
}

// start reads the quarantine count and follows changes to it.
func (b *statusBar) start() {
	b.e.async(b.readQuarantine)
	b.e.live.listen(func(c store.Change) {
		if c.Quarantined > 0 {
			b.readQuarantine()
		}
	})
}

// readQuarantine reads the count off the UI goroutine and shows it.
func (b *statusBar) readQuarantine() {
	n := b.e.store.QuarantineCount()
	b.e.do(func() {
		b.quarantined = n
		b.show()
	})
}

// setFeed shows a new feed status; it may be called from any goroutine.
// The notifier holds its notices while the feed catches up.
func (b *statusBar) setFeed(st feed.Status) {
	b.e.notifier.feedState(st.State == feed.CatchingUp)
	flipped := b.e.offline.Swap(st.State == feed.Offline) != (st.State == feed.Offline)
	b.e.do(func() {
		if flipped && b.e.patient != nil {
			b.e.patient.reload() // its scores now read "as of" their data, or no longer
		}
		b.feed, b.hasFeed = st, true
		b.show()
	})
}

func (b *statusBar) show() {
	v := ui.StatusView{State: "Not connected", Level: ui.StatusBad}
	if b.hasFeed {
		v = statusView(b.feed, b.e.now(), b.e.loc)
	}
	v.Quarantined = b.quarantined
	b.bar.Set(v)
}

// statusView puts a feed status into words for the status bar.
func statusView(st feed.Status, now time.Time, loc *time.Location) ui.StatusView {
	v := ui.StatusView{}
	if len(st.Brokers) > 0 {
		label := "Broker: "
		if len(st.Brokers) > 1 {
			label = "Brokers: "
		}
		if st.HasFailover { // which of the linked clusters is live
			label = "Primary cluster: "
			if st.Cluster == feed.Failover {
				label = "FAILOVER cluster: "
			}
		}
		v.Brokers = label + strings.Join(st.Brokers, ", ")
	}

	lag := func() string {
		switch st.Lag {
		case 0:
			return "Up to date"
		case 1:
			return "Lag: 1 record"
		}
		return "Lag: " + ui.Thousands(st.Lag) + " records"
	}
	switch st.State {
	case feed.Live:
		v.Level, v.State, v.Lag = ui.StatusOK, "Live", lag()
	case feed.CatchingUp:
		v.Level, v.State, v.Lag = ui.StatusBusy, "Catching up", lag()
		v.ShowProgress, v.Progress = true, min(1, max(0, st.Progress))
		v.Detail = fmt.Sprintf("%d%% done", progressPercent(v.Progress))
	case feed.Offline:
		v.Level, v.State = ui.StatusBad, "Offline since "+sinceText(st.Since, now, loc)
		v.Detail = "showing stored data"
	default:
		v.Level, v.State = ui.StatusBusy, "Connecting…"
		if st.Err != "" {
			v.Detail = "last error: " + st.Err
		}
	}
	if n := len(st.Waiting); n > 0 && v.Detail == "" {
		v.Detail = fmt.Sprintf("%d partitions waiting for the failover's mirror", n)
	}
	return v
}

// progressPercent is a progress ratio (0..1) in whole percent, cut down
// the way Fyne's progress bar writes its own figure, so "Catching up — 2%
// done" and the bar beside it never disagree (2.9 % is 2 on both).
func progressPercent(ratio float64) int { return int(ratio * 100) }

// sinceText writes when a state began: "14:02" today, "22 Nov 14:02" before.
func sinceText(t, now time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "start"
	}
	t, now = t.In(loc), now.In(loc)
	if y, m, d := t.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return t.Format("15:04")
	}
	return t.Format("2 Jan 15:04")
}
