package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/store"
)

// NEWS2Doc is what the engine keeps of a patient's current NEWS2: the result
// with its breakdown and the FHIR RiskAssessment (method NEWS2, basis the
// Observations scored) the views show.
type NEWS2Doc struct {
	Result         clinical.Result `json:"result"`
	RiskAssessment json.RawMessage `json:"riskAssessment,omitempty"`
	At             time.Time       `json:"at"`
}

// PEWSDoc is what the engine keeps of a child's current National PEWS,
// beside the NEWS2 document (which then says why NEWS2 does not apply).
type PEWSDoc struct {
	Result clinical.PEWSResult `json:"result"`
	At     time.Time           `json:"at"`
}

// AlertDoc is an alert with its merged lifecycle.
type AlertDoc struct {
	Alert clinical.Alert      `json:"alert"`
	State clinical.AlertState `json:"state"`
}

// MatchDoc is a study a patient matches.
type MatchDoc struct {
	ID         string              `json:"id"` // clinical.MatchID
	Evaluation clinical.Evaluation `json:"evaluation"`
	Since      time.Time           `json:"since"`
}

// Notice is something to notify the user of once: a high alert raised, risen,
// renewed, unattended for a follow-up interval or cleared (see
// episodeNotices), or a new trial match. A banner follows its alert through
// Alert, AlertState and Band, which Notices fills in as it reads them.
type Notice struct {
	ID       string    `json:"id"`               // the notice's own id: the alert id for a raised alert, the match id for a match
	Kind     string    `json:"kind"`             // "alert" or "match"
	Alert    string    `json:"alert,omitempty"`  // the alert it is about
	Reason   string    `json:"reason,omitempty"` // raised, rose, renewed, unattended, cleared (alerts)
	Patient  string    `json:"patient"`
	Title    string    `json:"title"`
	Severity string    `json:"severity,omitempty"`
	At       time.Time `json:"at"`
	Seen     bool      `json:"seen"`

	// Filled in by Notices when read, never stored: the alert's state now
	// (clinical.DisplayState: new, acknowledged, escalated, resolved,
	// cleared, past) and the band of the episode's latest set, so a banner
	// comes down when the alert is acted on or cleared and never shows a band
	// the patient has left.
	AlertState string `json:"-"`
	Band       string `json:"-"`
}

// pending holds one batch's derived documents so later patients in the batch
// see earlier writes.
func putDoc(b *store.Batch, kind, patient, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b.Docs = append(b.Docs, store.Doc{Kind: kind, Key: key, Patient: patient, Value: raw})
	return nil
}

func getDoc[T any](r *store.Reader, kind, patient, key string) (T, bool, error) {
	var v T
	d, ok, err := r.Doc(kind, patient, key)
	if !ok || err != nil {
		return v, false, err
	}
	if err := json.Unmarshal(d.Value, &v); err != nil {
		return v, false, errDoc(kind, err)
	}
	return v, true, nil
}

func errDoc(kind string, err error) error { return fmt.Errorf("%s document: %w", kind, err) }

