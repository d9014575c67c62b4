package unit

import (
	"errors"
	"testing"
	"time"
)

// FuzzParseCalendar checks that parsing never panics, that every error
// wraps ErrBadValue, that the normalised form is a fixed point, and that
// Next only ever moves forward.
func FuzzParseCalendar(f *testing.F) {
	for _, tt := range calendarNormalized {
		f.Add(tt.in)
	}
	for _, in := range calendarInvalid {
		f.Add(in)
	}
	for _, in := range []string{
		"daily CET", "*-*-* 02:30 CEST", "Sun *-*-* 01:00:00 Europe/Dublin",
		"*:*:0.9999995", "@-18446744073709551615", "Mon..Wed,Fri..Sun 12-*~3..5/1 *:*:*",
		"2000..2199/199-*-*", "*-*-* *:*:0..59.999999/0.000001",
	} {
		f.Add(in)
	}
	names := [2]string{"CET", "CEST"}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		f.Fatal(err)
	}
	after := time.Date(2024, 10, 27, 0, 30, 0, 0, time.UTC).In(berlin)
	f.Fuzz(func(t *testing.T, in string) {
		c, err := parseCalendar(in, names)
		if err != nil {
			if !errors.Is(err, ErrBadValue) {
				t.Fatalf("parseCalendar(%q): error %v does not wrap ErrBadValue", in, err)
			}
			return
		}
		s := c.String()
		c2, err := parseCalendar(s, names)
		if err != nil {
			t.Fatalf("parseCalendar(%q) = %q, which does not parse: %v", in, s, err)
		}
		if s2 := c2.String(); s2 != s {
			t.Fatalf("parseCalendar(%q) = %q, which reparses as %q", in, s, s2)
		}
		if n, ok := c.Next(after); ok && !n.After(after) {
			t.Fatalf("%q: Next(%v) = %v, not after it", in, after, n)
		}
	})
}
