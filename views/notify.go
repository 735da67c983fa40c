package views

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// maxBanners is how many notices the notification strip holds (the newest
// shows, the rest are in its "+N more" menu); an older one gives way to a
// newer (it is in the inbox and the chart anyway).
const maxBanners = 20

// maxDesktopNotices is how many notices of one burst get a desktop
// notification each; a larger burst (catching up after a night offline)
// gets one notification that counts them.
const maxDesktopNotices = 3

// notifier raises a desktop notification and an in-app banner for each new
// high alert and new trial match the clinical engine notices, once: a notice
// shown is marked seen through the engine (so a restart or another screen
// never repeats it), and ids handled in this session are remembered so a
// change notice that overtakes the mark cannot repeat it either.
//
// A desktop notification names no patient: it can show on a locked screen,
// in the desktop's notification history and in screen shares (as the window
// title, which never names the patient). The banner, inside the unlocked
// window, names the patient and opens the chart.
type notifier struct {
	e *env

	mu      sync.Mutex // serialises checks (start and the bridge)
	handled map[string]bool
	// catchingUp holds the notices while the feed catches up: the engine
	// scores each batch of history as it arrives, so a patient may pass
	// through a high score that is long over.
	catchingUp atomic.Bool

	// UI goroutine only.
	banners []shownBanner    // pending notices, oldest first
	strip   *ui.NoticeBanner // the strip shown for them, nil when none
	sent    int              // desktop notifications sent (tests)
}

// shownBanner is a pending notice: what the strip and its menu say of it.
type shownBanner struct {
	id, patient, kind string
	heading, text     string
	tab               int
	// text is who — title, and for an escalated alert when: who names the
	// patient ("Ñúñez Ortega, José (MRN KV-100231)"), title is the
	// notice's; alertTitle is the alert's title title was written from (""
	// for a match): when the alert's title changes (it rose), title is the
	// new one.
	who, title, alertTitle string
	escalated              time.Time
}

// compose writes the banner's text: "Ñúñez Ortega, José (MRN KV-100231) —
// NEWS2 15: high (rose from medium)", and when escalated "… · escalated
// 19:10".
func (b *shownBanner) compose(now time.Time, loc *time.Location) {
	b.text = b.who + " — " + b.title
	if !b.escalated.IsZero() {
		b.text += " · escalated " + clockText(b.escalated, now, loc)
	}
}

func newNotifier(e *env) *notifier { return &notifier{e: e, handled: map[string]bool{}} }

// start checks for unseen notices now and on every change to notices or
// alerts; it also keeps the rail's count of new alerts.
func (n *notifier) start() {
	n.e.async(n.check)
	n.e.live.listen(func(c store.Change) {
		if c.Docs[engine.KindNotice] || c.Docs[engine.KindAlert] {
			n.check()
		}
	})
}

// feedState records whether the feed is catching up; when it stops, the
// held notices are checked. Any goroutine may call it.
func (n *notifier) feedState(catchingUp bool) {
	if n.catchingUp.Swap(catchingUp) && !catchingUp {
		n.e.async(n.check)
	}
}

// notice is an engine notice with the patient's name, for the banner.
type notice struct {
	engine.Notice
	Name, MRN string
}

