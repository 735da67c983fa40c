package clinical

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/chartline/chartline/store"
)

// Parameter names one of the seven NEWS2 physiological parameters. The string
// values are the keys `chartline inspect` prints under "subscores".
type Parameter string

// The NEWS2 parameters, in the order of the RCP chart.
const (
	Respiration   Parameter = "respiration"
	SpO2          Parameter = "spo2"
	AirOrOxygen   Parameter = "air_or_oxygen"
	Systolic      Parameter = "systolic"
	Pulse         Parameter = "pulse"
	Consciousness Parameter = "consciousness"
	Temperature   Parameter = "temperature"
)

// Parameters returns the seven NEWS2 parameters in chart order.
func Parameters() []Parameter {
	return []Parameter{Respiration, SpO2, AirOrOxygen, Systolic, Pulse, Consciousness, Temperature}
}

// NEWS2 bands, from the RCP NEWS2 chart 2017 ("NEWS thresholds and triggers"),
// plus "none" when there is no usable vital sign at all.
const (
	BandNone       = "none"
	BandLow        = "low"        // aggregate 0–4
	BandLowMedium  = "low-medium" // a single parameter scoring 3 (red score), aggregate under 5
	BandMedium     = "medium"     // aggregate 5–6
	BandHigh       = "high"       // aggregate 7 or more
	bandMediumFrom = 5            // RCP NEWS2 chart 2017: aggregate 5–6 is medium
	bandHighFrom   = 7            // RCP NEWS2 chart 2017: aggregate ≥ 7 is high
	redScore       = 3            // RCP NEWS2 chart 2017: a single parameter scoring 3 is a red score
)

// BandRank orders the bands: none 0, low 1, low-medium 2, medium 3, high 4,
// and National PEWS's emergency 5 (so the census ranks both scores on one
// scale); an unknown band is -1. A NEWS2 alert is a rise in rank.
func BandRank(band string) int {
	switch band {
	case BandNone:
		return 0
	case BandLow:
		return 1
	case BandLowMedium:
		return 2
	case BandMedium:
		return 3
	case BandHigh:
		return 4
	case PEWSEmergency:
		return 5
	}
	return -1
}

// LOINC and SNOMED CT codes of the NEWS2 inputs, in the store's "system|code"
// form (LOINC 2.7x; FHIR R4 vital signs profile, http://hl7.org/fhir/R4/observation-vitalsigns.html).
const (
	CodeRespiratoryRate   = SystemLOINC + "|9279-1"  // Respiratory rate
	CodeSpO2              = SystemLOINC + "|59408-5" // Oxygen saturation in Arterial blood by Pulse oximetry
	CodeSaO2              = SystemLOINC + "|2708-6"  // Oxygen saturation in Arterial blood
	CodeInhaledO2Flow     = SystemLOINC + "|3151-8"  // Inhaled oxygen flow rate
	CodeInhaledO2Conc     = SystemLOINC + "|3150-0"  // Inhaled oxygen concentration
	CodeSystolicBP        = SystemLOINC + "|8480-6"  // Systolic blood pressure
	CodeBPPanel           = SystemLOINC + "|85354-9" // Blood pressure panel with all children optional
	CodeBPPanelOld        = SystemLOINC + "|55284-4" // Blood pressure systolic and diastolic
	CodeHeartRate         = SystemLOINC + "|8867-4"  // Heart rate
	CodeResponsiveness    = SystemLOINC + "|67775-7" // Level of responsiveness
	CodeACVPUSnomed       = SystemSNOMED + "|1104441000000107"
	CodeBodyTemperature   = SystemLOINC + "|8310-5"     // Body temperature
	CodeTempOral          = SystemLOINC + "|8331-1"     // Oral temperature
	CodeTempTympanic      = SystemLOINC + "|8332-9"     // Tympanic membrane temperature
	CodeTempRectal        = SystemLOINC + "|8333-7"     // Rectal temperature
	CodeTempAxillary      = SystemLOINC + "|8328-7"     // Axillary temperature
	CodeTempTemporal      = SystemLOINC + "|8334-5"     // Temporal artery temperature
	CodeACVPUAlert        = SystemSNOMED + "|248234008" // Mentally alert
	CodeACVPUConfusion    = SystemSNOMED + "|130987000" // Acute confusion (new confusion)
	CodeACVPUVoice        = SystemSNOMED + "|300202002" // Responds to voice
	CodeACVPUPain         = SystemSNOMED + "|450847001" // Responds to pain
	CodeACVPUUnresponsive = SystemSNOMED + "|422768004" // Unresponsive
)

// NEWS2MethodCode and NEWS2MethodDisplay name the SNOMED CT concept for the NEWS2 score, used as the
// RiskAssessment method and code (SNOMED CT UK edition).
const (
	NEWS2MethodCode    = "1104051000000101"
	NEWS2MethodDisplay = "Royal College of Physicians NEWS2 (National Early Warning Score 2) score"
)

var temperatureCodes = []string{CodeBodyTemperature, CodeTempOral, CodeTempTympanic, CodeTempRectal, CodeTempAxillary, CodeTempTemporal}

