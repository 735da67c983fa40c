package clinical

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/chartline/chartline/store"
)

// ExtEligibilityCriteria is the URL of the ResearchStudy extension whose
// valueString holds a full eligibility tree (Criterion JSON), for studies whose
// eligibility needs or/not. When present it is the study's eligibility and
// the enrollment Group is not read.
const ExtEligibilityCriteria = ExtensionBase + "eligibility-criteria"

// Codes of Group.characteristic.code that Chartline reads as something other
// than "the patient has an Observation with this code" (LOINC; SNOMED CT).
const (
	CodeAgeLOINC         = SystemLOINC + "|30525-0"    // Age
	CodeAgeSnomed        = SystemSNOMED + "|424144002" // Current chronological age
	CodeAgeQualifier     = SystemSNOMED + "|397669002" // Age
	CodeSexLOINC         = SystemLOINC + "|46098-0"    // Sex
	CodeSexAtBirth       = SystemLOINC + "|76689-9"    // Sex assigned at birth
	CodeGenderSnomed     = SystemSNOMED + "|263495000" // Gender
	CodeDiseaseSnomed    = SystemSNOMED + "|64572001"  // Disease (disorder)
	CodeDiagnosisSnomed  = SystemSNOMED + "|439401001" // Diagnosis (observable entity)
	CodeDiagnosisLOINC   = SystemLOINC + "|29308-4"    // Diagnosis
	CodeProblemListLOINC = SystemLOINC + "|11450-4"    // Problem list - Reported
	CodeFemaleSnomed     = SystemSNOMED + "|248152002" // Female
	CodeMaleSnomed       = SystemSNOMED + "|248153007" // Male
	CodeFemaleLOINC      = SystemLOINC + "|LA3-6"      // Female
	CodeMaleLOINC        = SystemLOINC + "|LA2-8"      // Male
)

// Study is a ResearchStudy as the matcher needs it.
type Study struct {
	ID         string     `json:"id"`
	Title      string     `json:"title,omitempty"`
	Status     string     `json:"status"`
	Version    string     `json:"version,omitempty"`    // meta.versionId
	Enrollment []string   `json:"enrollment,omitempty"` // Group ids from ResearchStudy.enrollment
	Criteria   *Criterion `json:"criteria,omitempty"`
	// From says where Criteria came from: "extension", "group", or "" (none yet).
	From string `json:"from,omitempty"`
}

// Recruiting reports whether the study matches patients: R4
// ResearchStudy.status "active" only. approved, in-review, the
// (temporarily-)closed-to-accrual statuses, completed, withdrawn and the rest
// are not recruiting.
func (s Study) Recruiting() bool { return s.Status == "active" }

// Ref is the study's "ResearchStudy/<id>".
func (s Study) Ref() string { return "ResearchStudy/" + s.ID }

type fhirStudyIn struct {
	ResourceType string          `json:"resourceType"`
	ID           string          `json:"id"`
	Meta         *fhirMeta       `json:"meta"`
	Status       string          `json:"status"`
	Title        string          `json:"title"`
	Enrollment   []fhirReference `json:"enrollment"`
	Extension    []fhirExtension `json:"extension"`
}

// ParseStudy reads a ResearchStudy from trials.studies. When it carries the
// eligibility-criteria extension, the tree in it is parsed and validated and
// becomes Criteria; otherwise Criteria stays nil until AttachGroup.
func ParseStudy(raw []byte) (Study, error) {
	var rs fhirStudyIn
	if err := json.Unmarshal(raw, &rs); err != nil {
		return Study{}, fmt.Errorf("read ResearchStudy: %w", err)
	}
	if rs.ResourceType != "ResearchStudy" || rs.ID == "" {
		return Study{}, fmt.Errorf("read ResearchStudy: resourceType %q id %q is not a ResearchStudy", rs.ResourceType, rs.ID)
	}
	s := Study{ID: rs.ID, Title: rs.Title, Status: rs.Status}
	if rs.Meta != nil {
		s.Version = rs.Meta.VersionID
	}
	for _, e := range rs.Enrollment {
		if id, ok := referenceID(e.Reference, "Group"); ok {
			s.Enrollment = append(s.Enrollment, id)
		}
	}
	for _, ext := range rs.Extension {
		if ext.URL != ExtEligibilityCriteria {
			continue
		}
		if ext.ValueString == nil {
			return Study{}, fmt.Errorf("read ResearchStudy/%s: eligibility-criteria extension has no valueString", rs.ID)
		}
		c, err := ParseCriteria([]byte(*ext.ValueString))
		if err != nil {
			return Study{}, fmt.Errorf("read ResearchStudy/%s: %w", rs.ID, err)
		}
		s.Criteria, s.From = &c, "extension"
	}
	return s, nil
}

