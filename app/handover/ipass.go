// I-PASS "Patient summary", "Action list" and "Situation awareness": what the
// patient has, what is due, and what to watch (results out of range, oxygen).

package handover

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/app/ips"
	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/store"
)

// summary: active problems, allergies, active medications.
func summary(p *Patient, in *ips.Input) {
	for _, it := range ips.ActiveProblems(in) {
		p.Summary.Problems = append(p.Summary.Problems, ips.TrimStatus(it.Meta.Display, "active"))
	}
	allergies := ips.Allergies(in)
	for _, it := range allergies {
		p.Summary.Allergies = append(p.Summary.Allergies, ips.TrimStatus(it.Meta.Display, it.Meta.Status))
	}
	if len(allergies) == 0 {
		p.Summary.Allergies = []string{"Allergies not recorded: ask the patient"}
	}
	seen := map[string]bool{}
	var meds []string
	for _, it := range ips.Medications(in) {
		text := ips.TrimStatus(it.Meta.Display, "active")
		if it.Meta.Status == "on-hold" {
			text += " (on hold)"
		}
		if !seen[text] {
			seen[text] = true
			meds = append(meds, text)
		}
	}
	if len(meds) > maxMedications {
		p.Summary.MoreMeds = len(meds) - maxMedications
		meds = meds[:maxMedications]
	}
	p.Summary.Medications = meds
}

// actions: open alerts with their state, and trial screening still to do.
func actions(r *store.Reader, p *Patient, now time.Time) error {
	alerts, err := engine.PatientAlerts(r, p.ID)
	if err != nil {
		return fmt.Errorf("handover: %w", err)
	}
	slices.SortStableFunc(alerts, func(a, b engine.AlertView) int { return b.Alert.Raised.Compare(a.Alert.Raised) })
	for _, a := range alerts {
		if !a.State.Open() {
			continue
		}
		text := a.Alert.Title
		state := a.Status()
		if last, ok := a.State.Latest(); ok && last.By != "" {
			state += " by " + last.By
		}
		kind := "Alert"
		if a.Alert.Severity != "" {
			kind = strings.ToUpper(a.Alert.Severity[:1]) + a.Alert.Severity[1:] + " alert"
		}
		p.Actions = append(p.Actions, Action{Kind: kind, Text: text, State: state, When: "raised " + clock(a.Alert.Raised, now)})
	}
	matches, err := engine.PatientMatches(r, p.ID)
	if err != nil {
		return fmt.Errorf("handover: %w", err)
	}
	for _, m := range matches {
		status := m.Status()
		switch status {
		case "eligible", "potential match", "candidate", "eligible-for-screening", "pending-on-study", "potential-candidate":
		default:
			continue // on study, ineligible, withdrawn: nothing to screen
		}
		title := m.Title
		if title == "" {
			title = m.Study
		}
		p.Actions = append(p.Actions, Action{Kind: "Trial screening", Text: title, State: status, When: "since " + clock(m.Since, now)})
	}
	return nil
}

// awareness: the latest results out of range taken in the last
// resultWindow, and the oxygen the patient is on.
func awareness(p *Patient, in *ips.Input, now time.Time) {
	for _, it := range ips.Results(in) {
		flag := ips.OutOfRange(it.Meta)
		if flag == "" {
			continue
		}
		if now.Sub(it.Meta.Time) > resultWindow {
			p.Awareness.Older++
			continue
		}
		if len(p.Awareness.Results) == maxResults {
			p.Awareness.Older++
			continue
		}
		test, value := splitValue(it.Meta)
		value = ucumText.Replace(value)
		if !strings.HasSuffix(value, "("+flag+")") {
			value = strings.TrimSpace(value + " (" + flag + ")")
		}
		p.Awareness.Results = append(p.Awareness.Results, Result{Test: test, Value: value, Range: ips.RangeText(it.Meta), When: clock(it.Meta.Time, now)})
	}
	p.Awareness.Oxygen = oxygen(in, now)
}

// ucumText writes UCUM annotations as people read them:
// "mL/min/{1.73_m2}" as "mL/min/1.73 m2", "{INR}" as "INR".
var ucumText = strings.NewReplacer("{", "", "}", "", "_", " ")

// splitValue splits a result's display line into the test and its value
// (record.SplitValue, as the summary screen does); a line it cannot split
// stays whole as the test.
func splitValue(m store.Meta) (test, value string) {
	test, value, _ = record.SplitValue(m.Display, m)
	return test, value
}

// oxygen says what the newest pulse-oximetry reading records of inhaled
// oxygen (its LOINC 3151-8 flow and 3150-0 concentration components; README,
// "Topics": codes the scores read), and the saturation.
func oxygen(in *ips.Input, now time.Time) string {
	var spo2 *store.Item
	for _, it := range in.ByCategory[record.CategoryVitalSigns] {
		if hasCode(it.Meta, record.LOINCPulseOximetry) || hasCode(it.Meta, record.LOINCOxygenSat) {
			if spo2 == nil || it.Meta.Time.After(spo2.Meta.Time) {
				spo2 = it
			}
		}
	}
	if spo2 == nil {
		return "SpO2 and oxygen not recorded"
	}
	sat := ""
	if spo2.Meta.HasValue {
		sat = fmt.Sprintf("SpO2 %s %%", num(spo2.Meta.Value))
	}
	flow, conc := "", ""
	for _, c := range spo2.Meta.Components {
		switch c.Code {
		case record.SystemLOINC + "|" + record.LOINCInhaledO2Flow:
			if c.HasValue {
				flow = num(c.Value)
			}
		case record.SystemLOINC + "|" + record.LOINCInhaledO2Conc:
			if c.HasValue {
				conc = num(c.Value)
			}
		}
	}
	var what string
	switch {
	case flow == "0" || conc == "21":
		what = "Room air"
	case flow != "" && conc != "":
		what = "Oxygen " + flow + " L/min, FiO2 " + conc + " %"
	case flow != "":
		what = "Oxygen " + flow + " L/min"
	case conc != "":
		what = "Oxygen " + conc + " %"
	default:
		what = "Oxygen not recorded"
	}
	return strings.TrimSuffix(what+", "+sat, ", ") + " (" + clock(spo2.Meta.Time, now) + ")"
}

func hasCode(m store.Meta, code string) bool {
	for _, c := range m.Codes {
		if c == record.SystemLOINC+"|"+code {
			return true
		}
	}
	return false
}
