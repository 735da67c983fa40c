package demo

import (
	"time"
)

// Small FHIR R4 datatype builders. Every resource the generator writes goes
// through these, so the whole population shares one shape.

func dt(t time.Time) string   { return t.UTC().Format(time.RFC3339) }
func date(t time.Time) string { return t.UTC().Format(time.DateOnly) }

func ref(r string) object           { return obj("reference", r) }
func refd(r, display string) object { return obj("reference", r, "display", display) }
func concept(cs ...code) object     { return conceptText(cs[0].display, cs...) }
func text(s string) object          { return obj("text", s) }

func conceptText(txt string, cs ...code) object {
	codings := make([]object, len(cs))
	for i, c := range cs {
		codings[i] = c.coding()
	}
	return obj("coding", codings, "text", txt)
}

func periodOf(start, end time.Time) object {
	p := obj("start", dt(start))
	if !end.IsZero() {
		p = append(p, member{"end", dt(end)})
	}
	return p
}

// qty is a UCUM Quantity.
func qty(v float64, unit, ucum string) object {
	return obj("value", v, "unit", unit, "system", sysUCUM, "code", ucum)
}

func meta(t time.Time, profiles ...string) object {
	m := obj("versionId", "1", "lastUpdated", dt(t))
	if len(profiles) > 0 {
		m = append(m, member{"profile", profiles})
	}
	return m
}

func category(system, c, display string) []object {
	return []object{obj("coding", []object{obj("system", system, "code", c, "display", display)})}
}

var obsCategoryDisplay = map[string]string{
	"vital-signs":    "Vital Signs",
	"laboratory":     "Laboratory",
	"social-history": "Social History",
	"exam":           "Exam",
	"imaging":        "Imaging",
	"procedure":      "Procedure",
}

// entry is one transaction Bundle entry as Synthea writes it.
func entry(fullURL string, res object, method, url string) object {
	return obj("fullUrl", fullURL, "resource", res, "request", obj("method", method, "url", url))
}

// bundle wraps entries in a transaction Bundle.
func bundle(entries []object) object {
	return obj("resourceType", "Bundle", "type", "transaction", "entry", entries)
}
