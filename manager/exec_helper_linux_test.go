package manager

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/pm-project/pm/unit"
)

func TestExecLookPath(t *testing.T) {
	dir := t.TempDir()
	noexec := filepath.Join(dir, "noexec")
	if err := os.WriteFile(noexec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink("/bin/sh", link); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		in      string
		want    string // "" for any directory of the search path
		wantErr error
	}{
		{"absolute", "/bin/sh", "/bin/sh", nil},
		{"symlink", link, link, nil},
		{"bare", "sh", "", nil},
		{"bare true", "true", "", nil},
		{"bare missing", "pm-no-such-program-here", "", unix.ENOENT},
		{"absolute missing", "/nonexistent/prog", "", unix.ENOENT},
		{"directory", "/tmp", "", unix.EISDIR},
		{"device", "/dev/null", "", unix.EBADFD},
		{"not executable", noexec, "", unix.EACCES},
		{"relative with slash", "./pm-no-such", "", unix.ENOENT},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := execLookPath(tc.in)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Errorf("execLookPath(%q) = %q, %v; want error %v", tc.in, got, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("execLookPath(%q): %v", tc.in, err)
			}
			if tc.want != "" {
				if got != tc.want {
					t.Errorf("execLookPath(%q) = %q, want %q", tc.in, got, tc.want)
				}
				return
			}
			if filepath.Base(got) != tc.in || !slices.Contains(execSearchPath[:], filepath.Dir(got)) {
				t.Errorf("execLookPath(%q) = %q, want it in the search path", tc.in, got)
			}
			// The first directory of the search path that has it wins.
			for _, d := range execSearchPath {
				if execCheckExecutable(d+"/"+tc.in) == nil {
					if got != d+"/"+tc.in {
						t.Errorf("execLookPath(%q) = %q, want %q", tc.in, got, d+"/"+tc.in)
					}
					break
				}
			}
		})
	}
}

