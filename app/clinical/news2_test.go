package clinical

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chartline/chartline/app/jsontime"
	"github.com/chartline/chartline/store"
	"github.com/samply/golang-fhir-models/fhir-models/fhir"
)

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

const testPatient = "pt-1"

// vital is an Observation index entry as app/record would derive it.
func vital(id string, at time.Time, code string, v float64, unit string) store.Item {
	return store.Item{
		Ref:  store.Ref{Collection: testPatient, Type: "Observation", ID: id},
		Meta: store.Meta{Time: at, Codes: []string{code}, Status: "final", Value: v, HasValue: true, Unit: unit, Version: "1"},
	}
}

func coded(id string, at time.Time, code, valueCode, text string) store.Item {
	return store.Item{
		Ref:  store.Ref{Collection: testPatient, Type: "Observation", ID: id},
		Meta: store.Meta{Time: at, Codes: []string{code}, Status: "final", ValueCode: valueCode, ValueText: text},
	}
}

// pulseOx is a pulse-oximetry Observation with an inhaled-oxygen flow component.
func pulseOx(id string, at time.Time, spo2, flow float64) store.Item {
	it := vital(id, at, CodeSpO2, spo2, "%")
	it.Meta.Codes = append(it.Meta.Codes, CodeSaO2)
	it.Meta.Components = []store.Component{{Code: CodeInhaledO2Flow, Value: flow, HasValue: true, Unit: "L/min"}}
	return it
}

func bpPanel(id string, at time.Time, panel string, sys, dia float64) store.Item {
	return store.Item{
		Ref: store.Ref{Collection: testPatient, Type: "Observation", ID: id},
		Meta: store.Meta{Time: at, Codes: []string{panel}, Status: "final", Components: []store.Component{
			{Code: CodeSystolicBP, Value: sys, HasValue: true, Unit: "mm[Hg]"},
			{Code: SystemLOINC + "|8462-4", Value: dia, HasValue: true, Unit: "mm[Hg]"},
		}},
	}
}

// normal is a full set of vital signs that all score 0 on Scale 1.
func normal(at time.Time) []store.Item {
	return []store.Item{
		vital("rr", at, CodeRespiratoryRate, 16, "/min"),
		pulseOx("ox", at, 97, 0),
		bpPanel("bp", at, CodeBPPanel, 120, 80),
		vital("hr", at, CodeHeartRate, 70, "/min"),
		coded("avpu", at, CodeResponsiveness, CodeACVPUAlert, "Alert"),
		vital("temp", at, CodeBodyTemperature, 37, "Cel"),
	}
}

// replace swaps the items with the given id for it (or appends it).
func replace(items []store.Item, id string, it store.Item) []store.Item {
	out := []store.Item{}
	for _, x := range items {
		if x.ID != id {
			out = append(out, x)
		}
	}
	return append(out, it)
}

func without(items []store.Item, id string) []store.Item {
	out := []store.Item{}
	for _, x := range items {
		if x.ID != id {
			out = append(out, x)
		}
	}
	return out
}

func TestNormalSetScoresZero(t *testing.T) {
	r := NEWS2(normal(t0), nil, NEWS2Options{})
	if r.Total != 0 || r.Band != BandLow || !r.Complete || r.Red || r.Scale != 1 || len(r.Missing) != 0 {
		t.Fatalf("normal set: %+v", r)
	}
	if len(r.Readings) != 7 || len(r.Scores) != 7 {
		t.Fatalf("want 7 readings and scores, got %d and %d", len(r.Readings), len(r.Scores))
	}
	for i, p := range Parameters() {
		if paramIndex(p) != i {
			t.Errorf("paramIndex(%s) = %d, want %d", p, paramIndex(p), i)
		}
		if r.Readings[i].Parameter != p {
			t.Errorf("reading %d is %s, want %s (chart order)", i, r.Readings[i].Parameter, p)
		}
	}
	if !r.Newest.Equal(t0) {
		t.Errorf("newest %v, want %v", r.Newest, t0)
	}
}

