package dbus

import (
	"github.com/pm-project/pm/unit"
)

// The Socket, Timer and Target interfaces (src/core/dbus-socket.c,
// dbus-timer.c, dbus-target.c), and which one a unit's object has.

func sockOf(v uv) *unit.Socket {
	if v.cfg.Socket != nil {
		return v.cfg.Socket
	}
	return &unit.Socket{}
}

func timerOf(v uv) *unit.Timer {
	if v.cfg.Timer != nil {
		return v.cfg.Timer
	}
	return &unit.Timer{}
}

var socketOwn = []prop[uv]{
	str("BindIPv6Only", func(v uv) string { return orDefault(sockOf(v).BindIPv6Only, "default") }),
	u32("Backlog", func(v uv) uint32 { return uint32(sockOf(v).Backlog) }),
	u64("TimeoutUSec", func(v uv) uint64 { return usec(sockOf(v).TimeoutSec) }),
	str("BindToDevice", func(v uv) string { return sockOf(v).BindToDevice }),
	str("SocketUser", func(v uv) string { return sockOf(v).SocketUser }),
	str("SocketGroup", func(v uv) string { return sockOf(v).SocketGroup }),
	u32("SocketMode", func(v uv) uint32 { return uint32(sockOf(v).SocketMode) }),
	u32("DirectoryMode", func(v uv) uint32 { return uint32(sockOf(v).DirectoryMode) }),
	boolean("Accept", func(v uv) bool { return sockOf(v).Accept }),
	boolean("FlushPending", func(v uv) bool { return sockOf(v).FlushPending }),
	boolean("Writable", func(v uv) bool { return sockOf(v).Writable }),
	boolean("KeepAlive", func(v uv) bool { return sockOf(v).KeepAlive }),
	u64("KeepAliveTimeUSec", func(v uv) uint64 { return usec(sockOf(v).KeepAliveTimeSec) }),
	u64("KeepAliveIntervalUSec", func(v uv) uint64 { return usec(sockOf(v).KeepAliveIntervalSec) }),
	u32("KeepAliveProbes", func(v uv) uint32 { return uint32(sockOf(v).KeepAliveProbes) }),
	u64("DeferAcceptUSec", func(v uv) uint64 { return usec(sockOf(v).DeferAcceptSec) }),
	boolean("NoDelay", func(v uv) bool { return sockOf(v).NoDelay }),
	i32("Priority", func(v uv) int32 { return int32(sockOf(v).Priority) }),
	u64("ReceiveBuffer", func(v uv) uint64 { return sockOf(v).ReceiveBuffer }),
	u64("SendBuffer", func(v uv) uint64 { return sockOf(v).SendBuffer }),
	constant[uv]("IPTOS", "i", int32(-1)),
	constant[uv]("IPTTL", "i", int32(-1)),
	u64("PipeSize", func(v uv) uint64 { return sockOf(v).PipeSize }),
	boolean("FreeBind", func(v uv) bool { return sockOf(v).FreeBind }),
	boolean("Transparent", func(v uv) bool { return sockOf(v).Transparent }),
	boolean("Broadcast", func(v uv) bool { return sockOf(v).Broadcast }),
	boolean("PassCredentials", func(v uv) bool { return sockOf(v).PassCredentials }),
	boolean("PassSecurity", func(v uv) bool { return sockOf(v).PassSecurity }),
	boolean("PassPacketInfo", func(v uv) bool { return sockOf(v).PassPacketInfo }),
	constant[uv]("Timestamping", "s", "off"),
	boolean("RemoveOnStop", func(v uv) bool { return sockOf(v).RemoveOnStop }),
	mk("Listen", "a(ss)", func(v uv) any {
		out := []pair{}
		for _, l := range sockOf(v).Listen {
			out = append(out, pair{string(l.Kind), l.Address})
		}
		return out
	}),
	strv("Symlinks", func(v uv) []string { return sockOf(v).Symlinks }),
	i32("Mark", func(v uv) int32 { return int32(sockOf(v).Mark) }),
	u32("MaxConnections", func(v uv) uint32 { return uint32(sockOf(v).MaxConnections) }),
	u32("MaxConnectionsPerSource", func(v uv) uint32 { return uint32(sockOf(v).MaxConnectionsPerSource) }),
	constant[uv]("MessageQueueMaxMessages", "x", int64(0)),
	constant[uv]("MessageQueueMessageSize", "x", int64(0)),
	constant[uv]("TCPCongestion", "s", ""),
	boolean("ReusePort", func(v uv) bool { return sockOf(v).ReusePort }),
	constant[uv]("SmackLabel", "s", ""),
	constant[uv]("SmackLabelIPIn", "s", ""),
	constant[uv]("SmackLabelIPOut", "s", ""),
	u32("ControlPID", func(v uv) uint32 { return uint32(v.st.ControlPID) }),
	str("Result", func(v uv) string { return orDefault(string(v.st.Result), "success") }),
	constant[uv]("NConnections", "u", uint32(0)),
	constant[uv]("NAccepted", "u", uint32(0)),
	constant[uv]("NRefused", "u", uint32(0)),
	str("FileDescriptorName", func(v uv) string { return orDefault(sockOf(v).FileDescriptorName, v.st.Name) }),
	constant[uv]("SocketProtocol", "i", int32(0)),
	u64("TriggerLimitIntervalUSec", func(v uv) uint64 { return usec(sockOf(v).TriggerLimitIntervalSec) }),
	u32("TriggerLimitBurst", func(v uv) uint32 { return uint32(sockOf(v).TriggerLimitBurst) }),
	constant[uv]("UID", "u", uint32(undefinedID)),
	constant[uv]("GID", "u", uint32(undefinedID)),
}