func TestExecNeedsHelper(t *testing.T) {
	var core unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_CORE, &core); err != nil {
		t.Fatal(err)
	}
	self := execSelf().umask
	execTestRequire(t, self >= 0 && execSelf().known, "no Umask or SigIgn in /proc/self/status")
	tests := []struct {
		name string
		mod  func(s *execSpec)
		want bool
	}{
		{"defaults", func(s *execSpec) {}, false},
		{"credentials", func(s *execSpec) { s.Credentials = &execCredentials{UID: 1, GID: 1} }, false},
		{"ambient capabilities", func(s *execSpec) { s.AmbientCaps = 1 << 10 }, false},
		{"chroot and working directory", func(s *execSpec) { s.RootDir, s.Dir = "/r", "/d" }, false},
		{"working directory missing ok", func(s *execSpec) { s.Dir, s.DirMissingOK = "/d", true }, false},
		{"extra files", func(s *execSpec) { s.ListenFDs = 0 }, false},
		{"cgroup fd", func(s *execSpec) { s.CgroupFD = 5 }, false},
		{"umask as pmd's", func(s *execSpec) { s.Umask = self }, false},
		{"umask other", func(s *execSpec) { s.Umask = self ^ 0o7 }, true},
		{"nice", func(s *execSpec) { s.Nice = execTestIntPtr(0) }, true},
		{"oom score", func(s *execSpec) { s.OOMScoreAdjust = execTestIntPtr(0) }, true},
		{"no new privileges", func(s *execSpec) { s.NoNewPrivileges = true }, true},
		{"listen fds", func(s *execSpec) { s.ListenFDs = 1 }, true},
		{"bounding set", func(s *execSpec) { s.CapabilityBoundingSet = unit.CapAll &^ 1 }, true},
		{"SIGPIPE unlike pmd", func(s *execSpec) { s.IgnoreSIGPIPE = !execSelf().sigpipeIgnored }, true},
		{"bare name in a chroot", func(s *execSpec) { s.Path, s.RootDir = "true", "/r" }, true},
		{"rlimit as inherited", func(s *execSpec) {
			s.Rlimits = []execRlimit{{Resource: unix.RLIMIT_CORE, Soft: core.Cur, Hard: core.Max}}
		}, false},
		{"rlimit changed", func(s *execSpec) {
			s.Rlimits = []execRlimit{{Resource: unix.RLIMIT_CORE, Soft: core.Cur ^ 1, Hard: core.Max}}
		}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newExecSpec("/bin/true", nil, nil)
			s.IgnoreSIGPIPE = execSelf().sigpipeIgnored
			tc.mod(s)
			if got := execNeedsHelper(s); got != tc.want {
				t.Errorf("execNeedsHelper = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestExecListenEnv(t *testing.T) {
	tests := []struct {
		name  string
		env   []string
		n     int
		names []string
		want  []string
	}{
		{"plain", []string{"A=1"}, 2, nil, []string{"LISTEN_PID=42", "LISTEN_FDS=2", "A=1"}},
		{"names", nil, 2, []string{"a", "b"}, []string{"LISTEN_PID=42", "LISTEN_FDS=2", "LISTEN_FDNAMES=a:b"}},
		{"replaces", []string{"LISTEN_PID=1", "B=2", "LISTEN_FDS=7", "LISTEN_FDNAMES=x", "LISTEN_PIDX=3"}, 1, []string{"s"},
			[]string{"LISTEN_PID=42", "LISTEN_FDS=1", "LISTEN_FDNAMES=s", "B=2", "LISTEN_PIDX=3"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := execListenEnv(tc.env, 42, tc.n, tc.names); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("execListenEnv = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestExecParseStatus(t *testing.T) {
	readErr := errors.New("read failed")
	tests := []struct {
		name    string
		in      string
		err     error
		want    *execError
		wantErr error // when want is nil: nil, or a sentinel to match
		anyErr  bool
	}{
		{name: "exec succeeded", in: "x"},
		{name: "nothing written", in: "", wantErr: errExecHelperLost},
		{name: "step failed", in: `{"Step":"CHDIR","ExitStatus":200,"Errno":2,"Path":"/p"}`,
			want: &execError{Step: "CHDIR", ExitStatus: 200, Errno: unix.ENOENT, Path: "/p"}},
		{name: "execve failed", in: `x{"Step":"EXEC","ExitStatus":203,"Errno":13,"Path":"/p"}`,
			want: &execError{Step: "EXEC", ExitStatus: 203, Errno: unix.EACCES, Path: "/p"}},
		{name: "garbage", in: "x{bad", anyErr: true},
		{name: "read error", in: "x", err: readErr, wantErr: readErr},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := execParseStatus([]byte(tc.in), tc.err)
			switch {
			case tc.want != nil:
				var e *execError
				if !errors.As(got, &e) || *e != *tc.want {
					t.Errorf("got %v, want %+v", got, tc.want)
				}
			case tc.anyErr:
				var e *execError
				if got == nil || errors.As(got, &e) {
					t.Errorf("got %v, want a plain error", got)
				}
			case tc.wantErr != nil:
				if !errors.Is(got, tc.wantErr) {
					t.Errorf("got %v, want %v", got, tc.wantErr)
				}
			default:
				if got != nil {
					t.Errorf("got %v, want nil", got)
				}
			}
		})
	}
}

func TestExecCloseOnExecFrom(t *testing.T) {
	fd, err := unix.Dup(0) // dup leaves close-on-exec off
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	below, err := unix.Dup(0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(below)
	first := max(fd, below)
	execCloseOnExecFrom(first)
	for _, tc := range []struct {
		name string
		fd   int
		want bool
	}{{"at first", first, true}, {"below first", min(fd, below), false}} {
		t.Run(tc.name, func(t *testing.T) {
			flags, err := unix.FcntlInt(uintptr(tc.fd), unix.F_GETFD, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := flags&unix.FD_CLOEXEC != 0; got != tc.want {
				t.Errorf("close-on-exec = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestExecStrerror(t *testing.T) {
	for _, tc := range []struct {
		errno unix.Errno
		want  string
	}{{unix.ENOENT, "No such file or directory"}, {unix.EACCES, "Permission denied"}} {
		t.Run(tc.want, func(t *testing.T) {
			if got := execStrerror(tc.errno); got != tc.want {
				t.Errorf("execStrerror(%d) = %q, want %q", tc.errno, got, tc.want)
			}
		})
	}
}

func TestExecStartSIGPIPE(t *testing.T) {
	execTestRequire(t, os.Geteuid() == 0, "needs root")
	execTestRequire(t, execSelf().known, "no SigIgn in /proc/self/status")
	// A Go child would install its own SIGPIPE handler; sh keeps what it
	// inherited ignored, and grep reports it.
	for _, ignore := range []bool{true, false} {
		for _, mode := range []string{execTestAuto, execTestHelper} {
			t.Run(fmt.Sprintf("ignore=%v/%s", ignore, mode), func(t *testing.T) {
				out := filepath.Join(t.TempDir(), "sigign")
				spec := newExecSpec("/bin/sh", []string{"sh", "-c", `grep ^SigIgn: /proc/self/status > "$OUT"`}, []string{"OUT=" + out})
				spec.IgnoreSIGPIPE = ignore
				var (
					pid  int
					done <-chan error
					err  error
				)
				if mode == execTestHelper {
					fds, cleanup, ferr := execFileFDs(execFiles{})
					if ferr != nil {
						t.Fatal(ferr)
					}
					pid, done, err = execStartHelper(spec, fds)
					cleanup()
				} else {
					pid, done, err = execStart(spec, execFiles{})
				}
				if err != nil {
					t.Fatal(err)
				}
				if err := <-done; err != nil {
					t.Fatalf("done = %v, want nil", err)
				}
				var ws unix.WaitStatus
				if _, err := unix.Wait4(pid, &ws, 0, nil); err != nil || ws.ExitStatus() != 0 {
					t.Fatalf("wait4: %v, status %#x", err, ws)
				}
				b, err := os.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				mask, err := strconv.ParseUint(strings.TrimSpace(strings.TrimPrefix(string(b), "SigIgn:")), 16, 64)
				if err != nil {
					t.Fatalf("parsing %q: %v", b, err)
				}
				if got := mask&(1<<(unix.SIGPIPE-1)) != 0; got != ignore {
					t.Errorf("SIGPIPE ignored = %v, want %v (SigIgn %016x)", got, ignore, mask)
				}
			})
		}
	}
}
