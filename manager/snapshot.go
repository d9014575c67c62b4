package manager

import (
	"time"

	"github.com/pm-project/pm/unit"
)

// Snapshot is an immutable view of every unit, published by the loop after
// each step. Readers never lock and never see a half-made change.
type Snapshot struct {
	// Units maps a unit's name (and its aliases) to its status.
	Units map[string]*UnitStatus
	// Time is when the snapshot was taken.
	Time time.Time
}

// Unit returns the status of the named unit, or nil.
func (s *Snapshot) Unit(name string) *UnitStatus {
	return s.Units[name]
}

// UnitStatus is the state of one unit. It is never modified once
// published.
type UnitStatus struct {
	Name        string
	Description string
	Type        unit.Type
	LoadState   unit.LoadState
	LoadError   string
	ActiveState ActiveState
	SubState    string
	Result      Result
	// Simple is the process manager's name for the state.
	Simple SimpleState

	MainPID    int
	ControlPID int
	// NRestarts counts automatic restarts since the last manual start
	// (systemd's NRestarts); Starts counts every start.
	NRestarts  uint
	Starts     uint64
	StatusText string
	// StatusErrno is ERRNO= from sd_notify.
	StatusErrno int
	// ReloadResult is the result of the last reload.
	ReloadResult Result

	// Timestamps; zero when it has not happened yet.
	CreatedAt          time.Time
	StateChangeAt      time.Time
	InactiveExitAt     time.Time
	ActiveEnterAt      time.Time
	ActiveExitAt       time.Time
	InactiveEnterAt    time.Time
	ConditionCheckedAt time.Time

	// ConditionResult and AssertResult are the outcomes of the last check.
	ConditionResult bool
	AssertResult    bool
	// FailedCondition names the condition that kept the unit from
	// starting ("ConditionPathExists=/x"), if any.
	FailedCondition string

	// ExecMain describes the last main process.
	ExecMain ProcessStatus

	// Config is the unit as loaded; it must not be modified.
	Config *unit.Unit
}

// ProcessStatus is how a process ran and ended.
type ProcessStatus struct {
	PID     int
	StartAt time.Time
	ExitAt  time.Time
	// Code is "exited", "killed" or "dumped" once it ended.
	Code string
	// Status is the exit status or signal number.
	Status int
}

// Event is a change of a unit's state, sent to subscribers.
type Event struct {
	Time        time.Time
	Unit        string
	ActiveState ActiveState
	SubState    string
	Result      Result
	MainPID     int
	// Dropped counts events this subscriber lost before this one because
	// it did not keep up.
	Dropped int
}

type subscriber struct {
	ch      chan Event
	dropped int
}

func (s *subscriber) send(ev Event) {
	ev.Dropped = s.dropped
	select {
	case s.ch <- ev:
		s.dropped = 0
	default:
		s.dropped++
	}
}
