package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// NoticeKind chooses a notice banner's colour and icon.
type NoticeKind int

// Notice kinds.
const (
	NoticeAlert NoticeKind = iota // a new high alert: red
	NoticeTrial                   // a new trial match: purple
)

// NoticeBanner is the in-app notification strip across the top of the
// window for what needs a clinician now (a new high alert, a trial match):
// one row, whatever is pending: a coloured strip with an icon, a bold
// heading and a line of text (cut with an ellipsis, never wrapped), a "+N
// more" menu of the other pending notices, an "Open chart" button and a
// close button. Tapping anywhere on it opens too.
type NoticeBanner struct {
	widget.BaseWidget
	Kind    NoticeKind
	Heading string // "High alert"
	Text    string // "Ñúñez Ortega, José · NEWS2 9: high"
	// OnOpen is called when the banner or its button is tapped.
	OnOpen func()
	// OnDismiss is called when its close button is tapped.
	OnDismiss func()
	// Others are the other pending notices, newest first: the "+N more"
	// menu lists them, each opening its chart.
	Others []NoticeItem

	open, dismiss, more *widget.Button
}

// NoticeItem is one entry of the strip's "+N more" menu.
type NoticeItem struct {
	Label string // "High alert · Ñúñez Ortega, José (MRN KV-100231) — NEWS2 9: High"
	Open  func()
}

// MoreText is the strip's menu button: "+2 more".
func MoreText(n int) string { return fmt.Sprintf("+%d more", n) }

// ShowMore opens the "+N more" menu under its button (tests and keyboard
// use).
func (b *NoticeBanner) ShowMore() {
	if len(b.Others) == 0 || b.more == nil {
		return
	}
	items := make([]*fyne.MenuItem, 0, len(b.Others))
	for _, o := range b.Others {
		items = append(items, fyne.NewMenuItem(o.Label, o.Open))
	}
	c := fyne.CurrentApp().Driver().CanvasForObject(b.more)
	if c == nil {
		return
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(b.more).AddXY(0, b.more.Size().Height)
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", items...), c, pos)
}

// NewNoticeBanner returns a banner.
func NewNoticeBanner(kind NoticeKind, heading, text string, onOpen, onDismiss func()) *NoticeBanner {
	b := &NoticeBanner{Kind: kind, Heading: heading, Text: text, OnOpen: onOpen, OnDismiss: onDismiss}
	b.ExtendBaseWidget(b)
	return b
}

// Tapped opens.
func (b *NoticeBanner) Tapped(*fyne.PointEvent) {
	if b.OnOpen != nil {
		b.OnOpen()
	}
}

// Cursor is the pointer hand: the banner is a link.
func (b *NoticeBanner) Cursor() desktop.Cursor { return desktop.PointerCursor }

// Open taps the banner's open button (tests and keyboard use).
func (b *NoticeBanner) Open() { b.Tapped(nil) }

// Dismiss taps the banner's close button.
func (b *NoticeBanner) Dismiss() {
	if b.OnDismiss != nil {
		b.OnDismiss()
	}
}

func (b *NoticeBanner) colors() (bg, fg fyne.ThemeColorName, icon fyne.Resource) {
	if b.Kind == NoticeTrial {
		return ColorTrial, ColorOnTrial, theme.InfoIcon()
	}
	return ColorAlert, ColorOnAlert, theme.WarningIcon()
}

// CreateRenderer lays out icon, heading and text, and the two buttons.
func (b *NoticeBanner) CreateRenderer() fyne.WidgetRenderer {
	bgName, fgName, icon := b.colors()
	bg := NewBackground(bgName)
	// Heading and text are two rich texts: Fyne ellipsises a rich text of
	// one segment, where two inline segments were clipped mid-word.
	heading := widget.NewRichText(&widget.TextSegment{Text: b.Heading, Style: widget.RichTextStyle{ColorName: fgName, TextStyle: fyne.TextStyle{Bold: true}}})
	txt := widget.NewRichText(&widget.TextSegment{Text: b.Text, Style: widget.RichTextStyle{ColorName: fgName}})
	txt.Truncation = fyne.TextTruncateEllipsis
	b.open = widget.NewButtonWithIcon("Open chart", theme.NavigateNextIcon(), b.Open)
	b.dismiss = widget.NewButtonWithIcon("", theme.CancelIcon(), b.Dismiss)
	b.dismiss.Importance = widget.LowImportance
	ic := widget.NewIcon(theme.NewColoredResource(icon, fgName))
	closeBox := container.NewStack(NewBackground(theme.ColorNameBackground), b.dismiss)
	buttons := container.NewHBox(b.open, closeBox)
	if len(b.Others) > 0 {
		b.more = widget.NewButtonWithIcon(MoreText(len(b.Others)), theme.MenuDropDownIcon(), b.ShowMore)
		b.more.IconPlacement = widget.ButtonIconTrailingText
		buttons = container.NewHBox(b.more, b.open, closeBox)
	}
	row := container.NewBorder(nil, nil, container.NewHBox(container.NewCenter(ic), heading), buttons, txt)
	return widget.NewSimpleRenderer(container.NewStack(bg, container.NewPadded(row)))
}
