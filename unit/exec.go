package unit

import (
	"errors"
	"fmt"
	"strings"
)

// ExecCommand is one command of an Exec*= directive.
type ExecCommand struct {
	// Path is the program to run: absolute, or a bare file name that is
	// looked up in the fixed search path at start time. It is simplified
	// ("/usr//bin/./x" → "/usr/bin/x").
	Path string
	// Argv is the argument vector including argv[0] (which differs from
	// Path with the '@' prefix, and is not simplified). Words are kept
	// unexpanded: $VAR and ${VAR} are replaced at start time by
	// [ExpandArgv], unless NoEnvExpand.
	Argv []string
	// Prefixes, see systemd.service(5).
	IgnoreFailure   bool `json:",omitempty"` // '-'
	ArgvZero        bool `json:",omitempty"` // '@'
	FullPrivileges  bool `json:",omitempty"` // '+'
	NoSetuid        bool `json:",omitempty"` // '!'
	AmbientFallback bool `json:",omitempty"` // '!!'
	NoEnvExpand     bool `json:",omitempty"` // ':'
	Pos             Pos
}

// SpecifierFunc expands the specifiers of one word, refusing a result
// longer than max bytes; [Expander.ExpandMax] is one.
type SpecifierFunc func(s string, max int) (string, error)

// Limits systemd puts on the words of a command line after specifier
// expansion: PATH_MAX-1 for the program path, LONG_LINE_MAX for the others.
const (
	execPathMax = pathMax - 1
	execWordMax = 1 << 20
)

const execFlags = ExtractUnquote | ExtractCUnescape

// ParseExec parses the value of an Exec*= directive exactly as systemd
// 252's config_parse_exec does, expanding specifiers with expand (nil: none,
// '%' is then an ordinary character).
//
// The value is split into words with quotes removed and C escapes decoded
// (an unknown escape is kept verbatim with a warning). A lone unquoted ';'
// word separates commands and "\;" is a literal ';' argument. The first
// word of each command starts with prefixes, each at most once and in any
// order: '-' (failure is ignored), '@' (the next word is argv[0]), ':' (no
// environment variable expansion), and one of '+' (full privileges), '!'
// (no user/group change) and '!!' (ambient capabilities fallback); a prefix
// character that cannot apply ends the prefixes and starts the path. The
// path must be absolute or a bare file name, must not end in '/' and must
// not hold quotes, backslashes or control characters. Specifiers are
// expanded in each word after unquoting, so their values are never split.
// $VAR and ${VAR} are kept for [ExpandArgv]. An empty value (which resets
// the list) gives no commands.
//
// It returns the commands parsed and the problems found, in order. All
// problems wrap [ErrBadValue]. Those that systemd treats as fatal (it then
// loads the unit as bad-setting) also wrap [ErrUnusable]; the others are
// warnings. A problem in a command with the '-' prefix is never fatal. Any
// problem other than an unknown escape sequence stops parsing: the commands
// before it are returned and are valid, as in systemd.
func ParseExec(value string, expand SpecifierFunc) ([]ExecCommand, []error) {
	p := execParser{expand: expand, r: NewWordReader(value), rvalue: cutNUL(value)}
	p.run()
	return p.cmds, p.problems
}

// ParseExecLine is [ParseExec] without specifier expansion. Its error joins
// every problem found; the commands returned are usable unless
// errors.Is(err, ErrUnusable).
func ParseExecLine(s string) ([]ExecCommand, error) {
	cmds, problems := ParseExec(s, nil)
	return cmds, errors.Join(problems...)
}

type execParser struct {
	expand   SpecifierFunc
	r        *WordReader
	rvalue   string // the value from the current command on, for messages
	cmds     []ExecCommand
	problems []error
}

func (p *execParser) warn(err error) {
	if err != nil {
		p.problems = append(p.problems, err)
	}
}

// fail records a problem that ends parsing; it is fatal unless the command
// has the '-' prefix.
func (p *execParser) fail(ignore bool, format string, args ...any) {
	p.problems = append(p.problems, execProblem(ignore, fmt.Errorf("%w: "+format, append([]any{ErrBadValue}, args...)...)))
}

func execProblem(ignore bool, err error) error {
	if ignore {
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnusable, err)
}

func execIgnoring(ignore bool) string {
	if ignore {
		return ", ignoring"
	}
	return ""
}

