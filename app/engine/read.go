package engine

import (
	"encoding/json"
	"slices"
	"sort"
	"time"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/store"
)

// The read side: what the views and `chartline inspect` show. Each takes a
// store.Reader, so a screen reads one consistent snapshot.

// LatestNEWS2 returns a patient's current NEWS2 as the engine last scored it.
func LatestNEWS2(r *store.Reader, patient string) (NEWS2Doc, bool, error) {
	return getDoc[NEWS2Doc](r, KindNEWS2, patient, "latest")
}

// LatestPEWS returns a child's current National PEWS as the engine last
// scored it; ok is false for a patient PEWS does not apply to.
func LatestPEWS(r *store.Reader, patient string) (PEWSDoc, bool, error) {
	return getDoc[PEWSDoc](r, KindPEWS, patient, "latest")
}

// AlertView is an alert as the inbox shows it.
type AlertView struct {
	Alert clinical.Alert
	State clinical.AlertState
	// Queued lists this workstation's actions on the alert that are saved but
	// not yet published (offline): the inbox marks them "queued".
	Queued []clinical.Action
}

// Status is the state the alert is shown in (clinical.DisplayState): its
// lifecycle state (new, acknowledged, escalated, resolved), or cleared, past
// (a past episode) or information (an upstream risk for the chart).
func (a AlertView) Status() string { return clinical.DisplayState(a.Alert, a.State) }

// Open reports whether the alert still needs attention: new, acknowledged or escalated.
func (a AlertView) Open() bool { return clinical.OpenState(a.Status()) }

// Inbox reports whether the alert belongs in the inbox: not a past episode,
// not information.
func (a AlertView) Inbox() bool { return !a.Alert.Past && !a.Alert.Info }

// Alerts returns the inbox: every patient's alerts that are not history
// (past episodes) or information (old or long-horizon upstream risks), most
// severe first, then newest.
func Alerts(r *store.Reader) ([]AlertView, error) {
	docs, err := r.Docs(KindAlert)
	if err != nil {
		return nil, err
	}
	all, err := alertViews(r, docs)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, v := range all {
		if v.Inbox() {
			out = append(out, v)
		}
	}
	return out, nil
}

// PatientAlerts returns one patient's alerts, history and information
// included (the chart's alert history), most severe first, then newest.
func PatientAlerts(r *store.Reader, patient string) ([]AlertView, error) {
	docs, err := r.PatientDocs(KindAlert, patient)
	if err != nil {
		return nil, err
	}
	return alertViews(r, docs)
}

func alertViews(r *store.Reader, docs []store.Doc) ([]AlertView, error) {
	queued, err := Queued(r)
	if err != nil {
		return nil, err
	}
	out := make([]AlertView, 0, len(docs))
	for _, d := range docs {
		var a AlertDoc
		if err := json.Unmarshal(d.Value, &a); err != nil {
			continue
		}
		if a.Alert.Raised.IsZero() && a.Alert.Trigger.ID == "" {
			continue // a placeholder an older Chartline kept for another workstation's state
		}
		v := AlertView{Alert: a.Alert, State: a.State}
		for _, act := range a.State.Actions {
			if queued[act.ID] {
				v.Queued = append(v.Queued, act)
			}
		}
		out = append(out, v)
	}
	slices.SortStableFunc(out, func(a, b AlertView) int { return clinical.CompareAlerts(a.Alert, b.Alert) })
	return out, nil
}

// Queued returns the ids of outbox items not yet published (alert actions
// and AuditEvents).
func Queued(r *store.Reader) (map[string]bool, error) {
	items, err := r.Outbox()
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(items))
	for _, it := range items {
		out[it.ID] = true
	}
	return out, nil
}

// MatchView is a study matched locally and/or upstream.
type MatchView struct {
	Study    string // "ResearchStudy/<id>"
	Title    string
	Local    *clinical.Evaluation // nil when only upstream matched
	Since    time.Time
	Upstream []Upstream // trials.matches decisions for this patient and study
}

