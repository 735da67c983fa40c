package views

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// hostile is what the feed quarantines: records that broke a record rule,
// as it writes them (app/feed, app/record reasons).
func hostile() []store.Quarantined {
	at := fixtureNow.Add(-time.Hour)
	big := bytes.Repeat([]byte(`{"resourceType":"Observation","id":"x","note":"`), 30000)
	return []store.Quarantined{
		{Topic: "fhir.patient.pt-0001", Offset: 12, Key: []byte("Observation/7"), Value: []byte(`{"resourceType":"Observation","id":"8"}`),
			Reason: "id does not match the key", Detail: "key says Observation/7, resource id is 8", Time: at, RecordAt: at.Add(-time.Minute)},
		{Topic: "fhir.patient.pt-0001", Offset: 13, Key: []byte("Observation/9"), Value: []byte("not json\x00\x1b[31m\xff\xfe"),
			Reason: "not JSON", Detail: "invalid character 'o' in literal null", Time: at.Add(time.Minute)},
		{Topic: "fhir.patient.pt-0006", Offset: 40, Key: []byte("Obs\x1b[2Jervation"), Value: []byte(`{}`),
			Reason: "bad key", Detail: "key is not Type/id", Time: at.Add(2 * time.Minute)},
		{Topic: "fhir.reference", Offset: 3, Key: []byte("Practitioner/big"), Value: big,
			Reason: "record too large", Detail: "1.4 MiB is over the 4 MiB limit", Time: at.Add(3 * time.Minute)},
		{Topic: "fhir.patient.pt-0006", Offset: 41, Key: []byte("Patient/\u202eevil"), Value: nil,
			Reason: "bad key", Detail: "tombstone: key is not Type/id", Time: at.Add(4 * time.Minute)},
	}
}

func TestQuarantine(t *testing.T) {
	s := smallStore(t, demo.NoKnownAllergiesPatient)
	qs := hostile()
	if _, err := s.Apply(&store.Batch{Quarantine: qs[:4]}); err != nil {
		t.Fatal(err)
	}
	sub := s.Subscribe()
	defer sub.Close()
	e, w := newTestEnv(t, s, ui.ModeLight)
	e.shell.Show(screenQuarantine)
	v := e.quarantine
	if len(v.shown) != 4 || v.rows[v.shown[0]].Reason != "record too large" {
		t.Fatalf("quarantine shows %d, newest first %q", len(v.shown), v.rows[v.shown[0]].Reason)
	}
	if got := v.counts.Text; got != "4 quarantined records — by reason: bad key: 1 · id does not match the key: 1 · not JSON: 1 · record too large: 1" {
		t.Errorf("counts %q", got)
	}
	// The newest: a 1.4 MiB value, shown bounded on demand.
	e.shell.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	if v.cursor != 0 || !v.body.Visible() || v.hex.Visible() {
		t.Fatalf("Down did not show the first record's detail, or showed its bytes unasked")
	}
	test.Tap(v.rawBtn)
	hex := v.hex.Segments[0].(interface{ Textual() string }).Textual()
	if lines := strings.Count(hex, "\n") + 1; lines != maxHexShown/16 {
		t.Errorf("hex dump of a large value has %d lines, want %d", lines, maxHexShown/16)
	}
	txt := v.text.Segments[0].(interface{ Textual() string }).Textual()
	if len(txt) > maxTextShown+8 || !strings.HasSuffix(txt, "…") {
		t.Errorf("text view of %d bytes, cut mark %v", len(txt), strings.HasSuffix(txt, "…"))
	}
	if !strings.Contains(v.rawNote.Text, "first 4.0 KiB of") {
		t.Errorf("raw note %q", v.rawNote.Text)
	}
	test.Tap(v.rawBtn)
	if v.hex.Visible() {
		t.Errorf("hide raw bytes left them shown")
	}
	// The bad key with control characters: shown made safe.
	e.shell.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	e.shell.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	q := v.rows[v.shown[v.cursor]]
	if q.Reason != "not JSON" {
		t.Fatalf("third row %q", q.Reason)
	}
	test.Tap(v.rawBtn)
	shown := v.text.Segments[0].(interface{ Textual() string }).Textual()
	if shown != "not json··[31m··" {
		t.Errorf("control characters shown as %q", shown)
	}
	test.AssertRendersToMarkup(t, "quarantine.xml", w.Canvas())
	shot(t, w, "quarantine")

	// Filter by reason.
	v.reasons.SetSelected("bad key (1)")
	if len(v.shown) != 1 || v.rows[v.shown[0]].Reason != "bad key" {
		t.Errorf("reason filter shows %d", len(v.shown))
	}
	// A new refused record arrives: the screen follows.
	if _, err := s.Apply(&store.Batch{Quarantine: qs[4:]}); err != nil {
		t.Fatal(err)
	}
	follow(e, sub)
	if len(v.rows) != 5 || len(v.shown) != 2 || v.reasons.Selected != "bad key (2)" {
		t.Errorf("after a new record: %d rows, %d shown, filter %q", len(v.rows), len(v.shown), v.reasons.Selected)
	}
	v.choose(0)
	if v.rawBtn.Visible() {
		t.Errorf("a tombstone offers raw bytes")
	}
}

func TestPrintable(t *testing.T) {
	for _, tc := range []struct {
		in    string
		limit int
		want  string
	}{
		{"plain", 100, "plain"},
		{"line\nbreak\ttab", 100, "line\nbreak\ttab"},
		{"bell\a esc\x1b nul\x00", 100, "bell· esc· nul·"},
		{"bad \xff\xfe utf8", 100, "bad ·· utf8"},
		{"rtl \u202e override \u2066", 100, "rtl · override ·"},
		{"Ñúñez", 100, "Ñúñez"},
		{"abcdef", 3, "abc…"},
		{"abc", 3, "abc"}, // at the limit: not cut
		{"Ñ", 1, "·…"},    // a rune cut in half is not shown as a letter
		{"", 10, ""},
	} {
		if got := printable([]byte(tc.in), tc.limit); got != tc.want {
			t.Errorf("printable(%q, %d) = %q, want %q", tc.in, tc.limit, got, tc.want)
		}
	}
}

func TestHexDump(t *testing.T) {
	for _, tc := range []struct {
		in    []byte
		limit int
		want  string
	}{
		{nil, 16, "(empty)"},
		{[]byte("AB"), 16, "00000000  41 42                                             |AB|"},
		{[]byte("0123456789abcdef"), 16, "00000000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|"},
		{[]byte("0123456789abcdefX"), 16, "00000000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|"},
		{[]byte("\x00\xff\n"), 16, "00000000  00 ff 0a                                          |...|"},
	} {
		if got := hexDump(tc.in, tc.limit); got != tc.want {
			t.Errorf("hexDump(%q):\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
	if got := strings.Count(hexDump(make([]byte, 33), 100), "\n"); got != 2 {
		t.Errorf("33 bytes make %d line breaks, want 2 (three lines)", got)
	}
}
