package unit

import (
	"strings"
)

// Condition types that take a path (config_parse_unit_condition_path); the
// others take a string.
var pathConditions = map[string]bool{
	"PathExists": true, "PathExistsGlob": true, "PathIsDirectory": true,
	"PathIsSymbolicLink": true, "PathIsMountPoint": true, "PathIsReadWrite": true,
	"PathIsEncrypted": true, "DirectoryNotEmpty": true, "FileNotEmpty": true,
	"FileIsExecutable": true, "NeedsUpdate": true,
}

// ConditionTypes lists the Condition*= types of systemd 252; Assert*= has
// the same list except Firmware.
var ConditionTypes = []string{
	"PathExists", "PathExistsGlob", "PathIsDirectory", "PathIsSymbolicLink",
	"PathIsMountPoint", "PathIsReadWrite", "PathIsEncrypted", "DirectoryNotEmpty",
	"FileNotEmpty", "FileIsExecutable", "NeedsUpdate", "FirstBoot", "Architecture",
	"Firmware", "Virtualization", "Host", "KernelCommandLine", "KernelVersion",
	"Credential", "Security", "Capability", "ACPower", "Memory", "CPUFeature", "CPUs",
	"Environment", "User", "Group", "ControlGroupController", "OSRelease",
	"MemoryPressure", "CPUPressure", "IOPressure",
}

