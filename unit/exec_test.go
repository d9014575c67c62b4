package unit

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// execTestSpecifiers expands specifiers as systemd's specifier_printf does with
// a table that knows only %i (an instance with a blank in it): "%%" is '%',
// another letter or digit is an error, anything else stays.
func execTestSpecifiers(s string, max int) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch c := s[i]; {
		case c == '%':
			b.WriteByte('%')
		case c == 'i':
			b.WriteString("a b")
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
			return "", fmt.Errorf("unknown specifier %%%c", c)
		default:
			b.WriteByte('%')
			b.WriteByte(c)
		}
	}
	if b.Len() > max {
		return "", errors.New("file name too long")
	}
	return b.String(), nil
}

// Problem kinds in the tables below.
const (
	execWarn  = "warn"
	execFatal = "fatal"
)

func problemKinds(problems []error) []string {
	var kinds []string
	for _, p := range problems {
		if errors.Is(p, ErrUnusable) {
			kinds = append(kinds, execFatal)
		} else {
			kinds = append(kinds, execWarn)
		}
	}
	return kinds
}

func TestParseExec(t *testing.T) {
	type cmd = ExecCommand
	argv := func(s ...string) []string { return s }
	tests := []struct {
		name     string
		in       string
		want     []cmd
		problems []string
	}{
		{"empty", "", nil, nil},
		{"simple", "/bin/echo hello  world",
			[]cmd{{Path: "/bin/echo", Argv: argv("/bin/echo", "hello", "world")}}, nil},
		{"quotes and escapes", `/bin/echo "a b" 'c d' e\x41 "\t"`,
			[]cmd{{Path: "/bin/echo", Argv: argv("/bin/echo", "a b", "c d", "eA", "\t")}}, nil},
		{"empty arguments", `/bin/echo '' ""`,
			[]cmd{{Path: "/bin/echo", Argv: argv("/bin/echo", "", "")}}, nil},
		{"bare file name", "true",
			[]cmd{{Path: "true", Argv: argv("true")}}, nil},
		{"root by way of dot", "/. x",
			[]cmd{{Path: "/", Argv: argv("/.", "x")}}, nil},
		{"path simplified, argv0 not", "/usr//bin/./env x",
			[]cmd{{Path: "/usr/bin/env", Argv: argv("/usr//bin/./env", "x")}}, nil},
		{"quoted path with blank", `"/opt/my app/run" x`,
			[]cmd{{Path: "/opt/my app/run", Argv: argv("/opt/my app/run", "x")}}, nil},
		{"escaped path", `/bin/my\x20app`,
			[]cmd{{Path: "/bin/my app", Argv: argv("/bin/my app")}}, nil},

		{"ignore failure", "-/bin/false",
			[]cmd{{Path: "/bin/false", Argv: argv("/bin/false"), IgnoreFailure: true}}, nil},
		{"argv0", `@/bin/sh mysh -c "echo 1"`,
			[]cmd{{Path: "/bin/sh", Argv: argv("mysh", "-c", "echo 1"), ArgvZero: true}}, nil},
		{"argv0 empty", `@/bin/sh ''`,
			[]cmd{{Path: "/bin/sh", Argv: argv(""), ArgvZero: true}}, nil},
		{"full privileges", "+/bin/x",
			[]cmd{{Path: "/bin/x", Argv: argv("/bin/x"), FullPrivileges: true}}, nil},
		{"no setuid", "!/bin/x",
			[]cmd{{Path: "/bin/x", Argv: argv("/bin/x"), NoSetuid: true}}, nil},
		{"ambient", "!!/bin/x",
			[]cmd{{Path: "/bin/x", Argv: argv("/bin/x"), AmbientFallback: true}}, nil},
		{"no env expand", ":/bin/x $A",
			[]cmd{{Path: "/bin/x", Argv: argv("/bin/x", "$A"), NoEnvExpand: true}}, nil},
		{"all prefixes any order", ":!!@-/bin/x zero",
			[]cmd{{Path: "/bin/x", Argv: argv("zero"), IgnoreFailure: true, ArgvZero: true, NoEnvExpand: true, AmbientFallback: true}}, nil},
		{"prefix in quotes", `"-/bin/x"`,
			[]cmd{{Path: "/bin/x", Argv: argv("/bin/x"), IgnoreFailure: true}}, nil},
		{"prefix from escape", `\x2d/bin/x`,
			[]cmd{{Path: "/bin/x", Argv: argv("/bin/x"), IgnoreFailure: true}}, nil},
		{"repeated prefix starts the path", "--x",
			[]cmd{{Path: "-x", Argv: argv("-x"), IgnoreFailure: true}}, nil},
		{"plus after bang starts the path", "!+x",
			[]cmd{{Path: "+x", Argv: argv("+x"), NoSetuid: true}}, nil},
		{"bang after plus starts the path", "+!x",
			[]cmd{{Path: "!x", Argv: argv("!x"), FullPrivileges: true}}, nil},
		{"third bang starts the path", "!!!x",
			[]cmd{{Path: "!x", Argv: argv("!x"), AmbientFallback: true}}, nil},
		{"bad path after repeated prefix", "!!!/bin/x", nil, []string{execFatal}},
		{"bad path after repeated prefix ignored", "--/bin/x", nil, []string{execWarn}},

		{"variables kept", "/bin/echo $FOO ${BAR} $$ a$B",
			[]cmd{{Path: "/bin/echo", Argv: argv("/bin/echo", "$FOO", "${BAR}", "$$", "a$B")}}, nil},

		{"two commands", "/bin/a x ; /bin/b y",
			[]cmd{{Path: "/bin/a", Argv: argv("/bin/a", "x")}, {Path: "/bin/b", Argv: argv("/bin/b", "y")}}, nil},
		{"separator needs blanks", "/bin/a x;y ;z",
			[]cmd{{Path: "/bin/a", Argv: argv("/bin/a", "x;y", ";z")}}, nil},
		{"double semicolon is a word", "/bin/a ;; /bin/b",
			[]cmd{{Path: "/bin/a", Argv: argv("/bin/a", ";;", "/bin/b")}}, nil},
		{"trailing separator", "/bin/a ;",
			[]cmd{{Path: "/bin/a", Argv: argv("/bin/a")}}, nil},
		{"leading separators", "; ; /bin/a",
			[]cmd{{Path: "/bin/a", Argv: argv("/bin/a")}}, nil},
		{"separator with tab", "/bin/a\t;\t-/bin/b",
			[]cmd{{Path: "/bin/a", Argv: argv("/bin/a")}, {Path: "/bin/b", Argv: argv("/bin/b"), IgnoreFailure: true}}, nil},
		{"escaped semicolon", `/bin/a \; b \;`,
			[]cmd{{Path: "/bin/a", Argv: argv("/bin/a", ";", "b", ";")}}, nil},
		{"quoted semicolon", `/bin/a ";" ';'`,
			[]cmd{{Path: "/bin/a", Argv: argv("/bin/a", ";", ";")}}, nil},
		{"escaped backslash semicolon", `/bin/a \\;`,
			[]cmd{{Path: "/bin/a", Argv: argv("/bin/a", `\;`)}}, nil},
		{"escaped semicolon inside word", `/bin/a x\;`,
			[]cmd{{Path: "/bin/a", Argv: argv("/bin/a", `x\;`)}}, []string{execWarn}},

		{"unknown escape kept", `/bin/a \q "\d"`,
			[]cmd{{Path: "/bin/a", Argv: argv("/bin/a", `\q`, `\d`)}}, []string{execWarn, execWarn}},
		{"unbalanced argument", `/bin/a "x`, nil, []string{execFatal}},
		{"unbalanced argument ignored", `-/bin/a "x`, nil, []string{execWarn}},
		{"unbalanced first word is only a warning", `"/bin/a x`, nil, []string{execWarn}},
		{"commands before a problem stay", `/bin/a ; /bin/b "x`,
			[]cmd{{Path: "/bin/a", Argv: argv("/bin/a")}}, []string{execFatal}},
		{"problem ends the line", `/bin/a ; -/bin/b "x ; /bin/c`,
			[]cmd{{Path: "/bin/a", Argv: argv("/bin/a")}}, []string{execWarn}},

		{"empty path", "-", nil, []string{execWarn}},
		{"empty path fatal", "@", nil, []string{execFatal}},
		{"only prefix before separator", ": ; /bin/a", nil, []string{execFatal}},
		{"relative path", "./run", nil, []string{execFatal}},
		{"relative path with dir", "bin/run", nil, []string{execFatal}},
		{"dot", ".", nil, []string{execFatal}},
		{"directory", "/bin/", nil, []string{execFatal}},
		{"root", "/", nil, []string{execFatal}},
		{"quote in path", `/bin/a\"b`, nil, []string{execFatal}},
		{"control character in path", `/bin/a\tb`, nil, []string{execFatal}},
		{"no argv0 after @", "@/bin/a", nil, []string{execFatal}},
		{"no argv0 after @ ignored", "@-/bin/a", nil, []string{execWarn}},
		{"component too long", "/" + strings.Repeat("a", 256), nil, []string{execFatal}},
		{"path too long", strings.Repeat("/aaaaaaa", 512), nil, []string{execFatal}},

		{"specifier not split", "/bin/echo %i x%%y",
			[]cmd{{Path: "/bin/echo", Argv: argv("/bin/echo", "a b", "x%y")}}, nil},
		{"specifier in path", "/opt/%i/run",
			[]cmd{{Path: "/opt/a b/run", Argv: argv("/opt/a b/run")}}, nil},
		{"specifier after quotes", `/bin/echo "%%i" '%'`,
			[]cmd{{Path: "/bin/echo", Argv: argv("/bin/echo", "%i", "%")}}, nil},
		{"unknown specifier", "/bin/echo %Z", nil, []string{execFatal}},
		{"unknown specifier ignored", "-/bin/echo %Z", nil, []string{execWarn}},
		{"unknown specifier in path", "/bin/%Z", nil, []string{execFatal}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems := ParseExec(tt.in, execTestSpecifiers)
			if kinds := problemKinds(problems); !slices.Equal(kinds, tt.problems) {
				t.Errorf("ParseExec(%q) problems %v (%q), want %v", tt.in, kinds, problems, tt.problems)
			}
			for _, p := range problems {
				if !errors.Is(p, ErrBadValue) {
					t.Errorf("problem %v does not wrap ErrBadValue", p)
				}
			}
			if !slices.EqualFunc(got, tt.want, execEqual) {
				t.Errorf("ParseExec(%q) =\n%+v\nwant\n%+v", tt.in, got, tt.want)
			}
		})
	}
}

