package manager

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
)

// Matching helpers for conditions and EnvironmentFile= globs: fnmatch(3)
// and glob(3) as glibc implements them (path/filepath.Match lets '*' match
// a leading dot and has no brace expansion), systemd's version comparison
// and its comparison operators.

// condMatchFlags are fnmatch(3) flags.
type condMatchFlags uint

const (
	// condFNMPathname: wildcards and bracket expressions never match '/'.
	condFNMPathname condMatchFlags = 1 << iota
	// condFNMPeriod: a leading '.' (at the start, or after '/' with
	// condFNMPathname) must be matched by a literal '.'.
	condFNMPeriod
	// condFNMCasefold: match case-insensitively.
	condFNMCasefold
)

// condFnmatch reports whether name matches the shell pattern as glibc's
// fnmatch does: '*', '?', bracket expressions with ranges, negation ('!'
// or '^') and character classes, and backslash escapes. A '[' without a
// closing ']' matches itself.
func condFnmatch(pattern, name string, flags condMatchFlags) bool {
	p, n := []rune(pattern), []rune(name)
	leading := func(i int) bool {
		return flags&condFNMPeriod != 0 && n[i] == '.' &&
			(i == 0 || (flags&condFNMPathname != 0 && n[i-1] == '/'))
	}
	wild := func(i int) bool { // may a wildcard match n[i]?
		return !(flags&condFNMPathname != 0 && n[i] == '/') && !leading(i)
	}
	pi, ni := 0, 0
	starP, starN := -1, -1
	for {
		if pi < len(p) {
			switch c := p[pi]; c {
			case '*':
				// A leading period must be matched by a literal '.'
				// right here; the star may not even match empty.
				if ni < len(n) && leading(ni) {
					break
				}
				for pi < len(p) && p[pi] == '*' {
					pi++
				}
				starP, starN = pi, ni
				continue
			case '?':
				if ni < len(n) && wild(ni) {
					pi, ni = pi+1, ni+1
					continue
				}
			case '[':
				end, ok := condBracket(p, pi, n, ni, flags)
				if end < 0 {
					return false // a malformed [.x.] or [=x=]
				}
				if end > 0 {
					if ok && ni < len(n) && wild(ni) {
						pi, ni = end, ni+1
						continue
					}
					break
				}
				if ni < len(n) && condRuneEq(c, n[ni], flags) {
					pi, ni = pi+1, ni+1
					continue
				}
			default:
				if c == '\\' {
					if pi+1 == len(p) {
						return false // a trailing backslash matches nothing
					}
					pi++
					c = p[pi]
				}
				if ni < len(n) && condRuneEq(c, n[ni], flags) {
					pi, ni = pi+1, ni+1
					continue
				}
			}
		} else if ni == len(n) {
			return true
		}
		// Mismatch: let the last '*' take one more character.
		if starP < 0 || starN >= len(n) || !wild(starN) {
			return false
		}
		starN++
		pi, ni = starP, starN
	}
}

func condRuneEq(a, b rune, flags condMatchFlags) bool {
	if flags&condFNMCasefold != 0 {
		return unicode.ToLower(a) == unicode.ToLower(b)
	}
	return a == b
}