// derivePatient decides which early-warning score applies, scores it
// against now (NEWS2 for adults, National PEWS for children), raises alerts on
// band rises of a current score, evaluates every study, and sets the census
// status, adding what changed to b.
func (e *Engine) derivePatient(r *store.Reader, p string, b *store.Batch) error {
	entry, ok, err := r.Entry(p)
	if err != nil || !ok {
		return err
	}
	now := e.opt().Now().UTC()
	ch, err := e.chart(r, p)
	if err != nil {
		return err
	}
	defer e.settle(p)
	obs, goals := ch.obs, ch.goals
	cur := clinical.NEWS2At(obs, goals, e.opt().NEWS2, now)
	app, err := e.applicability(r, p, entry, ch, cur.Newest, now)
	if err != nil {
		return err
	}
	if !app.NEWS2 {
		cur = cur.NotApplicable(app.Why)
	} else if app.Why != "" {
		cur.Why = strings.TrimPrefix(strings.Join([]string{cur.Why, app.Why}, "; "), "; ")
	}
	if err := e.putNEWS2(r, b, p, cur, now); err != nil {
		return err
	}
	alerts, err := e.readAlertDocs(r, p) // read once: every step below reads the same snapshot
	if err != nil {
		return err
	}
	var points []clinical.ScorePoint // NEWS2 episodes only where NEWS2 applies
	if app.NEWS2 {
		points = e.series(news2Kind, p, obs, goals, e.opt().NEWS2, e.obs[p].items)
	}
	if err := e.deriveEpisodes(r, b, p, alerts, news2Kind, points, now); err != nil {
		return err
	}
	if err := e.ageRisk(b, p, alerts, now); err != nil {
		return err
	}
	pews, err := e.derivePEWS(r, b, p, app, obs, now)
	if err != nil {
		return err
	}
	var pp []clinical.ScorePoint // PEWS episodes only where PEWS applies
	if pews != nil || hadPEWS(alerts) {
		pk := pewsKind(entry.Patient)
		if pews != nil {
			pp = e.series(pk, p, obs, goals, e.opt().NEWS2, e.obs[p].items)
		}
		if err := e.deriveEpisodes(r, b, p, alerts, pk, pp, now); err != nil {
			return err
		}
	}

	matches, err := e.evaluateTrials(r, b, p, entry, ch, now)
	if err != nil {
		return err
	}
	open := e.openAlerts(alerts, b, p)
	st := store.Status{OpenAlerts: open, Matches: matches + len(e.upstream[p]), Updated: now}
	scoreStatus(&st, app, cur, pews)
	switch {
	case app.NEWS2:
		st.Trend = seriesTrend(points, st.Newest)
	case pews != nil:
		st.Trend = seriesTrend(pp, st.Newest)
	}
	old := entry.Status
	old.Updated = st.Updated
	if old != st {
		b.Statuses[p] = st
	}
	return nil
}

// seriesTrend is how a score series moved at the set of newest (the newest
// reading the current score used) against the set before it, for the
// census's trend arrow: the engine has just swept the series, so the census
// computes nothing.
func seriesTrend(points []clinical.ScorePoint, newest time.Time) string {
	i := len(points) - 1
	for i >= 0 && points[i].At.After(newest) {
		i--
	}
	if i < 1 {
		return store.TrendSame
	}
	switch a, b := points[i-1].Score, points[i].Score; {
	case b > a:
		return store.TrendRose
	case b < a:
		return store.TrendFell
	}
	return store.TrendSame
}

// putNEWS2 keeps a patient's current NEWS2 document when its result changed
// but for the clock. What the result was is kept in the memo beside the
// document's bytes, so an unchanged document is not decoded again.
func (e *Engine) putNEWS2(r *store.Reader, b *store.Batch, p string, cur clinical.Result, now time.Time) error {
	const key = "latest\x00timeless" // the memo's entry: the stored document's result, timeless, as JSON
	d, had, err := r.Doc(KindNEWS2, p, "latest")
	if err != nil {
		return err
	}
	var was []byte
	if m, ok := e.memo[p][KindNEWS2+"\x00"+key]; ok && had && bytes.Equal(m.raw, d.Value) {
		was = m.v.([]byte)
	} else if had {
		var prev NEWS2Doc
		if err := json.Unmarshal(d.Value, &prev); err != nil {
			return errDoc(KindNEWS2, err)
		}
		was = mustJSON(timeless(prev.Result))
	}
	now2 := mustJSON(timeless(cur))
	raw := d.Value
	if !had || !bytes.Equal(was, now2) {
		doc := NEWS2Doc{Result: cur, At: now}
		if cur.Band != "none" {
			doc.RiskAssessment = clinical.RiskAssessmentJSON(p, cur, clinical.HashID("ra", p, cur.Newest.Format(time.RFC3339Nano)), now)
		}
		raw = mustJSON(doc)
		b.Docs = append(b.Docs, store.Doc{Kind: KindNEWS2, Key: "latest", Patient: p, Value: raw})
	}
	e.remember(KindNEWS2, p, key, raw, now2)
	return nil
}

