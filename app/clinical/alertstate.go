package clinical

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Alert lifecycle states.
const (
	StateNew          = "new"
	StateAcknowledged = "acknowledged"
	StateEscalated    = "escalated"
	StateResolved     = "resolved"
)

// Action verbs.
const (
	VerbAcknowledge = "acknowledge"
	VerbEscalate    = "escalate"
	VerbResolve     = "resolve"
	VerbReopen      = "reopen"
	VerbNote        = "note"
)

// AlertStateVersion is the version of the spv.alert-state JSON this package
// writes ("v"). Readers refuse a higher version.
const AlertStateVersion = 1

// Errors callers decide on; check them with errors.Is.
var (
	// ErrIllegalTransition means the action is not allowed from the alert's
	// current state (for example escalating a resolved alert: reopen it first).
	ErrIllegalTransition = errors.New("illegal alert transition")
	// ErrInvalidAction means the action lacks an id, a known verb, a user, a
	// workstation or a time, or is a note without text, or reuses an id.
	ErrInvalidAction = errors.New("invalid alert action")
	// ErrActionOrder means the action's time is not after the latest action
	// already recorded; take the time from AlertState.NextAt.
	ErrActionOrder = errors.New("alert action is not after the latest action")
	// ErrUnsupportedVersion means an alert state was written by a newer Chartline.
	ErrUnsupportedVersion = errors.New("alert state written by a newer Chartline")
)

// Action is one thing a user did to an alert. ID is unique (see ActionID);
// At is the acting workstation's clock.
type Action struct {
	ID          string    `json:"id"`
	Verb        string    `json:"verb"`
	By          string    `json:"by"`
	Workstation string    `json:"workstation"`
	At          time.Time `json:"at"`
	Note        string    `json:"note,omitempty"`
}

// ActionID is the deterministic id of an action: "ac-" and 20 base32
// characters of the SHA-256 of (alert, workstation, user, time, verb).
func ActionID(alert, workstation, by string, at time.Time, verb string) string {
	return HashID("ac", alert, workstation, by, at.UTC().Format(time.RFC3339Nano), verb)
}

// NewAction builds an action with its deterministic id.
func NewAction(alert, verb, by, workstation, note string, at time.Time) Action {
	at = at.UTC()
	return Action{ID: ActionID(alert, workstation, by, at, verb), Verb: verb, By: by, Workstation: workstation, At: at, Note: note}
}

// AlertState is the shared state of one alert, published on spv.alert-state
// (compacted, key = alert id): the alert's identity and every action taken on
// it by any workstation. The current state is derived from the actions, so
// merging two copies is a plain union and never loses an action.
type AlertState struct {
	Alert   string   `json:"alert"`
	Patient string   `json:"patient"`
	Kind    string   `json:"kind"`
	Actions []Action `json:"actions"`
}

// NewAlertState is the state of a freshly raised alert: no actions, state new.
func NewAlertState(a Alert) AlertState {
	return AlertState{Alert: a.ID, Patient: a.Patient, Kind: a.Kind, Actions: []Action{}}
}

// actionLess is the order actions are applied in: time, then workstation, then
// id. The later action of two concurrent ones wins; a tie in time goes to the
// greater workstation id.
func actionLess(a, b *Action) bool {
	if !a.At.Equal(b.At) {
		return a.At.Before(b.At)
	}
	if a.Workstation != b.Workstation {
		return a.Workstation < b.Workstation
	}
	return a.ID < b.ID
}

// actionKey totally orders actions, content included, so that two different
// actions under one id (a bug elsewhere) still merge deterministically.
func actionKey(a *Action) string {
	return strings.Join([]string{a.At.UTC().Format(time.RFC3339Nano), a.Workstation, a.By, a.Verb, a.Note}, "\x00")
}

// canonical returns the state with actions in UTC, deduplicated by id and in
// application order, in a fresh slice.
func (s AlertState) canonical() AlertState {
	byID := make(map[string]Action, len(s.Actions))
	for _, a := range s.Actions {
		a.At = a.At.UTC()
		if old, ok := byID[a.ID]; ok && actionKey(&old) <= actionKey(&a) {
			continue
		}
		byID[a.ID] = a
	}
	out := make([]Action, 0, len(byID))
	for _, a := range byID {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return actionLess(&out[i], &out[j]) })
	s.Actions = out
	return s
}

// pick chooses between two identity fields deterministically: the non-empty
// one, or the smaller when both are set and differ.
func pick(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "" || a <= b:
		return a
	}
	return b
}

