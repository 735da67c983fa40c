package reliability

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/app/testenv"
	"github.com/chartline/chartline/store"
)

// hostilePatient is the patient topic hostile records arrive on.
const hostilePatient = "p-host"

// observation is a valid Observation of hostilePatient with extra members.
func observation(id, extra string) []byte {
	return []byte(`{"resourceType":"Observation","id":"` + id + `","status":"final","code":{"text":"Heart rate"},"subject":{"reference":"Patient/` + hostilePatient + `"}` + extra + `}`)
}

// sized is a valid Observation of exactly n bytes (a long note).
func sized(id string, n int) []byte {
	head := observation(id, `,"note":[{"text":"`)
	head = head[:len(head)-1]
	tailPart := []byte(`"}]}`)
	pad := n - len(head) - len(tailPart)
	return append(append(head, bytes.Repeat([]byte("x"), pad)...), tailPart...)
}

func nested(levels int) string {
	return strings.Repeat(`{"a":`, levels) + "1" + strings.Repeat("}", levels)
}

func zeros(n int) string {
	return "[" + strings.TrimSuffix(strings.Repeat("0,", n), ",") + "]"
}

// hostileCase is one kind of hostile (or boundary) record.
type hostileCase struct {
	name   string
	topic  string // default: the hostile patient's topic
	key    string
	value  []byte // nil: a tombstone
	reason string // the quarantine reason; "" when the record must be accepted
	detail string // what the detail must say
}

