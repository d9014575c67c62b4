package unit

import (
	"errors"
	"strings"
	"testing"
)

var (
	long255     = strings.Repeat("a", 255)
	long256     = strings.Repeat("a", 256)
	deep4088    = strings.Repeat("/abcdefg", 511)
	deep4096    = strings.Repeat("/abcdefg", 512)
	escDeep4088 = strings.Repeat("-abcdefg", 511)
	escDeep4096 = strings.Repeat("-abcdefg", 512)
)

// escapeCase is one call of systemd-escape; ok is false where it fails.
// Modes: "escape" (no options), "path" (--path), "template"
// (--template=foo@.service), "pathtemplate" (--path --template=…),
// "unescape" (--unescape), "unpath" (--unescape --path), "untemplate"
// (--unescape --template=foo@.service), "unpathtemplate" (--unescape --path
// --template=…) and "uninstance" (--unescape --instance).
type escapeCase struct {
	mode, in, want string
	ok             bool
}

// systemdEscapeCases were recorded from systemd-escape of systemd 252.
var systemdEscapeCases = []escapeCase{
	{"escape", "", "", true},
	{"path", "", "-", true},
	{"template", "", "", false},
	{"pathtemplate", "", "foo@-.service", true},
	{"escape", "foo", "foo", true},
	{"path", "foo", "foo", true},
	{"template", "foo", "foo@foo.service", true},
	{"pathtemplate", "foo", "foo@foo.service", true},
	{"escape", "foo/bar", "foo-bar", true},
	{"path", "foo/bar", "foo-bar", true},
	{"template", "foo/bar", "foo@foo-bar.service", true},
	{"pathtemplate", "foo/bar", "foo@foo-bar.service", true},
	{"escape", "/foo/bar", "-foo-bar", true},
	{"path", "/foo/bar", "foo-bar", true},
	{"template", "/foo/bar", "foo@-foo-bar.service", true},
	{"pathtemplate", "/foo/bar", "foo@foo-bar.service", true},
	{"escape", "/foo/bar/", "-foo-bar-", true},
	{"path", "/foo/bar/", "foo-bar", true},
	{"template", "/foo/bar/", "foo@-foo-bar-.service", true},
	{"pathtemplate", "/foo/bar/", "foo@foo-bar.service", true},
	{"escape", "//foo//bar//", "--foo--bar--", true},
	{"path", "//foo//bar//", "foo-bar", true},
	{"template", "//foo//bar//", "foo@--foo--bar--.service", true},
	{"pathtemplate", "//foo//bar//", "foo@foo-bar.service", true},
	{"escape", "foo-bar", "foo\\x2dbar", true},
	{"path", "foo-bar", "foo\\x2dbar", true},
	{"template", "foo-bar", "foo@foo\\x2dbar.service", true},
	{"pathtemplate", "foo-bar", "foo@foo\\x2dbar.service", true},
	{"escape", "foo\\bar", "foo\\x5cbar", true},
	{"path", "foo\\bar", "foo\\x5cbar", true},
	{"template", "foo\\bar", "foo@foo\\x5cbar.service", true},
	{"pathtemplate", "foo\\bar", "foo@foo\\x5cbar.service", true},
	{"escape", ".foo", "\\x2efoo", true},
	{"path", ".foo", "\\x2efoo", true},
	{"template", ".foo", "foo@\\x2efoo.service", true},
	{"pathtemplate", ".foo", "foo@\\x2efoo.service", true},
	{"escape", "..", "\\x2e.", true},
	{"path", "..", "", false},
	{"template", "..", "foo@\\x2e..service", true},
	{"pathtemplate", "..", "", false},
	{"escape", ".", "\\x2e", true},
	{"path", ".", "", false},
	{"template", ".", "foo@\\x2e.service", true},
	{"pathtemplate", ".", "", false},
	{"escape", "/.", "-.", true},
	{"path", "/.", "-", true},
	{"template", "/.", "foo@-..service", true},
	{"pathtemplate", "/.", "foo@-.service", true},
	{"escape", "/..", "-..", true},
	{"path", "/..", "", false},
	{"template", "/..", "foo@-...service", true},
	{"pathtemplate", "/..", "", false},
	{"escape", "./foo", "\\x2e-foo", true},
	{"path", "./foo", "foo", true},
	{"template", "./foo", "foo@\\x2e-foo.service", true},
	{"pathtemplate", "./foo", "foo@foo.service", true},
	{"escape", "foo/./bar", "foo-.-bar", true},
	{"path", "foo/./bar", "foo-bar", true},
	{"template", "foo/./bar", "foo@foo-.-bar.service", true},
	{"pathtemplate", "foo/./bar", "foo@foo-bar.service", true},
	{"escape", "foo/../bar", "foo-..-bar", true},
	{"path", "foo/../bar", "", false},
	{"template", "foo/../bar", "foo@foo-..-bar.service", true},
	{"pathtemplate", "foo/../bar", "", false},
	{"escape", "/", "-", true},
	{"path", "/", "-", true},
	{"template", "/", "foo@-.service", true},
	{"pathtemplate", "/", "foo@-.service", true},
	{"escape", "//", "--", true},
	{"path", "//", "-", true},
	{"template", "//", "foo@--.service", true},
	{"pathtemplate", "//", "foo@-.service", true},
	{"escape", "///", "---", true},
	{"path", "///", "-", true},
	{"template", "///", "foo@---.service", true},
	{"pathtemplate", "///", "foo@-.service", true},
	{"escape", "a b", "a\\x20b", true},
	{"path", "a b", "a\\x20b", true},
	{"template", "a b", "foo@a\\x20b.service", true},
	{"pathtemplate", "a b", "foo@a\\x20b.service", true},
	{"escape", "ü", "\\xc3\\xbc", true},
	{"path", "ü", "\\xc3\\xbc", true},
	{"template", "ü", "foo@\\xc3\\xbc.service", true},
	{"pathtemplate", "ü", "foo@\\xc3\\xbc.service", true},
	{"escape", "tab\t", "tab\\x09", true},
	{"path", "tab\t", "tab\\x09", true},
	{"template", "tab\t", "foo@tab\\x09.service", true},
	{"pathtemplate", "tab\t", "foo@tab\\x09.service", true},
	{"escape", "a:b_c.d", "a:b_c.d", true},
	{"path", "a:b_c.d", "a:b_c.d", true},
	{"template", "a:b_c.d", "foo@a:b_c.d.service", true},
	{"pathtemplate", "a:b_c.d", "foo@a:b_c.d.service", true},
	{"escape", "@", "\\x40", true},
	{"path", "@", "\\x40", true},
	{"template", "@", "foo@\\x40.service", true},
	{"pathtemplate", "@", "foo@\\x40.service", true},
	{"escape", "a@b", "a\\x40b", true},
	{"path", "a@b", "a\\x40b", true},
	{"template", "a@b", "foo@a\\x40b.service", true},
	{"pathtemplate", "a@b", "foo@a\\x40b.service", true},
	{"escape", "%", "\\x25", true},
	{"path", "%", "\\x25", true},
	{"template", "%", "foo@\\x25.service", true},
	{"pathtemplate", "%", "foo@\\x25.service", true},
	{"escape", "-", "\\x2d", true},
	{"path", "-", "\\x2d", true},
	{"template", "-", "foo@\\x2d.service", true},
	{"pathtemplate", "-", "foo@\\x2d.service", true},
	{"escape", "--", "\\x2d\\x2d", true},
	{"path", "--", "\\x2d\\x2d", true},
	{"template", "--", "foo@\\x2d\\x2d.service", true},
	{"pathtemplate", "--", "foo@\\x2d\\x2d.service", true},
	{"escape", "/-", "-\\x2d", true},
	{"path", "/-", "\\x2d", true},
	{"template", "/-", "foo@-\\x2d.service", true},
	{"pathtemplate", "/-", "foo@\\x2d.service", true},
	{"escape", ".hidden/x", "\\x2ehidden-x", true},
	{"path", ".hidden/x", "\\x2ehidden-x", true},
	{"template", ".hidden/x", "foo@\\x2ehidden-x.service", true},
	{"pathtemplate", ".hidden/x", "foo@\\x2ehidden-x.service", true},
	{"escape", "/.hidden", "-.hidden", true},
	{"path", "/.hidden", "\\x2ehidden", true},
	{"template", "/.hidden", "foo@-.hidden.service", true},
	{"pathtemplate", "/.hidden", "foo@\\x2ehidden.service", true},
	{"escape", "a.", "a.", true},
	{"path", "a.", "a.", true},
	{"template", "a.", "foo@a..service", true},
	{"pathtemplate", "a.", "foo@a..service", true},
	{"escape", "a..b", "a..b", true},
	{"path", "a..b", "a..b", true},
	{"template", "a..b", "foo@a..b.service", true},
	{"pathtemplate", "a..b", "foo@a..b.service", true},
	{"escape", "x/.y", "x-.y", true},
	{"path", "x/.y", "x-.y", true},
	{"template", "x/.y", "foo@x-.y.service", true},
	{"pathtemplate", "x/.y", "foo@x-.y.service", true},
	{"escape", "\x01", "\\x01", true},
	{"path", "\x01", "\\x01", true},
	{"template", "\x01", "foo@\\x01.service", true},
	{"pathtemplate", "\x01", "foo@\\x01.service", true},
	{"escape", "~", "\\x7e", true},
	{"path", "~", "\\x7e", true},
	{"template", "~", "foo@\\x7e.service", true},
	{"pathtemplate", "~", "foo@\\x7e.service", true},
	{"escape", "*?[]", "\\x2a\\x3f\\x5b\\x5d", true},
	{"path", "*?[]", "\\x2a\\x3f\\x5b\\x5d", true},
	{"template", "*?[]", "foo@\\x2a\\x3f\\x5b\\x5d.service", true},
	{"pathtemplate", "*?[]", "foo@\\x2a\\x3f\\x5b\\x5d.service", true},
	{"escape", "$HOME", "\\x24HOME", true},
	{"path", "$HOME", "\\x24HOME", true},
	{"template", "$HOME", "foo@\\x24HOME.service", true},
	{"pathtemplate", "$HOME", "foo@\\x24HOME.service", true},
	{"escape", "'", "\\x27", true},
	{"path", "'", "\\x27", true},
	{"template", "'", "foo@\\x27.service", true},
	{"pathtemplate", "'", "foo@\\x27.service", true},
	{"escape", "\"", "\\x22", true},
	{"path", "\"", "\\x22", true},
	{"template", "\"", "foo@\\x22.service", true},
	{"pathtemplate", "\"", "foo@\\x22.service", true},
	{"escape", "/dev/sda1", "-dev-sda1", true},
	{"path", "/dev/sda1", "dev-sda1", true},
	{"template", "/dev/sda1", "foo@-dev-sda1.service", true},
	{"pathtemplate", "/dev/sda1", "foo@dev-sda1.service", true},
	{"escape", "/home/user name/.cache", "-home-user\\x20name-.cache", true},
	{"path", "/home/user name/.cache", "home-user\\x20name-.cache", true},
	{"template", "/home/user name/.cache", "foo@-home-user\\x20name-.cache.service", true},
	{"pathtemplate", "/home/user name/.cache", "foo@home-user\\x20name-.cache.service", true},
	{"escape", "/./", "-.-", true},
	{"path", "/./", "-", true},
	{"template", "/./", "foo@-.-.service", true},
	{"pathtemplate", "/./", "foo@-.service", true},
	{"escape", "./", "\\x2e-", true},
	{"path", "./", "", false},
	{"template", "./", "foo@\\x2e-.service", true},
	{"pathtemplate", "./", "", false},
	{"escape", "foo/.", "foo-.", true},
	{"path", "foo/.", "foo", true},
	{"template", "foo/.", "foo@foo-..service", true},
	{"pathtemplate", "foo/.", "foo@foo.service", true},
	{"escape", "foo/..", "foo-..", true},
	{"path", "foo/..", "", false},
	{"template", "foo/..", "foo@foo-...service", true},
	{"pathtemplate", "foo/..", "", false},
	{"escape", "/foo/./", "-foo-.-", true},
	{"path", "/foo/./", "foo", true},
	{"template", "/foo/./", "foo@-foo-.-.service", true},
	{"pathtemplate", "/foo/./", "foo@foo.service", true},
	{"escape", "...", "\\x2e..", true},
	{"path", "...", "\\x2e..", true},
	{"template", "...", "foo@\\x2e...service", true},
	{"pathtemplate", "...", "foo@\\x2e...service", true},
	{"escape", "/...", "-...", true},
	{"path", "/...", "\\x2e..", true},
	{"template", "/...", "foo@-....service", true},
	{"pathtemplate", "/...", "foo@\\x2e...service", true},
	{"escape", "a\\x2db", "a\\x5cx2db", true},
	{"path", "a\\x2db", "a\\x5cx2db", true},
	{"template", "a\\x2db", "foo@a\\x5cx2db.service", true},
	{"pathtemplate", "a\\x2db", "foo@a\\x5cx2db.service", true},
	{"escape", "Hello, World!", "Hello\\x2c\\x20World\\x21", true},
	{"path", "Hello, World!", "Hello\\x2c\\x20World\\x21", true},
	{"template", "Hello, World!", "foo@Hello\\x2c\\x20World\\x21.service", true},
	{"pathtemplate", "Hello, World!", "foo@Hello\\x2c\\x20World\\x21.service", true},
	{"escape", "/mnt/Windows (C:)", "-mnt-Windows\\x20\\x28C:\\x29", true},
	{"path", "/mnt/Windows (C:)", "mnt-Windows\\x20\\x28C:\\x29", true},
	{"template", "/mnt/Windows (C:)", "foo@-mnt-Windows\\x20\\x28C:\\x29.service", true},
	{"pathtemplate", "/mnt/Windows (C:)", "foo@mnt-Windows\\x20\\x28C:\\x29.service", true},
	{"escape", "\x7f", "\\x7f", true},
	{"path", "\x7f", "\\x7f", true},
	{"template", "\x7f", "foo@\\x7f.service", true},
	{"pathtemplate", "\x7f", "foo@\\x7f.service", true},
	{"escape", "\xff", "\\xff", true},
	{"path", "\xff", "\\xff", true},
	{"template", "\xff", "foo@\\xff.service", true},
	{"pathtemplate", "\xff", "foo@\\xff.service", true},
	{"escape", "/" + long255, "-" + long255, true},
	{"path", "/" + long255, long255, true},
	{"template", "/" + long255, "", false},
	{"pathtemplate", "/" + long255, "", false},
	{"escape", "/" + long256, "-" + long256, true},
	{"path", "/" + long256, "", false},
	{"template", "/" + long256, "", false},
	{"pathtemplate", "/" + long256, "", false},
	{"escape", long256, long256, true},
	{"path", long256, "", false},
	{"template", long256, "", false},
	{"pathtemplate", long256, "", false},
	{"escape", deep4088, escDeep4088, true},
	{"path", deep4088, escDeep4088[1:], true},
	{"template", deep4088, "", false},
	{"pathtemplate", deep4088, "", false},
	{"escape", deep4096, escDeep4096, true},
	{"path", deep4096, "", false},
	{"template", deep4096, "", false},
	{"pathtemplate", deep4096, "", false},
	{"escape", "/" + long256 + "/x", "-" + long256 + "-x", true},
	{"path", "/" + long256 + "/x", "", false},
	{"template", "/" + long256 + "/x", "", false},
	{"pathtemplate", "/" + long256 + "/x", "", false},
	{"escape", "./" + long256, "\\x2e-" + long256, true},
	{"path", "./" + long256, "", false},
	{"template", "./" + long256, "", false},
	{"pathtemplate", "./" + long256, "", false},
	{"escape", ".//" + long256 + "//x", "\\x2e--" + long256 + "--x", true},
	{"path", ".//" + long256 + "//x", "", false},
	{"template", ".//" + long256 + "//x", "", false},
	{"pathtemplate", ".//" + long256 + "//x", "", false},
	{"unescape", "", "", true},
	{"unpath", "", "", false},
	{"unescape", "foo", "foo", true},
	{"unpath", "foo", "/foo", true},
	{"unescape", "foo-bar", "foo/bar", true},
	{"unpath", "foo-bar", "/foo/bar", true},
	{"unescape", "\\x2d", "-", true},
	{"unpath", "\\x2d", "/-", true},
	{"unescape", "\\x2D", "-", true},
	{"unpath", "\\x2D", "/-", true},
	{"unescape", "\\xZZ", "", false},
	{"unpath", "\\xZZ", "", false},
	{"unescape", "\\x2", "", false},
	{"unpath", "\\x2", "", false},
	{"unescape", "\\x", "", false},
	{"unpath", "\\x", "", false},
	{"unescape", "\\", "", false},
	{"unpath", "\\", "", false},
	{"unescape", "\\y", "", false},
	{"unpath", "\\y", "", false},
	{"unescape", "a\\x00b", "a", true},
	{"unpath", "a\\x00b", "/a", true},
	{"unescape", "-", "/", true},
	{"unpath", "-", "/", true},
	{"unescape", "--", "//", true},
	{"unpath", "--", "", false},
	{"unescape", "foo\\x2fbar", "foo/bar", true},
	{"unpath", "foo\\x2fbar", "/foo/bar", true},
	{"unescape", "ü", "ü", true},
	{"unpath", "ü", "/ü", true},
	{"unescape", "a b", "a b", true},
	{"unpath", "a b", "/a b", true},
	{"unescape", "foo-", "foo/", true},
	{"unpath", "foo-", "", false},
	{"unescape", "-foo", "/foo", true},
	{"unpath", "-foo", "", false},
	{"unescape", "foo--bar", "foo//bar", true},
	{"unpath", "foo--bar", "", false},
	{"unescape", "foo-.-bar", "foo/./bar", true},
	{"unpath", "foo-.-bar", "", false},
	{"unescape", "foo-..-bar", "foo/../bar", true},
	{"unpath", "foo-..-bar", "", false},
	{"unescape", "\\x2efoo", ".foo", true},
	{"unpath", "\\x2efoo", "/.foo", true},
	{"unescape", ".", ".", true},
	{"unpath", ".", "", false},
	{"unescape", "..", "..", true},
	{"unpath", "..", "", false},
	{"unescape", "foo-.", "foo/.", true},
	{"unpath", "foo-.", "", false},
	{"unescape", "dev-sda1", "dev/sda1", true},
	{"unpath", "dev-sda1", "/dev/sda1", true},
	{"unescape", "home-user\\x20name-.cache", "home/user name/.cache", true},
	{"unpath", "home-user\\x20name-.cache", "/home/user name/.cache", true},
	{"unescape", "\\x2e\\x2e", "..", true},
	{"unpath", "\\x2e\\x2e", "", false},
	{"unescape", "a\\x2f\\x2fb", "a//b", true},
	{"unpath", "a\\x2f\\x2fb", "", false},
	{"unescape", "a-\\x00", "a/", true},
	{"unpath", "a-\\x00", "", false},
	{"unescape", "\\x00", "", true},
	{"unpath", "\\x00", "/", true},
	{"unescape", "\\x2f", "/", true},
	{"unpath", "\\x2f", "", false},
	{"unescape", "a@b", "a@b", true},
	{"unpath", "a@b", "/a@b", true},
	{"unescape", "%", "%", true},
	{"unpath", "%", "/%", true},
	{"unescape", "\\xc3\\xbc", "ü", true},
	{"unpath", "\\xc3\\xbc", "/ü", true},
	{"unescape", "foo@bar.service", "foo@bar.service", true},
	{"unpath", "foo@bar.service", "/foo@bar.service", true},
	{"unescape", "-.mount", "/.mount", true},
	{"unpath", "-.mount", "", false},
	{"unescape", "x\\x2d-y", "x-/y", true},
	{"unpath", "x\\x2d-y", "/x-/y", true},
	{"unescape", long256, long256, true},
	{"unpath", long256, "", false},
	{"untemplate", "foo@bar.service", "bar", true},
	{"unpathtemplate", "foo@bar.service", "/bar", true},
	{"uninstance", "foo@bar.service", "bar", true},
	{"untemplate", "foo@.service", "", false},
	{"unpathtemplate", "foo@.service", "", false},
	{"uninstance", "foo@.service", "", false},
	{"untemplate", "bar@x.service", "", false},
	{"unpathtemplate", "bar@x.service", "", false},
	{"uninstance", "bar@x.service", "x", true},
	{"untemplate", "foo@a-b.service", "a/b", true},
	{"unpathtemplate", "foo@a-b.service", "/a/b", true},
	{"uninstance", "foo@a-b.service", "a/b", true},
	{"untemplate", "foo@\\x2d.service", "-", true},
	{"unpathtemplate", "foo@\\x2d.service", "/-", true},
	{"uninstance", "foo@\\x2d.service", "-", true},
	{"untemplate", "foo.service", "", false},
	{"unpathtemplate", "foo.service", "", false},
	{"uninstance", "foo.service", "", false},
	{"untemplate", "foo@bar.socket", "", false},
	{"unpathtemplate", "foo@bar.socket", "", false},
	{"uninstance", "foo@bar.socket", "bar", true},
	{"untemplate", "foo@dev-sda.service", "dev/sda", true},
	{"unpathtemplate", "foo@dev-sda.service", "/dev/sda", true},
	{"uninstance", "foo@dev-sda.service", "dev/sda", true},
	{"untemplate", "foo@a@b.service", "a@b", true},
	{"unpathtemplate", "foo@a@b.service", "/a@b", true},
	{"uninstance", "foo@a@b.service", "a@b", true},
	{"untemplate", "foo@-.service", "/", true},
	{"unpathtemplate", "foo@-.service", "/", true},
	{"uninstance", "foo@-.service", "/", true},
	{"untemplate", "foo@\\xzz.service", "", false},
	{"unpathtemplate", "foo@\\xzz.service", "", false},
	{"uninstance", "foo@\\xzz.service", "", false},
	{"untemplate", "@x.service", "", false},
	{"unpathtemplate", "@x.service", "", false},
	{"uninstance", "@x.service", "", false},
	{"untemplate", "x", "", false},
	{"unpathtemplate", "x", "", false},
	{"uninstance", "x", "", false},
}