func execEqual(a, b ExecCommand) bool {
	a.Pos, b.Pos = Pos{}, Pos{}
	return a.Path == b.Path && slices.Equal(a.Argv, b.Argv) &&
		a.IgnoreFailure == b.IgnoreFailure && a.ArgvZero == b.ArgvZero &&
		a.FullPrivileges == b.FullPrivileges && a.NoSetuid == b.NoSetuid &&
		a.AmbientFallback == b.AmbientFallback && a.NoEnvExpand == b.NoEnvExpand
}

func TestParseExecMessages(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{`/bin/a \q`, `ignoring unknown escape sequences: "\\q"`},
		{`/bin/a "x`, `unbalanced quoting, ignoring: "/bin/a \"x"`},
		{"-", "empty path in command line, ignoring: '-'"},
		{"./x", "neither a valid executable name nor an absolute path: ./x"},
		{"/bin/", "executable path specifies a directory: /bin/"},
		{`/bin/a\"`, `executable name contains special characters: /bin/a"`},
		{"/bin/a ; @/bin/b", "empty executable name or zeroeth argument: @/bin/b"},
		{"/bin/a %Z", "failed to resolve unit specifiers in %Z: unknown specifier %Z"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, problems := ParseExec(tt.in, execTestSpecifiers)
			if len(problems) != 1 {
				t.Fatalf("ParseExec(%q) problems %q, want one", tt.in, problems)
			}
			if got := problems[0].Error(); !strings.HasSuffix(got, tt.want) {
				t.Errorf("ParseExec(%q) problem %q, want it to end in %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseExecLine(t *testing.T) {
	cmds, err := ParseExecLine(`/bin/a %i \q ; /bin/b "x`)
	if len(cmds) != 1 || !slices.Equal(cmds[0].Argv, []string{"/bin/a", "%i", `\q`}) {
		t.Errorf("ParseExecLine commands %+v, want one with argv [/bin/a %%i \\q]", cmds)
	}
	if !errors.Is(err, ErrUnusable) || !errors.Is(err, ErrBadValue) {
		t.Errorf("ParseExecLine error %v, want ErrUnusable and ErrBadValue", err)
	}
	if cmds, err := ParseExecLine("/bin/true"); err != nil || len(cmds) != 1 {
		t.Errorf("ParseExecLine(/bin/true) = %+v, %v", cmds, err)
	}
}

func TestExpandArgv(t *testing.T) {
	env := map[string]string{
		"A":  "a b",
		"B":  "",
		"C":  " \t ",
		"Q":  `x "y z" 'w'\ v "unbalanced`,
		"D":  "$$x ${A}",
		"EQ": "k=v",
	}
	getenv := func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"no variables", []string{"/bin/echo", "x"}, []string{"/bin/echo", "x"}},
		{"word splits", []string{"$A"}, []string{"a", "b"}},
		{"between words", []string{"x", "$A", "y"}, []string{"x", "a", "b", "y"}},
		{"unset gives nothing", []string{"x", "$U", "y"}, []string{"x", "y"}},
		{"empty gives nothing", []string{"$B"}, nil},
		{"blank gives nothing", []string{"$C"}, nil},
		{"quotes removed, no C escapes", []string{"$Q"}, []string{"x", "y z", "w v", "unbalanced"}},
		{"no second expansion", []string{"$D"}, []string{"$$x", "${A}"}},
		{"lone dollar disappears", []string{"$"}, nil},
		{"rest of the word is the name", []string{"$A}", "$A-x"}, nil},
		{"name with equals sign", []string{"$EQ", "$EQ=k", "$EQ=z"}, []string{"k=v", "v"}},
		{"braces in place", []string{"${A}", "x${A}y"}, []string{"a b", "xa by"}},
		{"braces unset", []string{"${U}", "${}"}, []string{"", ""}},
		{"double dollar", []string{"$$", "$$A", "a$$b", "$$$$", "$${A}"}, []string{"$", "$A", "a$b", "$$", "${A}"}},
		{"dollar inside word is literal", []string{"a$A", "a$"}, []string{"a$A", "a$"}},
		{"blank after leading dollar is a name", []string{"$ a"}, nil},
		{"default syntax unsupported", []string{"${A:-x}", "${A:-x}${A}"}, []string{"${A:-x}", "${A:-x}a b"}},
		{"unclosed", []string{"${A", "x${A$$"}, []string{"${A", "x${A$$"}},
		{"dollar dollar after text in braces", []string{"${A$$:x}$$"}, []string{"${A$$:x}$"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ExpandArgv(tt.in, getenv)
			if len(got) == 0 {
				got = nil
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ExpandArgv(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestQuoteExecArgs(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want string
		err  bool
	}{
		{"plain", []string{"/bin/echo", "hello"}, "/bin/echo hello", false},
		{"blank and empty", []string{"/bin/echo", "a b", ""}, `/bin/echo "a b" ""`, false},
		{"dollar adds colon", []string{"/bin/echo", "$HOME", "${X}"}, ":/bin/echo $HOME ${X}", false},
		{"percent doubled", []string{"/bin/echo", "100%", "%i"}, "/bin/echo 100%% %%i", false},
		{"semicolon", []string{"/bin/echo", ";", `\;`, "a;"}, `/bin/echo ";" "\\;" a;`, false},
		{"quotes", []string{"/bin/echo", `"`, "'"}, `/bin/echo "\"" "'"`, false},
		{"control and bad utf8", []string{"/bin/echo", "a\nb", "\xff"}, `/bin/echo "a\nb" "\xff"`, false},
		{"bare name", []string{"true"}, "true", false},
		{"unsimplified path kept", []string{"/bin//echo"}, "/bin//echo", false},
		{"blank in path", []string{"/opt/my app"}, `"/opt/my app"`, false},
		{"path is a semicolon", []string{";"}, `@; ";"`, false},
		{"prefix character kept by colon", []string{":x", "$A"}, "::x $A", false},
		{"leading dash", []string{"-x"}, "", true},
		{"leading at", []string{"@x"}, "", true},
		{"relative", []string{"./x"}, "", true},
		{"directory", []string{"/bin/"}, "", true},
		{"quote in path", []string{`/bin/"x`}, "", true},
		{"empty", nil, "", true},
		{"empty program", []string{""}, "", true},
		{"NUL", []string{"/bin/echo", "a\x00"}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := QuoteExecArgs(tt.in)
			if (err != nil) != tt.err {
				t.Fatalf("QuoteExecArgs(%q) error %v, want error %v", tt.in, err, tt.err)
			}
			if got != tt.want {
				t.Errorf("QuoteExecArgs(%q) = %s, want %s", tt.in, got, tt.want)
			}
			if err != nil {
				return
			}
			checkExecArgsRoundTrip(t, tt.in, got)
		})
	}
}

// checkExecArgsRoundTrip checks that line, read as systemd reads a unit file
// value, runs exactly argv.
func checkExecArgsRoundTrip(t *testing.T, argv []string, line string) {
	t.Helper()
	if !ValidUTF8(line) || strings.ContainsAny(line, "\n\r\x00") || strings.Trim(line, blanks) != line {
		t.Fatalf("line %q is not a clean unit file value", line)
	}
	cmds, problems := ParseExec(line, execTestSpecifiers)
	if len(problems) > 0 || len(cmds) != 1 {
		t.Fatalf("ParseExec(%s) = %+v, %q; want one command", line, cmds, problems)
	}
	run := cmds[0].Argv
	if !cmds[0].NoEnvExpand {
		run = ExpandArgv(run, func(string) (string, bool) { return "x y", true })
	}
	if !slices.Equal(run, argv) {
		t.Fatalf("ParseExec(%s) runs %q, want %q", line, run, argv)
	}
	if cmds[0].Path != simplifyPath(argv[0]) {
		t.Fatalf("ParseExec(%s) path %q, want %q", line, cmds[0].Path, simplifyPath(argv[0]))
	}
}

func TestQuoteExecCommand(t *testing.T) {
	tests := []struct {
		name string
		in   ExecCommand
		want string
		err  bool
	}{
		{"argv0", ExecCommand{Path: "/bin/sh", Argv: []string{"sh", "-c", "echo $X"}, ArgvZero: true}, `@/bin/sh sh -c "echo $X"`, false},
		{"argv0 differs without flag", ExecCommand{Path: "/bin/sh", Argv: []string{"sh"}}, "@/bin/sh sh", false},
		{"flags", ExecCommand{Path: "/bin/x", Argv: []string{"/bin/x"}, IgnoreFailure: true, NoSetuid: true, NoEnvExpand: true}, "-:!/bin/x", false},
		{"ambient", ExecCommand{Path: "/bin/x", Argv: []string{"/bin/x"}, AmbientFallback: true}, "!!/bin/x", false},
		{"full", ExecCommand{Path: "/bin/x", Argv: []string{"/bin/x"}, FullPrivileges: true}, "+/bin/x", false},
		{"dash kept by dash", ExecCommand{Path: "-x", Argv: []string{"-x"}, IgnoreFailure: true}, "--x", false},
		{"bang kept by plus", ExecCommand{Path: "!x", Argv: []string{"!x"}, FullPrivileges: true}, "+!x", false},
		{"blank in path with prefix", ExecCommand{Path: "/a b", Argv: []string{"/a b"}, IgnoreFailure: true}, `"-/a b"`, false},
		{"root", ExecCommand{Path: "/", Argv: []string{"x"}, ArgvZero: true}, "@/. x", false},
		{"percent in path", ExecCommand{Path: "/a%b", Argv: []string{"x"}, ArgvZero: true}, "@/a%%b x", false},
		{"plus and bang", ExecCommand{Path: "/bin/x", Argv: []string{"/bin/x"}, FullPrivileges: true, NoSetuid: true}, "", true},
		{"bang taken as prefix", ExecCommand{Path: "!x", Argv: []string{"!x"}}, "", true},
		{"no argv", ExecCommand{Path: "/bin/x"}, "", true},
		{"bad path", ExecCommand{Path: "x/y", Argv: []string{"x"}}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := QuoteExecCommand(tt.in)
			if (err != nil) != tt.err {
				t.Fatalf("QuoteExecCommand(%+v) error %v, want error %v", tt.in, err, tt.err)
			}
			if got != tt.want {
				t.Errorf("QuoteExecCommand(%+v) = %s, want %s", tt.in, got, tt.want)
			}
			if err != nil {
				return
			}
			want := tt.in
			want.ArgvZero = strings.Contains(tt.want, "@")
			cmds, problems := ParseExec(got, execTestSpecifiers)
			if len(problems) > 0 || len(cmds) != 1 || !execEqual(cmds[0], want) {
				t.Errorf("ParseExec(%s) = %+v, %q; want %+v", got, cmds, problems, want)
			}
		})
	}
}

func TestQuoteExecArgsThroughINI(t *testing.T) {
	argv := []string{"/bin/sh", "-c", "echo \"$1\" 100% ; exit 1\\", "x\ty", "# not a comment", "\\"}
	line, err := QuoteExecArgs(argv)
	if err != nil {
		t.Fatal(err)
	}
	opts, diags := ParseINI("t.service", []byte("[Service]\nExecStart="+line+"\n"))
	if len(diags) > 0 || len(opts) != 1 {
		t.Fatalf("ParseINI = %+v, %v", opts, diags)
	}
	if opts[0].Value != line {
		t.Fatalf("INI value %q, want %q", opts[0].Value, line)
	}
	checkExecArgsRoundTrip(t, argv, opts[0].Value)
}

func FuzzParseExecLine(f *testing.F) {
	for _, s := range []string{
		"/bin/echo hello", `-@/bin/sh sh -c "echo \"$X\""`, "!!/bin/x ; +/bin/y ; :/bin/z $A",
		`/bin/a \; b ";" \\; x;y`, `"/bin/a x`, `/bin/a \q \x00 \u00e9`, "--x", "!+x", "@;  x",
		"/usr//bin/./env %i %% %Z", "true", "/bin/", "; ;", `\x2d/bin/x`, "/bin/a\t;\t/bin/b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, expand := range []SpecifierFunc{nil, execTestSpecifiers} {
			cmds, problems := ParseExec(s, expand)
			for i, p := range problems {
				if !errors.Is(p, ErrBadValue) {
					t.Fatalf("problem %v does not wrap ErrBadValue", p)
				}
				if errors.Is(p, ErrUnusable) && i != len(problems)-1 {
					t.Fatalf("fatal problem %v is not the last", p)
				}
			}
			for _, c := range cmds {
				if len(c.Argv) == 0 || (checkExecPath(c.Path) != "" && c.Path != "/") || simplifyPath(c.Path) != c.Path {
					t.Fatalf("ParseExec(%q) gave bad command %+v", s, c)
				}
				line, err := QuoteExecCommand(c)
				if err != nil {
					t.Fatalf("QuoteExecCommand(%+v): %v", c, err)
				}
				back, problems := ParseExec(line, execTestSpecifiers)
				if len(problems) > 0 || len(back) != 1 || !execEqual(back[0], c) {
					t.Fatalf("command %+v written as %s reads back as %+v, %q", c, line, back, problems)
				}
			}
		}
	})
}

func FuzzQuoteExecArgs(f *testing.F) {
	for _, s := range []string{
		"/bin/echo\x00hello", "true", "/bin/sh\x00-c\x00echo \"$1\" '%i' \\; ;", ";\x00;", ":x\x00$A",
		"-x", "/bin//./x\x00\xff\x01é", "/a b\x00", "@x\x00y", "\u00a0",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// NUL cannot be in a C string, so it separates the arguments here.
		argv := strings.Split(s, "\x00")
		line, err := QuoteExecArgs(argv)
		if err != nil {
			p := argv[0]
			if checkExecPath(p) == "" && !strings.ContainsRune("-@:+!", rune(p[0])) {
				t.Fatalf("QuoteExecArgs(%q) failed for a usable program: %v", argv, err)
			}
			return
		}
		checkExecArgsRoundTrip(t, argv, line)
	})
}
