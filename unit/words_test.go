package unit

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestSplitWords(t *testing.T) {
	const (
		uq   = ExtractUnquote
		cu   = ExtractCUnescape
		uqcu = ExtractUnquote | ExtractCUnescape
	)
	tests := []struct {
		name  string
		in    string
		seps  string
		flags ExtractFlags
		want  []string
		err   bool
	}{
		{"empty", "", "", 0, nil, false},
		{"blanks only", " \t\n\r ", "", 0, nil, false},
		{"plain", "foobar waldo", "", 0, []string{"foobar", "waldo"}, false},
		{"blanks coalesce", "  a \t\n b  ", "", 0, []string{"a", "b"}, false},
		{"quotes kept without flags", `"foo bar" 'x'`, "", 0, []string{`"foo`, `bar"`, `'x'`}, false},
		{"lone quote is a word without flags", `"`, "", 0, []string{`"`}, false},
		{"unquote", `"foo bar" 'wal do'`, "", uq, []string{"foo bar", "wal do"}, false},
		{"unquote joins parts", `a"b c"d'e f'`, "", uq, []string{"ab cde f"}, false},
		{"unquote empty word", `"" ''`, "", uq, []string{"", ""}, false},
		{"keep quote", `a"b c"d`, "", ExtractKeepQuote, []string{`a"b c"d`}, false},
		{"unbalanced double", `"foo`, "", uq, nil, true},
		{"unbalanced single", `x 'foo`, "", uq, []string{"x"}, true},
		{"unbalanced relaxed", `"foo bar`, "", uq | ExtractRelax, []string{"foo bar"}, false},
		{"other quote inside", `"it's" 'say "hi"'`, "", uq, []string{"it's", `say "hi"`}, false},
		{"backslash makes literal", `a\ b \"c`, "", uq, []string{"a b", `"c`}, false},
		{"backslash stripped without flags", `a\b\\c`, "", 0, []string{`ab\c`}, false},
		{"retain escape", `a\ b`, "", ExtractRetainEscape, []string{`a\`, "b"}, false},
		{"retain escape in quotes", `"a\"b"`, "", uq | ExtractRetainEscape, nil, true},
		{"trailing backslash", `foo\`, "", 0, nil, true},
		{"trailing backslash relaxed", `foo\`, "", ExtractRelax, []string{"foo"}, false},
		{"trailing backslash unescape relax", `foo\`, "", ExtractUnescapeRelax, []string{`foo\`}, false},
		{"trailing backslash in quotes", `"foo\`, "", uq | ExtractUnescapeRelax, nil, true},
		{"trailing backslash in quotes relaxed", `"foo\`, "", uq | ExtractUnescapeRelax | ExtractRelax, []string{`foo\`}, false},
		{"cunescape", `a\tb \x41\101 \u00e9`, "", cu, []string{"a\tb", "AA", "é"}, false},
		{"cunescape s is space", `a\sb`, "", cu, []string{"a b"}, false},
		{"cunescape in double quotes", `"a\nb"`, "", uqcu, []string{"a\nb"}, false},
		{"cunescape in single quotes", `'a\nb'`, "", uqcu, []string{"a\nb"}, false},
		{"cunescape quote escapes", `"\"" '\''`, "", uqcu, []string{`"`, "'"}, false},
		{"cunescape unknown", `a\qb`, "", cu, nil, true},
		{"cunescape unknown relaxed", `a\qb`, "", cu | ExtractUnescapeRelax, []string{`a\qb`}, false},
		{"cunescape NUL refused", `\x00`, "", cu, nil, true},
		{"cunescape escaped blank is not an escape", `a\ b`, "", cu, nil, true},
		{"unescape separators", `a\ b\\c`, "", ExtractUnescapeSeparators, []string{`a b\c`}, false},
		{"unescape separators other", `a\qb`, "", ExtractUnescapeSeparators, nil, true},
		{"cunescape and separators", `a\:b\tc`, ":", cu | ExtractUnescapeSeparators, []string{"a:b\tc"}, false},
		{"custom separators", "a:b::c", ":", 0, []string{"a", "b", "c"}, false},
		{"blanks are not separators then", "a b:c", ":", 0, []string{"a b", "c"}, false},
		{"dont coalesce", "a::b:", ":", ExtractDontCoalesceSeparators, []string{"a", "", "b", ""}, false},
		{"dont coalesce leading", ":a", ":", ExtractDontCoalesceSeparators, []string{"", "a"}, false},
		{"dont coalesce empty input", "", ":", ExtractDontCoalesceSeparators, []string{""}, false},
		{"dont coalesce no trailing", "a", ":", ExtractDontCoalesceSeparators, []string{"a"}, false},
		{"NUL ends input", "a b\x00c d", "", 0, []string{"a", "b"}, false},
		{"eight bit bytes pass", "\xff \xc3\xa9", "", uqcu, []string{"\xff", "é"}, false},
		{"both quote flags", "a", "", ExtractKeepQuote | ExtractUnquote, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SplitWords(tt.in, tt.seps, tt.flags)
			if (err != nil) != tt.err {
				t.Fatalf("SplitWords(%q) error %v, want error %v", tt.in, err, tt.err)
			}
			if err != nil && !errors.Is(err, ErrBadValue) {
				t.Errorf("error %v does not wrap ErrBadValue", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("SplitWords(%q, %q, %#x) = %q, want %q", tt.in, tt.seps, tt.flags, got, tt.want)
			}
		})
	}
}

func TestExtractWord(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		flags     ExtractFlags
		word      string
		rest      string
		ok        bool
		seps      string
		wantError bool
	}{
		{name: "rest after blanks", in: "foo   bar baz", word: "foo", rest: "bar baz", ok: true},
		{name: "last word", in: "foo  ", word: "foo", ok: true},
		{name: "nothing", in: "   ", ok: false},
		{name: "retain separators", in: "a:b", seps: ":", flags: ExtractRetainSeparators, word: "a", rest: ":b", ok: true},
		{name: "error keeps input", in: `"a b`, flags: ExtractUnquote, rest: `"a b`, wantError: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			word, rest, ok, err := ExtractWord(tt.in, tt.seps, tt.flags)
			if (err != nil) != tt.wantError {
				t.Fatalf("ExtractWord(%q) error %v, want error %v", tt.in, err, tt.wantError)
			}
			if word != tt.word || rest != tt.rest || ok != tt.ok {
				t.Errorf("ExtractWord(%q) = %q, %q, %v; want %q, %q, %v", tt.in, word, rest, ok, tt.word, tt.rest, tt.ok)
			}
		})
	}
}

func TestWordReaderDone(t *testing.T) {
	// "a:" leaves an empty string after the separator (one more empty
	// word); "a" leaves nothing at all.
	for _, tt := range []struct {
		in       string
		wantDone bool
	}{{"a:", false}, {"a", true}} {
		r := NewWordReader(tt.in)
		w, ok, err := r.Next(":", ExtractDontCoalesceSeparators)
		if err != nil || !ok || w != "a" {
			t.Fatalf("Next(%q) = %q, %v, %v; want \"a\"", tt.in, w, ok, err)
		}
		if r.Done() != tt.wantDone {
			t.Errorf("after %q: Done() = %v, want %v", tt.in, r.Done(), tt.wantDone)
		}
	}
}

func TestReadWordAndWarn(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		word    string
		warning bool
		err     bool
	}{
		{"clean", `"a b" c`, "a b", false, false},
		{"unknown escape kept", `a\qb c`, `a\qb`, true, false},
		{"NUL escape kept", `a\x00 c`, `a\x00`, true, false},
		{"unbalanced", `"a b`, "", false, true},
		{"unbalanced with escape", `"a\q`, "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewWordReader(tt.in)
			word, _, warning, err := readWordAndWarn(r, ExtractUnquote|ExtractCUnescape, tt.in)
			if (warning != nil) != tt.warning || (err != nil) != tt.err {
				t.Fatalf("readWordAndWarn(%q): warning %v, error %v; want warning %v, error %v", tt.in, warning, err, tt.warning, tt.err)
			}
			if word != tt.word {
				t.Errorf("readWordAndWarn(%q) = %q, want %q", tt.in, word, tt.word)
			}
		})
	}
}

