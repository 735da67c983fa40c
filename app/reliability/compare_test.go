package reliability

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/feed"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/app/testenv"
	"github.com/chartline/chartline/store"
)

// headerHostile marks a record the test produced to be quarantined. The
// expected store is computed from the topics, not from the feed's rules: a
// record carrying this header must be quarantined, every other one must be
// materialised (or, as a tombstone, delete its key).
const headerHostile = "reliability-hostile"

// topicLog is every record of Chartline's topics, read back from the broker
// from the beginning to the log end offsets.
type topicLog struct {
	records map[store.TopicPartition][]*kgo.Record // in offset order
	ends    map[store.TopicPartition]int64
}

// readTopics reads every Chartline topic on the cluster to its end.
func readTopics(t *testing.T, conn kafka.Conn, topics kafka.Topics) topicLog {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl := testenv.Client(t, conn)
	adm := kadm.NewClient(cl)
	details, err := adm.ListTopics(ctx)
	if err != nil {
		t.Fatalf("list topics: %v", err)
	}
	patient := regexp.MustCompile(topics.PatientRegex())
	var names []string
	for _, name := range details.Names() {
		if patient.MatchString(name) || slices.Contains(topics.Shared(), name) {
			names = append(names, name)
		}
	}
	ends, err := adm.ListEndOffsets(ctx, names...)
	if err != nil {
		t.Fatalf("list end offsets: %v", err)
	}
	log := newTopicLog()
	consume := map[string]map[int32]kgo.Offset{}
	left := map[store.TopicPartition]int64{}
	ends.Each(func(o kadm.ListedOffset) {
		if o.Err != nil {
			t.Fatalf("end offset of a topic: %v", o.Err)
		}
		tp := store.TopicPartition{Topic: o.Topic, Partition: o.Partition}
		log.ends[tp] = o.Offset
		if o.Offset > 0 {
			if consume[o.Topic] == nil {
				consume[o.Topic] = map[int32]kgo.Offset{}
			}
			consume[o.Topic][o.Partition] = kgo.NewOffset().AtStart()
			left[tp] = o.Offset
		}
	})
	if len(left) == 0 {
		return log
	}
	opts, _ := conn.Options()
	rd, err := kgo.NewClient(append(opts, kgo.ConsumePartitions(consume), kgo.FetchMaxWait(100*time.Millisecond))...)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	for len(left) > 0 {
		fs := rd.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read topics back: partitions %v not read to their end", left)
		}
		fs.EachError(func(topic string, p int32, err error) { t.Fatalf("read topic back: %v", err) })
		for _, r := range fs.Records() {
			tp := store.TopicPartition{Topic: r.Topic, Partition: r.Partition}
			log.records[tp] = append(log.records[tp], r)
			if end, ok := left[tp]; ok && r.Offset+1 >= end {
				delete(left, tp)
			}
		}
	}
	return log
}

// newTopicLog is an empty log.
func newTopicLog() topicLog {
	return topicLog{records: map[store.TopicPartition][]*kgo.Record{}, ends: map[store.TopicPartition]int64{}}
}

// add appends produced records (their offsets set by the acknowledgement).
func (l topicLog) add(recs []*kgo.Record) {
	for _, r := range recs {
		tp := store.TopicPartition{Topic: r.Topic, Partition: r.Partition}
		l.records[tp] = append(l.records[tp], r)
		l.ends[tp] = max(l.ends[tp], r.Offset+1)
	}
	for _, rs := range l.records {
		slices.SortFunc(rs, func(a, b *kgo.Record) int { return int(a.Offset - b.Offset) })
	}
}

// hostile reports whether the test produced the record to be quarantined.
func hostile(r *kgo.Record) bool {
	for _, h := range r.Headers {
		if h.Key == headerHostile {
			return true
		}
	}
	return false
}

// recordAt names one Kafka record.
type recordAt struct {
	store.TopicPartition
	Offset int64
}

func (r recordAt) String() string { return fmt.Sprintf("%s/%d@%d", r.Topic, r.Partition, r.Offset) }

