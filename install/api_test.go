package install_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/pm-project/pm/install"
)

// newLookup builds t below a new root and returns its Lookup.
func newLookup(tb testing.TB, t tree) (*install.Lookup, string) {
	tb.Helper()
	root := filepath.Join(tb.TempDir(), "root")
	build(tb, root, t)
	l, err := install.New(root)
	if err != nil {
		tb.Fatal(err)
	}
	l.Host = fixedHost
	return l, root
}

func TestNew(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		root     string
		wantRoot string
		wantErr  error
	}{
		{"host", "", "", nil},
		{"slash", "/", "", nil},
		{"slashes", "//./", "", nil},
		{"dir", dir + "//", dir, nil},
		{"file", file, "", syscall.ENOTDIR},
		{"missing", filepath.Join(dir, "missing"), "", fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := install.New(tt.root)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("New(%q) error = %v, want %v", tt.root, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("New(%q): %v", tt.root, err)
			}
			if l.Root != tt.wantRoot {
				t.Errorf("Root = %q, want %q", l.Root, tt.wantRoot)
			}
			want := []string{
				"/etc/systemd/system.control", "/run/systemd/system.control", "/run/systemd/transient",
				"/run/systemd/generator.early", "/etc/systemd/system", "/etc/systemd/system.attached",
				"/run/systemd/system", "/run/systemd/system.attached", "/run/systemd/generator",
				"/usr/local/lib/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system",
				"/run/systemd/generator.late",
			}
			for k := range want {
				want[k] = tt.wantRoot + want[k]
			}
			if g, w := strings.Join(l.SearchPath, " "), strings.Join(want, " "); g != w {
				t.Errorf("SearchPath = %s\nwant %s", g, w)
			}
			if l.PersistentConfig != tt.wantRoot+"/etc/systemd/system" || l.RuntimeConfig != tt.wantRoot+"/run/systemd/system" {
				t.Errorf("config dirs = %s, %s", l.PersistentConfig, l.RuntimeConfig)
			}
		})
	}
}

