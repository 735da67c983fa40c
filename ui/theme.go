package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Theme modes, as the settings store them (config.Config.Theme).
const (
	ModeSystem = "system" // follow the desktop's light or dark preference
	ModeLight  = "light"
	ModeDark   = "dark"
)

// Colour names Chartline adds to Fyne's. Every widget asks the theme for
// these by name, so a theme change repaints them.
const (
	// Band backgrounds and the text drawn on them, one pair per NEWS2 band.
	ColorBandNone         fyne.ThemeColorName = "chartline.band.none"
	ColorBandLow          fyne.ThemeColorName = "chartline.band.low"
	ColorBandLowMedium    fyne.ThemeColorName = "chartline.band.low-medium"
	ColorBandMedium       fyne.ThemeColorName = "chartline.band.medium"
	ColorBandHigh         fyne.ThemeColorName = "chartline.band.high"
	ColorOnBandNone       fyne.ThemeColorName = "chartline.onband.none"
	ColorOnBandLow        fyne.ThemeColorName = "chartline.onband.low"
	ColorOnBandLowMedium  fyne.ThemeColorName = "chartline.onband.low-medium"
	ColorOnBandMedium     fyne.ThemeColorName = "chartline.onband.medium"
	ColorOnBandHigh       fyne.ThemeColorName = "chartline.onband.high"
	ColorAllergy          fyne.ThemeColorName = "chartline.allergy"          // the red allergy strip
	ColorOnAllergy        fyne.ThemeColorName = "chartline.onallergy"        // text on it
	ColorNoAllergy        fyne.ThemeColorName = "chartline.noallergy"        // "No known allergies" strip
	ColorOnNoAllergy      fyne.ThemeColorName = "chartline.onnoallergy"      // text on it
	ColorUnknownAllergy   fyne.ThemeColorName = "chartline.unknownallergy"   // "Allergies not recorded" strip
	ColorOnUnknownAllergy fyne.ThemeColorName = "chartline.onunknownallergy" // text on it
	ColorAlert            fyne.ThemeColorName = "chartline.alert"            // open-alert count badge
	ColorOnAlert          fyne.ThemeColorName = "chartline.onalert"          // text on it
	ColorTrial            fyne.ThemeColorName = "chartline.trial"            // trial-match marker
	ColorOnTrial          fyne.ThemeColorName = "chartline.ontrial"          // text on it
	ColorAbnormal         fyne.ThemeColorName = "chartline.abnormal"         // out-of-range marks, as text on the background
	ColorMuted            fyne.ThemeColorName = "chartline.muted"            // secondary text: still 4.5:1 on the background
	ColorCard             fyne.ThemeColorName = "chartline.card"             // summary section and header backgrounds
	ColorRail             fyne.ThemeColorName = "chartline.rail"             // navigation rail background
	ColorCursor           fyne.ThemeColorName = "chartline.cursor"           // keyboard cursor row in lists
	ColorStatusOK         fyne.ThemeColorName = "chartline.status.ok"        // live dot
	ColorStatusBusy       fyne.ThemeColorName = "chartline.status.busy"      // connecting / catching up dot
	ColorStatusBad        fyne.ThemeColorName = "chartline.status.bad"       // offline dot
	ColorProblem          fyne.ThemeColorName = "chartline.problem"          // conformance-problem box background
	ColorOnProblem        fyne.ThemeColorName = "chartline.onproblem"        // text on it
	ColorHeaderRow        fyne.ThemeColorName = "chartline.headerrow"        // day headers in the timeline
	ColorNEWS2Score3      fyne.ThemeColorName = "chartline.news2.score3"     // a parameter sub-score of 3 (red score)
	ColorNEWS2Score2      fyne.ThemeColorName = "chartline.news2.score2"     // sub-score 2
	ColorNEWS2Score1      fyne.ThemeColorName = "chartline.news2.score1"     // sub-score 1
	ColorOnNEWS2Score     fyne.ThemeColorName = "chartline.news2.onscore"    // text on scores 1 and 2
	ColorOnNEWS2Score3    fyne.ThemeColorName = "chartline.news2.onscore3"   // text on score 3
	ColorNEWS2Score0      fyne.ThemeColorName = "chartline.news2.score0"     // sub-score 0
	ColorOnNEWS2Score0    fyne.ThemeColorName = "chartline.news2.onscore0"   // text on score 0
	ColorNEWS2Missing     fyne.ThemeColorName = "chartline.news2.missing"    // missing or stale parameter
	ColorOnNEWS2Missing   fyne.ThemeColorName = "chartline.news2.onmissing"  // text on it
	ColorSelectedRail     fyne.ThemeColorName = "chartline.rail.selected"    // the current screen's rail button
	ColorOnSelectedRail   fyne.ThemeColorName = "chartline.rail.onselected"  // text on it
	ColorChartLine        fyne.ThemeColorName = "chartline.chart.line"       // a trend's main series
	ColorChartLine2       fyne.ThemeColorName = "chartline.chart.line2"      // a trend's second series (diastolic)
	ColorChartRange       fyne.ThemeColorName = "chartline.chart.range"      // reference range shading
	ColorChartGrid        fyne.ThemeColorName = "chartline.chart.grid"       // grid lines
	ColorChartZoneLow     fyne.ThemeColorName = "chartline.chart.zone.low"   // NEWS2 0–4 shading
	ColorChartZoneMid     fyne.ThemeColorName = "chartline.chart.zone.mid"   // NEWS2 5–6 shading
	ColorChartZoneHigh    fyne.ThemeColorName = "chartline.chart.zone.high"  // NEWS2 7+ shading
	ColorSeverityMedium   fyne.ThemeColorName = "chartline.severity.medium"  // a medium alert's badge
	ColorOnSeverity       fyne.ThemeColorName = "chartline.severity.on"      // text on a medium or low-medium badge
	ColorStateNew         fyne.ThemeColorName = "chartline.state.new"        // an alert nobody has acknowledged
	ColorStateDone        fyne.ThemeColorName = "chartline.state.done"       // acknowledged, resolved: calm grey
	ColorOnStateNew       fyne.ThemeColorName = "chartline.state.onnew"      // text on the "new" badge
	ColorOnState          fyne.ThemeColorName = "chartline.state.on"         // text on the calm state badges
)

