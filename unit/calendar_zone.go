package unit

import (
	"strings"
	"time"
)

// cutLocalZone finds a trailing " NAME" where NAME is the local standard
// (0) or daylight (1) abbreviation, ignoring case.
func cutLocalZone(p string, names [2]string) (int, string) {
	for j, n := range names {
		if n == "" || len(p) <= len(n) || !hasSuffixFold(p, n) || p[len(p)-len(n)-1] != ' ' {
			continue
		}
		return j, p[:len(p)-len(n)-1]
	}
	return -1, p
}

// loadZone returns the named tz database zone if name is one systemd
// accepts (verify_timezone), or nil.
func loadZone(name string) *time.Location {
	if name == "" || name == "Local" || name[0] == '/' || name[len(name)-1] == '/' ||
		strings.Contains(name, "//") || len(name) >= 4096 {
		return nil
	}
	for i := 0; i < len(name); i++ {
		b := name[i]
		if !isASCIIAlnum(b) && b != '-' && b != '_' && b != '+' && b != '/' {
			return nil
		}
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil
	}
	return loc
}

// localZoneNames returns the standard and daylight abbreviations of loc
// around now, as glibc's tzname holds them in a manager that has been
// converting current times: the current one, and the other kind found
// within a year either side, or the current one twice when the zone keeps
// no daylight saving time now.
func localZoneNames(loc *time.Location, now time.Time) [2]string {
	const year = 366 * 24 * time.Hour
	t := now.In(loc)
	cur, _ := t.Zone()
	d := 0
	if t.IsDST() {
		d = 1
	}
	var names [2]string
	names[d] = cur
	for _, forward := range []bool{false, true} {
		u := t
		for range 8 {
			start, end := u.ZoneBounds()
			if forward {
				u = end
			} else {
				u = start.Add(-time.Second)
			}
			if start.IsZero() || end.IsZero() || u.Sub(t).Abs() > year {
				break
			}
			if u.IsDST() != t.IsDST() && names[1-d] == "" {
				names[1-d], _ = u.Zone()
			}
		}
	}
	if names[1-d] == "" {
		names[1-d] = cur
	}
	return names
}
