package dbus

import (
	"fmt"
	"path"
	"sort"
	"strings"

	godbus "github.com/godbus/dbus/v5"

	"github.com/pm-project/pm/internal/unitprops"
	"github.com/pm-project/pm/manager"
	"github.com/pm-project/pm/unit"
)

// The org.freedesktop.systemd1.Manager methods about units and jobs
// (src/core/dbus-manager.c), and the Unit and Job interfaces' methods,
// which do the same for their object.

func (s *Server) newManagerIface() *iface {
	job := func(name string, typ manager.JobType) method {
		return method{name: name, in: "ss", out: "o", write: true, fn: func(r *request) (reply, error) {
			return s.startJob(r, r.str(0), typ, r.str(1))
		}}
	}
	ms := []method{
		{name: "GetUnit", in: "s", out: "o", fn: s.getUnit},
		{name: "GetUnitByPID", in: "u", out: "o", fn: s.getUnitByPID},
		{name: "LoadUnit", in: "s", out: "o", fn: s.loadUnit},
		job("StartUnit", manager.JobStart),
		{name: "StartUnitReplace", in: "sss", out: "o", write: true, fn: func(r *request) (reply, error) {
			return s.startJob(r, r.str(1), manager.JobStart, r.str(2))
		}},
		job("StopUnit", manager.JobStop),
		job("ReloadUnit", manager.JobReload),
		job("RestartUnit", manager.JobRestart),
		job("TryRestartUnit", manager.JobTryRestart),
		job("ReloadOrRestartUnit", jobReloadOrRestart),
		job("ReloadOrTryRestartUnit", jobReloadOrTryRestart),
		{name: "EnqueueUnitJob", in: "sss", out: "uososa(uosos)", write: true, fn: s.enqueueUnitJob},
		{name: "KillUnit", in: "ssi", write: true, fn: func(r *request) (reply, error) {
			return s.kill(r, r.str(0), r.str(1), r.i32(2))
		}},
		{name: "ResetFailedUnit", in: "s", write: true, fn: func(r *request) (reply, error) {
			return s.resetFailed(r, r.str(0))
		}},
		{name: "RefUnit", in: "s", fn: noop},
		{name: "UnrefUnit", in: "s", fn: noop},
		{name: "GetUnitProcesses", in: "s", out: "a(sus)", fn: func(r *request) (reply, error) {
			return s.unitProcesses(r, r.str(0))
		}},
		{name: "GetJob", in: "u", out: "o", fn: s.getJob},
		{name: "GetJobAfter", in: "u", out: "a(usssoo)", fn: s.jobNeighbours},
		{name: "GetJobBefore", in: "u", out: "a(usssoo)", fn: s.jobNeighbours},
		{name: "CancelJob", in: "u", write: true, fn: func(r *request) (reply, error) { return s.cancelJob(r, r.u32(0)) }},
		{name: "ClearJobs", write: true, fn: s.clearJobs},
		{name: "ResetFailed", write: true, fn: func(r *request) (reply, error) { return s.resetFailed(r, "") }},
		{name: "ListUnits", out: "a(ssssssouso)", fn: func(r *request) (reply, error) { return s.listUnits(nil, nil), nil }},
		{name: "ListUnitsFiltered", in: "as", out: "a(ssssssouso)", fn: func(r *request) (reply, error) {
			return s.listUnits(r.strs(0), nil), nil
		}},
		{name: "ListUnitsByPatterns", in: "asas", out: "a(ssssssouso)", fn: func(r *request) (reply, error) {
			return s.listUnits(r.strs(0), r.strs(1)), nil
		}},
		{name: "ListUnitsByNames", in: "as", out: "a(ssssssouso)", fn: s.listUnitsByNames},
		{name: "ListJobs", out: "a(usssoo)", fn: s.listJobs},
		{name: "Subscribe", fn: noop},
		{name: "Unsubscribe", fn: noop},
		{name: "Reload", write: true, fn: s.reload},
		{name: "Reexecute", write: true, fn: s.reload},
	}
	ms = append(ms, s.unitFileMethods()...)
	return newIface(ifaceManager, ms,
		signal{"UnitNew", "so"}, signal{"UnitRemoved", "so"}, signal{"JobNew", "uos"},
		signal{"JobRemoved", "uoss"}, signal{"StartupFinished", "tttttt"},
		signal{"UnitFilesChanged", ""}, signal{"Reloading", "b"})
}

