package unit

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// CapSet is a set of capabilities, bit n standing for capability n.
type CapSet uint64

// CapAll is every capability the kernel may know.
const CapAll CapSet = 1<<64 - 1

// capNames are the capabilities of Linux 6.x (include/uapi/linux/capability.h),
// by number, as systemd 252 knows them.
var capNames = [...]string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
	"CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
	"CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
	"CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
	"CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
}

// CapLast is the highest capability number pm knows by name
// (CAP_CHECKPOINT_RESTORE), the kernel's CAP_LAST_CAP for Linux 5.9 on.
const CapLast = len(capNames) - 1

// CapabilityName returns the name of capability n in upper case
// ("CAP_NET_BIND_SERVICE"), or "" for a number it does not know.
func CapabilityName(n int) string {
	if n < 0 || n > CapLast {
		return ""
	}
	return capNames[n]
}

// ParseCapability parses one capability as systemd's capability_from_name:
// a name with its "CAP_" prefix in any case ("CAP_CHOWN", "cap_chown"), or
// a number 0–63 in any C notation.
func ParseCapability(s string) (int, error) {
	if n, err := safeAtoi(s); err == nil {
		if n < 0 || n >= 64 {
			return 0, fmt.Errorf("%w: capability %q out of range", ErrBadValue, s)
		}
		return n, nil
	}
	for i, name := range capNames {
		if cStrCaseEq(s, name) {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%w: unknown capability %q", ErrBadValue, s)
}

// ParseCapSet parses a capability list as CapabilityBoundingSet= does:
// names separated by blanks, a leading '~' inverting the list. It returns
// the named set and whether it was inverted.
//
// Words may be quoted. As in systemd, unknown names are skipped, and an
// unbalanced quote ends the list; the set returned is then still the one
// systemd would use, and the error (wrapping ErrBadValue) only says what
// was skipped, for a warning.
func ParseCapSet(s string) (CapSet, bool, error) {
	invert := false
	if rest, ok := strings.CutPrefix(s, "~"); ok {
		invert, s = true, rest
	}
	words, splitErr := splitUnquoteWords(s)
	var set CapSet
	var bad []string
	for _, w := range words {
		n, err := ParseCapability(w)
		if err != nil {
			bad = append(bad, strconv.Quote(w))
			continue
		}
		set |= 1 << n
	}
	switch {
	case len(bad) > 0:
		return set, invert, fmt.Errorf("%w: unknown capability %s", ErrBadValue, strings.Join(bad, ", "))
	case splitErr != nil:
		return set, invert, fmt.Errorf("%w: unbalanced quote or trailing backslash in %q", ErrBadValue, s)
	}
	return set, invert, nil
}

// Apply returns c after the assignment "Key=s", as systemd's
// config_parse_capability_set: initial is the directive's starting set
// (CapAll for CapabilityBoundingSet=, 0 for AmbientCapabilities=). An empty
// list (s is "" or "~") or a c still at initial is replaced; otherwise the
// list is added to c, or with '~' taken away from it. The error is
// ParseCapSet's: the returned set is valid even then.
func (c CapSet) Apply(s string, initial CapSet) (CapSet, error) {
	sum, invert, err := ParseCapSet(s)
	switch {
	case sum == 0 || c == initial:
		if invert {
			return ^sum, err
		}
		return sum, err
	case invert:
		return c &^ sum, err
	}
	return c | sum, err
}

// Has reports whether capability n is in the set.
func (c CapSet) Has(n int) bool { return n >= 0 && n < 64 && c&(1<<n) != 0 }

// String renders the set as capability names separated by blanks, in
// systemd's format: lower case, by number ("cap_chown cap_net_admin").
// Like systemd on a kernel whose last capability is CAP_CHECKPOINT_RESTORE,
// it leaves out the bits above it, so CapAll shows the 41 names.
func (c CapSet) String() string {
	var b strings.Builder
	for n := 0; n <= CapLast; n++ {
		if c.Has(n) {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(strings.ToLower(capNames[n]))
		}
	}
	return b.String()
}

// MarshalText renders the set like String, but exactly, in a form that
// ParseCapSet and UnmarshalText read back: when the bits above CapLast are
// all set (CapAll, or a '~' list), it writes the inverted form ("~" for
// CapAll, "~cap_sys_admin"); other unnamed bits are written as numbers.
func (c CapSet) MarshalText() ([]byte, error) {
	const named = CapSet(1)<<(CapLast+1) - 1
	high := c &^ named
	if high == ^named {
		return []byte(strings.TrimSpace("~" + (^c).String())), nil
	}
	s := c.String()
	for high != 0 {
		n := bits.TrailingZeros64(uint64(high))
		high &^= 1 << n
		if s != "" {
			s += " "
		}
		s += strconv.Itoa(n)
	}
	return []byte(s), nil
}

// UnmarshalText parses a capability list, '~' included, into the set it
// stands for. Unknown names are an error here.
func (c *CapSet) UnmarshalText(b []byte) error {
	set, invert, err := ParseCapSet(string(b))
	if err != nil {
		return err
	}
	if invert {
		set = ^set
	}
	*c = set
	return nil
}

// splitUnquoteWords splits s at blanks as extract_first_word with
// EXTRACT_UNQUOTE does: single and double quotes group and are removed, a
// backslash takes the next character literally. An unbalanced quote or a
// trailing backslash is an error; the words before it are returned.
func splitUnquoteWords(s string) ([]string, error) {
	var words []string
	i := 0
	for {
		i += skipCWhitespace(s[i:])
		if i >= len(s) {
			return words, nil
		}
		w, next, err := unquoteWord(s, i)
		if err != nil {
			return words, err
		}
		words, i = append(words, w), next
	}
}

// unquoteWord reads the word of splitUnquoteWords that starts at s[i] and
// returns it and the index after it.
func unquoteWord(s string, i int) (string, int, error) {
	var w strings.Builder
	var quote byte
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			if i+1 >= len(s) {
				return "", i, errSdInvalid
			}
			i++
			w.WriteByte(s[i])
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			w.WriteByte(c)
		case c == '\'' || c == '"':
			quote = c
		case strings.IndexByte(cWhitespace, c) >= 0:
			return w.String(), i, nil
		default:
			w.WriteByte(c)
		}
	}
	if quote != 0 {
		return "", i, errSdInvalid
	}
	return w.String(), i, nil
}
