package views

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/ui"
)

// trialsTab is the patient's Trials tab: each study the patient matches,
// locally (Chartline's evaluation of its eligibility criteria) or upstream
// (trials.matches), with the criteria met, not met and not evaluable, and the
// upstream match status.
type trialsTab struct {
	pv      *patientView
	list    *fyne.Container
	empty   *widget.Label
	content fyne.CanvasObject
}

func newTrialsTab(pv *patientView) patientTabContent {
	t := &trialsTab{pv: pv, list: container.NewVBox()}
	t.empty = emptyLabel("No matching studies. A study appears here when the patient's conditions and results meet its key eligibility criteria, or when an upstream system matches the patient.")
	t.content = container.NewVScroll(container.NewPadded(container.NewVBox(t.empty, t.list)))
	return t
}

func (t *trialsTab) object() fyne.CanvasObject { return t.content }

func (t *trialsTab) show(c *chart) { t.showSide(c.Side) }

// showSide draws the matched studies.
func (t *trialsTab) showSide(d sideData) {
	objs := make([]fyne.CanvasObject, 0, len(d.Matches))
	for _, m := range d.Matches {
		objs = append(objs, t.card(m))
	}
	t.list.Objects = objs
	t.empty.Hidden = len(objs) > 0
	ui.Reflow(t.content)
}

// matchStatusText is a match status in words: "Eligible", "Potential
// match", "On study".
func matchStatusText(s string) string {
	s = strings.ReplaceAll(s, "-", " ")
	if s == "" {
		return "Unknown"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// card draws one study.
func (t *trialsTab) card(m engine.MatchView) fyne.CanvasObject {
	title := widget.NewLabel(m.Title)
	if m.Title == "" {
		title.SetText(m.Study)
	}
	title.TextStyle.Bold = true
	title.SizeName = theme.SizeNameSubHeadingText
	title.Wrapping = fyne.TextWrapWord
	status := ui.NewPill(matchStatusText(m.Status()), ui.ColorTrial, ui.ColorOnTrial)
	head := container.NewBorder(nil, nil, nil, container.NewCenter(status), title)
	var facts []string
	facts = append(facts, m.Study)
	if !m.Since.IsZero() {
		facts = append(facts, "matched here since "+dateTimeText(m.Since, t.pv.e.loc))
	}
	factLabel := widget.NewLabel(strings.Join(facts, " · "))
	factLabel.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(head, factLabel)

	if ev := m.Local; ev != nil {
		box.Add(sectionLabel("Chartline's evaluation"))
		v := widget.NewLabel(trialVerdict(ev))
		v.Wrapping = fyne.TextWrapWord
		v.TextStyle.Bold = true
		box.Add(v)
		box.Add(widget.NewLabel(fmt.Sprintf("%d met · %d not met · %d not evaluable", len(ev.Met), len(ev.NotMet), len(ev.NotEvaluable))))
		// What needs the clinician comes first: criteria not met, then those
		// nobody could evaluate, then those met. Empty groups are left out
		// (the count line above says so).
		if len(ev.NotMet) > 0 {
			box.Add(findingGroup(fmt.Sprintf("Not met (%d)", len(ev.NotMet)), ev.NotMet, theme.CancelIcon(), theme.ColorNameError))
		}
		if len(ev.NotEvaluable) > 0 {
			box.Add(findingGroup(fmt.Sprintf("Not evaluable (%d)", len(ev.NotEvaluable)), ev.NotEvaluable, theme.QuestionIcon(), theme.ColorNameWarning))
		}
		if len(ev.Met) > 0 {
			box.Add(findingGroup(fmt.Sprintf("Criteria met (%d)", len(ev.Met)), ev.Met, theme.ConfirmIcon(), theme.ColorNameSuccess))
		}
	} else {
		box.Add(sectionLabel("Chartline's evaluation"))
		box.Add(emptyLabel("Not matched here: only the upstream system matched the patient, or the study's criteria are not held."))
	}

	box.Add(sectionLabel("Upstream match (trials.matches)"))
	if len(m.Upstream) == 0 {
		box.Add(emptyLabel("No upstream decision yet."))
	}
	for _, u := range m.Upstream {
		l := widget.NewLabel(fmt.Sprintf("%s — ResearchSubject/%s", matchStatusText(u.Status), u.ID))
		l.Wrapping = fyne.TextWrapWord
		box.Add(l)
	}
	return ui.NewCard(box)
}

// trialVerdict is the one-line reading of an evaluation. "Every criterion
// is met" is said only when it is true: nothing not met and nothing not
// evaluable. A key criterion (a condition or biomarker outside an exclusion)
// that could not be evaluated is named first, whatever the rest says, since
// the match rests on it.
func trialVerdict(ev *clinical.Evaluation) string {
	var keyNE []string
	for _, f := range ev.NotEvaluable {
		if f.Key {
			keyNE = append(keyNE, f.Label)
		}
	}
	switch {
	case len(keyNE) > 0:
		return "Not confirmed: a key criterion could not be evaluated (" + strings.Join(keyNE, "; ") + "). Check it before considering the patient."
	case ev.Eligible && len(ev.NotMet) == 0 && len(ev.NotEvaluable) == 0:
		return "Every criterion is met."
	case ev.Eligible && len(ev.NotEvaluable) > 0:
		return "Eligible by the study's rule; check the criteria Chartline could not evaluate."
	case ev.Eligible:
		return "Eligible by the study's rule (the criteria not met are alternatives to ones met)."
	case ev.Match && len(ev.NotEvaluable) > 0:
		return "The key criteria are met; check the ones Chartline could not evaluate."
	case ev.Reason != "":
		return "Not eligible: " + ev.Reason + "."
	}
	return "Not eligible."
}

// findingGroup lists findings under a heading, each with an icon in the
// group's colour, its label, and why.
func findingGroup(heading string, fs []clinical.Finding, icon fyne.Resource, color fyne.ThemeColorName) fyne.CanvasObject {
	h := widget.NewLabel(heading)
	h.TextStyle.Bold = true
	rows := container.New(ui.Lines{}, h)
	if len(fs) == 0 {
		rows.Add(emptyLabel("None."))
	}
	for _, f := range fs {
		text := f.Label
		var marks []string
		if f.Exclusion {
			marks = append(marks, "exclusion")
		}
		if f.Key {
			marks = append(marks, "key criterion")
		}
		if len(marks) > 0 {
			text += " (" + strings.Join(marks, ", ") + ")"
		}
		if f.Why != "" {
			text += " — " + f.Why
		}
		l := widget.NewLabel(text)
		l.Wrapping = fyne.TextWrapWord
		ic := widget.NewIcon(theme.NewColoredResource(icon, color))
		rows.Add(container.NewBorder(nil, nil, container.NewCenter(ic), nil, l))
	}
	return rows
}
