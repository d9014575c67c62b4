package unitprops

import (
	"fmt"
	"strconv"
	"time"

	"github.com/pm-project/pm/compat"
	"github.com/pm-project/pm/manager"
	"github.com/pm-project/pm/unit"
)

// The org.freedesktop.systemd1.Unit interface (bus_unit_vtable,
// src/core/dbus-unit.c), in systemd 252's order.

type uv = *UnitView

// Object paths of systemd's objects (src/core/dbus.c).
const (
	ManagerPath = "/org/freedesktop/systemd1"
	unitPrefix  = ManagerPath + "/unit/"
	jobPrefix   = ManagerPath + "/job/"
)

// UnitPath is the object path of a unit.
func UnitPath(name string) string { return unitPrefix + compat.BusLabelEscape(name) }

// JobPath is the object path of a job.
func JobPath(id uint32) string { return jobPrefix + strconv.FormatUint(uint64(id), 10) }

// JobRef is the Job property's (uo): the unit's job, or (0, "/").
type JobRef struct {
	ID   uint32
	Path string // an object path
}

// Condition is one entry of Conditions and Asserts, a(sbbsi): the
// directive, its '|' and '!' prefixes, the parameter, and the outcome of
// the last check (0 not checked, 1 held, -1 failed).
type Condition struct {
	Type      string
	Trigger   bool
	Negate    bool
	Parameter string
	State     int32
}

// Pair is an (ss).
type Pair struct{ A, B string }

// The D-Bus error names LoadError gives (src/libsystemd/sd-bus/bus-common-errors.h).
const (
	ErrNoSuchUnit     = "org.freedesktop.systemd1.NoSuchUnit"
	ErrLoadFailed     = "org.freedesktop.systemd1.LoadFailed"
	ErrBadUnitSetting = "org.freedesktop.systemd1.BadUnitSetting"
	ErrUnitMasked     = "org.freedesktop.systemd1.UnitMasked"
)

// dependencyKinds are the dependency properties, in systemd's order.
var dependencyKinds = []string{
	"Requires", "Requisite", "Wants", "BindsTo", "PartOf", "Upholds",
	"RequiredBy", "RequisiteOf", "WantedBy", "BoundBy", "UpheldBy", "ConsistsOf",
	"Conflicts", "ConflictedBy", "Before", "After", "OnSuccess", "OnSuccessOf",
	"OnFailure", "OnFailureOf", "Triggers", "TriggeredBy", "PropagatesReloadTo",
	"ReloadPropagatedFrom", "PropagatesStopTo", "StopPropagatedFrom",
	"JoinsNamespaceOf", "SliceOf",
}

// DependencyKinds returns the names of the dependency properties (the
// keys of manager.Dependencies), in systemd's order.
func DependencyKinds() []string { return append([]string(nil), dependencyKinds...) }

// depProps are the dependency lists, as linked by the manager.
func depProps() []Prop[uv] {
	out := make([]Prop[uv], len(dependencyKinds))
	for i, k := range dependencyKinds {
		out[i] = strv(k, func(v uv) []string { return v.dep(k) })
	}
	return out
}

