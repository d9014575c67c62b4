package manager

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"golang.org/x/sys/unix"

	"github.com/pm-project/pm/unit"
)

// errConditionSkip is a start that a failed condition skipped; the job
// still succeeds, as in systemd.
var errConditionSkip = errors.New("condition failed, unit skipped")

// assertError is a start refused by a failed Assert*=.
type assertError struct{ unit, assert string }

func (e *assertError) Error() string {
	return fmt.Sprintf("unit %s: assertion failed: %s", e.unit, e.assert)
}

// startRec starts a unit the way a start job does (systemd's unit_start):
// conditions, asserts, the start rate limit, then the unit's own start.
// Units without processes (targets, and types pm does not run) are active
// at once.
func (l *loop) startRec(rec *unitRec, manual bool) error {
	if err := loadedForJob(rec); err != nil {
		return err
	}
	st := rec.activeState()
	if st == Active || st == Reloading {
		return nil
	}
	if rec.svc != nil && (rec.svc.state.isStopping() || rec.svc.state == StateAutoRestart) {
		return errAgain
	}
	if st != Activating {
		rec.condAt = time.Now()
		ok, failed := l.checkConditions(rec, rec.u.Conditions, false)
		rec.condResult, rec.condFailed = ok, failed
		if !ok {
			l.log.Info("condition check resulted in unit being skipped", "unit", rec.name, "condition", failed)
			l.dirty[rec] = true
			return errConditionSkip
		}
		ok, failed = l.checkConditions(rec, rec.u.Asserts, true)
		rec.assertResult = ok
		if !ok {
			l.log.Warn("assertion failed", "unit", rec.name, "assert", failed)
			l.dirty[rec] = true
			return &assertError{unit: rec.name, assert: failed}
		}
	}
	if rec.svc == nil {
		if !rec.u.Type.Supported() && !rec.warnedUnsupported {
			rec.warnedUnsupported = true
			l.log.Info("pm does not run units of this type; treating it as active", "unit", rec.name, "type", string(rec.u.Type))
		}
		rec.plain = Active
		l.changed(rec)
		return nil
	}
	s := rec.svc
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
	return err
}

// stopRec stops a unit the way a stop job does.
func (l *loop) stopRec(rec *unitRec, manual bool) {
	if manual {
		rec.manualStop = true
	}
	if rec.svc == nil {
		if rec.plain != Inactive && rec.plain != "" {
			rec.plain = Inactive
			l.changed(rec)
		}
		return
	}
	l.step(rec, func(s *svc) { s.stop() })
}

// reloadRec reloads a service (ExecReload=).
func (l *loop) reloadRec(rec *unitRec) error {
	if !rec.canReload() {
		return fmt.Errorf("unit %s: %w", rec.name, ErrNoReload)
	}
	if st := rec.svc.state; st != StateRunning && st != StateExited {
		return fmt.Errorf("unit %s: %w", rec.name, ErrNotActive)
	}
	l.step(rec, func(s *svc) { s.reload() })
	return nil
}

// request enqueues a job asked for from outside: RefuseManualStart= and
// RefuseManualStop= apply.
func (l *loop) request(name string, typ JobType, mode unit.JobMode) (*job, error) {
	rec, err := l.lookup(name)
	if err != nil {
		return nil, fmt.Errorf("unit %s: %w", name, err)
	}
	if rec.deleting {
		return nil, fmt.Errorf("unit %s is being deleted: %w", rec.name, ErrNoSuchUnit)
	}
	switch typ {
	case JobStart, JobRestart, JobTryRestart, JobReloadOrStart:
		if rec.u.RefuseManualStart {
			return nil, fmt.Errorf("unit %s: %w", rec.name, ErrRefused)
		}
	}
	switch typ {
	case JobStop, JobRestart, JobTryRestart, JobReloadOrStart:
		if rec.u.RefuseManualStop && typ == JobStop {
			return nil, fmt.Errorf("unit %s: %w", rec.name, ErrRefused)
		}
	}
	if typ == JobReload && rec.u.LoadState == unit.LoadLoaded && !rec.canReload() {
		return nil, fmt.Errorf("unit %s: %w", rec.name, ErrNoReload)
	}
	if typ == JobStop && rec.u.LoadState != unit.LoadLoaded && rec.activeState() == Inactive {
		if rec.u.LoadState == unit.LoadNotFound {
			return nil, fmt.Errorf("unit %s: %w", name, ErrNoSuchUnit)
		}
	}
	j, err := l.enqueue(typ, rec, mode, true)
	if err != nil {
		return nil, err
	}
	if j == nil {
		return nil, nil
	}
	if typ == JobStop {
		rec.manualStop = true
	}
	return j, nil
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
	s.take()
	// systemd enqueues a restart job here, which also restarts the units
	// bound to this one.
	if _, err := l.enqueue(JobRestart, rec, unit.JobReplace, false); err != nil {
		l.log.Warn("failed to schedule restart job", "unit", rec.name, "err", err)
		l.step(rec, func(s *svc) { s.enterDead(ResultResources, false) })
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
