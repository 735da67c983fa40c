package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Background is a rectangle filled with a theme colour. Unlike a bare
// canvas.Rectangle it repaints when the theme changes, so cards, rails and
// strips follow light and dark mode.
type Background struct {
	widget.BaseWidget
	// Color is the theme colour name of the fill.
	Color fyne.ThemeColorName
	// Radius rounds the corners (0 for square).
	Radius float32
	rect   *canvas.Rectangle
}

// NewBackground returns a background in a theme colour.
func NewBackground(name fyne.ThemeColorName) *Background {
	b := &Background{Color: name, rect: canvas.NewRectangle(nil)}
	b.ExtendBaseWidget(b)
	return b
}

// SetColor changes the fill colour.
func (b *Background) SetColor(name fyne.ThemeColorName) {
	if b.Color != name {
		b.Color = name
		b.Refresh()
	}
}

// Refresh repaints the fill in the current theme.
func (b *Background) Refresh() {
	b.rect.FillColor = theme.ColorForWidget(b.Color, b)
	b.rect.CornerRadius = b.Radius
	b.rect.Refresh()
}

// MinSize is zero: a background takes whatever room its container gives.
func (b *Background) MinSize() fyne.Size { return fyne.Size{} }

// CreateRenderer draws the rectangle.
func (b *Background) CreateRenderer() fyne.WidgetRenderer {
	b.Refresh()
	return widget.NewSimpleRenderer(b.rect)
}

// NewCard puts content on a rounded card-coloured background with padding:
// the frame of a summary section.
func NewCard(content fyne.CanvasObject) fyne.CanvasObject {
	bg := NewBackground(ColorCard)
	bg.Radius = theme.Size(theme.SizeNameInputRadius) * 2
	return container.NewStack(bg, container.NewPadded(content))
}
