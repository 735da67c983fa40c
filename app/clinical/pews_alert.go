package clinical

import (
	"fmt"
	"time"
)

// KindPEWS is the alert kind of a rise of the National PEWS escalation level.
const KindPEWS = "pews"

// PEWSAlert raises an alert when a child's PEWS escalation level rises (prev
// → cur) into medium, high or emergency, exactly as NEWS2Alert does for
// adults: never on a fall, when it stays, or when cur is not complete or
// partial. Severity: emergency and high → high, medium → medium; a rise to
// low (a total of 1–4, "inform the nurse in charge") is shown, not alerted,
// as NEWS2 1–4 is not. The trigger is the newest reading scored, and the level
// reached is part of the id, so every workstation raises the same alert.
func PEWSAlert(patient string, prev, cur PEWSResult, now time.Time) (Alert, bool) {
	if !ScoreCurrent(cur.Status) || PEWSRank(cur.Band) <= PEWSRank(prev.Band) {
		return Alert{}, false
	}
	sev := ""
	switch cur.Band {
	case PEWSEmergency, PEWSHigh:
		sev = SeverityHigh
	case PEWSMedium:
		sev = SeverityMedium
	default:
		return Alert{}, false
	}
	var trig *Reading
	for i := range cur.Readings {
		rd := &cur.Readings[i]
		if rd.Ref.ID == "" {
			continue
		}
		if trig == nil || rd.Time.After(trig.Time) || (rd.Time.Equal(trig.Time) && rd.Ref.Key() > trig.Ref.Key()) {
			trig = rd
		}
	}
	if trig == nil {
		return Alert{}, false
	}
	title := fmt.Sprintf("PEWS %d: %s", cur.Total, cur.Band)
	if cur.Band != cur.ScoreBand {
		title = fmt.Sprintf("PEWS %d: %s (%v)", cur.Total, cur.Band, cur.Triggers)
	}
	if cur.Status == StatusPartial {
		title += ", partial"
	}
	return Alert{
		ID:       AlertID(patient, KindPEWS, trig.Ref.Key(), trig.Version, cur.Band),
		Patient:  patient,
		Kind:     KindPEWS,
		Severity: sev,
		Title:    title,
		Cause: Cause{
			Score: cur.Total, Band: cur.Band, PrevBand: prev.Band, Subscores: cur.Subscores(),
			Complete: cur.Status == StatusComplete, Missing: cur.MissingNames(),
		},
		Raised:  now,
		Trigger: trig.Ref,
		Version: trig.Version,
	}, true
}
