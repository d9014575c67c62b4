package unit

import "time"

const (
	// calMaxIterations stops the search when it makes no progress, as
	// systemd does, instead of looping forever.
	calMaxIterations = 1000
	// calMaxUsec is the last microsecond systemd formats (year 9999).
	calMaxUsec = 253402214399000000
)

// Next returns the first time strictly after after at which the
// expression elapses, and false if it never does again (systemd's
// calendar_spec_next_usec). It computes in UTC, in the expression's time
// zone if it names one, and otherwise in after's location; the result is
// in after's location. Times before 1970 count as the start of 1970.
func (c *CalendarSpec) Next(after time.Time) (time.Time, bool) {
	if c.usec == nil {
		return time.Time{}, false
	}
	loc := after.Location()
	if c.loc != nil {
		loc = c.loc
	}
	us := max(after.UnixMicro(), -1)
	if us > calMaxUsec {
		return time.Time{}, false
	}
	us++
	z := newZoneClock(loc, c.utc, after)
	tm := z.broken(us / usecPerSec)
	frac := int(us % usecPerSec)
	if !c.findNext(z, &tm, &frac) {
		return time.Time{}, false
	}
	t := z.mktime(&tm)
	if t < 0 {
		return time.Time{}, false
	}
	return time.Unix(t, int64(frac)*1000).In(after.Location()), true
}

// findNext advances *tm and *usec to the first match at or after them,
// field by field from the year down. Whenever a field has to move, the
// finer fields restart from their minimum; whenever mktime normalises the
// result into another unit (31 April, a skipped hour), the search starts
// over from the normalised time.
func (c *CalendarSpec) findNext(z *zoneClock, tm *brokenTime, usec *int) bool {
	cur, curUsec := *tm, *usec
	invalidateDST := false
	for range calMaxIterations {
		z.mktime(&cur)
		if !invalidateDST {
			cur.isdst = c.dst
		}

		r := matchComponent(z, c.year, false, &cur, &cur.year)
		if r > 0 {
			cur.mon, cur.mday = 0, 1
			cur.hour, cur.min, cur.sec, curUsec = 0, 0, 0, 0
		}
		if r < 0 || z.withinBounds(&cur) <= 0 {
			return false
		}

		mon := cur.mon + 1
		r = matchComponent(z, c.month, false, &cur, &mon)
		cur.mon = mon - 1
		if r > 0 {
			cur.mday = 1
			cur.hour, cur.min, cur.sec, curUsec = 0, 0, 0, 0
		}
		if r >= 0 {
			r = z.withinBounds(&cur)
		}
		if r < 0 {
			cur.year++
			cur.mon, cur.mday = 0, 1
			cur.hour, cur.min, cur.sec, curUsec = 0, 0, 0, 0
			continue
		}
		if r == 0 {
			continue
		}

		r = matchComponent(z, c.day, c.endOfMonth, &cur, &cur.mday)
		if r > 0 {
			cur.hour, cur.min, cur.sec, curUsec = 0, 0, 0, 0
		}
		if r >= 0 {
			r = z.withinBounds(&cur)
		}
		if r < 0 {
			cur.mon++
			cur.mday = 1
			cur.hour, cur.min, cur.sec, curUsec = 0, 0, 0, 0
			continue
		}
		if r == 0 {
			continue
		}

		if !z.matchesWeekday(c.weekdays, cur) {
			cur.mday++
			cur.hour, cur.min, cur.sec, curUsec = 0, 0, 0, 0
			continue
		}

		r = matchComponent(z, c.hour, false, &cur, &cur.hour)
		if r > 0 {
			cur.min, cur.sec, curUsec = 0, 0, 0
		}
		if r >= 0 {
			r = z.withinBounds(&cur)
		}
		if r < 0 {
			cur.mday++
			cur.hour, cur.min, cur.sec, curUsec = 0, 0, 0, 0
			continue
		}
		if r == 0 {
			// The hour may not exist on a DST change; retry from the
			// normalised time.
			continue
		}

		r = matchComponent(z, c.minute, false, &cur, &cur.min)
		if r > 0 {
			cur.sec, curUsec = 0, 0
		}
		if r >= 0 {
			r = z.withinBounds(&cur)
		}
		if r < 0 {
			cur.hour++
			cur.min, cur.sec, curUsec = 0, 0, 0
			continue
		}
		if r == 0 {
			continue
		}

		us := cur.sec*usecPerSec + curUsec
		r = matchComponent(z, c.usec, false, &cur, &us)
		cur.sec, curUsec = us/usecPerSec, us%usecPerSec
		if r >= 0 {
			r = z.withinBounds(&cur)
		}
		if r < 0 {
			cur.min++
			cur.sec, curUsec = 0, 0
			continue
		}
		if r == 0 {
			continue
		}

		cmp := compareBroken(*tm, cur)
		if cmp == 0 {
			cmp = compareInt(*usec, curUsec+1)
		}
		if cmp >= 0 {
			// mktime moved us back across a DST change: step on and let
			// it pick the offset from now on.
			invalidateDST = true
			cur.hour++
			continue
		}
		*tm, *usec = cur, curUsec
		return true
	}
	return false
}

