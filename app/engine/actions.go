package engine

import (
	"errors"
	"fmt"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/store"
)

// ErrNoAlert means Act was given an alert the store does not hold.
var ErrNoAlert = errors.New("no such alert")

// Act records a user's action on an alert (acknowledge, escalate, resolve,
// reopen, note). It is saved locally first, in one transaction with the
// outbox records that will publish it to spv.alert-state and its AuditEvent to
// spv.audit, so it survives a restart or an offline period and is published
// once (see Publisher).
func (e *Engine) Act(patient, alertID, verb, note string) (clinical.AlertState, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var doc AlertDoc
	var ok bool
	err := e.s.View(func(r *store.Reader) error {
		var err error
		doc, ok, err = getDoc[AlertDoc](r, KindAlert, patient, alertID)
		return err
	})
	if err != nil {
		return clinical.AlertState{}, err
	}
	if !ok {
		return clinical.AlertState{}, fmt.Errorf("act on alert: %w", ErrNoAlert)
	}
	at := doc.State.NextAt(e.opt().Now())
	a := clinical.NewAction(alertID, verb, e.opt().User, e.opt().Workstation, note, at)
	st, err := doc.State.Apply(a)
	if err != nil {
		return doc.State, err
	}
	doc.State = st
	stateJSON, err := st.MarshalJSON()
	if err != nil {
		return doc.State, err
	}
	auditID := clinical.AuditID("alert-action", patient, e.opt().User, e.opt().Workstation, at, a.ID)
	audit := clinical.AlertActionAudit(patient, alertID, a, auditID)

	b := &store.Batch{Enqueue: []store.OutboxItem{
		{ID: a.ID, Topic: e.opt().Topics.AlertState, Key: []byte(alertID), Value: stateJSON},
		{ID: auditID, Topic: e.opt().Topics.Audit, Key: []byte(auditID), Value: audit},
	}}
	if err := putDoc(b, KindAlert, patient, alertID, doc); err != nil {
		return doc.State, err
	}
	b.Docs = append(b.Docs, store.Doc{Kind: KindAudit, Key: auditID, Patient: patient, Value: audit})
	if err := e.s.View(func(r *store.Reader) error { return e.restatus(r, b, patient) }); err != nil {
		return doc.State, err
	}
	if _, err := e.s.Apply(b); err != nil {
		return doc.State, fmt.Errorf("act on alert: %w", err)
	}
	return doc.State, nil
}

// restatus recounts a patient's open alerts into the batch's statuses.
func (e *Engine) restatus(r *store.Reader, b *store.Batch, patient string) error {
	entry, ok, err := r.Entry(patient)
	if err != nil || !ok {
		return err
	}
	alerts, err := e.readAlertDocs(r, patient)
	if err != nil {
		return err
	}
	open := e.openAlerts(alerts, b, patient)
	if entry.Status.OpenAlerts != open {
		st := entry.Status
		st.OpenAlerts, st.Updated = open, e.opt().Now().UTC()
		if b.Statuses == nil {
			b.Statuses = map[string]store.Status{}
		}
		b.Statuses[patient] = st
	}
	return nil
}

// ChartOpened writes the AuditEvent of this user opening a patient's chart
// (IHE BALP patient read), kept locally and queued for spv.audit.
func (e *Engine) ChartOpened(patient string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	at := e.opt().Now().UTC()
	id := clinical.AuditID("chart-opened", patient, e.opt().User, e.opt().Workstation, at, "")
	audit := clinical.ChartOpenedAudit(patient, e.opt().User, e.opt().Workstation, at, id)
	_, err := e.s.Apply(&store.Batch{
		Docs:    []store.Doc{{Kind: KindAudit, Key: id, Patient: patient, Value: audit}},
		Enqueue: []store.OutboxItem{{ID: id, Topic: e.opt().Topics.Audit, Key: []byte(id), Value: audit, Created: at}},
	})
	if err != nil {
		return fmt.Errorf("audit chart opened: %w", err)
	}
	return nil
}

// MarkSeen records that notices were shown, so they are never shown again.
func (e *Engine) MarkSeen(patient string, ids ...string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	b := &store.Batch{}
	err := e.s.View(func(r *store.Reader) error {
		for _, id := range ids {
			n, ok, err := getDoc[Notice](r, KindNotice, patient, id)
			if err != nil {
				return err
			}
			if ok && !n.Seen {
				n.Seen = true
				if err := putDoc(b, KindNotice, patient, id, n); err != nil {
					return err
				}
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
