package manager

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/pm-project/pm/unit"
)

func TestEnvBuildOrder(t *testing.T) {
	dir := t.TempDir()
	envFile := filepath.Join(dir, "env")
	if err := os.WriteFile(envFile, []byte("FROM_FILE=1\nBOTH=file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	in := envInput{
		Manager: []string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8"},
		Environ: []string{"TZ=UTC", "HOSTNAME=box"},
		Exec: &unit.ExecContext{
			PassEnvironment:  []string{"TZ", "NOT_SET"},
			Environment:      []string{"BOTH=unit", "EXTRA=x"},
			EnvironmentFiles: []unit.EnvironmentFile{{Path: envFile}},
			StateDirectory:   []string{"app", "app/sub"},
			RuntimeDirectory: []string{"app"},
		},
		User:         &userInfo{Name: "app", UID: 1000, GID: 1000, Home: "/home/app/", Shell: "/bin/bash"},
		NotifySocket: "/run/pm/notify",
		MainPID:      42,
		ManagerPID:   7,
		PIDFile:      "/run/app.pid",
		RemoteAddr:   "192.0.2.1",
		RemotePort:   "5000",
		Result:       "exit-code",
		ExitCode:     "exited",
		ExitStatus:   "3",
		FDNames:      []string{"http", "https"},
		WatchdogUSec: 30000000,
		InvocationID: "0123456789abcdef0123456789abcdef",
		TERM:         "vt220",
		Dirs:         &dirRoots{Runtime: "/run", State: "/var/lib", Cache: "/var/cache", Logs: "/var/log", Configuration: "/etc"},
	}
	got, err := envBuild(in)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"PATH=/usr/bin:/bin",
		"LANG=C.UTF-8",
		"NOTIFY_SOCKET=/run/pm/notify",
		"MAINPID=42",
		"MANAGERPID=7",
		"PIDFILE=/run/app.pid",
		"REMOTE_ADDR=192.0.2.1",
		"REMOTE_PORT=5000",
		"SERVICE_RESULT=exit-code",
		"EXIT_CODE=exited",
		"EXIT_STATUS=3",
		"LISTEN_FDS=2",
		"LISTEN_FDNAMES=http:https",
		"WATCHDOG_PID=",
		"WATCHDOG_USEC=30000000",
		"HOME=/home/app",
		"LOGNAME=app",
		"USER=app",
		"SHELL=/bin/bash",
		"INVOCATION_ID=0123456789abcdef0123456789abcdef",
		"TERM=vt220",
		"RUNTIME_DIRECTORY=/run/app",
		"STATE_DIRECTORY=/var/lib/app:/var/lib/app/sub",
		"SYSTEMD_EXEC_PID=",
		"TZ=UTC",
		"BOTH=file",
		"EXTRA=x",
		"FROM_FILE=1",
	}
	if !reflect.DeepEqual(got.Env, want) {
		t.Errorf("env:\n got %q\nwant %q", got.Env, want)
	}
	if wantPID := []string{"WATCHDOG_PID", "SYSTEMD_EXEC_PID"}; !reflect.DeepEqual(got.ChildPID, wantPID) {
		t.Errorf("ChildPID = %q, want %q", got.ChildPID, wantPID)
	}
}