// ParseCriteria reads an eligibility tree in Chartline's JSON form (see the
// package doc) and validates it. Unknown fields are an error, so a misspelt
// key cannot silently widen eligibility.
func ParseCriteria(raw []byte) (Criterion, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var c Criterion
	if err := dec.Decode(&c); err != nil {
		return Criterion{}, fmt.Errorf("eligibility criteria: %v: %w", err, ErrInvalidCriteria)
	}
	if err := c.Validate(); err != nil {
		return Criterion{}, fmt.Errorf("eligibility criteria: %w", err)
	}
	return c, nil
}

// AttachGroup sets the study's Criteria from its enrollment Group (raw FHIR
// JSON), unless the study's own extension already gave them. A Group the study
// does not list in enrollment is an error.
func (s Study) AttachGroup(group []byte) (Study, error) {
	id, c, err := ParseGroup(group)
	if err != nil {
		return s, err
	}
	listed := false
	for _, e := range s.Enrollment {
		listed = listed || e == id
	}
	if !listed {
		return s, fmt.Errorf("enrollment: ResearchStudy/%s does not name Group/%s", s.ID, id)
	}
	if s.From == "extension" {
		return s, nil
	}
	s.Criteria, s.From = &c, "group"
	return s, nil
}

type fhirGroupIn struct {
	ResourceType   string `json:"resourceType"`
	ID             string `json:"id"`
	Characteristic []struct {
		Code                 fhirConcept    `json:"code"`
		ValueCodeableConcept *fhirConcept   `json:"valueCodeableConcept"`
		ValueBoolean         *bool          `json:"valueBoolean"`
		ValueQuantity        *fhirQuantity  `json:"valueQuantity"`
		ValueRange           *fhirRange     `json:"valueRange"`
		ValueReference       *fhirReference `json:"valueReference"`
		Exclude              bool           `json:"exclude"`
	} `json:"characteristic"`
}

// ParseGroup reads an enrollment Group into an AND of one criterion per
// characteristic (exclude: true wraps it in not). It returns the Group id. How
// each characteristic is read is in the package doc; one Chartline does not
// understand becomes an Unsupported criterion, which is never evaluable and so
// is listed rather than dropped.
func ParseGroup(raw []byte) (string, Criterion, error) {
	var g fhirGroupIn
	if err := json.Unmarshal(raw, &g); err != nil {
		return "", Criterion{}, fmt.Errorf("read Group: %w", err)
	}
	if g.ResourceType != "Group" || g.ID == "" {
		return "", Criterion{}, fmt.Errorf("read Group: resourceType %q id %q is not a Group", g.ResourceType, g.ID)
	}
	if len(g.Characteristic) == 0 {
		return "", Criterion{}, fmt.Errorf("read Group/%s: no characteristics: %w", g.ID, ErrInvalidCriteria)
	}
	root := Criterion{And: []Criterion{}}
	for i, ch := range g.Characteristic {
		code := ch.Code.codings()
		c := characteristic(code, ch.Code.label(), ch.ValueCodeableConcept, ch.ValueBoolean, ch.ValueQuantity, ch.ValueRange, ch.ValueReference)
		if c.Validate() != nil {
			c = Criterion{Label: c.Describe(), Unsupported: fmt.Sprintf("characteristic %d cannot be read", i+1)}
		}
		if ch.Exclude {
			label := ""
			if c.Label != "" {
				label = "no " + c.Label
			}
			inner := c
			c = Criterion{Label: label, Not: &inner}
		}
		root.And = append(root.And, c)
	}
	if err := root.Validate(); err != nil {
		return "", Criterion{}, fmt.Errorf("read Group/%s: %w", g.ID, err)
	}
	return g.ID, root, nil
}

