// Package kafka holds what Chartline knows about Kafka itself: the names and
// policies of its topics (README, "Topics"), how to reach a cluster (brokers, TLS,
// SASL), and an embedded Kafka-protocol broker built on franz-go's kfake for
// `chartline broker`, `chartline demo` and the tests.
//
// Nothing here decodes FHIR or touches the store: the feed (app/feed) and the
// publisher (app/publish) build on these names and options.
//
// Patient topic names carry the patient id, which is PHI. Errors and logs in
// this package name a topic's kind ("a patient topic"), never a patient topic
// itself.
package kafka

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/chartline/chartline/store"
)

// Topic kinds, as Kind returns them and as `chartline publish` prints them.
const (
	KindPatient    = "patient"
	KindReference  = "reference"
	KindStudies    = "studies"
	KindRisk       = "risk"
	KindMatches    = "matches"
	KindAlertState = "alert-state"
	KindAudit      = "audit"
	KindCensus     = "census"
)

// DefaultCensusPrefix starts every census list's topic (README, "Topics"):
// spv.census.<list>, compacted, keyed Patient/<id>.
const DefaultCensusPrefix = "spv.census."

// Limits and topic settings fixed by README, "Topics".
const (
	// MaxMessageBytes is the max.message.bytes Chartline gives the topics it
	// creates and the embedded broker's message.max.bytes: room for one
	// value of the largest size accepted (record.MaxValueBytes, 4 MiB) plus
	// headers and batch overhead, with a margin (8 MiB).
	// Kafka's own default (1 MiB) would refuse a large DocumentReference.
	MaxMessageBytes = 8 << 20
	// AuditRetention is the retention.ms Chartline gives spv.audit when it
	// creates it: 90 days. spv.audit is a relay to the organisation's audit
	// archive, not the archive itself; an operator with a longer requirement
	// creates the topic beforehand, and Chartline never alters an existing
	// topic.
	AuditRetention = 90 * 24 * time.Hour
	// MaxPatientIDLen is the longest FHIR id (FHIR R4 datatype id:
	// [A-Za-z0-9\-\.]{1,64}).
	MaxPatientIDLen = 64
	// maxTopicLen is Kafka's limit on topic names.
	maxTopicLen = 249
)

// Topics names Chartline's topics (README, "Topics"). The zero value is not
// usable: start from DefaultTopics and change what differs. PatientPrefix plus
// a patient id is a patient topic; the others are the six shared topics.
type Topics struct {
	PatientPrefix string `json:"patient_prefix"` // default "fhir.patient."
	Reference     string `json:"reference"`      // default "fhir.reference"
	Studies       string `json:"studies"`        // default "trials.studies"
	Risk          string `json:"risk"`           // default "cds.risk"
	Matches       string `json:"matches"`        // default "trials.matches"
	AlertState    string `json:"alert_state"`    // default "spv.alert-state"
	Audit         string `json:"audit"`          // default "spv.audit"
	// CensusPrefix starts the census lists' topics; "" means
	// DefaultCensusPrefix ("spv.census.").
	CensusPrefix string `json:"census_prefix,omitempty"`
}

// Census returns the topic of census list list, "spv.census.<list>" by
// default. It does not check the name; see ValidCensusList.
func (t Topics) Census(list string) string { return t.censusPrefix() + list }

func (t Topics) censusPrefix() string {
	if t.CensusPrefix == "" {
		return DefaultCensusPrefix
	}
	return t.CensusPrefix
}

// CensusList returns the list a census topic belongs to; false for any
// other topic.
func (t Topics) CensusList(topic string) (string, bool) {
	list, ok := strings.CutPrefix(topic, t.censusPrefix())
	return list, ok && ValidCensusList(list)
}

// ValidCensusList reports whether list can name a census list: 1 to 64 of
// [A-Za-z0-9._-], so that its topic is a legal Kafka topic name.
func ValidCensusList(list string) bool {
	if len(list) == 0 || len(list) > 64 {
		return false
	}
	for i := 0; i < len(list); i++ {
		if !isIDByte(list[i]) && list[i] != '_' {
			return false
		}
	}
	return true
}

// DefaultTopics returns the topic names of README, "Topics".
func DefaultTopics() Topics {
	return Topics{
		PatientPrefix: "fhir.patient.",
		Reference:     "fhir.reference",
		Studies:       "trials.studies",
		Risk:          "cds.risk",
		Matches:       "trials.matches",
		AlertState:    "spv.alert-state",
		Audit:         "spv.audit",
	}
}

// Patient returns the topic of one patient, "fhir.patient.<id>" by default.
// It does not check the id; see ValidPatientID.
func (t Topics) Patient(id string) string { return t.PatientPrefix + id }

// Shared returns the six shared topic names: reference, studies, risk,
// matches, alert-state and audit, in that order.
func (t Topics) Shared() []string {
	return []string{t.Reference, t.Studies, t.Risk, t.Matches, t.AlertState, t.Audit}
}

