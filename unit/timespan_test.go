package unit

import (
	"errors"
	"testing"
	"time"
)

// The expectations of these tables were checked against systemd 252's
// `systemd-analyze timespan` (µs and "Human:" lines).

func TestParseDuration(t *testing.T) {
	const (
		us  = Duration(time.Microsecond)
		ms  = Duration(time.Millisecond)
		sec = Duration(time.Second)
		min = Duration(time.Minute)
		h   = Duration(time.Hour)
		day = 24 * h
	)
	tests := []struct {
		name string
		in   string
		want Duration
	}{
		{"bare seconds", "90", 90 * sec},
		{"zero", "0", 0},
		{"plus sign", "+5", 5 * sec},
		{"fraction", "1.5s", 1500 * ms},
		{"bare fraction", "90.5", 90*sec + 500*ms},
		{"leading dot", ".5", 500 * ms},
		{"dot after unit", "1s.5", 1500 * ms},
		{"space then dot", "12.34 .56", 12*sec + 900*ms},
		{"unit then dot", "12.34s.56", 12*sec + 900*ms},
		{"milliseconds", "100ms", 100 * ms},
		{"msec", "100msec", 100 * ms},
		{"m is minutes", "1m30s", 90 * sec},
		{"glued", "1min30s", 90 * sec},
		{"spaced", "1min 30s", 90 * sec},
		{"space before unit", "5 s", 5 * sec},
		{"tab", "\t5s", 5 * sec},
		{"trailing blank", "5s\t", 5 * sec},
		{"digits continue", "5s5", 10 * sec},
		{"hours", "2h", 2 * h},
		{"hr", "1 hr", h},
		{"days", "1.5d", 36 * h},
		{"weeks", "3 weeks", 21 * day},
		{"month", "1M", 2629800 * sec},
		{"months fraction", "1.5month", 3944700 * sec},
		{"year", "1y", 31557600 * sec},
		{"usec", "1usec", us},
		{"micro sign", "7µs", 7 * us},
		{"greek mu", "7μs", 7 * us},
		{"keeps microseconds", "1.0000005s", sec},
		{"fraction of us dropped", "1.7us", us},
		{"many digits", "1.99999999999999999999999s", 1999999 * us},
		{"leading zeros decimal", "010", 10 * sec},
		{"vertical tab is skipped by strtoll", "\v5", 5 * sec},
		{"vertical tab minus zero", "\v-0", 0},
		{"all units", "1w2d3h4min5s6ms7us", 9*day + 3*h + 4*min + 5*sec + 6*ms + 7*us},
		{"infinity", "infinity", Infinity},
		{"infinity blanks", " infinity\t", Infinity},
		{"300 years saturates", "300y", Infinity},
		{"int64 max us saturates", "9223372036854775807us", Infinity},
		{"largest finite", "9223372036854775us", 9223372036854775 * us},
		{"just too large", "9223372036854776us", Infinity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if err != nil {
				t.Fatalf("ParseDuration(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseDuration(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseDurationErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"blank", "  "},
		{"minus zero", "-0"},
		{"negative", "-1"},
		{"vertical tab negative", "\v-5"},
		{"plus minus", "+-5"},
		{"double plus", "++5"},
		{"trailing dot", "5."},
		{"dot unit", "5.s"},
		{"dot space", "5. s"},
		{"two dots", "12.34.56"},
		{"double dot", "1..5"},
		{"bare dot", "."},
		{"unit only", "s"},
		{"junk unit", "5x"},
		{"junk after blank", "5 x"},
		{"mo is m then o", "5mo"},
		{"secs", "5secs"},
		{"nanoseconds", "1ns"},
		{"hex", "0x10"},
		{"exponent", "1e3"},
		{"trailing vertical tab", "5\v"},
		{"infinity junk", "infinityx"},
		{"infinity unit", "infinity s"},
		{"uppercase", "5S"},
		{"usec overflow", "18446744073709551615us"},
		{"beyond int64 us", "18446744073709551614us"},
		{"strtoll overflow", "9223372036854775808"},
		{"year overflow", "584942y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if err == nil {
				t.Fatalf("ParseDuration(%q) = %v, want an error", tt.in, got)
			}
			if !errors.Is(err, ErrBadValue) {
				t.Errorf("ParseDuration(%q) error %v does not wrap ErrBadValue", tt.in, err)
			}
		})
	}
}

func TestParseDurationUnit(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		def     time.Duration
		want    Duration
		wantErr bool
	}{
		{"nsec bare", "1500", time.Nanosecond, 1500, false},
		{"nsec unit", "50ns", time.Nanosecond, 50, false},
		{"nsec nsec", "50nsec", time.Nanosecond, 50, false},
		{"nsec usec", "50us", time.Nanosecond, 50000, false},
		{"nsec fraction", "1.5us", time.Nanosecond, 1500, false},
		{"nsec seconds", "1.000000001s", time.Nanosecond, 1000000001, false},
		{"nsec infinity", "infinity", time.Nanosecond, Infinity, false},
		{"nsec too large", "1000y", time.Nanosecond, 0, true},
		{"nsec saturates", "300y", time.Nanosecond, Infinity, false},
		{"usec default", "1.5", time.Microsecond, 1000, false},
		{"usec default with unit", "1s", time.Microsecond, Duration(time.Second), false},
		{"usec default refuses ns", "5ns", time.Microsecond, 0, true},
		{"minute default", "2", time.Minute, Duration(2 * time.Minute), false},
		{"zero default", "2", 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDurationUnit(tt.in, tt.def)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseDurationUnit(%q, %v) = %d, want an error", tt.in, tt.def, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDurationUnit(%q, %v): %v", tt.in, tt.def, err)
			}
			if got != tt.want {
				t.Errorf("ParseDurationUnit(%q, %v) = %d, want %d", tt.in, tt.def, got, tt.want)
			}
		})
	}
}

