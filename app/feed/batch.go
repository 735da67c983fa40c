package feed

import (
	"bytes"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/census"
	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/app/schemareg"
	"github.com/chartline/chartline/store"
)

// AlertStateType is the resource type under which spv.alert-state records
// are kept in store.AlertState: they are Chartline's own JSON, not FHIR.
const AlertStateType = "AlertState"

// op is what one Kafka record turns into: a put, a delete, or a quarantine.
type op struct {
	doc   *store.Doc // a census entry
	put   *store.Resource
	del   *store.Ref
	quar  *store.Quarantined
	topic string
	part  int32
	off   int64
}

// parallelDecodeMin is the batch size from which decoding is spread over
// all cores: below it the goroutines cost more than they save.
const parallelDecodeMin = 32

// builder turns fetched records into one store batch.
type builder struct {
	topics kafka.Topics
	now    func() time.Time
	dec    record.Decoder // the record rules under the deployment's reference rule
	census string         // the census list followed, "" for none
}

// build decodes every record (in parallel for big batches) and returns the
// batch: the last operation per resource key (as compaction would keep),
// quarantined records, and the next offset of every partition seen.
// schemas holds the registry's verdict on every schema id framing a value
// of recs (nil without a registry; see Feed.schemaVerdicts).
func (b *builder) build(recs []*kgo.Record, schemas map[uint32]string) *store.Batch {
	ops := make([]op, len(recs))
	decode := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			ops[i] = b.decode(recs[i], schemas)
		}
	}
	if workers := runtime.GOMAXPROCS(0); len(recs) >= parallelDecodeMin && workers > 1 {
		var wg sync.WaitGroup
		chunk := (len(recs) + workers - 1) / workers
		for lo := 0; lo < len(recs); lo += chunk {
			wg.Add(1)
			go func(lo, hi int) {
				defer wg.Done()
				decode(lo, hi)
			}(lo, min(lo+chunk, len(recs)))
		}
		wg.Wait()
	} else {
		decode(0, len(recs))
	}

	batch := &store.Batch{Offsets: map[store.TopicPartition]int64{}}
	last := make(map[store.Ref]int, len(ops)) // ref -> index in ops of its last operation
	lastDoc := map[string]int{}               // census patient -> index of its last entry
	for i := range ops {
		o := &ops[i]
		tp := store.TopicPartition{Topic: o.topic, Partition: o.part}
		if next := o.off + 1; next > batch.Offsets[tp] {
			batch.Offsets[tp] = next
		}
		switch {
		case o.quar != nil:
			batch.Quarantine = append(batch.Quarantine, *o.quar)
		case o.doc != nil:
			lastDoc[o.doc.Patient] = i
		case o.put != nil:
			last[o.put.Ref] = i
		case o.del != nil:
			last[*o.del] = i
		}
	}
	for i := range ops { // in record order, keeping only each key's last operation
		o := &ops[i]
		switch {
		case o.doc != nil && lastDoc[o.doc.Patient] == i:
			batch.Docs = append(batch.Docs, *o.doc)
		case o.put != nil && last[o.put.Ref] == i:
			batch.Puts = append(batch.Puts, *o.put)
		case o.del != nil && last[*o.del] == i:
			batch.Deletes = append(batch.Deletes, *o.del)
		}
	}
	return batch
}

