package config

import (
	"os"
	"strings"

	"github.com/chartline/chartline/app/kafka"
)

// EnvTopicPrefix overrides the patient topic prefix (as for the headless
// verbs).
const EnvTopicPrefix = "CHARTLINE_TOPIC_PREFIX"

// Resolve lays over settings read from the file what this run is told
// otherwise, in the README's order: the CHARTLINE_* connection variables
// (CHARTLINE_BROKERS, CHARTLINE_TLS_*, CHARTLINE_SASL_*, CHARTLINE_TOPIC_PREFIX),
// then the site policy, which wins. Fixed says which fields were set and by
// what, so Settings shows them read-only and saves the file's own values.
func Resolve(c Config, p Policy) (Config, Fixed) {
	fixed := Fixed{}
	set := func(v string) bool { return strings.TrimSpace(os.Getenv(v)) != "" }
	c.Conn = kafka.ConnFromEnv(c.Conn)
	if set(kafka.EnvBrokers) {
		fixed[FieldBrokers] = kafka.EnvBrokers
	}
	for _, v := range []string{kafka.EnvTLSCA, kafka.EnvTLSCert, kafka.EnvTLSKey, kafka.EnvTLSServerName} {
		if set(v) {
			fixed[FieldTLS] = v
			break
		}
	}
	for _, v := range []string{kafka.EnvSASLMechanism, kafka.EnvSASLUser, kafka.EnvSASLPassword, kafka.EnvSASLPassFile} {
		if os.Getenv(v) != "" {
			fixed[FieldSASL] = v
			break
		}
	}
	if v := strings.TrimSpace(os.Getenv(EnvTopicPrefix)); v != "" {
		c.Topics.PatientPrefix = v
		fixed[FieldTopicPrefix] = EnvTopicPrefix
	}
	return p.Apply(c, fixed), fixed
}
