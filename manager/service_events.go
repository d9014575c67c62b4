package manager

import (
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/pm-project/pm/compat"
	"github.com/pm-project/pm/unit"
)

// processRole says which process of a service ended.
type processRole int

const (
	roleMain processRole = iota
	roleControl
)

// errAgain means the request cannot be served in the current state; it is
// retried when the service settles (systemd's -EAGAIN for jobs).
var errAgain = errors.New("try again later")

// start is service_start. It returns errAgain while the service is going
// down or waiting to restart.
func (s *svc) start() error {
	switch s.state {
	case StateStop, StateStopWatchdog, StateStopSigterm, StateStopSigkill, StateStopPost,
		StateFinalWatchdog, StateFinalSigterm, StateFinalSigkill, StateAutoRestart:
		return errAgain
	case StateCondition, StateStartPre, StateStart, StateStartPost:
		return nil
	case StateRunning, StateExited, StateReload:
		return nil
	}
	s.result = ResultSuccess
	s.reloadResult = ResultSuccess
	s.mainPIDKnown = false
	s.forbidRestart = false
	s.statusText, s.statusErrno = "", 0
	s.notify = notifyUnknown
	s.watchdogOverride = 0
	s.haveMainExit = false
	s.mainExit = exitInfo{}
	if s.flushNRestarts {
		s.nRestarts = 0
		s.backoffN = 0
		s.flushNRestarts = false
	}
	s.enterCondition()
	return nil
}

// stop is service_stop.
func (s *svc) stop() {
	s.forbidRestart = true
	switch s.state {
	case StateStop, StateStopSigterm, StateStopSigkill, StateStopPost,
		StateFinalWatchdog, StateFinalSigterm, StateFinalSigkill:
		return
	case StateAutoRestart:
		s.setState(StateDead)
		return
	case StateCondition, StateStartPre, StateStart, StateStartPost, StateReload, StateStopWatchdog:
		s.enterSignal(StateStopSigterm, ResultSuccess)
		return
	case StateRunning, StateExited:
		s.enterStop(ResultSuccess)
	}
}

// reload is service_reload; the caller checks the service is active.
func (s *svc) reload() {
	s.enterReload()
}

// execDone reports the outcome of the main process's execve for
// Type=exec: start succeeds only once the program runs.
func (s *svc) execDone(err error) {
	if err != nil || s.state != StateStart || s.cfg.Type != unit.ServiceExec {
		return
	}
	s.enterStartPost()
}

// exited is service_sigchld_event for the main or control process.
func (s *svc) exited(role processRole, e exitInfo) {
	daemon := s.cfg.Type != unit.ServiceOneshot && !(role == roleControl && s.controlKind != kindStart)
	f := ResultSuccess
	if !cleanExit(e, daemon, s.cfg.SuccessExitStatus) {
		f = resultOf(e)
	}
	if role == roleMain {
		s.mainExited(e, f)
		return
	}
	s.controlExited(e, f)
}

