//go:build !unix

package unit

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// errIsDir is EISDIR, for systems without it.
var errIsDir = errors.New("is a directory")

// readUnitFile reads a unit file or drop-in, following symlinks. A mask
// (character device or empty file) reads as masked with no data.
func readUnitFile(p string) (data []byte, masked bool, err error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, false, fmt.Errorf("%w: %w", errOpen, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, false, err
	}
	if statIsMask(st) {
		return nil, true, nil
	}
	if st.IsDir() {
		return nil, false, &os.PathError{Op: "read", Path: p, Err: errIsDir}
	}
	data, err = io.ReadAll(f)
	if err != nil {
		return nil, false, err
	}
	return data, false, nil
}
