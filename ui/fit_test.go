package ui

import (
	"testing"
	"unicode/utf8"
)

// runes measures one unit per character, so the widths below read as
// character counts.
func runes(s string) float32 { return float32(utf8.RuneCountInString(s)) }

func TestValueTail(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"C reactive protein [Mass/volume] in Serum or Plasma 86.6 mg/L (H)", "86.6 mg/L (H)"},
		{"Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] 79 mL/min/{1.73_m2}", "79 mL/min/{1.73_m2}"},
		{"Oxygen saturation in Arterial blood by Pulse oximetry 93 % (on 4 L/min)", "93 % (on 4 L/min)"},
		{"EGFR gene mutations found [Identifier] in Tissue: Present", "Present"},
		{"Blood pressure 98/53 mmHg", "98/53 mmHg"},
		{"Troponin I 0.01 ng/mL (< 0.04)", "0.01 ng/mL (< 0.04)"},
		{"Pneumonia (disorder)", ""},
		{"Heart rate 88 /min", "88 /min"},
	} {
		if got := ValueTail(c.in); got != c.want {
			t.Errorf("ValueTail(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestFitParts(t *testing.T) {
	set := []string{"RR 27/min", "SpO2 92 %", "HR 124/min", "BP 98/53 mmHg", "Temp 38.8 °C", "ACVPU C"}
	crp := "C reactive protein [Mass/volume] in Serum or Plasma 86.6 mg/L (H)"
	for _, c := range []struct {
		name  string
		parts []string
		width float32
		want  string
	}{
		{"everything fits", set, 100, "RR 27/min · SpO2 92 % · HR 124/min · BP 98/53 mmHg · Temp 38.8 °C · ACVPU C"},
		{"not laid out yet", set, 0, "RR 27/min · SpO2 92 % · HR 124/min · BP 98/53 mmHg · Temp 38.8 °C · ACVPU C"},
		{"whole readings dropped, counted", set, 40, "RR 27/min · SpO2 92 % · HR 124/min · +3"},
		{"exactly at the width", set, runes("RR 27/min · SpO2 92 % · +4"), "RR 27/min · SpO2 92 % · +4"},
		{"one under", set, runes("RR 27/min · SpO2 92 % · +4") - 1, "RR 27/min · +5"},
		{"a long name is cut, not its value", []string{crp}, 40, "C reactive protein [Mass/… 86.6 mg/L (H)"},
		{"room for the value alone", []string{crp}, 15, "… 86.6 mg/L (H)"},
		{"no value: plain ellipsis", []string{"Pneumonia caused by Streptococcus pneumoniae (disorder)"}, 20, "Pneumonia caused by…"},
	} {
		got := FitParts(c.parts, c.width, runes)
		if got != c.want {
			t.Errorf("%s: FitParts(width %v) = %q, want %q", c.name, c.width, got, c.want)
		}
		if c.width > 0 && runes(got) > c.width && c.want != got {
			t.Errorf("%s: %q is wider than %v", c.name, got, c.width)
		}
	}
}
