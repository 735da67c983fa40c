package store

import (
	"errors"
	"strings"
	"time"
)

// Errors callers decide on; check them with errors.Is.
var (
	// ErrWrongPassphrase means the passphrase does not unwrap the store's key.
	// Nothing in the file was changed.
	ErrWrongPassphrase = errors.New("wrong passphrase")
	// ErrTampered means a sealed value failed authentication: the file was
	// damaged or edited, or a value was moved. The error names where.
	ErrTampered = errors.New("store value failed authentication")
	// ErrNotFound means there is no store file at the path, or no such record.
	ErrNotFound = errors.New("not found")
	// ErrExists means Create found a store already at the path.
	ErrExists = errors.New("store already exists")
	// ErrLocked means another process (a second Chartline) holds the store open.
	ErrLocked = errors.New("store is in use by another Chartline process")
	// ErrNewerFormat means the file was written by a newer Chartline.
	ErrNewerFormat = errors.New("store was written by a newer Chartline")
	// ErrCorrupt means the file is not a readable Chartline store (truncated,
	// damaged, or not a store at all).
	ErrCorrupt = errors.New("store file is damaged or not a Chartline store")
	// ErrClosed means the store was closed.
	ErrClosed = errors.New("store is closed")
)

// Shared collection names. Every other collection name is a patient id
// ([A-Za-z0-9.-]{1,64}), so a leading '~' can never clash with one.
const (
	Reference  = "~reference"   // fhir.reference: Practitioner, Organization, Location, Medication, …
	Studies    = "~studies"     // trials.studies: ResearchStudy and their eligibility Groups
	Risk       = "~risk"        // cds.risk: upstream RiskAssessments
	Matches    = "~matches"     // trials.matches: upstream ResearchSubjects
	AlertState = "~alert-state" // spv.alert-state: shared alert state documents (not FHIR)
	Audit      = "~audit"       // spv.audit: AuditEvents from every workstation
)

// IsPatient reports whether a collection name is a patient id rather than a
// shared collection.
func IsPatient(collection string) bool {
	return collection != "" && !strings.HasPrefix(collection, "~")
}

// Ref names one resource: its collection and its Type/id.
type Ref struct {
	Collection string
	Type       string
	ID         string
}

// Key returns the Kafka key form "Type/id".
func (r Ref) Key() string { return r.Type + "/" + r.ID }

// Source is where a resource version came from.
type Source struct {
	Topic     string
	Partition int32
	Offset    int64
	Time      time.Time // record timestamp
}

// Demographics are the census fields of a Patient resource.
type Demographics struct {
	Name      string // display name, "Family, Given" or text
	Family    string
	Given     string
	BirthDate string // FHIR date as written: YYYY, YYYY-MM or YYYY-MM-DD
	Sex       string // administrative gender: male, female, other, unknown
	MRN       string // the medical record number (identifier type MR), or the first identifier
	Deceased  bool
	// DeceasedDate is Patient.deceasedDateTime as written ("2012-05-03",
	// "2012"), "" when not given: ages of the dead are ages at death.
	DeceasedDate string
}

// Component is one numeric component of an Observation (a blood-pressure panel,
// a pulse-oximetry reading with its inhaled-oxygen components).
type Component struct {
	Code     string // "system|code"
	Value    float64
	HasValue bool
	Unit     string // UCUM code if given, else the unit text
	// ValueCode is the first coding of a coded component value, "system|code".
	ValueCode string
}

