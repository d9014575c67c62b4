package manager

import (
	"math"
	"strconv"
	"time"

	"github.com/pm-project/pm/unit"
)

// exitInfo is how a process ended, as waitid reports it.
type exitInfo struct {
	// Code is exitExited, exitKilled or exitDumped (CLD_*).
	Code   int
	Status int // exit status, or signal number
}

// CLD_* codes of waitid.
const (
	exitExited = 1
	exitKilled = 2
	exitDumped = 3
)

func (e exitInfo) String() string {
	switch e.Code {
	case exitExited:
		return "code=exited, status=" + strconv.Itoa(e.Status)
	case exitKilled:
		return "code=killed, signal=" + unit.Signal(e.Status).String()
	case exitDumped:
		return "code=dumped, signal=" + unit.Signal(e.Status).String()
	}
	return "code=unknown"
}

// CodeName is systemd's name for the code (EXIT_CODE=).
func (e exitInfo) CodeName() string {
	switch e.Code {
	case exitExited:
		return "exited"
	case exitKilled:
		return "killed"
	case exitDumped:
		return "dumped"
	}
	return ""
}

// cleanExit is systemd's is_clean_exit: exit status 0 or one listed in
// SuccessExitStatus=; for daemons also death by SIGHUP, SIGINT, SIGTERM or
// SIGPIPE, which a daemon without handlers for them dies of on a normal
// stop.
func cleanExit(e exitInfo, daemon bool, success unit.ExitStatusSet) bool {
	switch e.Code {
	case exitExited:
		return e.Status == 0 || success.Contains(e.Status, 0)
	case exitKilled:
		if daemon {
			switch e.Status {
			case 1, 2, 13, 15: // SIGHUP, SIGINT, SIGPIPE, SIGTERM
				return true
			}
		}
		return success.Contains(0, unit.Signal(e.Status))
	}
	return false
}

// resultOf classifies an exit that is not clean.
func resultOf(e exitInfo) Result {
	switch e.Code {
	case exitExited:
		return ResultExitCode
	case exitKilled:
		return ResultSignal
	case exitDumped:
		return ResultCoreDump
	}
	return ResultProtocol
}

// shallRestart is systemd's service_shall_restart: the decision after a
// service went down, from Restart=, RestartPreventExitStatus= and
// RestartForceExitStatus=, the result and how the main process ended.
// A manual stop never restarts.
func shallRestart(s *unit.Service, result Result, main exitInfo, haveMain, manualStop bool) (bool, string) {
	if manualStop {
		return false, "manual stop"
	}
	if haveMain && exitInSet(main, s.RestartPreventExitStatus) {
		return false, "prevented by exit status"
	}
	if haveMain && exitInSet(main, s.RestartForceExitStatus) {
		return true, "forced by exit status"
	}
	switch s.Restart {
	case unit.RestartAlways:
		return result != ResultExecCondition, "restart setting"
	case unit.RestartOnSuccess:
		return result == ResultSuccess, "restart setting"
	case unit.RestartOnFailure:
		return result != ResultSuccess && result != ResultExecCondition, "restart setting"
	case unit.RestartOnAbnormal:
		return result != ResultSuccess && result != ResultExitCode && result != ResultExecCondition, "restart setting"
	case unit.RestartOnWatchdog:
		return result == ResultWatchdog, "restart setting"
	case unit.RestartOnAbort:
		return result == ResultSignal || result == ResultCoreDump, "restart setting"
	}
	return false, "restart setting"
}

// exitInSet is systemd's exit_status_set_test.
func exitInSet(e exitInfo, set unit.ExitStatusSet) bool {
	switch e.Code {
	case exitExited:
		return set.Contains(e.Status, 0)
	case exitKilled, exitDumped:
		return set.Contains(0, unit.Signal(e.Status))
	}
	return false
}

// restartDelay is the time to wait before the n-th restart (n counts from
// 1), with systemd's exponential RestartSteps= curve from RestartSec= to
// RestartMaxDelaySec=: delay_i = RestartSec × (Max/RestartSec)^(i/Steps)
// for i = n-1, capped at Max.
func restartDelay(s *unit.Service, n int) time.Duration {
	base, max := s.RestartSec, s.RestartMaxDelaySec
	if n <= 1 || s.RestartSteps == 0 || base == 0 || max == unit.Infinity || base >= max {
		return base.Std()
	}
	if n > int(s.RestartSteps) {
		return max.Std()
	}
	ratio := float64(max) / float64(base)
	d := float64(base) * math.Pow(ratio, float64(n-1)/float64(s.RestartSteps))
	if d > float64(max) {
		d = float64(max)
	}
	return time.Duration(d)
}

// backoffReset reports whether a run that lasted ran resets the backoff
// to its first step. pm goes beyond systemd here: a service that stayed up
// longer than its largest restart delay counts as healthy again, so the
// next crash is retried quickly instead of after the maximum delay.
func backoffReset(s *unit.Service, ran time.Duration) bool {
	largest := s.RestartSec.Std()
	if s.RestartSteps > 0 && s.RestartMaxDelaySec != unit.Infinity && s.RestartMaxDelaySec > s.RestartSec {
		largest = s.RestartMaxDelaySec.Std()
	}
	return ran > largest
}

// rateLimit is systemd's RateLimit: at most Burst events per Interval.
type rateLimit struct {
	interval time.Duration
	burst    uint
	begin    time.Time
	num      uint
}

// allow counts an event at now and reports whether it is within the limit
// (systemd's ratelimit_below). A zero interval or burst disables the limit.
func (r *rateLimit) allow(now time.Time) bool {
	if r.interval <= 0 || r.burst == 0 {
		return true
	}
	if r.begin.IsZero() || now.Sub(r.begin) > r.interval {
		r.begin, r.num = now, 0
	}
	if r.num < r.burst {
		r.num++
		return true
	}
	return false
}

func (r *rateLimit) reset() { r.begin, r.num = time.Time{}, 0 }
