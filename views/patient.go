package views

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// patientTab is one tab of the patient view. Screens II adds Trends, Alerts
// and Trials as entries here.
type patientTab struct {
	Title string
	Icon  func() fyne.Resource // a theme icon, looked up once the app runs
	New   func(pv *patientView) patientTabContent
	// InView marks a tab drawn only when it comes into view: while hidden
	// it keeps the last drawing asked of it, so opening a chart does not
	// lay out alert cards and studies no one is looking at (the ICU chart's
	// history of alerts took a tenth of the time to open it).
	InView bool
}

// patientTabContent is a tab's content: it draws each new chart (on the UI
// goroutine).
type patientTabContent interface {
	object() fyne.CanvasObject
	show(c *chart)
}

// tabSelected is a tab that wants to know when it comes into view (the
// trends build their series only then).
type tabSelected interface{ selected() }

// draw runs a tab's drawing now when the tab is in view or draws whatever
// it is asked (patientTab.InView), else when it comes into view.
func (pv *patientView) draw(i int, fn func()) {
	if patientTabs[i].InView && i != pv.tabs.SelectedIndex() {
		pv.pending[i] = fn
		return
	}
	delete(pv.pending, i)
	fn()
}

// sideShower is a tab that also draws the engine's documents alone, when
// only they changed (alerts, matches).
type sideShower interface{ showSide(d sideData) }

// patientTabs are the patient view's tabs, in order.
var patientTabs = []patientTab{
	{Title: "Summary", Icon: theme.ListIcon, New: newSummaryTab},
	{Title: "Timeline", Icon: theme.HistoryIcon, New: newTimelineTab},
	{Title: "Trends", Icon: theme.GridIcon, New: newTrendsTab},
	{Title: "Alerts", Icon: theme.WarningIcon, New: newPatientAlertsTab, InView: true},
	{Title: "Trials", Icon: theme.InfoIcon, New: newTrialsTab, InView: true},
}

// Tab indexes used by the view itself.
const (
	tabSummary  = 0
	tabTimeline = 1
	tabTrends   = 2
	tabAlerts   = 3
	tabTrials   = 4
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
	// modelMu guards model, the newest chart read (loaded or patched): the
	// base of the next patch. It is held across the store read, so reads
	// and their sequence numbers follow one order.
	modelMu sync.Mutex
	model   *chart

	// UI goroutine only.
	shownSeq uint64 // the newest full load drawn
	sideSeq  uint64 // the newest side load (alerts, matches, audit) drawn
	chart    *chart
	stop     func()

	back     *widget.Button
	name     *widget.Label
	facts    *widget.Label
	band     *ui.Pill
	alerts   *ui.Pill
	trials   *ui.Pill
	allergy  *ui.AllergyStrip
	audit    *widget.RichText
	loading  *widget.Label
	tabs     *container.AppTabs
	contents []patientTabContent
	// pending holds, for a hidden tab that draws only in view (InView),
	// the drawing it was last asked for; selecting the tab runs it.
	pending map[int]func()
	closed  bool // the view was closed (UI goroutine)
	// bannerBox is the banner with its background, at the top of content.
	bannerBox *fyne.Container
	content   *fyne.Container // the banner over the tabs
}

// openPatientTab opens a patient's chart on one of its tabs.
func (e *env) openPatientTab(id string, tab int) {
	e.openPatient(id)
	if pv := e.patient; pv != nil && pv.id == id && tab >= 0 && tab < len(pv.contents) {
		pv.tabs.SelectIndex(tab)
	}
}

