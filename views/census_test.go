package views

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// shownIDs lists the patient ids the census shows, in order.
func shownIDs(v *censusView) []string {
	out := make([]string, len(v.shown))
	for i, r := range v.shown {
		out[i] = v.rows[r].ID
	}
	return out
}

func TestCensusGolden(t *testing.T) {
	s := sharedStore(t)
	for _, mode := range []string{ui.ModeLight, ui.ModeDark} {
		t.Run(mode, func(t *testing.T) {
			e, w := newTestEnv(t, s, mode)
			if got := len(e.census.shown); got != len(demo.Patients()) {
				t.Fatalf("census shows %d patients, want %d", got, len(demo.Patients()))
			}
			if mode == ui.ModeLight {
				test.AssertRendersToMarkup(t, "census.xml", w.Canvas())
			}
			shot(t, w, "census-"+mode)
		})
	}
}

func TestCensusSearch(t *testing.T) {
	s := sharedStore(t)
	e, w := newTestEnv(t, s, ui.ModeLight)
	v := e.census
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"nunez", []string{demo.DeterioratingPatient}},       // accents folded: Ñúñez
		{"NÚÑEZ", []string{demo.DeterioratingPatient}},       // and case
		{"jose ortega", []string{demo.DeterioratingPatient}}, // every word, any order
		{"ortega jose", []string{demo.DeterioratingPatient}}, // …
		{"KV-100231", []string{demo.DeterioratingPatient}},   // MRN
		{"100231", []string{demo.DeterioratingPatient}},      // part of an MRN
		{"1958-03-14", []string{demo.DeterioratingPatient}},  // birth date as stored
		{"14/03/1958", []string{demo.DeterioratingPatient}},  // as written in Europe
		{"14.03.1958", []string{demo.DeterioratingPatient}},  // …
		{"oster", []string{"pt-0002"}},                       // Ø
		{"weissbach", []string{"pt-0025"}},                   // ß
		{"thorsson", []string{"pt-0019"}},                    // Þ
		{"nunez 1959", nil},                                  // one word does not match
		{"zzz", nil},                                         // nothing
		{"", nil},                                            // everyone (checked below)
	} {
		test.Type(v.search, "") // focus
		v.search.SetText(tc.query)
		got := shownIDs(v)
		if tc.query == "" {
			if len(got) != len(demo.Patients()) {
				t.Errorf("empty query shows %d patients, want all %d", len(got), len(demo.Patients()))
			}
			continue
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("search %q shows %v, want %v", tc.query, got, tc.want)
		}
		if len(tc.want) == 0 && (v.empty.Hidden || v.empty.Text == "") {
			t.Errorf("search %q: no empty-state message", tc.query)
		}
	}
	v.search.SetText("zzz")
	test.AssertRendersToMarkup(t, "census_nomatch.xml", w.Canvas())
	v.search.SetText("nunez")
	test.AssertRendersToMarkup(t, "census_search.xml", w.Canvas())
	if got := v.count.Text; got != "1 of 25" {
		t.Errorf("count says %q, want 1 of 25", got)
	}
}

func TestCensusSort(t *testing.T) {
	s := sharedStore(t)
	e, _ := newTestEnv(t, s, ui.ModeLight)
	v := e.census
	if v.sortBy.Selected != sortRisk {
		t.Errorf("the census opens sorted by %q, want %q", v.sortBy.Selected, sortRisk)
	}
	byRisk := shownIDs(v)
	if byRisk[0] != demo.RecoveringPatient {
		t.Errorf("by risk, first is %s, want %s (NEWS2 9, high)", byRisk[0], demo.RecoveringPatient)
	}
	for i := 1; i < len(v.shown); i++ {
		if c := v.compare(v.rows[v.shown[i-1]], v.rows[v.shown[i]]); c > 0 {
			t.Errorf("by risk: %s before %s", v.rows[v.shown[i-1]].ID, v.rows[v.shown[i]].ID)
		}
	}
	v.sortBy.SetSelected(sortName)
	byName := shownIDs(v)
	if byName[0] != "pt-0009" { // Bjørnstad sorts first by folded name
		t.Errorf("by name, first is %s, want pt-0009 (Bjørnstad)", byName[0])
	}
	for i := 1; i < len(v.shown); i++ {
		if a, b := v.rows[v.shown[i-1]].sortName, v.rows[v.shown[i]].sortName; a > b {
			t.Errorf("by name: %q before %q", a, b)
		}
	}
	v.sortBy.SetSelected(sortRisk)
	if !slices.Equal(shownIDs(v), byRisk) {
		t.Errorf("back to risk order: %v, want %v", shownIDs(v), byRisk)
	}
}

