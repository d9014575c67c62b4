package unitprops

import (
	"math"
	"time"

	"github.com/pm-project/pm/unit"
)

// The org.freedesktop.systemd1.Service interface: bus_service_vtable
// (src/core/dbus-service.c) followed, as in systemd, by the cgroup, exec
// and kill vtables (context.go).

// ExecStatus is one command of an Exec*= property, a(sasbttttuii): path,
// argv, whether failure is ignored, when its last run started and ended
// (realtime and monotonic), its pid, its si_code (CLD_EXITED 1,
// CLD_KILLED 2, CLD_DUMPED 3) and status.
type ExecStatus struct {
	Path             string
	Argv             []string
	Ignore           bool
	Start, StartMono uint64
	Exit, ExitMono   uint64
	PID              uint32
	Code, Status     int32
}

// ExecStatusEx is the …Ex form, a(sasasttttuii): flags instead of the
// ignore boolean.
type ExecStatusEx struct {
	Path             string
	Argv             []string
	Flags            []string
	Start, StartMono uint64
	Exit, ExitMono   uint64
	PID              uint32
	Code, Status     int32
}

// ExitStatusSet is (aiai): exit statuses and signals.
type ExitStatusSet struct {
	Status, Signals []int32
}

func svcOf(v uv) *unit.Service {
	if v.Config.Service != nil {
		return v.Config.Service
	}
	return &unit.Service{}
}

// UndefinedID is UID_INVALID and GID_INVALID.
const UndefinedID = math.MaxUint32

var serviceOwn = []Prop[uv]{
	str("Type", func(v uv) string { return orDefault(string(svcOf(v).Type), "simple") }),
	str("ExitType", func(v uv) string { return orDefault(svcOf(v).ExitType, "main") }),
	str("Restart", func(v uv) string { return orDefault(string(svcOf(v).Restart), "no") }),
	str("PIDFile", func(v uv) string { return svcOf(v).PIDFile }),
	str("NotifyAccess", func(v uv) string { return orDefault(string(svcOf(v).NotifyAccess), "none") }),
	u64("RestartUSec", func(v uv) uint64 { return usec(svcOf(v).RestartSec) }),
	u64("TimeoutStartUSec", func(v uv) uint64 { return usec(svcOf(v).TimeoutStartSec) }),
	u64("TimeoutStopUSec", func(v uv) uint64 { return usec(svcOf(v).TimeoutStopSec) }),
	u64("TimeoutAbortUSec", func(v uv) uint64 {
		s := svcOf(v)
		if !s.TimeoutAbortSet {
			return usec(s.TimeoutStopSec)
		}
		return usec(s.TimeoutAbortSec)
	}),
	str("TimeoutStartFailureMode", func(v uv) string { return orDefault(svcOf(v).TimeoutStartFailureMode, "terminate") }),
	str("TimeoutStopFailureMode", func(v uv) string { return orDefault(svcOf(v).TimeoutStopFailureMode, "terminate") }),
	u64("RuntimeMaxUSec", func(v uv) uint64 { return usec(svcOf(v).RuntimeMaxSec) }),
	u64("RuntimeRandomizedExtraUSec", func(v uv) uint64 { return usec(svcOf(v).RuntimeRandomizedExtraSec) }),
	u64("WatchdogUSec", func(v uv) uint64 { return usec(svcOf(v).WatchdogSec) }),
	constant[uv]("WatchdogTimestamp", "t", uint64(0)),
	constant[uv]("WatchdogTimestampMonotonic", "t", uint64(0)),
	boolean("RootDirectoryStartOnly", func(v uv) bool { return svcOf(v).RootDirectoryStartOnly }),
	boolean("RemainAfterExit", func(v uv) bool { return svcOf(v).RemainAfterExit }),
	boolean("GuessMainPID", func(v uv) bool { return svcOf(v).GuessMainPID }),
	mk("RestartPreventExitStatus", "(aiai)", func(v uv) any { return exitSet(svcOf(v).RestartPreventExitStatus) }),
	mk("RestartForceExitStatus", "(aiai)", func(v uv) any { return exitSet(svcOf(v).RestartForceExitStatus) }),
	mk("SuccessExitStatus", "(aiai)", func(v uv) any { return exitSet(svcOf(v).SuccessExitStatus) }),
	u32("MainPID", func(v uv) uint32 { return uint32(v.Status.MainPID) }),
	u32("ControlPID", func(v uv) uint32 { return uint32(v.Status.ControlPID) }),
	str("BusName", func(v uv) string { return svcOf(v).BusName }),
	u32("FileDescriptorStoreMax", func(v uv) uint32 { return uint32(svcOf(v).FileDescriptorStoreMax) }),
	constant[uv]("NFileDescriptorStore", "u", uint32(0)),
	str("StatusText", func(v uv) string { return v.Status.StatusText }),
	i32("StatusErrno", func(v uv) int32 { return int32(v.Status.StatusErrno) }),
	str("Result", func(v uv) string { return orDefault(string(v.Status.Result), "success") }),
	str("ReloadResult", func(v uv) string { return orDefault(string(v.Status.ReloadResult), "success") }),
	constant[uv]("CleanResult", "s", "success"),
	constant[uv]("USBFunctionDescriptors", "s", ""),
	constant[uv]("USBFunctionStrings", "s", ""),
	constant[uv]("UID", "u", uint32(UndefinedID)),
	constant[uv]("GID", "u", uint32(UndefinedID)),
	u32("NRestarts", func(v uv) uint32 { return uint32(v.Status.NRestarts) }),
	str("OOMPolicy", func(v uv) string { return orDefault(svcOf(v).OOMPolicy, "stop") }),
}