// Merge is the union of two copies of an alert's state, by action id. It is
// commutative, associative and idempotent, so copies arriving in any order, any
// number of times, from any workstation converge. Merging the states of two
// different alerts is meaningless; the result is still deterministic.
func Merge(a, b AlertState) AlertState {
	m := AlertState{
		Alert:   pick(a.Alert, b.Alert),
		Patient: pick(a.Patient, b.Patient),
		Kind:    pick(a.Kind, b.Kind),
		Actions: make([]Action, 0, len(a.Actions)+len(b.Actions)),
	}
	m.Actions = append(append(m.Actions, a.Actions...), b.Actions...)
	return m.canonical()
}

// next is the fold that derives the state from the ordered actions. It is
// total (it never refuses), because concurrent actions from other
// workstations must still give one state:
//
//	acknowledge  new → acknowledged; otherwise no change
//	escalate     any → escalated   (an escalation concurrent with a resolve, and later, wins)
//	resolve      any → resolved
//	reopen       resolved → acknowledged; otherwise no change
//	renew        acknowledged or resolved → new (a system action: see FollowUp); otherwise no change
//	note         no change
func next(state, verb string) string {
	switch verb {
	case VerbAcknowledge:
		if state == StateNew {
			return StateAcknowledged
		}
	case VerbEscalate:
		return StateEscalated
	case VerbResolve:
		return StateResolved
	case VerbReopen:
		if state == StateResolved {
			return StateAcknowledged
		}
	case VerbRenew:
		if state == StateAcknowledged || state == StateResolved {
			return StateNew
		}
	}
	return state
}

// Legal reports whether a user may take verb on an alert in state, with
// ErrIllegalTransition when not:
//
//	acknowledge  from new only
//	escalate     from new, acknowledged or escalated (re-escalating, to someone else, is allowed)
//	resolve      from new, acknowledged or escalated (resolving a false alarm straight from new is allowed)
//	reopen       from resolved only (the alert returns acknowledged: whoever reopens it has seen it)
//	note         from any state
func Legal(state, verb string) error {
	ok := false
	switch verb {
	case VerbAcknowledge:
		ok = state == StateNew
	case VerbEscalate, VerbResolve:
		ok = state == StateNew || state == StateAcknowledged || state == StateEscalated
	case VerbReopen:
		ok = state == StateResolved
	case VerbNote:
		ok = true
	default:
		return fmt.Errorf("verb %q: %w", verb, ErrInvalidAction)
	}
	if !ok {
		return fmt.Errorf("%s an alert that is %s: %w", verb, state, ErrIllegalTransition)
	}
	return nil
}

// validTime: set, and writable as an RFC 3339 time in UTC (years 1–9999).
func validTime(t time.Time) bool {
	y := t.UTC().Year()
	return !t.IsZero() && y >= 1 && y <= 9999
}

// Step is one action with the state before and after it.
type Step struct {
	Action
	From      string `json:"from"`
	To        string `json:"to"`
	Effective bool   `json:"effective"` // false when a concurrent action made it moot (a second acknowledge)
}

// Steps is the alert's history in application order, for the inbox's detail view.
func (s AlertState) Steps() []Step {
	c := s.canonical()
	out := make([]Step, 0, len(c.Actions))
	state := StateNew
	for _, a := range c.Actions {
		to := next(state, a.Verb)
		out = append(out, Step{Action: a, From: state, To: to, Effective: to != state || Legal(state, a.Verb) == nil})
		state = to
	}
	return out
}

// State is the alert's current state, derived from its actions in (At,
// Workstation, ID) order: new when there are none.
func (s AlertState) State() string {
	state := StateNew
	for _, a := range s.canonical().Actions {
		state = next(state, a.Verb)
	}
	return state
}

// Open reports whether the alert still needs attention (not resolved).
func (s AlertState) Open() bool { return s.State() != StateResolved }

// Latest returns the last action in application order.
func (s AlertState) Latest() (Action, bool) {
	c := s.canonical()
	if len(c.Actions) == 0 {
		return Action{}, false
	}
	return c.Actions[len(c.Actions)-1], true
}

// NextAt returns the time to stamp a new local action with: now, or one
// millisecond after the latest recorded action when this workstation's clock is
// behind it, so a response never sorts before what it responds to.
func (s AlertState) NextAt(now time.Time) time.Time {
	now = now.UTC()
	if l, ok := s.Latest(); ok && !now.After(l.At) {
		return l.At.Add(time.Millisecond)
	}
	return now
}

