package manager

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/pm-project/pm/unit"
)

func execTestIntPtr(n int) *int { return &n }

// execTestSpec is a spec that runs the test binary as a dumping child.
func execTestSpec(t *testing.T) *execSpec {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	s := newExecSpec(self, []string{"pm-test-child"}, []string{"PM_TEST=1"})
	// As pmd does: keep the fast path open.
	s.IgnoreSIGPIPE = execSelf().sigpipeIgnored
	return s
}

func TestExecStartRuns(t *testing.T) {
	execTestRequire(t, os.Geteuid() == 0, "needs root")
	var parentGroups []int
	parentGroups, _ = os.Getgroups()
	tests := []struct {
		name string
		// helperOnly cases cannot take the fast path; they run once,
		// through execStart. The others run on each path alone, or in
		// the ways modes lists.
		helperOnly bool
		modes      []string
		prep       func(t *testing.T, s *execSpec, f *execFiles)
		check      func(t *testing.T, st *execTestState)
	}{
		{
			name: "defaults",
			check: func(t *testing.T, st *execTestState) {
				if st.Cwd != "/" {
					t.Errorf("cwd = %q, want /", st.Cwd)
				}
				if st.SID != st.PID {
					t.Errorf("sid = %d, want the child's pid %d", st.SID, st.PID)
				}
				if st.UID != 0 || st.GID != 0 {
					t.Errorf("uid/gid = %d/%d, want 0/0", st.UID, st.GID)
				}
				if !slices.Contains(st.Env, "PM_TEST=1") || slices.ContainsFunc(st.Env, func(s string) bool { return strings.HasPrefix(s, "LISTEN_") }) {
					t.Errorf("env = %q, want PM_TEST=1 and no LISTEN_*", st.Env)
				}
				if st.NoNewPrivs != "0" {
					t.Errorf("NoNewPrivs = %q, want 0", st.NoNewPrivs)
				}
				for _, fd := range []int{0, 1, 2} {
					if st.FDs[fd] != "/dev/null" {
						t.Errorf("fd %d = %q, want /dev/null", fd, st.FDs[fd])
					}
				}
				execTestNoLeakedFDs(t, st, 3)
			},
		},
		{
			name: "argv and env",
			prep: func(t *testing.T, s *execSpec, f *execFiles) {
				s.Argv = []string{"zero", "one two", ""}
				s.Env = append(s.Env, "A=b=c")
			},
			check: func(t *testing.T, st *execTestState) {
				if !slices.Contains(st.Env, "A=b=c") {
					t.Errorf("env = %q, want A=b=c", st.Env)
				}
			},
		},
		{
			name: "working directory",
			prep: func(t *testing.T, s *execSpec, f *execFiles) { s.Dir = "/proc" },
			check: func(t *testing.T, st *execTestState) {
				if st.Cwd != "/proc" {
					t.Errorf("cwd = %q, want /proc", st.Cwd)
				}
			},
		},
		{
			name: "working directory missing ok",
			// The fast path fails at chdir; execStart retries through
			// the helper.
			modes: []string{execTestAuto, execTestHelper},
			prep: func(t *testing.T, s *execSpec, f *execFiles) {
				s.Dir, s.DirMissingOK = "/nonexistent/pm-exec", true
			},
			check: func(t *testing.T, st *execTestState) {
				if st.Cwd != "/" {
					t.Errorf("cwd = %q, want /", st.Cwd)
				}
			},
		},
		{
			name:  "large environment",
			modes: []string{execTestHelper},
			prep: func(t *testing.T, s *execSpec, f *execFiles) {
				for i := range 4 {
					s.Env = append(s.Env, "BIG"+strconv.Itoa(i)+"="+strings.Repeat("x", 60000))
				}
			},
			check: func(t *testing.T, st *execTestState) {
				n := 0
				for _, kv := range st.Env {
					if strings.HasPrefix(kv, "BIG") && len(kv) == 60005 {
						n++
					}
				}
				if n != 4 {
					t.Errorf("child has %d of the 4 large variables", n)
				}
			},
		},
		{
			name: "stdio and extra files",
			prep: func(t *testing.T, s *execSpec, f *execFiles) {
				dir := t.TempDir()
				f.Stdout = execTestFile(t, filepath.Join(dir, "out"), "")
				f.Extra = []*os.File{execTestFile(t, filepath.Join(dir, "extra"), "x"), nil, execTestFile(t, filepath.Join(dir, "extra2"), "y")}
			},
			check: func(t *testing.T, st *execTestState) {
				if !strings.HasSuffix(st.FDs[1], "/out") || !strings.HasSuffix(st.FDs[3], "/extra") || !strings.HasSuffix(st.FDs[5], "/extra2") {
					t.Errorf("fds = %v, want 1 → out, 3 → extra, 5 → extra2", st.FDs)
				}
				if st.FDs[0] != "/dev/null" || st.FDs[2] != "/dev/null" {
					t.Errorf("fds = %v, want 0 and 2 → /dev/null", st.FDs)
				}
				if target, ok := st.FDs[4]; ok && execTestForeignFD(target) {
					t.Errorf("fd 4 = %q, want it closed", st.FDs[4])
				}
				execTestNoLeakedFDs(t, st, 6)
			},
		},
		{
			name: "user with supplementary groups",
			prep: func(t *testing.T, s *execSpec, f *execFiles) {
				s.Path = execTestExe(t)
				s.Credentials = &execCredentials{UID: 65534, GID: 65534, Groups: []uint32{100, 65534}}
			},
			check: func(t *testing.T, st *execTestState) {
				slices.Sort(st.Groups)
				if st.UID != 65534 || st.EUID != 65534 || st.GID != 65534 || st.EGID != 65534 || !slices.Equal(st.Groups, []int{100, 65534}) {
					t.Errorf("uid %d/%d gid %d/%d groups %v, want 65534 and groups [100 65534]", st.UID, st.EUID, st.GID, st.EGID, st.Groups)
				}
				if st.CapEff != "0000000000000000" || st.CapPrm != "0000000000000000" {
					t.Errorf("CapEff %s CapPrm %s, want none", st.CapEff, st.CapPrm)
				}
			},
		},
		{
			name: "group without supplementary groups keeps pmd's",
			prep: func(t *testing.T, s *execSpec, f *execFiles) {
				s.Credentials = &execCredentials{UID: 0, GID: 65534}
			},
			check: func(t *testing.T, st *execTestState) {
				slices.Sort(st.Groups)
				slices.Sort(parentGroups)
				if st.GID != 65534 || !slices.Equal(st.Groups, parentGroups) {
					t.Errorf("gid %d groups %v, want 65534 and %v", st.GID, st.Groups, parentGroups)
				}
			},
		},
		{
			name: "ambient capability for a non-root user",
			prep: func(t *testing.T, s *execSpec, f *execFiles) {
				execTestRequire(t, execTestHasCap(unix.CAP_NET_BIND_SERVICE), "needs CAP_NET_BIND_SERVICE")
				s.Path = execTestExe(t)
				s.Credentials = &execCredentials{UID: 65534, GID: 65534, Groups: []uint32{65534}}
				s.AmbientCaps = 1 << unix.CAP_NET_BIND_SERVICE
				s.Env = append(s.Env, execTestBind80Env+"=1")
			},
			check: func(t *testing.T, st *execTestState) {
				if st.UID != 65534 {
					t.Errorf("uid = %d, want 65534", st.UID)
				}
				if st.CapAmb != "0000000000000400" || st.CapEff != "0000000000000400" {
					t.Errorf("CapAmb %s CapEff %s, want 0000000000000400", st.CapAmb, st.CapEff)
				}
				if st.Bind80 != "ok" {
					t.Errorf("listening on 127.0.0.1:80: %s", st.Bind80)
				}
			},
		},
		{
			name:       "umask",
			helperOnly: true,
			prep:       func(t *testing.T, s *execSpec, f *execFiles) { s.Umask = 0o077 },
			check: func(t *testing.T, st *execTestState) {
				if st.Umask != "0077" {
					t.Errorf("umask = %s, want 0077", st.Umask)
				}
			},
		},
		{
			name:       "nice",
			helperOnly: true,
			prep:       func(t *testing.T, s *execSpec, f *execFiles) { s.Nice = execTestIntPtr(7) },
			check: func(t *testing.T, st *execTestState) {
				if st.Nice != 7 {
					t.Errorf("nice = %d, want 7", st.Nice)
				}
			},
		},
		{
			name:       "negative nice",
			helperOnly: true,
			prep: func(t *testing.T, s *execSpec, f *execFiles) {
				execTestRequire(t, execTestHasCap(unix.CAP_SYS_NICE), "needs CAP_SYS_NICE")
				s.Nice = execTestIntPtr(-3)
			},
			check: func(t *testing.T, st *execTestState) {
				if st.Nice != -3 {
					t.Errorf("nice = %d, want -3", st.Nice)
				}
			},
		},
		{
			name:       "OOM score adjust",
			helperOnly: true,
			prep:       func(t *testing.T, s *execSpec, f *execFiles) { s.OOMScoreAdjust = execTestIntPtr(543) },
			check: func(t *testing.T, st *execTestState) {
				if st.OOMScoreAdj != "543" {
					t.Errorf("oom_score_adj = %s, want 543", st.OOMScoreAdj)
				}
			},
		},
		{
			name:       "OOM score decrease without privilege is skipped",
			helperOnly: true,
			prep: func(t *testing.T, s *execSpec, f *execFiles) {
				execTestRequire(t, !execTestHasCap(unix.CAP_SYS_RESOURCE), "only without CAP_SYS_RESOURCE")
				s.OOMScoreAdjust = execTestIntPtr(-999)
			},
			check: func(t *testing.T, st *execTestState) {
				b, _ := os.ReadFile("/proc/self/oom_score_adj")
				if want := strings.TrimSpace(string(b)); st.OOMScoreAdj != want {
					t.Errorf("oom_score_adj = %s, want pmd's %s", st.OOMScoreAdj, want)
				}
			},
		},
		{
			name:       "rlimits",
			helperOnly: true,
			prep: func(t *testing.T, s *execSpec, f *execFiles) {
				s.Rlimits = execRlimitsFromLimits(map[string]unit.Rlimit{
					"CORE":     {Soft: 1024, Hard: 4096},
					"NOFILE":   {Soft: 512, Hard: 512},
					"MSGQUEUE": {Soft: 1000, Hard: 2000},
				})
			},
			check: func(t *testing.T, st *execTestState) {
				want := map[int][2]uint64{unix.RLIMIT_CORE: {1024, 4096}, unix.RLIMIT_NOFILE: {512, 512}, unix.RLIMIT_MSGQUEUE: {1000, 2000}}
				for r, w := range want {
					if st.Limits[r] != w {
						t.Errorf("resource %d = %v, want %v", r, st.Limits[r], w)
					}
				}
			},
		},
		{
			name:       "rlimit above the hard limit is clamped",
			helperOnly: true,
			prep: func(t *testing.T, s *execSpec, f *execFiles) {
				execTestRequire(t, !execTestHasCap(unix.CAP_SYS_RESOURCE), "only without CAP_SYS_RESOURCE")
				s.Rlimits = []execRlimit{{Resource: unix.RLIMIT_NOFILE, Soft: 1 << 30, Hard: 1 << 30}}
			},
			check: func(t *testing.T, st *execTestState) {
				var l unix.Rlimit
				unix.Getrlimit(unix.RLIMIT_NOFILE, &l)
				if st.Limits[unix.RLIMIT_NOFILE] != [2]uint64{l.Max, l.Max} {
					t.Errorf("NOFILE = %v, want %d:%d", st.Limits[unix.RLIMIT_NOFILE], l.Max, l.Max)
				}
			},
		},
		{
			name:       "bounding set",
			helperOnly: true,
			prep: func(t *testing.T, s *execSpec, f *execFiles) {
				s.CapabilityBoundingSet = 1<<unix.CAP_CHOWN | 1<<unix.CAP_NET_BIND_SERVICE
			},
			check: func(t *testing.T, st *execTestState) {
				if st.CapBnd != "0000000000000401" || st.CapEff != "0000000000000401" || st.CapInh != "0000000000000000" {
					t.Errorf("CapBnd %s CapEff %s CapInh %s, want 401 401 0", st.CapBnd, st.CapEff, st.CapInh)
				}
			},
		},
		{
			name:       "no new privileges",
			helperOnly: true,
			prep:       func(t *testing.T, s *execSpec, f *execFiles) { s.NoNewPrivileges = true },
			check: func(t *testing.T, st *execTestState) {
				if st.NoNewPrivs != "1" {
					t.Errorf("NoNewPrivs = %s, want 1", st.NoNewPrivs)
				}
			},
		},
		{
			name:       "listen fds",
			helperOnly: true,
			prep: func(t *testing.T, s *execSpec, f *execFiles) {
				dir := t.TempDir()
				f.Extra = []*os.File{execTestFile(t, filepath.Join(dir, "a"), "first"), execTestFile(t, filepath.Join(dir, "b"), "second")}
				s.ListenFDs, s.ListenFDNames = 2, []string{"web", "admin"}
				s.Env = append(s.Env, "LISTEN_PID=1", "LISTEN_FDS=9")
			},
			check: func(t *testing.T, st *execTestState) {
				if !st.ListenPIDMatches {
					t.Errorf("LISTEN_PID is not the child's pid %d: %q", st.PID, st.Env)
				}
				for _, kv := range []string{"LISTEN_FDS=2", "LISTEN_FDNAMES=web:admin"} {
					if !slices.Contains(st.Env, kv) {
						t.Errorf("env = %q, want %s", st.Env, kv)
					}
				}
				if n := len(slices.DeleteFunc(slices.Clone(st.Env), func(s string) bool { return !strings.HasPrefix(s, "LISTEN_") })); n != 3 {
					t.Errorf("env has %d LISTEN_ variables, want 3: %q", n, st.Env)
				}
				if st.FDData[3] != "first" || st.FDData[4] != "second" {
					t.Errorf("fd data = %v, want 3: first, 4: second", st.FDData)
				}
				execTestNoLeakedFDs(t, st, 5)
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			paths := []string{execTestDirect, execTestHelper}
			switch {
			case tc.helperOnly:
				paths = []string{execTestAuto}
			case tc.modes != nil:
				paths = tc.modes
			}
			for _, p := range paths {
				t.Run(p, func(t *testing.T) {
					spec := execTestSpec(t)
					var files execFiles
					if tc.prep != nil {
						tc.prep(t, spec, &files)
					}
					if p == execTestDirect && execNeedsHelper(spec) {
						t.Fatalf("spec unexpectedly needs the helper: %+v", spec)
					}
					if tc.helperOnly && !execNeedsHelper(spec) {
						t.Fatalf("spec unexpectedly takes the fast path: %+v", spec)
					}
					st := execTestOK(t, execTestStart(t, spec, files, p))
					tc.check(t, st)
				})
			}
		})
	}
}

