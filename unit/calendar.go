package unit

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Limits of a calendar expression, as systemd 252 has them.
const (
	calMinYear     = 1970
	calMaxYear     = 2199
	calAllWeekdays = 1<<7 - 1
	// calMaxComponents bounds a comma list in one field; systemd refuses
	// longer lists so that matching stays cheap.
	calMaxComponents = 241
	usecPerSec       = 1000000
)

// calComponent is one element of a comma list in a field of a calendar
// expression: start, or start..stop, or start/repeat, or start..stop/repeat.
// Stop is -1 when there is no upper bound and repeat is 0 when the value
// does not repeat. Seconds are kept in microseconds.
type calComponent struct {
	start, stop, repeat int
}

// CalendarSpec is a parsed OnCalendar= expression (systemd.time(7)). The
// zero value is not a usable expression; make one with ParseCalendar.
type CalendarSpec struct {
	// Source is the expression as written.
	Source string

	// weekdays has bit 0 for Monday through bit 6 for Sunday; 0 means any
	// day.
	weekdays int
	// endOfMonth is set by "~": days count back from the month's end.
	endOfMonth bool
	// utc is set by a trailing " UTC" or by "@seconds".
	utc bool
	// dst is 0 or 1 when the expression ends in the local zone's standard
	// or daylight abbreviation (dstName), which forces that offset; -1
	// otherwise.
	dst     int
	dstName string
	// tz and loc are a trailing zone name such as "Europe/Berlin".
	tz  string
	loc *time.Location

	// The fields; a nil list is "*". Seconds are in microseconds and are
	// never nil in a parsed expression.
	year, month, day, hour, minute, usec []calComponent
}

// String returns the normalised form systemd prints ("*-*-* 00:00:00" for
// "daily"), which parses back to the same expression.
func (c *CalendarSpec) String() string {
	if c.usec == nil {
		return ""
	}
	var b strings.Builder
	if c.weekdays > 0 && c.weekdays < calAllWeekdays {
		formatWeekdays(&b, c.weekdays)
		b.WriteByte(' ')
	}
	formatChain(&b, 4, c.year, false)
	b.WriteByte('-')
	formatChain(&b, 2, c.month, false)
	if c.endOfMonth {
		b.WriteByte('~')
	} else {
		b.WriteByte('-')
	}
	formatChain(&b, 2, c.day, false)
	b.WriteByte(' ')
	formatChain(&b, 2, c.hour, false)
	b.WriteByte(':')
	formatChain(&b, 2, c.minute, false)
	b.WriteByte(':')
	formatChain(&b, 2, c.usec, true)
	switch {
	case c.utc:
		b.WriteString(" UTC")
	case c.tz != "":
		b.WriteString(" " + c.tz)
	case c.dst >= 0 && c.dstName != "":
		b.WriteString(" " + c.dstName)
	}
	return b.String()
}

// MarshalText renders the normalised form.
func (c CalendarSpec) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText parses a calendar expression, as ParseCalendar does.
func (c *CalendarSpec) UnmarshalText(b []byte) error {
	v, err := ParseCalendar(string(b))
	if err != nil {
		return err
	}
	*c = *v
	return nil
}

var weekdayAbbrevs = [7]string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}

