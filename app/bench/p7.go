package bench

// p7: a hospital's scale (issue 18). A broker of its own holds Topics
// patient topics of about PerTopic resources each (app/demo.Bulk spreads
// Topics×PerTopic resources over Topics patients at random, so 100 is the
// mean); then, once following every topic and once following a 40-patient
// census list (spv.census.p7-ward):
//
//   - catch-up: `chartline ingest -until-caught-up` from a fresh store, wall
//     time from process start to exit, and its peak RSS (VmHWM);
//   - discovery: with that store caught up, an in-process feed lists the
//     topics every second; a new patient topic (following all) or a new
//     admission on the census list (census) is timed from its produce to
//     the patient's first resource in the store.

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/app/feed"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/publish"
	"github.com/chartline/chartline/store"
)

// P7Result holds the p7 figures (embedded in Result: their keys are p7_*).
type P7Result struct {
	P7Topics   int     `json:"p7_topics"`
	P7Records  int     `json:"p7_records"`
	P7LoadS    float64 `json:"p7_load_s"`
	P7CensusN  int     `json:"p7_census_patients"`
	P7Underway string  `json:"p7_conditions"`

	P7AllCatchupS    float64 `json:"p7_all_catchup_s"`
	P7AllRPS         float64 `json:"p7_all_rps"`
	P7AllRSSMB       float64 `json:"p7_all_rss_mb"`
	P7AllApplied     int     `json:"p7_all_applied"`
	P7AllDiscoveryS  float64 `json:"p7_all_discovery_s"`
	P7AllFirstPassS  float64 `json:"p7_all_first_pass_s"`
	P7CensusCatchupS float64 `json:"p7_census_catchup_s"`
	P7CensusRSSMB    float64 `json:"p7_census_rss_mb"`
	P7CensusApplied  int     `json:"p7_census_applied"`
	P7CensusAdmitS   float64 `json:"p7_census_admission_s"`
}

const (
	p7Prefix = "p7.patient."
	p7List   = "p7-ward"
)

// runP7 measures p7 on a broker of its own, closed before it returns.
func runP7(ctx context.Context, o Options, dir string, res *Result, logf func(string, ...any)) error {
	b, err := kafka.StartBroker(ctx, kafka.BrokerOptions{Addr: "127.0.0.1:0", CompactEvery: -1})
	if err != nil {
		return err
	}
	defer b.Close()
	prod, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(b.Addr()), kgo.AllowAutoTopicCreation()}, publish.ProducerOptions()...)...)
	if err != nil {
		return err
	}
	defer prod.Close()

	r := &res.P7Result
	r.P7Topics, r.P7Records, r.P7CensusN = o.P7Topics, o.P7Topics*o.P7PerTopic, min(40, o.P7Topics)
	r.P7Underway = "shared 2-core machine, other builds and tests running"
	logf("p7: producing %d resources over %d patient topics", r.P7Records, r.P7Topics)
	start := time.Now()
	if _, err := load(ctx, prod, o.Seed+7, r.P7Records, r.P7Topics, p7Prefix); err != nil {
		return err
	}
	// The census list: 40 patients spread over the hospital.
	var census []*kgo.Record
	for i := range r.P7CensusN {
		id := demo.BulkPatientID(i * (r.P7Topics / r.P7CensusN))
		census = append(census, &kgo.Record{Topic: kafka.DefaultTopics().Census(p7List), Key: []byte("Patient/" + id),
			Value: fmt.Appendf(nil, `{"location":"P7 ward, bed %d","status":"admitted"}`, i+1)})
	}
	if err := prod.ProduceSync(ctx, census...).FirstErr(); err != nil {
		return err
	}
	r.P7LoadS = time.Since(start).Seconds()
	logf("p7: loaded in %.0f s", r.P7LoadS)

	// Following all topics.
	allDB := filepath.Join(dir, "p7-all.db")
	st, err := ingest(ctx, o, b.Addr(), allDB, p7Prefix, nil)
	if err != nil {
		return fmt.Errorf("p7 all: %w", err)
	}
	r.P7AllCatchupS, r.P7AllRSSMB, r.P7AllApplied = st.wall, st.peakMB, st.applied
	r.P7AllRPS = float64(st.applied) / st.wall
	logf("p7: following all %d topics: caught up on %d records in %.1f s (%.0f records/s), peak RSS %.0f MB",
		r.P7Topics, st.applied, st.wall, r.P7AllRPS, st.peakMB)
	if r.P7AllFirstPassS, r.P7AllDiscoveryS, err = p7Discovery(ctx, b, prod, allDB, ""); err != nil {
		return fmt.Errorf("p7 all discovery: %w", err)
	}
	logf("p7: following all: first pass over %d topics %.2f s; a new topic in the store %.2f s after its produce",
		r.P7Topics, r.P7AllFirstPassS, r.P7AllDiscoveryS)

	// Following a 40-patient census list.
	censusDB := filepath.Join(dir, "p7-census.db")
	st, err = ingest(ctx, o, b.Addr(), censusDB, p7Prefix, nil, "-census", p7List)
	if err != nil {
		return fmt.Errorf("p7 census: %w", err)
	}
	r.P7CensusCatchupS, r.P7CensusRSSMB, r.P7CensusApplied = st.wall, st.peakMB, st.applied
	logf("p7: following %d patients of %d: caught up on %d records in %.1f s, peak RSS %.0f MB",
		r.P7CensusN, r.P7Topics, st.applied, st.wall, st.peakMB)
	if _, r.P7CensusAdmitS, err = p7Discovery(ctx, b, prod, censusDB, p7List); err != nil {
		return fmt.Errorf("p7 census admission: %w", err)
	}
	logf("p7: census: an admission's record in the store %.2f s after the admission", r.P7CensusAdmitS)
	return nil
}

