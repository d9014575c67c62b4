package manager

import (
	"time"

	"github.com/pm-project/pm/unit"
)

// Snapshot is an immutable view of every unit, published by the loop after
// each step. Readers never lock and never see a half-made change.
//
// Units are kept in shards, so that publishing a change copies one shard
// and not every unit: starting 500 units one by one would otherwise copy
// the whole map 500 times.
type Snapshot struct {
	shards [snapShards]map[string]*UnitStatus // never modified once published
	// Time is when the snapshot was taken.
	Time time.Time
}

const snapShards = 64

func shardOf(name string) int {
	h := uint32(2166136261) // FNV-1a
	for i := 0; i < len(name); i++ {
		h ^= uint32(name[i])
		h *= 16777619
	}
	return int(h % snapShards)
}

// Unit returns the status of the named unit (or alias), or nil.
func (s *Snapshot) Unit(name string) *UnitStatus {
	return s.shards[shardOf(name)][name]
}

// Names lists every name the snapshot knows, aliases included, unsorted.
func (s *Snapshot) Names() []string {
	var out []string
	for _, m := range s.shards {
		for n := range m {
			out = append(out, n)
		}
	}
	return out
}

// All returns every unit once (not once per alias), unsorted.
func (s *Snapshot) All() []*UnitStatus {
	var out []*UnitStatus
	for _, m := range s.shards {
		for n, st := range m {
			if n == st.Name {
				out = append(out, st)
			}
		}
	}
	return out
}

// with returns a copy of s where the given names have new statuses; only
// their shards are copied.
func (s *Snapshot) with(changed map[string]*UnitStatus, now time.Time) *Snapshot {
	n := &Snapshot{shards: s.shards, Time: now}
	copied := [snapShards]bool{}
	for name, st := range changed {
		i := shardOf(name)
		if !copied[i] {
			m := make(map[string]*UnitStatus, len(s.shards[i])+1)
			for k, v := range s.shards[i] {
				m[k] = v
			}
			n.shards[i] = m
			copied[i] = true
		}
		if st == nil {
			delete(n.shards[i], name)
			continue
		}
		n.shards[i][name] = st
	}
	return n
}

// UnitStatus is the state of one unit. It is never modified once
// published.
type UnitStatus struct {
	Name string
	// UUID identifies the unit: [X-PM] UUID= for units created over the
	// API, else derived from the name (stable across restarts).
	UUID string
	// Origin is "api" (created over the API), "file" (a unit file),
	// "yaml" (a YAML config file) or "builtin".
	Origin      string
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

	// Job is the unit's queued or running job, if any.
	Job *JobInfo

	// Config is the unit as loaded; it must not be modified.
	Config *unit.Unit

	files []fileStamp
}

// NeedDaemonReload reports whether the unit's files changed on disk since
// they were loaded (it looks at the files now).
func (s *UnitStatus) NeedDaemonReload() bool { return changedOnDisk(s.files) }

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

// EventKind says what an Event reports.
type EventKind int

// Event kinds.
const (
	// EventUnit: the unit's state changed.
	EventUnit EventKind = iota
	// EventJobNew: a job was queued.
	EventJobNew
	// EventJobChanged: a job started running.
	EventJobChanged
	// EventJobRemoved: a job ended with JobResult.
	EventJobRemoved
)

// Event is a change of a unit's state or of a job, sent to subscribers.
type Event struct {
	Kind        EventKind
	Time        time.Time
	Unit        string
	Job         JobInfo
	JobResult   JobResult
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
