package compat

import "testing"

func TestBusLabelEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"foo.service", "foo_2eservice"},
		{"multi-user.target", "multi_2duser_2etarget"},
		{"getty@tty1.service", "getty_40tty1_2eservice"},
		{"1foo.service", "_31foo_2eservice"},
		{"a1b2", "a1b2"},
		{"-.slice", "_2d_2eslice"},
		{"", "_"},
		{"x_y", "x_5fy"},
		{"\xff", "_ff"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := BusLabelEscape(tc.in); got != tc.want {
				t.Errorf("BusLabelEscape(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if got := BusLabelUnescape(tc.want); got != tc.in {
				t.Errorf("BusLabelUnescape(%q) = %q, want %q", tc.want, got, tc.in)
			}
		})
	}
}

func TestBusLabelUnescapeInvalid(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a_", "a_"},
		{"a_2", "a_2"},
		{"a_zz", "a_zz"},
		{"_2E", "."},
	} {
		if got := BusLabelUnescape(tc.in); got != tc.want {
			t.Errorf("BusLabelUnescape(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzBusLabel(f *testing.F) {
	f.Add("foo.service")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		if got := BusLabelUnescape(BusLabelEscape(s)); got != s {
			t.Errorf("round trip of %q gave %q", s, got)
		}
	})
}
