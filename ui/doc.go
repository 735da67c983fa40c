// Package ui holds what Chartline's screens share: the theme (light, dark or
// following the system, with the clinical colours of the NEWS2 bands), the
// window shell with its navigation rail, page stack and status bar, and the
// small widgets every screen uses (band badge, alert count, trial marker,
// allergy strip, search entry).
//
// Nothing here knows about the store, Kafka or FHIR: screens in package views
// turn domain values into the plain values these widgets take. Widgets are
// updated on the UI goroutine only; background work hands its results over
// with fyne.Do.
//
// Package ui never imports fyne.io/fyne/v2/app (only main.go does), so its
// tests, and those of package views, run headless without cgo or a display.
package ui
