package unit

import "time"

// brokenTime is a date and time of day in some zone, like C's struct tm:
// fields may be out of range until mktime normalises them. Year is the
// full year and mon counts from 0; isdst is -1 (unknown), 0 or 1.
type brokenTime struct {
	year, mon, mday, hour, min, sec int
	isdst                           int
	wday                            int // 0 is Sunday
}

// zoneClock converts between brokenTime and Unix seconds in one zone the
// way glibc's localtime_r and mktime (or gmtime_r and timegm) do, because
// systemd's calendar arithmetic leans on their normalisation rules,
// including how mktime resolves times that a DST change skips or repeats.
type zoneClock struct {
	loc *time.Location
	utc bool
	// adj is mktime's guess of the offset of the next result (result minus
	// the fields read as UTC). glibc keeps it from call to call, and it
	// decides which of two repeated wall-clock times mktime picks.
	adj int64
}

func newZoneClock(loc *time.Location, utc bool, at time.Time) *zoneClock {
	z := &zoneClock{loc: loc, utc: utc}
	if utc {
		z.loc = time.UTC
	}
	_, off := at.In(z.loc).Zone()
	z.adj = -int64(off)
	return z
}

// broken converts Unix seconds to fields (localtime_r / gmtime_r).
func (z *zoneClock) broken(t int64) brokenTime {
	tt := time.Unix(t, 0).In(z.loc)
	isdst := 0
	if !z.utc && tt.IsDST() {
		isdst = 1
	}
	return brokenTime{
		year: tt.Year(), mon: int(tt.Month()) - 1, mday: tt.Day(),
		hour: tt.Hour(), min: tt.Minute(), sec: tt.Second(),
		isdst: isdst, wday: int(tt.Weekday()),
	}
}

// naiveSeconds reads the fields as a UTC time, normalising out-of-range
// values arithmetically.
func naiveSeconds(tm brokenTime) int64 {
	y := tm.year + floorDiv(tm.mon, 12)
	m := tm.mon - 12*floorDiv(tm.mon, 12)
	days := daysFromCivil(y, m+1) + int64(tm.mday) - 1
	return days*86400 + int64(tm.hour)*3600 + int64(tm.min)*60 + int64(tm.sec)
}

// daysFromCivil returns the days from 1970-01-01 to the first of month m
// (1-12) of year y in the proleptic Gregorian calendar.
func daysFromCivil(y, m int) int64 {
	// Count years from March so the leap day ends the year.
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp + 2) / 5
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// mktime normalises *tm and returns its Unix time, or -1 without touching
// *tm when no time matches. Like C's mktime, a result of -1 is ambiguous,
// and systemd treats every negative result as failure.
func (z *zoneClock) mktime(tm *brokenTime) int64 {
	if z.utc {
		t := naiveSeconds(*tm)
		*tm = z.broken(t)
		return t
	}
	return z.localMktime(tm)
}

// localMktime follows glibc's mktime: refine a guess by the difference
// between the wanted and the obtained fields until they agree. In a
// skipped hour the guesses oscillate; glibc then settles for the daylight
// side. When tm.isdst asks for the other kind of time than the one found,
// it borrows the offset of the nearest time of that kind.
func (z *zoneClock) localMktime(tm *brokenTime) int64 {
	const (
		stride     = 601200               // shortest DST or non-DST period
		deltaBound = 536454000/2 + stride // half the longest DST period
	)
	want := *tm
	secRequested := want.sec
	want.sec = min(max(want.sec, 0), 59)
	desired := naiveSeconds(want)
	isdst := want.isdst

	t := desired + z.adj
	t1, t2, dst2 := t, t, 0
	probes := 6
	var got brokenTime
	for {
		got = z.broken(t)
		gt := t + desired - naiveSeconds(got)
		if gt == t {
			break
		}
		if t == t1 && t != t2 {
			oscillating := (isdst >= 0 && (isdst != 0) != (got.isdst != 0)) ||
				(isdst < 0 && dst2 <= got.isdst)
			if oscillating {
				goto found
			}
		}
		probes--
		if probes == 0 {
			return -1
		}
		t1, t2, t, dst2 = t2, t, gt, got.isdst
	}
	if isdst >= 0 && (isdst != 0) != (got.isdst != 0) {
		for delta := int64(stride); delta < deltaBound; delta += stride {
			for _, ot := range [2]int64{t - delta, t + delta} {
				o := z.broken(ot)
				if (o.isdst != 0) == (isdst != 0) {
					t = ot + desired - naiveSeconds(o)
					got = z.broken(t)
					goto found
				}
			}
		}
	}
found:
	z.adj = t - desired
	if secRequested != got.sec {
		t += int64(secRequested - want.sec)
		got = z.broken(t)
	}
	*tm = got
	return t
}
