package manager

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/pm-project/pm/unit"
)

// dirsNeedRoot skips a test that needs root, or fails it under CI.
func dirsNeedRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		condNeed(t, "needs root to change file ownership")
	}
}

// dirsRoots returns roots below a new temporary directory.
func dirsRoots(t *testing.T) dirRoots {
	base := t.TempDir()
	return dirRoots{
		Runtime: filepath.Join(base, "run"), State: filepath.Join(base, "var/lib"),
		Cache: filepath.Join(base, "var/cache"), Logs: filepath.Join(base, "var/log"),
		Configuration: filepath.Join(base, "etc"),
	}
}

// dirsOwner returns the mode bits and owner of a path (not following a
// final symlink).
func dirsOwner(t *testing.T, p string) (mode uint32, uid, gid int) {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		t.Fatal(err)
	}
	return st.Mode & 0o7777, int(st.Uid), int(st.Gid)
}

func dirsExpect(t *testing.T, p string, mode uint32, uid, gid int) {
	t.Helper()
	m, u, g := dirsOwner(t, p)
	if m != mode || u != uid || g != gid {
		t.Errorf("%s: mode %o owner %d:%d, want %o %d:%d", p, m, u, g, mode, uid, gid)
	}
}

func TestDirsPrepare(t *testing.T) {
	dirsNeedRoot(t)
	r := dirsRoots(t)
	ex := &unit.ExecContext{
		RuntimeDirectory:           []string{"app"},
		StateDirectory:             []string{"app", "nested/deep/dir"},
		CacheDirectory:             []string{"app"},
		LogsDirectory:              []string{"app"},
		ConfigurationDirectory:     []string{"app"},
		RuntimeDirectoryMode:       0o777, // more than the umask lets mkdir create
		StateDirectoryMode:         0o750,
		CacheDirectoryMode:         0o700,
		LogsDirectoryMode:          0o2750,
		ConfigurationDirectoryMode: 0o755,
	}
	warnings, err := dirsPrepare(ex, r, 65534, 65534)
	if err != nil || len(warnings) != 0 {
		t.Fatalf("dirsPrepare: %v, warnings %q", err, warnings)
	}
	dirsExpect(t, filepath.Join(r.Runtime, "app"), 0o777, 65534, 65534)
	dirsExpect(t, filepath.Join(r.State, "app"), 0o750, 65534, 65534)
	dirsExpect(t, filepath.Join(r.State, "nested"), 0o755&^dirsUmask(), 0, 0)
	dirsExpect(t, filepath.Join(r.State, "nested/deep"), 0o755&^dirsUmask(), 0, 0)
	dirsExpect(t, filepath.Join(r.State, "nested/deep/dir"), 0o750, 65534, 65534)
	dirsExpect(t, filepath.Join(r.Cache, "app"), 0o700, 65534, 65534)
	dirsExpect(t, filepath.Join(r.Logs, "app"), 0o2750, 65534, 65534)
	dirsExpect(t, filepath.Join(r.Configuration, "app"), 0o755, 65534, 65534)
	dirsExpect(t, r.State, 0o755&^dirsUmask(), 0, 0)

	t.Run("again is a no-op", func(t *testing.T) {
		if _, err := dirsPrepare(ex, r, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		dirsExpect(t, filepath.Join(r.State, "app"), 0o750, 65534, 65534)
	})
}

// dirsUmask returns the process umask.
func dirsUmask() uint32 {
	m := unix.Umask(0)
	unix.Umask(m)
	return uint32(m)
}

func TestDirsPrepareExisting(t *testing.T) {
	dirsNeedRoot(t)
	r := dirsRoots(t)
	app := filepath.Join(r.State, "app")
	for _, d := range []string{app + "/sub", r.Configuration + "/conf", r.Cache + "/owned"} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]uint32{app + "/sub/data": 0o644, app + "/setgid": 0o2755, r.Cache + "/owned/inner": 0o600}
	for p, m := range files {
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := unix.Chmod(p, m); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("sub/data", app+"/link"); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(r.Configuration+"/conf", 0o700); err != nil {
		t.Fatal(err)
	}
	// A top directory owned by the user already: its tree is left alone.
	if err := os.Chown(r.Cache+"/owned", 65534, 65534); err != nil {
		t.Fatal(err)
	}
	ex := &unit.ExecContext{
		StateDirectory: []string{"app"}, StateDirectoryMode: 0o750,
		ConfigurationDirectory: []string{"conf"}, ConfigurationDirectoryMode: 0o755,
		CacheDirectory: []string{"owned"}, CacheDirectoryMode: 0o755,
	}
	warnings, err := dirsPrepare(ex, r, 65534, 65534)
	if err != nil {
		t.Fatal(err)
	}
	dirsExpect(t, app, 0o750, 65534, 65534)
	dirsExpect(t, app+"/sub", 0o755, 65534, 65534)
	dirsExpect(t, app+"/sub/data", 0o644, 65534, 65534)
	dirsExpect(t, app+"/setgid", 0o2755, 65534, 65534) // chown clears it; it is put back
	if _, uid, gid := dirsOwner(t, app+"/link"); uid != 65534 || gid != 65534 {
		t.Errorf("symlink owner %d:%d, want 65534:65534", uid, gid)
	}
	dirsExpect(t, r.Configuration+"/conf", 0o700, 0, 0)
	dirsExpect(t, r.Cache+"/owned", 0o755, 65534, 65534)
	dirsExpect(t, r.Cache+"/owned/inner", 0o600, 0, 0)
	want := "ConfigurationDirectory '" + r.Configuration + "/conf' already exists but the mode is different. (File system: 700 ConfigurationDirectoryMode: 755)"
	if !reflect.DeepEqual(warnings, []string{want}) {
		t.Errorf("warnings %q, want %q", warnings, want)
	}
}

func TestDirsPrepareOwnership(t *testing.T) {
	dirsNeedRoot(t)
	r := dirsRoots(t)
	if err := os.MkdirAll(r.State+"/mine", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(r.State+"/mine", 1, 2); err != nil {
		t.Fatal(err)
	}
	ex := &unit.ExecContext{StateDirectory: []string{"mine", "new"}, StateDirectoryMode: 0o755}
	if _, err := dirsPrepare(ex, r, -1, -1); err != nil {
		t.Fatal(err)
	}
	dirsExpect(t, r.State+"/mine", 0o755, 1, 2)
	dirsExpect(t, r.State+"/new", 0o755, 0, 0)
	if _, err := dirsPrepare(ex, r, -1, 7); err != nil {
		t.Fatal(err)
	}
	dirsExpect(t, r.State+"/mine", 0o755, 1, 7)
}

func TestDirsPrepareErrors(t *testing.T) {
	r := dirsRoots(t)
	if err := os.MkdirAll(r.State, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/", r.State+"/link"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(r.State+"/file", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		ex    unit.ExecContext
		errno syscall.Errno
		exit  int
	}{
		{"symlink", unit.ExecContext{StateDirectory: []string{"link"}, StateDirectoryMode: 0o755}, unix.ELOOP, 238},
		{"file", unit.ExecContext{StateDirectory: []string{"file"}, StateDirectoryMode: 0o644}, unix.ENOTDIR, 238},
		{"parent is a file", unit.ExecContext{StateDirectory: []string{"file/sub"}, StateDirectoryMode: 0o755}, unix.ENOTDIR, 238},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := dirsPrepare(&tt.ex, r, os.Geteuid(), os.Getegid())
			var de *dirsError
			if !errors.As(err, &de) || !errors.Is(err, tt.errno) {
				t.Fatalf("got %v, want a dirsError with %v", err, tt.errno)
			}
			if de.ExitStatus != tt.exit || unit.ExitStatusName(de.ExitStatus) != "STATE_DIRECTORY" {
				t.Errorf("exit status %d (%s), want %d STATE_DIRECTORY", de.ExitStatus, unit.ExitStatusName(de.ExitStatus), tt.exit)
			}
			if !strings.HasPrefix(err.Error(), "failed to set up special execution directory in "+r.State) {
				t.Errorf("message %q", err.Error())
			}
		})
	}
	t.Run("exit statuses", func(t *testing.T) {
		want := []string{"RUNTIME_DIRECTORY", "STATE_DIRECTORY", "CACHE_DIRECTORY", "LOGS_DIRECTORY", "CONFIGURATION_DIRECTORY"}
		for i, k := range dirsKinds(&unit.ExecContext{}, dirRoots{}) {
			if got := unit.ExitStatusName(k.exit); got != want[i] || k.env != want[i] {
				t.Errorf("%s: exit %d is %q, env %s, want %s", k.key, k.exit, got, k.env, want[i])
			}
		}
	})
	t.Run("no root skips the kind", func(t *testing.T) {
		ex := &unit.ExecContext{RuntimeDirectory: []string{"x"}}
		if _, err := dirsPrepare(ex, dirRoots{}, -1, -1); err != nil {
			t.Error(err)
		}
	})
}

