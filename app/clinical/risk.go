package clinical

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/chartline/chartline/store"
)

// Upstream risk assessments (cds.risk).
//
// An upstream RiskAssessment becomes an inbox alert only when it is about
// now and about the near future:
//
//   - Recent: its occurrence (occurrenceDateTime, else occurrencePeriod's end,
//     else its start) is inside the observation window relative to now
//     (RiskOptions.Window, the same window as NEWS2's, default 24 h). An
//     undated assessment counts as produced at meta.lastUpdated, else at the
//     time its record was written to cds.risk (the Kafka timestamp, the same
//     on every workstation); with neither it is not recent.
//   - Short horizon: every prediction it alerts on has a horizon, where one is
//     given, of at most RiskOptions.MaxHorizon (default 30 days): whenPeriod's
//     end minus its start (else minus the occurrence), or whenRange's high
//     (else low) read as a duration (UCUM min, h, d, wk, mo, a). A whenRange
//     in years at or above 1 is a horizon of a year or more (it may be an
//     age range, "by age 65": long either way). A prediction whose outcome or
//     rationale says "lifetime" is long. 30 days covers the acute models a
//     coordinator acts on (sepsis within 48 h, readmission within 30 days) and
//     excludes the risk scores of chronic disease (10-year cardiovascular
//     risk, lifetime genetic risk).
//
// Everything else that is usable (status final, amended, corrected or
// preliminary) is information: kept with the patient's alerts, shown on the
// chart with its horizon and every prediction, severity "info", never in the
// inbox and never notified.
//
// Severity of an inbox risk alert, the highest over its short-horizon
// predictions: qualitativeRisk (HL7 risk-probability) high or certain, or a
// probabilityDecimal at or above RiskOptions.HighThreshold (0.8), is high;
// moderate, or a probability above RiskOptions.Threshold (0.5), is medium;
// anything lower raises nothing (it is information). A lifetime or
// long-horizon risk is never high, whatever its probability: high is the
// severity of acute deterioration, which calls for a response within the
// hour; a genetic predisposition calls for none today, and ranking it beside
// a NEWS2 of 9 would teach the coordinator to ignore "high".

// RiskOptions tunes RiskAlert. The zero value is the documented default.
type RiskOptions struct {
	// Threshold: a probabilityDecimal strictly above it raises an alert of
	// severity medium. Zero means 0.5.
	Threshold float64
	// HighThreshold: a probabilityDecimal at or above it makes the alert high.
	// Zero means 0.8.
	HighThreshold float64
	// Window is how recent an assessment must be to alert. Zero means 24 h
	// (the engine passes NEWS2Options.Window).
	Window time.Duration
	// MaxHorizon is the longest prediction horizon that alerts. Zero means 30 days.
	MaxHorizon time.Duration
}

// Defaults of RiskOptions.
const (
	DefaultRiskThreshold     = 0.5
	DefaultRiskHighThreshold = 0.8
	DefaultRiskMaxHorizon    = 30 * 24 * time.Hour
)

type fhirRiskIn struct {
	ResourceType       string         `json:"resourceType"`
	ID                 string         `json:"id"`
	Meta               *fhirMeta      `json:"meta"`
	Status             string         `json:"status"`
	Subject            fhirReference  `json:"subject"`
	Performer          *fhirReference `json:"performer"`
	Code               *fhirConcept   `json:"code"`
	OccurrenceDateTime string         `json:"occurrenceDateTime"`
	OccurrencePeriod   *struct {
		Start string `json:"start"`
		End   string `json:"end"`
	} `json:"occurrencePeriod"`
	Prediction []fhirRiskPredictionIn `json:"prediction"`
}

// fhirRiskPredictionIn is one prediction of an upstream RiskAssessment.
type fhirRiskPredictionIn struct {
	Outcome            *fhirConcept `json:"outcome"`
	ProbabilityDecimal *json.Number `json:"probabilityDecimal"`
	QualitativeRisk    *fhirConcept `json:"qualitativeRisk"`
	WhenRange          *fhirRange   `json:"whenRange"`
	WhenPeriod         *struct {
		Start string `json:"start"`
		End   string `json:"end"`
	} `json:"whenPeriod"`
	Rationale string `json:"rationale"`
}

