package api

import (
	"time"

	"github.com/pm-project/pm/manager"
	"github.com/pm-project/pm/unit"
)

// This file is the table of the properties systemctl show prints, with
// the D-Bus type systemd gives each, in the order systemd sends them
// (the type's interface first, then org.freedesktop.systemd1.Unit;
// hidden properties left out). Getters return typed values; show.go
// formats them as systemctl does. The D-Bus front door needs the same
// table with the same types, which is why it has this shape.

// Property is one property of a unit.
type Property struct {
	Name string
	// Sig is the D-Bus signature of the value: "s", "b", "u", "i", "t",
	// "as", "(uo)" (JobRef), "(ss)" ([2]string), "a(sasbttttuii)" and
	// "a(sasasttttuii)" ([]ExecInfo).
	Sig string
	// Service: the property belongs to org.freedesktop.systemd1.Service
	// (and the exec and kill contexts); otherwise to Unit.
	Service bool
	// Get returns the value, of the Go type Sig says: string, bool,
	// uint32, int32, uint64 (time spans in µs, timestamps in µs since the
	// epoch or of CLOCK_MONOTONIC, 0 for none), []string, JobRef,
	// [2]string or []ExecInfo.
	Get func(*PropContext) any
}

// PropContext is what the getters read.
type PropContext struct {
	Status *manager.UnitStatus
	// Deps are the unit's dependencies by property name.
	Deps map[string][]string
	// UnitFileState and UnitFilePreset are the unit's; UnitFilePreset is
	// "" when unknown.
	UnitFileState, UnitFilePreset string
	// Now and MonoNow are the same instant on the realtime and monotonic
	// clocks, to derive monotonic timestamps from wall-clock ones.
	Now     time.Time
	MonoNow time.Duration
}

// JobRef is the (uo) value of the Job property; ID 0 means no job.
type JobRef struct {
	ID   uint32
	Path string
}

// ExecInfo is one command of an Exec*= property with its last run.
type ExecInfo struct {
	Path                     string
	Argv                     []string
	Ignore                   bool
	Flags                    []string // for the …Ex properties
	StartUSec, StartMonoUSec uint64
	ExitUSec, ExitMonoUSec   uint64
	PID                      uint32
	Code                     int32 // CLD_EXITED (1), CLD_KILLED (2), CLD_DUMPED (3)
	Status                   int32
}

// Realtime returns t as µs since the epoch (0 for the zero time).
func (c *PropContext) Realtime(t time.Time) uint64 {
	if t.IsZero() {
		return 0
	}
	return uint64(t.UnixMicro())
}

// Monotonic returns t on the monotonic clock, in µs (0 for the zero
// time).
func (c *PropContext) Monotonic(t time.Time) uint64 {
	if t.IsZero() {
		return 0
	}
	d := c.MonoNow - c.Now.Sub(t)
	if d < 0 {
		return 0
	}
	return uint64(d.Microseconds())
}

func (c *PropContext) svc() *unit.Service {
	if c.Status.Config != nil && c.Status.Config.Service != nil {
		return c.Status.Config.Service
	}
	return &unit.Service{}
}

func (c *PropContext) cfg() *unit.Unit {
	if c.Status.Config != nil {
		return c.Status.Config
	}
	return &unit.Unit{}
}

func str(name string, service bool, f func(*PropContext) string) Property {
	return Property{Name: name, Sig: "s", Service: service, Get: func(c *PropContext) any { return f(c) }}
}

func boolean(name string, service bool, f func(*PropContext) bool) Property {
	return Property{Name: name, Sig: "b", Service: service, Get: func(c *PropContext) any { return f(c) }}
}

func u32(name string, service bool, f func(*PropContext) uint32) Property {
	return Property{Name: name, Sig: "u", Service: service, Get: func(c *PropContext) any { return f(c) }}
}

func i32(name string, service bool, f func(*PropContext) int32) Property {
	return Property{Name: name, Sig: "i", Service: service, Get: func(c *PropContext) any { return f(c) }}
}

func u64(name string, service bool, f func(*PropContext) uint64) Property {
	return Property{Name: name, Sig: "t", Service: service, Get: func(c *PropContext) any { return f(c) }}
}

func strs(name string, service bool, f func(*PropContext) []string) Property {
	return Property{Name: name, Sig: "as", Service: service, Get: func(c *PropContext) any { return f(c) }}
}

func usec(d unit.Duration) uint64 { return d.USec() }

