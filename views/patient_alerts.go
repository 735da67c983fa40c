package views

import (
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/ui"
)

// patientAlertsTab is the patient's Alerts tab: the patient's current alerts
// (those in the inbox), most severe and newest first, then the patient's
// alert history: past episodes (crossings found in data older than the
// observation window) and upstream risks shown as information, newest first.
// Each is a card with its cause (every value with its time), its episode and
// action history, and the actions its state allows. A card keeps the note
// being typed when the alert is redrawn.
type patientAlertsTab struct {
	pv *patientView

	cards   map[string]*alertCard
	history *widget.Label // heads the past episodes and information
	list    *fyne.Container
	empty   *widget.Label
	content fyne.CanvasObject
}

func newPatientAlertsTab(pv *patientView) patientTabContent {
	t := &patientAlertsTab{pv: pv, cards: map[string]*alertCard{}, list: container.NewVBox(),
		history: sectionLabel("History: past episodes and upstream information (not in the inbox)")}
	t.empty = emptyLabel("No alerts for this patient. A NEWS2 band rise or an upstream risk assessment raises one.")
	t.content = container.NewVScroll(container.NewPadded(container.NewVBox(t.empty, t.list)))
	return t
}

func (t *patientAlertsTab) object() fyne.CanvasObject { return t.content }

func (t *patientAlertsTab) show(c *chart) { t.showSide(c.Side) }

// showSide draws the alerts.
func (t *patientAlertsTab) showSide(d sideData) {
	keep := map[string]*alertCard{}
	objs := make([]fyne.CanvasObject, 0, len(d.Alerts)+1)
	var past []alertRow
	add := func(r alertRow) {
		c := t.cards[r.View.Alert.ID]
		if c == nil {
			c = newAlertCard(t.pv.e, false)
		}
		c.set(r)
		keep[r.View.Alert.ID] = c
		objs = append(objs, c.content)
	}
	for _, r := range d.Alerts {
		if r.View.Inbox() {
			add(r)
		} else {
			past = append(past, r)
		}
	}
	if len(past) > 0 {
		sort.SliceStable(past, func(i, j int) bool { return past[i].View.Alert.Raised.After(past[j].View.Alert.Raised) })
		objs = append(objs, t.history)
		for _, r := range past {
			add(r)
		}
	}
	t.cards = keep
	t.list.Objects = objs
	t.empty.Hidden = len(objs) > 0
	ui.Reflow(t.content)
}
