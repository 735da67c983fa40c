package views

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/app/config"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/session"
	"github.com/chartline/chartline/ui"
)

// SASL mechanism choices.
const saslNone = "None"

var saslChoices = []string{saslNone, kafka.MechanismPlain, kafka.MechanismSHA256, kafka.MechanismSHA512}

// Theme and Scale 2 choices, in words.
var (
	themeChoices  = []string{"System", "Light", "Dark"}
	themeModes    = map[string]string{"System": ui.ModeSystem, "Light": ui.ModeLight, "Dark": ui.ModeDark}
	scale2Choices = []string{
		"Scale 2 where a hypercapnic target (88–92 %) is recorded",
		"Always Scale 1",
	}
)

// settingsView is the settings screen: the connection (brokers, TLS,
// SASL), the patient topic prefix, the clinical policy (stale-vitals
// window, SpO2 Scale 2), the theme, and who acts at this workstation. Save
// validates everything, writes the settings file (0600, atomically), and
// applies it: the theme at once (also on a mere choice), clinical and
// identity settings to the engine, and connection or topic changes by
// reconnecting the session without a restart.
//
// Secrets are never saved: the SASL password typed here lives for this
// session only (a password file may be named instead), and skipping TLS
// verification is a consent for this session only.
type settingsView struct {
	e *env

	brokers      *widget.Entry
	tlsOn        *widget.Check
	caFile       *widget.Entry
	certFile     *widget.Entry
	keyFile      *widget.Entry
	serverName   *widget.Entry
	insecure     *widget.Check
	mechanism    *widget.Select
	saslUser     *widget.Entry
	password     *widget.Entry
	passwordFile *widget.Entry
	prefix       *widget.Entry
	stale        *widget.Entry
	scale2       *widget.RadioGroup
	risk         *widget.Entry
	themeChoice  *widget.RadioGroup
	workstation  *widget.Entry
	user         *widget.Entry   // the display name; the OS account signs
	idle         *widget.Entry   // idle lock, minutes
	remember     *widget.Check   // seal the SASL password in the store
	leaving      *widget.PopUp   // the unsaved-edits question, when asked
	keyPass      *widget.Entry   // the client key's passphrase (an encrypted key)
	rememberKey  *widget.Check   // seal the key passphrase in the store
	pipes        *pipelineFields // failover, Schema Registry, census (settings_pipelines.go)

	save    *widget.Button
	revert  *widget.Button
	where   *widget.RichText
	message *widget.Label
	box     *fyne.Container
	content fyne.CanvasObject
}

// newSettings builds the settings screen, filled with the settings in
// force, the fields the site or the environment sets locked.
func newSettings(e *env) *settingsView {
	v := &settingsView{e: e,
		brokers: widget.NewMultiLineEntry(), tlsOn: widget.NewCheck("Use TLS", nil),
		caFile: widget.NewEntry(), certFile: widget.NewEntry(), keyFile: widget.NewEntry(), serverName: widget.NewEntry(),
		insecure:  widget.NewCheck("Skip certificate verification (this session only; never saved)", nil),
		mechanism: widget.NewSelect(saslChoices, nil), saslUser: widget.NewEntry(), password: widget.NewPasswordEntry(),
		passwordFile: widget.NewEntry(), prefix: widget.NewEntry(), stale: widget.NewEntry(),
		scale2: widget.NewRadioGroup(scale2Choices, nil), risk: widget.NewEntry(),
		themeChoice: widget.NewRadioGroup(themeChoices, nil), workstation: widget.NewEntry(), user: widget.NewEntry(),
		message: widget.NewLabel(""), idle: widget.NewEntry(), keyPass: widget.NewPasswordEntry(),
		rememberKey: widget.NewCheck("Remember on this workstation (sealed in your encrypted store, never in the settings file)", nil),
		remember:    widget.NewCheck("Remember on this workstation (sealed in your encrypted store, never in the settings file)", nil),
	}
	v.brokers.SetMinRowsVisible(2)
	v.brokers.PlaceHolder = "host:port, one per line"
	v.caFile.PlaceHolder = "CA bundle (PEM); empty: the system's roots"
	v.certFile.PlaceHolder = "client certificate (PEM), for mutual TLS"
	v.keyFile.PlaceHolder = "client key (PEM)"
	v.serverName.PlaceHolder = "name in the brokers' certificates; empty: each broker's host"
	v.password.PlaceHolder = "never written to the settings file"
	v.keyPass.PlaceHolder = "only for an encrypted key; never written to the settings file"
	v.user.PlaceHolder = "optional, e.g. Dr A. Smith: shown beside your account, never instead of it"
	v.idle.PlaceHolder = "minutes, 1 to 60"
	v.passwordFile.PlaceHolder = "or a file whose first line is the password"
	v.stale.PlaceHolder = "hours, e.g. 24"
	v.scale2.Required = true
	v.themeChoice.Required = true
	v.themeChoice.Horizontal = true
	v.themeChoice.OnChanged = func(s string) { v.applyTheme(themeModes[s]) }
	v.mechanism.OnChanged = func(string) { v.enableSASL() }
	v.message.Wrapping = fyne.TextWrapWord
	v.message.Hide()
	v.pipes = newPipelineFields(e)
	v.save = widget.NewButtonWithIcon("Save and apply", theme.DocumentSaveIcon(), v.apply)
	v.save.Importance = widget.HighImportance
	v.revert = widget.NewButtonWithIcon("Revert", theme.ContentUndoIcon(), func() { v.fill(e.settingsNow()); v.message.Hide() })

	demo := e.session != nil && e.session.IsDemo()
	v.box = v.layout(demo)
	if demo {
		for _, w := range []fyne.Disableable{v.brokers, v.tlsOn, v.caFile, v.certFile, v.keyFile, v.serverName,
			v.insecure, v.mechanism, v.saslUser, v.password, v.passwordFile, v.prefix} {
			w.Disable()
		}
	}
	v.content = container.NewVScroll(container.NewPadded(v.box))
	v.fill(e.settingsNow())
	v.lockFixed()
	return v
}