var socketExecNames = []string{"ExecStartPre", "ExecStartPost", "ExecStopPre", "ExecStopPost"}

func socketExec(v uv, name string) []unit.ExecCommand {
	s := sockOf(v)
	switch name {
	case "ExecStartPre":
		return s.ExecStartPre
	case "ExecStartPost":
		return s.ExecStartPost
	case "ExecStopPre":
		return s.ExecStopPre
	case "ExecStopPost":
		return s.ExecStopPost
	}
	return nil
}

// socketExecLists: systemd's Socket interface has no …Ex forms.
func socketExecLists() []prop[uv] {
	var out []prop[uv]
	for _, n := range socketExecNames {
		out = append(out, mk(n, "a(sasbttttuii)", func(v uv) any { return execStatuses(v, n, socketExec(v, n)) }))
	}
	return out
}

var socketTable = newTable("org.freedesktop.systemd1.Socket",
	socketOwn, socketExecLists(),
	cgroupUnitProps, cgroupProps(func(v uv) *unit.Resources { return &sockOf(v).Resources }),
	execProps(func(v uv) *unit.ExecContext { return &sockOf(v).Exec }),
	killProps(func(v uv) *unit.KillContext { return &sockOf(v).Kill }),
)

// timerSpec is a TimersMonotonic entry, (stt): the base, its value and
// when it elapses next.
type timerSpec struct {
	Base        string
	Value, Next uint64
}

// calendarSpec is a TimersCalendar entry, (sst).
type calendarSpec struct {
	Base, Spec string
	Next       uint64
}

