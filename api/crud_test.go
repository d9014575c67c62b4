package api

import (
	"slices"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/pm-project/pm/api/pmv1"
	"github.com/pm-project/pm/manager"
)

func boolp(b bool) *bool { return &b }

// TestLifecycle creates a service, starts it, finds it by name, short
// name and UUID, stops and deletes it.
func TestLifecycle(t *testing.T) {
	e := newEnv(t, envOpts{})
	spec := &pmv1.UnitSpec{
		Description: "a sleeper",
		Command:     "/bin/sleep", Args: []string{"1000"},
		Restart: "on-failure", RestartSec: "2s",
		Env:      []string{"GREETING=hello world", "PCT=100%", "DOLLAR=$HOME"},
		CpuLimit: "500m", MemoryLimit: "64Mi", PidsLimit: "10",
	}
	cr, err := e.c.Create(e.ctx(), &pmv1.CreateRequest{Name: "web", Spec: spec, Start: true})
	if err != nil {
		t.Fatal(err)
	}
	if cr.GetUnit().GetName() != "web.service" || cr.GetUnit().GetUuid() == "" || cr.GetUnit().GetOrigin() != "api" {
		t.Fatalf("got unit %v, want web.service with a UUID from the API", cr.GetUnit())
	}
	if j := cr.GetJob(); j.GetResult() != "done" || j.GetActiveState() != "active" || j.GetSubState() != "running" {
		t.Fatalf("got start job %v, want done and active/running", j)
	}
	uuid := cr.GetUnit().GetUuid()
	for _, ref := range []string{"web", "web.service", uuid} {
		d, err := e.c.Describe(e.ctx(), &pmv1.DescribeRequest{Unit: ref})
		if err != nil {
			t.Fatalf("describe %s: %v", ref, err)
		}
		u := d.GetUnit()
		if u.GetName() != "web.service" || u.GetMainPid() == 0 || u.GetState() != "running" {
			t.Fatalf("describe %s: got %s pid %d state %s, want web.service running", ref, u.GetName(), u.GetMainPid(), u.GetState())
		}
		if u.GetCommand() != "/bin/sleep" || !slices.Equal(u.GetArgs(), []string{"1000"}) {
			t.Errorf("got command %q %q, want /bin/sleep [1000]", u.GetCommand(), u.GetArgs())
		}
		got := u.GetSpec()
		if got.GetCommand() != "/bin/sleep" || !slices.Equal(got.GetArgs(), []string{"1000"}) ||
			!slices.Equal(got.GetEnv(), spec.Env) || got.GetRestart() != "on-failure" || got.GetMemoryLimit() != "64Mi" {
			t.Errorf("got spec %v, want what was created: %v", got, spec)
		}
	}
	// The environment reached the process as given.
	st := e.m.Snapshot().Unit("web.service")
	env, err := readEnviron(st.MainPID)
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range spec.Env {
		if !slices.Contains(env, kv) {
			t.Errorf("process environment lacks %q: %q", kv, env)
		}
	}
	stats, err := e.c.Stats(e.ctx(), &pmv1.StatsRequest{Units: []string{uuid}})
	if err != nil {
		t.Fatal(err)
	}
	if len(stats.GetUnits()) != 1 {
		t.Fatalf("got %d stats, want 1", len(stats.GetUnits()))
	}
	s := stats.GetUnits()[0]
	if s.GetMemoryLimitBytes() != 64<<20 || s.GetCpuLimitMillicores() != 500 || s.GetPidsLimit() != 10 {
		t.Errorf("got limits %d bytes %d millicores %d pids, want 64Mi, 500, 10", s.GetMemoryLimitBytes(), s.GetCpuLimitMillicores(), s.GetPidsLimit())
	}
	if len(s.GetProcesses()) == 0 || s.GetProcesses()[0].GetCommand() != "/bin/sleep 1000" || s.GetTasks() == 0 {
		t.Errorf("got processes %v tasks %d, want /bin/sleep 1000", s.GetProcesses(), s.GetTasks())
	}

	_, err = e.c.Delete(e.ctx(), &pmv1.DeleteRequest{Unit: "web"})
	wantStatus(t, err, codes.FailedPrecondition, ReasonUnitActive, "")
	stop, err := e.c.Stop(e.ctx(), &pmv1.JobRequest{Unit: uuid})
	if err != nil {
		t.Fatal(err)
	}
	if stop.GetResult() != "done" || stop.GetActiveState() != "inactive" {
		t.Fatalf("got stop %v, want done and inactive", stop)
	}
	del, err := e.c.Delete(e.ctx(), &pmv1.DeleteRequest{Unit: uuid})
	if err != nil {
		t.Fatal(err)
	}
	if del.GetName() != "web.service" || del.GetUuid() != uuid {
		t.Errorf("got deleted %v, want web.service %s", del, uuid)
	}
	_, err = e.c.Describe(e.ctx(), &pmv1.DescribeRequest{Unit: "web"})
	wantStatus(t, err, codes.NotFound, ReasonUnitNotFound, "")
	_, err = e.c.Describe(e.ctx(), &pmv1.DescribeRequest{Unit: uuid})
	wantStatus(t, err, codes.NotFound, ReasonUnitNotFound, "")

	// auto_start starts it; force deletes a running unit.
	cr, err = e.c.Create(e.ctx(), &pmv1.CreateRequest{Name: "auto", Spec: &pmv1.UnitSpec{Command: "sleep", Args: []string{"1000"}, AutoStart: boolp(true)}})
	if err != nil {
		t.Fatal(err)
	}
	if cr.GetJob().GetResult() != "done" || cr.GetUnit().GetActiveState() != "active" || cr.GetUnit().GetUnitFileState() != "enabled" {
		t.Fatalf("got %v, want an enabled unit started by auto_start", cr)
	}
	if _, err := e.c.Delete(e.ctx(), &pmv1.DeleteRequest{Unit: "auto", Force: true}); err != nil {
		t.Fatal(err)
	}
	if st := e.m.Snapshot().Unit("auto.service"); st != nil && st.LoadState != "not-found" {
		t.Errorf("auto.service still loaded after a forced delete: %s", st.LoadState)
	}
}

