package manager

import "errors"

// Sentinel errors of the manager. API front doors map them to their own
// error vocabularies (gRPC codes, D-Bus error names, systemctl exit codes).
var (
	// ErrNoSuchUnit: the unit is not loaded and has no unit file.
	ErrNoSuchUnit = errors.New("no such unit")
	// ErrUnitMasked: the unit is masked.
	ErrUnitMasked = errors.New("unit is masked")
	// ErrBadSetting: the unit's configuration makes it unusable.
	ErrBadSetting = errors.New("unit has a bad setting")
	// ErrUnsupported: pm does not run units of this type (yet).
	ErrUnsupported = errors.New("operation not supported for this unit type")
	// ErrRefused: RefuseManualStart=/RefuseManualStop= forbids the request.
	ErrRefused = errors.New("operation refused, unit may not be started or stopped manually")
	// ErrNotActive: the request needs an active unit (reload).
	ErrNotActive = errors.New("unit is not active")
	// ErrNoReload: the unit has no ExecReload=.
	ErrNoReload = errors.New("unit does not support reloading")
	// ErrShuttingDown: the manager is shutting down and takes no new jobs.
	ErrShuttingDown = errors.New("manager is shutting down")
	// ErrStopped: the manager's loop is not running.
	ErrStopped = errors.New("manager is not running")
	// ErrStartLimit: the unit hit its start rate limit.
	ErrStartLimit = errors.New("start request repeated too quickly")
	// ErrNoSuchJob: no queued job has that id.
	ErrNoSuchJob = errors.New("no such job")
	// ErrBusy: another manager runs in this process; wait4(-1) reaping
	// allows one per process.
	ErrBusy = errors.New("another manager is running in this process")
)
