package config

import (
	"os"
	"os/user"
	"strings"
)

// OSUser is the account running Chartline: the name that signs alert actions
// and AuditEvents. Each OS account has its own settings file and store
// (both under its own user config dir), so a workstation shared by several
// people keeps each one's records, signature and passphrase apart. It falls
// back to $USER, then "unknown user", only where the OS cannot say.
func OSUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if v := strings.TrimSpace(os.Getenv("USER")); v != "" {
		return v
	}
	return "unknown user"
}

// Signature is how a person is named where others read it: the display
// name with the account in brackets ("Dr A. Smith (asmith)"), or the
// account alone.
func (c Config) Signature() string {
	if d := strings.TrimSpace(c.DisplayName); d != "" && d != c.User {
		return d + " (" + c.User + ")"
	}
	return c.User
}
