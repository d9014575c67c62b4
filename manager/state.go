package manager

// ServiceState is systemd's SubState of a service.
type ServiceState string

// Service states of systemd 252.
const (
	StateDead          ServiceState = "dead"
	StateCondition     ServiceState = "condition"
	StateStartPre      ServiceState = "start-pre"
	StateStart         ServiceState = "start"
	StateStartPost     ServiceState = "start-post"
	StateRunning       ServiceState = "running"
	StateExited        ServiceState = "exited"
	StateReload        ServiceState = "reload"
	StateStop          ServiceState = "stop"
	StateStopWatchdog  ServiceState = "stop-watchdog"
	StateStopSigterm   ServiceState = "stop-sigterm"
	StateStopSigkill   ServiceState = "stop-sigkill"
	StateStopPost      ServiceState = "stop-post"
	StateFinalWatchdog ServiceState = "final-watchdog"
	StateFinalSigterm  ServiceState = "final-sigterm"
	StateFinalSigkill  ServiceState = "final-sigkill"
	StateFailed        ServiceState = "failed"
	StateAutoRestart   ServiceState = "auto-restart"
)

// ActiveState is systemd's ActiveState.
type ActiveState string

// Active states.
const (
	Active       ActiveState = "active"
	Reloading    ActiveState = "reloading"
	Inactive     ActiveState = "inactive"
	Failed       ActiveState = "failed"
	Activating   ActiveState = "activating"
	Deactivating ActiveState = "deactivating"
)

// Active maps a service state to its ActiveState, as systemd's
// state_translation_table does.
func (s ServiceState) Active() ActiveState {
	switch s {
	case StateRunning, StateExited:
		return Active
	case StateReload:
		return Reloading
	case StateCondition, StateStartPre, StateStart, StateStartPost, StateAutoRestart:
		return Activating
	case StateStop, StateStopWatchdog, StateStopSigterm, StateStopSigkill, StateStopPost,
		StateFinalWatchdog, StateFinalSigterm, StateFinalSigkill:
		return Deactivating
	case StateFailed:
		return Failed
	}
	return Inactive
}

// isStopping reports whether s is one of the states that take a service
// down.
func (s ServiceState) isStopping() bool {
	return s.Active() == Deactivating
}

// Result is systemd's Result property of a service.
type Result string

// Service results of systemd 252.
const (
	ResultSuccess       Result = "success"
	ResultResources     Result = "resources"
	ResultProtocol      Result = "protocol"
	ResultTimeout       Result = "timeout"
	ResultExitCode      Result = "exit-code"
	ResultSignal        Result = "signal"
	ResultCoreDump      Result = "core-dump"
	ResultWatchdog      Result = "watchdog"
	ResultStartLimitHit Result = "start-limit-hit"
	ResultOOMKill       Result = "oom-kill"
	ResultExecCondition Result = "exec-condition"
)

// SimpleState is the plain state name a process manager shows, derived from
// systemd's states: created, starting, running, stopping, stopped, crashed,
// exited.
type SimpleState string

// Simple states.
const (
	SimpleCreated  SimpleState = "created"
	SimpleStarting SimpleState = "starting"
	SimpleRunning  SimpleState = "running"
	SimpleStopping SimpleState = "stopping"
	SimpleStopped  SimpleState = "stopped"
	SimpleCrashed  SimpleState = "crashed"
	SimpleExited   SimpleState = "exited"
)

// simpleState derives the simple name: "created" before the first start;
// "exited" for a service that ended on its own with success (or stays
// active after exiting); "stopped" after a manual stop; "crashed" for a
// failure, also while waiting to be restarted after one.
func simpleState(st ServiceState, result Result, everStarted, manualStop bool) SimpleState {
	switch st {
	case StateRunning, StateReload:
		return SimpleRunning
	case StateExited:
		return SimpleExited
	case StateCondition, StateStartPre, StateStart, StateStartPost:
		return SimpleStarting
	case StateFailed:
		return SimpleCrashed
	case StateAutoRestart:
		if result != ResultSuccess {
			return SimpleCrashed
		}
		return SimpleStarting
	case StateDead:
		switch {
		case !everStarted:
			return SimpleCreated
		case manualStop:
			return SimpleStopped
		}
		return SimpleExited
	}
	return SimpleStopping
}
