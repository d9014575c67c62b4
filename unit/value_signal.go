package unit

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Signal is a signal number.
//
// Numbers are those of Linux on x86, ARM, RISC-V, PowerPC and s390 (not
// MIPS, SPARC or Alpha); real-time signals run from SIGRTMIN (34, as glibc
// reserves 32 and 33) to SIGRTMAX (64).
type Signal int

// Real-time signal bounds as glibc reports them on Linux, and one past the
// highest signal (_NSIG).
const (
	SignalRTMin Signal = 34
	SignalRTMax Signal = 64
	signalLimit Signal = 65
)

// signalNames maps numbers to names without the "SIG" prefix, as systemd's
// static_signal_table.
var signalNames = [...]string{
	1: "HUP", 2: "INT", 3: "QUIT", 4: "ILL", 5: "TRAP", 6: "ABRT", 7: "BUS",
	8: "FPE", 9: "KILL", 10: "USR1", 11: "SEGV", 12: "USR2", 13: "PIPE",
	14: "ALRM", 15: "TERM", 16: "STKFLT", 17: "CHLD", 18: "CONT", 19: "STOP",
	20: "TSTP", 21: "TTIN", 22: "TTOU", 23: "URG", 24: "XCPU", 25: "XFSZ",
	26: "VTALRM", 27: "PROF", 28: "WINCH", 29: "IO", 30: "PWR", 31: "SYS",
}

// ParseSignal parses a signal name ("SIGTERM", "TERM", "SIGRTMIN+3") or
// number, as systemd's signal_from_string: a number 1–64 in any C notation,
// a name with or without "SIG" (upper case only), "RTMIN", "RTMIN+n",
// "RTMAX" or "RTMAX-n" with 0 <= n <= 30.
func ParseSignal(s string) (Signal, error) {
	sig, err := signalFromString(s)
	if errors.Is(err, errSdRange) {
		return 0, fmt.Errorf("%w: signal %q out of range", ErrBadValue, s)
	}
	if err != nil {
		return 0, fmt.Errorf("%w: invalid signal %q", ErrBadValue, s)
	}
	return sig, nil
}

func signalFromString(s string) (Signal, error) {
	if n, err := safeAtoi(s); err == nil {
		if n <= 0 || Signal(n) >= signalLimit {
			return 0, errSdRange
		}
		return Signal(n), nil
	}
	s = strings.TrimPrefix(s, "SIG")
	for i, name := range signalNames {
		if name != "" && name == s {
			return Signal(i), nil
		}
	}
	if rest, ok := strings.CutPrefix(s, "RTMIN"); ok {
		if rest == "" {
			return SignalRTMin, nil
		}
		if rest[0] != '+' {
			return 0, errSdInvalid
		}
		n, err := safeAtoi(rest)
		if err != nil {
			return 0, err
		}
		if n < 0 || n > int(SignalRTMax-SignalRTMin) {
			return 0, errSdRange
		}
		return SignalRTMin + Signal(n), nil
	}
	if rest, ok := strings.CutPrefix(s, "RTMAX"); ok {
		if rest == "" {
			return SignalRTMax, nil
		}
		if rest[0] != '-' {
			return 0, errSdInvalid
		}
		n, err := safeAtoi(rest)
		if err != nil {
			return 0, err
		}
		if n > 0 || n < int(SignalRTMin-SignalRTMax) {
			return 0, errSdRange
		}
		return SignalRTMax + Signal(n), nil
	}
	return 0, errSdInvalid
}

// String renders the signal by name as systemd's dump does ("SIGTERM",
// "SIGRTMIN+3"), or its number when it has none (32, 33, out of range).
func (s Signal) String() string {
	switch {
	case s > 0 && int(s) < len(signalNames):
		return "SIG" + signalNames[s]
	case s >= SignalRTMin && s <= SignalRTMax:
		return "SIGRTMIN+" + strconv.Itoa(int(s-SignalRTMin))
	}
	return strconv.Itoa(int(s))
}

// MarshalText renders the signal like String.
func (s Signal) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText parses a signal with ParseSignal; "0" is the zero Signal
// (no signal), so that every String reads back.
func (s *Signal) UnmarshalText(b []byte) error {
	if string(b) == "0" {
		*s = 0
		return nil
	}
	v, err := ParseSignal(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
