package record

import (
	"fmt"
	"strings"
	"unicode"
)

// Field is one human-readable row of a resource for a detail pane, e.g.
// {"Status", "final"} or {"Value", "7.2 mmol/L (ref 3.9–5.5)"}.
type Field struct {
	Label, Value string
}

// maxFields and maxFieldValue bound what Fields returns for one resource.
const (
	maxFields     = 200
	maxFieldValue = 2000 // bytes of one value, then "…"
)

// Fields renders a resource as label/value rows, in the R4 element order of
// its type: codes as their text with the code ("Hemoglobin A1c (LOINC
// 4548-4)"), quantities with units, references by their display, periods as
// "start – end". An Observation's first reference range joins its value.
// Narrative, meta and contained resources are left out; repeated elements
// give one row each. raw must be a JSON resource of an R4 type (it need not
// pass the patient rule).
func Fields(raw []byte) ([]Field, error) { return FieldsNamed(raw, nil) }

// FieldsNamed is Fields with names for the references the resource makes:
// names("Condition/x") returns what the chart calls Condition/x ("Type 2
// diabetes mellitus"), or "" when it does not hold it. A reference without a
// display that names cannot name reads "unnamed condition" (the type in
// words), never a raw "Type/id".
func FieldsNamed(raw []byte, names func(ref string) string) ([]Field, error) {
	if r := precheck(raw); r != nil {
		return nil, r
	}
	s := getScanner()
	defer putScanner(s)
	if e := s.parse(raw); e != nil {
		return nil, &Refusal{e.reason, e.detail}
	}
	d := &s.doc
	rt := d.get(0, "resourceType")
	if d.kindOf(rt) != kString {
		return nil, &Refusal{ReasonNoResourceType, "the object has no resourceType string"}
	}
	sc := schemas().types[d.str(rt)]
	if sc == nil {
		return nil, &Refusal{ReasonUnknownType, fmt.Sprintf("resourceType %s is not an R4 resource type", quoteShort(d.str(rt)))}
	}
	f := fielder{d: d, names: names}
	f.resource(0, sc)
	if v := d.text(d.at(0, "meta", "lastUpdated")); v != "" {
		f.add("Last updated", v)
	}
	return f.rows, nil
}

type fielder struct {
	d     *doc
	rows  []Field
	names func(ref string) string // may be nil
}

// unnamed words a reference nothing names: "Condition/1f2e…" reads "unnamed
// condition", a URL or urn "unnamed reference"; a Patient keeps its id.
func unnamed(ref string) string {
	p := ref
	if i := strings.Index(p, "/_history/"); i >= 0 {
		p = p[:i]
	}
	parts := strings.Split(strings.TrimSuffix(p, "/"), "/")
	if len(parts) >= 2 && parts[len(parts)-2] == "Patient" {
		return ref // the patient id is what the census and the banner show
	}
	if len(parts) >= 2 && IsResourceType(parts[len(parts)-2]) {
		return "unnamed " + strings.ToLower(humanize(parts[len(parts)-2]))
	}
	return "unnamed reference"
}

func (f *fielder) add(label, value string) {
	if value == "" || len(f.rows) >= maxFields {
		return
	}
	if len(value) > maxFieldValue {
		cut := maxFieldValue
		for cut > 0 && !startsRune(value[cut]) {
			cut--
		}
		value = value[:cut] + "…"
	}
	f.rows = append(f.rows, Field{Label: label, Value: value})
}

func startsRune(c byte) bool { return c&0xC0 != 0x80 }

// skipped are the top-level elements Fields leaves out.
var skipped = map[string]bool{
	"id": true, "meta": true, "text": true, "implicitRules": true, "language": true,
	"contained": true,
}

