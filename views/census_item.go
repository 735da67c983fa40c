// The census item: one patient's row on screen, in the census columns.

package views

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/ui"
)

// Census column widths (0 is the flexible name column): score, its age and
// trend, patient, MRN, location, open alerts, trials. Each fixed column
// holds its longest content at 1280×800 ("10 Low-medium", "▲ 59 min ago",
// "KV-100231", "Ward 7B Acute Medicine", "2 High +3", "3 trials"); the name
// column takes the rest (about 280 px at 1280 wide) and ends an unusually
// long name with an ellipsis, never the MRN beside it.
var censusColumns = []float32{132, 150, 0, 104, 212, 118, 76}

// censusRowHeight is a census row's height: one line of body text with a
// little air, so 18 patients fit at 1280×800 and 28 at 1920×1080 under the
// notification strip (issue #13's density). Labels are centred on it at
// their own height, their inner padding overlapping the neighbours'.
func censusRowHeight() float32 {
	return fyne.MeasureText("Mg", theme.TextSize(), fyne.TextStyle{Bold: true}).Height + 2*theme.Padding()
}

// censusItem is one census row on screen: one line.
type censusItem struct {
	widget.BaseWidget
	cursor    *ui.Background
	band      *ui.Pill
	age       *widget.Label
	name      *widget.Label
	mrn       *widget.Label
	loc       *widget.Label
	alerts    *ui.Pill
	more      *widget.Label
	alertsBox *fyne.Container
	trials    *ui.Pill
}

func newCensusItem() *censusItem {
	it := &censusItem{
		cursor: ui.NewBackground(ui.ColorCursor),
		band:   ui.NewBandBadge(),
		age:    widget.NewLabel(""),
		name:   widget.NewLabel(""),
		mrn:    widget.NewLabel(""),
		loc:    widget.NewLabel(""),
		alerts: ui.NewAlertBadge(),
		more:   widget.NewLabel(""),
		trials: ui.NewTrialMarker(),
	}
	it.alerts.MinWidth = 0
	it.alertsBox = container.NewHBox(it.alerts, it.more)
	it.name.Truncation = fyne.TextTruncateEllipsis
	it.loc.Truncation = fyne.TextTruncateEllipsis
	it.cursor.Hidden = true
	it.ExtendBaseWidget(it)
	return it
}

// set draws a row into the item.
//
// Only what changed is set: every Refresh costs a frame's share of the
// idle budget (p9), and a live census re-sets a row on each of its
// patient's records.
func (it *censusItem) set(r censusRow, cursor bool, now time.Time, offline bool) {
	if it.cursor.Hidden != !cursor {
		it.cursor.Hidden = !cursor
		it.cursor.Refresh()
	}
	ui.SetScore(it.band, censusScore(r))
	setLabel(it.age, scoreAgeText(r, now, offline))
	name := r.Name
	if r.Detail != "" {
		name += " · " + r.Detail
	}
	setLabel(it.name, name)
	setLabel(it.mrn, r.MRN)
	setLabel(it.loc, r.Location)
	was := it.alerts.Text
	if r.Worst != "" {
		ui.SetSeverityCount(it.alerts, r.Worst, r.BySev[r.Worst])
	} else {
		ui.SetAlerts(it.alerts, r.Alerts)
	}
	more := alertsMore(r.censusExtra, r.Alerts)
	if was != it.alerts.Text || more != it.more.Text {
		setLabel(it.more, more)
		it.alertsBox.Refresh() // the badge's width follows its text
	}
	ui.SetTrials(it.trials, r.Trials)
}

// CreateRenderer lays the row out in the census columns, one line high.
func (it *censusItem) CreateRenderer() fyne.WidgetRenderer {
	row := container.New(&ui.Columns{Widths: censusColumns, Middle: true, Height: censusRowHeight()},
		it.band, it.age, it.name, it.mrn, it.loc, it.alertsBox, it.trials)
	return widget.NewSimpleRenderer(container.NewStack(it.cursor, row))
}

// setLabel sets a label's text when it differs (SetText always refreshes).
func setLabel(l *widget.Label, text string) {
	if l.Text != text {
		l.SetText(text)
	}
}

// scoreAgeText is how old a score's newest vital sign is, with its trend:
// "▲ 12 min ago". A time ahead of the clock is flagged, never shown as
// fresh.
func scoreAgeText(r censusRow, now time.Time, offline bool) string {
	x := r.censusExtra
	if x.ScoreAt.IsZero() || r.ScoreStatus == clinical.StatusNotApplicable {
		return ""
	}
	age := relativeText(x.ScoreAt, now)
	switch {
	case offline:
		age = "as of " + age
	case r.ScoreStatus == clinical.StatusStale:
		return clinical.AgeWords(x.ScoreAt, now) // the badge says "Stale": this is when the last set was
	case !clinical.ScoreCurrent(r.ScoreStatus):
		return age
	}
	arrow := ""
	switch x.Trend {
	case 1:
		arrow = "▲ " // the bundled Noto Sans draws these triangles; ↑ and ↓ fall back badly
	case -1:
		arrow = "▼ "
	}
	if r.ScoreKind == "pews" {
		return arrow + "PEWS · " + age
	}
	return arrow + age
}

// censusScore is a row's score badge, compact: the next column says its age.
func censusScore(r censusRow) ui.Score {
	s := ui.Score{PEWS: r.ScoreKind == "pews", Band: r.Band, Total: r.Score, Status: r.ScoreStatus, Compact: true, Scored: r.ScoreParams, Of: 7}
	switch {
	case r.ScoreStatus == "" && r.Band == clinical.BandNone:
		s.Status = clinical.StatusInsufficient // never scored
	case r.ScoreStatus == clinical.StatusNotApplicable:
		s.NotApplicable = "No score (n/a)"
		if strings.Contains(r.Detail, "deceased") {
			s.NotApplicable = "Deceased"
		}
	}
	return s
}

// alertsText is the open alerts of a row after the worst one's badge: "+2"
// more of lower severity.
func alertsMore(x censusExtra, total int) string {
	if x.Worst == "" {
		return ""
	}
	if n := total - x.BySev[x.Worst]; n > 0 {
		return fmt.Sprintf("+%d", n)
	}
	return ""
}