func TestCensusKeyboard(t *testing.T) {
	s := sharedStore(t)
	e, w := newTestEnv(t, s, ui.ModeLight)
	v := e.census
	if f := w.Canvas().Focused(); f != nil {
		t.Fatalf("%T is focused when the census shows, want nothing (the window takes the keys)", f)
	}
	// A key goes where the window sends it: the focused widget, else the page.
	key := func(k fyne.KeyName) {
		if f := w.Canvas().Focused(); f != nil {
			f.TypedKey(&fyne.KeyEvent{Name: k})
			return
		}
		e.shell.TypedKey(&fyne.KeyEvent{Name: k})
	}
	key(fyne.KeyDown)
	key(fyne.KeyDown)
	key(fyne.KeyUp)
	if v.cursor != 0 {
		t.Fatalf("cursor %d after Down, Down, Up; want 0", v.cursor)
	}
	key(fyne.KeyUp) // stays at the top
	if v.cursor != 0 {
		t.Fatalf("cursor %d after Up at the top", v.cursor)
	}
	key(fyne.KeyDown)
	want := v.rows[v.shown[1]].ID
	key(fyne.KeyReturn)
	if e.shell.Depth() != 2 {
		t.Fatalf("Enter did not open a patient (depth %d)", e.shell.Depth())
	}
	if pv := e.census; pv == nil {
		t.Fatal("census gone")
	}
	if got := e.shell.Top().Title; got != "Patient" {
		t.Fatalf("top page %q", got)
	}
	// Escape with nothing focused goes back to the census, cursor kept.
	w.Canvas().Unfocus()
	e.shell.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if e.shell.Depth() != 1 || v.cursorID() != want {
		t.Fatalf("after Escape: depth %d cursor on %q, want 1 and %q", e.shell.Depth(), v.cursorID(), want)
	}
	// Typing a search puts the cursor on the first match; Enter opens it.
	w.Canvas().Focus(v.search)
	test.Type(v.search, "oster")
	key(fyne.KeyReturn)
	if e.shell.Depth() != 2 {
		t.Fatal("Enter after a search did not open the match")
	}
	// Ctrl+F from the patient view focuses the timeline filter.
	e.shell.FocusSearch()
	if _, ok := w.Canvas().Focused().(*ui.SearchEntry); !ok {
		t.Fatalf("Ctrl+F in the patient view focused %T", w.Canvas().Focused())
	}
}