// UnitTable is the Unit interface, which every unit has.
var UnitTable = newTable("org.freedesktop.systemd1.Unit", []Prop[uv]{
	str("Id", func(v uv) string { return v.Status.Name }),
	strv("Names", func(v uv) []string {
		if len(v.Config.Names) > 0 {
			return v.Config.Names
		}
		return []string{v.Status.Name}
	}),
	constant[uv]("Following", "s", ""),
}, depProps(), []Prop[uv]{
	strv("RequiresMountsFor", func(v uv) []string { return v.Config.RequiresMountsFor }),
	strv("Documentation", func(v uv) []string { return v.Config.Documentation }),
	str("Description", func(v uv) string { return orDefault(v.Status.Description, v.Status.Name) }),
	constant[uv]("AccessSELinuxContext", "s", ""),
	str("LoadState", func(v uv) string { return string(v.Status.LoadState) }),
	str("ActiveState", func(v uv) string { return string(v.Status.ActiveState) }),
	constant[uv]("FreezerState", "s", "running"),
	str("SubState", func(v uv) string { return v.Status.SubState }),
	str("FragmentPath", func(v uv) string { return v.Config.FragmentPath }),
	str("SourcePath", func(v uv) string { return v.Config.SourcePath }),
	strv("DropInPaths", func(v uv) []string { return v.Config.DropInPaths }),
	str("UnitFileState", func(v uv) string { return v.unitFileState() }),
	str("UnitFilePreset", func(v uv) string { return v.unitFilePreset() }),
}, stamps("StateChangeTimestamp", func(v uv) time.Time { return v.Status.StateChangeAt }),
	stamps("InactiveExitTimestamp", func(v uv) time.Time { return v.Status.InactiveExitAt }),
	stamps("ActiveEnterTimestamp", func(v uv) time.Time { return v.Status.ActiveEnterAt }),
	stamps("ActiveExitTimestamp", func(v uv) time.Time { return v.Status.ActiveExitAt }),
	stamps("InactiveEnterTimestamp", func(v uv) time.Time { return v.Status.InactiveEnterAt }),
	[]Prop[uv]{
		boolean("CanStart", func(v uv) bool { return canRun(v) && !v.Config.RefuseManualStart }),
		boolean("CanStop", func(v uv) bool { return canRun(v) && !v.Config.RefuseManualStop }),
		boolean("CanReload", func(v uv) bool { return canRun(v) && CanReload(v.Config) }),
		boolean("CanIsolate", func(v uv) bool { return canRun(v) && v.Config.AllowIsolate }),
		constant[uv]("CanClean", "as", []string{}),
		constant[uv]("CanFreeze", "b", false),
		mk("Job", "(uo)", func(v uv) any { return jobOf(v.Status) }),
		boolean("StopWhenUnneeded", func(v uv) bool { return v.Config.StopWhenUnneeded }),
		boolean("RefuseManualStart", func(v uv) bool { return v.Config.RefuseManualStart }),
		boolean("RefuseManualStop", func(v uv) bool { return v.Config.RefuseManualStop }),
		boolean("AllowIsolate", func(v uv) bool { return v.Config.AllowIsolate }),
		boolean("DefaultDependencies", func(v uv) bool { return v.Config.DefaultDependencies }),
		str("OnSuccessJobMode", func(v uv) string { return orDefault(string(v.Config.OnSuccessJobMode), "fail") }),
		str("OnFailureJobMode", func(v uv) string { return orDefault(string(v.Config.OnFailureJobMode), "replace") }),
		boolean("IgnoreOnIsolate", func(v uv) bool { return v.Config.IgnoreOnIsolate }),
		boolean("NeedDaemonReload", func(v uv) bool {
			return v.Status.LoadState != unit.LoadNotFound && v.Status.NeedDaemonReload()
		}),
		constant[uv]("Markers", "as", []string{}),
		u64("JobTimeoutUSec", func(v uv) uint64 { return usec(v.Config.JobTimeoutSec) }),
		u64("JobRunningTimeoutUSec", func(v uv) uint64 { return usec(v.Config.JobRunningTimeoutSec) }),
		str("JobTimeoutAction", func(v uv) string { return action(v.Config.JobTimeoutAction) }),
		str("JobTimeoutRebootArgument", func(v uv) string { return v.Config.JobTimeoutRebootArgument }),
		boolean("ConditionResult", func(v uv) bool { return v.Status.ConditionResult }),
		boolean("AssertResult", func(v uv) bool { return v.Status.AssertResult }),
	},
	stamps("ConditionTimestamp", func(v uv) time.Time { return v.Status.ConditionCheckedAt }),
	stamps("AssertTimestamp", func(v uv) time.Time { return v.Status.ConditionCheckedAt }),
	[]Prop[uv]{
		mk("Conditions", "a(sbbsi)", func(v uv) any { return conditions(v, "Condition", v.Config.Conditions) }),
		mk("Asserts", "a(sbbsi)", func(v uv) any { return conditions(v, "Assert", v.Config.Asserts) }),
		mk("LoadError", "(ss)", func(v uv) any { return loadError(v.Status) }),
		constant[uv]("Transient", "b", false),
		constant[uv]("Perpetual", "b", false),
		u64("StartLimitIntervalUSec", func(v uv) uint64 { return usec(v.Config.StartLimitIntervalSec) }),
		u32("StartLimitBurst", func(v uv) uint32 { return uint32(v.Config.StartLimitBurst) }),
		str("StartLimitAction", func(v uv) string { return action(v.Config.StartLimitAction) }),
		str("FailureAction", func(v uv) string { return action(v.Config.FailureAction) }),
		i32("FailureActionExitStatus", func(v uv) int32 { return int32(v.Config.FailureActionExitStatus) }),
		str("SuccessAction", func(v uv) string { return action(v.Config.SuccessAction) }),
		i32("SuccessActionExitStatus", func(v uv) int32 { return int32(v.Config.SuccessActionExitStatus) }),
		str("RebootArgument", func(v uv) string { return v.Config.RebootArgument }),
		constant[uv]("InvocationID", "ay", []byte{}),
		str("CollectMode", func(v uv) string { return orDefault(v.Config.CollectMode, "inactive") }),
		constant[uv]("Refs", "as", []string{}),
		constant[uv]("ActivationDetails", "a(ss)", []Pair{}),
	})

