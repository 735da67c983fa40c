package views

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// Raw bytes are shown bounded: a quarantined record may be up to the
// broker's limit and is hostile by assumption.
const (
	maxHexShown  = 4 << 10  // bytes in the hex dump
	maxTextShown = 16 << 10 // bytes in the text view
)

// Quarantine list columns: time, topic, offset, key, reason.
var quarantineColumns = []float32{110, 170, 60, 0, 196}

// allReasons is the reason filter's "no filter" choice.
const allReasons = "All reasons"

// quarantineView is the quarantine screen: every record the feed refused,
// newest first, with its topic, partition and offset, key, reason and
// time; counts by reason; and the selected record's detail, its raw bytes
// on demand (hex and text, bounded, control characters made visible).
type quarantineView struct {
	e *env

	loadMu  sync.Mutex
	loadSeq uint64

	// UI goroutine only.
	drawn   uint64
	rows    []store.Quarantined
	shown   []int
	reason  string
	keys    map[string]string
	cursor  int
	loaded  bool
	showRaw bool

	reasons *widget.Select
	counts  *widget.Label
	list    *widget.List
	empty   *widget.Label
	emptyAt *fyne.Container
	title   *widget.Label
	fields  *fyne.Container
	rawBtn  *widget.Button
	hex     *widget.RichText
	hexBox  *container.Scroll
	text    *widget.RichText
	rawNote *widget.Label
	body    *fyne.Container
	hint    *widget.Label
	top     *fyne.Container
	content fyne.CanvasObject
}

func newQuarantine(e *env) *quarantineView {
	v := &quarantineView{e: e, cursor: -1, keys: map[string]string{}}
	v.reasons = widget.NewSelect(nil, nil)
	v.counts = widget.NewLabel("Loading…")
	v.counts.Wrapping = fyne.TextWrapWord
	v.list = widget.NewList(
		func() int { return len(v.shown) },
		func() fyne.CanvasObject { return newQuarantineItem() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(v.shown) {
				o.(*quarantineItem).set(v, v.rows[v.shown[id]], id == v.cursor)
			}
		},
	)
	v.list.OnSelected = func(id widget.ListItemID) {
		v.list.Unselect(id)
		v.choose(id)
	}
	v.empty = widget.NewLabel("")
	v.empty.Alignment = fyne.TextAlignCenter
	v.empty.Wrapping = fyne.TextWrapWord
	v.empty.Hide()
	v.title = widget.NewLabel("")
	v.title.TextStyle.Bold = true
	v.title.SizeName = theme.SizeNameSubHeadingText
	v.title.Wrapping = fyne.TextWrapWord
	v.fields = container.New(layout.NewFormLayout())
	v.rawBtn = widget.NewButtonWithIcon("Show raw bytes", theme.DocumentIcon(), v.toggleRaw)
	v.hex = widget.NewRichText()
	v.text = widget.NewRichText()
	v.text.Wrapping = fyne.TextWrapBreak
	v.rawNote = widget.NewLabel("")
	v.rawNote.Wrapping = fyne.TextWrapWord
	v.hexBox = container.NewHScroll(v.hex)
	v.body = container.NewVBox(v.title, v.fields, v.rawBtn, v.rawNote, v.hexBox, v.text)
	v.body.Hide()
	v.hint = widget.NewLabel("Select a record to see why it was refused.")
	v.hint.Wrapping = fyne.TextWrapWord
	v.hint.Alignment = fyne.TextAlignCenter

	heading := widget.NewLabel("Quarantine")
	heading.TextStyle.Bold = true
	heading.SizeName = theme.SizeNameHeadingText
	intro := widget.NewLabel("Records that broke a record rule are kept here whole, never applied and never dropped. Ingest went on past each of them.")
	intro.Wrapping = fyne.TextWrapWord
	v.top = container.NewBorder(nil, nil, heading, container.NewHBox(widget.NewLabel("Reason"), container.New(&widthLayout{width: 280}, v.reasons)), intro)
	header := container.New(ui.NewColumns(quarantineColumns...),
		headerLabel("Quarantined"), headerLabel("Topic"), headerLabel("Offset"), headerLabel("Key"), headerLabel("Reason"))
	headerRow := container.NewStack(ui.NewBackground(ui.ColorHeaderRow), container.NewPadded(header))
	v.emptyAt = container.NewCenter(v.empty)
	left := container.NewBorder(headerRow, nil, nil, nil, container.NewStack(v.list, v.emptyAt))
	right := container.NewStack(container.NewVScroll(container.NewPadded(v.body)), container.NewCenter(v.hint))
	split := container.NewHSplit(left, right)
	split.Offset = 0.62
	v.content = container.NewBorder(container.NewVBox(container.NewPadded(v.top), container.NewPadded(v.counts)), nil, nil, nil, split)

	e.live.listen(func(c store.Change) {
		if c.Quarantined > 0 {
			v.load()
		}
	})
	e.async(v.load)
	return v
}

