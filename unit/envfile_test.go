package unit

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

func TestParseEnvFile(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []string
		invalid int // assignments dropped as invalid
		err     bool
	}{
		{"empty", "", nil, 0, false},
		{"simple", "A=1\nB=two\n", []string{"A=1", "B=two"}, 0, false},
		{"no final newline", "A=1", []string{"A=1"}, 0, false},
		{"crlf", "A=1\r\nB=2\r\n", []string{"A=1", "B=2"}, 0, false},
		{"blanks around", "  A =  x y  \t\n", []string{"A=x y"}, 0, false},
		{"empty value", "A=\nB=", []string{"A=", "B="}, 0, false},
		{"comments", "# c\n; c\n  # indented\nA=1 # not a comment\n", []string{"A=1 # not a comment"}, 0, false},
		{"comment continued by backslash", "# c \\\nA=1\nB=2\n", []string{"B=2"}, 0, false},
		{"line without equals ignored", "JUNK\nA=1\nMORE JUNK", []string{"A=1"}, 0, false},
		{"later value replaces in place", "A=1\nB=2\nA=3\n", []string{"A=3", "B=2"}, 0, false},
		{"single quotes", `A='a "b" \n $x'`, []string{`A=a "b" \n $x`}, 0, false},
		{"single quotes span lines", "A='a\nb'\nB=1", []string{"A=a\nb", "B=1"}, 0, false},
		{"double quotes", `A="a 'b' \"c\" \$d \\e \x \` + "`" + `"`, []string{`A=a 'b' "c" $d \e \x ` + "`"}, 0, false},
		{"double quotes continuation", "A=\"a\\\nb\"", []string{"A=ab"}, 0, false},
		{"double quotes keep CR escape", "A=\"a\\\rb\"", []string{"A=a\\\rb"}, 0, false},
		{"quoted parts join", `A="a b"'c d'e`, []string{"A=a bc de"}, 0, false},
		{"blanks between quoted parts dropped", `A="a"  "b"`, []string{"A=ab"}, 0, false},
		{"quotes inside a value are literal", `A=x "y z"`, []string{`A=x "y z"`}, 0, false},
		{"quoted trailing blanks kept", `A="x  "`, []string{"A=x  "}, 0, false},
		{"unquoted backslash", `A=a\ b\\c\"d\`, []string{`A=a b\c"d`}, 0, false},
		{"unquoted continuation", "A=a\\\nb\nB=1", []string{"A=ab", "B=1"}, 0, false},
		{"escaped blank survives trimming", `A=a\ `, []string{"A=a "}, 0, false},
		{"unterminated quote runs to end", "A=\"a\nB=1", []string{"A=a\nB=1"}, 0, false},
		{"export is not special", "export A=1\n", nil, 1, false},
		{"invalid names dropped", "1A=x\nA-B=y\nA B=w\nOK=1", []string{"OK=1"}, 3, false},
		{"leading equals is part of the key", "=z\n==y\n", nil, 1, false},
		{"control characters allowed", "A=\"\t\x01\x7f\"", []string{"A=\t\x01\x7f"}, 0, false},
		{"utf8", "A=é€", []string{"A=é€"}, 0, false},
		{"invalid utf8 in value fails", "A=1\nB=\xff\n", nil, 0, true},
		{"invalid utf8 in key fails", "\xff=1\n", nil, 0, true},
		{"noncharacter fails", "A=\uFFFE\n", nil, 0, true},
		{"invalid utf8 on an ignored line", "# \xff\nJUNK\xff\nA=1", []string{"A=1"}, 0, false},
		{"NUL fails", "A=1\x00\n", nil, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems, err := ParseEnvFile(strings.NewReader(tt.in))
			if (err != nil) != tt.err {
				t.Fatalf("ParseEnvFile(%q) error %v, want error %v", tt.in, err, tt.err)
			}
			if err != nil && !errors.Is(err, ErrBadValue) {
				t.Errorf("error %v does not wrap ErrBadValue", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ParseEnvFile(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if len(problems) != tt.invalid {
				t.Errorf("ParseEnvFile(%q) problems %q, want %d", tt.in, problems, tt.invalid)
			}
		})
	}
}

func TestParseEnvFileReadError(t *testing.T) {
	errRead := errors.New("read failed")
	if _, _, err := ParseEnvFile(iotest.ErrReader(errRead)); !errors.Is(err, errRead) {
		t.Errorf("ParseEnvFile error %v, want %v", err, errRead)
	}
}

func TestParseEnvironment(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		want     []string
		problems int
	}{
		{"empty", "", nil, 0},
		{"simple", "A=1 B=2", []string{"A=1", "B=2"}, 0},
		{"quoted", `"A=1 2" 'B=x y' C="z w"`, []string{"A=1 2", "B=x y", "C=z w"}, 0},
		{"escapes", `A=\x41\t B=a\sb`, []string{"A=A\t", "B=a b"}, 0},
		{"duplicates kept in order", "A=1 A=2", []string{"A=1", "A=2"}, 0},
		{"empty value", "A= B=", []string{"A=", "B="}, 0},
		{"invalid skipped", "1X=4 C A-B=1 =x D=ok", []string{"D=ok"}, 4},
		{"syntax error keeps earlier words", `A=1 "B=2`, []string{"A=1"}, 1},
		{"unknown escape is a syntax error", `A=1 B=\q C=3`, []string{"A=1"}, 1},
		{"specifier", "A=%i B=%%", []string{"A=a b", "B=%"}, 0},
		{"bad specifier skipped", "A=%Z B=1", []string{"B=1"}, 1},
		{"variables not expanded", "A=$B C=${D}", []string{"A=$B", "C=${D}"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems := ParseEnvironment(tt.in, execTestSpecifiers)
			if !slices.Equal(got, tt.want) {
				t.Errorf("ParseEnvironment(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if len(problems) != tt.problems {
				t.Errorf("ParseEnvironment(%q) problems %q, want %d", tt.in, problems, tt.problems)
			}
			for _, p := range problems {
				if !errors.Is(p, ErrBadValue) || errors.Is(p, ErrUnusable) {
					t.Errorf("problem %v: want ErrBadValue and not ErrUnusable", p)
				}
			}
		})
	}
}

func TestParseEnvNames(t *testing.T) {
	tests := []struct {
		name     string
		parse    func(string, SpecifierFunc) ([]string, []error)
		in       string
		want     []string
		problems int
	}{
		{"pass", ParsePassEnvironment, "A B_1 _C", []string{"A", "B_1", "_C"}, 0},
		{"pass quoted", ParsePassEnvironment, `"A" 'B'`, []string{"A", "B"}, 0},
		{"pass invalid", ParsePassEnvironment, "1A A=1 A-B OK", []string{"OK"}, 3},
		{"pass backslash is not a C escape", ParsePassEnvironment, `A\x41`, []string{"Ax41"}, 0},
		{"pass syntax error", ParsePassEnvironment, `A "B`, []string{"A"}, 1},
		{"pass specifier", ParsePassEnvironment, "A%%", nil, 1},
		{"unset names and assignments", ParseUnsetEnvironment, "A B=1 C=", []string{"A", "B=1", "C="}, 0},
		{"unset C escapes", ParseUnsetEnvironment, `A\x41 B=\x41`, []string{"AA", "B=A"}, 0},
		{"unset invalid", ParseUnsetEnvironment, "1A =x OK", []string{"OK"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems := tt.parse(tt.in, execTestSpecifiers)
			if !slices.Equal(got, tt.want) {
				t.Errorf("parse(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if len(problems) != tt.problems {
				t.Errorf("parse(%q) problems %q, want %d", tt.in, problems, tt.problems)
			}
		})
	}
}

func TestEnvNameValid(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"A", true}, {"_", true}, {"a_1", true}, {"", false}, {"1A", false},
		{"A-B", false}, {"A B", false}, {"A=B", false}, {"É", false},
		{strings.Repeat("A", envArgMax-2), true}, {strings.Repeat("A", envArgMax-1), false},
	}
	for _, tt := range tests {
		if got := EnvNameValid(tt.in); got != tt.want {
			t.Errorf("EnvNameValid(%.20q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestEnvAssignmentValid(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"A=1", true}, {"A=", true}, {"A==", true}, {"A=a\nb\x01\x7f", true}, {"A=é", true},
		{"A", false}, {"=1", false}, {"1=1", false}, {"A=\xff", false}, {"A=\uFFFF", false},
		{"A=a\x00", false},
	}
	for _, tt := range tests {
		if got := EnvAssignmentValid(tt.in); got != tt.want {
			t.Errorf("EnvAssignmentValid(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestMergeEnv(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		add  []string
		want []string
	}{
		{"append", []string{"A=1"}, []string{"B=2"}, []string{"A=1", "B=2"}},
		{"replace in place", []string{"A=1", "B=2"}, []string{"A=3"}, []string{"A=3", "B=2"}},
		{"prefix of a name is another name", []string{"AB=1"}, []string{"A=2"}, []string{"AB=1", "A=2"}},
		{"later copies of the new entry dropped", []string{"A=1", "B=2", "A=3"}, []string{"A=3"}, []string{"A=3", "B=2"}},
		{"no equals skipped", []string{"A=1"}, []string{"B"}, []string{"A=1"}},
		{"sequence", nil, []string{"A=1", "B=1", "A=2"}, []string{"A=2", "B=1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MergeEnv(slices.Clone(tt.env), tt.add...)
			if !slices.Equal(got, tt.want) {
				t.Errorf("MergeEnv(%q, %q) = %q, want %q", tt.env, tt.add, got, tt.want)
			}
		})
	}
}

// writeTestEnvFile writes env so that ParseEnvFile reads it back: each value in
// single quotes, a single quote as '"'"'.
func writeTestEnvFile(env []string) string {
	var b strings.Builder
	for _, e := range env {
		name, value, _ := strings.Cut(e, "=")
		b.WriteString(name + "='" + strings.ReplaceAll(value, "'", `'"'"'`) + "'\n")
	}
	return b.String()
}

func FuzzParseEnvFile(f *testing.F) {
	for _, s := range []string{
		"A=1\nB='x y'\nC=\"a\\\"b\\\nc\"\n", "# c\\\nA=1", "export A=1", "A=a\\ \\\nb  ", "A='unterminated",
		"A=\"x\\$y\\`\\z\"", "\xff=1", "=x\n1A=2\n", "A=1\r\nA=2\r\n", " ; x\n\tK \t= v\t\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		env, problems, err := ParseEnvFile(strings.NewReader(s))
		if err != nil {
			if !errors.Is(err, ErrBadValue) || env != nil || problems != nil {
				t.Fatalf("ParseEnvFile error %v with %q, %q", err, env, problems)
			}
			return
		}
		seen := map[string]bool{}
		for _, e := range env {
			name, _, _ := strings.Cut(e, "=")
			if !EnvAssignmentValid(e) || seen[name] {
				t.Fatalf("ParseEnvFile(%q) gave invalid or repeated %q", s, e)
			}
			seen[name] = true
		}
		for _, p := range problems {
			if !errors.Is(p, ErrBadValue) {
				t.Fatalf("problem %v does not wrap ErrBadValue", p)
			}
		}
		back, problems, err := ParseEnvFile(strings.NewReader(writeTestEnvFile(env)))
		if err != nil || len(problems) > 0 || !slices.Equal(back, env) {
			t.Fatalf("env %q written back reads %q, %q, %v", env, back, problems, err)
		}
	})
}
