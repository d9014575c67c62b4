package unit

import (
	"errors"
	"strings"
	"testing"
)

func TestCapabilityTable(t *testing.T) {
	if CapLast != 40 {
		t.Fatalf("CapLast = %d, want 40", CapLast)
	}
	for n := 0; n <= CapLast; n++ {
		name := CapabilityName(n)
		if !strings.HasPrefix(name, "CAP_") {
			t.Fatalf("CapabilityName(%d) = %q", n, name)
		}
		if got, err := ParseCapability(strings.ToLower(name)); err != nil || got != n {
			t.Errorf("ParseCapability(%q) = %d, %v; want %d", strings.ToLower(name), got, err, n)
		}
	}
	for _, n := range []int{-1, 41, 64} {
		if name := CapabilityName(n); name != "" {
			t.Errorf("CapabilityName(%d) = %q, want \"\"", n, name)
		}
	}
	for n, want := range map[int]string{0: "CAP_CHOWN", 10: "CAP_NET_BIND_SERVICE", 21: "CAP_SYS_ADMIN", 40: "CAP_CHECKPOINT_RESTORE"} {
		if got := CapabilityName(n); got != want {
			t.Errorf("CapabilityName(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestParseCapSet(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		want       CapSet
		wantInvert bool
		wantErr    bool
	}{
		{"one", "CAP_CHOWN", 1, false, false},
		{"lower", "cap_chown", 1, false, false},
		{"mixed case", "Cap_Chown", 1, false, false},
		{"two", "CAP_NET_ADMIN CAP_SYS_ADMIN", 1<<12 | 1<<21, false, false},
		{"inverted", "~CAP_CHOWN", 1, true, false},
		{"inverted empty", "~", 0, true, false},
		{"empty", "", 0, false, false},
		{"numbers", "0 40 63", 1 | 1<<40 | 1<<63, false, false},
		{"hex number", "0x5", 1 << 5, false, false},
		{"quoted", `'CAP_KILL' "CAP_MKNOD"`, 1<<5 | 1<<27, false, false},
		{"quote inside", `CAP_"KILL"`, 1 << 5, false, false},
		{"no prefix", "CHOWN", 0, false, true},
		{"unknown skipped", "CAP_FOO CAP_KILL", 1 << 5, false, true},
		{"number too large", "64", 0, false, true},
		{"negative", "-1", 0, false, true},
		{"unbalanced quote", `CAP_KILL 'CAP_MKNOD`, 1 << 5, false, true},
		{"tilde later is a name", "CAP_KILL ~CAP_MKNOD", 1 << 5, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, inv, err := ParseCapSet(tt.in)
			if tt.wantErr != (err != nil) || (err != nil && !errors.Is(err, ErrBadValue)) {
				t.Errorf("ParseCapSet(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want || inv != tt.wantInvert {
				t.Errorf("ParseCapSet(%q) = %#x, %v; want %#x, %v", tt.in, uint64(got), inv, uint64(tt.want), tt.wantInvert)
			}
		})
	}
}

// The merging rules were checked against the dump of `systemd --test`.
func TestCapSetApply(t *testing.T) {
	const kill, mknod, admin = CapSet(1 << 5), CapSet(1 << 27), CapSet(1 << 21)
	tests := []struct {
		name    string
		start   CapSet
		initial CapSet
		in      []string
		want    CapSet
	}{
		{"bounding replace", CapAll, CapAll, []string{"CAP_KILL"}, kill},
		{"bounding add", CapAll, CapAll, []string{"CAP_KILL", "CAP_MKNOD"}, kill | mknod},
		{"bounding invert", CapAll, CapAll, []string{"~CAP_SYS_ADMIN"}, CapAll &^ admin},
		{"invert then remove", CapAll, CapAll, []string{"~CAP_SYS_ADMIN", "~CAP_KILL"}, CapAll &^ admin &^ kill},
		{"empty resets", CapAll, CapAll, []string{"CAP_KILL", ""}, 0},
		{"tilde resets to all", CapAll, CapAll, []string{"CAP_KILL", "~"}, CapAll},
		{"unknown only resets", CapAll, CapAll, []string{"CAP_KILL", "CAP_FOO"}, 0},
		{"ambient add", 0, 0, []string{"CAP_KILL", "CAP_MKNOD"}, kill | mknod},
		{"ambient invert", 0, 0, []string{"~CAP_KILL"}, CapAll &^ kill},
		{"remove from ambient", 0, 0, []string{"CAP_KILL CAP_MKNOD", "~CAP_KILL"}, mknod},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.start
			for _, s := range tt.in {
				got, _ = got.Apply(s, tt.initial)
			}
			if got != tt.want {
				t.Errorf("Apply(%q) = %#x, want %#x", tt.in, uint64(got), uint64(tt.want))
			}
		})
	}
}

func TestCapSetText(t *testing.T) {
	tests := []struct {
		name       string
		in         CapSet
		wantString string
		wantText   string
	}{
		{"empty", 0, "", ""},
		{"two", 1 | 1<<12, "cap_chown cap_net_admin", "cap_chown cap_net_admin"},
		{"last", 1 << 40, "cap_checkpoint_restore", "cap_checkpoint_restore"},
		{"all", CapAll, strings.ToLower(strings.Join(capNames[:], " ")), "~"},
		{"all but admin", CapAll &^ (1 << 21), "", "~cap_sys_admin"},
		{"unnamed bits", 1<<5 | 1<<41 | 1<<63, "cap_kill", "cap_kill 41 63"},
		{"known bits only", 1<<41 - 1, strings.ToLower(strings.Join(capNames[:], " ")), strings.ToLower(strings.Join(capNames[:], " "))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.wantString != "" || tt.in == 0 {
				if got := tt.in.String(); got != tt.wantString {
					t.Errorf("String() = %q, want %q", got, tt.wantString)
				}
			}
			b, _ := tt.in.MarshalText()
			if string(b) != tt.wantText {
				t.Errorf("MarshalText() = %q, want %q", b, tt.wantText)
			}
			var got CapSet
			if err := got.UnmarshalText(b); err != nil || got != tt.in {
				t.Errorf("UnmarshalText(%q) = %#x, %v; want %#x", b, uint64(got), err, uint64(tt.in))
			}
		})
	}
	if got := (CapAll &^ (1 << 21)).String(); strings.Contains(got, "cap_sys_admin") || !strings.Contains(got, "cap_sys_boot") {
		t.Errorf("String() of all but CAP_SYS_ADMIN = %q", got)
	}
}
