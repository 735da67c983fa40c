package feed

// # A ward's census
//
// With Options.Census set, the feed follows one census list (app/census)
// instead of every patient topic: it consumes spv.census.<list> like a shared
// topic, keeps each entry in the store (Doc kind census.Kind, in the batch
// that stores the offset), and consumes a patient topic only while its
// patient is on the list. An admission is consumed at the next discovery pass
// (about a second); a discharge stops the patient's topic at the next pass,
// and the patient's resources stay in the store, readable offline, until
// Options.CensusRetention after the discharge, when they are deleted and the
// topic's offset forgotten (a later readmission reads the topic anew).

import (
	"encoding/json"
	"time"

	"github.com/chartline/chartline/app/census"
	"github.com/chartline/chartline/store"
)

// loadCensus reads the list's entries the store holds (a restart follows
// the same patients before the census topic is read again).
func (f *Feed) loadCensus() error {
	f.followed = map[string]bool{}
	if f.o.Census == "" {
		return nil
	}
	docs, err := f.o.Store.Docs(census.Kind)
	if err != nil {
		return err
	}
	for _, d := range docs {
		if d.Key != f.o.Census {
			continue
		}
		var e census.Entry
		if json.Unmarshal(d.Value, &e) == nil && e.On() {
			f.followed[d.Patient] = true
		}
	}
	return nil
}

// follows reports whether a patient topic is to be consumed: always without
// a census list, else while its patient is on the list.
func (f *Feed) follows(topic string) bool {
	if f.o.Census == "" {
		return true
	}
	id, ok := f.o.Topics.Collection(topic)
	if !ok {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.followed[id]
}

// censusOp turns a census record into the store Doc of its entry.
func (b *builder) censusOp(o op, value []byte, list string, key []byte, at time.Time) (op, string) {
	e, err := census.Parse(list, key, value, at)
	if err != nil {
		return o, err.Error()
	}
	js, _ := json.Marshal(e)
	o.doc = &store.Doc{Kind: census.Kind, Patient: e.Patient, Key: list, Value: js}
	return o, ""
}

// censusApplied updates the followed patients after a commit that stored
// census entries, and returns how many were admitted (not followed before).
func (f *Feed) censusApplied(docs []store.Doc) (admitted int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, d := range docs {
		if d.Kind != census.Kind || d.Key != f.o.Census {
			continue
		}
		var e census.Entry
		if json.Unmarshal(d.Value, &e) != nil {
			continue
		}
		switch {
		case e.On() && !f.followed[d.Patient]:
			f.followed[d.Patient] = true
			admitted++
		case !e.On():
			delete(f.followed, d.Patient)
		}
	}
	return admitted
}

// unfollow stops consuming the partitions of patient topics whose patient
// has left the list, and forgets their lag.
func (f *Feed) unfollow(c *cluster) {
	if f.o.Census == "" {
		return
	}
	rm := map[string][]int32{}
	f.mu.Lock()
	for topic, parts := range c.consuming {
		id, ok := f.o.Topics.Collection(topic)
		if !ok || !store.IsPatient(id) || f.followed[id] {
			continue
		}
		for p := range parts {
			rm[topic] = append(rm[topic], p)
		}
		delete(c.consuming, topic)
	}
	f.mu.Unlock()
	if len(rm) == 0 {
		return
	}
	c.cl.RemoveConsumePartitions(rm)
	f.o.Log.Info("patients left the census: their topics are no longer read", "topics", len(rm))
	f.tr.update(func(s *Status) {
		for tp := range s.Partitions {
			if _, gone := rm[tp.Topic]; gone {
				delete(s.Partitions, tp)
			}
		}
	})
}

// purgeEvery is how often discharged patients are checked for retention.
func (f *Feed) purgeEvery() time.Duration {
	return max(time.Second, min(time.Minute, f.o.CensusRetention/4))
}

// purgeDischarged removes from the store the resources of patients
// discharged from the list more than CensusRetention ago (and not
// readmitted), with their census entry and their topic's stored offset. It
// runs on the apply loop, between batches, so no batch of theirs is in
// flight.
func (f *Feed) purgeDischarged(now time.Time) error {
	if f.o.Census == "" {
		return nil
	}
	docs, err := f.o.Store.Docs(census.Kind)
	if err != nil {
		return err
	}
	offsets, err := f.o.Store.Offsets()
	if err != nil {
		return err
	}
	for _, d := range docs {
		var e census.Entry
		if d.Key != f.o.Census || json.Unmarshal(d.Value, &e) != nil || e.On() || now.Sub(e.Since) < f.o.CensusRetention {
			continue
		}
		f.mu.Lock()
		back := f.followed[d.Patient]
		f.mu.Unlock()
		if back {
			continue
		}
		items, err := f.o.Store.Items(d.Patient)
		if err != nil {
			return err
		}
		b := &store.Batch{DeleteDocs: []store.DocRef{{Kind: census.Kind, Patient: d.Patient, Key: d.Key}}}
		for _, it := range items {
			b.Deletes = append(b.Deletes, it.Ref)
		}
		topic := f.o.Topics.Patient(d.Patient)
		for tp := range offsets {
			if tp.Topic == topic {
				b.ResetOffsets = append(b.ResetOffsets, tp)
			}
		}
		if _, err := f.o.Store.Apply(b); err != nil {
			return err
		}
		f.o.Log.Info("a discharged patient's retention ended: their data is removed from this store", "resources", len(items))
	}
	return nil
}
