package manager

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The exec tests start the test binary itself as the service: with
// execTestDumpEnv set, TestMain calls execTestChildMain, which writes the
// process's state (as execTestState) to the file the variable names and
// exits.
const (
	execTestDumpEnv   = "PM_EXEC_TEST_DUMP"
	execTestBind80Env = "PM_EXEC_TEST_BIND80"
)

// execTestState is what a started child reports about itself.
type execTestState struct {
	PID, PPID, SID   int
	UID, EUID        int
	GID, EGID        int
	Groups           []int
	Umask            string
	CapEff, CapPrm   string
	CapInh, CapBnd   string
	CapAmb           string
	NoNewPrivs       string
	Nice             int
	OOMScoreAdj      string
	Cwd              string
	Limits           map[int][2]uint64
	Env              []string
	FDs              map[int]string
	FDData           map[int]string
	Bind80           string
	ListenPIDMatches bool
}

// execTestChildMain is the service side; it returns unless the test binary
// was started as one.
func execTestChildMain() {
	path := os.Getenv(execTestDumpEnv)
	if path == "" {
		return
	}
	st := execTestCollect()
	b, err := json.Marshal(st)
	if err != nil {
		os.Exit(3)
	}
	if err := os.WriteFile(path, b, 0o666); err != nil {
		os.Exit(4)
	}
	os.Exit(0)
}

func execTestCollect() execTestState {
	st := execTestState{
		PID: os.Getpid(), PPID: os.Getppid(),
		UID: os.Getuid(), EUID: os.Geteuid(), GID: os.Getgid(), EGID: os.Getegid(),
		Limits: map[int][2]uint64{}, FDs: map[int]string{}, FDData: map[int]string{},
		Env: os.Environ(),
	}
	st.SID, _ = unix.Getsid(0)
	st.Groups, _ = os.Getgroups()
	st.Cwd, _ = os.Getwd()
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for line := range strings.Lines(string(b)) {
			k, v, _ := strings.Cut(line, ":")
			v = strings.TrimSpace(v)
			switch k {
			case "Umask":
				st.Umask = v
			case "CapEff":
				st.CapEff = v
			case "CapPrm":
				st.CapPrm = v
			case "CapInh":
				st.CapInh = v
			case "CapBnd":
				st.CapBnd = v
			case "CapAmb":
				st.CapAmb = v
			case "NoNewPrivs":
				st.NoNewPrivs = v
			}
		}
	}
	st.Nice = execTestNice("/proc/self/stat")
	if b, err := os.ReadFile("/proc/self/oom_score_adj"); err == nil {
		st.OOMScoreAdj = strings.TrimSpace(string(b))
	}
	for r := range 16 { // every RLIMIT_* resource
		var l unix.Rlimit
		if unix.Getrlimit(r, &l) == nil {
			st.Limits[r] = [2]uint64{l.Cur, l.Max}
		}
	}
	ents, _ := os.ReadDir("/proc/self/fd")
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		target, _ := os.Readlink("/proc/self/fd/" + e.Name())
		st.FDs[n] = target
	}
	nfds, _ := strconv.Atoi(os.Getenv("LISTEN_FDS"))
	st.ListenPIDMatches = os.Getenv("LISTEN_PID") == strconv.Itoa(os.Getpid())
	for fd := 3; fd < 3+nfds; fd++ {
		buf := make([]byte, 64)
		n, _ := unix.Pread(fd, buf, 0)
		st.FDData[fd] = string(buf[:max(n, 0)])
	}
	if os.Getenv(execTestBind80Env) != "" {
		l, err := net.Listen("tcp", "127.0.0.1:80")
		if err != nil {
			st.Bind80 = err.Error()
		} else {
			l.Close()
			st.Bind80 = "ok"
		}
	}
	return st
}

// execTestNice reads the nice value (field 19) from a /proc stat file.
func execTestNice(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return -100
	}
	// The command name in parentheses may hold blanks; fields follow it.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 17 {
		return -100
	}
	n, _ := strconv.Atoi(fields[16])
	return n
}

