package compat

// The sd_notify protocol, server side, as systemd 252 reads it (man
// sd_notify(3)): a service sends one datagram of newline-separated
// VAR=value fields to $NOTIFY_SOCKET. ParseNotify turns one datagram's
// payload into a Notify; credentials and file descriptors travel in the
// datagram's control data and are the socket's business.

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// NotifyBufferMax is the largest notification datagram systemd accepts, in
// bytes (NOTIFY_BUFFER_MAX, which is PIPE_BUF on Linux). Longer datagrams
// are dropped whole.
const NotifyBufferMax = 4096

// NotifyFDMax is how many file descriptors one notification may carry
// (NOTIFY_FD_MAX); the receiver sizes its control buffer for this many.
const NotifyFDMax = 768

// NotifyStatusMax is the longest STATUS= text systemd keeps
// (STATUS_TEXT_MAX); NotifyBufferMax makes it unreachable in practice.
const NotifyStatusMax = 16 * 1024

// NotifyFDNameMax is the longest FDNAME= systemd accepts (FDNAME_MAX).
const NotifyFDNameMax = 255

// Errors for notification datagrams systemd drops whole. A datagram that
// parses but has bad fields is not an error: Notify.Warnings says what was
// ignored.
var (
	// ErrNotifyTooLarge marks a datagram longer than NotifyBufferMax.
	ErrNotifyTooLarge = errors.New("notify message exceeded maximum size")
	// ErrNotifyNUL marks a datagram with a NUL byte before its last byte.
	ErrNotifyNUL = errors.New("notify message with embedded NUL bytes")
	// ErrNotifyEscape marks a datagram ending in a lone backslash, which
	// systemd's line splitter refuses (it then drops the whole message).
	ErrNotifyEscape = errors.New("notify message ends in an unfinished escape")
)

// Notify is one notification message as systemd 252's
// service_notify_message interprets it. Fields systemd ignores with a
// warning are left at their zero value and named in Warnings.
type Notify struct {
	// Ready, Reloading and Stopping are READY=1, RELOADING=1 and
	// STOPPING=1. When a message has several, the last one wins, so at
	// most one of the three is true.
	Ready, Reloading, Stopping bool
	// Status is STATUS=: nil when the message has none. A pointer to ""
	// clears the status text; systemd also clears it (with a warning) when
	// the text is not valid UTF-8 or too long.
	Status *string
	// MainPID is MAINPID= when it parses as a valid pid, else 0. systemd
	// only honours it while the service is starting, running or reloading.
	MainPID int
	// Errno is ERRNO= (a number 0…4095 or a name such as ENOENT); nil when
	// absent or invalid.
	Errno *int
	// ExtendTimeout is EXTEND_TIMEOUT_USEC=; 0 when absent, invalid, 0 or
	// infinity (UINT64_MAX), which systemd all treat as "do not extend".
	// Values beyond time.Duration's range are clamped.
	ExtendTimeout time.Duration
	// Watchdog is WATCHDOG=1: reset the watchdog timer.
	Watchdog bool
	// WatchdogTrigger is WATCHDOG=trigger: act as if the watchdog fired.
	WatchdogTrigger bool
	// WatchdogUSec is WATCHDOG_USEC=, the new watchdog timeout in µs
	// (0 disables it); nil when absent or invalid.
	WatchdogUSec *uint64
	// FDStore is FDSTORE=1 without FDSTOREREMOVE=1: add the datagram's
	// file descriptors to the service's store.
	FDStore bool
	// FDStoreRemove is FDSTOREREMOVE=1 with a valid FDNAME=: remove the
	// stored descriptors of that name. It is false (with a warning) when
	// FDNAME= is missing or invalid.
	FDStoreRemove bool
	// FDName is FDNAME= when valid (it may be ""); nil when absent or
	// invalid, in which case stored descriptors are named "stored".
	FDName *string
	// FDPoll is false when the message has FDPOLL=0: stored descriptors
	// are then not watched for POLLHUP/POLLERR.
	FDPoll bool
	// Barrier is BARRIER=1: the sender waits for the descriptor it sent to
	// be closed. systemd drops such a message whole (closing its
	// descriptors) and interprets nothing else in it.
	Barrier bool
	// Fields is every line of the message, in order, for logging. Fields
	// systemd 252 does not interpret (BUSERROR=, X_…) are only here.
	Fields []string
	// Warnings lists what systemd would log and ignore.
	Warnings []NotifyWarning
}

// NotifyWarning is one field systemd ignores with a warning.
type NotifyWarning struct {
	// Key is the field name without "=", e.g. "MAINPID", or "BARRIER".
	Key string
	// Text is the message, worded as systemd's.
	Text string
}