// hostileCases are the kinds of hostile input, each with the boundary it
// must not cross accepted beside it where there is one.
func hostileCases() []hostileCase {
	arr := observation("c-arr10001", `,"x":`+zeros(record.MaxArrayLen+1))
	inf := observation("c-inf", `,"valueQuantity":{"value":1e999}`)
	utf8 := []byte(`{"resourceType":"Observation","id":"c-utf8","status":"final","code":{"text":"caf` + "\xe9" + `"}}`)
	return []hostileCase{
		{name: "not JSON", key: "Observation/c-notjson", value: []byte("this is not json"),
			reason: string(record.ReasonNotJSON), detail: "not valid JSON"},
		{name: "truncated JSON", key: "Observation/c-trunc", value: []byte(`{"resourceType":"Observation","id":"c-trunc","status":"final"`),
			reason: string(record.ReasonNotJSON), detail: "truncated: the value ends at byte 61"},
		{name: "invalid UTF-8", key: "Observation/c-utf8", value: utf8,
			reason: string(record.ReasonNotUTF8), detail: fmt.Sprintf("invalid UTF-8 at byte %d", bytes.IndexByte(utf8, 0xe9))},
		{name: "JSON null", key: "Observation/c-null", value: []byte("null"),
			reason: string(record.ReasonNotObject), detail: "the value is null"},
		{name: "JSON string", key: "Observation/c-string", value: []byte(`"Patient/p-host"`),
			reason: string(record.ReasonNotObject), detail: "the value is a string"},
		{name: "JSON array", key: "Observation/c-array", value: []byte(`[{"resourceType":"Observation","id":"c-array"}]`),
			reason: string(record.ReasonNotObject), detail: "the value is an array"},
		{name: "no resourceType", key: "Observation/c-nort", value: []byte(`{"id":"c-nort","status":"final"}`),
			reason: string(record.ReasonNoResourceType), detail: "no resourceType member"},
		{name: "resourceType not a string", key: "Observation/c-rtnum", value: []byte(`{"resourceType":7,"id":"c-rtnum"}`),
			reason: string(record.ReasonNoResourceType), detail: "not a string"},
		{name: "unknown resourceType", key: "Wibble/c-wib", value: []byte(`{"resourceType":"Wibble","id":"c-wib"}`),
			reason: string(record.ReasonUnknownType), detail: `"Wibble" is not an R4 resource type`},
		{name: "STU3 resourceType", key: "ProcedureRequest/c-stu3", value: []byte(`{"resourceType":"ProcedureRequest","id":"c-stu3"}`),
			reason: string(record.ReasonUnknownType), detail: "STU3 type, not R4"},
		{name: "key/type mismatch", key: "Condition/c-kt", value: observation("c-kt", ""),
			reason: string(record.ReasonKeyTypeMismatch), detail: "key says Condition/c-kt, resourceType is Observation"},
		{name: "key/id mismatch", key: "Observation/c-ki", value: observation("c-ki-other", ""),
			reason: string(record.ReasonKeyIDMismatch), detail: `key says Observation/c-ki, resource id is "c-ki-other"`},
		{name: "resource of another patient", key: "Observation/c-other", value: []byte(`{"resourceType":"Observation","id":"c-other","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/someone-else"}}`),
			reason: string(record.ReasonOtherPatient), detail: "subject refers to Patient/someone-else, the topic is patient " + hostilePatient},
		{name: "Patient of another id", key: "Patient/impostor", value: []byte(`{"resourceType":"Patient","id":"impostor","name":[{"family":"Impostor"}]}`),
			reason: string(record.ReasonOtherPatient), detail: "Patient/impostor on the topic of patient " + hostilePatient},
		{name: "bad key", key: "no-slash", value: observation("c-badkey", ""),
			reason: string(record.ReasonBadKey), detail: `key "no-slash" is not <ResourceType>/<id>`},
		{name: "tombstone with a bad key", key: "Observation/", value: nil,
			reason: string(record.ReasonBadKey), detail: "tombstone: key \"Observation/\" has no id"},
		{name: "nesting at the limit", key: "Observation/c-deep64", value: observation("c-deep64", `,"extension":[{"url":"urn:x","valueString":"y"}],"x":`+nested(record.MaxDepth-1))},
		{name: "nesting one past the limit", key: "Observation/c-deep65", value: observation("c-deep65", `,"x":`+nested(record.MaxDepth)),
			reason: string(record.ReasonTooDeep), detail: fmt.Sprintf("nesting deeper than %d levels", record.MaxDepth)},
		{name: "array at the limit", key: "Observation/c-arr10000", value: observation("c-arr10000", `,"x":`+zeros(record.MaxArrayLen))},
		{name: "array one past the limit", key: "Observation/c-arr10001", value: arr,
			reason: string(record.ReasonArrayTooLarge), detail: fmt.Sprintf("array x at byte %d has more than %d elements", bytes.Index(arr, []byte("[0,")), record.MaxArrayLen)},
		{name: "largest float64", key: "Observation/c-maxnum", value: observation("c-maxnum", `,"valueQuantity":{"value":1.7976931348623157e308}`)},
		{name: "number out of range", key: "Observation/c-inf", value: inf,
			reason: string(record.ReasonNumberRange), detail: fmt.Sprintf("number 1e999 at byte %d in valueQuantity.value is out of float64 range", bytes.Index(inf, []byte("1e999")))},
		{name: "negative number out of range", key: "Observation/c-ninf", value: observation("c-ninf", `,"valueQuantity":{"value":-2e308}`),
			reason: string(record.ReasonNumberRange), detail: "out of float64 range"},
		{name: "exactly 4 MiB", key: "Observation/c-4mib", value: sized("c-4mib", record.MaxValueBytes)},
		{name: "one byte over 4 MiB", key: "Observation/c-4mib1", value: sized("c-4mib1", record.MaxValueBytes+1),
			reason: string(record.ReasonTooLarge), detail: fmt.Sprintf("value is %d bytes, the limit is %d (4 MiB)", record.MaxValueBytes+1, record.MaxValueBytes)},
		{name: "alert state not JSON", topic: kafka.DefaultTopics().AlertState, key: "al-hostile", value: []byte("{not json"),
			reason: "bad alert state", detail: ""},
		{name: "alert state of another alert", topic: kafka.DefaultTopics().AlertState, key: "al-one",
			value:  []byte(`{"v":1,"alert":"al-two","patient":"p-host","kind":"news2","actions":[]}`),
			reason: string(record.ReasonKeyIDMismatch), detail: "key names alert al-one, value describes al-two"},
	}
}

