package unit

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// ParseCalendar parses a calendar event expression such as "daily",
// "Mon..Fri *-*-* 10:00", "*:0/15" or "2026-01-01 00:00:00 UTC", the way
// systemd 252's calendar_spec_from_string does. A trailing word may name a
// time zone: "UTC"; the standard or daylight abbreviation of the local
// zone (time.Local as it is now, such as "CET" or "CEST"), which pins the
// UTC offset; or a zone of the tz database such as "Europe/Berlin", found
// with time.LoadLocation. Errors wrap ErrBadValue.
func ParseCalendar(s string) (*CalendarSpec, error) {
	return parseCalendar(s, localZoneNames(time.Local, time.Now()))
}

// Reasons a calendar expression is refused; they end up in the error text.
var (
	errCalSyntax  = errors.New("syntax error")
	errCalRange   = errors.New("number out of range")
	errCalTooMany = errors.New("too many list elements")
	errCalInvalid = errors.New("value out of range for its field")
)

// parseCalendar is ParseCalendar with the local zone's standard and
// daylight abbreviations (glibc's tzname) given.
func parseCalendar(s string, zoneNames [2]string) (*CalendarSpec, error) {
	c, err := parseCalendarSpec(s, zoneNames)
	if err != nil {
		return nil, fmt.Errorf("%w: invalid calendar specification %q: %w", ErrBadValue, s, err)
	}
	return c, nil
}

func parseCalendarSpec(s string, zoneNames [2]string) (*CalendarSpec, error) {
	// systemd sees C strings, so a NUL cannot occur inside an expression.
	if strings.IndexByte(s, 0) >= 0 {
		return nil, errCalSyntax
	}
	c := &CalendarSpec{Source: s, dst: -1}
	p := s
	if hasSuffixFold(p, " UTC") {
		c.utc = true
		p = p[:len(p)-len(" UTC")]
	} else if j, rest := cutLocalZone(p, zoneNames); j >= 0 {
		c.dst, c.dstName, p = j, zoneNames[j], rest
	} else if i := strings.LastIndexByte(p, ' '); i >= 0 {
		if loc := loadZone(p[i+1:]); loc != nil {
			c.tz, c.loc, p = p[i+1:], loc, p[:i]
		}
	}
	if p == "" {
		return nil, errCalSyntax
	}
	if !c.parseShorthand(p) {
		if err := c.parseExpression(p); err != nil {
			return nil, err
		}
	}
	c.normalize()
	if !c.valid() {
		return nil, errCalInvalid
	}
	return c, nil
}

// calShorthands are the named expressions. Each pins the fields it lists
// (months to the values given, the others to their first value) and leaves
// the rest at "*"; seconds are always 0.
var calShorthands = []struct {
	names             []string
	weekly            bool
	months            []int
	day, hour, minute bool
}{
	{names: []string{"minutely"}},
	{names: []string{"hourly"}, minute: true},
	{names: []string{"daily"}, hour: true, minute: true},
	{names: []string{"monthly"}, day: true, hour: true, minute: true},
	{names: []string{"weekly"}, weekly: true, hour: true, minute: true},
	{names: []string{"annually", "yearly", "anually"}, months: []int{1}, day: true, hour: true, minute: true},
	{names: []string{"quarterly"}, months: []int{1, 4, 7, 10}, day: true, hour: true, minute: true},
	{names: []string{"biannually", "bi-annually", "semiannually", "semi-annually"}, months: []int{1, 7}, day: true, hour: true, minute: true},
}

func (c *CalendarSpec) parseShorthand(p string) bool {
	for _, sh := range calShorthands {
		if !slices.ContainsFunc(sh.names, func(n string) bool { return asciiEqualFold(p, n) }) {
			continue
		}
		if sh.weekly {
			c.weekdays = 1
		}
		for _, m := range sh.months {
			c.month = append(c.month, calComponent{start: m, stop: -1})
		}
		if sh.day {
			c.day = calConst(1)
		}
		if sh.hour {
			c.hour = calConst(0)
		}
		if sh.minute {
			c.minute = calConst(0)
		}
		c.usec = calConst(0)
		return true
	}
	return false
}

// calConst returns a field holding the single value v.
func calConst(v int) []calComponent { return []calComponent{{start: v, stop: -1}} }

// parseExpression parses "[WEEKDAYS] [DATE] [TIME]".
func (c *CalendarSpec) parseExpression(p string) error {
	p, err := c.parseWeekdays(p)
	if err != nil {
		return err
	}
	p, done, err := c.parseDate(p)
	if err != nil {
		return err
	}
	if !done {
		if p, err = c.parseTime(p); err != nil {
			return err
		}
	}
	if p != "" {
		return errCalSyntax
	}
	return nil
}

var weekdayNames = []struct {
	name string
	nr   int
}{
	{"Monday", 0}, {"Mon", 0},
	{"Tuesday", 1}, {"Tue", 1},
	{"Wednesday", 2}, {"Wed", 2},
	{"Thursday", 3}, {"Thu", 3},
	{"Friday", 4}, {"Fri", 4},
	{"Saturday", 5}, {"Sat", 5},
	{"Sunday", 6}, {"Sun", 6},
}