// TestParameterBands checks both sides of every edge of every parameter's
// rows on the RCP NEWS2 chart 2017, Scale 1.
func TestParameterBands(t *testing.T) {
	type tc struct {
		p    Parameter
		id   string
		it   store.Item
		want int
	}
	var cases []tc
	num := func(p Parameter, id, code, unit string, rows [][2]float64) {
		for _, r := range rows {
			cases = append(cases, tc{p, id, vital(id, t0, code, r[0], unit), int(r[1])})
		}
	}
	num(Respiration, "rr", CodeRespiratoryRate, "/min", [][2]float64{
		{0, 3}, {8, 3}, {9, 1}, {11, 1}, {12, 0}, {20, 0}, {21, 2}, {24, 2}, {25, 3}, {60, 3},
	})
	num(Systolic, "sbp", CodeSystolicBP, "mm[Hg]", [][2]float64{
		{60, 3}, {90, 3}, {91, 2}, {100, 2}, {101, 1}, {110, 1}, {111, 0}, {219, 0}, {220, 3},
	})
	num(Pulse, "hr", CodeHeartRate, "/min", [][2]float64{
		{30, 3}, {40, 3}, {41, 1}, {50, 1}, {51, 0}, {90, 0}, {91, 1}, {110, 1}, {111, 2}, {130, 2}, {131, 3},
	})
	num(Temperature, "temp", CodeBodyTemperature, "Cel", [][2]float64{
		{34, 3}, {35.0, 3}, {35.1, 1}, {36.0, 1}, {36.1, 0}, {38.0, 0}, {38.1, 1}, {39.0, 1}, {39.1, 2}, {41, 2},
	})
	for _, r := range [][2]float64{{85, 3}, {91, 3}, {92, 2}, {93, 2}, {94, 1}, {95, 1}, {96, 0}, {100, 0}} {
		cases = append(cases, tc{SpO2, "ox", pulseOx("ox", t0, r[0], 0), int(r[1])})
	}
	for _, r := range []struct {
		code, text string
		want       int
	}{
		{CodeACVPUAlert, "", 0}, {CodeACVPUConfusion, "", 3}, {CodeACVPUVoice, "", 3}, {CodeACVPUPain, "", 3}, {CodeACVPUUnresponsive, "", 3},
	} {
		cases = append(cases, tc{Consciousness, "avpu", coded("avpu", t0, CodeResponsiveness, r.code, r.text), r.want})
	}
	for _, c := range cases {
		name := fmt.Sprintf("%s=%g%s%s", c.p, c.it.Meta.Value, c.it.Meta.ValueCode, c.it.Meta.ValueText)
		t.Run(name, func(t *testing.T) {
			r := NEWS2(replace(normal(t0), c.id, c.it), nil, NEWS2Options{})
			got, ok := r.Score(c.p)
			if !ok {
				t.Fatalf("%s not scored; missing %v skipped %+v", c.p, r.Missing, r.Skipped)
			}
			if got != c.want {
				t.Fatalf("%s score %d, want %d", c.p, got, c.want)
			}
			if r.Total != c.want {
				t.Fatalf("total %d, want %d (others are normal)", r.Total, c.want)
			}
			if r.Red != (c.want == 3) {
				t.Fatalf("red %v with sub-score %d", r.Red, c.want)
			}
		})
	}
}

func hasSkip(r Result, p Parameter, reason string) bool {
	for _, s := range r.Skipped {
		if s.Parameter == p && strings.Contains(s.Reason, reason) {
			return true
		}
	}
	return false
}

