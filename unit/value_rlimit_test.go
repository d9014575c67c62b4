package unit

import (
	"errors"
	"testing"
)

// Expectations checked against the Limit*= dump of `systemd --test`.
func TestParseRlimit(t *testing.T) {
	const inf = RlimInfinity
	tests := []struct {
		name     string
		resource string
		in       string
		want     Rlimit
		wantErr  bool
	}{
		{"nofile", "NOFILE", "1024", Rlimit{1024, 1024}, false},
		{"soft hard", "NOFILE", "1024:4096", Rlimit{1024, 4096}, false},
		{"infinity", "NOFILE", "infinity", Rlimit{inf, inf}, false},
		{"soft infinity hard", "NOFILE", "1024:infinity", Rlimit{1024, inf}, false},
		{"hex", "NOFILE", "0x10", Rlimit{16, 16}, false},
		{"octal", "NOFILE", "010", Rlimit{8, 8}, false},
		{"plus", "NOFILE", "+5", Rlimit{5, 5}, false},
		{"minus zero", "NOFILE", "-0", Rlimit{0, 0}, false},
		{"leading blank", "NOFILE", " 5", Rlimit{5, 5}, false},
		{"trailing colon after hard", "NOFILE", "1:2:", Rlimit{1, 2}, false},
		{"escaped", "NOFILE", `1\0`, Rlimit{10, 10}, false},
		{"almost max", "NOFILE", "18446744073709551614", Rlimit{inf - 1, inf - 1}, false},
		{"soft above hard", "NOFILE", "4096:1024", Rlimit{}, true},
		{"infinity above hard", "NOFILE", "infinity:1024", Rlimit{}, true},
		{"size suffix on count", "NOFILE", "1K", Rlimit{}, true},
		{"empty hard", "NOFILE", "1024:", Rlimit{}, true},
		{"empty soft", "NOFILE", ":5", Rlimit{}, true},
		{"three parts", "NOFILE", "1:2:3", Rlimit{}, true},
		{"max", "NOFILE", "18446744073709551615", Rlimit{}, true},
		{"negative", "NOFILE", "-5", Rlimit{}, true},
		{"trailing blank", "NOFILE", "5 ", Rlimit{}, true},
		{"empty", "NOFILE", "", Rlimit{}, true},
		{"trailing backslash", "NOFILE", `5\`, Rlimit{}, true},
		{"core size", "CORE", "1G:2G", Rlimit{1 << 30, 2 << 30}, false},
		{"core fraction", "CORE", "1.5K", Rlimit{1536, 1536}, false},
		{"core sum", "CORE", "1K 1", Rlimit{1025, 1025}, false},
		{"core zero", "CORE", "0", Rlimit{0, 0}, false},
		{"core too large", "CORE", "16E", Rlimit{}, true},
		{"memlock", "MEMLOCK", "8M:16M", Rlimit{8 << 20, 16 << 20}, false},
		{"as", "AS", "1.5G:infinity", Rlimit{1536 << 20, inf}, false},
		{"cpu span", "CPU", "1h", Rlimit{3600, 3600}, false},
		{"cpu rounds up", "CPU", "1.5", Rlimit{2, 2}, false},
		{"cpu rounds up a microsecond", "CPU", "1.000001", Rlimit{2, 2}, false},
		{"cpu half", "CPU", "0.5", Rlimit{1, 1}, false},
		{"cpu ms", "CPU", "5ms", Rlimit{1, 1}, false},
		{"cpu zero", "CPU", "0", Rlimit{0, 0}, false},
		{"cpu spaced", "CPU", "1min 30s", Rlimit{90, 90}, false},
		{"cpu blanks", "CPU", "  5 ", Rlimit{5, 5}, false},
		{"cpu infinity blank", "CPU", "infinity ", Rlimit{inf, inf}, false},
		{"rttime seconds", "RTTIME", "1s", Rlimit{1e6, 1e6}, false},
		{"rttime bare micro", "RTTIME", "1000", Rlimit{1000, 1000}, false},
		{"rttime fraction dropped", "RTTIME", "1.5", Rlimit{1, 1}, false},
		{"rttime ms", "RTTIME", "1.5ms", Rlimit{1500, 1500}, false},
		{"nice raw", "NICE", "5", Rlimit{5, 5}, false},
		{"nice raw zero", "NICE", "0", Rlimit{0, 0}, false},
		{"nice raw max", "NICE", "40", Rlimit{40, 40}, false},
		{"nice plus zero", "NICE", "+0", Rlimit{20, 20}, false},
		{"nice plus", "NICE", "+19", Rlimit{1, 1}, false},
		{"nice minus zero", "NICE", "-0", Rlimit{20, 20}, false},
		{"nice minus", "NICE", "-20", Rlimit{40, 40}, false},
		{"nice double plus", "NICE", "++3", Rlimit{17, 17}, false},
		{"nice plus blank", "NICE", "+ 3", Rlimit{17, 17}, false},
		{"nice minus hex", "NICE", "-0x3", Rlimit{23, 23}, false},
		{"nice plus octal", "NICE", "+010", Rlimit{12, 12}, false},
		{"nice raw too large", "NICE", "41", Rlimit{}, true},
		{"nice plus 20", "NICE", "+20", Rlimit{}, true},
		{"nice minus 21", "NICE", "-21", Rlimit{}, true},
		{"nice plus minus", "NICE", "+-3", Rlimit{}, true},
		{"nice double minus", "NICE", "--3", Rlimit{}, true},
		{"nice infinity", "NICE", "infinity", Rlimit{}, true},
		{"nproc", "NPROC", "infinity", Rlimit{inf, inf}, false},
		{"unknown resource", "FOO", "1", Rlimit{}, true},
		{"lower-case resource", "nofile", "1", Rlimit{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRlimit(tt.resource, tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrBadValue) {
					t.Fatalf("ParseRlimit(%q, %q) = %+v, %v; want ErrBadValue", tt.resource, tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseRlimit(%q, %q) = %+v, %v; want %+v", tt.resource, tt.in, got, err, tt.want)
			}
		})
	}
}

func TestRlimitString(t *testing.T) {
	const inf = RlimInfinity
	tests := []struct {
		in   Rlimit
		want string
	}{
		{Rlimit{inf, inf}, "infinity"},
		{Rlimit{1024, 1024}, "1024"},
		{Rlimit{1024, 4096}, "1024:4096"},
		{Rlimit{1024, inf}, "1024:infinity"},
		{Rlimit{0, 0}, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.in.String(); got != tt.want {
				t.Fatalf("String() = %q, want %q", got, tt.want)
			}
			for _, r := range RlimitNames {
				if r == "NICE" && tt.in.Hard > 40 {
					continue // RLIMIT_NICE is 0–40 and has no "infinity"
				}
				if back, err := ParseRlimit(r, tt.want); err != nil || back != tt.in {
					t.Errorf("ParseRlimit(%q, %q) = %+v, %v; want %+v", r, tt.want, back, err, tt.in)
				}
			}
		})
	}
}

func TestRlimitResource(t *testing.T) {
	if len(RlimitNames) != len(rlimitKinds) {
		t.Fatalf("%d names, %d kinds", len(RlimitNames), len(rlimitKinds))
	}
	linux := map[string]int{
		"CPU": 0, "FSIZE": 1, "DATA": 2, "STACK": 3, "CORE": 4, "RSS": 5, "NPROC": 6,
		"NOFILE": 7, "MEMLOCK": 8, "AS": 9, "LOCKS": 10, "SIGPENDING": 11, "MSGQUEUE": 12,
		"NICE": 13, "RTPRIO": 14, "RTTIME": 15,
	}
	for _, n := range RlimitNames {
		if got := RlimitResource(n); got != linux[n] {
			t.Errorf("RlimitResource(%q) = %d, want %d", n, got, linux[n])
		}
	}
	if got := RlimitResource("RLIMIT_NOFILE"); got != -1 {
		t.Errorf("RlimitResource(\"RLIMIT_NOFILE\") = %d, want -1", got)
	}
}