func TestDirsRemoveRuntime(t *testing.T) {
	tests := []struct {
		preserve string
		restart  bool
		kept     bool
	}{
		{"no", false, false}, {"no", true, false},
		{"yes", false, true}, {"yes", true, true},
		{"restart", false, false}, {"restart", true, true},
	}
	for _, tt := range tests {
		name := tt.preserve
		if tt.restart {
			name += " restarting"
		}
		t.Run(name, func(t *testing.T) {
			if got := dirsKeepRuntime(tt.preserve, tt.restart); got != tt.kept {
				t.Errorf("dirsKeepRuntime = %v, want %v", got, tt.kept)
			}
			r := dirsRoots(t)
			for _, p := range []string{"app/sub/deep", "other"} {
				if err := os.MkdirAll(filepath.Join(r.Runtime, p), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(r.Runtime, "app/sub/f"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("/etc", filepath.Join(r.Runtime, "app/etc")); err != nil {
				t.Fatal(err)
			}
			ex := &unit.ExecContext{RuntimeDirectory: []string{"app", "missing"}, RuntimeDirectoryPreserve: tt.preserve}
			if err := dirsRemoveRuntime(ex, r, tt.restart); err != nil {
				t.Fatal(err)
			}
			_, err := os.Lstat(filepath.Join(r.Runtime, "app"))
			if kept := err == nil; kept != tt.kept {
				t.Errorf("app kept = %v, want %v", kept, tt.kept)
			}
			if _, err := os.Stat(filepath.Join(r.Runtime, "other")); err != nil {
				t.Errorf("other directory removed: %v", err)
			}
			if _, err := os.Stat("/etc/passwd"); err != nil {
				t.Errorf("symlink target harmed: %v", err)
			}
		})
	}
	t.Run("refuses root", func(t *testing.T) {
		if err := dirsRemoveTree("/"); !errors.Is(err, unix.EPERM) {
			t.Errorf("got %v, want EPERM", err)
		}
	})
}

func TestDirRootsFor(t *testing.T) {
	user := &unit.Host{RuntimeDir: "/run/user/1000", StateDir: "/home/u/.config", CacheDir: "/home/u/.cache", LogsDir: "/home/u/.config/log", ConfigDir: "/home/u/.config"}
	tests := []struct {
		name string
		host *unit.Host
		want dirRoots
	}{
		{"nil", nil, dirRootsSystem},
		{"system", &unit.Host{System: true}, dirRootsSystem},
		{"user", user, dirRoots{Runtime: "/run/user/1000", State: "/home/u/.config", Cache: "/home/u/.cache", Logs: "/home/u/.config/log", Configuration: "/home/u/.config"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := dirRootsFor(tt.host); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
