package views

import (
	"fmt"
	"slices"
	"sync"

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

	// UI goroutine only.
	banners []shownBanner
	sent    int // desktop notifications sent (tests)
}

type shownBanner struct {
	id string
	b  *ui.NoticeBanner
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
	newAlerts := 0
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
		if n.e.engine == nil {
			return nil // no engine to mark notices seen: no notifications
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
			if en, ok, err := r.Entry(nt.Patient); err == nil && ok && en.Patient != nil {
				x.Name, x.MRN = patientName(en.Patient), en.Patient.MRN
			} else {
				x.Name = patientName(nil)
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
	n.e.do(func() {
		n.e.shell.SetBadge(screenAlerts, newAlerts)
		if len(fresh) > 0 {
			n.show(fresh)
		}
	})
	if len(fresh) == 0 {
		return
	}
	byPatient := map[string][]string{}
	var patients []string
	for _, x := range fresh {
		if _, ok := byPatient[x.Patient]; !ok {
			patients = append(patients, x.Patient)
		}
		byPatient[x.Patient] = append(byPatient[x.Patient], x.ID)
	}
	slices.Sort(patients)
	for _, p := range patients {
		if err := n.e.engine.MarkSeen(p, byPatient[p]...); err != nil {
			n.e.log.Error("mark notices seen", "err", errorClass(err))
		}
	}
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
		func() {
			n.remove(b)
			n.e.openPatientTab(x.Patient, tab)
		},
		func() { n.remove(b) })
	n.banners = append(n.banners, shownBanner{id: x.ID, b: b})
	n.e.shell.ShowNotice(b)
	for len(n.banners) > maxBanners {
		n.remove(n.banners[0].b)
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
