package dbus

import (
	godbus "github.com/godbus/dbus/v5"

	"github.com/pm-project/pm/internal/unitprops"
	"github.com/pm-project/pm/manager"
	"github.com/pm-project/pm/unit"
)

// Signals follow the manager's events: JobNew and JobRemoved, and
// PropertiesChanged on the unit when its state or job changes, UnitNew
// and UnitRemoved when the set of units changes. Like systemd, pm sends
// every signal to every private connection; on the bus it sends them all
// from the connection that owns the name, which is what match rules with
// sender='org.freedesktop.systemd1' (systemctl --wait) see.

// Properties of the Unit and Service interfaces a PropertiesChanged
// carries (the state, job and last-run ones systemd marks emits-change).
var (
	unitChanged = []string{"ActiveState", "SubState", "StateChangeTimestamp", "StateChangeTimestampMonotonic",
		"InactiveExitTimestamp", "InactiveExitTimestampMonotonic", "ActiveEnterTimestamp",
		"ActiveEnterTimestampMonotonic", "ActiveExitTimestamp", "ActiveExitTimestampMonotonic",
		"InactiveEnterTimestamp", "InactiveEnterTimestampMonotonic", "Job", "ConditionResult",
		"AssertResult", "ConditionTimestamp", "ConditionTimestampMonotonic", "AssertTimestamp",
		"AssertTimestampMonotonic"}
	serviceChanged = []string{"MainPID", "ControlPID", "StatusText", "StatusErrno", "Result", "ReloadResult",
		"NRestarts", "ExecMainStartTimestamp", "ExecMainStartTimestampMonotonic", "ExecMainExitTimestamp",
		"ExecMainExitTimestampMonotonic", "ExecMainPID", "ExecMainCode", "ExecMainStatus"}
)

// pump turns the manager's events into signals until events is closed.
func (s *Server) pump(events <-chan manager.Event) {
	defer close(s.pumped)
	for ev := range events {
		if ev.Dropped > 0 {
			s.log.Warn("dbus: signals lost: the manager's events came faster than they could be sent", "lost", ev.Dropped)
		}
		s.emit(ev)
		if len(events) == 0 {
			s.unitsChanged()
		}
	}
}

func (s *Server) emit(ev manager.Event) {
	switch ev.Kind {
	case manager.EventJobNew:
		s.broadcast(signalMsg(managerPath, ifaceManager, "JobNew", "uos", ev.Job.ID, jobPath(ev.Job.ID), ev.Job.Unit))
		s.unitPropertiesChanged(ev.Job.Unit, false, 0)
	case manager.EventJobRemoved:
		s.broadcast(signalMsg(managerPath, ifaceManager, "JobRemoved", "uoss", ev.Job.ID, jobPath(ev.Job.ID), ev.Job.Unit, string(ev.JobResult)))
		s.unitPropertiesChanged(ev.Job.Unit, false, ev.Job.ID)
	case manager.EventJobChanged:
		s.broadcast(propertiesChanged(jobPath(ev.Job.ID), jobTable.iface, []propEntry{
			{"State", godbus.MakeVariant(ev.Job.State)},
		}))
	case manager.EventUnit:
		s.unitPropertiesChanged(ev.Unit, true, 0)
	}
}

// unitPropertiesChanged sends the unit's PropertiesChanged: on Unit, and
// on the type's interface too when service is set. A job that ended
// (endedJob) is not shown as the unit's job even if the snapshot was
// taken before it ended.
func (s *Server) unitPropertiesChanged(name string, service bool, endedJob uint32) {
	st := s.m.Snapshot().Unit(name)
	if st == nil {
		return
	}
	if endedJob != 0 && st.Job != nil && st.Job.ID == endedJob {
		cp := *st
		cp.Job = nil
		st = &cp
	}
	v := unitprops.NewUnitView(s.ctx, s.m, s.install, st)
	p := unitPath(st.Name)
	s.broadcast(propertiesChanged(p, unitTable.iface, pick(unitTable, v, unitChanged)))
	if service && st.Type == unit.TypeService {
		s.broadcast(propertiesChanged(p, serviceTable.iface, pick(serviceTable, v, serviceChanged)))
	}
}

func pick[V any](t *table[V], v V, names []string) []propEntry {
	out := make([]propEntry, 0, len(names))
	for _, n := range names {
		if val, ok := t.get(n, v); ok {
			out = append(out, propEntry{n, val})
		}
	}
	return out
}

func propertiesChanged(p objectPath, ifname string, changed []propEntry) *godbus.Message {
	return signalMsg(p, ifaceProperties, "PropertiesChanged", "sa{sv}as", ifname, changed, []string{})
}

// unitsChanged sends UnitNew and UnitRemoved for the units that appeared
// or went since the last call.
func (s *Server) unitsChanged() {
	s.knownMu.Lock()
	defer s.knownMu.Unlock()
	now := map[string]bool{}
	for _, st := range s.m.Snapshot().All() {
		now[st.Name] = true
		if !s.known[st.Name] {
			s.broadcast(signalMsg(managerPath, ifaceManager, "UnitNew", "so", st.Name, unitPath(st.Name)))
		}
	}
	for n := range s.known {
		if !now[n] {
			s.broadcast(signalMsg(managerPath, ifaceManager, "UnitRemoved", "so", n, unitPath(n)))
		}
	}
	s.known = now
}

// finishLater reports a job that had nothing to do: JobNew and
// JobRemoved with result done, after the reply that names it.
func (s *Server) finishLater(r *request, info manager.JobInfo) {
	r.after = append(r.after, func() {
		s.broadcast(signalMsg(managerPath, ifaceManager, "JobNew", "uos", info.ID, jobPath(info.ID), info.Unit))
		s.broadcast(signalMsg(managerPath, ifaceManager, "JobRemoved", "uoss", info.ID, jobPath(info.ID), info.Unit, string(manager.JobDone)))
	})
}

// fakeJobID numbers the jobs the manager did not need: from 2^31 up, far
// from the manager's own numbers.
func (s *Server) fakeJobID() uint32 { return 1<<31 + s.fakeJobs.Add(1) }

// broadcast sends a signal to every connection.
func (s *Server) broadcast(msg *godbus.Message) {
	s.mu.Lock()
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		m := *msg
		m.Headers = make(map[godbus.HeaderField]godbus.Variant, len(msg.Headers)+1)
		for k, v := range msg.Headers {
			m.Headers[k] = v
		}
		if _, err := c.send(&m); err != nil {
			s.log.Debug("dbus: cannot send a signal", "err", err)
		}
	}
}
