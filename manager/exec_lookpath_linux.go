package manager

import (
	"errors"
	"strings"

	"golang.org/x/sys/unix"
)

// execSearchPath is where a bare program name is looked up: systemd's
// fixed DEFAULT_PATH (with split /usr), never pmd's $PATH.
var execSearchPath = [...]string{
	"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin",
}

// execLookPath resolves the program of an Exec*= command as systemd's
// find_executable does: a name holding a '/' is checked as it is, a bare
// name is tried in each directory of execSearchPath in turn. A candidate
// must be a regular file the caller may execute. Directories that refuse
// access are skipped silently; the error returned is the last other one
// (ENOENT when there is none). Errors are syscall.Errno values.
func execLookPath(name string) (string, error) {
	if strings.Contains(name, "/") {
		return name, execCheckExecutable(name)
	}
	var last error = unix.ENOENT
	for _, dir := range execSearchPath {
		p := dir + "/" + name
		err := execCheckExecutable(p)
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, unix.EACCES) {
			last = err
		}
	}
	return "", last
}

// execCheckExecutable reports why path cannot be executed: it must exist,
// be a regular file (a directory is EISDIR, anything else EBADFD, as in
// systemd) and pass access(X_OK). It opens with O_PATH so that programs
// that are executable but not readable pass.
func execCheckExecutable(path string) error {
	fd, err := unix.Open(path, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	var st unix.Stat_t
	err = unix.Fstat(fd, &st)
	unix.Close(fd)
	if err != nil {
		return err
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
	case unix.S_IFDIR:
		return unix.EISDIR
	default:
		return unix.EBADFD
	}
	return unix.Access(path, unix.X_OK)
}
