package engine

import (
	"bytes"
	"fmt"
	"slices"
	"time"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/store"
)

// Early-warning episodes: the engine scores every observation set of a
// patient (not only the latest), splits the series into episodes
// (clinical.Episodes) and keeps one alert per episode, so the alerts are a
// pure function of the patient's topic, spv.alert-state and the clock: the
// same on every workstation, whatever order the records arrived in.

// seriesCache keeps a patient's score series between evaluations, so a new
// set scores one point rather than the whole history. It is memory only: a
// restart rebuilds it once per patient.
type seriesCache struct {
	sig    string               // options and goals the points were scored with
	seen   map[string]seenEntry // each vital sign scored (by Observation id): its feed offset and time
	points []clinical.ScorePoint
	// gen is the generation of the patient's Observation cache the series
	// was last brought up to (0: none), and order its vital signs' indices
	// in it, by time (then index).
	gen   uint64
	order []int32
}

type seenEntry struct {
	off int64
	at  time.Time
}

// ringSize is how many of the newest readings of each code are kept for
// scoring a set: NEWS2 uses the newest usable one, so three leave room for
// readings that cannot be used (entered in error, no value).
const ringSize = 3

// scoreKinds are the early-warning scores the engine keeps episodes of. Each
// scorer returns the point of the set at t from the readings given (the
// newest few of each code, none after t). PEWS joins here with its own scorer
// and vital-sign test.
type scoreKind struct {
	kind  string
	sig   string // what else the scorer depends on (a child's birth date), so a change rescoring all sets
	vital func(it *store.Item) bool
	score func(items, goals []store.Item, opts clinical.NEWS2Options, t time.Time) (clinical.ScorePoint, bool)
}

var news2Kind = scoreKind{
	kind:  clinical.ScoreNEWS2,
	vital: clinical.NEWS2Vital,
	score: func(items, goals []store.Item, opts clinical.NEWS2Options, _ time.Time) (clinical.ScorePoint, bool) {
		return clinical.NEWS2Point(clinical.NEWS2(items, goals, opts))
	},
}

// series returns the score series of one kind for a patient, updating the
// cache: points before the earliest changed, added or deleted reading are
// kept, the rest are scored again. When obs is ic's entries and ic's reads
// since the last call only added readings, only those are looked at (a new
// set of a 20,000-observation chart goes over its seven readings, not the
// whole chart); ic may be nil.
func (e *Engine) series(sk scoreKind, p string, obs, goals []store.Item, opts clinical.NEWS2Options, ic *store.ItemCache) []clinical.ScorePoint {
	window := opts.Window
	if window <= 0 {
		window = clinical.DefaultStaleWindow
	}
	sig := fmt.Sprint(opts) + "|" + sk.sig
	for _, g := range goals {
		sig += "|" + g.Ref.Key() + "@" + fmt.Sprint(g.Meta.Source.Offset)
	}
	key := sk.kind + "\x00" + p
	c := e.cache[key]
	if c == nil || c.sig != sig {
		c = &seriesCache{sig: sig, seen: map[string]seenEntry{}}
		e.cache[key] = c
	}
	from := time.Time{}
	changed := false
	mark := func(t time.Time) {
		if !changed || t.Before(from) {
			from = t
		}
		changed = true
	}
	start, added := 0, false
	if ic != nil && c.gen != 0 && ic.Len() == len(obs) {
		start, added = ic.Appended(c.gen)
	}
	if added {
		e.seriesAdded++
		for i := start; i < len(obs); i++ {
			it := &obs[i]
			if it.Meta.Time.IsZero() || !sk.vital(it) {
				continue
			}
			mark(it.Meta.Time)
			c.seen[it.ID] = seenEntry{off: it.Meta.Source.Offset, at: it.Meta.Time}
			c.order = insertByTime(c.order, obs, int32(i))
		}
	} else {
		c.order = c.order[:0]
		present := 0 // entries of c.seen found in obs this time
		for i := range obs {
			it := &obs[i]
			old, ok := c.seen[it.ID]
			if ok && old.off == it.Meta.Source.Offset && old.at.Equal(it.Meta.Time) {
				present++ // unchanged, and known to be a vital sign
				c.order = append(c.order, int32(i))
				continue
			}
			if it.Meta.Time.IsZero() || !sk.vital(it) {
				if ok { // a vital sign no more: the sets at its old time change
					mark(old.at)
					delete(c.seen, it.ID)
				}
				continue
			}
			c.order = append(c.order, int32(i))
			mark(it.Meta.Time)
			if ok {
				mark(old.at)
			}
			present++
			c.seen[it.ID] = seenEntry{off: it.Meta.Source.Offset, at: it.Meta.Time}
		}
		if present < len(c.seen) { // some were deleted since the last evaluation
			ids := make(map[string]bool, len(obs))
			for i := range obs {
				ids[obs[i].ID] = true
			}
			for id, en := range c.seen {
				if !ids[id] {
					mark(en.at)
					delete(c.seen, id)
				}
			}
		}
		slices.SortStableFunc(c.order, func(a, b int32) int { return obs[a].Meta.Time.Compare(obs[b].Meta.Time) })
	}
	c.gen = 0
	if ic != nil && ic.Len() == len(obs) {
		c.gen = ic.Gen()
	}
	if !changed {
		return c.points
	}
	// The points are in time order: those before from are kept where they
	// are, and the sweep writes the rest after them. The slice returned last
	// time is no longer read (it lives for one evaluation).
	n := 0
	for n < len(c.points) && c.points[n].At.Before(from) {
		n++
	}
	kept := c.points[:n]
	// Readings older than the window before the first set to score are never
	// in a subset: only the rest are swept (a new set of a 17,000-observation
	// chart sweeps a few dozen, not the whole history).
	oldest := from.Add(-window)
	lo, _ := slices.BinarySearchFunc(c.order, oldest, func(i int32, t time.Time) int { return obs[i].Meta.Time.Compare(t) })
	recent := make([]*store.Item, 0, len(c.order)-lo)
	for _, i := range c.order[lo:] {
		recent = append(recent, &obs[i])
	}
	kept = sweep(sk, recent, from, window, goals, opts, kept)
	c.points = kept
	return kept
}

