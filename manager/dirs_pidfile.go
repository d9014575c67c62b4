package manager

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// PID files: PIDFile= of Type=forking services, read as systemd 252's
// service_load_pid_file does, and written by pm for the other types (a
// convenience systemd does not offer: the file then names the main
// process for tools that expect it).

// pidFileInfo is what a PID file says and how it was reached.
type pidFileInfo struct {
	PID int
	// Unsafe: the path goes through a symlink or directory owned by
	// another unprivileged user than the one before it (systemd's
	// CHASE_SAFE failed and the file was read with relaxed checks).
	Unsafe bool
	// RootOwned: the file itself is owned by root.
	RootOwned bool
}

// pidFileLoad opens path without following symlinks across owners
// (falling back to plain resolution and setting Unsafe), reads its first
// line and parses the pid as systemd does: leading blanks, then a number
// in decimal or with a 0x, 0o, 0b or leading-0 base, nothing after it,
// above 0 and within pid_t.
func pidFileLoad(path string) (pidFileInfo, error) {
	var info pidFileInfo
	fd, err := pidFileChase(path, true)
	if errors.Is(err, unix.ENOLINK) {
		info.Unsafe = true
		fd, err = pidFileChase(path, false)
	}
	if err != nil {
		return info, fmt.Errorf("can't open PID file %s: %w", path, err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return info, err
	}
	info.RootOwned = st.Uid == 0
	b, err := os.ReadFile("/proc/self/fd/" + strconv.Itoa(fd))
	if err != nil {
		return info, fmt.Errorf("can't read PID file %s: %w", path, err)
	}
	line := string(b)
	if i := strings.IndexAny(line, "\n\x00"); i >= 0 {
		line = line[:i]
	}
	pid, err := pidFileParse(strings.TrimSuffix(line, "\r"))
	if err != nil {
		return info, fmt.Errorf("failed to parse PID from file %s: %w", path, err)
	}
	info.PID = pid
	return info, nil
}

// pidFileRead reads a PID file (pidFileLoad) and checks the pid the way
// systemd checks a new main pid: not pmd itself or PID 1 (EPERM), alive
// and not a zombie (ESRCH). Whether the process belongs to the service,
// and if not whether the file may be trusted, is pidFileAccept's
// question; so is the control process.
func pidFileRead(path string) (int, error) {
	info, err := pidFileLoad(path)
	if err != nil {
		return 0, err
	}
	pid := info.PID
	if pid == os.Getpid() || pid == 1 {
		return 0, fmt.Errorf("new main PID %d is the manager, refusing: %w", pid, unix.EPERM)
	}
	if !pidAlive(pid) {
		return 0, fmt.Errorf("new main PID %d does not exist or is a zombie: %w", pid, unix.ESRCH)
	}
	return pid, nil
}

// pidFileAccept is the rest of systemd's check: a pid that belongs to the
// service (owned: it is in the unit's cgroup or process set) is fine;
// another one only when the PID file is owned by root and was not reached
// through an unsafe symlink chain.
func pidFileAccept(info pidFileInfo, owned bool) error {
	switch {
	case owned:
		return nil
	case info.Unsafe:
		return fmt.Errorf("refusing to accept PID outside of service control group, acquired through unsafe symlink chain: %w", unix.EPERM)
	case !info.RootOwned:
		return fmt.Errorf("new main PID %d does not belong to service, and PID file is not owned by root. Refusing: %w", info.PID, unix.EPERM)
	}
	return nil
}

// pidAlive is systemd's pid_is_alive: the process exists and is not a
// zombie.
func pidAlive(pid int) bool {
	if pid <= 1 || pid == os.Getpid() {
		return pid >= 0
	}
	pi, err := readProcStat(pid)
	if err != nil {
		// Only a process that is gone is dead; a file we cannot read
		// belongs to one that exists.
		return !errors.Is(err, os.ErrNotExist)
	}
	return pi.state != 'Z'
}

// pidFileParse is systemd's parse_pid (safe_atolu with base 0).
func pidFileParse(s string) (int, error) {
	s = strings.TrimLeft(s, " \t\n\r")
	neg := false
	base := 10
	switch {
	case len(s) > 2 && (s[:2] == "0b" || s[:2] == "0B"):
		base, s = 2, s[2:]
	case len(s) > 2 && (s[:2] == "0o" || s[:2] == "0O"):
		base, s = 8, s[2:]
	default:
		if s != "" && (s[0] == '+' || s[0] == '-') {
			neg, s = s[0] == '-', s[1:]
		}
		switch {
		case len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X"):
			base, s = 16, s[2:]
		case len(s) > 1 && s[0] == '0':
			base, s = 8, s[1:]
		}
	}
	if s == "" || strings.ContainsAny(s[:1], "+- \t") {
		return 0, unix.EINVAL
	}
	v, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return 0, unix.ERANGE
		}
		return 0, unix.EINVAL
	}
	if (neg && v != 0) || v == 0 || v > 1<<31-1 {
		return 0, unix.ERANGE
	}
	return int(v), nil
}