// check reads unseen notices and the state of the alerts and matches the
// strip shows, shows what is new, follows what changed, and marks the new
// notices seen. It runs off the UI goroutine.
func (n *notifier) check() {
	n.mu.Lock()
	defer n.mu.Unlock()
	var st standing
	var fresh []notice
	var quiet []engine.Notice // NEWS2 alerts already over: marked seen, not shown
	held := n.catchingUp.Load()
	err := n.e.store.View(func(r *store.Reader) error {
		var err error
		if st, err = readStanding(r); err != nil {
			return err
		}
		if n.e.engine == nil || held {
			return nil // no engine to mark notices seen, or catching up: no notifications
		}
		fresh, quiet, err = n.unseen(r)
		return err
	})
	if err != nil {
		n.e.log.Error("read notices", "err", errorClass(err))
		return
	}
	// Oldest first, so the strip shows the newest; ties by id, so every
	// run shows the same one.
	slices.SortStableFunc(fresh, func(a, b notice) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	for _, x := range fresh {
		n.handled[x.ID] = true
	}
	for _, x := range quiet {
		n.handled[x.ID] = true
	}
	n.e.do(func() {
		n.e.shell.SetBadge(screenAlerts, st.newAlerts)
		n.follow(st)
		if len(fresh) > 0 {
			n.show(fresh, st.titles)
		}
	})
	n.markSeen(fresh, quiet)
}

// standing is what the store says of the notices the strip may show.
type standing struct {
	newAlerts int
	// alive holds the alerts still new or escalated and in their band, and
	// the matches still standing: their banners stay.
	alive map[string]bool
	// titles holds those alerts' titles now ("NEWS2 15: high"): an alert
	// that rose since its notice has a new one.
	titles map[string]string
	// escalated holds when each escalated alert was escalated.
	escalated map[string]time.Time
}

// readStanding reads the alerts and matches.
func readStanding(r *store.Reader) (standing, error) {
	st := standing{alive: map[string]bool{}, titles: map[string]string{}, escalated: map[string]time.Time{}}
	alerts, err := engine.Alerts(r)
	if err != nil {
		return st, err
	}
	for _, a := range alerts {
		switch a.Status() {
		case clinical.StateNew:
			st.newAlerts++
		case clinical.StateEscalated:
			for _, ac := range a.State.Actions {
				if ac.Verb == clinical.VerbEscalate && ac.At.After(st.escalated[a.Alert.ID]) {
					st.escalated[a.Alert.ID] = ac.At
				}
			}
		default:
			continue
		}
		st.alive[a.Alert.ID] = !bandLeft(a.Alert)
		st.titles[a.Alert.ID] = a.Alert.Title
	}
	matches, err := r.Docs(engine.KindMatch)
	if err != nil {
		return st, err
	}
	for _, d := range matches {
		var m engine.MatchDoc
		if json.Unmarshal(d.Value, &m) == nil && m.Evaluation.Match {
			st.alive[m.ID] = true
		}
	}
	return st, nil
}

// unseen reads the notices not handled in this session, with their
// patients' names: the ones to show, and the NEWS2 alerts already over.
func (n *notifier) unseen(r *store.Reader) (fresh []notice, quiet []engine.Notice, err error) {
	ns, err := engine.Notices(r)
	if err != nil {
		return nil, nil, err
	}
	for _, nt := range ns {
		if n.handled[nt.ID] {
			continue
		}
		x := notice{Notice: nt}
		en, ok, err := r.Entry(nt.Patient)
		if err != nil {
			return nil, nil, err
		}
		if ok && en.Patient != nil {
			x.Name, x.MRN = patientName(en.Patient), en.Patient.MRN
		} else {
			x.Name = patientName(nil)
		}
		if over, err := alertOver(r, nt, en.Status); err != nil {
			return nil, nil, err
		} else if over {
			quiet = append(quiet, nt)
			continue
		}
		fresh = append(fresh, x)
	}
	return fresh, quiet, nil
}

// markSeen marks the notices seen through the engine, patient by patient.
func (n *notifier) markSeen(fresh []notice, quiet []engine.Notice) {
	if len(fresh)+len(quiet) == 0 {
		return
	}
	byPatient := map[string][]string{}
	var patients []string
	seen := func(patient, id string) {
		if _, ok := byPatient[patient]; !ok {
			patients = append(patients, patient)
		}
		byPatient[patient] = append(byPatient[patient], id)
	}
	for _, x := range fresh {
		seen(x.Patient, x.ID)
	}
	for _, x := range quiet {
		seen(x.Patient, x.ID)
	}
	slices.Sort(patients)
	for _, p := range patients {
		if err := n.e.engine.MarkSeen(p, byPatient[p]...); err != nil {
			n.e.log.Error("mark notices seen", "err", errorClass(err))
		}
	}
}

// bandLeft reports whether an early-warning alert's episode has a latest set
// in a lower band than the one the alert announces: its banner comes down
// (the alert stays New in the inbox), so a banner never shows a band the
// patient has left.
func bandLeft(a clinical.Alert) bool {
	if a.Episode == nil || a.Episode.Latest.Band == "" {
		return false
	}
	latest, announced := clinical.BandRank(a.Episode.Latest.Band), clinical.BandRank(a.Cause.Band)
	return latest >= 0 && announced >= 0 && latest < announced
}

// alertOver reports whether a notice is of a NEWS2 alert whose band the
// patient's current score has already fallen below (a state passed through
// while catching up with history): it stays in the inbox, without a
// notification.
func alertOver(r *store.Reader, nt engine.Notice, st store.Status) (bool, error) {
	if nt.Kind != "alert" {
		return false, nil
	}
	id := nt.ID
	if nt.Alert != "" {
		id = nt.Alert
	}
	d, ok, err := r.Doc(engine.KindAlert, nt.Patient, id)
	if err != nil || !ok {
		return false, err
	}
	var a engine.AlertDoc
	if json.Unmarshal(d.Value, &a) != nil || a.Alert.Kind != clinical.KindNEWS2 || st.Band == "" {
		return false, nil
	}
	return clinical.BandRank(st.Band) < clinical.BandRank(a.Alert.Cause.Band), nil
}

// show sends the desktop notifications and puts up the banners (on the UI
// goroutine); titles are the alerts' titles now.
func (n *notifier) show(fresh []notice, titles map[string]string) {
	if len(fresh) <= maxDesktopNotices {
		for _, x := range fresh {
			n.e.notify(desktopNotification(x))
			n.sent++
		}
	} else {
		n.e.notify(fyne.NewNotification("Chartline",
			fmt.Sprintf("%d new high alerts and trial matches. Open Chartline to see the patients.", len(fresh))))
		n.sent++
	}
	for _, x := range fresh {
		n.banner(x, titles)
	}
}

// desktopNotification is a notice as the desktop shows it: what happened,
// never who.
func desktopNotification(x notice) *fyne.Notification {
	if x.Kind == "match" {
		return fyne.NewNotification("Chartline: trial match", x.Title+". Open Chartline to see the patient.")
	}
	if x.Reason == engine.ReasonCleared {
		return fyne.NewNotification("Chartline: alert cleared", x.Title+". Open Chartline to see the patient.")
	}
	return fyne.NewNotification("Chartline: high alert", "New high alert: "+x.Title+". Open Chartline to see the patient.")
}

// banner adds one notice to the strip; opening it opens the chart on the
// alert's or the match's tab. An alert's banner reads the notice's title
// ("NEWS2 9: High (rose from medium)") unless the alert has risen since,
// when it reads the alert's title now ("NEWS2 15: High").
func (n *notifier) banner(x notice, titles map[string]string) {
	if x.Reason == engine.ReasonCleared {
		return // a cleared alert needs no banner: the desktop notification tells whoever acted on it
	}
	sb := shownBanner{id: x.ID, patient: x.Patient, kind: x.Kind, heading: "High alert", tab: tabAlerts}
	if x.Alert != "" {
		sb.id = x.Alert // the banner follows its alert (a re-notification replaces the earlier banner)
		for i, b := range n.banners {
			if b.id == sb.id {
				n.banners = append(n.banners[:i], n.banners[i+1:]...)
				break
			}
		}
	}
	if x.Kind == "match" {
		sb.heading, sb.tab = "Trial match", tabTrials
	}
	sb.who = x.Name
	if x.MRN != "" {
		sb.who += " (MRN " + x.MRN + ")"
	}
	sb.title = x.Title
	if cur, ok := titles[sb.id]; ok && x.Kind == "alert" {
		sb.alertTitle = cur
		if !strings.HasPrefix(sb.title, cur) {
			sb.title = cur
		}
	}
	sb.compose(n.e.now(), n.e.loc)
	n.banners = append(n.banners, sb)
	// High alerts outrank trial matches: the strip shows the newest high
	// alert while one is pending, and the menu lists alerts first. (Appends
	// come in time order, so a stable sort keeps each kind newest last.)
	slices.SortStableFunc(n.banners, func(a, b shownBanner) int {
		return boolRank(a.kind == "alert") - boolRank(b.kind == "alert")
	})
	if len(n.banners) > maxBanners {
		n.banners = n.banners[len(n.banners)-maxBanners:]
	}
	n.redraw()
}

// follow makes the banners follow their alerts' state: a banner whose alert
// is acknowledged or resolved (here or at another workstation), whose
// alert's patient has left the band it announces, or whose match no longer
// stands comes down, and the strip moves to the next; one whose alert rose
// reads the alert's title now; an escalated alert's banner stays, saying
// when it was escalated (the alert still needs a clinician until resolved).
func (n *notifier) follow(st standing) {
	kept, changed := n.banners[:0], false
	for _, b := range n.banners {
		if !st.alive[b.id] {
			changed = true
			continue
		}
		was := b.text
		if cur, ok := st.titles[b.id]; ok && b.alertTitle != "" && cur != b.alertTitle {
			b.alertTitle, b.title = cur, cur
		}
		b.escalated = st.escalated[b.id]
		b.compose(n.e.now(), n.e.loc)
		changed = changed || b.text != was
		kept = append(kept, b)
	}
	if changed {
		n.banners = kept
		n.redraw()
	}
}

// clearPatient takes down a patient's banners: their chart is open.
func (n *notifier) clearPatient(patient string) {
	kept := n.banners[:0]
	for _, b := range n.banners {
		if b.patient != patient {
			kept = append(kept, b)
		}
	}
	if len(kept) != len(n.banners) {
		n.banners = kept
		n.redraw()
	}
}

// dismiss takes one notice off the strip (its close button).
func (n *notifier) dismiss(id string) {
	for i, b := range n.banners {
		if b.id == id {
			n.banners = append(n.banners[:i], n.banners[i+1:]...)
			n.redraw()
			return
		}
	}
}

// pending is the number of notices the strip holds.
func (n *notifier) pending() int { return len(n.banners) }

// redraw shows the strip for the pending notices: the newest, with the
// others in its menu, newest first; none takes the strip down.
func (n *notifier) redraw() {
	if n.strip != nil {
		n.e.shell.ClearNotice(n.strip)
		n.strip = nil
	}
	if len(n.banners) == 0 {
		return
	}
	open := func(b shownBanner) func() { return func() { n.e.openPatientTab(b.patient, b.tab) } }
	top := n.banners[len(n.banners)-1]
	kind := ui.NoticeAlert
	if top.kind == "match" {
		kind = ui.NoticeTrial
	}
	strip := ui.NewNoticeBanner(kind, top.heading, top.text, open(top), func() { n.dismiss(top.id) })
	for i := len(n.banners) - 2; i >= 0; i-- {
		b := n.banners[i]
		strip.Others = append(strip.Others, ui.NoticeItem{Label: b.heading + " · " + b.text, Open: open(b)})
	}
	n.strip = strip
	n.e.shell.ShowNotice(strip)
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}
