package views

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/app/feed"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "",
		"Nunez":                 "nunez",
		"Ñúñez Ortega, José":    "nunez ortega, jose",
		"Øster, Åse":            "oster, ase",
		"Weißbach, Jürgen":      "weissbach, jurgen",
		"Þórsson, Björn":        "thorsson, bjorn",
		"Wójcik, Łukasz":        "wojcik, lukasz",
		"Nguyễn, Thị Hoa":       "nguyen, thi hoa",
		"Yılmaz-Demir, Oğuz":    "yilmaz-demir, oguz",
		"Brontë-Dąbrowska, Zoë": "bronte-dabrowska, zoe",
		"KV-100231":             "kv-100231",
	} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAgeText(t *testing.T) {
	now := time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ birth, want string }{
		{"1958-03-14", "68 y"},
		{"1958-11-23", "68 y"}, // birthday today
		{"1958-11-24", "67 y"}, // birthday tomorrow
		{"2024-11-23", "2 y"},  // two today: years from here
		{"2024-11-24", "23 mo"},
		{"2025-10-01", "13 mo"},
		{"2026-09-23", "2 mo"},
		{"2026-09-24", "60 d"}, // under two months: days
		{"2026-11-23", "0 d"},
		{"1958", "68 y"},    // year only: 1 January
		{"1958-12", "67 y"}, // year and month
		{"2027-01-01", ""},  // not born yet: no age rather than a wrong one
		{"garbage", ""},
		{"", ""},
	} {
		if got := ageText(tc.birth, now); got != tc.want {
			t.Errorf("ageText(%q) = %q, want %q", tc.birth, got, tc.want)
		}
	}
}

func TestBirthDateKeys(t *testing.T) {
	keys := birthDateKeys("1958-03-14")
	for _, want := range []string{"1958-03-14", "14/03/1958", "14.03.1958", "14 mar 1958"} {
		if !strings.Contains(strings.Join(keys, "\n"), want) {
			t.Errorf("birth date keys %v lack %q", keys, want)
		}
	}
	if got := birthDateText("1958-03"); got != "Mar 1958" {
		t.Errorf("birthDateText(1958-03) = %q", got)
	}
}

// lab is a numeric result's index entry with a reference range.
func lab(loinc string, v float64, unit string, low, high float64) store.Meta {
	return store.Meta{Codes: []string{"http://loinc.org|" + loinc}, Value: v, HasValue: true, Unit: unit, Low: low, High: high, HasLow: true, HasHigh: true}
}

func TestOutOfRange(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    store.Meta
		want string
	}{
		{"interpretation wins", store.Meta{Interpret: "HH", Value: 5, HasValue: true, Low: 1, High: 10, HasLow: true, HasHigh: true}, "HH"},
		{"normal interpretation, in range", store.Meta{Interpret: "N", Value: 5, HasValue: true, Low: 1, High: 10, HasLow: true, HasHigh: true}, ""},
		{"at the high edge", store.Meta{Value: 10, HasValue: true, High: 10, HasHigh: true}, ""},
		{"just over", store.Meta{Value: 10.01, HasValue: true, High: 10, HasHigh: true}, "H"},
		{"at the low edge", store.Meta{Value: 60, HasValue: true, Low: 60, HasLow: true}, ""},
		{"just under", store.Meta{Value: 59.9, HasValue: true, Low: 60, HasLow: true}, "L"},
		{"no range", store.Meta{Value: 500, HasValue: true}, ""},
		{"comparator", store.Meta{Value: 5, HasValue: true, Comparator: "<", Low: 10, HasLow: true}, ""},
		// Critical limits, both sides of each (Kost 1990; lactate SSC 2021).
		{"lactate 3.9", lab("2524-7", 3.9, "mmol/L", 0.5, 2.2), "H"},
		{"lactate 4.0", lab("2524-7", 4.0, "mmol/L", 0.5, 2.2), "HH"},
		{"lactate 34.1", lab("2524-7", 34.1, "mmol/L", 0.5, 2.2), "HH"},
		{"potassium 6.2", lab("2823-3", 6.2, "mmol/L", 3.5, 5.1), "H"},
		{"potassium 6.3", lab("2823-3", 6.3, "mmol/L", 3.5, 5.1), "HH"},
		{"potassium 2.8", lab("2823-3", 2.8, "mmol/L", 3.5, 5.1), "L"},
		{"potassium 2.7", lab("2823-3", 2.7, "mmol/L", 3.5, 5.1), "LL"},
		{"sodium 120", lab("2951-2", 120, "mmol/L", 135, 145), "L"},
		{"sodium 119", lab("2951-2", 119, "mmol/L", 135, 145), "LL"},
		{"hemoglobin 6.9", lab("718-7", 6.9, "g/dL", 12, 17.5), "LL"},
		{"glucose 451", lab("2345-7", 451, "mg/dL", 70, 99), "HH"},
		{"glucose in another unit", lab("2345-7", 25, "mmol/L", 3.9, 5.5), "H"}, // limits are per unit: no guess
		{"interpretation H under a critical value", store.Meta{Interpret: "H", Codes: []string{"http://loinc.org|2524-7"}, Value: 5, HasValue: true, Unit: "mmol/L"}, "HH"},
	} {
		if got := outOfRange(tc.m); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	for _, tc := range []struct {
		m    store.Meta
		want string
	}{
		{store.Meta{Low: 12, High: 17.5, HasLow: true, HasHigh: true}, "12–17.5"},
		{store.Meta{Low: 60, HasLow: true}, "≥ 60"},
		{store.Meta{High: 5, HasHigh: true}, "≤ 5"},
		{store.Meta{}, ""},
	} {
		if got := rangeText(tc.m); got != tc.want {
			t.Errorf("rangeText(%+v) = %q, want %q", tc.m, got, tc.want)
		}
	}
}

