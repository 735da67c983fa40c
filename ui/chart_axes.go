// Chart axes: which points a chart draws, and its value and time ticks.

package ui

import (
	"math"
	"strconv"
	"time"
)

// thin keeps the points inside [from, to] and, where several fall in one
// pixel bucket, only the first, lowest, highest and last of them, in time
// order. A value before the period enters at its left edge: the value then
// (held for a step series, interpolated for a measurement), unless the
// values around the edge are further apart than maxGap (then nothing is
// known there).
func thin(pts []Point, from, to time.Time, step bool, maxGap time.Duration, xOf func(time.Time) float32) (out []Point, entered bool) {
	start := 0
	for start < len(pts) && pts[start].T.Before(from) {
		start++
	}
	end := len(pts)
	for end > start && pts[end-1].T.After(to) {
		end--
	}
	var entry []Point
	near := func(a, b time.Time) bool { return maxGap <= 0 || b.Sub(a) <= maxGap }
	if start > 0 && start < len(pts) && !near(pts[start-1].T, pts[start].T) {
		// A gap across the edge: nothing enters.
	} else if start > 0 && start < len(pts) {
		a, b := pts[start-1], pts[start]
		v := a.V
		if !step {
			f := float64(from.Sub(a.T)) / float64(b.T.Sub(a.T))
			v = a.V + (b.V-a.V)*f
		}
		entry = []Point{{T: from, V: v}}
	} else if start > 0 && step && near(pts[start-1].T, from) {
		entry = []Point{{T: from, V: pts[start-1].V}}
	}
	entered = len(entry) > 0
	pts = append(entry, pts[start:end]...)
	if len(pts) < 2 {
		return pts, entered
	}
	out = make([]Point, 0, min(len(pts), 1024))
	i := 0
	for i < len(pts) {
		b := int(xOf(pts[i].T) / chartBucketPx)
		j := i + 1
		for j < len(pts) && int(xOf(pts[j].T)/chartBucketPx) == b {
			j++
		}
		if j-i <= 4 {
			out = append(out, pts[i:j]...)
			i = j
			continue
		}
		lo, hi := i, i
		for k := i; k < j; k++ {
			if pts[k].V < pts[lo].V || pts[k].Flag && !pts[lo].Flag && pts[k].V == pts[lo].V {
				lo = k
			}
			if pts[k].V > pts[hi].V {
				hi = k
			}
		}
		keep := []int{i, lo, hi, j - 1}
		if lo > hi {
			keep[1], keep[2] = hi, lo
		}
		prev := -1
		for _, k := range keep {
			if k != prev {
				out = append(out, pts[k])
				prev = k
			}
		}
		i = j
	}
	return out, entered
}

// NiceTicks returns about n round values (1, 2 or 5 times a power of ten)
// spanning lo to hi, first at or below lo, last at or above hi.
func NiceTicks(lo, hi float64, n int) []float64 {
	if !(hi > lo) || n < 1 || math.IsInf(lo, 0) || math.IsInf(hi, 0) || math.IsNaN(lo) || math.IsNaN(hi) {
		return nil
	}
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	first := math.Floor(lo/step) * step
	var out []float64
	for v := first; len(out) < 4*n+2; v += step {
		out = append(out, math.Round(v/step)*step)
		if v >= hi-step*1e-9 {
			break
		}
	}
	return out
}

// TickText writes a tick value with as many decimals as the step needs.
func TickText(v float64, ticks []float64) string {
	dec := 0
	if len(ticks) > 1 {
		step := math.Abs(ticks[1] - ticks[0])
		for step > 0 && step < 1 && dec < 4 {
			step *= 10
			dec++
		}
	}
	if v == 0 {
		v = 0 // no "-0"
	}
	return strconv.FormatFloat(v, 'f', dec, 64)
}

// TimeTick is one labelled instant of a time axis.
type TimeTick struct {
	T     time.Time
	Label string
}

