package clinical

import "github.com/chartline/chartline/store"

// KindPEWS is the alert kind of a National PEWS episode (ScorePEWS).
const KindPEWS = ScorePEWS

// PEWSSeverity is the alert severity a PEWS escalation level calls for
// (National PEWS escalation chart, 2023): emergency → emergency, high → high,
// medium → medium; low (a total of 1–4, "inform the nurse in charge") and
// none call for no alert, as NEWS2 1–4 does not.
func PEWSSeverity(level string) string {
	switch level {
	case PEWSEmergency:
		return SeverityEmergency
	case PEWSHigh:
		return SeverityHigh
	case PEWSMedium:
		return SeverityMedium
	}
	return ""
}

// PEWSPoint is a PEWS result as a point of the score series (episode.go),
// as NEWS2Point is for NEWS2. A result that is not complete or partial has
// level none and so no severity: insufficient and stale sets never open an
// episode. ok is false without a scored observation.
func PEWSPoint(res PEWSResult) (ScorePoint, bool) {
	trig := newestReading(res.Readings)
	if trig == nil {
		return ScorePoint{}, false
	}
	complete := res.Status == StatusComplete
	return ScorePoint{
		Kind: ScorePEWS, At: trig.Time.UTC(), Score: res.Total, Band: res.Band, Severity: PEWSSeverity(res.Band),
		Complete: complete, Trigger: trig.Ref, Version: trig.Version,
		Cause: Cause{Score: res.Total, Band: res.Band, Subscores: res.Subscores(), Complete: complete,
			Missing: res.MissingNames(), Readings: causeReadings(res.Readings)},
	}, true
}

// PEWSVital reports whether an Observation is one National PEWS reads,
// usable or not (the NEWS2 vital signs, capillary refill, respiratory
// distress).
func PEWSVital(it *store.Item) bool {
	var buf [4]candidate
	return len(readingsOf(it, buf[:0])) > 0
}
