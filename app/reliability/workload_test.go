package reliability

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/app/kafka"
)

// workload generates what a hospital feed sends over time: new resources
// (demo.Bulk's realistic mix over several patient topics), new resources on
// fhir.reference, updates of resources already sent, tombstones, resources
// recreated after their tombstone, tombstones of keys never sent, and now and
// then a hostile record (marked with headerHostile, under a key of its own).
// The same seed gives the same records.
type workload struct {
	r      *rand.Rand
	topics kafka.Topics
	bulk   []*kgo.Record
	next   int // next bulk record to send
	keys   []topicKey
	state  map[topicKey]*keyState
	n      int // records generated, for unique ids
	counts workloadCounts
}

// workloadCounts says what a workload generated, by kind.
type workloadCounts struct {
	New, Reference, Updates, Tombstones, Recreated, Unknown, Hostile int
}

func (c workloadCounts) String() string {
	return fmt.Sprintf("%d new patient resources, %d new reference resources, %d updates, %d tombstones, %d recreated, %d tombstones of unknown keys, %d hostile",
		c.New, c.Reference, c.Updates, c.Tombstones, c.Recreated, c.Unknown, c.Hostile)
}

type topicKey struct{ topic, key string }

type keyState struct {
	value   []byte // the first version sent
	version int
	alive   bool
}

// newWorkload prepares a workload drawing new patient resources from
// demo.Bulk(seed, bulk, patients).
func newWorkload(seed uint64, bulk, patients int) *workload {
	w := &workload{r: rand.New(rand.NewPCG(seed, 8)), topics: kafka.DefaultTopics(), state: map[topicKey]*keyState{}}
	demo.Bulk(seed, bulk, patients, func(topic string, key, value []byte) bool {
		w.bulk = append(w.bulk, &kgo.Record{Topic: topic, Key: key, Value: value})
		return true
	})
	return w
}

// wave returns the next n records.
func (w *workload) wave(n int) []*kgo.Record {
	out := make([]*kgo.Record, 0, n)
	for len(out) < n {
		if r := w.one(); r != nil {
			out = append(out, r)
		}
	}
	return out
}

func (w *workload) one() *kgo.Record {
	w.n++
	p := w.r.Float64()
	switch {
	case p < 0.62 && w.next < len(w.bulk):
		r := w.bulk[w.next]
		w.next++
		w.sent(r)
		w.counts.New++
		return r
	case p < 0.70:
		var value string
		var key string
		if w.n%2 == 0 {
			key = fmt.Sprintf("Practitioner/rel-pr-%d", w.n)
			value = fmt.Sprintf(`{"resourceType":"Practitioner","id":"rel-pr-%d","active":true,"name":[{"family":"Refperson","given":["N%d"]}]}`, w.n, w.n)
		} else {
			key = fmt.Sprintf("Organization/rel-org-%d", w.n)
			value = fmt.Sprintf(`{"resourceType":"Organization","id":"rel-org-%d","active":true,"name":"Ward %d"}`, w.n, w.n)
		}
		r := &kgo.Record{Topic: w.topics.Reference, Key: []byte(key), Value: []byte(value)}
		w.sent(r)
		w.counts.Reference++
		return r
	case p < 0.84:
		k, st := w.pick(true)
		if st == nil {
			return nil
		}
		st.version++
		w.counts.Updates++
		return &kgo.Record{Topic: k.topic, Key: []byte(k.key), Value: updated(st.value, st.version)}
	case p < 0.93:
		k, st := w.pick(true)
		if st == nil {
			return nil
		}
		st.alive = false
		w.counts.Tombstones++
		return &kgo.Record{Topic: k.topic, Key: []byte(k.key)}
	case p < 0.96:
		k, st := w.pick(false)
		if st == nil {
			return nil
		}
		st.alive = true
		st.version++
		w.counts.Recreated++
		return &kgo.Record{Topic: k.topic, Key: []byte(k.key), Value: updated(st.value, st.version)}
	case p < 0.975:
		k, st := w.pick(true)
		if st == nil {
			return nil
		}
		w.counts.Unknown++
		return &kgo.Record{Topic: k.topic, Key: fmt.Appendf(nil, "Observation/never-sent-%d", w.n)}
	default:
		k, st := w.pick(true)
		if st == nil {
			return nil
		}
		w.counts.Hostile++
		return w.hostile(k.topic)
	}
}

// sent remembers a new key.
func (w *workload) sent(r *kgo.Record) {
	k := topicKey{r.Topic, string(r.Key)}
	if _, ok := w.state[k]; !ok {
		w.keys = append(w.keys, k)
	}
	w.state[k] = &keyState{value: r.Value, alive: true}
}

// pick returns a random key that is alive (or dead), or nil after a few
// misses.
func (w *workload) pick(alive bool) (topicKey, *keyState) {
	for range 8 {
		if len(w.keys) == 0 {
			break
		}
		k := w.keys[w.r.IntN(len(w.keys))]
		if st := w.state[k]; st.alive == alive {
			return k, st
		}
	}
	return topicKey{}, nil
}

// updated is a new version of a resource: the same JSON with a versioned
// implicitRules member (an element every R4 resource has).
func updated(value []byte, version int) []byte {
	out := append([]byte{}, value[:len(value)-1]...)
	return fmt.Appendf(out, `,"implicitRules":"urn:chartline:reliability:v%d"}`, version)
}

// hostile is a record to be quarantined, on a topic, under a key of its own.
func (w *workload) hostile(topic string) *kgo.Record {
	id := fmt.Sprintf("hostile-%d", w.n)
	var key, value string
	switch w.n % 5 {
	case 0:
		key, value = "Observation/"+id, "not json at all"
	case 1:
		key, value = "Observation/"+id, `{"resourceType":"Observation","id":"`+id+`","status":"final","code":{"text":"x"}`
	case 2:
		key, value = "Observation/"+id, `{"resourceType":"Observation","id":"someone-else","status":"final","code":{"text":"x"}}`
	case 3:
		key, value = id, `{"resourceType":"Observation","id":"`+id+`"}`
	default:
		key, value = "Condition/"+id, "\xff\xfe"
	}
	return &kgo.Record{Topic: topic, Key: []byte(key), Value: []byte(value),
		Headers: []kgo.RecordHeader{{Key: headerHostile, Value: []byte("1")}}}
}

// produce sends records with a producer and waits for every acknowledgement.
func produce(t *testing.T, cl *kgo.Client, recs []*kgo.Record) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
}