// layout lays the screen out: the heading with Save and Revert, the
// outcome of the last save, and the groups of fields. In the demo a note
// says the connection is the demo's own.
func (v *settingsView) layout(demo bool) *fyne.Container {
	heading := widget.NewLabel("Settings")
	heading.TextStyle.Bold = true
	heading.SizeName = theme.SizeNameHeadingText
	where := widget.NewRichText(&widget.TextSegment{Text: "Saved to " + v.e.configPath,
		Style: widget.RichTextStyle{ColorName: ui.ColorMuted, Inline: true}})
	where.Wrapping = fyne.TextWrapBreak
	v.where = where
	connNote := widget.NewLabel("The demo runs on its own embedded broker: the connection is not changed or saved here. Every other setting is saved.")
	connNote.Wrapping = fyne.TextWrapWord
	connNote.Importance = widget.WarningImportance
	connNote.Hidden = !demo

	form := func(pairs ...fyne.CanvasObject) *fyne.Container {
		return container.New(layout.NewFormLayout(), pairs...)
	}
	group := func(title string, body ...fyne.CanvasObject) fyne.CanvasObject {
		h := widget.NewLabel(title)
		h.TextStyle.Bold = true
		h.SizeName = theme.SizeNameSubHeadingText
		return ui.NewCard(container.NewVBox(append([]fyne.CanvasObject{h}, body...)...))
	}
	return container.NewVBox(
		container.NewBorder(nil, nil, heading, container.NewHBox(v.revert, v.save), where),
		v.message,
		group("Connection", connNote, form(
			fieldLabel("Brokers"), v.fixedRow(config.FieldBrokers, v.brokers),
			widget.NewLabel(""), v.fixedRow(config.FieldTLS, v.tlsOn),
			fieldLabel("CA file"), v.caFile,
			fieldLabel("Client certificate"), v.certFile,
			fieldLabel("Client key"), v.keyFile,
			fieldLabel("Client key passphrase"), v.keyPass,
			widget.NewLabel(""), v.rememberKey,
			fieldLabel("Server name"), v.serverName,
			widget.NewLabel(""), v.insecure,
			fieldLabel("SASL"), v.fixedRow(config.FieldSASL, v.mechanism),
			fieldLabel("SASL user"), v.saslUser,
			fieldLabel("SASL password"), v.password,
			widget.NewLabel(""), v.remember,
			fieldLabel("Password file"), v.passwordFile,
			fieldLabel("Patient topic prefix"), v.fixedRow(config.FieldTopicPrefix, v.prefix),
		)),
		group("Pipelines: failover cluster, Schema Registry, census list", v.pipes.form()),
		group("Clinical policy", form(
			fieldLabel("Stale vital signs after (hours)"), v.fixedRow(config.FieldObservationWindow, v.stale),
			fieldLabel("SpO2 scale (NEWS2)"), v.fixedRow(config.FieldSpO2Scale2, v.scale2),
			fieldLabel("Upstream risk alert above"), v.fixedRow(config.FieldRiskThreshold, v.risk),
			fieldLabel("Alert follow-up"), v.fixedRow(config.FieldAlerts, alertIntervalsLabel(v.e.settingsNow().Alerts)),
		)),
		group("Security", form(
			fieldLabel("Lock after no input for (minutes)"), v.fixedRow(config.FieldIdleLock, v.idle),
		)),
		group("Appearance", form(fieldLabel("Theme"), v.themeChoice)),
		group("Identity (signs alert actions and audit events)", form(
			fieldLabel("Signs as"), accountLabel(v.e.settingsNow().User),
			fieldLabel("Display name"), v.user,
			fieldLabel("Workstation"), v.workstation,
		)),
	)
}