func TestDurationString(t *testing.T) {
	tests := []struct {
		name string
		in   Duration
		want string
	}{
		{"zero", 0, "0"},
		{"negative", -5, "0"},
		{"infinity", Infinity, "infinity"},
		{"90s", Duration(90 * time.Second), "1min 30s"},
		{"100ms", Duration(100 * time.Millisecond), "100ms"},
		{"1.5s", Duration(1500 * time.Millisecond), "1.500000s"},
		{"half second", Duration(500 * time.Millisecond), "500ms"},
		{"1.5ms", Duration(1500 * time.Microsecond), "1.500ms"},
		{"1us", Duration(time.Microsecond), "1us"},
		{"59.999999s", Duration(59999999 * time.Microsecond), "59.999999s"},
		{"90.5s", Duration(90500 * time.Millisecond), "1min 30.500000s"},
		{"one minute and a bit", Duration(time.Minute + 500*time.Millisecond), "1min 500ms"},
		{"hours", Duration(26*time.Hour + 3*time.Second), "1d 2h 3s"},
		{"year", Duration(31557600 * time.Second), "1y"},
		{"month", Duration(2629800 * time.Second), "1month"},
		{"week", Duration(8 * 24 * time.Hour), "1w 1d"},
		{"sub-microsecond", 1500, "1us 500ns"},
		{"nanoseconds", 500, "500ns"},
		{"seconds and nanoseconds", Duration(time.Second + 500), "1s 500ns"},
		{"fraction and nanoseconds", Duration(time.Second + 1500), "1.000001s 500ns"},
		{"minute and nanoseconds", Duration(time.Minute + 500), "1min 500ns"},
		{"largest whole us", 9223372036854775 * Duration(time.Microsecond), "292y 3month 1w 16h 17min 16.854775s"},
		{"largest", Infinity - 1, "292y 3month 1w 16h 17min 16.854775s 806ns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.String(); got != tt.want {
				t.Errorf("Duration(%d).String() = %q, want %q", int64(tt.in), got, tt.want)
			}
		})
	}
}

// The dump of `systemd --test` formats service timeouts with a one-second
// accuracy; these were read from it.
func TestDurationTimespan(t *testing.T) {
	tests := []struct {
		name     string
		in       Duration
		accuracy Duration
		want     string
	}{
		{"RestartSec=1.5s", Duration(1500 * time.Millisecond), Duration(time.Second), "1s"},
		{"RestartSec=100ms", Duration(100 * time.Millisecond), Duration(time.Second), "100ms"},
		{"TimeoutStopSec=90.5", Duration(90500 * time.Millisecond), Duration(time.Second), "1min 30s"},
		{"WatchdogSec=1min 0.5s", Duration(time.Minute + 500*time.Millisecond), Duration(time.Second), "1min"},
		{"RuntimeMaxSec=infinity", Infinity, Duration(time.Second), "infinity"},
		{"zero", 0, Duration(time.Second), "0"},
		{"ms accuracy", Duration(1234567 * time.Microsecond), Duration(time.Millisecond), "1.234s"},
		{"100ms accuracy", Duration(1500 * time.Millisecond), Duration(100 * time.Millisecond), "1.5s"},
		{"zero accuracy is 1us", Duration(1500 * time.Millisecond), 0, "1.500000s"},
		{"ns accuracy on whole us", Duration(1500 * time.Millisecond), 1, "1.500000s"},
		{"nanoseconds dropped", Duration(time.Second + 500), 0, "1s"},
		{"under a microsecond", 999, 0, "0"},
		{"day accuracy", Duration(50 * time.Hour), Duration(24 * time.Hour), "2d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.Timespan(tt.accuracy); got != tt.want {
				t.Errorf("Duration(%d).Timespan(%d) = %q, want %q", int64(tt.in), int64(tt.accuracy), got, tt.want)
			}
		})
	}
}

func TestDurationTextRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   Duration
	}{
		{"zero", 0},
		{"infinity", Infinity},
		{"largest", Infinity - 1},
		{"90s", Duration(90 * time.Second)},
		{"fraction", Duration(1500 * time.Millisecond)},
		{"odd microseconds", Duration(123456789 * time.Microsecond)},
		{"nanoseconds", 1},
		{"mixed", Duration(400*24*time.Hour + 1)},
		{"just under a minute", Duration(time.Minute - 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.in.MarshalText()
			if err != nil {
				t.Fatalf("MarshalText: %v", err)
			}
			var got Duration
			if err := got.UnmarshalText(b); err != nil {
				t.Fatalf("UnmarshalText(%q): %v", b, err)
			}
			if got != tt.in {
				t.Errorf("round trip of %d via %q = %d", int64(tt.in), b, int64(got))
			}
		})
	}
}

func TestDurationUnmarshalText(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Duration
		wantErr bool
	}{
		{"systemd syntax", "1min 30s", Duration(90 * time.Second), false},
		{"nanoseconds", "5ns", 5, false},
		{"fine fraction as ParseDuration", "1.000000001s", Duration(time.Second), false},
		{"nanosecond fraction", "1.000000001s 1ns", Duration(time.Second + 2), false},
		{"String of nanoseconds", "1.000001s 500ns", Duration(time.Second + 1500), false},
		{"saturates like ParseDuration", "1000y", Infinity, false},
		{"bad", "5x", 0, true},
		{"overflow", "18446744073709551615us", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Duration
			err := got.UnmarshalText([]byte(tt.in))
			if tt.wantErr {
				if err == nil || !errors.Is(err, ErrBadValue) {
					t.Fatalf("UnmarshalText(%q) error = %v, want ErrBadValue", tt.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("UnmarshalText(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("UnmarshalText(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{
		"0", "90", "1.5s", "1min 30s", "1m30s", "100ms", "infinity", " infinity ",
		"12.34 .56", "12.34s.56", ".5", "+5", "-0", "5.", "1y 2month 3w 4d 5h 6min 7s 8ms 9us",
		"300y", "584942y", "18446744073709551615us", "1µs", "1μs", "\v-0", "5 x", "1.99999999999999999999s",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			if !errors.Is(err, ErrBadValue) {
				t.Fatalf("ParseDuration(%q) error %v does not wrap ErrBadValue", s, err)
			}
			return
		}
		if d < 0 {
			t.Fatalf("ParseDuration(%q) = %d, negative", s, d)
		}
		text := d.String()
		d2, err := ParseDuration(text)
		if err != nil {
			t.Fatalf("ParseDuration(%q) = %d formats as %q, which does not parse: %v", s, d, text, err)
		}
		if d2 != d {
			t.Fatalf("ParseDuration(%q) = %d formats as %q, which parses as %d", s, d, text, d2)
		}
		var d3 Duration
		if err := d3.UnmarshalText([]byte(s)); err != nil || d3 != d {
			t.Fatalf("UnmarshalText(%q) = %d, %v; ParseDuration gave %d", s, d3, err, d)
		}
		_ = d.Timespan(Duration(time.Second))
	})
}

func FuzzDurationText(f *testing.F) {
	for _, v := range []int64{0, 1, 999, 1000, 1500, 1e9 + 500, 90e9, int64(Infinity), int64(Infinity) - 1, -1} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v int64) {
		d := Duration(v)
		if d < 0 {
			d = -d
		}
		if d < 0 {
			return
		}
		b, err := d.MarshalText()
		if err != nil {
			t.Fatalf("MarshalText(%d): %v", d, err)
		}
		var got Duration
		if err := got.UnmarshalText(b); err != nil {
			t.Fatalf("UnmarshalText(%q) of %d: %v", b, d, err)
		}
		if got != d {
			t.Fatalf("%d marshals as %q, which reads back as %d", d, b, got)
		}
	})
}

func TestDurationUSec(t *testing.T) {
	tests := []struct {
		name string
		in   Duration
		want uint64
	}{
		{"zero", 0, 0},
		{"negative", -1, 0},
		{"90s", Duration(90 * time.Second), 90e6},
		{"nanoseconds dropped", 1999, 1},
		{"infinity", Infinity, 1<<64 - 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.USec(); got != tt.want {
				t.Errorf("Duration(%d).USec() = %d, want %d", int64(tt.in), got, tt.want)
			}
		})
	}
	back := []struct {
		in   uint64
		want Duration
	}{
		{0, 0}, {90e6, Duration(90 * time.Second)}, {1<<64 - 1, Infinity},
		{9467280000000000, Infinity}, {9223372036854775, 9223372036854775000},
	}
	for _, tt := range back {
		if got := DurationFromUSec(tt.in); got != tt.want {
			t.Errorf("DurationFromUSec(%d) = %d, want %d", tt.in, got, tt.want)
		}
	}
}
