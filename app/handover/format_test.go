package handover

import (
	"testing"
	"time"

	"github.com/chartline/chartline/app/ips"
	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/store"
)

var at = time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)

func TestAgeText(t *testing.T) {
	tests := []struct{ birth, want string }{
		{"1951-11-23", "75 y"}, // birthday today
		{"1951-11-24", "74 y"}, // tomorrow
		{"1951-11-22", "75 y"},
		{"1952-11-23", "74 y"}, // born in a leap year, birthday today
		{"1952-11-24", "73 y"},
		{"1951", "75 y"},
		{"1951-12", "74 y"},
		{"2025-11-23", "12 mo"},
		{"2025-11-24", "11 mo"},
		{"2024-11-24", "23 mo"}, // under 2 years: months
		{"2024-11-23", "2 y"},
		{"2027-01-01", ""}, // in the future
		{"not a date", ""},
	}
	for _, tc := range tests {
		if got := ageText(tc.birth, at); got != tc.want {
			t.Errorf("ageText(%q) = %q, want %q", tc.birth, got, tc.want)
		}
	}
}

func TestDataAgeStaleBoundary(t *testing.T) {
	tests := []struct {
		age    time.Duration
		window time.Duration
		stale  bool
	}{
		{24 * time.Hour, 0, false}, // default window 24 h: exactly 24 h still counts
		{24*time.Hour + time.Minute, 0, true},
		{6 * time.Hour, 6 * time.Hour, false},
		{6*time.Hour + time.Second, 6 * time.Hour, true},
		{40 * time.Minute, 0, false},
	}
	for _, tc := range tests {
		text, stale := dataAge(at.Add(-tc.age), at, tc.window)
		if stale != tc.stale {
			t.Errorf("age %v window %v: stale %v (%s), want %v", tc.age, tc.window, stale, text, tc.stale)
		}
	}
	if text, _ := dataAge(at.Add(-40*time.Minute), at, 0); text != "observed 40 min ago (05:20)" {
		t.Errorf("text %q", text)
	}
}

func TestClock(t *testing.T) {
	tests := []struct {
		t    time.Time
		want string
	}{
		{at.Add(-time.Hour), "05:00"},
		{at.Add(-7 * time.Hour), "yesterday 23:00"},
		{at.Add(-31 * time.Hour), "21 Nov 23:00"},
		{time.Date(2025, 6, 4, 13, 30, 0, 0, time.UTC), "4 Jun 2025"},
		{time.Time{}, "time unknown"},
	}
	for _, tc := range tests {
		if got := clock(tc.t, at); got != tc.want {
			t.Errorf("clock(%v) = %q, want %q", tc.t, got, tc.want)
		}
	}
}

func spo2Item(when time.Time, sat float64, comps ...store.Component) store.Item {
	return store.Item{Ref: store.Ref{Type: "Observation", ID: when.String()}, Meta: store.Meta{
		Time: when, Category: record.CategoryVitalSigns, Codes: []string{record.SystemLOINC + "|" + record.LOINCPulseOximetry},
		Value: sat, HasValue: true, Unit: "%", Components: comps,
	}}
}

// TestOxygen: the inhaled-oxygen components of the newest SpO2 reading
// (LOINC 3151-8 flow, 3150-0 concentration; 0 L/min or 21 % is air).
func TestOxygen(t *testing.T) {
	flow := func(v float64) store.Component {
		return store.Component{Code: record.SystemLOINC + "|" + record.LOINCInhaledO2Flow, Value: v, HasValue: true}
	}
	conc := func(v float64) store.Component {
		return store.Component{Code: record.SystemLOINC + "|" + record.LOINCInhaledO2Conc, Value: v, HasValue: true}
	}
	tests := []struct {
		name  string
		items []store.Item
		want  string
	}{
		{"none", nil, "SpO2 and oxygen not recorded"},
		{"air by flow 0", []store.Item{spo2Item(at.Add(-time.Hour), 97, flow(0))}, "Room air, SpO2 97 % (05:00)"},
		{"air by 21 %", []store.Item{spo2Item(at.Add(-time.Hour), 97, conc(21))}, "Room air, SpO2 97 % (05:00)"},
		{"0.5 L/min is oxygen", []store.Item{spo2Item(at.Add(-time.Hour), 95, flow(0.5))}, "Oxygen 0.5 L/min, SpO2 95 % (05:00)"},
		{"22 % is oxygen", []store.Item{spo2Item(at.Add(-time.Hour), 95, conc(22))}, "Oxygen 22 %, SpO2 95 % (05:00)"},
		{"flow and FiO2", []store.Item{spo2Item(at.Add(-time.Hour), 92, flow(4), conc(36))}, "Oxygen 4 L/min, FiO2 36 %, SpO2 92 % (05:00)"},
		{"no components", []store.Item{spo2Item(at.Add(-time.Hour), 99)}, "Oxygen not recorded, SpO2 99 % (05:00)"},
		{"newest wins", []store.Item{spo2Item(at.Add(-3*time.Hour), 90, flow(6)), spo2Item(at.Add(-time.Hour), 97, flow(0))}, "Room air, SpO2 97 % (05:00)"},
	}
	for _, tc := range tests {
		if got := oxygen(ips.NewInput(tc.items), at); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestResultWindow: an out-of-range result counts for situation awareness
// up to 7 days old, not after; in-range results never.
func TestResultWindow(t *testing.T) {
	lab := func(id string, age time.Duration, v float64) store.Item {
		return store.Item{Ref: store.Ref{Type: "Observation", ID: id}, Meta: store.Meta{
			Time: at.Add(-age), Category: record.CategoryLaboratory, Codes: []string{record.SystemLOINC + "|" + id},
			Display: "Test " + id + " " + num(v) + " mg/dL", Value: v, HasValue: true, Unit: "mg/dL", Low: 1, High: 2, HasLow: true, HasHigh: true,
		}}
	}
	items := []store.Item{
		lab("a", 7*24*time.Hour, 3),             // exactly 7 days: in
		lab("b", 7*24*time.Hour+time.Minute, 3), // older: counted, not listed
		lab("c", time.Hour, 1.5),                // in range
		lab("d", time.Hour, 0.5),                // low
	}
	var p Patient
	awareness(&p, ips.NewInput(items), at)
	if len(p.Awareness.Results) != 2 || p.Awareness.Older != 1 {
		t.Fatalf("results %+v older %d", p.Awareness.Results, p.Awareness.Older)
	}
	if r := p.Awareness.Results[0]; r.Test != "Test d" || r.Value != "0.5 mg/dL (L)" || r.Range != "1–2" {
		t.Fatalf("first result %+v", r)
	}
	if r := p.Awareness.Results[1]; r.Test != "Test a" || r.Value != "3 mg/dL (H)" {
		t.Fatalf("second result %+v", r)
	}
}
