package views

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// TestSummaryLongResultValue: a result whose value is long text (a genetic
// variant assessment with its gene and amino-acid change, as the demo's
// EGFR result arrives) is written after the test's name, where it wraps:
// the card keeps to the window, where the value in its own column once
// widened the real window to 2,033 px and wrapped the test's name a letter
// a line.
func TestSummaryLongResultValue(t *testing.T) {
	s := newFixtureStore(t, filepath.Join(t.TempDir(), "wide.db"), nil)
	id := demo.NSCLCPatient
	at := fixtureNow.Add(-time.Hour).Format("2006-01-02T15:04:05Z")
	js := fmt.Sprintf(`{"resourceType":"Observation","id":"wide-variant","status":"final",
		"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],
		"code":{"coding":[{"system":"http://loinc.org","code":"69548-6","display":"Genetic variant assessment"}]},
		"subject":{"reference":"Patient/%s"},"effectiveDateTime":%q,
		"valueCodeableConcept":{"coding":[{"system":"http://loinc.org","code":"LA9633-4","display":"Present"}]},
		"component":[
		 {"code":{"coding":[{"system":"http://loinc.org","code":"48018-6","display":"Gene studied [ID]"}]},"valueCodeableConcept":{"coding":[{"system":"http://www.genenames.org/geneId","code":"HGNC:3236","display":"EGFR"}]}},
		 {"code":{"coding":[{"system":"http://loinc.org","code":"48005-3","display":"Amino acid change (pHGVS)"}]},"valueCodeableConcept":{"coding":[{"system":"http://varnomen.hgvs.org","code":"p.Leu858Arg","display":"EGFR p.Leu858Arg (L858R) and a few words more to pass any column"}]}}]}`, id, at)
	if _, err := s.Apply(&store.Batch{Puts: []store.Resource{resource(t, id, js)}}); err != nil {
		t.Fatal(err)
	}
	_, w, _ := openTest(t, s, id, ui.ModeLight)
	w.Canvas().Capture()
	if min := w.Content().MinSize().Width; min > windowSize.Width {
		t.Fatalf("the patient view needs %.0f px, wider than the %.0f px window", min, windowSize.Width)
	}
	found := false
	for _, o := range test.LaidOutObjects(w.Content()) {
		if l, ok := o.(*widget.Label); ok && strings.HasPrefix(l.Text, "Genetic variant assessment: Present") {
			found = l.Wrapping == fyne.TextWrapWord
		}
	}
	if !found {
		t.Fatal("the variant's value is not written after its name in a wrapping line")
	}
}