// timeless is a result but for the evaluation time and the readings' ages,
// which move with the clock: two results that differ only there are the
// same.
func timeless(r clinical.Result) clinical.Result {
	r.At = time.Time{}
	r.Readings = ageless(r.Readings)
	r.Stale = ageless(r.Stale)
	return r
}

func ageless(rs []clinical.Reading) []clinical.Reading {
	out := make([]clinical.Reading, len(rs))
	for i, rd := range rs {
		rd.Age = 0
		out[i] = rd
	}
	return out
}

// applicability reads what decides the score (birth date, death, pregnancy)
// and applies the rules at the time of the newest vital sign (now without one).
func (e *Engine) applicability(r *store.Reader, p string, entry store.Entry, ch chartItems, newest, now time.Time) (clinical.Applicability, error) {
	facts, err := e.patientFacts(r, p, ch.pats)
	if err != nil {
		return clinical.Applicability{}, err
	}
	at := newest
	if at.IsZero() || at.After(now) {
		at = now
	}
	return clinical.Applies(entry.Patient, facts, ch.conds, ch.obs, at), nil
}

// patientFacts are the facts of a patient's Patient resource, parsed from
// its JSON once per version (the engine's cache of the Patient entries
// names the version).
func (e *Engine) patientFacts(r *store.Reader, p string, pats []store.Item) (clinical.PatientFacts, error) {
	po := e.obs[p]
	if po != nil && po.factsOK && po.factsGen == po.pats.Gen() {
		return po.facts, nil
	}
	var facts clinical.PatientFacts
	for _, it := range pats {
		res, ok, err := r.Resource(it.Ref)
		if err != nil {
			return facts, err
		}
		if ok {
			if f, err := clinical.ParsePatientFacts(res.JSON); err == nil {
				facts = f
			}
		}
	}
	if po != nil {
		po.facts, po.factsGen, po.factsOK = facts, po.pats.Gen(), true
	}
	return facts, nil
}

// derivePEWS keeps a child's PEWS document; for a patient PEWS does not
// apply to it removes any earlier document. It returns the current result
// (nil when PEWS does not apply). PEWS alerts are episodes, as NEWS2's
// (pewsKind).
func (e *Engine) derivePEWS(r *store.Reader, b *store.Batch, p string, app clinical.Applicability, obs []store.Item, now time.Time) (*clinical.PEWSResult, error) {
	prev, had, err := docOf[PEWSDoc](e, r, KindPEWS, p, "latest")
	if err != nil {
		return nil, err
	}
	if !app.PEWS {
		if had {
			b.DeleteDocs = append(b.DeleteDocs, store.DocRef{Kind: KindPEWS, Key: "latest", Patient: p})
		}
		return nil, nil
	}
	cur := clinical.PEWS(obs, app.AgeMonths, e.opt().NEWS2, now)
	if !had || !samePEWS(prev.Result, cur) {
		if err := putDoc(b, KindPEWS, p, "latest", PEWSDoc{Result: cur, At: now}); err != nil {
			return nil, err
		}
	}
	return &cur, nil
}

// hadPEWS reports whether the patient has PEWS alerts to clear (a child who
// turned 16, or whose record changed).
func hadPEWS(alerts []alertDoc) bool {
	for _, a := range alerts {
		if a.Alert.Kind == clinical.KindPEWS {
			return true
		}
	}
	return false
}

// alertDoc is one of a patient's alert documents, decoded, with its key.
type alertDoc struct {
	Key string
	AlertDoc
	raw []byte // as stored
}

// readAlertDocs decodes a patient's alert documents (an unreadable one is
// skipped, as every reader skips it). An evaluation reads them once: its
// steps all see the store as the evaluation began, and add their own
// writes from the batch.
func (e *Engine) readAlertDocs(r *store.Reader, p string) ([]alertDoc, error) {
	docs, err := r.PatientDocs(KindAlert, p)
	if err != nil {
		return nil, err
	}
	out := make([]alertDoc, 0, len(docs))
	for _, d := range docs {
		if a, err := decodeDoc[AlertDoc](e, KindAlert, p, d.Key, d.Value); err == nil {
			out = append(out, alertDoc{Key: d.Key, AlertDoc: a, raw: d.Value})
		}
	}
	return out, nil
}