// TestErrors checks that failures wrap the right sentinel (and errno).
func TestErrors(t *testing.T) {
	units := base(tree{
		sysDir + "/foo.service":              svc("Alias=bar.service", "WantedBy=multi-user.target"),
		sysDir + "/tmpl@.service":            svc("WantedBy=multi-user.target"),
		sysDir + "/spec.service":             svc("WantedBy=%z.target"),
		sysDir + "/sock.service":             svc("Alias=sock.socket"),
		sysDir + "/badwant.service":          svc("WantedBy=no-suffix"),
		sysDir + "/masked.service":           "-> /dev/null",
		etcDir + "/bar.service":              "-> /usr/lib/systemd/system/foo.service",
		etcDir + "/dangling.service":         "-> /usr/lib/systemd/system/gone.service",
		etcDir + "/conflict.service":         "-> /usr/lib/systemd/system/other.service",
		sysDir + "/conflict2.service":        svc("Alias=conflict.service"),
		"/run/systemd/generator/gen.service": svc("WantedBy=multi-user.target"),
		"/opt/dir.service/x":                 "",
	})
	tests := []struct {
		name  string
		run   func(l *install.Lookup) error
		want  error
		errno syscall.Errno
	}{
		{"enable missing", enable("nothere.service"), install.ErrNotFound, syscall.ENOENT},
		{"enable masked", enable("masked.service"), install.ErrMasked, 0},
		{"enable invalid name", enable("foo"), install.ErrBadName, syscall.EINVAL},
		{"enable linked alias", enable("bar.service"), install.ErrLinked, syscall.ELOOP},
		{"enable template", enable("tmpl@.service"), install.ErrNotTemplate, syscall.EIDRM},
		{"enable bad specifier", enable("spec.service"), install.ErrSpecifier, 0},
		{"enable bad alias", enable("sock.service"), install.ErrBadAlias, syscall.EXDEV},
		{"enable bad WantedBy", enable("badwant.service"), install.ErrBadName, 0},
		{"enable generated", enable("gen.service"), install.ErrGenerated, syscall.EADDRNOTAVAIL},
		{"enable dangling", enable("dangling.service"), install.ErrDangling, 0},
		{"enable conflict", enable("conflict2.service"), install.ErrExists, syscall.EEXIST},
		{"disable invalid name", func(l *install.Lookup) error { _, err := l.Disable([]string{"a b"}, install.Flags{}); return err }, install.ErrBadName, 0},
		{"mask invalid name", func(l *install.Lookup) error {
			_, err := l.Mask([]string{"x.service", "foo"}, install.Flags{})
			return err
		}, install.ErrBadName, syscall.EINVAL},
		{"unmask invalid name", func(l *install.Lookup) error { _, err := l.Unmask([]string{"foo"}, install.Flags{}); return err }, install.ErrBadName, syscall.EINVAL},
		{"is-enabled invalid name", func(l *install.Lookup) error { _, err := l.IsEnabled("foo@"); return err }, install.ErrBadName, syscall.EINVAL},
		{"is-enabled missing", func(l *install.Lookup) error { _, err := l.IsEnabled("nothere.service"); return err }, install.ErrNotFound, syscall.ENOENT},
		{"set-default service", func(l *install.Lookup) error { _, err := l.SetDefault("foo.service", install.Flags{}); return err }, install.ErrInvalid, syscall.EINVAL},
		{"set-default invalid", func(l *install.Lookup) error { _, err := l.SetDefault("foo", install.Flags{}); return err }, install.ErrBadName, syscall.EINVAL},
		{"set-default missing", func(l *install.Lookup) error { _, err := l.SetDefault("x.target", install.Flags{}); return err }, install.ErrNotFound, syscall.ENOENT},
		{"get-default missing", func(l *install.Lookup) error { _, err := l.GetDefault(); return err }, install.ErrNotFound, syscall.ENOENT},
		{"link relative", link("opt/x.service"), install.ErrInvalid, syscall.EINVAL},
		{"link invalid name", link("/opt/x"), install.ErrBadName, 0},
		{"link missing", link("/opt/x.service"), install.ErrNotFound, syscall.ENOENT},
		{"link directory", link("/opt/dir.service"), install.ErrInvalid, syscall.EISDIR},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, _ := newLookup(t, units)
			err := tt.run(l)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			var ie *install.Error
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is not an *install.Error", err)
			}
			if tt.errno != 0 && (ie.Errno != tt.errno || !errors.Is(err, tt.errno)) {
				t.Errorf("errno = %v, want %v", ie.Errno, tt.errno)
			}
			if err.Error() == "" {
				t.Error("empty error text")
			}
		})
	}
}

func enable(names ...string) func(*install.Lookup) error {
	return func(l *install.Lookup) error {
		_, _, err := l.Enable(names, install.Flags{})
		return err
	}
}

func link(files ...string) func(*install.Lookup) error {
	return func(l *install.Lookup) error {
		_, err := l.Link(files, install.Flags{})
		return err
	}
}

// TestEnableResult checks the changes and the install info flag Enable
// returns.
func TestEnableResult(t *testing.T) {
	l, root := newLookup(t, base(tree{
		sysDir + "/foo.service":  svc("Alias=bar.service", "WantedBy=nothere.target", "Also=also.service"),
		sysDir + "/also.service": svc(),
		sysDir + "/none.service": svc(),
	}))
	changes, info, err := l.Enable([]string{"foo.service"}, install.Flags{})
	if err != nil || !info {
		t.Fatalf("Enable = %v, %v; want install info and no error", info, err)
	}
	want := []install.Change{
		{Type: install.Symlink, Path: root + etcDir + "/bar.service", Source: sysDir + "/foo.service"},
		{Type: install.Symlink, Path: root + etcDir + "/nothere.target.wants/foo.service", Source: sysDir + "/foo.service"},
		{Type: install.DestinationNotPresent, Path: "nothere.target", Source: root + sysDir + "/foo.service"},
	}
	if len(changes) != len(want) {
		t.Fatalf("changes = %+v, want %+v", changes, want)
	}
	for k := range want {
		if changes[k] != want[k] {
			t.Errorf("change %d = %+v, want %+v", k, changes[k], want[k])
		}
	}
	if _, info, err := l.Enable([]string{"none.service"}, install.Flags{}); err != nil || info {
		t.Errorf("Enable(none.service) = %v, %v; want no install info, no error", info, err)
	}
	// Enabling again changes nothing but still has install info.
	changes, info, err = l.Enable([]string{"foo.service"}, install.Flags{})
	if err != nil || !info || len(changes) != 1 || changes[0].Type != install.DestinationNotPresent {
		t.Errorf("second Enable = %+v, %v, %v", changes, info, err)
	}
}