func (v *settingsView) page() *ui.Page {
	return &ui.Page{Title: "Settings", Content: v.content, OnLeave: v.leave}
}

// fill shows settings in the fields.
func (v *settingsView) fill(c config.Config) {
	v.brokers.SetText(strings.Join(c.Conn.Brokers, "\n"))
	v.tlsOn.SetChecked(c.Conn.TLS.On())
	v.caFile.SetText(c.Conn.TLS.CAFile)
	v.certFile.SetText(c.Conn.TLS.CertFile)
	v.keyFile.SetText(c.Conn.TLS.KeyFile)
	v.keyPass.SetText(c.Conn.TLS.KeyPassphrase)
	v.rememberKey.SetChecked(v.rememberedKey())
	v.serverName.SetText(c.Conn.TLS.ServerName)
	v.insecure.SetChecked(c.Conn.TLS.InsecureSkipVerify && c.Conn.TLS.AllowInsecure)
	mech, ok := kafka.NormalMechanism(c.Conn.SASL.Mechanism)
	if !ok {
		mech = saslNone
	}
	v.mechanism.SetSelected(mech)
	v.saslUser.SetText(c.Conn.SASL.User)
	v.password.SetText(c.Conn.SASL.Password)
	v.passwordFile.SetText(c.Conn.SASL.PasswordFile)
	v.prefix.SetText(c.Topics.PatientPrefix)
	v.stale.SetText(hoursText(time.Duration(c.StaleVitals)))
	if c.SpO2Scale2 == config.Scale2Off {
		v.scale2.SetSelected(scale2Choices[1])
	} else {
		v.scale2.SetSelected(scale2Choices[0])
	}
	v.risk.SetText(strconv.FormatFloat(c.RiskThreshold, 'f', -1, 64))
	for label, mode := range themeModes {
		if mode == ui.NewTheme(c.Theme).Mode() {
			v.themeChoice.OnChanged = nil
			v.themeChoice.SetSelected(label)
			v.themeChoice.OnChanged = func(s string) { v.applyTheme(themeModes[s]) }
		}
	}
	v.workstation.SetText(c.Workstation)
	v.user.SetText(c.DisplayName)
	v.idle.SetText(strconv.FormatFloat(time.Duration(c.IdleLock).Minutes(), 'f', -1, 64))
	v.remember.SetChecked(v.remembered())
	v.pipes.fill(c)
	v.enableSASL()
}

// enableSASL enables the SASL fields only with a mechanism chosen.
func (v *settingsView) enableSASL() {
	if v.e.session != nil && v.e.session.IsDemo() {
		return
	}
	on := v.mechanism.Selected != "" && v.mechanism.Selected != saslNone
	if _, fixed := v.e.fixed[config.FieldSASL]; fixed {
		on = false
	}
	for _, w := range []fyne.Disableable{v.saslUser, v.password, v.passwordFile, v.remember} {
		if on {
			w.Enable()
		} else {
			w.Disable()
		}
	}
}

// hoursText writes a duration in hours: "24", "1.5".
func hoursText(d time.Duration) string {
	return strconv.FormatFloat(d.Hours(), 'f', -1, 64)
}

// applyTheme switches the theme at once.
func (v *settingsView) applyTheme(mode string) {
	if a := fyne.CurrentApp(); a != nil {
		a.Settings().SetTheme(ui.NewTheme(mode))
	}
}

// fixedRow shows a field the site policy or the environment sets as
// read-only, with who set it beneath ("Set by your site").
func (v *settingsView) fixedRow(field string, w fyne.CanvasObject) fyne.CanvasObject {
	by, ok := v.e.fixed[field]
	if !ok {
		return w
	}
	text := "Set by " + by + " (read-only)"
	if by != config.PolicySource {
		text = "Set by " + by + " for this run (read-only)"
	}
	note := widget.NewRichText(&widget.TextSegment{Text: text,
		Style: widget.RichTextStyle{ColorName: ui.ColorMuted, Inline: true, TextStyle: fyne.TextStyle{Italic: true}}})
	return container.NewVBox(w, note)
}