func TestCreateErrors(t *testing.T) {
	e := newEnv(t, envOpts{units: map[string]string{"file.service": "[Service]\nExecStart=/bin/sleep 1000\n"}})
	if _, err := e.c.Create(e.ctx(), &pmv1.CreateRequest{Name: "dup", Spec: &pmv1.UnitSpec{Command: "/bin/true"}}); err != nil {
		t.Fatal(err)
	}
	cmd := func(s *pmv1.UnitSpec) *pmv1.UnitSpec {
		if s.Command == "" {
			s.Command = "/bin/true"
		}
		return s
	}
	tests := []struct {
		name   string
		req    *pmv1.CreateRequest
		code   codes.Code
		reason string
		field  string
	}{
		{"no name", &pmv1.CreateRequest{Spec: cmd(&pmv1.UnitSpec{})}, codes.InvalidArgument, ReasonInvalidField, "name"},
		{"bad name", &pmv1.CreateRequest{Name: "a/b", Spec: cmd(&pmv1.UnitSpec{})}, codes.InvalidArgument, ReasonInvalidField, "name"},
		{"target", &pmv1.CreateRequest{Name: "x.target", Spec: cmd(&pmv1.UnitSpec{})}, codes.InvalidArgument, ReasonInvalidField, "name"},
		{"no command", &pmv1.CreateRequest{Name: "x"}, codes.InvalidArgument, ReasonInvalidField, "spec.command"},
		{"relative command", &pmv1.CreateRequest{Name: "x", Spec: &pmv1.UnitSpec{Command: "bin/x"}}, codes.InvalidArgument, ReasonInvalidField, "spec.command"},
		{"bad restart", &pmv1.CreateRequest{Name: "x", Spec: cmd(&pmv1.UnitSpec{Restart: "sometimes"})}, codes.InvalidArgument, ReasonInvalidField, "spec.restart"},
		{"bad restart_sec", &pmv1.CreateRequest{Name: "x", Spec: cmd(&pmv1.UnitSpec{RestartSec: "soon"})}, codes.InvalidArgument, ReasonInvalidField, "spec.restart_sec"},
		{"bad kill_signal", &pmv1.CreateRequest{Name: "x", Spec: cmd(&pmv1.UnitSpec{KillSignal: "SIGNOPE"})}, codes.InvalidArgument, ReasonInvalidField, "spec.kill_signal"},
		{"bad memory", &pmv1.CreateRequest{Name: "x", Spec: cmd(&pmv1.UnitSpec{MemoryLimit: "lots"})}, codes.InvalidArgument, ReasonInvalidField, "spec.memory_limit"},
		{"unknown directive", &pmv1.CreateRequest{Name: "x", Spec: cmd(&pmv1.UnitSpec{Directives: []*pmv1.Directive{{Key: "Nope", Value: "1"}}})}, codes.InvalidArgument, ReasonInvalidField, "spec.directives[0].key"},
		{"bad directive value", &pmv1.CreateRequest{Name: "x", Spec: cmd(&pmv1.UnitSpec{Directives: []*pmv1.Directive{{Key: "Nice", Value: "99"}}})}, codes.InvalidArgument, ReasonInvalidField, "spec.directives[0]"},
		{"uuid directive", &pmv1.CreateRequest{Name: "x", Spec: cmd(&pmv1.UnitSpec{Directives: []*pmv1.Directive{{Section: "X-PM", Key: "UUID", Value: "x"}}})}, codes.InvalidArgument, ReasonInvalidField, "spec.directives[0].key"},
		{"duplicate", &pmv1.CreateRequest{Name: "dup", Spec: cmd(&pmv1.UnitSpec{})}, codes.AlreadyExists, ReasonUnitExists, ""},
		{"unit file exists", &pmv1.CreateRequest{Name: "file", Spec: cmd(&pmv1.UnitSpec{})}, codes.AlreadyExists, ReasonUnitExists, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.c.Create(e.ctx(), tt.req)
			wantStatus(t, err, tt.code, tt.reason, tt.field)
		})
	}
	if st := e.m.Snapshot().Unit("x.service"); st != nil && st.LoadState == "loaded" {
		t.Errorf("a refused Create left x.service loaded")
	}
}

