package unit

import "errors"

// Sentinel errors. Diagnostics and returned errors wrap them, so callers
// check with errors.Is.
var (
	// ErrUnknownKey marks a key no unit type knows.
	ErrUnknownKey = errors.New("unknown key")
	// ErrUnknownSection marks a section no unit type knows.
	ErrUnknownSection = errors.New("unknown section")
	// ErrBadValue marks a value a directive cannot parse.
	ErrBadValue = errors.New("bad value")
	// ErrSyntax marks a line the INI or YAML reader cannot read.
	ErrSyntax = errors.New("syntax error")
	// ErrBadName marks an invalid unit name.
	ErrBadName = errors.New("invalid unit name")
	// ErrNotFound marks a unit with no fragment on the search path.
	ErrNotFound = errors.New("unit not found")
	// ErrMasked marks a unit masked by a symlink to /dev/null.
	ErrMasked = errors.New("unit is masked")
	// ErrUnusable marks a problem that makes the unit unusable, so it loads
	// as bad-setting (systemd's LoadState) rather than loaded.
	ErrUnusable = errors.New("unit is unusable")
	// ErrUnsupported marks a unit type pm does not run.
	ErrUnsupported = errors.New("unit type not supported")
)
