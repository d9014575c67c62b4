package install

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/pm-project/pm/unit"
)

// ignoredSections are the sections of unit files that systemd's install
// logic skips without a word; any other but [Install] gets a warning.
var ignoredSections = map[string]bool{
	"Unit": true, "Automount": true, "Device": true, "Mount": true, "Path": true, "Scope": true,
	"Service": true, "Slice": true, "Socket": true, "Swap": true, "Target": true, "Timer": true,
}

// parseEvent is something the parser meets at a line: an option, a
// problem the INI reader reports, or a section header.
type parseEvent struct {
	line   int
	opt    *unit.Option
	diag   *unit.Diagnostic
	header string
}

// parse applies the [Install] settings of a file to i, in order, as
// systemd's config_parse with install.c's table, and warns as systemd
// does about what it ignores. Like systemd it stops at the first setting
// it cannot use at all (a bad Also= or DefaultInstance=), at a line that
// is not UTF-8, and at a syntax error that makes the file unreadable.
func (c *context) parse(i *info, path string, data []byte) int {
	opts, diags := unit.ParseINI(path, data)
	lines := physicalLines(data)
	var events []parseEvent
	problem := map[int]bool{}
	for k := range diags {
		events = append(events, parseEvent{line: diags[k].Pos.Line, diag: &diags[k]})
		problem[diags[k].Pos.Line] = true
	}
	for n, l := range lines {
		if name, ok := headerName(l); ok && !problem[n+1] {
			events = append(events, parseEvent{line: n + 1, header: name})
		}
	}
	for k := range opts {
		events = append(events, parseEvent{line: opts[k].Pos.Line, opt: &opts[k]})
	}
	sort.SliceStable(events, func(a, b int) bool { return events[a].line < events[b].line })
	section := ""
	for _, e := range events {
		at := fmt.Sprintf("%s:%d: ", path, e.line)
		switch {
		case e.diag != nil:
			if r := c.lineProblem(e.diag, at, section, lineText(lines, e.line)); r < 0 {
				return r
			}
		case e.opt == nil:
			section = e.header
			if section != "Install" && !ignoredSections[section] && !strings.HasPrefix(section, "X-") {
				c.l.warnf("%sUnknown section '%s'. Ignoring.", at, section)
			}
		case e.opt.Section == "Install":
			if r := c.setting(i, e.opt, at); r < 0 {
				return r
			}
		}
	}
	return 0
}

// lineProblem turns a problem the INI reader found into systemd's warning,
// or into the error that ends parsing.
func (c *context) lineProblem(d *unit.Diagnostic, at, section, text string) int {
	switch m := d.Msg; {
	case d.Severity >= unit.Error && strings.Contains(m, "too long"):
		return -enobufs
	case strings.HasPrefix(m, "invalid section header"):
		c.l.warnf("%sInvalid section header '%s'", at, text)
		return -ebadmsg
	case strings.HasPrefix(m, "bad characters in section header"):
		c.l.warnf("%sBad characters in section header '%s'", at, text)
		return -ebadmsg
	case d.Severity >= unit.Error:
		return -ebadmsg
	case strings.HasPrefix(m, "line is not valid UTF-8"):
		// systemd gives up on the file here.
		c.l.warnf("%sString is not UTF-8 clean, ignoring assignment: %s", at, escapeInvalidUTF8(text))
		return -einval
	case strings.HasPrefix(m, "assignment outside of section"):
		c.l.warnf("%sAssignment outside of section. Ignoring.", at)
	case section != "Install":
		// Lines of skipped sections are not looked at.
	case strings.HasPrefix(m, "missing '='"):
		c.l.warnf("%sMissing '=', ignoring line.", at)
	case strings.HasPrefix(m, "missing key name"):
		c.l.warnf("%sMissing key name before '=', ignoring line.", at)
	}
	return 0
}