// Thresholds of the RCP NEWS2 chart 2017 (Royal College of Physicians, National
// Early Warning Score (NEWS) 2, Chart 1: The NEWS scoring system). Each constant
// is the highest value of its row; a value above the last row scores the top row.
const (
	// Respiration rate, per minute: ≤8 → 3, 9–11 → 1, 12–20 → 0, 21–24 → 2, ≥25 → 3.
	respScore3Max = 8
	respScore1Max = 11
	respScore0Max = 20
	respScore2Max = 24

	// SpO2 Scale 1, %: ≤91 → 3, 92–93 → 2, 94–95 → 1, ≥96 → 0.
	spo2S1Score3Max = 91
	spo2S1Score2Max = 93
	spo2S1Score1Max = 95

	// SpO2 Scale 2 (hypercapnic respiratory failure), %: ≤83 → 3, 84–85 → 2,
	// 86–87 → 1, 88–92 or ≥93 on air → 0; on oxygen 93–94 → 1, 95–96 → 2, ≥97 → 3.
	spo2S2Score3Max     = 83
	spo2S2Score2Max     = 85
	spo2S2Score1Max     = 87
	spo2S2Score0Max     = 92
	spo2S2O2Score1Max   = 94
	spo2S2O2Score2Max   = 96
	hypercapnicTargetHi = 92 // RCP NEWS2 2017: Scale 2 is for a prescribed target range of 88–92 %

	// Air or oxygen: air → 0, oxygen → 2.
	oxygenScore = 2

	// Systolic blood pressure, mmHg: ≤90 → 3, 91–100 → 2, 101–110 → 1, 111–219 → 0, ≥220 → 3.
	sbpScore3Max = 90
	sbpScore2Max = 100
	sbpScore1Max = 110
	sbpScore0Max = 219

	// Pulse, per minute: ≤40 → 3, 41–50 → 1, 51–90 → 0, 91–110 → 1, 111–130 → 2, ≥131 → 3.
	pulseScore3Max   = 40
	pulseScore1Max   = 50
	pulseScore0Max   = 90
	pulseScore1HiMax = 110
	pulseScore2HiMax = 130

	// Consciousness: alert → 0; new confusion, voice, pain or unresponsive (CVPU) → 3.
	cvpuScore = 3

	// Temperature, tenths of °C: ≤35.0 → 3, 35.1–36.0 → 1, 36.1–38.0 → 0, 38.1–39.0 → 1, ≥39.1 → 2.
	tempScore3MaxTenths   = 350
	tempScore1MaxTenths   = 360
	tempScore0MaxTenths   = 380
	tempScore1HiMaxTenths = 390
)

// Room air is 21 % oxygen: an inhaled concentration above it means supplemental
// oxygen (RCP NEWS2 2017, "air or oxygen"), as does any inhaled flow above 0 L/min.
const roomAirPercent = 21

// Plausibility limits: Chartline's own, not the chart's. A value outside them is
// a recording error (a Fahrenheit reading labelled Cel, a SpO2 of 250) and is
// skipped with a reason rather than scored.
const (
	minPlausibleCelsius = 10
	maxPlausibleCelsius = 50
	maxPercent          = 100
)

// DefaultStaleWindow is how long before now a parameter's reading may be and
// still count: 24 hours (a policy setting, StaleVitals).
const DefaultStaleWindow = 24 * time.Hour

// ScalePolicy says when SpO2 Scale 2 applies.
type ScalePolicy int

const (
	// FollowTarget (the default) uses Scale 2 when the patient has an active
	// Goal recording a hypercapnic SpO2 target (high ≤ 92 %), else Scale 1.
	FollowTarget ScalePolicy = iota
	// Scale1Only ignores recorded targets: a local policy that Scale 2 is
	// never used automatically.
	Scale1Only
)

// NEWS2Options tunes NEWS2. The zero value is the documented default.
type NEWS2Options struct {
	// Window is how long before now (NEWS2At's now) a reading may be and still
	// be scored; older readings are stale. Zero or negative means 24 h. The
	// alert engine reads the same window to decide whether data is current.
	Window time.Duration
	// Scale chooses the SpO2 scale policy; default FollowTarget.
	Scale ScalePolicy
	// AssumeAir scores "air" (0) when no air-or-oxygen evidence is recorded.
	// Default false: the parameter is missing, since assuming air under-scores
	// a patient whose oxygen was simply not charted by 2 points.
	AssumeAir bool
}

// Reading is one parameter's value as NEWS2 used (or found) it.
type Reading struct {
	Parameter Parameter `json:"parameter"`
	Ref       store.Ref `json:"ref"`               // the Observation; empty for an assumed value
	Version   string    `json:"version,omitempty"` // meta.versionId, else meta.lastUpdated
	Value     float64   `json:"value"`             // in Unit; temperatures in Cel after conversion
	Unit      string    `json:"unit,omitempty"`    // canonical UCUM unit of Value
	Code      string    `json:"code,omitempty"`    // consciousness: A, C, V, P or U; air_or_oxygen: air or oxygen
	Assumed   bool      `json:"assumed,omitempty"` // air assumed (NEWS2Options.AssumeAir), no Observation
	Time      time.Time `json:"time"`
	Age       Duration  `json:"age"` // before the evaluation time (Result.At), else before Result.Newest
	Score     int       `json:"score"`
}

