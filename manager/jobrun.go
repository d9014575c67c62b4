package manager

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/pm-project/pm/unit"
)

// enqueue builds a transaction for a job on rec, checks it and installs its
// jobs (systemd's manager_add_job). It returns the anchor job.
func (l *loop) enqueue(typ JobType, rec *unitRec, mode unit.JobMode, manual bool) (*job, error) {
	if l.shutdown && typ != JobStop {
		return nil, ErrShuttingDown
	}
	if mode == unit.JobIsolate {
		if typ != JobStart {
			return nil, fmt.Errorf("%w: isolate is only valid for start", ErrJobNotApplicable)
		}
		if !rec.u.AllowIsolate {
			return nil, fmt.Errorf("unit %s: %w", rec.name, ErrNoIsolate)
		}
	}
	tr := &transaction{jobs: map[*unitRec]*tjob{}, mode: mode}
	ignoreReqs := mode == unit.JobIgnoreDependencies || mode == unit.JobIgnoreRequirements
	anchor, err := l.addJob(tr, typ, rec, nil, true, ignoreReqs)
	if err != nil {
		return nil, err
	}
	tr.anchor = anchor
	if mode == unit.JobIsolate {
		l.addIsolateJobs(tr)
	}
	tr.dropUnneeded()
	if mode != unit.JobIgnoreDependencies {
		if err := l.breakCycles(tr); err != nil {
			return nil, err
		}
	}
	if err := tr.checkDestructive(); err != nil {
		return nil, err
	}
	var anchorJob *job
	recs := make([]*unitRec, 0, len(tr.jobs))
	for r := range tr.jobs {
		recs = append(recs, r)
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].name < recs[j].name })
	for _, r := range recs {
		tj := tr.jobs[r]
		j := l.install(tj, mode)
		if mode == unit.JobIgnoreDependencies {
			j.ignoreOrder = true
		}
		if tj == tr.anchor {
			anchorJob = j
			j.manual = j.manual || manual
		}
	}
	return anchorJob, nil
}

// addIsolateJobs stops every unit the transaction does not start, except
// those with IgnoreOnIsolate=yes.
func (l *loop) addIsolateJobs(tr *transaction) {
	for n, rec := range l.units {
		if n != rec.name || rec.u.IgnoreOnIsolate {
			continue
		}
		if _, ok := tr.jobs[rec]; ok {
			continue
		}
		st := rec.activeState()
		if st == Inactive || st == Failed {
			continue
		}
		if _, err := l.addJob(tr, JobStop, rec, tr.anchor, false, false); err != nil {
			l.log.Debug("cannot add isolate job, ignoring", "unit", rec.name, "err", err)
		}
	}
}

// install puts a transaction's job on its unit, merging with or replacing
// the job already queued there.
func (l *loop) install(tj *tjob, mode unit.JobMode) *job {
	rec := tj.rec
	if j := rec.job; j != nil {
		if merged, ok := jobTypeMerge(j.typ, tj.typ); ok {
			if merged != j.typ {
				j.typ = merged
				if j.state == jobRunning && merged != JobNop {
					// A running job whose type changed runs again.
					j.state = jobWaiting
				}
			}
			return j
		}
		l.finishJob(j, JobCanceled)
	}
	l.nextJobID++
	j := &job{id: l.nextJobID, rec: rec, typ: tj.typ, created: time.Now(),
		irreversible: mode == unit.JobReplaceIrreversibly}
	rec.job = j
	l.jobs[j.id] = j
	l.armJobTimeout(j)
	l.jobEvent(j, EventJobNew, "")
	l.runQueued = true
	return j
}

// runJobs runs every queued job that no other job holds back, until
// nothing changes (systemd's manager_dispatch_run_queue).
func (l *loop) runJobs() {
	for l.runQueued {
		l.runQueued = false
		ids := make([]uint32, 0, len(l.jobs))
		for id, j := range l.jobs {
			if j.state == jobWaiting {
				ids = append(ids, id)
			}
		}
		sort.Slice(ids, func(a, b int) bool { return ids[a] < ids[b] })
		for _, id := range ids {
			j, ok := l.jobs[id]
			if !ok || j.state != jobWaiting || j.mustWait() != nil {
				continue
			}
			l.runJob(j)
		}
	}
}

