package session

import (
	"testing"
	"time"

	"github.com/chartline/chartline/app/config"
	"github.com/chartline/chartline/app/jsontime"
)

// TestEngineOptionsFollowSitePolicy: the site policy's observation window,
// SpO2 scale and alert intervals reach the clinical engine's options.
func TestEngineOptionsFollowSitePolicy(t *testing.T) {
	window := jsontime.Duration(6 * time.Hour)
	off := config.Scale2Off
	alerts := config.AlertIntervals{High: jsontime.Duration(15 * time.Minute), Medium: jsontime.Duration(45 * time.Minute)}
	cfg, _ := config.Resolve(config.Default(), config.Policy{ObservationWindow: &window, SpO2Scale2: &off, Alerts: &alerts})
	o := EngineOptions(cfg, nil, nil)
	if o.NEWS2.Window != 6*time.Hour || o.Alerts.ReopenHigh != 15*time.Minute || o.Alerts.ReopenMedium != 45*time.Minute {
		t.Fatalf("engine options %+v / %+v", o.NEWS2, o.Alerts)
	}
	d := EngineOptions(config.Default(), nil, nil)
	if d.Alerts.ReopenHigh != 30*time.Minute || d.Alerts.ReopenMedium != 60*time.Minute || d.NEWS2.Window != 24*time.Hour {
		t.Fatalf("defaults %+v / %+v", d.NEWS2, d.Alerts)
	}
	if h, m := AlertFollowUp(config.Config{}); h != 30*time.Minute || m != 60*time.Minute {
		t.Fatalf("zero intervals: %v %v", h, m)
	}
}
