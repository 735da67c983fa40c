package views

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// openTest opens a patient in a fresh test window and returns its view.
func openTest(t *testing.T, s *store.Store, id, mode string) (*env, fyne.Window, *patientView) {
	t.Helper()
	e, w := newTestEnv(t, s, mode)
	e.openPatient(id)
	if e.patient == nil || e.patient.chart == nil {
		t.Fatalf("patient %s did not open", id)
	}
	return e, w, e.patient
}

// resource decodes a hand-written resource of a patient as the feed would.
func resource(t *testing.T, patient, js string) store.Resource {
	t.Helper()
	typ, id := "", ""
	for _, f := range []string{`"resourceType":"`, `"id":"`} {
		i := strings.Index(js, f)
		if i < 0 {
			t.Fatalf("resource without %s", f)
		}
		v := js[i+len(f):]
		v = v[:strings.IndexByte(v, '"')]
		if typ == "" {
			typ = v
		} else {
			id = v
		}
	}
	d, err := record.Decode([]byte(typ+"/"+id), []byte(js), patient)
	if err != nil {
		t.Fatalf("decode %s/%s: %v", typ, id, err)
	}
	return store.Resource{Ref: store.Ref{Collection: patient, Type: d.Type, ID: d.ID}, JSON: []byte(js), Meta: d.Meta}
}

func TestPatientGolden(t *testing.T) {
	s := sharedStore(t)
	for _, tc := range []struct {
		id, mode, golden string
	}{
		{demo.DeterioratingPatient, ui.ModeLight, "patient_summary.xml"},
		{demo.RecoveringPatient, ui.ModeLight, "patient_summary_high.xml"},
		{demo.NoKnownAllergiesPatient, ui.ModeLight, "patient_summary_nka.xml"},
		{demo.NoAllergyInfoPatient, ui.ModeLight, "patient_summary_noallergyinfo.xml"},
		{demo.RecoveringPatient, ui.ModeDark, ""},
		{demo.ICUPatient, ui.ModeLight, ""},
	} {
		t.Run(tc.id+"-"+tc.mode, func(t *testing.T) {
			_, w, _ := openTest(t, s, tc.id, tc.mode)
			if tc.golden != "" {
				test.AssertRendersToMarkup(t, tc.golden, w.Canvas())
			}
			shot(t, w, "summary-"+tc.id+"-"+tc.mode)
		})
	}
}

func TestPatientBanner(t *testing.T) {
	s := sharedStore(t)
	for _, tc := range []struct {
		id      string
		allergy ui.AllergyState
		strip   string
		facts   string
		band    string
	}{
		{demo.DeterioratingPatient, ui.AllergiesRecorded, "Allergies: Allergy to fish (high criticality)", "68 y · Male · born 14 Mar 1958 · MRN KV-100231 · 89 kg (31 Aug 2026) · Ward 7B Acute Medicine", "1 Low · 2 h ago"},
		{demo.NoKnownAllergiesPatient, ui.AllergiesNoneKnown, "No known allergies", "41 y · Female · born 8 Jul 1985 · MRN KV-103760 · 63.4 kg (26 Aug 2026)", "Stale · last set 2 months ago"},
		{demo.NoAllergyInfoPatient, ui.AllergiesNotRecorded, "Allergies not recorded", "36 y · Male · born 11 Feb 1990 · MRN KV-104027 · 81.7 kg (6 Jul 2026)", "Stale · last set 4 months ago"},
		{demo.RecoveringPatient, ui.AllergiesRecorded, "Allergies: Allergy to eggs", "75 y · Male · born 30 Jan 1951 · MRN KV-103118 · 80.9 kg (15 Sep 2026) · Ward 7B Acute Medicine", "9 High · 41 min ago"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			_, _, pv := openTest(t, s, tc.id, ui.ModeLight)
			if pv.chart.Allergy != tc.allergy || pv.allergy.Text() != tc.strip {
				t.Errorf("allergy strip %d %q, want %d %q", pv.chart.Allergy, pv.allergy.Text(), tc.allergy, tc.strip)
			}
			if pv.facts.Text != tc.facts {
				t.Errorf("banner facts %q, want %q", pv.facts.Text, tc.facts)
			}
			if pv.band.Text != tc.band {
				t.Errorf("banner band %q, want %q", pv.band.Text, tc.band)
			}
		})
	}
}

