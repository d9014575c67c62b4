package unit

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	// The tests name zones of the tz database; embed it so they also run
	// where /usr/share/zoneinfo is missing.
	_ "time/tzdata"
)

// utcNames are glibc's tzname on a machine whose local zone is UTC.
var utcNames = [2]string{"UTC", "UTC"}

// calendarNormalized maps expressions to the "Normalized form:" that
// systemd-analyze calendar of systemd 252 prints for them with TZ=UTC.
var calendarNormalized = []struct{ in, want string }{
	{"minutely", "*-*-* *:*:00"},
	{"hourly", "*-*-* *:00:00"},
	{"daily", "*-*-* 00:00:00"},
	{"monthly", "*-*-01 00:00:00"},
	{"weekly", "Mon *-*-* 00:00:00"},
	{"yearly", "*-01-01 00:00:00"},
	{"annually", "*-01-01 00:00:00"},
	{"quarterly", "*-01,04,07,10-01 00:00:00"},
	{"semiannually", "*-01,07-01 00:00:00"},
	{"semi-annually", "*-01,07-01 00:00:00"},
	{"biannually", "*-01,07-01 00:00:00"},
	{"bi-annually", "*-01,07-01 00:00:00"},
	{"anually", "*-01-01 00:00:00"},
	{"DAILY", "*-*-* 00:00:00"},
	{"Hourly", "*-*-* *:00:00"},
	{"weekly UTC", "Mon *-*-* 00:00:00 UTC"},
	{"daily Europe/Berlin", "*-*-* 00:00:00 Europe/Berlin"},
	{"Mon..Fri", "Mon..Fri *-*-* 00:00:00"},
	{"Sat,Sun", "Sat,Sun *-*-* 00:00:00"},
	{"Mon..Fri *-*-* 10:00", "Mon..Fri *-*-* 10:00:00"},
	{"Mon-Fri 9:30", "Mon..Fri *-*-* 09:30:00"},
	{"Sun *-*-* 16:00:00", "Sun *-*-* 16:00:00"},
	{"Sat,Thu,Mon-Wed,Sat-Sun", "Mon..Thu,Sat,Sun *-*-* 00:00:00"},
	{"Sat,Thu,Mon..Wed,Sat..Sun", "Mon..Thu,Sat,Sun *-*-* 00:00:00"},
	{"Mon,Sun 12-*-* 2,1:23", "Mon,Sun 2012-*-* 01,02:23:00"},
	{"Wed *-1", "Wed *-*-01 00:00:00"},
	{"Wed-Wed,Wed *-1", "Wed *-*-01 00:00:00"},
	{"Wed, 17:48", "Wed *-*-* 17:48:00"},
	{"Wednesday,", "Wed *-*-* 00:00:00"},
	{"Wed-Sat,Tue 12-10-15 1:2:3", "Tue..Sat 2012-10-15 01:02:03"},
	{"*-*-7 0:0:0", "*-*-07 00:00:00"},
	{"10-15", "*-10-15 00:00:00"},
	{"monday *-12-* 17:00", "Mon *-12-* 17:00:00"},
	{"Mon,Fri *-*-3,1,2 *:30:45", "Mon,Fri *-*-01,02,03 *:30:45"},
	{"12,14,13,12:20,10,30", "*-*-* 12,13,14:10,20,30:00"},
	{"mon,fri *-1/2-1,3 *:30:45", "Mon,Fri *-01/2-01,03 *:30:45"},
	{"03-05 08:05:40", "*-03-05 08:05:40"},
	{"08:05:40", "*-*-* 08:05:40"},
	{"05:40", "*-*-* 05:40:00"},
	{"Sat,Sun 12-05 08:05:40", "Sat,Sun *-12-05 08:05:40"},
	{"Sat,Sun 08:05:40", "Sat,Sun *-*-* 08:05:40"},
	{"2003-03-05 05:40", "2003-03-05 05:40:00"},
	{"2003-03-05", "2003-03-05 00:00:00"},
	{"03-05", "*-03-05 00:00:00"},
	{"*:2/3", "*-*-* *:02/3:00"},
	{"2015-10-25 01:00:00 uTc", "2015-10-25 01:00:00 UTC"},
	{"2015-10-25 01:00:00 Asia/Vladivostok", "2015-10-25 01:00:00 Asia/Vladivostok"},
	{"weekly Pacific/Auckland", "Mon *-*-* 00:00:00 Pacific/Auckland"},
	{"2016-03-27 03:17:00.4200005", "2016-03-27 03:17:00.420001"},
	{"2016-03-27 03:17:00/0.42", "2016-03-27 03:17:00/0.420000"},
	{"9..11,13:00,30", "*-*-* 09..11,13:00,30:00"},
	{"1..3-1..3 1..3:1..3", "*-01..03-01..03 01..03:01..03:00"},
	{"00:00:1.125..2.125", "*-*-* 00:00:01.125000..02.125000"},
	{"00:00:1.0..3.8", "*-*-* 00:00:01..03"},
	{"00:00:01..03", "*-*-* 00:00:01..03"},
	{"00:00:01/2,02..03", "*-*-* 00:00:01/2,02..03"},
	{"*:4,30:0..3", "*-*-* *:04,30:00..03"},
	{"*:4,30:0/1", "*-*-* *:04,30:*"},
	{"*:4,30:0/1,3,5", "*-*-* *:04,30:*"},
	{"*-*~1 Utc", "*-*~01 00:00:00 UTC"},
	{"*-*~05,3 ", "*-*~03,05 00:00:00"},
	{"*-*~* 00:00:00", "*-*-* 00:00:00"},
	{"Monday", "Mon *-*-* 00:00:00"},
	{"Monday *-*-*", "Mon *-*-* 00:00:00"},
	{"*-*-*", "*-*-* 00:00:00"},
	{"*:*:*", "*-*-* *:*:*"},
	{"*:*", "*-*-* *:*:00"},
	{"12:*", "*-*-* 12:*:00"},
	{"*:30", "*-*-* *:30:00"},
	{"93..00-*-*", "1993..2000-*-* 00:00:00"},
	{"00..07-*-*", "2000..2007-*-* 00:00:00"},
	{"*:20..39/5", "*-*-* *:20..35/5:00"},
	{"00:00:20..40/1", "*-*-* 00:00:20..40"},
	{"*~03/1,03..05", "*-*~03/1,03..05 00:00:00"},
	{"@1493187147", "2017-04-26 06:12:27 UTC"},
	{"@1493187147 UTC", "2017-04-26 06:12:27 UTC"},
	{"@0", "1970-01-01 00:00:00 UTC"},
	{"@0 UTC", "1970-01-01 00:00:00 UTC"},
	{"*:05..05", "*-*-* *:05:00"},
	{"*:05..10/6", "*-*-* *:05:00"},
	{"*:0/15", "*-*-* *:00/15:00"},
	{"*:*:0/0.3", "*-*-* *:*:00/0.300000"},
	{"*-*-* *:*:10.5", "*-*-* *:*:10.500000"},
	{"*-*-* 02:30", "*-*-* 02:30:00"},
	{"*-*-* 02:30:00 UTC", "*-*-* 02:30:00 UTC"},
	{"*-*-* 01:30", "*-*-* 01:30:00"},
	{"*-*-* 03:00", "*-*-* 03:00:00"},
	{"*-*-* 00:00", "*-*-* 00:00:00"},
	{"*-*-* 23:59:59", "*-*-* 23:59:59"},
	{"*-*-* 02:00,03:00", "*-*-* 02:00,03:00"},
	{"*-*-* *:15", "*-*-* *:15:00"},
	{"*-02-29", "*-02-29 00:00:00"},
	{"*-02-29 12:00", "*-02-29 12:00:00"},
	{"*-02-30", "*-02-30 00:00:00"},
	{"*-04-31", "*-04-31 00:00:00"},
	{"*-*-31", "*-*-31 00:00:00"},
	{"*-*~1", "*-*~01 00:00:00"},
	{"*-*~1..2", "*-*~01..02 00:00:00"},
	{"*-*~7/2", "*-*~07/2 00:00:00"},
	{"*-02~1", "*-02~01 00:00:00"},
	{"*-02~03", "*-02~03 00:00:00"},
	{"Mon *-*~1..7", "Mon *-*~01..07 00:00:00"},
	{"Fri *-*-13", "Fri *-*-13 00:00:00"},
	{"Mon 2017-05~01..07 UTC", "Mon 2017-05~01..07 00:00:00 UTC"},
	{"Mon 2017-05~07/1 UTC", "Mon 2017-05~07/1 00:00:00 UTC"},
	{"2016-02~01 UTC", "2016-02~01 00:00:00 UTC"},
	{"*-*-01/5 04:00:00", "*-*-01/5 04:00:00"},
	{"*-01/7-01 04:00:00", "*-01/7-01 04:00:00"},
	{"2017-08-06 9,11,13,15,17:00", "2017-08-06 09,11,13,15,17:00:00"},
	{"2016-12-* 3..21/6:00", "2016-12-* 03..21/6:00:00"},
	{"2030-*-* *:*", "2030-*-* *:*:00"},
	{"2199-12-31 23:59:59", "2199-12-31 23:59:59"},
	{"1970-01-01", "1970-01-01 00:00:00"},
	{"2024..2030/3-01-01", "2024..2030/3-01-01 00:00:00"},
	{"*-1..12/3-1", "*-01..10/3-01 00:00:00"},
	{"*-*-1..31/10", "*-*-01..31/10 00:00:00"},
	{"*:0..59/7:0..59/13", "*-*-* *:00..56/7:00..52/13"},
	{"00:00:00.5", "*-*-* 00:00:00.500000"},
	{"*-*-* *:*:0.000001", "*-*-* *:*:00.000001"},
	{"*-*-* *:*:59.999999", "*-*-* *:*:59.999999"},
	{"*:*:0/0.5", "*-*-* *:*:00/0.500000"},
	{"*:*:1..59/0.5", "*-*-* *:*:01..59/0.500000"},
	{"1..2:00", "*-*-* 01..02:00:00"},
	{"23:59", "*-*-* 23:59:00"},
	{"0:0", "*-*-* 00:00:00"},
	{"Mon..Sun", "*-*-* 00:00:00"},
	{"Mon..Sun 12:00", "*-*-* 12:00:00"},
	{"Mon,", "Mon *-*-* 00:00:00"},
	{"Mon   12:00", "Mon *-*-* 12:00:00"},
	{"Mon  ", "Mon *-*-* 00:00:00"},
	{"MONDAY", "Mon *-*-* 00:00:00"},
	{"tUeSdAy 1:2", "Tue *-*-* 01:02:00"},
	{"*~28", "*-*~28 00:00:00"},
	{"@ 5", "1970-01-01 00:00:05 UTC"},
	{"@+5", "1970-01-01 00:00:05 UTC"},
	{"@-0", "1970-01-01 00:00:00 UTC"},
	{"@-18446744073709551615", "1970-01-01 00:00:01 UTC"},
	{"@7258118399", "2199-12-31 23:59:59 UTC"},
	{"Mon @0", "Mon 1970-01-01 00:00:00 UTC"},
	{"@5 Europe/Berlin", "1970-01-01 00:00:05 UTC"},
	{"daily Etc/UTC", "*-*-* 00:00:00 Etc/UTC"},
	{"daily GMT", "*-*-* 00:00:00 GMT"},
	{"daily CET", "*-*-* 00:00:00 CET"},
	{"daily EST", "*-*-* 00:00:00 EST"},
	{"daily America/New_York", "*-*-* 00:00:00 America/New_York"},
	{"daily Australia/Lord_Howe", "*-*-* 00:00:00 Australia/Lord_Howe"},
	{"*-*-* 02:30 America/New_York", "*-*-* 02:30:00 America/New_York"},
	{"*-*-* 02:30 Europe/Berlin", "*-*-* 02:30:00 Europe/Berlin"},
	{"*-*-* 02:30:00 Pacific/Auckland", "*-*-* 02:30:00 Pacific/Auckland"},
	{"Sun *-*-* 01:00:00 Europe/Dublin", "Sun *-*-* 01:00:00 Europe/Dublin"},
	{"*-*-* 00:00 America/Santiago", "*-*-* 00:00:00 America/Santiago"},
	{"*-*-* 00:30 America/Santiago", "*-*-* 00:30:00 America/Santiago"},
	{"*-*-* 00:00 America/Havana", "*-*-* 00:00:00 America/Havana"},
	{"*:0/30", "*-*-* *:00/30:00"},
	{"*:0/20 CET", "*-*-* *:00/20:00 CET"},
	{"*-*-* 02:30 CET", "*-*-* 02:30:00 CET"},
	{"Sun *-*-* 02:00..03:00 CET", "Sun *-*-* 02:00..03:00 CET"},
	{"*-*-* *:30 EST", "*-*-* *:30:00 EST"},
	{"daily GMT", "*-*-* 00:00:00 GMT"},
	{"01:02:3.9999995", "*-*-* 01:02:04"},
	{"01:02:03..04", "*-*-* 01:02:03..04"},
	{"01:02:03..04/0.5", "*-*-* 01:02:03..04/0.500000"},
	{"1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23:00", "*-*-* 01,02,03,04,05,06,07,08,09,10,11,12,13,14,15,16,17,18,19,20,21,22,23:00:00"},
	{"69-01-01", "2069-01-01 00:00:00"},
	{"70-01-01", "1970-01-01 00:00:00"},
	{"99-01-01", "1999-01-01 00:00:00"},
	{"*-*-* 0..23/23:00", "*-*-* 00..23/23:00:00"},
	{"*-*-* 0/23:00", "*-*-* 00/23:00:00"},
	{"2024-*-* 0..5/2,3:00", "2024-*-* 00..04/2,03:00:00"},
	{"5,3,1..10/4,3:00", "*-*-* 01..09/4,03,05:00:00"},
	{"2020..2025/2-*-*", "2020..2024/2-*-* 00:00:00"},
	{"*-*~01,02,03,04", "*-*~01,02,03,04 00:00:00"},
	{"Sat *-*~1..7 12:00", "Sat *-*~01..07 12:00:00"},
	{"Thu..Sat,Tue 12:00", "Tue,Thu..Sat *-*-* 12:00:00"},
}

