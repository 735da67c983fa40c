package views

import (
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"github.com/chartline/chartline/app/config"
)

// TestSettingsPipelines: the failover brokers, Schema Registry and census
// list typed in Settings are validated, saved (the registry password never)
// and read back; defaults are saved as defaults.
func TestSettingsPipelines(t *testing.T) {
	base := config.Default()
	base.Workstation, base.User = "ws-1", "dr-one"
	e, w, path := settingsEnv(t, base, nil)
	p := e.settings.pipes
	if p.failoverAfter.Text != "15" || p.retention.Text != "72" || p.census.Text != "" {
		t.Fatalf("defaults shown: %q s, %q h, census %q", p.failoverAfter.Text, p.retention.Text, p.census.Text)
	}

	for _, tc := range []struct {
		field *string
		value string
		want  string
	}{
		{&p.census.Text, "ward 7b", "Census list"},
		{&p.registry.Text, "registry:8081", "want http:// or https://"},
		{&p.failoverAfter.Text, "0", "Fail over after"},
		{&p.retention.Text, "-1", "Keep discharged charts"},
	} {
		p.fill(base)
		*tc.field = tc.value
		test.Tap(e.settings.save)
		if !strings.Contains(e.settings.message.Text, tc.want) {
			t.Errorf("%q: said %q, want it to name %q", tc.value, e.settings.message.Text, tc.want)
		}
		if _, err := os.Stat(path); err == nil {
			t.Fatalf("%q: saved despite the error", tc.value)
		}
	}

	p.fill(base)
	p.failover.SetText("dr-kafka-1:9092\ndr-kafka-2:9092")
	p.registry.SetText("https://registry.example.org:8081")
	p.registryUser.SetText("sr-key")
	p.registryPass.SetText("sr-secret-for-this-session")
	p.census.SetText("ward-7b")
	p.retention.SetText("48")
	test.Tap(e.settings.save)
	got, err := config.Load(path)
	if err != nil {
		t.Fatalf("%v (%s)", err, e.settings.message.Text)
	}
	if strings.Join(got.Conn.Failover, ",") != "dr-kafka-1:9092,dr-kafka-2:9092" || got.FailoverAfter != 0 ||
		got.SchemaRegistry.URL != "https://registry.example.org:8081" || got.SchemaRegistry.User != "sr-key" ||
		got.Census != "ward-7b" || time.Duration(got.CensusRetention) != 48*time.Hour {
		t.Fatalf("saved %+v", got)
	}
	raw, _ := os.ReadFile(path)
	if strings.Contains(string(raw), "sr-secret") {
		t.Error("the Schema Registry password was saved")
	}
	if e.settingsNow().SchemaRegistry.Password != "sr-secret-for-this-session" {
		t.Error("the Schema Registry password is not in force for this session")
	}
	e2, _, _ := settingsEnv(t, got, nil)
	if p2 := e2.settings.pipes; p2.census.Text != "ward-7b" || p2.retention.Text != "48" || p2.registryPass.Text != "" ||
		p2.failover.Text != "dr-kafka-1:9092\ndr-kafka-2:9092" {
		t.Error("pipeline settings read back differ")
	}
	if sc, ok := e.settings.content.(*container.Scroll); ok {
		sc.Offset = fyne.NewPos(0, 560)
		sc.Refresh()
	}
	shot(t, w, "settings-pipelines")
}
