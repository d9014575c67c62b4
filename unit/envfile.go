package unit

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// envArgMax stands for systemd's sc_arg_max(), sysconf(_SC_ARG_MAX): a
// quarter of the usual 8 MiB stack limit. It bounds the length of
// environment names, values and assignments.
const envArgMax = 2 << 20

// EnvNameValid reports whether name is a valid environment variable name
// (systemd's env_name_is_valid): ASCII letters, digits and '_', not
// starting with a digit, not empty.
func EnvNameValid(name string) bool {
	if name == "" || len(name) > envArgMax-2 || (name[0] >= '0' && name[0] <= '9') {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// envValueValid is systemd's env_value_is_valid: valid UTF-8 by systemd's
// rules, of bounded length. Control characters are allowed.
func envValueValid(v string) bool {
	return !strings.Contains(v, "\x00") && ValidUTF8(v) && len(v) <= envArgMax-3
}

// EnvAssignmentValid reports whether s is a valid NAME=value assignment
// (systemd's env_assignment_is_valid): a valid name before the first '=',
// and a value that is valid UTF-8. The value may be empty and may hold any
// character but NUL.
func EnvAssignmentValid(s string) bool {
	name, value, ok := strings.Cut(s, "=")
	return ok && EnvNameValid(name) && envValueValid(value) && len(s) <= envArgMax-1
}

// MergeEnv adds assignments to env as systemd's strv_env_replace does: an
// assignment replaces the first entry of the same name in place (dropping
// later copies of the new entry), or else is appended. env is modified and
// returned. The assignments must hold a '='; ones that do not are skipped.
func MergeEnv(env []string, assignments ...string) []string {
	for _, a := range assignments {
		name, _, ok := strings.Cut(a, "=")
		if !ok {
			continue
		}
		i := envIndex(env, name)
		if i < 0 {
			env = append(env, a)
			continue
		}
		env[i] = a
		out := env[:i+1]
		for _, e := range env[i+1:] {
			if e != a {
				out = append(out, e)
			}
		}
		env = out
	}
	return env
}

func envIndex(env []string, name string) int {
	for i, e := range env {
		if envHasName(e, name) {
			return i
		}
	}
	return -1
}

// envHasName reports whether entry assigns name.
func envHasName(entry, name string) bool {
	rest, ok := strings.CutPrefix(entry, name)
	return ok && rest != "" && rest[0] == '='
}

// ParseEnvironment parses the value of Environment= as systemd 252's
// config_parse_environ: words split at blanks with quotes removed and C
// escapes decoded, specifiers expanded in each word with expand (nil:
// none). Each word must be a NAME=value assignment ([EnvAssignmentValid]).
//
// It returns the valid assignments in order, duplicates included: add them
// to the unit's list with [MergeEnv]. Words that are skipped give problems
// wrapping [ErrBadValue], for the caller to warn about; a syntax error
// (such as unbalanced quotes) ends the list there, keeping the words
// before it. Nothing here makes a unit unusable. An empty value, which
// resets the list, gives nothing.
func ParseEnvironment(value string, expand SpecifierFunc) (env []string, problems []error) {
	r := NewWordReader(value)
	for {
		w, ok, err := r.Next("", ExtractCUnescape|ExtractUnquote)
		if err != nil {
			return env, append(problems, fmt.Errorf("%w: invalid syntax, ignoring: %s", ErrBadValue, cutNUL(value)))
		}
		if !ok {
			return env, problems
		}
		resolved, err := expandEnvWord(w, expand)
		if err != nil {
			problems = append(problems, fmt.Errorf("%w: failed to resolve specifiers in %s, ignoring: %w", ErrBadValue, w, err))
			continue
		}
		if !EnvAssignmentValid(resolved) {
			problems = append(problems, fmt.Errorf("%w: invalid environment assignment, ignoring: %s", ErrBadValue, resolved))
			continue
		}
		env = append(env, resolved)
	}
}

func expandEnvWord(w string, expand SpecifierFunc) (string, error) {
	if expand == nil {
		return w, nil
	}
	return expand(w, envArgMax)
}

// ParsePassEnvironment parses the value of PassEnvironment= as systemd
// 252's config_parse_pass_environ: words split at blanks with quotes
// removed (no C escapes), specifiers expanded with expand (nil: none), each
// a valid variable name. It returns the names in order; the caller appends
// those not listed yet. Problems are warnings, as for [ParseEnvironment].
func ParsePassEnvironment(value string, expand SpecifierFunc) (names []string, problems []error) {
	return parseEnvNames("PassEnvironment", value, ExtractUnquote, expand, false)
}

// ParseUnsetEnvironment parses the value of UnsetEnvironment= as systemd
// 252's config_parse_unset_environ: like [ParsePassEnvironment], but with C
// escapes decoded, and each word may also be a NAME=value assignment (which
// unsets only that exact assignment).
func ParseUnsetEnvironment(value string, expand SpecifierFunc) (names []string, problems []error) {
	return parseEnvNames("UnsetEnvironment", value, ExtractCUnescape|ExtractUnquote, expand, true)
}

func parseEnvNames(key, value string, flags ExtractFlags, expand SpecifierFunc, assignments bool) (names []string, problems []error) {
	r := NewWordReader(value)
	for {
		w, ok, err := r.Next("", flags)
		if err != nil {
			return names, append(problems, fmt.Errorf("%w: trailing garbage in %s, ignoring: %s", ErrBadValue, key, cutNUL(value)))
		}
		if !ok {
			return names, problems
		}
		resolved, err := expandEnvWord(w, expand)
		if err != nil {
			problems = append(problems, fmt.Errorf("%w: failed to resolve unit specifiers in %s, ignoring: %w", ErrBadValue, w, err))
			continue
		}
		switch {
		case EnvNameValid(resolved), assignments && EnvAssignmentValid(resolved):
			names = append(names, resolved)
		case assignments:
			problems = append(problems, fmt.Errorf("%w: invalid environment name or assignment %s, ignoring: %s", ErrBadValue, key, resolved))
		default:
			problems = append(problems, fmt.Errorf("%w: invalid environment name for %s, ignoring: %s", ErrBadValue, key, resolved))
		}
	}
}

// envFileMax is the largest environment file systemd reads
// (READ_FULL_BYTES_MAX).
const envFileMax = 64<<20 - 1

// ParseEnvFile reads an EnvironmentFile= as systemd 252's load_env_file
// does when a service starts, and returns its assignments in order, each
// name once (a later assignment replaces the value of an earlier one in
// its place).
//
// The syntax is shell-like but not a shell: a line is KEY=VALUE; blanks
// around the key and before the value are skipped; lines whose first
// non-blank character is '#' or ';' are comments (a backslash at the end
// of a comment line continues the comment); lines without '=' are
// ignored. In a value, '…' quotes everything literally; "…" quotes with
// \" \\ \` \$ unescaped, a backslash before a newline removed with the
// newline, and any other backslash kept; unquoted, a backslash makes the
// next character literal (a newline after it is removed) and trailing
// blanks are stripped. Quoted and unquoted parts join into one value, and
// a quoted value may span lines. There is no "export" keyword and no
// variable expansion.
//
// Assignments that are not valid ([EnvAssignmentValid], e.g. a key with a
// blank in it such as "export FOO") are dropped and returned as problems
// wrapping [ErrBadValue], for the caller to log. A file that cannot be
// used at all (a read error, a NUL byte, invalid UTF-8 in a key or value,
// more than 64 MiB) gives an error; systemd then fails the start unless
// the file was given with '-'.
func ParseEnvFile(r io.Reader) (env []string, problems []error, err error) {
	data, err := io.ReadAll(io.LimitReader(r, envFileMax+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) > envFileMax {
		return nil, nil, fmt.Errorf("%w: environment file larger than %d bytes", ErrBadValue, envFileMax)
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, nil, fmt.Errorf("%w: environment file contains a NUL byte", ErrBadValue)
	}
	var all []string
	err = scanEnvFile(string(data), func(line int, key, value string) error {
		if !ValidUTF8(key) {
			return fmt.Errorf("%w: line %d: invalid UTF-8 in key %q", ErrBadValue, line, key)
		}
		if !ValidUTF8(value) {
			return fmt.Errorf("%w: line %d: invalid UTF-8 value for key %s: %q", ErrBadValue, line, key, value)
		}
		all = MergeEnv(all, key+"="+value)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	for _, a := range all {
		if !EnvAssignmentValid(a) {
			problems = append(problems, fmt.Errorf("%w: ignoring invalid environment assignment '%s'", ErrBadValue, a))
			continue
		}
		env = append(env, a)
	}
	return env, problems, nil
}

// envFileState is a state of scanEnvFile.
type envFileState int

const (
	envPreKey envFileState = iota
	envKey
	envPreValue
	envValue
	envValueEscape
	envSingleQuote
	envDoubleQuote
	envDoubleQuoteEscape
	envComment
	envCommentEscape
)

const (
	envNewline      = "\n\r"
	envShellEscaped = "\"\\`$"
)

// scanEnvFile runs systemd's parse_env_file_internal state machine over s
// and calls push for every assignment, with the number of the line after
// it, as systemd counts.
func scanEnvFile(s string, push func(line int, key, value string) error) error {
	var (
		state        = envPreKey
		key, value   []byte
		line         = 1
		keyBlankFrom = -1 // where trailing blanks of the key start
		valBlankFrom = -1 // where trailing blanks of the value start
		isIn         = func(c byte, set string) bool { return strings.IndexByte(set, c) >= 0 }
		emit         = func(trimValue bool) error {
			if keyBlankFrom >= 0 {
				key = key[:keyBlankFrom]
			}
			if trimValue && valBlankFrom >= 0 {
				value = value[:valBlankFrom]
			}
			err := push(line, string(key), string(value))
			key, value = key[:0], value[:0]
			return err
		}
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch state {
		case envPreKey:
			if isIn(c, "#;") {
				state = envComment
			} else if !isIn(c, blanks) {
				state = envKey
				keyBlankFrom = -1
				key = append(key, c)
			}
		case envKey:
			switch {
			case isIn(c, envNewline):
				state = envPreKey
				line++
				key = key[:0]
			case c == '=':
				state = envPreValue
				valBlankFrom = -1
			default:
				if !isIn(c, blanks) {
					keyBlankFrom = -1
				} else if keyBlankFrom < 0 {
					keyBlankFrom = len(key)
				}
				key = append(key, c)
			}
		case envPreValue:
			switch {
			case isIn(c, envNewline):
				state = envPreKey
				line++
				if err := emit(false); err != nil {
					return err
				}
			case c == '\'':
				state = envSingleQuote
			case c == '"':
				state = envDoubleQuote
			case c == '\\':
				state = envValueEscape
			case !isIn(c, blanks):
				state = envValue
				value = append(value, c)
			}
		case envValue:
			switch {
			case isIn(c, envNewline):
				state = envPreKey
				line++
				if err := emit(true); err != nil {
					return err
				}
			case c == '\\':
				state = envValueEscape
				valBlankFrom = -1
			default:
				if !isIn(c, blanks) {
					valBlankFrom = -1
				} else if valBlankFrom < 0 {
					valBlankFrom = len(value)
				}
				value = append(value, c)
			}
		case envValueEscape:
			state = envValue
			if !isIn(c, envNewline) {
				value = append(value, c)
			}
		case envSingleQuote:
			if c == '\'' {
				state = envPreValue
			} else {
				value = append(value, c)
			}
		case envDoubleQuote:
			if c == '"' {
				state = envPreValue
			} else if c == '\\' {
				state = envDoubleQuoteEscape
			} else {
				value = append(value, c)
			}
		case envDoubleQuoteEscape:
			state = envDoubleQuote
			if isIn(c, envShellEscaped) {
				value = append(value, c)
			} else if c != '\n' {
				value = append(value, '\\', c)
			}
		case envComment:
			if c == '\\' {
				state = envCommentEscape
			} else if isIn(c, envNewline) {
				state = envPreKey
				line++
			}
		case envCommentEscape:
			state = envComment
		}
	}
	switch state {
	case envPreValue, envValue, envValueEscape, envSingleQuote, envDoubleQuote, envDoubleQuoteEscape:
		return emit(state == envValue)
	}
	return nil
}
