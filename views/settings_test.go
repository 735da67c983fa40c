package views

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/app/config"
	"github.com/chartline/chartline/app/jsontime"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/session"
	"github.com/chartline/chartline/app/testenv"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// settingsEnv opens the settings screen over an empty store, saving to a
// file in a temporary directory.
func settingsEnv(t *testing.T, cfg config.Config, ss *session.Session) (*env, fyne.Window, string) {
	t.Helper()
	var s *store.Store
	if ss != nil {
		s = ss.Store()
	} else {
		s = smallStore(t)
	}
	return settingsEnvOn(t, cfg, ss, s)
}

// settingsEnvOn is settingsEnv over a given store.
func settingsEnvOn(t *testing.T, cfg config.Config, ss *session.Session, s *store.Store) (*env, fyne.Window, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "chartline", "config.json")
	e, w := newTestEnvWith(t, s, ui.ModeLight, func(o *envOptions) {
		o.config, o.configPath, o.session = &cfg, path, ss
		if ss != nil {
			o.engine = ss.Engine()
		}
	})
	e.shell.Show(screenSettings)
	return e, w, path
}

// TestSettingsRoundTrip: what is typed is validated, saved to the settings
// file (0600, no secret in it) and read back the same; the theme applies at
// once.
func TestSettingsRoundTrip(t *testing.T) {
	base := config.Default()
	base.Workstation, base.User = "ws-1", "dr-one"
	e, w, path := settingsEnv(t, base, nil)
	v := e.settings
	if v.brokers.Text != "127.0.0.1:9092" || v.workstation.Text != "ws-1" || v.stale.Text != "24" || v.themeChoice.Selected != "System" {
		t.Fatalf("settings screen not filled from the settings in force")
	}
	v.where.Segments[0].(*widget.TextSegment).Text = "Saved to ~/.config/chartline/config.json" // not the test's temporary path
	v.where.Refresh()
	test.AssertRendersToMarkup(t, "settings.xml", w.Canvas())
	shot(t, w, "settings")

	v.brokers.SetText("kafka-1.example.org:9093\nkafka-2.example.org:9093")
	v.tlsOn.SetChecked(true)
	v.serverName.SetText("kafka.example.org")
	v.mechanism.SetSelected(kafka.MechanismSHA512)
	v.saslUser.SetText("chartline-ward7")
	v.password.SetText("s3cret-for-this-session")
	v.prefix.SetText("ward7.patient.")
	v.stale.SetText("12")
	v.scale2.SetSelected(scale2Choices[1])
	v.risk.SetText("0.65")
	v.themeChoice.SetSelected("Dark")
	if th, ok := fyne.CurrentApp().Settings().Theme().(*ui.Theme); !ok || th.Mode() != ui.ModeDark {
		t.Errorf("choosing Dark did not apply it at once")
	}
	v.workstation.SetText("ward7-desk2")
	v.user.SetText("dr-two")
	test.Tap(v.save)
	if v.message.Importance != 0 && v.message.Text != "Saved." {
		t.Fatalf("save said %q", v.message.Text)
	}
	got, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := base
	want.Conn = kafka.Conn{Brokers: []string{"kafka-1.example.org:9093", "kafka-2.example.org:9093"},
		TLS:  kafka.TLS{Enabled: true, ServerName: "kafka.example.org"},
		SASL: kafka.SASL{Mechanism: kafka.MechanismSHA512, User: "chartline-ward7"}}
	want.Topics.PatientPrefix = "ward7.patient."
	want.StaleVitals = jsontime.Duration(12 * time.Hour)
	want.SpO2Scale2 = config.Scale2Off
	want.RiskThreshold = 0.65
	want.Theme = ui.ModeDark
	want.Workstation, want.User, want.DisplayName = "ward7-desk2", config.OSUser(), "dr-two"
	if !reflect.DeepEqual(got, want) {
		t.Errorf("saved settings\n got %+v\nwant %+v", got, want)
	}
	raw, _ := os.ReadFile(path)
	if strings.Contains(string(raw), "s3cret") {
		t.Error("the SASL password was saved")
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("settings file mode %v", fi.Mode())
	}
	// In force for this session, password included; the screen opened anew
	// from the file shows what was saved.
	if now := e.settingsNow(); now.Conn.SASL.Password != "s3cret-for-this-session" || now.User != "dr-one" || now.DisplayName != "dr-two" {
		t.Errorf("settings in force: user %q (%q), password kept %v", now.User, now.DisplayName, now.Conn.SASL.Password != "")
	}
	if e.news2Options().Window != 12*time.Hour {
		t.Errorf("stale window in force %s", e.news2Options().Window)
	}
	e2, _, _ := settingsEnv(t, got, nil)
	v2 := e2.settings
	if v2.brokers.Text != "kafka-1.example.org:9093\nkafka-2.example.org:9093" || !v2.tlsOn.Checked || v2.mechanism.Selected != kafka.MechanismSHA512 ||
		v2.stale.Text != "12" || v2.scale2.Selected != scale2Choices[1] || v2.risk.Text != "0.65" || v2.themeChoice.Selected != "Dark" ||
		v2.password.Text != "" || v2.user.Text != "dr-two" {
		t.Errorf("settings read back differ")
	}
}