// TestCensusLive: a change notice for one patient refreshes that row alone
// when the order stands (by name), and moves the row when it changes the
// order (by risk); a new patient adds a row without a restart.
func TestCensusLive(t *testing.T) {
	s := smallStore(t, demo.DeterioratingPatient, demo.COPDPatient, demo.RecoveringPatient)
	e, w := newTestEnv(t, s, ui.ModeLight)
	v := e.census
	if len(v.shown) != 3 {
		t.Fatalf("small census shows %d rows, want 3", len(v.shown))
	}
	if got := shownIDs(v)[0]; got != demo.RecoveringPatient {
		t.Fatalf("by risk, %s is first, want %s", got, demo.RecoveringPatient)
	}
	v.sortBy.SetSelected(sortName)
	rows, fulls := v.stats.rowRefreshes, v.stats.fullRefreshes

	// The engine raises the patient's status: one row changes.
	ch, err := s.Apply(&store.Batch{Statuses: map[string]store.Status{
		demo.COPDPatient: {NEWS2: 7, Band: "high", OpenAlerts: 2, Matches: 1, Updated: fixtureNow},
	}})
	if err != nil {
		t.Fatal(err)
	}
	e.live.dispatch(ch)
	if got := v.stats.rowRefreshes - rows; got != 1 {
		t.Errorf("status change refreshed %d rows, want 1", got)
	}
	if got := v.stats.fullRefreshes - fulls; got != 0 {
		t.Errorf("status change refreshed the whole list %d times, want 0", got)
	}
	r := v.rows[v.index[demo.COPDPatient]]
	if r.Band != "high" || r.Score != 7 || r.Alerts != 2 || r.Trials != 1 {
		t.Errorf("row after change: %+v", r)
	}
	test.AssertRendersToMarkup(t, "census_live_row.xml", w.Canvas())

	// By risk, the same rise takes the patient above the low one.
	v.sortBy.SetSelected(sortRisk)
	if got, want := shownIDs(v), []string{demo.RecoveringPatient, demo.COPDPatient, demo.DeterioratingPatient}; !slices.Equal(got, want) {
		t.Errorf("by risk after the rise: %v, want %v (NEWS2 9, 7, low)", got, want)
	}
	// By risk, a score that moves within its place refreshes its row
	// alone; one that passes another patient reorders the list.
	rows, fulls = v.stats.rowRefreshes, v.stats.fullRefreshes
	ch, err = s.Apply(&store.Batch{Statuses: map[string]store.Status{
		demo.COPDPatient: {NEWS2: 8, Band: "high", OpenAlerts: 2, Matches: 1, Updated: fixtureNow},
	}})
	if err != nil {
		t.Fatal(err)
	}
	e.live.dispatch(ch)
	if v.stats.rowRefreshes-rows != 1 || v.stats.fullRefreshes != fulls {
		t.Errorf("7 → 8 in place: %d row and %d full refreshes, want 1 and 0", v.stats.rowRefreshes-rows, v.stats.fullRefreshes-fulls)
	}
	ch, err = s.Apply(&store.Batch{Statuses: map[string]store.Status{
		demo.COPDPatient: {NEWS2: 12, Band: "high", OpenAlerts: 2, Matches: 1, Updated: fixtureNow},
	}})
	if err != nil {
		t.Fatal(err)
	}
	e.live.dispatch(ch)
	if got, want := shownIDs(v), []string{demo.COPDPatient, demo.RecoveringPatient, demo.DeterioratingPatient}; !slices.Equal(got, want) || v.stats.fullRefreshes-fulls != 1 {
		t.Errorf("by risk after 8 → 12: %v with %d full refreshes, want %v and 1", got, v.stats.fullRefreshes-fulls, want)
	}
	v.sortBy.SetSelected(sortName)

	// A new admission: its Patient resource arrives on a new topic.
	res := fixtureResources(t, func(name string) bool { return name == demo.PatientFixture("pt-0010") })
	ch, err = s.Apply(&store.Batch{Puts: res})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(ch.NewPatients, "pt-0010") {
		t.Fatalf("the store did not announce pt-0010 as new: %v", ch.NewPatients)
	}
	e.live.dispatch(ch)
	if len(v.shown) != 4 || v.index["pt-0010"] != 3 {
		t.Fatalf("after the new admission the census shows %v", shownIDs(v))
	}
	if got := v.count.Text; got != "4 patients" {
		t.Errorf("count %q, want 4 patients", got)
	}

	// A notice that names no patient changes nothing.
	rows, fulls = v.stats.rowRefreshes, v.stats.fullRefreshes
	e.live.dispatch(store.Change{Quarantined: 1, Committed: time.Now()})
	if v.stats.rowRefreshes != rows || v.stats.fullRefreshes != fulls {
		t.Errorf("a notice naming no patient refreshed the census")
	}
}

// TestCensusRiskOrder: a patient sorts by the worse of their score band and
// their worst open alert's severity, so two open high alerts put a patient
// scoring low among the high scores, above a medium score.
func TestCensusRiskOrder(t *testing.T) {
	for _, tc := range []struct {
		band, worst string
		want        int
	}{
		{"none", "", 0},
		{"low", "", 1},
		{"low", "low-medium", 2},
		{"low", "medium", 3},
		{"low", "high", 4},
		{"high", "", 4},
		{"high", "medium", 4}, // the score is worse than the alert
		{"medium", "low-medium", 3},
		{"low-medium", "medium", 3},
	} {
		r := censusRow{Band: tc.band, censusExtra: censusExtra{Worst: tc.worst}}
		if got := riskRank(r); got != tc.want {
			t.Errorf("band %s, worst alert %q: rank %d, want %d", tc.band, tc.worst, got, tc.want)
		}
	}
	v := &censusView{byRisk: true}
	lowTwoHigh := censusRow{ID: "a", Band: "low", Score: 1, Alerts: 2, censusExtra: censusExtra{Worst: "high", BySev: map[string]int{"high": 2}}}
	medium := censusRow{ID: "b", Band: "medium", Score: 5}
	highScore := censusRow{ID: "c", Band: "high", Score: 8}
	lowNoAlert := censusRow{ID: "d", Band: "low", Score: 3}
	rows := []censusRow{lowNoAlert, medium, lowTwoHigh, highScore}
	slices.SortStableFunc(rows, v.compare)
	var got []string
	for _, r := range rows {
		got = append(got, r.ID)
	}
	if want := []string{"c", "a", "b", "d"}; !slices.Equal(got, want) {
		t.Errorf("risk order %v, want %v (high score, low score with two high alerts, medium, low)", got, want)
	}
}

