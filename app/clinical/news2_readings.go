// Reading NEWS2 inputs out of Observation index entries: which parameter an
// Observation carries, its value in the chart's unit, or why it cannot be used.

package clinical

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/chartline/chartline/store"
)

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
	if c.Ref.Type == o.Ref.Type { // the keys share "Type/": their ids order them
		return c.Ref.ID > o.Ref.ID
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

// readingKind is what an Observation's code makes it for the scores, in
// the order readingsOf tests the codes (the first match wins).
type readingKind uint8

const (
	kindNone readingKind = iota
	kindRespiration
	kindPulse
	kindTemperature
	kindSystolic
	kindOximetry // SpO2, and air or oxygen from its components
	kindOxygen   // inhaled oxygen flow or concentration
	kindBPPanel  // systolic from its component
	kindCapillaryRefill
	kindDistress
	kindConsciousness
)

// kindOf classifies an Observation by its codes (see readingKind).
func kindOf(m *store.Meta) readingKind {
	switch {
	case hasAny(m.Codes, CodeRespiratoryRate):
		return kindRespiration
	case hasAny(m.Codes, CodeHeartRate):
		return kindPulse
	case hasAny(m.Codes, temperatureCodes...):
		return kindTemperature
	case hasAny(m.Codes, CodeSystolicBP):
		return kindSystolic
	case hasAny(m.Codes, CodeSpO2, CodeSaO2):
		return kindOximetry
	case hasAny(m.Codes, CodeInhaledO2Flow, CodeInhaledO2Conc):
		return kindOxygen
	case hasAny(m.Codes, CodeBPPanel, CodeBPPanelOld):
		return kindBPPanel
	case hasAny(m.Codes, CodeCapillaryRefill, CodeCapillaryRefillSCT):
		return kindCapillaryRefill
	case hasAny(m.Codes, CodeRespiratoryDistress):
		return kindDistress
	case hasAny(m.Codes, CodeResponsiveness, CodeACVPUSnomed):
		return kindConsciousness
	}
	return kindNone
}

// kindParameters are the NEWS2 parameters an Observation of a kind may give
// readings of (none for the PEWS-only kinds).
func kindParameters(k readingKind) []Parameter {
	switch k {
	case kindRespiration:
		return []Parameter{Respiration}
	case kindPulse:
		return []Parameter{Pulse}
	case kindTemperature:
		return []Parameter{Temperature}
	case kindSystolic, kindBPPanel:
		return []Parameter{Systolic}
	case kindOximetry:
		return []Parameter{SpO2, AirOrOxygen}
	case kindOxygen:
		return []Parameter{AirOrOxygen}
	case kindConsciousness:
		return []Parameter{Consciousness}
	}
	return nil
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

	switch kindOf(m) {
	case kindRespiration:
		main(Respiration, perMinute)
	case kindPulse:
		main(Pulse, perMinute)
	case kindTemperature:
		main(Temperature, celsius)
	case kindSystolic:
		main(Systolic, mmHg)
	case kindOximetry:
		main(SpO2, percent)
		o2FromComponents(it, add)
	case kindOxygen:
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
	case kindBPPanel:
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
	case kindCapillaryRefill:
		main(CapillaryRefill, seconds)
	case kindDistress:
		c := add(RespiratoryDistress)
		if c.skip == "" {
			c.Code, c.Value, c.skip = distress(m.ValueCode, m.ValueText)
		}
	case kindConsciousness:
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
