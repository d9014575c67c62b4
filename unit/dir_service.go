package unit

import (
	"strings"
)

func addInstallDirectives(t tableBuilder) {
	const s = SectionInstall
	in := func(b *builder) *Install { return &b.u.Install }
	t.enforced(s, "WantedBy", setInstallNames(func(b *builder) *[]string { return &in(b).WantedBy }))
	t.enforced(s, "RequiredBy", setInstallNames(func(b *builder) *[]string { return &in(b).RequiredBy }))
	t.enforced(s, "Also", setInstallNames(func(b *builder) *[]string { return &in(b).Also }))
	t.enforced(s, "Alias", func(b *builder, o Option) error {
		switch b.u.Type {
		case TypeService, TypeSocket, TypeTarget, TypeDevice, TypeTimer, TypePath:
		default:
			return badValue("Alias= is not allowed for %s units", b.u.Type)
		}
		return setInstallNames(func(b *builder) *[]string { return &in(b).Alias })(b, o)
	})
	t.enforced(s, "DefaultInstance", func(b *builder, o Option) error {
		n, err := ParseName(b.u.Name)
		if err == nil && n.IsInstance() {
			return nil // ignored silently for instances, as in systemd
		}
		if err != nil || !n.IsTemplate() {
			return badValue("DefaultInstance= only makes sense for template units")
		}
		v, err := b.expandInstall(o.Value)
		if err != nil {
			return err
		}
		if v != "" && !ValidInstance(v) {
			return badValue("invalid DefaultInstance= value %q", v)
		}
		in(b).DefaultInstance = v
		return nil
	})
}

// setInstallNames parses WantedBy=, RequiredBy=, Also= and Alias=: unit
// names, unquoted, with specifiers expanded.
func setInstallNames(field func(*builder) *[]string) setter {
	return func(b *builder, o Option) error {
		if o.Value == "" {
			*field(b) = nil
			return nil
		}
		words, err := splitList(o.Value)
		if err != nil {
			return badValue("invalid syntax")
		}
		for _, w := range words {
			v, err := b.expandInstall(w)
			if err != nil {
				b.warnf(o.ValuePos, err, "%s=: failed to resolve unit name %q, ignoring", o.Key, w)
				continue
			}
			if _, err := ParseName(v); err != nil {
				b.warnf(o.ValuePos, err, "%s=: invalid unit name %q, ignoring", o.Key, v)
				continue
			}
			*field(b) = append(*field(b), v)
		}
		return nil
	}
}