// NEWS2 band names as the clinical engine writes them (RCP NEWS2 chart 2017,
// "NEWS thresholds and triggers", plus "none" for no usable vital sign).
const (
	BandNone      = "none"
	BandLow       = "low"        // aggregate 0–4
	BandLowMedium = "low-medium" // a single parameter scoring 3, aggregate under 5
	BandMedium    = "medium"     // aggregate 5–6
	BandHigh      = "high"       // aggregate 7 or more
)

// BandColors returns the theme colour names of a band's background and of
// the text drawn on it. Unknown bands draw as "none".
func BandColors(band string) (bg, fg fyne.ThemeColorName) {
	switch band {
	case BandLow:
		return ColorBandLow, ColorOnBandLow
	case BandLowMedium:
		return ColorBandLowMedium, ColorOnBandLowMedium
	case BandMedium:
		return ColorBandMedium, ColorOnBandMedium
	case BandHigh:
		return ColorBandHigh, ColorOnBandHigh
	}
	return ColorBandNone, ColorOnBandNone
}

// BandLabel is the word a clinician reads for a band: "Low", "Low-medium",
// "Medium", "High", or "No score".
func BandLabel(band string) string {
	switch band {
	case BandLow:
		return "Low"
	case BandLowMedium:
		return "Low-medium"
	case BandMedium:
		return "Medium"
	case BandHigh:
		return "High"
	}
	return "No score"
}

// Sizes Chartline uses instead of Fyne's defaults: a larger body text and no
// caption text under 13 points, so nothing a clinician must read is tiny.
const (
	textSize       = 15
	captionSize    = 13
	subHeadingSize = 18
	headingSize    = 22
	inlineIconSize = 20
)

// Theme is Chartline's theme: Fyne's default look with stronger text
// contrast, readable sizes, and the clinical colours. Its Mode decides the
// variant: light, dark, or whatever the desktop asks for.
type Theme struct {
	mode string
}

// NewTheme returns the theme for a mode (ModeSystem, ModeLight or ModeDark;
// anything else follows the system).
func NewTheme(mode string) *Theme {
	switch mode {
	case ModeLight, ModeDark:
	default:
		mode = ModeSystem
	}
	return &Theme{mode: mode}
}

// Mode is the theme's mode.
func (t *Theme) Mode() string { return t.mode }

// Variant returns the variant the theme draws for the one the desktop asks
// for: fixed in light and dark mode, the asked one in system mode.
func (t *Theme) Variant(asked fyne.ThemeVariant) fyne.ThemeVariant {
	switch t.mode {
	case ModeLight:
		return theme.VariantLight
	case ModeDark:
		return theme.VariantDark
	}
	return asked
}

// Color returns a named colour in the variant the mode selects.
func (t *Theme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	v = t.Variant(v)
	dark := v == theme.VariantDark
	if c, ok := clinicalColor(n, dark); ok {
		return c
	}
	if c, ok := baseOverride(n, dark); ok {
		return c
	}
	return theme.DefaultTheme().Color(n, v)
}

