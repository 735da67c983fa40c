package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// AllergyState is what is known of a patient's allergies.
type AllergyState int

// Allergy states. The zero value is "not recorded": absence of data is never
// shown as absence of allergies.
const (
	AllergiesNotRecorded AllergyState = iota // no AllergyIntolerance at all
	AllergiesNoneKnown                       // a "no known allergy" entry and no allergy
	AllergiesRecorded                        // at least one allergy
)

// AllergyStrip is the banner line about allergies: red with the allergies
// named, green "No known allergies" when that was recorded, amber "Allergies
// not recorded" when nothing is known.
type AllergyStrip struct {
	widget.BaseWidget
	state AllergyState
	items []string

	bg   *canvas.Rectangle
	icon *widget.Icon
	text *widget.RichText
}

// NewAllergyStrip returns a strip saying "Allergies not recorded".
func NewAllergyStrip() *AllergyStrip {
	a := &AllergyStrip{
		bg:   canvas.NewRectangle(nil),
		icon: widget.NewIcon(theme.WarningIcon()),
		text: widget.NewRichText(),
	}
	a.text.Wrapping = fyne.TextWrapWord
	a.ExtendBaseWidget(a)
	a.update()
	return a
}

// SetAllergies shows a state and, for AllergiesRecorded, the allergies (one
// short text each, e.g. "Penicillin (high criticality)").
func (a *AllergyStrip) SetAllergies(state AllergyState, items []string) {
	a.state, a.items = state, append([]string(nil), items...)
	a.update()
	a.Refresh()
}

// Text is what the strip reads.
func (a *AllergyStrip) Text() string {
	switch a.state {
	case AllergiesRecorded:
		return "Allergies: " + strings.Join(a.items, " · ")
	case AllergiesNoneKnown:
		return "No known allergies"
	}
	return "Allergies not recorded"
}

func (a *AllergyStrip) colors() (bg, fg fyne.ThemeColorName) {
	switch a.state {
	case AllergiesRecorded:
		return ColorAllergy, ColorOnAllergy
	case AllergiesNoneKnown:
		return ColorNoAllergy, ColorOnNoAllergy
	}
	return ColorUnknownAllergy, ColorOnUnknownAllergy
}

func (a *AllergyStrip) update() {
	bg, fg := a.colors()
	a.bg.FillColor = theme.ColorForWidget(bg, a)
	a.bg.CornerRadius = theme.SizeForWidget(theme.SizeNameInputRadius, a)
	a.text.Segments = []widget.RichTextSegment{&widget.TextSegment{
		Text:  a.Text(),
		Style: widget.RichTextStyle{ColorName: fg, TextStyle: fyne.TextStyle{Bold: true}, Inline: true, SizeName: theme.SizeNameText},
	}}
	switch a.state {
	case AllergiesRecorded:
		a.icon.SetResource(theme.NewColoredResource(theme.WarningIcon(), fg))
	case AllergiesNoneKnown:
		a.icon.SetResource(theme.NewColoredResource(theme.ConfirmIcon(), fg))
	default:
		a.icon.SetResource(theme.NewColoredResource(theme.QuestionIcon(), fg))
	}
	a.bg.Refresh()
	a.text.Refresh()
}

// Refresh repaints the strip in the current theme.
func (a *AllergyStrip) Refresh() {
	a.update()
	a.BaseWidget.Refresh()
}

// CreateRenderer lays out the strip: icon then text, on the coloured band.
func (a *AllergyStrip) CreateRenderer() fyne.WidgetRenderer {
	body := container.NewBorder(nil, nil, container.NewCenter(a.icon), nil, a.text)
	return widget.NewSimpleRenderer(container.NewStack(a.bg, container.NewPadded(body)))
}