func TestUpdate(t *testing.T) {
	e := newEnv(t, envOpts{units: map[string]string{"file.service": "[Service]\nExecStart=/bin/sleep 1000\n"}})
	cr, err := e.c.Create(e.ctx(), &pmv1.CreateRequest{Name: "u", Start: true,
		Spec: &pmv1.UnitSpec{Command: "/bin/sleep", Args: []string{"1000"}, Restart: "no", Env: []string{"A=1"}}})
	if err != nil {
		t.Fatal(err)
	}
	pid := cr.GetUnit().GetMainPid()

	// A hot change: applied at once, no restart needed.
	up, err := e.c.Update(e.ctx(), &pmv1.UpdateRequest{Unit: "u", Spec: &pmv1.UnitSpec{Restart: "always", RestartSec: "3s"}})
	if err != nil {
		t.Fatal(err)
	}
	if up.GetRestartRequired() || len(up.GetChanges()) != 2 {
		t.Fatalf("got %v, want two hot changes", up)
	}
	for _, c := range up.GetChanges() {
		if !c.GetHot() || (c.GetField() != "restart" && c.GetField() != "restart_sec") {
			t.Errorf("got change %v, want hot restart or restart_sec", c)
		}
	}
	if up.GetUnit().GetRestart() != "always" || up.GetUnit().GetRestartSec().AsDuration().Seconds() != 3 {
		t.Errorf("got restart %s %v, want always 3s", up.GetUnit().GetRestart(), up.GetUnit().GetRestartSec())
	}

	// A dry run of a change that needs a restart changes nothing.
	dry, err := e.c.Update(e.ctx(), &pmv1.UpdateRequest{Unit: "u", DryRun: true, Spec: &pmv1.UnitSpec{Args: []string{"2000"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !dry.GetRestartRequired() || !dry.GetDryRun() || len(dry.GetChanges()) != 1 || dry.GetChanges()[0].GetField() != "command" {
		t.Fatalf("got %v, want a dry run reporting a command change that needs a restart", dry)
	}
	d, _ := e.c.Describe(e.ctx(), &pmv1.DescribeRequest{Unit: "u"})
	if !slices.Equal(d.GetUnit().GetArgs(), []string{"1000"}) {
		t.Fatalf("dry run changed the args: %v", d.GetUnit().GetArgs())
	}

	// The mask clears env and changes args; restart_process restarts.
	up, err = e.c.Update(e.ctx(), &pmv1.UpdateRequest{Unit: cr.GetUnit().GetUuid(), RestartProcess: true,
		Spec:       &pmv1.UnitSpec{Args: []string{"2000"}},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"args", "env"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !up.GetRestartRequired() || !up.GetRestarted() {
		t.Fatalf("got %v, want restart required and done", up)
	}
	st := e.waitActive("u.service")
	if int32(st.MainPID) == pid {
		t.Errorf("main PID %d did not change over a restart", pid)
	}
	d, _ = e.c.Describe(e.ctx(), &pmv1.DescribeRequest{Unit: "u"})
	if got := d.GetUnit().GetSpec(); len(got.GetEnv()) != 0 || !slices.Equal(got.GetArgs(), []string{"2000"}) || got.GetRestart() != "always" {
		t.Errorf("got spec %v, want args 2000, no env, restart always", got)
	}

	// SetRestartPolicy.
	sr, err := e.c.SetRestartPolicy(e.ctx(), &pmv1.SetRestartPolicyRequest{Unit: "u", Restart: "on-failure", StartLimitBurst: "7"})
	if err != nil {
		t.Fatal(err)
	}
	if sr.GetUnit().GetRestart() != "on-failure" || sr.GetRestartRequired() {
		t.Errorf("got %v, want restart on-failure applied hot", sr)
	}

	tests := []struct {
		name   string
		call   func() error
		code   codes.Code
		reason string
		field  string
	}{
		{"unknown unit", func() error {
			_, err := e.c.Update(e.ctx(), &pmv1.UpdateRequest{Unit: "nope", Spec: &pmv1.UnitSpec{Restart: "no"}})
			return err
		}, codes.NotFound, ReasonUnitNotFound, ""},
		{"unit file", func() error {
			_, err := e.c.Update(e.ctx(), &pmv1.UpdateRequest{Unit: "file", Spec: &pmv1.UnitSpec{Restart: "no"}})
			return err
		}, codes.FailedPrecondition, ReasonUnitNotAPI, ""},
		{"bad mask", func() error {
			_, err := e.c.Update(e.ctx(), &pmv1.UpdateRequest{Unit: "u", UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"colour"}}})
			return err
		}, codes.InvalidArgument, ReasonInvalidField, "update_mask"},
		{"bad value", func() error {
			_, err := e.c.Update(e.ctx(), &pmv1.UpdateRequest{Unit: "u", Spec: &pmv1.UnitSpec{TimeoutStopSec: "forever"}})
			return err
		}, codes.InvalidArgument, ReasonInvalidField, "spec.timeout_stop_sec"},
		{"restart policy bad value", func() error {
			_, err := e.c.SetRestartPolicy(e.ctx(), &pmv1.SetRestartPolicyRequest{Unit: "u", Restart: "maybe"})
			return err
		}, codes.InvalidArgument, ReasonInvalidField, "restart"},
		{"restart policy empty", func() error {
			_, err := e.c.SetRestartPolicy(e.ctx(), &pmv1.SetRestartPolicyRequest{Unit: "u"})
			return err
		}, codes.InvalidArgument, ReasonInvalidField, "restart"},
		{"delete unit file", func() error {
			_, err := e.c.Delete(e.ctx(), &pmv1.DeleteRequest{Unit: "file"})
			return err
		}, codes.FailedPrecondition, ReasonUnitNotAPI, ""},
		{"delete nothing", func() error {
			_, err := e.c.Delete(e.ctx(), &pmv1.DeleteRequest{})
			return err
		}, codes.InvalidArgument, ReasonInvalidField, "unit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantStatus(t, tt.call(), tt.code, tt.reason, tt.field)
		})
	}
	if st := e.m.Snapshot().Unit("u.service"); st.ActiveState != manager.Active {
		t.Errorf("u.service is %s after refused updates, want active", st.ActiveState)
	}
}