func TestSplitValue(t *testing.T) {
	for _, tc := range []struct {
		m           store.Meta
		name, value string
	}{
		{store.Meta{Display: "Hemoglobin [Mass/volume] in Blood 11.9 g/dL (L)", Value: 11.9, HasValue: true, Interpret: "L"}, "Hemoglobin [Mass/volume] in Blood", "11.9 g/dL"},
		{store.Meta{Display: "Sodium 137 mmol/L", Value: 137, HasValue: true}, "Sodium", "137 mmol/L"},
		{store.Meta{Display: "EGFR gene mutation: Present", ValueText: "Present"}, "EGFR gene mutation", "Present"},
		// A literal the display writes differently ("13.70") stays whole.
		{store.Meta{Display: "Hemoglobin 13.70 g/dL", Value: 13.7, HasValue: true}, "Hemoglobin 13.70 g/dL", ""},
	} {
		name, value := splitValue(tc.m)
		if name != tc.name || value != tc.value {
			t.Errorf("splitValue(%q) = %q, %q; want %q, %q", tc.m.Display, name, value, tc.name, tc.value)
		}
	}
}

func TestStatusView(t *testing.T) {
	now := time.Date(2026, 11, 23, 14, 30, 0, 0, time.UTC)
	brokers := []string{"k1:9092", "k2:9092"}
	for _, tc := range []struct {
		name string
		st   feed.Status
		want ui.StatusView
	}{
		{"live", feed.Status{State: feed.Live, Brokers: brokers[:1], Lag: 0},
			ui.StatusView{Level: ui.StatusOK, State: "Live", Brokers: "Broker: k1:9092", Lag: "Up to date"}},
		{"live, a record behind", feed.Status{State: feed.Live, Brokers: brokers, Lag: 1},
			ui.StatusView{Level: ui.StatusOK, State: "Live", Brokers: "Brokers: k1:9092, k2:9092", Lag: "Lag: 1 record"}},
		{"catching up", feed.Status{State: feed.CatchingUp, Brokers: brokers[:1], Lag: 12345, Progress: 0.42},
			ui.StatusView{Level: ui.StatusBusy, State: "Catching up", Detail: "42% done", Brokers: "Broker: k1:9092", Lag: "Lag: 12,345 records", ShowProgress: true, Progress: 0.42}},
		// 2.9 % reads 2 %, as the progress bar beside it writes it (it cuts
		// the fraction off); a ratio past 1 reads 100 %.
		{"catching up, a fraction", feed.Status{State: feed.CatchingUp, Progress: 0.029},
			ui.StatusView{Level: ui.StatusBusy, State: "Catching up", Detail: "2% done", Lag: "Up to date", ShowProgress: true, Progress: 0.029}},
		{"catching up, past the end", feed.Status{State: feed.CatchingUp, Progress: 1.2},
			ui.StatusView{Level: ui.StatusBusy, State: "Catching up", Detail: "100% done", Lag: "Up to date", ShowProgress: true, Progress: 1}},
		{"connecting", feed.Status{State: feed.Connecting, Err: "dial tcp: connection refused"},
			ui.StatusView{Level: ui.StatusBusy, State: "Connecting…", Detail: "last error: dial tcp: connection refused"}},
		{"offline today", feed.Status{State: feed.Offline, Since: now.Add(-28 * time.Minute)},
			ui.StatusView{Level: ui.StatusBad, State: "Offline since 14:02", Detail: "showing stored data"}},
		{"offline since yesterday", feed.Status{State: feed.Offline, Since: now.Add(-20 * time.Hour)},
			ui.StatusView{Level: ui.StatusBad, State: "Offline since 22 Nov 18:30", Detail: "showing stored data"}},
		{"linked clusters, primary live", feed.Status{State: feed.Live, Brokers: brokers[:1], HasFailover: true, Cluster: feed.Primary},
			ui.StatusView{Level: ui.StatusOK, State: "Live", Brokers: "Primary cluster: k1:9092", Lag: "Up to date"}},
		{"linked clusters, failover live", feed.Status{State: feed.Live, Brokers: brokers[1:], HasFailover: true, Cluster: feed.Failover},
			ui.StatusView{Level: ui.StatusOK, State: "Live", Brokers: "FAILOVER cluster: k2:9092", Lag: "Up to date"}},
		{"failover waiting for its mirror", feed.Status{State: feed.Live, Brokers: brokers[1:], HasFailover: true, Cluster: feed.Failover,
			Waiting: map[store.TopicPartition]int64{{Topic: "fhir.patient.x"}: 10, {Topic: "fhir.patient.y"}: 4}},
			ui.StatusView{Level: ui.StatusOK, State: "Live", Brokers: "FAILOVER cluster: k2:9092", Lag: "Up to date", Detail: "2 partitions waiting for the failover's mirror"}},
	} {
		if got := statusView(tc.st, now, time.UTC); got != tc.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
	}
}