// runJob performs one job on its unit (systemd's job_run_and_invalidate).
func (l *loop) runJob(j *job) {
	rec := j.rec
	j.state = jobRunning
	l.jobEvent(j, EventJobChanged, "")
	if d := rec.u.JobRunningTimeoutSec; d != unit.Infinity && d > 0 && d != rec.u.JobTimeoutSec {
		l.armJobTimeout(j)
	}
	st := rec.activeState()
	switch j.typ {
	case JobNop:
		l.finishJob(j, JobDone)
	case JobVerifyActive:
		switch st {
		case Active, Reloading:
			l.finishJob(j, JobDone)
		case Activating:
			j.state = jobWaiting // -EAGAIN: wait for it to settle
		default:
			l.finishJob(j, JobSkipped)
		}
	case JobStart:
		if st == Active || st == Reloading {
			l.finishJob(j, JobDone)
			return
		}
		err := l.startRec(rec, j.manual)
		if r, ok := startResult(err); ok {
			l.finishJob(j, r)
			return
		}
		l.settleJob(rec)
	case JobStop, JobRestart:
		if st == Inactive || st == Failed {
			if j.typ == JobRestart {
				j.typ = JobStart
				j.state = jobWaiting
				l.runQueued = true
				return
			}
			l.finishJob(j, JobDone)
			return
		}
		if j.typ == JobRestart && rec.svc != nil {
			rec.svc.restarting = true
		}
		l.stopRec(rec, j.manual)
		l.settleJob(rec)
	case JobReload:
		if st != Active && st != Reloading {
			l.finishJob(j, JobInvalid)
			return
		}
		if err := l.reloadRec(rec); err != nil {
			l.finishJob(j, JobFailed)
			return
		}
		l.settleJob(rec)
	}
}

// startResult maps the error of starting a unit to a job result; ok is
// false when the start is under way.
func startResult(err error) (JobResult, bool) {
	var ae *assertError
	switch {
	case err == nil:
		return "", false
	case errors.Is(err, errConditionSkip):
		return JobDone, true
	case errors.As(err, &ae):
		return JobAssert, true
	case errors.Is(err, ErrUnsupported):
		return JobUnsupported, true
	}
	return JobFailed, true
}

// settleJob finishes the unit's running job if the unit reached the state
// the job wants (systemd's unit_process_job, run on every state change).
func (l *loop) settleJob(rec *unitRec) {
	j := rec.job
	if j == nil || j.state != jobRunning {
		return
	}
	st := rec.activeState()
	switch j.typ {
	case JobStart, JobVerifyActive:
		switch st {
		case Active, Reloading:
			l.finishJob(j, JobDone)
		case Inactive:
			l.finishJob(j, JobDone) // ran and ended with success (a oneshot)
		case Failed:
			l.finishJob(j, JobFailed)
		}
	case JobStop:
		if st == Inactive || st == Failed {
			l.finishJob(j, JobDone)
		}
	case JobRestart:
		if st == Inactive || st == Failed {
			j.typ = JobStart
			j.state = jobWaiting
			l.runQueued = true
		}
	case JobReload:
		if st == Active {
			if rec.svc != nil && rec.svc.reloadResult != ResultSuccess {
				l.finishJob(j, JobFailed)
			} else {
				l.finishJob(j, JobDone)
			}
		} else if st == Inactive || st == Failed {
			l.finishJob(j, JobFailed)
		}
	}
}

// finishJob removes a job with its result, fails the jobs that needed it,
// and wakes whoever waits for it.
func (l *loop) finishJob(j *job, r JobResult) {
	rec := j.rec
	if rec.job != j {
		return
	}
	rec.job = nil
	delete(l.jobs, j.id)
	j.timerGen++
	if j.timer != nil {
		j.timer.Stop()
	}
	for _, w := range j.waiters {
		// Delivered once the snapshot shows the job's outcome.
		l.results = append(l.results, jobResultFor{w, r})
	}
	l.jobEvent(j, EventJobRemoved, r)
	level := slog.LevelDebug
	if r != JobDone {
		level = slog.LevelInfo
	}
	l.log.Log(ctxBackground, level, "job finished", "unit", rec.name, "job", j.id, "type", j.typ.String(), "result", string(r))
	l.runQueued = true
	if j.typ.startLike() && r != JobDone {
		// Units that require this one cannot start either.
		rec.withAtom(atomPropagateStartFailure, func(o *unitRec) {
			if oj := o.job; oj != nil && oj.typ.startLike() {
				l.finishJob(oj, JobDependency)
			}
		})
	}
	if j.typ == JobStop && r != JobDone {
		rec.withAtom(atomPropagateStopFailure, func(o *unitRec) {
			if oj := o.job; oj != nil && oj.typ.startLike() {
				l.finishJob(oj, JobDependency)
			}
		})
	}
}