// characteristic turns one Group.characteristic into a criterion.
func characteristic(code []string, codeLabel string, vcc *fhirConcept, vb *bool, vq *fhirQuantity, vr *fhirRange, vref *fhirReference) Criterion {
	valLabel := vcc.label()
	switch {
	case hasAny(code, CodeAgeLOINC, CodeAgeSnomed, CodeAgeQualifier):
		return ageCharacteristic(vq, vr)
	case hasAny(code, CodeSexLOINC, CodeSexAtBirth, CodeGenderSnomed):
		var sexes []string
		for _, c := range vcc.codings() {
			switch c {
			case Coding(SystemGender, "female"), CodeFemaleSnomed, CodeFemaleLOINC:
				sexes = append(sexes, "female")
			case Coding(SystemGender, "male"), CodeMaleSnomed, CodeMaleLOINC:
				sexes = append(sexes, "male")
			case Coding(SystemGender, "other"):
				sexes = append(sexes, "other")
			}
		}
		if len(sexes) == 0 {
			return Criterion{Label: "sex " + valLabel, Unsupported: "sex value not understood"}
		}
		return Criterion{Sex: sexes}
	case hasAny(code, CodeDiseaseSnomed, CodeDiagnosisSnomed, CodeDiagnosisLOINC, CodeProblemListLOINC):
		if vs := valueSetRef(vref); vs != "" {
			label := strings.TrimSpace(vref.Display)
			if label == "" {
				label = "condition in " + vs
			}
			return Criterion{Label: label, Condition: &ConditionTest{ValueSet: vs}}
		}
		if len(vcc.codings()) == 0 {
			return Criterion{Label: codeLabel, Unsupported: "diagnosis without a coded value"}
		}
		return Criterion{Label: valLabel, Condition: &ConditionTest{Codes: vcc.codings()}}
	case hasAny(code, CodeGeneStudied):
		if len(vcc.codings()) == 0 {
			return Criterion{Label: codeLabel, Unsupported: "gene studied without a coded gene"}
		}
		return Criterion{Label: valLabel + " variant", Variant: &VariantTest{Genes: vcc.codings()}}
	case len(code) == 0:
		return Criterion{Label: codeLabel, Unsupported: "characteristic without a coded code"}
	}

	label := codeLabel
	switch {
	case vcc != nil:
		vt := &ValueTest{Codes: vcc.codings()}
		if t := strings.TrimSpace(vcc.Text); t != "" {
			vt.Text = append(vt.Text, t)
		}
		for _, k := range vcc.Coding {
			if k.Display != "" {
				vt.Text = append(vt.Text, k.Display)
			}
		}
		return Criterion{Label: strings.TrimSpace(label + " " + valLabel), Observation: &ObservationTest{Codes: code, Value: vt}}
	case vq != nil:
		q, ok := quantityBound(vq)
		if !ok {
			return Criterion{Label: label, Unsupported: "quantity without a number"}
		}
		return Criterion{Label: strings.TrimSpace(label + " " + describeQuantity(q)), Observation: &ObservationTest{Codes: code, Value: &ValueTest{Quantity: q}}}
	case vr != nil:
		q := &QuantityTest{}
		if vr.Low != nil {
			q.Low, q.Unit = quantityValue(vr.Low), vr.Low.unitCode()
		}
		if vr.High != nil {
			q.High = quantityValue(vr.High)
			if q.Unit == "" {
				q.Unit = vr.High.unitCode()
			}
		}
		if q.Low == nil && q.High == nil {
			return Criterion{Label: label, Unsupported: "range without bounds"}
		}
		return Criterion{Label: strings.TrimSpace(label + " " + describeQuantity(q)), Observation: &ObservationTest{Codes: code, Value: &ValueTest{Quantity: q}}}
	case vb != nil:
		var c Criterion
		sys, _ := splitCoding(code[0])
		if sys == SystemLOINC {
			c = Criterion{Label: label, Observation: &ObservationTest{Codes: code}}
		} else {
			c = Criterion{Label: label, Condition: &ConditionTest{Codes: code}}
		}
		if !*vb {
			return Criterion{Label: "no " + label, Not: &c}
		}
		return c
	case vref != nil:
		return Criterion{Label: label, Unsupported: "valueReference characteristics are supported for diagnoses in a ValueSet only"}
	}
	return Criterion{Label: label, Unsupported: "characteristic without a value"}
}

