package manager

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/pm-project/pm/unit"
)

// Errors of transactions; they wrap these so front ends map them to
// systemd's D-Bus errors and systemctl's messages.
var (
	// ErrTransactionCycle: the ordering of the jobs has a cycle that no
	// job could be dropped from.
	ErrTransactionCycle = errors.New("transaction order is cyclic")
	// ErrDestructive: mode "fail" and the transaction would cancel a
	// queued job.
	ErrDestructive = errors.New("transaction is destructive")
	// ErrConflictingJobs: the transaction needs two jobs of types that
	// cannot merge on one unit.
	ErrConflictingJobs = errors.New("transaction contains conflicting jobs")
	// ErrJobNotApplicable: the job type makes no sense for the unit.
	ErrJobNotApplicable = errors.New("job type not applicable")
	// ErrNoIsolate: isolating to a unit without AllowIsolate=yes.
	ErrNoIsolate = errors.New("operation refused, unit may not be isolated")
)

// transaction collects the jobs one request needs before they are
// installed (systemd's Transaction, simplified: one job per unit).
type transaction struct {
	jobs   map[*unitRec]*tjob
	anchor *tjob
	mode   unit.JobMode
}

// tjob is a job in a transaction.
type tjob struct {
	rec *unitRec
	typ JobType
	// matters: the anchor needs this job (it was pulled in by requirement
	// dependencies only); a job that does not matter may be dropped to
	// break an ordering cycle.
	matters bool
	// pulledBy lists the jobs that pulled this one in.
	pulledBy []*tjob
}

// addJob adds a job for rec and, recursively, the jobs its dependencies
// need (systemd's transaction_add_job_and_dependencies).
func (l *loop) addJob(tr *transaction, typ JobType, rec *unitRec, by *tjob, matters, ignoreReqs bool) (*tjob, error) {
	if typ != JobStop {
		if err := loadedForJob(rec); err != nil {
			return nil, err
		}
	}
	typ = jobTypeCollapse(typ, isActiveOrActivating(rec))
	if err := applicable(rec, typ); err != nil {
		return nil, err
	}
	tj, existed := tr.jobs[rec]
	if existed {
		merged, ok := jobTypeMerge(tj.typ, typ)
		if !ok {
			// One of two conflicting jobs may go if the anchor does not
			// need it, as systemd's transaction_merge_jobs drops it.
			switch {
			case !tj.matters && tj != tr.anchor:
				tj.typ = typ
			case !matters:
				return tj, nil
			default:
				return nil, fmt.Errorf("%w: %s/%s and %s/%s", ErrConflictingJobs, rec.name, tj.typ, rec.name, typ)
			}
		} else {
			tj.typ = merged
		}
		tj.matters = tj.matters || matters
		if by != nil {
			tj.pulledBy = append(tj.pulledBy, by)
		}
		return tj, nil
	}
	tj = &tjob{rec: rec, typ: typ, matters: matters}
	if by != nil {
		tj.pulledBy = append(tj.pulledBy, by)
	}
	tr.jobs[rec] = tj
	if ignoreReqs {
		return tj, nil
	}
	pull := func(at atom, t JobType, mat bool, ignoreErr bool) error {
		var first error
		rec.withAtom(at, func(o *unitRec) {
			if first != nil {
				return
			}
			if _, err := l.addJob(tr, t, o, tj, mat, false); err != nil {
				if ignoreErr {
					l.log.Debug("cannot add dependency job, ignoring", "unit", rec.name, "dependency", o.name, "err", err)
					return
				}
				first = fmt.Errorf("%s: %w", o.name, err)
			}
		})
		return first
	}
	if typ == JobStart || typ == JobRestart {
		if err := pull(atomPullInStart, JobStart, matters, !matters); err != nil {
			return nil, err
		}
		if err := pull(atomPullInStartIgnored, JobStart, false, true); err != nil {
			return nil, err
		}
		if err := pull(atomPullInVerify, JobVerifyActive, matters, !matters); err != nil {
			return nil, err
		}
		if err := pull(atomPullInStop, JobStop, matters, !matters); err != nil {
			return nil, err
		}
		if err := pull(atomPullInStopIgnored, JobStop, false, true); err != nil {
			return nil, err
		}
	}
	if typ == JobStop || typ == JobRestart {
		at, pt := atomPropagateStop, JobStop
		if typ == JobRestart {
			at, pt = atomPropagateRestart, JobTryRestart
		}
		if err := pull(at, pt, true, false); err != nil {
			return nil, err
		}
	}
	if typ == JobReload {
		if err := pull(atomPropagatesReloadTo, JobTryReload, false, true); err != nil {
			return nil, err
		}
	}
	return tj, nil
}

// loadedForJob refuses jobs on units that cannot run.
func loadedForJob(rec *unitRec) error {
	switch rec.u.LoadState {
	case unit.LoadLoaded:
		return nil
	case unit.LoadNotFound:
		return fmt.Errorf("unit %s not found: %w", rec.name, ErrNoSuchUnit)
	case unit.LoadMasked:
		return fmt.Errorf("unit %s is masked: %w", rec.name, ErrUnitMasked)
	}
	return fmt.Errorf("unit %s has a bad unit file setting: %w", rec.name, ErrBadSetting)
}

