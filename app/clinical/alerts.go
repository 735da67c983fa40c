package clinical

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/chartline/chartline/store"
)

// Alert kinds.
const (
	KindNEWS2 = "news2" // a rise of the NEWS2 band
	KindRisk  = "risk"  // an upstream RiskAssessment from cds.risk
)

// Alert severities, highest first.
const (
	SeverityHigh      = "high"
	SeverityMedium    = "medium"
	SeverityLowMedium = "low-medium"
)

// SeverityRank orders severities: low-medium 1, medium 2, high 3, else 0.
func SeverityRank(s string) int {
	switch s {
	case SeverityLowMedium:
		return 1
	case SeverityMedium:
		return 2
	case SeverityHigh:
		return 3
	}
	return 0
}

// Alert is something a clinician must look at. Its ID is derived from its
// cause, so every workstation that sees the same data raises the same alert,
// and a replay raises nothing new. Its lifecycle lives apart, in AlertState.
type Alert struct {
	ID       string    `json:"id"`
	Patient  string    `json:"patient"`
	Kind     string    `json:"kind"`
	Severity string    `json:"severity"`
	Title    string    `json:"title"`
	Cause    Cause     `json:"cause"`
	Raised   time.Time `json:"raised"` // when this workstation raised it (not part of the identity)
	Trigger  store.Ref `json:"trigger"`
	Version  string    `json:"version,omitempty"` // the trigger's meta.versionId, else meta.lastUpdated
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

	// Upstream RiskAssessment
	Source          string   `json:"source,omitempty"`
	Assessment      string   `json:"assessment,omitempty"` // "RiskAssessment/<id>"
	QualitativeRisk string   `json:"qualitativeRisk,omitempty"`
	Probability     *float64 `json:"probability,omitempty"` // 0–1
	Outcome         string   `json:"outcome,omitempty"`
}

// AlertID is the deterministic id of an alert: "al-" and 20 base32 characters
// of the SHA-256 of (patient, kind, trigger Type/id, trigger version, and any
// detail such as the band reached).
func AlertID(patient, kind, trigger, version string, detail ...string) string {
	return HashID("al", append([]string{patient, kind, trigger, version}, detail...)...)
}