func TestEnvBuildOverrides(t *testing.T) {
	base := envInput{
		Manager: []string{"PATH=/bin", "LANG=C.UTF-8"},
		User:    &userInfo{Name: "app", Home: "/home/app"},
	}
	tests := []struct {
		name      string
		exec      unit.ExecContext
		wantEnv   []string
		wantChild []string
	}{
		{"minimal", unit.ExecContext{},
			[]string{"PATH=/bin", "LANG=C.UTF-8", "HOME=/home/app", "LOGNAME=app", "USER=app", "SYSTEMD_EXEC_PID="},
			[]string{"SYSTEMD_EXEC_PID"}},
		{"Environment= replaces in place", unit.ExecContext{Environment: []string{"PATH=/opt/bin", "USER=other"}},
			[]string{"PATH=/opt/bin", "LANG=C.UTF-8", "HOME=/home/app", "LOGNAME=app", "USER=other", "SYSTEMD_EXEC_PID="},
			[]string{"SYSTEMD_EXEC_PID"}},
		{"unit sets a child pid variable", unit.ExecContext{Environment: []string{"SYSTEMD_EXEC_PID=5"}},
			[]string{"PATH=/bin", "LANG=C.UTF-8", "HOME=/home/app", "LOGNAME=app", "USER=app", "SYSTEMD_EXEC_PID=5"},
			nil},
		{"unset by name", unit.ExecContext{UnsetEnvironment: []string{"LANG", "SYSTEMD_EXEC_PID"}},
			[]string{"PATH=/bin", "HOME=/home/app", "LOGNAME=app", "USER=app"},
			nil},
		{"unset by assignment", unit.ExecContext{UnsetEnvironment: []string{"LANG=C.UTF-8", "PATH=/usr/bin", "USER="}},
			[]string{"PATH=/bin", "HOME=/home/app", "LOGNAME=app", "USER=app", "SYSTEMD_EXEC_PID="},
			[]string{"SYSTEMD_EXEC_PID"}},
		{"unset what Environment= set", unit.ExecContext{Environment: []string{"A=1"}, UnsetEnvironment: []string{"A"}},
			[]string{"PATH=/bin", "LANG=C.UTF-8", "HOME=/home/app", "LOGNAME=app", "USER=app", "SYSTEMD_EXEC_PID="},
			[]string{"SYSTEMD_EXEC_PID"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := base
			in.Exec = &tt.exec
			got, err := envBuild(in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Env, tt.wantEnv) {
				t.Errorf("env:\n got %q\nwant %q", got.Env, tt.wantEnv)
			}
			if !reflect.DeepEqual(got.ChildPID, tt.wantChild) {
				t.Errorf("ChildPID = %q, want %q", got.ChildPID, tt.wantChild)
			}
		})
	}
}

func TestEnvBuildDetails(t *testing.T) {
	t.Run("no user, no home", func(t *testing.T) {
		got, _ := envBuild(envInput{User: &userInfo{Name: "nobody", UID: 65534, GID: 65534}})
		want := []string{"LOGNAME=nobody", "USER=nobody", "SYSTEMD_EXEC_PID="}
		if !reflect.DeepEqual(got.Env, want) {
			t.Errorf("got %q, want %q", got.Env, want)
		}
	})
	t.Run("invalid passed value dropped", func(t *testing.T) {
		got, _ := envBuild(envInput{
			Environ: []string{"BAD=\xff", "GOOD=ok"},
			Exec:    &unit.ExecContext{PassEnvironment: []string{"BAD", "GOOD"}},
		})
		want := []string{"SYSTEMD_EXEC_PID=", "GOOD=ok"}
		if !reflect.DeepEqual(got.Env, want) {
			t.Errorf("got %q, want %q", got.Env, want)
		}
	})
	t.Run("directories without root skipped", func(t *testing.T) {
		got, _ := envBuild(envInput{
			Exec: &unit.ExecContext{RuntimeDirectory: []string{"a"}, CacheDirectory: []string{"c"}, LogsDirectory: []string{"l"}, ConfigurationDirectory: []string{"e"}},
			Dirs: &dirRoots{Cache: "/cache", Logs: "/log", Configuration: "/conf"},
		})
		want := []string{"CACHE_DIRECTORY=/cache/c", "LOGS_DIRECTORY=/log/l", "CONFIGURATION_DIRECTORY=/conf/e", "SYSTEMD_EXEC_PID="}
		if !reflect.DeepEqual(got.Env, want) {
			t.Errorf("got %q, want %q", got.Env, want)
		}
	})
	t.Run("no exit status before exit", func(t *testing.T) {
		got, _ := envBuild(envInput{Result: "success"})
		want := []string{"SERVICE_RESULT=success", "SYSTEMD_EXEC_PID="}
		if !reflect.DeepEqual(got.Env, want) {
			t.Errorf("got %q, want %q", got.Env, want)
		}
	})
	t.Run("set child pid", func(t *testing.T) {
		env := envSetChildPID([]string{"A=1", "WATCHDOG_PID=", "SYSTEMD_EXEC_PID="}, []string{"WATCHDOG_PID", "SYSTEMD_EXEC_PID"}, 99)
		want := []string{"A=1", "WATCHDOG_PID=99", "SYSTEMD_EXEC_PID=99"}
		if !reflect.DeepEqual(env, want) {
			t.Errorf("got %q, want %q", env, want)
		}
	})
}

func TestEnvLoadFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := write("a.env", "A=1\nSHARED=a\n")
	write("conf.d/20-b.env", "B=2\nSHARED=b\n")
	write("conf.d/10-c.env", "C=3\nSHARED=c\n")
	write("conf.d/.hidden.env", "HIDDEN=1\n")
	bad := write("bad.env", "GOOD=1\nexport X=1\n")
	nul := write("nul.env", "A=1\x00\n")
	tests := []struct {
		name     string
		files    []unit.EnvironmentFile
		want     []string
		warnings int
		wantErr  error
	}{
		{"one", []unit.EnvironmentFile{{Path: a}}, []string{"A=1", "SHARED=a"}, 0, nil},
		{"glob in order, later wins", []unit.EnvironmentFile{{Path: filepath.Join(dir, "conf.d/*.env")}},
			[]string{"C=3", "SHARED=b", "B=2"}, 0, nil},
		{"files in order", []unit.EnvironmentFile{{Path: filepath.Join(dir, "conf.d/*.env")}, {Path: a}},
			[]string{"C=3", "SHARED=a", "B=2", "A=1"}, 0, nil},
		{"optional missing", []unit.EnvironmentFile{{Path: filepath.Join(dir, "nope"), Optional: true}, {Path: a}},
			[]string{"A=1", "SHARED=a"}, 0, nil},
		{"optional glob without match", []unit.EnvironmentFile{{Path: filepath.Join(dir, "*.nope"), Optional: true}}, nil, 0, nil},
		{"missing", []unit.EnvironmentFile{{Path: filepath.Join(dir, "nope")}}, nil, 0, fs.ErrNotExist},
		{"relative", []unit.EnvironmentFile{{Path: "a.env"}}, nil, 0, fs.ErrInvalid},
		{"relative optional", []unit.EnvironmentFile{{Path: "a.env", Optional: true}}, nil, 0, nil},
		{"invalid assignment warned", []unit.EnvironmentFile{{Path: bad}}, []string{"GOOD=1"}, 1, nil},
		{"unreadable file", []unit.EnvironmentFile{{Path: nul}}, nil, 0, unit.ErrBadValue},
		{"unreadable optional file", []unit.EnvironmentFile{{Path: nul, Optional: true}, {Path: a}}, []string{"A=1", "SHARED=a"}, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, warnings, err := envLoadFiles(tt.files)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got error %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(env, tt.want) {
				t.Errorf("got %q, want %q", env, tt.want)
			}
			if len(warnings) != tt.warnings {
				t.Errorf("got warnings %v, want %d", warnings, tt.warnings)
			}
		})
	}
	t.Run("envBuild fails on a missing file", func(t *testing.T) {
		_, err := envBuild(envInput{Exec: &unit.ExecContext{EnvironmentFiles: []unit.EnvironmentFile{{Path: filepath.Join(dir, "nope")}}}})
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("got %v, want fs.ErrNotExist", err)
		}
	})
}

