package engine

import (
	"encoding/json"
	"testing"

	"github.com/chartline/chartline/app/clinical"
)

// TestDocMemoFollowsTheStore: the memo serves a decoded document only for
// the very bytes it was decoded from; a document rewritten (by this engine,
// an action, another version) is decoded afresh.
func TestDocMemoFollowsTheStore(t *testing.T) {
	e := &Engine{}
	raw := func(sev string) []byte {
		b, err := json.Marshal(AlertDoc{Alert: clinical.Alert{ID: "a1", Severity: sev}})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for i, sev := range []string{"high", "high", "medium", "high"} {
		got, err := decodeDoc[AlertDoc](e, KindAlert, "p", "a1", raw(sev))
		if err != nil {
			t.Fatal(err)
		}
		if got.Alert.Severity != sev {
			t.Fatalf("read %d: severity %q from bytes that say %q", i, got.Alert.Severity, sev)
		}
	}
	if _, err := decodeDoc[AlertDoc](e, KindAlert, "p", "a1", []byte("{")); err == nil {
		t.Fatal("undecodable bytes decoded")
	}
	if got, err := decodeDoc[AlertDoc](e, KindAlert, "p", "a1", raw("high")); err != nil || got.Alert.Severity != "high" {
		t.Fatalf("after an undecodable version: %+v, %v", got.Alert, err)
	}
	if e.memoSize("p") == 0 {
		t.Fatal("the memo counts nothing against the cache budget")
	}
}
