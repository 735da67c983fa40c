package handover

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/chartline/chartline/app/census"
	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/ips"
	"github.com/chartline/chartline/store"
)

// ErrNoPatients means the sheet would have no patient on it.
var ErrNoPatients = errors.New("no patients to hand over")

// Options say whose handover, for whom, when.
type Options struct {
	// Patients are the patient ids, in the order the sheet lists them.
	Patients []string
	// Title names the list ("Ward 7", "Selected patients").
	Title string
	// User and Workstation are printed on every page.
	User, Workstation string
	// Now is the print time and the clock ages are measured on; zero means
	// time.Now.
	Now time.Time
	// NEWS2 scores the trend (the same options the engine scores with).
	NEWS2 clinical.NEWS2Options
}

// Sheet is a handover sheet's content, built from one store snapshot.
type Sheet struct {
	Title       string
	User        string
	Workstation string
	Printed     time.Time
	Patients    []Patient
	Missing     int // ids asked for that the store does not hold
}

// Patient is one patient's block, in I-PASS order.
type Patient struct {
	ID       string
	Name     string
	MRN      string
	Born     string // birth date as recorded
	Age      string // "68 y"
	Sex      string
	Location string // the current encounter's location, "" when unknown
	Deceased bool

	Severity  Severity
	Summary   Summary
	Actions   []Action
	Awareness Awareness
}

// Severity is I-PASS "Illness severity": the early-warning score.
type Severity struct {
	Score    string // "NEWS2 7", "" when none could be scored
	Band     string // low, low-medium, medium, high; "" when none
	Red      bool   // a single parameter scored 3
	Partial  string // "5 of 7 parameters", "" when complete
	Trend    string // "up from 3 (low) at 02:00", "no earlier score"
	DataAge  string // "observed 40 min ago (06:20)"
	Stale    bool   // the newest vital sign is older than the window
	Scale2   string // the chart: SpO2 Scale 2, or the PEWS age band
	Kind     string // "PEWS" for a child's score, "" for NEWS2
	Response string // the RCP NEWS2 clinical response for the band
}

// Summary is I-PASS "Patient summary".
type Summary struct {
	Problems    []string
	Allergies   []string // or one line saying none known / not recorded
	Medications []string
	MoreMeds    int // active medications not listed
}

// Result is one result out of range.
type Result struct {
	Test  string // "Creatinine [Mass/volume] in Serum or Plasma"
	Value string // "1.67 mg/dL (H)"
	Range string // "0.6–1.2"
	When  string
}

// Action is an I-PASS "Action list" line.
type Action struct {
	Kind  string // "Alert", "Trial screening"
	Text  string
	State string
	When  string
}

// Awareness is I-PASS "Situation awareness and contingency".
type Awareness struct {
	Results []Result // latest results out of range in the last resultWindow, newest first
	Older   int      // out-of-range latest results older than that, not listed
	Oxygen  string   // "Oxygen 2 L/min, SpO2 93 % (06:20)", "Room air …", "not recorded"
}

// Limits on lines per list, so a block stays readable; what is cut says so.
const (
	maxMedications = 8
	maxResults     = 6
	// resultWindow is how recent a result must be to count as the
	// situation: an out-of-range cholesterol from June is history.
	resultWindow = 7 * 24 * time.Hour
)

// Build reads every listed patient from one snapshot.
func Build(r *store.Reader, o Options) (*Sheet, error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	sh := &Sheet{Title: o.Title, User: o.User, Workstation: o.Workstation, Printed: o.Now}
	for _, id := range o.Patients {
		p, ok, err := buildPatient(r, id, o)
		if err != nil {
			return nil, err
		}
		if !ok {
			sh.Missing++
			continue
		}
		sh.Patients = append(sh.Patients, p)
	}
	if len(sh.Patients) == 0 {
		return nil, ErrNoPatients
	}
	return sh, nil
}

