package unit

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// FormatINI writes options as a unit file: sections in the order they are
// first seen, each holding its options in order, one "Key=Value" line
// each. [ParseINI] reads the result back as the same options, grouped by
// section (the order of options in different sections never matters to
// systemd).
//
// A value ending in a backslash is followed by a blank, which stops the
// backslash from continuing the line and is stripped again when read.
// Other values cannot be written so that they read back unchanged: a unit
// file strips blanks around values, ends a value at a line break, and
// skips lines that are not valid UTF-8. For such an option, or a key or section name a unit file
// cannot hold, FormatINI returns an error wrapping [ErrBadValue] (or
// [ErrUnknownSection]) that names the option.
func FormatINI(opts []Option) ([]byte, error) {
	for _, o := range opts {
		if err := checkINIOption(o); err != nil {
			return nil, err
		}
	}
	order, bySection := groupSections(opts)
	var b bytes.Buffer
	for i, sec := range order {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteByte('[')
		b.WriteString(sec)
		b.WriteString("]\n")
		for _, o := range bySection[sec] {
			b.WriteString(o.Key)
			b.WriteByte('=')
			b.WriteString(o.Value)
			if endsEscaped([]byte(o.Value)) {
				// A blank after the backslash keeps it from continuing
				// the line; the reader strips the blank again.
				b.WriteByte(' ')
			}
			b.WriteByte('\n')
		}
	}
	return b.Bytes(), nil
}

// groupSections returns the sections of opts in the order first seen, and
// each section's options in order.
func groupSections(opts []Option) ([]string, map[string][]Option) {
	var order []string
	by := map[string][]Option{}
	for _, o := range opts {
		if _, ok := by[o.Section]; !ok {
			order = append(order, o.Section)
		}
		by[o.Section] = append(by[o.Section], o)
	}
	return order, by
}

// GroupSections returns opts grouped by section, sections in the order
// first seen and options in order within each: the order in which
// [FormatINI] and [FormatYAML] write them, and so the order a round trip
// through either gives back.
func GroupSections(opts []Option) []Option {
	order, by := groupSections(opts)
	out := make([]Option, 0, len(opts))
	for _, s := range order {
		out = append(out, by[s]...)
	}
	return out
}

// checkINIOption reports why o cannot be written as a unit file line that
// reads back as o.
func checkINIOption(o Option) error {
	if p := sectionProblem(o.Section); p != "" {
		return optionError(o, ErrBadValue, "section name %s", p)
	}
	if p := keyProblem(o.Key); p != "" {
		return optionError(o, ErrBadValue, "key %s", p)
	}
	if p := valueProblem(o.Value); p != "" {
		return optionError(o, ErrBadValue, "value %s", p)
	}
	if len(o.Key)+1+len(o.Value) > MaxLineLength {
		return optionError(o, ErrBadValue, "line is longer than %d bytes", MaxLineLength)
	}
	return nil
}

// sectionProblem says why s cannot be a section name in a unit file, or
// returns "".
func sectionProblem(s string) string {
	switch {
	case s == "":
		return "is empty"
	case !utf8.ValidString(s):
		return "is not valid UTF-8"
	case !sectionNameSafe(s):
		return "holds control characters, quotes or backslashes"
	case len(s) > MaxLineLength-2:
		return "is too long"
	}
	return ""
}

func optionError(o Option, sentinel error, format string, args ...any) error {
	where := ""
	if p := o.Pos.String(); p != "" {
		where = p + ": "
	}
	return fmt.Errorf("%s[%s] %s=: %s: %w", where, o.Section, o.Key, fmt.Sprintf(format, args...), sentinel)
}