// TestAggregateBands checks the bands on both sides of 4/5 and 6/7, and a
// single 3 with a total of 4 against 5.
func TestAggregateBands(t *testing.T) {
	type set struct {
		rr, sbp, hr, temp float64
	}
	cases := []struct {
		name  string
		s     set
		total int
		band  string
		red   bool
	}{
		{"0", set{16, 120, 70, 37}, 0, BandLow, false},
		{"4 without red", set{21, 120, 91, 38.1}, 4, BandLow, false},
		{"5 without red", set{21, 120, 111, 38.1}, 5, BandMedium, false},
		{"6", set{21, 120, 111, 39.1}, 6, BandMedium, false},
		{"7", set{21, 101, 111, 39.1}, 7, BandHigh, false},
		{"single 3, total 3", set{8, 120, 70, 37}, 3, BandLowMedium, true},
		{"single 3, total 4", set{8, 120, 91, 37}, 4, BandLowMedium, true},
		{"single 3, total 5", set{8, 120, 111, 37}, 5, BandMedium, true},
		{"two 3s, total 6", set{8, 90, 70, 37}, 6, BandMedium, true},
		{"single 3, total 7", set{8, 120, 111, 39.1}, 7, BandHigh, true},
		{"maximum", set{25, 90, 131, 34}, 12, BandHigh, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			items := normal(t0)
			items = replace(items, "rr", vital("rr", t0, CodeRespiratoryRate, c.s.rr, "/min"))
			items = replace(items, "bp", vital("bp", t0, CodeSystolicBP, c.s.sbp, "mm[Hg]"))
			items = replace(items, "hr", vital("hr", t0, CodeHeartRate, c.s.hr, "/min"))
			items = replace(items, "temp", vital("temp", t0, CodeBodyTemperature, c.s.temp, "Cel"))
			r := NEWS2(items, nil, NEWS2Options{})
			if r.Total != c.total || r.Band != c.band || r.Red != c.red {
				t.Fatalf("total %d band %s red %v, want %d %s %v", r.Total, r.Band, r.Red, c.total, c.band, c.red)
			}
		})
	}
	t.Run("no data", func(t *testing.T) {
		r := NEWS2(nil, nil, NEWS2Options{})
		if r.Band != BandNone || r.Total != 0 || r.Complete || len(r.Missing) != 7 || !r.Newest.IsZero() {
			t.Fatalf("empty: %+v", r)
		}
	})
	t.Run("partial set bands from the partial sum", func(t *testing.T) {
		items := []store.Item{vital("rr", t0, CodeRespiratoryRate, 25, "/min"), vital("hr", t0, CodeHeartRate, 111, "/min"),
			vital("ox", t0, CodeSpO2, 98, "%"), vital("sbp", t0, CodeSystolicBP, 120, "mm[Hg]")}
		r := NEWS2(items, nil, NEWS2Options{})
		if r.Total != 5 || r.Band != BandMedium || r.Complete || r.Status != StatusPartial || len(r.Missing) != 3 {
			t.Fatalf("partial: total %d band %s status %s complete %v missing %v", r.Total, r.Band, r.Status, r.Complete, r.Missing)
		}
		if want := []Parameter{AirOrOxygen, Consciousness, Temperature}; !reflect.DeepEqual(r.Missing, want) {
			t.Fatalf("missing %v, want %v", r.Missing, want)
		}
		if got := r.Subscores(); !reflect.DeepEqual(got, map[string]int{"respiration": 3, "pulse": 2, "spo2": 0, "systolic": 0}) {
			t.Fatalf("subscores %v", got)
		}
		if r.Why != "partial — 4 of 7; missing air or oxygen, consciousness, temperature" {
			t.Fatalf("why %q", r.Why)
		}
	})
	t.Run("two readings are insufficient: no band", func(t *testing.T) {
		items := []store.Item{vital("rr", t0, CodeRespiratoryRate, 25, "/min"), vital("hr", t0, CodeHeartRate, 111, "/min")}
		r := NEWS2(items, nil, NEWS2Options{})
		if r.Total != 5 || r.Band != BandNone || r.Status != StatusInsufficient {
			t.Fatalf("insufficient: total %d band %s status %s", r.Total, r.Band, r.Status)
		}
	})
}

func TestBadReadingFallsBackToOlderGoodOne(t *testing.T) {
	items := replace(normal(t0), "hr", vital("hr-old", t0.Add(-time.Hour), CodeHeartRate, 131, "/min"))
	items = append(items, vital("hr-new", t0, CodeHeartRate, 70, "beats"), vital("hr-older-bad", t0.Add(-2*time.Hour), CodeHeartRate, 70, "beats"))
	r := NEWS2(items, nil, NEWS2Options{})
	rd, ok := r.Reading(Pulse)
	if !ok || rd.Ref.ID != "hr-old" || rd.Score != 3 || rd.Age != jsontime.Duration(time.Hour) {
		t.Fatalf("pulse reading %+v", rd)
	}
	if len(r.Skipped) != 1 || r.Skipped[0].Ref.ID != "hr-new" {
		t.Fatalf("want only the newer bad reading skipped, got %+v", r.Skipped)
	}
}

