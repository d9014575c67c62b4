package unit

import (
	"errors"
	"fmt"
	"strconv"
)

// Rlimit is a soft and a hard resource limit; RlimInfinity is unlimited.
type Rlimit struct {
	Soft uint64
	Hard uint64
}

// RlimInfinity is an unlimited rlimit value.
const RlimInfinity uint64 = 1<<64 - 1

// RlimitNames lists the sixteen resources of Limit*= in systemd's order.
var RlimitNames = []string{"CPU", "FSIZE", "DATA", "STACK", "CORE", "RSS", "NOFILE", "AS", "NPROC", "MEMLOCK", "LOCKS", "SIGPENDING", "MSGQUEUE", "NICE", "RTPRIO", "RTTIME"}

// rlimitKinds says how each resource's value is written, in the order of
// RlimitNames (which is also Linux's RLIMIT_* numbering).
var rlimitKinds = [...]struct {
	name  string
	parse func(string) (uint64, error)
}{
	{"CPU", parseRlimitSec},
	{"FSIZE", parseRlimitSize},
	{"DATA", parseRlimitSize},
	{"STACK", parseRlimitSize},
	{"CORE", parseRlimitSize},
	{"RSS", parseRlimitSize},
	{"NOFILE", parseRlimitU64},
	{"AS", parseRlimitSize},
	{"NPROC", parseRlimitU64},
	{"MEMLOCK", parseRlimitSize},
	{"LOCKS", parseRlimitU64},
	{"SIGPENDING", parseRlimitU64},
	{"MSGQUEUE", parseRlimitSize},
	{"NICE", parseRlimitNice},
	{"RTPRIO", parseRlimitU64},
	{"RTTIME", parseRlimitUsec},
}

// rlimitLinux are the Limit*= resource names by Linux RLIMIT_* number
// (asm-generic/resource.h, used by every architecture pm builds for); the
// order differs from systemd's (RlimitNames).
var rlimitLinux = [...]string{
	"CPU", "FSIZE", "DATA", "STACK", "CORE", "RSS", "NPROC", "NOFILE",
	"MEMLOCK", "AS", "LOCKS", "SIGPENDING", "MSGQUEUE", "NICE", "RTPRIO",
	"RTTIME",
}

// RlimitResource returns the Linux RLIMIT_* number of a resource name
// ("NOFILE" is 7), or -1.
func RlimitResource(name string) int {
	for i, n := range rlimitLinux {
		if n == name {
			return i
		}
	}
	return -1
}

// ParseRlimit parses the value of Limit<resource>=: "soft:hard" or one
// value for both, in the resource's unit (seconds for CPU, microseconds for
// RTTIME, bytes for sizes, a nice level for NICE), or "infinity".
//
// It follows systemd's rlimit_parse: CPU takes a time span rounded up to
// whole seconds ("1h", "1.5" is 2); RTTIME a time span whose bare numbers
// are microseconds; FSIZE, DATA, STACK, CORE, RSS, AS, MEMLOCK and MSGQUEUE
// a size ("64M"); NOFILE, NPROC, LOCKS, SIGPENDING and RTPRIO a number in
// any C notation. NICE takes a nice level with a sign ("+5" and "-5" are
// the limits 15 and 25; "+0" and "-0" are 20) or a raw limit 0–40, and has
// no "infinity". The soft limit may not exceed the hard one.
func ParseRlimit(resource string, s string) (Rlimit, error) {
	var parse func(string) (uint64, error)
	for _, k := range rlimitKinds {
		if k.name == resource {
			parse = k.parse
		}
	}
	if parse == nil {
		return Rlimit{}, fmt.Errorf("%w: unknown resource limit %q", ErrBadValue, resource)
	}
	soft, i, more, err := colonWord(s, 0)
	if err != nil {
		return Rlimit{}, rlimitError(s, err)
	}
	sl, err := parse(soft)
	if err != nil {
		return Rlimit{}, rlimitError(s, err)
	}
	if !more {
		return Rlimit{Soft: sl, Hard: sl}, nil
	}
	hard, i, more, err := colonWord(s, i)
	if err != nil {
		return Rlimit{}, rlimitError(s, err)
	}
	if more && i < len(s) {
		return Rlimit{}, rlimitError(s, errSdInvalid)
	}
	hl, err := parse(hard)
	if err != nil {
		return Rlimit{}, rlimitError(s, err)
	}
	if sl > hl {
		return Rlimit{}, fmt.Errorf("%w: soft resource limit above hard limit in %q", ErrBadValue, s)
	}
	return Rlimit{Soft: sl, Hard: hl}, nil
}