// timestamps returns the realtime and monotonic properties of a
// timestamp.
func timestamps(name string, service bool, f func(*PropContext) time.Time) []Property {
	return []Property{
		u64(name, service, func(c *PropContext) uint64 { return c.Realtime(f(c)) }),
		u64(name+"Monotonic", service, func(c *PropContext) uint64 { return c.Monotonic(f(c)) }),
	}
}

func execProps(name string, f func(*unit.Service) []unit.ExecCommand, main bool) []Property {
	get := func(c *PropContext, ex bool) any {
		var out []ExecInfo
		for i, cmd := range f(c.svc()) {
			e := ExecInfo{Path: cmd.Path, Argv: cmd.Argv, Ignore: cmd.IgnoreFailure}
			if ex {
				e.Flags = execFlags(cmd)
			}
			if main && i == 0 {
				m := c.Status.ExecMain
				e.StartUSec, e.StartMonoUSec = c.Realtime(m.StartAt), c.Monotonic(m.StartAt)
				e.ExitUSec, e.ExitMonoUSec = c.Realtime(m.ExitAt), c.Monotonic(m.ExitAt)
				e.PID, e.Code, e.Status = uint32(m.PID), sigchldCode(m.Code), int32(m.Status)
			}
			out = append(out, e)
		}
		return out
	}
	return []Property{
		{Name: name, Sig: "a(sasbttttuii)", Service: true, Get: func(c *PropContext) any { return get(c, false) }},
		{Name: name + "Ex", Sig: "a(sasasttttuii)", Service: true, Get: func(c *PropContext) any { return get(c, true) }},
	}
}

// execFlags are systemd's ExecCommandFlags names of a command's prefixes.
func execFlags(cmd unit.ExecCommand) []string {
	var out []string
	if cmd.IgnoreFailure {
		out = append(out, "ignore-failure")
	}
	if cmd.FullPrivileges {
		out = append(out, "privileged")
	}
	if cmd.NoSetuid {
		out = append(out, "no-setuid")
	}
	if cmd.AmbientFallback {
		out = append(out, "ambient")
	}
	if cmd.NoEnvExpand {
		out = append(out, "no-env-expand")
	}
	return out
}

// sigchldCode is the si_code of a process's end: CLD_EXITED, CLD_KILLED,
// CLD_DUMPED, or 0 while it runs.
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

// dependencyKinds are the dependency properties, in systemd's order.
var dependencyKinds = []string{
	"Requires", "Requisite", "Wants", "BindsTo", "PartOf", "Upholds",
	"RequiredBy", "RequisiteOf", "WantedBy", "BoundBy", "UpheldBy", "ConsistsOf",
	"Conflicts", "ConflictedBy", "Before", "After", "OnSuccess", "OnSuccessOf",
	"OnFailure", "OnFailureOf", "Triggers", "TriggeredBy", "PropagatesReloadTo",
	"ReloadPropagatedFrom", "PropagatesStopTo", "StopPropagatedFrom",
	"JoinsNamespaceOf", "SliceOf", "RequiresMountsFor",
}

const uidInvalid = 1<<32 - 1

// properties is the table, built once and only read.
var properties = buildProperties()

