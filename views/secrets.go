package views

import (
	"errors"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/app/config"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/session"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// typedSecrets are the SASL password and client key passphrase typed at the
// unlock screen for this session (never saved unless the user asks: then
// they are sealed in the store).
type typedSecrets struct {
	mu            sync.Mutex
	saslPassword  string
	keyPassphrase string
}

// apply completes the connection with what was typed.
func (t *typedSecrets) apply(c config.Config) config.Config {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.saslPassword != "" && c.Conn.SASL.Password == "" {
		c.Conn.SASL.Password = t.saslPassword
	}
	if t.keyPassphrase != "" && c.Conn.TLS.KeyPassphrase == "" {
		c.Conn.TLS.KeyPassphrase = t.keyPassphrase
	}
	return c
}

// missingSecrets says which secrets the connection still lacks once the
// store's sealed ones are in: the SASL password (SASL on, no password, no
// password file) and the passphrase of an encrypted client key.
func missingSecrets(c config.Config) (sasl, key bool) {
	s := c.Conn.SASL
	sasl = s.Mechanism != "" && s.Password == "" && s.PasswordFile == ""
	if c.Conn.TLS.KeyFile != "" && c.Conn.TLS.KeyPassphrase == "" {
		_, err := c.Conn.TLS.Config()
		key = errors.Is(err, kafka.ErrKeyPassphrase)
	}
	return sasl, key
}

// askSecrets asks, once per unlock, for the secrets the connection lacks
// and the store does not keep, on the unlock card, and waits for them (off
// the UI goroutine). With "Remember" they are sealed in the store.
func (u *UI) askSecrets(s *store.Store) error {
	if u.unlock == nil || u.o.Session != nil {
		return nil
	}
	cfg, err := session.WithSecrets(u.o.Config, s)
	if err != nil {
		return err
	}
	needSASL, needKey := missingSecrets(cfg)
	if !needSASL && !needKey {
		return nil
	}
	answer := make(chan [2]string, 1)
	var remember bool
	u.do(func() {
		u.unlock.showSecrets(cfg, needSASL, needKey, func(sasl, key string, keep bool) {
			remember = keep
			answer <- [2]string{sasl, key}
		})
	})
	var got [2]string
	select {
	case <-u.ctx.Done():
		return errors.New("closing")
	case got = <-answer:
	}
	u.typed.mu.Lock()
	u.typed.saslPassword, u.typed.keyPassphrase = got[0], got[1]
	u.typed.mu.Unlock()
	if remember {
		if got[0] != "" {
			if err := s.SetSecret(session.SecretSASLPassword, []byte(got[0])); err != nil {
				return err
			}
		}
		if got[1] != "" {
			if err := s.SetSecret(session.SecretKeyPassphrase, []byte(got[1])); err != nil {
				return err
			}
		}
	}
	return nil
}

// showSecrets turns the unlock card into the secrets step: the store is
// open; the cluster needs a password or a key passphrase the store does not
// keep.
func (v *unlockView) showSecrets(c config.Config, sasl, key bool, done func(sasl, key string, remember bool)) {
	v.progress.Stop()
	v.progress.Hide()
	heading := widget.NewLabel("Connect to the cluster")
	heading.TextStyle.Bold = true
	heading.SizeName = theme.SizeNameHeadingText
	intro := widget.NewLabel("The store is open. The cluster needs a secret this workstation does not keep; " +
		"it is asked once per unlock, unless you ask Chartline to remember it.")
	intro.Wrapping = fyne.TextWrapWord
	v.saslPass, v.keyPass = widget.NewPasswordEntry(), widget.NewPasswordEntry()
	v.remember = widget.NewCheck("Remember on this workstation (sealed in your encrypted store, never in the settings file)", nil)
	form := container.New(layout.NewFormLayout())
	if sasl {
		form.Add(fieldLabel("SASL password"))
		form.Add(v.saslPass)
		v.saslPass.PlaceHolder = "for " + c.Conn.SASL.User
	}
	if key {
		form.Add(fieldLabel("Client key passphrase"))
		form.Add(v.keyPass)
	}
	v.connect = widget.NewButtonWithIcon("Connect", theme.LoginIcon(), func() {
		v.connect.Disable()
		done(v.saslPass.Text, v.keyPass.Text, v.remember.Checked)
	})
	v.connect.Importance = widget.HighImportance
	box := container.NewVBox(heading, intro, form, v.remember, container.NewHBox(v.connect))
	intro.Resize(fyne.NewSize(unlockWidth-4*theme.Padding(), intro.MinSize().Height))
	card := ui.NewCard(container.New(&widthLayout{width: unlockWidth}, container.NewPadded(box)))
	v.content.(*fyne.Container).Objects[1] = container.NewCenter(card)
	v.content.Refresh()
	first := v.saslPass
	if !sasl {
		first = v.keyPass
	}
	focusOf(first, first)
}
