// The per-type halves of derive: each fills Time, Display, Codes and the
// value fields of one resource type (Category and Status are preset).
// This file: patients, devices, audit events, claims,
// and any other type.

package record

import "strings"

func (x *deriver) patient() {
	p := demographics(x.d, x.root)
	x.m.Patient = p
	x.m.Display = p.Name
	if v, ok := x.d.boolean(x.d.get(x.root, "active")); ok && !v {
		x.m.Status = "inactive"
	}
}

func (x *deriver) device() {
	d, root := x.d, x.root
	typ := d.get(root, "type")
	x.codes(typ)
	name := d.text(d.at(root, "deviceName", "name"))
	if name == "" {
		name = conceptText(d, typ)
	}
	if name == "" {
		name = d.text(d.at(root, "udiCarrier", "deviceIdentifier"))
	}
	if s := x.m.Status; s != "" && s != "active" {
		name = join(name, paren(statusWords(s)))
	}
	x.m.Display = name
}

// auditActions names AuditEvent.action codes (hl7.org/fhir/R4/valueset-audit-event-action.html).
var auditActions = map[string]string{"C": "create", "R": "read", "U": "update", "D": "delete", "E": "execute"}

func (x *deriver) audit() {
	d, root, m := x.d, x.root, x.m
	typ := d.get(root, "type")
	sub := d.get(root, "subtype")
	x.codes(typ)
	x.codes(sub)
	name := conceptText(d, typ)
	what := auditActions[d.text(d.get(root, "action"))]
	if what == "" {
		what = conceptText(d, sub)
	}
	name = join(name, paren(what))
	if o := d.text(d.get(root, "outcome")); o != "" && o != "0" {
		name = join(name, "(failed)")
	}
	m.Display = name
	x.when("recorded")
}

func (x *deriver) claim() {
	d, root, m := x.d, x.root, x.m
	typ := d.get(root, "type")
	x.codes(typ)
	label := "Claim"
	total := d.get(root, "total")
	if x.typ == "ExplanationOfBenefit" {
		label = "Explanation of benefit"
		total = d.get(d.first(total), "amount")
	}
	name := label
	if t := conceptText(d, typ); t != "" {
		name += ": " + t
	}
	if v, lit, ok := d.num(d.get(total, "value")); ok {
		m.Value, m.HasValue = v, true
		m.Unit = d.text(d.get(total, "currency"))
		name = join(name, lit, m.Unit)
	}
	m.Display = name
	if !x.period("billablePeriod") {
		x.when("created")
	}
}

// generic fills any other resource. Display: its name (Organization,
// Location…), title, code, type, HumanName (Practitioner…), description or
// category, the first found; Codes: its code and type codings; Time: the
// first readable of effective[x], occurrence[x], performed[x], onset[x],
// period, billablePeriod, authoredOn, recorded, issued, date, created, sent,
// started, authored, start, recordedDate, dateTime (else, in derive,
// meta.lastUpdated).
func (x *deriver) generic() {
	d, root, m := x.d, x.root, x.m
	var name string
	if n := d.get(root, "name"); d.kindOf(n) == kString {
		name = d.text(n) // Organization, Location, HealthcareService…
	}
	if name == "" {
		name = d.text(d.get(root, "title"))
	}
	for _, el := range [...]string{"code", "type"} {
		if n := d.get(root, el); n >= 0 && d.kindOf(n) != kString {
			x.codes(n)
			if name == "" {
				name = conceptText(d, n)
			}
		}
	}
	if n := d.get(root, "name"); name == "" && d.kindOf(n) != kString {
		name = humanName(d, d.first(n)) // Practitioner, RelatedPerson, Person
	}
	if name == "" {
		name = d.text(d.get(root, "description"))
	}
	if name == "" {
		name = conceptText(d, d.get(root, "category"))
	}
	if s := m.Status; s != "" && s != "active" && s != "completed" && s != "final" {
		name = join(name, paren(statusWords(s)))
	}
	m.Display = name
	for _, el := range [...]string{"effective", "occurrence", "performed", "onset"} {
		if x.choice(el) {
			return
		}
	}
	for _, el := range [...]string{"period", "billablePeriod"} {
		if x.period(el) {
			return
		}
	}
	for _, el := range [...]string{"authoredOn", "recorded", "issued", "date", "created", "sent", "started", "authored", "start", "recordedDate", "dateTime"} {
		if x.when(el) {
			return
		}
	}
}

// humanName renders a HumanName the way a person is addressed: its text, else
// "Dr Ann Smith".
func humanName(d *doc, n int32) string {
	if s := d.text(d.get(n, "text")); s != "" {
		return s
	}
	var parts []string
	for _, el := range [...]string{"prefix", "given"} {
		e, cnt := d.list(d.get(n, el))
		for i := int32(0); i < cnt; i, e = i+1, d.next(e) {
			if s := d.text(e); s != "" {
				parts = append(parts, s)
			}
		}
	}
	if s := d.text(d.get(n, "family")); s != "" {
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}
