package engine

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/store"
)

// AlertStateType is the type under which the feed keeps spv.alert-state
// records (see app/feed).
const AlertStateType = "AlertState"

// Upstream is a match decision from trials.matches (a ResearchSubject).
type Upstream struct {
	ID      string `json:"id"`      // ResearchSubject id
	Study   string `json:"study"`   // "ResearchStudy/<id>"
	Status  string `json:"status"`  // candidate, eligible, on-study, …
	Patient string `json:"patient"` // the individual
}

// refreshStudies re-reads trials.studies: every ResearchStudy with its
// enrollment Group's criteria (or its criteria extension).
func (e *Engine) refreshStudies() error {
	res, err := e.s.Resources(store.Studies)
	if err != nil {
		return err
	}
	studies, problems := clinical.StudiesFrom(res)
	for _, err := range problems {
		e.opt().Log.Warn("unreadable study, eligibility group or value set", "err", err)
	}
	e.mu.Lock()
	e.studies = studies
	e.trialCodes = clinical.ObservationCodes(studies, clinical.TrialOptions{})
	e.codesGen++ // every chart's trial index is built afresh
	e.mu.Unlock()
	return nil
}

// Studies returns the studies the engine evaluates.
func (e *Engine) Studies() []clinical.Study {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]clinical.Study(nil), e.studies...)
}

// changed reports whether a shared resource is new or has a new version
// since the engine last processed it, and records it as processed.
func (e *Engine) changed(it store.Item) bool {
	k := it.Collection + "\x00" + it.Type + "/" + it.ID
	off := it.Meta.Source.Offset + 1
	if e.seen[k] == off {
		return false
	}
	e.seen[k] = off
	return true
}