// calendarInvalid are expressions systemd 252 refuses with TZ=UTC.
var calendarInvalid = []string{
	"*-*~2..1",
	"Sun..Sat",
	"Tue..Mon",
	"Mon.. 12:00",
	"Monday..",
	"Mon,,Tue",
	"Mon ,Tue",
	"Monx",
	"mond",
	"test",
	" utc",
	"    ",
	"",
	"7",
	"121212:1:2",
	"2000-03-05.23 00:00:00",
	"2000-03-05 00:00.1:00",
	"00:00:00/0.00000001",
	"00:00:00.0..00.9",
	"2016~11-22",
	"*-*~5/5",
	"-00:+00/-5",
	"00:+00/-5",
	"2016- 11- 24 12: 30: 00",
	"*~29",
	"*~16..31",
	"12..1/2-*",
	"20/4:00",
	"00:00/60",
	"00:00:2300",
	"00:00:18446744073709551615",
	"@88588582097858858",
	"*:4,30:*,5",
	"*:4,30:5,*",
	"*:4,30:*\n",
	"UTC",
	"daily  UTC",
	"daily\tUTC",
	"@-1",
	"@7258118400",
	"@",
	"@x",
	"@5 12:00",
	"daily cest",
	"daily NZDT",
	"daily nzst",
	"daily Europe/Nowhere",
	"daily europe/berlin",
	"daily Europe//Berlin",
	"daily /Europe/Berlin",
	"daily Local",
	"*-*-* 02:30 CEST",
	"*-*-* 01:59:59 EDT",
	"daily IST",
	"*:*:*.5",
	"*.5",
	"1.5:00",
	"01:02:03.",
	"01:02:03.x",
	"01:02:03..03.5",
	"01:02:03.5..04",
	"*-*-* 24:00",
	"*-*-* 23:60",
	"*-*-* 00:00:60",
	"*-13-01",
	"*-00-01",
	"*-01-00",
	"*-01-32",
	"1969-01-01",
	"2200-01-01",
	"100-01-01",
	"*-*-* 0/24:00",
	"0..59/5,0..59/5:00",
	"*-*-1..7,15..21 Sun",
}

