package api

import (
	"context"
	"sort"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/pm-project/pm/api/pmv1"
	"github.com/pm-project/pm/manager"
	"github.com/pm-project/pm/unit"
)

// Dependency properties list-dependencies follows, as systemctl's
// unit_get_dependencies.
var (
	forwardDeps = []string{"Requires", "Requisite", "Wants", "ConsistsOf", "BindsTo", "Upholds"}
	reverseDeps = []string{"RequiredBy", "RequisiteOf", "WantedBy", "PartOf", "BoundBy", "UpheldBy"}
)

// maxTreeNodes bounds a dependency tree: with all set, a dense graph has
// exponentially many paths.
const maxTreeNodes = 100000

// ListDependencies returns the dependency tree of a unit as systemctl
// list-dependencies walks it: only targets are expanded unless all; a
// unit already on the path above is marked as a cycle and not expanded.
// Children are sorted as systemctl prints them (targets last).
func (s *Server) ListDependencies(ctx context.Context, r *pmv1.ListDependenciesRequest) (*pmv1.ListDependenciesResponse, error) {
	n := 0
	for _, b := range []bool{r.GetReverse(), r.GetAfter(), r.GetBefore()} {
		if b {
			n++
		}
	}
	if n > 1 {
		return nil, invalidField("reverse", "reverse, after and before exclude each other.")
	}
	kinds := forwardDeps
	switch {
	case r.GetReverse():
		kinds = reverseDeps
	case r.GetAfter():
		kinds = []string{"After"}
	case r.GetBefore():
		kinds = []string{"Before"}
	}
	ref := r.GetUnit()
	if ref == "" {
		ref = "default.target"
	}
	root, err := s.lookup(ref)
	if err != nil {
		return nil, err
	}
	w := &depWalker{s: s, ctx: ctx, kinds: kinds, all: r.GetAll(), cache: map[string][]string{}}
	node := w.node(root.Name)
	w.walk(node, []string{root.Name})
	if w.err != nil {
		return nil, w.err
	}
	return &pmv1.ListDependenciesResponse{Root: node}, nil
}

type depWalker struct {
	s     *Server
	ctx   context.Context
	kinds []string
	all   bool
	cache map[string][]string
	nodes int
	err   error
}

func (w *depWalker) node(name string) *pmv1.DependencyNode {
	n := &pmv1.DependencyNode{Unit: name}
	if st := w.s.m.Snapshot().Unit(name); st != nil {
		n.ActiveState, n.SubState = string(st.ActiveState), st.SubState
	}
	return n
}

