package manager

import (
	"context"
	"log/slog"

	"github.com/pm-project/pm/unit"
)

// checkConditions tests a unit's Condition*= (or Assert*=) list and
// returns whether it holds and, if not, the one systemd names.
func (l *loop) checkConditions(rec *unitRec, list []unit.Condition, assert bool) (bool, string) {
	if len(list) == 0 {
		return true, ""
	}
	if l.cond == nil {
		l.cond = condNewContext(l.m.cfg.Host)
		l.cond.block = l.managerEnv()
		fb := condFirstBoot(l.cond)
		l.cond.firstBoot = &fb
	}
	r := condCheck(list, l.cond)
	for i, err := range r.Errors {
		if err != nil {
			l.log.Warn("couldn't determine result of condition, assuming failed", "unit", rec.name, "condition", condString(list[i], assert), "err", err)
		}
	}
	if r.OK {
		return true, ""
	}
	if r.Failed < 0 {
		return false, ""
	}
	return false, condString(list[r.Failed], assert)
}

// notified handles an sd_notify message: find the sender's unit, check
// NotifyAccess=, pass it on.
func (l *loop) notified(d notifyDatagram) {
	for _, f := range d.FDs {
		// pm has no file descriptor store yet.
		f.Close()
	}
	rec := l.pids[d.PID]
	if rec == nil {
		rec = l.attribute(d.PID)
	}
	if rec == nil || rec.svc == nil {
		l.log.Debug("notification from a process of no unit", "pid", d.PID)
		return
	}
	s := rec.svc
	switch s.cfg.NotifyAccess {
	case unit.NotifyNone:
		l.log.Warn("got notification message, but reception is disabled", "unit", rec.name, "pid", d.PID)
		return
	case unit.NotifyMain:
		if d.PID != s.mainPID {
			l.log.Warn("got notification message, but reception only permitted for main PID", "unit", rec.name, "pid", d.PID, "main_pid", s.mainPID)
			return
		}
	case unit.NotifyExec:
		if d.PID != s.mainPID && d.PID != s.controlPID {
			l.log.Warn("got notification message, but reception only permitted for main and control PID", "unit", rec.name, "pid", d.PID)
			return
		}
	}
	if d.Msg.MainPID > 0 {
		l.pids[d.Msg.MainPID] = rec
		rec.members[d.Msg.MainPID] = struct{}{}
		l.addSession(rec, d.Msg.MainPID)
	}
	l.log.Debug("notification", "unit", rec.name, "pid", d.PID, "fields", d.Msg.Fields)
	l.step(rec, func(s *svc) { s.notified(d.Msg, d.UID) })
}

// ActionRequest is an emergency action a unit asked for (FailureAction=,
// SuccessAction=, StartLimitAction=): pm's boot and shutdown logic acts on
// it, for instance ending pm with ExitStatus for "exit".
type ActionRequest struct {
	Unit   string
	Action unit.EmergencyAction
	// ExitStatus is the status to exit with, or -1 for none.
	ExitStatus int
}

// Actions returns the channel of emergency actions units request.
func (m *Manager) Actions() <-chan ActionRequest { return m.actions }

func (m *Manager) requestAction(a unit.EmergencyAction, status int, name string) {
	select {
	case m.actions <- ActionRequest{Unit: name, Action: a, ExitStatus: status}:
	default:
		m.log.Log(context.Background(), slog.LevelWarn, "emergency action dropped: nobody acts on them", "unit", name, "action", string(a))
	}
}