// pewsKind is the National PEWS score series of a patient: each set scored
// on the chart of the child's age at that set's time. A set at 16 or over
// scores no point (NEWS2's series covers it).
func pewsKind(demo *store.Demographics) scoreKind {
	sig := ""
	if demo != nil {
		sig = demo.BirthDate
	}
	return scoreKind{
		kind:  clinical.ScorePEWS,
		sig:   sig,
		vital: clinical.PEWSVital,
		score: func(items, _ []store.Item, opts clinical.NEWS2Options, t time.Time) (clinical.ScorePoint, bool) {
			app := clinical.Applies(demo, clinical.PatientFacts{}, nil, nil, t)
			if !app.PEWS {
				return clinical.ScorePoint{}, false
			}
			return clinical.PEWSPoint(clinical.PEWS(items, app.AgeMonths, opts, time.Time{}))
		},
	}
}

func samePEWS(a, b clinical.PEWSResult) bool {
	for _, r := range []*clinical.PEWSResult{&a, &b} {
		r.At = time.Time{}
		r.Readings, r.Stale, r.Observed = ageless(r.Readings), ageless(r.Stale), ageless(r.Observed)
	}
	return bytes.Equal(mustJSON(a), mustJSON(b))
}

// scoreStatus fills the census fields of the score that applies: its total
// and band only when current (complete or partial), so a stale, insufficient
// or not-applicable score ranks below every current one.
func scoreStatus(st *store.Status, app clinical.Applicability, n clinical.Result, p *clinical.PEWSResult) {
	st.Band = clinical.BandNone
	switch {
	case app.NEWS2:
		st.Score, st.ScoreStatus, st.ObservedAt, st.Newest, st.Scored = "news2", n.Status, n.ObservedAt, n.Newest, len(n.Scores)
		if clinical.ScoreCurrent(n.Status) {
			st.NEWS2, st.Band, st.Red = n.Total, n.Band, n.Red
		}
		if !n.Newest.IsZero() {
			st.StaleAt = n.Newest.Add(time.Duration(n.Window))
		}
	case p != nil:
		st.Score, st.ScoreStatus, st.ObservedAt, st.Newest, st.Scored = "pews", p.Status, p.ObservedAt, p.Newest, len(p.Scores)
		if clinical.ScoreCurrent(p.Status) {
			st.NEWS2, st.Band = p.Total, p.Band
		}
		if !p.Newest.IsZero() {
			st.StaleAt = p.Newest.Add(time.Duration(p.Window))
		}
	default:
		st.ScoreStatus = clinical.StatusNotApplicable
	}
}

// raise keeps an upstream risk alert (once: its id is its cause), with any
// state another workstation already published for it, and notifies a high
// one that is in the inbox.
func (e *Engine) raise(r *store.Reader, b *store.Batch, a clinical.Alert) error {
	if _, ok, err := r.Doc(KindAlert, a.Patient, a.ID); ok || err != nil {
		return err
	}
	for _, d := range b.Docs {
		if d.Kind == KindAlert && d.Key == a.ID {
			return nil
		}
	}
	st := clinical.NewAlertState(a)
	if remote, ok, err := sharedState(r, a.ID); err != nil {
		return err
	} else if ok {
		st = clinical.Merge(st, remote)
	}
	if err := putDoc(b, KindAlert, a.Patient, a.ID, AlertDoc{Alert: a, State: st}); err != nil {
		return err
	}
	e.opt().Log.Info("alert raised", "kind", a.Kind, "severity", a.Severity) // no patient: logs carry no PHI
	if !a.Info && clinical.SeverityRank(a.Severity) >= clinical.SeverityRank(clinical.SeverityHigh) && st.State() == clinical.StateNew {
		return putDoc(b, KindNotice, a.Patient, a.ID, Notice{ID: a.ID, Kind: "alert", Alert: a.ID, Reason: ReasonRaised,
			Patient: a.Patient, Title: a.Title, Severity: a.Severity, At: a.Raised})
	}
	return nil
}