// ParseNotify parses the payload of one notification datagram with
// systemd 252's validation: at most NotifyBufferMax bytes, no NUL except
// one trailing NUL, lines split on runs of '\n' and '\r' with empty lines
// dropped, a backslash taking the next byte literally (so "\\\n" keeps a
// newline inside a field) and a lone trailing backslash refusing the
// message. For each variable the first line that sets it counts, except
// READY=1, RELOADING=1 and STOPPING=1, where the last one counts.
func ParseNotify(b []byte) (Notify, error) {
	if len(b) > NotifyBufferMax {
		return Notify{}, fmt.Errorf("%d bytes: %w", len(b), ErrNotifyTooLarge)
	}
	// One trailing NUL is permitted (some clients send C strings).
	if len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	for _, c := range b {
		if c == 0 {
			return Notify{}, ErrNotifyNUL
		}
	}
	fields, err := notifySplit(b)
	if err != nil {
		return Notify{}, err
	}
	n := Notify{Fields: fields, FDPoll: true}
	warn := func(key, format string, args ...any) {
		n.Warnings = append(n.Warnings, NotifyWarning{Key: key, Text: fmt.Sprintf(format, args...)})
	}

	if notifyContains(fields, "BARRIER=1") {
		n.Barrier = true
		if len(fields) > 1 {
			warn("BARRIER", "Extra notification messages sent with BARRIER=1, ignoring everything.")
		}
		return n, nil
	}

	if v, ok := notifyFind(fields, "MAINPID="); ok {
		if pid, ok := notifyParsePID(v); ok {
			n.MainPID = pid
		} else {
			warn("MAINPID", "Failed to parse MAINPID= field in notification message, ignoring: %s", v)
		}
	}

	for i := len(fields) - 1; i >= 0; i-- {
		switch fields[i] {
		case "READY=1":
			n.Ready = true
		case "RELOADING=1":
			n.Reloading = true
		case "STOPPING=1":
			n.Stopping = true
		default:
			continue
		}
		break
	}

	if v, ok := notifyFind(fields, "STATUS="); ok {
		text := v
		switch {
		case len(v) > NotifyStatusMax:
			warn("STATUS", "Status message overly long (%d > %d), ignoring.", len(v), NotifyStatusMax)
			text = ""
		case !notifyUTF8Valid(v):
			warn("STATUS", "Status message in notification message is not UTF-8 clean, ignoring.")
			text = ""
		}
		n.Status = &text
	}

	if v, ok := notifyFind(fields, "ERRNO="); ok {
		if e, ok := notifyParseErrno(v); ok {
			n.Errno = &e
		} else {
			warn("ERRNO", "Failed to parse ERRNO= field value '%s' in notification message", v)
		}
	}

	if v, ok := notifyFind(fields, "EXTEND_TIMEOUT_USEC="); ok {
		if usec, err := notifyParseUint(v); err != nil {
			warn("EXTEND_TIMEOUT_USEC", "Failed to parse EXTEND_TIMEOUT_USEC=%s", v)
		} else if usec != math.MaxUint64 {
			n.ExtendTimeout = notifyUSec(usec)
		}
	}

	if v, ok := notifyFind(fields, "WATCHDOG="); ok {
		switch v {
		case "1":
			n.Watchdog = true
		case "trigger":
			n.WatchdogTrigger = true
		default:
			warn("WATCHDOG", "Passed WATCHDOG= field is invalid, ignoring.")
		}
	}

	if v, ok := notifyFind(fields, "WATCHDOG_USEC="); ok {
		if usec, err := notifyParseUint(v); err != nil {
			warn("WATCHDOG_USEC", "Failed to parse WATCHDOG_USEC=%s", v)
		} else {
			n.WatchdogUSec = &usec
		}
	}

	name, hasName := notifyFind(fields, "FDNAME=")
	nameValid := hasName && notifyFDNameValid(name)
	if nameValid {
		n.FDName = &name
	}
	switch {
	case notifyContains(fields, "FDSTOREREMOVE=1"):
		if nameValid {
			n.FDStoreRemove = true
		} else {
			warn("FDSTOREREMOVE", "FDSTOREREMOVE=1 requested, but no valid file descriptor name passed, ignoring.")
		}
	case notifyContains(fields, "FDSTORE=1"):
		n.FDStore = true
		if hasName && !nameValid {
			warn("FDNAME", "Passed FDNAME= name is invalid, ignoring.")
		}
	}
	n.FDPoll = !notifyContains(fields, "FDPOLL=0")
	return n, nil
}

