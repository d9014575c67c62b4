package install

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pm-project/pm/unit"
)

func TestFnmatch(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"*", "foo.service", true},
		{"*.service", "foo.service", true},
		{"*.service", "foo.socket", false},
		{"f*", "foo.service", true},
		{"f*e", "foo.service", true},
		{"f*x", "foo.service", false},
		{"?oo.service", "foo.service", true},
		{"?", "", false},
		{"", "", true},
		{"", "a", false},
		{"*a*b*", "xaybz", true},
		{"*a*b*", "xbya", false},
		{"[a-c]*", "bar", true},
		{"[a-c]*", "Bar", false},
		{"[!a-c]*", "dar", true},
		{"[^a-c]*", "bar", false},
		{"[]]x", "]x", true},
		{"[!]]x", "ax", true},
		{"[a-]x", "-x", true},
		{"[[:digit:]]*", "1a", true},
		{"[[:upper:][:digit:]]*", "Ba", true},
		{"[[:alpha:]]", "1", false},
		{"[abc", "[abc", true},
		{"[abc", "a", false},
		{`\*`, `\x`, true},
		{`a\`, `a\`, true},
		{"*/x", "a/b/x", true},
		{".*", ".hidden", true},
	}
	for _, tt := range tests {
		if got := fnmatch(tt.pattern, tt.name); got != tt.want {
			t.Errorf("fnmatch(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

func TestPaths(t *testing.T) {
	simplifyTests := []struct{ in, want string }{
		{"", ""}, {"/", "/"}, {"//a//b/", "/a/b"}, {"/./a/./b/.", "/a/b"},
		{"a/../b", "a/../b"}, {"./", "."}, {".//./foo//./bar/.", "foo/bar"},
	}
	for _, tt := range simplifyTests {
		if got := simplify(tt.in); got != tt.want {
			t.Errorf("simplify(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	startTests := []struct {
		p, prefix, rest string
		ok              bool
	}{
		{"/a/b/c", "/a/b", "c", true},
		{"/a/b", "/a/b", "", true},
		{"/a/bc", "/a/b", "", false},
		{"/a//b/./c", "/a/b/", "c", true},
		{"a/b", "/a", "", false},
		{"/x", "/", "x", true},
	}
	for _, tt := range startTests {
		rest, ok := startsWith(tt.p, tt.prefix)
		if rest != tt.rest || ok != tt.ok {
			t.Errorf("startsWith(%q, %q) = %q, %v; want %q, %v", tt.p, tt.prefix, rest, ok, tt.rest, tt.ok)
		}
	}
	joinTests := []struct {
		parts []string
		want  string
	}{
		{[]string{"/a", "b"}, "/a/b"},
		{[]string{"/a/", "/b"}, "/a/b"},
		{[]string{"/", "/usr/x"}, "/usr/x"},
		{[]string{"", "x"}, "x"},
		{[]string{"/a", ""}, "/a"},
	}
	for _, tt := range joinTests {
		if got := join(tt.parts...); got != tt.want {
			t.Errorf("join(%q) = %q, want %q", tt.parts, got, tt.want)
		}
	}
	dirTests := []struct {
		p, want string
		ok      bool
	}{
		{"/a/b", "/a", true}, {"/a", "/", true}, {"a/b/", "a", true}, {"a", "", false}, {"/", "", false},
	}
	for _, tt := range dirTests {
		got, ok := dirName(tt.p)
		if got != tt.want || ok != tt.ok {
			t.Errorf("dirName(%q) = %q, %v; want %q, %v", tt.p, got, ok, tt.want, tt.ok)
		}
	}
	l := &Lookup{Root: "/r"}
	skipTests := []struct {
		p, want string
		ok      bool
	}{
		{"/r/etc/x", "/etc/x", true}, {"/r//etc", "/etc", true}, {"/r", "", false}, {"/rx/etc", "", false}, {"/etc", "", false},
	}
	for _, tt := range skipTests {
		got, ok := l.skipRoot(tt.p)
		if got != tt.want || ok != tt.ok {
			t.Errorf("skipRoot(%q) = %q, %v; want %q, %v", tt.p, got, ok, tt.want, tt.ok)
		}
	}
}

func TestChase(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"usr/lib/systemd/system", "etc/systemd/system", "real"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"lib":                               "usr/lib",
		"etc/systemd/system/abs.service":    "/usr/lib/systemd/system/foo.service",
		"etc/systemd/system/rel.service":    "../../../usr/lib/systemd/system/foo.service",
		"etc/systemd/system/escape.service": "../../../../../../../real/x",
		"etc/systemd/system/loop.service":   "loop.service",
		"etc/systemd/system/null.service":   "/dev/null",
	}
	for p, target := range links {
		if err := os.Symlink(target, filepath.Join(root, p)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "usr/lib/systemd/system/foo.service"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		path   string
		flags  chaseFlags
		want   string
		exists bool
		code   int
	}{
		{"directory symlink", root + "/lib/systemd/system/foo.service", 0, root + "/usr/lib/systemd/system/foo.service", true, 0},
		{"absolute link in root", root + "/etc/systemd/system/abs.service", 0, root + "/usr/lib/systemd/system/foo.service", true, 0},
		{"relative link", root + "/etc/systemd/system/rel.service", 0, root + "/usr/lib/systemd/system/foo.service", true, 0},
		{"no follow", root + "/etc/systemd/system/abs.service", chaseNoFollow, root + "/etc/systemd/system/abs.service", true, 0},
		{"dotdot stays in root", root + "/etc/systemd/system/escape.service", chaseNonexistent, root + "/real/x", false, 0},
		{"prefix root", "/lib/systemd/system/foo.service", chasePrefixRoot, root + "/usr/lib/systemd/system/foo.service", true, 0},
		{"missing", root + "/etc/systemd/system/none.service", 0, "", false, -enoent},
		{"missing allowed", root + "/etc/systemd/system/none.service", chaseNonexistent, root + "/etc/systemd/system/none.service", false, 0},
		{"mask below root", root + "/etc/systemd/system/null.service", chaseNonexistent, root + "/dev/null", false, 0},
		{"loop", root + "/etc/systemd/system/loop.service", 0, "", false, -eloop},
		{"outside root", "/elsewhere", 0, "", false, -echrng},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, exists, code := chase(root, tt.path, tt.flags)
			if got != tt.want || exists != tt.exists || code != tt.code {
				t.Errorf("chase(%q) = %q, %v, %d; want %q, %v, %d", tt.path, got, exists, code, tt.want, tt.exists, tt.code)
			}
		})
	}
}

func TestValidateAliasSymlink(t *testing.T) {
	tests := []struct {
		alias, target string
		want          int
	}{
		{"bar.service", "/x/foo.service", 0},
		{"foo.service", "/x/foo.service", -eloop},
		{"bar.socket", "/x/foo.service", -exdev},
		{"bar@.service", "/x/foo@.service", 0},
		{"bar@a.service", "/x/foo@.service", 0},
		{"bar@a.service", "/x/foo@a.service", 0},
		{"bar@a.service", "/x/foo@b.service", -exdev},
		{"bar@.service", "/x/foo.service", -exdev},
		{"bar.mount", "/x/foo.mount", -einval},
		{"bar@a.device", "/x/foo@a.device", -einval},
		{"bar", "/x/foo.service", -einval},
		{"bar.service", "/x/foo", -exdev},
	}
	for _, tt := range tests {
		if got, _ := validateAliasSymlink(tt.alias, tt.target); got != tt.want {
			t.Errorf("validateAliasSymlink(%q, %q) = %d, want %d", tt.alias, tt.target, got, tt.want)
		}
	}
}

func TestSymlinkNameCompatible(t *testing.T) {
	tests := []struct {
		link, target string
		propagate    bool
		want         bool
	}{
		{"foo.service", "foo.service", false, true},
		{"foo@a.service", "foo@a.service", false, true},
		{"foo@a.service", "foo@.service", false, true},
		{"foo@.service", "foo@.service", false, false},
		{"foo@.service", "foo@.service", true, true},
		{"bar.service", "foo.service", false, false},
		{"foo@a.service", "bar@.service", false, false},
	}
	for _, tt := range tests {
		if got := symlinkNameCompatible(tt.link, tt.target, tt.propagate); got != tt.want {
			t.Errorf("symlinkNameCompatible(%q, %q, %v) = %v, want %v", tt.link, tt.target, tt.propagate, got, tt.want)
		}
	}
}

func TestHiddenOrBackup(t *testing.T) {
	for name, want := range map[string]bool{
		".foo.service": true, "foo.service~": true, "foo.service.bak": true, "foo.dpkg-old": true,
		"lost+found": true, "foo.service": false, "foo.conf": false, "foo": false,
	} {
		if got := unit.HiddenOrBackup(name); got != want {
			t.Errorf("unit.HiddenOrBackup(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestLessUnitFile(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"/x/a.service", "/x/b.service", true},
		{"/x/z.service", "/x/a.socket", true},
		{"/x/B.service", "/x/a.service", false},
		{"/x/a.Service", "/x/b.service", true},
		{"/x/A.service", "/x/a.service", true},
	}
	for _, tt := range tests {
		if got := lessUnitFile(tt.a, tt.b); got != tt.want {
			t.Errorf("lessUnitFile(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestEscapeInvalidUTF8(t *testing.T) {
	if got, want := escapeInvalidUTF8("a\xffb\xc3"), "a\uFFFDb\uFFFD"; got != want {
		t.Errorf("escapeInvalidUTF8 = %q, want %q", got, want)
	}
}

// FuzzParse feeds arbitrary unit files to the [Install] reader, under
// plain, template and instance names: it must not panic, and the Also=
// units it adds must have valid names.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"[Install]\nWantedBy=multi-user.target\nAlias=bar.service\n",
		"[Install]\nAlso=a.service %n.socket\nDefaultInstance=%i-x\n",
		"[Install\nWantedBy=x\n",
		"WantedBy=x\n[Install]\nRequiredBy=\"a b\" 'c\n",
		"[Install]\nDefaultInstance=a/b\n",
		"[Install]\nFoo\n=bar\nX-Y=z\n[Other]\n[Service]\nExecStart=\xff\n",
		"[Install]\nWantedBy=a\\\nb.target\n",
		"[Install]\nAlso=%z\n",
	} {
		f.Add(s, "foo.service")
		f.Add(s, "foo@.service")
		f.Add(s, "foo@bar.service")
	}
	l := &Lookup{Host: nil}
	f.Fuzz(func(t *testing.T, data, name string) {
		if !validName(name, classAny) {
			return
		}
		c := newContext(l, &operation{l: l})
		i, _ := c.add(name, "", false)
		c.parse(i, "/x/"+name, []byte(data))
		for _, a := range i.also {
			if !validName(a, classAny) {
				t.Errorf("invalid Also= name %q kept", a)
			}
		}
	})
}

// TestUnreadableDir checks that an unreadable configuration directory
// does not break queries (systemd skips it).
func TestUnreadableDir(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads everything")
	}
	root := t.TempDir()
	l, err := New(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(l.PersistentConfig), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(l.PersistentConfig, 0o000); err != nil {
		t.Fatal(err)
	}
	if _, err := l.ListUnitFiles(nil, nil); err != nil {
		t.Errorf("ListUnitFiles: %v", err)
	}
}
