package unit

import "errors"

// ExecCommand is one command of an Exec*= directive.
type ExecCommand struct {
	// Path is the program to run: absolute, or a bare file name that is
	// looked up in the fixed search path at start time.
	Path string
	// Argv is the argument vector including argv[0] (which differs from
	// Path with the '@' prefix). Words are kept unexpanded: $VAR and
	// ${VAR} are replaced at start time by [ExpandArgv].
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

// ParseExecLine parses the value of an Exec*= directive after specifier
// expansion: prefixes, C escapes, quoting, and ';' separating several
// commands, exactly as systemd's config_parse_exec.
func ParseExecLine(s string) ([]ExecCommand, error) { return nil, errors.New("TODO") }

// ExpandArgv substitutes environment variables into argv as systemd does
// before exec: a word that is exactly $NAME is split at blanks into several
// words, ${NAME} is replaced within its word, and $$ is a literal $.
// getenv returns a variable's value and whether it is set.
func ExpandArgv(argv []string, getenv func(string) (string, bool)) []string { return argv }
