package unit

import (
	"bytes"
	"fmt"
	"strings"
)

// MaxLineLength is the longest logical line the INI reader accepts, as
// systemd's LONG_LINE_MAX: a longer line makes the whole file unreadable.
const MaxLineLength = 1 << 20

const utf8BOM = "\xef\xbb\xbf"

// ParseINI reads a unit file or drop-in the way systemd 252's config parser
// does and returns its assignments in order.
//
// Rules, as systemd applies them: a line whose first non-blank character is
// '#' or ';' is a comment, also in the middle of a continuation; a line ending
// in an odd number of backslashes continues on the next line (the backslash
// becomes a blank); blanks around keys and values are stripped; the key ends
// at the first '='; there are no inline comments. Lines end at \n, \r, \r\n
// or NUL.
//
// Problems that systemd only warns about (a line without '=', an assignment
// outside a section, invalid UTF-8, an unknown section) are returned as
// warnings. A bad section header or an over-long line makes the whole file
// unusable: ParseINI then returns the options read so far and an Error
// diagnostic wrapping [ErrSyntax].
func ParseINI(file string, data []byte) ([]Option, Diagnostics) {
	r := iniReader{file: file, data: data}
	r.run()
	return r.opts, r.diags
}

type iniReader struct {
	file  string
	data  []byte
	opts  []Option
	diags Diagnostics

	section        string
	sectionPos     Pos
	sectionIgnored bool
	bomSeen        bool
}

// nextLine returns the next physical line without its terminator, and
// whether there was one.
func (r *iniReader) nextLine() ([]byte, bool) {
	if len(r.data) == 0 {
		return nil, false
	}
	i := bytes.IndexAny(r.data, "\n\r\x00")
	if i < 0 {
		line := r.data
		r.data = nil
		return line, true
	}
	line := r.data[:i]
	// One end-of-line marker: NUL alone, or \n and \r at most once each.
	j := i + 1
	if r.data[i] != 0 && j < len(r.data) {
		if c := r.data[j]; (c == '\n' || c == '\r') && c != r.data[i] {
			j++
		}
	}
	r.data = r.data[j:]
	return line, true
}

func (r *iniReader) warn(line, col int, format string, args ...any) {
	r.diags.Add(Pos{File: r.file, Line: line, Col: col}, Warning, "", ErrSyntax, format, args...)
}

func (r *iniReader) fatal(line, col int, format string, args ...any) {
	r.diags.Add(Pos{File: r.file, Line: line, Col: col}, Error, "", fmt.Errorf("%w: %w", ErrUnusable, ErrSyntax), format, args...)
}

func (r *iniReader) run() {
	var (
		lineNo    int
		cont      []byte // the logical line being continued
		contStart int    // its first physical line
	)
	for {
		raw, ok := r.nextLine()
		if !ok {
			break
		}
		lineNo++
		if len(raw) > MaxLineLength {
			r.fatal(lineNo, 0, "line too long (more than %d bytes)", MaxLineLength)
			return
		}
		if t := bytes.TrimLeft(raw, whitespace); len(t) > 0 && (t[0] == '#' || t[0] == ';') {
			continue
		}
		l := raw
		if !r.bomSeen && bytes.HasPrefix(l, []byte(utf8BOM)) {
			l = l[len(utf8BOM):]
			r.bomSeen = true
		}
		var p []byte
		start := lineNo
		if cont != nil {
			if len(cont)+len(l) > MaxLineLength {
				r.fatal(lineNo, 0, "continuation line too long (more than %d bytes)", MaxLineLength)
				return
			}
			cont = append(cont, l...)
			p = cont
			start = contStart
		} else {
			p = l
		}
		if endsEscaped(p) {
			p[len(p)-1] = ' '
			if cont == nil {
				cont = append([]byte(nil), p...)
				contStart = lineNo
			}
			continue
		}
		if !r.parseLine(start, p) {
			return
		}
		cont = nil
	}
	if cont != nil {
		r.parseLine(contStart, cont)
	}
}

const whitespace = " \t\n\r"

// endsEscaped reports whether the line ends in an unescaped backslash.
func endsEscaped(p []byte) bool {
	escaped := false
	for _, c := range p {
		if escaped {
			escaped = false
		} else if c == '\\' {
			escaped = true
		}
	}
	return escaped
}

// parseLine handles one logical line. It returns false when the file cannot
// be read any further.
func (r *iniReader) parseLine(lineNo int, raw []byte) bool {
	lead := len(raw) - len(bytes.TrimLeft(raw, whitespace))
	l := bytes.TrimRight(raw[lead:], whitespace)
	if len(l) == 0 {
		return true
	}
	col := lead + 1
	if !ValidUTF8(string(l)) {
		r.warn(lineNo, col, "line is not valid UTF-8, ignoring")
		return true
	}
	if l[0] == '[' {
		if l[len(l)-1] != ']' {
			r.fatal(lineNo, col, "invalid section header %q", l)
			return false
		}
		name := string(l[1 : len(l)-1])
		if !sectionNameSafe(name) {
			r.fatal(lineNo, col, "bad characters in section header %q", l)
			return false
		}
		r.section = name
		r.sectionPos = Pos{File: r.file, Line: lineNo, Col: col}
		r.sectionIgnored = false
		return true
	}
	if r.section == "" {
		if !r.sectionIgnored {
			r.warn(lineNo, col, "assignment outside of section, ignoring")
		}
		return true
	}
	eq := bytes.IndexByte(l, '=')
	if eq < 0 {
		r.warn(lineNo, col, "missing '=', ignoring line")
		return true
	}
	if eq == 0 {
		r.warn(lineNo, col, "missing key name before '=', ignoring line")
		return true
	}
	key := strings.TrimRight(string(l[:eq]), whitespace)
	rest := l[eq+1:]
	vlead := len(rest) - len(bytes.TrimLeft(rest, whitespace))
	value := strings.TrimRight(string(rest[vlead:]), whitespace)
	r.opts = append(r.opts, Option{
		Section:    r.section,
		Key:        key,
		Value:      value,
		Pos:        Pos{File: r.file, Line: lineNo, Col: col},
		ValuePos:   Pos{File: r.file, Line: lineNo, Col: col + eq + 1 + vlead},
		SectionPos: r.sectionPos,
	})
	return true
}

// sectionNameSafe mirrors systemd's string_is_safe: no control characters,
// quotes, backslashes or DEL.
func sectionNameSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' || c == '"' || c == '\'' || c == '\\' || c == 0x7f {
			return false
		}
	}
	return true
}