// ucumDuration converts a quantity in a UCUM time unit to a duration.
func ucumDuration(q *fhirQuantity) (time.Duration, bool) {
	if q == nil || q.Value == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(string(*q.Value), 64)
	if err != nil || v < 0 {
		return 0, false
	}
	unit := map[string]time.Duration{
		"min": time.Minute, "h": time.Hour, "d": 24 * time.Hour, "wk": 7 * 24 * time.Hour,
		"mo": 30 * 24 * time.Hour, "a": 365 * 24 * time.Hour,
		"minute": time.Minute, "minutes": time.Minute, "hour": time.Hour, "hours": time.Hour,
		"day": 24 * time.Hour, "days": 24 * time.Hour, "week": 7 * 24 * time.Hour, "weeks": 7 * 24 * time.Hour,
		"month": 30 * 24 * time.Hour, "months": 30 * 24 * time.Hour, "year": 365 * 24 * time.Hour, "years": 365 * 24 * time.Hour,
	}[strings.ToLower(q.unitCode())]
	if unit == 0 {
		return 0, false
	}
	return time.Duration(v * float64(unit)), true
}

// horizonText writes a horizon for the card: "48 h", "30 d", "65 a".
func horizonText(d time.Duration) string {
	switch {
	case d < 72*time.Hour:
		return strconv.FormatFloat(d.Hours(), 'f', -1, 64) + " h"
	case d < 365*24*time.Hour:
		return strconv.FormatFloat(d.Hours()/24, 'f', 0, 64) + " days"
	}
	return strconv.FormatFloat(d.Hours()/24/365, 'f', 0, 64) + " years"
}

// RiskAlert reads an upstream RiskAssessment (cds.risk, raw FHIR JSON) and
// returns it as an alert: an inbox alert when it is recent, short-horizon
// and at least medium (see the notes above), otherwise information (Info,
// severity info) with its horizon and every prediction. produced is when its
// record was written to cds.risk (used when it has neither an occurrence nor
// meta.lastUpdated). The alert is labelled with its source: meta.source, else
// the performer's display, else header (the record's "source" header), else
// "upstream". ok is false for an assessment that is not final, amended,
// corrected or preliminary, or has no prediction. It fails only on JSON that
// is not a RiskAssessment about a Patient.
func RiskAlert(raw []byte, header string, produced time.Time, opts RiskOptions, now time.Time) (Alert, bool, error) {
	opts = opts.withDefaults()
	ra, patient, err := decodeRisk(raw)
	if err != nil {
		return Alert{}, false, err
	}
	if !usableStatus(ra.Status) || len(ra.Prediction) == 0 {
		return Alert{}, false, nil
	}

	occurred := riskOccurred(&ra, produced)
	cause, sev, info := riskCause(&ra, occurred, opts)
	sev, inbox := settleRisk(&cause, sev, info, occurred, now, opts.Window)
	if !occurred.IsZero() {
		o := occurred
		cause.Occurred = &o
	}
	source := riskSource(&ra, header)
	cause.Source = source
	cause.Assessment = "RiskAssessment/" + ra.ID

	version := riskVersion(ra.Meta)
	return Alert{
		ID:       AlertID(patient, KindRisk, cause.Assessment, version),
		Patient:  patient,
		Kind:     KindRisk,
		Severity: sev,
		Title:    riskTitle(ra.Code, &cause, source),
		Cause:    cause,
		Raised:   occurred,
		Trigger:  store.Ref{Collection: store.Risk, Type: "RiskAssessment", ID: ra.ID},
		Version:  version,
		Info:     !inbox,
	}, true, nil
}

// withDefaults fills in the documented defaults of the zero fields.
func (o RiskOptions) withDefaults() RiskOptions {
	if o.Threshold <= 0 {
		o.Threshold = DefaultRiskThreshold
	}
	if o.HighThreshold <= 0 {
		o.HighThreshold = DefaultRiskHighThreshold
	}
	if o.Window <= 0 {
		o.Window = DefaultStaleWindow
	}
	if o.MaxHorizon <= 0 {
		o.MaxHorizon = DefaultRiskMaxHorizon
	}
	return o
}