func TestEncounterLocation(t *testing.T) {
	for _, tc := range []struct{ json, want string }{
		{`{"location":[{"location":{"reference":"Location/loc-ward-7b","display":"Ward 7B Acute Medicine"}}]}`, "Ward 7B Acute Medicine"},
		// bed after ward whatever the order written; a past location left out
		{`{"location":[
			{"location":{"display":"Bed 12"},"physicalType":{"coding":[{"code":"bd"}]}},
			{"location":{"display":"Ward 4 Respiratory"},"status":"active","physicalType":{"coding":[{"code":"wa"}]}},
			{"location":{"display":"Emergency Department"},"status":"completed"}]}`, "Ward 4 Respiratory · Bed 12"},
		{`{"location":[{"location":{"reference":"Location/loc-icu"}}]}`, "loc-icu"},
		{`{"status":"in-progress"}`, ""},
		{`not json`, ""},
	} {
		if got := encounterLocation([]byte(tc.json)); got != tc.want {
			t.Errorf("encounterLocation(%s) = %q, want %q", tc.json, got, tc.want)
		}
	}
}

func TestScoreAgeText(t *testing.T) {
	now := time.Date(2026, 11, 23, 14, 30, 0, 0, time.UTC)
	cur := func(x censusExtra) censusRow { return censusRow{ScoreStatus: "complete", censusExtra: x} }
	for _, tc := range []struct {
		r       censusRow
		offline bool
		want    string
	}{
		{cur(censusExtra{}), false, ""},
		{cur(censusExtra{ScoreAt: now.Add(-12 * time.Minute), Trend: 1}), false, "▲ 12 min ago"},
		{cur(censusExtra{ScoreAt: now.Add(-3 * time.Hour), Trend: -1}), false, "▼ 3 h ago"},
		{cur(censusExtra{ScoreAt: now.Add(-30 * time.Second)}), false, "just now"},
		{cur(censusExtra{ScoreAt: now.Add(10 * time.Minute)}), false, "in 10 min (future)"},
		{cur(censusExtra{ScoreAt: now.Add(-3 * time.Hour)}), true, "as of 3 h ago"},
		{censusRow{ScoreStatus: "stale", censusExtra: censusExtra{ScoreAt: now.AddDate(0, 0, -42)}}, false, "6 weeks ago"},
		{censusRow{ScoreStatus: "complete", ScoreKind: "pews", censusExtra: censusExtra{ScoreAt: now.Add(-2 * time.Hour)}}, false, "PEWS · 2 h ago"},
		{censusRow{ScoreStatus: "not-applicable", censusExtra: censusExtra{ScoreAt: now.Add(-2 * time.Hour)}}, false, ""},
	} {
		if got := scoreAgeText(tc.r, now, tc.offline); got != tc.want {
			t.Errorf("scoreAgeText(%+v) = %q, want %q", tc.r, got, tc.want)
		}
	}
}

// TestCensusDensity: at least 18 patients fit at 1280×800 and 28 at
// 1920×1080, under a one-row notification strip.
func TestCensusDensity(t *testing.T) {
	s := sharedStore(t)
	for _, tc := range []struct {
		size fyne.Size
		want int
	}{
		{fyne.NewSize(1280, 800), 18},
		{fyne.NewSize(1920, 1080), 28},
	} {
		e, w := newTestEnv(t, s, ui.ModeLight)
		e.shell.ShowNotice(ui.NewNoticeBanner(ui.NoticeAlert, "High alert", "a patient — NEWS2 9: High", func() {}, func() {}))
		w.Resize(tc.size)
		v := e.census
		rowH := newCensusItem().MinSize().Height + theme.SeparatorThicknessSize()
		fit := int(v.list.Size().Height / rowH)
		if fit < tc.want {
			t.Errorf("%v: %d census rows fit (list %v px high, rows %v px), want ≥ %d", tc.size, fit, v.list.Size().Height, rowH, tc.want)
		}
		t.Logf("%v: %d rows visible", tc.size, fit)
	}
}