// TimeTicks returns at most max ticks between from and to on round instants
// fit to the span: minutes or hours ("06:00") within two days, days ("Mon 23") within
// a month, months ("Nov") or years beyond.
func TimeTicks(from, to time.Time, loc *time.Location, maxTicks int) []TimeTick {
	if maxTicks < 2 {
		maxTicks = 2
	}
	span := to.Sub(from)
	if span <= 0 {
		return nil
	}
	type unit struct {
		step   time.Duration
		days   int
		months int
		years  int
		layout string
	}
	units := []unit{
		{step: 5 * time.Minute, layout: "15:04"},
		{step: 10 * time.Minute, layout: "15:04"},
		{step: 15 * time.Minute, layout: "15:04"},
		{step: 30 * time.Minute, layout: "15:04"},
		{step: time.Hour, layout: "15:04"},
		{step: 3 * time.Hour, layout: "15:04"},
		{step: 6 * time.Hour, layout: "15:04"},
		{step: 12 * time.Hour, layout: "15:04"},
		{days: 1, layout: "Mon 2"},
		{days: 2, layout: "2 Jan"},
		{days: 7, layout: "2 Jan"},
		{days: 14, layout: "2 Jan"},
		{months: 1, layout: "Jan"},
		{months: 3, layout: "Jan 2006"},
		{months: 6, layout: "Jan 2006"},
		{years: 1, layout: "2006"},
		{years: 2, layout: "2006"},
		{years: 5, layout: "2006"},
		{years: 10, layout: "2006"},
	}
	approx := func(u unit) time.Duration {
		switch {
		case u.step > 0:
			return u.step
		case u.days > 0:
			return time.Duration(u.days) * 24 * time.Hour
		case u.months > 0:
			return time.Duration(u.months) * 30 * 24 * time.Hour
		}
		return time.Duration(u.years) * 365 * 24 * time.Hour
	}
	u := units[len(units)-1]
	for _, c := range units {
		if span/approx(c) < time.Duration(maxTicks) {
			u = c
			break
		}
	}
	f := from.In(loc)
	var t time.Time
	switch {
	case u.step > 0 && u.step < time.Hour:
		m := int(u.step / time.Minute)
		t = time.Date(f.Year(), f.Month(), f.Day(), f.Hour(), f.Minute()/m*m, 0, 0, loc)
	case u.step > 0:
		h := int(u.step / time.Hour)
		t = time.Date(f.Year(), f.Month(), f.Day(), f.Hour()/h*h, 0, 0, 0, loc)
	case u.days > 0:
		t = time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, loc)
	case u.months > 0:
		t = time.Date(f.Year(), (f.Month()-1)/time.Month(u.months)*time.Month(u.months)+1, 1, 0, 0, 0, 0, loc)
	default:
		t = time.Date(f.Year()/u.years*u.years, 1, 1, 0, 0, 0, 0, loc)
	}
	var out []TimeTick
	for n := 0; !t.After(to) && n < 4*maxTicks+8; n++ {
		if !t.Before(from) {
			label := t.Format(u.layout)
			if u.step > 0 && t.Hour() == 0 && t.Minute() == 0 {
				label = t.Format("Mon 2")
			}
			out = append(out, TimeTick{T: t, Label: label})
		}
		switch {
		case u.step > 0 && u.step < time.Hour:
			t = t.Add(u.step)
		case u.step > 0:
			t = t.Add(u.step)
			if t.Hour()%int(u.step/time.Hour) != 0 { // a daylight-saving change
				t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour()/int(u.step/time.Hour)*int(u.step/time.Hour), 0, 0, 0, loc)
			}
		case u.days > 0:
			t = t.AddDate(0, 0, u.days)
		case u.months > 0:
			t = t.AddDate(0, u.months, 0)
		default:
			t = t.AddDate(u.years, 0, 0)
		}
	}
	return out
}
