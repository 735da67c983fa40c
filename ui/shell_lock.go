package ui

// Lock holds the shell back while the window is locked (views/lock.go puts
// its own content in the window): keys and shortcuts do nothing, and the
// window title stays what the lock set, whatever pages come and go behind
// it. The pages, their stacks and their state stay as they were.
func (s *Shell) Lock() { s.locked = true }

// Unlock lets the shell answer again and gives the window back its title
// (the top page's).
func (s *Shell) Unlock() {
	s.locked = false
	s.showTitle()
}

// Locked reports whether the shell is locked.
func (s *Shell) Locked() bool { return s.locked }

// showTitle sets the window title from the top page, unless locked.
func (s *Shell) showTitle() {
	p := s.Top()
	if s.locked || p == nil {
		return
	}
	if p.Title != "" {
		s.win.SetTitle(s.Title + " — " + p.Title)
	} else {
		s.win.SetTitle(s.Title)
	}
}

// mayLeave asks the top page whether it may be left for another screen.
func (s *Shell) mayLeave(proceed func()) bool {
	p := s.Top()
	if p == nil || p.OnLeave == nil {
		return true
	}
	return p.OnLeave(func() {
		hold := p.OnLeave
		p.OnLeave = nil // it agreed: do not ask again on the way out
		proceed()
		p.OnLeave = hold
	})
}