// expected is what the store must hold once it has consumed a topic log:
// the compacted content (for every key its last value, tombstoned keys
// absent), the quarantined records, and the log end offsets.
type expected struct {
	live map[store.Ref][]byte // resource -> its exact raw JSON
	dead map[store.Ref]bool   // keys whose last record is a tombstone
	quar map[recordAt]string  // hostile records -> their key
	ends map[store.TopicPartition]int64
	// records is the number of records read back.
	records int
}

// expect computes the compacted content of a topic log. Hostile records have
// keys of their own, so they never hide a valid version of a resource.
func expect(t *testing.T, log topicLog, topics kafka.Topics) expected {
	return expectUpTo(t, log, topics, nil)
}

// expectUpTo computes the compacted content of the records before the given
// offsets (all records when upTo is nil): what a store that stopped at those
// offsets must hold, whatever instant it stopped at.
func expectUpTo(t *testing.T, log topicLog, topics kafka.Topics, upTo map[store.TopicPartition]int64) expected {
	t.Helper()
	w := expected{live: map[store.Ref][]byte{}, dead: map[store.Ref]bool{}, quar: map[recordAt]string{}, ends: log.ends}
	if upTo != nil {
		w.ends = upTo
	}
	for tp, recs := range log.records {
		collection, ok := topics.Collection(tp.Topic)
		if !ok {
			t.Fatalf("topic %s has no collection", tp.Topic)
		}
		for _, r := range recs {
			if upTo != nil && r.Offset >= upTo[tp] {
				break
			}
			w.records++
			if hostile(r) {
				w.quar[recordAt{tp, r.Offset}] = string(r.Key)
				continue
			}
			ref := refOf(t, collection, r.Key)
			if r.Value == nil {
				delete(w.live, ref)
				w.dead[ref] = true
				continue
			}
			w.live[ref] = r.Value
			delete(w.dead, ref)
		}
	}
	return w
}

// refOf is the store reference a record key names in a collection.
func refOf(t *testing.T, collection string, key []byte) store.Ref {
	t.Helper()
	switch {
	case collection == store.AlertState:
		return store.Ref{Collection: collection, Type: feed.AlertStateType, ID: string(key)}
	case collection == store.Audit && !bytes.Contains(key, []byte("/")):
		return store.Ref{Collection: collection, Type: "AuditEvent", ID: string(key)}
	}
	typ, id, err := record.ParseKey(key)
	if err != nil {
		t.Fatalf("a valid record has a bad key %q: %v", key, err)
	}
	return store.Ref{Collection: collection, Type: typ, ID: id}
}

// verdict is what a comparison found.
type verdict struct {
	resources   int // resources compared byte for byte
	tombstoned  int // keys checked absent
	quarantined int
	partitions  int // stored offsets compared with the log end
}

// compare checks that the store holds exactly the expected content: every
// live resource with its exact bytes and nothing else (none lost, none stale,
// none duplicated), every hostile record quarantined once and nothing else,
// the directory counts, and stored offsets equal to the log end offsets.
func compare(t *testing.T, s *store.Store, w expected) verdict {
	t.Helper()
	var v verdict
	err := s.View(func(r *store.Reader) error {
		if err := compareResources(t, r, w, &v); err != nil {
			return err
		}
		if err := compareQuarantine(t, r, w, &v); err != nil {
			return err
		}
		return compareOffsets(t, r, w, &v)
	})
	if err != nil {
		t.Fatalf("read the store: %v", err)
	}
	return v
}

