// The per-type halves of derive: each fills Time, Display, Codes and the
// value fields of one resource type (Category and Status are preset).
// This file: risk assessments, research studies and
// subjects, and groups.

package record

func (x *deriver) risk() {
	d, root, m := x.d, x.root, x.m
	code := d.get(root, "code")
	x.codes(code)
	pred := d.first(d.get(root, "prediction"))
	outcome := d.get(pred, "outcome")
	x.codes(outcome)
	name := conceptText(d, outcome)
	if name == "" {
		name = conceptText(d, code)
	}
	if name == "" {
		name = "Risk assessment"
	}
	var value string
	if v, lit, ok := d.num(d.get(pred, "probabilityDecimal")); ok {
		m.Value, m.HasValue = v, true
		if v >= 0 && v <= 1 {
			value = formatNumber(float64(int64(v*1000+0.5))/10) + "%"
		} else {
			value = lit
		}
	} else if r := d.get(pred, "probabilityRange"); r >= 0 {
		low, high := x.setRange(r)
		value = rangeText(low, high, true)
	}
	qr := d.get(pred, "qualitativeRisk")
	m.ValueCode = firstCoding(d, qr)
	m.ValueText = conceptText(d, qr)
	m.Display = join(name, value, paren(m.ValueText))
	x.choice("occurrence")
}

func (x *deriver) study() {
	d, root := x.d, x.root
	x.codes(d.get(root, "condition"))
	name := d.text(d.get(root, "title"))
	if name == "" {
		name = d.text(d.at(root, "identifier", "value"))
	}
	x.m.Display = join(name, paren(statusWords(x.m.Status)))
	x.period("period")
}

func (x *deriver) subject() {
	d, root := x.d, x.root
	study := d.get(root, "study")
	name := d.text(d.get(study, "display"))
	if name == "" {
		name = d.text(d.get(study, "reference"))
	}
	x.m.Display = join(name, "—", statusWords(x.m.Status))
	if x.m.Status == "" {
		x.m.Display = name
	}
	x.period("period")
}

func (x *deriver) group() {
	d, root, m := x.d, x.root, x.m
	code := d.get(root, "code")
	x.codes(code)
	name := d.text(d.get(root, "name"))
	if name == "" {
		name = conceptText(d, code)
	}
	if _, lit, ok := d.num(d.get(root, "quantity")); ok {
		name = join(name, "("+lit+" members)")
	}
	m.Display = name
	if v, ok := d.boolean(d.get(root, "active")); ok {
		m.Status = "inactive"
		if v {
			m.Status = "active"
		}
	}
}
