package views

import (
	"slices"
	"testing"
	"time"

	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// TestDeceasedAgeAndCensusFilter: the dead are shown with their age at
// death, and the census hides them unless "Show deceased" is ticked.
func TestDeceasedAgeAndCensusFilter(t *testing.T) {
	now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		p    store.Demographics
		want string
	}{
		{store.Demographics{BirthDate: "1927-04-01", Deceased: true, DeceasedDate: "2012-05-03"}, "died 2012 aged 85"},
		{store.Demographics{BirthDate: "1927-04-01", Deceased: true}, "deceased"},
		{store.Demographics{BirthDate: "1927-04-01"}, "99 y"},
	} {
		if got := lifeText(&tt.p, now); got != tt.want {
			t.Errorf("lifeText(%+v) = %q, want %q", tt.p, got, tt.want)
		}
	}
	row := censusRowOf(store.Entry{Collection: "pt-dead", Patient: &store.Demographics{Name: "Dead, Person", BirthDate: "1927-04-01", Sex: "female", Deceased: true, DeceasedDate: "2012-05-03"}}, now)
	if row.Detail != "died 2012 aged 85 · F" || !row.Deceased {
		t.Errorf("census row %+v", row)
	}

	s := sharedStore(t)
	e, _ := newTestEnv(t, s, ui.ModeLight)
	v := e.census
	all := shownIDs(v)
	if len(all) == 0 {
		t.Fatal("no patients shown")
	}
	dead := all[0]
	v.rows[v.index[dead]].Deceased = true
	v.refilter("")
	if slices.Contains(shownIDs(v), dead) || len(shownIDs(v)) != len(all)-1 {
		t.Errorf("a deceased patient is shown by default")
	}
	v.showDead.SetChecked(true)
	if !slices.Contains(shownIDs(v), dead) {
		t.Errorf("Show deceased does not show them")
	}
	v.showDead.SetChecked(false)
	if slices.Contains(shownIDs(v), dead) {
		t.Errorf("unticking Show deceased keeps them")
	}
}
