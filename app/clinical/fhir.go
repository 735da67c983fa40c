package clinical

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Minimal FHIR R4 shapes for what this package writes and reads. They are
// written by hand rather than with golang-fhir-models so the JSON holds only the
// fields set (the models emit every value[x] of some types) and so reading
// tolerates what the models would reject; tests check the output against the
// models.

type fhirCoding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

type fhirConcept struct {
	Coding []fhirCoding `json:"coding,omitempty"`
	Text   string       `json:"text,omitempty"`
}

// codings returns the concept's codings in "system|code" form.
func (c *fhirConcept) codings() []string {
	if c == nil {
		return nil
	}
	var out []string
	for _, k := range c.Coding {
		if k.Code != "" {
			out = append(out, Coding(k.System, k.Code))
		}
	}
	return out
}

// label is what a person reads for the concept: its text, else the first
// display, else the first code.
func (c *fhirConcept) label() string {
	if c == nil {
		return ""
	}
	if t := strings.TrimSpace(c.Text); t != "" {
		return t
	}
	for _, k := range c.Coding {
		if k.Display != "" {
			return k.Display
		}
	}
	for _, k := range c.Coding {
		if k.Code != "" {
			return shortCoding(Coding(k.System, k.Code))
		}
	}
	return ""
}

type fhirIdentifier struct {
	System string `json:"system,omitempty"`
	Value  string `json:"value,omitempty"`
}

type fhirReference struct {
	Reference  string          `json:"reference,omitempty"`
	Identifier *fhirIdentifier `json:"identifier,omitempty"`
	Display    string          `json:"display,omitempty"`
}

type fhirExtension struct {
	URL          string          `json:"url"`
	Extension    []fhirExtension `json:"extension,omitempty"`
	ValueInteger *int            `json:"valueInteger,omitempty"`
	ValueBoolean *bool           `json:"valueBoolean,omitempty"`
	ValueCode    string          `json:"valueCode,omitempty"`
	ValueString  *string         `json:"valueString,omitempty"`
}

type fhirAnnotation struct {
	Text string `json:"text"`
}

type fhirMeta struct {
	VersionID   string   `json:"versionId,omitempty"`
	LastUpdated string   `json:"lastUpdated,omitempty"`
	Source      string   `json:"source,omitempty"`
	Profile     []string `json:"profile,omitempty"`
}

type fhirQuantity struct {
	Value      *json.Number `json:"value,omitempty"`
	Comparator string       `json:"comparator,omitempty"`
	Unit       string       `json:"unit,omitempty"`
	System     string       `json:"system,omitempty"`
	Code       string       `json:"code,omitempty"`
}

// unit is the quantity's UCUM code when given, else its code or unit text.
func (q *fhirQuantity) unitCode() string {
	if q.Code != "" {
		return q.Code
	}
	return q.Unit
}

type fhirRange struct {
	Low  *fhirQuantity `json:"low,omitempty"`
	High *fhirQuantity `json:"high,omitempty"`
}

// ExtensionBase is the root of the StructureDefinition URLs Chartline uses for
// its own extensions.
const ExtensionBase = "https://chartline.health/fhir/StructureDefinition/"

// fhirTime writes a FHIR instant/dateTime in UTC with the precision given.
func fhirTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339Nano)
}

// parseFHIRTime reads a FHIR dateTime or instant (full or partial).
func parseFHIRTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q is not a FHIR dateTime", s)
}

// mustJSON marshals values built from this package's own plain structs, which
// cannot fail to marshal; a failure is a programming error.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("clinical: marshal %T: %v", v, err))
	}
	return b
}

// referenceID returns the id of a reference to the given type: "Patient/7",
// "https://x/fhir/Patient/7/_history/2" and "Patient/7" all give "7".
func referenceID(ref, typ string) (string, bool) {
	i := strings.LastIndex(ref, typ+"/")
	if i < 0 || (i > 0 && ref[i-1] != '/') {
		return "", false
	}
	id := ref[i+len(typ)+1:]
	if j := strings.IndexByte(id, '/'); j >= 0 {
		id = id[:j]
	}
	return id, id != ""
}
