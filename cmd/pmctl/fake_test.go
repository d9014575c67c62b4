package main

import (
	"bytes"
	"context"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/pm-project/pm/api/pmv1"
)

// fakePM answers the calls the CLI tests make, from a fixed set of units:
// ok.service (active), bad.service (its start fails), and units whose
// calls fail in the ways pmd's do.
type fakePM struct {
	pmv1.UnimplementedPMServer
	mu      sync.Mutex
	updates []*pmv1.UpdateRequest
	creates []*pmv1.CreateRequest
	started []string
}

func pmError(c codes.Code, reason, unit, msg string) error {
	st := status.New(c, msg)
	st, _ = st.WithDetails(&errdetails.ErrorInfo{Domain: "pm.v1", Reason: reason, Metadata: map[string]string{"unit": unit}})
	return st.Err()
}

func (f *fakePM) fail(unit string) error {
	switch unit {
	case "ok.service", "bad.service", "web.service":
		return nil
	case "locked.service":
		return pmError(codes.PermissionDenied, "PERMISSION_DENIED", unit, "this peer may only read")
	case "masked.service":
		return pmError(codes.FailedPrecondition, "UNIT_MASKED", unit, "unit is masked")
	case "noreload.service":
		return pmError(codes.FailedPrecondition, "JOB_NOT_APPLICABLE", unit, "Job type reload is not applicable for unit noreload.service.")
	}
	return pmError(codes.NotFound, "UNIT_NOT_FOUND", unit, "unit not found")
}

func (f *fakePM) job(r *pmv1.JobRequest, typ string) (*pmv1.JobResponse, error) {
	if err := f.fail(r.GetUnit()); err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.started = append(f.started, typ+" "+r.GetUnit())
	f.mu.Unlock()
	if r.GetUnit() == "bad.service" {
		return &pmv1.JobResponse{Unit: r.GetUnit(), JobType: typ, Result: "failed", UnitResult: "exit-code", ActiveState: "failed"}, nil
	}
	return &pmv1.JobResponse{Unit: r.GetUnit(), JobType: typ, Result: "done", ActiveState: "active"}, nil
}

func (f *fakePM) Start(_ context.Context, r *pmv1.JobRequest) (*pmv1.JobResponse, error) {
	return f.job(r, "start")
}

func (f *fakePM) Stop(_ context.Context, r *pmv1.JobRequest) (*pmv1.JobResponse, error) {
	return f.job(r, "stop")
}

func (f *fakePM) Restart(_ context.Context, r *pmv1.JobRequest) (*pmv1.JobResponse, error) {
	return f.job(r, "restart")
}

func (f *fakePM) Reload(_ context.Context, r *pmv1.JobRequest) (*pmv1.JobResponse, error) {
	return f.job(r, "reload")
}

func (f *fakePM) Describe(_ context.Context, r *pmv1.DescribeRequest) (*pmv1.DescribeResponse, error) {
	if err := f.fail(r.GetUnit()); err != nil {
		return nil, err
	}
	state := "active"
	if r.GetUnit() == "bad.service" {
		state = "failed"
	}
	return &pmv1.DescribeResponse{Unit: &pmv1.Unit{Name: r.GetUnit(), LoadState: "loaded", ActiveState: state, SubState: "running"}}, nil
}

func (f *fakePM) List(_ context.Context, r *pmv1.ListRequest) (*pmv1.ListResponse, error) {
	var out []*pmv1.Unit
	for _, n := range []string{"bad.service", "ok.service", "web.service"} {
		if matchAny(r.GetPatterns(), n) {
			out = append(out, &pmv1.Unit{Name: n, LoadState: "loaded", ActiveState: "active", SubState: "running"})
		}
	}
	return &pmv1.ListResponse{Units: out}, nil
}

func (f *fakePM) ListJobs(context.Context, *pmv1.ListJobsRequest) (*pmv1.ListJobsResponse, error) {
	return &pmv1.ListJobsResponse{}, nil
}

func (f *fakePM) Update(_ context.Context, r *pmv1.UpdateRequest) (*pmv1.UpdateResponse, error) {
	f.mu.Lock()
	f.updates = append(f.updates, r)
	f.mu.Unlock()
	return &pmv1.UpdateResponse{Unit: &pmv1.Unit{Name: r.GetUnit()}, DryRun: r.GetDryRun()}, nil
}

func (f *fakePM) Create(_ context.Context, r *pmv1.CreateRequest) (*pmv1.CreateResponse, error) {
	f.mu.Lock()
	f.creates = append(f.creates, r)
	f.mu.Unlock()
	if r.GetName() == "web" {
		return nil, pmError(codes.AlreadyExists, "UNIT_EXISTS", "web.service", "unit exists already")
	}
	return &pmv1.CreateResponse{Unit: &pmv1.Unit{Name: r.GetName() + ".service", Uuid: "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", State: "created"}}, nil
}

