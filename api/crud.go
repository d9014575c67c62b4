package api

import (
	"context"
	"errors"
	"strings"

	"github.com/pm-project/pm/api/pmv1"
	"github.com/pm-project/pm/manager"
	"github.com/pm-project/pm/unit"
)

// Create makes a new service from a UnitSpec and starts it if asked.
func (s *Server) Create(ctx context.Context, r *pmv1.CreateRequest) (*pmv1.CreateResponse, error) {
	if r.GetName() == "" {
		return nil, invalidField("name", "A unit name is required.")
	}
	name, err := canonicalName(r.GetName())
	if err != nil {
		return nil, invalidField("name", "Invalid unit name %q.", r.GetName())
	}
	if n, _ := unit.ParseName(name); n.Type != unit.TypeService || n.Templated {
		return nil, invalidField("name", "Only services (not templates) can be created over the API: %q.", r.GetName())
	}
	l, err := createOptions(r.GetSpec())
	if err != nil {
		return nil, err
	}
	st, err := s.m.Create(ctx, name, l.numbered())
	if err != nil {
		var inv *manager.InvalidError
		if errors.As(err, &inv) {
			return nil, invalidDiags(inv.Diags, l)
		}
		return nil, unitErr(err, name, nil)
	}
	if st != nil {
		name = st.Name
	}
	resp := &pmv1.CreateResponse{}
	if r.GetStart() || r.GetSpec().GetAutoStart() {
		job, err := s.runJob(ctx, name, st, manager.JobStart, unit.JobReplace, false)
		if err != nil {
			return nil, err
		}
		resp.Job = job
	}
	if cur := s.m.Snapshot().Unit(name); cur != nil {
		st = cur
	}
	resp.Unit = s.unitProto(st, true)
	return resp, nil
}

// Update changes a unit created over the API.
func (s *Server) Update(ctx context.Context, r *pmv1.UpdateRequest) (*pmv1.UpdateResponse, error) {
	var paths []string
	useMask := r.GetUpdateMask() != nil
	if useMask {
		var err error
		if paths, err = maskPaths(r.GetUpdateMask().GetPaths()); err != nil {
			return nil, err
		}
	}
	return s.update(ctx, r.GetUnit(), r.GetSpec(), paths, useMask, r.GetDryRun(), r.GetRestartProcess(), "spec.")
}

// SetRestartPolicy changes the restart settings of a unit created over the
// API; empty fields keep their value.
func (s *Server) SetRestartPolicy(ctx context.Context, r *pmv1.SetRestartPolicyRequest) (*pmv1.UpdateResponse, error) {
	spec := &pmv1.UnitSpec{Restart: r.GetRestart(), RestartSec: r.GetRestartSec(), RestartMax: r.GetRestartMax(),
		StartLimitBurst: r.GetStartLimitBurst(), StartLimitInterval: r.GetStartLimitInterval()}
	if spec.Restart == "" && spec.RestartSec == "" && spec.RestartMax == "" && spec.StartLimitBurst == "" && spec.StartLimitInterval == "" {
		return nil, invalidField("restart", "Nothing to change: give at least one setting.")
	}
	return s.update(ctx, r.GetUnit(), spec, nil, false, r.GetDryRun(), false, "")
}

// update is Update and SetRestartPolicy. Field violations name fields
// with prefix ("spec." for Update, "" for SetRestartPolicy).
func (s *Server) update(ctx context.Context, ref string, spec *pmv1.UnitSpec, paths []string, useMask, dryRun, restart bool, prefix string) (*pmv1.UpdateResponse, error) {
	st, err := s.lookup(ref)
	if err != nil {
		return nil, err
	}
	name := st.Name
	old, err := s.m.APIOptions(name)
	if err != nil {
		return nil, unitErr(err, name, st)
	}
	l, err := updateOptions(old, spec, paths, useMask)
	if err != nil {
		return nil, renameFields(err, prefix)
	}
	res, err := s.m.Update(ctx, name, l.numbered(), dryRun)
	if err != nil {
		var inv *manager.InvalidError
		if errors.As(err, &inv) {
			return nil, renameFields(invalidDiags(inv.Diags, l), prefix)
		}
		return nil, unitErr(err, name, st)
	}
	resp := &pmv1.UpdateResponse{DryRun: dryRun}
	if res != nil {
		resp.RestartRequired = res.RestartRequired
		for _, c := range res.Changes {
			field := fieldOf(c.Section, c.Key)
			if field == "" {
				field = fieldDirectives
			}
			resp.Changes = append(resp.Changes, &pmv1.FieldChange{
				Field: field, Directive: "[" + c.Section + "] " + c.Key + "=",
				Old: c.Old, New: c.New, Hot: c.Hot,
			})
		}
		if res.Unit != nil {
			st = res.Unit
		}
	}
	if restart && !dryRun && resp.RestartRequired {
		if _, err := s.runJob(ctx, name, st, manager.JobRestart, unit.JobReplace, false); err != nil {
			return nil, err
		}
		resp.Restarted = true
	}
	if cur := s.m.Snapshot().Unit(name); cur != nil && !dryRun {
		st = cur
	}
	resp.Unit = s.unitProto(st, true)
	return resp, nil
}

// renameFields rewrites the "spec." field names of a status for requests
// whose fields sit at the top level.
func renameFields(err error, prefix string) error {
	if prefix == "spec." {
		return err
	}
	return rewriteViolations(err, func(f string) string { return strings.TrimPrefix(f, "spec.") })
}

// Delete removes a unit created over the API.
func (s *Server) Delete(ctx context.Context, r *pmv1.DeleteRequest) (*pmv1.DeleteResponse, error) {
	st, err := s.lookup(r.GetUnit())
	if err != nil {
		return nil, err
	}
	gone, err := s.m.Delete(ctx, st.Name, r.GetForce())
	if err != nil {
		if cur := s.m.Snapshot().Unit(st.Name); cur != nil {
			st = cur
		}
		return nil, unitErr(err, st.Name, st)
	}
	if gone == nil {
		gone = st
	}
	return &pmv1.DeleteResponse{Name: gone.Name, Uuid: gone.UUID}, nil
}