// Meta is the index entry kept beside every resource: what the census,
// timeline, trends and clinical engine need without decoding the JSON.
// app/record derives it once, at ingest.
type Meta struct {
	Time        time.Time // clinical time used for sorting (effective, onset, performed, authored, issued, recorded…); zero when none
	End         time.Time // end of a period, when the resource has one
	Display     string    // one line a clinician reads, e.g. "Heart rate 88 /min"
	Category    string    // coarse kind used for filters and grouping (see app/record categories)
	Codes       []string  // every coding of the resource's main code, "system|code"; the first is primary
	Status      string    // status, or clinicalStatus for Conditions and AllergyIntolerances
	Value       float64   // numeric value (valueQuantity and friends), valid when HasValue
	HasValue    bool
	Comparator  string // "<", "<=", ">=", ">" of a quantity value, if any
	Unit        string // UCUM code of Value if given, else the unit text
	ValueCode   string // first coding of valueCodeableConcept, "system|code"
	ValueText   string // text of a coded or string value
	Low, High   float64
	HasLow      bool
	HasHigh     bool
	Interpret   string // interpretation code (H, L, HH, LL, A, N…)
	Components  []Component
	Version     string    // meta.versionId
	LastUpdated time.Time // meta.lastUpdated
	Problems    []string  // conformance problems; empty when the typed R4 model read the resource cleanly
	Patient     *Demographics
	Source      Source
}

// Resource is one resource to upsert: where it lives, its raw JSON (kept
// exactly as received, the record of truth) and its index entry.
type Resource struct {
	Ref
	JSON []byte
	Meta Meta
}

// Quarantined is a record that broke a record rule, kept whole so nothing is
// dropped silently.
type Quarantined struct {
	Topic     string
	Partition int32
	Offset    int64
	Key       []byte
	Value     []byte    // raw bytes as received (may be nil for a tombstone)
	Reason    string    // the rule broken, in words
	Detail    string    // precise detail, e.g. "key says Observation/7, resource id is 8"
	Time      time.Time // when it was quarantined
	RecordAt  time.Time // the record's own timestamp
}

// TopicPartition names a Kafka partition.
type TopicPartition struct {
	Topic     string
	Partition int32
}

// Doc is a document the clinical engine derives and keeps: an alert, a NEWS2
// result, a trial match, a local AuditEvent. Kind groups them ("alert",
// "news2", …); Key is unique within the kind; Patient is the patient it
// concerns ("" for none). Value is opaque to the store.
type Doc struct {
	Kind    string
	Key     string
	Patient string
	Value   []byte
}

// DocRef names a Doc to delete.
type DocRef struct {
	Kind    string
	Key     string
	Patient string
}

// Status is what the clinical engine says of a patient for the census row.
type Status struct {
	NEWS2 int    // total of the score that applies (NEWS2 or PEWS), valid when Band != "" and Band != "none"
	Band  string // "none", "low", "low-medium", "medium", "high"; for PEWS also "emergency"; "none" unless the score is current
	Red   bool   // a single parameter scored 3
	// Score names the score that applies: "news2", "pews", or "" when
	// neither does (deceased, pregnant). ScoreStatus is its status
	// (complete, partial, insufficient, stale, not-applicable); ObservedAt
	// the time of the oldest value it used, Newest of the newest, and
	// StaleAt the moment its newest value leaves the observation window:
	// from then on the census shows it stale without waiting for the engine.
	Score       string    `json:",omitempty"`
	ScoreStatus string    `json:",omitempty"`
	Scored      int       `json:",omitempty"` // parameters the score used ("partial — 5 of 7")
	ObservedAt  time.Time `json:",omitzero"`
	Newest      time.Time `json:",omitzero"`
	StaleAt     time.Time `json:",omitzero"`
	// Trend is how the score moved at its newest set against the set
	// before it in the engine's score series: TrendRose, TrendFell or
	// TrendSame (also when there is no set before); "" in a status written
	// before the engine kept trends.
	Trend      string `json:",omitempty"`
	OpenAlerts int
	Matches    int // studies the patient is eligible for or matched to upstream
	Updated    time.Time
}

// The values of Status.Trend.
const (
	TrendRose = "rose"
	TrendFell = "fell"
	TrendSame = "same"
)

