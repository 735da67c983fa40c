package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
)

func TestBandText(t *testing.T) {
	for _, tc := range []struct {
		band  string
		score int
		want  string
	}{
		{BandNone, 0, "No score"},
		{"", 3, "No score"},
		{"bogus", 3, "No score"},
		{BandLow, 0, "0 Low"},
		{BandLow, 4, "4 Low"},
		{BandLowMedium, 3, "3 Low-medium"},
		{BandMedium, 5, "5 Medium"},
		{BandMedium, 6, "6 Medium"},
		{BandHigh, 7, "7 High"},
		{BandHigh, 20, "20 High"},
	} {
		if got := BandText(tc.band, tc.score); got != tc.want {
			t.Errorf("BandText(%q, %d) = %q, want %q", tc.band, tc.score, got, tc.want)
		}
	}
}

func TestCountTexts(t *testing.T) {
	for _, tc := range []struct {
		n             int
		alert, trials string
	}{
		{-1, "", ""},
		{0, "", ""},
		{1, "1 alert", "Trial"},
		{2, "2 alerts", "2 trials"},
		{12, "12 alerts", "12 trials"},
	} {
		if got := AlertText(tc.n); got != tc.alert {
			t.Errorf("AlertText(%d) = %q, want %q", tc.n, got, tc.alert)
		}
		if got := TrialText(tc.n); got != tc.trials {
			t.Errorf("TrialText(%d) = %q, want %q", tc.n, got, tc.trials)
		}
	}
}

func TestThousands(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{0, "0"}, {7, "7"}, {999, "999"}, {1000, "1,000"}, {20412, "20,412"},
		{999999, "999,999"}, {1000000, "1,000,000"}, {-1234, "-1,234"}, {-999, "-999"},
	} {
		if got := Thousands(tc.n); got != tc.want {
			t.Errorf("Thousands(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestQuarantineText(t *testing.T) {
	for n, want := range map[int]string{0: "No quarantined records", 1: "1 quarantined record", 2: "2 quarantined records", 1500: "1,500 quarantined records"} {
		if got := QuarantineText(n); got != want {
			t.Errorf("QuarantineText(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestBadgesMarkup draws every badge state and compares it with the golden
// markup: colours by name, so a theme change cannot silently swap them.
func TestBadgesMarkup(t *testing.T) {
	test.NewTempApp(t)
	test.ApplyTheme(t, NewTheme(ModeLight))
	row := func(objs ...fyne.CanvasObject) *fyne.Container { return container.NewHBox(objs...) }
	var bands []fyne.CanvasObject
	for i, b := range []string{BandNone, BandLow, BandLowMedium, BandMedium, BandHigh} {
		badge := NewBandBadge()
		SetBand(badge, b, []int{0, 2, 3, 5, 9}[i])
		bands = append(bands, badge)
	}
	alerts, trials := NewAlertBadge(), NewTrialMarker()
	SetAlerts(alerts, 3)
	SetTrials(trials, 1)
	none := NewAlertBadge()
	SetAlerts(none, 0)
	strips := make([]fyne.CanvasObject, 3)
	for i, st := range []AllergyState{AllergiesRecorded, AllergiesNoneKnown, AllergiesNotRecorded} {
		s := NewAllergyStrip()
		s.SetAllergies(st, []string{"Penicillin (high criticality)", "Peanut"})
		strips[i] = s
	}
	content := container.NewVBox(row(bands...), row(alerts, trials, none), strips[0], strips[1], strips[2])
	w := test.NewTempWindow(t, content)
	w.Resize(fyne.NewSize(900, 300))
	test.AssertRendersToMarkup(t, "badges.xml", w.Canvas())
	test.AssertRendersToImage(t, "badges.png", w.Canvas())
}

func TestAllergyStripText(t *testing.T) {
	test.NewTempApp(t)
	s := NewAllergyStrip()
	if got, want := s.Text(), "Allergies not recorded"; got != want {
		t.Errorf("new strip says %q, want %q", got, want)
	}
	for _, tc := range []struct {
		state AllergyState
		items []string
		want  string
	}{
		{AllergiesRecorded, []string{"Penicillin", "Peanut"}, "Allergies: Penicillin · Peanut"},
		{AllergiesNoneKnown, nil, "No known allergies"},
		{AllergiesNotRecorded, nil, "Allergies not recorded"},
		// A "no known allergies" state never lists items, even if given.
		{AllergiesNoneKnown, []string{"ignored"}, "No known allergies"},
	} {
		s.SetAllergies(tc.state, tc.items)
		if got := s.Text(); got != tc.want {
			t.Errorf("state %d: %q, want %q", tc.state, got, tc.want)
		}
	}
}

// TestBadgeRedraws: setting a badge shown in a window redraws the renderer
// the window draws (a wrapper type around a Pill once refreshed another).
func TestBadgeRedraws(t *testing.T) {
	test.NewTempApp(t)
	b := NewBandBadge()
	w := test.NewTempWindow(t, container.NewHBox(b))
	w.Resize(fyne.NewSize(300, 60))
	drawn := func() string {
		for _, o := range test.TempWidgetRenderer(t, b).Objects() {
			if txt, ok := o.(*canvas.Text); ok {
				return txt.Text
			}
		}
		return ""
	}
	if got := drawn(); got != "No score" {
		t.Fatalf("drawn %q", got)
	}
	SetBand(b, BandHigh, 9)
	if got := drawn(); got != "9 High" {
		t.Fatalf("after SetBand the window draws %q, want 9 High", got)
	}
}
