// The chart's clinical records: conditions, medications, allergies, immunizations,
// procedures and goals.

package demo

import (
	"fmt"
	"time"
)

// condition records a diagnosis. A zero abated leaves it active.
func (c *chart) condition(onset, abated time.Time, cd code, problemList bool) string {
	clinical, clinicalDisplay := "active", "Active"
	if !abated.IsZero() {
		clinical, clinicalDisplay = "resolved", "Resolved"
	}
	cat, catDisplay := "encounter-diagnosis", "Encounter Diagnosis"
	if problemList {
		cat, catDisplay = "problem-list-item", "Problem List Item"
	}
	recorded := onset
	url := c.add("Condition", func(id string) object {
		var abate any
		if !abated.IsZero() {
			abate = dt(abated)
		}
		return obj(
			"resourceType", "Condition",
			"id", id,
			"meta", meta(recorded),
			"clinicalStatus", obj("coding", []object{obj("system", sysCondClin, "code", clinical, "display", clinicalDisplay)}),
			"verificationStatus", obj("coding", []object{obj("system", sysCondVer, "code", "confirmed", "display", "Confirmed")}),
			"category", category(sysCondCat, cat, catDisplay),
			"code", concept(cd),
			"subject", c.subject(),
			"encounter", c.encounterRef(),
			"onsetDateTime", dt(onset),
			"abatementDateTime", abate,
			"recordedDate", dt(recorded),
			"recorder", refd("Practitioner/"+c.encPr.id, c.encPr.name),
		)
	})
	c.conds[cd.code] = url
	return url
}

// medication records a prescription.
func (c *chart) medication(t time.Time, cd code, status, dose string, perDay int, asNeeded bool, reason string) string {
	return c.add("MedicationRequest", func(id string) object {
		timing := obj("repeat", obj("frequency", perDay, "period", 1, "periodUnit", "d"))
		var reasonRef []object
		if u, ok := c.conds[reason]; ok {
			reasonRef = []object{ref(u)}
		}
		return obj(
			"resourceType", "MedicationRequest",
			"id", id,
			"meta", meta(t),
			"status", status,
			"intent", "order",
			"category", []object{obj("coding", []object{obj("system", "http://terminology.hl7.org/CodeSystem/medicationrequest-category", "code", "community", "display", "Community")}, "text", "Community")},
			"medicationCodeableConcept", concept(cd),
			"subject", c.subject(),
			"encounter", c.encounterRef(),
			"authoredOn", dt(t),
			"requester", refd("Practitioner/"+c.encPr.id, c.encPr.name),
			"reasonReference", reasonRef,
			"dosageInstruction", []object{obj(
				"sequence", 1,
				"text", dose,
				"timing", timing,
				"asNeededBoolean", asNeeded,
				"doseAndRate", []object{obj(
					"type", concept(code{"http://terminology.hl7.org/CodeSystem/dose-rate-type", "ordered", "Ordered"}),
					"doseQuantity", obj("value", 1),
				)},
			)},
		)
	})
}

// allergy records an allergy or intolerance with one reaction.
func (c *chart) allergy(t time.Time, cd code, cat, criticality string, reaction code, severity string) string {
	return c.add("AllergyIntolerance", func(id string) object {
		return obj(
			"resourceType", "AllergyIntolerance",
			"id", id,
			"meta", meta(t),
			"clinicalStatus", obj("coding", []object{obj("system", sysAllClin, "code", "active", "display", "Active")}),
			"verificationStatus", obj("coding", []object{obj("system", sysAllVer, "code", "confirmed", "display", "Confirmed")}),
			"type", "allergy",
			"category", []string{cat},
			"criticality", criticality,
			"code", concept(cd),
			"patient", c.subject(),
			"encounter", c.encounterRef(),
			"recordedDate", dt(t),
			"recorder", refd("Practitioner/"+c.encPr.id, c.encPr.name),
			"reaction", []object{obj(
				"manifestation", []object{concept(reaction)},
				"severity", severity,
			)},
		)
	})
}