// parseWeekdays reads an optional list of days and day ranges ("Mon..Fri",
// or "Mon-Fri" for compatibility) and returns the rest after its spaces.
func (c *CalendarSpec) parseWeekdays(p string) (string, error) {
	rangeFrom := -1
	for first := true; ; first = false {
		nr, skip := -1, 0
		for _, d := range weekdayNames {
			if hasPrefixFold(p, d.name) {
				nr, skip = d.nr, len(d.name)
				break
			}
		}
		if nr < 0 {
			if first {
				return p, nil
			}
			return "", errCalSyntax
		}
		if !oneOf(byteAt(p, skip), "\x00-., ") {
			return "", errCalSyntax
		}
		c.weekdays |= 1 << nr
		if rangeFrom >= 0 {
			if rangeFrom > nr {
				return "", errCalSyntax
			}
			for j := rangeFrom + 1; j < nr; j++ {
				c.weekdays |= 1 << j
			}
		}
		p = p[skip:]
		switch byteAt(p, 0) {
		case 0:
			return p, nil
		case ' ':
			return strings.TrimLeft(p, " "), nil
		case '.':
			if rangeFrom >= 0 || byteAt(p, 1) != '.' {
				return "", errCalSyntax
			}
			rangeFrom = nr
			p = p[2:]
		case '-':
			if rangeFrom >= 0 {
				return "", errCalSyntax
			}
			rangeFrom = nr
			p = p[1:]
		case ',':
			rangeFrom = -1
			p = p[1:]
		}
		// A trailing comma is fine, an open range is not.
		if b := byteAt(p, 0); b == 0 || b == ' ' {
			if rangeFrom >= 0 {
				return "", errCalSyntax
			}
			return strings.TrimLeft(p, " "), nil
		}
	}
}

// parseDate reads an optional "[YEAR-]MONTH-DAY" (with "~" for days from
// the month's end) or "@SECONDS". It reports done for "@SECONDS", which
// carries its own time of day.
func (c *CalendarSpec) parseDate(p string) (rest string, done bool, err error) {
	if p == "" {
		return p, false, nil
	}
	if p[0] == '@' {
		rest, err := c.parseTimestamp(p[1:])
		return rest, true, err
	}
	first, t, err := parseChain(p, false)
	if err != nil {
		return "", false, err
	}
	// A ':' means it was the hour of a time without a date.
	if b := byteAt(t, 0); b == 0 || b == ':' {
		return p, false, nil
	}
	switch t[0] {
	case '~':
		c.endOfMonth = true
	case '-':
	default:
		return "", false, errCalSyntax
	}
	second, t, err := parseChain(t[1:], false)
	if err != nil {
		return "", false, err
	}
	if b := byteAt(t, 0); b == 0 || b == ' ' {
		c.month, c.day = first, second
		return strings.TrimLeft(t, " "), false, nil
	}
	if c.endOfMonth {
		return "", false, errCalSyntax
	}
	switch t[0] {
	case '~':
		c.endOfMonth = true
	case '-':
	default:
		return "", false, errCalSyntax
	}
	third, t, err := parseChain(t[1:], false)
	if err != nil {
		return "", false, err
	}
	if b := byteAt(t, 0); b != 0 && b != ' ' {
		return "", false, errCalSyntax
	}
	c.year, c.month, c.day = first, second, third
	return strings.TrimLeft(t, " "), false, nil
}

// parseTimestamp reads the seconds since the epoch after "@", the way
// strtoul does (leading spaces and a sign allowed), and pins every field to
// that moment in UTC.
func (c *CalendarSpec) parseTimestamp(p string) (string, error) {
	i := 0
	for i < len(p) && strings.IndexByte(" \t\n\v\f\r", p[i]) >= 0 {
		i++
	}
	neg := false
	if i < len(p) && (p[i] == '+' || p[i] == '-') {
		neg = p[i] == '-'
		i++
	}
	j := i
	var v uint64
	overflow := false
	for ; j < len(p) && isASCIIDigit(p[j]); j++ {
		d := uint64(p[j] - '0')
		if v > (math.MaxUint64-d)/10 {
			overflow = true
		}
		v = v*10 + d
	}
	if j == i {
		return "", errCalSyntax
	}
	if overflow {
		return "", errCalRange
	}
	if neg {
		v = -v
	}
	secs := int64(v)
	// Anything before 1970 or after 2199 fails the year check anyway;
	// refusing it here keeps the date conversion in range.
	if secs < 0 || secs > 1<<40 {
		return "", errCalInvalid
	}
	t := time.Unix(secs, 0).UTC()
	c.utc = true
	c.year = calConst(t.Year())
	c.month = calConst(int(t.Month()))
	c.day = calConst(t.Day())
	c.hour = calConst(t.Hour())
	c.minute = calConst(t.Minute())
	c.usec = calConst(t.Second() * usecPerSec)
	return p[j:], nil
}