// sectionTexts returns a section's line texts by title.
func sectionTexts(c *chart, title string) []string {
	for _, d := range c.Sections {
		if d.def.Title == title {
			var out []string
			for _, l := range d.lines {
				out = append(out, l.Text)
			}
			return out
		}
	}
	return nil
}

func TestSummarySections(t *testing.T) {
	s := sharedStore(t)
	_, _, pv := openTest(t, s, demo.DeterioratingPatient, ui.ModeLight)
	c := pv.chart
	var titles []string
	for _, d := range c.Sections {
		titles = append(titles, d.def.Title)
	}
	wantTitles := []string{"Active problems", "Allergies and intolerances", "Medications", "Immunizations",
		"Recent results", "Vital signs and early warning score", "Procedures", "Recent encounters"}
	if !slices.Equal(titles, wantTitles) {
		t.Fatalf("sections %v, want IPS order %v", titles, wantTitles)
	}
	problems := sectionTexts(c, "Active problems")
	if !slices.Contains(problems, "Pneumonia") || slices.ContainsFunc(problems, func(s string) bool { return strings.Contains(s, "bronchitis") }) {
		t.Errorf("active problems %v: want pneumonia, not the resolved bronchitis", problems)
	}
	meds := sectionTexts(c, "Medications")
	n := 0
	for _, m := range meds {
		if strings.HasPrefix(m, "Acetaminophen") {
			n++
		}
	}
	if n != 1 || len(meds) != 5 {
		t.Errorf("medications %v: want 5 active, acetaminophen once", meds)
	}
	// Recent results: the latest of each test, out-of-range marked.
	var crp *line
	for _, d := range c.Sections {
		if d.def.Title == "Recent results" {
			for i := range d.lines {
				if strings.HasPrefix(d.lines[i].Text, "C reactive protein") {
					crp = &d.lines[i]
				}
			}
			if len(d.lines) != maxResults || d.more == 0 {
				t.Errorf("results: %d lines, %d more; want %d and some more", len(d.lines), d.more, maxResults)
			}
		}
	}
	if crp == nil || crp.Flag != "H" || crp.Value != "86.6 mg/L" || crp.Range != "≤ 5" {
		t.Errorf("CRP line %+v: want 86.6 mg/L, flag H, range ≤ 5", crp)
	}
	// A test whose LOINC long name would wrap to seven lines reads by the
	// name clinicians use.
	if results := sectionTexts(c, "Recent results"); !slices.Contains(results, "eGFR (MDRD)") ||
		slices.ContainsFunc(results, func(s string) bool { return strings.HasPrefix(s, "Glomerular") }) {
		t.Errorf("results %v: want eGFR (MDRD) for LOINC 33914-3", results)
	}
	// Vital signs: the seven NEWS2 parameters in chart order.
	vitals := sectionTexts(c, "Vital signs and early warning score")
	if len(vitals) < 7 || vitals[0] != "Respiration rate" || vitals[6] != "Temperature" {
		t.Errorf("vital lines %v: want the seven NEWS2 parameters first", vitals)
	}
	if !c.NEWS2FromEngine {
		t.Errorf("the summary did not use the engine's NEWS2")
	}
}

// TestSummaryEmpty: a patient with nothing but a Patient resource shows every
// section's empty state, and "Allergies not recorded".
func TestSummaryEmpty(t *testing.T) {
	s := smallStore(t)
	p := resource(t, "pt-9001", `{"resourceType":"Patient","id":"pt-9001","name":[{"family":"Test","given":["Empty"]}],"gender":"unknown","birthDate":"2025-10-01","identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"value":"MRN-9001"}]}`)
	if _, err := s.Apply(&store.Batch{Puts: []store.Resource{p}}); err != nil {
		t.Fatal(err)
	}
	_, w, pv := openTest(t, s, "pt-9001", ui.ModeLight)
	for _, d := range pv.chart.Sections {
		if len(d.lines) != 0 {
			t.Errorf("section %s has lines %v", d.def.Title, d.lines)
		}
	}
	if pv.facts.Text != "13 mo · Sex unknown · born 1 Oct 2025 · MRN MRN-9001" {
		t.Errorf("facts %q", pv.facts.Text)
	}
	if pv.allergy.Text() != "Allergies not recorded" || pv.band.Text != "No score" {
		t.Errorf("strip %q band %q", pv.allergy.Text(), pv.band.Text)
	}
	test.AssertRendersToMarkup(t, "patient_summary_empty.xml", w.Canvas())
	pv.tabs.SelectIndex(tabTimeline)
	tl := pv.contents[tabTimeline].(*timelineTab)
	if tl.empty.Hidden || !strings.Contains(tl.empty.Text, "Nothing recorded") {
		t.Errorf("empty timeline says %q (hidden %v)", tl.empty.Text, tl.empty.Hidden)
	}
}

