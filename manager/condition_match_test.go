package manager

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestCondFnmatch(t *testing.T) {
	const (
		path   = condFNMPathname
		period = condFNMPeriod
		fold   = condFNMCasefold
	)
	tests := []struct {
		name, pattern, s string
		flags            condMatchFlags
		want             bool
	}{
		{"star matches all", "*", "abc", 0, true},
		{"star matches empty", "*", "", 0, true},
		{"empty pattern", "", "", 0, true},
		{"empty pattern vs text", "", "a", 0, false},
		{"star middle", "a*c", "abbbc", 0, true},
		{"star middle empty", "a*c", "ac", 0, true},
		{"star middle mismatch", "a*c", "abd", 0, false},
		{"several stars", "*a*b*c*", "xxaxxbxxcxx", 0, true},
		{"several stars backtrack", "a*b*c", "abxbxc", 0, true},
		{"question", "a?c", "abc", 0, true},
		{"question needs a char", "a?c", "ac", 0, false},
		{"bracket", "[abc]x", "bx", 0, true},
		{"bracket miss", "[abc]x", "dx", 0, false},
		{"bracket negated bang", "[!abc]x", "dx", 0, true},
		{"bracket negated caret", "[^abc]x", "ax", 0, false},
		{"bracket range", "[a-c]", "b", 0, true},
		{"bracket range miss", "[a-c]", "d", 0, false},
		{"bracket close first", "[]]", "]", 0, true},
		{"bracket negated close first", "[!]]", "a", 0, true},
		{"bracket dash last", "[a-]", "-", 0, true},
		{"bracket class", "[[:digit:]]x", "5x", 0, true},
		{"bracket class miss", "[[:digit:]]x", "ax", 0, false},
		{"bracket class and range", "[[:upper:]0-9]", "7", 0, true},
		{"unclosed bracket is literal", "[ab", "[ab", 0, true},
		{"unclosed bracket no match", "[ab", "a", 0, false},
		{"escaped star", `a\*`, "a*", 0, true},
		{"escaped star not wildcard", `a\*`, "ab", 0, false},
		{"star crosses slash", "*", "a/b", 0, true},
		{"pathname star stops at slash", "*", "a/b", path, false},
		{"pathname segments", "*/*", "a/b", path, true},
		{"pathname question no slash", "a?b", "a/b", path, false},
		{"pathname bracket no slash", "a[/]b", "a/b", path, false},
		{"period star", "*", ".x", period, false},
		{"period question", "?x", ".x", period, false},
		{"period bracket", "[.]x", ".x", period, false},
		{"period literal", ".*", ".x", period, true},
		{"period not leading", "a*", "a.x", period, true},
		{"period after slash", "a/*", "a/.x", path | period, false},
		{"period after slash without pathname", "a/*", "a/.x", period, true},
		{"casefold", "FOO*", "foobar", fold, true},
		{"no casefold", "FOO*", "foobar", 0, false},
		{"casefold range", "[A-C]", "b", fold, true},
		{"unicode", "ä?", "äö", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := condFnmatch(tt.pattern, tt.s, tt.flags); got != tt.want {
				t.Errorf("condFnmatch(%q, %q, %b) = %v, want %v", tt.pattern, tt.s, tt.flags, got, tt.want)
			}
		})
	}
}

