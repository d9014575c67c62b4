package unit

import (
	"fmt"
	"strings"
)

// Limits on file system paths that systemd's path checks apply
// (NAME_MAX and PATH_MAX of Linux; PATH_MAX counts the terminating NUL).
const (
	fileNameMax = 255
	pathMax     = 4096
)

const lowerHex = "0123456789abcdef"

// Escape escapes s for use in a unit name as systemd-escape does
// (unit_name_escape): '/' becomes '-', and every byte outside
// [a-zA-Z0-9:_.] becomes \xNN (lower-case hex), as does a leading '.' so
// that no name starts with a dot. Escape("") is "".
func Escape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case i == 0 && c == '.':
			escapeByte(&b, c)
		case c == '/':
			b.WriteByte('-')
		case c == '-' || c == '\\' || !nameChar(c):
			escapeByte(&b, c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func escapeByte(b *strings.Builder, c byte) {
	b.WriteString(`\x`)
	b.WriteByte(lowerHex[c>>4])
	b.WriteByte(lowerHex[c&15])
}

// Unescape reverses Escape (unit_name_unescape): '-' becomes '/' and \xNN
// (either case of hex digit) becomes the byte NN. Any other backslash is an
// error wrapping [ErrBadValue]; other characters pass through unchecked. As
// in systemd, whose strings end at a NUL byte, the result ends before the
// first \x00.
func Unescape(s string) (string, error) {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '-':
			b.WriteByte('/')
		case '\\':
			if i+3 >= len(s) || s[i+1] != 'x' {
				return "", fmt.Errorf("%w: bad escape sequence at offset %d in %q", ErrBadValue, i, s)
			}
			hi, ok1 := unhexByte(s[i+2])
			lo, ok2 := unhexByte(s[i+3])
			if !ok1 || !ok2 {
				return "", fmt.Errorf("%w: bad escape sequence at offset %d in %q", ErrBadValue, i, s)
			}
			v := hi<<4 | lo
			if v == 0 {
				return b.String(), nil
			}
			b.WriteByte(v)
			i += 3
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func unhexByte(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// EscapePath escapes a file system path as systemd-escape --path does
// (unit_name_path_escape): the path is simplified first (repeated slashes
// and "." components go), "/" and "" become "-", and otherwise leading and
// trailing slashes are dropped and the rest is escaped with [Escape]
// ("/dev/sda" → "dev-sda", "/foo//bar/" → "foo-bar"). A path that is not
// normalized after simplification (a ".." component, a component longer
// than 255 bytes, 4096 bytes or more, or nothing but ".") is an error
// wrapping [ErrBadValue].
func EscapePath(p string) (string, error) {
	s := simplifyPath(p)
	if s == "" || s == "/" {
		return "-", nil
	}
	if !pathNormalized(s) {
		return "", fmt.Errorf("%w: path %q is not normalized", ErrBadValue, p)
	}
	s = strings.TrimRight(s, "/")
	s = strings.TrimLeft(s, "/")
	return Escape(s), nil
}

// UnescapePath reverses EscapePath (unit_name_path_unescape), returning an
// absolute path: "-" is "/", and otherwise the unescaped string must not
// begin or end with '/' and, with a '/' put in front, must be a normalized
// path. Errors wrap [ErrBadValue].
func UnescapePath(s string) (string, error) {
	if s == "" {
		return "", fmt.Errorf("%w: empty path", ErrBadValue)
	}
	if s == "-" {
		return "/", nil
	}
	w, err := Unescape(s)
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(w, "/") || strings.HasSuffix(w, "/") {
		return "", fmt.Errorf("%w: %q unescapes to a path with a leading or trailing slash", ErrBadValue, s)
	}
	p := "/" + w
	if !pathNormalized(p) {
		return "", fmt.Errorf("%w: %q unescapes to %q, which is not a normalized path", ErrBadValue, s, p)
	}
	return p, nil
}

// skipSlashOrDot skips '/' characters and "./" pairs at the start of p.
func skipSlashOrDot(p string) string {
	for p != "" {
		switch {
		case p[0] == '/':
			p = p[1:]
		case strings.HasPrefix(p, "./"):
			p = p[1:]
		default:
			return p
		}
	}
	return p
}

// firstComponent splits off the first component of p, skipping slashes and
// "." components around it as systemd's path_find_first_component does. It
// returns the component, the rest after it, and ok false when the component
// is longer than a file name may be, or is ".." and dotDot is false; rest
// is then p unchanged. An empty component means there is none.
func firstComponent(p string, dotDot bool) (comp, rest string, ok bool) {
	first := skipSlashOrDot(p)
	if first == "" || first == "." {
		return "", "", true
	}
	end := strings.IndexByte(first, '/')
	if end < 0 {
		end = len(first)
	}
	if end > fileNameMax || (!dotDot && first[:end] == "..") {
		return "", p, false
	}
	next := skipSlashOrDot(first[end:])
	if next == "." {
		next = ""
	}
	return first[:end], next, true
}

// simplifyPath removes repeated and trailing slashes and "." components as
// systemd's path_simplify does ("//a/./b/" → "/a/b", "./" → "."). ".."
// stays. Past a component too long to be a file name, the rest is copied
// unchanged.
func simplifyPath(p string) string {
	if p == "" {
		return p
	}
	var b strings.Builder
	rest := p
	if p[0] == '/' {
		b.WriteByte('/')
		rest = p[1:]
	}
	slash := false
	for {
		comp, next, ok := firstComponent(rest, true)
		if ok && comp == "" {
			break
		}
		if slash {
			b.WriteByte('/')
		}
		if !ok {
			b.WriteString(rest)
			return b.String()
		}
		b.WriteString(comp)
		slash = true
		rest = next
	}
	if b.Len() == 0 {
		return "."
	}
	return b.String()
}

// pathValid reports whether p is a valid path (systemd's
// path_is_valid_full): not empty, components no longer than a file name,
// shorter than PATH_MAX, and without ".." unless dotDot.
func pathValid(p string, dotDot bool) bool {
	if p == "" {
		return false
	}
	rest := p
	for {
		comp, next, ok := firstComponent(rest, dotDot)
		if !ok {
			return false
		}
		if comp == "" {
			next = ""
		}
		if len(p)-len(next) >= pathMax {
			return false
		}
		if next == "" {
			return true
		}
		rest = next
	}
}

// pathNormalized reports whether p is a valid path without "..", "."
// components or repeated slashes (systemd's path_is_normalized).
func pathNormalized(p string) bool {
	if !pathValid(p, false) {
		return false
	}
	if p == "." || strings.HasPrefix(p, "./") || strings.HasSuffix(p, "/.") || strings.Contains(p, "/./") {
		return false
	}
	return !strings.Contains(p, "//")
}