func TestLatestWinsAndTiesAreDeterministic(t *testing.T) {
	items := normal(t0)
	items = append(items, vital("rr-older", t0.Add(-time.Minute), CodeRespiratoryRate, 30, "/min"))
	r := NEWS2(items, nil, NEWS2Options{})
	if got, _ := r.Score(Respiration); got != 0 {
		t.Fatalf("older abnormal reading won: %d", got)
	}

	a := vital("rr-a", t0, CodeRespiratoryRate, 30, "/min")
	b := vital("rr-b", t0, CodeRespiratoryRate, 16, "/min")
	r1 := NEWS2(append(without(normal(t0), "rr"), a, b), nil, NEWS2Options{})
	r2 := NEWS2(append(without(normal(t0), "rr"), b, a), nil, NEWS2Options{})
	rd1, _ := r1.Reading(Respiration)
	rd2, _ := r2.Reading(Respiration)
	if rd1.Ref != rd2.Ref || rd1.Ref.ID != "rr-b" {
		t.Fatalf("tie picked %s and %s, want rr-b both times", rd1.Ref.ID, rd2.Ref.ID)
	}
	// lastUpdated breaks the tie before the id does.
	a.Meta.LastUpdated = t0.Add(time.Second)
	r3 := NEWS2(append(without(normal(t0), "rr"), a, b), nil, NEWS2Options{})
	if rd, _ := r3.Reading(Respiration); rd.Ref.ID != "rr-a" {
		t.Fatalf("later lastUpdated lost the tie: %s", rd.Ref.ID)
	}
}

func TestComponents(t *testing.T) {
	cases := []struct {
		name   string
		it     store.Item
		want   int
		scored bool
	}{
		{"panel 85354-9", bpPanel("bp", t0, CodeBPPanel, 90, 60), 3, true},
		{"older panel 55284-4", bpPanel("bp", t0, CodeBPPanelOld, 101, 60), 1, true},
		{"systolic alone", vital("bp", t0, CodeSystolicBP, 220, "mm[Hg]"), 3, true},
		{"panel without systolic", func() store.Item {
			it := bpPanel("bp", t0, CodeBPPanel, 0, 60)
			it.Meta.Components = it.Meta.Components[1:]
			return it
		}(), 0, false},
		{"panel systolic in wrong unit", func() store.Item {
			it := bpPanel("bp", t0, CodeBPPanel, 12, 8)
			it.Meta.Components[0].Unit = "cm[H2O]"
			return it
		}(), 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := NEWS2(replace(normal(t0), "bp", c.it), nil, NEWS2Options{})
			got, ok := r.Score(Systolic)
			if ok != c.scored || got != c.want {
				t.Fatalf("systolic %d scored %v, want %d %v; skipped %+v", got, ok, c.want, c.scored, r.Skipped)
			}
			if c.scored {
				if rd, _ := r.Reading(Systolic); rd.Ref.ID != "bp" || rd.Unit != "mm[Hg]" {
					t.Fatalf("reading %+v", rd)
				}
			}
		})
	}
}

