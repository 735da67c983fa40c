package census

import (
	"testing"
	"time"

	"github.com/chartline/chartline/app/kafka"
)

func TestCensusEntryParse(t *testing.T) {
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, key, value string
		tombstone        bool
		status, loc      string
		bad              bool
	}{
		{"admitted", "Patient/p-1", `{"location":"7B-3","status":"admitted"}`, false, "admitted", "7B-3", false},
		{"status folded to lower case", "Patient/p-1", `{"location":"7B-3","status":" On-Leave "}`, false, "on-leave", "7B-3", false},
		{"tombstone discharges", "Patient/p-1", "", true, "discharged", "", false},
		{"discharged status", "Patient/p-1", `{"status":"discharged"}`, false, "discharged", "", false},
		{"no status", "Patient/p-1", `{"location":"7B-3"}`, false, "", "", true},
		{"not JSON", "Patient/p-1", `7B-3`, false, "", "", true},
		{"key not a patient", "Encounter/e-1", `{"status":"admitted"}`, false, "", "", true},
		{"key id not a FHIR id", "Patient/p_1", `{"status":"admitted"}`, false, "", "", true},
	} {
		var v []byte
		if !tc.tombstone {
			v = []byte(tc.value)
		}
		got, err := Parse("7b", []byte(tc.key), v, at)
		if (err != nil) != tc.bad || (!tc.bad && (got.Status != tc.status || got.Location != tc.loc || got.On() != (tc.status != "discharged") || !got.Since.Equal(at))) {
			t.Errorf("%s: %+v, %v", tc.name, got, err)
		}
	}
}

func TestFromEncounterAndRecords(t *testing.T) {
	enc := func(id, status, start, loc string) []byte {
		l := ""
		if loc != "" {
			l = `,"location":[{"location":{"reference":"Location/old","display":"Old bed"},"status":"completed"},{"location":{"reference":"Location/x","display":"` + loc + `"},"status":"active"}]`
		}
		return []byte(`{"resourceType":"Encounter","id":"` + id + `","status":"` + status + `","period":{"start":"` + start + `"}` + l + `}`)
	}
	for _, tc := range []struct {
		status, want string
		discharged   bool
	}{
		{"planned", Expected, false}, {"arrived", Admitted, false}, {"triaged", Admitted, false},
		{"in-progress", Admitted, false}, {"onleave", OnLeave, false},
		{"finished", "", true}, {"cancelled", "", true}, {"entered-in-error", "", true},
	} {
		v, _, dis, ok := FromEncounter(enc("e", tc.status, "2026-11-01", "7B-1"))
		if !ok || dis != tc.discharged || (!dis && (v.Status != tc.want || v.Location != "7B-1")) {
			t.Errorf("%s: %+v discharged %v ok %v", tc.status, v, dis, ok)
		}
	}
	if _, _, _, ok := FromEncounter(enc("e", "in-progress", "2026-11-01", "")); ok {
		t.Error("an Encounter without a location made a census entry")
	}
	if _, _, _, ok := FromEncounter(enc("e", "unknown", "2026-11-01", "7B-1")); ok {
		t.Error("an Encounter of unknown status made a census entry")
	}
	recs := Records(kafka.DefaultTopics(), "7b", []Encounter{
		{"p-2", enc("a", "finished", "2026-10-01T08:00:00Z", "7B-9")},
		{"p-2", enc("b", "in-progress", "2026-11-01T08:00:00Z", "7B-2")}, // the latest decides
		{"p-1", enc("c", "in-progress", "2026-11-01T08:00:00Z", "7B-1")},
		{"p-1", enc("d", "finished", "2026-11-02T08:00:00Z", "7B-1")}, // discharged after
		{"p-3", enc("e", "in-progress", "2026-11-01T08:00:00Z", "")},  // no location: nothing
	})
	if len(recs) != 2 || string(recs[0].Key) != "Patient/p-1" || recs[0].Value != nil ||
		string(recs[1].Key) != "Patient/p-2" || string(recs[1].Value) != `{"location":"7B-2","status":"admitted"}` ||
		recs[0].Topic != "spv.census.7b" {
		for _, r := range recs {
			t.Logf("%s %s %s", r.Topic, r.Key, r.Value)
		}
		t.Fatal("Records picked the wrong entries")
	}
}
