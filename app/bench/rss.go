package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	bolt "go.etcd.io/bbolt"

	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/app/kafka"
)

// p4's memory figures and p1's storage ceiling.

// rss is p4: the records loaded once on their own prefix, then Runs
// ingests into fresh stores; the last store is kept for p8's cold start and
// its path returned.
func rss(ctx context.Context, o Options, b *kafka.Broker, prod *kgo.Client, dir string, res *Result, sm samples, logf func(string, ...any)) (string, error) {
	logf("p4: generating and producing %d resources", o.RSSRecords)
	if _, err := load(ctx, prod, o.Seed+1, o.RSSRecords, o.Patients*5, "p4.patient."); err != nil {
		return "", err
	}
	marks := []int{o.RSSRecords / 4, o.RSSRecords / 2, o.RSSRecords}
	at := samples{}
	var db string
	for i := range o.Runs {
		if db != "" {
			os.Remove(db)
		}
		db = filepath.Join(dir, fmt.Sprintf("p4-%d.db", i))
		st, err := ingest(ctx, o, b.Addr(), db, "p4.patient.", marks)
		if err != nil {
			return "", err
		}
		res.P4Records = st.applied
		sm.add("p4_rss_mb", st.peakMB)
		sm.add("p4_ingest_rps", float64(st.applied)/st.wall)
		for j, m := range marks {
			if j < len(st.rssAt) {
				at.add(label(m), st.rssAt[j])
			}
		}
		logf("p4 run %d: peak RSS %.0f MB over %d records (%v)", i+1, st.peakMB, st.applied, st.rssAt)
	}
	for k, v := range at {
		if sp, ok := spreadOf(v); ok {
			res.P4RSSAtMB[k] = sp.Median
		}
	}
	return db, nil
}

// readRSS returns VmRSS and VmHWM (peak) of a process in MB.
func readRSS(path string) (rss, hwm float64) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb / 1024
		case "VmHWM:":
			hwm = kb / 1024
		}
	}
	return rss, hwm
}

// rawBolt is the storage ceiling: the same JSON put into bbolt with
// sequential keys in 1,000-value transactions, fsync on, no encryption.
func rawBolt(path string, seed uint64, n, patients int) (float64, error) {
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var vals [][]byte
	demo.Bulk(seed, n, patients, func(_ string, _ []byte, v []byte) bool { vals = append(vals, v); return true })
	start := time.Now()
	for lo := 0; lo < len(vals); lo += 1000 {
		err := db.Update(func(tx *bolt.Tx) error {
			bk, err := tx.CreateBucketIfNotExists([]byte("r"))
			if err != nil {
				return err
			}
			bk.FillPercent = 1
			for i := lo; i < min(lo+1000, len(vals)); i++ {
				if err := bk.Put(fmt.Appendf(nil, "%012d", i), vals[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	return float64(len(vals)) / time.Since(start).Seconds(), nil
}