// openPatient opens a patient's chart over the current screen and records
// the chart open (the engine writes the AuditEvent).
func (e *env) openPatient(id string) {
	e.notifier.clearPatient(id) // their banners have done their work
	pv := newPatientView(e, id)
	e.patient = pv
	e.shell.Push(pv.page())
	// Read once the page is up ("Opening the chart…"), so the shell lays out
	// an empty view and the chart is drawn once, whether the read is
	// asynchronous (the app) or not (tests).
	pv.reload()
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
		audit:   widget.NewRichText(),
		loading: widget.NewLabel("Opening the chart…"),
	}
	pv.audit.Truncation = fyne.TextTruncateEllipsis
	pv.back = widget.NewButtonWithIcon("Back", theme.NavigateBackIcon(), func() { e.shell.Back() })
	pv.name.TextStyle.Bold = true
	pv.name.SizeName = theme.SizeNameHeadingText
	pv.name.Truncation = fyne.TextTruncateEllipsis
	pv.facts.Wrapping = fyne.TextWrapWord // weight and location follow the MRN: nothing is cut
	pv.band.Large = true
	pv.alerts.Large = true
	pv.trials.Large = true
	// Until the chart is read nothing is known: no "No score", no
	// "Allergies not recorded" flashing before the real ones.
	pv.band.Hide()
	pv.allergy.Hide()

	items := make([]*container.TabItem, 0, len(patientTabs))
	for _, t := range patientTabs {
		c := t.New(pv)
		pv.contents = append(pv.contents, c)
		items = append(items, container.NewTabItemWithIcon(t.Title, t.Icon(), c.object()))
	}
	pv.tabs = container.NewAppTabs(items...) // at once: each Append lays the tabs out again
	pv.pending = map[int]func(){}
	pv.tabs.OnSelected = func(*container.TabItem) {
		i := pv.tabs.SelectedIndex()
		if fn := pv.pending[i]; fn != nil {
			delete(pv.pending, i)
			fn()
		}
		if s, ok := pv.contents[i].(tabSelected); ok {
			s.selected()
		}
	}
	who := container.New(ui.Lines{}, pv.name, pv.facts, pv.audit)
	badges := container.NewHBox(container.NewCenter(pv.band), container.NewCenter(pv.alerts), container.NewCenter(pv.trials), container.NewCenter(newExportButton(pv)))
	top := container.NewBorder(nil, nil, container.NewCenter(pv.back), badges, who)
	banner := container.NewVBox(top, pv.allergy)
	pv.bannerBox = container.NewStack(ui.NewBackground(ui.ColorCard), container.NewPadded(banner))
	body := container.NewStack(pv.tabs, container.NewCenter(pv.loading))
	pv.tabs.Hide()
	pv.content = container.NewBorder(pv.bannerBox, nil, nil, nil, body)

	pv.stop = e.live.listen(pv.changed)
	return pv
}

// page is the patient view as a shell page over the census.
func (pv *patientView) page() *ui.Page {
	tl := pv.contents[tabTimeline].(*timelineTab)
	return &ui.Page{
		Title: "Patient", Content: pv.content, Search: tl.filter,
		OnSearch: func() { pv.tabs.SelectIndex(tabTimeline) },
		OnClose:  pv.close,
		SelectTab: func(i int) {
			if i < len(pv.contents) {
				pv.tabs.SelectIndex(i)
			}
		},
	}
}

// close stops following changes once the view is popped.
//
// It also lets the chart go: Fyne keeps a closed view's widget renderers
// (and through their callbacks the view) for a minute, and a chart of
// 20,000 entries held that long by every chart opened made the collector
// scan a few hundred megabytes after a dozen opens.
func (pv *patientView) close() {
	if pv.e.patient == pv {
		pv.e.patient = nil
	}
	if pv.stop != nil {
		pv.stop()
		pv.stop = nil
	}
	pv.closed = true
	pv.modelMu.Lock()
	pv.model = nil
	pv.modelMu.Unlock()
	pv.chart = nil
	clear(pv.pending)
	for _, t := range pv.contents {
		if r, ok := t.(releaser); ok {
			r.release()
		}
	}
}

// releaser is a tab that holds chart data to let go when the view closes.
type releaser interface{ release() }

// changed reloads the chart when a change notice names this patient: its
// resources, its status, or its engine documents (NEWS2, alerts, matches).
// When only the outbox moved (a queued action published) or another
// workstation's audit events arrived, it re-reads the engine's documents
// alone, not the whole chart.
//
// A change that names its resources (store.Change.Keys) patches the open
// chart: only they are re-read and only what they touch is redrawn
// (chart_patch.go). One that lists too many to name reloads the chart.
func (pv *patientView) changed(c store.Change) {
	switch {
	case c.Collections[pv.id] != nil || c.Statuses[pv.id] || c.DocPatients[pv.id]:
		refs, named := c.Keys[pv.id]
		if c.Collections[pv.id] != nil && !named {
			pv.load()
			return
		}
		pv.update(refs, c.Statuses[pv.id] || c.DocPatients[pv.id])
	case c.Outbox || c.Collections[store.Audit] != nil:
		pv.loadSide()
	}
}

