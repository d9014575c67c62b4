package manager

import (
	"log/slog"
	"time"

	"github.com/pm-project/pm/unit"
)

// spawn queues the spawn of command index of kind; next is the state to
// enter once the process exists, onFail what to do if it cannot be
// started at all.
func (s *svc) spawn(kind execKind, index int, main bool, to time.Duration, next ServiceState, onFail func(*svc)) {
	a := actSpawn{kind: kind, index: index, main: main, timeout: to,
		setResult: kind == kindStop || kind == kindStopPost}
	s.pending = pendingOp{kind: pendingSpawn, spawn: a, next: next, onFail: onFail}
	s.emit(a)
}

// spawned is the loop's answer to actSpawn: the pid of the new process, or
// the error that kept it from starting. (A failure in the child before
// execve is not an error here: the loop reports the process, then its exit
// with systemd's status for the failed step, as for any other child.)
func (s *svc) spawned(pid int, err error) {
	p := s.pending
	s.pending = pendingOp{}
	if p.kind != pendingSpawn {
		return
	}
	a := p.spawn
	if err != nil {
		s.log(slog.LevelWarn, "failed to run '"+a.kind.String()+"' task", "err", err)
		if p.onFail != nil {
			p.onFail(s)
		}
		return
	}
	s.startedProcess(a, pid, p.next)
	if p.then != nil {
		p.then(s)
	}
}

func (s *svc) startedProcess(a actSpawn, pid int, next ServiceState) {
	if a.main {
		s.setMainPID(pid)
		s.mainKind, s.mainIndex = a.kind, a.index
	} else {
		s.controlPID = pid
		s.controlKind, s.controlIndex = a.kind, a.index
	}
	if next != "" && s.state != next {
		s.setState(next)
	}
	if a.timeout != 0 {
		s.emit(actTimer{d: a.timeout})
	}
}

// enterDead is service_enter_dead.
func (s *svc) enterDead(f Result, allowRestart bool) {
	s.setResult(f)
	end := StateDead
	switch s.result {
	case ResultSuccess:
		s.log(slog.LevelInfo, "deactivated successfully")
	case ResultExecCondition:
		s.log(slog.LevelInfo, "skipped due to 'exec-condition'")
	default:
		end = StateFailed
		s.log(slog.LevelWarn, "failed with result '"+string(s.result)+"'")
	}
	restart := false
	if allowRestart {
		var reason string
		restart, reason = shallRestart(s.cfg, s.result, s.mainExit, s.haveMainExit, s.forbidRestart)
		if restart {
			s.log(slog.LevelDebug, "service will restart", "reason", reason)
		} else {
			s.log(slog.LevelDebug, "service will not restart", "reason", reason)
		}
	}
	s.setState(end)
	s.emit(actDead{restarting: restart})
	// systemd runs FailureAction= and SuccessAction= whenever the unit
	// enters failed or inactive, also when it will be restarted.
	s.runActions()
	if restart {
		if !s.runningSince.IsZero() && backoffReset(s.cfg, s.facts.now().Sub(s.runningSince)) {
			s.backoffN = 0
		}
		s.runningSince = time.Time{}
		s.backoffN++
		s.emit(actTimer{d: restartDelay(s.cfg, s.backoffN)})
		s.setState(StateAutoRestart)
	} else {
		s.flushNRestarts = true
	}
	s.forbidRestart = false
	s.restarting = false
}

// runActions queues the emergency actions of a unit that went down for
// good: SuccessAction= or FailureAction=.
func (s *svc) runActions() {
	switch {
	case s.result == ResultSuccess && s.u.SuccessAction != unit.ActionNone:
		s.emit(actAction{action: s.u.SuccessAction, exitStatus: s.actionExitStatus(s.u.SuccessActionExitStatus), reason: "unit succeeded"})
	case s.result != ResultSuccess && s.result != ResultExecCondition && s.u.FailureAction != unit.ActionNone:
		s.emit(actAction{action: s.u.FailureAction, exitStatus: s.actionExitStatus(s.u.FailureActionExitStatus), reason: "unit failed"})
	}
}

// actionExitStatus is the status an exit action ends pm with: the one
// configured, else the main process's exit status, as systemd does.
func (s *svc) actionExitStatus(configured int) int {
	if configured >= 0 {
		return configured
	}
	if s.haveMainExit && s.mainExit.Code == exitExited {
		return s.mainExit.Status
	}
	return -1
}

