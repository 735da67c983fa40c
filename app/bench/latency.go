package bench

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/config"
	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/session"
	"github.com/chartline/chartline/store"
)

// latency measures p3 and p6 with an in-process session on the prefix
// "p3-<run>.patient.": a background load of ~1,000 records/s over 20 patients,
// and a probe record every 50 ms whose arrival is taken from the store's
// change notices.
func latency(ctx context.Context, b *kafka.Broker, prod *kgo.Client, dir string, run int, res *Result, sm samples, logf func(string, ...any)) error {
	prefix := fmt.Sprintf("p3-%d.patient.", run)
	s, err := store.Create(filepath.Join(dir, fmt.Sprintf("p3-%d.db", run)), []byte(passphrase), &store.Options{KDF: store.TestKDF})
	if err != nil {
		return err
	}
	defer s.Close()
	cfg := config.Default()
	cfg.Conn = kafka.Conn{Brokers: []string{b.Addr()}}
	cfg.Topics.PatientPrefix = prefix
	ss, err := session.Start(ctx, cfg, s, nil)
	if err != nil {
		return err
	}
	defer ss.Close()
	cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := ss.WaitCaughtUp(cctx); err != nil {
		return fmt.Errorf("p3: %w", err)
	}

	// Background load.
	lctx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	loadDone := make(chan int)
	go func() {
		sent := 0
		tick := time.NewTicker(10 * time.Millisecond) // 10 records per tick: ~1,000/s
		defer tick.Stop()
		demo.Bulk(77, 1<<30, 20, func(topic string, key, value []byte) bool {
			if sent%10 == 0 {
				select {
				case <-lctx.Done():
					return false
				case <-tick.C:
				}
			}
			prod.Produce(lctx, &kgo.Record{Topic: prefix + strings.TrimPrefix(topic, "fhir.patient."), Key: key, Value: value}, nil)
			sent++
			return true
		})
		loadDone <- sent
	}()

	sub := s.Subscribe()
	defer sub.Close()
	const probes = 150
	const probePatient = "probe-0001"
	topic := prefix + probePatient
	sentAt := make([]time.Time, 0, probes)
	var lat []float64
	loadStart := time.Now()
	for i := 0; i < probes; i++ {
		v := fmt.Sprintf(`{"resourceType":"Observation","id":"probe-%d","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"subject":{"reference":"Patient/%s"},"effectiveDateTime":%q,"valueQuantity":{"value":%d,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}}`,
			i, probePatient, time.Now().UTC().Format(time.RFC3339Nano), 60+i%40)
		sentAt = append(sentAt, time.Now())
		if err := prod.ProduceSync(ctx, &kgo.Record{Topic: topic, Key: []byte(fmt.Sprintf("Observation/probe-%d", i)), Value: []byte(v)}).FirstErr(); err != nil {
			return err
		}
		// Wait for the notice that carries it: the probe's offset is its index.
		deadline := time.After(5 * time.Second)
	wait:
		for {
			select {
			case <-sub.Ready():
				ch, ok := sub.Take()
				if !ok || ch.Collections[probePatient] == nil {
					continue
				}
				offs, err := s.Offsets()
				if err != nil {
					return err
				}
				if offs[store.TopicPartition{Topic: topic}] > int64(i) {
					lat = append(lat, float64(time.Since(sentAt[i]).Microseconds())/1000)
					break wait
				}
			case <-deadline:
				return fmt.Errorf("p3: probe %d not seen within 5 s", i)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	stopLoad()
	sent := <-loadDone
	load := float64(sent) / time.Since(loadStart).Seconds()
	sort.Float64s(lat)
	res.P3Probes += len(lat)
	p50, p99 := lat[len(lat)/2], lat[(len(lat)*99)/100]
	sm.add("p3_load_rps", load)
	sm.add("p3_p50_ms", p50)
	sm.add("p3_p99_ms", p99)
	logf("p3 run %d: produce→change notice p50 %.1f ms, p99 %.1f ms over %d probes under %.0f records/s", run+1, p50, p99, len(lat), load)

	return discovery(ctx, s, prod, prefix, run, sm, logf)
}

// discovery is p6: a new patient topic, from its first record to the census.
func discovery(ctx context.Context, s *store.Store, prod *kgo.Client, prefix string, run int, sm samples, logf func(string, ...any)) error {
	newID := fmt.Sprintf("new-%d", time.Now().UnixNano())
	start := time.Now()
	pv := fmt.Sprintf(`{"resourceType":"Patient","id":%q,"name":[{"family":"Admission","given":["New"]}],"gender":"female","birthDate":"1970-01-01"}`, newID)
	if err := prod.ProduceSync(ctx, &kgo.Record{Topic: prefix + newID, Key: []byte("Patient/" + newID), Value: []byte(pv)}).FirstErr(); err != nil {
		return err
	}
	for {
		if _, ok, _ := s.Entry(newID); ok {
			break
		}
		if time.Since(start) > 30*time.Second {
			return fmt.Errorf("p6: new patient not in the census after 30 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	disc := time.Since(start).Seconds()
	sm.add("p6_discovery_s", disc)
	logf("p6 run %d: new patient topic in the census after %.2f s", run+1, disc)
	return nil
}
