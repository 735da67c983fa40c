package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Columns is a layout for list rows and their header: one line of objects,
// each in a column of fixed width, except columns of width 0, which share
// the rest of the row equally. Rows and header built with the same widths
// line up.
type Columns struct {
	Widths []float32
	// Middle centres each object vertically at its own height (list rows
	// mixing one- and two-line cells); otherwise objects fill the height.
	Middle bool
	// Height, when above 0, is the row's height whatever its objects ask
	// for: with Middle, a label taller than the row (its inner padding)
	// keeps its own height, centred, and overlaps the row's edges by its
	// padding, so a dense list shows one line of text per row.
	Height float32
}

// NewColumns returns a column layout; a width of 0 makes a flexible column.
func NewColumns(widths ...float32) *Columns { return &Columns{Widths: widths} }

// NewMiddleColumns returns a column layout whose cells are centred
// vertically.
func NewMiddleColumns(widths ...float32) *Columns { return &Columns{Widths: widths, Middle: true} }

func (c *Columns) width(i int) float32 {
	if i < len(c.Widths) {
		return c.Widths[i]
	}
	return 0
}

// Layout places the objects left to right.
func (c *Columns) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	gap := theme.Padding()
	fixed, flex := float32(0), 0
	for i := range objs {
		if w := c.width(i); w > 0 {
			fixed += w
		} else {
			flex++
		}
	}
	fixed += gap * float32(max(0, len(objs)-1))
	share := float32(0)
	if flex > 0 {
		share = max(0, (size.Width-fixed)/float32(flex))
	}
	x := float32(0)
	for i, o := range objs {
		w := c.width(i)
		if w == 0 {
			w = share
		}
		h, y := size.Height, float32(0)
		if c.Middle {
			h = o.MinSize().Height
			if c.Height <= 0 {
				h = min(h, size.Height)
			}
			y = (size.Height - h) / 2
		}
		o.Move(fyne.NewPos(x, y))
		o.Resize(fyne.NewSize(w, h))
		x += w + gap
	}
}

// MinSize is the fixed widths plus the flexible columns' own minimum widths,
// and the tallest object.
func (c *Columns) MinSize(objs []fyne.CanvasObject) fyne.Size {
	gap := theme.Padding()
	var s fyne.Size
	for i, o := range objs {
		m := o.MinSize()
		if w := c.width(i); w > 0 {
			s.Width += w
		} else {
			s.Width += m.Width
		}
		s.Height = max(s.Height, m.Height)
	}
	s.Width += gap * float32(max(0, len(objs)-1))
	if c.Height > 0 {
		s.Height = c.Height
	}
	return s
}

// Lines is a layout for labels stacked as lines of one item (a name over
// its details): like a VBox, but each label's inner padding is overlapped so
// the lines read as one block.
type Lines struct{}

func (Lines) overlap() float32 { return theme.InnerPadding() * 0.75 }

// Layout stacks the visible objects top to bottom, each at full width.
func (l Lines) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h - l.overlap()
	}
}

// MinSize is the widest object and the stacked heights less the overlaps.
func (l Lines) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	n := 0
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		s.Width = max(s.Width, m.Width)
		s.Height += m.Height
		n++
	}
	if n > 1 {
		s.Height -= l.overlap() * float32(n-1)
	}
	return s
}

// Reflow lays objects out twice. A word-wrapped label learns its width only
// when laid out, so the first pass sizes it as if unwrapped; the second
// gives every row its real height.
func Reflow(objs ...fyne.CanvasObject) {
	for range 2 {
		for _, o := range objs {
			o.Refresh()
		}
	}
}
