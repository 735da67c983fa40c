package ui

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// luminance is the WCAG 2.1 relative luminance of an opaque colour.
func luminance(c color.Color) float64 {
	r, g, b, _ := color.NRGBAModel.Convert(c).(color.NRGBA).RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// contrast is the WCAG 2.1 contrast ratio of two colours.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func TestContrastFunction(t *testing.T) {
	// The reference points of the WCAG definition.
	for _, tc := range []struct {
		a, b color.Color
		want float64
	}{
		{color.White, color.Black, 21},
		{color.White, color.White, 1},
		{rgb(0x767676), color.White, 4.54},
	} {
		if got := contrast(tc.a, tc.b); math.Abs(got-tc.want) > 0.01 {
			t.Errorf("contrast(%v, %v) = %.2f, want %.2f", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestContrast checks every text colour against what it is drawn on, in both
// variants: at least 4.5:1 (WCAG 2.1 AA for body text).
func TestContrast(t *testing.T) {
	test.NewTempApp(t)
	pairs := []struct{ fg, bg fyne.ThemeColorName }{
		{ColorOnBandNone, ColorBandNone},
		{ColorOnBandLow, ColorBandLow},
		{ColorOnBandLowMedium, ColorBandLowMedium},
		{ColorOnBandMedium, ColorBandMedium},
		{ColorOnBandHigh, ColorBandHigh},
		{ColorOnAllergy, ColorAllergy},
		{ColorOnNoAllergy, ColorNoAllergy},
		{ColorOnUnknownAllergy, ColorUnknownAllergy},
		{ColorOnAlert, ColorAlert},
		{ColorOnTrial, ColorTrial},
		{ColorOnProblem, ColorProblem},
		{ColorOnNEWS2Score0, ColorNEWS2Score0},
		{ColorOnNEWS2Score, ColorNEWS2Score1},
		{ColorOnNEWS2Score, ColorNEWS2Score2},
		{ColorOnNEWS2Score3, ColorNEWS2Score3},
		{ColorOnNEWS2Missing, ColorNEWS2Missing},
		{ColorOnSelectedRail, ColorSelectedRail},
		{ColorOnSeverity, ColorSeverityMedium},
		{ColorOnStateNew, ColorStateNew},
		{ColorOnState, ColorStateDone},
		{theme.ColorNameForeground, theme.ColorNameBackground},
		{theme.ColorNameForeground, ColorCard},
		{theme.ColorNameForeground, ColorRail},
		{theme.ColorNameForeground, ColorHeaderRow},
		{theme.ColorNameForeground, theme.ColorNameInputBackground},
		{theme.ColorNamePlaceHolder, theme.ColorNameInputBackground},
		{ColorMuted, theme.ColorNameBackground},
		{ColorMuted, ColorCard},
		{ColorAbnormal, theme.ColorNameBackground},
		{ColorAbnormal, ColorCard},
		{theme.ColorNameError, theme.ColorNameBackground}, // danger labels (out-of-range marks)
		{theme.ColorNameError, ColorCard},
		{theme.ColorNameWarning, theme.ColorNameBackground}, // warning labels ("missing")
		{theme.ColorNameWarning, ColorCard},
		{theme.ColorNameSuccess, ColorCard},
		{theme.ColorNameForegroundOnError, theme.ColorNameError},
		{theme.ColorNameForegroundOnWarning, theme.ColorNameWarning},
		{theme.ColorNameForegroundOnSuccess, theme.ColorNameSuccess},
		// Low-importance labels (key help, footers) and disabled text.
		{theme.ColorNameDisabled, theme.ColorNameBackground},
		{theme.ColorNameDisabled, ColorCard},
		{theme.ColorNameDisabled, ColorHeaderRow},
		{theme.ColorNameDisabled, ColorRail},
		// Text the trends and the charts draw on their card.
		{ColorMuted, ColorHeaderRow},
		{ColorChartLine, ColorCard},
		{ColorChartLine2, ColorCard},
		{ColorAbnormal, ColorHeaderRow},
		{theme.ColorNameForeground, ColorCursor},
		{theme.ColorNameForeground, ColorSelectedRail},
		{theme.ColorNamePrimary, theme.ColorNameBackground}, // the selected tab's label
		{theme.ColorNameForegroundOnPrimary, theme.ColorNamePrimary},
	}
	// Outlines a control is seen by (WCAG 2.1 1.4.11): 3:1.
	outlines := []struct{ fg, bg fyne.ThemeColorName }{
		{theme.ColorNameInputBorder, theme.ColorNameBackground}, // an unselected radio, an entry's frame
		{theme.ColorNameInputBorder, ColorCard},
		{theme.ColorNameInputBorder, ColorRail},
		{theme.ColorNamePrimary, theme.ColorNameBackground}, // a selected radio
	}
	for _, mode := range []string{ModeLight, ModeDark} {
		th := NewTheme(mode)
		for _, p := range pairs {
			fg, bg := th.Color(p.fg, theme.VariantLight), over(th.Color(p.bg, theme.VariantLight), th.Color(theme.ColorNameBackground, theme.VariantLight))
			if c := contrast(fg, bg); c < 4.5 {
				t.Errorf("%s: %s on %s has contrast %.2f, want ≥ 4.5", mode, p.fg, p.bg, c)
			}
		}
		for _, p := range outlines {
			fg, bg := th.Color(p.fg, theme.VariantLight), th.Color(p.bg, theme.VariantLight)
			if c := contrast(fg, bg); c < 3 {
				t.Errorf("%s: outline %s on %s has contrast %.2f, want ≥ 3", mode, p.fg, p.bg, c)
			}
		}
	}
}

// over is a colour drawn over an opaque background (the cursor row and the
// chart shades are translucent).
func over(c, bg color.Color) color.Color {
	f := color.NRGBAModel.Convert(c).(color.NRGBA)
	b := color.NRGBAModel.Convert(bg).(color.NRGBA)
	a := float64(f.A) / 255
	mix := func(x, y uint8) uint8 { return uint8(float64(x)*a + float64(y)*(1-a) + 0.5) }
	return color.NRGBA{R: mix(f.R, b.R), G: mix(f.G, b.G), B: mix(f.B, b.B), A: 0xff}
}

// TestBandsDistinct: the five band colours differ from each other enough to
// tell apart side by side (and the band word is always printed as well).
func TestBandsDistinct(t *testing.T) {
	test.NewTempApp(t)
	th := NewTheme(ModeLight)
	bands := []string{BandNone, BandLow, BandLowMedium, BandMedium, BandHigh}
	for i, a := range bands {
		for _, b := range bands[i+1:] {
			ca, _ := BandColors(a)
			cb, _ := BandColors(b)
			x := color.NRGBAModel.Convert(th.Color(ca, theme.VariantLight)).(color.NRGBA)
			y := color.NRGBAModel.Convert(th.Color(cb, theme.VariantLight)).(color.NRGBA)
			d := math.Abs(float64(x.R)-float64(y.R)) + math.Abs(float64(x.G)-float64(y.G)) + math.Abs(float64(x.B)-float64(y.B))
			if d < 60 {
				t.Errorf("bands %s and %s are too alike (%v vs %v)", a, b, x, y)
			}
		}
	}
}

func TestThemeMode(t *testing.T) {
	test.NewTempApp(t)
	for _, tc := range []struct {
		mode  string
		asked fyne.ThemeVariant
		want  fyne.ThemeVariant
	}{
		{ModeLight, theme.VariantDark, theme.VariantLight},
		{ModeLight, theme.VariantLight, theme.VariantLight},
		{ModeDark, theme.VariantLight, theme.VariantDark},
		{ModeDark, theme.VariantDark, theme.VariantDark},
		{ModeSystem, theme.VariantDark, theme.VariantDark},
		{ModeSystem, theme.VariantLight, theme.VariantLight},
		{"purple", theme.VariantDark, theme.VariantDark}, // unknown follows the system
	} {
		th := NewTheme(tc.mode)
		if got := th.Variant(tc.asked); got != tc.want {
			t.Errorf("%s asked %v: variant %v, want %v", tc.mode, tc.asked, got, tc.want)
		}
		bgWant := rgb(0xffffff)
		if tc.want == theme.VariantDark {
			bgWant = paper
		}
		if got := th.Color(theme.ColorNameBackground, tc.asked); got != bgWant {
			t.Errorf("%s asked %v: background %v, want %v", tc.mode, tc.asked, got, bgWant)
		}
	}
}

// TestSizes: no text a clinician reads is smaller than 13 points.
func TestSizes(t *testing.T) {
	th := NewTheme(ModeLight)
	for _, n := range []fyne.ThemeSizeName{theme.SizeNameText, theme.SizeNameCaptionText, theme.SizeNameSubHeadingText, theme.SizeNameHeadingText} {
		if s := th.Size(n); s < 13 {
			t.Errorf("%s is %v points, want ≥ 13", n, s)
		}
	}
	if th.Size(theme.SizeNameText) <= theme.DefaultTheme().Size(theme.SizeNameText)-1 {
		t.Errorf("body text %v is not larger than Fyne's default", th.Size(theme.SizeNameText))
	}
	if got, want := th.Size(theme.SizeNamePadding), theme.DefaultTheme().Size(theme.SizeNamePadding); got != want {
		t.Errorf("padding %v, want Fyne's %v", got, want)
	}
}