// update patches the chart with the resources refs names and, when side,
// re-reads the engine's documents; with no chart read yet it loads.
func (pv *patientView) update(refs []store.Ref, side bool) {
	pv.modelMu.Lock()
	base := pv.model
	if base == nil {
		pv.modelMu.Unlock()
		pv.load()
		return
	}
	pv.loadMu.Lock()
	pv.loadSeq++
	seq := pv.loadSeq
	pv.loadMu.Unlock()
	var c *chart
	var p *chartPatch
	err := pv.e.store.View(func(r *store.Reader) error {
		var err error
		if c, p, err = base.patched(r, refs, pv.e.now(), pv.e.news2Options()); err != nil {
			return err
		}
		c.Offline = pv.e.offline.Load()
		if side {
			c.Side, err = loadSide(r, pv.id, pv.e.now())
		}
		return err
	})
	if err == nil {
		pv.model = c
	}
	pv.modelMu.Unlock()
	pv.e.do(func() {
		if !pv.accept(seq, c, err) {
			return
		}
		pv.showPatch(c, p)
	})
}

// accept reports whether a chart read as seq is to be drawn: it is newer
// than the one shown and was read. A failed read says so in the view; an
// engine document that could not be read is logged.
func (pv *patientView) accept(seq uint64, c *chart, err error) bool {
	if seq <= pv.shownSeq || pv.closed {
		return false
	}
	pv.shownSeq = seq
	if err != nil {
		pv.e.log.Error("read a patient's chart", "err", errorClass(err))
		pv.loading.SetText("The chart could not be read: " + err.Error())
		pv.loading.Show()
		return false
	}
	if seq < pv.sideSeq && pv.chart != nil {
		c.Side = pv.chart.Side // a side load after this one read newer documents
	}
	if c.EngineErr != nil {
		// The chart shows the score scored here from the vital signs.
		pv.e.log.Error("read the engine's score for a chart", "err", errorClass(c.EngineErr))
	}
	return true
}

// loadSide re-reads the alerts, matches and chart opens and draws them.
func (pv *patientView) loadSide() {
	pv.modelMu.Lock()
	pv.loadMu.Lock()
	pv.loadSeq++
	seq := pv.loadSeq
	pv.loadMu.Unlock()
	var d sideData
	err := pv.e.store.View(func(r *store.Reader) error {
		var err error
		d, err = loadSide(r, pv.id, pv.e.now())
		return err
	})
	if err == nil && pv.model != nil {
		m := *pv.model // the next patch starts from these documents
		m.Side = d
		pv.model = &m
	}
	pv.modelMu.Unlock()
	pv.e.do(func() {
		if seq <= pv.shownSeq || seq <= pv.sideSeq || pv.chart == nil || pv.closed {
			return
		}
		pv.sideSeq = seq
		if err != nil {
			pv.e.log.Error("read a patient's alerts", "err", errorClass(err))
			return
		}
		shown := *pv.chart // never mutated: the trends may be reading it
		shown.Side = d
		pv.chart = &shown
		pv.showAudit(d)
		for i, t := range pv.contents {
			if s, ok := t.(sideShower); ok {
				pv.draw(i, func() { s.showSide(d) })
			}
		}
	})
}

// reload loads the chart off the UI goroutine.
func (pv *patientView) reload() { pv.e.async(pv.load) }

// load builds the chart from one snapshot and hands it to the UI goroutine;
// a load that finishes after a newer one is dropped.
func (pv *patientView) load() {
	pv.modelMu.Lock()
	pv.loadMu.Lock()
	pv.loadSeq++
	seq := pv.loadSeq
	pv.loadMu.Unlock()
	var c *chart
	err := pv.e.store.View(func(r *store.Reader) error {
		var err error
		if c, err = loadChart(r, pv.id, pv.e.now(), pv.e.news2Options()); err != nil {
			return err
		}
		c.Offline = pv.e.offline.Load()
		c.Side, err = loadSide(r, pv.id, pv.e.now())
		return err
	})
	if err == nil {
		pv.model = c
	}
	pv.modelMu.Unlock()
	pv.e.do(func() {
		if pv.accept(seq, c, err) {
			pv.show(c)
		}
	})
}

// show draws a chart: banner and every tab.
func (pv *patientView) show(c *chart) {
	pv.showBanner(c)
	for i, t := range pv.contents {
		pv.draw(i, func() { t.show(c) })
	}
}

// patcher is a tab that redraws only what a patch changed.
type patcher interface {
	showPatch(c *chart, p *chartPatch)
}

// showPatch draws a patched chart: the banner, and in each tab what the
// patch touched.
func (pv *patientView) showPatch(c *chart, p *chartPatch) {
	prev := pv.chart
	pv.showBanner(c)
	// The alerts and trials tabs draw the engine's documents and the
	// patient's status: redrawn only when those changed.
	side := prev == nil || !reflect.DeepEqual(prev.Side, c.Side) || !reflect.DeepEqual(prev.Entry.Status, c.Entry.Status)
	for i, t := range pv.contents {
		if pt, ok := t.(patcher); ok {
			pt.showPatch(c, p)
		} else if side {
			pv.draw(i, func() { t.show(c) })
		}
	}
}

