package unitprops

import (
	"github.com/pm-project/pm/unit"
)

// The Socket, Timer and Target interfaces (src/core/dbus-socket.c,
// dbus-timer.c, dbus-target.c), and which one a unit's object has.

func sockOf(v uv) *unit.Socket {
	if v.Config.Socket != nil {
		return v.Config.Socket
	}
	return &unit.Socket{}
}

func timerOf(v uv) *unit.Timer {
	if v.Config.Timer != nil {
		return v.Config.Timer
	}
	return &unit.Timer{}
}

var socketOwn = []Prop[uv]{
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
		out := []Pair{}
		for _, l := range sockOf(v).Listen {
			out = append(out, Pair{string(l.Kind), l.Address})
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
	u32("ControlPID", func(v uv) uint32 { return uint32(v.Status.ControlPID) }),
	str("Result", func(v uv) string { return orDefault(string(v.Status.Result), "success") }),
	constant[uv]("NConnections", "u", uint32(0)),
	constant[uv]("NAccepted", "u", uint32(0)),
	constant[uv]("NRefused", "u", uint32(0)),
	str("FileDescriptorName", func(v uv) string { return orDefault(sockOf(v).FileDescriptorName, v.Status.Name) }),
	constant[uv]("SocketProtocol", "i", int32(0)),
	u64("TriggerLimitIntervalUSec", func(v uv) uint64 { return usec(sockOf(v).TriggerLimitIntervalSec) }),
	u32("TriggerLimitBurst", func(v uv) uint32 { return uint32(sockOf(v).TriggerLimitBurst) }),
	constant[uv]("UID", "u", uint32(UndefinedID)),
	constant[uv]("GID", "u", uint32(UndefinedID)),
}

// socketExec: systemd's Socket interface has no …Ex forms.
var socketExec = execProps(false,
	execList{"ExecStartPre", func(v uv) []unit.ExecCommand { return sockOf(v).ExecStartPre }},
	execList{"ExecStartPost", func(v uv) []unit.ExecCommand { return sockOf(v).ExecStartPost }},
	execList{"ExecStopPre", func(v uv) []unit.ExecCommand { return sockOf(v).ExecStopPre }},
	execList{"ExecStopPost", func(v uv) []unit.ExecCommand { return sockOf(v).ExecStopPost }},
)

// SocketTable is the Socket interface.
var SocketTable = newTable("org.freedesktop.systemd1.Socket",
	socketOwn, socketExec,
	cgroupUnitProps, cgroupProps(func(v uv) *unit.Resources { return &sockOf(v).Resources }),
	execContextProps(func(v uv) *unit.ExecContext { return &sockOf(v).Exec }),
	killProps(func(v uv) *unit.KillContext { return &sockOf(v).Kill }),
)

// TimerSpec is a TimersMonotonic entry, (stt): the base, its value and
// when it elapses next.
type TimerSpec struct {
	Base        string
	Value, Next uint64
}

// CalendarSpec is a TimersCalendar entry, (sst).
type CalendarSpec struct {
	Base, Spec string
	Next       uint64
}

// TimerTable is the Timer interface.
var TimerTable = newTable("org.freedesktop.systemd1.Timer", []Prop[uv]{
	str("Unit", func(v uv) string { return timerUnit(v) }),
	mk("TimersMonotonic", "a(stt)", func(v uv) any {
		t := timerOf(v)
		out := []TimerSpec{}
		add := func(base string, ds []unit.Duration) {
			for _, d := range ds {
				out = append(out, TimerSpec{base, usec(d), 0})
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
		out := []CalendarSpec{}
		for _, c := range timerOf(v).OnCalendar {
			out = append(out, CalendarSpec{"OnCalendar", c.String(), 0})
		}
		return out
	}),
	boolean("OnClockChange", func(v uv) bool { return timerOf(v).OnClockChange }),
	boolean("OnTimezoneChange", func(v uv) bool { return timerOf(v).OnTimezoneChange }),
	constant[uv]("NextElapseUSecRealtime", "t", uint64(0)),
	constant[uv]("NextElapseUSecMonotonic", "t", uint64(0)),
	constant[uv]("LastTriggerUSec", "t", uint64(0)),
	constant[uv]("LastTriggerUSecMonotonic", "t", uint64(0)),
	str("Result", func(v uv) string { return orDefault(string(v.Status.Result), "success") }),
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
	n := v.Status.Name
	if i := len(n) - len(".timer"); i > 0 && n[i:] == ".timer" {
		return n[:i] + ".service"
	}
	return n
}

// TargetTable is the Target interface, which has no properties.
var TargetTable = newTable[uv]("org.freedesktop.systemd1.Target")

// typeTables are the tables of the unit types' interfaces (systemd's
// unit_vtable[type]->bus_vtable); the types pm does not run have empty
// ones.
var typeTables = func() map[unit.Type]*Table[uv] {
	m := map[unit.Type]*Table[uv]{
		unit.TypeService: ServiceTable,
		unit.TypeSocket:  SocketTable,
		unit.TypeTimer:   TimerTable,
		unit.TypeTarget:  TargetTable,
	}
	for t, iface := range map[unit.Type]string{
		unit.TypePath:      "org.freedesktop.systemd1.Path",
		unit.TypeMount:     "org.freedesktop.systemd1.Mount",
		unit.TypeAutomount: "org.freedesktop.systemd1.Automount",
		unit.TypeSwap:      "org.freedesktop.systemd1.Swap",
		unit.TypeSlice:     "org.freedesktop.systemd1.Slice",
		unit.TypeScope:     "org.freedesktop.systemd1.Scope",
		unit.TypeDevice:    "org.freedesktop.systemd1.Device",
	} {
		m[t] = newTable[uv](iface)
	}
	return m
}()

// TypeTable is the table of a unit type's interface (Service, Socket,
// …), nil for an unknown type.
func TypeTable(t unit.Type) *Table[uv] { return typeTables[t] }

// TypeTables returns the tables of every unit type's interface.
func TypeTables() map[unit.Type]*Table[uv] {
	m := make(map[unit.Type]*Table[uv], len(typeTables))
	for t, tb := range typeTables {
		m[t] = tb
	}
	return m
}

// UnitTables are the tables of a unit of type t in the order systemd's
// GetAll("") sends them: the type's interface, then Unit.
func UnitTables(t unit.Type) []*Table[uv] {
	if tt := TypeTable(t); tt != nil {
		return []*Table[uv]{tt, UnitTable}
	}
	return []*Table[uv]{UnitTable}
}