// execTestNoLeakedFDs checks that the child has no descriptor from first
// on but the Go runtime's own: in particular not the helper's spec memfd
// or status pipe, nor anything the test process inherited.
func execTestNoLeakedFDs(t *testing.T, st *execTestState, first int) {
	t.Helper()
	for fd, target := range st.FDs {
		if fd >= first && execTestForeignFD(target) {
			t.Errorf("fd %d → %q leaked into the program", fd, target)
		}
	}
}

// execTestForeignFD reports whether an fd of a child (by its /proc link)
// is not one its Go runtime opened: epoll, eventfd, pidfd, the cgroup CPU
// files it reads for GOMAXPROCS, or the directory being listed (gone by
// the time it is read).
func execTestForeignFD(target string) bool {
	for _, p := range []string{"anon_inode:", "/sys/fs/cgroup/", "/proc/"} {
		if strings.HasPrefix(target, p) {
			return false
		}
	}
	return target != ""
}

// execTestFile creates path with content and returns it open for reading
// and writing, closed at cleanup.
func execTestFile(t *testing.T, path, content string) *os.File {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestExecStartFailures(t *testing.T) {
	execTestRequire(t, os.Geteuid() == 0, "needs root")
	tests := []struct {
		name  string
		prep  func(t *testing.T, s *execSpec)
		step  string
		code  int
		errno unix.Errno
	}{
		{"missing program", func(t *testing.T, s *execSpec) { s.Path = "/nonexistent/pm-exec-prog" }, "EXEC", 203, unix.ENOENT},
		{"missing bare program", func(t *testing.T, s *execSpec) { s.Path = "pm-no-such-program-here" }, "EXEC", 203, unix.ENOENT},
		{"program is a directory", func(t *testing.T, s *execSpec) { s.Path = "/proc" }, "EXEC", 203, unix.EISDIR},
		{"program not executable", func(t *testing.T, s *execSpec) {
			p := filepath.Join(t.TempDir(), "noexec")
			if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			s.Path = p
		}, "EXEC", 203, unix.EACCES},
		{"missing working directory", func(t *testing.T, s *execSpec) { s.Dir = "/nonexistent/pm-exec" }, "CHDIR", 200, unix.ENOENT},
		{"working directory is a file", func(t *testing.T, s *execSpec) { s.Dir = "/proc/self/status" }, "CHDIR", 200, unix.ENOTDIR},
		{"missing root directory", func(t *testing.T, s *execSpec) { s.RootDir = "/nonexistent/pm-exec" }, "CHROOT", 210, unix.ENOENT},
		{"program missing inside the root", func(t *testing.T, s *execSpec) { s.RootDir, s.Path = t.TempDir(), "/bin/true" }, "EXEC", 203, unix.ENOENT},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, p := range []string{execTestAuto, execTestHelper} {
				t.Run(p, func(t *testing.T) {
					spec := execTestSpec(t)
					tc.prep(t, spec)
					path := spec.Path
					res := execTestStart(t, spec, execFiles{}, p)
					execTestFailed(t, res, tc.step, tc.code, tc.errno)
					var e *execError
					if errors.As(res.done, &e) && e.Path != path {
						t.Errorf("error path = %q, want %q", e.Path, path)
					}
				})
			}
		})
	}
}