func (s *Server) newUnitIface() *iface {
	job := func(name string, typ manager.JobType) method {
		return method{name: name, in: "s", out: "o", write: true, fn: func(r *request) (reply, error) {
			return s.startJob(r, r.obj.unit, typ, r.str(0))
		}}
	}
	return newIface(ifaceUnit, []method{
		job("Start", manager.JobStart), job("Stop", manager.JobStop), job("Reload", manager.JobReload),
		job("Restart", manager.JobRestart), job("TryRestart", manager.JobTryRestart),
		job("ReloadOrRestart", jobReloadOrRestart), job("ReloadOrTryRestart", jobReloadOrTryRestart),
		{name: "EnqueueJob", in: "ss", out: "uososa(uosos)", write: true, fn: func(r *request) (reply, error) {
			return s.enqueue(r, r.obj.unit, r.str(0), r.str(1))
		}},
		{name: "Kill", in: "si", write: true, fn: func(r *request) (reply, error) {
			return s.kill(r, r.obj.unit, r.str(0), r.i32(1))
		}},
		{name: "ResetFailed", write: true, fn: func(r *request) (reply, error) { return s.resetFailed(r, r.obj.unit) }},
		{name: "Ref", fn: noop},
		{name: "Unref", fn: noop},
	})
}

func (s *Server) newJobIface() *iface {
	return newIface(ifaceJob, []method{
		{name: "Cancel", write: true, fn: func(r *request) (reply, error) { return s.cancelJob(r, r.obj.job.ID) }},
		{name: "GetAfter", out: "a(usssoo)", fn: s.jobNeighbours},
		{name: "GetBefore", out: "a(usssoo)", fn: s.jobNeighbours},
	})
}

func noop(*request) (reply, error) { return reply{}, nil }

// Job types that depend on whether the unit can reload, as systemd's
// reload-or-restart and reload-or-try-restart.
const (
	jobReloadOrRestart    manager.JobType = -1
	jobReloadOrTryRestart manager.JobType = -2
)

// jobModes are systemd's job modes.
var jobModes = []unit.JobMode{unit.JobReplace, unit.JobFail, unit.JobIsolate, unit.JobIgnoreDependencies,
	unit.JobIgnoreRequirements, unit.JobReplaceIrreversibly, unit.JobFlush, unit.JobTriggering}

func parseMode(s string) (unit.JobMode, error) {
	for _, m := range jobModes {
		if string(m) == s {
			return m, nil
		}
	}
	return "", newErr(errInvalidArgs, "Job mode %s invalid.", s)
}

func checkName(name string) error {
	if _, err := unit.ParseName(name); err != nil {
		return newErr(errInvalidArgs, "Unit name %s is not valid.", name)
	}
	return nil
}

// canonical is the unit's primary name, for aliases.
func (s *Server) canonical(name string) string {
	if st := s.m.Snapshot().Unit(name); st != nil {
		return st.Name
	}
	return name
}

func (s *Server) startJob(r *request, name string, typ manager.JobType, mode string) (reply, error) {
	info, err := s.queue(r, name, typ, mode)
	if err != nil {
		return reply{}, err
	}
	return ret("o", jobPath(info.ID)), nil
}

