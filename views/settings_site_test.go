package views

import (
	"os"
	"path/filepath"
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
	"github.com/chartline/chartline/ui"
)

// TestSettingsSitePolicy: what the site policy sets is in force, read-only
// with "Set by your site", applied to the clinical engine's options, and
// never written into the user's settings file.
func TestSettingsSitePolicy(t *testing.T) {
	window, idle := jsontime.Duration(12*time.Hour), jsontime.Duration(5*time.Minute)
	off := config.Scale2Off
	pol := config.Policy{ObservationWindow: &window, SpO2Scale2: &off, IdleLock: &idle, Brokers: []string{"kafka.site.example:9093"}}
	cfg, fixed := config.Resolve(config.Default(), pol)
	s := smallStore(t)
	path := filepath.Join(t.TempDir(), "config.json")
	e, w := newTestEnvWith(t, s, ui.ModeLight, func(o *envOptions) { o.config, o.configPath, o.fixed = &cfg, path, fixed })
	e.shell.Show(screenSettings)
	v := e.settings
	for name, disabled := range map[string]bool{
		"stale": v.stale.Disabled(), "scale2": v.scale2.Disabled(), "idle": v.idle.Disabled(), "brokers": v.brokers.Disabled(),
	} {
		if !disabled {
			t.Errorf("%s set by the site policy is editable", name)
		}
	}
	if v.risk.Disabled() || v.prefix.Disabled() || v.user.Disabled() {
		t.Error("a field the policy does not set is read-only")
	}
	markup := test.RenderToMarkup(w.Canvas())
	if n := strings.Count(markup, "Set by your site (read-only)"); n != 4 {
		t.Errorf("%d fields say they are set by the site, want 4", n)
	}
	if v.stale.Text != "12" || v.idle.Text != "5" || v.scale2.Selected != scale2Choices[1] {
		t.Errorf("policy values not shown: stale %q idle %q", v.stale.Text, v.idle.Text)
	}
	// Applied: the engine options the session would get carry the policy.
	if o := session.EngineOptions(e.settingsNow(), s, nil); o.NEWS2.Window != 12*time.Hour {
		t.Errorf("observation window in force %v", o.NEWS2.Window)
	}

	v.user.SetText("Dr B. Jones")
	test.Tap(v.save)
	if !strings.HasPrefix(v.message.Text, "Saved") {
		t.Fatalf("save said %q", v.message.Text)
	}
	saved, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	def := config.Default()
	if saved.StaleVitals != def.StaleVitals || saved.IdleLock != def.IdleLock || saved.SpO2Scale2 != def.SpO2Scale2 ||
		saved.Conn.Brokers[0] != def.Conn.Brokers[0] || saved.DisplayName != "Dr B. Jones" {
		t.Errorf("the policy's values went into the settings file: %+v", saved)
	}
	if now := e.settingsNow(); now.StaleVitals != window || now.IdleLock != idle || e.news2Options().Window != 12*time.Hour {
		t.Errorf("the policy is no longer in force after a save: %+v", now)
	}
}

// TestSettingsUnsavedEdits: leaving with unsaved edits asks; "Keep editing"
// stays, "Discard changes" reverts and goes.
func TestSettingsUnsavedEdits(t *testing.T) {
	e, _, _ := settingsEnv(t, config.Default(), nil)
	v := e.settings
	e.shell.Show(screenCensus)
	if e.shell.Current() != screenCensus || v.leaving != nil {
		t.Fatal("leaving without edits asked or stayed")
	}
	e.shell.Show(screenSettings)
	v.risk.SetText("0.7")
	e.shell.Show(screenCensus)
	if e.shell.Current() != screenSettings || v.leaving == nil || !v.leaving.Visible() {
		t.Fatal("left unsaved edits without asking")
	}
	keep := findButton(v.leaving.Content, "Keep editing")
	test.Tap(keep)
	if e.shell.Current() != screenSettings || v.risk.Text != "0.7" || v.leaving.Visible() {
		t.Fatal("Keep editing did not keep the edit")
	}
	e.shell.Show(screenCensus)
	test.Tap(findButton(v.leaving.Content, "Discard changes"))
	if e.shell.Current() != screenCensus || v.risk.Text != "0.5" {
		t.Fatalf("discard: screen %s, risk %q", e.shell.Current(), v.risk.Text)
	}
	e.shell.Show(screenSettings)
	e.shell.Show(screenCensus) // reverted: nothing to ask
	if e.shell.Current() != screenCensus {
		t.Fatal("asked again after the edits were discarded")
	}
}

// TestSettingsRememberSecret: a SASL password the user asks to remember is
// sealed in the store (not in the settings file), and the next start finds it.
func TestSettingsRememberSecret(t *testing.T) {
	cfg := config.Default()
	s := smallStore(t)
	e, _, path := settingsEnvOn(t, cfg, nil, s)
	v := e.settings
	const secret = "Ward7-sasl-Secret-42"
	const keyPass = "key-passphrase-test" // of app/kafka/testdata's synthetic encrypted key
	v.tlsOn.SetChecked(true)
	v.certFile.SetText("../app/kafka/testdata/client.crt")
	v.keyFile.SetText("../app/kafka/testdata/client-pbes2.key")
	v.keyPass.SetText(keyPass)
	v.rememberKey.SetChecked(true)
	v.mechanism.SetSelected(kafka.MechanismSHA512)
	v.saslUser.SetText("ward7")
	v.password.SetText(secret)
	v.remember.SetChecked(true)
	test.Tap(v.save)
	if !strings.HasPrefix(v.message.Text, "Saved") {
		t.Fatalf("save said %q", v.message.Text)
	}
	raw, _ := os.ReadFile(path)
	if strings.Contains(string(raw), secret) || strings.Contains(string(raw), keyPass) {
		t.Fatal("a secret is in the settings file")
	}
	saved, _ := config.Load(path)
	next, err := session.WithSecrets(saved, s)
	if err != nil || next.Conn.SASL.Password != secret || next.Conn.TLS.KeyPassphrase != keyPass {
		t.Fatalf("the next start does not find the sealed secrets: %v", err)
	}
	if _, err := next.Conn.Options(); err != nil {
		t.Fatalf("the sealed key passphrase does not open the key: %v", err)
	}
	// Not remembered any more: the store forgets it.
	v.remember.SetChecked(false)
	v.rememberKey.SetChecked(false)
	test.Tap(v.save)
	if next, _ := session.WithSecrets(saved, s); next.Conn.SASL.Password != "" || next.Conn.TLS.KeyPassphrase != "" {
		t.Fatal("a secret stayed sealed after Remember was cleared")
	}
}

// findButton finds the button with a text under o.
func findButton(o fyne.CanvasObject, text string) *widget.Button {
	switch x := o.(type) {
	case *widget.Button:
		if x.Text == text {
			return x
		}
	case *fyne.Container:
		for _, c := range x.Objects {
			if b := findButton(c, text); b != nil {
				return b
			}
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			if b := findButton(c, text); b != nil {
				return b
			}
		}
	}
	return nil
}
