//go:build unix

package install

import (
	"os"
	"syscall"
)

// openUnitFile opens a unit file for reading without following a symlink
// in its last component (that fails with ELOOP) and without blocking on a
// FIFO.
func openUnitFile(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}

// openFile opens a file for reading without blocking on a FIFO.
func openFile(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