// decodeRisk reads a RiskAssessment about a Patient and returns it with the
// patient's id.
func decodeRisk(raw []byte) (fhirRiskIn, string, error) {
	var ra fhirRiskIn
	if err := json.Unmarshal(raw, &ra); err != nil {
		return ra, "", fmt.Errorf("read RiskAssessment: %w", err)
	}
	if ra.ResourceType != "RiskAssessment" || ra.ID == "" {
		return ra, "", fmt.Errorf("read RiskAssessment: resourceType %q id %q is not a RiskAssessment", ra.ResourceType, ra.ID)
	}
	patient, ok := referenceID(ra.Subject.Reference, "Patient")
	if !ok {
		return ra, "", fmt.Errorf("read RiskAssessment/%s: subject is not a Patient", ra.ID)
	}
	return ra, patient, nil
}

// riskOccurred is when the assessment happened: its occurrence, else
// meta.lastUpdated, else produced; zero with none of them.
func riskOccurred(ra *fhirRiskIn, produced time.Time) time.Time {
	var occurred time.Time
	dated := false
	for _, s := range []string{ra.OccurrenceDateTime, periodEnd(ra.OccurrencePeriod), periodStart(ra.OccurrencePeriod)} {
		if t, err := parseFHIRTime(s); s != "" && err == nil {
			occurred, dated = t.UTC(), true
			break
		}
	}
	if !dated && ra.Meta != nil && ra.Meta.LastUpdated != "" {
		if t, err := parseFHIRTime(ra.Meta.LastUpdated); err == nil {
			occurred = t.UTC()
		}
	}
	if occurred.IsZero() && !produced.IsZero() {
		occurred = produced.UTC()
	}
	return occurred
}

// riskCause reads every prediction into the cause, and returns the highest
// severity of the short-horizon ones with the cause's chosen prediction set to
// it, and (info) the first long horizon in words.
func riskCause(ra *fhirRiskIn, occurred time.Time, opts RiskOptions) (cause Cause, sev, info string) {
	for i := range ra.Prediction {
		p := &ra.Prediction[i]
		pred := RiskPrediction{Outcome: p.Outcome.label()}
		var qs, ps string
		pred.QualitativeRisk, qs = qualitativeSeverity(p.QualitativeRisk)
		pred.Probability, ps = probabilitySeverity(p.ProbabilityDecimal, opts)
		s := qs
		if SeverityRank(ps) > SeverityRank(s) {
			s = ps
		}
		var long bool
		pred.Horizon, long = p.horizon(pred.Outcome, occurred, opts.MaxHorizon)
		cause.Predictions = append(cause.Predictions, pred)
		if long {
			if info == "" {
				info = "long horizon (" + pred.Horizon + ")"
			}
			s = "" // a long-horizon prediction never alerts, and is never high
		}
		if SeverityRank(s) > SeverityRank(sev) {
			sev = s
			cause.QualitativeRisk, cause.Probability, cause.Outcome, cause.Horizon = pred.QualitativeRisk, pred.Probability, pred.Outcome, pred.Horizon
		}
	}
	return cause, sev, info
}

// qualitativeSeverity reads a prediction's HL7 risk-probability code (the
// highest when there are several) and the severity it gives: high or certain
// is high, moderate is medium.
func qualitativeSeverity(q *fhirConcept) (code, sev string) {
	if q == nil {
		return "", ""
	}
	for _, c := range q.Coding {
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
		if code == "" || SeverityRank(cs) > SeverityRank(sev) {
			code = c.Code
		}
		if SeverityRank(cs) > SeverityRank(sev) {
			sev = cs
		}
	}
	return code, sev
}

// probabilitySeverity reads a probabilityDecimal (0–1, or a percentage above
// 1) and the severity it gives against the thresholds; nil when there is no
// usable probability.
func probabilitySeverity(n *json.Number, opts RiskOptions) (*float64, string) {
	if n == nil {
		return nil, ""
	}
	v, err := strconv.ParseFloat(string(*n), 64)
	if err != nil || !(v >= 0 && v <= 100) {
		return nil, ""
	}
	if v > 1 {
		v /= 100
	}
	switch {
	case v >= opts.HighThreshold:
		return &v, SeverityHigh
	case v > opts.Threshold:
		return &v, SeverityMedium
	}
	return &v, ""
}

