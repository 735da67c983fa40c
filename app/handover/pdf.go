package handover

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/go-pdf/fpdf"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/assets"
)

// Page geometry (mm, A4 portrait) and type sizes (pt).
const (
	pageW, pageH   = 210.0, 297.0
	margin         = 14.0
	footerH        = 14.0 // reserved at the bottom for the footer
	textW          = pageW - 2*margin
	sizeBody       = 9.5
	sizeSmall      = 8.0
	sizeHeading    = 10.5
	sizeName       = 15.0
	lineH          = 4.6 // body line height
	minSynthesis   = 38.0
	synthesisRuleH = 7.5
	fontFamily     = "DejaVu"
)

// Band colours, after the RCP NEWS2 chart's response bands; the band is
// always written in words too, so a black-and-white print loses nothing.
var bandFill = map[string][3]int{
	clinical.BandLow:       {200, 230, 201},
	clinical.BandLowMedium: {255, 224, 130},
	clinical.BandMedium:    {255, 167, 38},
	clinical.BandHigh:      {211, 47, 47},
	clinical.PEWSEmergency: {136, 14, 79},
}

// Render writes the sheet as a PDF: one patient per page (more when a
// patient's lists run over), I-PASS sections in order, the rest of the
// page ruled for the receiver's synthesis. Every page carries the list, the
// patient's name and MRN, who printed it where and when, "page x of y" and
// "contains patient data". Text is set in the embedded DejaVu Sans (Unicode,
// subset into the file), never a PDF core font.
func Render(sh *Sheet) (doc []byte, pages int, err error) {
	regular, err := assets.Fonts.ReadFile("fonts/DejaVuSans.ttf")
	if err != nil {
		return nil, 0, fmt.Errorf("handover font: %w", err)
	}
	bold, err := assets.Fonts.ReadFile("fonts/DejaVuSans-Bold.ttf")
	if err != nil {
		return nil, 0, fmt.Errorf("handover font: %w", err)
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle("I-PASS handover: "+sh.Title, true)
	pdf.SetAuthor(sh.User, true)
	pdf.SetCreator("Chartline", true)
	pdf.SetCreationDate(sh.Printed)
	pdf.SetModificationDate(sh.Printed)
	pdf.AddUTF8FontFromBytes(fontFamily, "", regular)
	pdf.AddUTF8FontFromBytes(fontFamily, "B", bold)
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, footerH+6)
	pdf.AliasNbPages("{nb}")

	w := &writer{pdf: pdf, sh: sh}
	pdf.SetHeaderFunc(w.header)
	pdf.SetFooterFunc(w.footer)
	for i := range sh.Patients {
		w.cur, w.fresh = &sh.Patients[i], true
		pdf.AddPage()
		w.fresh = false
		w.patient(w.cur)
	}
	pages = pdf.PageNo()
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, 0, fmt.Errorf("handover PDF: %w", err)
	}
	return buf.Bytes(), pages, nil
}

type writer struct {
	pdf   *fpdf.Fpdf
	sh    *Sheet
	cur   *Patient
	fresh bool // the page starts the patient's block (its banner follows)
}

func (w *writer) font(style string, size float64) { w.pdf.SetFont(fontFamily, style, size) }

// header: the list and the data warning; on a patient's continuation page,
// the patient's name and MRN.
func (w *writer) header() {
	p := w.pdf
	p.SetY(8)
	w.font("B", sizeSmall)
	p.SetTextColor(90, 90, 90)
	p.CellFormat(textW/2, 4, "I-PASS handover · "+w.sh.Title, "", 0, "L", false, 0, "")
	p.SetTextColor(183, 28, 28)
	p.CellFormat(textW/2, 4, "CONTAINS PATIENT DATA: CONFIDENTIAL", "", 1, "R", false, 0, "")
	p.SetTextColor(0, 0, 0)
	p.SetDrawColor(120, 120, 120)
	p.Line(margin, 12.5, pageW-margin, 12.5)
	p.SetY(margin + 1)
	if w.cur != nil && !w.fresh {
		w.font("B", sizeHeading)
		p.CellFormat(textW, 6, w.cur.Name+"  ·  MRN "+orDash(w.cur.MRN)+"  (continued)", "B", 1, "L", false, 0, "")
		p.Ln(2)
	}
}

// footer: who printed it, where, when, page x of y, and the warning again.
func (w *writer) footer() {
	p := w.pdf
	p.SetY(-footerH)
	p.SetDrawColor(120, 120, 120)
	p.Line(margin, p.GetY(), pageW-margin, p.GetY())
	p.Ln(1)
	w.font("", sizeSmall)
	printed := fmt.Sprintf("Printed by %s on %s at %s", w.sh.User, w.sh.Workstation, w.sh.Printed.UTC().Format("2 Jan 2006 15:04 UTC"))
	p.CellFormat(textW*0.75, 4, printed, "", 0, "L", false, 0, "")
	w.font("B", sizeSmall)
	p.CellFormat(textW*0.25, 4, fmt.Sprintf("Page %d of {nb}", p.PageNo()), "", 1, "R", false, 0, "")
	w.font("", sizeSmall-0.5)
	p.SetTextColor(183, 28, 28)
	p.CellFormat(textW, 4, "Contains patient data. Do not leave unattended; shred or put in confidential waste after the shift.", "", 1, "L", false, 0, "")
	p.SetTextColor(0, 0, 0)
}