// TestHostileInputQuarantined produces every kind of hostile record through
// the broker, each followed by a valid record, and runs `chartline ingest`
// over them: each hostile record is quarantined whole with its precise
// reason and a useful detail, each boundary case beside it is accepted, and
// the valid record after each one is materialised (ingest went on).
func TestHostileInputQuarantined(t *testing.T) {
	t.Parallel()
	e := testenv.New(t, kafka.BrokerOptions{MaxMessageBytes: 16 << 20, CompactEvery: -1})
	prod := testenv.Client(t, e.Broker.Conn(), kgo.AllowAutoTopicCreation(), kgo.ProducerBatchMaxBytes(16<<20), kgo.MaxBufferedBytes(64<<20))
	topic := e.Topics.Patient(hostilePatient)
	cases := hostileCases()
	var recs []*kgo.Record
	produce(t, prod, []*kgo.Record{{Topic: topic, Key: []byte("Patient/" + hostilePatient),
		Value: []byte(`{"resourceType":"Patient","id":"` + hostilePatient + `","name":[{"family":"Hostile"}]}`)}})
	for i, c := range cases {
		if c.topic == "" {
			cases[i].topic = topic
		}
		recs = append(recs,
			&kgo.Record{Topic: cases[i].topic, Key: []byte(c.key), Value: c.value},
			&kgo.Record{Topic: topic, Key: fmt.Appendf(nil, "Observation/next-%d", i), Value: observation(fmt.Sprintf("next-%d", i), "")})
	}
	for _, r := range recs { // one at a time: the order on the topic is the table's
		produce(t, prod, []*kgo.Record{r})
	}

	dir := t.TempDir()
	db := filepath.Join(dir, "chartline.db")
	createStore(t, db)
	code, errs := runCLI(t, "ingest", "-brokers", e.Broker.Addr(), "-settings", filepath.Join(dir, "s.json"), "-db", db, "-until-caught-up", "-v")
	if code != 0 {
		t.Fatalf("ingest exit %d:\n%s", code, errs)
	}
	refused := 0
	for _, c := range cases {
		if c.reason != "" {
			refused++
		}
	}
	if want := fmt.Sprintf("(%d resources, %d quarantined)", len(recs)+1-refused, refused); !strings.Contains(errs, want) {
		t.Errorf("ingest summary does not say %s:\n%s", want, tail(errs, 2))
	}

	s := openStore(t, db, false)
	defer s.Close()
	qs, err := s.Quarantine()
	if err != nil {
		t.Fatal(err)
	}
	byOffset := map[recordAt]store.Quarantined{}
	for _, q := range qs {
		byOffset[recordAt{store.TopicPartition{Topic: q.Topic, Partition: q.Partition}, q.Offset}] = q
	}
	if len(qs) != refused || s.QuarantineCount() != refused {
		t.Errorf("%d records quarantined (count %d), want %d", len(qs), s.QuarantineCount(), refused)
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := recs[2*i]
			q, quarantined := byOffset[recordAt{store.TopicPartition{Topic: r.Topic, Partition: r.Partition}, r.Offset}]
			switch {
			case c.reason == "" && quarantined:
				t.Fatalf("a boundary case was quarantined: %s: %s", q.Reason, q.Detail)
			case c.reason == "":
				collection, _ := e.Topics.Collection(r.Topic)
				res, ok, err := s.Resource(refOf(t, collection, r.Key))
				if err != nil || !ok || !bytes.Equal(res.JSON, c.value) {
					t.Fatalf("a boundary case was not materialised exactly (ok %v, err %v)", ok, err)
				}
			case !quarantined:
				t.Fatalf("not quarantined")
			default:
				if q.Reason != c.reason {
					t.Errorf("reason %q, want %q (detail %q)", q.Reason, c.reason, q.Detail)
				}
				if q.Detail == "" || !strings.Contains(q.Detail, c.detail) {
					t.Errorf("detail %q, want it to say %q", q.Detail, c.detail)
				}
				if !bytes.Equal(q.Key, r.Key) || !bytes.Equal(q.Value, r.Value) || q.Topic != r.Topic || q.Time.IsZero() || q.RecordAt.IsZero() {
					t.Errorf("quarantined record not kept whole: key %q, %d of %d value bytes, topic %s", q.Key, len(q.Value), len(r.Value), q.Topic)
				}
				if r.Value == nil && q.Value != nil {
					t.Errorf("a tombstone's quarantined value is %q, want nil", q.Value)
				}
			}
			next := store.Ref{Collection: hostilePatient, Type: "Observation", ID: fmt.Sprintf("next-%d", i)}
			if _, ok, err := s.Resource(next); !ok || err != nil {
				t.Fatalf("the valid record after it was not materialised (err %v)", err)
			}
		})
	}
	// Logs carry reasons at most, never the records' content.
	for _, leak := range []string{"someone-else", "impostor", "Impostor", "c-ki-other", "al-two", "Wibble"} {
		if strings.Contains(errs, leak) {
			t.Errorf("the ingest log quotes a hostile record (%q):\n%s", leak, errs)
		}
	}
}
