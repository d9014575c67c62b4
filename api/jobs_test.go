package api

import (
	"slices"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/pm-project/pm/api/pmv1"
	"github.com/pm-project/pm/manager"
)

var jobUnits = map[string]string{
	"a.service":    "[Service]\nExecStart=/bin/sleep 1000\n",
	"r.service":    "[Service]\nExecStart=/bin/sleep 1000\nExecReload=/bin/true\n",
	"slow.service": "[Service]\nType=oneshot\nExecStart=/bin/sleep 1000\n",
	"fail.service": "[Service]\nExecStart=/bin/sh -c 'exit 3'\n",
	"off.service":  "[Unit]\nRefuseManualStart=yes\n[Service]\nExecStart=/bin/sleep 1000\n",
}

func TestJobVerbs(t *testing.T) {
	e := newEnv(t, envOpts{units: jobUnits})
	type call func(*pmv1.JobRequest) (*pmv1.JobResponse, error)
	verb := map[string]call{
		"start":             func(r *pmv1.JobRequest) (*pmv1.JobResponse, error) { return e.c.Start(e.ctx(), r) },
		"stop":              func(r *pmv1.JobRequest) (*pmv1.JobResponse, error) { return e.c.Stop(e.ctx(), r) },
		"restart":           func(r *pmv1.JobRequest) (*pmv1.JobResponse, error) { return e.c.Restart(e.ctx(), r) },
		"reload":            func(r *pmv1.JobRequest) (*pmv1.JobResponse, error) { return e.c.Reload(e.ctx(), r) },
		"try-restart":       func(r *pmv1.JobRequest) (*pmv1.JobResponse, error) { return e.c.TryRestart(e.ctx(), r) },
		"reload-or-restart": func(r *pmv1.JobRequest) (*pmv1.JobResponse, error) { return e.c.ReloadOrRestart(e.ctx(), r) },
	}
	steps := []struct {
		verb, unit, mode string
		wantResult       string
		wantActive       string
	}{
		{"try-restart", "a", "", "done", "inactive"},
		{"start", "a", "", "done", "active"},
		{"restart", "a.service", "fail", "done", "active"},
		{"try-restart", "a", "", "done", "active"},
		{"start", "r", "", "done", "active"},
		{"reload", "r", "", "done", "active"},
		{"reload-or-restart", "r", "", "done", "active"},
		{"reload-or-restart", "a", "", "done", "active"},
		{"stop", "a", "", "done", "inactive"},
		{"stop", "r", "replace-irreversibly", "done", "inactive"},
	}
	for _, s := range steps {
		resp, err := verb[s.verb](&pmv1.JobRequest{Unit: s.unit, Mode: s.mode})
		if err != nil {
			t.Fatalf("%s %s: %v", s.verb, s.unit, err)
		}
		if resp.GetResult() != s.wantResult || (s.wantActive != "" && resp.GetActiveState() != s.wantActive) {
			t.Fatalf("%s %s: got %s and %s/%s, want %s and %s", s.verb, s.unit, resp.GetResult(), resp.GetActiveState(), resp.GetSubState(), s.wantResult, s.wantActive)
		}
	}

	errs := []struct {
		name   string
		verb   string
		req    *pmv1.JobRequest
		code   codes.Code
		reason string
		field  string
	}{
		{"unknown unit", "start", &pmv1.JobRequest{Unit: "nope"}, codes.NotFound, ReasonUnitNotFound, ""},
		{"no unit", "start", &pmv1.JobRequest{}, codes.InvalidArgument, ReasonInvalidField, "unit"},
		{"bad name", "start", &pmv1.JobRequest{Unit: "a b/c"}, codes.InvalidArgument, ReasonInvalidField, "unit"},
		{"bad mode", "start", &pmv1.JobRequest{Unit: "a", Mode: "now"}, codes.InvalidArgument, ReasonInvalidField, "mode"},
		{"reload without ExecReload", "reload", &pmv1.JobRequest{Unit: "a"}, codes.FailedPrecondition, ReasonJobNotApplicable, ""},
		{"refused", "start", &pmv1.JobRequest{Unit: "off"}, codes.FailedPrecondition, ReasonOnlyByDependency, ""},
		{"isolate a service", "start", &pmv1.JobRequest{Unit: "a", Mode: "isolate"}, codes.FailedPrecondition, ReasonJobNotApplicable, ""},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			_, err := verb[tt.verb](tt.req)
			wantStatus(t, err, tt.code, tt.reason, tt.field)
		})
	}
}