func addServiceDirectives(t tableBuilder) {
	const s = SectionService
	sv := func(b *builder) *Service { return b.u.Service }
	t.enforced(s, "Type", setEnum(func(b *builder) *ServiceType { return &sv(b).Type },
		ServiceSimple, ServiceExec, ServiceForking, ServiceOneshot, ServiceDBus, ServiceNotify, ServiceIdle))
	execs := []struct {
		key   string
		field func(*Service) *[]ExecCommand
	}{
		{"ExecCondition", func(s *Service) *[]ExecCommand { return &s.ExecCondition }},
		{"ExecStartPre", func(s *Service) *[]ExecCommand { return &s.ExecStartPre }},
		{"ExecStart", func(s *Service) *[]ExecCommand { return &s.ExecStart }},
		{"ExecStartPost", func(s *Service) *[]ExecCommand { return &s.ExecStartPost }},
		{"ExecReload", func(s *Service) *[]ExecCommand { return &s.ExecReload }},
		{"ExecStop", func(s *Service) *[]ExecCommand { return &s.ExecStop }},
		{"ExecStopPost", func(s *Service) *[]ExecCommand { return &s.ExecStopPost }},
	}
	for _, e := range execs {
		field := e.field
		t.enforced(s, e.key, setExec(func(b *builder) *[]ExecCommand { return field(sv(b)) }))
	}
	t.enforced(s, "RemainAfterExit", setBool(func(b *builder) *bool { return &sv(b).RemainAfterExit }))
	t.enforced(s, "GuessMainPID", setBool(func(b *builder) *bool { return &sv(b).GuessMainPID }))
	t.enforced(s, "PermissionsStartOnly", setBool(func(b *builder) *bool { return &sv(b).PermissionsStartOnly }))
	t.enforced(s, "RootDirectoryStartOnly", setBool(func(b *builder) *bool { return &sv(b).RootDirectoryStartOnly }))
	t.enforced(s, "Restart", setEnum(func(b *builder) *RestartPolicy { return &sv(b).Restart },
		RestartNo, RestartOnSuccess, RestartOnFailure, RestartOnAbnormal, RestartOnWatchdog, RestartOnAbort, RestartAlways))
	t.enforced(s, "RestartSec", setDuration(func(b *builder) *Duration { return &sv(b).RestartSec }))
	t.enforced(s, "RestartSteps", func(b *builder, o Option) error {
		v, err := parseUint(o.Value, 32)
		if err != nil || v > 3000 {
			return badValue("must be a number between 0 and 3000")
		}
		sv(b).RestartSteps = uint(v)
		return nil
	})
	t.enforced(s, "RestartMaxDelaySec", setDuration(func(b *builder) *Duration { return &sv(b).RestartMaxDelaySec }))
	timeout := func(b *builder, o Option) error {
		d, err := parseTimeoutSec(o.Value)
		if err != nil {
			return err
		}
		sv(b).TimeoutStartSec = d
		if o.Key == "TimeoutSec" {
			sv(b).TimeoutStopSec = d
		}
		return nil
	}
	t.enforced(s, "TimeoutSec", timeout)
	t.enforced(s, "TimeoutStartSec", timeout)
	t.enforced(s, "TimeoutStopSec", setDurationZeroInf(func(b *builder) *Duration { return &sv(b).TimeoutStopSec }))
	t.enforced(s, "TimeoutAbortSec", func(b *builder, o Option) error {
		if o.Value == "" {
			sv(b).TimeoutAbortSet = false
			return nil
		}
		d, err := ParseDuration(o.Value)
		if err != nil {
			return badValue("not a time span")
		}
		sv(b).TimeoutAbortSec, sv(b).TimeoutAbortSet = d, true
		return nil
	})
	t.enforced(s, "TimeoutStartFailureMode", setEnum(func(b *builder) *string { return &sv(b).TimeoutStartFailureMode }, "terminate", "abort", "kill"))
	t.enforced(s, "TimeoutStopFailureMode", setEnum(func(b *builder) *string { return &sv(b).TimeoutStopFailureMode }, "terminate", "abort", "kill"))
	t.enforced(s, "RuntimeMaxSec", setDuration(func(b *builder) *Duration { return &sv(b).RuntimeMaxSec }))
	t.enforced(s, "RuntimeRandomizedExtraSec", setDuration(func(b *builder) *Duration { return &sv(b).RuntimeRandomizedExtraSec }))
	t.enforced(s, "WatchdogSec", setDuration(func(b *builder) *Duration { return &sv(b).WatchdogSec }))
	t.enforced(s, "PIDFile", setPIDFile)
	t.enforced(s, "NotifyAccess", func(b *builder, o Option) error {
		err := setEnum(func(b *builder) *NotifyAccess { return &sv(b).NotifyAccess }, NotifyNone, NotifyMain, NotifyExec, NotifyAll)(b, o)
		if err == nil {
			sv(b).NotifyAccessSet = true
		}
		return err
	})
	for _, k := range []string{"SuccessExitStatus", "RestartPreventExitStatus", "RestartForceExitStatus"} {
		k := k
		t.enforced(s, k, func(b *builder, o Option) error {
			set := exitStatusField(sv(b), k)
			if o.Value == "" {
				*set = ExitStatusSet{}
				return nil
			}
			return ParseExitStatusSet(o.Value, set)
		})
	}
	t.enforced(s, "ExitType", setEnum(func(b *builder) *string { return &sv(b).ExitType }, "main", "cgroup"))
	t.enforced(s, "BusName", func(b *builder, o Option) error {
		v, err := b.expand(o.Value)
		if err != nil {
			return err
		}
		if v != "" && !busNameValid(v) {
			return badValue("invalid bus name %q", v)
		}
		sv(b).BusName = v
		return nil
	})
	t.later(s, "FileDescriptorStoreMax", "the file descriptor store comes with socket activation",
		setUint(func(b *builder) *uint { return &sv(b).FileDescriptorStoreMax }))
	t.later(s, "Sockets", "socket activation is a later part of pm", setServiceSockets)
	t.later(s, "OOMPolicy", "out-of-memory kills are seen through cgroups, a later part of pm", setEnum(func(b *builder) *string { return &sv(b).OOMPolicy }, "continue", "stop", "kill"))
	t.later(s, "NonBlocking", noteSockets, setBool(func(b *builder) *bool { return &sv(b).NonBlocking }))
	t.ignored(s, "pm does not drive USB gadgets", "USBFunctionDescriptors", "USBFunctionStrings")
	t.ignored(s, "removed from systemd; it has no effect", "SysVStartPriority", "BusPolicy")

	// Old spellings of [Unit] settings that systemd still reads here.
	t.enforced(s, "StartLimitInterval", setDuration(func(b *builder) *Duration { return &b.u.StartLimitIntervalSec }))
	t.enforced(s, "StartLimitBurst", setUint(func(b *builder) *uint { return &b.u.StartLimitBurst }))
	t.enforced(s, "StartLimitAction", setAction(func(b *builder) *EmergencyAction { return &b.u.StartLimitAction }))
	t.enforced(s, "FailureAction", setAction(func(b *builder) *EmergencyAction { return &b.u.FailureAction }))
	t.ignored(s, "pm does not reboot the machine", "RebootArgument")
}