func (v *quarantineView) page() *ui.Page {
	return &ui.Page{Title: "Quarantine", Content: v.content, OnKey: func(ev *fyne.KeyEvent) bool {
		switch ev.Name {
		case fyne.KeyUp:
			v.move(-1)
		case fyne.KeyDown:
			v.move(1)
		default:
			return false
		}
		return true
	}}
}

// load reads the quarantine off the UI goroutine, newest first.
func (v *quarantineView) load() {
	v.loadMu.Lock()
	v.loadSeq++
	seq := v.loadSeq
	v.loadMu.Unlock()
	rows, err := v.e.store.Quarantine()
	slices.SortStableFunc(rows, func(a, b store.Quarantined) int {
		if c := b.Time.Compare(a.Time); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Topic, b.Topic); c != 0 {
			return c
		}
		return cmp.Compare(b.Offset, a.Offset)
	})
	v.e.do(func() {
		if seq <= v.drawn {
			return
		}
		v.drawn = seq
		if err != nil {
			v.e.log.Error("read quarantine", "err", errorClass(err))
			v.counts.SetText("Could not read the quarantine: " + err.Error())
			return
		}
		v.setRows(rows)
	})
}

// reasonCount is one reason and how many records it refused.
type reasonCount struct {
	Reason string
	N      int
}

// countReasons counts records by reason, most first.
func countReasons(rows []store.Quarantined) []reasonCount {
	by := map[string]int{}
	for _, r := range rows {
		by[r.Reason]++
	}
	out := make([]reasonCount, 0, len(by))
	for k, n := range by {
		out = append(out, reasonCount{k, n})
	}
	slices.SortFunc(out, func(a, b reasonCount) int {
		if a.N != b.N {
			return b.N - a.N
		}
		return cmp.Compare(a.Reason, b.Reason)
	})
	return out
}

func (v *quarantineView) setRows(rows []store.Quarantined) {
	var keep store.Quarantined
	had := v.cursor >= 0 && v.cursor < len(v.shown)
	if had {
		keep = v.rows[v.shown[v.cursor]]
	}
	v.rows, v.loaded = rows, true
	counts := countReasons(rows)
	opts := []string{fmt.Sprintf("%s (%s)", allReasons, ui.Thousands(int64(len(rows))))}
	v.keys = map[string]string{opts[0]: ""}
	sel := opts[0]
	var parts []string
	for _, c := range counts {
		label := fmt.Sprintf("%s (%s)", c.Reason, ui.Thousands(int64(c.N)))
		opts = append(opts, label)
		v.keys[label] = c.Reason
		if c.Reason == v.reason {
			sel = label
		}
		parts = append(parts, fmt.Sprintf("%s: %s", c.Reason, ui.Thousands(int64(c.N))))
	}
	if sel == opts[0] {
		v.reason = ""
	}
	v.reasons.OnChanged = nil
	v.reasons.Options = opts
	v.reasons.SetSelected(sel)
	v.reasons.OnChanged = func(s string) { v.reason = v.keys[s]; v.refilter(store.Quarantined{}, false) }
	if len(rows) == 0 {
		v.counts.SetText(ui.QuarantineText(0) + ".")
	} else {
		v.counts.SetText(ui.QuarantineText(len(rows)) + " — by reason: " + strings.Join(parts, " · "))
	}
	v.refilter(keep, had)
}

