package session

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/chartline/chartline/app/demo"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/store"
)

func TestDemoSessionShowsTheStory(t *testing.T) {
	ctx := context.Background()
	// Speed 10: the simulator then produces ~200 records/s. At 20 (~400/s)
	// a feed under -race beside the other packages' tests on two cores
	// applied ~390/s and fell further behind for 6 min (CI, 3 Dec 2026);
	// alone it caught up in 37 s either way.
	ss, err := Demo(ctx, DemoOptions{Sim: demo.SimOptions{Speed: 10, Seed: 1}})
	if err != nil {
		t.Fatal(err)
	}
	path := ss.Store().Path()
	// Alone under -race this catches up in about 30 s; beside the other
	// packages on two cores it has taken over 180 s.
	wait, cancel := context.WithTimeout(ctx, 6*time.Minute)
	defer cancel()
	start := time.Now()
	if err := ss.FixturesLoaded(wait); err != nil {
		t.Fatalf("fixtures not loaded after %s: %v", time.Since(start).Round(time.Second), err)
	}
	t.Logf("fixtures on the broker after %s", time.Since(start).Round(time.Millisecond))
	if err := ss.WaitCaughtUp(wait); err != nil {
		t.Fatalf("not caught up after %s: %v (%s)", time.Since(start).Round(time.Second), err, ss.Status())
	}
	t.Logf("caught up after %s", time.Since(start).Round(time.Millisecond))
	census, err := ss.Store().Census()
	if err != nil || len(census) < 25 {
		t.Fatalf("census has %d patients (%v)", len(census), err)
	}
	// Within the sped-up scenario: a high NEWS2 alert for the deteriorating
	// patient (low in the fixtures), the EGFR trial match for the NSCLC
	// patient (not eligible before the simulator's result), a new admission,
	// and the misrouted result in quarantine.
	deadline := time.Now().Add(120 * time.Second)
	var high, match, admitted, quarantined bool
	for time.Now().Before(deadline) && !(high && match && admitted && quarantined) {
		ss.Store().View(func(r *store.Reader) error {
			notices, err := engine.Notices(r)
			if err != nil {
				return err
			}
			for _, n := range notices {
				high = high || (n.Kind == "alert" && n.Severity == "high" && n.Patient == demo.DeterioratingPatient)
				match = match || (n.Kind == "match" && n.Patient == demo.NSCLCPatient)
			}
			c, _ := r.Census()
			admitted = len(c) > 25
			return nil
		})
		quarantined = ss.Store().QuarantineCount() > 0
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("story after %s", time.Since(start).Round(time.Millisecond))
	if !high || !match || !admitted || !quarantined {
		t.Fatalf("demo story incomplete: high alert %v, trial match %v, new admission %v, quarantined %v", high, match, admitted, quarantined)
	}
	if err := ss.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the throwaway store is still there: %v", err)
	}
}
