package unit

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// UnescapeFlags control [CUnescape], as systemd's UNESCAPE_* flags.
type UnescapeFlags uint

const (
	// UnescapeRelax keeps unknown escape sequences and a trailing backslash
	// verbatim instead of failing.
	UnescapeRelax UnescapeFlags = 1 << iota
	// UnescapeAcceptNUL allows escapes that decode to a NUL byte.
	UnescapeAcceptNUL
)

// CUnescape undoes C-style escaping as systemd's cunescape does: \a \b \f
// \n \r \t \v \\ \" \' \s (a space), \xNN and three-digit octal \NNN (one
// byte each), \uNNNN and \UNNNNNNNN (a code point, written as UTF-8). An
// escape that decodes to NUL is refused unless UnescapeAcceptNUL is set. s
// is read up to its first NUL byte, as the C string would be.
func CUnescape(s string, flags UnescapeFlags) (string, error) {
	s = cutNUL(s)
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 == len(s) {
			if flags&UnescapeRelax != 0 {
				b.WriteByte('\\')
				continue
			}
			return "", fmt.Errorf("%w: trailing backslash in %q", ErrBadValue, s)
		}
		code, eightBit, n, ok := cunescapeOne(s[i+1:], flags&UnescapeAcceptNUL != 0)
		if !ok {
			if flags&UnescapeRelax != 0 {
				// The backslash is kept and what follows is read as text.
				b.WriteByte('\\')
				continue
			}
			return "", fmt.Errorf("%w: invalid escape sequence in %q", ErrBadValue, s)
		}
		writeUnichar(&b, code, eightBit)
		i += n
	}
	return b.String(), nil
}

// cutNUL returns s up to its first NUL byte: the systemd code this package
// mirrors works on C strings.
func cutNUL(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

// cunescapeOne decodes the escape sequence at the start of p (just after
// the backslash), as systemd's cunescape_one. It returns the code, whether
// it is a raw byte (eightBit) rather than a code point, and how many bytes
// of p it used.
func cunescapeOne(p string, acceptNUL bool) (code uint32, eightBit bool, n int, ok bool) {
	if len(p) == 0 {
		return 0, false, 0, false
	}
	switch c := p[0]; c {
	case 'a':
		return '\a', false, 1, true
	case 'b':
		return '\b', false, 1, true
	case 'f':
		return '\f', false, 1, true
	case 'n':
		return '\n', false, 1, true
	case 'r':
		return '\r', false, 1, true
	case 't':
		return '\t', false, 1, true
	case 'v':
		return '\v', false, 1, true
	case '\\', '"', '\'':
		return uint32(c), false, 1, true
	case 's':
		return ' ', false, 1, true
	case 'x':
		v, ok := hexDigits(p[1:], 2)
		if !ok || (v == 0 && !acceptNUL) {
			return 0, false, 0, false
		}
		return v, true, 3, true
	case 'u':
		// No range check here, unlike \U: systemd writes even a lone
		// surrogate out as three bytes.
		v, ok := hexDigits(p[1:], 4)
		if !ok || (v == 0 && !acceptNUL) {
			return 0, false, 0, false
		}
		return v, false, 5, true
	case 'U':
		v, ok := hexDigits(p[1:], 8)
		if !ok || (v == 0 && !acceptNUL) || !unicharValid(v) {
			return 0, false, 0, false
		}
		return v, false, 9, true
	case '0', '1', '2', '3', '4', '5', '6', '7':
		if len(p) < 3 {
			return 0, false, 0, false
		}
		var v uint32
		for i := 0; i < 3; i++ {
			d := p[i]
			if d < '0' || d > '7' {
				return 0, false, 0, false
			}
			v = v<<3 | uint32(d-'0')
		}
		if (v == 0 && !acceptNUL) || v > 255 {
			return 0, false, 0, false
		}
		return v, true, 3, true
	}
	return 0, false, 0, false
}

// hexDigits reads exactly n hex digits from the start of p.
func hexDigits(p string, n int) (uint32, bool) {
	if len(p) < n {
		return 0, false
	}
	var v uint32
	for i := 0; i < n; i++ {
		d := unhex(p[i])
		if d < 0 {
			return 0, false
		}
		v = v<<4 | uint32(d)
	}
	return v, true
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// unicharValid is systemd's unichar_is_valid: Unicode scalar values other
// than the noncharacters U+FDD0–U+FDEF and U+xxFFFE/U+xxFFFF.
func unicharValid(c uint32) bool {
	switch {
	case c >= 0x110000:
		return false
	case c&0xFFFFF800 == 0xD800:
		return false
	case c >= 0xFDD0 && c <= 0xFDEF:
		return false
	case c&0xFFFE == 0xFFFE:
		return false
	}
	return true
}

// writeUnichar appends a decoded escape: a raw byte, or a code point in
// UTF-8. It encodes surrogates too, as systemd's utf8_encode_unichar does
// (Go's encoder would write U+FFFD instead).
func writeUnichar(b *strings.Builder, c uint32, eightBit bool) {
	switch {
	case eightBit || c < 0x80:
		b.WriteByte(byte(c))
	case c < 0x800:
		b.WriteByte(0xc0 | byte(c>>6))
		b.WriteByte(0x80 | byte(c&0x3f))
	case c < 0x10000:
		b.WriteByte(0xe0 | byte(c>>12))
		b.WriteByte(0x80 | byte(c>>6&0x3f))
		b.WriteByte(0x80 | byte(c&0x3f))
	default:
		b.WriteByte(0xf0 | byte(c>>18&0x07))
		b.WriteByte(0x80 | byte(c>>12&0x3f))
		b.WriteByte(0x80 | byte(c>>6&0x3f))
		b.WriteByte(0x80 | byte(c&0x3f))
	}
}

// ValidUTF8 reports whether s is valid UTF-8 by systemd's rules
// (utf8_is_valid): Go's rules, and no noncharacters (U+FDD0–U+FDEF,
// U+xxFFFE, U+xxFFFF). systemd ignores unit file lines and environment
// values that fail this. s is read up to its first NUL byte.
func ValidUTF8(s string) bool {
	s = cutNUL(s)
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			return false
		}
		if !unicharValid(uint32(r)) {
			return false
		}
		i += n
	}
	return true
}