// showBanner draws the chart's banner.
func (pv *patientView) showBanner(c *chart) {
	pv.chart = c
	pv.loading.Hide()
	pv.tabs.Show()
	pv.band.Show()
	pv.allergy.Show()
	pv.name.SetText(patientName(c.Patient))
	facts := bannerFacts(c, pv.e)
	wrap := facts != pv.facts.Text
	if wrap {
		pv.facts.SetText(facts)
	}
	ui.SetScore(pv.band, c.score())
	ui.SetAlerts(pv.alerts, c.Entry.Status.OpenAlerts)
	ui.SetTrials(pv.trials, c.Entry.Status.Matches)
	pv.allergy.SetAllergies(c.Allergy, c.Allergies)
	pv.showAudit(c.Side)
	if wrap {
		// The facts may wrap onto a second line: the banner learns its
		// height (a wrapped label knows it once laid out at its width).
		ui.Reflow(pv.bannerBox)
	}
	if pv.bannerBox.MinSize().Height != pv.bannerBox.Size().Height {
		// The view gives the banner that height: the tabs below are
		// resized, not redrawn.
		pv.content.Layout.Layout(pv.content.Objects, pv.content.Size())
	}
}

// showAudit writes who else opened this chart in the audit window: each
// person and workstation once, newest first. This user's opens at this
// workstation are left out; their opens elsewhere say "you".
func (pv *patientView) showAudit(d sideData) {
	user, ws := pv.e.identity()
	type key struct{ who, ws string }
	seen := map[key]bool{}
	var parts []string
	for _, a := range d.Audit {
		k := key{a.Who, a.Workstation}
		if seen[k] || a.Who == user && a.Workstation == ws {
			continue
		}
		seen[k] = true
		who := a.Who
		if a.Who == user {
			who = "you"
		}
		parts = append(parts, fmt.Sprintf("%s at %s, %s", who, a.Workstation, sinceText(a.When, pv.e.now(), pv.e.loc)))
	}
	text := "No one else opened this chart in the last 24 h"
	if len(parts) > 0 {
		const shown = 4
		text = "Also opened in the last 24 h by " + strings.Join(parts[:min(shown, len(parts))], " · ")
		if len(parts) > shown {
			text += fmt.Sprintf(" · and %d more", len(parts)-shown)
		}
	}
	pv.audit.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: text,
		Style: widget.RichTextStyle{ColorName: ui.ColorMuted, Inline: true}}}
	pv.audit.Refresh()
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
	if a := lifeText(p, e.now()); a != "" {
		parts = append(parts, a)
	}
	parts = append(parts, sexText(p.Sex))
	if p.BirthDate != "" {
		parts = append(parts, "born "+birthDateText(p.BirthDate))
	}
	if p.MRN != "" {
		parts = append(parts, "MRN "+p.MRN)
	}
	if w := c.Weight; w != nil {
		// Doses are worked out from it: say how old it is.
		parts = append(parts, numberText(w.Meta.Value)+" "+unitText(w.Meta.Unit)+" ("+dateText(w.Meta.Time, e.loc)+")")
	}
	if c.Location != "" {
		parts = append(parts, c.Location)
	}
	return strings.Join(parts, " · ")
}

// lifeText is the age part of a banner or census row: the age now ("68 y"),
// or for the dead the age at death ("died 2012 aged 85"; "deceased" when the
// date of death is not recorded).
func lifeText(p *store.Demographics, now time.Time) string {
	if p.Deceased {
		return record.DeathText(p)
	}
	return ageText(p.BirthDate, now)
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

// refNames names the references a resource of collection makes, for the
// detail pane: a resource of the same chart or of fhir.reference by its
// display line (status and SNOMED CT semantic tag dropped), "" when neither
// holds it. It reads the store: call it off the UI goroutine.
func (e *env) refNames(collection string) func(ref string) string {
	return func(ref string) string {
		p, _, _ := strings.Cut(ref, "/_history/")
		parts := strings.Split(strings.TrimSuffix(p, "/"), "/")
		if len(parts) < 2 {
			return ""
		}
		typ, id := parts[len(parts)-2], parts[len(parts)-1]
		for _, c := range []string{collection, store.Reference} {
			items, err := e.store.Items(c, typ)
			if err != nil {
				return ""
			}
			for _, it := range items {
				if it.ID == id {
					return record.TrimSemanticTag(trimStatus(it.Meta.Display, it.Meta.Status))
				}
			}
		}
		return ""
	}
}