func TestEnvManagerDefault(t *testing.T) {
	root := condTree(t, map[string]string{"etc/locale.conf": "LANG=de_DE.UTF-8\nLC_TIME=en_GB.UTF-8\nLC_PAPER=\n"})
	debian := condTree(t, map[string]string{"etc/default/locale": "LANG=\"fr_FR.UTF-8\"\n"})
	empty := condTree(t, nil)
	environ := []string{"PATH=/home/u/bin:/usr/bin", "NOTIFY_SOCKET=/run/x", "HOME=/home/u", "LISTEN_FDS=3", "BAD=\xff"}
	tests := []struct {
		name   string
		system bool
		env    []string
		root   string
		want   []string
	}{
		{"system", true, environ, root, []string{"PATH=" + envDefaultPath, "LANG=de_DE.UTF-8", "LC_TIME=en_GB.UTF-8"}},
		{"system debian locale", true, environ, debian, []string{"PATH=" + envDefaultPath, "LANG=fr_FR.UTF-8"}},
		{"system no locale", true, environ, empty, []string{"PATH=" + envDefaultPath, "LANG=C.UTF-8"}},
		{"user", false, environ, empty, []string{"PATH=/home/u/bin:/usr/bin", "HOME=/home/u"}},
		{"user without PATH", false, []string{"HOME=/h"}, empty, []string{"HOME=/h", "PATH=" + envDefaultPath}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := envManagerDefault(tt.system, tt.env, tt.root); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEnvTerm(t *testing.T) {
	vc := condTree(t, map[string]string{"sys/class/tty/console/active": "ttyS0 tty0\n", "sys/class/tty/tty0/active": "tty2\n"})
	serial := condTree(t, map[string]string{"sys/class/tty/console/active": "tty0 ttyS0\n"})
	tests := []struct {
		name string
		ex   unit.ExecContext
		pid1 bool
		term string
		root string
		want string
	}{
		{"no terminal", unit.ExecContext{StandardOutput: unit.StdIO{Type: "journal"}}, false, "xterm", vc, ""},
		{"tty input on console, pid 1 passes its TERM", unit.ExecContext{StandardInput: unit.StdIO{Type: "tty"}}, true, "xterm-256color", vc, "xterm-256color"},
		{"console resolves to a VC", unit.ExecContext{StandardInput: unit.StdIO{Type: "tty-force"}}, false, "xterm", vc, "linux"},
		{"console resolves to a serial line", unit.ExecContext{StandardOutput: unit.StdIO{Type: "tty"}}, false, "xterm", serial, "vt220"},
		{"console to journal", unit.ExecContext{StandardError: unit.StdIO{Type: "journal+console"}}, true, "", serial, "vt220"},
		{"TTYPath VC", unit.ExecContext{TTYPath: "/dev/tty3"}, true, "xterm", vc, "linux"},
		{"TTYPath serial", unit.ExecContext{TTYPath: "/dev/ttyS1"}, true, "xterm", vc, "vt220"},
		{"TTYPath out of range", unit.ExecContext{TTYPath: "/dev/tty64"}, false, "", vc, "vt220"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := envTerm(&tt.ex, tt.pid1, tt.term, tt.root); got != tt.want {
				t.Errorf("envTerm() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEnvSmallHelpers(t *testing.T) {
	notify := []struct {
		access  unit.NotifyAccess
		control bool
		want    bool
	}{
		{unit.NotifyNone, false, false}, {unit.NotifyMain, false, true}, {unit.NotifyExec, false, true},
		{unit.NotifyAll, false, true}, {unit.NotifyNone, true, false}, {unit.NotifyMain, true, false},
		{unit.NotifyExec, true, true}, {unit.NotifyAll, true, true},
	}
	for _, tt := range notify {
		if got := envNotifyAllowed(tt.access, tt.control); got != tt.want {
			t.Errorf("envNotifyAllowed(%s, control=%v) = %v, want %v", tt.access, tt.control, got, tt.want)
		}
	}
	exits := []struct {
		name           string
		exited, dumped bool
		status         int
		code, value    string
	}{
		{"exited", true, false, 3, "exited", "3"},
		{"killed", false, false, 15, "killed", "TERM"},
		{"dumped", false, true, 11, "dumped", "SEGV"},
		{"realtime", false, false, 36, "killed", "RTMIN+2"},
	}
	for _, tt := range exits {
		t.Run(tt.name, func(t *testing.T) {
			code, value := envExitStatus(tt.exited, tt.dumped, tt.status)
			if code != tt.code || value != tt.value {
				t.Errorf("got %s %s, want %s %s", code, value, tt.code, tt.value)
			}
		})
	}
}
