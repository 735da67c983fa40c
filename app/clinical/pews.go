package clinical

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/chartline/chartline/app/jsontime"
	"github.com/chartline/chartline/store"
)

// National PEWS parameters (NHS England / RCPCH National Paediatric Early
// Warning System observation and escalation charts, 2023), in chart order.
// Respiration, SpO2 and Systolic are shared with NEWS2; the others are PEWS's.
const (
	RespiratoryDistress Parameter = "respiratory_distress"
	OxygenSupport       Parameter = "oxygen_support"
	HeartRate           Parameter = "heart_rate"
	CapillaryRefill     Parameter = "capillary_refill"
)

// PEWSParameters returns the seven numerically scored National PEWS
// parameters in chart order. AVPU and temperature are recorded on the chart
// but not scored (they drive escalation and the "think sepsis" prompt).
func PEWSParameters() []Parameter {
	return []Parameter{Respiration, RespiratoryDistress, SpO2, OxygenSupport, HeartRate, Systolic, CapillaryRefill}
}

// Codes National PEWS reads besides NEWS2's (README, "Topics": codes the scores read).
const (
	CodeCapillaryRefill     = SystemLOINC + "|44963-7"           // Capillary refill [Time]
	CodeCapillaryRefillSCT  = SystemSNOMED + "|15527001"         // Capillary refill (observable)
	CodeRespiratoryDistress = SystemSNOMED + "|1364081000000103" // NPEWS respiratory distress (SNOMED CT UK)
	CodeDistressNone        = SystemSNOMED + "|260413007"        // None
	CodeDistressMild        = SystemSNOMED + "|255604002"        // Mild
	CodeDistressModerate    = SystemSNOMED + "|6736007"          // Moderate
	CodeDistressSevere      = SystemSNOMED + "|24484000"         // Severe
)

// PEWS age bands: one chart each, chosen by the child's age at the time of the
// observations; the band changes on the 1st, 5th and 13th birthdays.
const (
	AgeBandInfant   = "0-11m"
	AgeBandToddler  = "1-4y"
	AgeBandChild    = "5-12y"
	AgeBandTeenager = "13y+"
)

// PEWSAgeBand is the chart for a child of the given completed months.
func PEWSAgeBand(months int) string {
	switch {
	case months < 12:
		return AgeBandInfant
	case months < 5*12:
		return AgeBandToddler
	case months < 13*12:
		return AgeBandChild
	}
	return AgeBandTeenager
}

// PEWS escalation levels, lowest first.
const (
	PEWSNone      = "none"
	PEWSLow       = "low"
	PEWSMedium    = "medium"
	PEWSHigh      = "high"
	PEWSEmergency = "emergency"
)

// PEWSRank orders the escalation levels: none 0 … emergency 4; else -1.
func PEWSRank(level string) int {
	switch level {
	case PEWSNone:
		return 0
	case PEWSLow:
		return 1
	case PEWSMedium:
		return 2
	case PEWSHigh:
		return 3
	case PEWSEmergency:
		return 4
	}
	return -1
}

// step is one row of a chart: values from From (inclusive) up to the next
// row's From score Score.
type step struct {
	From  float64
	Score int
}

// scoreSteps scores v on rows sorted by From.
func scoreSteps(rows []step, v float64) int {
	s := rows[0].Score
	for _, r := range rows {
		if v >= r.From {
			s = r.Score
		}
	}
	return s
}