func TestDryRun(t *testing.T) {
	l, root := newLookup(t, base(tree{
		sysDir + "/foo.service":                         svc("WantedBy=multi-user.target"),
		etcDir + "/multi-user.target.wants/foo.service": "-> /usr/lib/systemd/system/foo.service",
		etcDir + "/mask.service":                        "-> /dev/null",
	}))
	before := snapshot(t, root)
	changes, err := l.Disable([]string{"foo.service"}, install.Flags{DryRun: true})
	if err != nil || len(changes) != 1 || changes[0].Type != install.Unlink {
		t.Errorf("Disable dry run = %+v, %v", changes, err)
	}
	changes, err = l.Unmask([]string{"mask.service"}, install.Flags{DryRun: true})
	if err != nil || len(changes) != 1 || changes[0].Type != install.Unlink {
		t.Errorf("Unmask dry run = %+v, %v", changes, err)
	}
	if d := diffMaps(snapshot(t, root), before); d != "" {
		t.Errorf("dry run changed the tree:\n%s", d)
	}
}

func TestListUnitFilesStates(t *testing.T) {
	l, root := newLookup(t, base(tree{
		sysDir + "/foo.service":                         svc("WantedBy=multi-user.target"),
		sysDir + "/bar.service":                         svc("WantedBy=multi-user.target"),
		etcDir + "/multi-user.target.wants/foo.service": "-> /usr/lib/systemd/system/foo.service",
	}))
	tests := []struct {
		name     string
		patterns []string
		states   []install.State
		want     string
	}{
		{"all", nil, nil, "bar.service:disabled foo.service:enabled graphical.target:static multi-user.target:static sockets.target:static timers.target:static"},
		{"enabled", nil, []install.State{install.Enabled}, "foo.service:enabled"},
		{"two states", []string{"*.service"}, []install.State{install.Enabled, install.Disabled}, "bar.service:disabled foo.service:enabled"},
		{"none", []string{"*.socket"}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, err := l.ListUnitFiles(tt.patterns, tt.states)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, u := range list {
				if !strings.HasPrefix(u.Path, root+"/") {
					t.Errorf("path %s is not below the root", u.Path)
				}
				got = append(got, filepath.Base(u.Path)+":"+string(u.State))
			}
			if g := strings.Join(got, " "); g != tt.want {
				t.Errorf("got %s, want %s", g, tt.want)
			}
		})
	}
}

// TestHostLookup runs operations on a Lookup without root whose
// directories are temporary ones, as pm would on the host.
func TestHostLookup(t *testing.T) {
	dir := t.TempDir()
	build(t, dir, tree{
		"/vendor/foo.service":   svc("WantedBy=multi-user.target"),
		"/gen/masked.service":   "-> /dev/null",
		"/opt/sub/x.service":    svc(),
		"/vendor/sub/y.service": svc(),
	})
	l := &install.Lookup{
		PersistentConfig: dir + "/etc",
		RuntimeConfig:    dir + "/run",
		Generator:        dir + "/gen",
		Host:             fixedHost,
	}
	l.SearchPath = []string{l.PersistentConfig, l.RuntimeConfig, l.Generator, dir + "/vendor"}
	changes, _, err := l.Enable([]string{"foo.service"}, install.Flags{})
	if err != nil || len(changes) != 2 || changes[0].Source != dir+"/vendor/foo.service" {
		t.Errorf("Enable = %+v, %v; want a symlink to the full path", changes, err)
	}
	if s, err := l.IsEnabled("foo.service"); s != install.Enabled || err != nil {
		t.Errorf("IsEnabled = %v, %v", s, err)
	}
	if s, err := l.IsEnabled("masked.service"); s != install.MaskedRuntime || err != nil {
		t.Errorf("IsEnabled(masked.service) = %v, %v; want masked-runtime (generators are in /run)", s, err)
	}
	changes, err = l.Unmask([]string{"masked.service"}, install.Flags{})
	if err != nil || len(changes) != 1 || changes[0].Type != install.IsMaskedGenerator || changes[0].Source != dir+"/gen/masked.service" {
		t.Errorf("Unmask = %+v, %v; want masked by generator", changes, err)
	}
	if _, err := l.Link([]string{dir + "/vendor/sub/y.service"}, install.Flags{}); !errors.Is(err, install.ErrInSearchPath) {
		t.Errorf("Link below the search path: %v, want ErrInSearchPath", err)
	}
	if changes, err := l.Link([]string{dir + "/vendor/foo.service"}, install.Flags{}); err != nil || len(changes) != 0 {
		t.Errorf("Link in the search path = %+v, %v; want nothing", changes, err)
	}
	if _, err := l.Link([]string{dir + "/opt/sub/x.service"}, install.Flags{}); err != nil {
		t.Errorf("Link: %v", err)
	}
	if s, err := l.IsEnabled("x.service"); s != install.Linked || err != nil {
		t.Errorf("IsEnabled(x.service) = %v, %v; want linked", s, err)
	}
}

