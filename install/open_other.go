//go:build !unix

package install

import (
	"io/fs"
	"os"
	"syscall"
)

// openUnitFile opens a unit file for reading; a symlink fails with ELOOP,
// as with O_NOFOLLOW.
func openUnitFile(path string) (*os.File, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return nil, &fs.PathError{Op: "open", Path: path, Err: syscall.ELOOP}
	}
	return os.Open(path)
}

// openFile opens a file for reading.
func openFile(path string) (*os.File, error) { return os.Open(path) }
