package ui

import "testing"

func TestScoreBadge(t *testing.T) {
	cases := []struct {
		name string
		s    Score
		text string
		bg   string
	}{
		{"complete", Score{Band: BandLow, Total: 1, Status: ScoreComplete, Age: "2 h ago"}, "1 Low · 2 h ago", string(ColorBandLow)},
		{"complete offline", Score{Band: BandLow, Total: 1, Status: ScoreComplete, Age: "2 h ago", Offline: true}, "1 Low · as of 2 h ago", string(ColorBandLow)},
		{"partial low is never green", Score{Band: BandLow, Total: 4, Status: ScorePartial, Scored: 5, Of: 7, Age: "36 min ago"}, "4 Low · partial — 5 of 7 · 36 min ago", string(ColorNEWS2Missing)},
		{"partial high keeps its warning colour", Score{Band: BandHigh, Total: 9, Status: ScorePartial, Scored: 6, Of: 7}, "9 High · partial — 6 of 7", string(ColorBandHigh)},
		{"partial compact (census)", Score{Band: BandLow, Total: 4, Status: ScorePartial, Scored: 5, Of: 7, Compact: true, Age: "x"}, "4 Low · 5/7", string(ColorNEWS2Missing)},
		{"stale greyed with its age", Score{Band: BandNone, Status: ScoreStale, Age: "6 weeks ago"}, "Stale · last set 6 weeks ago", string(ColorBandNone)},
		{"stale compact", Score{Status: ScoreStale, Age: "6 weeks ago", Compact: true}, "Stale", string(ColorBandNone)},
		{"insufficient", Score{Band: BandLow, Total: 0, Status: ScoreInsufficient, Scored: 2, Of: 7}, "Insufficient — 2 of 7", string(ColorBandNone)},
		{"nothing current", Score{Status: ScoreInsufficient, Of: 7}, "No score", string(ColorBandNone)},
		{"not applicable", Score{Status: ScoreNotApplicable, NotApplicable: "Deceased"}, "NEWS2 n/a: deceased", string(ColorBandNone)},
		{"PEWS 0 current", Score{PEWS: true, Band: BandNone, Total: 0, Status: ScoreComplete, Age: "just now"}, "PEWS 0 · just now", string(ColorBandLow)},
		{"PEWS low (1–4) is amber", Score{PEWS: true, Band: BandLow, Total: 2, Status: ScoreComplete}, "PEWS 2 Low", string(ColorBandLowMedium)},
		{"PEWS medium", Score{PEWS: true, Band: BandMedium, Total: 7, Status: ScoreComplete, Age: "just now"}, "PEWS 7 Medium · just now", string(ColorBandMedium)},
		{"PEWS emergency", Score{PEWS: true, Band: BandEmergency, Total: 13, Status: ScoreComplete}, "PEWS 13 Emergency", string(ColorBandHigh)},
		{"PEWS compact", Score{PEWS: true, Band: BandHigh, Total: 10, Status: ScoreComplete, Compact: true}, "10 High", string(ColorBandHigh)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bg, _ := ScoreColors(c.s)
			if got := ScoreText(c.s); got != c.text || string(bg) != c.bg {
				t.Fatalf("%q on %s, want %q on %s", got, bg, c.text, c.bg)
			}
		})
	}
}
