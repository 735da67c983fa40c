package views

import "testing"

func TestCursorStep(t *testing.T) {
	for _, c := range []struct{ cur, delta, n, want int }{
		{-1, 1, 5, 0},  // Down with no cursor: the first row
		{-1, -1, 5, 4}, // Up with no cursor: the last row
		{0, -1, 5, 0},  // stays at the top
		{4, 1, 5, 4},   // stays at the bottom
		{1, 1, 5, 2},
		{3, -2, 5, 1},
		{2, 10, 5, 4}, // Page Down past the end: the last row
	} {
		if got := cursorStep(c.cur, c.delta, c.n); got != c.want {
			t.Errorf("cursorStep(%d, %d, %d) = %d, want %d", c.cur, c.delta, c.n, got, c.want)
		}
	}
}