// Apply records a new local action after checking it: the fields are present
// (ErrInvalidAction), its time is after the latest action (ErrActionOrder; use
// NextAt), and the verb is legal from the current state (ErrIllegalTransition,
// see Legal). Applying an action already present is a no-op. s is not changed.
func (s AlertState) Apply(a Action) (AlertState, error) {
	a.At = a.At.UTC()
	switch {
	case a.ID == "":
		return s, fmt.Errorf("action without id: %w", ErrInvalidAction)
	case strings.TrimSpace(a.By) == "":
		return s, fmt.Errorf("action %s without user: %w", a.ID, ErrInvalidAction)
	case strings.TrimSpace(a.Workstation) == "":
		return s, fmt.Errorf("action %s without workstation: %w", a.ID, ErrInvalidAction)
	case !validTime(a.At):
		return s, fmt.Errorf("action %s without a usable time: %w", a.ID, ErrInvalidAction)
	case a.Verb == VerbNote && strings.TrimSpace(a.Note) == "":
		return s, fmt.Errorf("note %s without text: %w", a.ID, ErrInvalidAction)
	}
	c := s.canonical()
	for _, old := range c.Actions {
		if old.ID != a.ID {
			continue
		}
		if actionKey(&old) == actionKey(&a) {
			return c, nil
		}
		return s, fmt.Errorf("action id %s already used: %w", a.ID, ErrInvalidAction)
	}
	if n := len(c.Actions); n > 0 && !a.At.After(c.Actions[n-1].At) {
		return s, fmt.Errorf("action %s at %s: %w", a.ID, a.At.Format(time.RFC3339Nano), ErrActionOrder)
	}
	if err := Legal(c.State(), a.Verb); err != nil {
		return s, fmt.Errorf("alert %s: %w", s.Alert, err)
	}
	c.Actions = append(c.Actions, a)
	return c, nil
}

// alertStateJSON is the wire form on spv.alert-state, version 1:
//
//	{"v": 1, "alert": "al-…", "patient": "<patient id>", "kind": "news2",
//	 "actions": [{"id": "ac-…", "verb": "acknowledge", "by": "<user>",
//	              "workstation": "<workstation id>", "at": "2026-11-22T10:15:00Z", "note": "…"}]}
//
// Actions are written in application order with UTC times, so equal states
// give equal bytes.
type alertStateJSON struct {
	V       int      `json:"v"`
	Alert   string   `json:"alert"`
	Patient string   `json:"patient"`
	Kind    string   `json:"kind"`
	Actions []Action `json:"actions"`
}

// MarshalJSON writes the versioned wire form, canonical.
func (s AlertState) MarshalJSON() ([]byte, error) {
	c := s.canonical()
	return json.Marshal(alertStateJSON{V: AlertStateVersion, Alert: c.Alert, Patient: c.Patient, Kind: c.Kind, Actions: c.Actions})
}

// UnmarshalJSON reads the wire form; a version above AlertStateVersion is
// ErrUnsupportedVersion. Unknown fields and verbs are kept or ignored, so a
// newer minor writer does not break an older reader.
func (s *AlertState) UnmarshalJSON(b []byte) error {
	var w alertStateJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("read alert state: %w", err)
	}
	if w.V > AlertStateVersion {
		return fmt.Errorf("alert state version %d: %w", w.V, ErrUnsupportedVersion)
	}
	if w.V < 1 {
		return fmt.Errorf("read alert state: no version")
	}
	*s = AlertState{Alert: w.Alert, Patient: w.Patient, Kind: w.Kind, Actions: w.Actions}
	if s.Actions == nil {
		s.Actions = []Action{}
	}
	return nil
}

// ParseAlertState reads an spv.alert-state record value and checks that it
// names an alert and that every action has an id and a time.
func ParseAlertState(raw []byte) (AlertState, error) {
	var s AlertState
	if err := json.Unmarshal(raw, &s); err != nil {
		return AlertState{}, err
	}
	if s.Alert == "" {
		return AlertState{}, fmt.Errorf("read alert state: no alert id")
	}
	for i, a := range s.Actions {
		if a.ID == "" || !validTime(a.At) {
			return AlertState{}, fmt.Errorf("read alert state %s: action %d has no id or no usable time", s.Alert, i)
		}
	}
	return s.canonical(), nil
}
