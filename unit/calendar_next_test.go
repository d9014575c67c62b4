package unit

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestCalendarNext checks three successive elapses, each searched from the
// previous one, against what systemd-analyze calendar --iterations=3 of
// systemd 252 prints with TZ set to the zone (an empty list is "never").
func TestCalendarNext(t *testing.T) {
	tests := []struct {
		expr, zone, after string
		want              []string
	}{
		{"daily", "UTC", "2023-11-14T22:13:20Z", []string{"2023-11-15T00:00:00Z", "2023-11-16T00:00:00Z", "2023-11-17T00:00:00Z"}},
		{"Mon..Fri *:0/15", "UTC", "2024-01-05T23:40:00Z", []string{"2024-01-05T23:45:00Z", "2024-01-08T00:00:00Z", "2024-01-08T00:15:00Z"}},
		{"hourly", "UTC", "2024-01-01T00:00:00Z", []string{"2024-01-01T01:00:00Z", "2024-01-01T02:00:00Z", "2024-01-01T03:00:00Z"}},
		{"monthly", "UTC", "2024-01-31T12:00:00Z", []string{"2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z", "2024-04-01T00:00:00Z"}},
		{"weekly", "UTC", "2024-01-01T00:00:00Z", []string{"2024-01-08T00:00:00Z", "2024-01-15T00:00:00Z", "2024-01-22T00:00:00Z"}},
		{"quarterly", "UTC", "2024-02-10T00:00:00Z", []string{"2024-04-01T00:00:00Z", "2024-07-01T00:00:00Z", "2024-10-01T00:00:00Z"}},
		{"semiannually", "UTC", "2024-02-10T00:00:00Z", []string{"2024-07-01T00:00:00Z", "2025-01-01T00:00:00Z", "2025-07-01T00:00:00Z"}},
		{"yearly", "UTC", "2024-02-10T00:00:00Z", []string{"2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"}},
		{"minutely", "UTC", "2024-02-10T00:00:59.999999Z", []string{"2024-02-10T00:01:00Z", "2024-02-10T00:02:00Z", "2024-02-10T00:03:00Z"}},
		{"*-02-29", "UTC", "2023-11-14T22:13:20Z", []string{"2024-02-29T00:00:00Z", "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"}},
		{"*-02-29 12:00", "UTC", "2024-02-29T12:00:00Z", []string{"2028-02-29T12:00:00Z", "2032-02-29T12:00:00Z", "2036-02-29T12:00:00Z"}},
		{"*-*-31", "UTC", "2024-01-31T00:00:00Z", []string{"2024-03-31T00:00:00Z", "2024-05-31T00:00:00Z", "2024-07-31T00:00:00Z"}},
		{"*-*~1", "UTC", "2024-01-31T00:00:00Z", []string{"2024-02-29T00:00:00Z", "2024-03-31T00:00:00Z", "2024-04-30T00:00:00Z"}},
		{"*-02~03", "UTC", "2023-11-14T22:13:20Z", []string{"2024-02-27T00:00:00Z", "2025-02-26T00:00:00Z", "2026-02-26T00:00:00Z"}},
		{"Mon *-*~1..7", "UTC", "2023-11-14T22:13:20Z", []string{"2023-11-27T00:00:00Z", "2023-12-25T00:00:00Z", "2024-01-29T00:00:00Z"}},
		{"*-*~7/2", "UTC", "2024-04-20T00:00:00Z", []string{"2024-04-24T00:00:00Z", "2024-04-26T00:00:00Z", "2024-04-28T00:00:00Z"}},
		{"Fri *-*-13", "UTC", "2023-11-14T22:13:20Z", []string{"2024-09-13T00:00:00Z", "2024-12-13T00:00:00Z", "2025-06-13T00:00:00Z"}},
		{"2024..2030/3-01-01", "UTC", "2023-11-14T22:13:20Z", []string{"2024-01-01T00:00:00Z", "2027-01-01T00:00:00Z", "2030-01-01T00:00:00Z"}},
		{"*-1..12/3-1", "UTC", "2023-11-14T22:13:20Z", []string{"2024-01-01T00:00:00Z", "2024-04-01T00:00:00Z", "2024-07-01T00:00:00Z"}},
		{"*:0..59/7:0..59/13", "UTC", "2023-11-14T22:13:20Z", []string{"2023-11-14T22:14:00Z", "2023-11-14T22:14:13Z", "2023-11-14T22:14:26Z"}},
		{"Sat,Sun 12-05 08:05:40", "UTC", "2023-11-14T22:13:20Z", []string{"2026-12-05T08:05:40Z", "2027-12-05T08:05:40Z", "2032-12-05T08:05:40Z"}},
		{"*-04-31", "UTC", "2023-11-14T22:13:20Z", []string{}},
		{"2003-03-05", "UTC", "2023-11-14T22:13:20Z", []string{}},
		{"2199-12-31 23:59:59", "UTC", "2199-12-31T23:59:58Z", []string{"2199-12-31T23:59:59Z"}},
		{"2199-12-31 23:59:59", "UTC", "2199-12-31T23:59:59Z", []string{}},
		{"*-*-* 02:30 Europe/Berlin", "UTC", "2024-03-30T12:00:00Z", []string{"2024-04-01T00:30:00Z", "2024-04-02T00:30:00Z", "2024-04-03T00:30:00Z"}},
		{"weekly Pacific/Auckland", "UTC", "2024-03-31T00:30:00Z", []string{"2024-03-31T11:00:00Z", "2024-04-07T12:00:00Z", "2024-04-14T12:00:00Z"}},
		{"*-*-* 02:30", "Europe/Berlin", "2024-03-30T12:00:00Z", []string{"2024-04-01T00:30:00Z", "2024-04-02T00:30:00Z", "2024-04-03T00:30:00Z"}},
		{"*-*-* 02:30", "Europe/Berlin", "2024-10-26T12:00:00Z", []string{"2024-10-27T00:30:00Z", "2024-10-28T01:30:00Z", "2024-10-29T01:30:00Z"}},
		{"*-*-* 03:30", "Europe/Berlin", "2024-10-26T12:00:00Z", []string{"2024-10-27T02:30:00Z", "2024-10-28T02:30:00Z", "2024-10-29T02:30:00Z"}},
		{"hourly", "Europe/Berlin", "2024-03-30T23:30:00Z", []string{"2024-03-31T00:00:00Z", "2024-03-31T01:00:00Z", "2024-03-31T02:00:00Z"}},
		{"hourly", "Europe/Berlin", "2024-10-26T23:30:00Z", []string{"2024-10-27T00:00:00Z", "2024-10-27T02:00:00Z", "2024-10-27T03:00:00Z"}},
		{"*:0/30", "Europe/Berlin", "2024-10-27T00:10:00Z", []string{"2024-10-27T00:30:00Z", "2024-10-27T02:00:00Z", "2024-10-27T02:30:00Z"}},
		{"*:0/30", "Europe/Berlin", "2024-03-31T00:10:00Z", []string{"2024-03-31T00:30:00Z", "2024-03-31T01:00:00Z", "2024-03-31T01:30:00Z"}},
		{"daily", "Europe/Berlin", "2024-03-30T12:00:00Z", []string{"2024-03-30T23:00:00Z", "2024-03-31T22:00:00Z", "2024-04-01T22:00:00Z"}},
		{"daily CET", "Europe/Berlin", "2024-01-01T00:00:00Z", []string{"2024-01-01T23:00:00Z", "2024-01-02T23:00:00Z", "2024-01-03T23:00:00Z"}},
		{"daily CEST", "Europe/Berlin", "2024-06-01T00:00:00Z", []string{"2024-06-01T22:00:00Z", "2024-06-02T22:00:00Z", "2024-06-03T22:00:00Z"}},
		{"*:0/20 CET", "Europe/Berlin", "2023-12-31T23:00:00Z", []string{"2023-12-31T23:20:00Z", "2023-12-31T23:40:00Z", "2024-01-01T00:00:00Z"}},
		{"*-*-* 02:30", "America/New_York", "2024-03-09T12:00:00Z", []string{"2024-03-11T06:30:00Z", "2024-03-12T06:30:00Z", "2024-03-13T06:30:00Z"}},
		{"*-*-* 01:30", "America/New_York", "2024-11-02T12:00:00Z", []string{"2024-11-03T05:30:00Z", "2024-11-04T06:30:00Z", "2024-11-05T06:30:00Z"}},
		{"hourly", "America/New_York", "2024-11-03T04:30:00Z", []string{"2024-11-03T05:00:00Z", "2024-11-03T07:00:00Z", "2024-11-03T08:00:00Z"}},
		{"*-*-* 02:30", "Pacific/Auckland", "2024-04-05T12:00:00Z", []string{"2024-04-05T13:30:00Z", "2024-04-06T13:30:00Z", "2024-04-07T14:30:00Z"}},
		{"*-*-* 02:30", "Pacific/Auckland", "2024-09-28T00:00:00Z", []string{"2024-09-29T13:30:00Z", "2024-09-30T13:30:00Z", "2024-10-01T13:30:00Z"}},
		{"*:0/30", "Australia/Lord_Howe", "2024-04-06T14:10:00Z", []string{"2024-04-06T14:30:00Z", "2024-04-06T15:30:00Z", "2024-04-06T16:00:00Z"}},
		{"*:0/30", "Australia/Lord_Howe", "2024-10-05T14:40:00Z", []string{"2024-10-05T15:00:00Z", "2024-10-05T15:30:00Z", "2024-10-05T16:00:00Z"}},
		{"daily", "America/Santiago", "2024-09-06T12:00:00Z", []string{"2024-09-07T04:00:00Z", "2024-09-09T03:00:00Z", "2024-09-10T03:00:00Z"}},
		{"*-*-* 00:30", "America/Santiago", "2024-09-06T12:00:00Z", []string{"2024-09-07T04:30:00Z", "2024-09-09T03:30:00Z", "2024-09-10T03:30:00Z"}},
		{"Sun *-*-* 01:00:00", "Europe/Dublin", "2024-03-24T12:00:00Z", []string{"2024-04-07T00:00:00Z", "2024-04-14T00:00:00Z", "2024-04-21T00:00:00Z"}},
		{"Sun *-*-* 01:00:00", "Europe/Dublin", "2024-10-20T12:00:00Z", []string{"2024-10-27T00:00:00Z", "2024-11-03T01:00:00Z", "2024-11-10T01:00:00Z"}},
		{"01/9-8 20:05", "America/New_York", "2024-01-01T00:00:00Z", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.zone+"/"+tt.expr+"/"+tt.after, func(t *testing.T) {
			loc, err := time.LoadLocation(tt.zone)
			if err != nil {
				t.Skipf("zone not available: %v", err)
			}
			c, err := parseCalendar(tt.expr, localZoneNames(loc, time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)))
			if err != nil {
				t.Fatalf("parseCalendar(%q): %v", tt.expr, err)
			}
			after, err := time.Parse(time.RFC3339Nano, tt.after)
			if err != nil {
				t.Fatal(err)
			}
			at := after.In(loc)
			var got []string
			for range 3 {
				n, ok := c.Next(at)
				if !ok {
					break
				}
				if !n.After(at) {
					t.Errorf("Next(%v) = %v, not after it", at, n)
				}
				if n.Location() != loc {
					t.Errorf("Next(%v) is in %v, want %v", at, n.Location(), loc)
				}
				got = append(got, n.UTC().Format(time.RFC3339Nano))
				at = n
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("Next from %s:\n got  %q\n want %q", tt.after, got, tt.want)
			}
		})
	}
}