// p7Discovery runs a feed over a caught-up store and times its first full
// discovery pass and then a newcomer: a new patient topic (list "") or a
// patient admitted to the census list, from the produce to its record in
// the store.
func p7Discovery(ctx context.Context, b *kafka.Broker, prod *kgo.Client, db, list string) (firstPass, newcomer float64, err error) {
	s, err := store.Open(db, []byte(passphrase), nil)
	if err != nil {
		return 0, 0, err
	}
	defer s.Close()
	topics := kafka.DefaultTopics()
	topics.PatientPrefix = p7Prefix
	f, err := feed.New(feed.Options{Conn: b.Conn(), Topics: topics, Store: s, Census: list})
	if err != nil {
		return 0, 0, err
	}
	fctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- f.Run(fctx) }()
	defer func() { cancel(); <-done }()
	wctx, wcancel := context.WithTimeout(ctx, 5*time.Minute)
	defer wcancel()
	for f.Status().Passes == 0 {
		if wctx.Err() != nil {
			return 0, 0, wctx.Err()
		}
		time.Sleep(5 * time.Millisecond)
	}
	firstPass = time.Since(start).Seconds()
	if err := f.WaitCaughtUp(wctx); err != nil {
		return firstPass, 0, err
	}
	id := fmt.Sprintf("p7-new-%d", time.Now().UnixNano())
	recs := []*kgo.Record{{Topic: p7Prefix + id, Key: []byte("Patient/" + id),
		Value: fmt.Appendf(nil, `{"resourceType":"Patient","id":%q,"gender":"male","birthDate":"1961-01-01"}`, id)}}
	if list != "" {
		recs = append(recs, &kgo.Record{Topic: topics.Census(list), Key: []byte("Patient/" + id), Value: []byte(`{"location":"P7 ward, bed 41","status":"admitted"}`)})
	}
	t0 := time.Now()
	if err := prod.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		return firstPass, 0, err
	}
	for {
		if _, ok, _ := s.Resource(store.Ref{Collection: id, Type: "Patient", ID: id}); ok {
			return firstPass, time.Since(t0).Seconds(), nil
		}
		if time.Since(t0) > time.Minute {
			return firstPass, 0, fmt.Errorf("the newcomer is not in the store after a minute")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