// notifySplit splits a payload into lines as systemd's
// strv_split_newlines does: runs of '\n' and '\r' separate fields, empty
// fields vanish, and a backslash makes the next byte literal (it is
// removed); a backslash at the very end is an error.
func notifySplit(b []byte) ([]string, error) {
	var (
		fields []string
		cur    strings.Builder
		inWord bool
	)
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '\\':
			if i+1 == len(b) {
				return nil, ErrNotifyEscape
			}
			i++
			cur.WriteByte(b[i])
			inWord = true
		case c == '\n' || c == '\r':
			if inWord {
				fields = append(fields, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		fields = append(fields, cur.String())
	}
	return fields, nil
}

// notifyFind returns the rest of the first field that starts with prefix.
func notifyFind(fields []string, prefix string) (string, bool) {
	for _, f := range fields {
		if v, ok := strings.CutPrefix(f, prefix); ok {
			return v, true
		}
	}
	return "", false
}

// notifyContains reports whether one field is exactly s.
func notifyContains(fields []string, s string) bool {
	for _, f := range fields {
		if f == s {
			return true
		}
	}
	return false
}

// notifyUSec converts microseconds to a Duration, clamping at its maximum.
func notifyUSec(usec uint64) time.Duration {
	if usec > uint64(math.MaxInt64/int64(time.Microsecond)) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(usec) * time.Microsecond
}

// notifyParsePID parses a pid as systemd's parse_pid: an unsigned number
// (C syntax, see notifyParseUint) that fits pid_t and is positive.
func notifyParsePID(s string) (int, bool) {
	u, err := notifyParseUint(s)
	if err != nil || u == 0 || u > math.MaxInt32 {
		return 0, false
	}
	return int(u), true
}

// notifyParseErrno parses ERRNO= as systemd's parse_errno: an errno name,
// else a signed number that is 0 or 1…4095.
func notifyParseErrno(s string) (int, bool) {
	if e := notifyErrnoFromName(s); e > 0 {
		return e, true
	}
	v, err := notifyParseInt32(s)
	if err != nil || v < 0 || v > 4095 {
		return 0, false
	}
	return int(v), true
}

// notifyFDNameValid reports whether s is a valid FDNAME=: printable ASCII
// without ':', at most NotifyFDNameMax bytes; "" is valid.
func notifyFDNameValid(s string) bool {
	if len(s) > NotifyFDNameMax {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] >= 127 || s[i] == ':' {
			return false
		}
	}
	return true
}

// notifyUTF8Valid reports whether s is UTF-8 as systemd's utf8_is_valid
// sees it: Go's rules plus no noncharacters (U+FDD0…U+FDEF, U+xFFFE,
// U+xFFFF).
func notifyUTF8Valid(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if (r >= 0xFDD0 && r <= 0xFDEF) || r&0xFFFE == 0xFFFE {
			return false
		}
	}
	return true
}

// errNotifyNumber is the internal parse failure of the number helpers.
var errNotifyNumber = errors.New("invalid number")

// notifyParseUint parses s as systemd's safe_atou64 does: skip leading
// blanks, let "0b"/"0o" pick base 2/8, then C's strtoull on the rest (base
// 0 gives "0x" hex and leading-"0" octal); the whole string must be used,
// and a value written with a leading '-' is refused unless it is zero.
// Like systemd, a sign behind other whitespace (e.g. "\v-1") slips past
// that check and wraps around.
func notifyParseUint(s string) (uint64, error) {
	s, base := notifyMangleBase(strings.TrimLeft(s, " \t\n\r"))
	v, neg, err := notifyStrtou(s, base)
	if err != nil {
		return 0, err
	}
	if v != 0 && s != "" && s[0] == '-' {
		return 0, errNotifyNumber
	}
	if neg {
		v = -v
	}
	return v, nil
}

// notifyParseInt32 parses s as systemd's safe_atoi: the same prefixes,
// then strtol, and the value must fit an int.
func notifyParseInt32(s string) (int64, error) {
	s, base := notifyMangleBase(strings.TrimLeft(s, " \t\n\r"))
	v, neg, err := notifyStrtou(s, base)
	if err != nil {
		return 0, err
	}
	if neg {
		if v > 1<<31 {
			return 0, errNotifyNumber
		}
		return -int64(v), nil
	}
	if v > math.MaxInt32 {
		return 0, errNotifyNumber
	}
	return int64(v), nil
}

// notifyMangleBase strips a "0b" or "0o" prefix and returns the base it
// names, or 0 (let strtoull decide).
func notifyMangleBase(s string) (string, int) {
	if len(s) >= 2 && s[0] == '0' {
		switch s[1] {
		case 'b', 'B':
			return s[2:], 2
		case 'o', 'O':
			return s[2:], 8
		}
	}
	return s, 0
}

