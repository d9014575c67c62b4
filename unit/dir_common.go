package unit

import (
	"fmt"
	"strconv"
	"strings"
)

// Generic setters shared by the directive tables. Each takes a function that
// returns the field to set, so one setter serves every section.

func setBool(field func(*builder) *bool) setter {
	return func(b *builder, o Option) error {
		v, err := ParseBool(o.Value)
		if err != nil {
			return badValue("not a boolean")
		}
		*field(b) = v
		return nil
	}
}

// setString sets a string, expanding specifiers; an empty value resets it.
func setString(field func(*builder) *string) setter {
	return func(b *builder, o Option) error {
		v, err := b.expand(o.Value)
		if err != nil {
			return err
		}
		*field(b) = v
		return nil
	}
}

func setDuration(field func(*builder) *Duration) setter {
	return func(b *builder, o Option) error {
		d, err := ParseDuration(o.Value)
		if err != nil {
			return badValue("not a time span")
		}
		*field(b) = d
		return nil
	}
}

// setDurationZeroInf sets a time span where 0 means infinity, as systemd's
// config_parse_sec_fix_0 does for timeouts.
func setDurationZeroInf(field func(*builder) *Duration) setter {
	return func(b *builder, o Option) error {
		d, err := ParseDuration(o.Value)
		if err != nil {
			return badValue("not a time span")
		}
		if d == 0 {
			d = Infinity
		}
		*field(b) = d
		return nil
	}
}

func setUint(field func(*builder) *uint) setter {
	return func(b *builder, o Option) error {
		v, err := parseUint(o.Value, 32)
		if err != nil {
			return err
		}
		*field(b) = uint(v)
		return nil
	}
}

// parseUint parses an unsigned decimal number as systemd's safe_atou does.
func parseUint(s string, bits int) (uint64, error) {
	s = strings.TrimLeft(s, whitespace)
	if strings.HasPrefix(s, "-") {
		return 0, badValue("not an unsigned number")
	}
	s = strings.TrimPrefix(s, "+")
	v, err := strconv.ParseUint(s, 10, bits)
	if err != nil {
		return 0, badValue("not an unsigned number")
	}
	return v, nil
}

func parseInt(s string, bits int) (int64, error) {
	s = strings.TrimLeft(s, whitespace)
	v, err := strconv.ParseInt(strings.TrimPrefix(s, "+"), 10, bits)
	if err != nil {
		return 0, badValue("not a number")
	}
	return v, nil
}

// setEnum sets a string-like field to one of a fixed set of values.
func setEnum[T ~string](field func(*builder) *T, values ...T) setter {
	return func(b *builder, o Option) error {
		for _, v := range values {
			if string(v) == o.Value {
				*field(b) = v
				return nil
			}
		}
		return badValue("must be one of %s", enumList(values))
	}
}

func enumList[T ~string](values []T) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// setPath sets an absolute path, expanding specifiers; empty resets it.
func setPath(field func(*builder) *string) setter {
	return func(b *builder, o Option) error {
		if o.Value == "" {
			*field(b) = ""
			return nil
		}
		v, err := b.expand(o.Value)
		if err != nil {
			return err
		}
		p, err := checkPath(v, true)
		if err != nil {
			return err
		}
		*field(b) = p
		return nil
	}
}

// setStrings appends words to a list (specifiers expanded); an empty value
// resets the list.
func setStrings(field func(*builder) *[]string) setter {
	return setWords(field, nil)
}

// setPaths appends absolute paths to a list; empty resets it. A word that
// is not a valid path is warned about and skipped.
func setPaths(field func(*builder) *[]string) setter {
	return setWords(field, func(b *builder, o Option, v string) (string, bool) {
		p, err := checkPath(v, true)
		if err != nil {
			b.warnf(o.ValuePos, err, "%s=: %v, ignoring", o.Key, trimSentinel(err))
			return "", false
		}
		return p, true
	})
}

// setWords appends the words of a list, specifiers expanded, each passed
// through keep when it is not nil (which may rewrite or drop it); an empty
// value resets the list.
func setWords(field func(*builder) *[]string, keep func(b *builder, o Option, v string) (string, bool)) setter {
	return func(b *builder, o Option) error {
		if o.Value == "" {
			*field(b) = nil
			return nil
		}
		words, err := splitList(o.Value)
		if err != nil {
			return err
		}
		for _, w := range words {
			v, err := b.expand(w)
			if err != nil {
				return err
			}
			if keep != nil {
				var ok bool
				if v, ok = keep(b, o, v); !ok {
					continue
				}
			}
			*field(b) = append(*field(b), v)
		}
		return nil
	}
}

// checkPath simplifies p as systemd's path_simplify_and_warn does and checks
// that it is absolute (or relative) and normalised.
func checkPath(p string, absolute bool) (string, error) {
	isAbs := strings.HasPrefix(p, "/")
	if absolute && !isAbs {
		return "", badValue("path is not absolute: %s", p)
	}
	if !absolute && isAbs {
		return "", badValue("path is absolute: %s", p)
	}
	s := simplifyUnitPath(p)
	if len(s) > 4095 {
		return "", badValue("path is too long")
	}
	for _, c := range strings.Split(s, "/") {
		if c == ".." {
			return "", badValue("path is not normalized: %s", p)
		}
		if len(c) > 255 {
			return "", badValue("path component is too long")
		}
	}
	return s, nil
}

// simplifyUnitPath drops duplicate slashes, "." components and a trailing slash
// (systemd's path_simplify; ".." is kept).
func simplifyUnitPath(p string) string {
	abs := strings.HasPrefix(p, "/")
	var parts []string
	for _, c := range strings.Split(p, "/") {
		if c == "" || c == "." {
			continue
		}
		parts = append(parts, c)
	}
	s := strings.Join(parts, "/")
	if abs {
		return "/" + s
	}
	if s == "" {
		return "."
	}
	return s
}

func trimSentinel(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, ErrUnusable.Error()+": ")
	return strings.TrimPrefix(s, ErrBadValue.Error()+": ")
}

// splitList splits a blank-separated list as systemd's config_parse_strv
// does: quotes removed, escapes kept.
func splitList(s string) ([]string, error) {
	return SplitWords(s, "", ExtractUnquote|ExtractRetainEscape)
}

// splitListRetain splits a list the way systemd splits dependency lists:
// blanks separate words, quotes are not removed and escapes are kept.
func splitListRetain(s string) ([]string, error) {
	return SplitWords(s, "", ExtractRetainEscape)
}

// expandName expands the specifiers allowed in unit names (systemd's
// unit_name_printf).
func (b *builder) expandName(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	r, err := b.ex.ExpandName(s)
	if err != nil {
		return "", fmt.Errorf("%w: failed to resolve unit specifiers in %q: %w", ErrBadValue, s, err)
	}
	return r, nil
}

// expandInstall expands the specifiers allowed in [Install] (systemd's
// install_name_printf), which see DefaultInstance=.
func (b *builder) expandInstall(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	r, err := ExpandInstall(s, b.u.Name, b.u.Install.DefaultInstance, b.ex.Host)
	if err != nil {
		return "", fmt.Errorf("%w: failed to resolve unit specifiers in %q: %w", ErrBadValue, s, err)
	}
	return r, nil
}

// splitQuoted splits a list with quotes removed and C escapes decoded
// (EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE).
func splitQuoted(s string) ([]string, error) {
	return SplitWords(s, "", ExtractUnquote|ExtractCUnescape)
}