// National PEWS thresholds. Source: NHS England / RCPCH National PEWS
// observation and escalation charts (2023: 0–11 months, 1–4 years, 5–12
// years, 13 years and over), as transcribed in the SPOT NPEWS configuration
// document and the RCPCH's digital-pews reference table
// (spec/npews-scoring-tables.generated.md, checked against the live charts
// 2026-06-30). Cell scores are 0 white, 1 yellow, 2 orange, 4 pink; rows meet
// at whole numbers (0–9.99 → 4, 10–19.99 → 2, …), so each row below is the
// value it starts at.
var (
	// Respiratory rate, breaths/min.
	pewsResp = map[string][]step{
		AgeBandInfant:   {{0, 4}, {10, 2}, {20, 1}, {30, 0}, {50, 1}, {60, 2}, {70, 4}},
		AgeBandToddler:  {{0, 4}, {10, 2}, {20, 0}, {40, 1}, {50, 2}, {60, 4}},
		AgeBandChild:    {{0, 4}, {10, 2}, {15, 1}, {20, 0}, {25, 1}, {40, 2}, {50, 4}},
		AgeBandTeenager: {{0, 4}, {10, 1}, {15, 0}, {25, 1}, {30, 2}, {40, 4}},
	}
	// Heart rate, beats/min.
	pewsHeart = map[string][]step{
		AgeBandInfant:   {{0, 4}, {80, 2}, {90, 1}, {110, 0}, {150, 1}, {170, 2}, {180, 4}},
		AgeBandToddler:  {{0, 4}, {60, 2}, {70, 1}, {90, 0}, {140, 1}, {150, 2}, {170, 4}},
		AgeBandChild:    {{0, 4}, {60, 2}, {70, 1}, {80, 0}, {120, 1}, {140, 2}, {160, 4}},
		AgeBandTeenager: {{0, 4}, {50, 2}, {60, 1}, {70, 0}, {100, 1}, {120, 2}, {130, 4}},
	}
	// Systolic blood pressure, mmHg.
	pewsSystolic = map[string][]step{
		AgeBandInfant:   {{0, 4}, {50, 2}, {60, 1}, {70, 0}, {90, 1}, {100, 2}, {110, 4}},
		AgeBandToddler:  {{0, 4}, {50, 2}, {60, 1}, {80, 0}, {100, 1}, {120, 2}, {130, 4}},
		AgeBandChild:    {{0, 4}, {70, 2}, {80, 1}, {90, 0}, {110, 1}, {120, 2}, {130, 4}},
		AgeBandTeenager: {{0, 4}, {80, 2}, {90, 1}, {100, 0}, {120, 1}, {130, 2}, {140, 4}},
	}
)

// The rows that are the same in every age band (same source).
const (
	pewsSpO2Score4Max  = 91 // SpO2 %: ≤ 91 → 4
	pewsSpO2Score0From = 95 // above 91 and below 95 → 1; ≥ 95 → 0
	pewsFlowScore2From = 2  // O2 L/min: 0 → 0, above 0 → 1, from 2 → 2
	pewsFlowScore4From = 6  // from 6 L/min → 4
	pewsConcScore2From = 30 // O2 %: up to 21 % is room air → 0 (Chartline: the chart's row starts at 16 %, for added O2); above 21 → 1; from 30 → 2
	pewsConcScore4From = 50 // from 50 % → 4
	pewsCRTScore0Max   = 2  // capillary refill, s: ≤ 2 → 0; ≥ 3 → 2 (the chart has no row for 2.01–2.99 s: Chartline scores 2, the side that escalates)
	pewsCRTScore       = 2
)

// Respiratory distress scores: none 0, mild 1, moderate 2, severe 4 (same source).
var pewsDistress = map[string]int{"none": 0, "mild": 1, "moderate": 2, "severe": 4}

// Escalation by total (same source): 0 none, 1–4 low, 5–8 medium, 9–12 high,
// 13 or more emergency. AVPU V raises the level to at least high, P or U to
// emergency (the charts' "specific concern" criteria); a temperature ≥ 38 °C
// or < 36 °C prompts "think sepsis" without setting a level.
const (
	pewsLowFrom       = 1
	pewsMediumFrom    = 5
	pewsHighFrom      = 9
	pewsEmergencyFrom = 13
	sepsisHighTenths  = 380
	sepsisLowTenths   = 360
)

// PEWSResult is a National PEWS evaluation: plain data, JSON-ready, like Result.
type PEWSResult struct {
	Total int `json:"score"`
	// Band is the escalation level: the higher of the total's and the AVPU
	// trigger's; "none" unless Status is complete or partial.
	Band      string            `json:"band"`
	ScoreBand string            `json:"scoreBand"` // the level from the total alone
	AgeBand   string            `json:"ageBand"`
	Scores    map[Parameter]int `json:"subscores"` // scored parameters only
	Missing   []Parameter       `json:"missing"`   // chart order
	Readings  []Reading         `json:"readings"`  // the readings scored, chart order
	Stale     []Reading         `json:"stale,omitempty"`
	Skipped   []Skip            `json:"skipped,omitempty"`
	// Observed are the current AVPU and temperature readings: on the chart,
	// not in the total.
	Observed []Reading `json:"observed,omitempty"`
	// Triggers are the escalation criteria met besides the total ("AVPU P —
	// emergency"); Sepsis the "think sepsis" prompt, if any.
	Triggers   []string          `json:"triggers,omitempty"`
	Sepsis     string            `json:"sepsis,omitempty"`
	Newest     time.Time         `json:"newest"`
	Window     jsontime.Duration `json:"window"`
	Status     string            `json:"status"`
	Why        string            `json:"why,omitempty"`
	ObservedAt time.Time         `json:"observedAt,omitempty"`
	At         time.Time         `json:"at,omitempty"`
}