// ageRisk turns a patient's upstream risk alerts whose assessment has left
// the window into information, as RiskAlert would classify them now.
func (e *Engine) ageRisk(b *store.Batch, p string, alerts []alertDoc, now time.Time) error {
	o := e.opt()
	window := o.Risk.Window
	if window <= 0 {
		window = o.NEWS2.Window
	}
	if window <= 0 {
		window = clinical.DefaultStaleWindow
	}
	for _, d := range alerts {
		a := d.AlertDoc
		if a.Alert.Kind != clinical.KindRisk || a.Alert.Info || !a.Alert.Raised.Before(now.Add(-window)) {
			continue
		}
		a.Alert.Info, a.Alert.Severity = true, clinical.SeverityInfo
		a.Alert.Cause.Why = "assessed " + a.Alert.Raised.UTC().Format("2006-01-02") + ", outside the " + clinical.FormatInterval(window) + " window"
		if err := putDoc(b, KindAlert, p, d.Key, a); err != nil {
			return err
		}
	}
	return nil
}

// openAlerts counts a patient's alerts that still need attention (new,
// acknowledged or escalated; not resolved, cleared, past or information),
// including those written in this batch.
func (e *Engine) openAlerts(alerts []alertDoc, b *store.Batch, p string) int {
	states := map[string]bool{}
	for _, d := range alerts {
		states[d.Key] = clinical.OpenState(clinical.DisplayState(d.Alert, d.State))
	}
	for _, d := range b.Docs {
		if d.Kind == KindAlert && d.Patient == p {
			if a, err := decodeDoc[AlertDoc](e, KindAlert, p, d.Key, d.Value); err == nil { // the memo has it when the commit lands
				states[d.Key] = clinical.OpenState(clinical.DisplayState(a.Alert, a.State))
			}
		}
	}
	for _, d := range b.DeleteDocs {
		if d.Kind == KindAlert && d.Patient == p {
			delete(states, d.Key)
		}
	}
	n := 0
	for _, open := range states {
		if open {
			n++
		}
	}
	return n
}

// evaluateTrials evaluates every study for a patient, keeps a document per
// matched study, notifies new matches once, and returns how many match.
func (e *Engine) evaluateTrials(r *store.Reader, b *store.Batch, p string, entry store.Entry, ch chartItems, now time.Time) (int, error) {
	if len(e.studies) == 0 {
		return 0, nil
	}
	facts := clinical.Facts{Patient: entry.Patient, Conditions: ch.conds, Observations: ch.obs, Now: now}
	// Every study reads the index; a chart whose Observations were only
	// added to since the last evaluation extends the one it had.
	po := e.obs[p]
	from, added := po.items.Appended(po.trialGen)
	if !added || po.trialCodes != e.codesGen {
		from = -1
	}
	facts.ExtendIndex(e.trialCodes, po.trialIndex, from)
	po.trialIndex, po.trialGen, po.trialCodes = facts.Index(), po.items.Gen(), e.codesGen
	n := 0
	for _, s := range e.studies {
		ev := clinical.Evaluate(s, facts, clinical.TrialOptions{})
		prev, had, err := docOf[MatchDoc](e, r, KindMatch, p, s.Ref())
		if err != nil {
			return 0, err
		}
		if !ev.Match {
			if had {
				b.DeleteDocs = append(b.DeleteDocs, store.DocRef{Kind: KindMatch, Key: s.Ref(), Patient: p})
			}
			continue
		}
		n++
		id := clinical.MatchID(p, s.Ref(), s.Version)
		doc := MatchDoc{ID: id, Evaluation: ev, Since: now}
		if had {
			doc.Since = prev.Since
			if pj, _ := json.Marshal(prev.Evaluation); bytes.Equal(pj, mustJSON(ev)) {
				continue // unchanged
			}
		}
		if err := putDoc(b, KindMatch, p, s.Ref(), doc); err != nil {
			return 0, err
		}
		if _, notified, err := r.Doc(KindNotice, p, id); err != nil {
			return 0, err
		} else if !notified {
			title := "Eligible for " + s.Title
			if s.Title == "" {
				title = "Eligible for " + s.Ref()
			}
			if err := putDoc(b, KindNotice, p, id, Notice{ID: id, Kind: "match", Patient: p, Title: title, At: now}); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