// Skip is a reading NEWS2 could not use, and why.
type Skip struct {
	Parameter Parameter `json:"parameter"`
	Ref       store.Ref `json:"ref"`
	Time      time.Time `json:"time"`
	Reason    string    `json:"reason"`
}

// Duration is a time.Duration that reads and writes JSON as whole seconds.
type Duration time.Duration

// MarshalJSON writes the duration in seconds.
func (d Duration) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf("%d", int64(time.Duration(d)/time.Second))), nil
}

// UnmarshalJSON reads a duration in seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s float64
	if _, err := fmt.Sscan(string(b), &s); err != nil {
		return fmt.Errorf("duration %q: %w", b, err)
	}
	*d = Duration(s * float64(time.Second))
	return nil
}

// Result is a NEWS2 evaluation. It is plain data, JSON-ready, so the engine can
// keep it as a store.Doc and the views can draw it.
type Result struct {
	Total     int               `json:"score"`
	Band      string            `json:"band"`
	Red       bool              `json:"red"` // a single parameter scored 3
	Scale     int               `json:"scale"`
	ScaleGoal *store.Ref        `json:"scaleGoal,omitempty"` // the Goal that chose Scale 2
	Complete  bool              `json:"complete"`            // all seven parameters scored
	Scores    map[Parameter]int `json:"subscores"`           // scored parameters only
	Missing   []Parameter       `json:"missing"`             // no usable fresh value (includes Stale), chart order
	Stale     []Reading         `json:"stale,omitempty"`     // newest usable reading, too old to score
	Readings  []Reading         `json:"readings"`            // the readings scored, chart order
	Skipped   []Skip            `json:"skipped,omitempty"`   // unusable readings newer than the one used
	Newest    time.Time         `json:"newest"`              // newest usable vital sign; zero without data
	Window    Duration          `json:"window"`

	// Status is complete, partial, insufficient, stale or not-applicable
	// (scorestatus.go); Band is "none" unless complete or partial.
	Status string `json:"status"`
	// Why says the status in words: "partial — 5 of 7; missing …",
	// "NEWS2 does not apply: age 7 — PEWS shown".
	Why string `json:"why,omitempty"`
	// ObservedAt is the time of the oldest value scored: the score is no
	// older than this.
	ObservedAt time.Time `json:"observedAt,omitempty"`
	// At is the time the window was measured back from (now); zero for a
	// score of history, measured back from Newest.
	At time.Time `json:"at,omitempty"`
}

// Score returns a parameter's sub-score and whether it was scored.
func (r Result) Score(p Parameter) (int, bool) {
	s, ok := r.Scores[p]
	return s, ok
}

// Reading returns the reading scored for a parameter, if any.
func (r Result) Reading(p Parameter) (Reading, bool) {
	for _, rd := range r.Readings {
		if rd.Parameter == p {
			return rd, true
		}
	}
	return Reading{}, false
}

// Subscores returns the sub-scores keyed by parameter name, for `chartline
// inspect`. Missing parameters are absent (listed in Missing), never 0.
func (r Result) Subscores() map[string]int {
	m := make(map[string]int, len(r.Scores))
	for p, s := range r.Scores {
		m[string(p)] = s
	}
	return m
}

// MissingNames returns Missing as strings, for `chartline inspect`.
func (r Result) MissingNames() []string {
	out := make([]string, len(r.Missing))
	for i, p := range r.Missing {
		out[i] = string(p)
	}
	return out
}

// candidate is one reading of one parameter found among the vital signs.
type candidate struct {
	Reading
	lastUpdated time.Time
	skip        string // non-empty: unusable, and why
	o2          bool   // air_or_oxygen: true for oxygen
}

// after orders candidates: later clinical time, then later lastUpdated, then
// larger Type/id, so the choice of "latest" is the same on every workstation.
func (c *candidate) after(o *candidate) bool {
	if !c.Time.Equal(o.Time) {
		return c.Time.After(o.Time)
	}
	if !c.lastUpdated.Equal(o.lastUpdated) {
		return c.lastUpdated.After(o.lastUpdated)
	}
	return c.Ref.Key() > o.Ref.Key()
}

// usableStatus lists the Observation statuses NEWS2 scores.
func usableStatus(s string) bool {
	switch s {
	case "final", "amended", "corrected", "preliminary":
		return true
	}
	return false
}

// NEWS2 scores the patient's latest vital signs per the RCP NEWS2 chart (2017).
// vitals are the patient's Observations (any category; those that are not NEWS2
// inputs are ignored); goals are the patient's Goals, read only for a
// hypercapnic SpO2 target. It never fails: what it cannot use, it reports in
// Missing, Stale and Skipped.
//
// The window is measured back from the newest vital sign: this is NEWS2 as
// it stood at that time, for trends and history. The current score is
// NEWS2At with now.
func NEWS2(vitals []store.Item, goals []store.Item, opts NEWS2Options) Result {
	return NEWS2At(vitals, goals, opts, time.Time{})
}