// armJobTimeout starts JobTimeoutSec= for a queued job, or
// JobRunningTimeoutSec= once it runs (the earlier deadline wins).
func (l *loop) armJobTimeout(j *job) {
	d := j.rec.u.JobTimeoutSec
	if j.state == jobRunning {
		d = j.rec.u.JobRunningTimeoutSec
		if j.timer != nil && j.created.Add(j.rec.u.JobTimeoutSec.Std()).Before(time.Now().Add(d.Std())) {
			return // the queued deadline comes first
		}
	}
	if d == unit.Infinity || d <= 0 {
		return
	}
	if j.timer != nil {
		j.timer.Stop()
	}
	j.timerGen++
	gen := j.timerGen
	m := l.m
	j.timer = time.AfterFunc(d.Std(), func() { m.post(evJobTimeout{j: j, gen: gen}) })
}

// jobTimedOut is JobTimeoutSec= elapsing: the job ends with "timeout" and
// JobTimeoutAction= runs.
func (l *loop) jobTimedOut(j *job) {
	if j.rec.job != j {
		return
	}
	l.log.Warn("job timed out", "unit", j.rec.name, "job", j.id, "type", j.typ.String())
	l.finishJob(j, JobTimeout)
	if a := j.rec.u.JobTimeoutAction; a != unit.ActionNone {
		l.emergencyAction(j.rec, actAction{action: a, exitStatus: -1, reason: "job timed out"})
	}
}

// cancelJob is systemctl cancel.
func (l *loop) cancelJob(id uint32) error {
	j, ok := l.jobs[id]
	if !ok {
		return fmt.Errorf("job %d: %w", id, ErrNoSuchJob)
	}
	l.finishJob(j, JobCanceled)
	return nil
}

// unitNotify runs what systemd's unit_notify does when a unit's active
// state changes from old to cur: the job, OnFailure=/OnSuccess=, BindsTo=,
// retroactive starts and stops, StopWhenUnneeded=, Upholds=.
func (l *loop) unitNotify(rec *unitRec, old, cur ActiveState) {
	// A change no job of ours asked for pulls in (or stops) what the unit
	// needs, as if it had been started (or stopped) by a job.
	unexpected := rec.job == nil
	l.settleJob(rec)
	up := func(a ActiveState) bool { return a == Active || a == Reloading }
	down := func(a ActiveState) bool { return a == Inactive || a == Failed }
	if up(cur) && !up(old) && unexpected {
		// Started without a job of ours: pull in what it needs.
		rec.withAtom(atomRetroactiveStartReplace, func(o *unitRec) { l.enqueueQuiet(JobStart, o, unit.JobReplace) })
		rec.withAtom(atomRetroactiveStartFail, func(o *unitRec) { l.enqueueQuiet(JobStart, o, unit.JobFail) })
		rec.withAtom(atomRetroactiveStopOnStart, func(o *unitRec) { l.enqueueQuiet(JobStop, o, unit.JobReplace) })
	}
	if down(cur) && !down(old) {
		// Units bound to this one go down with it.
		rec.withAtom(atomRetroactiveStopOnStop, func(o *unitRec) {
			if !down(o.activeState()) && (o.job == nil || o.job.typ != JobStop) {
				l.log.Info("unit is bound to a unit that went down, stopping it too", "unit", o.name, "bound_to", rec.name)
				l.enqueueQuiet(JobStop, o, unit.JobReplace)
			}
		})
		l.checkUnneeded(rec)
	}
	if cur == Failed && old != Failed {
		l.triggerList(rec, depOnFailure, rec.u.OnFailureJobMode, "OnFailure=")
	}
	if cur == Inactive && up(old) {
		l.triggerList(rec, depOnSuccess, rec.u.OnSuccessJobMode, "OnSuccess=")
	}
	if up(cur) {
		l.checkBindsTo(rec)
		rec.withAtom(atomStartSteadily, func(o *unitRec) {}) // (Upheld by others: handled below)
		for o := range rec.deps[depUpholds] {
			l.uphold(o)
		}
	}
	if down(cur) {
		// Units upholding this one start it again.
		for o := range rec.deps[depUpheldBy] {
			if up(o.activeState()) {
				l.uphold(rec)
				break
			}
		}
	}
}