// Subscores returns the sub-scores keyed by parameter name; missing ones are
// absent (listed in Missing), never 0.
func (r PEWSResult) Subscores() map[string]int {
	m := make(map[string]int, len(r.Scores))
	for p, s := range r.Scores {
		m[string(p)] = s
	}
	return m
}

// MissingNames returns Missing as strings.
func (r PEWSResult) MissingNames() []string {
	out := make([]string, len(r.Missing))
	for i, p := range r.Missing {
		out[i] = string(p)
	}
	return out
}

// Reading returns the reading scored for a parameter, if any.
func (r PEWSResult) Reading(p Parameter) (Reading, bool) {
	for _, rd := range r.Readings {
		if rd.Parameter == p {
			return rd, true
		}
	}
	return Reading{}, false
}

// pewsSource maps the readings readingsOf finds to PEWS parameters: heart
// rate is NEWS2's pulse, oxygen support its air-or-oxygen reading.
func pewsSource(p Parameter) Parameter {
	switch p {
	case Pulse:
		return HeartRate
	case AirOrOxygen:
		return OxygenSupport
	}
	return p
}

// PEWS scores a child's latest vital signs on the National PEWS chart for
// the age band of ageMonths (the age at the time of the observations). As
// with NEWS2At, a reading older than now − opts.Window is stale; a zero now
// measures back from the newest reading. It never fails: what it cannot use
// it reports in Missing, Stale and Skipped.
func PEWS(vitals []store.Item, ageMonths int, opts NEWS2Options, now time.Time) PEWSResult {
	window := opts.Window
	if window <= 0 {
		window = DefaultStaleWindow
	}
	band := PEWSAgeBand(ageMonths)
	res := PEWSResult{Band: PEWSNone, ScoreBand: PEWSNone, AgeBand: band, Scores: map[Parameter]int{},
		Missing: []Parameter{}, Readings: []Reading{}, Window: jsontime.Duration(window)}

	best := map[Parameter]*candidate{}
	var skips []candidate
	var buf [2]candidate
	for i := range vitals {
		for _, c := range readingsOf(&vitals[i], buf[:0]) {
			c.Parameter = pewsSource(c.Parameter)
			if c.skip != "" {
				skips = append(skips, c)
				continue
			}
			if b := best[c.Parameter]; b == nil || c.after(b) {
				cc := c
				best[c.Parameter] = &cc
			}
		}
	}
	scored := map[Parameter]bool{}
	for _, p := range PEWSParameters() {
		scored[p] = true
	}
	for p, c := range best {
		if (scored[p] || p == Consciousness || p == Temperature) && c.Time.After(res.Newest) {
			res.Newest = c.Time
		}
	}
	ref := res.Newest
	if !now.IsZero() {
		ref, res.At = now, now
	}
	anyValue := false
	for _, p := range PEWSParameters() {
		c := best[p]
		if c == nil {
			res.Missing = append(res.Missing, p)
			continue
		}
		anyValue = true
		c.Age = jsontime.Duration(max(ref.Sub(c.Time), 0))
		if time.Duration(c.Age) > window {
			res.Stale = append(res.Stale, c.Reading)
			res.Missing = append(res.Missing, p)
			continue
		}
		c.Score = scorePEWSReading(c, band)
		res.Scores[p] = c.Score
		res.Total += c.Score
		res.Readings = append(res.Readings, c.Reading)
		if res.ObservedAt.IsZero() || c.Time.Before(res.ObservedAt) {
			res.ObservedAt = c.Time
		}
	}
	for _, p := range []Parameter{Consciousness, Temperature} {
		if c := best[p]; c != nil {
			c.Age = jsontime.Duration(max(ref.Sub(c.Time), 0))
			if time.Duration(c.Age) <= window {
				res.Observed = append(res.Observed, c.Reading)
			}
		}
	}
	for _, s := range skips {
		if !scored[s.Parameter] {
			continue
		}
		if b := best[s.Parameter]; b != nil && !s.Time.After(b.Time) {
			continue
		}
		res.Skipped = append(res.Skipped, Skip{Parameter: s.Parameter, Ref: s.Ref, Time: s.Time, Reason: s.skip})
	}
	sort.SliceStable(res.Skipped, func(i, j int) bool { return res.Skipped[i].Ref.Key() < res.Skipped[j].Ref.Key() })

	res.ScoreBand = pewsLevel(res.Total)
	res.Band = res.ScoreBand
	res.applyObserved()
	res.Status = scoreStatus(len(res.Scores), len(PEWSParameters()), anyValue)
	res.Why = statusWhy(res.Status, len(res.Scores), len(PEWSParameters()), res.MissingNames(), window)
	if !ScoreCurrent(res.Status) {
		res.Band = PEWSNone
	}
	return res
}