// Collection maps a topic to the store collection its records live in: the
// patient id for a patient topic, store.Reference, store.Studies, store.Risk,
// store.Matches, store.AlertState or store.Audit for the shared topics. It
// reports false for a topic that is not Chartline's (including a prefixed name
// whose id is not a valid FHIR id). Shared names win over the patient prefix
// when both match.
func (t Topics) Collection(topic string) (string, bool) {
	switch topic {
	case "":
		return "", false
	case t.Reference:
		return store.Reference, true
	case t.Studies:
		return store.Studies, true
	case t.Risk:
		return store.Risk, true
	case t.Matches:
		return store.Matches, true
	case t.AlertState:
		return store.AlertState, true
	case t.Audit:
		return store.Audit, true
	}
	if id, ok := strings.CutPrefix(topic, t.PatientPrefix); ok && t.PatientPrefix != "" && ValidPatientID(id) {
		return id, true
	}
	return "", false
}

// Kind names what a topic holds: KindPatient, KindReference, KindStudies,
// KindRisk, KindMatches, KindAlertState, KindAudit or KindCensus; "" for a
// topic that is not Chartline's.
func (t Topics) Kind(topic string) string {
	if _, ok := t.CensusList(topic); ok {
		return KindCensus
	}
	c, ok := t.Collection(topic)
	if !ok {
		return ""
	}
	switch c {
	case store.Reference:
		return KindReference
	case store.Studies:
		return KindStudies
	case store.Risk:
		return KindRisk
	case store.Matches:
		return KindMatches
	case store.AlertState:
		return KindAlertState
	case store.Audit:
		return KindAudit
	}
	return KindPatient
}

// PatientRegex returns an anchored regular expression matching every patient
// topic, for kgo.ConsumeRegex together with kgo.ConsumeTopics. With an
// unusual prefix a shared topic may match it too: tell them apart with
// Collection, which puts shared names first.
func (t Topics) PatientRegex() string {
	return "^" + regexp.QuoteMeta(t.PatientPrefix) + `[A-Za-z0-9.\-]{1,64}$`
}

// Partitions returns the partition count to create a topic with: 1 for a
// patient topic, so a patient's resources keep one order (README, "Topics"), and
// for a census list (one ward's patients: small, read whole), and -1
// (the cluster's num.partitions) for the shared topics, whose records are
// ordered per key by key hashing. Unknown topics get -1 as well.
func (t Topics) Partitions(topic string) int32 {
	if k := t.Kind(topic); k == KindPatient || k == KindCensus {
		return 1
	}
	return -1
}

// Config returns the topic configs to create a Chartline topic with:
// cleanup.policy=compact for every topic but Audit, which is
// cleanup.policy=delete with retention.ms=AuditRetention; and
// max.message.bytes=MaxMessageBytes everywhere, so a 4 MiB resource fits on a
// cluster with Kafka's 1 MiB default. It returns nil for a topic that is not
// Chartline's: the cluster's defaults apply. The map is new on every call.
func (t Topics) Config(topic string) map[string]*string {
	kind := t.Kind(topic)
	if kind == "" {
		return nil
	}
	str := func(s string) *string { return &s }
	cfg := map[string]*string{
		"cleanup.policy":    str("compact"),
		"max.message.bytes": str(strconv.Itoa(MaxMessageBytes)),
	}
	if kind == KindAudit {
		cfg["cleanup.policy"] = str("delete")
		cfg["retention.ms"] = str(strconv.FormatInt(AuditRetention.Milliseconds(), 10))
	}
	return cfg
}

// Validate checks that every name is a legal Kafka topic name ([A-Za-z0-9._-],
// at most 249 characters, with room for a 64-character patient id after the
// prefix), that no two shared names are equal, and that no shared name could be
// mistaken for the prefix alone.
func (t Topics) Validate() error {
	if t.PatientPrefix == "" {
		return errors.New("topics: the patient topic prefix is empty")
	}
	if err := legalTopic(t.PatientPrefix, maxTopicLen-MaxPatientIDLen); err != nil {
		return fmt.Errorf("topics: patient prefix %q: %w", t.PatientPrefix, err)
	}
	seen := make(map[string]bool, 6)
	for _, name := range t.Shared() {
		if name == "" {
			return errors.New("topics: a shared topic name is empty")
		}
		if err := legalTopic(name, maxTopicLen); err != nil {
			return fmt.Errorf("topics: %q: %w", name, err)
		}
		if seen[name] {
			return fmt.Errorf("topics: %q is named twice", name)
		}
		seen[name] = true
	}
	return nil
}

// legalTopic checks a topic name (or prefix) against Kafka's rules.
func legalTopic(name string, maxLen int) error {
	if len(name) > maxLen {
		return fmt.Errorf("longer than %d characters", maxLen)
	}
	if name == "." || name == ".." {
		return errors.New("not a legal topic name")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !isIDByte(c) && c != '_' {
			return fmt.Errorf("character %q not allowed in a topic name", c)
		}
	}
	return nil
}

// ValidPatientID reports whether id is a FHIR id ([A-Za-z0-9\-\.]{1,64}),
// which is also safe inside a topic name.
func ValidPatientID(id string) bool {
	if len(id) == 0 || len(id) > MaxPatientIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !isIDByte(id[i]) {
			return false
		}
	}
	return true
}

// isIDByte reports whether c may appear in a FHIR id.
func isIDByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'
}