// NEWS2At is NEWS2 with the window measured back from now: a reading older
// than now − Window is stale, and with none inside it the status is stale
// and the band none. A zero now means the newest vital sign (NEWS2).
func NEWS2At(vitals []store.Item, goals []store.Item, opts NEWS2Options, now time.Time) Result {
	window := opts.Window
	if window <= 0 {
		window = DefaultStaleWindow
	}
	res := Result{Band: BandNone, Scale: 1, Scores: map[Parameter]int{}, Window: Duration(window),
		Missing: []Parameter{}, Readings: []Reading{}}
	if opts.Scale == FollowTarget {
		if g, ok := hypercapnicGoal(goals); ok {
			res.Scale = 2
			res.ScaleGoal = &g
		}
	}

	// Collect every reading of every parameter, keeping the latest usable one
	// of each (in slot, by chart order) and the unusable ones.
	var (
		slot  [7]candidate
		have  [7]bool
		buf   [2]candidate // an Observation carries at most two readings
		skips []candidate
	)
	for i := range vitals {
		for _, c := range readingsOf(&vitals[i], buf[:0]) {
			if c.skip != "" {
				if paramIndex(c.Parameter) < len(slot) {
					skips = append(skips, c)
				}
				continue
			}
			if k := paramIndex(c.Parameter); k < len(slot) && (!have[k] || c.after(&slot[k])) {
				slot[k], have[k] = c, true
			}
		}
	}
	best := map[Parameter]*candidate{}
	for k, p := range Parameters() {
		if have[k] {
			best[p] = &slot[k]
		}
	}
	for _, c := range best {
		if c.Time.After(res.Newest) {
			res.Newest = c.Time
		}
	}

	// Staleness, relative to now (or, for history, the newest vital sign).
	ref := res.Newest
	if !now.IsZero() {
		ref, res.At = now, now
	}
	fresh := map[Parameter]*candidate{}
	for _, p := range Parameters() {
		c := best[p]
		if c == nil {
			continue
		}
		c.Age = Duration(max(ref.Sub(c.Time), 0))
		if time.Duration(c.Age) > window {
			res.Stale = append(res.Stale, c.Reading)
			continue
		}
		fresh[p] = c
	}
	if fresh[AirOrOxygen] == nil && opts.AssumeAir && len(fresh) > 0 {
		fresh[AirOrOxygen] = &candidate{Reading: Reading{Parameter: AirOrOxygen, Code: "air", Assumed: true, Time: res.Newest}}
	}

	for _, p := range Parameters() {
		c := fresh[p]
		if c == nil {
			res.Missing = append(res.Missing, p)
			continue
		}
		score, why := scoreReading(c, res.Scale, fresh[AirOrOxygen])
		if why != "" {
			skips = append(skips, candidate{Reading: c.Reading, skip: why})
			res.Missing = append(res.Missing, p)
			continue
		}
		c.Score = score
		res.Scores[p] = score
		res.Total += score
		if score == redScore {
			res.Red = true
		}
		res.Readings = append(res.Readings, c.Reading)
	}

	// Report the skipped readings that matter: those newer than what was used.
	for _, s := range skips {
		if b := best[s.Parameter]; b != nil && !s.Time.After(b.Time) && s.Ref != b.Ref {
			continue
		}
		res.Skipped = append(res.Skipped, Skip{Parameter: s.Parameter, Ref: s.Ref, Time: s.Time, Reason: s.skip})
	}
	sort.SliceStable(res.Skipped, func(i, j int) bool {
		a, b := res.Skipped[i], res.Skipped[j]
		if a.Parameter != b.Parameter {
			return paramIndex(a.Parameter) < paramIndex(b.Parameter)
		}
		if !a.Time.Equal(b.Time) {
			return a.Time.After(b.Time)
		}
		return a.Ref.Key() < b.Ref.Key()
	})

	res.Complete = len(res.Scores) == len(Parameters())
	res.Band = bandOf(res.Total, res.Red, len(res.Scores) > 0)
	for _, rd := range res.Readings {
		if res.ObservedAt.IsZero() || rd.Time.Before(res.ObservedAt) {
			res.ObservedAt = rd.Time
		}
	}
	res.settleStatus(len(best) > 0)
	return res
}

// settleStatus sets Status and Why from what was scored, and drops the band
// of a score that is not complete or partial.
func (r *Result) settleStatus(anyValue bool) {
	r.Status = scoreStatus(len(r.Scores), len(Parameters()), anyValue)
	r.Why = statusWhy(r.Status, len(r.Scores), len(Parameters()), r.MissingNames(), time.Duration(r.Window))
	if !ScoreCurrent(r.Status) {
		r.Band = BandNone
	}
}

