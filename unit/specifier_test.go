package unit

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testHost is a system manager's host as systemd 252 showed it on a Debian
// 12 machine (systemd --test, Environment=S=%x for every specifier).
func testHost() *Host {
	return &Host{
		System:        true,
		Hostname:      "vm.example.org",
		ShortHostname: "vm",
		MachineID:     "3d1219c7c4c5404aaa1f6d2a48adfda4",
		BootID:        "a6c30c2067714c008f8e757d7a2bf196",
		KernelRelease: "6.18.44-fc-v769",
		Architecture:  "x86-64",
		OSID:          "debian",
		OSVersionID:   "12",
		UserName:      "root",
		UID:           "0",
		GroupName:     "root",
		GID:           "0",
		Home:          "/root",
		Shell:         "/bin/bash",
		RuntimeDir:    "/run",
		StateDir:      "/var/lib",
		CacheDir:      "/var/cache",
		LogsDir:       "/var/log",
		ConfigDir:     "/etc",
		TempDir:       "/tmp",
		VarTempDir:    "/var/tmp",
	}
}

func TestExpand(t *testing.T) {
	const inst = `foo-bar\x2dbaz@dev-sda\x2d1.service`
	tests := []struct {
		name string
		unit string
		in   string
		want string
	}{
		// Instance unit; values as systemd 252 expanded them.
		{"a", inst, "%a", "x86-64"},
		{"A empty", inst, "[%A]", "[]"},
		{"b", inst, "%b", "a6c30c2067714c008f8e757d7a2bf196"},
		{"B empty", inst, "[%B]", "[]"},
		{"C", inst, "%C", "/var/cache"},
		{"d", inst, "%d", `/run/credentials/foo-bar\x2dbaz@dev-sda\x2d1.service`},
		{"E", inst, "%E", "/etc"},
		{"f instance", inst, "%f", "/dev/sda-1"},
		{"g", inst, "%g", "root"},
		{"G", inst, "%G", "0"},
		{"h", inst, "%h", "/root"},
		{"H", inst, "%H", "vm.example.org"},
		{"i", inst, "%i", `dev-sda\x2d1`},
		{"I", inst, "%I", "dev/sda-1"},
		{"j", inst, "%j", `bar\x2dbaz`},
		{"J", inst, "%J", "bar-baz"},
		{"l", inst, "%l", "vm"},
		{"L", inst, "%L", "/var/log"},
		{"m", inst, "%m", "3d1219c7c4c5404aaa1f6d2a48adfda4"},
		{"M empty", inst, "[%M]", "[]"},
		{"n", inst, "%n", inst},
		{"N", inst, "%N", `foo-bar\x2dbaz@dev-sda\x2d1`},
		{"o", inst, "%o", "debian"},
		{"p", inst, "%p", `foo-bar\x2dbaz`},
		{"P", inst, "%P", "foo/bar-baz"},
		{"q falls back to l", inst, "%q", "vm"},
		{"s", inst, "%s", "/bin/bash"},
		{"S", inst, "%S", "/var/lib"},
		{"t", inst, "%t", "/run"},
		{"T", inst, "%T", "/tmp"},
		{"u", inst, "%u", "root"},
		{"U", inst, "%U", "0"},
		{"v", inst, "%v", "6.18.44-fc-v769"},
		{"V", inst, "%V", "/var/tmp"},
		{"w", inst, "%w", "12"},
		{"W empty", inst, "[%W]", "[]"},
		{"c", inst, "%c", `/foo-bar\x2dbaz@dev-sda\x2d1.service`},
		{"r empty", inst, "[%r]", "[]"},
		{"R empty", inst, "[%R]", "[]"},

		// Plain unit.
		{"plain i", "foo-bar.service", "[%i]", "[]"},
		{"plain I", "foo-bar.service", "[%I]", "[]"},
		{"plain f", "foo-bar.service", "%f", "/foo/bar"},
		{"plain j", "foo-bar.service", "%j", "bar"},
		{"plain N", "foo-bar.service", "%N", "foo-bar"},
		{"plain p", "foo-bar.service", "%p", "foo-bar"},
		{"plain P", "foo-bar.service", "%P", "foo/bar"},
		{"no dash j", "foo.service", "%j", "foo"},
		{"trailing dash j", "foo-.service", "[%j]", "[]"},
		// systemd 252 aborts on this one (unit_name_unescape(NULL)).
		{"trailing dash J", "foo-.service", "[%J]", "[]"},
		{"template", "foo@.service", "%p|%i|%N|%f", "foo||foo@|/foo"},
		{"root slice f", "-.slice", "%f", "/"},
		{"dotted prefix N", "a.b@c.d.socket", "%N|%p|%i", "a.b@c.d|a.b|c.d"},

		// Literal text and percent handling.
		{"no specifiers", inst, "plain text", "plain text"},
		{"empty", inst, "", ""},
		{"percent", inst, "100%%", "100%"},
		{"double percent before letter", inst, "%%n", "%n"},
		{"punctuation kept", inst, "a%!b", "a%!b"},
		{"space kept", inst, "% x", "% x"},
		{"slash kept", inst, "%/", "%/"},
		{"trailing percent", inst, "a%", "a%"},
		{"lone percent", inst, "%", "%"},
		{"non-ascii kept", inst, "%é", "%é"},
		{"adjacent", "a.service", "%n%n", "a.servicea.service"},
		{"pretty", inst, "%q", "vm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &Expander{Name: tt.unit, Host: testHost()}
			got, err := e.Expand(tt.in)
			if err != nil {
				t.Fatalf("Expand(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("Expand(%q): got %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestExpandErrors(t *testing.T) {
	noOS := testHost()
	noOS.NoOSRelease = true
	tests := []struct {
		name    string
		unit    string
		host    *Host
		in      string
		unknown bool // wraps ErrUnknownSpecifier
	}{
		{"unknown letter", "a.service", testHost(), "%x", true},
		{"unknown digit", "a.service", testHost(), "%0", true},
		{"unknown upper", "a.service", testHost(), "%Z", true},
		{"unknown after text", "a.service", testHost(), "abc%k", true},
		{"unknown after percent pair", "a.service", testHost(), "%%%z", true},
		{"f of trailing dash", "foo-.service", testHost(), "%f", false},
		{"f of dotdot instance", "foo@...service", testHost(), "%f", false},
		{"f of double dash", "a--b.service", testHost(), "%f", false},
		{"f of hashed name", "a_0123456789abcdef.mount", testHost(), "%f", false},
		{"I bad escape", `foo@a\x.service`, testHost(), "%I", false},
		{"P bad escape", `a\xzz.service`, testHost(), "%P", false},
		{"J bad escape", `a-\xq.service`, testHost(), "%J", false},
		{"m unknown", "a.service", &Host{}, "%m", false},
		{"b unknown", "a.service", &Host{}, "%b", false},
		{"t unknown", "a.service", &Host{}, "%t", false},
		{"d unknown", "a.service", &Host{}, "%d", false},
		{"S unknown", "a.service", &Host{}, "%S", false},
		{"C unknown", "a.service", &Host{}, "%C", false},
		{"L unknown", "a.service", &Host{}, "%L", false},
		{"E unknown", "a.service", &Host{}, "%E", false},
		{"h unknown", "a.service", &Host{}, "%h", false},
		{"s unknown", "a.service", &Host{}, "%s", false},
		{"T unknown", "a.service", &Host{}, "%T", false},
		{"V unknown", "a.service", &Host{}, "%V", false},
		{"os-release missing", "a.service", noOS, "%o", false},
		{"os-release missing w", "a.service", noOS, "%w", false},
		{"y without fragment", "a.service", testHost(), "%y", false},
		{"Y without fragment", "a.service", testHost(), "%Y", false},
		{"c of bad slice", "a.service", testHost(), "%c", false},
		{"invalid unit name", "bad name", testHost(), "%p", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &Expander{Name: tt.unit, Host: tt.host}
			if tt.name == "c of bad slice" {
				e.Slice = "a--b.slice"
			}
			got, err := e.Expand(tt.in)
			if err == nil {
				t.Fatalf("Expand(%q): got %q, want an error", tt.in, got)
			}
			if !errors.Is(err, ErrBadValue) {
				t.Errorf("Expand(%q): error %v does not wrap ErrBadValue", tt.in, err)
			}
			if got := errors.Is(err, ErrUnknownSpecifier); got != tt.unknown {
				t.Errorf("Expand(%q): errors.Is(ErrUnknownSpecifier) = %v, want %v (%v)", tt.in, got, tt.unknown, err)
			}
			var se *SpecifierError
			if !errors.As(err, &se) || !strings.Contains(tt.in, "%"+string(se.Specifier)) {
				t.Errorf("Expand(%q): error %v is not a SpecifierError for one of its specifiers", tt.in, err)
			}
		})
	}
}

func TestOSReleaseEmptyFields(t *testing.T) {
	// A present os-release without the field expands to "", as in systemd.
	e := &Expander{Name: "a.service", Host: &Host{}}
	got, err := e.Expand("[%o%w%B%W%M%A%a%H%l%q%v%u%U%g%G%R%r]")
	if err != nil || got != "[]" {
		t.Errorf("got %q, %v, want \"[]\"", got, err)
	}
}

func TestExpandLimits(t *testing.T) {
	e := &Expander{Name: "a.service", Host: testHost()}
	long := strings.Repeat("x", ExpandMaxPath)
	if _, err := e.ExpandPath(long); err != nil {
		t.Errorf("ExpandPath of %d bytes: %v", len(long), err)
	}
	if _, err := e.ExpandPath(long + "%%"); !errors.Is(err, ErrBadValue) {
		t.Errorf("ExpandPath of %d bytes: got %v, want ErrBadValue", len(long)+1, err)
	}
	if _, err := e.ExpandPath(strings.Repeat("%n", ExpandMaxPath/len("a.service")+1)); err == nil {
		t.Error("ExpandPath: expansion past the limit was not refused")
	}
	if _, err := e.ExpandPath(long + "%"); err == nil {
		t.Error("ExpandPath: a trailing '%' past the limit was not refused")
	}
	if got, err := e.ExpandMax("%n", 9); err != nil || got != "a.service" {
		t.Errorf("ExpandMax(9): got %q, %v", got, err)
	}
	if _, err := e.ExpandMax("%n", 8); err == nil {
		t.Error("ExpandMax(8): got no error")
	}
	if _, err := e.Expand(strings.Repeat("y", ExpandMaxLine+1)); err == nil {
		t.Error("Expand: a line longer than LONG_LINE_MAX was not refused")
	}
}

func TestExpandName(t *testing.T) {
	e := &Expander{Name: "foo-bar@baz.socket", Host: testHost()}
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"%p-%i.service", "foo-bar-baz.service", true},
		{"%N.service", "foo-bar@baz.service", true},
		{"%j@%u.target", "bar@root.target", true},
		{"%n %H %m %U %G %g %a %v %o %w %l %q", "foo-bar@baz.socket vm.example.org 3d1219c7c4c5404aaa1f6d2a48adfda4 0 0 root x86-64 6.18.44-fc-v769 debian 12 vm vm", true},
		{"%I", "", false},
		{"%P", "", false},
		{"%J", "", false},
		{"%f", "", false},
		{"%t", "", false},
		{"%h", "", false},
		{"%T", "", false},
		{"%d", "", false},
		{"%y", "", false},
		{"%c", "", false},
		{strings.Repeat("n", ExpandMaxName), strings.Repeat("n", ExpandMaxName), true},
		{strings.Repeat("n", ExpandMaxName+1), "", false},
	}
	for _, tt := range tests {
		name := tt.in
		if len(name) > 30 {
			name = name[:30]
		}
		t.Run(name, func(t *testing.T) {
			got, err := e.ExpandName(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("ExpandName(%q): got %q, %v, want ok=%v", tt.in, got, err, tt.ok)
			}
			if got != tt.want {
				t.Errorf("ExpandName(%q): got %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestExpandFragment(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	if err := os.Mkdir(real, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(real, "foo@.service")
	if err := os.WriteFile(file, []byte("[Service]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "foo@.service")
	if err := os.Symlink(file, link); err != nil {
		t.Fatal(err)
	}
	// The temporary directory itself may be behind a symbolic link.
	want, err := filepath.EvalSymlinks(file)
	if err != nil {
		t.Fatal(err)
	}
	e := &Expander{Name: "foo@x.service", FragmentPath: link, Host: testHost()}
	got, err := e.Expand("%y|%Y")
	if err != nil {
		t.Fatal(err)
	}
	if w := want + "|" + filepath.Dir(want); got != w {
		t.Errorf("Expand(%%y|%%Y): got %q, want %q", got, w)
	}
	e.FragmentPath = filepath.Join(dir, "missing.service")
	if _, err := e.Expand("%y"); err == nil {
		t.Error("Expand(%y) of a missing fragment: got no error")
	}
}

func TestExpandCgroup(t *testing.T) {
	tests := []struct {
		name, unit, slice, root, in, want string
	}{
		{"c no slice", "foo.service", "", "", "%c", "/foo.service"},
		{"c in slice", "foo.service", "system.slice", "", "%c", "/system.slice/foo.service"},
		{"c nested slice", "foo.service", "a-b-c.slice", "", "%c", "/a.slice/a-b.slice/a-b-c.slice/foo.service"},
		{"c under root", "foo.service", "system.slice", "/user.slice/user@1000.service", "%c", "/user.slice/user@1000.service/system.slice/foo.service"},
		{"c root slice", "-.slice", "", "/x", "%c", "/x"},
		{"c in root slice", "foo.service", "-.slice", "", "%c", "/foo.service"},
		{"c escaped", "cpu.service", "", "", "%c", "/_cpu.service"},
		{"c escaped underscore", "_x.service", "", "", "%c", "/__x.service"},
		{"r no slice", "foo.service", "", "/x", "%r", "/x"},
		{"r slice", "foo.service", "a-b.slice", "", "%r", "/a.slice/a-b.slice"},
		{"R", "foo.service", "", "/x", "%R", "/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := testHost()
			h.CgroupRoot = tt.root
			e := &Expander{Name: tt.unit, Host: h, Slice: tt.slice}
			got, err := e.Expand(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("Expand(%q): got %q, %v, want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestExpandUserManager(t *testing.T) {
	h := &Host{
		UserName: "nobody", UID: "65534", GroupName: "nogroup", GID: "65534",
		Home: "/home/u", Shell: "/usr/sbin/nologin",
		RuntimeDir: "/run/user/65534", StateDir: "/home/u/.config", CacheDir: "/home/u/.cache",
		LogsDir: "/home/u/.config/log", ConfigDir: "/home/u/.config",
		MachineID: "3d1219c7c4c5404aaa1f6d2a48adfda4", TempDir: "/tmp", VarTempDir: "/var/tmp",
	}
	e := &Expander{Name: "foo-bar.service", Host: h}
	got, err := e.Expand("%u %U %g %G %h %s %t %S %C %L %E %d")
	want := "nobody 65534 nogroup 65534 /home/u /usr/sbin/nologin /run/user/65534 /home/u/.config /home/u/.cache /home/u/.config/log /home/u/.config /run/user/65534/credentials/foo-bar.service"
	if err != nil || got != want {
		t.Errorf("got %q, %v\nwant %q", got, err, want)
	}
}

func TestExpandNilHost(t *testing.T) {
	e := &Expander{Name: "a.service"}
	if got, err := e.Expand("%n %H"); err != nil || got != "a.service " {
		t.Errorf("got %q, %v, want \"a.service \"", got, err)
	}
	if _, err := e.Expand("%m"); err == nil {
		t.Error("Expand(%m) with no host: got no error")
	}
}
