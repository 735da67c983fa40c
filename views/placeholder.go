package views

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/ui"
)

// placeholderPage is a screen that another part of the work will fill: a
// heading and a sentence saying what will be there.
func placeholderPage(title, text string) *ui.Page {
	h := widget.NewLabel(title)
	h.TextStyle.Bold = true
	h.SizeName = theme.SizeNameHeadingText
	body := widget.NewLabel(text)
	body.Wrapping = fyne.TextWrapWord
	return &ui.Page{Title: title, Content: container.NewPadded(container.NewVBox(h, body))}
}
