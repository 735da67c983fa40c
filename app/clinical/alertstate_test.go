package clinical

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"testing/quick"
	"time"
)

const testAlert = "al-test"

func act(verb, by, ws string, at time.Time, note string) Action {
	return NewAction(testAlert, verb, by, ws, note, at)
}

func fresh() AlertState {
	return NewAlertState(Alert{ID: testAlert, Patient: testPatient, Kind: KindNEWS2})
}

// apply applies actions one minute apart from t0, failing the test on error.
func apply(t *testing.T, verbs ...string) AlertState {
	t.Helper()
	s := fresh()
	for i, v := range verbs {
		var err error
		s, err = s.Apply(act(v, "dr.a", "ws-1", t0.Add(time.Duration(i)*time.Minute), "note "+v))
		if err != nil {
			t.Fatalf("setup %v: %v", verbs, err)
		}
	}
	return s
}

func TestLifecycle(t *testing.T) {
	cases := []struct {
		from  []string // verbs that reach the starting state
		verb  string
		want  string // state after, "" when refused
		state string // starting state (checked)
	}{
		{nil, VerbAcknowledge, StateAcknowledged, StateNew},
		{nil, VerbEscalate, StateEscalated, StateNew},
		{nil, VerbResolve, StateResolved, StateNew},
		{nil, VerbReopen, "", StateNew},
		{nil, VerbNote, StateNew, StateNew},
		{[]string{VerbAcknowledge}, VerbAcknowledge, "", StateAcknowledged},
		{[]string{VerbAcknowledge}, VerbEscalate, StateEscalated, StateAcknowledged},
		{[]string{VerbAcknowledge}, VerbResolve, StateResolved, StateAcknowledged},
		{[]string{VerbAcknowledge}, VerbReopen, "", StateAcknowledged},
		{[]string{VerbAcknowledge}, VerbNote, StateAcknowledged, StateAcknowledged},
		{[]string{VerbEscalate}, VerbAcknowledge, "", StateEscalated},
		{[]string{VerbEscalate}, VerbEscalate, StateEscalated, StateEscalated},
		{[]string{VerbEscalate}, VerbResolve, StateResolved, StateEscalated},
		{[]string{VerbEscalate}, VerbReopen, "", StateEscalated},
		{[]string{VerbResolve}, VerbAcknowledge, "", StateResolved},
		{[]string{VerbResolve}, VerbEscalate, "", StateResolved},
		{[]string{VerbResolve}, VerbResolve, "", StateResolved},
		{[]string{VerbResolve}, VerbReopen, StateAcknowledged, StateResolved},
		{[]string{VerbResolve}, VerbNote, StateResolved, StateResolved},
		{[]string{VerbResolve, VerbReopen}, VerbEscalate, StateEscalated, StateAcknowledged},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%v then %s", c.from, c.verb), func(t *testing.T) {
			s := apply(t, c.from...)
			if s.State() != c.state {
				t.Fatalf("start state %s, want %s", s.State(), c.state)
			}
			a := act(c.verb, "dr.b", "ws-2", t0.Add(time.Hour), "why")
			got, err := s.Apply(a)
			if c.want == "" {
				if !errors.Is(err, ErrIllegalTransition) {
					t.Fatalf("want ErrIllegalTransition, got %v", err)
				}
				if !reflect.DeepEqual(got, s) {
					t.Fatalf("refused action changed the state")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.State() != c.want || len(got.Actions) != len(s.Actions)+1 {
				t.Fatalf("state %s with %d actions, want %s", got.State(), len(got.Actions), c.want)
			}
			if len(s.Actions) != len(c.from) {
				t.Fatalf("Apply changed its receiver")
			}
		})
	}
}