func buildPatient(r *store.Reader, id string, o Options) (Patient, bool, error) {
	e, ok, err := r.Entry(id)
	if err != nil {
		return Patient{}, false, fmt.Errorf("handover: %w", err)
	}
	if !ok || e.Patient == nil || !store.IsPatient(id) {
		return Patient{}, false, nil
	}
	d := e.Patient
	p := Patient{ID: id, Name: d.Name, MRN: d.MRN, Born: d.BirthDate, Age: ageText(d.BirthDate, o.Now), Sex: d.Sex, Deceased: d.Deceased}
	items, err := r.Items(id)
	if err != nil {
		return p, false, fmt.Errorf("handover: %w", err)
	}
	in := ips.NewInput(items)
	if p.Location, err = location(r, id, in); err != nil {
		return p, false, err
	}
	if err := severity(r, &p, in, o); err != nil {
		return p, false, err
	}
	summary(&p, in)
	if err := actions(r, &p, o.Now); err != nil {
		return p, false, err
	}
	awareness(&p, in, o.Now)
	return p, true, nil
}

// CensusPatients are the patients on a census list as the store holds it
// (app/census entries the feed keeps), in ward order: by location (beds
// in natural order, "Bed 2" before "Bed 10"), then id. ErrNoPatients when
// the store holds no one on the list (the workstation does not follow it).
func CensusPatients(r *store.Reader, list string) ([]string, error) {
	docs, err := r.Docs(census.Kind)
	if err != nil {
		return nil, fmt.Errorf("handover: census %s: %w", list, err)
	}
	var on []census.Entry
	for _, d := range docs {
		var e census.Entry
		if d.Key == list && json.Unmarshal(d.Value, &e) == nil && e.On() {
			e.Patient = d.Patient
			on = append(on, e)
		}
	}
	if len(on) == 0 {
		return nil, fmt.Errorf("%w: census list %q has no patients in this store", ErrNoPatients, list)
	}
	slices.SortFunc(on, func(a, b census.Entry) int {
		if c := naturalCompare(a.Location, b.Location); c != 0 {
			return c
		}
		return strings.Compare(a.Patient, b.Patient)
	})
	ids := make([]string, len(on))
	for i, e := range on {
		ids[i] = e.Patient
	}
	return ids, nil
}

// naturalCompare compares strings with their digit runs as numbers.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if len(na) != len(nb) {
				return len(na) - len(nb)
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return int(a[0]) - int(b[0])
		}
		a, b = a[1:], b[1:]
	}
	return len(a) - len(b)
}

func digits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// location is where the patient is: the location of their census entry
// (the ward's own record), else of the newest in-progress encounter (its
// display as recorded); "" when neither records one.
func location(r *store.Reader, id string, in *ips.Input) (string, error) {
	docs, err := r.PatientDocs(census.Kind, id)
	if err != nil {
		return "", fmt.Errorf("handover: census: %w", err)
	}
	for _, d := range docs {
		var e census.Entry
		if json.Unmarshal(d.Value, &e) == nil && e.On() && e.Location != "" {
			return e.Location, nil
		}
	}
	encs := slices.Clone(in.ByType["Encounter"])
	ips.SortNewest(encs)
	for _, it := range encs {
		if it.Meta.Status != "in-progress" && it.Meta.Status != "arrived" {
			continue
		}
		res, ok, err := r.Resource(it.Ref)
		if err != nil {
			return "", fmt.Errorf("handover: read encounter: %w", err)
		}
		if !ok {
			continue
		}
		var enc struct {
			Location []struct {
				Location struct {
					Display string `json:"display"`
				} `json:"location"`
				Status string `json:"status"`
			} `json:"location"`
		}
		if json.Unmarshal(res.JSON, &enc) != nil {
			continue
		}
		for i := len(enc.Location) - 1; i >= 0; i-- { // the last listed is the current one
			if l := enc.Location[i]; l.Location.Display != "" && l.Status != "completed" {
				return l.Location.Display, nil
			}
		}
	}
	return "", nil
}