func (f *fielder) resource(root int32, sc *schema) {
	d := f.d
	isObs := sc.name == "Observation"
	for i := range sc.elements {
		e := &sc.elements[i]
		if skipped[e.name] {
			continue
		}
		n := d.get(root, e.name)
		if n < 0 || d.kindOf(n) == kNull {
			continue
		}
		label := labelOf(sc, e)
		if isObs && e.name == "referenceRange" {
			continue // joined to the value below
		}
		if e.name == "extension" || e.name == "modifierExtension" {
			f.extensions(n, e.name == "modifierExtension")
			continue
		}
		el, cnt := d.list(n)
		for j := int32(0); j < cnt; j, el = j+1, d.next(el) {
			v := f.format(el, e)
			if isObs && strings.HasPrefix(e.name, "value") && j == 0 {
				if ref := referenceRangeText(d, d.first(d.get(root, "referenceRange")), d.get(root, "valueQuantity")); ref != "" {
					v += " (ref " + ref + ")"
				}
			}
			f.add(label, v)
		}
	}
	if isObs && d.get(root, "referenceRange") >= 0 && !hasValue(d, root) {
		if ref := referenceRangeText(d, d.first(d.get(root, "referenceRange")), -1); ref != "" {
			f.add("Reference range", ref)
		}
	}
}

func hasValue(d *doc, root int32) bool {
	for _, k := range [...]string{"valueQuantity", "valueCodeableConcept", "valueString", "valueBoolean", "valueInteger", "valueRange", "valueRatio", "valueSampledData", "valueTime", "valueDateTime", "valuePeriod"} {
		if d.get(root, k) >= 0 {
			return true
		}
	}
	return false
}

// referenceRangeText renders a reference range; the unit is left out when it
// is the value's.
func referenceRangeText(d *doc, rr, value int32) string {
	if rr < 0 {
		return ""
	}
	low := readQuantity(d, d.get(rr, "low"))
	high := readQuantity(d, d.get(rr, "high"))
	vq := readQuantity(d, value)
	same := vq.shown() != "" && (!low.ok || low.shown() == vq.shown()) && (!high.ok || high.shown() == vq.shown())
	if s := rangeText(low, high, !same); s != "" {
		return s
	}
	return d.text(d.get(rr, "text"))
}

// extensions renders top-level extensions: the last segment of the url as
// the label, the value as text.
func (f *fielder) extensions(n int32, modifier bool) {
	d := f.d
	e, cnt := d.list(n)
	for i := int32(0); i < cnt; i, e = i+1, d.next(e) {
		url := d.text(d.get(e, "url"))
		name := url
		if j := strings.LastIndexAny(url, "/#"); j >= 0 && j+1 < len(url) {
			name = url[j+1:]
		}
		label := humanize(strings.NewReplacer("-", " ", "_", " ").Replace(name))
		if modifier {
			label += " (modifier)"
		}
		f.add(label, f.extensionValue(e, 0))
	}
}