// startFake serves f on a unix socket and returns its path.
func startFake(t *testing.T, f *fakePM) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "pm.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer()
	pmv1.RegisterPMServer(s, f)
	go func() { _ = s.Serve(l) }()
	t.Cleanup(s.Stop)
	return sock
}

func TestAgainstFake(t *testing.T) {
	sock := startFake(t, &fakePM{})
	tests := []struct {
		name       string
		argv0      string
		args       []string
		code       int
		stdout     string
		stderr     string
		stderrHave string
	}{
		{name: "start ok", args: []string{"start", "ok"}},
		{name: "start failing job", args: []string{"start", "bad"}, code: 1,
			stderr: "Job for bad.service failed because the control process exited with error code.\n" +
				"See \"pmctl status bad.service\" and \"pmctl logs bad.service\" for details.\n"},
		{name: "start failing job as systemctl", argv0: "systemctl", args: []string{"start", "bad"}, code: 1,
			stderr: "Job for bad.service failed because the control process exited with error code.\n" +
				"See \"systemctl status bad.service\" for details.\n"},
		{name: "start unknown", args: []string{"start", "nosuch"}, code: 5,
			stderr: "Failed to start nosuch.service: Unit nosuch.service not found.\n"},
		{name: "restart unknown", args: []string{"restart", "nosuch.service"}, code: 5,
			stderr: "Failed to restart nosuch.service: Unit nosuch.service not found.\n"},
		{name: "first error wins", args: []string{"stop", "ok", "nosuch", "locked"}, code: 5},
		{name: "access denied", args: []string{"start", "locked"}, code: 4,
			stderr: "Failed to start locked.service: Access denied\n"},
		{name: "masked", args: []string{"start", "masked"}, code: 1,
			stderr: "Failed to start masked.service: Unit masked.service is masked.\n"},
		{name: "reload not applicable", args: []string{"reload", "noreload"}, code: 3,
			stderr: "Failed to reload noreload.service: Job type reload is not applicable for unit noreload.service.\n"},
		{name: "no-block does not wait for a result", args: []string{"start", "--no-block", "ok"}},
		{name: "bad job mode", args: []string{"start", "--job-mode", "sometimes", "ok"}, code: 1,
			stderr: "Unknown job mode 'sometimes'.\n"},
		{name: "glob", args: []string{"stop", "o*"}},
		{name: "is-active", args: []string{"is-active", "ok", "nosuch"}, stdout: "active\ninactive\n"},
		{name: "is-active unknown", args: []string{"is-active", "nosuch"}, code: 3, stdout: "inactive\n"},
		{name: "is-active quiet", args: []string{"is-active", "-q", "nosuch"}, code: 3},
		{name: "is-failed", args: []string{"is-failed", "ok"}, code: 1, stdout: "active\n"},
		{name: "is-failed failed", args: []string{"is-failed", "bad"}, stdout: "failed\n"},
		{name: "status unknown", args: []string{"status", "nosuch"}, code: 4, stderr: "Unit nosuch.service could not be found.\n"},
		{name: "status failed", args: []string{"status", "bad"}, code: 3, stdout: "× bad.service\n     Loaded: loaded\n     Active: failed (running)\n"},
		{name: "too few arguments", args: []string{"start"}, code: 1, stderr: "Too few arguments.\n"},
		{name: "kill bad signal", args: []string{"kill", "-s", "SIGBOGUS", "ok"}, code: 1, stderr: "Failed to parse signal string SIGBOGUS.\n"},
		{name: "no jobs", args: []string{"list-jobs"}, stdout: "No jobs running.\n"},
		{name: "no jobs, no legend", args: []string{"list-jobs", "--no-legend"}},
		{name: "unknown verb as systemctl", argv0: "systemctl", args: []string{"frob"}, code: 1, stderr: "Unknown command verb 'frob'.\n"},
		{name: "unknown command", args: []string{"frob"}, code: 1, stderrHave: `unknown command "frob"`},
		{name: "pm verbs are not systemctl's", argv0: "systemctl", args: []string{"create", "x", "--", "/bin/true"}, code: 1,
			stderr: "Unknown command verb 'create'.\n"},
		{name: "version as systemctl", argv0: "systemctl", args: []string{"--version"}, stdout: "pm's systemctl (pmctl " + version() + ")\n"},
		{name: "bad output", args: []string{"list-units", "-o", "yaml"}, code: 1, stderr: "Unknown output 'yaml'.\n"},
		{name: "bad flag", args: []string{"status", "-n", "many", "ok"}, code: 1, stderrHave: `invalid argument "many" for "-n, --lines"`},
		{name: "create", args: []string{"create", "api", "--", "/bin/sleep", "100"},
			stdout: "Name:  api.service\nID:    0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\nState: created\n"},
		{name: "create duplicate", args: []string{"create", "web", "--", "/bin/true"}, code: 1,
			stderr: "Failed to create web.service: Unit web.service exists already.\n"},
		{name: "create bad restart-sec", args: []string{"create", "x", "--restart-sec", "soon", "--", "/bin/true"}, code: 1,
			stderr: "Invalid value \"soon\" for --restart-sec: invalid time span \"soon\".\n"},
		{name: "create bad env", args: []string{"create", "x", "--env", "NOVALUE", "/bin/true"}, code: 1,
			stderr: "Invalid value \"NOVALUE\" for --env: want NAME=VALUE.\n"},
		{name: "create bad memory limit", args: []string{"create", "x", "--memory-limit", "lots", "/bin/true"}, code: 1,
			stderrHave: "for --memory-limit"},
		{name: "create without command", args: []string{"create", "x", "--restart", "always"}, code: 1,
			stderrHave: "CMD is missing"},
		{name: "update nothing", args: []string{"update", "web"}, code: 1, stderrHave: "Nothing to update"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			argv0 := tt.argv0
			if argv0 == "" {
				argv0 = "pmctl"
			}
			var out, errb bytes.Buffer
			code := run(append([]string{argv0, "--socket", sock}, tt.args...), &out, &errb)
			if code != tt.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.code, errb.String())
			}
			if out.String() != tt.stdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", out.String(), tt.stdout)
			}
			if tt.stderrHave != "" {
				if !strings.Contains(errb.String(), tt.stderrHave) {
					t.Errorf("stderr %q does not contain %q", errb.String(), tt.stderrHave)
				}
			} else if tt.code == 0 || tt.stderr != "" {
				if errb.String() != tt.stderr {
					t.Errorf("stderr:\n%s\nwant:\n%s", errb.String(), tt.stderr)
				}
			}
		})
	}
}