// bandOf applies the RCP NEWS2 chart 2017 thresholds in this order of
// precedence: no scored parameter → none; aggregate ≥ 7 → high; 5–6 → medium;
// a red score (single parameter 3) → low-medium; otherwise low.
func bandOf(total int, red, any bool) string {
	switch {
	case !any:
		return BandNone
	case total >= bandHighFrom:
		return BandHigh
	case total >= bandMediumFrom:
		return BandMedium
	case red:
		return BandLowMedium
	}
	return BandLow
}

// paramIndex is a parameter's position in chart order (7 for an unknown one).
func paramIndex(p Parameter) int {
	switch p {
	case Respiration:
		return 0
	case SpO2:
		return 1
	case AirOrOxygen:
		return 2
	case Systolic:
		return 3
	case Pulse:
		return 4
	case Consciousness:
		return 5
	case Temperature:
		return 6
	}
	return 7
}

// hypercapnicGoal finds an active Goal whose measure is SpO2 and whose target
// range tops out at or below 92 %: the recorded prescription for Scale 2.
func hypercapnicGoal(goals []store.Item) (store.Ref, bool) {
	var found *store.Item
	for i := range goals {
		g := &goals[i]
		m := &g.Meta
		if m.Status != "active" || !hasAny(m.Codes, CodeSpO2, CodeSaO2) || !m.HasHigh {
			continue
		}
		if m.Unit != "" && m.Unit != "%" {
			continue
		}
		if m.High > hypercapnicTargetHi || (m.HasLow && m.Low > m.High) {
			continue
		}
		if found == nil || g.Key() < found.Key() {
			found = g
		}
	}
	if found == nil {
		return store.Ref{}, false
	}
	return found.Ref, true
}

// readingsOf turns one Observation index entry into the NEWS2 readings it
// carries (none, one, or several for a pulse-oximetry panel).
func readingsOf(it *store.Item, buf []candidate) []candidate {
	m := &it.Meta
	out := buf[:0]
	add := func(p Parameter) *candidate {
		out = append(out, candidate{Reading: Reading{Parameter: p, Ref: it.Ref, Time: m.Time, Version: versionOf(m)}, lastUpdated: m.LastUpdated})
		c := &out[len(out)-1]
		switch {
		case !usableStatus(m.Status):
			c.skip = fmt.Sprintf("status %q is not scored", m.Status)
		case m.Time.IsZero():
			c.skip = "no effective time"
		}
		return c
	}
	main := func(p Parameter, conv func(v float64, unit string) (float64, string, string)) {
		c := add(p)
		if c.skip != "" {
			return
		}
		switch {
		case !m.HasValue:
			c.skip = "no numeric value"
		case m.Comparator != "":
			c.skip = fmt.Sprintf("value has comparator %q", m.Comparator)
		case math.IsNaN(m.Value) || math.IsInf(m.Value, 0) || m.Value < 0:
			c.skip = "value is not a usable number"
		default:
			c.Value, c.Unit, c.skip = conv(m.Value, m.Unit)
		}
	}

	switch {
	case hasAny(m.Codes, CodeRespiratoryRate):
		main(Respiration, perMinute)
	case hasAny(m.Codes, CodeHeartRate):
		main(Pulse, perMinute)
	case hasAny(m.Codes, temperatureCodes...):
		main(Temperature, celsius)
	case hasAny(m.Codes, CodeSystolicBP):
		main(Systolic, mmHg)
	case hasAny(m.Codes, CodeSpO2, CodeSaO2):
		main(SpO2, percent)
		o2FromComponents(it, add)
	case hasAny(m.Codes, CodeInhaledO2Flow, CodeInhaledO2Conc):
		c := add(AirOrOxygen)
		if c.skip == "" {
			switch {
			case !m.HasValue:
				c.skip = "no numeric value"
			case m.Comparator != "":
				c.skip = fmt.Sprintf("value has comparator %q", m.Comparator)
			case hasAny(m.Codes, CodeInhaledO2Flow):
				c.Value, c.Unit, c.o2, c.skip = o2Flow(m.Value, m.Unit)
			default:
				c.Value, c.Unit, c.o2, c.skip = o2Conc(m.Value, m.Unit)
			}
			c.Code = airCode(c.o2)
		}
	case hasAny(m.Codes, CodeBPPanel, CodeBPPanelOld):
		c := add(Systolic)
		if c.skip != "" {
			return out
		}
		c.skip = "no systolic component"
		for _, comp := range m.Components {
			if comp.Code != CodeSystolicBP {
				continue
			}
			if !comp.HasValue || comp.Value < 0 || math.IsNaN(comp.Value) || math.IsInf(comp.Value, 0) {
				c.skip = "systolic component has no usable value"
				break
			}
			c.Value, c.Unit, c.skip = mmHg(comp.Value, comp.Unit)
			break
		}
	case hasAny(m.Codes, CodeCapillaryRefill, CodeCapillaryRefillSCT):
		main(CapillaryRefill, seconds)
	case hasAny(m.Codes, CodeRespiratoryDistress):
		c := add(RespiratoryDistress)
		if c.skip == "" {
			c.Code, c.Value, c.skip = distress(m.ValueCode, m.ValueText)
		}
	case hasAny(m.Codes, CodeResponsiveness, CodeACVPUSnomed):
		c := add(Consciousness)
		if c.skip == "" {
			c.Code, c.skip = acvpu(m.ValueCode, m.ValueText)
		}
	}
	return out
}