func addUnitDirectives(t tableBuilder) {
	const s = SectionUnit
	u := func(b *builder) *Unit { return b.u }
	t.enforced(s, "Description", setString(func(b *builder) *string { return &u(b).Description }))
	t.enforced(s, "Documentation", setDocumentation)
	t.enforced(s, "SourcePath", setPath(func(b *builder) *string { return &u(b).SourcePath }))

	deps := []struct {
		key   string
		field func(*Unit) *[]string
	}{
		{"Requires", func(u *Unit) *[]string { return &u.Requires }},
		{"Requisite", func(u *Unit) *[]string { return &u.Requisite }},
		{"Wants", func(u *Unit) *[]string { return &u.Wants }},
		{"BindsTo", func(u *Unit) *[]string { return &u.BindsTo }},
		{"PartOf", func(u *Unit) *[]string { return &u.PartOf }},
		{"Upholds", func(u *Unit) *[]string { return &u.Upholds }},
		{"Conflicts", func(u *Unit) *[]string { return &u.Conflicts }},
		{"Before", func(u *Unit) *[]string { return &u.Before }},
		{"After", func(u *Unit) *[]string { return &u.After }},
		{"OnFailure", func(u *Unit) *[]string { return &u.OnFailure }},
		{"OnSuccess", func(u *Unit) *[]string { return &u.OnSuccess }},
		{"PropagatesReloadTo", func(u *Unit) *[]string { return &u.PropagatesReloadTo }},
		{"ReloadPropagatedFrom", func(u *Unit) *[]string { return &u.ReloadPropagatedFrom }},
		{"PropagatesStopTo", func(u *Unit) *[]string { return &u.PropagatesStopTo }},
		{"StopPropagatedFrom", func(u *Unit) *[]string { return &u.StopPropagatedFrom }},
		{"JoinsNamespaceOf", func(u *Unit) *[]string { return &u.JoinsNamespaceOf }},
	}
	for _, d := range deps {
		field := d.field
		set := setDeps(func(b *builder) *[]string { return field(b.u) })
		switch d.key {
		case "JoinsNamespaceOf":
			t.ignored(s, "pm does not create namespaces", d.key)
		default:
			t.enforced(s, d.key, set)
		}
	}
	t.alias(s, "BindTo", "BindsTo")
	t.alias(s, "PropagateReloadTo", "PropagatesReloadTo")
	t.alias(s, "PropagateReloadFrom", "ReloadPropagatedFrom")
	t.enforced(s, "RequiresOverridable", setObsoleteDeps("Requires", func(b *builder) *[]string { return &b.u.Requires }))
	t.enforced(s, "RequisiteOverridable", setObsoleteDeps("Requisite", func(b *builder) *[]string { return &b.u.Requisite }))
	t.ignored(s, "pm does not manage mounts", "RequiresMountsFor")

	t.enforced(s, "StopWhenUnneeded", setBool(func(b *builder) *bool { return &b.u.StopWhenUnneeded }))
	t.enforced(s, "RefuseManualStart", setBool(func(b *builder) *bool { return &b.u.RefuseManualStart }))
	t.enforced(s, "RefuseManualStop", setBool(func(b *builder) *bool { return &b.u.RefuseManualStop }))
	t.enforced(s, "AllowIsolate", setBool(func(b *builder) *bool { return &b.u.AllowIsolate }))
	t.enforced(s, "DefaultDependencies", setBool(func(b *builder) *bool { return &b.u.DefaultDependencies }))
	t.enforced(s, "IgnoreOnIsolate", setBool(func(b *builder) *bool { return &b.u.IgnoreOnIsolate }))
	jobModes := []JobMode{JobFail, JobReplace, JobReplaceIrreversibly, JobIsolate, JobFlush, JobIgnoreDependencies, JobIgnoreRequirements, JobTriggering}
	t.enforced(s, "OnSuccessJobMode", setEnum(func(b *builder) *JobMode { return &b.u.OnSuccessJobMode }, jobModes...))
	t.enforced(s, "OnFailureJobMode", setEnum(func(b *builder) *JobMode { return &b.u.OnFailureJobMode }, jobModes...))
	t.enforced(s, "OnFailureIsolate", func(b *builder, o Option) error {
		v, err := ParseBool(o.Value)
		if err != nil {
			return badValue("not a boolean")
		}
		b.u.OnFailureJobMode = JobReplace
		if v {
			b.u.OnFailureJobMode = JobIsolate
		}
		return nil
	})
	t.ignored(s, "removed from systemd; it has no effect", "IgnoreOnSnapshot")
	t.later(s, "CollectMode", "pm keeps every unit loaded; it does not unload (garbage-collect) units yet", setEnum(func(b *builder) *string { return &b.u.CollectMode }, "inactive", "inactive-or-failed"))

	t.enforced(s, "JobTimeoutSec", func(b *builder, o Option) error {
		d, err := parseTimeoutSec(o.Value)
		if err != nil {
			return err
		}
		b.u.JobTimeoutSec = d
		// As in systemd, JobTimeoutSec= also sets JobRunningTimeoutSec=
		// unless that is given.
		if !b.set["Unit.JobRunningTimeoutSec"] {
			b.u.JobRunningTimeoutSec = d
		}
		return nil
	})
	t.enforced(s, "JobRunningTimeoutSec", func(b *builder, o Option) error {
		d, err := parseTimeoutSec(o.Value)
		if err != nil {
			return err
		}
		b.u.JobRunningTimeoutSec = d
		return nil
	})
	t.enforced(s, "StartLimitIntervalSec", setDuration(func(b *builder) *Duration { return &b.u.StartLimitIntervalSec }))
	t.alias(s, "StartLimitInterval", "StartLimitIntervalSec")
	t.enforced(s, "StartLimitBurst", setUint(func(b *builder) *uint { return &b.u.StartLimitBurst }))
	for _, k := range []string{"StartLimitAction", "FailureAction", "SuccessAction", "JobTimeoutAction"} {
		k := k
		t.enforced(s, k, setAction(func(b *builder) *EmergencyAction { return actionField(b.u, k) }))
	}
	t.enforced(s, "FailureActionExitStatus", setActionExitStatus(func(b *builder) *int { return &b.u.FailureActionExitStatus }))
	t.enforced(s, "SuccessActionExitStatus", setActionExitStatus(func(b *builder) *int { return &b.u.SuccessActionExitStatus }))
	t.ignored(s, "pm does not reboot the machine", "RebootArgument", "JobTimeoutRebootArgument")

	for _, c := range ConditionTypes {
		c := c
		t.enforced(s, "Condition"+c, setCondition(c, false))
		if c != "Firmware" {
			t.enforced(s, "Assert"+c, setCondition(c, true))
		}
	}
}

// parseTimeoutSec parses a job timeout: 0 means infinity.
func parseTimeoutSec(s string) (Duration, error) {
	d, err := ParseDuration(s)
	if err != nil {
		return 0, badValue("not a time span")
	}
	if d == 0 {
		d = Infinity
	}
	return d, nil
}

func actionField(u *Unit, key string) *EmergencyAction {
	switch key {
	case "StartLimitAction":
		return &u.StartLimitAction
	case "FailureAction":
		return &u.FailureAction
	case "SuccessAction":
		return &u.SuccessAction
	}
	return &u.JobTimeoutAction
}

var emergencyActions = []EmergencyAction{ActionNone, ActionReboot, ActionRebootForce, ActionRebootImmediate, ActionPoweroff, ActionPoweroffForce, ActionPoweroffImmediate, ActionExit, ActionExitForce}

func setAction(field func(*builder) *EmergencyAction) setter {
	return setEnum(field, emergencyActions...)
}