// runEscapeCase does what systemd-escape does in c's mode, with pm's
// functions.
func runEscapeCase(c escapeCase) (string, error) {
	tmpl, _ := ParseName("foo@.service")
	switch c.mode {
	case "escape":
		return Escape(c.in), nil
	case "path":
		return EscapePath(c.in)
	case "template", "pathtemplate":
		e := Escape(c.in)
		if c.mode == "pathtemplate" {
			var err error
			if e, err = EscapePath(c.in); err != nil {
				return "", err
			}
		}
		if s := tmpl.WithInstance(e); s != "" {
			return s, nil
		}
		return "", errors.New("cannot replace instance")
	case "unescape":
		return Unescape(c.in)
	case "unpath":
		return UnescapePath(c.in)
	}
	n, err := ParseName(c.in)
	if err != nil {
		return "", err
	}
	if n.Instance == "" {
		return "", errors.New("no instance")
	}
	if c.mode != "uninstance" && n.TemplateName() != tmpl.String() {
		return "", errors.New("template mismatch")
	}
	if c.mode == "unpathtemplate" {
		return UnescapePath(n.Instance)
	}
	return Unescape(n.Instance)
}

func TestSystemdEscape(t *testing.T) {
	for _, c := range systemdEscapeCases {
		name := c.mode + "/" + c.in
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			got, err := runEscapeCase(c)
			if (err == nil) != c.ok {
				t.Fatalf("%s %q: got error %v, want ok=%v", c.mode, c.in, err, c.ok)
			}
			if err == nil && got != c.want {
				t.Errorf("%s %q: got %q, want %q", c.mode, c.in, got, c.want)
			}
			switch c.mode {
			case "path", "unescape", "unpath":
				if err != nil && !errors.Is(err, ErrBadValue) {
					t.Errorf("%s %q: error %v does not wrap ErrBadValue", c.mode, c.in, err)
				}
			}
		})
	}
}

func TestSimplifyPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"/", "/"},
		{"//", "/"},
		{"///foo//./bar/.", "/foo/bar"},
		{".//./foo//./bar/.", "foo/bar"},
		{".", "."},
		{"./", "."},
		{"./.", "."},
		{"/./", "/"},
		{"foo/../bar/", "foo/../bar"},
		{"/.foo/..bar/", "/.foo/..bar"},
		{"a/" + long256 + "//b", "a/" + long256 + "//b"},
		{"//x/" + long256 + "/./y", "/x/" + long256 + "/./y"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := simplifyPath(tt.in); got != tt.want {
				t.Errorf("simplifyPath(%q): got %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPathNormalized(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"/", true},
		{"/foo/bar", true},
		{"foo", true},
		{"", false},
		{".", false},
		{"./foo", false},
		{"/foo/.", false},
		{"/foo/./bar", false},
		{"/foo//bar", false},
		{"/foo/..", false},
		{"/..foo", true},
		{"/" + long255, true},
		{"/" + long256, false},
		{deep4088, true},
		{deep4096, false},
	}
	for _, tt := range tests {
		name := tt.in
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			if got := pathNormalized(tt.in); got != tt.want {
				t.Errorf("pathNormalized(%q): got %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestEscapeRoundTrip(t *testing.T) {
	for _, s := range []string{"", "foo", "/foo/bar", "a-b\\c", ".dot", "ü/x y", "\x41", "%i"} {
		t.Run(s, func(t *testing.T) {
			got, err := Unescape(Escape(s))
			if err != nil || got != s {
				t.Errorf("Unescape(Escape(%q)): got %q, %v, want %q", s, got, err, s)
			}
		})
	}
	for _, p := range []string{"/", "/foo", "/foo/bar-baz", "/.hidden/x", "/a b/ü"} {
		t.Run("path"+p, func(t *testing.T) {
			e, err := EscapePath(p)
			if err != nil {
				t.Fatalf("EscapePath(%q): %v", p, err)
			}
			got, err := UnescapePath(e)
			if err != nil || got != p {
				t.Errorf("UnescapePath(%q): got %q, %v, want %q", e, got, err, p)
			}
		})
	}
}