func TestApplyValidation(t *testing.T) {
	s := apply(t, VerbAcknowledge) // latest action at t0
	ok := act(VerbNote, "dr.b", "ws-2", t0.Add(time.Minute), "called family")
	cases := []struct {
		name string
		a    Action
		err  error
	}{
		{"no id", func() Action { a := ok; a.ID = ""; return a }(), ErrInvalidAction},
		{"no user", func() Action { a := ok; a.By = " "; return a }(), ErrInvalidAction},
		{"no workstation", func() Action { a := ok; a.Workstation = ""; return a }(), ErrInvalidAction},
		{"no time", func() Action { a := ok; a.At = time.Time{}; return a }(), ErrInvalidAction},
		{"note without text", act(VerbNote, "dr.b", "ws-2", t0.Add(time.Minute), ""), ErrInvalidAction},
		{"unknown verb", act("delete", "dr.b", "ws-2", t0.Add(time.Minute), ""), ErrInvalidAction},
		{"same time as latest", act(VerbNote, "dr.b", "ws-2", t0, "x"), ErrActionOrder},
		{"before latest", act(VerbNote, "dr.b", "ws-2", t0.Add(-time.Second), "x"), ErrActionOrder},
		{"id reused with other content", func() Action { a := ok; a.ID = s.Actions[0].ID; return a }(), ErrInvalidAction},
		{"valid", ok, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Apply(c.a)
			if !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
				t.Fatalf("err %v, want %v", err, c.err)
			}
		})
	}
	t.Run("reapplying an action is a no-op", func(t *testing.T) {
		again, err := s.Apply(s.Actions[0])
		if err != nil || len(again.Actions) != 1 {
			t.Fatalf("%v, %d actions", err, len(again.Actions))
		}
	})
	t.Run("NextAt", func(t *testing.T) {
		if got := s.NextAt(t0.Add(-time.Hour)); !got.Equal(t0.Add(time.Millisecond)) {
			t.Fatalf("clock behind: %v", got)
		}
		if got := s.NextAt(t0); !got.Equal(t0.Add(time.Millisecond)) {
			t.Fatalf("clock equal: %v", got)
		}
		if got := s.NextAt(t0.Add(time.Hour)); !got.Equal(t0.Add(time.Hour)) {
			t.Fatalf("clock ahead: %v", got)
		}
		if got := fresh().NextAt(t0); !got.Equal(t0) {
			t.Fatalf("no actions: %v", got)
		}
		behind := act(VerbNote, "dr.b", "ws-2", s.NextAt(t0.Add(-time.Hour)), "x")
		if _, err := s.Apply(behind); err != nil {
			t.Fatalf("action at NextAt refused: %v", err)
		}
	})
}

func TestConcurrentActions(t *testing.T) {
	base := apply(t, VerbAcknowledge) // both workstations have seen the acknowledge
	cases := []struct {
		name string
		a, b Action
		want string
	}{
		{"resolve then later escalate: escalation wins",
			act(VerbResolve, "dr.a", "ws-a", t0.Add(10*time.Minute), "fine"),
			act(VerbEscalate, "dr.b", "ws-b", t0.Add(11*time.Minute), "worse"), StateEscalated},
		{"escalate then later resolve: resolve wins",
			act(VerbEscalate, "dr.a", "ws-a", t0.Add(10*time.Minute), "worse"),
			act(VerbResolve, "dr.b", "ws-b", t0.Add(11*time.Minute), "fine"), StateResolved},
		{"same instant: greater workstation id wins (ws-b resolves)",
			act(VerbEscalate, "dr.a", "ws-a", t0.Add(10*time.Minute), "worse"),
			act(VerbResolve, "dr.b", "ws-b", t0.Add(10*time.Minute), "fine"), StateResolved},
		{"same instant: greater workstation id wins (ws-b escalates)",
			act(VerbResolve, "dr.a", "ws-a", t0.Add(10*time.Minute), "fine"),
			act(VerbEscalate, "dr.b", "ws-b", t0.Add(10*time.Minute), "worse"), StateEscalated},
		{"two resolves",
			act(VerbResolve, "dr.a", "ws-a", t0.Add(10*time.Minute), "fine"),
			act(VerbResolve, "dr.b", "ws-b", t0.Add(10*time.Minute), "fine too"), StateResolved},
		{"a note and a concurrent later resolve",
			act(VerbNote, "dr.a", "ws-a", t0.Add(10*time.Minute), "checking"),
			act(VerbResolve, "dr.b", "ws-b", t0.Add(11*time.Minute), "fine"), StateResolved},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sa, err := base.Apply(c.a)
			if err != nil {
				t.Fatal(err)
			}
			sb, err := base.Apply(c.b)
			if err != nil {
				t.Fatal(err)
			}
			m1, m2 := Merge(sa, sb), Merge(sb, sa)
			if m1.State() != c.want || m2.State() != c.want {
				t.Fatalf("merged states %s / %s, want %s", m1.State(), m2.State(), c.want)
			}
			if len(m1.Actions) != 3 {
				t.Fatalf("merged %d actions, want 3 (no action lost)", len(m1.Actions))
			}
			j1, _ := json.Marshal(m1)
			j2, _ := json.Marshal(m2)
			if !bytes.Equal(j1, j2) {
				t.Fatalf("merge order changed the bytes:\n%s\n%s", j1, j2)
			}
		})
	}
	t.Run("a time tie goes to the workstation id, not the action id", func(t *testing.T) {
		at := t0.Add(10 * time.Minute)
		esc := act(VerbEscalate, "dr.z", "ws-z", at, "worse")
		esc.ID = "ac-aaaa" // sorts first by action id
		res := act(VerbResolve, "dr.a", "ws-a", at, "fine")
		res.ID = "ac-zzzz"
		m := Merge(mustApply(t, base, esc), mustApply(t, base, res))
		if m.State() != StateEscalated {
			t.Fatalf("state %s: ws-z acted last at the same instant, its escalation must win", m.State())
		}
	})
	t.Run("steps say which actions took effect", func(t *testing.T) {
		a := act(VerbResolve, "dr.a", "ws-a", t0.Add(10*time.Minute), "")
		b := act(VerbResolve, "dr.b", "ws-b", t0.Add(11*time.Minute), "")
		m := Merge(mustApply(t, base, a), mustApply(t, base, b))
		steps := m.Steps()
		if len(steps) != 3 || !steps[1].Effective || steps[2].Effective || steps[2].From != StateResolved {
			t.Fatalf("steps %+v", steps)
		}
	})
}