// pidFileChase resolves path one component at a time with O_PATH file
// descriptors, as systemd's chase_symlinks, and returns an O_PATH fd of
// the file. With safe set it fails with ENOLINK when a step goes from a
// file owned by an unprivileged user to one owned by someone else (a
// user's symlink into root's files).
func pidFileChase(path string, safe bool) (int, error) {
	if !filepath.IsAbs(path) {
		abs, err := filepath.Abs(path)
		if err != nil {
			return -1, err
		}
		path = abs
	}
	const flags = unix.O_PATH | unix.O_CLOEXEC | unix.O_NOFOLLOW
	fd, err := unix.Open("/", flags|unix.O_DIRECTORY, 0)
	if err != nil {
		return -1, err
	}
	var prev unix.Stat_t
	if err := unix.Fstat(fd, &prev); err != nil {
		unix.Close(fd)
		return -1, err
	}
	unsafeStep := func(next *unix.Stat_t) bool {
		return safe && prev.Uid != 0 && prev.Uid != next.Uid
	}
	todo := strings.Split(path, "/")
	follows := 32
	for len(todo) > 0 {
		name := todo[0]
		todo = todo[1:]
		if name == "" || name == "." {
			continue
		}
		child, err := unix.Openat(fd, name, flags, 0)
		if err != nil {
			unix.Close(fd)
			return -1, err
		}
		var st unix.Stat_t
		if err := unix.Fstat(child, &st); err != nil || unsafeStep(&st) {
			unix.Close(child)
			unix.Close(fd)
			if err == nil {
				err = unix.ENOLINK
			}
			return -1, err
		}
		prev = st
		if st.Mode&unix.S_IFMT != unix.S_IFLNK {
			unix.Close(fd)
			fd = child
			continue
		}
		unix.Close(child)
		follows--
		if follows <= 0 {
			unix.Close(fd)
			return -1, unix.ELOOP
		}
		target, err := pidFileReadlinkat(fd, name)
		if err != nil || target == "" {
			unix.Close(fd)
			if err == nil {
				err = unix.EINVAL
			}
			return -1, err
		}
		if strings.HasPrefix(target, "/") {
			unix.Close(fd)
			if fd, err = unix.Open("/", flags|unix.O_DIRECTORY, 0); err != nil {
				return -1, err
			}
			var root unix.Stat_t
			if err := unix.Fstat(fd, &root); err != nil || unsafeStep(&root) {
				unix.Close(fd)
				if err == nil {
					err = unix.ENOLINK
				}
				return -1, err
			}
			prev = root
		}
		todo = append(strings.Split(target, "/"), todo...)
	}
	return fd, nil
}

func pidFileReadlinkat(dirfd int, name string) (string, error) {
	buf := make([]byte, 256)
	for {
		n, err := unix.Readlinkat(dirfd, name, buf)
		if err != nil {
			return "", err
		}
		if n < len(buf) {
			return string(buf[:n]), nil
		}
		buf = make([]byte, 2*len(buf))
	}
}

// pidFileWrite writes pid to path atomically (a temporary file in the
// same directory, renamed over it), creating missing directories with
// mode 0755. The file is 0644 and ends with a newline.
func pidFileWrite(path string, pid int) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.WriteString(strconv.Itoa(pid) + "\n")
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// pidFileRemove removes a PID file; a missing one is fine (systemd
// unlinks PIDFile= when the service is dead).
func pidFileRemove(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
