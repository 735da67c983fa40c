package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/store"
)

// InspectOptions are `chartline inspect`'s options.
type InspectOptions struct {
	Store   *store.Store
	Patient string // "" for the whole store
	// Keys adds every "Type/id" the patient's chart holds (-keys).
	Keys bool
	// Quarantine lists every quarantined record instead (-quarantine).
	Quarantine bool
	// Now is when trial eligibility is evaluated and scores are judged (a
	// score computed a week ago from then-current vital signs is stale now);
	// zero means the clock.
	Now time.Time
}

func runInspect(ctx context.Context, args []string, io IO) error {
	var sf storeFlags
	var o InspectOptions
	fs := newFlags("inspect", io)
	sf.register(fs)
	fs.StringVar(&o.Patient, "patient", "", "one patient's resources, NEWS2, alerts and matches")
	fs.BoolVar(&o.Keys, "keys", false, "with -patient: every Type/id the chart holds")
	fs.BoolVar(&o.Quarantine, "quarantine", false, "every quarantined record (topic, partition, offset, key, reason, detail, time)")
	if err := parse(fs, args); err != nil {
		return err
	}
	s, err := sf.open(false, store.KDF{})
	if err != nil {
		return err
	}
	defer s.Close()
	o.Store = s
	v, err := Inspect(ctx, o)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(io.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// StoreSummary is `inspect` without -patient (README, "`inspect` output"): resources counts
// every resource of every patient and of fhir.reference.
type StoreSummary struct {
	Patients    int              `json:"patients"`
	Resources   map[string]int   `json:"resources"`
	Quarantined int              `json:"quarantined"`
	Offsets     map[string]int64 `json:"offsets"`
	// Shared counts what the other shared topics hold, by collection.
	Shared map[string]map[string]int `json:"shared"`
}

// Inspect returns what the store holds as the README's "`inspect` output" JSON object.
func Inspect(ctx context.Context, o InspectOptions) (any, error) {
	if o.Quarantine {
		return inspectQuarantine(o.Store)
	}
	if o.Patient != "" {
		if o.Now.IsZero() {
			o.Now = time.Now()
		}
		return inspectPatient(o.Store, o.Patient, o.Keys, o.Now)
	}
	out := StoreSummary{Resources: map[string]int{}, Offsets: map[string]int64{}, Shared: map[string]map[string]int{}}
	err := o.Store.View(func(r *store.Reader) error {
		cols, err := r.Collections()
		if err != nil {
			return err
		}
		for _, e := range cols {
			switch {
			case store.IsPatient(e.Collection):
				out.Patients++
				fallthrough
			case e.Collection == store.Reference:
				for t, n := range e.Counts {
					out.Resources[t] += n
				}
			default:
				out.Shared[e.Collection[1:]] = e.Counts
			}
		}
		offs, err := r.Offsets()
		if err != nil {
			return err
		}
		for tp, next := range offs {
			out.Offsets[fmt.Sprintf("%s/%d", tp.Topic, tp.Partition)] = next
		}
		out.Quarantined = r.QuarantineCount()
		return nil
	})
	return out, err
}

// PatientSummary is `inspect -patient ID` (README, "`inspect` output").
type PatientSummary struct {
	Patient   string         `json:"patient"`
	Resources map[string]int `json:"resources"`
	NEWS2     NEWS2Summary   `json:"news2"`
	PEWS      *PEWSSummary   `json:"pews,omitempty"` // children under 16 only
	Alerts    []AlertSummary `json:"alerts"`
	Matches   []MatchSummary `json:"matches"`
	// Allergies are what the banner shows as allergies (no "no known …").
	Allergies []string `json:"allergies"`
	// Deceased, and Died when the date of death is recorded.
	Deceased bool          `json:"deceased"`
	Died     *DeathSummary `json:"died,omitempty"`
	// Trials is every study's evaluation (README, "Topics").
	Trials []TrialSummary `json:"trials"`
	// Keys is every "Type/id" of the chart, with -keys.
	Keys []string `json:"keys,omitempty"`
}

// NEWS2Summary is the patient's current NEWS2 (README, "`inspect` output").
// Subscores holds only the parameters scored; the others are listed in
// Missing, never reported as 0. Band is "none" unless Status is complete or
// partial; Why says the status in words, ObservedAt is the oldest value used.
type NEWS2Summary struct {
	Score      int            `json:"score"`
	Band       string         `json:"band"`
	Subscores  map[string]int `json:"subscores"`
	Missing    []string       `json:"missing"`
	Red        bool           `json:"red"`
	Scale      int            `json:"scale,omitempty"`
	Status     string         `json:"status"`
	Why        string         `json:"why,omitempty"`
	ObservedAt string         `json:"observed_at,omitempty"` // RFC 3339
}

// PEWSSummary is a child's current National PEWS (README, "Topics"): band is the
// escalation level (none, low, medium, high, emergency), "none" unless
// Status is complete or partial; AgeBand the chart used.
type PEWSSummary struct {
	Score      int            `json:"score"`
	Band       string         `json:"band"`
	AgeBand    string         `json:"age_band"`
	Subscores  map[string]int `json:"subscores"`
	Missing    []string       `json:"missing"`
	Status     string         `json:"status"`
	Why        string         `json:"why,omitempty"`
	ObservedAt string         `json:"observed_at,omitempty"` // RFC 3339
	Triggers   []string       `json:"triggers,omitempty"`
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// AlertSummary is one alert of the patient.
type AlertSummary struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	State    string `json:"state"` // new, acknowledged, escalated, resolved, cleared, past, information
	Severity string `json:"severity"`
	// RaisedAt is the time of the data that caused the alert (RFC 3339,
	// UTC), not when this node ingested it.
	RaisedAt string `json:"raised_at"`
	// Episode is an early-warning alert's episode; null for upstream risks.
	Episode *EpisodeSummary `json:"episode"`
}

// EpisodeSummary is one early-warning episode: its opening and each rise,
// the latest set, and its clearance (empty while open).
type EpisodeSummary struct {
	Opened  string        `json:"opened"`
	Cleared string        `json:"cleared,omitempty"`
	Past    bool          `json:"past"`
	Lapsed  bool          `json:"lapsed,omitempty"` // ended by a gap in the data longer than the window
	Rises   []RiseSummary `json:"rises"`
	Latest  RiseSummary   `json:"latest"`
}

// RiseSummary is one scored set of an episode.
type RiseSummary struct {
	At       string `json:"at"`
	Score    int    `json:"score"`
	Band     string `json:"band"`
	Severity string `json:"severity,omitempty"`
}

func riseSummary(r clinical.Rise) RiseSummary {
	return RiseSummary{At: r.At.UTC().Format(time.RFC3339), Score: r.Score, Band: r.Band, Severity: r.Severity}
}

// MatchSummary is one matched study.
type MatchSummary struct {
	Study  string `json:"study"`
	Status string `json:"status"`
	Source string `json:"source"` // local, upstream or both
}

func inspectPatient(s *store.Store, patient string, keys bool, now time.Time) (PatientSummary, error) {
	out := PatientSummary{Patient: patient, Resources: map[string]int{}, Alerts: []AlertSummary{}, Matches: []MatchSummary{},
		NEWS2: NEWS2Summary{Band: "none", Subscores: map[string]int{}, Missing: []string{}, Status: clinical.StatusInsufficient}}
	err := s.View(func(r *store.Reader) error {
		e, ok, err := r.Entry(patient)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("no patient %q in the store: %w", patient, store.ErrNotFound)
		}
		for t, n := range e.Counts {
			out.Resources[t] = n
		}
		doc, ok, err := engine.LatestNEWS2(r, patient)
		if err != nil {
			return err
		}
		if ok {
			res := doc.Result.AsOf(now)
			out.NEWS2.Score, out.NEWS2.Band, out.NEWS2.Red, out.NEWS2.Scale = res.Total, res.Band, res.Red, res.Scale
			out.NEWS2.Status, out.NEWS2.Why, out.NEWS2.ObservedAt = res.Status, res.Why, rfc3339(res.ObservedAt)
			if res.Status == "" { // a document from before statuses
				out.NEWS2.Status = clinical.StatusInsufficient
			}
			if !clinical.ScoreCurrent(res.Status) {
				out.NEWS2.Band = clinical.BandNone
			}
			for p, n := range res.Scores {
				out.NEWS2.Subscores[string(p)] = n
			}
			out.NEWS2.Missing = append(out.NEWS2.Missing, res.MissingNames()...)
		} else {
			for _, p := range clinical.Parameters() {
				out.NEWS2.Missing = append(out.NEWS2.Missing, string(p))
			}
		}
		if pd, ok, err := engine.LatestPEWS(r, patient); err != nil {
			return err
		} else if ok {
			res := pd.Result.AsOf(now)
			out.PEWS = &PEWSSummary{Score: res.Total, Band: res.Band, AgeBand: res.AgeBand, Subscores: res.Subscores(),
				Missing: res.MissingNames(), Status: res.Status, Why: res.Why, ObservedAt: rfc3339(res.ObservedAt), Triggers: res.Triggers}
		}
		alerts, err := engine.PatientAlerts(r, patient)
		if err != nil {
			return err
		}
		for _, a := range alerts {
			as := AlertSummary{ID: a.Alert.ID, Kind: a.Alert.Kind, State: a.Status(), Severity: a.Alert.Severity}
			if !a.Alert.Raised.IsZero() {
				as.RaisedAt = a.Alert.Raised.UTC().Format(time.RFC3339)
			}
			if ep := a.Alert.Episode; ep != nil {
				es := &EpisodeSummary{Opened: ep.Opened.UTC().Format(time.RFC3339), Past: a.Alert.Past,
					Rises: []RiseSummary{}, Latest: riseSummary(ep.Latest)}
				if ep.Cleared != nil {
					es.Cleared = ep.Cleared.UTC().Format(time.RFC3339)
				}
				es.Lapsed = ep.Lapsed
				for _, r := range ep.Rises {
					es.Rises = append(es.Rises, riseSummary(r))
				}
				as.Episode = es
			}
			out.Alerts = append(out.Alerts, as)
		}
		matches, err := engine.PatientMatches(r, patient)
		if err != nil {
			return err
		}
		for _, m := range matches {
			src := "local"
			switch {
			case m.Local != nil && len(m.Upstream) > 0:
				src = "both"
			case m.Local == nil:
				src = "upstream"
			}
			out.Matches = append(out.Matches, MatchSummary{Study: m.Study, Status: m.Status(), Source: src})
		}
		return inspectChart(r, patient, e, keys, now, &out)
	})
	return out, err
}