// TestStatusBarQuarantine: the status bar reads the store's quarantine count
// and re-reads it when a change notice says records were quarantined.
func TestStatusBarQuarantine(t *testing.T) {
	s := smallStore(t, "pt-0007")
	e, _ := newTestEnv(t, s, ui.ModeLight)
	if got := e.status.bar.View().Quarantined; got != 0 {
		t.Fatalf("quarantined %d at start", got)
	}
	ch, err := s.Apply(&store.Batch{Quarantine: []store.Quarantined{
		{Topic: "fhir.patient.pt-0007", Offset: 9, Key: []byte("Observation/x"), Value: []byte("{"), Reason: "not JSON", Time: fixtureNow},
		{Topic: "fhir.patient.pt-0007", Offset: 10, Key: []byte("Observation/y"), Value: []byte("{"), Reason: "not JSON", Time: fixtureNow},
	}})
	if err != nil {
		t.Fatal(err)
	}
	e.live.dispatch(ch)
	if got := e.status.bar.View().Quarantined; got != 2 {
		t.Fatalf("quarantined %d after two were refused, want 2", got)
	}
	e.status.setFeed(feed.Status{State: feed.Live, Brokers: []string{"127.0.0.1:9092"}})
	if v := e.status.bar.View(); v.State != "Live" || v.Quarantined != 2 {
		t.Fatalf("a feed status must keep the quarantine count: %+v", v)
	}
}

// TestProgressPercentMatchesBar: the status line's figure is the one Fyne's
// progress bar draws beside it, at every ratio that used to round apart.
func TestProgressPercentMatchesBar(t *testing.T) {
	test.NewTempApp(t)
	for _, r := range []float64{0, 0.004, 0.029, 0.025, 0.42, 0.995, 0.999, 1} {
		bar := widget.NewProgressBar()
		bar.SetValue(r)
		var drawn string
		for _, o := range test.TempWidgetRenderer(t, bar).Objects() {
			if tx, ok := o.(*canvas.Text); ok {
				drawn = tx.Text
			}
		}
		if want := fmt.Sprintf("%d%%", progressPercent(r)); drawn != want {
			t.Errorf("ratio %v: the bar draws %q, the status line says %q", r, drawn, want)
		}
	}
}

func TestWhenTexts(t *testing.T) {
	loc := time.FixedZone("CET", 3600)
	now := time.Date(2026, 11, 23, 14, 30, 0, 0, time.UTC) // 15:30 local
	for _, tc := range []struct {
		t                time.Time
		when, resultWhen string
	}{
		{now.Add(-12 * time.Minute), "12 min ago · 15:18", "today 15:18"},
		{now.Add(-20 * time.Hour), "20 h ago · 22 Nov 19:30", "22 Nov 19:30"},
		{now.AddDate(-1, 0, 0), "365 d ago · 23 Nov 2025 15:30", "23 Nov 2025 15:30"},
		{now.Add(30 * time.Second), "just now · 15:30", "today 15:30"},
		{now.Add(2 * time.Hour), "in 2 h (future) · 17:30", "today 17:30 (future)"},
	} {
		if got := whenText(tc.t, now, loc); got != tc.when {
			t.Errorf("whenText(%v) = %q, want %q", tc.t, got, tc.when)
		}
		if got := resultWhen(tc.t, now, loc); got != tc.resultWhen {
			t.Errorf("resultWhen(%v) = %q, want %q", tc.t, got, tc.resultWhen)
		}
	}
}

func TestResultName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Hemoglobin [Mass/volume] in Blood", "Hemoglobin in Blood"},
		{"Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (MDRD)",
			"Glomerular filtration rate/1.73 sq M.predicted in Serum, Plasma or Blood by Creatinine-based formula (MDRD)"},
		{"Leukocytes [#/volume] in Blood by Automated count", "Leukocytes in Blood by Automated count"},
		{"C reactive protein", "C reactive protein"},
		{"Odd [unclosed", "Odd [unclosed"},
		{"Two [a] parts [b] here", "Two parts here"},
	} {
		if got := resultName(c.in); got != c.want {
			t.Errorf("resultName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