func TestUpdateMask(t *testing.T) {
	f := &fakePM{}
	sock := startFake(t, f)
	tests := []struct {
		name string
		args []string
		mask []string
	}{
		{"one flag", []string{"--restart", "always"}, []string{"restart"}},
		{"several", []string{"--restart-sec", "2s", "-p", "Nice=5", "--env", "A=1", "--auto-start"}, []string{"auto_start", "env", "directives", "restart_sec"}},
		{"flags before the name", nil, []string{"restart_max"}},
		{"command", []string{"--", "/bin/sleep", "5"}, []string{"command", "args"}},
		{"cleared list", []string{"--after="}, []string{"after"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"pmctl", "--socket", sock, "update", "web"}, tt.args...)
			if tt.args == nil {
				args = []string{"pmctl", "--socket", sock, "update", "--restart-max", "1min", "web"}
			}
			var out, errb bytes.Buffer
			if code := run(args, &out, &errb); code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			f.mu.Lock()
			got := f.updates[len(f.updates)-1]
			f.mu.Unlock()
			if !slices.Equal(got.GetUpdateMask().GetPaths(), tt.mask) {
				t.Errorf("mask %v, want %v", got.GetUpdateMask().GetPaths(), tt.mask)
			}
			if got.GetUnit() != "web.service" {
				t.Errorf("unit %q, want web.service", got.GetUnit())
			}
		})
	}
}

func TestCreateSpec(t *testing.T) {
	f := &fakePM{}
	sock := startFake(t, f)
	args := []string{"pmctl", "--socket", sock, "create", "api", "--restart", "on-failure", "--after", "a,b", "--after", "c",
		"--env", "X=1,2", "-p", "Service.Nice=5", "--auto-start", "--start", "/usr/bin/env", "-i", "--", "ls"}
	var out, errb bytes.Buffer
	if code := run(args, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	r := f.creates[len(f.creates)-1]
	s := r.GetSpec()
	if r.GetName() != "api" || !r.GetStart() || !s.GetAutoStart() {
		t.Errorf("name %q start %v auto_start %v, want api true true", r.GetName(), r.GetStart(), s.GetAutoStart())
	}
	if s.GetCommand() != "/usr/bin/env" || !slices.Equal(s.GetArgs(), []string{"-i", "--", "ls"}) {
		t.Errorf("command %q %q, want /usr/bin/env [-i -- ls]", s.GetCommand(), s.GetArgs())
	}
	if !slices.Equal(s.GetAfter(), []string{"a", "b", "c"}) || !slices.Equal(s.GetEnv(), []string{"X=1,2"}) {
		t.Errorf("after %q env %q", s.GetAfter(), s.GetEnv())
	}
	if d := s.GetDirectives(); len(d) != 1 || d[0].GetSection() != "Service" || d[0].GetKey() != "Nice" || d[0].GetValue() != "5" {
		t.Errorf("directives %v, want [Service] Nice=5", d)
	}
}

func TestNoDaemon(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "none.sock")
	var out, errb bytes.Buffer
	code := run([]string{"pmctl", "--socket", sock, "list"}, &out, &errb)
	want := "Failed to connect to pmd at " + sock + ": No such file or directory\n"
	if code != 1 || errb.String() != want {
		t.Errorf("exit %d, stderr %q; want 1, %q", code, errb.String(), want)
	}
}
