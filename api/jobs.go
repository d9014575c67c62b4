package api

import (
	"context"
	"fmt"
	"strings"
	"syscall"

	"google.golang.org/grpc/codes"

	"github.com/pm-project/pm/api/pmv1"
	"github.com/pm-project/pm/manager"
	"github.com/pm-project/pm/unit"
)

// Start queues a start job.
func (s *Server) Start(ctx context.Context, r *pmv1.JobRequest) (*pmv1.JobResponse, error) {
	return s.job(ctx, r, manager.JobStart)
}

// Stop queues a stop job.
func (s *Server) Stop(ctx context.Context, r *pmv1.JobRequest) (*pmv1.JobResponse, error) {
	return s.job(ctx, r, manager.JobStop)
}

// Restart queues a restart job.
func (s *Server) Restart(ctx context.Context, r *pmv1.JobRequest) (*pmv1.JobResponse, error) {
	return s.job(ctx, r, manager.JobRestart)
}

// Reload queues a reload job.
func (s *Server) Reload(ctx context.Context, r *pmv1.JobRequest) (*pmv1.JobResponse, error) {
	return s.job(ctx, r, manager.JobReload)
}

// TryRestart queues a restart job if the unit runs.
func (s *Server) TryRestart(ctx context.Context, r *pmv1.JobRequest) (*pmv1.JobResponse, error) {
	return s.job(ctx, r, manager.JobTryRestart)
}

// ReloadOrRestart reloads the unit if it can, and restarts it otherwise.
func (s *Server) ReloadOrRestart(ctx context.Context, r *pmv1.JobRequest) (*pmv1.JobResponse, error) {
	return s.job(ctx, r, manager.JobReloadOrStart)
}

// jobModes are the modes a client may ask for (systemctl --job-mode).
var jobModes = []unit.JobMode{unit.JobReplace, unit.JobFail, unit.JobIsolate, unit.JobIgnoreDependencies,
	unit.JobIgnoreRequirements, unit.JobReplaceIrreversibly, unit.JobFlush, unit.JobTriggering}

func parseMode(s string) (unit.JobMode, error) {
	if s == "" {
		return unit.JobReplace, nil
	}
	for _, m := range jobModes {
		if string(m) == s {
			return m, nil
		}
	}
	names := make([]string, len(jobModes))
	for i, m := range jobModes {
		names[i] = string(m)
	}
	return "", invalidField("mode", "Unknown job mode %q (want %s).", s, strings.Join(names, ", "))
}

// job queues a job of typ and waits for it unless no_block.
func (s *Server) job(ctx context.Context, r *pmv1.JobRequest, typ manager.JobType) (*pmv1.JobResponse, error) {
	mode, err := parseMode(r.GetMode())
	if err != nil {
		return nil, err
	}
	name, st, err := s.target(r.GetUnit())
	if err != nil {
		return nil, err
	}
	if typ == manager.JobReloadOrStart && !canReload(st) {
		// As systemd's reload_if_possible: a unit that cannot reload
		// restarts.
		typ = manager.JobRestart
	}
	return s.runJob(ctx, name, st, typ, mode, r.GetNoBlock())
}

// runJob queues the job and waits for its result unless noBlock.
func (s *Server) runJob(ctx context.Context, name string, st *manager.UnitStatus, typ manager.JobType, mode unit.JobMode, noBlock bool) (*pmv1.JobResponse, error) {
	info, result, err := s.m.Enqueue(ctx, name, typ, mode)
	if err != nil {
		if st == nil {
			st = s.m.Snapshot().Unit(name)
		}
		return nil, unitErr(err, name, st)
	}
	resp := &pmv1.JobResponse{JobId: info.ID, JobType: typ.String(), Unit: name}
	if info.ID != 0 {
		resp.JobType = info.Type.String()
	}
	if !noBlock {
		select {
		case res := <-result:
			resp.Result = string(res)
		case <-ctx.Done():
			return nil, unitErr(ctx.Err(), name, nil)
		case <-s.stopping:
			return nil, shuttingDown()
		}
		// The result is sent before the loop publishes the unit's new
		// state; a call through the loop waits for that.
		if _, err := s.m.Jobs(ctx); err != nil {
			return nil, unitErr(err, name, nil)
		}
	}
	if st := s.m.Snapshot().Unit(name); st != nil {
		resp.ActiveState = string(st.ActiveState)
		resp.SubState = st.SubState
		resp.UnitResult = string(st.Result)
	}
	return resp, nil
}

