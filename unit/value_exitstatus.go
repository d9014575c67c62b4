package unit

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// exitStatusNames are the names systemd's exit_status_from_string knows,
// by code: C, LSB, BSD (sysexits.h) and systemd's own. The names have no
// "EXIT_" prefix; systemd 252 accepts only these spellings, case-sensitively.
var exitStatusNames = [256]string{
	0: "SUCCESS", 1: "FAILURE",
	2: "INVALIDARGUMENT", 3: "NOTIMPLEMENTED", 4: "NOPERMISSION",
	5: "NOTINSTALLED", 6: "NOTCONFIGURED", 7: "NOTRUNNING",
	64: "USAGE", 65: "DATAERR", 66: "NOINPUT", 67: "NOUSER", 68: "NOHOST",
	69: "UNAVAILABLE", 70: "SOFTWARE", 71: "OSERR", 72: "OSFILE",
	73: "CANTCREAT", 74: "IOERR", 75: "TEMPFAIL", 76: "PROTOCOL",
	77: "NOPERM", 78: "CONFIG",
	200: "CHDIR", 201: "NICE", 202: "FDS", 203: "EXEC", 204: "MEMORY",
	205: "LIMITS", 206: "OOM_ADJUST", 207: "SIGNAL_MASK", 208: "STDIN",
	209: "STDOUT", 210: "CHROOT", 211: "IOPRIO", 212: "TIMERSLACK",
	213: "SECUREBITS", 214: "SETSCHEDULER", 215: "CPUAFFINITY", 216: "GROUP",
	217: "USER", 218: "CAPABILITIES", 219: "CGROUP", 220: "SETSID",
	221: "CONFIRM", 222: "STDERR", 224: "PAM", 225: "NETWORK",
	226: "NAMESPACE", 227: "NO_NEW_PRIVILEGES", 228: "SECCOMP",
	229: "SELINUX_CONTEXT", 230: "PERSONALITY", 231: "APPARMOR",
	232: "ADDRESS_FAMILIES", 233: "RUNTIME_DIRECTORY", 235: "CHOWN",
	236: "SMACK_PROCESS_LABEL", 237: "KEYRING", 238: "STATE_DIRECTORY",
	239: "CACHE_DIRECTORY", 240: "LOGS_DIRECTORY",
	241: "CONFIGURATION_DIRECTORY", 242: "NUMA_POLICY", 243: "CREDENTIALS",
	244: "BPF", 255: "EXCEPTION",
}

// ExitStatusName returns systemd's name of an exit status ("EXEC" for 203,
// "NOTINSTALLED" for 5), as `systemctl status` shows after the number, or
// "" when it has none.
func ExitStatusName(code int) string {
	if code < 0 || code >= len(exitStatusNames) {
		return ""
	}
	return exitStatusNames[code]
}

// exitStatusFromString is systemd's exit_status_from_string: a name, or a
// number 0–255 in any C notation.
func exitStatusFromString(s string) (int, error) {
	for i, name := range exitStatusNames {
		if name != "" && name == s {
			return i, nil
		}
	}
	v, err := safeAtou(s, 0, false)
	if err != nil {
		return 0, err
	}
	if v > 255 {
		return 0, errSdRange
	}
	return int(v), nil
}

// ExitStatusSet is SuccessExitStatus= and friends: exit codes and signals.
type ExitStatusSet struct {
	Status  []int    `json:",omitempty"`
	Signals []Signal `json:",omitempty"`
}

// ParseExitStatusSet parses a space-separated list of exit codes (0–255),
// exit status names (such as "NOTINSTALLED") and signal names. The result
// is added to set, since the directives accumulate; an empty s resets set.
//
// As systemd's config_parse_set_status, each word is an exit status if it
// can be ("15" is status 15, not SIGTERM) and a signal otherwise; words
// that are neither are skipped while the others still count, and the
// returned error (wrapping ErrBadValue) names them. Words are split at
// blanks; a backslash takes the next character literally. The lists stay
// sorted and free of duplicates.
func ParseExitStatusSet(s string, set *ExitStatusSet) error {
	if s == "" {
		*set = ExitStatusSet{}
		return nil
	}
	words, splitErr := splitPlainWords(s)
	var bad []string
	for _, w := range words {
		if code, err := exitStatusFromString(w); err == nil {
			set.Status = insertSorted(set.Status, code)
			continue
		}
		sig, err := signalFromString(w)
		if err != nil {
			bad = append(bad, strconv.Quote(w))
			continue
		}
		set.Signals = insertSorted(set.Signals, sig)
	}
	switch {
	case splitErr != nil:
		return fmt.Errorf("%w: trailing backslash in %q", ErrBadValue, s)
	case len(bad) > 0:
		return fmt.Errorf("%w: not an exit status or signal: %s", ErrBadValue, strings.Join(bad, ", "))
	}
	return nil
}

// insertSorted adds v to the sorted list l unless it is there already.
func insertSorted[T int | Signal](l []T, v T) []T {
	i, found := slices.BinarySearch(l, v)
	if found {
		return l
	}
	return slices.Insert(l, i, v)
}

// Contains reports whether the set holds exit status code (for an exit)
// or signal sig (for a death by signal); pass 0 for the other.
func (e ExitStatusSet) Contains(code int, sig Signal) bool {
	if sig != 0 {
		return slices.Contains(e.Signals, sig)
	}
	return slices.Contains(e.Status, code)
}

// String renders the set in unit-file syntax: the exit codes as numbers,
// then the signals by name ("1 2 SIGUSR1").
func (e ExitStatusSet) String() string {
	var b strings.Builder
	for _, c := range e.Status {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Itoa(c))
	}
	for _, s := range e.Signals {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s.String())
	}
	return b.String()
}

// ParseExitStatus parses one exit status (0–255) as FailureActionExitStatus=
// and SuccessActionExitStatus= take it. systemd 252's
// config_parse_exit_status reads a number only (in any C notation, such as
// "0x10"); names like "NOTINSTALLED" are refused there, as here.
func ParseExitStatus(s string) (int, error) {
	v, err := safeAtou(s, 0, false)
	if err == nil && v > 255 {
		err = errSdRange
	}
	if errors.Is(err, errSdRange) {
		return 0, fmt.Errorf("%w: exit status %q out of range", ErrBadValue, s)
	}
	if err != nil {
		return 0, fmt.Errorf("%w: invalid exit status %q", ErrBadValue, s)
	}
	return int(v), nil
}