func TestConsciousness(t *testing.T) {
	cases := []struct {
		code, valueCode, text string
		want                  int
		scored                bool
	}{
		{CodeResponsiveness, CodeACVPUAlert, "", 0, true},
		{CodeACVPUSnomed, CodeACVPUVoice, "", 3, true},
		{CodeACVPUSnomed, CodeACVPUUnresponsive, "", 3, true},
		{CodeResponsiveness, "", "Alert", 0, true},
		{CodeResponsiveness, "", "A", 0, true},
		{CodeResponsiveness, "", "c", 3, true},
		{CodeResponsiveness, "", "New confusion", 3, true},
		{CodeResponsiveness, "", "Confused", 3, true},
		{CodeResponsiveness, "", "Responds to voice", 3, true},
		{CodeResponsiveness, "", "Responds to pain", 3, true},
		{CodeResponsiveness, "", "Unresponsive", 3, true},
		{CodeResponsiveness, "", "not alert", 0, false},
		{CodeResponsiveness, "", "sleepy", 0, false},
		{CodeResponsiveness, SystemSNOMED + "|123456", "", 0, false},
		{CodeResponsiveness, "", "", 0, false},
	}
	for _, c := range cases {
		t.Run(c.valueCode+c.text, func(t *testing.T) {
			r := NEWS2(replace(normal(t0), "avpu", coded("avpu", t0, c.code, c.valueCode, c.text)), nil, NEWS2Options{})
			got, ok := r.Score(Consciousness)
			if ok != c.scored || got != c.want {
				t.Fatalf("consciousness %d scored %v, want %d %v; skipped %+v", got, ok, c.want, c.scored, r.Skipped)
			}
		})
	}
}

func TestStaleWindow(t *testing.T) {
	cases := []struct {
		name   string
		age    time.Duration
		window time.Duration
		stale  bool
	}{
		{"exactly 24 h is fresh", 24 * time.Hour, 0, false},
		{"24 h and 1 ns is stale", 24*time.Hour + 1, 0, true},
		{"1 h inside a 1 h window", time.Hour, time.Hour, false},
		{"1 h 1 s outside a 1 h window", time.Hour + time.Second, time.Hour, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			items := replace(normal(t0), "temp", vital("temp", t0.Add(-c.age), CodeBodyTemperature, 39.5, "Cel"))
			r := NEWS2(items, nil, NEWS2Options{Window: c.window})
			_, scored := r.Score(Temperature)
			if scored == c.stale {
				t.Fatalf("scored %v, stale want %v", scored, c.stale)
			}
			if c.stale {
				if len(r.Stale) != 1 || r.Stale[0].Parameter != Temperature || r.Stale[0].Age != jsontime.Duration(c.age) {
					t.Fatalf("stale %+v", r.Stale)
				}
				if !reflect.DeepEqual(r.Missing, []Parameter{Temperature}) || r.Complete || r.Total != 0 {
					t.Fatalf("stale temperature: missing %v complete %v total %d", r.Missing, r.Complete, r.Total)
				}
			} else if r.Total != 2 || len(r.Stale) != 0 {
				t.Fatalf("fresh temperature: total %d stale %v", r.Total, r.Stale)
			}
		})
	}
	t.Run("scale 2 does not use stale oxygen evidence", func(t *testing.T) {
		items := replace(normal(t0), "ox", vital("ox", t0, CodeSpO2, 97, "%"))
		items = append(items, vital("o2", t0.Add(-25*time.Hour), CodeInhaledO2Flow, 2, "L/min"))
		r := NEWS2(items, []store.Item{hypercapnicTarget("active", 88, 92)}, NEWS2Options{})
		if _, ok := r.Score(SpO2); ok {
			t.Fatalf("spo2 scored on scale 2 with stale oxygen evidence")
		}
	})
}

func TestResultJSONRoundTrip(t *testing.T) {
	r := NEWS2(normal(t0), nil, NEWS2Options{})
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Result
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Total != r.Total || back.Band != r.Band || len(back.Readings) != 7 || back.Window != r.Window || back.Readings[0].Age != r.Readings[0].Age {
		t.Fatalf("round trip lost data: %s", b)
	}
	var loose map[string]any
	_ = json.Unmarshal(b, &loose)
	if _, ok := loose["subscores"].(map[string]any)["respiration"]; !ok || loose["band"] != "low" {
		t.Fatalf("JSON shape: %s", b)
	}
}

// Score documents written before durations were text hold whole seconds;
// they must keep reading.
func TestResultJSONReadsSeconds(t *testing.T) {
	old := `{"score":0,"band":"low","window":86400,"readings":[{"parameter":"respiration","age":3600,"score":0}]}`
	var r Result
	if err := json.Unmarshal([]byte(old), &r); err != nil {
		t.Fatal(err)
	}
	if time.Duration(r.Window) != 24*time.Hour || len(r.Readings) != 1 || time.Duration(r.Readings[0].Age) != time.Hour {
		t.Fatalf("read %+v", r)
	}
}

