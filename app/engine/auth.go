package engine

import (
	"fmt"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/store"
)

// Authenticated writes the AuditEvent of an unlock or a lock of this
// workstation's window (DICOM 110114 User Authentication, see
// clinical.AuthenticationAudit), kept locally and queued for spv.audit in one
// transaction, so it is published once even across a crash or an outage.
// An empty User, Workstation or At takes the engine's identity and clock.
func (e *Engine) Authenticated(a clinical.Authentication) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	o := e.opt()
	if a.User == "" {
		a.User = o.User
	}
	if a.Workstation == "" {
		a.Workstation = o.Workstation
	}
	if a.At.IsZero() {
		a.At = o.Now()
	}
	a.At = a.At.UTC()
	outcome := "ok"
	if a.Failed {
		outcome = "failed"
	}
	id := clinical.AuditID("auth-"+a.Kind+"-"+outcome, "", a.User, a.Workstation, a.At, "")
	audit := clinical.AuthenticationAudit(a, id)
	_, err := e.s.Apply(&store.Batch{
		Docs:    []store.Doc{{Kind: KindAudit, Key: id, Value: audit}},
		Enqueue: []store.OutboxItem{{ID: id, Topic: o.Topics.Audit, Key: []byte(id), Value: audit, Created: a.At}},
	})
	if err != nil {
		return fmt.Errorf("audit %s: %w", a.Kind, err)
	}
	return nil
}