func (p *execParser) expandWord(s string, max int) (string, error) {
	if p.expand != nil {
		var err error
		if s, err = p.expand(s, max); err != nil {
			return "", err
		}
	}
	if len(s) > max {
		return "", errors.New("file name too long")
	}
	return s, nil
}

func (p *execParser) run() {
	if p.rvalue == "" {
		return
	}
	for semicolon := true; semicolon; {
		semicolon = false
		first, ok, warning, err := readWordAndWarn(p.r, execFlags, p.rvalue)
		p.warn(warning)
		if err != nil {
			// systemd gives up on the line here without failing the unit.
			p.warn(err)
			return
		}
		if !ok {
			return
		}
		if first == ";" {
			semicolon = true
			continue
		}
		cmd, f := parseExecPrefixes(first)
		ignore := cmd.IgnoreFailure
		path, err := p.expandWord(f, execPathMax)
		if err != nil {
			p.fail(ignore, "failed to resolve unit specifiers in '%s'%s: %w", f, execIgnoring(ignore), err)
			return
		}
		if msg := checkExecPath(path); msg != "" {
			if path == "" {
				p.fail(ignore, "%s%s: '%s'", msg, execIgnoring(ignore), p.rvalue)
			} else {
				p.fail(ignore, "%s%s: %s", msg, execIgnoring(ignore), path)
			}
			return
		}
		var argv []string
		if !cmd.ArgvZero {
			argv = append(argv, path)
		}
		cmd.Path = simplifyPath(path)

		for !p.r.done && p.r.rest != "" {
			rest := p.r.rest
			if rest[0] == ';' && (len(rest) == 1 || isBlankByte(rest[1])) {
				p.r.rest = strings.TrimLeft(rest[1:], blanks)
				semicolon = true
				break
			}
			// Only an unquoted "\;" word is a literal ';'; the word reader
			// would return ';' for "\\;" and "\;" alike.
			if rest[0] == '\\' && len(rest) >= 2 && rest[1] == ';' && (len(rest) == 2 || isBlankByte(rest[2])) {
				p.r.rest = strings.TrimLeft(rest[2:], blanks)
				argv = append(argv, ";")
				continue
			}
			word, ok, warning, err := readWordAndWarn(p.r, execFlags, p.rvalue)
			p.warn(warning)
			if err != nil {
				p.warn(execProblem(ignore, err))
				return
			}
			if !ok {
				break
			}
			resolved, err := p.expandWord(word, execWordMax)
			if err != nil {
				p.fail(ignore, "failed to resolve unit specifiers in %s%s: %w", word, execIgnoring(ignore), err)
				return
			}
			argv = append(argv, resolved)
		}
		if len(argv) == 0 {
			p.fail(ignore, "empty executable name or zeroeth argument%s: %s", execIgnoring(ignore), p.rvalue)
			return
		}
		cmd.Argv = argv
		p.cmds = append(p.cmds, cmd)
		p.rvalue = p.r.rest
	}
}

func isBlankByte(c byte) bool { return strings.IndexByte(blanks, c) >= 0 }

// parseExecPrefixes splits the prefix characters off the first word of a
// command and returns the flags they set and the rest of the word.
func parseExecPrefixes(w string) (ExecCommand, string) {
	var c ExecCommand
	for i := 0; i < len(w); i++ {
		privileged := c.FullPrivileges || c.NoSetuid || c.AmbientFallback
		switch ch := w[i]; {
		case ch == '-' && !c.IgnoreFailure:
			c.IgnoreFailure = true
		case ch == '@' && !c.ArgvZero:
			c.ArgvZero = true
		case ch == ':' && !c.NoEnvExpand:
			c.NoEnvExpand = true
		case ch == '+' && !privileged:
			c.FullPrivileges = true
		case ch == '!' && !privileged:
			c.NoSetuid = true
		case ch == '!' && !c.FullPrivileges && !c.AmbientFallback:
			// A second '!' turns '!' into '!!'.
			c.NoSetuid = false
			c.AmbientFallback = true
		default:
			return c, w[i:]
		}
	}
	return c, ""
}

// checkExecPath returns why path cannot be the program of a command, or "".
func checkExecPath(path string) string {
	switch {
	case path == "":
		return "empty path in command line"
	case !stringIsSafe(path):
		return "executable name contains special characters"
	case strings.HasSuffix(path, "/"):
		return "executable path specifies a directory"
	case path[0] == '/' && !pathValid(path, true),
		path[0] != '/' && !fileNameValid(path):
		return "neither a valid executable name nor an absolute path"
	}
	return ""
}

