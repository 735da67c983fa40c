package publish

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/record"
)

// testBroker starts an embedded broker on a free loopback port. It is closed
// after the test's clients (cleanups run last-in first-out).
func testBroker(t testing.TB) *kafka.Broker {
	t.Helper()
	b, err := kafka.StartBroker(context.Background(), kafka.BrokerOptions{Addr: "127.0.0.1:0", CompactEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

// testClient connects to the broker with the producer options.
func testClient(t testing.TB, b *kafka.Broker, extra ...kgo.Opt) *kgo.Client {
	t.Helper()
	opts, err := b.Conn().Options()
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(append(append(opts, ProducerOptions()...), extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// ctxTimeout bounds one step of a test.
func ctxTimeout(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// splitFixtures splits fixture files into one record list.
func splitFixtures(t testing.TB, names ...string) []Record {
	t.Helper()
	var all []Record
	for _, n := range names {
		recs, err := Split(readFixture(t, n), kafka.DefaultTopics(), "test")
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		all = append(all, recs...)
	}
	return all
}

func TestPublishCreatesTopicsWithPolicy(t *testing.T) {
	b := testBroker(t)
	cl := testClient(t, b)
	top := kafka.DefaultTopics()
	// Drop the broker's pre-created shared topics' advantage: ask for a
	// topic the broker would not create on its own, under another prefix.
	top.PatientPrefix = "ehr.pt."
	top.Reference = "ehr.reference"
	var recs []Record
	for _, n := range []string{"transaction.json", "collection.json", "delete.json"} {
		r, err := Split(readFixture(t, n), top, "test")
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r...)
	}
	counts, err := NewPublisher(cl, top).Publish(ctxTimeout(t), recs)
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if counts.Records != len(recs) || counts.Tombstones != 8 || counts.ByType["Patient"] != 3 || counts.ByType["Group"] != 3 {
		t.Errorf("counts %+v for %d records", counts, len(recs))
	}
	if counts.ByTopicKind[kafka.KindPatient] != 12 || counts.ByTopicKind[kafka.KindReference] != 8 || counts.ByTopicKind[kafka.KindStudies] != 4 {
		t.Errorf("by topic kind %v", counts.ByTopicKind)
	}

	adm := kadm.NewClient(cl)
	tests := []struct {
		topic      string
		partitions int
		policy     string
	}{
		{"ehr.pt." + txPatient, 1, "compact"},
		{"ehr.pt.p2", 1, "compact"},
		{"ehr.pt.p9", 1, "compact"},
		{"ehr.reference", 1, "compact"},
		{top.Studies, 1, "compact"},
		{top.Risk, 1, "compact"},
		{top.Matches, 1, "compact"},
	}
	for _, tt := range tests {
		td, err := adm.ListTopics(ctxTimeout(t), tt.topic)
		if err != nil || td[tt.topic].Err != nil {
			t.Errorf("a %s topic was not created: %v %v", top.Kind(tt.topic), err, td[tt.topic].Err)
			continue
		}
		if n := len(td[tt.topic].Partitions); n != tt.partitions {
			t.Errorf("a %s topic has %d partitions, want %d", top.Kind(tt.topic), n, tt.partitions)
		}
		rcs, err := adm.DescribeTopicConfigs(ctxTimeout(t), tt.topic)
		if err != nil {
			t.Fatal(err)
		}
		rc, err := rcs.On(tt.topic, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, c := range rc.Configs {
			got[c.Key] = c.MaybeValue()
		}
		if got["cleanup.policy"] != tt.policy || got["max.message.bytes"] != "8388608" {
			t.Errorf("a %s topic: cleanup.policy=%q max.message.bytes=%q", top.Kind(tt.topic), got["cleanup.policy"], got["max.message.bytes"])
		}
	}
}

func TestPublishLeavesExistingTopicsAlone(t *testing.T) {
	b := testBroker(t)
	cl := testClient(t, b)
	topic := kafka.DefaultTopics().Patient("p3")
	del := "delete"
	if _, err := kadm.NewClient(cl).CreateTopic(ctxTimeout(t), 2, -1, map[string]*string{"cleanup.policy": &del}, topic); err != nil {
		t.Fatal(err)
	}
	recs := splitFixtures(t, "observation.json")
	p := NewPublisher(cl, kafka.DefaultTopics())
	for range 2 { // the second time the topic is known
		if c, err := p.Publish(ctxTimeout(t), recs); err != nil || c.Records != 1 || c.Topics != 1 {
			t.Fatalf("Publish = %+v, %v", c, err)
		}
	}
	rcs, err := kadm.NewClient(cl).DescribeTopicConfigs(ctxTimeout(t), topic)
	if err != nil {
		t.Fatal(err)
	}
	rc, _ := rcs.On(topic, nil)
	for _, c := range rc.Configs {
		if c.Key == "cleanup.policy" && c.MaybeValue() != "delete" {
			t.Fatalf("Publish altered an existing topic's cleanup.policy to %q", c.MaybeValue())
		}
	}
}

func TestPublishLargestResource(t *testing.T) {
	b := testBroker(t)
	cl := testClient(t, b)
	wrapper := `{"resourceType":"DocumentReference","id":"big","subject":{"reference":"Patient/p7"},"content":[{"attachment":{"data":""}}]}`
	value := strings.Replace(wrapper, `"data":""`, `"data":"`+strings.Repeat("A", record.MaxValueBytes-len(wrapper))+`"`, 1)
	if len(value) != record.MaxValueBytes {
		t.Fatalf("test resource is %d bytes, want exactly %d", len(value), record.MaxValueBytes)
	}
	recs, err := Split([]byte(value), kafka.DefaultTopics(), "")
	if err != nil {
		t.Fatal(err)
	}
	// A small record in the same batch as the large one.
	small, _ := Split([]byte(`{"resourceType":"Patient","id":"p7"}`), kafka.DefaultTopics(), "")
	if _, err := NewPublisher(cl, kafka.DefaultTopics()).Publish(ctxTimeout(t), append(small, recs...)); err != nil {
		t.Fatalf("publish a %d-byte resource: %v", len(value), err)
	}
	cons := testClient(t, b, kgo.ConsumeTopics(recs[0].Topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	var got [][]byte
	for ctx := ctxTimeout(t); len(got) < 2 && ctx.Err() == nil; {
		cons.PollFetches(ctx).EachRecord(func(r *kgo.Record) { got = append(got, r.Value) })
	}
	if len(got) != 2 || string(got[1]) != value {
		t.Fatalf("read back %d records (the large one %d bytes), want 2 and %d bytes", len(got), len(got[len(got)-1]), len(value))
	}
}

func TestPublishCancelled(t *testing.T) {
	b := testBroker(t)
	cl := testClient(t, b)
	p := NewPublisher(cl, kafka.DefaultTopics())
	recs := splitFixtures(t, "bulk.ndjson")
	if _, err := p.Publish(ctxTimeout(t), recs[:1]); err != nil { // topics known
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c, err := p.Publish(ctx, recs)
	if !errors.Is(err, context.Canceled) || c.Records != 0 {
		t.Fatalf("Publish with a cancelled context = %+v, %v", c, err)
	}
}

func TestCountsString(t *testing.T) {
	c := Counts{
		Records:     7,
		Topics:      3,
		Tombstones:  2,
		ByTopicKind: map[string]int{kafka.KindReference: 1, kafka.KindPatient: 5, KindOther: 1},
		ByType:      map[string]int{"Patient": 1, "Observation": 3, "Practitioner": 1},
	}
	want := "published 7 records to 3 topics (5 resources, 2 tombstones)\n" +
		"by topic kind:\n" +
		"  patient             5\n" +
		"  reference           1\n" +
		"  other               1\n" +
		"by resource type:\n" +
		"  Observation         3\n" +
		"  Patient             1\n" +
		"  Practitioner        1\n"
	if got := c.String(); got != want {
		t.Fatalf("String() =\n%s\nwant\n%s", got, want)
	}
	if got := (Counts{}).String(); got != "published 0 records to 0 topics (0 resources, 0 tombstones)\n" {
		t.Fatalf("empty Counts: %q", got)
	}
}

// kcatRecord is one record as kcat printed it.
type kcatRecord struct {
	key   string
	value []byte // nil for a tombstone
}

// kcatConsume reads a topic from the beginning to its end with kcat, in a
// format that keeps values byte-exact: key length, key, value length, value.
func kcatConsume(t *testing.T, kcat, addr, topic string) []kcatRecord {
	t.Helper()
	cmd := exec.CommandContext(ctxTimeout(t), kcat, "-C", "-b", addr, "-t", topic, "-e", "-o", "beginning", "-q", "-f", "%K|%k|%S|%s\n")
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := errors.AsType[*exec.ExitError](err); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("kcat -C: %v\n%s", err, stderr)
	}
	r := bufio.NewReader(bytes.NewReader(out))
	readLen := func() int {
		s, err := r.ReadString('|')
		if err != nil {
			t.Fatalf("kcat output: %v", err)
		}
		n, err := strconv.Atoi(strings.TrimSuffix(s, "|"))
		if err != nil {
			t.Fatalf("kcat output: length %q", s)
		}
		return n
	}
	var recs []kcatRecord
	for {
		if _, err := r.Peek(1); err == io.EOF {
			return recs
		}
		key := make([]byte, max(readLen(), 0))
		io.ReadFull(r, key)
		r.ReadByte() // '|'
		var value []byte
		if n := readLen(); n >= 0 {
			value = make([]byte, n)
			io.ReadFull(r, value)
		}
		if b, _ := r.ReadByte(); b != '\n' {
			t.Fatalf("kcat output: record not followed by a newline")
		}
		recs = append(recs, kcatRecord{string(key), value})
	}
}

func TestKcatReadsPublished(t *testing.T) {
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		t.Skip("kcat is not installed: skipping the kcat interoperability test")
	}
	b := testBroker(t)
	cl := testClient(t, b)
	recs := splitFixtures(t, "transaction.json", "delete.json")
	if _, err := NewPublisher(cl, kafka.DefaultTopics()).Publish(ctxTimeout(t), recs); err != nil {
		t.Fatal(err)
	}
	byTopic := map[string][]Record{}
	for _, r := range recs {
		byTopic[r.Topic] = append(byTopic[r.Topic], r)
	}
	for topic, want := range byTopic {
		got := kcatConsume(t, kcat, b.Addr(), topic)
		if len(got) != len(want) {
			t.Errorf("kcat read %d records from a %s topic, want %d", len(got), kafka.DefaultTopics().Kind(topic), len(want))
			continue
		}
		for i := range want {
			if got[i].key != string(want[i].Key) || !bytes.Equal(got[i].value, want[i].Value) || (got[i].value == nil) != (want[i].Value == nil) {
				t.Errorf("kcat record %d: %s = %.60q…, want %s = %.60q…", i, got[i].key, got[i].value, want[i].Key, want[i].Value)
			}
		}
	}
}

// synthInput builds Synthea-style transaction bundles, one per patient, with
// urn:uuid references: a Patient, an Encounter and obs Observations each.
func synthInput(patients, obs int) []byte {
	var b bytes.Buffer
	for p := range patients {
		pu := fmt.Sprintf("00000000-0000-4000-8000-%012d", p)
		eu := fmt.Sprintf("00000000-0000-4000-9000-%012d", p)
		fmt.Fprintf(&b, `{"resourceType":"Bundle","type":"transaction","entry":[`)
		fmt.Fprintf(&b, `{"fullUrl":"urn:uuid:%s","resource":{"resourceType":"Patient","id":"%s","name":[{"family":"Synth%d","given":["Pat"]}],"gender":"female","birthDate":"1960-01-01"},"request":{"method":"POST","url":"Patient"}},`, pu, pu, p)
		fmt.Fprintf(&b, `{"fullUrl":"urn:uuid:%s","resource":{"resourceType":"Encounter","id":"%s","status":"finished","subject":{"reference":"urn:uuid:%s"},"serviceProvider":{"reference":"Organization?identifier=https://example.org|org-1"}},"request":{"method":"POST","url":"Encounter"}}`, eu, eu, pu)
		for o := range obs {
			fmt.Fprintf(&b, `,{"fullUrl":"urn:uuid:00000000-0000-4000-a%03d-%012d","resource":{"resourceType":"Observation","id":"o-%d-%d","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs","display":"Vital signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}],"text":"Heart rate"},"subject":{"reference":"urn:uuid:%s"},"encounter":{"reference":"urn:uuid:%s"},"effectiveDateTime":"2024-03-01T09:%02d:00Z","issued":"2024-03-01T09:%02d:00.000Z","valueQuantity":{"value":%d,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"},"interpretation":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation","code":"N"}]}],"note":[{"text":"synthetic observation used to measure publishing throughput; not a real measurement"}]},"request":{"method":"POST","url":"Observation"}}`,
				o%1000, p, p, o, pu, eu, o%60, o%60, 60+o%40)
		}
		b.WriteString("]}\n")
	}
	return b.Bytes()
}

func TestSynthInputSplits(t *testing.T) {
	recs, err := Split(synthInput(3, 4), kafka.DefaultTopics(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 18 || recs[2].Topic != kafka.DefaultTopics().Patient("00000000-0000-4000-8000-000000000000") {
		t.Fatalf("%d records, first observation to %s", len(recs), recs[2].Topic)
	}
	if bytes.Contains(recs[2].Value, []byte("urn:uuid")) {
		t.Fatalf("urn:uuid left in %s", recs[2].Value)
	}
}

// BenchmarkSplit measures Split on Synthea-style bundles (1,000 patients,
// 100 Observations each: 102,000 resources per op).
func BenchmarkSplit(b *testing.B) {
	in := synthInput(1000, 100)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	var n int
	for b.Loop() {
		recs, err := Split(in, kafka.DefaultTopics(), "bench")
		if err != nil {
			b.Fatal(err)
		}
		n = len(recs)
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkPublish measures Publish into the embedded broker: b.N records of
// Synthea-style resources (~900 bytes) spread over patient topics of 100
// records each, topics created by the Publisher. Run it as
// -bench Publish -benchtime 100000x for the 100k figure.
func BenchmarkPublish(b *testing.B) {
	patients := max(1, b.N/100)
	recs, err := Split(synthInput(patients, 98), kafka.DefaultTopics(), "bench")
	if err != nil {
		b.Fatal(err)
	}
	recs = recs[:min(len(recs), b.N)]
	var size int64
	for _, r := range recs {
		size += int64(len(r.Value) + len(r.Key))
	}
	br := testBroker(b)
	cl := testClient(b, br)
	p := NewPublisher(cl, kafka.DefaultTopics())
	b.ResetTimer()
	c, err := p.Publish(context.Background(), recs)
	if err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if c.Records != len(recs) {
		b.Fatalf("published %d of %d", c.Records, len(recs))
	}
	secs := b.Elapsed().Seconds()
	b.ReportMetric(float64(len(recs))/secs, "records/s")
	b.ReportMetric(float64(size)/secs/1e6, "MB/s")
	b.ReportMetric(float64(c.Topics), "topics")
}