func rlimitError(s string, err error) error {
	if errors.Is(err, errSdRange) {
		return fmt.Errorf("%w: resource limit %q out of range", ErrBadValue, s)
	}
	return fmt.Errorf("%w: invalid resource limit %q", ErrBadValue, s)
}

// colonWord reads the word of s that starts at i and ends at an unescaped
// ':' or the end, as extract_first_word with the separator ":" and
// EXTRACT_DONT_COALESCE_SEPARATORS: a backslash takes the next character
// literally. It returns the index after the ':' and whether there was one.
func colonWord(s string, i int) (string, int, bool, error) {
	var w []byte
	for ; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 >= len(s) {
				return "", i, false, errSdInvalid
			}
			i++
			w = append(w, s[i])
		case ':':
			return string(w), i + 1, true, nil
		default:
			w = append(w, s[i])
		}
	}
	return string(w), i, false, nil
}

func parseRlimitU64(s string) (uint64, error) {
	if s == "infinity" {
		return RlimInfinity, nil
	}
	v, err := safeAtou64(s, 0, false)
	if err != nil {
		return 0, err
	}
	if v >= RlimInfinity {
		return 0, errSdRange
	}
	return v, nil
}

func parseRlimitSize(s string) (uint64, error) {
	if s == "infinity" {
		return RlimInfinity, nil
	}
	v, err := parseSize(s)
	if err != nil {
		return 0, err
	}
	if v >= RlimInfinity {
		return 0, errSdRange
	}
	return v, nil
}

func parseRlimitSec(s string) (uint64, error) {
	if s == "infinity" {
		return RlimInfinity, nil
	}
	t, err := parseSpan(s, usecUnits[:], 1e6)
	if err != nil {
		return 0, err
	}
	if t == spanInfinity {
		return RlimInfinity, nil
	}
	return (t + 1e6 - 1) / 1e6, nil // cannot overflow: t < 2^64-1
}

func parseRlimitUsec(s string) (uint64, error) {
	if s == "infinity" {
		return RlimInfinity, nil
	}
	return parseSpan(s, usecUnits[:], 1)
}

// parseRlimitNice maps nice levels onto RLIMIT_NICE, whose values 1–40
// stand for the nice levels 19 to -20 (and 0 is the kernel's default).
func parseRlimitNice(s string) (uint64, error) {
	switch {
	case s != "" && s[0] == '+':
		v, err := safeAtou64(s[1:], 0, false)
		if err != nil {
			return 0, err
		}
		if v >= 20 {
			return 0, errSdRange
		}
		return 20 - v, nil
	case s != "" && s[0] == '-':
		v, err := safeAtou64(s[1:], 0, false)
		if err != nil {
			return 0, err
		}
		if v > 20 {
			return 0, errSdRange
		}
		return 20 + v, nil
	}
	v, err := safeAtou64(s, 0, false)
	if err != nil {
		return 0, err
	}
	if v > 40 {
		return 0, errSdRange
	}
	return v, nil
}

// String renders the limit as systemd's rlimit_format, which every Limit*=
// reads back in its own unit: "infinity", "1024", "1024:4096",
// "1024:infinity". The exception is also systemd's: an RTTIME limit above
// 2^63-1 µs (written as, say, "110000000d") reads back as out of range.
func (r Rlimit) String() string {
	f := func(v uint64) string {
		if v == RlimInfinity {
			return "infinity"
		}
		return strconv.FormatUint(v, 10)
	}
	if r.Soft == r.Hard {
		return f(r.Soft)
	}
	return f(r.Soft) + ":" + f(r.Hard)
}
