package api

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/pm-project/pm/api/client"
	"github.com/pm-project/pm/manager"
	"github.com/pm-project/pm/unit"
)

// The tests run a real manager (one per test: only one may run in a
// process, so they are not parallel) and the server on a real unix
// socket in a temporary directory; services are /bin/sleep and /bin/sh.

func TestMain(m *testing.M) {
	// The manager starts services through the test binary, as pmd does.
	manager.InitExec()
	signal.Ignore(syscall.SIGPIPE)
	os.Exit(m.Run())
}

// env is a manager with the API in front of it.
type env struct {
	t      testing.TB
	dir    string
	units  string // the unit directory
	m      *manager.Manager
	srv    *Server
	lis    *Listener
	c      *client.Client
	socket string
	stop   func()
}

type envOpts struct {
	units map[string]string
	// root makes the unit directory ROOT/lib/systemd/system (the unit path
	// is systemd's below ROOT) and gives the server that root.
	root bool
	// transport changes the listeners (the socket is filled in).
	transport Transport
}

// needRoot skips (or fails under CI) when not root.
func needRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatal("cannot run under CI: needs root")
	}
	t.Skip("skipping: needs root (the manager runs services as the system manager)")
}

func newEnv(t testing.TB, o envOpts) *env {
	t.Helper()
	needRoot(t)
	dir := t.TempDir()
	e := &env{t: t, dir: dir, units: filepath.Join(dir, "units")}
	rootDir := ""
	unitPath := []string{e.units}
	if o.root {
		rootDir = filepath.Join(dir, "root")
		e.units = filepath.Join(rootDir, "lib/systemd/system")
		unitPath = nil
		for _, d := range unit.SystemUnitPath {
			unitPath = append(unitPath, filepath.Join(rootDir, d))
		}
	}
	if err := os.MkdirAll(e.units, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range o.units {
		p := filepath.Join(e.units, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	logs := &syncBuf{}
	m, err := manager.New(manager.Config{
		UnitPath:   unitPath,
		StateDir:   filepath.Join(dir, "state"),
		RuntimeDir: filepath.Join(dir, "pm"),
		Dirs: manager.DirRoots{Runtime: filepath.Join(dir, "run"), State: filepath.Join(dir, "lib"),
			Cache: filepath.Join(dir, "cache"), Logs: filepath.Join(dir, "log"), Configuration: filepath.Join(dir, "etc")},
		System: true,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Output: io.Discard,
	})
	if err != nil {
		t.Fatal(err)
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
	e.srv, err = New(m, Options{Root: rootDir, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	tr := o.transport
	if tr.Socket == "" {
		tr.Socket = filepath.Join(dir, "sock", "pm.sock")
	}
	e.socket = tr.Socket
	e.lis, err = Listen(e.srv, tr)
	if err != nil {
		t.Fatal(err)
	}
	e.lis.Serve()
	e.c, err = client.Dial(client.Options{Socket: e.socket})
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	e.stop = func() {
		once.Do(func() {
			e.c.Close()
			e.lis.Stop(5 * time.Second)
			sctx, scancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer scancel()
			if err := m.Shutdown(sctx); err != nil {
				t.Errorf("shutdown: %v", err)
			}
			cancel()
			<-done
			if t.Failed() {
				t.Logf("pm log:\n%s", logs)
			}
		})
	}
	t.Cleanup(e.stop)
	return e
}

// ctx is a context for one call.
func (e *env) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	e.t.Cleanup(cancel)
	return ctx
}

// wait waits until the unit's status satisfies ok.
func (e *env) wait(name string, what string, ok func(*manager.UnitStatus) bool) *manager.UnitStatus {
	e.t.Helper()
	events, cancel := e.m.Subscribe()
	defer cancel()
	deadline := time.After(10 * time.Second)
	for {
		if st := e.m.Snapshot().Resolve(name); st != nil && ok(st) {
			return st
		}
		select {
		case <-events:
		case <-deadline:
			st := e.m.Snapshot().Resolve(name)
			if st == nil {
				e.t.Fatalf("%s: not loaded, want %s", name, what)
			}
			e.t.Fatalf("%s: %s/%s, want %s", name, st.ActiveState, st.SubState, what)
			return nil
		}
	}
}

func (e *env) waitActive(name string) *manager.UnitStatus {
	e.t.Helper()
	return e.wait(name, "active", func(st *manager.UnitStatus) bool { return st.ActiveState == manager.Active })
}

// syncBuf is a buffer for the manager's log.
type syncBuf struct {
	mu sync.Mutex // guards b
	b  []byte
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b = append(s.b, p...)
	return len(p), nil
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.b)
}

// wantStatus checks an error's code and ErrorInfo reason, and the field
// of its first violation when field is not "".
func wantStatus(t testing.TB, err error, code codes.Code, reason, field string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %v %s", code, reason)
	}
	st, ok := status.FromError(err)
	if !ok {
		t.Fatalf("got %v, want a status", err)
	}
	if st.Code() != code {
		t.Fatalf("got code %v (%s), want %v", st.Code(), st.Message(), code)
	}
	gotReason, gotField := "", ""
	for _, d := range st.Details() {
		switch x := d.(type) {
		case *errdetails.ErrorInfo:
			gotReason = x.GetReason()
			if x.GetDomain() != Domain {
				t.Errorf("got domain %q, want %q", x.GetDomain(), Domain)
			}
		case *errdetails.BadRequest:
			if len(x.GetFieldViolations()) > 0 {
				gotField = x.GetFieldViolations()[0].GetField()
			}
		}
	}
	if reason != "" && gotReason != reason {
		t.Fatalf("got reason %q (%s), want %q", gotReason, st.Message(), reason)
	}
	if field != "" && gotField != field {
		t.Fatalf("got field %q (%s), want %q", gotField, st.Message(), field)
	}
}

// readEnviron reads a process's environment.
func readEnviron(pid int) ([]string, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return nil, err
	}
	return strings.Split(strings.TrimRight(string(b), "\x00"), "\x00"), nil
}