func (s *svc) mainExited(e exitInfo, f Result) {
	if s.cfg.Type == unit.ServiceForking && s.cfg.PIDFile != "" {
		// Forking services may move to a new PID, as long as they update
		// the PID file before the old one exits.
		if pid, err := s.facts.loadPIDFile(); err == nil && pid != s.mainPID && s.facts.pidAlive(pid) {
			s.setMainPID(pid)
			return
		}
	}
	s.mainPID = 0
	s.mainExit, s.haveMainExit = e, true
	s.lastExit, s.lastExitKind = e, kindStart
	if cmd := s.command(kindStart, s.mainIndex); cmd != nil && cmd.IgnoreFailure {
		f = ResultSuccess
	} else if s.mainKind == kindNone && len(s.cfg.ExecStart) > 0 && s.cfg.ExecStart[0].IgnoreFailure {
		f = ResultSuccess
	}
	s.logExit("main process exited", e, f == ResultSuccess)
	s.setResult(f)

	if s.mainKind == kindStart && s.mainIndex+1 < len(s.cfg.ExecStart) && s.cfg.Type == unit.ServiceOneshot && f == ResultSuccess {
		s.runNextMain()
		return
	}
	s.mainKind, s.mainIndex = kindNone, -1
	if s.cfg.ExitType == "cgroup" && s.facts.groupAlive() {
		if s.state == StateStart && s.cfg.Type != unit.ServiceNotify && s.cfg.Type != unit.ServiceDBus {
			s.enterStartPost()
		}
		return
	}
	switch s.state {
	case StateStartPost, StateReload:
		if s.controlGood() <= 0 {
			s.enterStop(f)
		}
	case StateStop:
		// Wait for ExecStop= to finish.
	case StateStart:
		switch s.cfg.Type {
		case unit.ServiceOneshot:
			if f == ResultSuccess {
				s.enterStartPost()
			} else {
				s.enterSignal(StateStopSigterm, f)
			}
			return
		case unit.ServiceNotify:
			if f != ResultSuccess {
				s.enterSignal(StateStopSigterm, f)
			} else if !s.cfg.RemainAfterExit || s.cfg.NotifyAccess == unit.NotifyMain {
				// It never was and never will be ready.
				s.enterSignal(StateStopSigterm, ResultProtocol)
			}
			return
		}
		s.enterRunning(f)
	case StateRunning:
		s.enterRunning(f)
	case StateStopWatchdog, StateStopSigterm, StateStopSigkill:
		if s.controlGood() <= 0 {
			s.enterStopPost(f)
		}
	case StateStopPost:
		if s.controlGood() <= 0 {
			s.enterSignal(StateFinalSigterm, f)
		}
	case StateFinalWatchdog, StateFinalSigterm, StateFinalSigkill:
		if s.controlGood() <= 0 {
			s.enterDead(f, true)
		}
	}
}

func (s *svc) controlExited(e exitInfo, f Result) {
	s.controlPID = 0
	cmd := s.command(s.controlKind, s.controlIndex)
	if cmd != nil && cmd.IgnoreFailure {
		f = ResultSuccess
	}
	s.lastExit, s.lastExitKind = e, s.controlKind
	success := f == ResultSuccess
	what := "control process exited"
	if s.state == StateCondition {
		what = "condition check process exited"
		switch {
		case f == ResultExitCode && e.Status < 255:
			f, success = ResultExecCondition, true
		case f == ResultSuccess:
		default:
			success = false
		}
	}
	s.logExit(what, e, success)
	if s.state != StateReload {
		s.setResult(f)
	}
	if s.controlIndex+1 < len(s.controlKind.list(s.cfg)) && f == ResultSuccess {
		s.runNextControl()
		return
	}
	s.controlKind, s.controlIndex = kindNone, -1
	switch s.state {
	case StateCondition:
		if f == ResultSuccess {
			s.enterStartPre()
		} else {
			s.enterSignal(StateStopSigterm, f)
		}
	case StateStartPre:
		if f == ResultSuccess {
			s.enterStart()
		} else {
			s.enterSignal(StateStopSigterm, f)
		}
	case StateStart:
		if s.cfg.Type != unit.ServiceForking {
			return
		}
		if f != ResultSuccess {
			s.enterSignal(StateStopSigterm, f)
			return
		}
		switch s.findMainPID(len(s.cfg.ExecStartPost) == 0) {
		case pidFileMissing:
			s.enterSignal(StateStopSigterm, ResultProtocol)
			return
		case pidFileAwaited:
			return
		}
		s.enterStartPost()
	case StateStartPost:
		if f != ResultSuccess {
			s.enterSignal(StateStopSigterm, f)
			return
		}
		switch s.findMainPID(true) {
		case pidFileMissing:
			s.enterStop(ResultProtocol)
			return
		case pidFileAwaited:
			return
		}
		s.enterRunning(ResultSuccess)
	case StateReload:
		if f == ResultSuccess {
			_ = s.findMainPID(false)
		}
		s.reloadResult = f
		s.enterRunning(ResultSuccess)
	case StateStop:
		s.enterSignal(StateStopSigterm, f)
	case StateStopWatchdog, StateStopSigterm, StateStopSigkill:
		if s.mainGood() <= 0 {
			s.enterStopPost(f)
		}
	case StateStopPost:
		if s.mainGood() <= 0 {
			s.enterSignal(StateFinalSigterm, f)
		}
	case StateFinalWatchdog, StateFinalSigterm, StateFinalSigkill:
		if s.mainGood() <= 0 {
			s.enterDead(f, true)
		}
	}
}