// enterStopPost is service_enter_stop_post.
func (s *svc) enterStopPost(f Result) {
	s.setResult(f)
	s.controlPID = 0
	if len(s.cfg.ExecStopPost) > 0 {
		s.spawn(kindStopPost, 0, false, timeout(s.cfg.TimeoutStopSec), StateStopPost, func(s *svc) {
			s.enterSignal(StateFinalSigterm, ResultResources)
		})
		return
	}
	s.enterSignal(StateFinalSigterm, ResultSuccess)
}

func (s *svc) killOpFor(st ServiceState) killOp {
	switch st {
	case StateStopWatchdog, StateFinalWatchdog:
		return killWatchdog
	case StateStopSigterm:
		if s.restarting {
			return killRestart
		}
		return killTerminate
	case StateFinalSigterm:
		return killTerminate
	}
	return killKill
}

// enterSignal is service_enter_signal: signal the processes, then wait for
// them in state st, or move on if there is nothing to wait for.
func (s *svc) enterSignal(st ServiceState, f Result) {
	s.setResult(f)
	s.pending = pendingOp{kind: pendingKill, signalState: st}
	s.emit(actKill{op: s.killOpFor(st), main: s.mainPID, control: s.controlPID})
}

// killed is the loop's answer to actKill.
func (s *svc) killed(wait bool) {
	p := s.pending
	s.pending = pendingOp{}
	if p.kind != pendingKill {
		return
	}
	st := p.signalState
	if wait {
		d := s.cfg.TimeoutStopSec
		if st == StateStopWatchdog || st == StateFinalWatchdog {
			d = s.cfg.TimeoutAbortSec
		}
		s.emit(actTimer{d: timeout(d)})
		s.setState(st)
		return
	}
	sigkill := s.cfg.Kill.SendSIGKILL
	switch {
	case (st == StateStopWatchdog || st == StateStopSigterm) && sigkill:
		s.enterSignal(StateStopSigkill, ResultSuccess)
	case st == StateStopWatchdog || st == StateStopSigterm || st == StateStopSigkill:
		s.enterStopPost(ResultSuccess)
	case (st == StateFinalWatchdog || st == StateFinalSigterm) && sigkill:
		s.enterSignal(StateFinalSigkill, ResultSuccess)
	default:
		s.enterDead(ResultSuccess, true)
	}
}

// enterStopByNotify: the service said STOPPING=1, as if we had sent SIGTERM.
func (s *svc) enterStopByNotify() {
	s.emit(actTimer{d: timeout(s.cfg.TimeoutStopSec)})
	s.setState(StateStopSigterm)
}

// enterStop is service_enter_stop.
func (s *svc) enterStop(f Result) {
	s.setResult(f)
	s.controlPID = 0
	if len(s.cfg.ExecStop) > 0 {
		s.spawn(kindStop, 0, false, timeout(s.cfg.TimeoutStopSec), StateStop, func(s *svc) {
			s.enterSignal(StateStopSigterm, ResultResources)
		})
		return
	}
	s.enterSignal(StateStopSigterm, ResultSuccess)
}

// enterRunning is service_enter_running.
func (s *svc) enterRunning(f Result) {
	s.setResult(f)
	s.controlPID = 0
	switch {
	case s.result != ResultSuccess:
		s.enterSignal(StateStopSigterm, f)
	case s.good():
		switch s.notify {
		case notifyReloading:
			s.enterReloadByNotify()
		case notifyStopping:
			s.enterStopByNotify()
		default:
			s.setState(StateRunning)
			s.emit(actTimer{d: timeout(s.cfg.RuntimeMaxSec)})
		}
	case s.cfg.RemainAfterExit:
		s.setState(StateExited)
	default:
		s.enterStop(ResultSuccess)
	}
}

// enterStartPost is service_enter_start_post.
func (s *svc) enterStartPost() {
	s.controlPID = 0
	s.resetWatchdog()
	if len(s.cfg.ExecStartPost) > 0 {
		s.spawn(kindStartPost, 0, false, timeout(s.cfg.TimeoutStartSec), StateStartPost, func(s *svc) {
			s.enterStop(ResultResources)
		})
		return
	}
	s.enterRunning(ResultSuccess)
}