// condBracket parses the bracket expression at p[pi] ('[') and tests n[ni]
// against it. end is the index after the closing ']', 0 when the
// expression is not closed (then '[' is an ordinary character), or -1
// when a collating symbol or equivalence class in it is malformed (then
// glibc matches nothing). Those two are supported for single characters
// only ("[[.a.]]", "[[=a=]]").
func condBracket(p []rune, pi int, n []rune, ni int, flags condMatchFlags) (end int, ok bool) {
	i := pi + 1
	negate := false
	if i < len(p) && (p[i] == '!' || p[i] == '^') {
		negate = true
		i++
	}
	var c rune = -1
	if ni < len(n) {
		c = n[ni]
	}
	match := false
	first := true
	for {
		if i >= len(p) {
			return 0, false
		}
		r := p[i]
		if r == ']' && !first {
			i++
			break
		}
		first = false
		if r == '[' && i+1 < len(p) && p[i+1] == ':' {
			if j := condIndexRunes(p, i+2, ":]"); j >= 0 {
				if condClass(string(p[i+2:j]), c, flags) {
					match = true
				}
				i = j + 2
				continue
			}
		}
		switch {
		case r == '[' && i+1 < len(p) && (p[i+1] == '.' || p[i+1] == '='):
			if j := condIndexRunes(p, i+2, string(p[i+1])+"]"); j == i+3 {
				r = p[i+2]
				i = j + 1 // the symbol's closing ']', skipped below
			} else if p[i+1] == '.' {
				return -1, false
			} // a '[' not starting a proper [=x=] is itself
		case r == '\\' && i+1 < len(p):
			i++
			r = p[i]
		}
		i++
		lo, hi := r, r
		if i+1 < len(p) && p[i] == '-' && p[i+1] != ']' {
			hi = p[i+1]
			i += 2
			if hi == '\\' && i < len(p) {
				hi = p[i]
				i++
			}
		}
		if c >= 0 && condInRange(c, lo, hi, flags) {
			match = true
		}
	}
	if c == '/' && flags&condFNMPathname != 0 {
		return i, false
	}
	return i, match != negate
}

// condInRange tests c against lo-hi; with condFNMCasefold all three are
// folded to lower case first, as glibc does.
func condInRange(c, lo, hi rune, flags condMatchFlags) bool {
	if flags&condFNMCasefold != 0 {
		c, lo, hi = unicode.ToLower(c), unicode.ToLower(lo), unicode.ToLower(hi)
	}
	return lo <= c && c <= hi
}

func condIndexRunes(p []rune, from int, sub string) int {
	s := []rune(sub)
	for i := from; i+len(s) <= len(p); i++ {
		if string(p[i:i+len(s)]) == sub {
			return i
		}
	}
	return -1
}

// condClass tests c against a POSIX character class ([:alpha:] …) in the
// C locale; an unknown class matches nothing.
func condClass(name string, c rune, flags condMatchFlags) bool {
	if c < 0 || c > unicode.MaxASCII {
		return false
	}
	b := byte(c)
	isUpper, isLower := b >= 'A' && b <= 'Z', b >= 'a' && b <= 'z'
	isDigit := b >= '0' && b <= '9'
	switch name {
	case "alpha":
		return isUpper || isLower
	case "upper":
		return isUpper || (flags&condFNMCasefold != 0 && isLower)
	case "lower":
		return isLower || (flags&condFNMCasefold != 0 && isUpper)
	case "digit":
		return isDigit
	case "alnum":
		return isUpper || isLower || isDigit
	case "xdigit":
		return isDigit || (b|0x20 >= 'a' && b|0x20 <= 'f')
	case "space":
		return b == ' ' || (b >= '\t' && b <= '\r')
	case "blank":
		return b == ' ' || b == '\t'
	case "punct":
		return b > ' ' && b < 0x7f && !(isUpper || isLower || isDigit)
	case "print":
		return b >= ' ' && b < 0x7f
	case "graph":
		return b > ' ' && b < 0x7f
	case "cntrl":
		return b < ' ' || b == 0x7f
	}
	return false
}

// condHasGlob reports whether s has glob(3) metacharacters.
func condHasGlob(s string) bool { return strings.ContainsAny(s, "*?[") }

// condGlob expands an absolute pattern as glibc's glob(3) does (systemd's
// safe_glob, with brace expansion when brace is set): '*' and '?' do not
// match a leading '.', "." and ".." are never matched, a pattern without
// wildcards yields the path if it exists (lstat), and results are sorted.
// Directories that cannot be read are skipped.
func condGlob(pattern string, brace bool) []string {
	patterns := []string{pattern}
	if brace {
		patterns = condBraceExpand(pattern)
	}
	var out []string
	for _, p := range patterns {
		var found []string
		condGlobInto(p, &found)
		sort.Strings(found)
		out = append(out, found...)
	}
	return out
}

