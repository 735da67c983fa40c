// The timeline's detail pane: the chosen entry's fields, times and raw JSON.

package views

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// detailPane shows one resource: its one-line display, where it came from,
// its conformance problems, its fields, and its raw JSON on demand.
type detailPane struct {
	e *env

	// UI goroutine only.
	ref     store.Ref
	raw     []byte
	seq     int
	title   *widget.Label
	meta    *widget.Label
	probs   *widget.Label
	probBox fyne.CanvasObject
	fields  *fyne.Container
	rawBtn  *widget.Button
	copyBtn *widget.Button
	rawText *widget.RichText
	body    *fyne.Container
	hint    *widget.Label
	content fyne.CanvasObject
}

// maxRawShown bounds the pretty-printed JSON drawn (the copy button copies
// it all).
const maxRawShown = 256 << 10

func newDetailPane(e *env) *detailPane {
	d := &detailPane{
		e:       e,
		title:   widget.NewLabel(""),
		meta:    widget.NewLabel(""),
		probs:   widget.NewLabel(""),
		fields:  container.New(layout.NewFormLayout()),
		rawText: widget.NewRichText(),
		hint:    widget.NewLabel("Select an entry to see everything it records."),
	}
	d.title.TextStyle.Bold = true
	d.title.SizeName = theme.SizeNameSubHeadingText
	d.title.Wrapping = fyne.TextWrapWord
	d.meta.Wrapping = fyne.TextWrapWord
	d.probs.Wrapping = fyne.TextWrapWord
	d.hint.Wrapping = fyne.TextWrapWord
	d.hint.Alignment = fyne.TextAlignCenter
	probTitle := widget.NewLabel("Conformance problems")
	probTitle.TextStyle.Bold = true
	probBg := ui.NewBackground(ui.ColorProblem)
	probBg.Radius = 4
	d.probBox = container.NewStack(probBg, container.NewPadded(container.NewVBox(probTitle, d.probs)))
	d.rawBtn = widget.NewButtonWithIcon("Show raw JSON", theme.DocumentIcon(), d.toggleRaw)
	d.copyBtn = widget.NewButtonWithIcon("Copy JSON", theme.ContentCopyIcon(), func() {
		if d.raw != nil {
			fyne.CurrentApp().Clipboard().SetContent(prettyJSON(d.raw))
		}
	})
	d.rawText.Wrapping = fyne.TextWrapBreak
	d.rawText.Hide()
	d.body = container.NewVBox(d.title, d.meta, d.probBox, d.fields, container.NewHBox(d.rawBtn, d.copyBtn), d.rawText)
	d.body.Hide()
	d.content = container.NewStack(container.NewVScroll(container.NewPadded(d.body)), container.NewCenter(d.hint))
	return d
}

// clear empties the pane back to its hint.
func (d *detailPane) clear() {
	d.seq++ // a read under way is no longer wanted
	d.ref, d.raw = store.Ref{}, nil
	d.body.Hide()
	d.hint.Show()
}

// showSet shows a vital-sign set: when, and each reading of it.
func (d *detailPane) showSet(members []timelineEntry) {
	d.seq++
	d.ref, d.raw = members[0].Ref, nil
	d.rawText.Hide()
	d.hint.Hide()
	d.body.Show()
	d.title.SetText(fmt.Sprintf("Vital signs: %d readings", len(members)))
	d.meta.SetText("Charted " + whenText(members[0].Time, d.e.now(), d.e.loc) + " · " + dateTimeText(members[0].Time, d.e.loc) + " local time")
	d.probBox.Hide()
	var objs []fyne.CanvasObject
	for _, m := range members {
		v := m.Display
		if m.Flag != "" {
			v += " (" + m.Flag + ")"
		}
		objs = append(objs, fieldLabel(strings.Fields(shortVital(m.Display))[0]), fieldValue(v))
	}
	d.fields.Objects = objs
	d.rawBtn.Hide()
	d.copyBtn.Hide()
	ui.Reflow(d.body)
}

