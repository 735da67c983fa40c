// Trend series: a patient's numeric vital signs and laboratory results,
// grouped by code into the series the Trends tab charts.

package views

import (
	"cmp"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// trendSeries is one measure over all time: a vital sign or a numeric lab
// test (one code), or the blood pressure's systolic and diastolic.
type trendSeries struct {
	Key    string // the primary code
	Title  string
	Unit   string
	Vital  bool
	Series []ui.Series
	Zone   *ui.Zone // the newest reference range
	Last   ui.Point
	// LastMark is the newest value's flag ("H", "HH"…), shown beside it.
	LastMark string
	order    int
}

// vitalOrder is the order of the vital signs, NEWS2 chart order first
// (RCP NEWS2 chart 2017), then the body measurements; LOINC codes.
var vitalOrder = map[string]int{
	clinical.CodeRespiratoryRate: 1, clinical.CodeSpO2: 2, clinical.CodeSaO2: 2, clinical.CodeInhaledO2Flow: 3,
	clinical.CodeBPPanel: 4, clinical.CodeBPPanelOld: 4, clinical.CodeSystolicBP: 4, clinical.CodeHeartRate: 5,
	clinical.CodeBodyTemperature: 6, clinical.CodeTempOral: 6, clinical.CodeTempTympanic: 6,
	clinical.CodeTempRectal: 6, clinical.CodeTempAxillary: 6, clinical.CodeTempTemporal: 6,
	record.SystemLOINC + "|" + record.LOINCBodyWeight: 7,
	record.SystemLOINC + "|" + record.LOINCBodyHeight: 8,
	record.SystemLOINC + "|" + record.LOINCBMI:        9,
}

// codeDiastolicBP is the diastolic component of a blood-pressure panel.
const codeDiastolicBP = record.SystemLOINC + "|" + record.LOINCDiastolicBP

// unitWords writes UCUM units the way a chart label reads them.
var unitWords = map[string]string{
	"Cel": "°C", "mm[Hg]": "mmHg", "10*3/uL": "×10³/µL", "10*6/uL": "×10⁶/µL", "kg/m2": "kg/m²",
	"mL/min/{1.73_m2}": "mL/min/1.73 m²", "[pH]": "", "{#}/[Mb]": "/Mb", "ug/L": "µg/L", "umol/L": "µmol/L",
}

func unitText(u string) string {
	if w, ok := unitWords[u]; ok {
		return w
	}
	return record.HumanUnit(u)
}

var bracketed = regexp.MustCompile(`\s*\[[^\]]*\]`)

// measureTitle is a test's name without its value and without the LOINC
// property in brackets: "Hemoglobin in Blood".
func measureTitle(m store.Meta) string {
	name, _ := splitValue(m)
	name = bracketed.ReplaceAllString(name, "")
	return strings.Join(strings.Fields(name), " ")
}

// trendSeriesOf groups a patient's numeric vital signs and laboratory
// results by code into series over all time, values in time order.
func trendSeriesOf(items []store.Item) []trendSeries {
	by := map[string]*trendSeries{}
	var order []string
	newest := map[string]time.Time{}
	for i := range items {
		rd, ok := trendReadingOf(&items[i])
		if !ok {
			continue
		}
		s := by[rd.key]
		if s == nil {
			s = newTrendSeries(rd.key, rd.vital, rd.bp)
			by[rd.key] = s
			order = append(order, rd.key)
		}
		s.add(rd, newest)
	}
	out := make([]trendSeries, 0, len(order))
	for _, k := range order {
		s := by[k]
		for i := range s.Series {
			pts := s.Series[i].Points
			slices.SortStableFunc(pts, func(a, b ui.Point) int { return a.T.Compare(b.T) })
		}
		if n := len(s.Series[0].Points); n > 0 {
			s.Last = s.Series[0].Points[n-1]
		}
		out = append(out, *s)
	}
	slices.SortFunc(out, compareTrendSeries)
	return out
}

// trendReading is one Observation as a trend reads it.
type trendReading struct {
	m     *store.Meta
	key   string // the primary code
	vital bool
	// bp is a blood-pressure panel: its values are the components sys and
	// dia (each when has), not m.Value.
	bp             bool
	sys, dia       float64
	hasSys, hasDia bool
}

// trendReadingOf reads an item as a trend value; false when it is none: not
// a vital sign or laboratory Observation with a time and a code, entered in
// error or cancelled, or without a plain finite value (a blood pressure
// without either component).
func trendReadingOf(it *store.Item) (trendReading, bool) {
	m := &it.Meta
	if it.Type != "Observation" || m.Time.IsZero() || len(m.Codes) == 0 {
		return trendReading{}, false
	}
	vital := m.Category == record.CategoryVitalSigns
	if !vital && m.Category != record.CategoryLaboratory {
		return trendReading{}, false
	}
	switch m.Status {
	case "entered-in-error", "cancelled":
		return trendReading{}, false
	}
	key := m.Codes[0]
	rd := trendReading{m: m, key: key, vital: vital, bp: key == clinical.CodeBPPanel || key == clinical.CodeBPPanelOld}
	if rd.bp {
		for _, c := range m.Components {
			switch {
			case c.Code == clinical.CodeSystolicBP && c.HasValue:
				rd.sys, rd.hasSys = c.Value, true
			case c.Code == codeDiastolicBP && c.HasValue:
				rd.dia, rd.hasDia = c.Value, true
			}
		}
		if !rd.hasSys && !rd.hasDia {
			return trendReading{}, false
		}
	} else if !m.HasValue || m.Comparator != "" || math.IsNaN(m.Value) || math.IsInf(m.Value, 0) {
		return trendReading{}, false
	}
	return rd, true
}

// newTrendSeries starts the series of a code: one line, or a blood
// pressure's systolic and diastolic.
func newTrendSeries(key string, vital, isBP bool) *trendSeries {
	s := &trendSeries{Key: key, Vital: vital, order: vitalOrder[key]}
	gap := labMaxGap
	if vital {
		gap = vitalMaxGap
	}
	if isBP {
		s.Title, s.Unit = "Blood pressure", "mmHg"
		s.Series = []ui.Series{{Name: "Systolic", MaxGap: gap}, {Name: "Diastolic", Color: ui.ColorChartLine2, MaxGap: gap}}
	} else {
		s.Series = []ui.Series{{MaxGap: gap}}
	}
	return s
}

// add puts a reading on the series. The newest reading so far (newest holds
// each key's time) names the series and gives its reference range and the
// latest value's mark.
func (s *trendSeries) add(rd trendReading, newest map[string]time.Time) {
	m, key := rd.m, rd.key
	if m.Time.After(newest[key]) || newest[key].IsZero() {
		newest[key] = m.Time
		if !rd.bp {
			s.Title, s.Unit = measureTitle(*m), unitText(m.Unit)
		}
		if m.HasLow || m.HasHigh {
			z := ui.Zone{Low: math.Inf(-1), High: math.Inf(1), Color: ui.ColorChartRange}
			if m.HasLow {
				z.Low = m.Low
			}
			if m.HasHigh {
				z.High = m.High
			}
			s.Zone = &z
		}
	}
	if rd.bp {
		if rd.hasSys {
			s.Series[0].Points = append(s.Series[0].Points, ui.Point{T: m.Time, V: rd.sys})
		}
		if rd.hasDia {
			s.Series[1].Points = append(s.Series[1].Points, ui.Point{T: m.Time, V: rd.dia})
		}
		return
	}
	mark := outOfRange(*m)
	s.Series[0].Points = append(s.Series[0].Points, ui.Point{T: m.Time, V: m.Value, Flag: mark != "", Critical: isCritical(mark)})
	if m.Time.Equal(newest[key]) {
		s.LastMark = mark
	}
}

// compareTrendSeries orders the charts: vital signs first, in vitalOrder
// (measures without a place after those with one), then by title.
func compareTrendSeries(a, b trendSeries) int {
	if a.Vital != b.Vital {
		if a.Vital {
			return -1
		}
		return 1
	}
	ao, bo := a.order, b.order
	if ao == 0 {
		ao = 100
	}
	if bo == 0 {
		bo = 100
	}
	if ao != bo {
		return ao - bo
	}
	return cmp.Compare(a.Title, b.Title)
}
