package manager

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// These tests run the real loop with real processes: the test binary is
// the service (svcTestMain). Only one loop may run per process, so they
// are not parallel.

// syncBuffer is a bytes.Buffer safe for the output goroutines.
type syncBuffer struct {
	mu   sync.Mutex // guards b and grew
	b    bytes.Buffer
	grew chan struct{} // closed and replaced on every write
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.grew != nil {
		close(s.grew)
	}
	s.grew = make(chan struct{})
	return s.b.Write(p)
}

// waitFor waits until the buffer holds sub, and reports whether it did
// within d.
func (s *syncBuffer) waitFor(sub string, d time.Duration) bool {
	deadline := time.After(d)
	for {
		s.mu.Lock()
		if strings.Contains(s.b.String(), sub) {
			s.mu.Unlock()
			return true
		}
		if s.grew == nil {
			s.grew = make(chan struct{})
		}
		grew := s.grew
		s.mu.Unlock()
		select {
		case <-grew:
		case <-deadline:
			return false
		}
	}
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type engine struct {
	t    testing.TB
	m    *Manager
	dir  string
	out  *syncBuffer
	logs *syncBuffer

	// close stops the services and the loop; it runs at the end of the
	// test, or earlier when called.
	close func()

	mu      sync.Mutex // guards history and grew
	history []Event
	grew    chan struct{} // closed and replaced when history grows
}

// record keeps every event in the engine's history.
func (e *engine) record() {
	events, _ := e.m.Subscribe()
	go func() {
		for ev := range events {
			e.mu.Lock()
			e.history = append(e.history, ev)
			close(e.grew)
			e.grew = make(chan struct{})
			e.mu.Unlock()
		}
	}()
}

// saw reports whether the unit passed through sub-state sub since the
// engine started. Events reach the history asynchronously, so it waits a
// little for one that may be on its way.
func (e *engine) saw(name, sub string) bool {
	deadline := time.After(2 * time.Second)
	for {
		e.mu.Lock()
		for _, ev := range e.history {
			if ev.Unit == name && ev.SubState == sub {
				e.mu.Unlock()
				return true
			}
		}
		grew := e.grew
		e.mu.Unlock()
		select {
		case <-grew:
		case <-deadline:
			return false
		}
	}
}

// testExe is the path of the test binary, which services run.
func testExe(t testing.TB) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// copyExe copies the test binary into dir, so that services running as
// other users can execute it (go test's build directory is private).
func copyExe(t testing.TB, dir string) string {
	t.Helper()
	b, err := os.ReadFile(testExe(t))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "svc.test")
	if err := os.WriteFile(p, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// needRoot skips (or fails under CI) when not root: the engine tests start
// services as other users and bind privileged ports.
func needRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatal("cannot run under CI: needs root")
	}
	t.Skip("skipping: needs root")
}