// NEWS2Alert raises an alert when the band rises (prev → cur) into
// low-medium, medium or high; never on a fall or when it stays. The trigger is
// the newest reading cur scored (ties broken by Type/id), and the band reached
// is part of the id, so two workstations that score the same Observations
// raise the same alert even if they saw them arrive in different batches.
func NEWS2Alert(patient string, prev, cur Result, now time.Time) (Alert, bool) {
	if cur.Status != "" && !ScoreCurrent(cur.Status) { // not applicable, insufficient or stale: no alert (scorestatus.go)
		return Alert{}, false
	}
	if BandRank(cur.Band) <= BandRank(prev.Band) {
		return Alert{}, false
	}
	sev := ""
	switch cur.Band {
	case BandHigh:
		sev = SeverityHigh
	case BandMedium:
		sev = SeverityMedium
	case BandLowMedium:
		sev = SeverityLowMedium
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
	title := fmt.Sprintf("NEWS2 %d: %s", cur.Total, cur.Band)
	if cur.Band == BandLowMedium {
		var reds []string
		for _, rd := range cur.Readings {
			if rd.Score == redScore {
				reds = append(reds, string(rd.Parameter))
			}
		}
		title += " (3 in " + strings.Join(reds, ", ") + ")"
	}
	if !cur.Complete {
		title += ", partial"
	}
	return Alert{
		ID:       AlertID(patient, KindNEWS2, trig.Ref.Key(), trig.Version, cur.Band),
		Patient:  patient,
		Kind:     KindNEWS2,
		Severity: sev,
		Title:    title,
		Cause: Cause{
			Score: cur.Total, Band: cur.Band, PrevBand: prev.Band, Subscores: cur.Subscores(),
			Scale: cur.Scale, Complete: cur.Complete, Missing: cur.MissingNames(),
		},
		Raised:  now,
		Trigger: trig.Ref,
		Version: trig.Version,
	}, true
}

// RiskOptions tunes RiskAlert. The zero value is the documented default.
type RiskOptions struct {
	// Threshold: a probabilityDecimal strictly above it raises an alert of
	// severity medium. Zero means 0.5.
	Threshold float64
	// HighThreshold: a probabilityDecimal at or above it makes the alert high.
	// Zero means 0.8.
	HighThreshold float64
}

// Defaults of RiskOptions.
const (
	DefaultRiskThreshold     = 0.5
	DefaultRiskHighThreshold = 0.8
)

type fhirRiskIn struct {
	ResourceType string         `json:"resourceType"`
	ID           string         `json:"id"`
	Meta         *fhirMeta      `json:"meta"`
	Status       string         `json:"status"`
	Subject      fhirReference  `json:"subject"`
	Performer    *fhirReference `json:"performer"`
	Code         *fhirConcept   `json:"code"`
	Prediction   []struct {
		Outcome            *fhirConcept `json:"outcome"`
		ProbabilityDecimal *json.Number `json:"probabilityDecimal"`
		QualitativeRisk    *fhirConcept `json:"qualitativeRisk"`
	} `json:"prediction"`
}

// RiskAlert reads an upstream RiskAssessment (cds.risk, raw FHIR JSON) and
// raises an alert when a prediction's qualitativeRisk (HL7 risk-probability) is
// high or certain (severity high) or moderate (medium), or when its
// probabilityDecimal is above opts.Threshold (medium; high from
// opts.HighThreshold). A probability above 1 is read as a percentage (FHIR R4
// allows 0–100). The alert is labelled with its source: meta.source, else the
// performer's display, else header (the Kafka record's "source" header), else
// "upstream". Assessments that are not final, amended, corrected or preliminary
// raise nothing. It fails only on JSON that is not a RiskAssessment about a
// Patient.
func RiskAlert(raw []byte, header string, opts RiskOptions, now time.Time) (Alert, bool, error) {
	if opts.Threshold <= 0 {
		opts.Threshold = DefaultRiskThreshold
	}
	if opts.HighThreshold <= 0 {
		opts.HighThreshold = DefaultRiskHighThreshold
	}
	var ra fhirRiskIn
	if err := json.Unmarshal(raw, &ra); err != nil {
		return Alert{}, false, fmt.Errorf("read RiskAssessment: %w", err)
	}
	if ra.ResourceType != "RiskAssessment" || ra.ID == "" {
		return Alert{}, false, fmt.Errorf("read RiskAssessment: resourceType %q id %q is not a RiskAssessment", ra.ResourceType, ra.ID)
	}
	patient, ok := referenceID(ra.Subject.Reference, "Patient")
	if !ok {
		return Alert{}, false, fmt.Errorf("read RiskAssessment/%s: subject is not a Patient", ra.ID)
	}
	if !usableStatus(ra.Status) {
		return Alert{}, false, nil
	}

	var cause Cause
	sev := ""
	for _, p := range ra.Prediction {
		s, qual := "", ""
		if p.QualitativeRisk != nil {
			for _, c := range p.QualitativeRisk.Coding {
				if c.System != SystemRiskProbability {
					continue
				}
				cs := ""
				switch c.Code {
				case "high", "certain":
					cs = SeverityHigh
				case "moderate":
					cs = SeverityMedium
				}
				if SeverityRank(cs) > SeverityRank(s) {
					s, qual = cs, c.Code
				}
			}
		}
		var prob *float64
		if p.ProbabilityDecimal != nil {
			if v, err := strconv.ParseFloat(string(*p.ProbabilityDecimal), 64); err == nil && v >= 0 && v <= 100 {
				if v > 1 {
					v /= 100
				}
				prob = &v
				ps := ""
				switch {
				case v >= opts.HighThreshold:
					ps = SeverityHigh
				case v > opts.Threshold:
					ps = SeverityMedium
				}
				if SeverityRank(ps) > SeverityRank(s) {
					s = ps
				}
			}
		}
		if SeverityRank(s) > SeverityRank(sev) {
			sev = s
			cause.QualitativeRisk, cause.Probability = qual, prob
			cause.Outcome = p.Outcome.label()
		}
	}
	if sev == "" {
		return Alert{}, false, nil
	}

	source := ""
	switch {
	case ra.Meta != nil && strings.TrimSpace(ra.Meta.Source) != "":
		source = strings.TrimSpace(ra.Meta.Source)
	case ra.Performer != nil && strings.TrimSpace(ra.Performer.Display) != "":
		source = strings.TrimSpace(ra.Performer.Display)
	case strings.TrimSpace(header) != "":
		source = strings.TrimSpace(header)
	default:
		source = "upstream"
	}
	cause.Source = source
	cause.Assessment = "RiskAssessment/" + ra.ID

	version := ""
	if ra.Meta != nil {
		version = ra.Meta.VersionID
		if version == "" && ra.Meta.LastUpdated != "" {
			if t, err := parseFHIRTime(ra.Meta.LastUpdated); err == nil {
				version = t.UTC().Format(time.RFC3339Nano)
			}
		}
	}
	what := ra.Code.label()
	if what == "" {
		what = cause.Outcome
	}
	if what == "" {
		what = "Risk"
	}
	level := cause.QualitativeRisk
	if cause.Probability != nil {
		if level != "" {
			level += ", "
		}
		level += strconv.FormatFloat(*cause.Probability*100, 'f', -1, 64) + " %"
	}
	return Alert{
		ID:       AlertID(patient, KindRisk, cause.Assessment, version),
		Patient:  patient,
		Kind:     KindRisk,
		Severity: sev,
		Title:    fmt.Sprintf("%s: %s (%s)", what, level, source),
		Cause:    cause,
		Raised:   now,
		Trigger:  store.Ref{Collection: store.Risk, Type: "RiskAssessment", ID: ra.ID},
		Version:  version,
	}, true, nil
}

// SortAlerts orders alerts for an inbox: severity (highest first), then the
// newest raised, then id.
func SortAlerts(as []Alert) {
	sort.SliceStable(as, func(i, j int) bool {
		a, b := as[i], as[j]
		if ra, rb := SeverityRank(a.Severity), SeverityRank(b.Severity); ra != rb {
			return ra > rb
		}
		if !a.Raised.Equal(b.Raised) {
			return a.Raised.After(b.Raised)
		}
		return a.ID < b.ID
	})
}