// notifyStrtou is C's strtoull on the whole of s: it skips isspace bytes,
// takes one optional sign, and with base 0 picks 16 for "0x", 8 for a
// leading "0" and 10 otherwise. It returns the magnitude and the sign;
// trailing bytes, no digits and overflow are errors.
func notifyStrtou(s string, base int) (uint64, bool, error) {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if (base == 0 || base == 16) && len(s) >= 3 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && notifyDigit(s[2]) < 16 {
		base, s = 16, s[2:]
	}
	if base == 0 {
		base = 10
		if s != "" && s[0] == '0' {
			base = 8
		}
	}
	if s == "" {
		return 0, false, errNotifyNumber
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		d := notifyDigit(s[i])
		if d >= base {
			return 0, false, errNotifyNumber
		}
		if v > (math.MaxUint64-uint64(d))/uint64(base) {
			return 0, false, errNotifyNumber
		}
		v = v*uint64(base) + uint64(d)
	}
	return v, neg, nil
}

// notifyDigit is the value of a digit or letter in bases up to 36, or 99.
func notifyDigit(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return 99
}

// notifyErrnoNames lists Linux's errno names in number order from 1 ("-"
// marks unused numbers), as glibc's <errno.h> defines them on the common
// architectures; notifyErrnoAliases adds the second names.
const notifyErrnoNames = "EPERM ENOENT ESRCH EINTR EIO ENXIO E2BIG ENOEXEC EBADF ECHILD " +
	"EAGAIN ENOMEM EACCES EFAULT ENOTBLK EBUSY EEXIST EXDEV ENODEV ENOTDIR " +
	"EISDIR EINVAL ENFILE EMFILE ENOTTY ETXTBSY EFBIG ENOSPC ESPIPE EROFS " +
	"EMLINK EPIPE EDOM ERANGE EDEADLK ENAMETOOLONG ENOLCK ENOSYS ENOTEMPTY ELOOP " +
	"- ENOMSG EIDRM ECHRNG EL2NSYNC EL3HLT EL3RST ELNRNG EUNATCH ENOCSI " +
	"EL2HLT EBADE EBADR EXFULL ENOANO EBADRQC EBADSLT - EBFONT ENOSTR " +
	"ENODATA ETIME ENOSR ENONET ENOPKG EREMOTE ENOLINK EADV ESRMNT ECOMM " +
	"EPROTO EMULTIHOP EDOTDOT EBADMSG EOVERFLOW ENOTUNIQ EBADFD EREMCHG ELIBACC ELIBBAD " +
	"ELIBSCN ELIBMAX ELIBEXEC EILSEQ ERESTART ESTRPIPE EUSERS ENOTSOCK EDESTADDRREQ EMSGSIZE " +
	"EPROTOTYPE ENOPROTOOPT EPROTONOSUPPORT ESOCKTNOSUPPORT EOPNOTSUPP EPFNOSUPPORT EAFNOSUPPORT EADDRINUSE EADDRNOTAVAIL ENETDOWN " +
	"ENETUNREACH ENETRESET ECONNABORTED ECONNRESET ENOBUFS EISCONN ENOTCONN ESHUTDOWN ETOOMANYREFS ETIMEDOUT " +
	"ECONNREFUSED EHOSTDOWN EHOSTUNREACH EALREADY EINPROGRESS ESTALE EUCLEAN ENOTNAM ENAVAIL EISNAM " +
	"EREMOTEIO EDQUOT ENOMEDIUM EMEDIUMTYPE ECANCELED ENOKEY EKEYEXPIRED EKEYREVOKED EKEYREJECTED EOWNERDEAD " +
	"ENOTRECOVERABLE ERFKILL EHWPOISON"

// notifyErrnoAliases are glibc's second names: alias and the name it means.
const notifyErrnoAliases = "EWOULDBLOCK=EAGAIN EDEADLOCK=EDEADLK ENOTSUP=EOPNOTSUPP"

// notifyErrnoFromName returns the number of an errno name (exact, case
// sensitive), or 0.
func notifyErrnoFromName(name string) int {
	if name == "" || name == "-" {
		return 0
	}
	for _, a := range strings.Fields(notifyErrnoAliases) {
		if alias, target, _ := strings.Cut(a, "="); alias == name {
			name = target
			break
		}
	}
	for i, n := range strings.Fields(notifyErrnoNames) {
		if n == name {
			return i + 1
		}
	}
	return 0
}