// formatWeekdays writes the set of days as systemd does: runs of three or
// more days as "Mon..Wed", shorter runs as a list.
func formatWeekdays(b *strings.Builder, bits int) {
	first := true
	for x := 0; x < 7; {
		if bits&(1<<x) == 0 {
			x++
			continue
		}
		end := x
		for end+1 < 7 && bits&(1<<(end+1)) != 0 {
			end++
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.WriteString(weekdayAbbrevs[x])
		switch {
		case end >= x+2:
			b.WriteString(".." + weekdayAbbrevs[end])
		case end == x+1:
			b.WriteString("," + weekdayAbbrevs[end])
		}
		x = end + 1
	}
}

// chainIsStar reports whether a field prints as "*": no list at all, or,
// for seconds, a list holding "every whole second".
func chainIsStar(chain []calComponent, usec bool) bool {
	if chain == nil {
		return true
	}
	if usec {
		for _, c := range chain {
			if c.start == 0 && c.stop < 0 && c.repeat == usecPerSec {
				return true
			}
		}
	}
	return false
}

func formatChain(b *strings.Builder, width int, chain []calComponent, usec bool) {
	if chainIsStar(chain, usec) {
		b.WriteByte('*')
		return
	}
	d := 1
	if usec {
		d = usecPerSec
	}
	for i, c := range chain {
		if i > 0 {
			b.WriteByte(',')
		}
		writePadded(b, width, c.start/d)
		writeFraction(b, c.start%d)
		if c.stop > 0 {
			b.WriteString("..")
			writePadded(b, width, c.stop/d)
			writeFraction(b, c.stop%d)
		}
		if c.repeat > 0 && (c.stop <= 0 || c.repeat != d) {
			b.WriteString("/" + strconv.Itoa(c.repeat/d))
		}
		writeFraction(b, c.repeat%d)
	}
}

func writePadded(b *strings.Builder, width, v int) {
	s := strconv.Itoa(v)
	for i := len(s); i < width; i++ {
		b.WriteByte('0')
	}
	b.WriteString(s)
}

// writeFraction writes the microseconds of a seconds value, if any.
func writeFraction(b *strings.Builder, us int) {
	if us <= 0 {
		return
	}
	s := strconv.Itoa(us)
	b.WriteByte('.')
	for i := len(s); i < 6; i++ {
		b.WriteByte('0')
	}
	b.WriteString(s)
}

// normalize brings a freshly parsed expression to the canonical form
// systemd keeps: all weekdays mean any day, two-digit years get their
// century, and each list is trimmed, sorted and deduplicated.
func (c *CalendarSpec) normalize() {
	if c.weekdays <= 0 || c.weekdays >= calAllWeekdays {
		c.weekdays = 0
	}
	if c.endOfMonth && c.day == nil {
		c.endOfMonth = false
	}
	for i := range c.year {
		c.year[i].start = fixYear(c.year[i].start)
		c.year[i].stop = fixYear(c.year[i].stop)
	}
	for _, p := range []*[]calComponent{&c.year, &c.month, &c.day, &c.hour, &c.minute, &c.usec} {
		*p = normalizeChain(*p)
	}
}

// fixYear turns 12 into 2012 and 89 into 1989.
func fixYear(y int) int {
	switch {
	case y >= 0 && y < 70:
		return y + 2000
	case y >= 70 && y < 100:
		return y + 1900
	}
	return y
}

func normalizeChain(chain []calComponent) []calComponent {
	for i := range chain {
		c := &chain[i]
		// Cut the range to the last value a repetition reaches.
		if c.stop > c.start && c.repeat > 0 {
			c.stop -= (c.stop - c.start) % c.repeat
		}
		// A repetition that never fires twice, or a one-value range, is a
		// plain value.
		if (c.stop > c.start && c.repeat > 0 && c.start+c.repeat > c.stop) || c.start == c.stop {
			c.repeat = 0
			c.stop = -1
		}
	}
	slices.SortFunc(chain, func(a, b calComponent) int {
		if a.start != b.start {
			return a.start - b.start
		}
		if a.stop != b.stop {
			return a.stop - b.stop
		}
		return a.repeat - b.repeat
	})
	return slices.Compact(chain)
}

// valid applies systemd's range checks to a normalised expression.
func (c *CalendarSpec) valid() bool {
	return chainValid(c.year, calMinYear, calMaxYear, false) &&
		chainValid(c.month, 1, 12, false) &&
		chainValid(c.day, 1, 31, c.endOfMonth) &&
		chainValid(c.hour, 0, 23, false) &&
		chainValid(c.minute, 0, 59, false) &&
		chainValid(c.usec, 0, 60*usecPerSec-1, false)
}

func chainValid(chain []calComponent, from, to int, endOfMonth bool) bool {
	// "~" may count back at most 28 days, so every month has the day.
	if endOfMonth {
		to -= 3
	}
	for _, c := range chain {
		if c.start < from || c.start > to || c.repeat > to-from {
			return false
		}
		// The repetition must fire at least once more within the range.
		switch {
		case c.stop >= 0:
			if c.stop < from || c.stop > to || c.start+c.repeat > c.stop {
				return false
			}
		case endOfMonth:
			if c.start-c.repeat < from {
				return false
			}
		default:
			if c.start+c.repeat > to {
				return false
			}
		}
	}
	return true
}