// enterStart is service_enter_start.
func (s *svc) enterStart() {
	s.controlPID = 0
	s.mainPID = 0
	if len(s.cfg.ExecStart) == 0 {
		if s.cfg.Type != unit.ServiceOneshot {
			s.log(slog.LevelError, "there's no 'start' task anymore we could start")
			s.enterSignal(StateStopSigterm, ResultResources)
			return
		}
		// A fake state transition, so that the unit is seen activating.
		s.setState(StateStart)
		s.enterStartPost()
		return
	}
	to := timeout(s.cfg.TimeoutStartSec)
	typ := s.cfg.Type
	// pm has no D-Bus activation: Type=dbus runs as Type=simple.
	simple := typ == unit.ServiceSimple || typ == unit.ServiceIdle || typ == unit.ServiceDBus
	next := StateStart
	if simple {
		to = 0    // the RuntimeMaxSec= timer is armed once running
		next = "" // enterStartPost follows at once
	}
	main := typ != unit.ServiceForking
	s.spawn(kindStart, 0, main, to, next, func(s *svc) {
		s.enterSignal(StateStopSigterm, ResultResources)
	})
	s.pending.then = (*svc).startSpawned
}

// startSpawned continues enterStart once the ExecStart= process exists.
func (s *svc) startSpawned() {
	switch s.cfg.Type {
	case unit.ServiceSimple, unit.ServiceIdle, unit.ServiceDBus:
		s.enterStartPost()
	case unit.ServiceExec:
		// The loop reports execve's outcome with execDone; a direct spawn
		// knows it already and reports at once.
	}
}

// enterStartPre is service_enter_start_pre.
func (s *svc) enterStartPre() {
	s.controlPID = 0
	if len(s.cfg.ExecStartPre) > 0 {
		s.spawn(kindStartPre, 0, false, timeout(s.cfg.TimeoutStartSec), StateStartPre, func(s *svc) {
			s.enterDead(ResultResources, true)
		})
		return
	}
	s.enterStart()
}

// enterCondition is service_enter_condition.
func (s *svc) enterCondition() {
	s.controlPID = 0
	if len(s.cfg.ExecCondition) > 0 {
		s.spawn(kindCondition, 0, false, timeout(s.cfg.TimeoutStartSec), StateCondition, func(s *svc) {
			s.enterDead(ResultResources, true)
		})
		return
	}
	s.enterStartPre()
}

// enterReloadByNotify: the service said RELOADING=1.
func (s *svc) enterReloadByNotify() {
	s.emit(actTimer{d: timeout(s.cfg.TimeoutStartSec)})
	s.setState(StateReload)
}

// enterReload is service_enter_reload.
func (s *svc) enterReload() {
	s.controlPID = 0
	s.reloadResult = ResultSuccess
	if len(s.cfg.ExecReload) > 0 {
		s.spawn(kindReload, 0, false, timeout(s.cfg.TimeoutStartSec), StateReload, func(s *svc) {
			s.reloadResult = ResultResources
			s.enterRunning(ResultSuccess)
		})
		return
	}
	s.enterRunning(ResultSuccess)
}

// runNextControl is service_run_next_control.
func (s *svc) runNextControl() {
	to := timeout(s.cfg.TimeoutStopSec)
	switch s.state {
	case StateCondition, StateStartPre, StateStart, StateStartPost, StateRunning, StateReload:
		to = timeout(s.cfg.TimeoutStartSec)
	}
	kind, idx := s.controlKind, s.controlIndex+1
	s.controlPID = 0
	st := s.state
	s.spawn(kind, idx, false, to, st, func(s *svc) {
		switch st {
		case StateCondition, StateStartPre, StateStartPost, StateStop:
			s.enterSignal(StateStopSigterm, ResultResources)
		case StateStopPost:
			s.enterDead(ResultResources, true)
		case StateReload:
			s.reloadResult = ResultResources
			s.enterRunning(ResultSuccess)
		default:
			s.enterStop(ResultResources)
		}
	})
}

// runNextMain is service_run_next_main (oneshot services with several
// ExecStart= lines).
func (s *svc) runNextMain() {
	idx := s.mainIndex + 1
	s.mainPID = 0
	s.spawn(kindStart, idx, true, timeout(s.cfg.TimeoutStartSec), s.state, func(s *svc) {
		s.enterStop(ResultResources)
	})
}
