// The chart: one patient's resources as the generator writes them (a Bundle, or a
// sink for bulk), with the parts many of them share.

package demo

import "time"

// chart accumulates one patient's transaction Bundle, or, with a sink,
// hands each resource over as it is built (the bulk generator).
type chart struct {
	g       *gen
	p       *persona
	patURL  string // fullUrl of the Patient entry, or "Patient/<id>" with a sink
	entries []object
	enc     string // fullUrl (or Type/id) of the encounter being written
	encPr   staff  // its practitioner
	encLoc  string // its location reference, "" for none
	conds   map[string]string
	obs     int // Observations written
	// sink, when set, receives every resource instead of entries, and
	// references are literal Type/id rather than urn:uuid.
	sink func(typ, id string, res object)
	// memo shares the parts many resources repeat (a category, a code, the
	// subject reference). Shared parts are never modified after they are built.
	memo map[memoKey]any
}

type memoKey struct {
	kind uint8
	a, b string
}

const (
	memoSubject uint8 = iota
	memoEncounter
	memoPerformer
	memoCategory
	memoCode
	memoProfile
	memoInterp
)

// shared returns the part cached under k, building it on first use. A
// long-lived sink chart (bulk, simulator) does not cache its patient's own
// references, so its cache holds only what every patient shares.
func (c *chart) shared(k memoKey, build func() any) any {
	if c.sink != nil && (k.kind == memoSubject || k.kind == memoEncounter) {
		return build()
	}
	if v, ok := c.memo[k]; ok {
		return v
	}
	if c.memo == nil {
		c.memo = map[memoKey]any{}
	}
	if len(c.memo) >= 256 { // a long-lived chart (bulk, simulator) stays small
		clear(c.memo)
	}
	v := build()
	c.memo[k] = v
	return v
}

func newChart(g *gen, p *persona) *chart {
	return &chart{g: g, p: p, patURL: "urn:uuid:" + g.uuid(), conds: map[string]string{}}
}

// add appends a clinical resource with a fresh uuid id (POST, as Synthea
// writes them) and returns its fullUrl.
func (c *chart) add(typ string, build func(id string) object) string {
	id := c.g.uuid()
	res := build(id)
	if typ == "Observation" {
		c.obs++
	}
	if c.sink != nil {
		c.sink(typ, id, res)
		return typ + "/" + id
	}
	url := "urn:uuid:" + id
	c.entries = append(c.entries, entry(url, res, "POST", typ))
	return url
}

func (c *chart) subject() object {
	return c.shared(memoKey{memoSubject, c.patURL, ""}, func() any { return ref(c.patURL) }).(object)
}

// encounter opens an encounter; resources written until the next call
// reference it. A zero end leaves it in progress.
func (c *chart) encounter(start, end time.Time, class, typ code, reason []code, pr staff, loc string) string {
	status := "finished"
	if end.IsZero() {
		status = "in-progress"
	}
	var reasons []object
	for _, r := range reason {
		reasons = append(reasons, concept(r))
	}
	var locs []object
	if loc != "" {
		locs = []object{obj("location", refd("Location/"+loc, locationName(loc)))}
	}
	org := pr.org
	url := c.add("Encounter", func(id string) object {
		return obj(
			"resourceType", "Encounter",
			"id", id,
			"meta", meta(start),
			"identifier", []object{obj("use", "official", "system", "https://chartline.health/fhir/sid/encounter", "value", id)},
			"status", status,
			"class", class.coding(),
			"type", []object{concept(typ)},
			"subject", c.subject(),
			"participant", []object{obj(
				"type", []object{obj("coding", []object{obj("system", "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code", "PPRF", "display", "primary performer")}, "text", "primary performer")},
				"period", periodOf(start, end),
				"individual", refd("Practitioner/"+pr.id, pr.name),
			)},
			"period", periodOf(start, end),
			"reasonCode", reasons,
			"location", locs,
			"serviceProvider", refd("Organization/"+org, organizationName(org)),
		)
	})
	c.enc, c.encPr, c.encLoc = url, pr, loc
	return url
}

func (c *chart) encounterRef() any {
	if c.enc == "" {
		return nil
	}
	return c.shared(memoKey{memoEncounter, c.enc, ""}, func() any { return ref(c.enc) })
}
