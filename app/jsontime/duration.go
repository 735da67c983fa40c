// Package jsontime holds the JSON form of a span of time shared by the
// settings file (app/config) and the documents the clinical engine keeps
// (app/clinical), so both read and write it the same way.
package jsontime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// Duration is a time.Duration with one JSON form for writing and two for
// reading.
//
// It is written as Go duration text ("24h0m0s", "1m30s"), the form a person
// edits in a settings file, exact to the nanosecond.
//
// It reads that text (anything time.ParseDuration takes: "24h", "90m",
// "-5s") and also a JSON number of seconds (3600, 1.5), the form NEWS2 and
// PEWS documents were written in before: score documents already in a store
// and settings files written either way keep reading. Anything else (null,
// true, an object, "soon", a number of seconds past time.Duration's ±292
// years) is an error that says what was found.
type Duration time.Duration

// MarshalJSON writes the duration as text ("24h0m0s").
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads duration text ("24h") or a number of seconds (3600, 1.5).
func (d *Duration) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("duration %s: %w", b, err)
		}
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("duration: %w", err)
		}
		*d = Duration(v)
		return nil
	}
	var secs float64
	if bytes.Equal(b, []byte("null")) || json.Unmarshal(b, &secs) != nil {
		return fmt.Errorf("duration %s: want text such as \"24h\" or a number of seconds", b)
	}
	ns := math.Round(secs * float64(time.Second))
	if ns >= math.MaxInt64 || ns < math.MinInt64 {
		return fmt.Errorf("duration %s: seconds out of range", b)
	}
	*d = Duration(ns)
	return nil
}
