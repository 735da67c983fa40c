// Settings, read and applied: validating the fields, saving the file, sealing
// remembered secrets, and applying the result to the running session.

package views

import (
	"fmt"
	"net"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/app/config"
	"github.com/chartline/chartline/app/jsontime"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/session"
	"github.com/chartline/chartline/ui"
)

var hostPort = regexp.MustCompile(`^[A-Za-z0-9.\-\[\]:]+$`)

// read builds settings from the fields over the settings in force, and
// lists what is wrong with them, field by field.
func (v *settingsView) read() (config.Config, []string) {
	c := v.e.settingsNow()
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	var brokers []string
	for _, f := range strings.FieldsFunc(v.brokers.Text, func(r rune) bool { return r == '\n' || r == ',' || r == ' ' }) {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		host, port, err := net.SplitHostPort(f)
		if err != nil {
			host, port = f, "9092"
		}
		if n, perr := strconv.Atoi(port); host == "" || !hostPort.MatchString(host) || perr != nil || n < 1 || n > 65535 {
			bad("Broker %q: write it as host:port.", f)
			continue
		}
		brokers = append(brokers, f)
	}
	if len(brokers) == 0 {
		bad("Give at least one broker (host:port).")
	}
	c.Conn.Brokers = brokers
	c.Conn.TLS = kafka.TLS{
		Enabled: v.tlsOn.Checked, CAFile: strings.TrimSpace(v.caFile.Text), CertFile: strings.TrimSpace(v.certFile.Text),
		KeyFile: strings.TrimSpace(v.keyFile.Text), ServerName: strings.TrimSpace(v.serverName.Text),
		InsecureSkipVerify: v.insecure.Checked, AllowInsecure: v.insecure.Checked, KeyPassphrase: v.keyPass.Text,
	}
	c.Conn.SASL = kafka.SASL{}
	if m := v.mechanism.Selected; m != "" && m != saslNone {
		c.Conn.SASL = kafka.SASL{Mechanism: m, User: strings.TrimSpace(v.saslUser.Text), Password: v.password.Text,
			PasswordFile: strings.TrimSpace(v.passwordFile.Text)}
		if c.Conn.SASL.User == "" {
			bad("SASL needs a user.")
		}
		if c.Conn.SASL.Password == "" && c.Conn.SASL.PasswordFile == "" {
			bad("SASL needs a password or a password file.")
		}
		if m == kafka.MechanismPlain && !c.Conn.TLS.On() {
			bad("SASL PLAIN sends the password as it is: turn TLS on.")
		}
	}
	if len(brokers) > 0 && len(problems) == 0 {
		if _, err := c.Conn.Options(); err != nil {
			bad("Connection: %v.", err)
		}
	}
	v.pipes.read(&c, bad)
	c.Topics.PatientPrefix = strings.TrimSpace(v.prefix.Text)
	if c.Topics.PatientPrefix == "" {
		bad("Give the patient topic prefix (default %q).", kafka.DefaultTopics().PatientPrefix)
	}
	if h, err := strconv.ParseFloat(strings.TrimSpace(v.stale.Text), 64); err != nil || h <= 0 || h > 24*14 {
		if d, derr := time.ParseDuration(strings.TrimSpace(v.stale.Text)); derr == nil && d > 0 && d <= 14*24*time.Hour {
			c.StaleVitals = jsontime.Duration(d)
		} else {
			bad("Stale vital signs: give hours between 0 and 336 (e.g. 24).")
		}
	} else {
		c.StaleVitals = jsontime.Duration(time.Duration(h * float64(time.Hour)))
	}
	c.SpO2Scale2 = config.Scale2Recorded
	if v.scale2.Selected == scale2Choices[1] {
		c.SpO2Scale2 = config.Scale2Off
	}
	if r, err := strconv.ParseFloat(strings.TrimSpace(v.risk.Text), 64); err != nil || r <= 0 || r > 1 {
		bad("Upstream risk alert: give a probability above 0 and at most 1 (e.g. 0.5).")
	} else {
		c.RiskThreshold = r
	}
	c.Theme = themeModes[v.themeChoice.Selected]
	if c.Theme == "" {
		c.Theme = ui.ModeSystem
	}
	if m, err := strconv.ParseFloat(strings.TrimSpace(v.idle.Text), 64); err != nil ||
		m < config.MinIdleLock.Minutes() || m > config.MaxIdleLock.Minutes() {
		bad("Lock after: give minutes between 1 and 60 (e.g. 10).")
	} else {
		c.IdleLock = jsontime.Duration(time.Duration(m * float64(time.Minute)))
	}
	c.Workstation = strings.TrimSpace(v.workstation.Text)
	c.DisplayName = strings.TrimSpace(v.user.Text)
	if c.Workstation == "" {
		bad("Give this workstation a name: it signs alert actions and audit events.")
	}
	if len(problems) == 0 {
		if err := c.Validate(); err != nil {
			bad("%v", err)
		}
	}
	return c, problems
}

