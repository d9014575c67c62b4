package install

import (
	"errors"
	"fmt"
	"syscall"
)

// ChangeType says what a [Change] reports. The values and their String
// forms are systemd's InstallChangeType, as the D-Bus API sends them.
type ChangeType int

const (
	// Symlink: the symlink Path → Source was created.
	Symlink ChangeType = iota
	// Unlink: the symlink (or mask) Path was removed.
	Unlink
	// IsMasked: the unit file Path is masked, so it was skipped.
	IsMasked
	// IsMaskedGenerator: unit Path is masked by a generator (Source), and
	// unmask cannot change that.
	IsMaskedGenerator
	// IsDangling: the name Path is an alias of a unit that does not exist;
	// disable removes its symlinks all the same.
	IsDangling
	// DestinationNotPresent: the unit file Source was made a dependency of
	// Path, which does not exist.
	DestinationNotPresent
	// AuxiliaryFailed: the unit Path, named in another unit's Also=, could
	// not be enabled; that is not an error.
	AuxiliaryFailed
	// Failed: a failure concerning Path; Err says what it is.
	Failed
)

var changeTypeNames = [...]string{
	Symlink:               "symlink",
	Unlink:                "unlink",
	IsMasked:              "masked",
	IsMaskedGenerator:     "masked by generator",
	IsDangling:            "dangling",
	DestinationNotPresent: "destination not present",
	AuxiliaryFailed:       "auxiliary unit failed",
	Failed:                "error",
}

// String returns systemd's name of the change type ("symlink", "unlink",
// "masked", …); Failed, which systemd sends as a D-Bus error rather than a
// change, is "error".
func (t ChangeType) String() string {
	if t >= 0 && int(t) < len(changeTypeNames) {
		return changeTypeNames[t]
	}
	return fmt.Sprintf("ChangeType(%d)", int(t))
}

// Change is one thing an operation did or found, as systemd's
// InstallChange. Paths are full paths on this machine, the root prefix
// included; Source of a Symlink is the link's target as written, without
// it.
type Change struct {
	Type   ChangeType
	Path   string
	Source string
	// Err is set for Failed changes.
	Err *Error
}

// Message renders the change as systemctl prints it, for an operation
// named verb ("enable", "disable", "reenable", "link", "mask", "unmask",
// "set default"). Notes and failures are printed to standard error.
func (c Change) Message(verb string) string {
	switch c.Type {
	case Symlink:
		return fmt.Sprintf("Created symlink %s → %s.", c.Path, c.Source)
	case Unlink:
		return fmt.Sprintf("Removed %q.", c.Path)
	case IsMasked:
		return fmt.Sprintf("Unit %s is masked, ignoring.", c.Path)
	case IsMaskedGenerator:
		return fmt.Sprintf("Unit %s is masked via a generator and cannot be unmasked.", c.Path)
	case IsDangling:
		return fmt.Sprintf("Unit %s is an alias to a unit that is not present, ignoring.", c.Path)
	case DestinationNotPresent:
		return fmt.Sprintf("Unit %s is added as a dependency to a non-existent unit %s.", c.Source, c.Path)
	case AuxiliaryFailed:
		return fmt.Sprintf("Failed to enable auxiliary unit %s, ignoring.", c.Path)
	}
	if c.Err == nil {
		return fmt.Sprintf("Failed to %s unit, file %q.", verb, c.Path)
	}
	e := c.Err
	if e.Errno == syscall.EIDRM {
		return fmt.Sprintf("Failed to %s %s, destination unit %s is a non-template unit.", verb, e.Source, e.Path)
	}
	text, generic := errorText(e.Errno, e.Path, e.Source)
	if generic {
		// systemd's catch-all message ends in strerror, without a full stop.
		return fmt.Sprintf("Failed to %s unit, %s", verb, text)
	}
	return fmt.Sprintf("Failed to %s unit, %s.", verb, text)
}

// Messages returns what systemctl prints to standard error after
// performing verb with these results: one line per change (only failures
// when quiet), then "Failed to VERB: STRERROR." if err is set and no
// change was a failure.
func Messages(verb string, changes []Change, err error, quiet bool) []string {
	var lines []string
	failed := false
	for _, c := range changes {
		if c.Type == Failed {
			failed = true
		} else if quiet {
			continue
		}
		lines = append(lines, c.Message(verb))
	}
	if err != nil && !failed {
		var en syscall.Errno
		if errors.As(err, &en) {
			lines = append(lines, fmt.Sprintf("Failed to %s: %s.", verb, strerror(en)))
		} else {
			lines = append(lines, fmt.Sprintf("Failed to %s: %v.", verb, err))
		}
	}
	return lines
}
