package unit

import "errors"

// CalendarSpec is a parsed OnCalendar= expression (systemd.time(7)).
type CalendarSpec struct {
	// Source is the expression as written.
	Source string
}

// ParseCalendar parses a calendar event expression such as "daily",
// "Mon..Fri *-*-* 10:00", "*:0/15" or "2026-01-01 00:00:00 UTC".
func ParseCalendar(s string) (*CalendarSpec, error) { return nil, errors.New("TODO") }

// String returns the normalised form systemd prints ("*-*-* 00:00:00" for
// "daily").
func (c *CalendarSpec) String() string { return c.Source }

// MarshalText renders the normalised form.
func (c CalendarSpec) MarshalText() ([]byte, error) { return []byte(c.String()), nil }