// show reads a resource off the UI goroutine and shows it.
func (d *detailPane) show(ref store.Ref) {
	d.seq++
	seq := d.seq
	d.e.async(func() {
		res, ok, err := d.e.store.Resource(ref)
		var fields []record.Field
		var ferr error
		if ok && err == nil {
			fields, ferr = record.FieldsNamed(res.JSON, d.e.refNames(ref.Collection))
		}
		d.e.do(func() {
			if seq != d.seq {
				return // a newer selection won
			}
			d.fill(ref, res, ok, err, fields, ferr)
		})
	})
}

func (d *detailPane) fill(ref store.Ref, res store.Resource, ok bool, err error, fields []record.Field, ferr error) {
	d.ref, d.raw = ref, nil
	d.rawText.Hide()
	d.rawBtn.SetText("Show raw JSON")
	d.rawBtn.Show()
	d.copyBtn.Show()
	d.hint.Hide()
	d.body.Show()
	switch {
	case err != nil:
		d.title.SetText("This record cannot be shown")
		d.meta.SetText("The store could not read it: " + err.Error())
		d.probBox.Hide()
		d.fields.Objects = nil
		d.fields.Refresh()
		return
	case !ok:
		d.title.SetText("This record is no longer in the store")
		d.meta.SetText("It was deleted (a tombstone) since the list was drawn.")
		d.probBox.Hide()
		d.fields.Objects = nil
		d.fields.Refresh()
		return
	}
	d.raw = res.JSON
	m := res.Meta
	title := m.Display
	if title == "" {
		title = ref.Type
	}
	d.title.SetText(title)
	facts := []string{ref.Type}
	if l := categoryLabel(m.Category); l != ref.Type {
		facts = append(facts, l)
	}
	if !m.Time.IsZero() {
		facts = append(facts, whenText(m.Time, d.e.now(), d.e.loc))
	}
	if m.Status != "" {
		facts = append(facts, "status "+m.Status)
	}
	if m.Source.Topic != "" {
		facts = append(facts, fmt.Sprintf("from %s, offset %d", m.Source.Topic, m.Source.Offset))
	}
	d.meta.SetText(strings.Join(facts, " · "))
	if len(m.Problems) > 0 {
		d.probs.SetText("• " + strings.Join(m.Problems, "\n• "))
		d.probBox.Show()
	} else {
		d.probBox.Hide()
	}
	var objs []fyne.CanvasObject
	if ferr != nil {
		objs = append(objs, fieldLabel("Fields"), fieldValue("could not be read: "+ferr.Error()))
	}
	for _, f := range fields {
		objs = append(objs, fieldLabel(f.Label), fieldValue(localTimes(f.Value, d.e.loc)))
	}
	d.fields.Objects = objs
	ui.Reflow(d.body)
}

// isoTime finds FHIR dateTimes with a time of day and a zone
// ("2026-12-02T14:08:00Z", "…+01:00", with or without seconds).
var isoTime = regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})`)

// localTimes rewrites the instants in a field's value in the workstation's
// local time ("2 Dec 2026 15:08"), so no detail shows raw UTC; a value
// that does not parse stays as written.
func localTimes(v string, loc *time.Location) string {
	return isoTime.ReplaceAllStringFunc(v, func(s string) string {
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
			if t, err := time.Parse(layout, s); err == nil {
				return dateTimeText(t, loc)
			}
		}
		return s
	})
}

func fieldLabel(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.TextStyle.Bold = true
	return l
}

func fieldValue(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// toggleRaw shows or hides the pretty-printed JSON.
func (d *detailPane) toggleRaw() {
	if d.rawText.Visible() {
		d.rawText.Hide()
		d.rawBtn.SetText("Show raw JSON")
		return
	}
	text := prettyJSON(d.raw)
	if len(text) > maxRawShown {
		text = text[:maxRawShown] + "\n… (cut here; Copy JSON copies all of it)"
	}
	d.rawText.Segments = []widget.RichTextSegment{&widget.TextSegment{Style: widget.RichTextStyleCodeBlock, Text: text}}
	d.rawText.Show()
	d.rawBtn.SetText("Hide raw JSON")
	ui.Reflow(d.body)
}

// prettyJSON indents JSON for reading; JSON that does not parse is shown as
// it is.
func prettyJSON(raw []byte) string {
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	return b.String()
}