// stringIsSafe reports whether s has no quotes, backslashes or control
// characters (systemd's string_is_safe).
func stringIsSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c == '"' || c == '\'' || c == '\\' || c == 0x7f {
			return false
		}
	}
	return true
}

// fileNameValid is systemd's filename_is_valid: not empty, not "." or "..",
// no '/', at most NAME_MAX bytes.
func fileNameValid(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.Contains(s, "/") && len(s) <= fileNameMax
}

// ExpandArgv substitutes environment variables into argv as systemd 252's
// replace_env_argv does before exec (callers skip it for commands with
// NoEnvExpand):
//
//   - A word that starts with '$' not followed by '{' or '$' names a
//     variable with all of its rest ("$FOO" → FOO). It is replaced by the
//     variable's value split at blanks, with quotes removed as in a unit
//     file but no C escapes; an unset or blank variable gives no words. A
//     lone "$" names no variable and so disappears too.
//   - In every other word, "${NAME}" is replaced by the value unsplit (""
//     if unset) and "$$" by "$". Nothing else is special: "$NAME" inside a
//     word, "${A:-b}" and an unclosed "${A" stay as written.
//
// getenv returns a variable's value and whether it is set.
func ExpandArgv(argv []string, getenv func(string) (string, bool)) []string {
	out := make([]string, 0, len(argv))
	for _, w := range argv {
		w = cutNUL(w)
		if len(w) > 0 && w[0] == '$' && (len(w) == 1 || (w[1] != '{' && w[1] != '$')) {
			if v, ok := lookupEnv(getenv, w[1:]); ok {
				// Cannot fail: ExtractRelax accepts any input.
				words, _ := SplitWords(v, "", ExtractRelax|ExtractUnquote)
				out = append(out, words...)
			}
			continue
		}
		out = append(out, replaceEnv(w, getenv))
	}
	return out
}

// lookupEnv looks name up as systemd's strv_env_get does on an environment
// block of NAME=value entries: it matches the entry that starts with name
// followed by '=', so a "name" holding '=' matches a variable whose value
// starts with the part after its first '='.
func lookupEnv(getenv func(string) (string, bool), name string) (string, bool) {
	if name == "" || getenv == nil {
		return "", false
	}
	key, tail, hasEq := strings.Cut(name, "=")
	if key == "" {
		return "", false
	}
	v, ok := getenv(key)
	if !ok || !hasEq {
		return v, ok
	}
	if !strings.HasPrefix(v, tail+"=") {
		return "", false
	}
	return v[len(tail)+1:], true
}

// replaceEnv is systemd's replace_env with no flags: "${NAME}" and "$$".
func replaceEnv(s string, getenv func(string) (string, bool)) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			i++
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i += 2
		case '{':
			// The name ends at '}'. Up to a ':' first (${A:-x}), or
			// to the end when there is no '}', the text stays as it is,
			// "$$" included.
			end := strings.IndexAny(s[i+2:], "}:")
			if end < 0 {
				b.WriteString(s[i:])
				return b.String()
			}
			if s[i+2+end] == ':' {
				b.WriteString(s[i : i+2+end+1])
				i += 2 + end + 1
				continue
			}
			v, _ := lookupEnv(getenv, s[i+2:i+2+end])
			b.WriteString(v)
			i += 2 + end + 1
		default:
			b.WriteByte('$')
			i++
		}
	}
	return b.String()
}