func sameRecord(a, b store.Quarantined) bool {
	return a.Topic == b.Topic && a.Partition == b.Partition && a.Offset == b.Offset
}

// refilter recomputes the rows shown, keeping the selected record.
func (v *quarantineView) refilter(keep store.Quarantined, had bool) {
	if !had && v.cursor >= 0 && v.cursor < len(v.shown) {
		keep, had = v.rows[v.shown[v.cursor]], true
	}
	v.shown = v.shown[:0]
	v.cursor = -1
	for i, r := range v.rows {
		if v.reason != "" && r.Reason != v.reason {
			continue
		}
		if had && sameRecord(r, keep) {
			v.cursor = len(v.shown)
		}
		v.shown = append(v.shown, i)
	}
	switch {
	case v.loaded && len(v.rows) == 0:
		v.empty.SetText("Nothing was refused: every record read so far kept the record rules.")
		v.empty.Show()
	case len(v.shown) == 0:
		v.empty.SetText("No record has this reason.")
		v.empty.Show()
	default:
		v.empty.Hide()
	}
	v.emptyAt.Refresh()
	v.top.Refresh()
	v.list.Refresh()
	if v.cursor < 0 {
		v.body.Hide()
		v.hint.Show()
	}
}

func (v *quarantineView) move(delta int) {
	if len(v.shown) > 0 {
		v.choose(cursorStep(v.cursor, delta, len(v.shown)))
	}
}

// choose shows a record's detail.
func (v *quarantineView) choose(pos int) {
	if pos < 0 || pos >= len(v.shown) {
		return
	}
	setCursor(v.list, &v.cursor, pos, len(v.shown))
	q := v.rows[v.shown[pos]]
	v.title.SetText(q.Reason)
	field := func(label, value string) []fyne.CanvasObject {
		return []fyne.CanvasObject{fieldLabel(label), fieldValue(value)}
	}
	var objs []fyne.CanvasObject
	objs = append(objs, field("Detail", q.Detail)...)
	objs = append(objs, field("Topic", q.Topic)...)
	objs = append(objs, field("Partition", fmt.Sprint(q.Partition))...)
	objs = append(objs, field("Offset", fmt.Sprint(q.Offset))...)
	objs = append(objs, field("Key", printable(q.Key, 512))...)
	objs = append(objs, field("Quarantined", dateTimeText(q.Time, v.e.loc))...)
	if !q.RecordAt.IsZero() {
		objs = append(objs, field("Record time", dateTimeText(q.RecordAt, v.e.loc))...)
	}
	size := "a tombstone (no value)"
	if q.Value != nil {
		size = bytesText(len(q.Value))
	}
	objs = append(objs, field("Value", size)...)
	v.fields.Objects = objs
	v.showRaw = false
	v.drawRaw(q)
	v.hint.Hide()
	v.body.Show()
	ui.Reflow(v.body)
}

// toggleRaw shows or hides the selected record's raw bytes.
func (v *quarantineView) toggleRaw() {
	if v.cursor < 0 || v.cursor >= len(v.shown) {
		return
	}
	v.showRaw = !v.showRaw
	v.drawRaw(v.rows[v.shown[v.cursor]])
	ui.Reflow(v.body)
}

func (v *quarantineView) drawRaw(q store.Quarantined) {
	v.rawBtn.Hidden = q.Value == nil
	if !v.showRaw || q.Value == nil {
		v.rawBtn.SetText("Show raw bytes")
		v.rawNote.Hide()
		v.hex.Hide()
		v.hexBox.Hide()
		v.text.Hide()
		return
	}
	v.rawBtn.SetText("Hide raw bytes")
	note := "Hex and text of the value as received."
	if len(q.Value) > maxHexShown {
		note += fmt.Sprintf(" The hex shows the first %s of %s; the text the first %s.",
			bytesText(maxHexShown), bytesText(len(q.Value)), bytesText(min(len(q.Value), maxTextShown)))
	}
	v.rawNote.SetText(note)
	v.rawNote.Show()
	v.hex.Segments = []widget.RichTextSegment{&widget.TextSegment{Style: widget.RichTextStyleCodeBlock, Text: hexDump(q.Value, maxHexShown)}}
	v.hex.Refresh()
	v.hex.Show()
	v.hexBox.Show()
	v.text.Segments = []widget.RichTextSegment{&widget.TextSegment{Style: widget.RichTextStyleCodeBlock, Text: printable(q.Value, maxTextShown)}}
	v.text.Refresh()
	v.text.Show()
}

