package manager

import (
	"context"
	"time"

	"github.com/pm-project/pm/unit"
)

// unitRec is the loop's record of one unit.
type unitRec struct {
	name  string
	names []string
	u     *unit.Unit
	svc   *svc // nil for units that are not services
	l     *loop
	// plain is the state of a unit without processes (targets, and the
	// types pm does not run, which it treats as always startable).
	plain ActiveState
	deps  deps
	job   *job

	timer    *time.Timer
	timerGen uint64
	wd       *time.Timer
	wdGen    uint64

	pidWatch    *pidWatch // the PID file awaited, if any
	pidWatchGen uint64

	// members are the processes known to belong to the unit; sessions
	// are the session ids of the processes pm started for it (each is
	// started in its own session), which find their descendants.
	members  map[int]struct{}
	sessions map[int]struct{}
	outputs  map[int]*outputPipe

	startLimit        rateLimit
	starts            uint64
	everStarted       bool
	manualStop        bool
	invocationID      string
	warnedUnsupported bool
	// deleting: Delete is removing the unit's file; it takes no jobs.
	deleting bool
	uuid     string

	condResult    bool
	assertResult  bool
	condFailed    string
	condAt        time.Time
	created       time.Time
	stateChange   time.Time
	inactiveExit  time.Time
	activeEnter   time.Time
	activeExit    time.Time
	inactiveEnter time.Time
	runningSince  time.Time
	execMain      ProcessStatus
	lastActive    ActiveState
	lastSub       string
	files         []fileStamp // the unit's files as loaded
}

func newUnitRec(u *unit.Unit, l *loop) *unitRec {
	now := time.Now()
	rec := &unitRec{
		name:         u.Name,
		names:        u.Names,
		u:            u,
		l:            l,
		members:      map[int]struct{}{},
		sessions:     map[int]struct{}{},
		outputs:      map[int]*outputPipe{},
		startLimit:   rateLimit{interval: u.StartLimitIntervalSec.Std(), burst: u.StartLimitBurst},
		condResult:   true,
		assertResult: true,
		created:      now,
		lastActive:   Inactive,
	}
	if len(rec.names) == 0 {
		rec.names = []string{u.Name}
	}
	rec.files = fingerprint(u)
	rec.uuid = unitUUID(u)
	if u.Service != nil && u.LoadState == unit.LoadLoaded {
		rec.svc = newSvc(u, rec)
	}
	if rec.svc == nil && u.Type != unit.TypeTarget && u.LoadState == unit.LoadLoaded && u.Type.Known() &&
		(u.Type == unit.TypeSlice || u.Type == unit.TypeDevice || u.Type == unit.TypeMount) {
		// Slices, devices and mounts exist before pm runs anything.
		rec.plain = Active
	}
	return rec
}

func (r *unitRec) activeState() ActiveState {
	if r.svc != nil {
		return r.svc.state.Active()
	}
	if r.plain == "" {
		return Inactive
	}
	return r.plain
}

func (r *unitRec) subState() string {
	if r.svc != nil {
		return string(r.svc.state)
	}
	if r.activeState() == Active {
		return "active"
	}
	return "dead"
}

// canReload reports whether the unit supports reloading.
func (r *unitRec) canReload() bool {
	return r.svc != nil && len(r.u.Service.ExecReload) > 0
}

// isActiveOrActivating is systemd's UNIT_IS_ACTIVE_OR_ACTIVATING.
func isActiveOrActivating(r *unitRec) bool {
	switch r.activeState() {
	case Active, Reloading, Activating:
		return true
	}
	return false
}

// step runs one transition of the service machine and performs the
// actions it produced, feeding back the outcome of spawns and kills.
func (l *loop) step(rec *unitRec, f func(s *svc)) {
	s := rec.svc
	f(s)
	for {
		acts := s.take()
		if len(acts) == 0 {
			break
		}
		for _, a := range acts {
			l.perform(rec, a)
		}
	}
	l.changed(rec)
}

// perform carries out one action of the machine.
func (l *loop) perform(rec *unitRec, a action) {
	s := rec.svc
	switch a := a.(type) {
	case actSpawn:
		pid, err := l.spawn(rec, a)
		s.spawned(pid, err)
	case actKill:
		s.killed(l.killUnit(rec, a.op, a.main, a.control))
	case actKillControl:
		killAndCont(a.pid, 9)
	case actTimer:
		if a.d < 0 {
			rec.disarm()
		} else {
			rec.arm(a.d)
		}
	case actWatchdog:
		if a.d <= 0 {
			rec.disarmWatchdog()
		} else {
			rec.armWatchdog(a.d)
		}
	case actLog:
		l.log.Log(context.Background(), a.level, a.msg, append([]any{"unit", rec.name}, a.attrs...)...)
	case actDead:
		l.cleanupDead(rec, a.restarting)
	case actWatchPIDFile:
		if a.on {
			l.watchPIDFile(rec)
		} else {
			l.unwatchPIDFile(rec)
		}
	case actAutoRestart:
		l.autoRestart(rec)
	case actAction:
		l.emergencyAction(rec, a)
	}
}