var timerTable = newTable("org.freedesktop.systemd1.Timer", []prop[uv]{
	str("Unit", func(v uv) string { return timerUnit(v) }),
	mk("TimersMonotonic", "a(stt)", func(v uv) any {
		t := timerOf(v)
		out := []timerSpec{}
		add := func(base string, ds []unit.Duration) {
			for _, d := range ds {
				out = append(out, timerSpec{base, usec(d), 0})
			}
		}
		add("OnActiveUSec", t.OnActiveSec)
		add("OnBootUSec", t.OnBootSec)
		add("OnStartupUSec", t.OnStartupSec)
		add("OnUnitActiveUSec", t.OnUnitActiveSec)
		add("OnUnitInactiveUSec", t.OnUnitInactiveSec)
		return out
	}),
	mk("TimersCalendar", "a(sst)", func(v uv) any {
		out := []calendarSpec{}
		for _, c := range timerOf(v).OnCalendar {
			out = append(out, calendarSpec{"OnCalendar", c.String(), 0})
		}
		return out
	}),
	boolean("OnClockChange", func(v uv) bool { return timerOf(v).OnClockChange }),
	boolean("OnTimezoneChange", func(v uv) bool { return timerOf(v).OnTimezoneChange }),
	constant[uv]("NextElapseUSecRealtime", "t", uint64(0)),
	constant[uv]("NextElapseUSecMonotonic", "t", uint64(0)),
	constant[uv]("LastTriggerUSec", "t", uint64(0)),
	constant[uv]("LastTriggerUSecMonotonic", "t", uint64(0)),
	str("Result", func(v uv) string { return orDefault(string(v.st.Result), "success") }),
	u64("AccuracyUSec", func(v uv) uint64 { return usec(timerOf(v).AccuracySec) }),
	u64("RandomizedDelayUSec", func(v uv) uint64 { return usec(timerOf(v).RandomizedDelaySec) }),
	boolean("FixedRandomDelay", func(v uv) bool { return timerOf(v).FixedRandomDelay }),
	boolean("Persistent", func(v uv) bool { return timerOf(v).Persistent }),
	boolean("WakeSystem", func(v uv) bool { return timerOf(v).WakeSystem }),
	boolean("RemainAfterElapse", func(v uv) bool { return timerOf(v).RemainAfterElapse }),
})

// timerUnit is the unit a timer starts: Unit=, else the timer's name
// with .service.
func timerUnit(v uv) string {
	if u := timerOf(v).Unit; u != "" {
		return u
	}
	n := v.st.Name
	if i := len(n) - len(".timer"); i > 0 && n[i:] == ".timer" {
		return n[:i] + ".service"
	}
	return n
}

var targetTable = newTable[uv]("org.freedesktop.systemd1.Target")

// typeInterface is the name of the interface of a unit type: Service,
// Socket, … (systemd's unit_vtable[type]->bus_vtable interfaces).
func typeInterface(t unit.Type) string {
	switch t {
	case unit.TypeService:
		return "org.freedesktop.systemd1.Service"
	case unit.TypeSocket:
		return "org.freedesktop.systemd1.Socket"
	case unit.TypeTarget:
		return "org.freedesktop.systemd1.Target"
	case unit.TypeTimer:
		return "org.freedesktop.systemd1.Timer"
	case unit.TypePath:
		return "org.freedesktop.systemd1.Path"
	case unit.TypeMount:
		return "org.freedesktop.systemd1.Mount"
	case unit.TypeAutomount:
		return "org.freedesktop.systemd1.Automount"
	case unit.TypeSwap:
		return "org.freedesktop.systemd1.Swap"
	case unit.TypeSlice:
		return "org.freedesktop.systemd1.Slice"
	case unit.TypeScope:
		return "org.freedesktop.systemd1.Scope"
	case unit.TypeDevice:
		return "org.freedesktop.systemd1.Device"
	}
	return ""
}

// typeTable is the property table of a unit type's interface; types pm
// does not run have an empty one.
func typeTable(t unit.Type) *table[uv] {
	switch t {
	case unit.TypeService:
		return serviceTable
	case unit.TypeSocket:
		return socketTable
	case unit.TypeTimer:
		return timerTable
	case unit.TypeTarget:
		return targetTable
	}
	return otherTables[t]
}

// otherTables are the empty interfaces of the types pm does not run.
var otherTables = func() map[unit.Type]*table[uv] {
	m := map[unit.Type]*table[uv]{}
	for _, t := range []unit.Type{unit.TypePath, unit.TypeMount, unit.TypeAutomount, unit.TypeSwap,
		unit.TypeSlice, unit.TypeScope, unit.TypeDevice} {
		m[t] = newTable[uv](typeInterface(t))
	}
	return m
}()