func condGlobInto(pattern string, out *[]string) {
	if !condHasGlob(pattern) {
		p := condUnescape(pattern)
		if _, err := os.Lstat(p); err == nil {
			*out = append(*out, p)
		}
		return
	}
	dir, file := filepath.Split(pattern)
	dir = strings.TrimSuffix(dir, "/")
	if dir == "" && strings.HasPrefix(pattern, "/") {
		dir = "/"
	}
	var dirs []string
	switch {
	case dir == "" || dir == "/":
		dirs = []string{dir}
	case condHasGlob(dir):
		condGlobInto(dir, &dirs)
	default:
		dirs = []string{condUnescape(dir)}
	}
	for _, d := range dirs {
		if file == "" { // a trailing slash: directories only
			if fi, err := os.Stat(d); err == nil && fi.IsDir() {
				*out = append(*out, d+"/")
			}
			continue
		}
		if !condHasGlob(file) {
			p := filepath.Join(d, condUnescape(file))
			if _, err := os.Lstat(p); err == nil {
				*out = append(*out, p)
			}
			continue
		}
		read := d
		if read == "" {
			read = "."
		}
		entries, err := os.ReadDir(read)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if condFnmatch(file, e.Name(), condFNMPathname|condFNMPeriod) {
				*out = append(*out, filepath.Join(d, e.Name()))
			}
		}
	}
}

// condUnescape removes the backslashes of a glob pattern without wildcards.
func condUnescape(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// condBraceExpand expands {a,b} alternatives (nested ones too) as glibc's
// GLOB_BRACE; an unbalanced brace is an ordinary character.
func condBraceExpand(s string) []string {
	open := -1
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] == '{' {
			open = i
			break
		}
	}
	if open < 0 {
		return []string{s}
	}
	depth, closeAt := 0, -1
	var commas []int
	for i := open; i < len(s) && closeAt < 0; i++ {
		switch s[i] {
		case '\\':
			i++
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				closeAt = i
			}
		case ',':
			if depth == 1 {
				commas = append(commas, i)
			}
		}
	}
	if closeAt < 0 {
		return []string{s}
	}
	prefix, suffix := s[:open], s[closeAt+1:]
	var out []string
	start := open + 1
	for _, c := range append(commas, closeAt) {
		out = append(out, condBraceExpand(prefix+s[start:c]+suffix)...)
		start = c + 1
	}
	return out
}