// changed records a state change: timestamps, subscribers, the snapshot,
// and queued starts.
func (l *loop) changed(rec *unitRec) {
	l.dirty[rec] = true
	now := time.Now()
	old, cur := rec.lastActive, rec.activeState()
	if rec.svc != nil && rec.svc.state == StateRunning && rec.runningSince.IsZero() {
		rec.runningSince = now
	}
	if rec.svc != nil && rec.svc.state != StateRunning && rec.svc.state != StateReload {
		rec.runningSince = time.Time{}
	}
	if old == cur && !rec.subChanged() {
		l.settleJob(rec)
		return
	}
	rec.stateChange = now
	inactive := func(a ActiveState) bool { return a == Inactive || a == Failed }
	active := func(a ActiveState) bool { return a == Active || a == Reloading }
	if inactive(old) && !inactive(cur) {
		rec.inactiveExit = now
	}
	if !inactive(old) && inactive(cur) {
		rec.inactiveEnter = now
	}
	if !active(old) && active(cur) {
		rec.activeEnter = now
	}
	if active(old) && !active(cur) {
		rec.activeExit = now
	}
	rec.lastActive = cur
	ev := Event{Kind: EventUnit, Time: now, Unit: rec.name, ActiveState: cur, SubState: rec.subState(), MainPID: rec.mainPID()}
	if rec.svc != nil {
		ev.Result = rec.svc.result
	}
	l.outbox = append(l.outbox, ev)
	if old != cur {
		l.unitNotify(rec, old, cur)
	} else {
		l.settleJob(rec)
	}
	l.runQueued = true
}

// subChanged reports whether the sub-state changed since the last event,
// tracked through lastSub.
func (r *unitRec) subChanged() bool {
	cur := r.subState()
	if cur == r.lastSub {
		return false
	}
	r.lastSub = cur
	return true
}

func (r *unitRec) mainPID() int {
	if r.svc == nil {
		return 0
	}
	if r.svc.mainPID < 0 {
		return 0
	}
	return r.svc.mainPID
}

// status builds the published view of the unit.
func (r *unitRec) status() *UnitStatus {
	st := &UnitStatus{
		Name:               r.name,
		UUID:               r.uuid,
		Origin:             r.l.m.origin(r.u),
		Description:        r.u.Description,
		Type:               r.u.Type,
		LoadState:          r.u.LoadState,
		LoadError:          r.u.LoadError,
		ActiveState:        r.activeState(),
		SubState:           r.subState(),
		Result:             ResultSuccess,
		Starts:             r.starts,
		CreatedAt:          r.created,
		StateChangeAt:      r.stateChange,
		InactiveExitAt:     r.inactiveExit,
		ActiveEnterAt:      r.activeEnter,
		ActiveExitAt:       r.activeExit,
		InactiveEnterAt:    r.inactiveEnter,
		ConditionCheckedAt: r.condAt,
		ConditionResult:    r.condResult,
		AssertResult:       r.assertResult,
		FailedCondition:    r.condFailed,
		ExecMain:           r.execMain,
		Config:             r.u,
		files:              r.files,
	}
	if st.Description == "" {
		st.Description = r.name
	}
	if r.job != nil {
		info := r.job.info()
		st.Job = &info
	}
	if s := r.svc; s != nil {
		st.Result = s.result
		st.ReloadResult = s.reloadResult
		st.MainPID = r.mainPID()
		if s.controlPID > 0 {
			st.ControlPID = s.controlPID
		}
		st.NRestarts = s.nRestarts
		st.StatusText = s.statusText
		st.StatusErrno = s.statusErrno
		st.Simple = simpleState(s.state, s.result, r.everStarted, r.manualStop)
	} else {
		st.Simple = SimpleCreated
	}
	return st
}

// Timers post an event tagged with a generation; a stale one is ignored.

func (r *unitRec) arm(d time.Duration) {
	r.disarm()
	r.timerGen++
	gen := r.timerGen
	if d <= 0 {
		// Due now (RestartSec=0): no trip through the timer goroutine.
		r.l.raise(evTimer{rec: r, gen: gen})
		return
	}
	r.timer = time.AfterFunc(d, func() { r.l.m.post(evTimer{rec: r, gen: gen}) })
}

func (r *unitRec) disarm() {
	if r.timer != nil {
		r.timer.Stop()
		r.timer = nil
	}
	r.timerGen++
}

func (r *unitRec) armWatchdog(d time.Duration) {
	r.disarmWatchdog()
	r.wdGen++
	gen := r.wdGen
	r.wd = time.AfterFunc(d, func() { r.l.m.post(evWatchdog{rec: r, gen: gen}) })
}

func (r *unitRec) disarmWatchdog() {
	if r.wd != nil {
		r.wd.Stop()
		r.wd = nil
	}
	r.wdGen++
}