// applicable is systemd's job_type_is_applicable.
func applicable(rec *unitRec, t JobType) error {
	switch t {
	case JobReload:
		if !rec.canReload() {
			return fmt.Errorf("%w: job type reload is not applicable for unit %s", ErrJobNotApplicable, rec.name)
		}
	case JobStart, JobRestart:
		if rec.u.Type == unit.TypeDevice || rec.u.Type == unit.TypeScope {
			return fmt.Errorf("%w: job type %s is not applicable for unit %s", ErrJobNotApplicable, t, rec.name)
		}
	}
	return nil
}

// dropUnneeded removes jobs that change nothing and that the anchor does
// not need for ordering: a start job for an active unit, a stop job for an
// inactive one (systemd's transaction_drop_redundant).
func (tr *transaction) dropUnneeded() {
	for rec, tj := range tr.jobs {
		if tj == tr.anchor || rec.job != nil {
			continue
		}
		st := rec.activeState()
		redundant := (tj.typ == JobStart || tj.typ == JobVerifyActive) && (st == Active || st == Reloading) ||
			tj.typ == JobStop && (st == Inactive || st == Failed) ||
			tj.typ == JobNop
		if redundant {
			delete(tr.jobs, rec)
		}
	}
}

// findCycle looks for an ordering cycle among the transaction's jobs and
// the installed ones: a job waits for the jobs of units it is ordered
// after (stop jobs in reverse). It returns the units on the cycle.
func (l *loop) findCycle(tr *transaction) []*unitRec {
	typeOf := func(rec *unitRec) (JobType, bool) {
		if tj, ok := tr.jobs[rec]; ok {
			return tj.typ, true
		}
		if rec.job != nil {
			return rec.job.typ, true
		}
		return 0, false
	}
	// edges(a) are the units whose jobs a's job waits for.
	edges := func(a *unitRec) []*unitRec {
		at, ok := typeOf(a)
		if !ok || at == JobNop {
			return nil
		}
		var out []*unitRec
		stopping := at == JobStop || at == JobRestart
		if !stopping {
			for o := range a.deps[depAfter] {
				if ot, ok := typeOf(o); ok && ot != JobNop {
					out = append(out, o)
				}
			}
		}
		for o := range a.deps[depBefore] {
			if ot, ok := typeOf(o); ok && (ot == JobStop || ot == JobRestart) {
				out = append(out, o)
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
		return out
	}
	const (
		white = iota
		grey
		black
	)
	color := map[*unitRec]int{}
	var stack []*unitRec
	var cycle []*unitRec
	var visit func(a *unitRec) bool
	visit = func(a *unitRec) bool {
		color[a] = grey
		stack = append(stack, a)
		for _, b := range edges(a) {
			switch color[b] {
			case grey:
				for i := len(stack) - 1; i >= 0; i-- {
					cycle = append(cycle, stack[i])
					if stack[i] == b {
						break
					}
				}
				return true
			case white:
				if visit(b) {
					return true
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[a] = black
		return false
	}
	recs := make([]*unitRec, 0, len(tr.jobs))
	for rec := range tr.jobs {
		recs = append(recs, rec)
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].name < recs[j].name })
	for _, rec := range recs {
		if color[rec] == white && visit(rec) {
			return cycle
		}
	}
	return nil
}

// breakCycles drops jobs the anchor does not need until the ordering has
// no cycle, logging each cycle as systemd does. A cycle made only of jobs
// that matter fails the transaction.
func (l *loop) breakCycles(tr *transaction) error {
	for {
		cycle := l.findCycle(tr)
		if cycle == nil {
			return nil
		}
		names := make([]string, len(cycle))
		for i, r := range cycle {
			names[i] = r.name
		}
		var drop *unitRec
		for _, r := range cycle {
			if tj, ok := tr.jobs[r]; ok && !tj.matters && tj != tr.anchor {
				drop = r
				break
			}
		}
		l.log.Warn("found ordering cycle", "units", strings.Join(names, " → "))
		if drop == nil {
			return fmt.Errorf("%w: %s", ErrTransactionCycle, strings.Join(names, ", "))
		}
		l.log.Warn("breaking ordering cycle by deleting job", "unit", drop.name, "job", tr.jobs[drop].typ.String())
		l.deleteTJob(tr, drop)
	}
}

// deleteTJob removes a job and the jobs that only it pulled in.
func (l *loop) deleteTJob(tr *transaction, rec *unitRec) {
	gone := tr.jobs[rec]
	delete(tr.jobs, rec)
	changed := true
	for changed {
		changed = false
		for r, tj := range tr.jobs {
			if tj == tr.anchor || len(tj.pulledBy) == 0 {
				continue
			}
			alive := false
			for _, p := range tj.pulledBy {
				if p != gone {
					if _, ok := tr.jobs[p.rec]; ok && tr.jobs[p.rec] == p {
						alive = true
						break
					}
				}
			}
			if !alive {
				delete(tr.jobs, r)
				changed = true
			}
		}
	}
}

// checkDestructive refuses, in mode "fail", a transaction that would
// replace a queued job it cannot merge with, and in every mode one that
// would replace an irreversible job.
func (tr *transaction) checkDestructive() error {
	for rec, tj := range tr.jobs {
		j := rec.job
		if j == nil {
			continue
		}
		if _, ok := jobTypeMerge(j.typ, tj.typ); ok {
			continue
		}
		if tr.mode == unit.JobFail || j.irreversible {
			return fmt.Errorf("%w: transaction for %s/%s is destructive (%s has '%s' job queued, but '%s' is included in transaction)",
				ErrDestructive, tr.anchor.rec.name, tr.anchor.typ, rec.name, j.typ, tj.typ)
		}
	}
	return nil
}
