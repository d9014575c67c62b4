package unit

import (
	"errors"
	"testing"
)

func TestCUnescape(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		flags UnescapeFlags
		want  string
		err   bool
	}{
		{"plain", "abc", 0, "abc", false},
		{"simple escapes", `\a\b\f\n\r\t\v\\\"\'\s`, 0, "\a\b\f\n\r\t\v\\\"' ", false},
		{"hex", `\x41\x7e\xff`, 0, "A~\xff", false},
		{"hex upper", `\xC3\xA9`, 0, "é", false},
		{"hex short", `\x4`, 0, "", true},
		{"hex bad digit", `\x4g`, 0, "", true},
		{"hex NUL", `\x00`, 0, "", true},
		{"hex NUL accepted", `a\x00b`, UnescapeAcceptNUL, "a\x00b", false},
		{"octal", `\101\060\377`, 0, "A0\xff", false},
		{"octal takes three digits", `\1014`, 0, "A4", false},
		{"octal short", `\10`, 0, "", true},
		{"octal bad digit", `\18a`, 0, "", true},
		{"octal over 255", `\400`, 0, "", true},
		{"octal NUL", `\000`, 0, "", true},
		{"u", `\u00e9\u20AC`, 0, "é€", false},
		{"u ascii", `\u0041`, 0, "A", false},
		{"u NUL", `\u0000`, 0, "", true},
		{"u surrogate written raw", `\uD800`, 0, "\xed\xa0\x80", false},
		{"u noncharacter allowed", `\uFFFE`, 0, "\xef\xbf\xbe", false},
		{"u short", `\u00e`, 0, "", true},
		{"U", `\U0001F600`, 0, "😀", false},
		{"U max", `\U0010FFFD`, 0, "\U0010FFFD", false},
		{"U beyond unicode", `\U00110000`, 0, "", true},
		{"U surrogate", `\U0000D800`, 0, "", true},
		{"U noncharacter", `\U0000FDD0`, 0, "", true},
		{"U plane noncharacter", `\U0001FFFF`, 0, "", true},
		{"unknown", `\q`, 0, "", true},
		{"unknown relaxed", `a\qb`, UnescapeRelax, `a\qb`, false},
		{"bad hex relaxed", `\xzz`, UnescapeRelax, `\xzz`, false},
		{"trailing backslash", `a\`, 0, "", true},
		{"trailing backslash relaxed", `a\`, UnescapeRelax, `a\`, false},
		{"NUL ends input", "a\x00\\q", 0, "a", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CUnescape(tt.in, tt.flags)
			if (err != nil) != tt.err {
				t.Fatalf("CUnescape(%q) error %v, want error %v", tt.in, err, tt.err)
			}
			if err != nil && !errors.Is(err, ErrBadValue) {
				t.Errorf("error %v does not wrap ErrBadValue", err)
			}
			if got != tt.want {
				t.Errorf("CUnescape(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCEscape(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"abc", "abc"},
		{"a\tb\n", `a\tb\n`},
		{`"'\`, `\"\'\\`},
		{"\x01\x7f\xff", `\001\177\377`},
		{"é", `\303\251`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := CEscape(tt.in)
			if got != tt.want {
				t.Errorf("CEscape(%q) = %q, want %q", tt.in, got, tt.want)
			}
			back, err := CUnescape(got, 0)
			if err != nil || back != tt.in {
				t.Errorf("CUnescape(%q) = %q, %v; want %q", got, back, err, tt.in)
			}
		})
	}
}

func TestQuoteWord(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"plain", "plain"},
		{"/usr/bin/foo-bar_1.2", "/usr/bin/foo-bar_1.2"},
		{"", `""`},
		{"a b", `"a b"`},
		{`say "hi"`, `"say \"hi\""`},
		{"it's", `"it's"`},
		{`back\slash`, `"back\\slash"`},
		{"tab\tnew\nline", `"tab\tnew\nline"`},
		{"cr\rdel\x7f", `"cr\x0ddel\x7f"`},
		{"é😀", "é😀"},
		{"bad\xffutf8", `"bad\xffutf8"`},
		{"\u0085", `"\u0085"`},
		{"\uFFFE", `"\xef\xbf\xbe"`},
		{"$HOME%i;", "$HOME%i;"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := QuoteWord(tt.in)
			if got != tt.want {
				t.Errorf("QuoteWord(%q) = %s, want %s", tt.in, got, tt.want)
			}
			back, err := SplitWords(got, "", ExtractUnquote|ExtractCUnescape)
			if err != nil || len(back) != 1 || back[0] != tt.in {
				t.Errorf("SplitWords(%s) = %q, %v; want [%q]", got, back, err, tt.in)
			}
		})
	}
}

func TestValidUTF8(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"", true},
		{"ascii\t\n", true},
		{"é€😀", true},
		{"\xff", false},
		{"\xc3", false},
		{"\xc0\x80", false},         // overlong
		{"\xed\xa0\x80", false},     // surrogate
		{"\xf4\x90\x80\x80", false}, // beyond U+10FFFF
		{"\uFDD0", false},
		{"\uFFFE", false},
		{"\U0001FFFF", false},
		{"\uFFFD", true},
		{"ok\x00\xff", true}, // read up to NUL
	}
	for _, tt := range tests {
		if got := ValidUTF8(tt.in); got != tt.want {
			t.Errorf("ValidUTF8(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
