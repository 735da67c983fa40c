package clinical

// Guidance is the clinical response a score calls for, shown beside it.
type Guidance struct {
	// Trigger names the row of the response chart: "NEWS2 7 or more —
	// emergency response", "PEWS high".
	Trigger string `json:"trigger"`
	// Monitoring is the minimum frequency of observations.
	Monitoring string `json:"monitoring"`
	// Response lists the actions, in the chart's order.
	Response []string `json:"response"`
	// Source cites the chart.
	Source string `json:"source"`
}

// Sources of the guidance texts.
const (
	SourceNEWS2Response = "RCP NEWS2 (2017), Chart 2: NEWS thresholds and triggers / clinical response"
	SourcePEWSResponse  = "NHS England / RCPCH National PEWS escalation chart (2023) and SPOT decision pathway"
)

// NEWS2Guidance is the RCP NEWS2 clinical response for a result: aggregate 0;
// 1–4; a single parameter scoring 3; 5–6 (urgent response threshold); 7 or
// more (emergency response threshold). The aggregate rows take precedence
// over the single-parameter row from 5 upwards, as on the chart. A result
// without a band (insufficient, stale, not applicable) has no guidance: ok is
// false.
func NEWS2Guidance(r Result) (Guidance, bool) {
	if !ScoreCurrent(r.Status) || r.Band == BandNone {
		return Guidance{}, false
	}
	g := Guidance{Source: SourceNEWS2Response}
	switch {
	case r.Total >= bandHighFrom:
		g.Trigger = "NEWS2 7 or more — emergency response"
		g.Monitoring = "Continuous monitoring of vital signs"
		g.Response = []string{
			"Registered nurse to immediately inform the medical team caring for the patient — at least specialist registrar level",
			"Emergency assessment by a team with critical care competencies, including practitioner(s) with advanced airway management skills",
			"Consider transfer of care to a level 2 or 3 clinical care facility (higher-dependency unit or ICU)",
			"Clinical care in an environment with monitoring facilities",
		}
	case r.Total >= bandMediumFrom:
		g.Trigger = "NEWS2 5–6 — urgent response"
		g.Monitoring = "Minimum 1-hourly"
		g.Response = []string{
			"Registered nurse to immediately inform the medical team caring for the patient",
			"Registered nurse to request urgent assessment by a clinician or team with core competencies in the care of acutely ill patients",
			"Provide clinical care in an environment with monitoring facilities",
		}
	case r.Red:
		g.Trigger = "NEWS2: 3 in a single parameter"
		g.Monitoring = "Minimum 1-hourly"
		g.Response = []string{
			"Registered nurse to inform the medical team caring for the patient, who will review and decide whether escalation of care is necessary",
		}
	case r.Total >= 1:
		g.Trigger = "NEWS2 1–4"
		g.Monitoring = "Minimum 4–6-hourly"
		g.Response = []string{
			"Inform registered nurse, who must assess the patient",
			"Registered nurse decides whether increased frequency of monitoring and/or escalation of care is required",
		}
	default:
		g.Trigger = "NEWS2 0"
		g.Monitoring = "Minimum 12-hourly"
		g.Response = []string{"Continue routine NEWS monitoring"}
	}
	if r.Status == StatusPartial {
		g.Response = append(g.Response, "Partial score: record the missing parameters — the full score can only be higher")
	}
	return g, true
}

// PEWSGuidance is the National PEWS escalation response for a result's
// level (low, medium, high, emergency); level none (total 0) is routine
// observation. A result without a band has no guidance.
func PEWSGuidance(r PEWSResult) (Guidance, bool) {
	if !ScoreCurrent(r.Status) {
		return Guidance{}, false
	}
	g := Guidance{Source: SourcePEWSResponse}
	switch r.Band {
	case PEWSEmergency:
		g.Trigger = "PEWS emergency"
		g.Monitoring = "Every 15 minutes; continuous monitoring of respiratory rate, SpO2 and ECG; GCS if AVPU changes or pupils abnormal"
		g.Response = []string{
			"Immediate 2222 call: \"Paediatric Medical Emergency\", and review by the nurse in charge",
			"Consultant informed urgently to confirm the stabilisation plan",
			"Senior nurse to support and feed back to parents",
		}
	case PEWSHigh:
		g.Trigger = "PEWS high"
		g.Monitoring = "Every 30 minutes; continuous monitoring of respiratory rate, SpO2 and ECG; GCS if AVPU changes"
		g.Response = []string{
			"Immediate review by the nurse in charge for potential escalation",
			"Call for Rapid Review: medical review with airway skills (ST3+ or equivalent) within 15 minutes, and outreach nurse if available",
			"Stabilisation plan to be discussed with the consultant; senior nurse to feed back to parents",
		}
	case PEWSMedium:
		g.Trigger = "PEWS medium"
		g.Monitoring = "Reassess within 30 minutes; continuous SpO2 monitoring"
		g.Response = []string{
			"Review by the nurse in charge for potential escalation, and/or outreach nurse",
			"Request medical review (ST3+ or equivalent) within 30 minutes; consider a stabilisation plan",
			"Bedside nurse to feed back the plan to parents",
		}
	case PEWSLow:
		g.Trigger = "PEWS low"
		g.Monitoring = "Reassess within 60 minutes, then document the ongoing plan"
		g.Response = []string{
			"Inform the nurse in charge; consider medical review (ST3+ or equivalent)",
			"Bedside nurse to feed back the plan to parents",
		}
	default:
		g.Trigger = "PEWS 0"
		g.Monitoring = "Routine observations as planned"
		g.Response = []string{"Continue routine observations; act on clinical intuition or a parent's or carer's concern whatever the score"}
	}
	if r.Sepsis != "" {
		g.Response = append(g.Response, r.Sepsis+" — inform the nurse in charge; escalate to the patient's own or on-call team if sepsis is suspected")
	}
	if r.Status == StatusPartial {
		g.Response = append(g.Response, "Partial score: record the missing parameters — the full score can only be higher")
	}
	return g, true
}