func TestRiskAssessmentJSON(t *testing.T) {
	items := replace(normal(t0), "rr", vital("rr", t0, CodeRespiratoryRate, 25, "/min"))
	items = replace(items, "ox", pulseOx("ox", t0, 93, 2)) // spo2 2, air_or_oxygen 2, one Observation
	r := NEWS2(items, nil, NEWS2Options{})
	if r.Total != 7 || r.Band != BandHigh {
		t.Fatalf("setup: total %d band %s", r.Total, r.Band)
	}
	raw := RiskAssessmentJSON(testPatient, r, "news2-pt-1", t0.Add(time.Minute))
	ra, err := fhir.UnmarshalRiskAssessment(raw)
	if err != nil {
		t.Fatalf("golang-fhir-models cannot read it: %v\n%s", err, raw)
	}
	if ra.Status != fhir.ObservationStatusFinal || *ra.Id != "news2-pt-1" || *ra.Subject.Reference != "Patient/pt-1" {
		t.Fatalf("status/id/subject: %s", raw)
	}
	if ra.Method == nil || ra.Method.Coding[0].Code == nil || *ra.Method.Coding[0].Code != NEWS2MethodCode || *ra.Method.Coding[0].System != SystemSNOMED {
		t.Fatalf("method: %s", raw)
	}
	if *ra.OccurrenceDateTime != "2026-11-22T10:01:00Z" {
		t.Fatalf("occurrence %s", *ra.OccurrenceDateTime)
	}
	if len(ra.Basis) != 6 {
		t.Fatalf("basis %d, want 6 (pulse-ox once for spo2 and oxygen)", len(ra.Basis))
	}
	q := ra.Prediction[0].QualitativeRisk
	if q == nil || *q.Coding[0].Code != "high" || *q.Coding[0].System != SystemRiskProbability {
		t.Fatalf("qualitativeRisk: %s", raw)
	}
	score := -1
	subs := 0
	for _, e := range ra.Extension {
		switch e.Url {
		case ExtNEWS2Score:
			score = *e.ValueInteger
		case ExtNEWS2Subscore:
			subs++
		}
	}
	if score != 7 || subs != 7 {
		t.Fatalf("score extension %d, subscores %d", score, subs)
	}
	if !strings.Contains(*ra.Prediction[0].Rationale, "NEWS2 7 (high)") {
		t.Fatalf("rationale %q", *ra.Prediction[0].Rationale)
	}

	for band, code := range map[string]string{BandLow: "low", BandLowMedium: "moderate", BandMedium: "moderate", BandHigh: "high"} {
		raw := RiskAssessmentJSON(testPatient, Result{Band: band, Scores: map[Parameter]int{}}, "x", t0)
		ra, err := fhir.UnmarshalRiskAssessment(raw)
		if err != nil || *ra.Prediction[0].QualitativeRisk.Coding[0].Code != code {
			t.Errorf("band %s: %v %s", band, err, raw)
		}
	}
	empty := RiskAssessmentJSON(testPatient, NEWS2(nil, nil, NEWS2Options{}), "x", t0)
	ra, err = fhir.UnmarshalRiskAssessment(empty)
	if err != nil || ra.Prediction[0].QualitativeRisk != nil || len(ra.Basis) != 0 {
		t.Fatalf("no-data assessment: %v %s", err, empty)
	}
}

func BenchmarkNEWS2(b *testing.B) {
	// A week of hourly observations of every parameter: 7 × 168 readings.
	var items []store.Item
	for h := 0; h < 168; h++ {
		at := t0.Add(-time.Duration(h) * time.Hour)
		for _, it := range normal(at) {
			it.ID = fmt.Sprintf("%s-%d", it.ID, h)
			items = append(items, it)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := NEWS2(items, nil, NEWS2Options{}); r.Total != 0 {
			b.Fatal(r.Total)
		}
	}
	b.ReportMetric(float64(len(items)), "observations/op")
}
