package cli

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/testenv"
	"github.com/chartline/chartline/store"
)

// mirrored builds the records both clusters of a linked pair hold: patients
// topics of obs heart-rate Observations each (about 700 bytes apiece).
func mirrored(patients, obs int) []*kgo.Record {
	var recs []*kgo.Record
	for p := range patients {
		id := fmt.Sprintf("fo-%02d", p)
		topic := "fhir.patient." + id
		recs = append(recs, &kgo.Record{Topic: topic, Key: []byte("Patient/" + id),
			Value: fmt.Appendf(nil, `{"resourceType":"Patient","id":"%s","gender":"male","birthDate":"1950-02-03"}`, id)})
		for i := range obs {
			oid := fmt.Sprintf("%s-hr-%04d", id, i)
			recs = append(recs, &kgo.Record{Topic: topic, Key: []byte("Observation/" + oid),
				Value: fmt.Appendf(nil, `{"resourceType":"Observation","id":"%s","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}]},"subject":{"reference":"Patient/%s"},"effectiveDateTime":"2026-11-%02dT%02d:%02d:00Z","valueQuantity":{"value":%d,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"},"note":[{"text":"%s"}]}`,
					oid, id, 1+i%28, i%24, i%60, 60+i%40, strings.Repeat("x", 200))})
		}
	}
	return recs
}

// TestFailoverMidIngest loads two clusters with the same records (as a
// cluster link keeps them: same topics, same offsets), kills the primary
// after its second fetch, and checks that `chartline ingest
// -failover-brokers` switches to the failover, resumes from the stored
// offsets, says which cluster is live, and ends with the store exact: every
// record applied once, none skipped.
func TestFailoverMidIngest(t *testing.T) {
	const patients, obs = 40, 600
	recs := mirrored(patients, obs)
	primary := testenv.New(t, kafka.BrokerOptions{})
	failover := testenv.New(t, kafka.BrokerOptions{})
	primary.Produce(recs...)
	failover.Produce(mirrored(patients, obs)...) // a record is produced once: the same again

	var fetches, failoverFetches atomic.Int32
	primary.Broker.Cluster().ControlKey(kmsg.Fetch.Int16(), func(kmsg.Request) (kmsg.Response, error, bool) {
		if fetches.Add(1) == 2 {
			go primary.Broker.Close() // the primary dies mid-ingest
		}
		return nil, nil, false
	})
	failover.Broker.Cluster().ControlKey(kmsg.Fetch.Int16(), func(kmsg.Request) (kmsg.Response, error, bool) {
		failoverFetches.Add(1)
		return nil, nil, false
	})

	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	t.Setenv(EnvPassphrase, "failover test passphrase")
	code, _, errs := run(t, "ingest", "-brokers", primary.Broker.Addr(), "-failover-brokers", failover.Broker.Addr(),
		"-failover-after", "2s", "-settings", filepath.Join(dir, "s.json"), "-db", db, "-until-caught-up")
	if code != 0 {
		t.Fatalf("ingest exit %d:\n%s", code, errs)
	}
	total := len(recs)
	// What the primary delivered before it died: the last "[primary]" line.
	applied := regexp.MustCompile(`(\d+) records applied`)
	fromPrimary := -1
	for _, line := range strings.Split(errs, "\n") {
		if m := applied.FindStringSubmatch(line); m != nil && strings.HasPrefix(line, "[primary] ") {
			fromPrimary, _ = strconv.Atoi(m[1])
		}
	}
	if fromPrimary <= 0 || fromPrimary >= total {
		t.Fatalf("the primary was not killed mid-ingest (%d of %d applied from it):\n%s", fromPrimary, total, errs)
	}
	if !strings.Contains(errs, "to=failover") || failoverFetches.Load() == 0 {
		t.Fatalf("the failover cluster was never read:\n%s", errs)
	}
	last := strings.Split(strings.TrimSpace(errs), "\n")
	if want := fmt.Sprintf("ingested %d records (%d resources, 0 quarantined)", total, total); !strings.HasPrefix(last[len(last)-1], want) {
		t.Fatalf("final line %q, want %q… (every record applied exactly once)", last[len(last)-1], want)
	}

	s, err := store.Open(db, []byte("failover test passphrase"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	offs, err := s.Offsets()
	if err != nil {
		t.Fatal(err)
	}
	for p := range patients {
		id := fmt.Sprintf("fo-%02d", p)
		if got := offs[store.TopicPartition{Topic: "fhir.patient." + id}]; got != obs+1 {
			t.Errorf("%s: stored offset %d, want %d (the log end)", id, got, obs+1)
		}
		res, err := s.Resources(id)
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != obs+1 {
			t.Errorf("%s: %d resources, want %d", id, len(res), obs+1)
		}
	}
	if n := s.QuarantineCount(); n != 0 {
		t.Errorf("%d quarantined", n)
	}
	t.Logf("%d of %d records from the primary, the rest from the failover", fromPrimary, total)
}