// Kill sends a signal to the unit's processes.
func (s *Server) Kill(ctx context.Context, r *pmv1.KillRequest) (*pmv1.KillResponse, error) {
	sig, err := parseSignal(r.GetSignal())
	if err != nil {
		return nil, err
	}
	who := r.GetWhom()
	switch who {
	case "":
		who = "all"
	case "all", "main", "control":
	default:
		return nil, invalidField("whom", "Unknown kill target %q (want all, main or control).", who)
	}
	st, err := s.lookup(r.GetUnit())
	if err != nil {
		return nil, err
	}
	if err := s.m.Kill(ctx, st.Name, who, sig); err != nil {
		if strings.Contains(err.Error(), "no main process") || strings.Contains(err.Error(), "no control process") {
			return nil, errStatus(codes.FailedPrecondition, ReasonUnitInactive,
				fmt.Sprintf("No %s process to kill for unit %s.", who, st.Name), "unit", st.Name)
		}
		return nil, unitErr(err, st.Name, st)
	}
	return &pmv1.KillResponse{}, nil
}

// parseSignal reads "SIGTERM", "TERM", "15" or "" (SIGTERM), as systemctl
// kill -s does (names in any case).
func parseSignal(s string) (int, error) {
	if s == "" {
		return int(syscall.SIGTERM), nil
	}
	sig, err := unit.ParseSignal(strings.ToUpper(s))
	if err != nil {
		return 0, invalidField("signal", "Unknown signal %q.", s)
	}
	return int(sig), nil
}

// ResetFailed resets the failed state of one unit or of all.
func (s *Server) ResetFailed(ctx context.Context, r *pmv1.ResetFailedRequest) (*pmv1.ResetFailedResponse, error) {
	name := ""
	if r.GetUnit() != "" {
		st, err := s.lookup(r.GetUnit())
		if err != nil {
			return nil, err
		}
		name = st.Name
	}
	if err := s.m.ResetFailed(ctx, name); err != nil {
		return nil, unitErr(err, name, nil)
	}
	return &pmv1.ResetFailedResponse{}, nil
}

// ListJobs lists the queued and running jobs.
func (s *Server) ListJobs(ctx context.Context, _ *pmv1.ListJobsRequest) (*pmv1.ListJobsResponse, error) {
	jobs, err := s.m.Jobs(ctx)
	if err != nil {
		return nil, unitErr(err, "", nil)
	}
	resp := &pmv1.ListJobsResponse{}
	for _, j := range jobs {
		resp.Jobs = append(resp.Jobs, jobProto(j))
	}
	return resp, nil
}

func jobProto(j manager.JobInfo) *pmv1.Job {
	return &pmv1.Job{Id: j.ID, Unit: j.Unit, Type: j.Type.String(), State: j.State}
}

// CancelJob cancels a queued job.
func (s *Server) CancelJob(ctx context.Context, r *pmv1.CancelJobRequest) (*pmv1.CancelJobResponse, error) {
	if r.GetId() == 0 {
		return nil, invalidField("id", "A job id is required.")
	}
	if err := s.m.CancelJob(ctx, r.GetId()); err != nil {
		return nil, jobErr(err, r.GetId())
	}
	return &pmv1.CancelJobResponse{}, nil
}

// canReload reports whether a unit has ExecReload=.
func canReload(st *manager.UnitStatus) bool {
	return st != nil && st.Config != nil && st.Config.Service != nil && len(st.Config.Service.ExecReload) > 0
}