// horizon says a prediction's horizon in words and whether it is long: a
// lifetime, open-ended, beyond maxHorizon, or in years.
func (p *fhirRiskPredictionIn) horizon(outcome string, occurred time.Time, maxHorizon time.Duration) (string, bool) {
	lifetime := strings.Contains(strings.ToLower(outcome+" "+p.Rationale), "lifetime")
	switch {
	case lifetime:
		return "lifetime", true
	case p.WhenPeriod != nil:
		end, errE := parseFHIRTime(p.WhenPeriod.End)
		start, errS := parseFHIRTime(p.WhenPeriod.Start)
		if errS != nil {
			start, errS = occurred, nil
			if occurred.IsZero() {
				errS = fmt.Errorf("no start")
			}
		}
		switch {
		case p.WhenPeriod.End == "" || errE != nil:
			return "open-ended", true
		case errS == nil:
			d := end.Sub(start)
			return "until " + end.UTC().Format("2006-01-02") + " (" + horizonText(max(d, 0)) + ")", d > maxHorizon
		}
	case p.WhenRange != nil:
		q := p.WhenRange.High
		if q == nil {
			q = p.WhenRange.Low
		}
		d, ok := ucumDuration(q)
		if !ok {
			return "range not in time units", true
		}
		word := "within "
		if p.WhenRange.High == nil {
			word = "from "
		}
		long := d > maxHorizon || p.WhenRange.High == nil
		if strings.EqualFold(q.unitCode(), "a") || strings.HasPrefix(strings.ToLower(q.unitCode()), "year") {
			long = true // years: a long horizon, or an age ("by age 65")
		}
		return word + horizonText(d), long
	}
	return "", false
}

// settleRisk decides whether the assessment goes to the inbox: it must be
// dated, inside the window, and have a severity. Otherwise it is information:
// the severity is info, the cause says why, and the card shows the first
// prediction when none alerts.
func settleRisk(cause *Cause, sev, info string, occurred, now time.Time, window time.Duration) (string, bool) {
	inbox := sev != ""
	why := ""
	switch {
	case occurred.IsZero():
		inbox, why = false, "undated"
	case occurred.Before(now.Add(-window)):
		inbox, why = false, "assessed "+occurred.Format("2006-01-02")+", outside the "+shortDuration(window)+" window"
	case sev == "" && info != "":
		why = info
	case sev == "":
		why = "below the alert thresholds"
	}
	if inbox {
		return sev, true
	}
	if cause.Outcome == "" && len(cause.Predictions) > 0 {
		p := cause.Predictions[0]
		cause.QualitativeRisk, cause.Probability, cause.Outcome, cause.Horizon = p.QualitativeRisk, p.Probability, p.Outcome, p.Horizon
	}
	cause.Why = why
	return SeverityInfo, false
}

// riskSource labels the assessment with its source: meta.source, else the
// performer's display, else the record's header, else "upstream".
func riskSource(ra *fhirRiskIn, header string) string {
	switch {
	case ra.Meta != nil && strings.TrimSpace(ra.Meta.Source) != "":
		return strings.TrimSpace(ra.Meta.Source)
	case ra.Performer != nil && strings.TrimSpace(ra.Performer.Display) != "":
		return strings.TrimSpace(ra.Performer.Display)
	case strings.TrimSpace(header) != "":
		return strings.TrimSpace(header)
	}
	return "upstream"
}

// riskVersion is meta.versionId, else meta.lastUpdated.
func riskVersion(m *fhirMeta) string {
	if m == nil {
		return ""
	}
	if m.VersionID != "" || m.LastUpdated == "" {
		return m.VersionID
	}
	if t, err := parseFHIRTime(m.LastUpdated); err == nil {
		return t.UTC().Format(time.RFC3339Nano)
	}
	return ""
}

// riskTitle is the alert's title: "what: level, horizon (source)".
func riskTitle(code *fhirConcept, cause *Cause, source string) string {
	what := code.label()
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
	if level == "" {
		level = "no level"
	}
	if cause.Horizon != "" {
		return fmt.Sprintf("%s: %s, %s (%s)", what, level, cause.Horizon, source)
	}
	return fmt.Sprintf("%s: %s (%s)", what, level, source)
}

func periodEnd(p *struct {
	Start string `json:"start"`
	End   string `json:"end"`
}) string {
	if p == nil {
		return ""
	}
	return p.End
}

func periodStart(p *struct {
	Start string `json:"start"`
	End   string `json:"end"`
}) string {
	if p == nil {
		return ""
	}
	return p.Start
}