// bytesText writes a size: "812 bytes", "4.0 KiB", "1.2 MiB".
func bytesText(n int) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// hexDump writes at most limit bytes as lines of 16: offset, hex, and the
// printable ASCII ("." for the rest).
func hexDump(b []byte, limit int) string {
	if len(b) > limit {
		b = b[:limit]
	}
	var sb strings.Builder
	for off := 0; off < len(b); off += 16 {
		line := b[off:min(off+16, len(b))]
		fmt.Fprintf(&sb, "%08x  ", off)
		for i := range 16 {
			if i < len(line) {
				fmt.Fprintf(&sb, "%02x ", line[i])
			} else {
				sb.WriteString("   ")
			}
			if i == 7 {
				sb.WriteByte(' ')
			}
		}
		sb.WriteString(" |")
		for _, c := range line {
			if c >= 0x20 && c < 0x7f {
				sb.WriteByte(c)
			} else {
				sb.WriteByte('.')
			}
		}
		sb.WriteString("|\n")
	}
	if len(b) == 0 {
		sb.WriteString("(empty)\n")
	}
	return strings.TrimSuffix(sb.String(), "\n")
}

// printable writes at most limit bytes as text: valid UTF-8 as it is, line
// breaks and tabs kept, every other control character and invalid byte as
// "·", and "…" when cut.
func printable(b []byte, limit int) string {
	cut := len(b) > limit
	if cut {
		b = b[:limit]
	}
	var sb strings.Builder
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && n <= 1:
			sb.WriteRune('·')
		case r == '\n' || r == '\t':
			sb.WriteRune(r)
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r):
			sb.WriteRune('·')
		default:
			sb.WriteRune(r)
		}
		b = b[n:]
	}
	if cut {
		sb.WriteString("…")
	}
	return sb.String()
}

// quarantineItem is one row of the quarantine list.
type quarantineItem struct {
	widget.BaseWidget
	cursor *ui.Background
	when   *widget.Label
	topic  *widget.Label
	offset *widget.Label
	key    *widget.Label
	reason *widget.Label
}

func newQuarantineItem() *quarantineItem {
	it := &quarantineItem{
		cursor: ui.NewBackground(ui.ColorCursor),
		when:   widget.NewLabel(""), topic: widget.NewLabel(""), offset: widget.NewLabel(""),
		key: widget.NewLabel(""), reason: widget.NewLabel(""),
	}
	for _, l := range []*widget.Label{it.when, it.topic, it.key, it.reason} {
		l.Truncation = fyne.TextTruncateEllipsis
	}
	it.offset.Alignment = fyne.TextAlignTrailing
	it.cursor.Hidden = true
	it.ExtendBaseWidget(it)
	return it
}

func (it *quarantineItem) set(v *quarantineView, q store.Quarantined, cursor bool) {
	it.cursor.Hidden = !cursor
	it.cursor.Refresh()
	it.when.SetText(sinceText(q.Time, v.e.now(), v.e.loc))
	it.topic.SetText(q.Topic)
	it.offset.SetText(fmt.Sprint(q.Offset))
	it.key.SetText(printable(q.Key, 200))
	it.reason.SetText(q.Reason)
}

// CreateRenderer lays the row out in the quarantine columns.
func (it *quarantineItem) CreateRenderer() fyne.WidgetRenderer {
	row := container.New(ui.NewColumns(quarantineColumns...), it.when, it.topic, it.offset, it.key, it.reason)
	return widget.NewSimpleRenderer(container.NewStack(it.cursor, row))
}
