package install

// State is a unit file's enablement state, as systemctl is-enabled prints
// it (systemd's UnitFileState).
type State string

// The states of systemd 252.
const (
	// Enabled: symlinks from the unit's [Install] section are in
	// /etc/systemd/system.
	Enabled State = "enabled"
	// EnabledRuntime: such symlinks are in /run only.
	EnabledRuntime State = "enabled-runtime"
	// Linked: the unit file is a symlink in /etc/systemd/system to a file
	// outside the search path.
	Linked State = "linked"
	// LinkedRuntime: the same in /run.
	LinkedRuntime State = "linked-runtime"
	// Alias: the name is an alias of another unit file.
	Alias State = "alias"
	// Masked: the unit is masked in /etc (or the vendor directories).
	Masked State = "masked"
	// MaskedRuntime: the unit is masked in /run.
	MaskedRuntime State = "masked-runtime"
	// Static: the unit file has no [Install] rules, or an instance is
	// symlinked from a vendor directory.
	Static State = "static"
	// Disabled: the unit file has [Install] rules, none of them in effect.
	Disabled State = "disabled"
	// Indirect: the unit file is reached under names its [Install] section
	// does not give, or it only has Also=.
	Indirect State = "indirect"
	// Generated: the unit file was written by a generator.
	Generated State = "generated"
	// Transient: the unit file is a transient unit's.
	Transient State = "transient"
	// Bad: the unit file could not be looked at (list-unit-files only).
	Bad State = "bad"
)

// EnabledLike reports whether systemctl is-enabled succeeds (exit status
// 0) for a unit in state s: enabled, enabled-runtime, static, alias,
// indirect and generated.
func (s State) EnabledLike() bool {
	switch s {
	case Enabled, EnabledRuntime, Static, Alias, Indirect, Generated:
		return true
	}
	return false
}