func TestParseCalendarNormalized(t *testing.T) {
	for _, tt := range calendarNormalized {
		t.Run(strconv.Quote(tt.in), func(t *testing.T) {
			c, err := parseCalendar(tt.in, utcNames)
			if err != nil {
				t.Fatalf("parseCalendar(%q): %v", tt.in, err)
			}
			if got := c.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			if c.Source != tt.in {
				t.Errorf("Source = %q, want %q", c.Source, tt.in)
			}
			// The normal form is a fixed point.
			again, err := parseCalendar(c.String(), utcNames)
			if err != nil {
				t.Fatalf("reparsing %q: %v", c.String(), err)
			}
			if got := again.String(); got != tt.want {
				t.Errorf("reparsed String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseCalendarInvalid(t *testing.T) {
	for _, in := range calendarInvalid {
		t.Run(strconv.Quote(in), func(t *testing.T) {
			c, err := parseCalendar(in, utcNames)
			if err == nil {
				t.Fatalf("parseCalendar(%q) = %q, want error", in, c.String())
			}
			if !errors.Is(err, ErrBadValue) {
				t.Errorf("error %v does not wrap ErrBadValue", err)
			}
			if !strings.Contains(err.Error(), strconv.Quote(in)) {
				t.Errorf("error %q does not quote the input", err)
			}
		})
	}
}

func TestParseCalendarListLimit(t *testing.T) {
	list := func(n int) string { return strings.Repeat("0,", n-1) + "0:00" }
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"241 elements", list(241), true},
		{"242 elements", list(242), false},
		{"241 seconds", "*:*:" + strings.Repeat("1,", 240) + "1", true},
		{"242 seconds", "*:*:" + strings.Repeat("1,", 241) + "1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseCalendar(tt.in, utcNames)
			if (err == nil) != tt.ok {
				t.Errorf("got error %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

// TestParseCalendarLocalZone checks a trailing abbreviation of the local
// zone, which systemd matches against tzname before zone files.
func TestParseCalendarLocalZone(t *testing.T) {
	tests := []struct {
		name  string
		names [2]string
		in    string
		want  string // "" for an error
		dst   int
	}{
		{"standard", [2]string{"CET", "CEST"}, "daily CET", "*-*-* 00:00:00 CET", 0},
		{"daylight any case", [2]string{"CET", "CEST"}, "daily cest", "*-*-* 00:00:00 CEST", 1},
		{"with time", [2]string{"CET", "CEST"}, "*-*-* 02:30 CEST", "*-*-* 02:30:00 CEST", 1},
		{"whole input is no zone", [2]string{"CET", "CEST"}, "CEST", "", -1},
		{"needs a space", [2]string{"CET", "CEST"}, "dailyCET", "", -1},
		{"UTC wins", [2]string{"UTC", "UTC"}, "daily utc", "*-*-* 00:00:00 UTC", -1},
		{"no zone file needed", [2]string{"JST", "JST"}, "daily jst", "*-*-* 00:00:00 JST", 0},
		{"other zone's name", [2]string{"JST", "JST"}, "daily NZDT", "", -1},
		{"zone file", [2]string{"JST", "JST"}, "daily CET", "*-*-* 00:00:00 CET", -1},
		{"no names", [2]string{}, "daily", "*-*-* 00:00:00", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseCalendar(tt.in, tt.names)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("parseCalendar(%q) = %q, want error", tt.in, c.String())
				}
				return
			}
			if err != nil {
				t.Fatalf("parseCalendar(%q): %v", tt.in, err)
			}
			if got := c.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			if c.dst != tt.dst {
				t.Errorf("dst = %d, want %d", c.dst, tt.dst)
			}
		})
	}
}

func TestLocalZoneNames(t *testing.T) {
	at := time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		zone string
		want [2]string
	}{
		{"UTC", [2]string{"UTC", "UTC"}},
		{"Europe/Berlin", [2]string{"CET", "CEST"}},
		{"America/New_York", [2]string{"EST", "EDT"}},
		{"Australia/Lord_Howe", [2]string{"+1030", "+11"}},
		// Irish summer time is the standard one; winter time is "negative DST".
		{"Europe/Dublin", [2]string{"IST", "GMT"}},
		// Zones that gave up DST report their current name twice, as glibc
		// does once localtime has run.
		{"Asia/Tokyo", [2]string{"JST", "JST"}},
		{"America/Sao_Paulo", [2]string{"-03", "-03"}},
		{"Asia/Kolkata", [2]string{"IST", "IST"}},
	}
	for _, tt := range tests {
		t.Run(tt.zone, func(t *testing.T) {
			loc, err := time.LoadLocation(tt.zone)
			if err != nil {
				t.Skipf("zone not available: %v", err)
			}
			if got := localZoneNames(loc, at); got != tt.want {
				t.Errorf("localZoneNames = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCalendarSpecText(t *testing.T) {
	type doc struct {
		OnCalendar []CalendarSpec
	}
	in := `{"OnCalendar":["daily","Mon..Fri *:0/15","*-*~1 UTC"]}`
	var d doc
	if err := json.Unmarshal([]byte(in), &d); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	out, err := json.Marshal(d)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	want := `{"OnCalendar":["*-*-* 00:00:00","Mon..Fri *-*-* *:00/15:00","*-*~01 00:00:00 UTC"]}`
	if string(out) != want {
		t.Errorf("Marshal = %s, want %s", out, want)
	}
	if err := json.Unmarshal([]byte(`{"OnCalendar":["bogus"]}`), &d); !errors.Is(err, ErrBadValue) {
		t.Errorf("Unmarshal of a bad expression: got %v, want ErrBadValue", err)
	}
}

func TestCalendarSpecZero(t *testing.T) {
	var c CalendarSpec
	if got := c.String(); got != "" {
		t.Errorf("String() = %q, want empty", got)
	}
	if got, ok := c.Next(time.Now()); ok {
		t.Errorf("Next() = %v, want none", got)
	}
}
