package unit

import (
	"fmt"
	"strings"
)

// finish applies the defaults that depend on other settings and checks the
// unit as systemd does after loading it (service_verify, socket_verify,
// timer_verify). Problems systemd refuses a unit for make it bad-setting.
func (b *builder) finish() {
	u := b.u
	pos := Pos{File: u.FragmentPath}
	if u.FragmentPath == "" && len(u.DropInPaths) > 0 {
		pos.File = u.DropInPaths[0]
	}
	fail := func(format string, args ...any) {
		b.errorf(pos, ErrUnusable, format, args...)
	}
	if !u.Type.Supported() {
		b.noticef(pos, "pm does not run %s units; only their [Unit] and [Install] sections are loaded", u.Type)
	}
	if u.OnFailureJobMode == JobIsolate && len(u.OnFailure) > 1 {
		fail("more than one OnFailure= dependency specified but OnFailureJobMode=isolate set; refusing")
	}
	if u.JobRunningTimeoutSec != Infinity && u.JobRunningTimeoutSec > u.JobTimeoutSec {
		b.warnf(pos, nil, "JobRunningTimeoutSec= is greater than JobTimeoutSec=, it has no effect")
	}
	switch {
	case u.Service != nil:
		b.finishService(fail, pos)
	case u.Socket != nil:
		b.finishSocket(fail)
	case u.Timer != nil:
		b.finishTimer(fail)
	}
	if b.broken {
		u.LoadState = LoadBadSetting
		for _, d := range b.diags {
			if d.Severity == Error {
				u.LoadError = d.Msg
				break
			}
		}
	}
}

func (b *builder) finishService(fail func(string, ...any), pos Pos) {
	u, s := b.u, b.u.Service
	if s.Type == "" {
		switch {
		case s.BusName != "":
			s.Type = ServiceDBus
		case len(s.ExecStart) > 0:
			s.Type = ServiceSimple
		default:
			s.Type = ServiceOneshot
		}
	}
	if s.Type == ServiceOneshot && !b.set["Service.TimeoutStartSec"] && !b.set["Service.TimeoutSec"] {
		s.TimeoutStartSec = Infinity
	}
	if !s.TimeoutAbortSet {
		s.TimeoutAbortSec = s.TimeoutStopSec
	}
	fixStdio(&s.Exec)
	s.Kill.resolve()
	if s.NotifyAccess == NotifyNone && !s.NotifyAccessSet &&
		(s.Type == ServiceNotify || s.WatchdogSec > 0 || s.FileDescriptorStoreMax > 0) {
		s.NotifyAccess = NotifyMain
	}
	if s.OOMPolicy == "" {
		s.OOMPolicy = "stop"
		if s.Resources.Delegate {
			s.OOMPolicy = "continue"
		}
	}
	if s.RestartSteps > 0 && s.RestartMaxDelaySec != Infinity && s.RestartSec > s.RestartMaxDelaySec {
		b.warnf(pos, nil, "RestartMaxDelaySec= is smaller than RestartSec=, using RestartMaxDelaySec= for both")
		s.RestartSec = s.RestartMaxDelaySec
	}
	if s.Type == ServiceDBus {
		b.noticef(pos, "pm has no D-Bus activation: Type=dbus is run as Type=simple")
	}
	dynamicUser(u, &s.Exec)
	if b.broken {
		// systemd stops reading a file at its first fatal problem and
		// never checks the rest.
		return
	}

	// service_verify
	if len(s.ExecStart) == 0 && len(s.ExecStop) == 0 && u.SuccessAction == ActionNone {
		fail("service has no ExecStart=, ExecStop=, or SuccessAction=; refusing")
		return
	}
	if s.Type != ServiceOneshot && len(s.ExecStart) == 0 {
		fail("service has no ExecStart= setting, which is only allowed for Type=oneshot services; refusing")
		return
	}
	if !s.RemainAfterExit && len(s.ExecStart) == 0 && u.SuccessAction == ActionNone {
		fail("service has no ExecStart= and no SuccessAction= settings and does not have RemainAfterExit=yes set; refusing")
		return
	}
	if s.Type != ServiceOneshot && len(s.ExecStart) > 1 {
		fail("service has more than one ExecStart= setting, which is only allowed for Type=oneshot services; refusing")
		return
	}
	if s.Type == ServiceOneshot && (s.Restart == RestartAlways || s.Restart == RestartOnSuccess) {
		fail("service has Restart= set to either always or on-success, which isn't allowed for Type=oneshot services; refusing")
		return
	}
	if s.Type == ServiceOneshot && !s.RestartForceExitStatus.empty() {
		fail("service has RestartForceExitStatus= set, which isn't allowed for Type=oneshot services; refusing")
		return
	}
	if s.Type == ServiceOneshot && s.ExitType == "cgroup" {
		fail("service has ExitType=cgroup set, which isn't allowed for Type=oneshot services; refusing")
		return
	}
	if s.Type == ServiceDBus && s.BusName == "" {
		fail("service is of type D-Bus but no D-Bus service name has been specified; refusing")
		return
	}
	if s.RuntimeMaxSec != Infinity && s.Type == ServiceOneshot {
		b.warnf(pos, nil, "RuntimeMaxSec= has no effect in combination with Type=oneshot, ignoring")
	}
	if s.RuntimeMaxSec == Infinity && s.RuntimeRandomizedExtraSec != 0 {
		b.warnf(pos, nil, "service has RuntimeRandomizedExtraSec= setting, but no RuntimeMaxSec=, ignoring")
	}
}

