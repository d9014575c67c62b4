package unit

import (
	"math"
	"slices"
	"testing"
)

// FuzzParseValues feeds one string to every scalar parser: none may panic,
// and whatever parses must render in a form that reads back the same.
func FuzzParseValues(f *testing.F) {
	for _, s := range []string{
		"0", "1", "yes", "0755", "1.5G", "1G 512M", "10.M", "50%", "10.25%", "5‰", "50‱",
		"infinity", "SIGTERM", "RTMIN+3", "RTMAX-2", "0x10", "010", "NOTINSTALLED 1 SIGUSR1",
		"~CAP_SYS_ADMIN", `'CAP_KILL' "cap_mknod"`, "1024:4096", "1:2:", "+19", "-20",
		"1h", "1.5", `1\0`, "\v-5", "18446744073709551615", "110000000d",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = ParseBool(s)
		if m, err := ParseMode(s); err == nil {
			var back Mode
			if err := back.UnmarshalText([]byte(m.String())); err != nil || back != m {
				t.Fatalf("mode %q: %v reads back as %v, %v", s, m, back, err)
			}
		}
		if v, err := ParseSize(s); err == nil {
			if back, err := ParseSize(FormatSize(v)); err != nil || back != v {
				t.Fatalf("size %q: %d formats as %q, reads back as %d, %v", s, v, FormatSize(v), back, err)
			}
		}
		for _, key := range []string{"MemoryMax", "MemoryLow"} {
			if l, err := ParseMemoryLimitFor(key, s); err == nil {
				checkLimitText(t, s, l)
			}
		}
		if l, err := ParseTasksLimit(s); err == nil {
			checkLimitText(t, s, l)
		}
		if sig, err := ParseSignal(s); err == nil {
			var back Signal
			if err := back.UnmarshalText([]byte(sig.String())); err != nil || back != sig {
				t.Fatalf("signal %q: %d renders as %q, reads back as %d, %v", s, sig, sig.String(), back, err)
			}
		}
		var set ExitStatusSet
		_ = ParseExitStatusSet(s, &set)
		var back ExitStatusSet
		if err := ParseExitStatusSet(set.String(), &back); err != nil ||
			!slices.Equal(back.Status, set.Status) || !slices.Equal(back.Signals, set.Signals) {
			t.Fatalf("exit status %q: %+v renders as %q, reads back as %+v, %v", s, set, set.String(), back, err)
		}
		_, _ = ParseExitStatus(s)
		c, inv, _ := ParseCapSet(s)
		if inv {
			c = ^c
		}
		text, _ := c.MarshalText()
		var cb CapSet
		if err := cb.UnmarshalText(text); err != nil || cb != c {
			t.Fatalf("capabilities %q: %#x marshals as %q, reads back as %#x, %v", s, uint64(c), text, uint64(cb), err)
		}
		for _, r := range RlimitNames {
			if rl, err := ParseRlimit(r, s); err == nil {
				if r == "RTTIME" && max(rl.Soft, rl.Hard) > math.MaxInt64 && max(rl.Soft, rl.Hard) != RlimInfinity {
					continue // like systemd's, String is not read back there
				}
				if back, err := ParseRlimit(r, rl.String()); err != nil || back != rl {
					t.Fatalf("Limit%s=%q: %+v renders as %q, reads back as %+v, %v", r, s, rl, rl.String(), back, err)
				}
			}
		}
	})
}

func checkLimitText(t *testing.T, s string, l Limit) {
	t.Helper()
	text, _ := l.MarshalText()
	var back Limit
	if err := back.UnmarshalText(text); err != nil || back != l {
		t.Fatalf("limit %q: %+v marshals as %q, reads back as %+v, %v", s, l, text, back, err)
	}
}
