package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Tappable makes any content respond to a tap (a summary line that opens its
// record in the timeline), with a hover highlight and a pointer cursor so
// it reads as clickable.
type Tappable struct {
	widget.BaseWidget
	content fyne.CanvasObject
	hover   *Background
	onTap   func()
}

// NewTappable wraps content; onTap runs on a tap.
func NewTappable(content fyne.CanvasObject, onTap func()) *Tappable {
	t := &Tappable{content: content, onTap: onTap, hover: NewBackground(theme.ColorNameHover)}
	t.hover.Hidden = true
	t.ExtendBaseWidget(t)
	return t
}

// Tapped runs the tap action.
func (t *Tappable) Tapped(*fyne.PointEvent) {
	if t.onTap != nil {
		t.onTap()
	}
}

// Cursor is the pointer hand.
func (t *Tappable) Cursor() desktop.Cursor { return desktop.PointerCursor }

// MouseIn shows the hover highlight.
func (t *Tappable) MouseIn(*desktop.MouseEvent) {
	t.hover.Show()
}

// MouseMoved does nothing; the highlight stays while the pointer is inside.
func (t *Tappable) MouseMoved(*desktop.MouseEvent) {}

// MouseOut hides the hover highlight.
func (t *Tappable) MouseOut() {
	t.hover.Hide()
}

// CreateRenderer draws the highlight under the content.
func (t *Tappable) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(t.hover, t.content))
}
