package install

import "strings"

// Path helpers with systemd's semantics (src/basic/path-util.c): "." and
// repeated slashes do not count, ".." is kept as it is.

// components splits a path into its components, dropping empty and "."
// ones.
func components(p string) []string {
	var out []string
	for _, c := range strings.Split(p, "/") {
		if c != "" && c != "." {
			out = append(out, c)
		}
	}
	return out
}

// simplify is systemd's path_simplify.
func simplify(p string) string {
	if p == "" {
		return p
	}
	s := strings.Join(components(p), "/")
	if strings.HasPrefix(p, "/") {
		return "/" + s
	}
	if s == "" {
		return "."
	}
	return s
}

// pathEqual is systemd's path_equal.
func pathEqual(a, b string) bool { return simplify(a) == simplify(b) }

// startsWith is systemd's path_startswith: if p is prefix or below it, it
// returns what follows prefix, without leading slashes, and true.
func startsWith(p, prefix string) (string, bool) {
	if strings.HasPrefix(p, "/") != strings.HasPrefix(prefix, "/") {
		return "", false
	}
	pc, xc := components(p), components(prefix)
	if len(xc) > len(pc) {
		return "", false
	}
	for i := range xc {
		if pc[i] != xc[i] {
			return "", false
		}
	}
	return strings.Join(pc[len(xc):], "/"), true
}

// startsWithAny is systemd's path_startswith_strv.
func startsWithAny(p string, prefixes []string) bool {
	for _, x := range prefixes {
		if _, ok := startsWith(p, x); ok {
			return true
		}
	}
	return false
}

// containsPath is systemd's path_strv_contains.
func containsPath(list []string, p string) bool {
	for _, x := range list {
		if pathEqual(x, p) {
			return true
		}
	}
	return false
}

// join joins path parts with single slashes, as systemd's path_join.
func join(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			if strings.HasSuffix(b.String(), "/") {
				p = strings.TrimLeft(p, "/")
			} else if !strings.HasPrefix(p, "/") {
				b.WriteByte('/')
			}
		}
		b.WriteString(p)
	}
	return b.String()
}

// isAbs reports whether p is absolute.
func isAbs(p string) bool { return strings.HasPrefix(p, "/") }

// isPath reports whether s contains a slash (systemd's is_path).
func isPath(s string) bool { return strings.Contains(s, "/") }

// baseName is the last component of p, as glibc's basename (the text after
// the last slash).
func baseName(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// dirName is systemd's path_extract_directory: the path without its last
// component; false when there is no directory part.
func dirName(p string) (string, bool) {
	c := components(p)
	if len(c) == 0 || (len(c) == 1 && !isAbs(p)) {
		return "", false
	}
	d := strings.Join(c[:len(c)-1], "/")
	if isAbs(p) {
		return "/" + d, true
	}
	return d, true
}

// makeAbsolute is systemd's path_make_absolute: p itself when absolute,
// else prefix/p.
func makeAbsolute(p, prefix string) string {
	if isAbs(p) {
		return p
	}
	return join(prefix, p)
}