func TestTimeline(t *testing.T) {
	s := sharedStore(t)
	e, w, pv := openTest(t, s, demo.DeterioratingPatient, ui.ModeLight)
	pv.tabs.SelectIndex(tabTimeline)
	tl := pv.contents[tabTimeline].(*timelineTab)
	en, _, _ := s.Entry(demo.DeterioratingPatient)
	if want := en.Total() - 1; len(tl.entries) != want { // all but the Patient resource
		t.Fatalf("timeline has %d entries, want %d", len(tl.entries), want)
	}
	all := checkTimelineRows(t, tl, "all")
	if all != len(tl.entries) {
		t.Fatalf("unfiltered timeline shows %d of %d", all, len(tl.entries))
	}
	checkTimelineSets(t, tl)
	// Filter by kind.
	for label, cat := range tl.kindKeys {
		if cat == record.CategoryLaboratory {
			tl.kinds.SetSelected(label)
		}
	}
	labs := checkTimelineRows(t, tl, "laboratory")
	for _, r := range tl.rows {
		if !r.header && tl.entries[r.entry].Category != record.CategoryLaboratory {
			t.Fatalf("laboratory filter shows %s", tl.entries[r.entry].Category)
		}
	}
	if labs == 0 || labs >= all {
		t.Fatalf("laboratory filter shows %d of %d", labs, all)
	}
	// And by text, accent- and case-insensitively.
	test.Type(tl.filter, "HÉMOGLOBIN")
	hb := checkTimelineRows(t, tl, "hemoglobin")
	for _, r := range tl.rows {
		if !r.header && !strings.Contains(strings.ToLower(tl.entries[r.entry].Display), "hemoglobin") {
			t.Fatalf("text filter shows %q", tl.entries[r.entry].Display)
		}
	}
	if hb == 0 || hb >= labs || !strings.HasPrefix(tl.count.Text, ui.Thousands(int64(hb))+" of ") {
		t.Fatalf("hemoglobin filter shows %d (count %q)", hb, tl.count.Text)
	}
	timelineKeysAndRaw(t, w, tl)
	// Escape in an empty filter goes back to the census.
	tl.filter.SetText("")
	tl.filter.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if e.shell.Depth() != 1 || e.patient != nil {
		t.Fatalf("Escape from the timeline filter: depth %d", e.shell.Depth())
	}
}

// checkTimelineRows checks the timeline's rows (what names the filter):
// a day header first, entries newest first, each day's header counting
// its entries. It returns the number of entries shown.
func checkTimelineRows(t *testing.T, tl *timelineTab, what string) int {
	t.Helper()
	if len(tl.rows) == 0 {
		return 0
	}
	if !tl.rows[0].header {
		t.Errorf("%s: the first row is not a day header", what)
	}
	entries, counted := 0, 0
	var last store.Ref
	for i, r := range tl.rows {
		if r.header {
			counted += r.count
			continue
		}
		entries += 1 + len(r.more)
		en := tl.entries[r.entry]
		if i > 0 && !tl.rows[i-1].header && tl.entries[tl.rows[i-1].entry].Time.Before(en.Time) {
			t.Errorf("%s: %v before %v: not newest first", what, last, en.Ref)
		}
		last = en.Ref
	}
	if counted != entries {
		t.Errorf("%s: day headers count %d entries, %d shown", what, counted, entries)
	}
	return entries
}

// checkTimelineSets checks that a vital-sign set is one row: its readings
// share the instant.
func checkTimelineSets(t *testing.T, tl *timelineTab) {
	t.Helper()
	sets := 0
	for _, r := range tl.rows {
		if r.isSet() {
			sets++
			for _, i := range r.more {
				if en := tl.entries[i]; !en.Time.Equal(tl.entries[r.entry].Time) || en.Category != record.CategoryVitalSigns {
					t.Fatalf("a set holds %s at %s", en.Category, en.Time)
				}
			}
		}
	}
	if sets == 0 || len(tl.rows) >= len(tl.entries) {
		t.Errorf("%d vital-sign sets, %d rows for %d entries; want sets on one row each", sets, len(tl.rows), len(tl.entries))
	}
}