// setActionExitStatus parses FailureActionExitStatus=: 0–255, empty resets.
func setActionExitStatus(field func(*builder) *int) setter {
	return func(b *builder, o Option) error {
		if o.Value == "" {
			*field(b) = -1
			return nil
		}
		v, err := parseUint(o.Value, 8)
		if err != nil {
			return badValue("exit status must be a number between 0 and 255")
		}
		*field(b) = int(v)
		return nil
	}
}

// setDocumentation appends URIs; systemd accepts http(s), file, info and
// man URIs and warns about others.
func setDocumentation(b *builder, o Option) error {
	if o.Value == "" {
		b.u.Documentation = nil
		return nil
	}
	words, err := splitList(o.Value)
	if err != nil {
		return err
	}
	for _, w := range words {
		v, err := b.expand(w)
		if err != nil {
			b.warnf(o.ValuePos, err, "Documentation=: %s, ignoring", trimSentinel(err))
			continue
		}
		if !documentationURLValid(v) {
			b.warnf(o.ValuePos, ErrBadValue, "Documentation=: invalid URL %q, ignoring", v)
			continue
		}
		b.u.Documentation = append(b.u.Documentation, v)
	}
	return nil
}

func documentationURLValid(s string) bool {
	for _, p := range []string{"http://", "https://", "file:/", "info:", "man:"} {
		if strings.HasPrefix(s, p) && len(s) > len(p) {
			for i := 0; i < len(s); i++ {
				if s[i] <= ' ' || s[i] >= 0x7f {
					return false
				}
			}
			return true
		}
	}
	return false
}

// setDeps parses a dependency list: blank-separated unit names, name
// specifiers expanded, templates instantiated with this unit's instance (or
// its prefix), invalid names warned about and skipped.
func setDeps(field func(*builder) *[]string) setter {
	return func(b *builder, o Option) error {
		words, err := splitListRetain(o.Value)
		if err != nil {
			return badValue("invalid syntax")
		}
		for _, w := range words {
			name, err := b.expandName(w)
			if err != nil {
				b.warnf(o.ValuePos, err, "%s=: failed to resolve unit specifiers in %q, ignoring", o.Key, w)
				continue
			}
			name, err = b.resolveDep(name)
			if err != nil {
				b.warnf(o.ValuePos, err, "%s=: failed to add dependency on %s, ignoring: %s", o.Key, name, trimSentinel(err))
				continue
			}
			*field(b) = appendUnique(*field(b), name)
		}
		return nil
	}
}

// setObsoleteDeps handles RequiresOverridable= and RequisiteOverridable=,
// which systemd maps onto Requires= and Requisite= with a warning.
func setObsoleteDeps(current string, field func(*builder) *[]string) setter {
	set := setDeps(field)
	return func(b *builder, o Option) error {
		b.warnf(o.Pos, nil, "unit dependency type %s= is obsolete, replacing by %s=, please update your unit file", o.Key, current)
		return set(b, o)
	}
}

// resolveDep validates a dependency name and instantiates a template.
func (b *builder) resolveDep(name string) (string, error) {
	n, err := ParseName(name)
	if err != nil {
		return name, err
	}
	if !n.IsTemplate() {
		return name, nil
	}
	self, err := ParseName(b.u.Name)
	if err != nil {
		return name, err
	}
	inst := self.Instance
	if !self.Templated {
		inst = self.Prefix
	}
	if inst == "" {
		// A template depending on a template stays a template; systemd
		// resolves it per instance.
		return name, nil
	}
	return n.WithInstance(inst), nil
}

func appendUnique(list []string, s string) []string {
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}

// setCondition parses Condition*= and Assert*=: optional '|' (trigger) and
// '!' (negate) prefixes, specifiers expanded, paths checked. An empty value
// resets every condition (or every assert) of the unit, as in systemd.
func setCondition(typ string, assert bool) setter {
	return func(b *builder, o Option) error {
		list := &b.u.Conditions
		if assert {
			list = &b.u.Asserts
		}
		v := o.Value
		if v == "" {
			*list = nil
			return nil
		}
		c := Condition{Type: typ, Pos: o.ValuePos}
		isPath := pathConditions[typ]
		if strings.HasPrefix(v, "|") {
			c.Trigger = true
			v = v[1:]
			if !isPath {
				v = strings.TrimLeft(v, whitespace)
			}
		}
		if strings.HasPrefix(v, "!") {
			c.Negate = true
			v = v[1:]
			if !isPath {
				v = strings.TrimLeft(v, whitespace)
			}
		}
		p, err := b.expand(v)
		if err != nil {
			return err
		}
		if isPath {
			p, err = checkPath(p, true)
			if err != nil {
				return err
			}
		}
		c.Parameter = p
		*list = append(*list, c)
		return nil
	}
}