func mustApply(t *testing.T, s AlertState, a Action) AlertState {
	t.Helper()
	s, err := s.Apply(a)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// randomState draws a state holding a random subset of a shared pool of
// actions, so different states overlap the way real copies do.
func randomState(r *rand.Rand, pool []Action) AlertState {
	s := AlertState{Alert: testAlert, Patient: testPatient, Kind: KindNEWS2}
	for _, i := range r.Perm(len(pool))[:r.Intn(len(pool)+1)] {
		a := pool[i]
		if r.Intn(3) == 0 { // the same instant in another zone: must not matter
			a.At = a.At.In(time.FixedZone("x", 3600))
		}
		s.Actions = append(s.Actions, a)
	}
	return s
}

func actionPool(r *rand.Rand, n int) []Action {
	verbs := []string{VerbAcknowledge, VerbEscalate, VerbResolve, VerbReopen, VerbNote}
	pool := make([]Action, n)
	for i := range pool {
		// Few distinct times and workstations, so ties are common.
		at := t0.Add(time.Duration(r.Intn(5)) * time.Minute)
		pool[i] = act(verbs[r.Intn(len(verbs))], fmt.Sprintf("user%d", r.Intn(3)), fmt.Sprintf("ws-%d", r.Intn(3)), at, fmt.Sprint(i))
		pool[i].ID = fmt.Sprintf("ac-%02d", i) // distinct even when the rest collides
	}
	return pool
}

func encode(t *testing.T, s AlertState) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestMergeProperties proves, on seeded random states, that Merge is
// commutative, associative and idempotent and that the derived state does not
// depend on the order copies arrive in.
func TestMergeProperties(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	for i := 0; i < 500; i++ {
		pool := actionPool(r, 1+r.Intn(8))
		a, b, c := randomState(r, pool), randomState(r, pool), randomState(r, pool)
		if encode(t, Merge(a, b)) != encode(t, Merge(b, a)) {
			t.Fatalf("not commutative:\n%s\n%s", encode(t, a), encode(t, b))
		}
		if encode(t, Merge(Merge(a, b), c)) != encode(t, Merge(a, Merge(b, c))) {
			t.Fatalf("not associative")
		}
		if encode(t, Merge(a, a)) != encode(t, a) || encode(t, Merge(Merge(a, b), b)) != encode(t, Merge(a, b)) {
			t.Fatalf("not idempotent")
		}
		// Every arrival order of the copies gives the same state.
		all := []AlertState{a, b, c}
		want := Merge(Merge(a, b), c).State()
		for _, p := range [][]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}} {
			m := AlertState{}
			for _, j := range p {
				m = Merge(m, all[j])
			}
			if m.State() != want {
				t.Fatalf("order %v gives %s, want %s", p, m.State(), want)
			}
		}
		// Merging into an empty state keeps the alert's identity.
		if m := Merge(AlertState{}, a); m.Alert != testAlert || m.Patient != testPatient || m.Kind != KindNEWS2 {
			t.Fatalf("identity lost merging into empty: %+v", m)
		}
		// Nothing is lost: the union holds every action of every copy.
		ids := map[string]bool{}
		for _, s := range all {
			for _, x := range s.Actions {
				ids[x.ID] = true
			}
		}
		if got := Merge(Merge(a, b), c); len(got.Actions) != len(ids) {
			t.Fatalf("merged %d actions, want %d", len(got.Actions), len(ids))
		}
	}
}