// timelineKeysAndRaw is TestTimeline's keyboard and raw JSON step: Down
// selects the newest entry and shows its fields, the raw JSON shows
// pretty-printed on demand (the golden timeline.xml) and hides again.
func timelineKeysAndRaw(t *testing.T, w fyne.Window, tl *timelineTab) {
	t.Helper()
	// Keyboard: Down selects the newest entry and shows its fields.
	w.Canvas().Focus(tl.filter)
	tl.filter.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	first := tl.entries[tl.rows[1].entry]
	if tl.selRow != 1 || tl.detail.ref != first.Ref {
		t.Fatalf("Down selected row %d (%v), want row 1 (%v)", tl.selRow, tl.detail.ref, first.Ref)
	}
	if tl.detail.title.Text != first.Display || len(tl.detail.fields.Objects) == 0 {
		t.Fatalf("detail shows %q with %d field cells", tl.detail.title.Text, len(tl.detail.fields.Objects))
	}
	if tl.detail.probBox.Visible() {
		t.Errorf("a clean resource shows a conformance-problems box")
	}
	tl.filter.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	next := 2
	for tl.rows[next].header {
		next++
	}
	if tl.selRow != next {
		t.Errorf("second Down: row %d, want %d (the next entry, past day headers)", tl.selRow, next)
	}
	tl.filter.TypedKey(&fyne.KeyEvent{Name: fyne.KeyUp})
	// Raw JSON on demand, pretty-printed.
	test.Tap(tl.detail.rawBtn)
	raw := tl.detail.rawText.String()
	if tl.detail.rawText.Hidden || !strings.Contains(raw, "\n  \"resourceType\": \"Observation\"") {
		t.Fatalf("raw JSON not shown pretty-printed: %.80q", raw)
	}
	test.AssertRendersToMarkup(t, "timeline.xml", w.Canvas())
	shot(t, w, "timeline-"+demo.DeterioratingPatient)
	test.Tap(tl.detail.rawBtn)
	if !tl.detail.rawText.Hidden {
		t.Fatalf("raw JSON not hidden again")
	}
}

// TestTimelineProblems: a resource the typed R4 model cannot read cleanly
// shows its conformance problems in the detail pane and a mark in its row.
func TestTimelineProblems(t *testing.T) {
	s := smallStore(t, demo.NoAllergyInfoPatient)
	bad := resource(t, demo.NoAllergyInfoPatient, `{"resourceType":"Condition","id":"stu3-leftover","subject":{"reference":"Patient/pt-0007"},"code":{"text":"Old-style condition"},"assertedDate":"2026-11-01","onsetDateTime":"2026-11-01T08:00:00Z","clinicalStatus":"active"}`)
	if len(bad.Meta.Problems) == 0 {
		t.Fatal("the fixture resource has no conformance problems")
	}
	ch, err := s.Apply(&store.Batch{Puts: []store.Resource{bad}})
	if err != nil {
		t.Fatal(err)
	}
	_ = ch
	_, w, pv := openTest(t, s, demo.NoAllergyInfoPatient, ui.ModeLight)
	pv.tabs.SelectIndex(tabTimeline)
	tl := pv.contents[tabTimeline].(*timelineTab)
	test.Type(tl.filter, "old-style")
	if len(tl.rows) != 2 || tl.entries[tl.rows[1].entry].Problems == 0 {
		t.Fatalf("filter rows %d; the entry should carry its problems", len(tl.rows))
	}
	tl.filter.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	if !tl.detail.probBox.Visible() || !strings.Contains(tl.detail.probs.Text, "assertedDate") {
		t.Fatalf("problems box hidden=%v text %q", !tl.detail.probBox.Visible(), tl.detail.probs.Text)
	}
	test.AssertRendersToMarkup(t, "timeline_problems.xml", w.Canvas())
	shot(t, w, "timeline-problems")
}