// patient writes one patient's block.
func (w *writer) patient(pt *Patient) {
	p := w.pdf
	// Banner: name, then identifiers and where.
	w.font("B", sizeName)
	name := pt.Name
	if pt.Deceased {
		name += "  (deceased)"
	}
	p.MultiCell(textW, 7, name, "", "L", false)
	w.font("", sizeBody)
	facts := []string{"MRN " + orDash(pt.MRN)}
	if pt.Born != "" {
		born := "born " + pt.Born
		if pt.Age != "" {
			born += " (" + pt.Age + ")"
		}
		facts = append(facts, born)
	}
	if pt.Sex != "" {
		facts = append(facts, pt.Sex)
	}
	loc := pt.Location
	if loc == "" {
		loc = "not recorded"
	}
	facts = append(facts, "Location: "+loc)
	p.MultiCell(textW, lineH+0.4, strings.Join(facts, "   ·   "), "", "L", false)
	p.SetDrawColor(0, 0, 0)
	p.SetLineWidth(0.5)
	p.Line(margin, p.GetY()+1, pageW-margin, p.GetY()+1)
	p.SetLineWidth(0.2)
	p.Ln(3)

	w.heading("I", "Illness severity")
	w.severity(pt.Severity)

	w.heading("P", "Patient summary")
	w.list("Active problems", pt.Summary.Problems, "none recorded")
	w.list("Allergies", pt.Summary.Allergies, "not recorded")
	meds := pt.Summary.Medications
	if pt.Summary.MoreMeds > 0 {
		meds = append(meds[:len(meds):len(meds)], fmt.Sprintf("… and %d more (see the chart)", pt.Summary.MoreMeds))
	}
	w.list("Medications", meds, "none active")

	w.heading("A", "Action list")
	if len(pt.Actions) == 0 {
		w.line("", "No open alerts, no trial screening pending.")
	}
	for _, a := range pt.Actions {
		w.check(a.Kind+": "+a.Text, a.State+", "+a.When)
	}

	w.heading("S", "Situation awareness")
	w.list("Oxygen", []string{pt.Awareness.Oxygen}, "")
	w.results(pt.Awareness)

	w.synthesis()
}

// heading writes an I-PASS section heading: its letter in a box, the name.
func (w *writer) heading(letter, name string) {
	p := w.pdf
	if p.GetY() > pageH-footerH-28 {
		p.AddPage()
	}
	p.Ln(1.5)
	w.font("B", sizeHeading)
	p.SetFillColor(38, 50, 56)
	p.SetTextColor(255, 255, 255)
	p.CellFormat(6.5, 6, letter, "", 0, "C", true, 0, "")
	p.SetTextColor(0, 0, 0)
	p.SetFillColor(236, 239, 241)
	p.CellFormat(textW-6.5, 6, "  "+name, "", 1, "L", true, 0, "")
	p.Ln(1.2)
}

// severity writes the band box and the facts beside it.
func (w *writer) severity(s Severity) {
	p := w.pdf
	if s.Score == "" {
		w.line("", "No early-warning score: "+s.Trend+".")
		return
	}
	fill, ok := bandFill[s.Band]
	if !ok {
		fill = [3]int{224, 224, 224}
	}
	p.SetFillColor(fill[0], fill[1], fill[2])
	if s.Band == clinical.BandHigh || s.Band == clinical.PEWSEmergency {
		p.SetTextColor(255, 255, 255)
	}
	w.font("B", 12)
	x, y := p.GetX(), p.GetY()
	p.CellFormat(48, 9, s.Score+" · "+strings.ToUpper(s.Band), "1", 0, "C", true, 0, "")
	p.SetTextColor(0, 0, 0)
	p.SetXY(x+51, y)
	w.font("", sizeBody)
	lines := []string{s.DataAge, "Trend: " + s.Trend}
	if s.Scale2 != "" {
		lines = append(lines, s.Scale2)
	}
	if s.Partial != "" {
		lines = append(lines, s.Partial)
	}
	if s.Red {
		lines = append(lines, "A single parameter scores 3")
	}
	for _, l := range lines {
		if l == "" {
			continue
		}
		p.SetX(x + 51)
		if s.Stale && strings.HasPrefix(l, "observed") {
			w.font("B", sizeBody)
		}
		p.MultiCell(textW-51, lineH, l, "", "L", false)
		w.font("", sizeBody)
	}
	if p.GetY() < y+10 {
		p.SetY(y + 10)
	}
	if s.Response != "" {
		w.font("", sizeSmall)
		label := "RCP NEWS2 (2017) response: "
		if s.Kind == "PEWS" {
			label = "National PEWS (2023) escalation: "
		}
		p.MultiCell(textW, lineH-0.6, label+s.Response, "", "L", false)
	}
}

