package unit

import (
	"errors"
	"math"
	"strings"
)

// systemd's value parsers sit on top of the C library's strtol family, whose
// quirks (leading blanks, signs, "0x" and leading-zero octal with base 0,
// silent negation in strtoul) decide which spellings a unit file may use.
// The helpers here reproduce those rules so the parsers built on them accept
// exactly what systemd 252 accepts.

// Internal causes; callers wrap them with ErrBadValue and the value.
var (
	errSdInvalid = errors.New("invalid")
	errSdRange   = errors.New("out of range")
)

// cWhitespace is systemd's WHITESPACE set.
const cWhitespace = " \t\n\r"

// skipCWhitespace returns the index of the first byte of s not in WHITESPACE.
func skipCWhitespace(s string) int {
	i := 0
	for i < len(s) && strings.IndexByte(cWhitespace, s[i]) >= 0 {
		i++
	}
	return i
}

// isCSpace is isspace() in the C locale, which strtol skips.
func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isCDigit(c byte) bool { return c >= '0' && c <= '9' }

// cDigitValue returns the value of c as a digit, or 99 when it is none.
func cDigitValue(c byte) uint64 {
	switch {
	case c >= '0' && c <= '9':
		return uint64(c - '0')
	case c >= 'a' && c <= 'z':
		return uint64(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return uint64(c-'A') + 10
	}
	return 99
}

// cNumber is what strtol and friends see in a string.
type cNumber struct {
	mag      uint64 // magnitude, valid unless overflow
	neg      bool   // a '-' sign was given
	end      int    // bytes consumed; 0 when there was no number at all
	overflow bool   // the magnitude does not fit 64 bits
}

// scanCNumber scans s as glibc's strtoull does with the given base (0, or
// 2 to 36): blanks, a sign, a base prefix, digits.
func scanCNumber(s string, base int) cNumber {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	var n cNumber
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		n.neg = s[i] == '-'
		i++
	}
	hexPrefix := i+2 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') && cDigitValue(s[i+2]) < 16
	switch {
	case (base == 0 || base == 16) && hexPrefix:
		base = 16
		i += 2
	case base == 0 && i < len(s) && s[i] == '0':
		base = 8
	case base == 0:
		base = 10
	}
	start := i
	for i < len(s) {
		d := cDigitValue(s[i])
		if d >= uint64(base) {
			break
		}
		if n.mag > (math.MaxUint64-d)/uint64(base) {
			n.overflow = true
		} else {
			n.mag = n.mag*uint64(base) + d
		}
		i++
	}
	if i == start {
		return cNumber{}
	}
	n.end = i
	return n
}

// strtoull returns what strtoull returns: the value (negated modulo 2^64
// for a '-' sign), the bytes consumed and ERANGE as errSdRange.
func strtoull(s string, base int) (uint64, int, error) {
	n := scanCNumber(s, base)
	if n.overflow {
		return math.MaxUint64, n.end, errSdRange
	}
	if n.neg {
		return -n.mag, n.end, nil
	}
	return n.mag, n.end, nil
}

// strtoll returns what strtoll (and strtol on 64-bit Linux) returns.
func strtoll(s string, base int) (int64, int, error) {
	n := scanCNumber(s, base)
	switch {
	case n.overflow, n.neg && n.mag > 1<<63, !n.neg && n.mag > math.MaxInt64:
		return 0, n.end, errSdRange
	case n.neg:
		return int64(-n.mag), n.end, nil
	}
	return int64(n.mag), n.end, nil
}

// mangleBase does what systemd's mangle_base does for base 0: it accepts
// Python-style "0b" and "0o" prefixes.
func mangleBase(s string) (string, int) {
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

// safeAtoi is systemd's safe_atoi: an int in any C notation, surrounded by
// nothing but leading blanks.
func safeAtoi(s string) (int, error) {
	s = s[skipCWhitespace(s):]
	s, base := mangleBase(s)
	v, end, err := strtoll(s, base)
	if err != nil {
		return 0, err
	}
	if end == 0 || end != len(s) {
		return 0, errSdInvalid
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		return 0, errSdRange
	}
	return int(v), nil
}

// safeAtou64 is systemd's safe_atou_full and safe_atollu_full: base 0
// (with mangleBase) or a fixed base, no '-' unless the value is 0, and
// refusePlusMinus refuses both signs outright.
func safeAtou64(s string, base int, refusePlusMinus bool) (uint64, error) {
	s = s[skipCWhitespace(s):]
	if refusePlusMinus && s != "" && (s[0] == '+' || s[0] == '-') {
		return 0, errSdInvalid
	}
	if base == 0 {
		s, base = mangleBase(s)
	}
	v, end, err := strtoull(s, base)
	if err != nil {
		return 0, err
	}
	if end == 0 || end != len(s) {
		return 0, errSdInvalid
	}
	if v != 0 && s[0] == '-' {
		return 0, errSdRange
	}
	return v, nil
}

// safeAtou is safe_atou_full: like safeAtou64 but for a 32-bit unsigned.
func safeAtou(s string, base int, refusePlusMinus bool) (uint32, error) {
	v, err := safeAtou64(s, base, refusePlusMinus)
	if err != nil {
		return 0, err
	}
	if v > math.MaxUint32 {
		return 0, errSdRange
	}
	return uint32(v), nil
}

// cStrCaseEq is strcasecmp() == 0 in the C locale: only ASCII letters
// fold, unlike strings.EqualFold.
func cStrCaseEq(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if cToLower(a[i]) != cToLower(b[i]) {
			return false
		}
	}
	return true
}

func cToLower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// splitPlainWords splits s at blanks as extract_first_word with no flags
// does: quotes are ordinary characters, a backslash takes the next
// character literally, and a trailing backslash is an error (the words
// before it are still returned).
func splitPlainWords(s string) ([]string, error) {
	var words []string
	i := 0
	for {
		i += skipCWhitespace(s[i:])
		if i >= len(s) {
			return words, nil
		}
		var w strings.Builder
		for i < len(s) && strings.IndexByte(cWhitespace, s[i]) < 0 {
			if s[i] == '\\' {
				if i+1 >= len(s) {
					return words, errSdInvalid
				}
				i++
			}
			w.WriteByte(s[i])
			i++
		}
		words = append(words, w.String())
	}
}