// insertByTime inserts obs index i into order (indices by time, then by
// index) after every reading at or before its time.
func insertByTime(order []int32, obs []store.Item, i int32) []int32 {
	t := obs[i].Meta.Time
	at := len(order)
	for at > 0 && obs[order[at-1]].Meta.Time.After(t) {
		at--
	}
	return slices.Insert(order, at, i)
}

// sweep scores every set at or after from, in time order, from the newest
// few readings of each code within the window before it, appending the
// points to kept. vitals are the readings from the window before from on,
// in time order.
func sweep(sk scoreKind, vitals []*store.Item, from time.Time, window time.Duration, goals []store.Item, opts clinical.NEWS2Options, kept []clinical.ScorePoint) []clinical.ScorePoint {
	rings := map[string][]*store.Item{}
	subset := make([]store.Item, 0, 64)
	for i := 0; i < len(vitals); {
		t := vitals[i].Meta.Time
		j := i
		for j < len(vitals) && vitals[j].Meta.Time.Equal(t) {
			it := vitals[j]
			code := ""
			if len(it.Meta.Codes) > 0 {
				code = it.Meta.Codes[0]
			}
			r := append(rings[code], it)
			if len(r) > ringSize {
				r = r[len(r)-ringSize:]
			}
			rings[code] = r
			j++
		}
		i = j
		if t.Before(from) {
			continue
		}
		subset = subset[:0]
		for _, r := range rings {
			for _, it := range r {
				if !it.Meta.Time.Before(t.Add(-window)) {
					subset = append(subset, *it)
				}
			}
		}
		if pt, ok := sk.score(subset, goals, opts, t); ok && pt.At.Equal(t.UTC()) {
			kept = append(kept, pt)
		}
	}
	return kept
}

// deriveEpisodes keeps one alert per episode of a score kind: new episodes
// get their alert (with any state another workstation already published for
// it), changed ones are rewritten, the follow-up policy's system actions are
// added, and the notices due are queued. An alert whose episode no longer
// derives (its observations were corrected or deleted) is removed when
// nobody acted on it, else kept as a past episode.
func (e *Engine) deriveEpisodes(r *store.Reader, b *store.Batch, p string, alerts []alertDoc, sk scoreKind, points []clinical.ScorePoint, now time.Time) error {
	o := e.opt()
	window := o.NEWS2.Window
	if window <= 0 {
		window = clinical.DefaultStaleWindow
	}
	existing := map[string]alertDoc{}
	for _, d := range alerts {
		if d.Alert.Kind == sk.kind {
			existing[d.Key] = d
		}
	}
	derived := map[string]bool{}
	for _, ep := range clinical.Episodes(points, o.Alerts, window) {
		a := clinical.EpisodeAlert(p, ep, now, window)
		derived[a.ID] = true
		old, had := existing[a.ID]
		st := clinical.NewAlertState(a)
		if had {
			st = clinical.Merge(st, old.State)
		}
		if remote, ok, err := sharedState(r, a.ID); err != nil {
			return err
		} else if ok {
			st = clinical.Merge(st, remote)
		}
		if !a.Past {
			st = clinical.FollowUp(st, ep, o.Alerts, now)
		}
		doc := AlertDoc{Alert: a, State: st}
		// Compared as stored: a document that reads the same but was
		// written otherwise (an older Chartline) is rewritten once.
		if raw := mustJSON(doc); !had || !bytes.Equal(old.raw, raw) {
			if !had {
				o.Log.Info("alert raised", "kind", a.Kind, "severity", a.Severity, "past", a.Past) // no patient: logs carry no PHI
			}
			b.Docs = append(b.Docs, store.Doc{Kind: KindAlert, Key: a.ID, Patient: p, Value: raw})
		}
		if err := e.episodeNotices(r, b, doc, ep, now); err != nil {
			return err
		}
	}
	for id, old := range existing {
		if derived[id] || old.Alert.Episode == nil {
			continue
		}
		if len(old.State.Actions) == 0 {
			b.DeleteDocs = append(b.DeleteDocs, store.DocRef{Kind: KindAlert, Key: id, Patient: p})
			continue
		}
		if !old.Alert.Past {
			old.Alert.Past = true
			if err := putDoc(b, KindAlert, p, id, old.AlertDoc); err != nil {
				return err
			}
		}
	}
	return nil
}

