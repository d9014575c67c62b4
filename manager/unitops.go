package manager

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"

	"golang.org/x/sys/unix"

	"github.com/pm-project/pm/unit"
)

// usable checks that a unit can be acted on.
func usable(rec *unitRec) error {
	switch rec.u.LoadState {
	case unit.LoadLoaded:
	case unit.LoadMasked:
		return fmt.Errorf("unit %s: %w", rec.name, ErrUnitMasked)
	case unit.LoadNotFound:
		return fmt.Errorf("unit %s: %w", rec.name, ErrNoSuchUnit)
	default:
		return fmt.Errorf("unit %s: %w: %s", rec.name, ErrBadSetting, rec.u.LoadError)
	}
	if rec.svc == nil {
		return fmt.Errorf("unit %s: %w", rec.name, ErrUnsupported)
	}
	return nil
}

func (l *loop) startByName(name string, manual bool) error {
	rec, err := l.lookup(name)
	if err != nil {
		return fmt.Errorf("unit %s: %w", name, err)
	}
	return l.startUnit(rec, manual)
}

// startUnit is systemd's unit_start for services: conditions, asserts, the
// start rate limit, then the service's own start.
func (l *loop) startUnit(rec *unitRec, manual bool) error {
	if l.shutdown {
		return ErrShuttingDown
	}
	if err := usable(rec); err != nil {
		return err
	}
	if manual && rec.u.RefuseManualStart {
		return fmt.Errorf("unit %s: %w", rec.name, ErrRefused)
	}
	s := rec.svc
	st := s.state.Active()
	if st == Active || st == Reloading {
		return nil
	}
	if s.state.isStopping() || s.state == StateAutoRestart {
		// Like a queued start job: run once the service is down.
		rec.pendingStart = true
		return nil
	}
	if st != Activating {
		now := time.Now()
		rec.condAt = now
		ok, failed := l.checkConditions(rec, rec.u.Conditions, false)
		rec.condResult, rec.condFailed = ok, failed
		if !ok {
			l.log.Info("condition check resulted in unit being skipped", "unit", rec.name, "condition", failed)
			l.dirty[rec] = true
			return nil
		}
		ok, failed = l.checkConditions(rec, rec.u.Asserts, true)
		rec.assertResult = ok
		if !ok {
			l.log.Warn("assertion failed", "unit", rec.name, "assert", failed)
			l.dirty[rec] = true
			return fmt.Errorf("unit %s: assertion failed: %s", rec.name, failed)
		}
	}
	if manual && s.result == ResultStartLimitHit {
		// pm resets the limit on a manual start (systemd needs
		// reset-failed first).
		rec.startLimit.reset()
	}
	if !rec.startLimit.allow(time.Now()) {
		l.log.Warn("start request repeated too quickly", "unit", rec.name)
		// systemd 252 keeps the result of the last run when a restart hits
		// the limit; pm reports start-limit-hit, which says why the unit
		// stays down.
		l.step(rec, func(s *svc) {
			s.result = ResultSuccess
			s.enterDead(ResultStartLimitHit, false)
		})
		if a := rec.u.StartLimitAction; a != unit.ActionNone {
			l.emergencyAction(rec, actAction{action: a, exitStatus: -1, reason: "start limit hit"})
		}
		return fmt.Errorf("unit %s: %w", rec.name, ErrStartLimit)
	}
	if manual {
		rec.manualStop = false
	}
	rec.everStarted = true
	rec.starts++
	rec.invocationID = newInvocationID()
	var err error
	l.step(rec, func(s *svc) { err = s.start() })
	if err == errAgain {
		rec.pendingStart = true
		return nil
	}
	return err
}

func (l *loop) stopByName(name string, manual bool) error {
	rec, err := l.lookup(name)
	if err != nil {
		return fmt.Errorf("unit %s: %w", name, err)
	}
	if rec.svc == nil {
		return nil
	}
	if manual && rec.u.RefuseManualStop {
		return fmt.Errorf("unit %s: %w", rec.name, ErrRefused)
	}
	l.stopUnit(rec, manual)
	return nil
}

func (l *loop) stopUnit(rec *unitRec, manual bool) {
	rec.pendingStart = false
	if manual {
		rec.manualStop = true
	}
	l.step(rec, func(s *svc) { s.stop() })
}

// restartByName stops the service (with RestartKillSignal=) if it runs and
// starts it again once it is down.
func (l *loop) restartByName(name string) error {
	rec, err := l.lookup(name)
	if err != nil {
		return fmt.Errorf("unit %s: %w", name, err)
	}
	if err := usable(rec); err != nil {
		return err
	}
	if rec.u.RefuseManualStart || rec.u.RefuseManualStop {
		return fmt.Errorf("unit %s: %w", rec.name, ErrRefused)
	}
	s := rec.svc
	if s.state == StateDead || s.state == StateFailed {
		return l.startUnit(rec, true)
	}
	s.restarting = true
	l.step(rec, func(s *svc) { s.stop() })
	rec.pendingStart = true
	if st := s.state.Active(); st == Inactive || st == Failed {
		rec.pendingStart = false
		return l.startUnit(rec, true)
	}
	return nil
}