// compareResources checks every live resource is held with its exact bytes
// and nothing else (none lost, none stale, none duplicated), tombstoned keys
// are absent, and the directory counts match the index.
func compareResources(t *testing.T, r *store.Reader, w expected, v *verdict) error {
	t.Helper()
	cols, err := r.Collections()
	if err != nil {
		return err
	}
	seen := map[store.Ref]bool{}
	for _, e := range cols {
		items, err := r.Items(e.Collection)
		if err != nil {
			return fmt.Errorf("items of a collection: %w", err)
		}
		counts := map[string]int{}
		for _, it := range items {
			if seen[it.Ref] {
				t.Errorf("%s/%s held twice", it.Type, it.ID)
			}
			seen[it.Ref] = true
			counts[it.Type]++
			if _, ok := w.live[it.Ref]; !ok {
				if w.dead[it.Ref] {
					t.Errorf("%s/%s in %s: tombstoned on the topic, still held (stale)", it.Type, it.ID, e.Collection)
				} else {
					t.Errorf("%s/%s in %s: held, but on no topic", it.Type, it.ID, e.Collection)
				}
			}
		}
		if !maps.Equal(counts, e.Counts) {
			t.Errorf("directory counts of %s = %v, the index holds %v", e.Collection, e.Counts, counts)
		}
	}
	for ref, want := range w.live {
		res, ok, err := r.Resource(ref)
		switch {
		case err != nil:
			return fmt.Errorf("read %s/%s: %w", ref.Type, ref.ID, err)
		case !ok:
			t.Errorf("%s/%s in %s: on the topic, not in the store (lost)", ref.Type, ref.ID, ref.Collection)
		case !bytes.Equal(res.JSON, want):
			t.Errorf("%s/%s in %s: the store holds another version (stale):\n got %.200s\nwant %.200s", ref.Type, ref.ID, ref.Collection, res.JSON, want)
		default:
			v.resources++
		}
	}
	for ref := range w.dead {
		if _, ok, err := r.Resource(ref); err != nil || ok {
			t.Errorf("%s/%s in %s: tombstoned, but held (err %v)", ref.Type, ref.ID, ref.Collection, err)
		}
		v.tombstoned++
	}
	return nil
}

// compareQuarantine checks every hostile record is quarantined once, under
// its key, and nothing else is.
func compareQuarantine(t *testing.T, r *store.Reader, w expected, v *verdict) error {
	t.Helper()
	qs, err := r.Quarantine()
	if err != nil {
		return err
	}
	got := map[recordAt]int{}
	for _, q := range qs {
		at := recordAt{store.TopicPartition{Topic: q.Topic, Partition: q.Partition}, q.Offset}
		got[at]++
		if key, ok := w.quar[at]; !ok {
			t.Errorf("quarantined %s (%s: %s), which is a valid record", at, q.Reason, q.Detail)
		} else if key != string(q.Key) {
			t.Errorf("quarantined %s with key %q, the record's key is %q", at, q.Key, key)
		}
	}
	for at, n := range got {
		if n != 1 {
			t.Errorf("%s quarantined %d times", at, n)
		}
	}
	for at := range w.quar {
		if got[at] == 0 {
			t.Errorf("hostile record %s not quarantined", at)
		}
	}
	if n := r.QuarantineCount(); n != len(w.quar) {
		t.Errorf("quarantine count %d, want %d", n, len(w.quar))
	}
	v.quarantined = len(qs)
	return nil
}

// compareOffsets checks the stored offsets equal the log end offsets, for
// the partitions the cluster has and no other.
func compareOffsets(t *testing.T, r *store.Reader, w expected, v *verdict) error {
	t.Helper()
	offs, err := r.Offsets()
	if err != nil {
		return err
	}
	for tp, end := range w.ends {
		if end == 0 {
			if n, ok := offs[tp]; ok && n != 0 {
				t.Errorf("offset of empty %s/%d = %d", tp.Topic, tp.Partition, n)
			}
			continue
		}
		if offs[tp] != end {
			t.Errorf("stored offset of %s/%d = %d, log end offset %d", tp.Topic, tp.Partition, offs[tp], end)
		}
		v.partitions++
	}
	for tp := range offs {
		if _, ok := w.ends[tp]; !ok {
			t.Errorf("stored offset for %s/%d, a partition the cluster does not have", tp.Topic, tp.Partition)
		}
	}
	return nil
}

// progress is the number of records the store has consumed: the sum of its
// stored offsets.
func progress(t *testing.T, s *store.Store) int64 {
	t.Helper()
	offs, err := s.Offsets()
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, o := range offs {
		n += o
	}
	return n
}

// endTotal is the sum of the log end offsets of Chartline's topics.
func endTotal(t *testing.T, conn kafka.Conn, topics kafka.Topics) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	adm := kadm.NewClient(testenv.Client(t, conn))
	details, err := adm.ListTopics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	patient := regexp.MustCompile(topics.PatientRegex())
	var names []string
	for _, name := range details.Names() {
		if patient.MatchString(name) || slices.Contains(topics.Shared(), name) {
			names = append(names, name)
		}
	}
	ends, err := adm.ListEndOffsets(ctx, names...)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	ends.Each(func(o kadm.ListedOffset) { n += o.Offset })
	return n
}