// applyObserved raises Band by the AVPU criteria and sets the sepsis prompt
// from the temperature, from Observed.
func (res *PEWSResult) applyObserved() {
	for _, o := range res.Observed {
		switch {
		case o.Parameter == Consciousness && o.Code == "V":
			res.Triggers = append(res.Triggers, "AVPU V — high")
			res.Band = higherPEWS(res.Band, PEWSHigh)
		case o.Parameter == Consciousness && (o.Code == "P" || o.Code == "U"):
			res.Triggers = append(res.Triggers, "AVPU "+o.Code+" — emergency")
			res.Band = higherPEWS(res.Band, PEWSEmergency)
		case o.Parameter == Temperature:
			if t := int(math.Round(o.Value * 10)); t >= sepsisHighTenths || t < sepsisLowTenths {
				res.Sepsis = fmt.Sprintf("Think sepsis: temperature %.1f °C", o.Value)
			}
		}
	}
}

func higherPEWS(a, b string) string {
	if PEWSRank(b) > PEWSRank(a) {
		return b
	}
	return a
}

// pewsLevel is the escalation level of a total.
func pewsLevel(total int) string {
	switch {
	case total >= pewsEmergencyFrom:
		return PEWSEmergency
	case total >= pewsHighFrom:
		return PEWSHigh
	case total >= pewsMediumFrom:
		return PEWSMedium
	case total >= pewsLowFrom:
		return PEWSLow
	}
	return PEWSNone
}

// scorePEWSReading applies the age band's chart to one reading.
func scorePEWSReading(c *candidate, band string) int {
	v := c.Value
	switch c.Parameter {
	case Respiration:
		return scoreSteps(pewsResp[band], v)
	case HeartRate:
		return scoreSteps(pewsHeart[band], v)
	case Systolic:
		return scoreSteps(pewsSystolic[band], v)
	case SpO2:
		switch {
		case v <= pewsSpO2Score4Max:
			return 4
		case v < pewsSpO2Score0From:
			return 1
		}
		return 0
	case OxygenSupport:
		if c.Unit == "L/min" {
			switch {
			case v <= 0:
				return 0
			case v < pewsFlowScore2From:
				return 1
			case v < pewsFlowScore4From:
				return 2
			}
			return 4
		}
		switch {
		case v <= roomAirPercent:
			return 0
		case v < pewsConcScore2From:
			return 1
		case v < pewsConcScore4From:
			return 2
		}
		return 4
	case RespiratoryDistress:
		return int(v)
	case CapillaryRefill:
		if v <= pewsCRTScore0Max {
			return 0
		}
		return pewsCRTScore
	}
	return 0
}

// seconds checks a capillary refill time's unit (UCUM s).
func seconds(v float64, unit string) (float64, string, string) {
	switch ucumBase(unit) {
	case "s", "sec":
		return v, "s", ""
	}
	return 0, "", unitReason(unit, "s")
}

// distress reads a respiratory-distress answer: the SNOMED CT codes first,
// then the text none/mild/moderate/severe. It returns the level, its score
// and a reason when neither can be read.
func distress(valueCode, valueText string) (string, float64, string) {
	level := ""
	switch valueCode {
	case CodeDistressNone:
		level = "none"
	case CodeDistressMild:
		level = "mild"
	case CodeDistressModerate:
		level = "moderate"
	case CodeDistressSevere:
		level = "severe"
	default:
		level = strings.ToLower(strings.TrimSpace(valueText))
	}
	s, ok := pewsDistress[level]
	if !ok {
		if level == "" {
			return "", 0, "no answer"
		}
		return "", 0, "answer is not none, mild, moderate or severe"
	}
	return level, float64(s), ""
}
