package api

import (
	"context"
	"path"
	"sort"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/pm-project/pm/api/pmv1"
	"github.com/pm-project/pm/internal/unitprops"
	"github.com/pm-project/pm/manager"
	"github.com/pm-project/pm/unit"
)

// List returns the units that match the filters, as systemctl list-units
// selects them, sorted by type and name as it prints them.
func (s *Server) List(ctx context.Context, r *pmv1.ListRequest) (*pmv1.ListResponse, error) {
	for i, p := range r.GetPatterns() {
		if _, err := path.Match(p, ""); err != nil {
			return nil, invalidField("patterns", "Bad pattern %q (pattern %d).", p, i)
		}
	}
	for _, t := range r.GetTypes() {
		if !unit.Type(t).Known() {
			return nil, invalidField("types", "Unknown unit type %q.", t)
		}
	}
	var units []*manager.UnitStatus
	for _, st := range s.m.Snapshot().All() {
		if listed(st, r) {
			units = append(units, st)
		}
	}
	sortByUnitName(units, func(st *manager.UnitStatus) string { return st.Name })
	basic := r.GetView() == pmv1.UnitView_UNIT_VIEW_BASIC
	resp := &pmv1.ListResponse{Units: make([]*pmv1.Unit, 0, len(units))}
	for _, st := range units {
		if ctx.Err() != nil {
			return nil, unitErr(ctx.Err(), "", nil)
		}
		if basic {
			resp.Units = append(resp.Units, basicUnitProto(st))
			continue
		}
		resp.Units = append(resp.Units, s.unitProto(st, false))
	}
	return resp, nil
}

// basicUnitProto is the BASIC view of a unit: what list tables show.
func basicUnitProto(st *manager.UnitStatus) *pmv1.Unit {
	u := &pmv1.Unit{
		Name:        st.Name,
		Uuid:        st.UUID,
		Description: st.Description,
		Type:        string(st.Type),
		LoadState:   string(st.LoadState),
		ActiveState: string(st.ActiveState),
		SubState:    st.SubState,
		Result:      string(st.Result),
		State:       string(st.Simple),
		MainPid:     int32(st.MainPID),
		NRestarts:   uint32(st.NRestarts),
		Runs:        st.Starts,
		Origin:      st.Origin,
		CreatedAt:   ts(st.CreatedAt),
	}
	if st.ExecMain.PID != 0 || !st.ExecMain.StartAt.IsZero() {
		u.ExecMain = &pmv1.ExecStatus{Pid: int32(st.ExecMain.PID), StartAt: ts(st.ExecMain.StartAt),
			ExitAt: ts(st.ExecMain.ExitAt), Code: st.ExecMain.Code, Status: int32(st.ExecMain.Status)}
	}
	if st.Job != nil {
		u.Job = jobProto(*st.Job)
	}
	if c := st.Config; c != nil && c.Service != nil && len(c.Service.ExecStart) > 0 {
		if argv := c.Service.ExecStart[0].Argv; len(argv) > 0 {
			u.Command, u.Args = argv[0], argv[1:]
		}
	}
	return u
}

// sortByUnitName orders items by unit name as systemctl list-units: by
// type suffix, then by name, ignoring case. The lower-cased keys are made
// once per item, not once per comparison.
func sortByUnitName[T any](items []T, name func(T) string) {
	type keyed struct {
		item           T
		typ, low, name string
	}
	ks := make([]keyed, len(items))
	for i, it := range items {
		n := name(it)
		ks[i] = keyed{it, strings.ToLower(n[strings.LastIndexByte(n, '.')+1:]), strings.ToLower(n), n}
	}
	sort.Slice(ks, func(i, j int) bool {
		a, b := ks[i], ks[j]
		if a.typ != b.typ {
			return a.typ < b.typ
		}
		if a.low != b.low {
			return a.low < b.low
		}
		return a.name < b.name
	})
	for i, k := range ks {
		items[i] = k.item
	}
}

// listed applies List's filters to one unit (systemctl's
// output_show_unit, with pm's state names added).
func listed(st *manager.UnitStatus, r *pmv1.ListRequest) bool {
	if !matchAny(r.GetPatterns(), st) {
		return false
	}
	if ts := r.GetTypes(); len(ts) > 0 && !contains(ts, string(st.Type)) {
		return false
	}
	if states := r.GetStates(); len(states) > 0 {
		return contains(states, string(st.ActiveState)) || contains(states, st.SubState) ||
			contains(states, string(st.LoadState)) || contains(states, string(st.Simple))
	}
	if r.GetAll() {
		return true
	}
	return st.Job != nil || st.ActiveState != manager.Inactive
}