// Status is "eligible" (every criterion met), "potential match" (key
// criteria met, some not evaluable), or the upstream status.
func (m MatchView) Status() string {
	if len(m.Upstream) > 0 && m.Upstream[0].Status != "" {
		return m.Upstream[0].Status
	}
	if m.Local != nil && m.Local.Eligible {
		return "eligible"
	}
	return "potential match"
}

// PatientMatches returns a patient's matched studies: local evaluations and
// upstream ResearchSubjects, by study.
func PatientMatches(r *store.Reader, patient string) ([]MatchView, error) {
	docs, err := r.PatientDocs(KindMatch, patient)
	if err != nil {
		return nil, err
	}
	by := map[string]*MatchView{}
	var order []string
	view := func(study string) *MatchView {
		if v, ok := by[study]; ok {
			return v
		}
		v := &MatchView{Study: study}
		by[study] = v
		order = append(order, study)
		return v
	}
	for _, d := range docs {
		var m MatchDoc
		if err := json.Unmarshal(d.Value, &m); err != nil {
			continue
		}
		v := view(m.Evaluation.Study)
		ev := m.Evaluation
		v.Local, v.Since, v.Title = &ev, m.Since, ev.Title
	}
	subjects, err := r.Resources(store.Matches, "ResearchSubject")
	if err != nil {
		return nil, err
	}
	for _, res := range subjects {
		u, err := parseSubject(res.JSON)
		if err != nil || u.Patient != patient {
			continue
		}
		v := view(u.Study)
		v.Upstream = append(v.Upstream, u)
		if v.Title == "" {
			if st, ok, _ := r.Resource(store.Ref{Collection: store.Studies, Type: "ResearchStudy", ID: trimRef(u.Study)}); ok {
				if s, err := clinical.ParseStudy(st.JSON); err == nil {
					v.Title = s.Title
				}
			}
		}
	}
	out := make([]MatchView, 0, len(order))
	sort.Strings(order)
	for _, s := range order {
		out = append(out, *by[s])
	}
	return out, nil
}

func trimRef(ref string) string {
	for i := len(ref) - 1; i >= 0; i-- {
		if ref[i] == '/' {
			return ref[i+1:]
		}
	}
	return ref
}

// Notices returns the notices not yet seen, oldest first, each alert
// notice with its alert's state now and the band of its latest set.
func Notices(r *store.Reader) ([]Notice, error) {
	docs, err := r.Docs(KindNotice)
	if err != nil {
		return nil, err
	}
	var out []Notice
	for _, d := range docs {
		var n Notice
		if json.Unmarshal(d.Value, &n) != nil || n.Seen {
			continue
		}
		if n.Kind == "alert" {
			id := n.Alert
			if id == "" {
				id = n.ID
			}
			if a, ok, err := getDoc[AlertDoc](r, KindAlert, n.Patient, id); err != nil {
				return nil, err
			} else if ok {
				n.AlertState = clinical.DisplayState(a.Alert, a.State)
				n.Band = a.Alert.Cause.Band
				if a.Alert.Episode != nil {
					n.Band = a.Alert.Episode.Latest.Band
				}
			}
		}
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}

// RecentAudit returns who opened or acted on a patient's chart since a time,
// newest first: the AuditEvents of every workstation (spv.audit) and this
// workstation's own, not yet published ones.
func RecentAudit(r *store.Reader, patient string, since time.Time) ([]clinical.AuditSummary, error) {
	seen := map[string]bool{}
	var out []clinical.AuditSummary
	add := func(raw []byte) {
		a, err := clinical.ParseAudit(raw)
		if err != nil || a.Patient != patient || a.When.Before(since) || seen[a.ID] {
			return
		}
		seen[a.ID] = true
		out = append(out, a)
	}
	// Index entries first (recorded time, no JSON), so only recent events
	// are opened.
	items, err := r.Items(store.Audit, "AuditEvent")
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if it.Meta.Time.Before(since) {
			continue
		}
		res, ok, err := r.Resource(it.Ref)
		if err != nil {
			return nil, err
		}
		if ok {
			add(res.JSON)
		}
	}
	local, err := r.PatientDocs(KindAudit, patient)
	if err != nil {
		return nil, err
	}
	for _, d := range local {
		add(d.Value)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].When.After(out[j].When) })
	return out, nil
}