// TestCensusTypeToSearch: the census shows with nothing focused (an idle
// census blinks no cursor), a character typed anyway starts the search,
// and once the focus has gone (the search's Release) the text stays and
// the next character goes on from there.
func TestCensusTypeToSearch(t *testing.T) {
	s := sharedStore(t)
	e, w := newTestEnv(t, s, ui.ModeLight)
	v := e.census
	if f := w.Canvas().Focused(); f != nil {
		t.Fatalf("the census shows with %T focused, want nothing", f)
	}
	if v.search.Release != searchRelease || searchRelease <= 0 {
		t.Fatalf("the census search releases the focus after %v, want %v", v.search.Release, searchRelease)
	}
	// The release itself runs on a timer goroutine (ui's TestSearchEntryRelease
	// drives it); here the focus is let go as the release would.
	v.search.Release = 0
	e.shell.TypedRune('o')
	if w.Canvas().Focused() != v.search || v.search.Text != "o" {
		t.Fatalf("a typed character: focused %T, search %q; want the search with %q", w.Canvas().Focused(), v.search.Text, "o")
	}
	test.Type(v.search, "ster")
	if v.search.Text != "oster" || len(v.shown) == 0 || len(v.shown) == len(v.rows) {
		t.Fatalf("search %q shows %d of %d rows, want a filtered list", v.search.Text, len(v.shown), len(v.rows))
	}
	w.Canvas().Unfocus()
	if v.search.Text != "oster" {
		t.Fatalf("releasing the focus changed the search to %q", v.search.Text)
	}
	e.shell.TypedRune('h')
	if w.Canvas().Focused() != v.search || v.search.Text != "osterh" {
		t.Fatalf("typing after the release: focused %T, search %q, want the search with %q", w.Canvas().Focused(), v.search.Text, "osterh")
	}
	// Non-printing characters are not searched for.
	if e.census.page().OnRune('\x07') {
		t.Error("a control character was taken for the search")
	}
}

// TestCensusSearchOpenLeavesFocus: opening a chart from the census search
// takes the keyboard out of the search (now hidden under the chart), so
// Alt/arrow keys and typing reach the patient view.
func TestCensusSearchOpenLeavesFocus(t *testing.T) {
	s := sharedStore(t)
	e, w := newTestEnv(t, s, ui.ModeLight)
	v := e.census
	w.Canvas().Focus(v.search)
	test.Type(v.search, "KV-100231")
	v.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if e.shell.Depth() != 2 {
		t.Fatal("Enter did not open the chart")
	}
	if f := w.Canvas().Focused(); f == v.search {
		t.Fatalf("the hidden census search kept the focus")
	}
	// Typing now goes nowhere near the census search.
	before := v.search.Text
	e.shell.TypedRune('x')
	if v.search.Text != before {
		t.Errorf("typing reached the hidden search: %q", v.search.Text)
	}
}

// TestTrendCacheObservations: the census's cached read of a patient's
// Observations and Goals holds the same entries as a fresh Items read,
// after a new reading and a deletion too, and keeps at most
// trendObsCaches patients.
func TestTrendCacheObservations(t *testing.T) {
	s := smallStore(t, demo.DeterioratingPatient, demo.COPDPatient)
	var tc trendCache
	check := func(step, id string) {
		t.Helper()
		err := s.View(func(r *store.Reader) error {
			got, err := tc.observations(r, id)
			if err != nil {
				return err
			}
			want, err := r.Items(id, "Observation", "Goal")
			if err != nil {
				return err
			}
			key := func(it store.Item) string { return it.Ref.Key() + "@" + fmt.Sprint(it.Meta.Source.Offset) }
			g, w := make([]string, len(got)), make([]string, len(want))
			for i := range got {
				g[i] = key(got[i])
			}
			for i := range want {
				w[i] = key(want[i])
			}
			slices.Sort(g)
			slices.Sort(w)
			if len(w) == 0 || !slices.Equal(g, w) {
				t.Errorf("%s: cached read has %d entries, Items %d, or they differ", step, len(g), len(w))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	check("first read", demo.DeterioratingPatient)
	r := benchReading(t, demo.DeterioratingPatient, "trend-new", fixtureNow, 131)
	if _, err := s.Apply(&store.Batch{Puts: []store.Resource{r}}); err != nil {
		t.Fatal(err)
	}
	check("after a new reading", demo.DeterioratingPatient)
	if _, err := s.Apply(&store.Batch{Deletes: []store.Ref{r.Ref}}); err != nil {
		t.Fatal(err)
	}
	check("after a deletion", demo.DeterioratingPatient)
	check("another patient", demo.COPDPatient)
	for i := range trendObsCaches + 5 {
		err := s.View(func(r *store.Reader) error {
			_, err := tc.observations(r, fmt.Sprintf("nobody-%d", i))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(tc.obs) > trendObsCaches {
		t.Errorf("the census keeps %d patients' observations, want at most %d", len(tc.obs), trendObsCaches)
	}
}
