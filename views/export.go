package views

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/app/handover"
	"github.com/chartline/chartline/app/ips"
)

// The two ways patient data leaves the workstation from the screens: the
// patient view's "Export summary…" (an IPS document, app/ips) and the
// census's "Print handover…" (an I-PASS sheet, app/handover). Both write
// their AuditEvents through the engine before they report success; without
// an engine (no audit trail) they refuse.

var errNoAudit = errors.New("the audit trail is not running: nothing was exported")

// newExportButton is the patient view's "Export summary…" action, labelled
// "Export…" to keep the banner narrow.
func newExportButton(pv *patientView) *widget.Button {
	b := widget.NewButtonWithIcon("Export…", theme.DocumentSaveIcon(), func() { pv.chooseExport() })
	b.Importance = widget.LowImportance
	return b
}

// chooseExport asks where to save the patient's summary, then saves it.
func (pv *patientView) chooseExport() {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return // cancelled
		}
		path := w.URI().Path()
		w.Close() // the export writes the file whole itself (temporary file, rename)
		pv.e.async(func() {
			rep, err := pv.exportTo(path)
			pv.e.do(func() { pv.exported(rep, err) })
		})
	}, pv.e.win)
	d.SetFileName("patient-summary-" + pv.e.now().Format("2006-01-02") + ".json")
	d.SetFilter(storage.NewExtensionFileFilter([]string{".json"}))
	d.Show()
}

// exportTo writes the patient's IPS document to path and its AuditEvent.
func (pv *patientView) exportTo(path string) (ips.Report, error) {
	eng := pv.e.engine
	if eng == nil {
		return ips.Report{}, errNoAudit
	}
	user, ws := pv.e.identity()
	return ips.SaveFile(pv.e.store, ips.Options{Patient: pv.id, User: user, Workstation: ws, Now: pv.e.now()}, path,
		func(doc string) error { return eng.Exported(engine.ExportIPS, doc, pv.id) })
}

func (pv *patientView) exported(rep ips.Report, err error) {
	if err != nil {
		pv.e.log.Error("summary export failed", "class", errorClass(err)) // never the path: it may name the patient
		dialog.ShowError(fmt.Errorf("the summary was not exported: %w", err), pv.e.win)
		return
	}
	empty := 0
	for _, s := range rep.Sections {
		if s.Empty {
			empty++
		}
	}
	msg := fmt.Sprintf("International Patient Summary saved: %d records in %d sections", rep.Resources, len(rep.Sections))
	if empty > 0 {
		msg += fmt.Sprintf(" (%d say no information)", empty)
	}
	dialog.ShowInformation("Summary exported", msg+". The export is recorded in the audit trail.", pv.e.win)
}

// newHandoverButton is the census's "Print handover…" action.
func newHandoverButton(v *censusView) *widget.Button {
	b := widget.NewButtonWithIcon("Print handover…", theme.DocumentPrintIcon(), func() { v.chooseHandover() })
	b.Importance = widget.LowImportance
	return b
}

// handoverChoice is which patients a handover sheet covers: the list as
// shown (filtered and sorted), or the patient under the cursor.
func (v *censusView) handoverChoice() (list []string, selected string) {
	for _, i := range v.shown {
		list = append(list, v.rows[i].ID)
	}
	if v.cursor >= 0 && v.cursor < len(v.shown) {
		selected = v.rows[v.shown[v.cursor]].ID
	}
	return list, selected
}

// chooseHandover asks which patients (the list shown, or the selected
// one), then where to save the PDF; then writes it and prints or opens it.
func (v *censusView) chooseHandover() {
	list, selected := v.handoverChoice()
	if len(list) == 0 {
		dialog.ShowInformation("Print handover", "No patient in the list to hand over.", v.e.win)
		return
	}
	whole := fmt.Sprintf("The list shown (%d patients)", len(list))
	options := []string{whole}
	one := ""
	if selected != "" {
		one = "The selected patient (" + v.rows[v.index[selected]].Name + ")"
		options = append(options, one)
	}
	pick := widget.NewRadioGroup(options, nil)
	pick.Required = true
	pick.Selected = whole
	dialog.ShowCustomConfirm("Print handover", "Continue…", "Cancel", pick, func(ok bool) {
		if !ok {
			return
		}
		ids, title := list, "Census"
		if l := v.e.settingsNow().Census; l != "" {
			title = "Census " + l
		}
		if words := strings.Join(v.words, " "); words != "" {
			title += ", search " + words
		}
		if pick.Selected == one && one != "" {
			ids, title = []string{selected}, "Selected patient"
		}
		v.chooseHandoverFile(ids, title)
	}, v.e.win)
}

func (v *censusView) chooseHandoverFile(ids []string, title string) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		path := w.URI().Path()
		w.Close()
		v.e.async(func() {
			pr, err := v.handoverTo(ids, title, path)
			did := ""
			if err == nil {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				did, err = handover.Open(ctx, path)
				cancel()
			}
			v.e.do(func() { v.handedOver(pr, did, err) })
		})
	}, v.e.win)
	d.SetFileName("handover-" + v.e.now().Format("2006-01-02-1504") + ".pdf")
	d.SetFilter(storage.NewExtensionFileFilter([]string{".pdf"}))
	d.Show()
}

// handoverTo writes the sheet of the patients to path and their
// AuditEvents.
func (v *censusView) handoverTo(ids []string, title, path string) (handover.Printed, error) {
	eng := v.e.engine
	if eng == nil {
		return handover.Printed{}, errNoAudit
	}
	user, ws := v.e.identity()
	return handover.Write(v.e.store, handover.Options{
		Patients: ids, Title: title, User: user, Workstation: ws, Now: v.e.now(), NEWS2: v.e.news2Options(),
	}, path, func(doc string, patients []string) error {
		return eng.Exported(engine.ExportHandover, doc, patients...)
	})
}

func (v *censusView) handedOver(pr handover.Printed, did string, err error) {
	if err != nil {
		v.e.log.Error("handover sheet failed", "class", errorClass(err))
		dialog.ShowError(fmt.Errorf("handover sheet: %w", err), v.e.win)
		return
	}
	msg := fmt.Sprintf("Handover sheet of %d patients (%d pages) saved and %s.", len(pr.Sheet.Patients), pr.Pages, did)
	dialog.ShowInformation("Handover", msg+" The print is recorded in the audit trail.", v.e.win)
}
