package views

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/chartline/chartline/app/record"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// BenchmarkCensusSearch is p8's search figure: one keystroke in the census
// search at 10,000 patients, from the entry's change to the rows refiltered,
// re-sorted and the list refreshed (the frame that follows is the driver's).
// The patients are real FHIR Patient resources decoded by the feed's rules.
// Budget: 16 ms, one frame.
func BenchmarkCensusSearch(b *testing.B) {
	const patients = 10_000
	s, err := store.Create(filepath.Join(b.TempDir(), "census.db"), []byte("bench"), &store.Options{KDF: store.TestKDF, NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	families := []string{"Ødegaard", "Nakamura", "Okafor", "García", "Smith", "Kowalska", "Nguyen", "Haddad", "Brontë", "Ivanova"}
	givens := []string{"Åse", "Kenji", "Chidi", "Lucía", "John", "Zofia", "Linh", "Omar", "Zoë", "Olga"}
	var puts []store.Resource
	for i := range patients {
		id := fmt.Sprintf("pt-%05d", i)
		js := fmt.Sprintf(`{"resourceType":"Patient","id":%q,"identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"value":"MRN-%07d"}],"name":[{"family":%q,"given":[%q]}],"gender":"female","birthDate":"%d-%02d-%02d"}`,
			id, 1000000+i*7, families[i%len(families)]+fmt.Sprint(i/100), givens[(i/10)%len(givens)], 1930+i%80, 1+i%12, 1+i%28)
		d, err := record.Decode([]byte("Patient/"+id), []byte(js), id)
		if err != nil {
			b.Fatal(err)
		}
		puts = append(puts, store.Resource{Ref: store.Ref{Collection: id, Type: "Patient", ID: id}, JSON: []byte(js), Meta: d.Meta})
		if len(puts) == 1000 {
			if _, err := s.Apply(&store.Batch{Puts: puts}); err != nil {
				b.Fatal(err)
			}
			puts = puts[:0]
		}
	}
	a := test.NewTempApp(b)
	a.Settings().SetTheme(ui.NewTheme(ui.ModeLight))
	w := test.NewTempWindow(b, nil)
	w.Resize(windowSize)
	e := newEnv(envOptions{
		window: w, store: s,
		now:   func() time.Time { return fixtureNow },
		loc:   time.UTC,
		async: func(fn func()) { fn() },
	})
	e.shell.Install()
	e.start()
	w.Resize(windowSize)
	w.Canvas().Capture()
	v := e.census
	if v == nil || len(v.rows) != patients {
		b.Fatalf("census holds %d rows, want %d", len(v.rows), patients)
	}
	// A clinician types a name, a birth year, an MRN, and clears it.
	keys := []string{"o", "ok", "oka", "okaf", "", "1", "19", "195", "1951", "", "m", "mr", "mrn-1", "mrn-10", ""}
	b.ResetTimer()
	var total time.Duration
	shown := 0
	for i := range b.N {
		for _, q := range keys {
			start := time.Now()
			v.search.SetText(q)
			total += time.Since(start)
			shown += len(v.shown)
		}
		if i == 0 && shown == 0 {
			b.Fatal("no search matched a patient")
		}
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N*len(keys)), "ms/keystroke")
}