// condVersionCompare is systemd's strverscmp_improved: versions split into
// numeric and alphabetic segments; '~' sorts before everything (even the
// end), '-' before '^' before '.', more segments are newer, other
// characters only separate segments. It returns -1, 0 or 1.
func condVersionCompare(a, b string) int {
	valid := func(c byte) bool {
		return condIsDigit(c) || condIsAlpha(c) || c == '~' || c == '-' || c == '^' || c == '.'
	}
	at := func(s string, i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	cmpBool := func(x, y bool) int {
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	}
	i, j := 0, 0
	for {
		for i < len(a) && !valid(a[i]) {
			i++
		}
		for j < len(b) && !valid(b[j]) {
			j++
		}
		for _, sep := range []byte{'~', 0, '-', '^', '.'} {
			if sep == 0 {
				// One string at its end: the longer is newer (after '~').
				if i >= len(a) || j >= len(b) {
					return cmpBool(i < len(a), j < len(b))
				}
				continue
			}
			if at(a, i) == sep || at(b, j) == sep {
				if r := cmpBool(at(a, i) != sep, at(b, j) != sep); r != 0 {
					return r
				}
				i, j = i+1, j+1
			}
		}
		if condIsDigit(at(a, i)) || condIsDigit(at(b, j)) {
			ea, eb := i, j
			for ea < len(a) && condIsDigit(a[ea]) {
				ea++
			}
			for eb < len(b) && condIsDigit(b[eb]) {
				eb++
			}
			if r := cmpBool(ea > i, eb > j); r != 0 {
				return r
			}
			for i < ea && a[i] == '0' {
				i++
			}
			for j < eb && b[j] == '0' {
				j++
			}
			if r := condCmp(ea-i, eb-j); r != 0 {
				return r
			}
			if r := strings.Compare(a[i:ea], b[j:eb]); r != 0 {
				return r
			}
			i, j = ea, eb
			continue
		}
		ea, eb := i, j
		for ea < len(a) && condIsAlpha(a[ea]) {
			ea++
		}
		for eb < len(b) && condIsAlpha(b[eb]) {
			eb++
		}
		n := min(ea-i, eb-j)
		if r := strings.Compare(a[i:i+n], b[j:j+n]); r != 0 {
			return r
		}
		if r := condCmp(ea-i, eb-j); r != 0 {
			return r
		}
		i, j = ea, eb
	}
}

func condIsDigit(c byte) bool { return c >= '0' && c <= '9' }
func condIsAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func condCmp[T int | uint64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// condOp is one of systemd's comparison operators.
type condOp int

const (
	condOpNone condOp = iota
	condOpStringEqual
	condOpStringUnequal
	condOpFnmatchEqual
	condOpFnmatchUnequal
	condOpLower
	condOpLowerOrEqual
	condOpEqual
	condOpUnequal
	condOpGreaterOrEqual
	condOpGreater
)

// condOpFlags select which operators condParseOp accepts.
type condOpFlags uint

const (
	// condOpAllowFnmatch accepts "$=" and "!$=".
	condOpAllowFnmatch condOpFlags = 1 << iota
	// condOpEqualByString makes "=" and "!=" string comparisons.
	condOpEqualByString
)

// condOpTable is in systemd's order of checking: longer operators first.
var condOpTable = []struct {
	op    condOp
	s     string
	valid condOpFlags // the operator is an error without these flags
	need  condOpFlags // the entry is skipped without these flags
}{
	{condOpFnmatchEqual, "$=", condOpAllowFnmatch, 0},
	{condOpFnmatchUnequal, "!$=", condOpAllowFnmatch, 0},
	{condOpUnequal, "<>", 0, 0},
	{condOpLowerOrEqual, "<=", 0, 0},
	{condOpGreaterOrEqual, ">=", 0, 0},
	{condOpLower, "<", 0, 0},
	{condOpGreater, ">", 0, 0},
	{condOpEqual, "==", 0, 0},
	{condOpStringEqual, "=", 0, condOpEqualByString},
	{condOpEqual, "=", 0, 0},
	{condOpStringUnequal, "!=", 0, condOpEqualByString},
	{condOpUnequal, "!=", 0, 0},
}

// condParseOp is systemd's parse_compare_operator: the operator at the
// start of s and the rest of s, or condOpNone and s unchanged.
func condParseOp(s string, flags condOpFlags) (condOp, string) {
	for _, e := range condOpTable {
		if e.need != 0 && flags&e.need != e.need {
			continue
		}
		if rest, ok := strings.CutPrefix(s, e.s); ok {
			if e.valid != 0 && flags&e.valid != e.valid {
				return condOpNone, s
			}
			return e.op, rest
		}
	}
	return condOpNone, s
}

// condTestOrder applies an order operator to a comparison result.
func condTestOrder(k int, op condOp) (bool, error) {
	switch op {
	case condOpLower:
		return k < 0, nil
	case condOpLowerOrEqual:
		return k <= 0, nil
	case condOpEqual:
		return k == 0, nil
	case condOpUnequal:
		return k != 0, nil
	case condOpGreaterOrEqual:
		return k >= 0, nil
	case condOpGreater:
		return k > 0, nil
	}
	return false, errCondBadParameter
}

// condVersionOrFnmatch is systemd's version_or_fnmatch_compare: string
// operators compare exactly, "$=" and "!$=" match the glob b against a,
// order operators compare versions.
func condVersionOrFnmatch(op condOp, a, b string) (bool, error) {
	switch op {
	case condOpStringEqual:
		return a == b, nil
	case condOpStringUnequal:
		return a != b, nil
	case condOpFnmatchEqual:
		return condFnmatch(b, a, 0), nil
	case condOpFnmatchUnequal:
		return !condFnmatch(b, a, 0), nil
	}
	return condTestOrder(condVersionCompare(a, b), op)
}

// errCondBadParameter marks a condition parameter systemd cannot parse;
// the condition then counts as failed.
var errCondBadParameter = errors.New("invalid condition parameter")