// lockFixed disables the fields the site policy or the environment sets.
func (v *settingsView) lockFixed() {
	fields := map[string][]fyne.Disableable{
		config.FieldBrokers:           {v.brokers},
		config.FieldTLS:               {v.tlsOn, v.caFile, v.certFile, v.keyFile, v.keyPass, v.rememberKey, v.serverName, v.insecure},
		config.FieldSASL:              {v.mechanism, v.saslUser, v.password, v.passwordFile, v.remember},
		config.FieldTopicPrefix:       {v.prefix},
		config.FieldObservationWindow: {v.stale},
		config.FieldSpO2Scale2:        {v.scale2},
		config.FieldRiskThreshold:     {v.risk},
		config.FieldIdleLock:          {v.idle},
	}
	for f, ws := range fields {
		if _, ok := v.e.fixed[f]; ok {
			for _, w := range ws {
				w.Disable()
			}
		}
	}
}

// alertIntervalsLabel writes the alert follow-up intervals.
func alertIntervalsLabel(a config.AlertIntervals) fyne.CanvasObject {
	return widget.NewLabel(fmt.Sprintf("High alerts every %s, medium every %s, while still in their band",
		minutesText(time.Duration(a.High)), minutesText(time.Duration(a.Medium))))
}

func minutesText(d time.Duration) string {
	return strconv.FormatFloat(d.Minutes(), 'f', -1, 64) + " min"
}

// accountLabel names the OS account that signs, which Settings cannot change.
func accountLabel(account string) fyne.CanvasObject {
	l := widget.NewLabel(account + " (your OS account; sign in as yourself to sign as yourself)")
	l.TextStyle.Bold = true
	return l
}

// leave asks before leaving the screen with unsaved edits: it reports whether
// the shell may go on now; otherwise proceed is called once the user chose
// to discard them.
func (v *settingsView) leave(proceed func()) bool {
	if !v.dirty() {
		return true
	}
	var pop *widget.PopUp
	discard := widget.NewButtonWithIcon("Discard changes", theme.DeleteIcon(), func() {
		pop.Hide()
		v.fill(v.e.settingsNow())
		v.message.Hide()
		proceed()
	})
	keep := widget.NewButtonWithIcon("Keep editing", theme.DocumentCreateIcon(), func() { pop.Hide() })
	keep.Importance = widget.HighImportance
	title := widget.NewLabel("Unsaved settings")
	title.TextStyle.Bold = true
	pop = widget.NewModalPopUp(container.NewPadded(container.NewVBox(title,
		widget.NewLabel("Your changes to the settings are not saved. Leave without saving them?"),
		container.NewHBox(keep, discard))), v.e.win.Canvas())
	v.leaving = pop
	pop.Show()
	return false
}

// brokerHintAfter is how long a fresh start waits for a broker before it
// suggests Settings.
const brokerHintAfter = 8 * time.Second

// hintBrokers puts up a banner pointing to Settings when, shortly after the
// start, no broker has answered (a first run on the default 127.0.0.1:9092,
// a mistyped address): the status bar alone says "offline" without saying
// what to do. It goes once a broker answers or it is closed.
func (u *UI) hintBrokers(e *env, ss *session.Session) {
	if ss.IsDemo() {
		return
	}
	u.async(func() {
		select {
		case <-u.ctx.Done():
			return
		case <-time.After(brokerHintAfter):
		}
		if ss.Status().Connected() {
			return
		}
		brokers := strings.Join(ss.Config().Conn.Brokers, ", ")
		u.do(func() {
			var banner fyne.CanvasObject
			text := widget.NewLabel("No Kafka broker answers at " + brokers + ". Chartline shows what it has stored " +
				"and keeps trying. Open Settings to give your site's brokers.")
			text.Wrapping = fyne.TextWrapWord
			open := widget.NewButtonWithIcon("Open Settings", theme.SettingsIcon(), func() {
				e.shell.ClearNotice(banner)
				e.shell.Show(screenSettings)
			})
			open.Importance = widget.HighImportance
			dismiss := widget.NewButtonWithIcon("", theme.CancelIcon(), func() { e.shell.ClearNotice(banner) })
			banner = ui.NewCard(container.NewBorder(nil, nil, widget.NewIcon(theme.InfoIcon()), container.NewHBox(open, dismiss), text))
			e.shell.ShowNotice(banner)
		})
	})
}
