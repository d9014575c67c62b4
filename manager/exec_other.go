//go:build !linux

package manager

import (
	"errors"
	"fmt"
)

// errExecUnsupported is execStart's error where pm cannot start services.
var errExecUnsupported = errors.New("exec: starting services is only supported on Linux")

// InitExec does nothing where pm starts no services.
func InitExec() {}

// execStart fails: pm starts services on Linux only.
func execStart(spec *execSpec, files execFiles) (pid int, done <-chan error, err error) {
	return 0, nil, fmt.Errorf("%s: %w", spec.Path, errExecUnsupported)
}