// sharedState is the state spv.alert-state holds for an alert, if any.
func sharedState(r *store.Reader, id string) (clinical.AlertState, bool, error) {
	res, ok, err := r.Resource(store.Ref{Collection: store.AlertState, Type: AlertStateType, ID: id})
	if err != nil || !ok {
		return clinical.AlertState{}, false, err
	}
	st, err := clinical.ParseAlertState(res.JSON)
	if err != nil {
		return clinical.AlertState{}, false, nil // a newer version or unreadable: the feed reported it
	}
	return st, true, nil
}

// Notice reasons.
const (
	ReasonRaised     = "raised"     // a new high (or emergency) alert
	ReasonRose       = "rose"       // an open alert rose into high
	ReasonRenewed    = "renewed"    // an acknowledged alert is New again (still in band, or a rise)
	ReasonUnattended = "unattended" // a high alert still New after the follow-up interval
	ReasonCleared    = "cleared"    // the episode cleared: told to whoever acknowledged or escalated it
)

// episodeNotices queues what an early-warning alert should notify, each
// once (a notice id says what and when): a current alert that is New and
// high or emergency is notified when it is raised or rises into that band,
// when it becomes New again, and again at every follow-up interval while it
// stays New (one notice for the latest interval, not one per interval
// missed); a cleared alert is notified to this workstation when its user
// acknowledged or escalated it. Past episodes notify nothing.
func (e *Engine) episodeNotices(r *store.Reader, b *store.Batch, doc AlertDoc, ep clinical.Episode, now time.Time) error {
	a, st := doc.Alert, doc.State
	if a.Past {
		return nil
	}
	o := e.opt()
	state := clinical.DisplayState(a, st)
	add := func(id, reason, title string, at time.Time) error {
		if _, ok, err := r.Doc(KindNotice, a.Patient, id); ok || err != nil {
			return err
		}
		for _, d := range b.Docs {
			if d.Kind == KindNotice && d.Key == id {
				return nil
			}
		}
		return putDoc(b, KindNotice, a.Patient, id, Notice{ID: id, Kind: "alert", Alert: a.ID, Reason: reason,
			Patient: a.Patient, Title: title, Severity: a.Severity, At: at})
	}
	if state == clinical.StateCleared {
		for _, act := range st.Actions {
			if act.By == o.User && act.Workstation == o.Workstation && (act.Verb == clinical.VerbAcknowledge || act.Verb == clinical.VerbEscalate) {
				if err := add(clinical.HashID("nt", a.ID, ReasonCleared), ReasonCleared, a.Title+" (cleared)", *a.Episode.Cleared); err != nil {
					return err
				}
				break
			}
		}
		// Nothing else to notify: the alert is over.
		return nil
	}
	if state != clinical.StateNew || clinical.SeverityRank(a.Severity) < clinical.SeverityRank(clinical.SeverityHigh) {
		return nil
	}
	intoBand := a.Raised
	for _, rs := range ep.Rises {
		if rs.Severity == a.Severity {
			intoBand = rs.At
			break
		}
	}
	since := clinical.NewSince(st, intoBand)
	if since.Before(intoBand) {
		since = intoBand
	}
	interval := o.Alerts.Reopen(a.Severity)
	k := 0
	if interval > 0 && now.After(since) {
		k = int(now.Sub(since) / interval)
	}
	switch {
	case k >= 1:
		return add(clinical.HashID("nt", a.ID, ReasonUnattended, since.UTC().Format(time.RFC3339Nano), fmt.Sprint(k)), ReasonUnattended,
			fmt.Sprintf("%s (not acknowledged for %s)", a.Title, clinical.FormatInterval(time.Duration(k)*interval)), since.Add(time.Duration(k)*interval))
	case since.After(intoBand):
		return add(clinical.HashID("nt", a.ID, ReasonRenewed, since.UTC().Format(time.RFC3339Nano)), ReasonRenewed, a.Title+" (New again after an acknowledgement)", since)
	case len(ep.Rises) > 0 && ep.Rises[0].Severity == a.Severity:
		return add(a.ID, ReasonRaised, a.Title, since)
	default:
		return add(clinical.HashID("nt", a.ID, ReasonRose, a.Severity), ReasonRose, a.Title+" (rose from "+a.Cause.PrevBand+")", since)
	}
}