func action(a unit.EmergencyAction) string { return orDefault(string(a), "none") }

// canRun reports whether jobs can run on the unit at all.
func canRun(v uv) bool {
	return v.Status.LoadState == unit.LoadLoaded && v.Status.Type.Supported()
}

// CanReload reports whether u has a reload command (ExecReload=).
func CanReload(u *unit.Unit) bool {
	return u.Service != nil && len(u.Service.ExecReload) > 0
}

func jobOf(st *manager.UnitStatus) JobRef {
	if st.Job == nil {
		return JobRef{0, "/"}
	}
	return JobRef{st.Job.ID, JobPath(st.Job.ID)}
}

// conditions lists Condition*= or Assert*= with the outcome of the last
// check, as far as pm knows it: the condition that failed, or all held.
func conditions(v uv, prefix string, list []unit.Condition) []Condition {
	out := make([]Condition, 0, len(list))
	checked := !v.Status.ConditionCheckedAt.IsZero()
	for _, c := range list {
		cc := Condition{Type: prefix + c.Type, Trigger: c.Trigger, Negate: c.Negate, Parameter: c.Parameter}
		if checked {
			cc.State = 1
			if v.Status.FailedCondition == conditionText(prefix, c) {
				cc.State = -1
			}
		}
		out = append(out, cc)
	}
	return out
}

func conditionText(prefix string, c unit.Condition) string {
	p := c.Parameter
	if c.Negate {
		p = "!" + p
	}
	if c.Trigger {
		p = "|" + p
	}
	return prefix + c.Type + "=" + p
}

// loadError is the LoadError property: why the unit is not loaded.
func loadError(st *manager.UnitStatus) Pair {
	switch st.LoadState {
	case unit.LoadNotFound:
		return Pair{ErrNoSuchUnit, fmt.Sprintf("Unit %s not found.", st.Name)}
	case unit.LoadMasked:
		return Pair{ErrUnitMasked, fmt.Sprintf("Unit %s is masked.", st.Name)}
	case unit.LoadBadSetting:
		return Pair{ErrBadUnitSetting, orDefault(st.LoadError, fmt.Sprintf("Unit %s has a bad unit file setting.", st.Name))}
	case unit.LoadError:
		return Pair{ErrLoadFailed, orDefault(st.LoadError, fmt.Sprintf("Unit %s failed to load properly.", st.Name))}
	}
	return Pair{}
}