// QuoteExecCommand writes cmd as the value of an Exec*= directive (one
// command) that [ParseExec], with specifier expansion, reads back to cmd:
// the same flags, Path and Argv, with no '%' or escape surprises. Argv is
// written as stored, so $VAR and ${VAR} in it still expand at start time
// unless NoEnvExpand. Prefixes are written in the order "-@:" then "+",
// "!" or "!!". The '@' form is used when ArgvZero is set or argv[0] is not
// the path (as written before simplification).
//
// It fails when cmd cannot be written: no Argv, a NUL byte anywhere, an
// invalid Path, both '+' and '!'/'!!', or a bare file name that starts with
// a prefix character the flags would take as a prefix.
func QuoteExecCommand(cmd ExecCommand) (string, error) {
	if len(cmd.Argv) == 0 {
		return "", fmt.Errorf("%w: command without arguments", ErrBadValue)
	}
	if strings.Contains(cmd.Path, "\x00") {
		return "", fmt.Errorf("%w: NUL byte in path %q", ErrBadValue, cmd.Path)
	}
	for _, w := range cmd.Argv {
		if strings.Contains(w, "\x00") {
			return "", fmt.Errorf("%w: NUL byte in argument %q", ErrBadValue, w)
		}
	}
	n := 0
	for _, f := range []bool{cmd.FullPrivileges, cmd.NoSetuid, cmd.AmbientFallback} {
		if f {
			n++
		}
	}
	if n > 1 {
		return "", fmt.Errorf("%w: more than one of the prefixes '+', '!' and '!!'", ErrBadValue)
	}
	// The path as written for the '@' form: "/" itself would be taken for
	// a directory, but "/." simplifies to it.
	path := cmd.Path
	if path == "/" {
		path = "/."
	}
	if msg := checkExecPath(path); msg != "" {
		return "", fmt.Errorf("%w: %s: %q", ErrBadValue, msg, cmd.Path)
	}
	argv0 := cmd.Argv[0]
	atForm := cmd.ArgvZero || checkExecPath(argv0) != "" || simplifyPath(argv0) != cmd.Path
	pathWord, args := argv0, cmd.Argv[1:]
	if atForm {
		pathWord, args = path, cmd.Argv
	}
	prefix := execPrefixString(cmd, atForm)
	if prefix == "" && pathWord == ";" {
		// A lone ";" as first word separates commands, quoted or not.
		atForm = true
		pathWord, args = path, cmd.Argv
		prefix = execPrefixString(cmd, atForm)
	}
	// The prefix characters are taken off the unquoted first word, so the
	// path must not start with one the flags leave free.
	got, rest := parseExecPrefixes(prefix + pathWord)
	want := cmd
	want.ArgvZero = atForm
	if rest != pathWord || got.IgnoreFailure != want.IgnoreFailure || got.ArgvZero != want.ArgvZero ||
		got.NoEnvExpand != want.NoEnvExpand || got.FullPrivileges != want.FullPrivileges ||
		got.NoSetuid != want.NoSetuid || got.AmbientFallback != want.AmbientFallback {
		return "", fmt.Errorf("%w: path %q starts with a prefix character", ErrBadValue, pathWord)
	}
	var b strings.Builder
	b.WriteString(QuoteWord(prefix + escapeSpecifiers(pathWord)))
	for _, w := range args {
		b.WriteByte(' ')
		b.WriteString(quoteExecArg(w))
	}
	return b.String(), nil
}

// QuoteExecArgs writes argv as the value of an Exec*= directive that runs
// exactly argv: argv[0] is the program (an absolute path or a bare file
// name) and the arguments reach it unchanged, with '%' escaped against
// specifier expansion and, when any argument holds a '$', the ':' prefix
// against environment variable expansion. [ParseExec] with specifier
// expansion reads it back to one command whose Argv is argv. It fails when
// argv is empty, holds a NUL byte, or argv[0] cannot be a program path.
func QuoteExecArgs(argv []string) (string, error) {
	if len(argv) == 0 {
		return "", fmt.Errorf("%w: empty command line", ErrBadValue)
	}
	if msg := checkExecPath(argv[0]); msg != "" {
		return "", fmt.Errorf("%w: %s: %q", ErrBadValue, msg, argv[0])
	}
	cmd := ExecCommand{Path: simplifyPath(argv[0]), Argv: argv}
	for _, w := range argv {
		if strings.Contains(w, "$") {
			cmd.NoEnvExpand = true
			break
		}
	}
	return QuoteExecCommand(cmd)
}

func execPrefixString(cmd ExecCommand, atForm bool) string {
	var b strings.Builder
	if cmd.IgnoreFailure {
		b.WriteByte('-')
	}
	if atForm {
		b.WriteByte('@')
	}
	if cmd.NoEnvExpand {
		b.WriteByte(':')
	}
	switch {
	case cmd.FullPrivileges:
		b.WriteByte('+')
	case cmd.NoSetuid:
		b.WriteByte('!')
	case cmd.AmbientFallback:
		b.WriteString("!!")
	}
	return b.String()
}

// escapeSpecifiers doubles '%' so that specifier expansion gives s back.
func escapeSpecifiers(s string) string { return strings.ReplaceAll(s, "%", "%%") }

// quoteExecArg quotes an argument of a command line; a lone ";" is quoted
// so that it is not taken as a command separator.
func quoteExecArg(s string) string {
	if s == ";" {
		return `";"`
	}
	return QuoteWord(escapeSpecifiers(s))
}
