package manager

import (
	"log/slog"
	"time"

	"github.com/pm-project/pm/unit"
)

// The service state machine follows systemd 252's service.c: the enterX
// methods mirror service_enter_X. It is pure: methods change the svc and
// append actions to s.out; the loop performs the actions. An action whose
// outcome decides the next state (spawning, killing) is the last one of a
// step, and the loop feeds its outcome straight back (spawned, killed).

// execKind names an Exec*= list of a service.
type execKind int

const (
	kindNone execKind = iota
	kindCondition
	kindStartPre
	kindStart
	kindStartPost
	kindReload
	kindStop
	kindStopPost
)

func (k execKind) String() string {
	switch k {
	case kindCondition:
		return "ExecCondition"
	case kindStartPre:
		return "ExecStartPre"
	case kindStart:
		return "ExecStart"
	case kindStartPost:
		return "ExecStartPost"
	case kindReload:
		return "ExecReload"
	case kindStop:
		return "ExecStop"
	case kindStopPost:
		return "ExecStopPost"
	}
	return ""
}

func (k execKind) list(s *unit.Service) []unit.ExecCommand {
	switch k {
	case kindCondition:
		return s.ExecCondition
	case kindStartPre:
		return s.ExecStartPre
	case kindStart:
		return s.ExecStart
	case kindStartPost:
		return s.ExecStartPost
	case kindReload:
		return s.ExecReload
	case kindStop:
		return s.ExecStop
	case kindStopPost:
		return s.ExecStopPost
	}
	return nil
}

// killOp is what a kill is for (systemd's KillOperation).
type killOp int

const (
	killTerminate killOp = iota
	killRestart
	killKill
	killWatchdog
)

// notifyState is the last of READY=1, RELOADING=1, STOPPING=1 received.
type notifyState int

const (
	notifyUnknown notifyState = iota
	notifyReady
	notifyReloading
	notifyStopping
)

// Actions the loop performs for the machine.
type (
	// actSpawn runs command index of kind as the main or control process.
	// Its outcome comes back as svc.spawned.
	actSpawn struct {
		kind    execKind
		index   int
		main    bool
		timeout time.Duration // state timer to arm after the spawn; <0 none
		// setResult adds $SERVICE_RESULT, $EXIT_CODE and $EXIT_STATUS.
		setResult bool
	}
	// actKill signals the unit's processes. Its outcome (whether anything
	// is worth waiting for) comes back as svc.killed.
	actKill struct {
		op            killOp
		main, control int
	}
	// actKillControl sends SIGKILL to the control process only.
	actKillControl struct{ pid int }
	// actTimer arms the state timer to fire after d; d < 0 disarms it.
	actTimer struct{ d time.Duration }
	// actWatchdog arms the watchdog timer; d <= 0 disarms it.
	actWatchdog struct{ d time.Duration }
	// actLog logs a message about the unit.
	actLog struct {
		level slog.Level
		msg   string
		attrs []any
	}
	// actDead cleans up after the service went down: runtime directories,
	// the PID file.
	actDead struct{ restarting bool }
	// actWatchPIDFile starts (on) or stops watching PIDFile= for the
	// daemon to write it (systemd's service_demand_pid_file); the loop
	// calls svc.pidFileChanged when it may have appeared.
	actWatchPIDFile struct{ on bool }
	// actAutoRestart asks the unit layer to restart the service (the
	// RestartSec= timer fired).
	actAutoRestart struct{}
	// actAction runs an emergency action (FailureAction= and the like).
	actAction struct {
		action     unit.EmergencyAction
		exitStatus int
		reason     string
	}
)

// svcFacts answers the questions the machine cannot answer from its own
// state. The loop implements it by looking at processes; tests fake it.
type svcFacts interface {
	// groupAlive reports whether any process of the unit is alive
	// (systemd's cgroup_good).
	groupAlive() bool
	// pidAlive reports whether pid exists.
	pidAlive(pid int) bool
	// loadPIDFile reads PIDFile= and returns the main pid it names, or an
	// error when there is none usable.
	loadPIDFile() (int, error)
	// guessMainPID finds the main process of a forking service without a
	// PID file (GuessMainPID=), or 0.
	guessMainPID() int
	now() time.Time
}

// svc is the runtime state of one service.
type svc struct {
	name string
	cfg  *unit.Service
	u    *unit.Unit

	state        ServiceState
	result       Result
	reloadResult Result

	mainPID      int
	mainPIDKnown bool
	controlPID   int

	mainKind     execKind // kindStart while ExecStart= runs as the main process
	mainIndex    int
	controlKind  execKind
	controlIndex int

	notify      notifyState
	statusText  string
	statusErrno int

	forbidRestart  bool
	flushNRestarts bool
	restarting     bool // a restart (manual or automatic) is stopping the service
	nRestarts      uint
	backoffN       int       // restarts in the current backoff sequence
	runningSince   time.Time // when the service last entered running

	mainExit     exitInfo
	haveMainExit bool
	lastExit     exitInfo // of the last process that ended, for $EXIT_CODE
	lastExitKind execKind

	watchdogOverride time.Duration // from WATCHDOG_USEC=; 0 none
	// pidFileWatched: start is waiting for the daemon to write PIDFile=.
	pidFileWatched bool

	// pending records what an action in flight continues with.
	pending pendingOp

	facts svcFacts
	out   []action
}