// triggerList starts the OnFailure= or OnSuccess= units.
func (l *loop) triggerList(rec *unitRec, kind depKind, mode unit.JobMode, what string) {
	for o := range rec.deps[kind] {
		if _, err := l.enqueue(JobStart, o, mode, false); err != nil {
			l.log.Warn("failed to enqueue "+what+" job", "unit", rec.name, "trigger", o.name, "err", err)
		}
	}
}

// checkBindsTo stops a unit that is up while a unit it is bound to is not
// (systemd's unit_check_binds_to).
func (l *loop) checkBindsTo(rec *unitRec) {
	if rec.job != nil && rec.job.typ == JobStop {
		return
	}
	for o := range rec.deps[depBindsTo] {
		st := o.activeState()
		if (st == Inactive || st == Failed) && o.job == nil {
			l.log.Info("unit is bound to an inactive unit, stopping it too", "unit", rec.name, "bound_to", o.name)
			l.enqueueQuiet(JobStop, rec, unit.JobFail)
			return
		}
	}
}

// checkUnneeded stops the units with StopWhenUnneeded=yes that rec pinned
// and that nothing active needs anymore.
func (l *loop) checkUnneeded(rec *unitRec) {
	for k := depKind(0); k < numDepKinds; k++ {
		// The units rec pins are those with a pinning atom on their side.
		if atoms[k.inverse()]&atomPinsStopWhenUnneeded == 0 {
			continue
		}
		for o := range rec.deps[k] {
			if !o.u.StopWhenUnneeded || o.job != nil {
				continue
			}
			st := o.activeState()
			if st != Active && st != Activating && st != Reloading {
				continue
			}
			needed := false
			o.withAtom(atomPinsStopWhenUnneeded, func(p *unitRec) {
				ps := p.activeState()
				if ps == Active || ps == Activating || ps == Reloading || (p.job != nil && p.job.typ.startLike()) {
					needed = true
				}
			})
			if !needed {
				l.log.Info("unit not needed anymore, stopping", "unit", o.name)
				l.enqueueQuiet(JobStop, o, unit.JobFail)
			}
		}
	}
}

// uphold starts o if it is down and has no job (Upholds=).
func (l *loop) uphold(o *unitRec) {
	st := o.activeState()
	if (st == Inactive || st == Failed) && o.job == nil && o.u.LoadState == unit.LoadLoaded {
		l.log.Info("unit is upheld by another unit, starting it", "unit", o.name)
		l.enqueueQuiet(JobStart, o, unit.JobReplace)
	}
}

// enqueueQuiet enqueues a job the engine decided on, logging failures. A
// job that would change nothing is not queued.
func (l *loop) enqueueQuiet(t JobType, rec *unitRec, mode unit.JobMode) {
	st := rec.activeState()
	if rec.job == nil && (t == JobStop && (st == Inactive || st == Failed) || t == JobStart && (st == Active || st == Reloading)) {
		return
	}
	if _, err := l.enqueue(t, rec, mode, false); err != nil {
		l.log.Debug("cannot enqueue job", "unit", rec.name, "job", t.String(), "err", err)
	}
}

// jobList returns the queued jobs by id.
func (l *loop) jobList() []JobInfo {
	out := make([]JobInfo, 0, len(l.jobs))
	for _, j := range l.jobs {
		out = append(out, j.info())
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out
}

// ctxBackground is the context of the loop's log calls.
var ctxBackground = context.Background()

// jobEvent tells subscribers about a job.
func (l *loop) jobEvent(j *job, kind EventKind, r JobResult) {
	l.outbox = append(l.outbox, Event{Kind: kind, Time: time.Now(), Unit: j.rec.name, Job: j.info(), JobResult: r})
	l.dirtyJobs = true
	l.dirty[j.rec] = true // its status shows the job
}