// apply validates, saves and applies the settings.
func (v *settingsView) apply() {
	cfg, problems := v.read()
	if len(problems) > 0 {
		v.say(widget.DangerImportance, "Not saved:\n• "+strings.Join(problems, "\n• "))
		return
	}
	old := v.e.settingsNow()
	demo := v.e.session != nil && v.e.session.IsDemo()
	toSave := cfg
	if demo {
		// Keep the file's own connection: the demo's broker is throwaway.
		disk, err := config.Load(v.e.configPath)
		if err != nil {
			disk = config.Default()
		}
		toSave.Conn, toSave.Topics = disk.Conn, disk.Topics
		cfg.Conn, cfg.Topics = old.Conn, old.Topics
	}
	if len(v.e.fixed) > 0 { // what the site or the environment sets is not the file's to keep
		disk, err := config.Load(v.e.configPath)
		if err != nil {
			disk = config.Default()
		}
		toSave = v.e.fixed.Keep(toSave, disk)
	}
	toSave.Conn.TLS.InsecureSkipVerify, toSave.Conn.TLS.AllowInsecure = false, false
	if err := toSave.Save(v.e.configPath); err != nil {
		v.say(widget.DangerImportance, "Not saved: "+err.Error())
		return
	}
	if err := v.saveSecret(cfg); err != nil {
		v.say(widget.DangerImportance, "Saved, but the password could not be sealed in the store: "+errorClass(err))
		return
	}
	v.e.setSettings(cfg)
	v.applyTheme(cfg.Theme)
	ss := v.e.session
	if ss == nil {
		v.say(widget.SuccessImportance, "Saved.")
		return
	}
	if reflect.DeepEqual(old.Conn, cfg.Conn) && old.Topics == cfg.Topics && !pipelinesChanged(old, cfg) {
		if err := ss.Engine().Reconfigure(session.EngineOptions(cfg, v.e.store, nil)); err != nil {
			v.say(widget.DangerImportance, "Saved, but not applied: "+err.Error())
			return
		}
		v.say(widget.SuccessImportance, "Saved and applied.")
		return
	}
	v.say(widget.MediumImportance, "Saved. Reconnecting…")
	v.save.Disable()
	v.e.async(func() {
		err := ss.Reconnect(cfg)
		v.e.do(func() {
			v.save.Enable()
			if err != nil {
				v.say(widget.DangerImportance, "Saved, but the reconnection failed: "+err.Error())
				return
			}
			v.say(widget.SuccessImportance, "Saved and reconnected to "+strings.Join(cfg.Conn.Brokers, ", ")+".")
		})
	})
}

// say shows the outcome of a save.
func (v *settingsView) say(imp widget.Importance, text string) {
	v.message.Importance = imp
	v.message.SetText(text)
	v.message.Show()
	ui.Reflow(v.box)
}

// remembered reports whether a SASL password is sealed in the store.
func (v *settingsView) remembered() bool {
	if v.e.store == nil {
		return false
	}
	_, ok, err := v.e.store.Secret(session.SecretSASLPassword)
	return err == nil && ok
}

// rememberedKey reports whether a client key passphrase is sealed in the store.
func (v *settingsView) rememberedKey() bool {
	if v.e.store == nil {
		return false
	}
	_, ok, err := v.e.store.Secret(session.SecretKeyPassphrase)
	return err == nil && ok
}

// saveSecret seals the SASL password and the client key's passphrase in the
// store when asked to remember them, and removes a sealed one when not.
func (v *settingsView) saveSecret(c config.Config) error {
	if v.e.store == nil {
		return nil
	}
	for _, x := range []struct {
		check *widget.Check
		name  string
		value string
	}{
		{v.remember, session.SecretSASLPassword, c.Conn.SASL.Password},
		{v.rememberKey, session.SecretKeyPassphrase, c.Conn.TLS.KeyPassphrase},
	} {
		if x.check.Disabled() {
			continue
		}
		var err error
		switch {
		case x.check.Checked && x.value != "":
			err = v.e.store.SetSecret(x.name, []byte(x.value))
		case !x.check.Checked:
			err = v.e.store.SetSecret(x.name, nil)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// dirty reports whether the fields differ from the settings in force.
func (v *settingsView) dirty() bool {
	c, _ := v.read()
	old := v.e.settingsNow()
	return !reflect.DeepEqual(c, old) || v.remember.Checked != v.remembered() || v.rememberKey.Checked != v.rememberedKey()
}
