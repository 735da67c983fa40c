// Package views holds Chartline's screens: unlock, census, the single
// patient view (banner, summary, timeline) and the status bar, in the window
// shell of package ui. One screen, one file.
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
// # Decisions
//
// The patient's NEWS2 breakdown is the clinical engine's (its "news2"
// document), so the summary, the census band and the alerts agree; the
// summary scores the vital signs itself only until the engine has. Times are
// shown in the workstation's local time zone. The census search folds case
// and accents ("nunez" finds "Ñúñez") and matches every word typed against
// the name, MRN and birth date (written 1958-03-14, 14/03/1958 or
// 14.03.1958).
package views
