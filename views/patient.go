package views

import (
	"errors"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// patientTab is one tab of the patient view. Screens II adds Trends, Alerts
// and Trials as entries here.
type patientTab struct {
	Title string
	Icon  fyne.Resource
	New   func(pv *patientView) patientTabContent
}

// patientTabContent is a tab's content: it draws each new chart (on the UI
// goroutine).
type patientTabContent interface {
	object() fyne.CanvasObject
	show(c *chart)
}

// patientTabs are the patient view's tabs, in order.
var patientTabs = []patientTab{
	{Title: "Summary", Icon: theme.ListIcon(), New: newSummaryTab},
	{Title: "Timeline", Icon: theme.HistoryIcon(), New: newTimelineTab},
}

// Tab indexes used by the view itself.
const (
	tabSummary  = 0
	tabTimeline = 1
)

// patientView is the single patient view: a banner that stays visible
// (name, age, sex, birth date, MRN, NEWS2 band, open alerts, trial matches,
// allergies) over the tabs.
type patientView struct {
	e  *env
	id string

	// loads orders chart loads: only a load newer than the one shown is drawn.
	loadMu  sync.Mutex
	loadSeq uint64

	// UI goroutine only.
	shownSeq uint64
	chart    *chart
	stop     func()

	back     *widget.Button
	name     *widget.Label
	facts    *widget.Label
	band     *ui.Pill
	alerts   *ui.Pill
	trials   *ui.Pill
	allergy  *ui.AllergyStrip
	loading  *widget.Label
	tabs     *container.AppTabs
	contents []patientTabContent
	content  fyne.CanvasObject
}

// openPatient opens a patient's chart over the current screen and records
// the chart open (the engine writes the AuditEvent).
func (e *env) openPatient(id string) {
	pv := newPatientView(e, id)
	e.patient = pv
	e.shell.Push(pv.page())
	if eng := e.engine; eng != nil {
		e.async(func() {
			if err := eng.ChartOpened(id); err != nil {
				// The error may name the patient: log only that it failed.
				e.log.Error("could not record a chart-open audit event")
			}
		})
	}
}

func newPatientView(e *env, id string) *patientView {
	pv := &patientView{
		e: e, id: id,
		name:    widget.NewLabel(""),
		facts:   widget.NewLabel(""),
		band:    ui.NewBandBadge(),
		alerts:  ui.NewAlertBadge(),
		trials:  ui.NewTrialMarker(),
		allergy: ui.NewAllergyStrip(),
		loading: widget.NewLabel("Opening the chart…"),
	}
	pv.back = widget.NewButtonWithIcon("Back", theme.NavigateBackIcon(), func() { e.shell.Back() })
	pv.name.TextStyle.Bold = true
	pv.name.SizeName = theme.SizeNameHeadingText
	pv.name.Truncation = fyne.TextTruncateEllipsis
	pv.facts.Truncation = fyne.TextTruncateEllipsis
	pv.band.Large = true
	pv.alerts.Large = true
	pv.trials.Large = true

	pv.tabs = container.NewAppTabs()
	for _, t := range patientTabs {
		c := t.New(pv)
		pv.contents = append(pv.contents, c)
		pv.tabs.Append(container.NewTabItemWithIcon(t.Title, t.Icon, c.object()))
	}
	who := container.New(ui.Lines{}, pv.name, pv.facts)
	badges := container.NewHBox(container.NewCenter(pv.band), container.NewCenter(pv.alerts), container.NewCenter(pv.trials))
	top := container.NewBorder(nil, nil, container.NewCenter(pv.back), badges, who)
	banner := container.NewVBox(top, pv.allergy)
	bannerBox := container.NewStack(ui.NewBackground(ui.ColorCard), container.NewPadded(banner))
	body := container.NewStack(pv.tabs, container.NewCenter(pv.loading))
	pv.tabs.Hide()
	pv.content = container.NewBorder(bannerBox, nil, nil, nil, body)

	pv.stop = e.live.listen(pv.changed)
	pv.reload()
	return pv
}

// page is the patient view as a shell page over the census.
func (pv *patientView) page() *ui.Page {
	tl := pv.contents[tabTimeline].(*timelineTab)
	return &ui.Page{
		Title: "Patient", Content: pv.content, Search: tl.filter,
		OnSearch: func() { pv.tabs.SelectIndex(tabTimeline) },
		OnClose:  pv.close,
	}
}

// close stops following changes once the view is popped.
func (pv *patientView) close() {
	if pv.e.patient == pv {
		pv.e.patient = nil
	}
	if pv.stop != nil {
		pv.stop()
		pv.stop = nil
	}
}

// changed reloads the chart when a change notice names this patient: its
// resources, its status, or its engine documents (NEWS2, alerts, matches).
func (pv *patientView) changed(c store.Change) {
	if c.Collections[pv.id] != nil || c.Statuses[pv.id] || c.DocPatients[pv.id] {
		pv.load()
	}
}

// reload loads the chart off the UI goroutine.
func (pv *patientView) reload() { pv.e.async(pv.load) }

// load builds the chart from one snapshot and hands it to the UI goroutine;
// a load that finishes after a newer one is dropped.
func (pv *patientView) load() {
	pv.loadMu.Lock()
	pv.loadSeq++
	seq := pv.loadSeq
	pv.loadMu.Unlock()
	var c *chart
	err := pv.e.store.View(func(r *store.Reader) error {
		var err error
		c, err = loadChart(r, pv.id, pv.e.now(), pv.e.news2)
		return err
	})
	pv.e.do(func() {
		if seq <= pv.shownSeq {
			return
		}
		pv.shownSeq = seq
		if err != nil {
			pv.e.log.Error("read a patient's chart", "err", errorClass(err))
			pv.loading.SetText("The chart could not be read: " + err.Error())
			pv.loading.Show()
			return
		}
		pv.show(c)
	})
}

// show draws a chart: banner and every tab.
func (pv *patientView) show(c *chart) {
	pv.chart = c
	pv.loading.Hide()
	pv.tabs.Show()
	pv.name.SetText(patientName(c.Patient))
	pv.facts.SetText(bannerFacts(c, pv.e))
	ui.SetBand(pv.band, c.NEWS2.Band, c.NEWS2.Total)
	ui.SetAlerts(pv.alerts, c.Entry.Status.OpenAlerts)
	ui.SetTrials(pv.trials, c.Entry.Status.Matches)
	pv.allergy.SetAllergies(c.Allergy, c.Allergies)
	for _, t := range pv.contents {
		t.show(c)
	}
}

// bannerFacts is the banner's second line: "68 y · Male · born 14 Mar 1958 ·
// MRN KV-100231".
func bannerFacts(c *chart, e *env) string {
	p := c.Patient
	if p == nil {
		if !c.Found {
			return "Nothing is stored for this patient."
		}
		return "The Patient record has not arrived yet; other records have."
	}
	var parts []string
	if a := ageText(p.BirthDate, e.now()); a != "" {
		parts = append(parts, a)
	}
	parts = append(parts, sexText(p.Sex))
	if p.BirthDate != "" {
		parts = append(parts, "born "+birthDateText(p.BirthDate))
	}
	if p.MRN != "" {
		parts = append(parts, "MRN "+p.MRN)
	}
	if p.Deceased {
		parts = append(parts, "deceased")
	}
	return strings.Join(parts, " · ")
}

// openInTimeline switches to the timeline with a record selected.
func (pv *patientView) openInTimeline(ref store.Ref) {
	pv.tabs.SelectIndex(tabTimeline)
	pv.contents[tabTimeline].(*timelineTab).selectRef(ref)
}

// showTimeline switches to the timeline tab.
func (pv *patientView) showTimeline(_ string) { pv.tabs.SelectIndex(tabTimeline) }

// errorClass names an error by the store sentinel it wraps, for logs that
// must not carry patient data.
func errorClass(err error) string {
	for _, s := range []error{store.ErrTampered, store.ErrClosed, store.ErrCorrupt, store.ErrNotFound} {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	return "other error"
}