// mainPIDOutcome is what findMainPID found.
type mainPIDOutcome int

const (
	// mainPIDFound: the main PID is known, or need not be.
	mainPIDFound mainPIDOutcome = iota
	// pidFileAwaited: PIDFile= is not there yet, but processes of the
	// service are, which may still write it: the start waits for it.
	pidFileAwaited
	// pidFileMissing: PIDFile= is required, missing, and nobody is left
	// to write it.
	pidFileMissing
)

// findMainPID learns the main PID of a forking service after its start
// process exited: from PIDFile=, or by guessing (GuessMainPID=). A
// required PID file that is missing is awaited (the loop watches for it,
// the start timeout still applies) while the service has processes.
func (s *svc) findMainPID(required bool) mainPIDOutcome {
	if s.cfg.PIDFile != "" {
		pid, err := s.facts.loadPIDFile()
		if err == nil {
			s.setMainPID(pid)
			return mainPIDFound
		}
		if !required {
			return mainPIDFound
		}
		if !s.facts.groupAlive() {
			s.log(slog.LevelWarn, "PID file not readable after start, and no process left to write it", "path", s.cfg.PIDFile, "err", err)
			return pidFileMissing
		}
		s.log(slog.LevelInfo, "PID file not readable (yet?) after start, waiting for it", "path", s.cfg.PIDFile, "err", err)
		if !s.pidFileWatched {
			s.pidFileWatched = true
			s.emit(actWatchPIDFile{on: true})
		}
		return pidFileAwaited
	}
	if s.mainPIDKnown && s.mainPID > 0 {
		return mainPIDFound
	}
	if s.cfg.GuessMainPID {
		if pid := s.facts.guessMainPID(); pid > 0 {
			s.setMainPID(pid)
		}
	}
	return mainPIDFound
}

// pidFileChanged is systemd's service_retry_pid_file: the awaited PID file
// may have appeared; once it names a usable process the service runs.
func (s *svc) pidFileChanged() {
	if !s.pidFileWatched || (s.state != StateStart && s.state != StateStartPost) {
		return
	}
	pid, err := s.facts.loadPIDFile()
	if err != nil {
		return
	}
	s.setMainPID(pid)
	s.enterRunning(ResultSuccess)
}

func (s *svc) command(kind execKind, idx int) *unit.ExecCommand {
	l := kind.list(s.cfg)
	if idx < 0 || idx >= len(l) {
		return nil
	}
	return &l[idx]
}

func (s *svc) logExit(what string, e exitInfo, success bool) {
	level := slog.LevelInfo
	if !success {
		level = slog.LevelWarn
	}
	attrs := []any{"code", e.CodeName()}
	if e.Code == exitExited {
		attrs = append(attrs, "status", exitStatusText(e.Status))
	} else {
		attrs = append(attrs, "signal", unit.Signal(e.Status).String())
	}
	s.log(level, what, attrs...)
}

// exitStatusText renders an exit status with systemd's name when it has
// one ("203/EXEC").
func exitStatusText(st int) string {
	if n := unit.ExitStatusName(st); n != "" {
		return strconv.Itoa(st) + "/" + n
	}
	return strconv.Itoa(st)
}