// Font returns Fyne's bundled fonts (Noto Sans covers the accented names the
// census shows).
func (t *Theme) Font(s fyne.TextStyle) fyne.Resource { return theme.DefaultTheme().Font(s) }

// Icon returns Fyne's bundled icons.
func (t *Theme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

// Size returns Chartline's text sizes and Fyne's other sizes.
func (t *Theme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameText:
		return textSize
	case theme.SizeNameCaptionText:
		return captionSize
	case theme.SizeNameSubHeadingText:
		return subHeadingSize
	case theme.SizeNameHeadingText:
		return headingSize
	case theme.SizeNameInlineIcon:
		return inlineIconSize
	}
	return theme.DefaultTheme().Size(n)
}

func rgb(hex uint32) color.NRGBA {
	return color.NRGBA{R: uint8(hex >> 16), G: uint8(hex >> 8), B: uint8(hex), A: 0xff}
}

// Palette. Every text colour is checked against the background it is drawn
// on (WCAG 2.1 contrast of at least 4.5:1) by TestContrast.
var (
	white = rgb(0xffffff)
	ink   = rgb(0x1b1b1f) // near-black text
	paper = rgb(0x17171a) // the dark background, a touch darker than Fyne's

	bandNone      = rgb(0x5f6368) // grey
	bandLow       = rgb(0x1e7b34) // green
	bandLowMedium = rgb(0xf5b800) // amber
	bandMedium    = rgb(0xe65100) // orange
	bandHigh      = rgb(0xc62828) // red
)

// clinicalColors are Chartline's own colours, light and dark.
var clinicalColors = map[fyne.ThemeColorName]struct{ light, dark color.Color }{
	ColorBandNone:         {bandNone, bandNone},
	ColorBandLow:          {bandLow, bandLow},
	ColorBandLowMedium:    {bandLowMedium, bandLowMedium},
	ColorBandMedium:       {bandMedium, bandMedium},
	ColorBandHigh:         {bandHigh, bandHigh},
	ColorOnBandNone:       {white, white},
	ColorOnBandLow:        {white, white},
	ColorOnBandHigh:       {white, white},
	ColorOnBandLowMedium:  {ink, ink},
	ColorOnBandMedium:     {ink, ink},
	ColorAllergy:          {rgb(0xb3261e), rgb(0x93000a)},
	ColorOnAllergy:        {white, white},
	ColorNoAllergy:        {rgb(0xe6f4ea), rgb(0x1f3a27)},
	ColorOnNoAllergy:      {rgb(0x0d5323), rgb(0xc8e6c9)},
	ColorUnknownAllergy:   {rgb(0xfff4ce), rgb(0x3d3312)},
	ColorOnUnknownAllergy: {rgb(0x5c4300), rgb(0xffe08a)},
	ColorAlert:            {rgb(0xb3261e), rgb(0xd32f2f)},
	ColorOnAlert:          {white, white},
	ColorTrial:            {rgb(0x5b3ea8), rgb(0x7e5bd6)},
	ColorOnTrial:          {white, white},
	ColorAbnormal:         {rgb(0xb3261e), rgb(0xff8a80)},
	ColorMuted:            {rgb(0x4f5258), rgb(0xb8bcc4)},
	ColorCard:             {rgb(0xf6f7f9), rgb(0x212126)},
	ColorRail:             {rgb(0xeceef2), rgb(0x1d1d22)},
	ColorCursor:           {color.NRGBA{R: 0x00, G: 0x6c, B: 0xff, A: 0x30}, color.NRGBA{R: 0x4d, G: 0x9c, B: 0xff, A: 0x40}},
	ColorStatusOK:         {rgb(0x1e7b34), rgb(0x4caf50)},
	ColorStatusBusy:       {rgb(0x9a5b00), rgb(0xffb74d)},
	ColorStatusBad:        {rgb(0xb3261e), rgb(0xff8a80)},
	ColorProblem:          {rgb(0xfff4ce), rgb(0x3d3312)},
	ColorOnProblem:        {rgb(0x5c4300), rgb(0xffe08a)},
	ColorHeaderRow:        {rgb(0xe8eaef), rgb(0x2a2a31)},
	ColorNEWS2Score0:      {rgb(0xe8eaef), rgb(0x2f3036)},
	ColorOnNEWS2Score0:    {ink, rgb(0xf3f3f3)},
	ColorOnNEWS2Missing:   {ink, rgb(0xf3f3f3)},
	ColorNEWS2Score1:      {rgb(0xfff59d), rgb(0xfff59d)}, // pale yellow, as on the RCP chart
	ColorNEWS2Score2:      {rgb(0xffb74d), rgb(0xffb74d)}, // orange
	ColorNEWS2Score3:      {bandHigh, bandHigh},           // red
	ColorOnNEWS2Score:     {ink, ink},
	ColorOnNEWS2Score3:    {white, white},
	ColorNEWS2Missing:     {rgb(0xd7d9de), rgb(0x44464d)},
	ColorSelectedRail:     {rgb(0xd3e3fd), rgb(0x1f3760)},
	ColorOnSelectedRail:   {rgb(0x041e49), rgb(0xd3e3fd)},
	ColorChartLine:        {rgb(0x1a56b0), rgb(0x82b1ff)},
	ColorChartLine2:       {rgb(0x7b3fa0), rgb(0xce93d8)},
	ColorChartRange:       {color.NRGBA{R: 0x1e, G: 0x7b, B: 0x34, A: 0x26}, color.NRGBA{R: 0x4c, G: 0xaf, B: 0x50, A: 0x30}},
	ColorChartGrid:        {rgb(0xdfe2e7), rgb(0x34353c)},
	ColorChartZoneLow:     {color.NRGBA{R: 0x1e, G: 0x7b, B: 0x34, A: 0x1c}, color.NRGBA{R: 0x4c, G: 0xaf, B: 0x50, A: 0x22}},
	ColorChartZoneMid:     {color.NRGBA{R: 0xe6, G: 0x51, B: 0x00, A: 0x24}, color.NRGBA{R: 0xff, G: 0x98, B: 0x00, A: 0x2c}},
	ColorChartZoneHigh:    {color.NRGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0x24}, color.NRGBA{R: 0xef, G: 0x53, B: 0x50, A: 0x30}},
	ColorSeverityMedium:   {bandMedium, bandMedium},
	ColorOnSeverity:       {ink, ink},
	ColorStateNew:         {rgb(0x1a56b0), rgb(0x82b1ff)},
	ColorStateDone:        {rgb(0xe0e2e6), rgb(0x3a3b42)},
	ColorOnStateNew:       {white, ink},
	ColorOnState:          {ink, rgb(0xf3f3f3)},
}