// TestPatientLive: a change notice for the open patient reloads it (a new
// vital sign appears at the top of the timeline); one for another patient
// does not.
func TestPatientLive(t *testing.T) {
	s := smallStore(t, demo.DeterioratingPatient, demo.COPDPatient)
	e, _, pv := openTest(t, s, demo.DeterioratingPatient, ui.ModeLight)
	tl := pv.contents[tabTimeline].(*timelineTab)
	before, seq := len(tl.entries), pv.shownSeq

	other := resource(t, demo.COPDPatient, `{"resourceType":"Observation","id":"hr-other","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}],"text":"Heart rate"},"subject":{"reference":"Patient/pt-0002"},"effectiveDateTime":"2026-11-23T06:10:00Z","valueQuantity":{"value":90,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}}`)
	ch, err := s.Apply(&store.Batch{Puts: []store.Resource{other}})
	if err != nil {
		t.Fatal(err)
	}
	e.live.dispatch(ch)
	if pv.shownSeq != seq {
		t.Fatalf("a change for another patient reloaded the open chart")
	}

	mine := resource(t, demo.DeterioratingPatient, strings.NewReplacer("hr-other", "hr-new", "pt-0002", "pt-0001", `"value":90`, `"value":131`).Replace(string(other.JSON)))
	ch, err = s.Apply(&store.Batch{Puts: []store.Resource{mine}})
	if err != nil {
		t.Fatal(err)
	}
	e.live.dispatch(ch)
	if pv.shownSeq == seq || len(tl.entries) != before+1 {
		t.Fatalf("after a new vital sign: %d entries (was %d), reloaded %v", len(tl.entries), before, pv.shownSeq != seq)
	}
	if top := tl.entries[0]; top.Ref.ID != "hr-new" || top.Display != "Heart rate 131 /min" {
		t.Fatalf("newest entry %v %q, want the new heart rate", top.Ref, top.Display)
	}
	// Closing the view stops it following changes.
	e.shell.Back()
	seq = pv.shownSeq
	e.live.dispatch(ch)
	if pv.shownSeq != seq {
		t.Fatalf("a closed patient view still reloads")
	}
}

// TestSummaryOpensTimeline: tapping a summary line opens its record in the
// timeline, clearing a filter that hid it.
func TestSummaryOpensTimeline(t *testing.T) {
	s := sharedStore(t)
	_, _, pv := openTest(t, s, demo.DeterioratingPatient, ui.ModeLight)
	tl := pv.contents[tabTimeline].(*timelineTab)
	test.Type(tl.filter, "no such thing")
	var taps []*ui.Tappable
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *ui.Tappable:
			taps = append(taps, x)
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		}
	}
	walk(pv.contents[tabSummary].(*summaryTab).columns)
	lines := 0
	for _, d := range pv.chart.Sections {
		for _, l := range d.lines {
			if l.Ref.ID != "" {
				lines++
			}
		}
	}
	if len(taps) != lines || lines == 0 {
		t.Fatalf("%d tappable lines, want one per line with a record (%d)", len(taps), lines)
	}
	test.Tap(taps[0]) // the first active problem
	want := pv.chart.Sections[0].lines[0].Ref
	if pv.tabs.SelectedIndex() != tabTimeline || tl.detail.ref != want || tl.filter.Text != "" {
		t.Fatalf("tap opened tab %d, detail %v (filter %q); want the timeline on %v", pv.tabs.SelectedIndex(), tl.detail.ref, tl.filter.Text, want)
	}
	if row := tl.rows[tl.selRow]; row.header || tl.entries[row.entry].Ref != want {
		t.Fatalf("the selected row is not the record")
	}
}