func TestCondBraceExpand(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"none", "/a/b", []string{"/a/b"}},
		{"two", "/a/{b,c}", []string{"/a/b", "/a/c"}},
		{"prefix and suffix", "x{1,2}y", []string{"x1y", "x2y"}},
		{"nested", "{a,b{c,d}}", []string{"a", "bc", "bd"}},
		{"two groups", "{a,b}{c,d}", []string{"ac", "ad", "bc", "bd"}},
		{"single", "{a}", []string{"a"}},
		{"unbalanced", "{a,b", []string{"{a,b"}},
		{"escaped", `\{a,b}`, []string{`\{a,b}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := condBraceExpand(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("condBraceExpand(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCondGlob(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{"a/x.conf", "a/y.conf", "a/.hidden.conf", "b/z.conf", "b/w.txt", "c d/e.conf"} {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("nowhere", filepath.Join(root, "a/dangling.conf")); err != nil {
		t.Fatal(err)
	}
	r := condGlobEscape(root)
	tests := []struct {
		name    string
		pattern string
		brace   bool
		want    []string
	}{
		{"star skips hidden, keeps dangling symlinks, sorted", r + "/a/*.conf", false, []string{"a/dangling.conf", "a/x.conf", "a/y.conf"}},
		{"hidden by literal dot", r + "/a/.*.conf", false, []string{"a/.hidden.conf"}},
		{"wildcard directory", r + "/*/*.conf", false, []string{"a/dangling.conf", "a/x.conf", "a/y.conf", "b/z.conf", "c d/e.conf"}},
		{"no wildcard existing", r + "/b/w.txt", false, []string{"b/w.txt"}},
		{"no wildcard missing", r + "/b/nope", false, nil},
		{"no match", r + "/b/*.nope", false, nil},
		{"missing directory", r + "/nope/*", false, nil},
		{"brace", r + "/{a,b}/[xz].conf", true, []string{"a/x.conf", "b/z.conf"}},
		{"brace off", r + "/{a,b}/x.conf", false, nil},
		{"trailing slash keeps directories", r + "/*/", false, []string{"a", "b", "c d"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := condGlob(tt.pattern, tt.brace)
			var rel []string
			for _, g := range got {
				r, err := filepath.Rel(root, g)
				if err != nil {
					t.Fatal(err)
				}
				rel = append(rel, r)
			}
			if !reflect.DeepEqual(rel, tt.want) {
				t.Errorf("condGlob(%q) = %q, want %q", tt.pattern, rel, tt.want)
			}
		})
	}
}

func TestCondVersionCompare(t *testing.T) {
	// Each version is older than all that follow (systemd's own table).
	ordered := []string{
		"~1", "", "ab", "abb", "abc", "0001", "002", "12", "122", "122.9", "123~rc1", "123",
		"123-a", "123-a.1", "123-a1", "123-a1.1", "123-3", "123-3.1", "123^patch1", "123^1",
		"123.a-1", "123.1-1", "123a-1", "124",
	}
	for i, older := range ordered {
		for _, newer := range ordered[i+1:] {
			if got := condVersionCompare(older, newer); got != -1 {
				t.Errorf("condVersionCompare(%q, %q) = %d, want -1", older, newer, got)
			}
			if got := condVersionCompare(newer, older); got != 1 {
				t.Errorf("condVersionCompare(%q, %q) = %d, want 1", newer, older, got)
			}
		}
		if got := condVersionCompare(older, older); got != 0 {
			t.Errorf("condVersionCompare(%q, %q) = %d, want 0", older, older, got)
		}
	}
	tests := []struct {
		name, a, b string
		want       int
	}{
		{"release", "123.45-67.88", "123.45-67.89", -1},
		{"alpha suffix newer", "123.45-67.89", "123.45-67.89a", -1},
		{"alpha older than number", "123.45-67.ab", "123.45-67.89", -1},
		{"numeric not lexical", "123.45-67.9", "123.45-67.89", -1},
		{"more segments", "123.45-67", "123.45-67.89", -1},
		{"pre-release", "123~rc1-99.99", "123~rc2-67.89", -1},
		{"dash before caret", "123-99.99", "123^aa2-67.89", -1},
		{"caret before dot", "123^45-67.89", "123.45-67.89", -1},
		{"invalid characters ignored", "123_aa2-67.89", "123aa+2-67.89", 0},
		{"trailing dot is a segment", "123.", "123", 1},
		{"underscore separates", "12_3", "123", -1},
		{"zero is more", "123.0", "123", 1},
		{"empty segment less than zero", "123..0", "123.0", -1},
		{"only ignored", "_0_", "0", 0},
		{"kernel", "6.1.0-18-amd64", "6.1.0-9-amd64", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := condVersionCompare(tt.a, tt.b); got != tt.want {
				t.Errorf("condVersionCompare(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestCondParseOp(t *testing.T) {
	const both = condOpAllowFnmatch | condOpEqualByString
	tests := []struct {
		name     string
		in       string
		flags    condOpFlags
		wantOp   condOp
		wantRest string
	}{
		{"none", "5.1", both, condOpNone, "5.1"},
		{"lower or equal", "<=5", both, condOpLowerOrEqual, "5"},
		{"greater or equal", ">=5", 0, condOpGreaterOrEqual, "5"},
		{"lower", "<5", 0, condOpLower, "5"},
		{"greater", ">5", 0, condOpGreater, "5"},
		{"double equal is order", "==5", both, condOpEqual, "5"},
		{"diamond", "<>5", 0, condOpUnequal, "5"},
		{"equal by string", "=5", both, condOpStringEqual, "5"},
		{"equal by order", "=5", 0, condOpEqual, "5"},
		{"unequal by string", "!=5", both, condOpStringUnequal, "5"},
		{"unequal by order", "!=5", 0, condOpUnequal, "5"},
		{"fnmatch", "$=5*", both, condOpFnmatchEqual, "5*"},
		{"fnmatch not", "!$=5*", both, condOpFnmatchUnequal, "5*"},
		{"fnmatch refused", "$=5", 0, condOpNone, "$=5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op, rest := condParseOp(tt.in, tt.flags)
			if op != tt.wantOp || rest != tt.wantRest {
				t.Errorf("condParseOp(%q) = %v, %q, want %v, %q", tt.in, op, rest, tt.wantOp, tt.wantRest)
			}
		})
	}
}
