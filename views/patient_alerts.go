package views

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/ui"
)

// patientAlertsTab is the patient's Alerts tab: every alert of the patient,
// most severe and newest first, each as a card with its cause, its history
// and the actions its state allows. A card keeps the note being typed when
// the alert is redrawn.
type patientAlertsTab struct {
	pv *patientView

	cards   map[string]*alertCard
	list    *fyne.Container
	empty   *widget.Label
	content fyne.CanvasObject
}

func newPatientAlertsTab(pv *patientView) patientTabContent {
	t := &patientAlertsTab{pv: pv, cards: map[string]*alertCard{}, list: container.NewVBox()}
	t.empty = emptyLabel("No alerts for this patient. A NEWS2 band rise or an upstream risk assessment raises one.")
	t.content = container.NewVScroll(container.NewPadded(container.NewVBox(t.empty, t.list)))
	return t
}

func (t *patientAlertsTab) object() fyne.CanvasObject { return t.content }

func (t *patientAlertsTab) show(c *chart) { t.showSide(c.Side) }

// showSide draws the alerts.
func (t *patientAlertsTab) showSide(d sideData) {
	keep := map[string]*alertCard{}
	objs := make([]fyne.CanvasObject, 0, len(d.Alerts))
	for _, r := range d.Alerts {
		c := t.cards[r.View.Alert.ID]
		if c == nil {
			c = newAlertCard(t.pv.e, false)
		}
		c.set(r)
		keep[r.View.Alert.ID] = c
		objs = append(objs, c.content)
	}
	t.cards = keep
	t.list.Objects = objs
	t.empty.Hidden = len(objs) > 0
	ui.Reflow(t.content)
}