// deps returns the sorted, unique dependencies of a unit.
func (w *depWalker) deps(name string) []string {
	if d, ok := w.cache[name]; ok {
		return d
	}
	m, err := w.s.m.Dependencies(w.ctx, name)
	if err != nil && w.ctx.Err() != nil {
		w.err = unitErr(w.ctx.Err(), name, nil)
	}
	seen := map[string]bool{}
	var out []string
	for _, k := range w.kinds {
		for _, d := range m[k] {
			if !seen[d] {
				seen[d] = true
				out = append(out, d)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		ti, tj := strings.HasSuffix(out[i], ".target"), strings.HasSuffix(out[j], ".target")
		if ti != tj {
			return tj
		}
		return strings.ToLower(out[i]) < strings.ToLower(out[j])
	})
	w.cache[name] = out
	return out
}

func (w *depWalker) walk(n *pmv1.DependencyNode, path []string) {
	for _, d := range w.deps(n.Unit) {
		if w.err != nil {
			return
		}
		w.nodes++
		if w.nodes > maxTreeNodes {
			w.err = errStatus(codes.ResourceExhausted, ReasonTransactionInvalid, "The dependency tree has too many nodes.")
			return
		}
		c := w.node(d)
		n.Children = append(n.Children, c)
		if contains(path, d) {
			c.Cycle = true
			continue
		}
		if w.all || strings.HasSuffix(d, ".target") {
			w.walk(c, append(path, d))
		}
	}
}

// Stats returns the resource use of units, with the limits their
// settings ask for.
func (s *Server) Stats(ctx context.Context, r *pmv1.StatsRequest) (*pmv1.StatsResponse, error) {
	var names []string
	byName := map[string]*manager.UnitStatus{}
	for _, ref := range r.GetUnits() {
		st, err := s.lookup(ref)
		if err != nil {
			return nil, err
		}
		names = append(names, st.Name)
		byName[st.Name] = st
	}
	all, err := s.m.StatsAll(ctx, names)
	if err != nil {
		return nil, unitErr(err, strings.Join(names, " "), nil)
	}
	if len(names) == 0 {
		for n := range all {
			names = append(names, n)
		}
		sortByUnitName(names, func(n string) string { return n })
	}
	snap := s.m.Snapshot()
	resp := &pmv1.StatsResponse{}
	for _, n := range names {
		st := byName[n]
		if st == nil {
			st = snap.Unit(n)
		}
		if st == nil {
			continue
		}
		stats, ok := all[n]
		if !ok && len(r.GetUnits()) == 0 {
			continue
		}
		resp.Units = append(resp.Units, statsProto(st, stats))
	}
	return resp, nil
}

func statsProto(st *manager.UnitStatus, x manager.Stats) *pmv1.UnitStats {
	u := &pmv1.UnitStats{
		Name: st.Name, Uuid: st.UUID, MainPid: int32(st.MainPID),
		Tasks: x.Tasks, MemoryRssBytes: x.RSS,
		CpuUser: durationpb.New(x.CPUUser), CpuSystem: durationpb.New(x.CPUSystem),
		StartedAt: ts(st.ExecMain.StartAt),
	}
	if u.StartedAt == nil {
		u.StartedAt = ts(st.ActiveEnterAt)
	}
	for _, pid := range x.PIDs {
		u.Pids = append(u.Pids, int32(pid))
		u.Processes = append(u.Processes, &pmv1.ProcessInfo{Pid: int32(pid), Command: manager.ProcessCommand(pid)})
	}
	if c := st.Config; c != nil && c.Service != nil {
		res := c.Service.Resources
		if l := res.MemoryMax; !l.IsInfinity() && l.Permyriad == 0 && l.Value > 0 {
			u.MemoryLimitBytes = l.Value
		}
		if q := res.CPUQuotaPerSecSec; q > 0 && q != unit.Infinity {
			u.CpuLimitMillicores = uint64(q.Std() / time.Millisecond)
		}
		if l := res.TasksMax; !l.IsInfinity() && l.Permyriad == 0 && l.Value > 0 {
			u.PidsLimit = l.Value
		}
	}
	return u
}

// SystemStatus is systemctl is-system-running and a summary.
func (s *Server) SystemStatus(ctx context.Context, _ *pmv1.SystemStatusRequest) (*pmv1.SystemStatusResponse, error) {
	state := s.m.SystemState()
	if s.isStopping() {
		state = "stopping"
	}
	resp := &pmv1.SystemStatusResponse{
		State: state, Version: s.opts.Version, StartedAt: timestamppb.New(s.opts.StartedAt),
		DefaultTarget: s.opts.DefaultTarget,
	}
	for _, st := range s.m.Snapshot().All() {
		resp.Units++
		if st.ActiveState == manager.Failed {
			resp.FailedUnits++
		}
	}
	jobs, err := s.m.Jobs(ctx)
	if err != nil {
		return nil, unitErr(err, "", nil)
	}
	resp.Jobs = uint32(len(jobs))
	return resp, nil
}

// ReloadConfig is daemon-reload.
func (s *Server) ReloadConfig(ctx context.Context, _ *pmv1.ReloadConfigRequest) (*pmv1.ReloadConfigResponse, error) {
	diags, err := s.m.DaemonReload(ctx)
	if err != nil {
		return nil, unitErr(err, "", nil)
	}
	resp := &pmv1.ReloadConfigResponse{}
	for _, d := range diags {
		resp.Diagnostics = append(resp.Diagnostics, &pmv1.Diagnostic{
			Severity: d.Severity.String(), File: d.Pos.File, Line: int32(d.Pos.Line), Column: int32(d.Pos.Col),
			Unit: d.Unit, Message: d.Msg, Text: d.String(),
		})
	}
	return resp, nil
}