func TestChangeMessages(t *testing.T) {
	tests := []struct {
		c    install.Change
		typ  string
		want string
	}{
		{install.Change{Type: install.Symlink, Path: "/a", Source: "/b"}, "symlink", "Created symlink /a → /b."},
		{install.Change{Type: install.Unlink, Path: "/a"}, "unlink", `Removed "/a".`},
		{install.Change{Type: install.IsMasked, Path: "/a"}, "masked", "Unit /a is masked, ignoring."},
		{install.Change{Type: install.IsMaskedGenerator, Path: "a.service"}, "masked by generator", "Unit a.service is masked via a generator and cannot be unmasked."},
		{install.Change{Type: install.IsDangling, Path: "/a"}, "dangling", "Unit /a is an alias to a unit that is not present, ignoring."},
		{install.Change{Type: install.DestinationNotPresent, Path: "t.target", Source: "/a"}, "destination not present", "Unit /a is added as a dependency to a non-existent unit t.target."},
		{install.Change{Type: install.AuxiliaryFailed, Path: "a.service"}, "auxiliary unit failed", "Failed to enable auxiliary unit a.service, ignoring."},
		{install.Change{Type: install.Failed, Path: "a.service"}, "error", `Failed to enable unit, file "a.service".`},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			if got := tt.c.Type.String(); got != tt.typ {
				t.Errorf("String() = %q, want %q", got, tt.typ)
			}
			if got := tt.c.Message("enable"); got != tt.want {
				t.Errorf("Message = %q, want %q", got, tt.want)
			}
		})
	}
	if got := install.ChangeType(42).String(); got != "ChangeType(42)" {
		t.Errorf("String() of a bad type = %q", got)
	}
}

func TestMessages(t *testing.T) {
	l, _ := newLookup(t, base(tree{sysDir + "/foo.service": svc("Alias=foo.socket", "WantedBy=multi-user.target")}))
	changes, _, err := l.Enable([]string{"foo.service"}, install.Flags{})
	if err == nil {
		t.Fatal("Enable succeeded")
	}
	got := strings.Join(install.Messages("enable", changes, err, true), "\n")
	if want := "Failed to enable unit, cannot alias foo.service as foo.socket."; got != want {
		t.Errorf("quiet messages = %q, want %q", got, want)
	}
	changes, err = l.Mask([]string{"foo"}, install.Flags{})
	got = strings.Join(install.Messages("mask", changes, err, false), "\n")
	if want := "Failed to mask: Invalid argument."; got != want {
		t.Errorf("messages = %q, want %q", got, want)
	}
}

func TestEnabledLike(t *testing.T) {
	yes := map[install.State]bool{
		install.Enabled: true, install.EnabledRuntime: true, install.Static: true,
		install.Alias: true, install.Indirect: true, install.Generated: true,
	}
	for _, s := range []install.State{
		install.Enabled, install.EnabledRuntime, install.Linked, install.LinkedRuntime, install.Alias,
		install.Masked, install.MaskedRuntime, install.Static, install.Disabled, install.Indirect,
		install.Generated, install.Transient, install.Bad,
	} {
		if got := s.EnabledLike(); got != yes[s] {
			t.Errorf("%s.EnabledLike() = %v, want %v", s, got, yes[s])
		}
	}
}