// list writes a labelled list: the label in bold on the left, one item a
// line on the right (wrapped, never cut).
func (w *writer) list(label string, items []string, empty string) {
	if len(items) == 0 {
		items = []string{empty}
	}
	for i, it := range items {
		l := ""
		if i == 0 {
			l = label
		}
		w.line(l, it)
	}
	w.pdf.Ln(0.8)
}

const labelW = 44.0

// line writes one labelled line.
func (w *writer) line(label, text string) {
	p := w.pdf
	y := p.GetY()
	if label != "" {
		w.font("B", sizeBody)
		p.CellFormat(labelW, lineH, label, "", 0, "L", false, 0, "")
	} else {
		p.SetX(margin + labelW)
	}
	w.font("", sizeBody)
	if p.GetY() != y { // a page break moved the label's line
		p.SetX(margin + labelW)
	}
	p.MultiCell(textW-labelW, lineH, text, "", "L", false)
}

// stateW is the width of an action's state column.
const stateW = 58.0

// check writes an action line with a box to tick, the text wrapped on the
// left and its state on the right.
func (w *writer) check(text, state string) {
	p := w.pdf
	w.font("", sizeBody)
	lines := p.SplitText(text, textW-6-stateW-2)
	h := float64(max(1, len(lines))) * lineH
	if p.GetY()+h > pageH-footerH-6 {
		p.AddPage()
	}
	y := p.GetY()
	w.font("", sizeBody+1)
	p.CellFormat(6, lineH, "☐", "", 0, "L", false, 0, "")
	w.font("", sizeBody)
	p.MultiCell(textW-6-stateW-2, lineH, text, "", "L", false)
	end := p.GetY()
	p.SetXY(pageW-margin-stateW, y)
	w.font("", sizeSmall)
	p.SetTextColor(70, 70, 70)
	p.MultiCell(stateW, lineH, state, "", "R", false)
	p.SetTextColor(0, 0, 0)
	p.SetY(max(end, p.GetY()))
}

// Result table columns (mm): test, value, reference range, when.
var resultCols = [4]float64{textW - 38 - 24 - 31, 38, 24, 31}

// results writes the out-of-range results as a table across the page.
func (w *writer) results(a Awareness) {
	p := w.pdf
	if len(a.Results) == 0 {
		note := "none among the latest results of the last 7 days"
		if a.Older > 0 {
			note += fmt.Sprintf(" (%d older, see the chart)", a.Older)
		}
		w.line("Results out of range", note)
		return
	}
	w.font("B", sizeBody)
	p.CellFormat(labelW, lineH, "Results out of range", "", 1, "L", false, 0, "")
	w.font("", sizeSmall)
	p.SetTextColor(90, 90, 90)
	for i, h := range []string{"Test", "Result", "Range", "Taken"} {
		p.CellFormat(resultCols[i], lineH, h, "B", 0, "L", false, 0, "")
	}
	p.Ln(-1)
	p.SetTextColor(0, 0, 0)
	for _, r := range a.Results {
		w.font("B", sizeBody)
		n := len(p.SplitText(r.Value, resultCols[1]-1))
		w.font("", sizeBody)
		n = max(1, n, len(p.SplitText(r.Test, resultCols[0]-1)), len(p.SplitText(r.Range, resultCols[2]-1)), len(p.SplitText(r.When, resultCols[3]-1)))
		h := float64(n) * lineH
		if p.GetY()+h > pageH-footerH-6 {
			p.AddPage()
		}
		y := p.GetY()
		x := margin
		for i, text := range []string{r.Test, r.Value, r.Range, r.When} {
			p.SetXY(x, y)
			style := ""
			if i == 1 {
				style = "B"
			}
			w.font(style, sizeBody)
			p.MultiCell(resultCols[i]-1, lineH, text, "", "L", false)
			x += resultCols[i]
		}
		p.SetXY(margin, y+h+0.6)
	}
	if a.Older > 0 {
		w.font("", sizeSmall)
		p.CellFormat(textW, lineH, fmt.Sprintf("%d more out of range, older or beyond these, in the chart", a.Older), "", 1, "L", false, 0, "")
	}
}

// synthesis rules the rest of the page for the receiver (at least
// minSynthesis mm: a new page when less is left).
func (w *writer) synthesis() {
	p := w.pdf
	bottom := pageH - footerH - 12 // the signature line sits below, above the break margin
	if bottom-p.GetY() < minSynthesis {
		p.AddPage()
	}
	w.heading("S", "Synthesis by receiver")
	w.font("", sizeSmall)
	p.SetTextColor(90, 90, 90)
	p.MultiCell(textW, lineH-0.6, "Receiver: summarise what you heard, ask questions, restate the key actions and who does them.", "", "L", false)
	p.SetTextColor(0, 0, 0)
	p.SetDrawColor(170, 170, 170)
	for y := p.GetY() + synthesisRuleH; y < bottom; y += synthesisRuleH {
		p.Line(margin, y, pageW-margin, y)
	}
	p.SetY(bottom + 1)
	w.font("", sizeSmall)
	p.CellFormat(textW, 4, "Received by: ______________________   Signature: ______________   Time: ________", "", 1, "L", false, 0, "")
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