func (l *loop) reloadByName(name string) error {
	rec, err := l.lookup(name)
	if err != nil {
		return fmt.Errorf("unit %s: %w", name, err)
	}
	if err := usable(rec); err != nil {
		return err
	}
	if len(rec.u.Service.ExecReload) == 0 {
		return fmt.Errorf("unit %s: %w", rec.name, ErrNoReload)
	}
	if st := rec.svc.state; st != StateRunning && st != StateExited {
		return fmt.Errorf("unit %s: %w", rec.name, ErrNotActive)
	}
	l.step(rec, func(s *svc) { s.reload() })
	return nil
}

// killByName is systemctl kill: sig to the main process, the control
// process, or all processes of the unit.
func (l *loop) killByName(name, who string, sig int) error {
	rec, err := l.lookup(name)
	if err != nil {
		return fmt.Errorf("unit %s: %w", name, err)
	}
	if rec.svc == nil {
		return fmt.Errorf("unit %s: %w", name, ErrUnsupported)
	}
	s := rec.svc
	var pids []int
	switch who {
	case "main":
		if s.mainPID <= 0 {
			return fmt.Errorf("unit %s: no main process to kill", name)
		}
		pids = []int{s.mainPID}
	case "control":
		if s.controlPID <= 0 {
			return fmt.Errorf("unit %s: no control process to kill", name)
		}
		pids = []int{s.controlPID}
	case "all", "":
		pids = l.scanGroup(rec)
		for _, p := range []int{s.mainPID, s.controlPID} {
			if p > 0 && !containsInt(pids, p) {
				pids = append(pids, p)
			}
		}
	default:
		return fmt.Errorf("kill whom %q: want main, control or all", who)
	}
	for _, pid := range pids {
		if err := unix.Kill(pid, unix.Signal(sig)); err != nil && err != unix.ESRCH {
			return fmt.Errorf("kill %d: %w", pid, err)
		}
	}
	return nil
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// resetFailed is systemctl reset-failed.
func (l *loop) resetFailed(name string) error {
	reset := func(rec *unitRec) {
		rec.startLimit.reset()
		if rec.svc != nil && rec.svc.state == StateFailed {
			rec.svc.result = ResultSuccess
			rec.svc.setState(StateDead)
			rec.svc.take()
		}
		if rec.svc != nil {
			rec.svc.result = ResultSuccess
			rec.svc.nRestarts = 0
		}
		l.changed(rec)
	}
	if name == "" {
		for n, rec := range l.units {
			if n == rec.name {
				reset(rec)
			}
		}
		return nil
	}
	rec, err := l.lookup(name)
	if err != nil {
		return fmt.Errorf("unit %s: %w", name, err)
	}
	reset(rec)
	return nil
}

// autoRestart runs when RestartSec= elapsed: a restart job, as systemd
// enqueues one.
func (l *loop) autoRestart(rec *unitRec) {
	s := rec.svc
	s.nRestarts++
	s.flushNRestarts = false
	l.log.Info("scheduled restart job", "unit", rec.name, "restart_counter", s.nRestarts)
	s.setState(StateDead)
	if err := l.startUnit(rec, false); err != nil {
		l.log.Warn("automatic restart failed", "unit", rec.name, "err", err)
	}
}

// cleanupDead removes what a stopped service leaves: its runtime
// directories (unless preserved) and the PID file.
func (l *loop) cleanupDead(rec *unitRec, restarting bool) {
	l.dropOutputs(rec)
	clear(rec.sessions)
	for pid := range rec.members {
		if l.pids[pid] == rec && !pidAlive(pid) {
			delete(l.pids, pid)
		}
	}
	clear(rec.members)
	l.removeServiceFiles(rec, restarting)
}

func (l *loop) dropOutputs(rec *unitRec) {
	clear(rec.outputs)
}

// emergencyAction acts on FailureAction= and friends. pm cannot reboot or
// power off; exit and exit-force end pm (the boot part of pm acts on the
// request).
func (l *loop) emergencyAction(rec *unitRec, a actAction) {
	l.log.Log(context.Background(), slog.LevelWarn, "emergency action requested", "unit", rec.name, "action", string(a.action), "reason", a.reason, "exit_status", a.exitStatus)
	l.m.requestAction(a.action, a.exitStatus, rec.name)
}

// newInvocationID returns a random 128-bit id in hex, as $INVOCATION_ID.
func newInvocationID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
