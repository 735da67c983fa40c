package bench

import (
	"os"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/store"
)

func TestSizeBreakdown(t *testing.T) {
	if os.Getenv("CHARTLINE_SIZE") == "" {
		t.Skip("diagnostic: CHARTLINE_SIZE=1")
	}
	path := filepath.Join(t.TempDir(), "s.db")
	s, err := store.Create(path, []byte("x"), &store.Options{KDF: store.TestKDF, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	topics := kafka.DefaultTopics()
	var raw int64
	var batch []store.Resource
	flush := func() {
		if _, err := s.Apply(&store.Batch{Puts: batch}); err != nil {
			t.Fatal(err)
		}
		batch = batch[:0]
	}
	demo.Bulk(9, 100000, 200, func(topic string, key, value []byte) bool {
		p, _ := topics.Collection(topic)
		d, err := record.Decode(key, value, p)
		if err != nil {
			t.Fatal(err)
		}
		d.Meta.Source = store.Source{Topic: topic, Offset: int64(raw)}
		raw += int64(len(value))
		batch = append(batch, store.Resource{Ref: store.Ref{Collection: p, Type: d.Type, ID: d.ID}, JSON: value, Meta: d.Meta})
		if len(batch) == 2000 {
			flush()
		}
		return true
	})
	flush()
	s.Close()
	fi, _ := os.Stat(path)
	t.Logf("raw %d bytes, file %d (%.2f)", raw, fi.Size(), float64(fi.Size())/float64(raw))
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.View(func(tx *bolt.Tx) error {
		t.Logf("tx size %d, page size %d, freelist %+v", tx.Size(), db.Info().PageSize, db.Stats())
		for _, name := range []string{"raw", "dir", "col"} {
			st := tx.Bucket([]byte(name)).Stats()
			t.Logf("%-4s keys %d depth %d leaf pages %d (%d inuse of %d alloc) branch %d inline %d buckets %d",
				name, st.KeyN, st.Depth, st.LeafPageN, st.LeafInuse, st.LeafAlloc, st.BranchPageN, st.InlineBucketInuse, st.BucketN)
		}
		return nil
	})
}
