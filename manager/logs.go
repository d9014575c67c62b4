package manager

import (
	"sync"
	"time"
)

// pm keeps the last lines each unit printed (to its journal output) in
// memory, for `pmctl status`, `pmctl logs` and the API's Logs. The log
// issue replaces this with files and a proper journal.

// Limits of one unit's ring: whichever is reached first.
const (
	logRingLines = 1000
	logRingBytes = 256 << 10
)

// LogLine is one line a unit's process printed.
type LogLine struct {
	Unit string
	PID  int
	Time time.Time
	Text string
}

// logStore holds a ring of lines per unit and the followers of each.
type logStore struct {
	mu    sync.Mutex // guards units
	units map[string]*logRing
}

type logRing struct {
	lines     []LogLine // a ring: next is the oldest once full
	next      int
	full      bool
	bytes     int
	followers map[chan LogLine]struct{}
}

func newLogStore() *logStore { return &logStore{units: map[string]*logRing{}} }

// add records a line and hands it to the unit's followers; a follower
// that does not keep up loses lines rather than slowing the service.
func (s *logStore) add(name string, pid int, text []byte) {
	ln := LogLine{Unit: name, PID: pid, Time: time.Now(), Text: string(text)}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.units[name]
	if r == nil {
		r = &logRing{}
		s.units[name] = r
	}
	r.push(ln)
	for ch := range r.followers {
		select {
		case ch <- ln:
		default:
		}
	}
}

func (r *logRing) push(ln LogLine) {
	r.bytes += len(ln.Text)
	if !r.full && len(r.lines) < logRingLines {
		r.lines = append(r.lines, ln)
	} else {
		r.full = true
		r.bytes -= len(r.lines[r.next].Text)
		r.lines[r.next] = ln
		r.next = (r.next + 1) % len(r.lines)
	}
	// Over the byte budget: drop the oldest lines.
	for r.bytes > logRingBytes && r.len() > 1 {
		r.dropOldest()
	}
}

func (r *logRing) len() int { return len(r.lines) }

// ordered returns the lines oldest first.
func (r *logRing) ordered() []LogLine {
	if !r.full {
		return append([]LogLine(nil), r.lines...)
	}
	out := make([]LogLine, 0, len(r.lines))
	out = append(out, r.lines[r.next:]...)
	return append(out, r.lines[:r.next]...)
}

func (r *logRing) dropOldest() {
	lines := r.ordered()
	r.bytes -= len(lines[0].Text)
	r.lines, r.next, r.full = lines[1:], 0, false
}

// drop forgets a unit's lines (it was deleted); followers' channels close.
func (s *logStore) drop(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.units[name]; r != nil {
		for ch := range r.followers {
			close(ch)
		}
		delete(s.units, name)
	}
}

// Logs returns the last n lines kept for the unit (all kept when n <= 0),
// oldest first. With follow, more receives the lines printed afterwards
// (none are lost between the two) until cancel is called; a reader that
// does not keep up loses lines. Without follow, more is nil.
func (m *Manager) Logs(name string, n int, follow bool) (lines []LogLine, more <-chan LogLine, cancel func()) {
	s := m.out.logs
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.units[name]
	if r != nil {
		lines = r.ordered()
	}
	if n > 0 && len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	if !follow {
		return lines, nil, func() {}
	}
	if r == nil {
		r = &logRing{}
		s.units[name] = r
	}
	if r.followers == nil {
		r.followers = map[chan LogLine]struct{}{}
	}
	ch := make(chan LogLine, 256)
	r.followers[ch] = struct{}{}
	var once sync.Once
	return lines, ch, func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if r := s.units[name]; r != nil {
				if _, ok := r.followers[ch]; ok {
					delete(r.followers, ch)
					close(ch)
				}
			}
		})
	}
}