// TestCalendarNextUsec holds the cases of systemd 252's
// test-calendarspec.c (test_next), which count microseconds since the
// epoch; -1 means the expression never elapses. A zone of "" is UTC.
func TestCalendarNextUsec(t *testing.T) {
	tests := []struct {
		expr, zone  string
		after, want int64
	}{
		{"2016-03-27 03:17:00", "", 12345, 1459048620000000},
		{"2016-03-27 03:17:00", "Europe/Berlin", 12345, 1459041420000000},
		// 03:00-04:00 did not exist in Kyiv that day.
		{"2016-03-27 03:17:00", "Europe/Kyiv", 12345, -1},
		{"2016-03-27 03:17:00 UTC", "", 12345, 1459048620000000},
		{"2016-03-27 03:17:00 UTC", "Europe/Berlin", 12345, 1459048620000000},
		{"2016-03-27 03:17:00 UTC", "Europe/Kyiv", 12345, 1459048620000000},
		{"2016-03-27 03:17:00.420000001 UTC", "Europe/Kyiv", 12345, 1459048620420000},
		{"2016-03-27 03:17:00.4200005 UTC", "Europe/Kyiv", 12345, 1459048620420001},
		{"2015-11-13 09:11:23.42", "Europe/Kyiv", 12345, 1447398683420000},
		{"2015-11-13 09:11:23.42/1.77", "Europe/Kyiv", 1447398683420000, 1447398685190000},
		{"2015-11-13 09:11:23.42/1.77", "Europe/Kyiv", 1447398683419999, 1447398683420000},
		{"Sun 16:00:00", "Europe/Berlin", 1456041600123456, 1456066800000000},
		{"*-04-31", "", 12345, -1},
		{"2016-02~01 UTC", "", 12345, 1456704000000000},
		{"Mon 2017-05~01..07 UTC", "", 12345, 1496016000000000},
		{"Mon 2017-05~07/1 UTC", "", 12345, 1496016000000000},
		{"*-*-01/5 04:00:00 UTC", "", 1646010000000000, 1646107200000000},
		{"*-01/7-01 04:00:00 UTC", "", 1664607600000000, 1672545600000000},
		{"2017-08-06 9,11,13,15,17:00 UTC", "", 1502029800000000, 1502031600000000},
		{"2017-08-06 9..17/2:00 UTC", "", 1502029800000000, 1502031600000000},
		{"2016-12-* 3..21/6:00 UTC", "", 1482613200000001, 1482634800000000},
		{"2017-09-24 03:30:00 Pacific/Auckland", "", 12345, 1506177000000000},
		// 02:30 did not exist in Auckland that day.
		{"2017-09-24 02:30:00 Pacific/Auckland", "", 12345, -1},
		{"2017-04-02 02:30:00 Pacific/Auckland", "", 12345, 1491053400000000},
		// 02:30 happened twice that day, but the timer fires once.
		{"2017-04-02 02:30:00 Pacific/Auckland", "", 1491053400000000, -1},
		{"2017-04-02 03:30:00 Pacific/Auckland", "", 12345, 1491060600000000},
		{"2017-09-09 20:42:00 Pacific/Auckland", "", 12345, 1504946520000000},
		{"2017-09-09 20:42:00 Pacific/Auckland", "Europe/Kyiv", 12345, 1504946520000000},
		// mktime moving backwards must not make the search loop.
		{"Sun *-*-* 01:00:00 Europe/Dublin", "", 1616412478000000, 1617494400000000},
		// Seconds in a spec do not get lost to the whole-second clock.
		{"*:*:0/0.3", "", 1700000000500000, 1700000000700000},
		{"*:*:10.5", "Europe/Berlin", 1700000000000000, 1700000050500000},
	}
	for _, tt := range tests {
		t.Run(tt.zone+"/"+tt.expr+"/"+strconv.FormatInt(tt.after, 10), func(t *testing.T) {
			loc := time.UTC
			if tt.zone != "" {
				var err error
				if loc, err = time.LoadLocation(tt.zone); err != nil {
					t.Skipf("zone not available: %v", err)
				}
			}
			c, err := parseCalendar(tt.expr, localZoneNames(loc, time.UnixMicro(tt.after)))
			if err != nil {
				t.Fatalf("parseCalendar(%q): %v", tt.expr, err)
			}
			n, ok := c.Next(time.UnixMicro(tt.after).In(loc))
			got := int64(-1)
			if ok {
				got = n.UnixMicro()
			}
			if got != tt.want {
				t.Errorf("Next(%d) = %d (%v), want %d", tt.after, got, n, tt.want)
			}
		})
	}
}

func TestCalendarNextBounds(t *testing.T) {
	daily, err := parseCalendar("daily", utcNames)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		after time.Time
		want  time.Time // zero for none
	}{
		{"before 1970 counts as 1970", time.Date(1960, 5, 5, 12, 0, 0, 0, time.UTC), time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"last day of 2199", time.Date(2199, 12, 30, 12, 0, 0, 0, time.UTC), time.Date(2199, 12, 31, 0, 0, 0, 0, time.UTC)},
		{"beyond 2199", time.Date(2199, 12, 31, 0, 0, 0, 0, time.UTC), time.Time{}},
		{"beyond year 9999", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Time{}},
		{"sub-microsecond after", time.Date(2024, 1, 1, 23, 59, 59, 999999999, time.UTC), time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := daily.Next(tt.after)
			if ok != !tt.want.IsZero() || !got.Equal(tt.want) {
				t.Errorf("Next(%v) = %v, %v; want %v", tt.after, got, ok, tt.want)
			}
		})
	}
}
