package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/testenv"
	"github.com/chartline/chartline/store"
)

// historyPatient is one generated years-old record.
type historyPatient struct {
	id, birth, deceased string
	pregnant            bool
	sets                []time.Time // times of full vital-sign sets, all years ago
	child               bool
}

// historyBundle writes a Synthea-style transaction bundle (urn:uuid
// references) of a patient whose vital signs are all years old and alarming
// had they been current: NEWS2 17 (RR 28, SpO2 88 on 4 L/min, SBP 88,
// HR 135, voice, 39.6 °C) and, for children, PEWS parameters too
// (capillary refill 4 s, severe respiratory distress).
func historyBundle(t *testing.T, dir string, p historyPatient) string {
	t.Helper()
	var entries []string
	add := func(res string) {
		entries = append(entries, fmt.Sprintf(`{"fullUrl":"urn:uuid:%s","resource":%s,"request":{"method":"POST","url":"%s"}}`,
			jsonField(res, "id"), res, jsonField(res, "resourceType")))
	}
	pat := fmt.Sprintf(`{"resourceType":"Patient","id":%q,"identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"value":"MRN-%s"}],"name":[{"family":"History","given":["Test"]}],"gender":"female","birthDate":%q`, p.id, p.id, p.birth)
	if p.deceased != "" {
		pat += fmt.Sprintf(`,"deceasedDateTime":%q`, p.deceased)
	}
	add(pat + "}")
	if p.pregnant {
		add(fmt.Sprintf(`{"resourceType":"Condition","id":"%s-preg","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},"code":{"coding":[{"system":"http://snomed.info/sct","code":"72892002","display":"Normal pregnancy"}]},"subject":{"reference":"urn:uuid:%s"},"onsetDateTime":%q}`,
			p.id, p.id, p.sets[0].AddDate(0, -2, 0).Format(time.RFC3339)))
	}
	q := func(v float64, unit string) string {
		return fmt.Sprintf(`"valueQuantity":{"value":%g,"unit":%q,"system":"http://unitsofmeasure.org","code":%q}`, v, unit, unit)
	}
	for i, at := range p.sets {
		obs := func(name, system, code, value string) {
			add(fmt.Sprintf(`{"resourceType":"Observation","id":"%s-%d-%s","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],"code":{"coding":[{"system":%q,"code":%q}]},"subject":{"reference":"urn:uuid:%s"},"effectiveDateTime":%q,%s}`,
				p.id, i, name, system, code, p.id, at.UTC().Format(time.RFC3339), value))
		}
		obs("rr", "http://loinc.org", "9279-1", q(28, "/min"))
		obs("spo2", "http://loinc.org", "59408-5", q(88, "%")+`,"component":[{"code":{"coding":[{"system":"http://loinc.org","code":"3151-8"}]},`+q(4, "L/min")+`}]`)
		obs("sbp", "http://loinc.org", "8480-6", q(88, "mm[Hg]"))
		obs("hr", "http://loinc.org", "8867-4", q(135, "/min"))
		obs("avpu", "http://loinc.org", "67775-7", `"valueCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"300202002"}]}`)
		obs("temp", "http://loinc.org", "8310-5", q(39.6, "Cel"))
		if p.child {
			obs("crt", "http://loinc.org", "44963-7", q(4, "s"))
			obs("rd", "http://snomed.info/sct", "1364081000000103", `"valueCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"24484000"}],"text":"Severe"}`)
		}
	}
	path := filepath.Join(dir, p.id+".json")
	body := `{"resourceType":"Bundle","type":"transaction","entry":[` + strings.Join(entries, ",") + `]}`
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func jsonField(res, field string) string {
	var m map[string]any
	if err := json.Unmarshal([]byte(res), &m); err != nil {
		panic(fmt.Sprintf("generated resource: %v", err))
	}
	return fmt.Sprint(m[field])
}

// TestYearsOldHistoriesRaiseNothing ingests a generated corpus of years-old
// histories (adults, children, the deceased, a pregnancy) through a kfake
// broker, the real store and the clinical engine: nobody gets a current
// band, and no alert is New, though every set would score high today.
func TestYearsOldHistoriesRaiseNothing(t *testing.T) {
	e := testenv.New(t, kafka.BrokerOptions{})
	dir := t.TempDir()
	settings := filepath.Join(dir, "settings.json")
	db := filepath.Join(dir, "c.db")
	const pass = "history test passphrase"
	t.Setenv(EnvPassphrase, pass)

	patients := historyCorpus(time.Now().UTC())
	var files []string
	for _, p := range patients {
		files = append(files, historyBundle(t, dir, p))
	}
	args := append([]string{"publish", "-brokers", e.Broker.Addr(), "-settings", settings}, files...)
	if code, _, errs := run(t, args...); code != 0 {
		t.Fatalf("publish exit %d: %s", code, errs)
	}
	if code, _, errs := run(t, "ingest", "-brokers", e.Broker.Addr(), "-settings", settings, "-db", db, "-until-caught-up"); code != 0 {
		t.Fatalf("ingest exit %d: %s", code, errs)
	}

	s, err := store.Open(db, []byte(pass), nil)
	if err != nil {
		t.Fatal(err)
	}
	past := 0
	err = s.View(func(r *store.Reader) error {
		for _, p := range patients {
			n, err := checkHistoryPatient(t, r, p)
			if err != nil {
				return err
			}
			past += n
		}
		notices, err := engine.Notices(r)
		if err != nil {
			return err
		}
		if len(notices) != 0 {
			t.Errorf("notices after ingesting history: %+v", notices)
		}
		if past == 0 { // the adults' high sets are in their history, as past episodes
			t.Errorf("no past episode: the history was not scored at all")
		}
		return nil
	})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	checkInspectChildNow(t, db)
}

// historyCorpus generates the years-old histories relative to now: adults,
// children, the deceased and pregnancies, with sets 3 to 7 years old, and a
// child still a child today whose last set is 6 weeks old.
func historyCorpus(now time.Time) []historyPatient {
	ago := func(years int, days int) time.Time { return now.AddDate(-years, 0, -days).Truncate(time.Minute) }
	var patients []historyPatient
	for i := 0; i < 12; i++ {
		sets := []time.Time{ago(3+i%5, 10), ago(3+i%5, 9), ago(3+i%5, 8)}
		switch i % 4 {
		case 0: // an adult seen years ago
			patients = append(patients, historyPatient{id: fmt.Sprintf("hist-adult-%d", i), birth: fmt.Sprintf("%d-03-01", 1950+i), sets: sets})
		case 1: // a child then (born a few years before the sets)
			born := sets[0].AddDate(-(1 + i%12), -3, 0)
			patients = append(patients, historyPatient{id: fmt.Sprintf("hist-child-%d", i), birth: born.Format("2006-01-02"), sets: sets, child: true})
		case 2: // died years ago
			patients = append(patients, historyPatient{id: fmt.Sprintf("hist-dead-%d", i), birth: "1940-06-01", deceased: sets[2].AddDate(0, 0, 3).Format("2006-01-02"), sets: sets})
		case 3: // pregnant at the time
			patients = append(patients, historyPatient{id: fmt.Sprintf("hist-preg-%d", i), birth: "1990-02-02", pregnant: true, sets: sets})
		}
	}
	// A child still a child today, whose last set is 6 weeks old.
	patients = append(patients, historyPatient{id: "hist-child-now", birth: now.AddDate(-7, 0, 0).Format("2006-01-02"), child: true,
		sets: []time.Time{now.AddDate(0, 0, -42).Truncate(time.Minute)}})
	return patients
}

// checkHistoryPatient checks one years-old record in the store: no current
// band in the census, NEWS2 stale or not applicable (and why), PEWS stale for
// children, and every alert past history; it returns how many alerts are past.
func checkHistoryPatient(t *testing.T, r *store.Reader, p historyPatient) (past int, err error) {
	t.Helper()
	en, ok, err := r.Entry(p.id)
	if err != nil || !ok {
		return 0, fmt.Errorf("%s: entry %v %v", p.id, ok, err)
	}
	if en.Status.Band != clinical.BandNone || clinical.ScoreCurrent(en.Status.ScoreStatus) {
		t.Errorf("%s: census band %q status %q, want none and not current", p.id, en.Status.Band, en.Status.ScoreStatus)
	}
	n, _, err := engine.LatestNEWS2(r, p.id)
	if err != nil {
		return 0, err
	}
	pd, hasPEWS, err := engine.LatestPEWS(r, p.id)
	if err != nil {
		return 0, err
	}
	// Adults' sets are stale; NEWS2 does not apply to the dead, to a
	// pregnancy at the time, nor to a child at the time of the sets.
	want := clinical.StatusStale
	if p.deceased != "" || p.pregnant || p.child {
		want = clinical.StatusNotApplicable
	}
	if n.Result.Band != clinical.BandNone || n.Result.Status != want {
		t.Errorf("%s: NEWS2 band %q status %q, want none %q (%s)", p.id, n.Result.Band, n.Result.Status, want, n.Result.Why)
	}
	if p.deceased != "" && (n.Result.Status != clinical.StatusNotApplicable || !strings.Contains(n.Result.Why, "deceased")) {
		t.Errorf("%s: deceased: NEWS2 %q %q", p.id, n.Result.Status, n.Result.Why)
	}
	if p.pregnant && n.Result.Status != clinical.StatusNotApplicable {
		t.Errorf("%s: pregnant then: NEWS2 %q %q", p.id, n.Result.Status, n.Result.Why)
	}
	if p.child {
		if !hasPEWS || pd.Result.Band != clinical.PEWSNone || pd.Result.Status != clinical.StatusStale {
			t.Errorf("%s: PEWS %v band %q status %q", p.id, hasPEWS, pd.Result.Band, pd.Result.Status)
		}
		if !strings.Contains(n.Result.Why, "PEWS shown") {
			t.Errorf("%s: NEWS2 why %q", p.id, n.Result.Why)
		}
	}
	alerts, err := engine.PatientAlerts(r, p.id)
	if err != nil {
		return 0, err
	}
	for _, a := range alerts {
		if a.Status() == clinical.StatePast {
			past++
		}
		if st := a.Status(); st == clinical.StateNew || clinical.OpenState(st) {
			t.Errorf("%s: alert %s %s is %s, want past history", p.id, a.Alert.Kind, a.Alert.Title, st)
		}
	}
	return past, nil
}

// checkInspectChildNow checks that inspect says the same of the child still a
// child today, with the words.
func checkInspectChildNow(t *testing.T, db string) {
	t.Helper()
	code, out, errs := run(t, "inspect", "-db", db, "-patient", "hist-child-now")
	if code != 0 {
		t.Fatalf("inspect exit %d: %s", code, errs)
	}
	var ins struct {
		NEWS2 struct{ Band, Status, Why string } `json:"news2"`
		PEWS  *struct {
			Band    string `json:"band"`
			AgeBand string `json:"age_band"`
			Status  string `json:"status"`
		} `json:"pews"`
	}
	if err := json.Unmarshal([]byte(out), &ins); err != nil {
		t.Fatal(err)
	}
	if ins.NEWS2.Band != "none" || ins.NEWS2.Status != "not-applicable" || ins.NEWS2.Why != "NEWS2 does not apply: age 6 — PEWS shown" ||
		ins.PEWS == nil || ins.PEWS.Band != "none" || ins.PEWS.Status != "stale" || ins.PEWS.AgeBand != "5-12y" {
		t.Fatalf("inspect -patient hist-child-now:\n%s", out)
	}
}