// setting applies one [Install] setting.
func (c *context) setting(i *info, o *unit.Option, at string) int {
	switch o.Key {
	case "Alias":
		if t := typeOf(i.name); !mayAlias(t) {
			c.l.warnf("%sAlias= is not allowed for %s units, ignoring.", at, t)
			return 0
		}
		i.aliases = c.parseList(i.aliases, o.Value, at)
	case "WantedBy":
		i.wantedBy = c.parseList(i.wantedBy, o.Value, at)
	case "RequiredBy":
		i.requiredBy = c.parseList(i.requiredBy, o.Value, at)
	case "DefaultInstance":
		return c.parseDefaultInstance(i, o.Value, at)
	case "Also":
		return c.parseAlso(i, o.Value, at)
	default:
		if !strings.HasPrefix(o.Key, "X-") {
			c.l.warnf("%sUnknown key '%s' in section [Install], ignoring.", at, o.Key)
		}
	}
	return 0
}

// parseList is systemd's config_parse_strv: an empty value clears the
// list; otherwise the words (quotes removed, backslashes kept) are
// appended, up to a word that does not parse.
func (c *context) parseList(list []string, value, at string) []string {
	if value == "" {
		return nil
	}
	r := unit.NewWordReader(value)
	for {
		w, ok, err := r.Next("", unit.ExtractUnquote|unit.ExtractRetainEscape)
		if err != nil {
			c.l.warnf("%sInvalid syntax, ignoring: %s", at, value)
			return list
		}
		if !ok {
			return list
		}
		list = append(list, w)
	}
}

// parseAlso handles an Also= line: each word, expanded, becomes a unit to
// process too (an auxiliary one).
func (c *context) parseAlso(i *info, value, at string) int {
	r := unit.NewWordReader(value)
	for {
		w, ok, err := r.Next("", 0)
		if err != nil {
			return -einval
		}
		if !ok {
			return 0
		}
		name, code := c.expand(i, w)
		if code < 0 {
			c.l.warnf("%sFailed to resolve unit name in Also=\"%s\": %s", at, w, strerror(errnoOf(code)))
			return code
		}
		if _, code := c.add(name, "", true); code < 0 {
			return code
		}
		i.also = append(i.also, name)
	}
}

// parseDefaultInstance handles DefaultInstance=, which only templates
// have; for an instance enabled through its template it is ignored.
func (c *context) parseDefaultInstance(i *info, value, at string) int {
	if validName(i.name, classInstance) {
		return 0
	}
	if !validName(i.name, classTemplate) {
		c.l.warnf("%sDefaultInstance= only makes sense for template units, ignoring.", at)
		return 0
	}
	v, code := c.expand(i, value)
	if code < 0 {
		c.l.warnf("%sFailed to resolve instance name in DefaultInstance=\"%s\": %s", at, value, strerror(errnoOf(code)))
		return code
	}
	if v != "" && !unit.ValidInstance(v) {
		c.l.warnf("%sInvalid DefaultInstance= value \"%s\".", at, v)
		return -einval
	}
	i.defaultInstance = v
	return 0
}

// physicalLines splits a file into lines at \n, dropping a \r before it.
func physicalLines(data []byte) []string {
	ls := strings.Split(string(data), "\n")
	for k, l := range ls {
		ls[k] = strings.TrimSuffix(l, "\r")
	}
	return ls
}

// lineText is line n (1-based) without surrounding blanks.
func lineText(lines []string, n int) string {
	if n < 1 || n > len(lines) {
		return ""
	}
	return strings.Trim(lines[n-1], " \t\n\r")
}

// headerName returns the section a line opens, if it is a section header.
func headerName(l string) (string, bool) {
	l = strings.Trim(l, " \t\n\r")
	if len(l) < 2 || l[0] != '[' || l[len(l)-1] != ']' {
		return "", false
	}
	return l[1 : len(l)-1], true
}

// escapeInvalidUTF8 replaces each byte that is not part of a valid UTF-8
// sequence by U+FFFD, as systemd's utf8_escape_invalid.
func escapeInvalidUTF8(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		if r == utf8.RuneError && n <= 1 {
			b.WriteString("\uFFFD")
			s = s[1:]
			continue
		}
		b.WriteString(s[:n])
		s = s[n:]
	}
	return b.String()
}
