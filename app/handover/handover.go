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

// news2MinAge: NEWS2 is not validated under 16 years (RCP NEWS2 2017,
// chapter 3); children are scored with PEWS.
const news2MinAge = 16

// severity is the NEWS2 the engine scored, its trend against the score of
// the readings before the newest set, and the age of its data.
func severity(r *store.Reader, p *Patient, in *ips.Input, o Options) error {
	vitals := values(in.ByCategory[record.CategoryVitalSigns])
	pews, isChild, err := engine.LatestPEWS(r, p.ID)
	if err != nil {
		return fmt.Errorf("handover: %w", err)
	}
	if isChild {
		pewsSeverity(&p.Severity, pews.Result, vitals, p.Born, o)
		return nil
	}
	doc, ok, err := engine.LatestNEWS2(r, p.ID)
	if err != nil {
		return fmt.Errorf("handover: %w", err)
	}
	goals := values(in.ByType["Goal"])
	res := doc.Result
	if !ok {
		res = clinical.NEWS2At(vitals, goals, o.NEWS2, o.Now)
	}
	s := &p.Severity
	if years, ok := ageYears(p.Born, o.Now); ok && years < news2MinAge {
		s.Trend = "NEWS2 applies from 16 years; no paediatric early warning score (PEWS) recorded"
		return nil
	}
	if !res.Newest.IsZero() {
		s.DataAge, s.Stale = dataAge(res.Newest, o.Now, o.NEWS2.Window)
	}
	if !clinical.ScoreCurrent(res.Status) || res.Band == "" || res.Band == clinical.BandNone {
		s.Stale = s.Stale || res.Status == clinical.StatusStale
		s.Trend = "no vital signs could be scored"
		if res.Why != "" {
			s.Trend = res.Why
		}
		return nil
	}
	s.Score = fmt.Sprintf("NEWS2 %d", res.Total)
	s.Band, s.Red = res.Band, res.Red
	if g, ok := clinical.NEWS2Guidance(res); ok {
		s.Response = guidanceText(g)
	}
	if res.Scale == 2 {
		s.Scale2 = "SpO2 Scale 2: hypercapnic target recorded"
	}
	if res.Status == clinical.StatusPartial {
		s.Partial = res.Why
		if s.Partial == "" {
			s.Partial = fmt.Sprintf("%d of 7 parameters: a partial score", 7-len(res.Missing))
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
	s.Trend = trend(prev.Total, prev.Band, prev.Newest, clinical.ScoreCurrent(prev.Status) && prev.Band != clinical.BandNone, res.Total, o.Now)
	return nil
}

// pewsSeverity is a child's National PEWS, as the engine scored it: level,
// status, escalation response, trend and the age of the data.
func pewsSeverity(s *Severity, res clinical.PEWSResult, vitals []store.Item, born string, o Options) {
	s.Kind = "PEWS"
	if !res.Newest.IsZero() {
		s.DataAge, s.Stale = dataAge(res.Newest, o.Now, o.NEWS2.Window)
	}
	if !clinical.ScoreCurrent(res.Status) {
		s.Stale = s.Stale || res.Status == clinical.StatusStale
		s.Trend = "no PEWS could be scored"
		if res.Why != "" {
			s.Trend = res.Why
		}
		return
	}
	s.Score = fmt.Sprintf("PEWS %d", res.Total)
	s.Band = res.Band
	if res.AgeBand != "" {
		s.Scale2 = "National PEWS chart " + res.AgeBand
	}
	if res.Status == clinical.StatusPartial {
		s.Partial = res.Why
	}
	if g, ok := clinical.PEWSGuidance(res); ok {
		s.Response = guidanceText(g)
	}
	for _, tr := range res.Triggers {
		s.Partial = strings.TrimPrefix(s.Partial+"; "+tr, "; ")
	}
	var before []store.Item
	for _, v := range vitals {
		if v.Meta.Time.Before(res.Newest.Add(-time.Minute)) {
			before = append(before, v)
		}
	}
	months := 0
	if b, err := parseBirth(born); err == nil {
		months = (o.Now.Year()-b.Year())*12 + int(o.Now.Month()) - int(b.Month())
	}
	prev := clinical.PEWS(before, months, o.NEWS2, time.Time{})
	s.Trend = trend(prev.Total, prev.Band, prev.Newest, clinical.ScoreCurrent(prev.Status), res.Total, o.Now)
}

// trend compares a score with the one before the newest set of readings.
func trend(prevTotal int, prevBand string, prevAt time.Time, prevOK bool, total int, now time.Time) string {
	switch {
	case !prevOK || prevAt.IsZero():
		return "no earlier score"
	case prevTotal < total:
		return fmt.Sprintf("rising: up from %d (%s) at %s", prevTotal, prevBand, clock(prevAt, now))
	case prevTotal > total:
		return fmt.Sprintf("falling: down from %d (%s) at %s", prevTotal, prevBand, clock(prevAt, now))
	}
	return fmt.Sprintf("unchanged since %s", clock(prevAt, now))
}

// guidanceText is a score's clinical response in one line: the chart row,
// the monitoring, the first action.
func guidanceText(g clinical.Guidance) string {
	parts := []string{g.Trigger}
	switch m := g.Monitoring; {
	case m == "":
	case strings.HasPrefix(m, "Minimum"), strings.HasPrefix(m, "Every"), strings.HasPrefix(m, "Continuous"):
		parts = append(parts, "Observations: "+strings.ToLower(m[:1])+m[1:])
	default:
		parts = append(parts, m)
	}
	if len(g.Response) > 0 {
		parts = append(parts, g.Response[0])
	}
	return strings.Join(parts, ". ")
}

// dataAge says how old the newest vital sign is, and whether it is older
// than the scoring window (default 24 h, NEWS2Options): a score on such data
// says little about the patient now.
func dataAge(newest, now time.Time, window time.Duration) (string, bool) {
	if window <= 0 {
		window = clinical.DefaultStaleWindow
	}
	age := now.Sub(newest)
	text := "observed " + agoText(age) + " ago (" + clock(newest, now) + ")"
	if age > window {
		return text + ": older than " + agoText(window) + ", re-observe", true
	}
	return text, false
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
		state := a.Status()
		if last, ok := a.State.Latest(); ok && last.By != "" {
			state += " by " + last.By
		}
		kind := "Alert"
		if a.Alert.Severity != "" {
			kind = strings.ToUpper(a.Alert.Severity[:1]) + a.Alert.Severity[1:] + " alert"
		}
		p.Actions = append(p.Actions, Action{Kind: kind, Text: text, State: state, When: "raised " + clock(a.Alert.Raised, now)})
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
		p.Actions = append(p.Actions, Action{Kind: "Trial screening", Text: title, State: status, When: "since " + clock(m.Since, now)})
	}
	return nil
}

// awareness: the latest results out of range taken in the last
// resultWindow, and the oxygen the patient is on.
func awareness(p *Patient, in *ips.Input, now time.Time) {
	for _, it := range ips.Results(in) {
		flag := ips.OutOfRange(it.Meta)
		if flag == "" {
			continue
		}
		if now.Sub(it.Meta.Time) > resultWindow {
			p.Awareness.Older++
			continue
		}
		if len(p.Awareness.Results) == maxResults {
			p.Awareness.Older++
			continue
		}
		test, value := splitValue(it.Meta)
		value = ucumText.Replace(value)
		if !strings.HasSuffix(value, "("+flag+")") {
			value = strings.TrimSpace(value + " (" + flag + ")")
		}
		p.Awareness.Results = append(p.Awareness.Results, Result{Test: test, Value: value, Range: ips.RangeText(it.Meta), When: clock(it.Meta.Time, now)})
	}
	p.Awareness.Oxygen = oxygen(in, now)
}

// ucumText writes UCUM annotations as people read them:
// "mL/min/{1.73_m2}" as "mL/min/1.73 m2", "{INR}" as "INR".
var ucumText = strings.NewReplacer("{", "", "}", "", "_", " ")

// splitValue splits a result's display line ("Creatinine … 1.67 mg/dL
// (H)") into the test and its value, as the summary screen does; a line it
// cannot split stays whole as the test.
func splitValue(m store.Meta) (test, value string) {
	d := m.Display
	if !m.HasValue {
		if i := strings.Index(d, ": "); i > 0 {
			return d[:i], d[i+2:]
		}
		return d, ""
	}
	n := " " + m.Comparator + num(m.Value)
	i := strings.LastIndex(d, n)
	if i <= 0 {
		return d, ""
	}
	if end := i + len(n); end < len(d) && (d[end] >= '0' && d[end] <= '9' || d[end] == '.') {
		return d, ""
	}
	return d[:i], d[i+1:]
}

// oxygen says what the newest pulse-oximetry reading records of inhaled
// oxygen (its LOINC 3151-8 flow and 3150-0 concentration components; README,
// "Topics": codes the scores read), and the saturation.
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