func TestJobsCancelKillResetFailed(t *testing.T) {
	e := newEnv(t, envOpts{units: jobUnits})
	// A oneshot that never finishes starting: its job stays.
	resp, err := e.c.Start(e.ctx(), &pmv1.JobRequest{Unit: "slow", NoBlock: true})
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetJobId() == 0 || resp.GetResult() != "" || resp.GetJobType() != "start" {
		t.Fatalf("got %v, want a queued start job without result", resp)
	}
	jobs, err := e.c.ListJobs(e.ctx(), &pmv1.ListJobsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs.GetJobs()) != 1 || jobs.GetJobs()[0].GetId() != resp.GetJobId() || jobs.GetJobs()[0].GetUnit() != "slow.service" {
		t.Fatalf("got jobs %v, want job %d of slow.service", jobs.GetJobs(), resp.GetJobId())
	}
	// The unit's job shows in List and Describe.
	list, err := e.c.List(e.ctx(), &pmv1.ListRequest{Patterns: []string{"slow*"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.GetUnits()) != 1 || list.GetUnits()[0].GetJob().GetId() != resp.GetJobId() {
		t.Fatalf("got %v, want slow.service with its job", list.GetUnits())
	}
	if _, err := e.c.CancelJob(e.ctx(), &pmv1.CancelJobRequest{Id: resp.GetJobId()}); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.CancelJob(e.ctx(), &pmv1.CancelJobRequest{Id: resp.GetJobId()})
	wantStatus(t, err, codes.NotFound, ReasonJobNotFound, "")
	_, err = e.c.CancelJob(e.ctx(), &pmv1.CancelJobRequest{})
	wantStatus(t, err, codes.InvalidArgument, ReasonInvalidField, "id")

	// Kill: signals by name and number; whom.
	if _, err := e.c.Start(e.ctx(), &pmv1.JobRequest{Unit: "a"}); err != nil {
		t.Fatal(err)
	}
	killErrs := []struct {
		name  string
		req   *pmv1.KillRequest
		code  codes.Code
		rsn   string
		field string
	}{
		{"bad signal", &pmv1.KillRequest{Unit: "a", Signal: "SIGNOPE"}, codes.InvalidArgument, ReasonInvalidField, "signal"},
		{"signal out of range", &pmv1.KillRequest{Unit: "a", Signal: "99"}, codes.InvalidArgument, ReasonInvalidField, "signal"},
		{"bad whom", &pmv1.KillRequest{Unit: "a", Whom: "everyone"}, codes.InvalidArgument, ReasonInvalidField, "whom"},
		{"no control process", &pmv1.KillRequest{Unit: "a", Whom: "control"}, codes.FailedPrecondition, ReasonUnitInactive, ""},
		{"unknown unit", &pmv1.KillRequest{Unit: "nope"}, codes.NotFound, ReasonUnitNotFound, ""},
	}
	for _, tt := range killErrs {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.c.Kill(e.ctx(), tt.req)
			wantStatus(t, err, tt.code, tt.rsn, tt.field)
		})
	}
	if _, err := e.c.Kill(e.ctx(), &pmv1.KillRequest{Unit: "a", Signal: "usr1", Whom: "main"}); err != nil {
		t.Fatal(err)
	}
	e.wait("a.service", "failed", func(st *manager.UnitStatus) bool { return st.ActiveState == manager.Failed })
	if _, err := e.c.Start(e.ctx(), &pmv1.JobRequest{Unit: "a"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Kill(e.ctx(), &pmv1.KillRequest{Unit: "a", Signal: "9"}); err != nil {
		t.Fatal(err)
	}
	e.wait("a.service", "failed", func(st *manager.UnitStatus) bool { return st.ActiveState == manager.Failed && st.Result == "signal" })

	// ResetFailed: one unit, then all.
	if _, err := e.c.ResetFailed(e.ctx(), &pmv1.ResetFailedRequest{Unit: "a"}); err != nil {
		t.Fatal(err)
	}
	if st := e.m.Snapshot().Unit("a.service"); st.ActiveState != manager.Inactive {
		t.Errorf("a.service is %s after reset-failed, want inactive", st.ActiveState)
	}
	if _, err := e.c.Start(e.ctx(), &pmv1.JobRequest{Unit: "fail"}); err != nil {
		t.Fatal(err)
	}
	e.wait("fail.service", "failed", func(st *manager.UnitStatus) bool { return st.ActiveState == manager.Failed })
	failed, err := e.c.List(e.ctx(), &pmv1.ListRequest{States: []string{"failed"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(failed.GetUnits()) != 1 || failed.GetUnits()[0].GetName() != "fail.service" {
		t.Errorf("got failed units %v, want fail.service", failed.GetUnits())
	}
	if _, err := e.c.ResetFailed(e.ctx(), &pmv1.ResetFailedRequest{}); err != nil {
		t.Fatal(err)
	}
	if st := e.m.Snapshot().Unit("fail.service"); st.ActiveState != manager.Inactive {
		t.Errorf("fail.service is %s after reset-failed, want inactive", st.ActiveState)
	}
	_, err = e.c.ResetFailed(e.ctx(), &pmv1.ResetFailedRequest{Unit: "nope"})
	wantStatus(t, err, codes.NotFound, ReasonUnitNotFound, "")
}

func TestList(t *testing.T) {
	e := newEnv(t, envOpts{units: jobUnits})
	if _, err := e.c.Start(e.ctx(), &pmv1.JobRequest{Unit: "a"}); err != nil {
		t.Fatal(err)
	}
	names := func(r *pmv1.ListRequest) []string {
		t.Helper()
		resp, err := e.c.List(e.ctx(), r)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, u := range resp.GetUnits() {
			out = append(out, u.GetName())
		}
		return out
	}
	uuid := e.m.Snapshot().Unit("r.service").UUID
	tests := []struct {
		name string
		req  *pmv1.ListRequest
		want []string
	}{
		{"pattern shows active only", &pmv1.ListRequest{Patterns: []string{"*.service"}}, []string{"a.service"}},
		{"all", &pmv1.ListRequest{All: true, Patterns: []string{"[afors]*.service"}}, []string{"a.service", "fail.service", "off.service", "r.service", "slow.service"}},
		{"glob", &pmv1.ListRequest{All: true, Patterns: []string{"[rs]*"}, Types: []string{"service"}}, []string{"r.service", "slow.service"}},
		{"short name", &pmv1.ListRequest{All: true, Patterns: []string{"off"}}, []string{"off.service"}},
		{"uuid", &pmv1.ListRequest{Patterns: []string{uuid}, All: true}, []string{"r.service"}},
		{"sub state", &pmv1.ListRequest{States: []string{"running"}}, []string{"a.service"}},
		{"pm state", &pmv1.ListRequest{States: []string{"created"}, Patterns: []string{"[afors]*.service"}}, []string{"fail.service", "off.service", "r.service", "slow.service"}},
		{"load state", &pmv1.ListRequest{States: []string{"loaded"}, Patterns: []string{"[afors]*.service"}}, []string{"a.service", "fail.service", "off.service", "r.service", "slow.service"}},
		{"targets sort after services", &pmv1.ListRequest{Patterns: []string{"sysinit.target", "a.service"}}, []string{"a.service", "sysinit.target"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := names(tt.req); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	_, err := e.c.List(e.ctx(), &pmv1.ListRequest{Patterns: []string{"[bad"}})
	wantStatus(t, err, codes.InvalidArgument, ReasonInvalidField, "patterns")
	_, err = e.c.List(e.ctx(), &pmv1.ListRequest{Types: []string{"gadget"}})
	wantStatus(t, err, codes.InvalidArgument, ReasonInvalidField, "types")
}

// TestNotFoundRecord: a job for a unit that does not exist leaves a
// not-found record in the manager; Describe still says NotFound, Show
// shows it as systemctl does.
func TestNotFoundRecord(t *testing.T) {
	e := newEnv(t, envOpts{})
	_, err := e.c.Start(e.ctx(), &pmv1.JobRequest{Unit: "ghost"})
	wantStatus(t, err, codes.NotFound, ReasonUnitNotFound, "")
	_, err = e.c.Describe(e.ctx(), &pmv1.DescribeRequest{Unit: "ghost"})
	wantStatus(t, err, codes.NotFound, ReasonUnitNotFound, "")
	_, err = e.c.Stop(e.ctx(), &pmv1.JobRequest{Unit: "ghost"})
	wantStatus(t, err, codes.NotFound, ReasonUnitNotFound, "")
	show, err := e.c.Show(e.ctx(), &pmv1.ShowRequest{Unit: "ghost", Properties: []string{"LoadState"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(show.GetProperties()) != 1 || show.GetProperties()[0].GetValue() != "not-found" {
		t.Errorf("got %v, want LoadState=not-found", show.GetProperties())
	}
}