// o2FromComponents reads the inhaled-oxygen components of a pulse-oximetry
// Observation (flow 3151-8, concentration 3150-0) as one air-or-oxygen reading:
// oxygen when either says so, air when the usable ones say air.
func o2FromComponents(it *store.Item, add func(Parameter) *candidate) {
	var flow, conc *store.Component
	for i := range it.Meta.Components {
		comp := &it.Meta.Components[i]
		switch comp.Code {
		case CodeInhaledO2Flow:
			flow = comp
		case CodeInhaledO2Conc:
			conc = comp
		}
	}
	if flow == nil && conc == nil {
		return
	}
	c := add(AirOrOxygen)
	if c.skip != "" {
		return
	}
	var reasons []string
	used := false
	if flow != nil {
		if !flow.HasValue {
			reasons = append(reasons, "flow component has no value")
		} else if v, u, o2, why := o2Flow(flow.Value, flow.Unit); why != "" {
			reasons = append(reasons, why)
		} else {
			c.Value, c.Unit, c.o2, used = v, u, o2, true
		}
	}
	if conc != nil && !c.o2 {
		if !conc.HasValue {
			reasons = append(reasons, "concentration component has no value")
		} else if v, u, o2, why := o2Conc(conc.Value, conc.Unit); why != "" {
			reasons = append(reasons, why)
		} else if o2 || !used {
			c.Value, c.Unit, c.o2, used = v, u, o2, true
		}
	}
	if !used {
		c.skip = strings.Join(reasons, "; ")
	}
	c.Code = airCode(c.o2)
}

func airCode(o2 bool) string {
	if o2 {
		return "oxygen"
	}
	return "air"
}

func versionOf(m *store.Meta) string {
	if m.Version != "" {
		return m.Version
	}
	if !m.LastUpdated.IsZero() {
		return m.LastUpdated.UTC().Format(time.RFC3339Nano)
	}
	return ""
}

// Unit checks. Each returns the value in its canonical unit, that unit, and a
// reason when the unit cannot be used.

func perMinute(v float64, unit string) (float64, string, string) {
	switch ucumBase(unit) {
	case "/min", "1/min":
		return v, "/min", ""
	}
	return 0, "", unitReason(unit, "/min")
}

func percent(v float64, unit string) (float64, string, string) {
	if unit != "%" {
		return 0, "", unitReason(unit, "%")
	}
	if v > maxPercent {
		return 0, "", fmt.Sprintf("%g %% is above 100 %%", v)
	}
	return v, "%", ""
}

func mmHg(v float64, unit string) (float64, string, string) {
	if ucumBase(unit) != "mm[Hg]" {
		return 0, "", unitReason(unit, "mm[Hg]")
	}
	return v, "mm[Hg]", ""
}

func celsius(v float64, unit string) (float64, string, string) {
	var c float64
	switch ucumBase(unit) {
	case "Cel":
		c = v
	case "[degF]":
		c = (v - 32) * 5 / 9
	case "K":
		c = v - 273.15
	default:
		return 0, "", unitReason(unit, "Cel or [degF]")
	}
	if c < minPlausibleCelsius || c > maxPlausibleCelsius {
		return 0, "", fmt.Sprintf("%g %s is not a plausible body temperature", v, unit)
	}
	return c, "Cel", ""
}

func o2Flow(v float64, unit string) (float64, string, bool, string) {
	switch ucumBase(unit) {
	case "L/min", "l/min":
	default:
		return 0, "", false, unitReason(unit, "L/min")
	}
	if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, "", false, "oxygen flow is not a usable number"
	}
	return v, "L/min", v > 0, ""
}

func o2Conc(v float64, unit string) (float64, string, bool, string) {
	if unit != "%" {
		return 0, "", false, unitReason(unit, "%")
	}
	if v < 0 || v > maxPercent || math.IsNaN(v) {
		return 0, "", false, fmt.Sprintf("oxygen concentration %g %% is not plausible", v)
	}
	return v, "%", v > roomAirPercent, ""
}

func unitReason(unit, want string) string {
	if unit == "" {
		return "no unit (want " + want + ")"
	}
	return fmt.Sprintf("unit %q cannot be used (want %s)", unit, want)
}