// queue enqueues a job. A job the manager found nothing to do for gets
// an id of its own and its JobNew and JobRemoved signals all the same,
// as in systemd, whose clients wait for JobRemoved of the job they got.
func (s *Server) queue(r *request, name string, typ manager.JobType, modeName string) (manager.JobInfo, error) {
	mode, err := parseMode(modeName)
	if err != nil {
		return manager.JobInfo{}, err
	}
	if err := checkName(name); err != nil {
		return manager.JobInfo{}, err
	}
	switch typ {
	case jobReloadOrRestart, jobReloadOrTryRestart:
		st := s.m.Snapshot().Unit(name)
		reload := st != nil && st.Config != nil && unitprops.CanReload(st.Config)
		switch {
		case typ == jobReloadOrRestart && reload:
			typ = manager.JobReloadOrStart
		case typ == jobReloadOrRestart:
			typ = manager.JobRestart
		case reload:
			typ = manager.JobTryReload
		default:
			typ = manager.JobTryRestart
		}
	}
	info, _, err := s.m.Enqueue(r.ctx, name, typ, mode)
	if err != nil {
		return manager.JobInfo{}, toBusError(err, name)
	}
	if info.ID == 0 {
		info = manager.JobInfo{ID: s.fakeJobID(), Unit: s.canonical(name), Type: typ, State: "running"}
		s.finishLater(r, info)
	}
	return info, nil
}

func (s *Server) enqueueUnitJob(r *request) (reply, error) {
	return s.enqueue(r, r.str(0), r.str(1), r.str(2))
}

// affectedJob is an entry of EnqueueUnitJob's list of other jobs,
// (uosos).
type affectedJob struct {
	ID       uint32
	Path     objectPath
	Unit     string
	UnitPath objectPath
	Type     string
}

func (s *Server) enqueue(r *request, name, typName, mode string) (reply, error) {
	typ, err := manager.ParseJobType(typName)
	if err != nil {
		return reply{}, newErr(errInvalidArgs, "Job type %s invalid.", typName)
	}
	info, err := s.queue(r, name, typ, mode)
	if err != nil {
		return reply{}, err
	}
	return ret("uososa(uosos)", info.ID, jobPath(info.ID), info.Unit, unitPath(info.Unit), info.Type.String(), []affectedJob{}), nil
}

func (s *Server) getUnit(r *request) (reply, error) {
	name := r.str(0)
	if err := checkName(name); err != nil {
		return reply{}, err
	}
	st := s.m.Snapshot().Unit(name)
	if st == nil {
		return reply{}, newErr(errNoSuchUnit, "Unit %s not loaded.", name)
	}
	return ret("o", unitPath(st.Name)), nil
}

func (s *Server) loadUnit(r *request) (reply, error) {
	name := r.str(0)
	if err := checkName(name); err != nil {
		return reply{}, err
	}
	return ret("o", unitPath(s.canonical(name))), nil
}

func (s *Server) getUnitByPID(r *request) (reply, error) {
	pid := int(r.u32(0))
	if pid == 0 {
		p, err := s.callerPID(r)
		if err != nil {
			return reply{}, err
		}
		pid = p
	}
	if name := s.unitOfPID(r, pid); name != "" {
		return ret("o", unitPath(name)), nil
	}
	return reply{}, newErr(errNoUnitForPID, "PID %d does not belong to any loaded unit.", pid)
}

// unitOfPID finds the unit a process belongs to.
func (s *Server) unitOfPID(r *request, pid int) string {
	for _, st := range s.m.Snapshot().All() {
		if st.MainPID == pid || st.ControlPID == pid {
			return st.Name
		}
	}
	all, err := s.m.StatsAll(r.ctx, nil)
	if err != nil {
		return ""
	}
	for name, st := range all {
		for _, p := range st.PIDs {
			if p == pid {
				return name
			}
		}
	}
	return ""
}

// process is a GetUnitProcesses entry, (sus): cgroup, pid, command line.
type process struct {
	CGroup  string
	PID     uint32
	Command string
}

