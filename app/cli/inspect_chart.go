package cli

import (
	"time"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/store"
)

// The parts of `inspect` that say what the chart shows (README, "Topics"): the
// allergies the banner shows, whether and when the patient died, the trial
// evaluations the Trials tab shows, the keys held (-keys), and every
// quarantined record (-quarantine).

// DeathSummary is when a deceased patient died, when recorded.
type DeathSummary struct {
	Date       string `json:"date"`                   // Patient.deceasedDateTime as written
	AgeAtDeath *int   `json:"age_at_death,omitempty"` // completed years, when the birth date is known
	Text       string `json:"text"`                   // "died 2012 aged 85"
}

// TrialSummary is one study's evaluation for the patient.
type TrialSummary struct {
	Study string `json:"study"` // "ResearchStudy/<id>"
	// Outcome is eligible (recruiting, alive, every criterion met),
	// not-eligible (a criterion not met, the study not recruiting, or the
	// patient deceased) or incomplete (some criteria not evaluable).
	Outcome  string             `json:"outcome"`
	Criteria []CriterionSummary `json:"criteria"`
}

// CriterionSummary is one criterion as it counts for eligibility.
type CriterionSummary struct {
	Text      string `json:"text"`
	Exclusion bool   `json:"exclusion"`
	Outcome   string `json:"outcome"` // met, not met, not evaluable
	Why       string `json:"why"`
}

// QuarantineSummary is `inspect -quarantine`.
type QuarantineSummary struct {
	Quarantined []QuarantinedRecord `json:"quarantined"`
}

// QuarantinedRecord is one refused record (the raw bytes are left out).
type QuarantinedRecord struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	Offset    int64  `json:"offset"`
	Key       string `json:"key"`
	Reason    string `json:"reason"`
	Detail    string `json:"detail"`
	Time      string `json:"time"` // when it was quarantined, RFC 3339 UTC
}

// inspectChart fills the chart fields of a patient summary.
func inspectChart(r *store.Reader, patient string, e store.Entry, keys bool, now time.Time, out *PatientSummary) error {
	allergies, err := r.Items(patient, "AllergyIntolerance")
	if err != nil {
		return err
	}
	out.Allergies = append([]string{}, record.Allergies(allergies).Names...)
	if p := e.Patient; p != nil && p.Deceased {
		out.Deceased = true
		if t, ok := record.DeathTime(p); ok {
			d := &DeathSummary{Date: p.DeceasedDate, Text: record.DeathText(p)}
			if a, ok := record.AgeAt(p.BirthDate, t); ok {
				d.AgeAtDeath = &a
			}
			out.Died = d
		}
	}
	if keys {
		items, err := r.Items(patient)
		if err != nil {
			return err
		}
		out.Keys = make([]string, 0, len(items))
		for _, it := range items {
			out.Keys = append(out.Keys, it.Type+"/"+it.ID)
		}
	}
	trials, err := inspectTrials(r, patient, e, now)
	out.Trials = trials
	return err
}

// inspectTrials evaluates every study on trials.studies for the patient, as
// the engine does.
func inspectTrials(r *store.Reader, patient string, e store.Entry, now time.Time) ([]TrialSummary, error) {
	res, err := r.Resources(store.Studies)
	if err != nil {
		return nil, err
	}
	studies, _ := clinical.StudiesFrom(res) // unreadable studies are the engine's warnings
	conds, err := r.Items(patient, "Condition")
	if err != nil {
		return nil, err
	}
	obs, err := r.Items(patient, "Observation")
	if err != nil {
		return nil, err
	}
	facts := clinical.Facts{Patient: e.Patient, Conditions: conds, Observations: obs, Now: now}
	out := []TrialSummary{}
	for _, s := range studies {
		ev := clinical.Evaluate(s, facts, clinical.TrialOptions{})
		ts := TrialSummary{Study: ev.Study, Outcome: "incomplete", Criteria: []CriterionSummary{}}
		deceased := e.Patient != nil && e.Patient.Deceased
		switch {
		case ev.Eligible:
			ts.Outcome = "eligible"
		case ev.Outcome == clinical.NotMet || !ev.Recruiting || deceased:
			ts.Outcome = "not-eligible"
		}
		for _, group := range [][]clinical.Finding{ev.Met, ev.NotMet, ev.NotEvaluable} {
			for _, f := range group {
				ts.Criteria = append(ts.Criteria, CriterionSummary{Text: f.Label, Exclusion: f.Exclusion, Outcome: f.Outcome.String(), Why: f.Why})
			}
		}
		out = append(out, ts)
	}
	return out, nil
}

// inspectQuarantine lists every quarantined record.
func inspectQuarantine(s *store.Store) (QuarantineSummary, error) {
	out := QuarantineSummary{Quarantined: []QuarantinedRecord{}}
	err := s.View(func(r *store.Reader) error {
		qs, err := r.Quarantine()
		if err != nil {
			return err
		}
		for _, q := range qs {
			out.Quarantined = append(out.Quarantined, QuarantinedRecord{
				Topic: q.Topic, Partition: q.Partition, Offset: q.Offset, Key: string(q.Key),
				Reason: q.Reason, Detail: q.Detail, Time: q.Time.UTC().Format(time.RFC3339),
			})
		}
		return nil
	})
	return out, err
}