// noKnownAllergies records that the patient was asked and has none
// (SNOMED CT 716186003, confirmed).
func (c *chart) noKnownAllergies(t time.Time) string {
	return c.add("AllergyIntolerance", func(id string) object {
		return obj(
			"resourceType", "AllergyIntolerance",
			"id", id,
			"meta", meta(t),
			"clinicalStatus", obj("coding", []object{obj("system", sysAllClin, "code", "active", "display", "Active")}),
			"verificationStatus", obj("coding", []object{obj("system", sysAllVer, "code", "confirmed", "display", "Confirmed")}),
			"code", concept(allergyNone),
			"patient", c.subject(),
			"encounter", c.encounterRef(),
			"recordedDate", dt(t),
			"recorder", refd("Practitioner/"+c.encPr.id, c.encPr.name),
		)
	})
}

func (c *chart) immunization(t time.Time, cd code) string {
	return c.add("Immunization", func(id string) object {
		return obj(
			"resourceType", "Immunization",
			"id", id,
			"meta", meta(t),
			"status", "completed",
			"vaccineCode", concept(cd),
			"patient", c.subject(),
			"encounter", c.encounterRef(),
			"occurrenceDateTime", dt(t),
			"primarySource", true,
			"lotNumber", fmt.Sprintf("LOT%05d", c.g.intn(10000, 99999)),
			"route", concept(code{"http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration", "IM", "Injection, intramuscular"}),
			"performer", []object{obj("actor", refd("Practitioner/"+c.encPr.id, c.encPr.name))},
		)
	})
}

func (c *chart) procedure(start, end time.Time, cd code, reason string) string {
	return c.add("Procedure", func(id string) object {
		var reasonRef []object
		if u, ok := c.conds[reason]; ok {
			reasonRef = []object{ref(u)}
		}
		var loc any
		if c.encLoc != "" {
			loc = refd("Location/"+c.encLoc, locationName(c.encLoc))
		}
		return obj(
			"resourceType", "Procedure",
			"id", id,
			"meta", meta(end),
			"status", "completed",
			"code", concept(cd),
			"subject", c.subject(),
			"encounter", c.encounterRef(),
			"performedPeriod", periodOf(start, end),
			"performer", []object{obj("actor", refd("Practitioner/"+c.encPr.id, c.encPr.name))},
			"location", loc,
			"reasonReference", reasonRef,
		)
	})
}

// goalSpO2 records a target oxygen saturation range as an active Goal
// (target.measure LOINC 59408-5, target.detailRange low–high %): how Chartline
// records a hypercapnic target, which switches NEWS2 to SpO2 Scale 2.
func (c *chart) goalSpO2(t time.Time, low, high float64, addresses string) string {
	return c.add("Goal", func(id string) object {
		var addr []object
		if u, ok := c.conds[addresses]; ok {
			addr = []object{ref(u)}
		}
		return obj(
			"resourceType", "Goal",
			"id", id,
			"meta", meta(t),
			"lifecycleStatus", "active",
			"achievementStatus", concept(code{sysGoalAch, "in-progress", "In Progress"}),
			"category", []object{concept(code{"http://terminology.hl7.org/CodeSystem/goal-category", "physiotherapy", "Physiotherapy"})},
			"description", obj("coding", []object{obj("system", sysSNOMED, "code", "57485005", "display", "Oxygen therapy (procedure)")}, "text", fmt.Sprintf("Target oxygen saturation %g–%g%% (hypercapnic respiratory failure risk): use NEWS2 SpO2 Scale 2", low, high)),
			"subject", c.subject(),
			"startDate", date(t),
			"target", []object{obj(
				"measure", concept(loincSpO2),
				"detailRange", obj("low", qty(low, "%", "%"), "high", qty(high, "%", "%")),
			)},
			"expressedBy", refd("Practitioner/"+c.encPr.id, c.encPr.name),
			"addresses", addr,
			"note", []object{text("Known CO2 retainer: titrate oxygen to the target range, do not aim for 94–98%.")},
		)
	})
}