// TestSettingsValidation: each wrong field is named, and nothing is saved.
func TestSettingsValidation(t *testing.T) {
	s := smallStore(t)
	for _, tc := range []struct {
		name string
		set  func(v *settingsView)
		want string
	}{
		{"no broker", func(v *settingsView) { v.brokers.SetText(" ") }, "at least one broker"},
		{"bad port", func(v *settingsView) { v.brokers.SetText("kafka:99999") }, `Broker "kafka:99999"`},
		{"empty host", func(v *settingsView) { v.brokers.SetText(":9092") }, `Broker ":9092"`},
		{"sasl without user", func(v *settingsView) {
			v.tlsOn.SetChecked(true)
			v.mechanism.SetSelected(kafka.MechanismSHA256)
			v.password.SetText("x")
		}, "SASL needs a user"},
		{"sasl without password", func(v *settingsView) {
			v.tlsOn.SetChecked(true)
			v.mechanism.SetSelected(kafka.MechanismSHA256)
			v.saslUser.SetText("u")
		}, "password or a password file"},
		{"plain without tls", func(v *settingsView) {
			v.mechanism.SetSelected(kafka.MechanismPlain)
			v.saslUser.SetText("u")
			v.password.SetText("p")
		}, "turn TLS on"},
		{"missing CA file", func(v *settingsView) { v.caFile.SetText("/nonexistent/ca.pem") }, "CA file"},
		{"no prefix", func(v *settingsView) { v.prefix.SetText("") }, "patient topic prefix"},
		{"stale zero", func(v *settingsView) { v.stale.SetText("0") }, "Stale vital signs"},
		{"stale too long", func(v *settingsView) { v.stale.SetText("337") }, "Stale vital signs"},
		{"risk above 1", func(v *settingsView) { v.risk.SetText("1.5") }, "Upstream risk alert"},
		{"risk zero", func(v *settingsView) { v.risk.SetText("0") }, "Upstream risk alert"},
		{"idle lock 0", func(v *settingsView) { v.idle.SetText("0") }, "Lock after"},
		{"idle lock 0.9", func(v *settingsView) { v.idle.SetText("0.9") }, "Lock after"},
		{"idle lock 61", func(v *settingsView) { v.idle.SetText("61") }, "Lock after"},
		{"no workstation", func(v *settingsView) { v.workstation.SetText("") }, "workstation a name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, _, path := settingsEnvOn(t, config.Default(), nil, s)
			v := e.settings
			tc.set(v)
			test.Tap(v.save)
			if !v.message.Visible() || !strings.Contains(v.message.Text, tc.want) || !strings.HasPrefix(v.message.Text, "Not saved") {
				t.Errorf("message %q, want it to name %q", v.message.Text, tc.want)
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Errorf("an invalid form was saved")
			}
		})
	}
	// The boundaries that pass: 336 h, a risk of exactly 1, an idle lock of 1 and 60 min.
	for _, idle := range []string{"1", "60"} {
		e, _, path := settingsEnvOn(t, config.Default(), nil, s)
		e.settings.stale.SetText("336")
		e.settings.risk.SetText("1")
		e.settings.idle.SetText(idle)
		test.Tap(e.settings.save)
		if c, err := config.Load(path); err != nil || time.Duration(c.StaleVitals) != 336*time.Hour || c.RiskThreshold != 1 ||
			time.Duration(c.IdleLock).Minutes() != map[string]float64{"1": 1, "60": 60}[idle] {
			t.Errorf("boundary values not saved: %v %+v", err, c)
		}
	}
}

// TestSettingsReconnect: changing the brokers reconnects the running
// session without a restart: the new cluster's patients arrive.
func TestSettingsReconnect(t *testing.T) {
	a := testenv.New(t, kafka.BrokerOptions{})
	b := testenv.New(t, kafka.BrokerOptions{})
	b.Publish(patientJSON("p-on-b", "Bravo"))
	cfg := config.Default()
	cfg.Conn = a.Broker.Conn()
	cfg.Workstation, cfg.User = "ws-r", "dr-r"
	s := testenv.OpenStore(t, testenv.StorePath(t))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ss, err := session.Start(ctx, cfg, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ss.Close()
	e, _, path := settingsEnv(t, cfg, ss)
	v := e.settings
	v.brokers.SetText(b.Broker.Addr())
	test.Tap(v.save) // reconnects (inline in tests)
	if !strings.HasPrefix(v.message.Text, "Saved and reconnected to "+b.Broker.Addr()) {
		t.Fatalf("save said %q", v.message.Text)
	}
	if got := ss.Config().Conn.Brokers; len(got) != 1 || got[0] != b.Broker.Addr() {
		t.Fatalf("session brokers %v after reconnect", got)
	}
	if err := ss.WaitCaughtUp(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Entry("p-on-b"); !ok {
		t.Error("the new cluster's patient did not arrive")
	}
	if c, err := config.Load(path); err != nil || c.Conn.Brokers[0] != b.Broker.Addr() {
		t.Errorf("saved %v %v", c.Conn.Brokers, err)
	}
	// A clinical change applies without reconnecting.
	v.stale.SetText("6")
	test.Tap(v.save)
	if v.message.Text != "Saved and applied." || ss.Config().Conn.Brokers[0] != b.Broker.Addr() {
		t.Errorf("clinical change: %q", v.message.Text)
	}
}

// patientJSON is a Patient resource.
func patientJSON(id, family string) string {
	return `{"resourceType":"Patient","id":"` + id + `","identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"value":"MRN-` + id + `"}],"name":[{"family":"` + family + `","given":["Test"]}],"gender":"female","birthDate":"1960-01-01"}`
}
