package views

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"fyne.io/fyne/v2"

	"github.com/chartline/chartline/app/clinical"
	"github.com/chartline/chartline/app/engine"
	"github.com/chartline/chartline/store"
	"github.com/chartline/chartline/ui"
)

// maxBanners is how many notice banners stack above the screens; an older
// one gives way to a newer (it is in the inbox and the chart anyway).
const maxBanners = 3

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
	banners []shownBanner
	sent    int // desktop notifications sent (tests)
}

type shownBanner struct {
	id, patient string
	b           *ui.NoticeBanner
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

// check reads unseen notices and the count of new alerts, shows what is
// new, and marks it seen. It runs off the UI goroutine.
func (n *notifier) check() {
	n.mu.Lock()
	defer n.mu.Unlock()
	var fresh []notice
	var quiet []engine.Notice // NEWS2 alerts already over: marked seen, not shown
	newAlerts := 0
	held := n.catchingUp.Load()
	err := n.e.store.View(func(r *store.Reader) error {
		alerts, err := engine.Alerts(r)
		if err != nil {
			return err
		}
		for _, a := range alerts {
			if a.Status() == clinical.StateNew {
				newAlerts++
			}
		}
		if n.e.engine == nil || held {
			return nil // no engine to mark notices seen, or catching up: no notifications
		}
		ns, err := engine.Notices(r)
		if err != nil {
			return err
		}
		for _, nt := range ns {
			if n.handled[nt.ID] {
				continue
			}
			x := notice{Notice: nt}
			en, ok, err := r.Entry(nt.Patient)
			if err != nil {
				return err
			}
			if ok && en.Patient != nil {
				x.Name, x.MRN = patientName(en.Patient), en.Patient.MRN
			} else {
				x.Name = patientName(nil)
			}
			if over, err := alertOver(r, nt, en.Status); err != nil {
				return err
			} else if over {
				quiet = append(quiet, nt)
				continue
			}
			fresh = append(fresh, x)
		}
		return nil
	})
	if err != nil {
		n.e.log.Error("read notices", "err", errorClass(err))
		return
	}
	for _, x := range fresh {
		n.handled[x.ID] = true
	}
	for _, x := range quiet {
		n.handled[x.ID] = true
	}
	n.e.do(func() {
		n.e.shell.SetBadge(screenAlerts, newAlerts)
		if len(fresh) > 0 {
			n.show(fresh)
		}
	})
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

// alertOver reports whether a notice is of a NEWS2 alert whose band the
// patient's current score has already fallen below (a state passed through
// while catching up with history): it stays in the inbox, without a
// notification.
func alertOver(r *store.Reader, nt engine.Notice, st store.Status) (bool, error) {
	if nt.Kind != "alert" {
		return false, nil
	}
	d, ok, err := r.Doc(engine.KindAlert, nt.Patient, nt.ID)
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
// goroutine).
func (n *notifier) show(fresh []notice) {
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
		n.banner(x)
	}
}

// desktopNotification is a notice as the desktop shows it: what happened,
// never who.
func desktopNotification(x notice) *fyne.Notification {
	if x.Kind == "match" {
		return fyne.NewNotification("Chartline: trial match", x.Title+". Open Chartline to see the patient.")
	}
	return fyne.NewNotification("Chartline: high alert", "New high alert: "+x.Title+". Open Chartline to see the patient.")
}

// banner puts up one notice's banner; opening it opens the chart on the
// alert's or the match's tab.
func (n *notifier) banner(x notice) {
	kind, heading, tab := ui.NoticeAlert, "High alert", tabAlerts
	if x.Kind == "match" {
		kind, heading, tab = ui.NoticeTrial, "Trial match", tabTrials
	}
	who := x.Name
	if x.MRN != "" {
		who += " (MRN " + x.MRN + ")"
	}
	var b *ui.NoticeBanner
	b = ui.NewNoticeBanner(kind, heading, who+" — "+x.Title,
		func() { n.e.openPatientTab(x.Patient, tab) },
		func() { n.remove(b) })
	n.banners = append(n.banners, shownBanner{id: x.ID, patient: x.Patient, b: b})
	n.e.shell.ShowNotice(b)
	for len(n.banners) > maxBanners {
		n.remove(n.banners[0].b)
	}
}

// clearPatient takes down a patient's banners: their chart is open.
func (n *notifier) clearPatient(patient string) {
	for _, s := range slices.Clone(n.banners) {
		if s.patient == patient {
			n.remove(s.b)
		}
	}
}

// remove takes a banner down.
func (n *notifier) remove(b *ui.NoticeBanner) {
	for i, s := range n.banners {
		if s.b == b {
			n.banners = append(n.banners[:i], n.banners[i+1:]...)
			n.e.shell.ClearNotice(b)
			return
		}
	}
}