type action any

// pendingOp is the continuation of a spawn or kill whose outcome the loop
// feeds back.
type pendingOp struct {
	kind  pendingKind
	spawn actSpawn
	// next is the state to enter after a successful spawn.
	next ServiceState
	// onFail runs when the spawn fails before the process exists.
	onFail func(s *svc)
	// then runs after a successful spawn.
	then func(s *svc)
	// signalState and result belong to a pending kill.
	signalState ServiceState
}

type pendingKind int

const (
	pendingNone pendingKind = iota
	pendingSpawn
	pendingKill
)

func newSvc(u *unit.Unit, facts svcFacts) *svc {
	return &svc{
		name:         u.Name,
		cfg:          u.Service,
		u:            u,
		state:        StateDead,
		result:       ResultSuccess,
		reloadResult: ResultSuccess,
		mainIndex:    -1,
		controlIndex: -1,
		facts:        facts,
	}
}

func (s *svc) emit(a action) { s.out = append(s.out, a) }

// take returns the actions queued so far and clears the queue.
func (s *svc) take() []action {
	out := s.out
	s.out = nil
	return out
}

func (s *svc) log(level slog.Level, msg string, attrs ...any) {
	s.emit(actLog{level: level, msg: msg, attrs: attrs})
}

// setState changes the state and applies systemd's per-state cleanup:
// timers, main and control process tracking, the watchdog.
func (s *svc) setState(st ServiceState) {
	if st == StateRunning && s.state != StateRunning {
		s.runningSince = s.facts.now()
	}
	s.state = st
	if s.pidFileWatched && st != StateStart && st != StateStartPost {
		s.pidFileWatched = false
		s.emit(actWatchPIDFile{on: false})
	}
	switch st {
	case StateCondition, StateStartPre, StateStart, StateStartPost, StateRunning, StateReload,
		StateStop, StateStopWatchdog, StateStopSigterm, StateStopSigkill, StateStopPost,
		StateFinalWatchdog, StateFinalSigterm, StateFinalSigkill, StateAutoRestart:
	default:
		s.emit(actTimer{d: -1})
	}
	switch st {
	case StateStart, StateStartPost, StateRunning, StateReload, StateStop, StateStopWatchdog,
		StateStopSigterm, StateStopSigkill, StateStopPost, StateFinalWatchdog, StateFinalSigterm, StateFinalSigkill:
	default:
		s.mainPID = 0
		s.mainKind, s.mainIndex = kindNone, -1
	}
	switch st {
	case StateCondition, StateStartPre, StateStart, StateStartPost, StateReload, StateStop,
		StateStopWatchdog, StateStopSigterm, StateStopSigkill, StateStopPost,
		StateFinalWatchdog, StateFinalSigterm, StateFinalSigkill:
	default:
		s.controlPID = 0
		s.controlKind, s.controlIndex = kindNone, -1
	}
	switch st {
	case StateStartPost, StateRunning, StateReload:
	default:
		s.emit(actWatchdog{d: 0})
	}
}

func (s *svc) setResult(f Result) {
	if s.result == ResultSuccess {
		s.result = f
	}
}

// mainGood is systemd's main_pid_good: -1 unknown, 0 dead, 1 alive.
func (s *svc) mainGood() int {
	if !s.mainPIDKnown {
		return -1
	}
	if s.mainPID == 0 {
		return 0
	}
	if s.facts.pidAlive(s.mainPID) {
		return 1
	}
	return 0
}

// controlGood is systemd's control_pid_good.
func (s *svc) controlGood() int {
	if s.controlPID == 0 {
		return 0
	}
	if s.facts.pidAlive(s.controlPID) {
		return 1
	}
	return 0
}

// good is systemd's service_good: is the service still up?
func (s *svc) good() bool {
	switch s.mainGood() {
	case 1:
		return true
	case 0:
		if s.cfg.ExitType != "cgroup" {
			return false
		}
	}
	return s.facts.groupAlive()
}

// setMainPID records the main process; a negative pid stands for a child
// that failed before execve and is about to "exit".
func (s *svc) setMainPID(pid int) {
	s.mainPID = pid
	s.mainPIDKnown = pid != 0
}

// watchdogUSec is the watchdog timeout in effect.
func (s *svc) watchdog() time.Duration {
	if s.watchdogOverride > 0 {
		return s.watchdogOverride
	}
	if s.cfg.WatchdogSec == unit.Infinity {
		return 0
	}
	return s.cfg.WatchdogSec.Std()
}

func (s *svc) resetWatchdog() {
	s.emit(actWatchdog{d: s.watchdog()})
}

func timeout(d unit.Duration) time.Duration {
	if d == unit.Infinity || d <= 0 {
		return -1
	}
	return d.Std()
}