// matchComponent moves *val to the earliest value of chain at or after
// it. It returns 1 if *val changed, 0 if it already matched and -1 if no
// value is left. With endOfMonth the values count back from the end of
// tm's month.
func matchComponent(z *zoneClock, chain []calComponent, endOfMonth bool, tm *brokenTime, val *int) int {
	if chain == nil {
		return 0
	}
	d, found := 0, false
	for _, cc := range chain {
		start, stop := cc.start, cc.stop
		if endOfMonth {
			start = z.endOfMonth(*tm, cc.start)
			stop = z.endOfMonth(*tm, cc.stop)
			if stop > 0 {
				start, stop = stop, start
			}
		}
		switch {
		case start >= *val:
			if !found || start < d {
				d, found = start, true
			}
		case cc.repeat > 0:
			k := start + cc.repeat*((*val-start+cc.repeat-1)/cc.repeat)
			if (!found || k < d) && (stop < 0 || k <= stop) {
				d, found = k, true
			}
		}
	}
	if !found {
		return -1
	}
	r := 0
	if *val != d {
		r = 1
	}
	*val = d
	return r
}

// endOfMonth returns the day of month that is day days before the first
// of the next month (1 is the last day), or -1.
func (z *zoneClock) endOfMonth(tm brokenTime, day int) int {
	t := tm
	t.mon++
	t.mday = 1 - day
	if z.mktime(&t) < 0 || t.mon != tm.mon {
		return -1
	}
	return t.mday
}

// withinBounds normalises *tm with mktime. It returns 1 if *tm was already
// normal, 0 if normalisation moved it forward (then *tm holds the new time
// with the field below the changed one reset), and -1 if it is out of
// range or would move backwards.
func (z *zoneClock) withinBounds(tm *brokenTime) int {
	// Bounding the year stops impossible dates such as 30 February from
	// searching forever.
	if tm.year > calMaxYear {
		return -1
	}
	t := *tm
	if z.mktime(&t) < 0 {
		return -1
	}
	var cmp int
	switch {
	case t.year != tm.year:
		cmp = compareInt(t.year, tm.year)
		t.mon = 0
	case t.mon != tm.mon:
		cmp = compareInt(t.mon, tm.mon)
		t.mday = 1
	case t.mday != tm.mday:
		cmp = compareInt(t.mday, tm.mday)
		t.hour = 0
	case t.hour != tm.hour:
		cmp = compareInt(t.hour, tm.hour)
		t.min = 0
	case t.min != tm.min:
		cmp = compareInt(t.min, tm.min)
		t.sec = 0
	default:
		cmp = compareInt(t.sec, tm.sec)
	}
	switch {
	case cmp < 0:
		return -1
	case cmp > 0:
		*tm = t
		return 0
	}
	return 1
}

// matchesWeekday reports whether the normalised tm falls on one of the
// days in bits (0 is any day).
func (z *zoneClock) matchesWeekday(bits int, tm brokenTime) bool {
	if bits == 0 {
		return true
	}
	if z.mktime(&tm) < 0 {
		return false
	}
	return bits&(1<<((tm.wday+6)%7)) != 0
}

func compareBroken(a, b brokenTime) int {
	for _, p := range [...][2]int{
		{a.year, b.year}, {a.mon, b.mon}, {a.mday, b.mday},
		{a.hour, b.hour}, {a.min, b.min}, {a.sec, b.sec},
	} {
		if p[0] != p[1] {
			return compareInt(p[0], p[1])
		}
	}
	return 0
}

func compareInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
