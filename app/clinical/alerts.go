package clinical

import (
	"cmp"
	"strings"
	"time"

	"github.com/chartline/chartline/store"
)

// Alert kinds.
const (
	KindNEWS2 = "news2" // a rise of the NEWS2 band
	KindRisk  = "risk"  // an upstream RiskAssessment from cds.risk
)

// Alert severities, highest first. Emergency is PEWS's top band; info marks
// an upstream risk shown on the chart as information, never in the inbox.
const (
	SeverityEmergency = "emergency"
	SeverityHigh      = "high"
	SeverityMedium    = "medium"
	SeverityLowMedium = "low-medium"
	SeverityInfo      = "info"
)

// SeverityRank orders severities: low-medium 1, medium 2, high 3, emergency
// 4, else (info included) 0.
func SeverityRank(s string) int {
	switch s {
	case SeverityLowMedium:
		return 1
	case SeverityMedium:
		return 2
	case SeverityHigh:
		return 3
	case SeverityEmergency:
		return 4
	}
	return 0
}

// Alert is something a clinician must look at. Its ID is derived from its
// cause, so every workstation that sees the same data raises the same alert,
// and a replay raises nothing new. Its lifecycle lives apart, in AlertState.
type Alert struct {
	ID       string `json:"id"`
	Patient  string `json:"patient"`
	Kind     string `json:"kind"`
	Severity string `json:"severity"`
	Title    string `json:"title"`
	Cause    Cause  `json:"cause"`
	// Raised is the time of the data that caused it: the causing observation
	// set of an episode, the occurrence (else production) of an upstream
	// assessment. Never the ingest time nor the wall clock, so every
	// workstation shows the same.
	Raised  time.Time `json:"raised"`
	Trigger store.Ref `json:"trigger"`
	Version string    `json:"version,omitempty"` // the trigger's meta.versionId, else meta.lastUpdated
	// Episode is the episode of an early-warning alert (kinds news2, pews).
	Episode *EpisodeInfo `json:"episode,omitempty"`
	// Past marks history: an episode that is not current (see Episode.Current).
	// It is in the patient's alert history, never in the inbox, never notified.
	Past bool `json:"past,omitempty"`
	// Info marks an upstream risk that is old or long-horizon: shown on the
	// chart as information, never in the inbox.
	Info bool `json:"info,omitempty"`
}

// Derived display states, beside the lifecycle states of AlertState: an
// alert that is history, information, or cleared by the data.
const (
	StateCleared     = "cleared"     // the episode's sustained fall below its trigger band
	StatePast        = "past"        // a past episode (history)
	StateInformation = "information" // an upstream risk shown as information
)

// DisplayState is the state an alert is shown in: information, past, cleared
// (unless resolved), else its lifecycle state.
func DisplayState(a Alert, st AlertState) string {
	switch {
	case a.Info:
		return StateInformation
	case a.Past:
		return StatePast
	}
	s := st.State()
	if a.Episode != nil && a.Episode.Cleared != nil && s != StateResolved {
		return StateCleared
	}
	return s
}

// OpenState reports whether a display state still needs attention: new,
// acknowledged or escalated.
func OpenState(s string) bool {
	return s == StateNew || s == StateAcknowledged || s == StateEscalated
}

// Cause is why an alert was raised: the NEWS2 fields for kind news2, the
// upstream fields for kind risk.
type Cause struct {
	// NEWS2
	Score     int            `json:"score,omitempty"`
	Band      string         `json:"band,omitempty"`
	PrevBand  string         `json:"prevBand,omitempty"`
	Subscores map[string]int `json:"subscores,omitempty"`
	Scale     int            `json:"scale,omitempty"`
	Complete  bool           `json:"complete,omitempty"`
	Missing   []string       `json:"missing,omitempty"`
	// Readings are the values scored, each with its time, so the card shows
	// how old the data is.
	Readings []CauseReading `json:"readings,omitempty"`

	// Upstream RiskAssessment
	Source          string   `json:"source,omitempty"`
	Assessment      string   `json:"assessment,omitempty"` // "RiskAssessment/<id>"
	QualitativeRisk string   `json:"qualitativeRisk,omitempty"`
	Probability     *float64 `json:"probability,omitempty"` // 0–1
	Outcome         string   `json:"outcome,omitempty"`
	// Horizon is the chosen prediction's horizon in words ("within 48 h",
	// "lifetime"); empty when the assessment gives none.
	Horizon string `json:"horizon,omitempty"`
	// Occurred is the assessment's occurrence, else when it was produced.
	Occurred *time.Time `json:"occurred,omitempty"`
	// Predictions are every prediction of the assessment.
	Predictions []RiskPrediction `json:"predictions,omitempty"`
	// Why says why an upstream risk is information rather than an alert.
	Why string `json:"why,omitempty"`
}

// CauseReading is one parameter's value as scored.
type CauseReading struct {
	Parameter string    `json:"parameter"`
	Value     float64   `json:"value"`
	Unit      string    `json:"unit,omitempty"`
	Code      string    `json:"code,omitempty"` // consciousness A/C/V/P/U, air_or_oxygen air/oxygen
	Time      time.Time `json:"time"`
	Score     int       `json:"score"`
	Assumed   bool      `json:"assumed,omitempty"`
	Ref       store.Ref `json:"ref"`
}

// RiskPrediction is one prediction of an upstream assessment.
type RiskPrediction struct {
	Outcome         string   `json:"outcome,omitempty"`
	QualitativeRisk string   `json:"qualitativeRisk,omitempty"`
	Probability     *float64 `json:"probability,omitempty"` // 0–1
	Horizon         string   `json:"horizon,omitempty"`
}

// AlertID is the deterministic id of an alert: "al-" and 20 base32 characters
// of the SHA-256 of (patient, kind, trigger Type/id, trigger version, and any
// detail such as the band reached).
func AlertID(patient, kind, trigger, version string, detail ...string) string {
	return HashID("al", append([]string{patient, kind, trigger, version}, detail...)...)
}

// CompareAlerts is the inbox order of two alerts, for slices.SortStableFunc:
// severity (highest first), then the newest raised, then id. It returns a
// negative number when a comes first.
func CompareAlerts(a, b Alert) int {
	if ra, rb := SeverityRank(a.Severity), SeverityRank(b.Severity); ra != rb {
		return cmp.Compare(rb, ra)
	}
	if !a.Raised.Equal(b.Raised) {
		return b.Raised.Compare(a.Raised)
	}
	return strings.Compare(a.ID, b.ID)
}
