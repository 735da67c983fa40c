package jsontime

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestDurationReadsTextAndSeconds(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
	}{
		{`"24h"`, 24 * time.Hour},
		{`"24h0m0s"`, 24 * time.Hour},
		{`"1m30s"`, 90 * time.Second},
		{`"-5s"`, -5 * time.Second},
		{`"0s"`, 0},
		{`3600`, time.Hour},
		{`1.5`, 1500 * time.Millisecond},
		{`0`, 0},
		{`-2`, -2 * time.Second},
		{`1e3`, 1000 * time.Second},
		{`9223372036`, 9223372036 * time.Second}, // the last whole second time.Duration holds
	}
	for _, c := range cases {
		var d Duration
		if err := json.Unmarshal([]byte(c.in), &d); err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if time.Duration(d) != c.want {
			t.Errorf("%s read as %v, want %v", c.in, time.Duration(d), c.want)
		}
	}
}

func TestDurationRefusesGarbage(t *testing.T) {
	cases := map[string]string{
		`"soon"`:     `invalid duration "soon"`,
		`""`:         `invalid duration ""`,
		`"3600"`:     `missing unit`,
		`null`:       `duration null: want text such as "24h" or a number of seconds`,
		`true`:       `duration true: want text`,
		`{"s": 1}`:   `duration {"s": 1}: want text`,
		`[1]`:        `duration [1]: want text`,
		`9223372037`: `duration 9223372037: seconds out of range`,
		`-1e300`:     `out of range`,
	}
	for in, want := range cases {
		var d Duration
		err := d.UnmarshalJSON([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one containing %q", in, err, want)
		}
	}
	// Inside a document: the field's error stops the decode.
	var doc struct {
		Age Duration `json:"age"`
	}
	if err := json.Unmarshal([]byte(`{"age": "a while"}`), &doc); err == nil {
		t.Error("a document with a bad duration decoded")
	}
}

func TestDurationWritesText(t *testing.T) {
	cases := []struct {
		d    time.Duration
		want string
	}{
		{24 * time.Hour, `"24h0m0s"`},
		{90 * time.Second, `"1m30s"`},
		{1500 * time.Millisecond, `"1.5s"`},
		{0, `"0s"`},
	}
	for _, c := range cases {
		b, err := json.Marshal(Duration(c.d))
		if err != nil || string(b) != c.want {
			t.Errorf("%v written as %s (%v), want %s", c.d, b, err, c.want)
		}
		var back Duration
		if err := json.Unmarshal(b, &back); err != nil || time.Duration(back) != c.d {
			t.Errorf("%s read back as %v (%v)", b, time.Duration(back), err)
		}
	}
}
