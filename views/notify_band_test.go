package views

import (
	"testing"

	"github.com/chartline/chartline/app/clinical"
)

func TestBannerBandLeft(t *testing.T) {
	alert := func(announced, latest string, episode bool) clinical.Alert {
		a := clinical.Alert{Cause: clinical.Cause{Band: announced}}
		if episode {
			a.Episode = &clinical.EpisodeInfo{Latest: clinical.Rise{Band: latest}}
		}
		return a
	}
	for _, c := range []struct {
		name string
		a    clinical.Alert
		want bool
	}{
		{"still high", alert(clinical.BandHigh, clinical.BandHigh, true), false},
		{"risen further", alert(clinical.BandMedium, clinical.BandHigh, true), false},
		{"high fell to medium", alert(clinical.BandHigh, clinical.BandMedium, true), true},
		{"medium fell to low-medium", alert(clinical.BandMedium, clinical.BandLowMedium, true), true},
		{"PEWS emergency fell to high", alert(clinical.PEWSEmergency, clinical.BandHigh, true), true},
		{"no episode (upstream risk)", alert(clinical.BandHigh, "", false), false},
		{"no latest set", alert(clinical.BandHigh, "", true), false},
	} {
		if got := bandLeft(c.a); got != c.want {
			t.Errorf("%s: bandLeft = %v, want %v", c.name, got, c.want)
		}
	}
}
