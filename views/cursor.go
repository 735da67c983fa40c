package views

import "fyne.io/fyne/v2/widget"

// cursorStep is the row delta rows from cur in a list of n rows, kept in
// the list; with no cursor (-1) Down starts at the first row and Up at the
// last. n must be above 0.
func cursorStep(cur, delta, n int) int {
	if cur < 0 {
		if delta < 0 {
			return n - 1
		}
		return 0
	}
	return max(0, min(n-1, cur+delta))
}

// setCursor moves a list's keyboard cursor *cur to row pos of n: it redraws
// the row it leaves and the row it lands on, and scrolls to the latter.
func setCursor(l *widget.List, cur *int, pos, n int) {
	old := *cur
	*cur = pos
	if old >= 0 && old < n && old != pos {
		l.RefreshItem(old)
	}
	l.RefreshItem(pos)
	l.ScrollTo(pos)
}
