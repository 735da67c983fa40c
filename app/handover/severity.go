// I-PASS "Illness severity": NEWS2 for adults, National PEWS for children, with
// the trend since the last score and how old the data is.

package handover

import (
	"fmt"
	"strings"
	"time"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/app/ips"
	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/store"
)

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

func values(items []*store.Item) []store.Item {
	out := make([]store.Item, len(items))
	for i, it := range items {
		out[i] = *it
	}
	return out
}