// acvpu reads a consciousness answer: the SNOMED CT ACVPU codes first, then the
// text (a single letter A/C/V/P/U, or the words).
func acvpu(valueCode, valueText string) (string, string) {
	switch valueCode {
	case CodeACVPUAlert:
		return "A", ""
	case CodeACVPUConfusion:
		return "C", ""
	case CodeACVPUVoice:
		return "V", ""
	case CodeACVPUPain:
		return "P", ""
	case CodeACVPUUnresponsive:
		return "U", ""
	}
	t := strings.ToLower(strings.TrimSpace(valueText))
	switch t {
	case "a", "c", "v", "p", "u":
		return strings.ToUpper(t), ""
	case "":
		if valueCode != "" {
			return "", "answer code is not an ACVPU code"
		}
		return "", "no answer"
	}
	for _, neg := range []string{"not ", "no ", "non-", "never "} {
		if strings.HasPrefix(t, neg) || strings.Contains(t, " "+neg) {
			return "", "negated free text cannot be scored"
		}
	}
	switch {
	case strings.Contains(t, "unresponsive"):
		return "U", ""
	case strings.Contains(t, "pain"):
		return "P", ""
	case strings.Contains(t, "voice"):
		return "V", ""
	case strings.Contains(t, "confus"):
		return "C", ""
	case strings.Contains(t, "alert"):
		return "A", ""
	}
	return "", "answer is not an ACVPU level"
}

// scoreReading applies the chart to one reading. It returns a reason instead
// when the score cannot be decided (Scale 2 SpO2 ≥ 93 % without knowing whether
// the patient is on oxygen).
func scoreReading(c *candidate, scale int, air *candidate) (int, string) {
	switch c.Parameter {
	case Respiration:
		return scoreRespiration(c.Value), ""
	case SpO2:
		if scale == 2 {
			v := int(math.Round(c.Value))
			if v > spo2S2Score0Max && air == nil {
				return 0, "Scale 2 needs air or oxygen for SpO2 ≥ 93 %, and none is recorded"
			}
			return scoreSpO2Scale2(c.Value, air != nil && air.o2), ""
		}
		return scoreSpO2Scale1(c.Value), ""
	case AirOrOxygen:
		if c.o2 {
			return oxygenScore, ""
		}
		return 0, ""
	case Systolic:
		return scoreSystolic(c.Value), ""
	case Pulse:
		return scorePulse(c.Value), ""
	case Consciousness:
		if c.Code == "A" {
			return 0, ""
		}
		return cvpuScore, ""
	case Temperature:
		return scoreTemperature(c.Value), ""
	}
	return 0, "unknown parameter"
}

// The chart's rows are whole numbers (one decimal for temperature); a value
// between rows is rounded half away from zero to the chart's resolution first.

func scoreRespiration(v float64) int {
	switch n := int(math.Round(v)); {
	case n <= respScore3Max:
		return 3
	case n <= respScore1Max:
		return 1
	case n <= respScore0Max:
		return 0
	case n <= respScore2Max:
		return 2
	}
	return 3
}

func scoreSpO2Scale1(v float64) int {
	switch n := int(math.Round(v)); {
	case n <= spo2S1Score3Max:
		return 3
	case n <= spo2S1Score2Max:
		return 2
	case n <= spo2S1Score1Max:
		return 1
	}
	return 0
}

func scoreSpO2Scale2(v float64, onOxygen bool) int {
	n := int(math.Round(v))
	switch {
	case n <= spo2S2Score3Max:
		return 3
	case n <= spo2S2Score2Max:
		return 2
	case n <= spo2S2Score1Max:
		return 1
	case n <= spo2S2Score0Max, !onOxygen:
		return 0
	case n <= spo2S2O2Score1Max:
		return 1
	case n <= spo2S2O2Score2Max:
		return 2
	}
	return 3
}

func scoreSystolic(v float64) int {
	switch n := int(math.Round(v)); {
	case n <= sbpScore3Max:
		return 3
	case n <= sbpScore2Max:
		return 2
	case n <= sbpScore1Max:
		return 1
	case n <= sbpScore0Max:
		return 0
	}
	return 3
}

func scorePulse(v float64) int {
	switch n := int(math.Round(v)); {
	case n <= pulseScore3Max:
		return 3
	case n <= pulseScore1Max:
		return 1
	case n <= pulseScore0Max:
		return 0
	case n <= pulseScore1HiMax:
		return 1
	case n <= pulseScore2HiMax:
		return 2
	}
	return 3
}

func scoreTemperature(celsius float64) int {
	switch t := int(math.Round(celsius * 10)); {
	case t <= tempScore3MaxTenths:
		return 3
	case t <= tempScore1MaxTenths:
		return 1
	case t <= tempScore0MaxTenths:
		return 0
	case t <= tempScore1HiMaxTenths:
		return 1
	}
	return 2
}

// Extensions Chartline puts on its NEWS2 RiskAssessment.
const (
	ExtNEWS2Score    = ExtensionBase + "news2-score"    // valueInteger: the (partial) total
	ExtNEWS2Band     = ExtensionBase + "news2-band"     // valueCode: none, low, low-medium, medium, high
	ExtNEWS2Scale    = ExtensionBase + "news2-scale"    // valueInteger: SpO2 scale 1 or 2
	ExtNEWS2Complete = ExtensionBase + "news2-complete" // valueBoolean: all seven parameters scored
	ExtNEWS2Subscore = ExtensionBase + "news2-subscore" // complex: parameter (valueCode), score (valueInteger)
)

