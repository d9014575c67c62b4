package dbus

import (
	"fmt"
	"time"

	"github.com/pm-project/pm/manager"
	"github.com/pm-project/pm/unit"
)

// The org.freedesktop.systemd1.Unit interface (bus_unit_vtable,
// src/core/dbus-unit.c), in systemd 252's order.

type uv = *unitView

// jobRef is the Job property's (uo): the unit's job, or (0, "/").
type jobRef struct {
	ID   uint32
	Path objectPath
}

// condition is one entry of Conditions and Asserts, a(sbbsi): the
// directive, its '|' and '!' prefixes, the parameter, and the outcome
// of the last check (0 not checked, 1 held, -1 failed).
type condition struct {
	Type      string
	Trigger   bool
	Negate    bool
	Parameter string
	State     int32
}

// pair is an (ss).
type pair struct{ A, B string }

// depProp is a dependency list, as linked by the manager.
func depProp(name string) prop[uv] {
	return strv(name, func(v uv) []string { return v.dep(name) })
}

var unitTable = newTable("org.freedesktop.systemd1.Unit", []prop[uv]{
	str("Id", func(v uv) string { return v.st.Name }),
	strv("Names", func(v uv) []string {
		if len(v.cfg.Names) > 0 {
			return v.cfg.Names
		}
		return []string{v.st.Name}
	}),
	constant[uv]("Following", "s", ""),
	depProp("Requires"), depProp("Requisite"), depProp("Wants"), depProp("BindsTo"),
	depProp("PartOf"), depProp("Upholds"), depProp("RequiredBy"), depProp("RequisiteOf"),
	depProp("WantedBy"), depProp("BoundBy"), depProp("UpheldBy"), depProp("ConsistsOf"),
	depProp("Conflicts"), depProp("ConflictedBy"), depProp("Before"), depProp("After"),
	depProp("OnSuccess"), depProp("OnSuccessOf"), depProp("OnFailure"), depProp("OnFailureOf"),
	depProp("Triggers"), depProp("TriggeredBy"), depProp("PropagatesReloadTo"),
	depProp("ReloadPropagatedFrom"), depProp("PropagatesStopTo"), depProp("StopPropagatedFrom"),
	depProp("JoinsNamespaceOf"), depProp("SliceOf"),
	strv("RequiresMountsFor", func(v uv) []string { return v.cfg.RequiresMountsFor }),
	strv("Documentation", func(v uv) []string { return v.cfg.Documentation }),
	str("Description", func(v uv) string {
		if v.st.Description != "" {
			return v.st.Description
		}
		return v.st.Name
	}),
	constant[uv]("AccessSELinuxContext", "s", ""),
	str("LoadState", func(v uv) string { return string(v.st.LoadState) }),
	str("ActiveState", func(v uv) string { return string(v.st.ActiveState) }),
	constant[uv]("FreezerState", "s", "running"),
	str("SubState", func(v uv) string { return v.st.SubState }),
	str("FragmentPath", func(v uv) string { return v.cfg.FragmentPath }),
	str("SourcePath", func(v uv) string { return v.cfg.SourcePath }),
	strv("DropInPaths", func(v uv) []string { return v.cfg.DropInPaths }),
	str("UnitFileState", func(v uv) string { return v.unitFileState() }),
	constant[uv]("UnitFilePreset", "s", ""),
}, stamps("StateChangeTimestamp", func(v uv) time.Time { return v.st.StateChangeAt }),
	stamps("InactiveExitTimestamp", func(v uv) time.Time { return v.st.InactiveExitAt }),
	stamps("ActiveEnterTimestamp", func(v uv) time.Time { return v.st.ActiveEnterAt }),
	stamps("ActiveExitTimestamp", func(v uv) time.Time { return v.st.ActiveExitAt }),
	stamps("InactiveEnterTimestamp", func(v uv) time.Time { return v.st.InactiveEnterAt }),
	[]prop[uv]{
		boolean("CanStart", func(v uv) bool { return canRun(v) && !v.cfg.RefuseManualStart }),
		boolean("CanStop", func(v uv) bool { return canRun(v) && !v.cfg.RefuseManualStop }),
		boolean("CanReload", func(v uv) bool { return canRun(v) && canReload(v.cfg) }),
		boolean("CanIsolate", func(v uv) bool { return canRun(v) && v.cfg.AllowIsolate }),
		constant[uv]("CanClean", "as", []string{}),
		constant[uv]("CanFreeze", "b", false),
		mk("Job", "(uo)", func(v uv) any { return jobOf(v.st) }),
		boolean("StopWhenUnneeded", func(v uv) bool { return v.cfg.StopWhenUnneeded }),
		boolean("RefuseManualStart", func(v uv) bool { return v.cfg.RefuseManualStart }),
		boolean("RefuseManualStop", func(v uv) bool { return v.cfg.RefuseManualStop }),
		boolean("AllowIsolate", func(v uv) bool { return v.cfg.AllowIsolate }),
		boolean("DefaultDependencies", func(v uv) bool { return v.cfg.DefaultDependencies }),
		str("OnSuccessJobMode", func(v uv) string { return orDefault(string(v.cfg.OnSuccessJobMode), "fail") }),
		str("OnFailureJobMode", func(v uv) string { return orDefault(string(v.cfg.OnFailureJobMode), "replace") }),
		boolean("IgnoreOnIsolate", func(v uv) bool { return v.cfg.IgnoreOnIsolate }),
		boolean("NeedDaemonReload", func(v uv) bool { return v.st.LoadState != unit.LoadNotFound && v.st.NeedDaemonReload() }),
		constant[uv]("Markers", "as", []string{}),
		u64("JobTimeoutUSec", func(v uv) uint64 { return usec(v.cfg.JobTimeoutSec) }),
		u64("JobRunningTimeoutUSec", func(v uv) uint64 { return usec(v.cfg.JobRunningTimeoutSec) }),
		str("JobTimeoutAction", func(v uv) string { return action(v.cfg.JobTimeoutAction) }),
		str("JobTimeoutRebootArgument", func(v uv) string { return v.cfg.JobTimeoutRebootArgument }),
		boolean("ConditionResult", func(v uv) bool { return v.st.ConditionResult }),
		boolean("AssertResult", func(v uv) bool { return v.st.AssertResult }),
	},
	stamps("ConditionTimestamp", func(v uv) time.Time { return v.st.ConditionCheckedAt }),
	stamps("AssertTimestamp", func(v uv) time.Time { return v.st.ConditionCheckedAt }),
	[]prop[uv]{
		mk("Conditions", "a(sbbsi)", func(v uv) any { return conditions(v, "Condition", v.cfg.Conditions) }),
		mk("Asserts", "a(sbbsi)", func(v uv) any { return conditions(v, "Assert", v.cfg.Asserts) }),
		mk("LoadError", "(ss)", func(v uv) any { return loadError(v.st) }),
		constant[uv]("Transient", "b", false),
		constant[uv]("Perpetual", "b", false),
		u64("StartLimitIntervalUSec", func(v uv) uint64 { return usec(v.cfg.StartLimitIntervalSec) }),
		u32("StartLimitBurst", func(v uv) uint32 { return uint32(v.cfg.StartLimitBurst) }),
		str("StartLimitAction", func(v uv) string { return action(v.cfg.StartLimitAction) }),
		str("FailureAction", func(v uv) string { return action(v.cfg.FailureAction) }),
		i32("FailureActionExitStatus", func(v uv) int32 { return int32(v.cfg.FailureActionExitStatus) }),
		str("SuccessAction", func(v uv) string { return action(v.cfg.SuccessAction) }),
		i32("SuccessActionExitStatus", func(v uv) int32 { return int32(v.cfg.SuccessActionExitStatus) }),
		str("RebootArgument", func(v uv) string { return v.cfg.RebootArgument }),
		constant[uv]("InvocationID", "ay", []byte{}),
		str("CollectMode", func(v uv) string { return orDefault(v.cfg.CollectMode, "inactive") }),
		constant[uv]("Refs", "as", []string{}),
		constant[uv]("ActivationDetails", "a(ss)", []pair{}),
	})

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func action(a unit.EmergencyAction) string { return orDefault(string(a), "none") }