func FuzzExtractWord(f *testing.F) {
	for _, s := range []string{
		"", "a b", `"a b" 'c'`, `a\x41\u00e9\U0001F600\101`, `"unbalanced`, `x\`, "a::b:", `\;`,
		"a\\\"b", `'a\'b'`, "\xff\xfe", `"a\nb"`, `a\qb`, `\x00`,
	} {
		for _, flags := range []ExtractFlags{0, ExtractUnquote | ExtractCUnescape, ExtractRelax | ExtractUnquote, ExtractDontCoalesceSeparators | ExtractUnescapeSeparators} {
			f.Add(s, ":", uint(flags))
		}
	}
	f.Fuzz(func(t *testing.T, s, seps string, flags uint) {
		flags &= 1<<9 - 1
		r := NewWordReader(s)
		var words []string
		// Every word but an empty one under DontCoalesce|RetainSeparators
		// uses up input, so this bounds a correct reader.
		for i := 0; i <= len(s)+1; i++ {
			w, ok, err := r.Next(seps, ExtractFlags(flags))
			if err != nil {
				if !errors.Is(err, ErrBadValue) {
					t.Fatalf("error %v does not wrap ErrBadValue", err)
				}
				return
			}
			if !ok {
				break
			}
			if strings.Contains(w, "\x00") && flags&uint(ExtractCUnescape) == 0 {
				t.Fatalf("word %q holds NUL", w)
			}
			words = append(words, w)
		}
		// QuoteWord writes any word so that the exec-line flags read it
		// back.
		var b strings.Builder
		for i, w := range words {
			if strings.Contains(w, "\x00") {
				return
			}
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(QuoteWord(w))
		}
		line := b.String()
		if !ValidUTF8(line) || strings.ContainsAny(line, "\n\r") {
			t.Fatalf("QuoteWord line %q is not one valid line", line)
		}
		back, err := SplitWords(line, "", ExtractUnquote|ExtractCUnescape)
		if err != nil {
			t.Fatalf("SplitWords(%q): %v", line, err)
		}
		if len(words) == 0 {
			words = nil
		}
		if !slices.Equal(back, words) {
			t.Fatalf("round trip of %q through %q gave %q", words, line, back)
		}
	})
}