func TestExecStartInvalid(t *testing.T) {
	tests := []struct {
		name  string
		spec  *execSpec
		files execFiles
	}{
		{"empty path", newExecSpec("", nil, nil), execFiles{}},
		{"more listen fds than files", &execSpec{Path: "/bin/true", ListenFDs: 2, CgroupFD: -1}, execFiles{Extra: []*os.File{os.Stdin}}},
		{"relative working directory", &execSpec{Path: "/bin/true", Dir: "tmp", CgroupFD: -1}, execFiles{}},
		{"relative root directory", &execSpec{Path: "/bin/true", RootDir: "tmp", CgroupFD: -1}, execFiles{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pid, done, err := execStart(tc.spec, tc.files)
			if err == nil || pid != 0 || done != nil {
				t.Errorf("execStart = %d, %v, %v; want an error and no process", pid, done, err)
			}
		})
	}
}

func TestExecWithoutAmbientCannotBind(t *testing.T) {
	// The control for the ambient capability case: without it, uid 65534
	// cannot listen on port 80 (unless the host lets everyone).
	execTestRequire(t, os.Geteuid() == 0, "needs root")
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_unprivileged_port_start")
	start, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	execTestRequire(t, err == nil && start > 80, "unprivileged users may bind port 80 here")
	spec := execTestSpec(t)
	spec.Path = execTestExe(t)
	spec.Credentials = &execCredentials{UID: 65534, GID: 65534}
	spec.Env = append(spec.Env, execTestBind80Env+"=1")
	st := execTestOK(t, execTestStart(t, spec, execFiles{}, execTestDirect))
	if st.Bind80 == "ok" {
		t.Errorf("uid 65534 listened on port 80 without CAP_NET_BIND_SERVICE")
	}
}