func buildProperties() []Property {
	const S, U = true, false
	p := []Property{
		str("Type", S, func(c *PropContext) string { return string(c.svc().Type) }),
		str("ExitType", S, func(c *PropContext) string { return orDefault(c.svc().ExitType, "main") }),
		str("Restart", S, func(c *PropContext) string { return string(c.svc().Restart) }),
		str("PIDFile", S, func(c *PropContext) string { return c.svc().PIDFile }),
		str("NotifyAccess", S, func(c *PropContext) string { return string(c.svc().NotifyAccess) }),
		u64("RestartUSec", S, func(c *PropContext) uint64 { return usec(c.svc().RestartSec) }),
		u64("TimeoutStartUSec", S, func(c *PropContext) uint64 { return usec(c.svc().TimeoutStartSec) }),
		u64("TimeoutStopUSec", S, func(c *PropContext) uint64 { return usec(c.svc().TimeoutStopSec) }),
		u64("TimeoutAbortUSec", S, func(c *PropContext) uint64 {
			if c.svc().TimeoutAbortSet {
				return usec(c.svc().TimeoutAbortSec)
			}
			return usec(c.svc().TimeoutStopSec)
		}),
		str("TimeoutStartFailureMode", S, func(c *PropContext) string { return orDefault(c.svc().TimeoutStartFailureMode, "terminate") }),
		str("TimeoutStopFailureMode", S, func(c *PropContext) string { return orDefault(c.svc().TimeoutStopFailureMode, "terminate") }),
		u64("RuntimeMaxUSec", S, func(c *PropContext) uint64 { return usec(c.svc().RuntimeMaxSec) }),
		u64("RuntimeRandomizedExtraUSec", S, func(c *PropContext) uint64 { return usec(c.svc().RuntimeRandomizedExtraSec) }),
		u64("WatchdogUSec", S, func(c *PropContext) uint64 { return usec(c.svc().WatchdogSec) }),
	}
	p = append(p, timestamps("WatchdogTimestamp", S, func(*PropContext) time.Time { return time.Time{} })...)
	p = append(p,
		boolean("RootDirectoryStartOnly", S, func(c *PropContext) bool { return c.svc().RootDirectoryStartOnly }),
		boolean("RemainAfterExit", S, func(c *PropContext) bool { return c.svc().RemainAfterExit }),
		boolean("GuessMainPID", S, func(c *PropContext) bool { return c.svc().GuessMainPID }),
		u32("MainPID", S, func(c *PropContext) uint32 { return uint32(c.Status.MainPID) }),
		u32("ControlPID", S, func(c *PropContext) uint32 { return uint32(c.Status.ControlPID) }),
		str("BusName", S, func(c *PropContext) string { return c.svc().BusName }),
		u32("FileDescriptorStoreMax", S, func(c *PropContext) uint32 { return uint32(c.svc().FileDescriptorStoreMax) }),
		u32("NFileDescriptorStore", S, func(*PropContext) uint32 { return 0 }),
		str("StatusText", S, func(c *PropContext) string { return c.Status.StatusText }),
		i32("StatusErrno", S, func(c *PropContext) int32 { return int32(c.Status.StatusErrno) }),
		str("Result", S, func(c *PropContext) string { return string(c.Status.Result) }),
		str("ReloadResult", S, func(c *PropContext) string { return orDefault(string(c.Status.ReloadResult), "success") }),
		str("CleanResult", S, func(*PropContext) string { return "success" }),
		str("USBFunctionDescriptors", S, func(*PropContext) string { return "" }),
		str("USBFunctionStrings", S, func(*PropContext) string { return "" }),
		u32("UID", S, func(*PropContext) uint32 { return uidInvalid }),
		u32("GID", S, func(*PropContext) uint32 { return uidInvalid }),
		u32("NRestarts", S, func(c *PropContext) uint32 { return uint32(c.Status.NRestarts) }),
		str("OOMPolicy", S, func(c *PropContext) string { return orDefault(c.svc().OOMPolicy, "stop") }),
	)
	p = append(p, timestamps("ExecMainStartTimestamp", S, func(c *PropContext) time.Time { return c.Status.ExecMain.StartAt })...)
	p = append(p, timestamps("ExecMainExitTimestamp", S, func(c *PropContext) time.Time { return c.Status.ExecMain.ExitAt })...)
	p = append(p,
		u32("ExecMainPID", S, func(c *PropContext) uint32 { return uint32(c.Status.ExecMain.PID) }),
		i32("ExecMainCode", S, func(c *PropContext) int32 { return sigchldCode(c.Status.ExecMain.Code) }),
		i32("ExecMainStatus", S, func(c *PropContext) int32 { return int32(c.Status.ExecMain.Status) }),
	)
	p = append(p, execProps("ExecCondition", func(s *unit.Service) []unit.ExecCommand { return s.ExecCondition }, false)...)
	p = append(p, execProps("ExecStartPre", func(s *unit.Service) []unit.ExecCommand { return s.ExecStartPre }, false)...)
	p = append(p, execProps("ExecStart", func(s *unit.Service) []unit.ExecCommand { return s.ExecStart }, true)...)
	p = append(p, execProps("ExecStartPost", func(s *unit.Service) []unit.ExecCommand { return s.ExecStartPost }, false)...)
	p = append(p, execProps("ExecReload", func(s *unit.Service) []unit.ExecCommand { return s.ExecReload }, false)...)
	p = append(p, execProps("ExecStop", func(s *unit.Service) []unit.ExecCommand { return s.ExecStop }, false)...)
	p = append(p, execProps("ExecStopPost", func(s *unit.Service) []unit.ExecCommand { return s.ExecStopPost }, false)...)
	// A few of the exec and kill contexts' properties.
	p = append(p,
		strs("Environment", S, func(c *PropContext) []string { return c.svc().Exec.Environment }),
		str("WorkingDirectory", S, func(c *PropContext) string {
			wd := c.svc().Exec.WorkingDirectory
			if wd != "" && c.svc().Exec.WorkingDirectoryMissingOK {
				return "!" + wd
			}
			return wd
		}),
		str("User", S, func(c *PropContext) string { return c.svc().Exec.User }),
		str("Group", S, func(c *PropContext) string { return c.svc().Exec.Group }),
		str("KillMode", S, func(c *PropContext) string { return string(c.svc().Kill.KillMode) }),
		i32("KillSignal", S, func(c *PropContext) int32 { return int32(c.svc().Kill.KillSignal) }),
	)

	// org.freedesktop.systemd1.Unit
	p = append(p,
		str("Id", U, func(c *PropContext) string { return c.Status.Name }),
		strs("Names", U, func(c *PropContext) []string {
			if n := c.cfg().Names; len(n) > 0 {
				return n
			}
			return []string{c.Status.Name}
		}),
		str("Following", U, func(*PropContext) string { return "" }),
	)
	for _, k := range dependencyKinds {
		k := k
		p = append(p, strs(k, U, func(c *PropContext) []string { return c.Deps[k] }))
	}
	p = append(p,
		strs("Documentation", U, func(c *PropContext) []string { return c.cfg().Documentation }),
		str("Description", U, func(c *PropContext) string { return c.Status.Description }),
		str("AccessSELinuxContext", U, func(*PropContext) string { return "" }),
		str("LoadState", U, func(c *PropContext) string { return string(c.Status.LoadState) }),
		str("ActiveState", U, func(c *PropContext) string { return string(c.Status.ActiveState) }),
		str("FreezerState", U, func(*PropContext) string { return "running" }),
		str("SubState", U, func(c *PropContext) string { return c.Status.SubState }),
		str("FragmentPath", U, func(c *PropContext) string { return c.cfg().FragmentPath }),
		str("SourcePath", U, func(c *PropContext) string { return c.cfg().SourcePath }),
		strs("DropInPaths", U, func(c *PropContext) []string { return c.cfg().DropInPaths }),
		str("UnitFileState", U, func(c *PropContext) string { return c.UnitFileState }),
		str("UnitFilePreset", U, func(c *PropContext) string { return c.UnitFilePreset }),
	)
	p = append(p, timestamps("StateChangeTimestamp", U, func(c *PropContext) time.Time { return c.Status.StateChangeAt })...)
	p = append(p, timestamps("InactiveExitTimestamp", U, func(c *PropContext) time.Time { return c.Status.InactiveExitAt })...)
	p = append(p, timestamps("ActiveEnterTimestamp", U, func(c *PropContext) time.Time { return c.Status.ActiveEnterAt })...)
	p = append(p, timestamps("ActiveExitTimestamp", U, func(c *PropContext) time.Time { return c.Status.ActiveExitAt })...)
	p = append(p, timestamps("InactiveEnterTimestamp", U, func(c *PropContext) time.Time { return c.Status.InactiveEnterAt })...)
	p = append(p,
		boolean("CanStart", U, func(c *PropContext) bool { return canStart(c.Status) }),
		boolean("CanStop", U, func(c *PropContext) bool { return canStop(c.Status) }),
		boolean("CanReload", U, func(c *PropContext) bool { return len(c.svc().ExecReload) > 0 }),
		boolean("CanIsolate", U, func(c *PropContext) bool { return canStart(c.Status) && c.cfg().AllowIsolate }),
		strs("CanClean", U, func(*PropContext) []string { return nil }),
		boolean("CanFreeze", U, func(*PropContext) bool { return false }),
		Property{Name: "Job", Sig: "(uo)", Get: func(c *PropContext) any {
			if j := c.Status.Job; j != nil {
				return JobRef{ID: j.ID, Path: "/org/freedesktop/systemd1/job/" + uitoa(j.ID)}
			}
			return JobRef{Path: "/"}
		}},
		boolean("StopWhenUnneeded", U, func(c *PropContext) bool { return c.cfg().StopWhenUnneeded }),
		boolean("RefuseManualStart", U, func(c *PropContext) bool { return c.cfg().RefuseManualStart }),
		boolean("RefuseManualStop", U, func(c *PropContext) bool { return c.cfg().RefuseManualStop }),
		boolean("AllowIsolate", U, func(c *PropContext) bool { return c.cfg().AllowIsolate }),
		boolean("DefaultDependencies", U, func(c *PropContext) bool { return c.cfg().DefaultDependencies }),
		str("OnSuccessJobMode", U, func(c *PropContext) string { return orDefault(string(c.cfg().OnSuccessJobMode), "fail") }),
		str("OnFailureJobMode", U, func(c *PropContext) string { return orDefault(string(c.cfg().OnFailureJobMode), "replace") }),
		boolean("IgnoreOnIsolate", U, func(c *PropContext) bool { return c.cfg().IgnoreOnIsolate }),
		boolean("NeedDaemonReload", U, func(c *PropContext) bool { return c.Status.NeedDaemonReload() }),
		strs("Markers", U, func(*PropContext) []string { return nil }),
		u64("JobTimeoutUSec", U, func(c *PropContext) uint64 { return usec(c.cfg().JobTimeoutSec) }),
		u64("JobRunningTimeoutUSec", U, func(c *PropContext) uint64 { return usec(c.cfg().JobRunningTimeoutSec) }),
		str("JobTimeoutAction", U, func(c *PropContext) string { return orDefault(string(c.cfg().JobTimeoutAction), "none") }),
		str("JobTimeoutRebootArgument", U, func(c *PropContext) string { return c.cfg().JobTimeoutRebootArgument }),
		boolean("ConditionResult", U, func(c *PropContext) bool { return c.Status.ConditionResult }),
		boolean("AssertResult", U, func(c *PropContext) bool { return c.Status.AssertResult }),
	)
	p = append(p, timestamps("ConditionTimestamp", U, func(c *PropContext) time.Time { return c.Status.ConditionCheckedAt })...)
	p = append(p, timestamps("AssertTimestamp", U, func(c *PropContext) time.Time { return c.Status.ConditionCheckedAt })...)
	p = append(p,
		Property{Name: "LoadError", Sig: "(ss)", Get: func(c *PropContext) any { return loadError(c.Status) }},
		boolean("Transient", U, func(*PropContext) bool { return false }),
		boolean("Perpetual", U, func(*PropContext) bool { return false }),
		u64("StartLimitIntervalUSec", U, func(c *PropContext) uint64 { return usec(c.cfg().StartLimitIntervalSec) }),
		u32("StartLimitBurst", U, func(c *PropContext) uint32 { return uint32(c.cfg().StartLimitBurst) }),
		str("StartLimitAction", U, func(c *PropContext) string { return orDefault(string(c.cfg().StartLimitAction), "none") }),
		str("FailureAction", U, func(c *PropContext) string { return orDefault(string(c.cfg().FailureAction), "none") }),
		i32("FailureActionExitStatus", U, func(c *PropContext) int32 { return exitStatus(c.Status.Config, true) }),
		str("SuccessAction", U, func(c *PropContext) string { return orDefault(string(c.cfg().SuccessAction), "none") }),
		i32("SuccessActionExitStatus", U, func(c *PropContext) int32 { return exitStatus(c.Status.Config, false) }),
		str("RebootArgument", U, func(c *PropContext) string { return c.cfg().RebootArgument }),
		str("CollectMode", U, func(c *PropContext) string { return orDefault(c.cfg().CollectMode, "inactive") }),
		strs("Refs", U, func(*PropContext) []string { return nil }),
	)
	return p
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func uitoa(n uint32) string {
	if n == 0 {
		return "0"
	}
	var b [10]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

func exitStatus(u *unit.Unit, failure bool) int32 {
	if u == nil {
		return -1
	}
	if failure {
		return int32(u.FailureActionExitStatus)
	}
	return int32(u.SuccessActionExitStatus)
}

func canStart(st *manager.UnitStatus) bool {
	return st.LoadState == unit.LoadLoaded && st.Type.Supported() && (st.Config == nil || !st.Config.RefuseManualStart)
}

func canStop(st *manager.UnitStatus) bool {
	return st.LoadState == unit.LoadLoaded && st.Type.Supported() && (st.Config == nil || !st.Config.RefuseManualStop)
}

// loadError is systemd's LoadError: the D-Bus error name and message of a
// unit that did not load.
func loadError(st *manager.UnitStatus) [2]string {
	switch st.LoadState {
	case unit.LoadNotFound:
		return [2]string{"org.freedesktop.systemd1.NoSuchUnit", "Unit " + st.Name + " not found."}
	case unit.LoadBadSetting:
		return [2]string{"org.freedesktop.systemd1.BadUnitSetting", "Unit " + st.Name + " has a bad unit file setting."}
	case unit.LoadMasked:
		return [2]string{"org.freedesktop.systemd1.UnitMasked", "Unit " + st.Name + " is masked."}
	case unit.LoadError:
		return [2]string{"org.freedesktop.DBus.Error.Failed", st.LoadError}
	}
	return [2]string{}
}