// timerFired is service_dispatch_timer.
func (s *svc) timerFired() {
	cfg := s.cfg
	sigkill := cfg.Kill.SendSIGKILL
	switch s.state {
	case StateCondition, StateStartPre, StateStart, StateStartPost:
		switch cfg.TimeoutStartFailureMode {
		case "abort":
			s.log(slog.LevelWarn, string(s.state)+" operation timed out, aborting")
			s.enterSignal(StateStopWatchdog, ResultTimeout)
		case "kill":
			if sigkill {
				s.log(slog.LevelWarn, string(s.state)+" operation timed out, killing")
				s.enterSignal(StateStopSigkill, ResultTimeout)
			} else {
				s.enterStopPost(ResultTimeout)
			}
		default:
			s.log(slog.LevelWarn, string(s.state)+" operation timed out, terminating")
			s.enterSignal(StateStopSigterm, ResultTimeout)
		}
	case StateRunning:
		s.log(slog.LevelWarn, "service reached runtime time limit, stopping")
		s.enterStop(ResultTimeout)
	case StateReload:
		s.log(slog.LevelWarn, "reload operation timed out, killing reload process")
		if s.controlPID > 0 {
			s.emit(actKillControl{pid: s.controlPID})
		}
		s.reloadResult = ResultTimeout
		s.enterRunning(ResultSuccess)
	case StateStop:
		switch cfg.TimeoutStopFailureMode {
		case "abort":
			s.log(slog.LevelWarn, "stopping timed out, aborting")
			s.enterSignal(StateStopWatchdog, ResultTimeout)
		case "kill":
			if sigkill {
				s.enterSignal(StateStopSigkill, ResultTimeout)
			} else {
				s.enterStopPost(ResultTimeout)
			}
		default:
			s.log(slog.LevelWarn, "stopping timed out, terminating")
			s.enterSignal(StateStopSigterm, ResultTimeout)
		}
	case StateStopWatchdog:
		if sigkill {
			s.log(slog.LevelWarn, "state 'stop-watchdog' timed out, killing")
			s.enterSignal(StateStopSigkill, ResultTimeout)
		} else {
			s.enterStopPost(ResultTimeout)
		}
	case StateStopSigterm:
		switch {
		case cfg.TimeoutStopFailureMode == "abort":
			s.log(slog.LevelWarn, "state 'stop-sigterm' timed out, aborting")
			s.enterSignal(StateStopWatchdog, ResultTimeout)
		case sigkill:
			s.log(slog.LevelWarn, "state 'stop-sigterm' timed out, killing")
			s.enterSignal(StateStopSigkill, ResultTimeout)
		default:
			s.log(slog.LevelWarn, "state 'stop-sigterm' timed out, skipping SIGKILL")
			s.enterStopPost(ResultTimeout)
		}
	case StateStopSigkill:
		s.log(slog.LevelWarn, "processes still around after SIGKILL, ignoring")
		s.enterStopPost(ResultTimeout)
	case StateStopPost:
		switch cfg.TimeoutStopFailureMode {
		case "abort":
			s.enterSignal(StateFinalWatchdog, ResultTimeout)
		case "kill":
			if sigkill {
				s.enterSignal(StateFinalSigkill, ResultTimeout)
			} else {
				s.enterDead(ResultTimeout, false)
			}
		default:
			s.log(slog.LevelWarn, "state 'stop-post' timed out, terminating")
			s.enterSignal(StateFinalSigterm, ResultTimeout)
		}
	case StateFinalWatchdog:
		if sigkill {
			s.enterSignal(StateFinalSigkill, ResultTimeout)
		} else {
			s.enterDead(ResultTimeout, false)
		}
	case StateFinalSigterm:
		switch {
		case cfg.TimeoutStopFailureMode == "abort":
			s.enterSignal(StateFinalWatchdog, ResultTimeout)
		case sigkill:
			s.log(slog.LevelWarn, "state 'final-sigterm' timed out, killing")
			s.enterSignal(StateFinalSigkill, ResultTimeout)
		default:
			s.enterDead(ResultTimeout, false)
		}
	case StateFinalSigkill:
		s.log(slog.LevelWarn, "processes still around after final SIGKILL, entering failed mode")
		s.enterDead(ResultTimeout, true)
	case StateAutoRestart:
		s.emit(actAutoRestart{})
	}
}