// matchAny reports whether a unit matches one of the patterns (globs over
// its names, its name without ".service", and its UUID); no pattern
// matches everything.
func matchAny(patterns []string, st *manager.UnitStatus) bool {
	if len(patterns) == 0 {
		return true
	}
	names := []string{st.Name, st.UUID}
	if st.Config != nil {
		names = append(names, st.Config.Names...)
	}
	if short, ok := strings.CutSuffix(st.Name, ".service"); ok {
		names = append(names, short)
	}
	for _, p := range patterns {
		for _, n := range names {
			if ok, _ := path.Match(p, n); ok {
				return true
			}
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Describe returns everything pmd knows of one unit.
func (s *Server) Describe(ctx context.Context, r *pmv1.DescribeRequest) (*pmv1.DescribeResponse, error) {
	st, err := s.lookup(r.GetUnit())
	if err != nil {
		return nil, err
	}
	u := s.unitProto(st, true)
	deps, err := s.m.Dependencies(ctx, st.Name)
	if err == nil {
		u.Dependencies = dependencyList(deps)
	}
	return &pmv1.DescribeResponse{Unit: u}, nil
}

// dependencyList orders a dependency map as systemd's properties are.
func dependencyList(deps map[string][]string) []*pmv1.Dependency {
	var out []*pmv1.Dependency
	seen := map[string]bool{}
	for _, k := range dependencyKinds {
		if units := deps[k]; len(units) > 0 {
			out = append(out, &pmv1.Dependency{Kind: k, Units: units})
		}
		seen[k] = true
	}
	var rest []string
	for k := range deps {
		if !seen[k] && len(deps[k]) > 0 {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		out = append(out, &pmv1.Dependency{Kind: k, Units: deps[k]})
	}
	return out
}

func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func dur(d unit.Duration) *durationpb.Duration {
	if d == unit.Infinity {
		return durationpb.New(time.Duration(1<<63 - 1))
	}
	return durationpb.New(d.Std())
}

// unitProto converts a unit's status. detail adds what costs more to
// find out (files on disk, the stored spec).
func (s *Server) unitProto(st *manager.UnitStatus, detail bool) *pmv1.Unit {
	if st == nil {
		return nil
	}
	u := basicUnitProto(st)
	u.LoadError = st.LoadError
	u.ControlPid = int32(st.ControlPID)
	u.StatusText, u.StatusErrno = st.StatusText, int32(st.StatusErrno)
	u.FailedCondition = st.FailedCondition
	u.StateChangeAt = ts(st.StateChangeAt)
	u.ActiveEnterAt, u.ActiveExitAt = ts(st.ActiveEnterAt), ts(st.ActiveExitAt)
	u.InactiveEnterAt, u.InactiveExitAt = ts(st.InactiveEnterAt), ts(st.InactiveExitAt)
	u.ConditionCheckedAt = ts(st.ConditionCheckedAt)
	if c := st.Config; c != nil {
		u.Names = c.Names
		u.FragmentPath = c.FragmentPath
		u.SourcePath = c.SourcePath
		u.DropInPaths = c.DropInPaths
		if svc := c.Service; svc != nil {
			for _, cmd := range svc.ExecStart {
				if line, err := unit.QuoteExecCommand(cmd); err == nil {
					u.ExecStart = append(u.ExecStart, line)
				}
			}
			u.Restart = string(svc.Restart)
			u.RestartSec = dur(svc.RestartSec)
			if svc.RestartMaxDelaySec != 0 {
				u.RestartMax = dur(svc.RestartMaxDelaySec)
			}
			u.TimeoutStart = dur(svc.TimeoutStartSec)
			u.TimeoutStop = dur(svc.TimeoutStopSec)
		}
	}
	if len(u.Names) == 0 {
		u.Names = []string{st.Name}
	}
	if detail {
		u.NeedDaemonReload = st.NeedDaemonReload()
		u.UnitFileState = unitprops.FileState(s.files, st)
		if st.Origin == "api" {
			if opts, err := s.m.APIOptions(st.Name); err == nil {
				u.Spec = specOf(opts)
			}
		}
	}
	return u
}