// parseTime reads "HOUR:MINUTE[:SECOND]"; an empty time is midnight.
func (c *CalendarSpec) parseTime(p string) (string, error) {
	if p == "" {
		c.hour, c.minute, c.usec = calConst(0), calConst(0), calConst(0)
		return p, nil
	}
	h, t, err := parseChain(p, false)
	if err != nil {
		return "", err
	}
	if byteAt(t, 0) != ':' {
		return "", errCalSyntax
	}
	m, t, err := parseChain(t[1:], false)
	if err != nil {
		return "", err
	}
	s := calConst(0)
	if t != "" {
		if t[0] != ':' {
			return "", errCalSyntax
		}
		if s, t, err = parseChain(t[1:], true); err != nil {
			return "", err
		}
		if t != "" {
			return "", errCalSyntax
		}
	}
	c.hour, c.minute, c.usec = h, m, s
	return t, nil
}

// parseChain reads one field: "*" or a comma list of components. Seconds
// (usec) are returned in microseconds, and their "*" is "every second".
func parseChain(p string, usec bool) ([]calComponent, string, error) {
	if byteAt(p, 0) == '*' {
		if usec {
			return []calComponent{{start: 0, stop: -1, repeat: usecPerSec}}, p[1:], nil
		}
		return nil, p[1:], nil
	}
	var chain []calComponent
	for {
		if len(chain) >= calMaxComponents {
			return nil, "", errCalTooMany
		}
		comp, rest, err := parseComponent(p, usec)
		if err != nil {
			return nil, "", err
		}
		chain = append(chain, comp)
		if byteAt(rest, 0) != ',' {
			return chain, rest, nil
		}
		p = rest[1:]
	}
}

// parseComponent reads "START[..STOP][/REPEAT]".
func parseComponent(p string, usec bool) (calComponent, string, error) {
	c := calComponent{stop: -1}
	var err error
	if c.start, p, err = parseCalDecimal(p, usec); err != nil {
		return c, "", err
	}
	if strings.HasPrefix(p, "..") {
		if c.stop, p, err = parseCalDecimal(p[2:], usec); err != nil {
			return c, "", err
		}
		c.repeat = 1
		if usec {
			c.repeat = usecPerSec
		}
	}
	if byteAt(p, 0) == '/' {
		if c.repeat, p, err = parseCalDecimal(p[1:], usec); err != nil {
			return c, "", err
		}
		if c.repeat == 0 {
			return c, "", errCalRange
		}
	} else if usec && c.stop >= 0 && c.start+c.repeat > c.stop {
		// Without "/", seconds ranges step by whole seconds, so a range
		// shorter than one second is refused.
		return c, "", errCalSyntax
	}
	if !oneOf(byteAt(p, 0), "\x00 ,-~:") {
		return c, "", errCalSyntax
	}
	return c, p, nil
}

// parseCalDecimal reads a decimal number; for seconds it may have a
// fraction ("1.5"; ".." is a range, not a fraction) and is returned in
// microseconds, rounded to the nearest one.
func parseCalDecimal(p string, usec bool) (int, string, error) {
	if !isASCIIDigit(byteAt(p, 0)) {
		return 0, "", errCalSyntax
	}
	i, v := 0, 0
	for ; i < len(p) && isASCIIDigit(p[i]); i++ {
		v = v*10 + int(p[i]-'0')
		if v > math.MaxInt32 {
			return 0, "", errCalRange
		}
	}
	if usec {
		v *= usecPerSec
		if byteAt(p, i) == '.' && byteAt(p, i+1) != '.' {
			i++
			frac, n := 0, 0
			for ; n < 6 && isASCIIDigit(byteAt(p, i)); n, i = n+1, i+1 {
				frac = frac*10 + int(p[i]-'0')
			}
			if n == 0 {
				return 0, "", errCalSyntax
			}
			for ; n < 6; n++ {
				frac *= 10
			}
			if b := byteAt(p, i); b >= '5' && b <= '9' {
				frac++
			}
			for i < len(p) && isASCIIDigit(p[i]) {
				i++
			}
			v += frac
		}
	}
	if v > math.MaxInt32 {
		return 0, "", errCalRange
	}
	return v, p[i:], nil
}

// byteAt returns p[i], or 0 past the end, like reading a C string.
func byteAt(p string, i int) byte {
	if i < len(p) {
		return p[i]
	}
	return 0
}

// oneOf reports whether b is one of the bytes of set.
func oneOf(b byte, set string) bool { return strings.IndexByte(set, b) >= 0 }

func isASCIIDigit(b byte) bool { return b >= '0' && b <= '9' }

func isASCIIAlnum(b byte) bool {
	return isASCIIDigit(b) || (b|0x20 >= 'a' && b|0x20 <= 'z')
}

// hasPrefixFold and hasSuffixFold compare ignoring ASCII case only, as
// strncasecmp does in the C locale.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && asciiEqualFold(s[:len(prefix)], prefix)
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && asciiEqualFold(s[len(s)-len(suffix):], suffix)
}

func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x >= 'A' && x <= 'Z' {
			x += 'a' - 'A'
		}
		if y >= 'A' && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