// canRun reports whether jobs can run on the unit at all.
func canRun(v uv) bool {
	return v.st.LoadState == unit.LoadLoaded && v.st.Type.Supported()
}

func canReload(u *unit.Unit) bool {
	return u.Service != nil && len(u.Service.ExecReload) > 0
}

func jobOf(st *manager.UnitStatus) jobRef {
	if st.Job == nil {
		return jobRef{0, "/"}
	}
	return jobRef{st.Job.ID, jobPath(st.Job.ID)}
}

// conditions lists Condition*= or Assert*= with the outcome of the last
// check, as far as pm knows it: the condition that failed, or all held.
func conditions(v uv, prefix string, list []unit.Condition) []condition {
	out := make([]condition, 0, len(list))
	checked := !v.st.ConditionCheckedAt.IsZero()
	for _, c := range list {
		cc := condition{Type: prefix + c.Type, Trigger: c.Trigger, Negate: c.Negate, Parameter: c.Parameter}
		if checked {
			cc.State = 1
			if v.st.FailedCondition == conditionText(prefix, c) {
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
func loadError(st *manager.UnitStatus) pair {
	switch st.LoadState {
	case unit.LoadNotFound:
		return pair{errNoSuchUnit, fmt.Sprintf("Unit %s not found.", st.Name)}
	case unit.LoadMasked:
		return pair{errUnitMasked, fmt.Sprintf("Unit %s is masked.", st.Name)}
	case unit.LoadBadSetting:
		return pair{errBadUnitSetting, orDefault(st.LoadError, fmt.Sprintf("Unit %s has a bad unit file setting.", st.Name))}
	case unit.LoadError:
		return pair{errLoadFailed, orDefault(st.LoadError, fmt.Sprintf("Unit %s failed to load properly.", st.Name))}
	}
	return pair{}
}