func (f *fielder) extensionValue(e int32, depth int) string {
	d := f.d
	ext := schemas().extension
	for i := range ext.elements {
		el := &ext.elements[i]
		if !strings.HasPrefix(el.name, "value") {
			continue
		}
		if v := d.get(e, el.name); v >= 0 {
			return f.format(v, el)
		}
	}
	if depth > 2 {
		return ""
	}
	// a complex extension: its "text" part, else its parts joined
	var parts []string
	sub, cnt := d.list(d.get(e, "extension"))
	for i := int32(0); i < cnt; i, sub = i+1, d.next(sub) {
		v := f.extensionValue(sub, depth+1)
		if d.is(d.get(sub, "url"), "text") && v != "" {
			return v
		}
		if v != "" {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, ", ")
}

// choiceTypes are the type suffixes of R4 choice elements (value[x]…).
var choiceTypes = []string{
	"Base64Binary", "Boolean", "Canonical", "Code", "Date", "DateTime", "Decimal", "Id", "Instant", "Integer",
	"Markdown", "Oid", "PositiveInt", "String", "Time", "UnsignedInt", "Uri", "Url", "Uuid", "Address", "Age",
	"Annotation", "Attachment", "CodeableConcept", "Coding", "ContactPoint", "Count", "Distance", "Duration",
	"HumanName", "Identifier", "Money", "Period", "Quantity", "Range", "Ratio", "Reference", "SampledData",
	"Signature", "Timing", "ContactDetail", "Contributor", "DataRequirement", "Expression", "ParameterDefinition",
	"RelatedArtifact", "TriggerDefinition", "UsageContext", "Dosage", "Meta",
}

// labelOf names an element for a person: "effectiveDateTime" reads
// "Effective" (a choice element), "referenceRange" reads "Reference range".
func labelOf(sc *schema, e *element) string {
	if p := choicePrefix(sc, e.name); p != "" {
		return humanize(p)
	}
	return humanize(e.name)
}

func isChoiceSuffix(s string) bool {
	for _, t := range choiceTypes {
		if s == t {
			return true
		}
	}
	return false
}

// humanize turns "referenceRange" into "Reference range".
func humanize(name string) string {
	var b strings.Builder
	for i, r := range name {
		switch {
		case i == 0:
			b.WriteRune(unicode.ToUpper(r))
		case unicode.IsUpper(r):
			b.WriteByte(' ')
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// systemNames shortens well-known code systems for display
// (hl7.org/fhir/R4/terminologies-systems.html).
var systemNames = map[string]string{
	SystemLOINC:  "LOINC",
	SystemSNOMED: "SNOMED CT",
	"http://www.nlm.nih.gov/research/umls/rxnorm": "RxNorm",
	"http://hl7.org/fhir/sid/cvx":                 "CVX",
	"http://hl7.org/fhir/sid/icd-10":              "ICD-10",
	"http://hl7.org/fhir/sid/icd-10-cm":           "ICD-10-CM",
	"http://hl7.org/fhir/sid/ndc":                 "NDC",
	SystemUCUM:                                    "UCUM",
	"http://www.genenames.org":                    "HGNC",
}

// codingText renders a Coding "Display (LOINC 4548-4)".
func codingText(d *doc, c int32, text string) string {
	code := d.text(d.get(c, "code"))
	if text == "" {
		text = d.text(d.get(c, "display"))
	}
	if code == "" || code == text {
		return text
	}
	sys := d.text(d.get(c, "system"))
	name, ok := systemNames[sys]
	if !ok {
		name = ""
	}
	if text == "" {
		return join(name, code)
	}
	return text + " (" + join(name, code) + ")"
}

// format renders one value of element e.
func (f *fielder) format(n int32, e *element) string {
	d := f.d
	switch d.kindOf(n) {
	case kNull:
		return ""
	case kString:
		return d.text(n)
	case kNumber:
		return d.literal(n)
	case kTrue:
		return "yes"
	case kFalse:
		return "no"
	case kArray:
		var parts []string
		el, cnt := d.list(n)
		for i := int32(0); i < cnt && i < 20; i, el = i+1, d.next(el) {
			if v := f.format(el, e); v != "" {
				parts = append(parts, v)
			}
		}
		return strings.Join(parts, ", ")
	}
	return f.object(n, e)
}

// object renders one object value of element e, by its FHIR data type.
func (f *fielder) object(n int32, e *element) string {
	d := f.d
	switch e.typ {
	case "CodeableConcept":
		text := d.text(d.get(n, "text"))
		c := d.first(d.get(n, "coding"))
		if c < 0 {
			return text
		}
		return codingText(d, c, text)
	case "Coding":
		return codingText(d, n, "")
	case "Quantity", "Age", "Duration", "Count", "Distance", "SimpleQuantity":
		return readQuantity(d, n).String()
	case "Money":
		return join(d.literal(d.get(n, "value")), d.text(d.get(n, "currency")))
	case "Range":
		return rangeText(readQuantity(d, d.get(n, "low")), readQuantity(d, d.get(n, "high")), true)
	case "Ratio":
		return ratioText(d, n)
	case "Period":
		return periodText(d, n)
	case "Reference":
		return f.reference(n)
	case "HumanName":
		return humanName(d, n)
	case "Address":
		return addressText(d, n)
	case "ContactPoint":
		return join(d.text(d.get(n, "value")), paren(join(d.text(d.get(n, "system")), d.text(d.get(n, "use")))))
	case "Identifier":
		kind := conceptText(d, d.get(n, "type"))
		if kind == "" {
			kind = d.text(d.get(n, "system"))
		}
		return join(d.text(d.get(n, "value")), paren(kind))
	case "Annotation":
		who := d.text(d.get(d.get(n, "authorReference"), "display"))
		if who == "" {
			who = d.text(d.get(n, "authorString"))
		}
		return join(d.text(d.get(n, "text")), paren(join(who, d.text(d.get(n, "time")))))
	case "Attachment":
		return firstText(d, n, "title", "url", "contentType")
	case "Timing":
		return timingElementText(d, n)
	case "Dosage":
		return dosageText(d, n)
	case "Narrative", "Meta", "Extension", "Signature":
		return ""
	}
	if e.shape == shResource {
		rt := d.text(d.get(n, "resourceType"))
		return join(rt+"/"+d.text(d.get(n, "id")), conceptText(d, d.get(n, "code")))
	}
	if e.st != nil {
		return f.backbone(n, e.st)
	}
	return ""
}

// periodText renders a Period: "start – end", "from start", "until end".
func periodText(d *doc, n int32) string {
	start, end := d.text(d.get(n, "start")), d.text(d.get(n, "end"))
	switch {
	case start != "" && end != "":
		return start + " – " + end
	case start != "":
		return "from " + start
	case end != "":
		return "until " + end
	}
	return ""
}

// reference renders a Reference: its display, else what it points to by
// name, else its identifier.
func (f *fielder) reference(n int32) string {
	d := f.d
	if s := d.text(d.get(n, "display")); s != "" {
		return s
	}
	if s := d.text(d.get(n, "reference")); s != "" {
		// a contained resource reads by its own code or name
		if local, ok := strings.CutPrefix(s, "#"); ok {
			if c := containedByID(d, 0, local); c >= 0 {
				if name := containedName(d, c); name != "" {
					return name
				}
			}
		}
		if f.names != nil {
			if name := f.names(s); name != "" {
				return name
			}
		}
		return unnamed(s)
	}
	return d.text(d.at(n, "identifier", "value"))
}

// addressText renders an Address: its text, else its lines and places.
func addressText(d *doc, n int32) string {
	if s := d.text(d.get(n, "text")); s != "" {
		return s
	}
	var parts []string
	l, cnt := d.list(d.get(n, "line"))
	for i := int32(0); i < cnt; i, l = i+1, d.next(l) {
		parts = append(parts, d.text(l))
	}
	for _, k := range [...]string{"city", "state", "postalCode", "country"} {
		if s := d.text(d.get(n, k)); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// firstText is the first non-empty text of the members keys of n.
func firstText(d *doc, n int32, keys ...string) string {
	for _, k := range keys {
		if s := d.text(d.get(n, k)); s != "" {
			return s
		}
	}
	return ""
}

// timingElementText renders a Timing: its repeat, else its code, else its
// first event.
func timingElementText(d *doc, n int32) string {
	if s := timingText(d, d.get(n, "repeat")); s != "" {
		return s
	}
	if s := conceptText(d, d.get(n, "code")); s != "" {
		return s
	}
	return d.text(d.first(d.get(n, "event")))
}

// containedName names a contained resource: its code, else its name.
func containedName(d *doc, c int32) string {
	if s := conceptText(d, d.get(c, "code")); s != "" {
		return s
	}
	switch n := d.get(c, "name"); d.kindOf(n) {
	case kString:
		return d.text(n)
	case kArray, kObject:
		return humanName(d, d.first(n))
	}
	return ""
}

// backbone renders a backbone element in one line: "Systolic blood pressure
// (LOINC 8480-6) 142 mmHg" for a code and a value, else "Label: value; …".
func (f *fielder) backbone(n int32, sc *schema) string {
	d := f.d
	var parts []string
	lead := ""
	for i := range sc.elements {
		e := &sc.elements[i]
		if e.name == "id" || e.name == "extension" || e.name == "modifierExtension" {
			continue
		}
		v := d.get(n, e.name)
		if v < 0 {
			continue
		}
		s := f.format(v, e)
		if s == "" {
			continue
		}
		if (e.name == "code" || e.name == "type") && lead == "" {
			lead = s
			continue
		}
		if lead != "" && strings.HasPrefix(e.name, "value") {
			lead += " " + s
			continue
		}
		parts = append(parts, labelOf(sc, e)+": "+s)
	}
	if lead != "" {
		parts = append([]string{lead}, parts...)
	}
	return strings.Join(parts, "; ")
}