// OutboxItem is a record waiting to be published (an alert action, an
// AuditEvent). ID is unique; it travels in the record header "chartline-id"
// so a restarted publisher can see what already reached the broker.
type OutboxItem struct {
	Seq     uint64 // assigned by the store
	ID      string
	Topic   string
	Key     []byte
	Value   []byte
	Created time.Time
}

// Batch is one atomic write. A resource may appear several times in Puts (the
// last wins) but never in both Puts and Deletes: whoever builds the batch keeps
// only the last operation per key, as compaction would. Everything in it is committed together or not at
// all. The feed fills Puts, Deletes, Quarantine and Offsets from one fetch; the
// clinical engine fills Docs, Statuses, Enqueue, Dequeue and Clean.
type Batch struct {
	Puts       []Resource
	Deletes    []Ref
	Quarantine []Quarantined
	Offsets    map[TopicPartition]int64 // next offset to consume
	// ResetOffsets removes stored offsets (a topic recreated): the partition
	// restarts from the beginning.
	ResetOffsets []TopicPartition

	Docs       []Doc
	DeleteDocs []DocRef
	Statuses   map[string]Status // by patient id
	Enqueue    []OutboxItem      // Seq is assigned on commit
	Dequeue    []uint64          // outbox sequences published
	// Clean clears the dirty marks of patients the engine has evaluated up to
	// the given commit sequence (see Store.Dirty).
	Clean map[string]uint64
}

// Empty reports whether the batch would write nothing.
func (b *Batch) Empty() bool {
	return len(b.Puts) == 0 && len(b.Deletes) == 0 && len(b.Quarantine) == 0 &&
		len(b.Offsets) == 0 && len(b.ResetOffsets) == 0 && len(b.Docs) == 0 &&
		len(b.DeleteDocs) == 0 && len(b.Statuses) == 0 && len(b.Enqueue) == 0 &&
		len(b.Dequeue) == 0 && len(b.Clean) == 0
}

// Types is a set of resource types.
type Types map[string]struct{}

// MaxChangeKeys is how many changed resources of one collection a Change
// names (Change.Keys); past it the collection is to be re-read whole, so a
// catch-up batch of 100,000 records costs no list of them.
const MaxChangeKeys = 256

// Change is what one or more commits changed, announced to subscribers.
type Change struct {
	Seq         uint64           // commit sequence of the newest commit merged in
	Collections map[string]Types // collection -> resource types put or deleted
	// Keys names, per collection, the resources put or deleted (in commit
	// order, a key possibly more than once), so a reader can re-read only
	// those. A collection in Collections but not in Keys had more than
	// MaxChangeKeys of them in the merged commits: re-read it whole.
	Keys        map[string][]Ref
	NewPatients []string        // patients that had no directory entry before
	Docs        map[string]bool // doc kinds changed
	DocPatients map[string]bool // patients whose docs changed
	Statuses    map[string]bool // patients whose Status changed
	Quarantined int             // records quarantined
	Offsets     bool            // offsets advanced
	Outbox      bool            // outbox items added or removed
	Records     int             // Kafka records applied (puts + deletes + quarantined)
	Committed   time.Time       // when the newest merged commit finished
}

// Entry is a collection's directory entry: what the census shows without
// decoding any resource.
type Entry struct {
	Collection string
	// Topic is the Kafka topic the collection's resources come from; the
	// resources' Meta.Source.Topic is read from here.
	Topic    string
	Patient  *Demographics  // nil until the Patient resource arrives
	Counts   map[string]int // resources held, by type
	Status   Status
	Updated  time.Time // last commit that touched the collection
	LastTime time.Time // newest clinical time among its resources
}

// Total is the number of resources held in the collection.
func (e Entry) Total() int {
	n := 0
	for _, c := range e.Counts {
		n += c
	}
	return n
}

// Item is a resource's index entry read back: its key and Meta, without JSON.
type Item struct {
	Ref
	Meta Meta
}