type fhirRiskAssessment struct {
	ResourceType       string               `json:"resourceType"`
	ID                 string               `json:"id,omitempty"`
	Meta               *fhirMeta            `json:"meta,omitempty"`
	Extension          []fhirExtension      `json:"extension,omitempty"`
	Status             string               `json:"status"`
	Method             *fhirConcept         `json:"method,omitempty"`
	Code               *fhirConcept         `json:"code,omitempty"`
	Subject            fhirReference        `json:"subject"`
	OccurrenceDateTime string               `json:"occurrenceDateTime,omitempty"`
	Performer          *fhirReference       `json:"performer,omitempty"`
	Basis              []fhirReference      `json:"basis,omitempty"`
	Prediction         []fhirRiskPrediction `json:"prediction,omitempty"`
	Note               []fhirAnnotation     `json:"note,omitempty"`
}

type fhirRiskPrediction struct {
	Outcome            *fhirConcept `json:"outcome,omitempty"`
	ProbabilityDecimal *json.Number `json:"probabilityDecimal,omitempty"`
	QualitativeRisk    *fhirConcept `json:"qualitativeRisk,omitempty"`
	Rationale          string       `json:"rationale,omitempty"`
}

// qualitativeRisk maps a NEWS2 band to the HL7 risk-probability code: low →
// low; low-medium and medium → moderate; high → high. The band itself is the
// concept's text and the news2-band extension.
func qualitativeRisk(band string) *fhirConcept {
	code := ""
	switch band {
	case BandLow:
		code = "low"
	case BandLowMedium, BandMedium:
		code = "moderate"
	case BandHigh:
		code = "high"
	default:
		return nil
	}
	return &fhirConcept{Coding: []fhirCoding{{System: SystemRiskProbability, Code: code, Display: strings.ToUpper(code[:1]) + code[1:] + " likelihood"}}, Text: band}
}

// Summary is one line a clinician reads: "NEWS2 6 (medium): respiration 2,
// spo2 1, …; missing temperature".
func (r Result) Summary() string {
	if r.Band == BandNone {
		if r.Why != "" {
			return "NEWS2: " + r.Why
		}
		return "NEWS2: no usable vital signs"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "NEWS2 %d (%s", r.Total, r.Band)
	if r.Scale == 2 {
		b.WriteString(", SpO2 scale 2")
	}
	if !r.Complete {
		b.WriteString(", partial")
	}
	b.WriteString("):")
	for i, rd := range r.Readings {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, " %s %d", rd.Parameter, rd.Score)
	}
	if len(r.Missing) > 0 {
		b.WriteString("; missing")
		for i, p := range r.Missing {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(" " + string(p))
		}
	}
	return b.String()
}

// RiskAssessmentJSON renders a NEWS2 result as a FHIR R4 RiskAssessment for the
// views: status final, method and code NEWS2 (SNOMED CT 1104051000000101),
// subject Patient/<patient>, occurrenceDateTime now, basis the Observations
// scored, one prediction whose qualitativeRisk follows the band (low, moderate
// for low-medium and medium, high) with the score in its rationale, and the
// score, band, scale, completeness and sub-scores in Chartline extensions.
// A result without data (band none) has a prediction with no qualitativeRisk.
func RiskAssessmentJSON(patient string, r Result, id string, now time.Time) []byte {
	news2 := &fhirConcept{Coding: []fhirCoding{{System: SystemSNOMED, Code: NEWS2MethodCode, Display: NEWS2MethodDisplay}}, Text: "NEWS2"}
	total, scale, complete := r.Total, r.Scale, r.Complete
	ra := fhirRiskAssessment{
		ResourceType: "RiskAssessment",
		ID:           id,
		Status:       "final",
		Method:       news2,
		Code:         news2,
		Subject:      fhirReference{Reference: "Patient/" + patient},
		Extension: []fhirExtension{
			{URL: ExtNEWS2Score, ValueInteger: &total},
			{URL: ExtNEWS2Band, ValueCode: r.Band},
			{URL: ExtNEWS2Scale, ValueInteger: &scale},
			{URL: ExtNEWS2Complete, ValueBoolean: &complete},
		},
		OccurrenceDateTime: fhirTime(now),
	}
	seen := map[string]bool{}
	for _, rd := range r.Readings {
		score := rd.Score
		ra.Extension = append(ra.Extension, fhirExtension{URL: ExtNEWS2Subscore, Extension: []fhirExtension{
			{URL: "parameter", ValueCode: string(rd.Parameter)},
			{URL: "score", ValueInteger: &score},
		}})
		if rd.Ref.ID == "" || seen[rd.Ref.Key()] {
			continue
		}
		seen[rd.Ref.Key()] = true
		ra.Basis = append(ra.Basis, fhirReference{Reference: rd.Ref.Key()})
	}
	summary := r.Summary()
	ra.Prediction = []fhirRiskPrediction{{
		Outcome:         &fhirConcept{Text: "Acute clinical deterioration"},
		QualitativeRisk: qualitativeRisk(r.Band),
		Rationale:       summary,
	}}
	ra.Note = []fhirAnnotation{{Text: summary}}
	return mustJSON(ra)
}