// valueSetRef returns the ValueSet a characteristic's valueReference names
// ("ValueSet/<id>", or a canonical or absolute URL with /ValueSet/<id>), or "".
func valueSetRef(r *fhirReference) string {
	if r == nil {
		return ""
	}
	ref := strings.TrimSpace(r.Reference)
	switch {
	case ref == "":
		return ""
	case strings.HasPrefix(ref, "ValueSet/"), strings.Contains(ref, "/ValueSet/"):
		return ref
	}
	return ""
}

func quantityValue(q *fhirQuantity) *float64 {
	if q == nil || q.Value == nil {
		return nil
	}
	v, err := strconv.ParseFloat(string(*q.Value), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func quantityBound(q *fhirQuantity) (*QuantityTest, bool) {
	v := quantityValue(q)
	if v == nil {
		return nil, false
	}
	cmp := q.Comparator
	if cmp == "" {
		cmp = "="
	}
	return &QuantityTest{Comparator: cmp, Value: v, Unit: q.unitCode()}, true
}

// ageCharacteristic reads an age in years (UCUM "a", or unit text years) from
// a range (inclusive) or a quantity with comparator; ages in other units are
// unsupported.
func ageCharacteristic(vq *fhirQuantity, vr *fhirRange) Criterion {
	years := func(q *fhirQuantity) (int, bool) {
		v := quantityValue(q)
		if v == nil {
			return 0, false
		}
		switch strings.ToLower(q.unitCode()) {
		case "a", "yr", "year", "years", "":
		default:
			return 0, false
		}
		return int(math.Floor(*v)), true
	}
	r := &AgeRange{}
	switch {
	case vr != nil:
		if vr.Low != nil {
			y, ok := years(vr.Low)
			if !ok {
				return Criterion{Label: "age", Unsupported: "age not in years"}
			}
			r.Min = &y
		}
		if vr.High != nil {
			y, ok := years(vr.High)
			if !ok {
				return Criterion{Label: "age", Unsupported: "age not in years"}
			}
			r.Max = &y
		}
	case vq != nil:
		y, ok := years(vq)
		if !ok {
			return Criterion{Label: "age", Unsupported: "age not in years"}
		}
		lo, hi := y, y
		switch vq.Comparator {
		case ">=":
			r.Min = &lo
		case ">":
			lo++
			r.Min = &lo
		case "<=":
			r.Max = &hi
		case "<":
			hi--
			r.Max = &hi
		default:
			r.Min, r.Max = &lo, &hi
		}
	default:
		return Criterion{Label: "age", Unsupported: "age without a value"}
	}
	if r.Min == nil && r.Max == nil {
		return Criterion{Label: "age", Unsupported: "age without bounds"}
	}
	return Criterion{Age: r}
}

// StudiesFrom reads what trials.studies holds (its resources, in any order)
// into the studies the matcher evaluates: each ResearchStudy with its
// criteria extension or its enrollment Group, and the ValueSet expansions
// its characteristics name applied (Study.WithValueSets). Sorted by id. A
// study, Group or ValueSet that cannot be read is passed over and named in
// problems; the rest are still returned.
func StudiesFrom(res []store.Resource) (studies []Study, problems []error) {
	groups := map[string][]byte{}
	valueSets := ValueSets{}
	for _, r := range res {
		switch r.Type {
		case "Group":
			groups[r.ID] = r.JSON
		case "ValueSet":
			if err := valueSets.Add(r.JSON); err != nil {
				problems = append(problems, err)
			}
		}
	}
	for _, r := range res {
		if r.Type != "ResearchStudy" {
			continue
		}
		s, err := ParseStudy(r.JSON)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		if s.Criteria == nil {
			for _, g := range s.Enrollment {
				if raw, ok := groups[g]; ok {
					withGroup, err := s.AttachGroup(raw)
					if err == nil {
						s = withGroup
						break
					}
					problems = append(problems, err)
				}
			}
		}
		studies = append(studies, s.WithValueSets(valueSets))
	}
	sort.Slice(studies, func(i, j int) bool { return studies[i].ID < studies[j].ID })
	return studies, problems
}