// execTestRequire skips the test (or fails it under CI) when ok is false.
func execTestRequire(t *testing.T, ok bool, reason string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("cannot run under CI: %s", reason)
	}
	t.Skipf("skipping: %s", reason)
}

// execTestHasCap reports whether this process has capability n in its
// effective set.
func execTestHasCap(n int) bool {
	c, err := execCapGet()
	return err == nil && c.effective&(1<<n) != 0
}

// execTestDir makes a directory every user may write, removed at cleanup
// (t.TempDir's are private to root).
func execTestDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "pm-exec-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	return dir
}

// execTestExe returns a copy of the test binary that any user may run
// (the go build directory is private to root).
func execTestExe(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	p := filepath.Join(execTestDir(t), "child")
	out, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// execTestResult is what one start produced.
type execTestResult struct {
	pid    int
	done   error
	status unix.WaitStatus
	state  *execTestState
}

// How execTestStart starts a child.
const (
	execTestAuto   = "execStart" // execStart's own choice
	execTestDirect = "direct"    // the fast path only, no fallback
	execTestHelper = "helper"    // the exec helper
)

// execTestStart starts spec the way mode says, waits for done and the
// exit of the child, and reads the state the child dumped, if any. The
// child must be the test binary for a state to appear.
func execTestStart(t *testing.T, spec *execSpec, files execFiles, mode string) execTestResult {
	t.Helper()
	dump := filepath.Join(execTestDir(t), "state.json")
	spec.Env = append(spec.Env, execTestDumpEnv+"="+dump)
	var (
		pid  int
		done <-chan error
		err  error
	)
	switch mode {
	case execTestAuto:
		pid, done, err = execStart(spec, files)
	case execTestDirect, execTestHelper:
		fds, cleanup, ferr := execFileFDs(files)
		if ferr != nil {
			t.Fatal(ferr)
		}
		if mode == execTestHelper {
			pid, done, err = execStartHelper(spec, fds)
		} else {
			pid, err = execStartDirect(spec, fds)
			ch := make(chan error)
			close(ch)
			done = ch
		}
		cleanup()
	default:
		t.Fatalf("unknown start mode %q", mode)
	}
	if err != nil {
		t.Fatalf("execStart: %v", err)
	}
	res := execTestResult{pid: pid}
	select {
	case res.done = <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("done not resolved for pid %d", pid)
	}
	for {
		_, err := unix.Wait4(pid, &res.status, 0, nil)
		if !errors.Is(err, unix.EINTR) {
			if err != nil {
				t.Fatalf("wait4(%d): %v", pid, err)
			}
			break
		}
	}
	if b, err := os.ReadFile(dump); err == nil {
		var st execTestState
		if err := json.Unmarshal(b, &st); err != nil {
			t.Fatalf("child state: %v", err)
		}
		res.state = &st
	}
	return res
}

// execTestOK fails the test unless the start ran the program, which
// exited 0 after dumping its state, and returns that state.
func execTestOK(t *testing.T, res execTestResult) *execTestState {
	t.Helper()
	if res.done != nil {
		t.Fatalf("done = %v, want nil", res.done)
	}
	if !res.status.Exited() || res.status.ExitStatus() != 0 {
		t.Fatalf("child status = %#x, want exit 0", res.status)
	}
	if res.state == nil {
		t.Fatal("child wrote no state")
	}
	if res.state.PID != res.pid {
		t.Errorf("child pid = %d, want %d", res.state.PID, res.pid)
	}
	return res.state
}

// execTestFailed fails the test unless the start failed at step with the
// exit status and errno given.
func execTestFailed(t *testing.T, res execTestResult, step string, code int, errno syscall.Errno) {
	t.Helper()
	var e *execError
	if !errors.As(res.done, &e) {
		t.Fatalf("done = %v, want *execError", res.done)
	}
	if e.Step != step || e.ExitStatus != code || e.Errno != errno {
		t.Errorf("done = %+v, want step %s status %d errno %v", *e, step, code, errno)
	}
	if !res.status.Exited() || res.status.ExitStatus() != code {
		t.Errorf("child status = %#x, want exit %d", res.status, code)
	}
	if res.state != nil {
		t.Errorf("program ran although the start failed")
	}
}