// TestMergeQuick states commutativity once more with testing/quick driving
// the seeds.
func TestMergeQuick(t *testing.T) {
	f := func(seed int64) bool {
		r := rand.New(rand.NewSource(seed))
		pool := actionPool(r, 6)
		a, b := randomState(r, pool), randomState(r, pool)
		return encode(t, Merge(a, b)) == encode(t, Merge(b, a)) && Merge(a, b).State() == Merge(b, a).State()
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 300, Rand: rand.New(rand.NewSource(1))}); err != nil {
		t.Fatal(err)
	}
}

func TestMergeConflictingDuplicateID(t *testing.T) {
	x := act(VerbResolve, "dr.a", "ws-a", t0, "one")
	y := x
	y.Note = "two"
	a := AlertState{Alert: testAlert, Actions: []Action{x}}
	b := AlertState{Alert: testAlert, Actions: []Action{y}}
	if encode(t, Merge(a, b)) != encode(t, Merge(b, a)) || len(Merge(a, b).Actions) != 1 {
		t.Fatalf("conflicting duplicate id does not merge deterministically")
	}
}

func TestAlertStateJSON(t *testing.T) {
	s := apply(t, VerbAcknowledge, VerbEscalate)
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), `{"v":1,"alert":"al-test","patient":"pt-1","kind":"news2","actions":[{"id":"ac-`) {
		t.Fatalf("wire form: %s", b)
	}
	back, err := ParseAlertState(b)
	if err != nil {
		t.Fatal(err)
	}
	if encode(t, back) != string(b) || back.State() != StateEscalated {
		t.Fatalf("round trip: %s", encode(t, back))
	}

	for _, c := range []struct {
		raw string
		err error
	}{
		{`{"v":2,"alert":"al-x","actions":[]}`, ErrUnsupportedVersion},
		{`{"alert":"al-x","actions":[]}`, nil},
		{`{"v":1,"actions":[]}`, nil},
		{`{"v":1,"alert":"al-x","actions":[{"verb":"resolve","at":"2026-11-22T10:00:00Z"}]}`, nil},
		{`not json`, nil},
	} {
		_, err := ParseAlertState([]byte(c.raw))
		if err == nil || (c.err != nil && !errors.Is(err, c.err)) {
			t.Errorf("%s: err %v, want %v", c.raw, err, c.err)
		}
	}
	// Unknown fields and verbs from a newer minor writer are tolerated.
	s2, err := ParseAlertState([]byte(`{"v":1,"alert":"al-x","future":true,"actions":[{"id":"ac-1","verb":"snooze","by":"u","workstation":"w","at":"2026-11-22T10:00:00Z"}]}`))
	if err != nil || s2.State() != StateNew || len(s2.Actions) != 1 {
		t.Fatalf("tolerant read: %v %+v", err, s2)
	}
}

func BenchmarkMerge(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	pool := actionPool(r, 40)
	x, y := randomState(r, pool), randomState(r, pool)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = Merge(x, y).State()
	}
}