// validPrefixLen returns how many bytes at the start of s form one valid
// character by systemd's rules, or 0.
func validPrefixLen(s string) int {
	if s == "" {
		return 0
	}
	if s[0] < utf8.RuneSelf {
		return 1
	}
	r, n := utf8.DecodeRuneInString(s)
	if (r == utf8.RuneError && n <= 1) || !unicharValid(uint32(r)) {
		return 0
	}
	return n
}

// CEscape escapes s C-style as systemd's cescape does, so that
// [CUnescape] reads it back: \a \b \f \n \r \t \v \\ \" \', and octal
// \NNN for other bytes below 0x20 or from 0x7f up.
func CEscape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\v':
			b.WriteString(`\v`)
		case '\\', '"', '\'':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			if c < ' ' || c >= 0x7f {
				b.WriteByte('\\')
				b.WriteByte('0' + c>>6)
				b.WriteByte('0' + c>>3&7)
				b.WriteByte('0' + c&7)
			} else {
				b.WriteByte(c)
			}
		}
	}
	return b.String()
}

// QuoteWord quotes s as one word of a list that systemd splits with
// EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE at blanks ([ExtractUnquote] |
// [ExtractCUnescape]), so that splitting gives back exactly s. Plain words
// are left alone; others are put in double quotes with C escapes. The
// result is valid UTF-8 by systemd's rules and holds no control
// characters, so it fits on one line of a unit file. It does not escape
// '%': callers whose values go through specifier expansion double it
// first. s must not contain NUL, which no C string can hold.
func QuoteWord(s string) string {
	if s != "" && !needsQuoting(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
			i++
		case c == '\n':
			b.WriteString(`\n`)
			i++
		case c == '\t':
			b.WriteString(`\t`)
			i++
		case c < ' ' || c == 0x7f:
			writeHexEscape(&b, c)
			i++
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			i++
		default:
			n := validPrefixLen(s[i:])
			if n == 0 {
				// A byte that is not part of valid UTF-8: \x gives it back
				// as a raw byte.
				writeHexEscape(&b, c)
				i++
				continue
			}
			if r, _ := utf8.DecodeRuneInString(s[i:]); r <= 0x9f {
				// A C1 control character: escaped for readability.
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				b.WriteString(s[i : i+n])
			}
			i += n
		}
	}
	b.WriteByte('"')
	return b.String()
}

func writeHexEscape(b *strings.Builder, c byte) {
	const hexDigit = "0123456789abcdef"
	b.WriteString(`\x`)
	b.WriteByte(hexDigit[c>>4])
	b.WriteByte(hexDigit[c&0xf])
}

// needsQuoting reports whether s holds anything [QuoteWord] must quote or
// escape: blanks, quotes, backslashes, control characters, or bytes that
// are not valid UTF-8 by systemd's rules.
func needsQuoting(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c <= ' ' || c == 0x7f || c == '"' || c == '\'' || c == '\\' {
				return true
			}
			i++
			continue
		}
		n := validPrefixLen(s[i:])
		if n == 0 {
			return true
		}
		if r, _ := utf8.DecodeRuneInString(s[i:]); r <= 0x9f {
			return true
		}
		i += n
	}
	return false
}
