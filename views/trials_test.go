package views

import (
	"strings"
	"testing"

	"github.com/chartline/chartline/app/clinical"
)

// TestTrialVerdict: "Every criterion is met" only when nothing is not met
// and nothing is not evaluable; a key criterion nobody could evaluate is
// named first, even on an evaluation that counts as eligible.
func TestTrialVerdict(t *testing.T) {
	met := clinical.Finding{Label: "Non-small cell lung cancer", Key: true}
	keyNE := clinical.Finding{Label: "EGFR variant", Key: true}
	otherNE := clinical.Finding{Label: "ECOG ≤ 1"}
	for _, tc := range []struct {
		name string
		ev   clinical.Evaluation
		want string
	}{
		{"all met", clinical.Evaluation{Eligible: true, Match: true, Met: []clinical.Finding{met}}, "Every criterion is met."},
		{"eligible, a key criterion not evaluable", clinical.Evaluation{Eligible: true, Match: true, Met: []clinical.Finding{met}, NotEvaluable: []clinical.Finding{keyNE}},
			"Not confirmed: a key criterion could not be evaluated (EGFR variant)"},
		{"match, a key criterion not evaluable", clinical.Evaluation{Match: true, NotEvaluable: []clinical.Finding{otherNE, keyNE}},
			"Not confirmed: a key criterion could not be evaluated (EGFR variant)"},
		{"eligible, another criterion not evaluable", clinical.Evaluation{Eligible: true, Match: true, Met: []clinical.Finding{met}, NotEvaluable: []clinical.Finding{otherNE}},
			"Eligible by the study's rule; check the criteria"},
		{"match, another criterion not evaluable", clinical.Evaluation{Match: true, Met: []clinical.Finding{met}, NotEvaluable: []clinical.Finding{otherNE}},
			"The key criteria are met; check"},
		{"not eligible", clinical.Evaluation{Reason: "the study is closed", Met: []clinical.Finding{met}}, "Not eligible: the study is closed."},
	} {
		got := trialVerdict(&tc.ev)
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s: %q, want %q…", tc.name, got, tc.want)
		}
		if strings.Contains(got, "Every criterion") && len(tc.ev.NotEvaluable)+len(tc.ev.NotMet) > 0 {
			t.Errorf("%s: %q with criteria not met or not evaluable", tc.name, got)
		}
	}
}
