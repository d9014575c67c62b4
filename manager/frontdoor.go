package manager

// TEMPORARY: signatures of the manager's front-door additions, so that
// the api and pmctl can be written against them while they are
// implemented. Every body here is replaced before this lands.

import (
	"context"
	"errors"
	"time"

	"github.com/pm-project/pm/unit"
)

var errNotYet = errors.New("not implemented yet")

// More sentinel errors.
var (
	// ErrExists: a unit of that name exists already (Create).
	ErrExists = errors.New("unit exists already")
	// ErrNotAPI: only units created over the API can be updated or
	// deleted.
	ErrNotAPI = errors.New("unit was not created over the API")
	// ErrActive: the unit runs (Delete without force).
	ErrActive = errors.New("unit is active")
)

// InvalidError reports settings that do not parse. Each Diag's Pos is the
// Pos of the offending option as given to Create or Update, so that a
// caller who numbered its options (Pos.Line) knows which one is wrong.
type InvalidError struct {
	Diags unit.Diagnostics
}

func (e *InvalidError) Error() string {
	if len(e.Diags) == 0 {
		return "invalid settings"
	}
	return e.Diags[0].Msg
}

// Create makes a new unit named name (a service when name has no type
// suffix) from opts, stores it in the state directory (StateDir/units,
// written atomically) and loads it. An [X-PM] UUID= option is added unless
// opts has one. Errors: ErrExists, *InvalidError.
func (m *Manager) Create(ctx context.Context, name string, opts []unit.Option) (*UnitStatus, error) {
	return nil, errNotYet
}

// APIOptions returns the options an API-created unit was stored with.
// Errors: ErrNoSuchUnit, ErrNotAPI.
func (m *Manager) APIOptions(name string) ([]unit.Option, error) {
	return nil, errNotYet
}

// DirectiveChange is one directive whose values an Update changes.
type DirectiveChange struct {
	Section, Key string
	Old, New     []string
	// Hot: the change applies to the running unit at once (restart
	// policy, restart delays, timeouts, start limits, resource limits);
	// otherwise it takes effect when the unit starts again.
	Hot bool
}

// UpdateResult says what Update changed (or would change, with dryRun).
type UpdateResult struct {
	Changes []DirectiveChange
	// RestartRequired: a change that is not hot was made while the unit
	// runs.
	RestartRequired bool
	Unit            *UnitStatus
}

// Update replaces the options of an API-created unit with opts (the whole
// list; the [X-PM] UUID= option is kept), stores and applies them. With
// dryRun it only reports. Errors: ErrNoSuchUnit, ErrNotAPI, *InvalidError.
func (m *Manager) Update(ctx context.Context, name string, opts []unit.Option, dryRun bool) (*UpdateResult, error) {
	return nil, errNotYet
}

// Delete removes an API-created unit: its file and the loaded unit. An
// active unit is refused with ErrActive unless force, which stops it first
// and waits. Errors: ErrNoSuchUnit, ErrNotAPI, ErrActive.
func (m *Manager) Delete(ctx context.Context, name string, force bool) (*UnitStatus, error) {
	return nil, errNotYet
}

// Resolve finds a unit by name, alias, name without ".service", or UUID.
func (s *Snapshot) Resolve(ref string) *UnitStatus {
	return nil
}

// Stats is the resource use of a unit's processes, read from /proc.
type Stats struct {
	PIDs      []int
	Tasks     uint64 // threads of every process
	RSS       uint64 // bytes
	CPUUser   time.Duration
	CPUSystem time.Duration
}

// Stats reads the resource use of the unit's processes.
func (m *Manager) Stats(ctx context.Context, name string) (Stats, error) {
	return Stats{}, errNotYet
}

// LogLine is one line a unit's process printed.
type LogLine struct {
	Unit string
	PID  int
	Time time.Time
	Text string
}

// Logs returns the last n lines kept for the unit (all kept when n <= 0),
// oldest first. With follow, the channel receives the lines printed
// afterwards until cancel is called; a reader that does not keep up loses
// lines.
func (m *Manager) Logs(name string, n int, follow bool) (lines []LogLine, more <-chan LogLine, cancel func()) {
	return nil, nil, func() {}
}

// Dependencies returns the unit's dependencies as linked (default
// dependencies and inverses included), keyed by systemd's property names
// (Requires, Wants, WantedBy, After, Before, …).
func (m *Manager) Dependencies(ctx context.Context, name string) (map[string][]string, error) {
	return nil, errNotYet
}

// SystemState is systemctl is-system-running's answer: "starting" while
// the boot's jobs run, "running", "degraded" when a unit failed,
// "stopping" during shutdown.
func (m *Manager) SystemState() string {
	return "running"
}
