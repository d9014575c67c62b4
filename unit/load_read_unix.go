//go:build unix

package unit

import (
	"fmt"
	"os"
	"syscall"
)

// readUnitFile reads a unit file or drop-in, following symlinks. A mask
// (character device or empty file) reads as masked with no data. It uses
// plain system calls: os.File would register every file with the runtime's
// poller, which costs more than the read when thousands are loaded.
func readUnitFile(p string) (data []byte, masked bool, err error) {
	fd, err := openRetry(p)
	if err != nil {
		return nil, false, fmt.Errorf("%w: %w", errOpen, &os.PathError{Op: "open", Path: p, Err: err})
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := fstatRetry(fd, &st); err != nil {
		return nil, false, &os.PathError{Op: "stat", Path: p, Err: err}
	}
	switch st.Mode & syscall.S_IFMT {
	case syscall.S_IFCHR:
		return nil, true, nil
	case syscall.S_IFREG:
		if st.Size <= 0 {
			return nil, true, nil
		}
	case syscall.S_IFDIR:
		return nil, false, &os.PathError{Op: "read", Path: p, Err: syscall.EISDIR}
	}
	data = make([]byte, 0, st.Size+1)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		want := cap(data) - len(data)
		n, err := syscall.Read(fd, data[len(data):cap(data)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, false, &os.PathError{Op: "read", Path: p, Err: err}
		}
		data = data[:len(data)+n]
		// A short read of a regular file is its end: the buffer holds one
		// byte more than the size, so most files take a single read.
		if n == 0 || (n < want && st.Mode&syscall.S_IFMT == syscall.S_IFREG) {
			return data, false, nil
		}
	}
}

func openRetry(p string) (int, error) {
	for {
		fd, err := syscall.Open(p, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}

func fstatRetry(fd int, st *syscall.Stat_t) error {
	for {
		err := syscall.Fstat(fd, st)
		if err != syscall.EINTR {
			return err
		}
	}
}