func (e ExitStatusSet) empty() bool { return len(e.Status) == 0 && len(e.Signals) == 0 }

// fixStdio resolves "inherit" the way systemd's service_fix_stdio does with
// the manager's defaults (output to the journal, errors like output).
func fixStdio(c *ExecContext) {
	if c.StandardInput.Type == "null" && len(c.StandardInputData) > 0 {
		c.StandardInput = StdIO{Type: "data"}
	}
	switch c.StandardInput.Type {
	case "tty", "tty-force", "tty-fail", "socket", "fd":
		return
	}
	if c.StandardOutput.Type == "inherit" {
		c.StandardOutput = StdIO{Type: "journal"}
	}
}

func (b *builder) finishSocket(fail func(string, ...any)) {
	s := b.u.Socket
	fixStdio(&s.Exec)
	s.Kill.resolve()
	if s.TriggerLimitIntervalSec == Infinity {
		s.TriggerLimitIntervalSec = Duration(2e9)
	}
	if s.TriggerLimitBurst == triggerBurstUnset {
		s.TriggerLimitBurst = 20
		if s.Accept {
			s.TriggerLimitBurst = 200
		}
	}
	if len(s.Listen) == 0 {
		fail("unit has no Listen setting (ListenStream=, ListenDatagram=, ListenFIFO=, ...); refusing")
		return
	}
	if s.Accept {
		for _, l := range s.Listen {
			if !(l.Kind == ListenStream || l.Kind == ListenSequentialPacket) || l.Family == "netlink" {
				fail("unit configured for accepting sockets, but sockets are non-accepting; refusing")
				return
			}
		}
		if s.MaxConnections == 0 {
			fail("MaxConnections= setting too small; refusing")
			return
		}
		if s.Service != "" {
			fail("explicit service configuration for accepting socket units not supported; refusing")
			return
		}
	}
	if len(s.Symlinks) > 0 {
		n := 0
		for _, l := range s.Listen {
			if strings.HasPrefix(l.Address, "/") {
				n++
			}
		}
		if n != 1 {
			fail("unit has symlinks set but none or more than one node in the file system; refusing")
			return
		}
	}
	if s.Service == "" && !s.Accept {
		n, err := ParseName(b.u.Name)
		if err == nil {
			s.Service = strings.TrimSuffix(b.u.Name, "."+string(n.Type)) + ".service"
		}
	}
}

func (b *builder) finishTimer(fail func(string, ...any)) {
	t := b.u.Timer
	if len(t.OnCalendar)+len(t.OnActiveSec)+len(t.OnBootSec)+len(t.OnStartupSec)+
		len(t.OnUnitActiveSec)+len(t.OnUnitInactiveSec) == 0 && !t.OnClockChange && !t.OnTimezoneChange {
		fail("timer unit lacks value setting; refusing")
		return
	}
	if t.Unit == "" {
		t.Unit = strings.TrimSuffix(b.u.Name, ".timer") + ".service"
	}
}

// resolve fills RestartKillSignal= from KillSignal= when it was not given,
// as systemd's restart_kill_signal() does.
func (k *KillContext) resolve() {
	if !k.RestartKillSignalSet {
		k.RestartKillSignal = k.KillSignal
	}
}

// dynamicUser gives a DynamicUser= service without User= a user named after
// the unit, as systemd's unit_patch_contexts does (systemd hashes names
// that are not valid user names; pm uses "_du" and the FNV-1a hash).
func dynamicUser(u *Unit, ex *ExecContext) {
	if !ex.DynamicUser || ex.User != "" {
		return
	}
	n, err := ParseName(u.Name)
	if err != nil {
		return
	}
	name := n.Prefix
	if !strictUserName(name) {
		h := uint64(14695981039346656037)
		for i := 0; i < len(u.Name); i++ {
			h ^= uint64(u.Name[i])
			h *= 1099511628211
		}
		name = fmt.Sprintf("_du%016x", h)
	}
	ex.User = name
	if ex.Group == "" {
		ex.Group = name
	}
}

// strictUserName is systemd's strict valid_user_group_name: a letter or '_',
// then letters, digits, '_' and '-', at most 31 characters.
func strictUserName(s string) bool {
	if s == "" || len(s) > 31 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case (c >= '0' && c <= '9' || c == '-') && i > 0:
		default:
			return false
		}
	}
	return true
}