func exitStatusField(s *Service, key string) *ExitStatusSet {
	switch key {
	case "SuccessExitStatus":
		return &s.SuccessExitStatus
	case "RestartPreventExitStatus":
		return &s.RestartPreventExitStatus
	}
	return &s.RestartForceExitStatus
}

// setPIDFile parses PIDFile=: a relative path is taken below the runtime
// directory, and /var/run/ is rewritten to /run/ as systemd does.
func setPIDFile(b *builder, o Option) error {
	if o.Value == "" {
		b.u.Service.PIDFile = ""
		return nil
	}
	v, err := b.expand(o.Value)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(v, "/") {
		rt := b.ex.Host.RuntimeDir
		if rt == "" {
			rt = "/run"
		}
		v = rt + "/" + v
	}
	p, err := checkPath(v, true)
	if err != nil {
		return unusable("%s", trimSentinel(err))
	}
	if strings.HasPrefix(p, "/var/run/") {
		b.noticef(o.ValuePos, "PIDFile= references a path below legacy directory /var/run/, updating %s → %s; please update the unit file accordingly", p, "/run/"+p[len("/var/run/"):])
		p = "/run/" + p[len("/var/run/"):]
	}
	b.u.Service.PIDFile = p
	return nil
}

// setServiceSockets parses Sockets=: socket unit names.
func setServiceSockets(b *builder, o Option) error {
	words, err := splitList(o.Value)
	if err != nil {
		return badValue("trailing garbage in sockets")
	}
	for _, w := range words {
		v, err := b.expandName(w)
		if err != nil {
			b.warnf(o.ValuePos, err, "Sockets=: failed to resolve unit specifiers in %q, ignoring", w)
			continue
		}
		if !strings.HasSuffix(v, ".socket") {
			b.warnf(o.ValuePos, ErrBadValue, "Sockets=: unit must be of type socket, ignoring: %s", v)
			continue
		}
		b.u.Service.Sockets = appendUnique(b.u.Service.Sockets, v)
	}
	return nil
}

// busNameValid checks a well-known D-Bus name (sd_bus_service_name_is_valid).
func busNameValid(s string) bool {
	if len(s) == 0 || len(s) > 255 || s[0] == ':' || s[0] == '.' {
		return false
	}
	elems := strings.Split(s, ".")
	if len(elems) < 2 {
		return false
	}
	for _, e := range elems {
		if e == "" || (e[0] >= '0' && e[0] <= '9') {
			return false
		}
		for i := 0; i < len(e); i++ {
			c := e[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
				return false
			}
		}
	}
	return true
}

// setExec parses an Exec*= line (ParseExec). Problems are warnings, or
// errors that make the unit unusable, as systemd decides per problem; the
// commands parsed before a problem are kept.
func setExec(field func(*builder) *[]ExecCommand) setter {
	return func(b *builder, o Option) error {
		if o.Value == "" {
			*field(b) = nil
			return nil
		}
		cmds, problems := b.parseExec(o.Value)
		for i := range cmds {
			cmds[i].Pos = o.ValuePos
		}
		*field(b) = append(*field(b), cmds...)
		b.report(o, problems)
		return nil
	}
}

// parseExec parses an Exec line, expanding specifiers in every word.
func (b *builder) parseExec(v string) ([]ExecCommand, []error) {
	return ParseExec(v, b.ex.ExpandMax)
}

// report turns the problems a parser found into diagnostics: errors for
// those that make the unit unusable, warnings for the others.
func (b *builder) report(o Option, problems []error) {
	for _, p := range problems {
		msg := strings.TrimSuffix(trimSentinel(p), ", ignoring")
		if isUnusable(p) {
			b.errorf(o.ValuePos, p, "%s=%s: %s", o.Key, o.Value, msg)
			continue
		}
		if strings.Contains(msg, "ignoring") {
			b.warnf(o.ValuePos, p, "%s=%s: %s", o.Key, o.Value, msg)
			continue
		}
		b.warnf(o.ValuePos, p, "%s=%s: %s, ignoring", o.Key, o.Value, msg)
	}
}
