package handover

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/app/ips"
	"github.com/chartline/chartline/app/record"
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
	Scale2   string // set when SpO2 is scored on Scale 2
	Response string // the RCP NEWS2 clinical response for the band
}

// Summary is I-PASS "Patient summary".
type Summary struct {
	Problems    []string
	Allergies   []string // or one line saying none known / not recorded
	Medications []string
	MoreMeds    int // active medications not listed
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
	Results []string // latest results out of range, newest first
	Oxygen  string   // "Oxygen 2 L/min, SpO2 93 % (06:20)", "Room air …", "not recorded"
}

// Limits on lines per list, so a block stays readable; what is cut says so.
const (
	maxMedications = 8
	maxResults     = 6
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
	if p.Location, err = location(r, in); err != nil {
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

// location is where the patient is: the location of the newest in-progress
// encounter (its display as recorded), "" when none is recorded.
func location(r *store.Reader, in *ips.Input) (string, error) {
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

// RCP NEWS2 (2017) clinical response to each band, as the chart words it.
var responses = map[string]string{
	clinical.BandLow:       "Ward-based response: assess by a registered nurse",
	clinical.BandLowMedium: "Urgent ward-based response: a single parameter scores 3",
	clinical.BandMedium:    "Key threshold for urgent response: inform the medical team",
	clinical.BandHigh:      "Emergency response: critical care outreach, continuous monitoring",
}

// severity is the NEWS2 the engine scored, its trend against the score of
// the readings before the newest set, and the age of its data.
func severity(r *store.Reader, p *Patient, in *ips.Input, o Options) error {
	doc, ok, err := engine.LatestNEWS2(r, p.ID)
	if err != nil {
		return fmt.Errorf("handover: %w", err)
	}
	vitals := values(in.ByCategory[record.CategoryVitalSigns])
	goals := values(in.ByType["Goal"])
	res := doc.Result
	if !ok {
		res = clinical.NEWS2(vitals, goals, o.NEWS2)
	}
	if res.Band == "" || res.Band == clinical.BandNone {
		p.Severity.Trend = "no vital signs could be scored"
		return nil
	}
	s := &p.Severity
	s.Score = fmt.Sprintf("NEWS2 %d", res.Total)
	s.Band, s.Red = res.Band, res.Red
	s.Response = responses[s.Band]
	if res.Scale == 2 {
		s.Scale2 = "SpO2 Scale 2: hypercapnic target recorded"
	}
	if !res.Complete {
		s.Partial = fmt.Sprintf("%d of 7 parameters: a partial score", 7-len(res.Missing))
	}
	if !res.Newest.IsZero() {
		age := o.Now.Sub(res.Newest)
		s.DataAge = "observed " + agoText(age) + " ago (" + clock(res.Newest, o.Now) + ")"
		window := o.NEWS2.Window
		if window <= 0 {
			window = clinical.DefaultStaleWindow
		}
		s.Stale = age > window
		if s.Stale {
			s.DataAge += ": older than " + agoText(window) + ", re-observe"
		}
	}
	// Trend: the score of the readings before the newest set.
	var before []store.Item
	for _, v := range vitals {
		if v.Meta.Time.Before(res.Newest.Add(-time.Minute)) {
			before = append(before, v)
		}
	}
	prev := clinical.NEWS2(before, goals, o.NEWS2)
	switch {
	case prev.Band == "" || prev.Band == clinical.BandNone || prev.Newest.IsZero():
		s.Trend = "no earlier score"
	case prev.Total < res.Total:
		s.Trend = fmt.Sprintf("rising: up from %d (%s) at %s", prev.Total, prev.Band, clock(prev.Newest, o.Now))
	case prev.Total > res.Total:
		s.Trend = fmt.Sprintf("falling: down from %d (%s) at %s", prev.Total, prev.Band, clock(prev.Newest, o.Now))
	default:
		s.Trend = fmt.Sprintf("unchanged since %s", clock(prev.Newest, o.Now))
	}
	return nil
}

// summary: active problems, allergies, active medications.
func summary(p *Patient, in *ips.Input) {
	for _, it := range ips.ActiveProblems(in) {
		p.Summary.Problems = append(p.Summary.Problems, ips.TrimStatus(it.Meta.Display, "active"))
	}
	allergies := ips.Allergies(in)
	for _, it := range allergies {
		p.Summary.Allergies = append(p.Summary.Allergies, ips.TrimStatus(it.Meta.Display, it.Meta.Status))
	}
	if len(allergies) == 0 {
		p.Summary.Allergies = []string{"Allergies not recorded: ask the patient"}
	}
	seen := map[string]bool{}
	var meds []string
	for _, it := range ips.Medications(in) {
		text := ips.TrimStatus(it.Meta.Display, "active")
		if it.Meta.Status == "on-hold" {
			text += " (on hold)"
		}
		if !seen[text] {
			seen[text] = true
			meds = append(meds, text)
		}
	}
	if len(meds) > maxMedications {
		p.Summary.MoreMeds = len(meds) - maxMedications
		meds = meds[:maxMedications]
	}
	p.Summary.Medications = meds
}

// actions: open alerts with their state, and trial screening still to do.
func actions(r *store.Reader, p *Patient, now time.Time) error {
	alerts, err := engine.PatientAlerts(r, p.ID)
	if err != nil {
		return fmt.Errorf("handover: %w", err)
	}
	slices.SortStableFunc(alerts, func(a, b engine.AlertView) int { return b.Alert.Raised.Compare(a.Alert.Raised) })
	for _, a := range alerts {
		if !a.State.Open() {
			continue
		}
		text := a.Alert.Title
		if a.Alert.Severity != "" {
			text = strings.ToUpper(a.Alert.Severity[:1]) + a.Alert.Severity[1:] + ": " + text
		}
		state := a.Status()
		if last, ok := a.State.Latest(); ok && last.By != "" {
			state += " by " + last.By
		}
		p.Actions = append(p.Actions, Action{Kind: "Alert", Text: text, State: state, When: clock(a.Alert.Raised, now)})
	}
	matches, err := engine.PatientMatches(r, p.ID)
	if err != nil {
		return fmt.Errorf("handover: %w", err)
	}
	for _, m := range matches {
		status := m.Status()
		switch status {
		case "eligible", "potential match", "candidate", "eligible-for-screening", "pending-on-study", "potential-candidate":
		default:
			continue // on study, ineligible, withdrawn: nothing to screen
		}
		title := m.Title
		if title == "" {
			title = m.Study
		}
		p.Actions = append(p.Actions, Action{Kind: "Trial screening", Text: title, State: status, When: clock(m.Since, now)})
	}
	return nil
}

// awareness: the latest results out of range and the oxygen the patient is
// on.
func awareness(p *Patient, in *ips.Input, now time.Time) {
	for _, it := range ips.Results(in) {
		flag := ips.OutOfRange(it.Meta)
		if flag == "" {
			continue
		}
		line := it.Meta.Display
		if !strings.HasSuffix(line, "("+flag+")") {
			line += " (" + flag + ")"
		}
		if rng := ips.RangeText(it.Meta); rng != "" {
			line += ", range " + rng
		}
		p.Awareness.Results = append(p.Awareness.Results, line+" · "+clock(it.Meta.Time, now))
		if len(p.Awareness.Results) == maxResults {
			break
		}
	}
	p.Awareness.Oxygen = oxygen(in, now)
}

// oxygen says what the newest pulse-oximetry reading records of inhaled
// oxygen (its LOINC 3151-8 flow and 3150-0 concentration components, DESIGN
// §8), and the saturation.
func oxygen(in *ips.Input, now time.Time) string {
	var spo2 *store.Item
	for _, it := range in.ByCategory[record.CategoryVitalSigns] {
		if hasCode(it.Meta, record.LOINCPulseOximetry) || hasCode(it.Meta, record.LOINCOxygenSat) {
			if spo2 == nil || it.Meta.Time.After(spo2.Meta.Time) {
				spo2 = it
			}
		}
	}
	if spo2 == nil {
		return "SpO2 and oxygen not recorded"
	}
	sat := ""
	if spo2.Meta.HasValue {
		sat = fmt.Sprintf("SpO2 %s %%", num(spo2.Meta.Value))
	}
	flow, conc := "", ""
	for _, c := range spo2.Meta.Components {
		switch c.Code {
		case record.SystemLOINC + "|" + record.LOINCInhaledO2Flow:
			if c.HasValue {
				flow = num(c.Value)
			}
		case record.SystemLOINC + "|" + record.LOINCInhaledO2Conc:
			if c.HasValue {
				conc = num(c.Value)
			}
		}
	}
	var what string
	switch {
	case flow == "0" || conc == "21":
		what = "Room air"
	case flow != "" && conc != "":
		what = "Oxygen " + flow + " L/min, FiO2 " + conc + " %"
	case flow != "":
		what = "Oxygen " + flow + " L/min"
	case conc != "":
		what = "Oxygen " + conc + " %"
	default:
		what = "Oxygen not recorded"
	}
	return strings.TrimSuffix(what+", "+sat, ", ") + " (" + clock(spo2.Meta.Time, now) + ")"
}

func hasCode(m store.Meta, code string) bool {
	for _, c := range m.Codes {
		if c == record.SystemLOINC+"|"+code {
			return true
		}
	}
	return false
}

func values(items []*store.Item) []store.Item {
	out := make([]store.Item, len(items))
	for i, it := range items {
		out[i] = *it
	}
	return out
}