// decode applies the record rules to one record.
func (b *builder) decode(r *kgo.Record, schemas map[uint32]string) op {
	o := op{topic: r.Topic, part: r.Partition, off: r.Offset}
	quarantine := func(reason, detail string) op {
		o.quar = &store.Quarantined{
			Topic: r.Topic, Partition: r.Partition, Offset: r.Offset,
			Key: r.Key, Value: r.Value, Reason: reason, Detail: detail,
			Time: b.now().UTC(), RecordAt: r.Timestamp.UTC(),
		}
		return o
	}
	if list, ok := b.topics.CensusList(r.Topic); ok && list == b.census {
		value, reason, detail := unframe(r.Value, schemas)
		if reason != "" {
			return quarantine(reason, detail)
		}
		o, why := b.censusOp(o, value, list, r.Key, r.Timestamp)
		if why != "" {
			return quarantine(census.ErrBadEntry.Error(), strings.TrimPrefix(why, census.ErrBadEntry.Error()+": "))
		}
		return o
	}
	collection, ok := b.topics.Collection(r.Topic)
	if !ok {
		return quarantine("unknown topic", "topic is neither a patient topic nor a shared Chartline topic")
	}
	value, reason, detail := unframe(r.Value, schemas)
	if reason != "" {
		return quarantine(reason, detail)
	}

	if collection == store.AlertState {
		id := string(r.Key)
		if id == "" || len(id) > 128 {
			return quarantine(string(record.ReasonBadKey), "an alert-state record needs the alert id as its key")
		}
		ref := store.Ref{Collection: collection, Type: AlertStateType, ID: id}
		if value == nil {
			o.del = &ref
			return o
		}
		if len(value) > record.MaxValueBytes {
			return quarantine(string(record.ReasonTooLarge), "alert state over 4 MiB")
		}
		st, err := clinical.ParseAlertState(value)
		if err != nil {
			return quarantine("bad alert state", err.Error())
		}
		if st.Alert != id {
			return quarantine(string(record.ReasonKeyIDMismatch), "key names alert "+id+", value describes "+st.Alert)
		}
		o.put = &store.Resource{Ref: ref, JSON: value, Meta: store.Meta{
			Time: r.Timestamp.UTC(), Category: "alert-state", Source: source(r),
		}}
		return o
	}

	key := r.Key
	if collection == store.Audit && len(key) > 0 && !bytes.ContainsRune(key, '/') {
		// README, "Topics" keys spv.audit by the AuditEvent id alone.
		key = append([]byte("AuditEvent/"), key...)
	}
	topicPatient := ""
	if store.IsPatient(collection) {
		topicPatient = collection
	}
	if value == nil { // tombstone: delete what the key names
		typ, id, err := record.ParseKey(key)
		if err != nil {
			detail := err.Error()
			if rf, ok := err.(*record.Refusal); ok {
				detail = rf.Detail // the reason is said once, in Reason
			}
			return quarantine(string(record.ReasonBadKey), "tombstone: "+detail)
		}
		o.del = &store.Ref{Collection: collection, Type: typ, ID: id}
		return o
	}
	d, err := b.dec.Decode(key, value, topicPatient)
	if err != nil {
		if ref, ok := err.(*record.Refusal); ok {
			return quarantine(string(ref.Reason), ref.Detail)
		}
		return quarantine("undecodable", err.Error())
	}
	d.Meta.Source = source(r)
	o.put = &store.Resource{Ref: store.Ref{Collection: collection, Type: d.Type, ID: d.ID}, JSON: value, Meta: d.Meta}
	return o
}

// unframe is the Schema Registry hook, run before the record rules: a value
// in the wire format (magic byte 0, 4-byte schema id) gives the JSON after
// the header, or, when the registry refused its schema id (schemas holds the
// verdict) or the header is cut short, a quarantine reason and detail. An
// unframed value (or a tombstone) comes back as is. Without a registry
// (schemas nil) the framing is accepted as is.
func unframe(v []byte, schemas map[uint32]string) (payload []byte, reason, detail string) {
	id, payload, framed, err := schemareg.Unframe(v)
	switch {
	case !framed:
		return v, "", ""
	case err != nil:
		return nil, schemareg.ReasonFraming, err.Error()
	}
	if why := schemas[id]; why != "" {
		return nil, schemareg.ReasonSchema, why
	}
	return payload, "", ""
}

func source(r *kgo.Record) store.Source {
	return store.Source{Topic: r.Topic, Partition: r.Partition, Offset: r.Offset, Time: r.Timestamp.UTC()}
}