var serviceExecMain = append(append(
	stamps("ExecMainStartTimestamp", func(v uv) time.Time { return v.Status.ExecMain.StartAt }),
	stamps("ExecMainExitTimestamp", func(v uv) time.Time { return v.Status.ExecMain.ExitAt })...),
	u32("ExecMainPID", func(v uv) uint32 { return uint32(v.Status.ExecMain.PID) }),
	i32("ExecMainCode", func(v uv) int32 { return sigchldCode(v.Status.ExecMain.Code) }),
	i32("ExecMainStatus", func(v uv) int32 { return int32(v.Status.ExecMain.Status) }),
)

// execList is one Exec*= setting: its property name and where the
// commands are.
type execList struct {
	name string
	get  func(uv) []unit.ExecCommand
}

// execProps are the Exec*= properties, each followed by its …Ex form
// when withEx is set.
func execProps(withEx bool, lists ...execList) []Prop[uv] {
	var out []Prop[uv]
	for _, l := range lists {
		out = append(out, mk(l.name, "a(sasbttttuii)", func(v uv) any { return execStatuses(v, l.name, l.get(v)) }))
		if withEx {
			out = append(out, mk(l.name+"Ex", "a(sasasttttuii)", func(v uv) any { return execStatusesEx(v, l.name, l.get(v)) }))
		}
	}
	return out
}

var serviceExec = execProps(true,
	execList{"ExecCondition", func(v uv) []unit.ExecCommand { return svcOf(v).ExecCondition }},
	execList{"ExecStartPre", func(v uv) []unit.ExecCommand { return svcOf(v).ExecStartPre }},
	execList{"ExecStart", func(v uv) []unit.ExecCommand { return svcOf(v).ExecStart }},
	execList{"ExecStartPost", func(v uv) []unit.ExecCommand { return svcOf(v).ExecStartPost }},
	execList{"ExecReload", func(v uv) []unit.ExecCommand { return svcOf(v).ExecReload }},
	execList{"ExecStop", func(v uv) []unit.ExecCommand { return svcOf(v).ExecStop }},
	execList{"ExecStopPost", func(v uv) []unit.ExecCommand { return svcOf(v).ExecStopPost }},
)

// ServiceTable is the Service interface.
var ServiceTable = newTable("org.freedesktop.systemd1.Service",
	serviceOwn, serviceExecMain, serviceExec,
	cgroupUnitProps, cgroupProps(func(v uv) *unit.Resources { return &svcOf(v).Resources }),
	execContextProps(func(v uv) *unit.ExecContext { return &svcOf(v).Exec }),
	killProps(func(v uv) *unit.KillContext { return &svcOf(v).Kill }),
)

// execStatuses lists a command list with the last run of the main
// process on the ExecStart= command that ran it.
func execStatuses(v uv, name string, cmds []unit.ExecCommand) []ExecStatus {
	out := make([]ExecStatus, 0, len(cmds))
	for i, c := range cmds {
		e := ExecStatus{Path: c.Path, Argv: nonNil(c.Argv), Ignore: c.IgnoreFailure}
		if name == "ExecStart" && i == len(cmds)-1 {
			em := v.Status.ExecMain
			e.Start, e.StartMono = Realtime(em.StartAt), v.Clock.Monotonic(em.StartAt)
			e.Exit, e.ExitMono = Realtime(em.ExitAt), v.Clock.Monotonic(em.ExitAt)
			e.PID, e.Code, e.Status = uint32(em.PID), sigchldCode(em.Code), int32(em.Status)
		}
		out = append(out, e)
	}
	return out
}

func execStatusesEx(v uv, name string, cmds []unit.ExecCommand) []ExecStatusEx {
	plain := execStatuses(v, name, cmds)
	out := make([]ExecStatusEx, len(plain))
	for i, e := range plain {
		out[i] = ExecStatusEx{e.Path, e.Argv, execFlags(cmds[i]), e.Start, e.StartMono, e.Exit, e.ExitMono, e.PID, e.Code, e.Status}
	}
	return out
}

// execFlags are the prefixes of a command as systemd's …Ex properties
// name them.
func execFlags(c unit.ExecCommand) []string {
	f := []string{}
	if c.IgnoreFailure {
		f = append(f, "ignore-failure")
	}
	if c.FullPrivileges {
		f = append(f, "privileged")
	}
	if c.NoSetuid {
		f = append(f, "no-setuid")
	}
	if c.AmbientFallback {
		f = append(f, "ambient")
	}
	if c.NoEnvExpand {
		f = append(f, "no-env-expand")
	}
	return f
}

// sigchldCode is the si_code of how a process ended.
func sigchldCode(code string) int32 {
	switch code {
	case "exited":
		return 1
	case "killed":
		return 2
	case "dumped":
		return 3
	}
	return 0
}

func exitSet(s unit.ExitStatusSet) ExitStatusSet {
	out := ExitStatusSet{Status: []int32{}, Signals: []int32{}}
	for _, n := range s.Status {
		out.Status = append(out.Status, int32(n))
	}
	for _, n := range s.Signals {
		out.Signals = append(out.Signals, int32(n))
	}
	return out
}
