package manager

import (
	"errors"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// A forking service whose daemon writes PIDFile= only after the start
// process exited is waited for, as systemd does: inotify watches the
// nearest existing directory on the file's path, and every change there
// makes the machine try the file again. The start timeout still bounds the
// wait.

// evPIDFile says that the watched PID file may have changed.
type evPIDFile struct {
	rec *unitRec
	gen uint64
}

// pidWatch is one unit's watch: an inotify instance read by a goroutine.
type pidWatch struct {
	f   *os.File
	gen uint64
}

// watchPIDFile starts watching the unit's PID file.
func (l *loop) watchPIDFile(rec *unitRec) {
	l.unwatchPIDFile(rec)
	path := rec.u.Service.PIDFile
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		l.log.Warn("cannot watch the PID file; waiting for the start timeout", "unit", rec.name, "path", path, "err", err)
		return
	}
	// A non-blocking fd in an *os.File is read through the poller, so
	// Close interrupts the reader.
	f := os.NewFile(uintptr(fd), "inotify")
	rec.pidWatchGen++
	w := &pidWatch{f: f, gen: rec.pidWatchGen}
	rec.pidWatch = w
	if err := addPIDWatch(fd, path); err != nil {
		l.log.Warn("cannot watch the PID file; waiting for the start timeout", "unit", rec.name, "path", path, "err", err)
	}
	// The file may have appeared between the check and the watch.
	l.raise(evPIDFile{rec: rec, gen: w.gen})
	m := l.m
	go func() {
		buf := make([]byte, 4096)
		for {
			if _, err := f.Read(buf); err != nil {
				if errors.Is(err, os.ErrClosed) {
					return
				}
				continue
			}
			// Directories may have been created on the way down: watch
			// the deepest one that exists now.
			_ = addPIDWatch(fd, path)
			m.post(evPIDFile{rec: rec, gen: w.gen})
		}
	}()
}

// unwatchPIDFile stops the unit's watch, if any.
func (l *loop) unwatchPIDFile(rec *unitRec) {
	if rec.pidWatch == nil {
		return
	}
	rec.pidWatch.f.Close()
	rec.pidWatch = nil
	rec.pidWatchGen++
}

// addPIDWatch watches the PID file's directory, or its nearest existing
// ancestor while the directory does not exist.
func addPIDWatch(fd int, path string) error {
	const mask = unix.IN_CREATE | unix.IN_MOVED_TO | unix.IN_CLOSE_WRITE | unix.IN_MODIFY | unix.IN_ATTRIB
	dir := filepath.Dir(path)
	for {
		_, err := unix.InotifyAddWatch(fd, dir, mask)
		if err == nil || !errors.Is(err, unix.ENOENT) {
			return err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return err
		}
		dir = parent
	}
}