func (s *Server) unitProcesses(r *request, name string) (reply, error) {
	if name == rootSlice {
		return s.allProcesses(r)
	}
	st := s.m.Snapshot().Unit(name)
	if st == nil {
		return reply{}, newErr(errNoSuchUnit, "Unit %s not loaded.", name)
	}
	out := []process{}
	v := s.unitView(r, st.Name)
	cg := v.ControlGroup()
	for _, pid := range v.Stats().PIDs {
		out = append(out, process{cg, uint32(pid), manager.ProcessCommand(pid)})
	}
	return ret("a(sus)", out), nil
}

// rootSlice is the slice every unit is below; its processes are all of
// pm's (systemctl status without a unit asks for them).
const rootSlice = "-.slice"

func (s *Server) allProcesses(r *request) (reply, error) {
	all, err := s.m.StatsAll(r.ctx, nil)
	if err != nil {
		return reply{}, toBusError(err, rootSlice)
	}
	out := []process{}
	for name, st := range all {
		v := s.unitView(r, name)
		v.SetStats(st)
		cg := v.ControlGroup()
		for _, pid := range st.PIDs {
			out = append(out, process{cg, uint32(pid), manager.ProcessCommand(pid)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PID < out[j].PID })
	return ret("a(sus)", out), nil
}

func (s *Server) kill(r *request, name, whom string, sig int32) (reply, error) {
	who := strings.TrimSuffix(whom, "-fail")
	switch who {
	case "all", "main", "control":
	case "":
		who = "all"
	default:
		return reply{}, newErr(errInvalidArgs, "Invalid who argument %s", whom)
	}
	if sig <= 0 || sig >= 65 {
		return reply{}, newErr(errInvalidArgs, "Signal number out of range.")
	}
	if s.m.Snapshot().Unit(name) == nil {
		return reply{}, newErr(errNoSuchUnit, "Unit %s not loaded.", name)
	}
	if err := s.m.Kill(r.ctx, name, who, int(sig)); err != nil {
		if be := toBusError(err, name); be.name != errFailed {
			return reply{}, be
		}
		return reply{}, newErr(errNoSuchProcess, "%s", capitalize(err.Error()))
	}
	return reply{}, nil
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (s *Server) resetFailed(r *request, name string) (reply, error) {
	if name != "" && s.m.Snapshot().Unit(name) == nil {
		return reply{}, newErr(errNoSuchUnit, "Unit %s not loaded.", name)
	}
	if err := s.m.ResetFailed(r.ctx, name); err != nil {
		return reply{}, toBusError(err, name)
	}
	return reply{}, nil
}

// job finds a queued job.
func (s *Server) job(id uint32) (manager.JobInfo, bool) {
	if id == 0 {
		return manager.JobInfo{}, false
	}
	for _, st := range s.m.Snapshot().All() {
		if st.Job != nil && st.Job.ID == id {
			return *st.Job, true
		}
	}
	return manager.JobInfo{}, false
}

func (s *Server) getJob(r *request) (reply, error) {
	id := r.u32(0)
	if _, ok := s.job(id); !ok {
		return reply{}, newErr(errNoSuchJob, "Job %d does not exist.", id)
	}
	return ret("o", jobPath(id)), nil
}

func (s *Server) cancelJob(r *request, id uint32) (reply, error) {
	if err := s.m.CancelJob(r.ctx, id); err != nil {
		return reply{}, toBusError(err, fmt.Sprint(id))
	}
	return reply{}, nil
}

func (s *Server) clearJobs(r *request) (reply, error) {
	jobs, err := s.m.Jobs(r.ctx)
	if err != nil {
		return reply{}, toBusError(err, "")
	}
	for _, j := range jobs {
		_ = s.m.CancelJob(r.ctx, j.ID)
	}
	return reply{}, nil
}

// jobEntry is a ListJobs entry, (usssoo).
type jobEntry struct {
	ID       uint32
	Unit     string
	Type     string
	State    string
	Path     objectPath
	UnitPath objectPath
}

func (s *Server) listJobs(r *request) (reply, error) {
	jobs, err := s.m.Jobs(r.ctx)
	if err != nil {
		return reply{}, toBusError(err, "")
	}
	out := make([]jobEntry, 0, len(jobs))
	for _, j := range jobs {
		out = append(out, jobEntry{j.ID, j.Unit, j.Type.String(), j.State, jobPath(j.ID), unitPath(j.Unit)})
	}
	return ret("a(usssoo)", out), nil
}

// jobNeighbours answers GetJobAfter and GetJobBefore: pm does not tell
// which jobs wait for which, so the lists are empty.
func (s *Server) jobNeighbours(*request) (reply, error) { return ret("a(usssoo)", []jobEntry{}), nil }

// unitEntry is a ListUnits entry, (ssssssouso).
type unitEntry struct {
	ID, Description, LoadState, ActiveState, SubState, Following string
	Path                                                         objectPath
	JobID                                                        uint32
	JobType                                                      string
	JobPath                                                      objectPath
}

func entryOf(st *manager.UnitStatus) unitEntry {
	e := unitEntry{ID: st.Name, Description: orDefault(st.Description, st.Name), LoadState: string(st.LoadState),
		ActiveState: string(st.ActiveState), SubState: st.SubState, Path: unitPath(st.Name), JobPath: "/"}
	if st.Job != nil {
		e.JobID, e.JobType, e.JobPath = st.Job.ID, st.Job.Type.String(), jobPath(st.Job.ID)
	}
	return e
}

// listUnits lists the loaded units whose load, active or sub state is
// one of states and whose name matches one of patterns (any, when
// empty), sorted by name.
func (s *Server) listUnits(states, patterns []string) reply {
	out := []unitEntry{}
	for _, st := range s.m.Snapshot().All() {
		if len(states) > 0 && !contains(states, string(st.LoadState)) && !contains(states, string(st.ActiveState)) && !contains(states, st.SubState) {
			continue
		}
		if len(patterns) > 0 && !matchAny(patterns, st.Name) {
			continue
		}
		out = append(out, entryOf(st))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return ret("a(ssssssouso)", out)
}

func (s *Server) listUnitsByNames(r *request) (reply, error) {
	out := []unitEntry{}
	snap := s.m.Snapshot()
	for _, n := range r.strs(0) {
		if err := checkName(n); err != nil {
			return reply{}, err
		}
		st := snap.Unit(n)
		if st == nil {
			st = unitprops.NotFound(n)
		}
		out = append(out, entryOf(st))
	}
	return ret("a(ssssssouso)", out), nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// matchAny matches a name against shell patterns, as fnmatch(3).
func matchAny(patterns []string, name string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}

func (s *Server) reload(r *request) (reply, error) {
	s.broadcast(signalMsg(managerPath, ifaceManager, "Reloading", "b", true))
	diags, err := s.m.DaemonReload(r.ctx)
	s.broadcast(signalMsg(managerPath, ifaceManager, "Reloading", "b", false))
	for _, d := range diags {
		s.log.Debug("dbus: daemon-reload: " + d.String())
	}
	s.unitsChanged()
	if err != nil {
		return reply{}, toBusError(err, "")
	}
	return reply{}, nil
}

// signalMsg makes a signal message.
func signalMsg(p objectPath, ifname, member, sig string, body ...any) *godbus.Message {
	m := &godbus.Message{Type: godbus.TypeSignal, Headers: map[godbus.HeaderField]godbus.Variant{
		godbus.FieldPath:      godbus.MakeVariant(p),
		godbus.FieldInterface: godbus.MakeVariant(ifname),
		godbus.FieldMember:    godbus.MakeVariant(member),
	}, Body: body}
	if len(body) > 0 {
		m.Headers[godbus.FieldSignature] = godbus.MakeVariant(godbus.ParseSignatureMust(sig))
	}
	return m
}
