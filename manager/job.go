package manager

import (
	"fmt"
	"time"
)

// JobType is the type of a job (systemd's JobType).
type JobType int

// Job types. TryRestart, TryReload and ReloadOrStart collapse into others
// when the job enters a transaction, depending on the unit's state.
const (
	JobStart JobType = iota
	JobVerifyActive
	JobStop
	JobReload
	JobRestart
	JobTryRestart
	JobTryReload
	JobReloadOrStart
	JobNop
)

var jobTypeNames = [...]string{"start", "verify-active", "stop", "reload", "restart", "try-restart", "try-reload", "reload-or-start", "nop"}

func (t JobType) String() string {
	if int(t) < len(jobTypeNames) {
		return jobTypeNames[t]
	}
	return fmt.Sprintf("jobtype(%d)", int(t))
}

// ParseJobType parses a job type by its systemd name; "reload-or-restart"
// is systemd's alias of reload-or-start.
func ParseJobType(s string) (JobType, error) {
	if s == "reload-or-restart" {
		return JobReloadOrStart, nil
	}
	for i, n := range jobTypeNames {
		if n == s {
			return JobType(i), nil
		}
	}
	return 0, fmt.Errorf("unknown job type %q", s)
}

// JobResult is how a job ended (systemd's JobResult).
type JobResult string

// Job results.
const (
	JobDone        JobResult = "done"
	JobCanceled    JobResult = "canceled"
	JobTimeout     JobResult = "timeout"
	JobFailed      JobResult = "failed"
	JobDependency  JobResult = "dependency"
	JobSkipped     JobResult = "skipped"
	JobInvalid     JobResult = "invalid"
	JobAssert      JobResult = "assert"
	JobUnsupported JobResult = "unsupported"
)

// jobState is whether a job waits for others or runs.
type jobState int

const (
	jobWaiting jobState = iota
	jobRunning
)

func (s jobState) String() string {
	if s == jobRunning {
		return "running"
	}
	return "waiting"
}

// job is an installed job: at most one per unit.
type job struct {
	id           uint32
	rec          *unitRec
	typ          JobType
	state        jobState
	irreversible bool
	ignoreOrder  bool
	created      time.Time
	timer        *time.Timer
	timerGen     uint64
	// waiters receive the result once the job ends.
	waiters []chan JobResult
	// restartStopped: a restart job has stopped the unit and now starts it.
	restartStopped bool
	// manual: the job was asked for from outside (RefuseManual*=, manual
	// stops never restart).
	manual bool
}

// JobInfo describes a job for callers and the job list.
type JobInfo struct {
	ID    uint32
	Unit  string
	Type  JobType
	State string
}

func (j *job) info() JobInfo {
	return JobInfo{ID: j.id, Unit: j.rec.name, Type: j.typ, State: j.state.String()}
}

// jobTypeMerge merges two job types for one unit as systemd's
// job_type_lookup_merge does, reporting false when they conflict.
func jobTypeMerge(a, b JobType) (JobType, bool) {
	if a == b {
		return a, true
	}
	if a > b {
		a, b = b, a
	}
	switch {
	case a == JobNop:
		return b, true
	case b == JobNop:
		return a, true
	case a == JobStop || b == JobStop:
		return 0, false
	}
	set := func(x, y JobType) bool { return (a == x && b == y) || (a == y && b == x) }
	switch {
	case set(JobStart, JobVerifyActive):
		return JobStart, true
	case set(JobStart, JobReload), set(JobStart, JobReloadOrStart):
		return JobReloadOrStart, true
	case set(JobVerifyActive, JobReload):
		return JobReload, true
	case set(JobVerifyActive, JobReloadOrStart), set(JobReload, JobReloadOrStart):
		return JobReloadOrStart, true
	}
	// Anything merged with a restart is a restart.
	return JobRestart, true
}

// jobTypeCollapse turns the conditional job types into plain ones for a
// unit that is (or is not) active.
func jobTypeCollapse(t JobType, active bool) JobType {
	switch t {
	case JobTryRestart:
		if active {
			return JobRestart
		}
		return JobNop
	case JobTryReload:
		if active {
			return JobReload
		}
		return JobNop
	case JobReloadOrStart:
		if active {
			return JobReload
		}
		return JobStart
	}
	return t
}

// startLike reports whether a job of type t brings its unit up.
func (t JobType) startLike() bool {
	switch t {
	case JobStart, JobVerifyActive, JobReload, JobReloadOrStart:
		return true
	}
	return false
}

// mustWait is systemd's job_is_runnable: a job waits while a unit it is
// ordered after has a job (unless this job stops its unit), and while a
// unit it is ordered before has a stop or restart job.
func (j *job) mustWait() *unitRec {
	if j.ignoreOrder || j.typ == JobNop {
		return nil
	}
	stopping := j.typ == JobStop || (j.typ == JobRestart && !j.restartStopped)
	for o := range j.rec.deps[depAfter] {
		if o.job != nil && !o.job.ignoreOrder && o.job.typ != JobNop && !stopping {
			return o
		}
	}
	for o := range j.rec.deps[depBefore] {
		if oj := o.job; oj != nil && !oj.ignoreOrder && (oj.typ == JobStop || (oj.typ == JobRestart && !oj.restartStopped)) {
			return o
		}
	}
	return nil
}