// clinicalColor gives Chartline's own colours.
func clinicalColor(n fyne.ThemeColorName, dark bool) (color.Color, bool) {
	c, ok := clinicalColors[n]
	if !ok {
		return nil, false
	}
	if dark {
		return c.dark, true
	}
	return c.light, true
}

// baseOverride strengthens a few of Fyne's colours: body text, placeholder
// and the semantic colours, whose defaults are too light to read text on.
func baseOverride(n fyne.ThemeColorName, dark bool) (color.Color, bool) {
	switch n {
	case theme.ColorNameForeground:
		if dark {
			return rgb(0xf3f3f3), true
		}
		return ink, true
	case theme.ColorNameBackground:
		if dark {
			return paper, true
		}
		return white, true
	case theme.ColorNameDisabled:
		// Fyne draws low-importance labels (hints, footers) and disabled
		// text in this colour; its default is about 2:1, unreadable. At
		// these values it is 5:1 or more on every surface, and still
		// visibly lighter than body text.
		if dark {
			return rgb(0x9da0a8), true
		}
		return rgb(0x5f6368), true
	case theme.ColorNamePrimary:
		// The selected tab's label, links, selected radios and the main
		// buttons: 4.5:1 on the background (Fyne's blue is 4.0 in dark).
		if dark {
			return rgb(0x4d8eff), true
		}
		return rgb(0x1a5fd0), true
	case theme.ColorNameForegroundOnPrimary:
		if dark {
			return ink, true
		}
		return white, true
	case theme.ColorNameInputBorder:
		// Entry outlines and unselected radio and check boxes: 3:1 or more
		// (WCAG 2.1 1.4.11, non-text contrast); Fyne's default is about
		// 1.3:1 in the light theme, which made unselected radios vanish.
		if dark {
			return rgb(0x7a7d85), true
		}
		return rgb(0x767a82), true
	case theme.ColorNamePlaceHolder:
		if dark {
			return rgb(0xb2b2b2), true
		}
		return rgb(0x5f5f5f), true
	case theme.ColorNameError:
		if dark {
			return rgb(0xff8a80), true
		}
		return rgb(0xb3261e), true
	case theme.ColorNameForegroundOnError:
		if dark {
			return ink, true
		}
		return white, true
	case theme.ColorNameSuccess:
		if dark {
			return rgb(0x4caf50), true
		}
		return rgb(0x1e7b34), true
	case theme.ColorNameForegroundOnSuccess:
		if dark {
			return ink, true
		}
		return white, true
	case theme.ColorNameWarning:
		if dark {
			return rgb(0xffb74d), true
		}
		return rgb(0x9a5b00), true
	case theme.ColorNameForegroundOnWarning:
		if dark {
			return ink, true
		}
		return white, true
	}
	return nil, false
}