// TestTimelineSetsAndSelection: a vital-sign set reads as one line and its
// detail lists each reading at local time; a filter that removes the entry
// shown clears the detail; rows inserted above the selection keep it.
func TestTimelineSetsAndSelection(t *testing.T) {
	s := smallStore(t, demo.DeterioratingPatient)
	e, w, pv := openTest(t, s, demo.DeterioratingPatient, ui.ModeLight)
	pv.tabs.SelectIndex(tabTimeline)
	tl := pv.contents[tabTimeline].(*timelineTab)
	set := -1
	for i, r := range tl.rows {
		if r.isSet() {
			set = i
			break
		}
	}
	if set < 0 {
		t.Fatal("no vital-sign set row")
	}
	// At 1280×800 every reading of a full set is on its row, on two lines
	// in the NEWS2 chart's order, none behind a "+N"; the row is as tall as
	// its two lines. A medication reads its whole name above its dosage.
	var shown []*timelineItem
	for _, o := range test.LaidOutObjects(w.Canvas().Content()) {
		if it, ok := o.(*timelineItem); ok && it.Visible() && strings.Contains(it.display.Text(), "\n") {
			shown = append(shown, it)
		}
	}
	if len(shown) == 0 {
		t.Fatal("no two-line row on screen")
	}
	sets := 0
	for _, it := range shown {
		first, second, _ := strings.Cut(it.display.Text(), "\n")
		if !strings.HasPrefix(first, "RR ") { // a medication: its name above its dosage, neither cut
			if strings.Contains(first+second, "…") || strings.Contains(first, record.DoseSeparator) {
				t.Errorf("medication row reads %q / %q: want the whole name over the dosage", first, second)
			}
			continue
		}
		sets++
		if !strings.HasPrefix(first, "RR ") || !strings.Contains(first, " · SpO2 ") || !strings.Contains(first, " · HR ") ||
			!strings.HasPrefix(second, "BP ") || !strings.Contains(second, " · Temp ") || !strings.Contains(second, " · ACVPU ") ||
			strings.Contains(first+second, "+") {
			t.Errorf("set row reads %q / %q: want RR · SpO2 · HR over BP · Temp · ACVPU, nothing hidden", first, second)
		}
		if h, min := it.Size().Height, it.MinSize().Height; h < min {
			t.Errorf("set row %.0f px tall, its two lines need %.0f", h, min)
		}
	}
	if sets == 0 {
		t.Error("no vital-sign set row on screen")
	}
	shot(t, w, "timeline-sets")
	tl.choose(set)
	if !strings.HasPrefix(tl.detail.title.Text, "Vital signs: ") || len(tl.detail.fields.Objects) != 2*(1+len(tl.rows[set].more)) {
		t.Errorf("set detail %q with %d cells", tl.detail.title.Text, len(tl.detail.fields.Objects))
	}
	// Select a laboratory result, then filter it away: the detail clears.
	lab := -1
	for i, r := range tl.rows {
		if !r.header && tl.entries[r.entry].Category == record.CategoryLaboratory {
			lab = i
			break
		}
	}
	tl.choose(lab)
	picked := tl.entries[tl.rows[lab].entry].Ref
	test.Type(tl.filter, "zzzz-nothing")
	if tl.hasSel || tl.detail.body.Visible() {
		t.Errorf("the filter removed the entry but the detail still shows it")
	}
	tl.filter.SetText("")
	tl.choose(lab)
	// A new vital sign arrives (above the selection, newest first): the
	// selection stays on the same result.
	clockNow := fixtureNow.Add(time.Hour)
	if _, err := s.Apply(&store.Batch{Puts: vitalsRound(t, demo.DeterioratingPatient, "live", clockNow, lowSet)}); err != nil {
		t.Fatal(err)
	}
	pv.reload()
	if !tl.hasSel || tl.selRow < 0 || tl.entries[tl.rows[tl.selRow].entry].Ref != picked {
		t.Errorf("after rows arrived above it the selection is on row %d, want %v", tl.selRow, picked)
	}
	_ = e
}

func TestLocalTimes(t *testing.T) {
	loc := time.FixedZone("CET", 3600)
	for in, want := range map[string]string{
		"2026-12-02T14:08:00Z":            "2 Dec 2026 15:08",
		"2026-12-02T14:08:00.123+00:00":   "2 Dec 2026 15:08",
		"from 2026-12-02T14:08Z to later": "from 2 Dec 2026 15:08 to later",
		"2026-12-02":                      "2026-12-02", // a date alone has no zone to convert
		"not a time":                      "not a time",
	} {
		if got := localTimes(in, loc); got != want {
			t.Errorf("localTimes(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestBannerWeightLocationNoFlash: the banner gives the newest weight with
// its date and the ward of the open Encounter; while the chart is still
// being read, no "No score" or "Allergies not recorded" shows.
func TestBannerWeightLocationNoFlash(t *testing.T) {
	s := sharedStore(t)
	var held []func()
	e, _ := newTestEnvWith(t, s, ui.ModeLight, func(o *envOptions) {
		o.async = func(fn func()) { held = append(held, fn) }
	})
	for len(held) > 0 { // the census and status loads
		fn := held[0]
		held = held[1:]
		fn()
	}
	e.openPatient(demo.DeterioratingPatient)
	pv := e.patient
	if pv.band.Visible() || pv.allergy.Visible() || !pv.loading.Visible() {
		t.Errorf("while loading: band shown %v (%q), allergy strip shown %v", pv.band.Visible(), pv.band.Text, pv.allergy.Visible())
	}
	for len(held) > 0 {
		fn := held[0]
		held = held[1:]
		fn()
	}
	if !pv.band.Visible() || !pv.allergy.Visible() {
		t.Fatalf("after loading the band or the allergies are hidden")
	}
	facts := pv.facts.Text
	if !strings.Contains(facts, " kg (") || !strings.Contains(facts, "Ward 7B Acute Medicine") {
		t.Errorf("banner facts %q lack the weight with its date or the ward", facts)
	}
}