// eachChanged calls fn for every resource of a shared collection that is new
// or has a new version since the engine last looked, within one read, and
// applies in one commit what fn put into the batch. A resource deleted since
// it was listed is passed over.
func (e *Engine) eachChanged(collection, typ string, fn func(r *store.Reader, b *store.Batch, it store.Item, res store.Resource) error) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	items, err := e.s.Items(collection, typ)
	if err != nil {
		return err
	}
	b := &store.Batch{}
	err = e.s.View(func(r *store.Reader) error {
		for _, it := range items {
			if !e.changed(it) {
				continue
			}
			res, ok, err := r.Resource(it.Ref)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			if err := fn(r, b, it, res); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	_, err = e.s.Apply(b)
	return err
}

// processRisk raises alerts for new upstream RiskAssessments (cds.risk).
func (e *Engine) processRisk(affected map[string]bool) error {
	return e.eachChanged(store.Risk, "RiskAssessment", func(r *store.Reader, b *store.Batch, it store.Item, res store.Resource) error {
		o := e.opt()
		ro := o.Risk
		if ro.Window <= 0 {
			ro.Window = o.NEWS2.Window
		}
		a, raise, err := clinical.RiskAlert(res.JSON, "", it.Meta.Source.Time, ro, o.Now().UTC())
		if err != nil {
			e.opt().Log.Warn("unreadable upstream risk assessment", "id", it.ID, "err", err)
			return nil
		}
		if !raise {
			return nil
		}
		affected[a.Patient] = true
		return e.raise(r, b, a)
	})
}

// processAlertStates merges what other workstations published on
// spv.alert-state into the local alerts.
func (e *Engine) processAlertStates(affected map[string]bool) error {
	return e.eachChanged(store.AlertState, AlertStateType, func(r *store.Reader, b *store.Batch, _ store.Item, res store.Resource) error {
		remote, err := clinical.ParseAlertState(res.JSON)
		if err != nil {
			return nil // the feed quarantines what it cannot read; a newer version is skipped here
		}
		doc, had, err := getDoc[AlertDoc](r, KindAlert, remote.Patient, remote.Alert)
		if err != nil {
			return err
		}
		if !had {
			// An alert this workstation has not derived (yet): the state
			// stays on the topic's copy in the store, and deriving the alert
			// merges it (sharedState). Nothing is shown until then: the
			// patient is re-evaluated in case the data is already here.
			affected[remote.Patient] = true
			return nil
		}
		merged := clinical.Merge(doc.State, remote)
		if err := e.repair(r, b, remote, merged); err != nil {
			return err
		}
		if had && sameState(merged, doc.State) {
			return nil
		}
		doc.State = merged
		affected[remote.Patient] = true
		return putDoc(b, KindAlert, remote.Patient, remote.Alert, doc)
	})
}

// repair republishes an alert's merged state when the topic's latest state
// lacks one of this workstation's actions. Two workstations acting at once
// each publish a state without the other's action; compaction keeps only the
// later record, so each workstation restores its own missing actions, and
// the states converge on the topic too.
func (e *Engine) repair(r *store.Reader, b *store.Batch, remote, merged clinical.AlertState) error {
	onTopic := map[string]bool{}
	for _, a := range remote.Actions {
		onTopic[a.ID] = true
	}
	var missing []string
	for _, a := range merged.Actions {
		if a.Workstation == e.opt().Workstation && !onTopic[a.ID] {
			missing = append(missing, a.ID)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	items, err := r.Outbox()
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.Topic == e.opt().Topics.AlertState && string(it.Key) == remote.Alert {
			return nil // a publish of this alert is on its way
		}
	}
	value, err := merged.MarshalJSON()
	if err != nil {
		return err
	}
	var ids []string
	for _, a := range merged.Actions {
		ids = append(ids, a.ID)
	}
	b.Enqueue = append(b.Enqueue, store.OutboxItem{
		ID: clinical.HashID(repairPrefix, append([]string{remote.Alert}, ids...)...), Topic: e.opt().Topics.AlertState,
		Key: []byte(remote.Alert), Value: value,
	})
	return nil
}

// repairPrefix starts the id of a repair's outbox item.
const repairPrefix = "rp"

func sameState(a, b clinical.AlertState) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// refreshUpstream re-reads trials.matches into the per-patient upstream map.
func (e *Engine) refreshUpstream(affected map[string]bool) error {
	res, err := e.s.Resources(store.Matches, "ResearchSubject")
	if err != nil {
		return err
	}
	up := map[string][]Upstream{}
	for _, r := range res {
		u, err := parseSubject(r.JSON)
		if err != nil {
			continue
		}
		up[u.Patient] = append(up[u.Patient], u)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for p := range up {
		if fmt.Sprint(up[p]) != fmt.Sprint(e.upstream[p]) {
			affected[p] = true
		}
	}
	for p := range e.upstream {
		if _, ok := up[p]; !ok {
			affected[p] = true
		}
	}
	e.upstream = up
	return nil
}

// parseSubject reads the parts of a ResearchSubject the views need.
func parseSubject(raw []byte) (Upstream, error) {
	var rs struct {
		ResourceType string `json:"resourceType"`
		ID           string `json:"id"`
		Status       string `json:"status"`
		Study        struct {
			Reference string `json:"reference"`
		} `json:"study"`
		Individual struct {
			Reference string `json:"reference"`
		} `json:"individual"`
	}
	if err := json.Unmarshal(raw, &rs); err != nil {
		return Upstream{}, err
	}
	i := strings.LastIndex(rs.Individual.Reference, "Patient/")
	if rs.ResourceType != "ResearchSubject" || i < 0 {
		return Upstream{}, fmt.Errorf("not a ResearchSubject of a patient")
	}
	study := rs.Study.Reference
	if j := strings.LastIndex(study, "ResearchStudy/"); j >= 0 {
		study = study[j:]
	}
	return Upstream{ID: rs.ID, Study: study, Status: rs.Status, Patient: rs.Individual.Reference[i+len("Patient/"):]}, nil
}