// watchdogFired is service_dispatch_watchdog.
func (s *svc) watchdogFired() {
	s.log(slog.LevelError, "watchdog timeout", "limit", s.watchdog().String())
	s.enterSignal(StateStopWatchdog, ResultWatchdog)
}

// notified is service_notify_message, after the loop checked NotifyAccess=.
func (s *svc) notified(n compat.Notify, senderUID int) {
	if n.MainPID > 0 && (s.state == StateStart || s.state == StateStartPost || s.state == StateRunning || s.state == StateReload) {
		if !s.mainPIDKnown || n.MainPID != s.mainPID {
			s.setMainPID(n.MainPID)
		}
	}
	switch {
	case n.Ready:
		s.notify = notifyReady
		if s.cfg.Type == unit.ServiceNotify && s.state == StateStart {
			s.enterStartPost()
		}
		if s.state == StateReload && s.controlPID == 0 {
			s.enterRunning(ResultSuccess)
		}
	case n.Reloading:
		s.notify = notifyReloading
		if s.state == StateRunning {
			s.enterReloadByNotify()
		}
	case n.Stopping:
		s.notify = notifyStopping
		if s.state == StateRunning {
			s.enterStopByNotify()
		}
	}
	if n.Status != nil {
		s.statusText = *n.Status
	}
	if n.Errno != nil {
		s.statusErrno = *n.Errno
	}
	if n.ExtendTimeout > 0 {
		s.extendTimeout(n.ExtendTimeout)
	}
	if n.Watchdog {
		s.resetWatchdog()
	}
	if n.WatchdogTrigger {
		s.log(slog.LevelError, "watchdog request", "status", s.statusText)
		s.enterSignal(StateStopWatchdog, ResultWatchdog)
		return
	}
	if n.WatchdogUSec != nil {
		s.watchdogOverride = usecDuration(*n.WatchdogUSec)
		s.resetWatchdog()
	}
}

// extendTimeout is EXTEND_TIMEOUT_USEC=: push the state timer out to at
// least now+d while starting, reloading or stopping.
func (s *svc) extendTimeout(d time.Duration) {
	switch s.state {
	case StateCondition, StateStartPre, StateStart, StateStartPost, StateReload,
		StateStop, StateStopSigterm, StateStopSigkill, StateStopPost,
		StateFinalSigterm, StateFinalSigkill:
		s.emit(actTimer{d: d})
	}
}

// groupEmpty is service_notify_cgroup_empty_event: the last process of the
// service is gone.
func (s *svc) groupEmpty() {
	switch s.state {
	case StateStart, StateStartPost:
		if s.state == StateStart && s.cfg.Type == unit.ServiceNotify && s.mainGood() == 0 && s.controlGood() == 0 {
			s.enterStopPost(ResultProtocol)
			return
		}
		if s.state == StateStart && s.cfg.ExitType == "cgroup" && s.mainGood() <= 0 {
			s.enterStopPost(ResultSuccess)
			return
		}
		if s.cfg.PIDFile != "" && s.mainGood() <= 0 && s.controlGood() <= 0 {
			s.log(slog.LevelWarn, "daemon never wrote its PID file, failing")
			if s.state == StateStart {
				s.enterStopPost(ResultProtocol)
			} else {
				s.enterStop(ResultProtocol)
			}
		}
	case StateRunning:
		s.enterRunning(ResultSuccess)
	case StateStopWatchdog, StateStopSigterm, StateStopSigkill:
		if s.mainGood() <= 0 && s.controlGood() <= 0 {
			s.enterStopPost(ResultSuccess)
		}
	case StateStopPost, StateFinalWatchdog, StateFinalSigterm, StateFinalSigkill:
		if s.mainGood() <= 0 && s.controlGood() <= 0 {
			s.enterDead(ResultSuccess, true)
		}
	}
}

// usecDuration converts microseconds to a duration, clamping what does not
// fit.
func usecDuration(us uint64) time.Duration {
	const max = uint64(1<<63-1) / uint64(time.Microsecond)
	if us > max {
		return time.Duration(1<<63 - 1)
	}
	return time.Duration(us) * time.Microsecond
}
