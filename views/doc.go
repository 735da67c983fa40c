// Package views holds Chartline's screens, in the window shell of package
// ui, one screen per file: unlock, census, the single patient view (banner,
// summary, timeline, trends, alerts, trials), the alert inbox, quarantine,
// settings and the status bar; and the notifications (desktop and banner).
//
// # Data path
//
// Screens read the store and never write resources. Reading happens off the
// UI goroutine: a screen's view model (census rows, a patient's chart) is
// built from one store snapshot in the background and handed to the widgets
// with fyne.Do. A bridge goroutine follows the store's change notices and
// gives each open screen the part that concerns it: the census re-reads only
// the patients a notice names and refreshes their rows; the open patient is
// re-read only when a notice names that patient.
//
// # Wiring
//
// main.go builds the Fyne app and window and hands them over; views never
// imports fyne.io/fyne/v2/app, so its tests build without cgo or a display:
//
//	a := app.NewWithID("…")
//	w := a.NewWindow("Chartline")
//	u := views.Run(ctx, views.Options{Window: w, Config: cfg, ConfigPath: path}) // unlock, then census
//	// demo: views.Options{Window: w, Config: cfg, Session: ss} with ss from session.Demo
//	w.ShowAndRun()
//	u.Close() // then close a demo session
//
// Rail screens are listed in screens() (run.go) and patient tabs in
// patientTabs (patient.go); env.openPatient opens a chart from anywhere, and
// the shell's ShowNotice carries in-app banners.
//
// # Writes
//
// The only writes screens make go through the clinical engine: alert
// actions (Engine.Act), notices marked seen (Engine.MarkSeen) and chart
// opens (Engine.ChartOpened). The engine saves them locally with their
// outbox records; the change notice of that commit redraws the screens, so
// an action shows the same way whether it was taken here or arrived from
// another workstation. The settings screen writes the settings file.
//
// # Decisions
//
// The patient's NEWS2 breakdown is the clinical engine's (its "news2"
// document), so the summary, the census band and the alerts agree; the
// summary scores the vital signs itself only until the engine has. Times are
// shown in the workstation's local time zone. The census opens sorted by
// risk: the worse of the current score band and the worst open alert's
// severity (an unacknowledged high alert sorts with the high scores), then
// band, score and open alerts, so the patient who needs a clinician now is
// at the top; Name sorts alphabetically. A census row is one line (18+
// patients at 1280×800, 28+ at 1920×1080): score badge, the age of its
// newest vital sign with a ▲/▼ against the set before, name with age and
// sex, MRN, the location of the open Encounter (ward · room · bed), the
// worst open alert with its count and "+n" of lower severity, and trials. A rail screen
// chosen again (its button or Ctrl+1…4) goes back to its first page. Trend
// lines join two readings only when they are at most 12 h apart (vital
// signs and NEWS2: the RCP chart's longest routine interval) or 72 h
// (laboratory results); a longer stretch stays empty, a lone reading is a
// dot, a score is held 12 h at most, and nothing is interpolated across a
// gap at the period's edge, so a line never suggests readings nobody took.
// Value axes start at 0 or above except for signed measures (base excess);
// a result beyond a critical limit (views/chart.go: Kost 1990, lactate ≥ 4
// mmol/L per the Surviving Sepsis Campaign) is flagged HH or LL and ringed
// on its chart, distinct from H and L; a legend above the charts says all
// this. Desktop notifications need a D-Bus
// session on Linux; without one main.go turns them off and says so once,
// and the in-app banners carry the news alone. The census search folds case
// and accents ("nunez" finds "Ñúñez") and matches every word typed against
// the name, MRN and birth date (written 1958-03-14, 14/03/1958 or
// 14.03.1958). The summary shows, per section: every active problem,
// allergy and medication (a list a clinician acts on is never cut), the
// latest of each vaccine (8), the latest of each laboratory test (8), the
// seven NEWS2 parameters then weight, height and BMI, the last 6 procedures
// and 5 encounters; the rest is a tap away in the timeline. The window title
// never names the patient (it shows in task bars and screen shares).
package views
