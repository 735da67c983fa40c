package views

import (
	"fmt"
	"math"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/ui"
)

// alertRow is one alert as the screens show it: the engine's view with the
// patient's name and MRN.
type alertRow struct {
	View engine.AlertView
	Name string
	MRN  string
	fold string // folded title, name and MRN, for the inbox filter
}

// state is the alert's lifecycle state.
func (a *alertRow) state() string { return a.View.Status() }

// queued reports whether an action on it waits to be published.
func (a *alertRow) queued() bool { return len(a.View.Queued) > 0 }

// alertVerbs are the actions a user takes on an alert, in button order, with
// their key (the inbox's keyboard) and the words of the history.
var alertVerbs = []struct {
	Verb, Label, Done string
	Key               fyne.KeyName
}{
	{clinical.VerbAcknowledge, "Acknowledge", "Acknowledged", fyne.KeyA},
	{clinical.VerbEscalate, "Escalate", "Escalated", fyne.KeyE},
	{clinical.VerbResolve, "Resolve", "Resolved", fyne.KeyR},
	{clinical.VerbReopen, "Reopen", "Reopened", fyne.KeyO},
	{clinical.VerbNote, "Add note", "Note", ""},
}

// verbDone is a verb in the history's words: "Acknowledged".
func verbDone(verb string) string {
	if verb == clinical.VerbRenew {
		return "New again"
	}
	for _, v := range alertVerbs {
		if v.Verb == verb {
			return v.Done
		}
	}
	return verb
}

// alertCard shows one alert whole: severity, title and state; the patient;
// the cause (the NEWS2 breakdown, or the upstream source); the history of
// who did what, when and where; and the actions the state allows, with a
// note. The inbox shows one in its detail pane; the patient's Alerts tab one
// per alert. Actions go through the engine, the only writer.
type alertCard struct {
	e      *env
	row    alertRow
	hasRow bool
	// withPatient shows the patient and an "Open chart" button (the inbox).
	withPatient bool

	severity *ui.Pill
	state    *ui.Pill
	title    *widget.Label
	facts    *widget.Label
	open     *widget.Button
	cause    *fyne.Container
	history  *fyne.Container
	note     *ui.NoteEntry
	buttons  map[string]*widget.Button
	message  *widget.Label
	box      *fyne.Container
	content  fyne.CanvasObject
	// actions holds the note, the buttons and the message; the inbox pins
	// it under the scrolling card (pinActions) so the buttons never fall
	// below the fold.
	actions *fyne.Container
	// onActed is called after an action is saved (the inbox moves on to
	// the next alert).
	onActed func(alertID, verb string)
}

func newAlertCard(e *env, withPatient bool) *alertCard {
	c := &alertCard{
		e: e, withPatient: withPatient,
		severity: ui.NewSeverityBadge(),
		state:    ui.NewStateBadge(),
		title:    widget.NewLabel(""),
		facts:    widget.NewLabel(""),
		cause:    container.New(ui.Lines{}),
		history:  container.New(ui.Lines{}),
		message:  widget.NewLabel(""),
		buttons:  map[string]*widget.Button{},
	}
	c.title.TextStyle.Bold = true
	c.title.SizeName = theme.SizeNameSubHeadingText
	c.title.Wrapping = fyne.TextWrapWord
	c.facts.Wrapping = fyne.TextWrapWord
	c.message.Wrapping = fyne.TextWrapWord
	c.message.Importance = widget.DangerImportance
	c.message.Hide()
	c.open = widget.NewButtonWithIcon("Open chart", theme.AccountIcon(), func() {
		if c.hasRow {
			e.openPatient(c.row.View.Alert.Patient)
		}
	})
	c.note = ui.NewNoteEntry("Note for the next action (Ctrl+Enter adds it alone)")
	c.note.SetMinRowsVisible(2)
	c.note.OnSubmit = func(string) { c.act(clinical.VerbNote) }
	c.note.OnEscape = func() { e.win.Canvas().Unfocus() }
	var bs []fyne.CanvasObject
	for _, v := range alertVerbs {
		verb := v.Verb
		label := v.Label
		if v.Key != "" && withPatient { // the inbox's keys
			label += " (" + string(v.Key) + ")"
		}
		b := widget.NewButton(label, func() { c.act(verb) })
		c.buttons[verb] = b
		bs = append(bs, b)
	}
	c.buttons[clinical.VerbAcknowledge].Importance = widget.HighImportance
	c.buttons[clinical.VerbEscalate].Importance = widget.DangerImportance

	head := container.NewBorder(nil, nil, container.NewCenter(c.severity), container.NewCenter(c.state), c.title)
	patientLine := container.NewBorder(nil, nil, nil, container.NewCenter(c.open), c.facts)
	if !withPatient {
		c.open.Hide()
	}
	c.actions = container.NewVBox(c.note, container.NewGridWrap(fyne.NewSize(150, 40), bs...), c.message)
	c.box = container.NewVBox(
		head, patientLine,
		container.New(ui.Lines{}, sectionLabel("Cause"), c.cause),
		container.New(ui.Lines{}, sectionLabel("History"), c.history),
		c.actions,
	)
	c.content = ui.NewCard(c.box)
	return c
}

func sectionLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle.Bold = true
	return l
}

// set shows an alert. A note being typed stays when the same alert is
// shown again (a live update), and is cleared for another alert.
func (c *alertCard) set(row alertRow) {
	if !c.hasRow || c.row.View.Alert.ID != row.View.Alert.ID {
		c.note.SetText("")
		c.message.Hide()
	}
	c.row, c.hasRow = row, true
	a := row.View.Alert
	ui.SetSeverity(c.severity, a.Severity)
	switch row.state() {
	case clinical.StatePast:
		c.state.Set("Past episode", ui.ColorStateDone, ui.ColorOnState)
	case clinical.StateCleared:
		c.state.Set("Cleared", ui.ColorStateDone, ui.ColorOnState)
	case clinical.StateInformation:
		c.state.Set("Information", ui.ColorStateDone, ui.ColorOnState)
	default:
		ui.SetState(c.state, row.state(), row.queued())
	}
	c.title.SetText(alertTitle(a))
	var facts []string
	if c.withPatient {
		who := row.Name
		if row.MRN != "" {
			who += " · MRN " + row.MRN
		}
		facts = append(facts, who)
	}
	// Raised is the time of the data that caused it, so an old reading
	// shows its age here.
	facts = append(facts, "raised "+dateTimeText(a.Raised, c.e.loc))
	switch {
	case a.Kind == clinical.KindRisk && a.Info:
		facts = append(facts, "upstream risk, for information")
	case a.Kind == clinical.KindRisk:
		facts = append(facts, "upstream risk")
	case a.Past:
		facts = append(facts, "past episode (history, not current data)")
	default:
		facts = append(facts, strings.ToUpper(a.Kind)+" episode")
	}
	c.facts.SetText(strings.Join(facts, " · "))
	c.cause.Objects = causeObjects(a, c.e.now(), c.e.loc)
	c.history.Objects = c.historyObjects(row)
	state := row.state()
	for _, v := range alertVerbs {
		b := c.buttons[v.Verb]
		if c.e.engine == nil || clinical.Legal(state, v.Verb) != nil {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	ui.Reflow(c.box)
}

// alertTitle is the alert's title as a clinician reads it: "NEWS2 9: High".
func alertTitle(a clinical.Alert) string {
	if a.Kind == clinical.KindNEWS2 && a.Cause.Band != "" {
		t := fmt.Sprintf("NEWS2 %d: %s", a.Cause.Score, ui.BandLabel(a.Cause.Band))
		if !a.Cause.Complete {
			t += " (partial score)"
		}
		return t
	}
	return a.Title
}

// causeColumns keep a NEWS2 sub-score beside its parameter's name, and the
// value scored with its time after them.
var causeColumns = []float32{230, 36, 360}

// causeObjects explains why the alert was raised: the NEWS2 band rise with
// each parameter's sub-score, or the upstream assessment and its source;
// times are local (loc), with the date when not today.
func causeObjects(a clinical.Alert, now time.Time, loc *time.Location) []fyne.CanvasObject {
	c := a.Cause
	var out []fyne.CanvasObject
	text := func(s string) {
		l := widget.NewLabel(s)
		l.Wrapping = fyne.TextWrapWord
		out = append(out, l)
	}
	if a.Kind == clinical.KindRisk {
		text("From " + c.Source)
		var parts []string
		if c.Outcome != "" {
			parts = append(parts, "outcome: "+c.Outcome)
		}
		if c.QualitativeRisk != "" {
			parts = append(parts, "risk: "+c.QualitativeRisk)
		}
		if c.Probability != nil {
			parts = append(parts, fmt.Sprintf("probability: %s %%", numberText(math.Round(*c.Probability*1000)/10)))
		}
		if len(parts) > 0 {
			text(strings.Join(parts, " · "))
		}
		if c.Horizon != "" {
			text("Horizon: " + c.Horizon)
		}
		if c.Occurred != nil {
			text("Assessed " + dateTimeText(*c.Occurred, loc))
		}
		if len(c.Predictions) > 1 {
			for i, p := range c.Predictions {
				line := fmt.Sprintf("Prediction %d: %s", i+1, p.Outcome)
				if p.QualitativeRisk != "" {
					line += " · " + p.QualitativeRisk
				}
				if p.Probability != nil {
					line += fmt.Sprintf(" · %s %%", numberText(math.Round(*p.Probability*1000)/10))
				}
				if p.Horizon != "" {
					line += " · " + p.Horizon
				}
				text(line)
			}
		}
		if a.Info && c.Why != "" {
			l := widget.NewLabel("Information, not an inbox alert: " + c.Why)
			l.Wrapping = fyne.TextWrapWord
			l.Importance = widget.WarningImportance
			out = append(out, l)
		}
		if c.Assessment != "" {
			text("Assessment " + c.Assessment)
		}
		return out
	}
	readings := map[string]clinical.CauseReading{}
	for _, rd := range c.Readings {
		readings[rd.Parameter] = rd
	}
	prev := ui.BandLabel(c.PrevBand)
	if c.PrevBand == "" || c.PrevBand == clinical.BandNone {
		prev = "no score"
	}
	line := fmt.Sprintf("NEWS2 rose to %d (%s) from %s · SpO2 scale %d", c.Score, ui.BandLabel(c.Band), strings.ToLower(prev), max(1, c.Scale))
	text(line)
	rows := container.New(ui.Lines{})
	for _, p := range clinical.Parameters() {
		name := widget.NewLabel(parameterLabels[p])
		var score *ui.Pill
		if s, ok := c.Subscores[string(p)]; ok {
			bg, fg := scoreColors(s)
			score = ui.NewPill(fmt.Sprint(s), bg, fg)
		} else {
			score = ui.NewPill("–", ui.ColorNEWS2Missing, ui.ColorOnNEWS2Missing)
		}
		score.MinWidth = 36
		value := widget.NewLabel("")
		if rd, ok := readings[string(p)]; ok {
			value.SetText(causeReadingText(rd) + " · " + clockText(rd.Time, now, loc))
		}
		rows.Add(container.New(ui.NewMiddleColumns(causeColumns...), name, score, value))
	}
	out = append(out, rows)
	if len(c.Missing) > 0 {
		var names []string
		for _, m := range c.Missing {
			names = append(names, parameterLabels[clinical.Parameter(m)])
		}
		l := widget.NewLabel("Missing: " + strings.Join(names, ", "))
		l.Importance = widget.WarningImportance
		l.Wrapping = fyne.TextWrapWord
		out = append(out, l)
	}
	return out
}

// historyObjects lists who did what, when and where, oldest first: the
// alert's raising, then each action; an action saved here and not yet
// published says "queued".
func (c *alertCard) historyObjects(row alertRow) []fyne.CanvasObject {
	queued := map[string]bool{}
	for _, q := range row.View.Queued {
		queued[q.ID] = true
	}
	var out []fyne.CanvasObject
	a := row.View.Alert
	raised := widget.NewLabel(dateTimeText(a.Raised, c.e.loc) + " — Raised")
	if ep := a.Episode; ep != nil && len(ep.Rises) > 0 {
		raised.SetText(fmt.Sprintf("%s — Raised: %s %d (%s)", dateTimeText(ep.Rises[0].At, c.e.loc), strings.ToUpper(a.Kind), ep.Rises[0].Score, ui.BandLabel(ep.Rises[0].Band)))
	}
	out = append(out, raised)
	if ep := a.Episode; ep != nil {
		for _, r := range ep.Rises[min(1, len(ep.Rises)):] {
			out = append(out, widget.NewLabel(fmt.Sprintf("%s — Rose to %s %d (%s)", dateTimeText(r.At, c.e.loc), strings.ToUpper(a.Kind), r.Score, ui.BandLabel(r.Band))))
		}
		if ep.Cleared != nil {
			out = append(out, widget.NewLabel(fmt.Sprintf("%s — Cleared: a sustained fall below its trigger band (latest %s %d, %s)",
				dateTimeText(*ep.Cleared, c.e.loc), strings.ToUpper(a.Kind), ep.Latest.Score, ui.BandLabel(ep.Latest.Band))))
		} else if ep.Lapsed {
			out = append(out, widget.NewLabel(fmt.Sprintf("%s — Last set before a gap in the data: %s %d (%s)", dateTimeText(ep.Latest.At, c.e.loc), strings.ToUpper(a.Kind), ep.Latest.Score, ui.BandLabel(ep.Latest.Band))))
		} else if len(ep.Rises) > 0 {
			out = append(out, widget.NewLabel(fmt.Sprintf("%s — Latest set: %s %d (%s)", dateTimeText(ep.Latest.At, c.e.loc), strings.ToUpper(a.Kind), ep.Latest.Score, ui.BandLabel(ep.Latest.Band))))
		}
	}
	for _, st := range row.View.State.Steps() {
		text := fmt.Sprintf("%s — %s by %s at %s", dateTimeText(st.At, c.e.loc), verbDone(st.Verb), st.By, st.Workstation)
		if st.Note != "" {
			text += ": “" + st.Note + "”"
		}
		if !st.Effective {
			text += " (no effect: it was already " + ui.StateLabel(st.From) + ")"
		}
		if queued[st.ID] {
			text += " · queued, not yet published"
		}
		l := widget.NewLabel(text)
		l.Wrapping = fyne.TextWrapWord
		if queued[st.ID] {
			l.Importance = widget.WarningImportance
		}
		out = append(out, l)
	}
	return out
}

// act takes an action on the shown alert through the engine, with the note
// typed; an illegal transition or a failed write is shown, and the note
// stays. The change notice the engine's write raises redraws the card.
func (c *alertCard) act(verb string) {
	if !c.hasRow || c.e.engine == nil {
		return
	}
	if b := c.buttons[verb]; b != nil && b.Disabled() {
		return
	}
	note := strings.TrimSpace(c.note.Text)
	if verb == clinical.VerbNote && note == "" {
		c.showError("Type a note first.")
		return
	}
	if needsReason(c.row.View.Alert, verb) && note == "" {
		askReason(c.e, c.row.View.Alert, func(reason string) {
			c.note.SetText(reason)
			c.act(verb)
		})
		return
	}
	a := c.row.View.Alert
	eng := c.e.engine
	c.e.async(func() {
		_, err := eng.Act(a.Patient, a.ID, verb, note)
		c.e.do(func() {
			if err != nil {
				c.showError("Could not " + strings.ToLower(verbLabel(verb)) + ": " + err.Error())
				return
			}
			if c.row.View.Alert.ID == a.ID {
				c.note.SetText("")
				c.message.Hide()
			}
			if c.onActed != nil {
				c.onActed(a.ID, verb)
			}
		})
	})
}

func verbLabel(verb string) string {
	for _, v := range alertVerbs {
		if v.Verb == verb {
			return v.Label
		}
	}
	return verb
}

func (c *alertCard) showError(msg string) {
	c.message.SetText(msg)
	c.message.Show()
	ui.Reflow(c.box)
}

// causeReadingText is a scored value as the chart writes it, its UCUM unit
// for people (record.HumanUnit): "26 /min", "100 mmHg", "38.7 °C", "C",
// "oxygen 4 L/min".
func causeReadingText(rd clinical.CauseReading) string {
	switch {
	case rd.Assumed:
		return "air (assumed)"
	case rd.Parameter == string(clinical.Consciousness) && rd.Code != "":
		return rd.Code
	case rd.Parameter == string(clinical.AirOrOxygen):
		if rd.Code == "air" {
			return "air"
		}
		return strings.TrimSpace("oxygen " + numberText(rd.Value) + " " + record.HumanUnit(rd.Unit))
	}
	return strings.TrimSpace(numberText(rd.Value) + " " + record.HumanUnit(rd.Unit))
}