// startEngine writes units (name → content, "@EXE@" replaced by the test
// binary) and runs a manager on them until the test ends.
func startEngine(t testing.TB, units map[string]string) *engine {
	t.Helper()
	needRoot(t)
	dir := t.TempDir()
	// Services running as other users must reach their files.
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	udir := filepath.Join(dir, "units")
	if err := os.MkdirAll(udir, 0o755); err != nil {
		t.Fatal(err)
	}
	exe := copyExe(t, dir)
	for name, content := range units {
		content = strings.ReplaceAll(content, "@EXE@", exe)
		content = strings.ReplaceAll(content, "@DIR@", dir)
		if err := os.WriteFile(filepath.Join(udir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e := &engine{t: t, dir: dir, out: &syncBuffer{}, logs: &syncBuffer{}, grew: make(chan struct{})}
	m, err := New(Config{
		UnitPath:   []string{udir},
		RuntimeDir: filepath.Join(dir, "pm"),
		StateDir:   filepath.Join(dir, "state"),
		Dirs: DirRoots{
			Runtime: filepath.Join(dir, "run"), State: filepath.Join(dir, "lib"),
			Cache: filepath.Join(dir, "cache"), Logs: filepath.Join(dir, "log"),
			Configuration: filepath.Join(dir, "etc"),
		},
		System: true,
		Logger: testLogger(t, e.logs),
		Output: e.out,
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := m.Diagnostics().Filter(1); len(d) > 0 {
		t.Fatalf("unit problems:\n%s", d)
	}
	e.m = m
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	select {
	case <-m.Ready():
	case err := <-done:
		t.Fatalf("Run: %v", err)
	}
	if _, bench := t.(*testing.B); !bench {
		// Benchmarks measure the loop without a second subscriber.
		e.record()
	}
	var once sync.Once
	e.close = func() {
		once.Do(func() {
			sctx, scancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer scancel()
			if err := m.Shutdown(sctx); err != nil {
				t.Errorf("shutdown: %v", err)
			}
			cancel()
			<-done
			if t.Failed() {
				t.Logf("pm log:\n%s\nservice output:\n%s", e.logs, e.out)
			}
		})
	}
	t.Cleanup(e.close)
	return e
}

func (e *engine) start(name string) {
	e.t.Helper()
	if err := e.m.Start(context.Background(), name); err != nil {
		e.t.Fatalf("start %s: %v", name, err)
	}
}

func (e *engine) stop(name string) {
	e.t.Helper()
	if err := e.m.Stop(context.Background(), name); err != nil {
		e.t.Fatalf("stop %s: %v", name, err)
	}
}

// wait waits until the unit's status satisfies ok, failing after d.
func (e *engine) wait(name string, d time.Duration, what string, ok func(*UnitStatus) bool) *UnitStatus {
	e.t.Helper()
	events, cancel := e.m.Subscribe()
	defer cancel()
	deadline := time.After(d)
	for {
		if st := e.m.Snapshot().Unit(name); st != nil && ok(st) {
			return st
		}
		select {
		case <-events:
		case <-deadline:
			st := e.m.Snapshot().Unit(name)
			e.t.Fatalf("%s: timed out after %v waiting for %s; now %s/%s result %s", name, d, what, st.ActiveState, st.SubState, st.Result)
		}
	}
}

// waitSub waits for the given sub-state.
func (e *engine) waitSub(name, sub string, d time.Duration) *UnitStatus {
	e.t.Helper()
	return e.wait(name, d, sub, func(st *UnitStatus) bool { return st.SubState == sub })
}

func TestEngineSimpleStartStop(t *testing.T) {
	e := startEngine(t, map[string]string{"a.service": "[Service]\nExecStart=@EXE@\nEnvironment=PM_TEST_SVC=sleep\n"})
	e.start("a.service")
	st := e.waitSub("a.service", "running", 5*time.Second)
	if st.MainPID <= 0 || !pidAlive(st.MainPID) {
		t.Fatalf("main pid %d not alive", st.MainPID)
	}
	e.stop("a.service")
	st = e.waitSub("a.service", "dead", 10*time.Second)
	if st.Result != ResultSuccess || st.Simple != SimpleStopped {
		t.Errorf("after stop: result %s simple %s", st.Result, st.Simple)
	}
}

func TestEngineExitCodeFails(t *testing.T) {
	e := startEngine(t, map[string]string{"a.service": "[Service]\nExecStart=@EXE@\nEnvironment=PM_TEST_SVC=exit:7\n"})
	e.start("a.service")
	st := e.waitSub("a.service", "failed", 5*time.Second)
	if st.Result != ResultExitCode || st.ExecMain.Code != "exited" || st.ExecMain.Status != 7 {
		t.Errorf("got result %s, main %+v", st.Result, st.ExecMain)
	}
	if st.Simple != SimpleCrashed {
		t.Errorf("simple state %s, want crashed", st.Simple)
	}
}

func TestEngineMissingBinary(t *testing.T) {
	e := startEngine(t, map[string]string{"a.service": "[Service]\nExecStart=/nonexistent/bin/x\n"})
	e.start("a.service")
	st := e.waitSub("a.service", "failed", 5*time.Second)
	if st.ExecMain.Status != 203 {
		t.Errorf("exit status %d, want 203/EXEC", st.ExecMain.Status)
	}
	if !e.logs.waitFor("Failed at step EXEC spawning /nonexistent/bin/x: No such file or directory", 5*time.Second) {
		t.Errorf("log does not say why:\n%s", e.logs)
	}
}

func TestEngineBadUser(t *testing.T) {
	e := startEngine(t, map[string]string{"a.service": "[Service]\nExecStart=/bin/true\nUser=no-such-user-pm\n"})
	e.start("a.service")
	st := e.waitSub("a.service", "failed", 5*time.Second)
	if st.ExecMain.Status != 217 {
		t.Errorf("exit status %d, want 217/USER", st.ExecMain.Status)
	}
	if !e.logs.waitFor("Failed at step USER", 5*time.Second) {
		t.Errorf("log does not say why:\n%s", e.logs)
	}
}

func TestEngineConditionSkips(t *testing.T) {
	e := startEngine(t, map[string]string{"a.service": "[Unit]\nConditionPathExists=/nonexistent/pm-test\n[Service]\nExecStart=/bin/sleep 100\n"})
	e.start("a.service")
	st := e.m.Snapshot().Unit("a.service")
	if st.ActiveState != Inactive || st.SubState != "dead" || st.ConditionResult {
		t.Fatalf("got %s/%s condition %v, want inactive/dead with a failed condition", st.ActiveState, st.SubState, st.ConditionResult)
	}
	if st.FailedCondition != "ConditionPathExists=/nonexistent/pm-test" {
		t.Errorf("failed condition %q", st.FailedCondition)
	}
}

func TestEngineNotify(t *testing.T) {
	e := startEngine(t, map[string]string{"a.service": "[Service]\nType=notify\nExecStart=@EXE@\nEnvironment=PM_TEST_SVC=notify-late\n"})
	e.start("a.service")
	st := e.m.Snapshot().Unit("a.service")
	if st.SubState != "start" {
		t.Fatalf("before READY=1 the service must be starting, got %s", st.SubState)
	}
	e.waitSub("a.service", "running", 5*time.Second)
}

func TestEngineNotifyStatusAndMainPID(t *testing.T) {
	e := startEngine(t, map[string]string{
		"s.service": "[Service]\nType=notify\nExecStart=@EXE@\nEnvironment=PM_TEST_SVC=notify\n",
		"m.service": "[Service]\nType=notify\nNotifyAccess=all\nExecStart=@EXE@\nEnvironment=PM_TEST_SVC=notify-mainpid\n",
	})
	e.start("s.service")
	st := e.waitSub("s.service", "running", 5*time.Second)
	if st.StatusText != "serving" {
		t.Errorf("STATUS= gave %q", st.StatusText)
	}
	e.start("m.service")
	st = e.waitSub("m.service", "running", 5*time.Second)
	if !pidAlive(st.MainPID) {
		t.Fatalf("MAINPID= %d is not alive", st.MainPID)
	}
	e.stop("m.service")
	e.waitSub("m.service", "dead", 10*time.Second)
	if pidAlive(st.MainPID) {
		t.Errorf("the MAINPID= process %d survived the stop", st.MainPID)
	}
}

func TestEngineSigkillAfterTimeout(t *testing.T) {
	e := startEngine(t, map[string]string{"a.service": "[Service]\nType=notify\nExecStart=@EXE@\nEnvironment=PM_TEST_SVC=ignore-term\nTimeoutStopSec=500ms\n"})
	e.start("a.service")
	st := e.waitSub("a.service", "running", 5*time.Second)
	pid := st.MainPID
	t0 := time.Now()
	e.stop("a.service")
	st = e.waitSub("a.service", "failed", 5*time.Second)
	if !e.saw("a.service", "stop-sigkill") {
		t.Error("the service never was in stop-sigkill")
	}
	if el := time.Since(t0); el < 400*time.Millisecond {
		t.Errorf("SIGKILL came after %v, before TimeoutStopSec=500ms", el)
	}
	if st.Result != ResultTimeout || pidAlive(pid) {
		t.Errorf("result %s, pid %d alive %v", st.Result, pid, pidAlive(pid))
	}
}

func TestEngineControlGroupKillsGrandchild(t *testing.T) {
	e := startEngine(t, map[string]string{"a.service": "[Service]\nExecStart=@EXE@\nEnvironment=PM_TEST_SVC=double-fork\n"})
	e.start("a.service")
	st := e.waitSub("a.service", "running", 5*time.Second)
	// Find the grandchild: a process in the main process's session other
	// than the main process.
	var grand int
	deadline := time.Now().Add(5 * time.Second)
	for grand == 0 && time.Now().Before(deadline) {
		for _, pid := range procsInSession(st.MainPID) {
			if pid != st.MainPID {
				grand = pid
			}
		}
		if grand == 0 {
			time.Sleep(20 * time.Millisecond)
		}
	}
	if grand == 0 {
		t.Fatal("the service did not start its grandchild")
	}
	e.stop("a.service")
	e.waitSub("a.service", "dead", 10*time.Second)
	if pidAlive(grand) {
		t.Errorf("KillMode=control-group left the double-forked grandchild %d alive", grand)
	}
}

// procsInSession lists the live processes of session sid.
func procsInSession(sid int) []int {
	d, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range d {
		var pid int
		if _, err := fmt.Sscanf(e.Name(), "%d", &pid); err != nil {
			continue
		}
		if pi, err := readProcStat(pid); err == nil && pi.sid == sid && pi.state != 'Z' {
			out = append(out, pid)
		}
	}
	return out
}

// testLogger logs at debug level into w for tests, which print the log
// when they fail; benchmarks log at info level into nothing, so that they
// measure neither formatting nor a growing buffer.
func testLogger(t testing.TB, w io.Writer) *slog.Logger {
	if _, bench := t.(*testing.B); bench {
		return slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
