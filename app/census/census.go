// Package census holds a ward's census list: the patients a workstation
// follows instead of every patient topic (README, "Topics"). A list lives on a
// compacted topic, spv.census.<list>, keyed "Patient/<id>", whose value says
// where the patient is and in what state:
//
//	{"location": "Ward 7B, bed 12", "status": "admitted"}
//
// A tombstone (a nil value) discharges the patient from the list, and so
// does a value whose status is "discharged". Statuses are free words; those
// Chartline writes itself (FromEncounter) are Expected, Admitted, OnLeave and
// Discharged. Every status but Discharged keeps the patient on the list.
//
// The feed (app/feed) consumes the list's topic, keeps each entry in the
// store (as a Doc of kind Kind, in the same transaction as the offset), and
// consumes only the topics of the patients on the list. A discharged
// patient's topic is no longer consumed; their stored data stays readable,
// offline too, for Retention after the discharge and is then removed from
// this workstation's store (a readmission before that keeps it and resumes
// the topic where it stopped; one after it reads the topic anew).
package census

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/chartline/chartline/app/kafka"
)

// Kind is the store Doc kind of census entries (Doc.Patient the patient,
// Doc.Key the list).
const Kind = "census"

// Statuses Chartline writes. Others are accepted as they come.
const (
	Expected   = "expected"   // a planned admission (Encounter planned)
	Admitted   = "admitted"   // on the ward (Encounter arrived, triaged, in-progress)
	OnLeave    = "on-leave"   // temporarily away (Encounter onleave), still followed
	Discharged = "discharged" // left the list (also what a tombstone means)
)

// DefaultRetention is how long a discharged patient's data stays in a
// workstation's store after the discharge: 72 hours, so that a patient
// readmitted over a weekend, a late result or the discharge paperwork still
// finds the chart on the ward, while a ward's workstation does not keep
// charts of patients no longer in its care.
const DefaultRetention = 72 * time.Hour

// Entry is one patient's census entry as the store keeps it.
type Entry struct {
	Patient  string    `json:"patient"`
	List     string    `json:"list"`
	Location string    `json:"location,omitempty"`
	Status   string    `json:"status"`
	Since    time.Time `json:"since"` // the record's time: admission, move or discharge
}

// On reports whether the entry keeps the patient on the list.
func (e Entry) On() bool { return e.Status != Discharged }

// Value is what a census record carries (its JSON).
type Value struct {
	Location string `json:"location,omitempty"`
	Status   string `json:"status"`
}

// ErrBadEntry marks a census record that cannot be read; the feed
// quarantines it with the detail.
var ErrBadEntry = errors.New("bad census entry")

// Parse reads one census record: its key "Patient/<id>" and value (nil: a
// tombstone, the patient discharged). at is the record's time.
func Parse(list string, key, value []byte, at time.Time) (Entry, error) {
	id, ok := strings.CutPrefix(string(key), "Patient/")
	if !ok || !kafka.ValidPatientID(id) {
		return Entry{}, fmt.Errorf("%w: key %q is not Patient/<id>", ErrBadEntry, quote(key))
	}
	e := Entry{Patient: id, List: list, Since: at.UTC(), Status: Discharged}
	if value == nil {
		return e, nil
	}
	var v Value
	if err := json.Unmarshal(value, &v); err != nil {
		return Entry{}, fmt.Errorf("%w: value is not a JSON object with location and status: %v", ErrBadEntry, err)
	}
	v.Status = strings.ToLower(strings.TrimSpace(v.Status))
	if v.Status == "" {
		return Entry{}, fmt.Errorf("%w: no status", ErrBadEntry)
	}
	e.Location, e.Status = strings.TrimSpace(v.Location), v.Status
	return e, nil
}

func quote(b []byte) string {
	if len(b) > 80 {
		b = b[:80]
	}
	return string(b)
}

// encounter is what FromEncounter reads of an Encounter.
type encounter struct {
	ResourceType string `json:"resourceType"`
	Status       string `json:"status"`
	Period       struct {
		Start string `json:"start"`
	} `json:"period"`
	Location []struct {
		Status   string `json:"status"`
		Location struct {
			Reference string `json:"reference"`
			Display   string `json:"display"`
		} `json:"location"`
	} `json:"location"`
}

// FromEncounter derives a census value from an Encounter (FHIR R4 JSON):
// its location is the location entry whose status is active (else the
// last one), by display name (else reference); its status follows
// Encounter.status: planned -> expected; arrived, triaged, in-progress ->
// admitted; onleave -> on-leave; finished, cancelled, entered-in-error ->
// discharged (discharged is true: the record to write is a tombstone).
// ok is false for an Encounter with no location or an unknown status: it
// says nothing about a ward.
func FromEncounter(js []byte) (v Value, start string, discharged, ok bool) {
	var e encounter
	if json.Unmarshal(js, &e) != nil || e.ResourceType != "Encounter" || len(e.Location) == 0 {
		return Value{}, "", false, false
	}
	loc := e.Location[len(e.Location)-1]
	for _, l := range e.Location {
		if l.Status == "active" {
			loc = l
		}
	}
	v.Location = loc.Location.Display
	if v.Location == "" {
		v.Location = loc.Location.Reference
	}
	if v.Location == "" {
		return Value{}, "", false, false
	}
	switch e.Status {
	case "planned":
		v.Status = Expected
	case "arrived", "triaged", "in-progress":
		v.Status = Admitted
	case "onleave":
		v.Status = OnLeave
	case "finished", "cancelled", "entered-in-error":
		return v, e.Period.Start, true, true
	default:
		return Value{}, "", false, false
	}
	return v, e.Period.Start, false, true
}

// Record is a census record to produce: key Patient/<id>, value nil for a
// discharge.
type Record struct {
	Topic string
	Key   []byte
	Value []byte
}

// Encounter is one Encounter of a patient, as Records reads it.
type Encounter struct {
	Patient string
	JSON    []byte
}

// Records turns Encounters into census records for list: per patient, the
// Encounter with a location that started last decides (an admission, or a
// discharge as a tombstone). Patients are in id order.
func Records(topics kafka.Topics, list string, encs []Encounter) []Record {
	type pick struct {
		start      string
		v          Value
		discharged bool
	}
	best := map[string]pick{}
	for _, e := range encs {
		v, start, dis, ok := FromEncounter(e.JSON)
		if !ok {
			continue
		}
		if p, seen := best[e.Patient]; seen && laterOrEqual(p.start, start) {
			continue
		}
		best[e.Patient] = pick{start: start, v: v, discharged: dis}
	}
	ids := make([]string, 0, len(best))
	for id := range best {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]Record, 0, len(ids))
	for _, id := range ids {
		p := best[id]
		r := Record{Topic: topics.Census(list), Key: []byte("Patient/" + id)}
		if !p.discharged {
			r.Value, _ = json.Marshal(p.v)
		}
		out = append(out, r)
	}
	return out
}

// laterOrEqual reports whether FHIR dateTime a is at or after b (an
// unreadable or missing time counts as earliest).
func laterOrEqual(a, b string) bool {
	ta, ea := parseTime(a)
	tb, eb := parseTime(b)
	switch {
	case eb != nil:
		return true
	case ea != nil:
		return false
	}
	return !ta.Before(tb)
}

func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a FHIR dateTime: %q", s)
}
