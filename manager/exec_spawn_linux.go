package manager

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/pm-project/pm/unit"
)

// errExecHelperLost is what done delivers when the exec helper ended
// without saying whether the program ran (it was killed, or crashed). The
// helper's exit is reaped like any other.
var errExecHelperLost = errors.New("exec helper exited before running the program")

// execStart starts spec's program and returns its pid at once; it never
// waits for the process (the loop reaps it with wait4(-1)).
//
// The first receive from done yields nil once the program has replaced
// the child (execve succeeded: Type=exec may count the start as done), a
// *execError when a setup step or execve failed in the child, or
// errExecHelperLost; done is then closed. In every case pid is a real
// child that the loop reaps. After a *execError that child exits with
// ExitStatus (203 for EXEC, 200 for CHDIR, …) exactly as under systemd,
// so the loop handles it like any exit and logs err.Error() ("Failed at
// step EXEC spawning /x: No such file or directory"). done is buffered:
// nobody has to read it.
//
// err is non-nil only when no child exists: the spec is unusable, or the
// fork itself failed (systemd's "Failed to spawn … task").
//
// Most specs take the fast path: fork and exec with syscall.SysProcAttr
// (session, credentials, ambient capabilities, chroot, working directory,
// cgroup); done is then closed already. Go reports a failure in that
// child only as an errno, not the step that failed, so a failed fast
// start is retried through the exec helper, which runs the same steps
// again, names the failing one and exits with its status. Specs that need
// what SysProcAttr lacks (rlimits, umask, nice, OOM score, bounding set,
// no_new_privs, listen fds, a SIGPIPE disposition other than pmd's) go to
// the helper directly: pmd's own binary re-executed, which applies them
// and then execs the program (see InitExec).
func execStart(spec *execSpec, files execFiles) (pid int, done <-chan error, err error) {
	if err := execValidate(spec, files); err != nil {
		return 0, nil, err
	}
	fds, cleanup, err := execFileFDs(files)
	if err != nil {
		return 0, nil, err
	}
	defer cleanup()
	if !execNeedsHelper(spec) {
		if pid, err := execStartDirect(spec, fds); err == nil {
			ch := make(chan error)
			close(ch)
			return pid, ch, nil
		}
	}
	return execStartHelper(spec, fds)
}

// execNeedsHelper reports whether spec asks for something the fast path
// cannot do between fork and exec.
func execNeedsHelper(spec *execSpec) bool {
	switch {
	case spec.Nice != nil, spec.OOMScoreAdjust != nil, spec.NoNewPrivileges,
		spec.ListenFDs > 0, spec.CapabilityBoundingSet != unit.CapAll, slices.Contains(spec.ChildPIDEnv, "WATCHDOG_PID"):
		return true
	case spec.Umask >= 0 && spec.Umask != execSelf().umask:
		return true
	case spec.IgnoreSIGPIPE != execSelf().sigpipeIgnored || !execSelf().known:
		return true
	case spec.RootDir != "" && !strings.Contains(spec.Path, "/"):
		// The bare name must be looked up inside the new root.
		return true
	}
	return !execRlimitsInherited(spec.Rlimits)
}

// execRlimitsInherited reports whether a child would get every limit of
// rl from pmd anyway, so that setting them is a no-op. RLIMIT_NOFILE is
// special: Go raises its own soft limit to hard-1 at start and restores
// the original in children, which it does not tell; a soft limit of
// hard-1 is therefore taken to mean "unknown".
func execRlimitsInherited(rl []execRlimit) bool {
	for _, r := range rl {
		var cur unix.Rlimit
		if unix.Getrlimit(r.Resource, &cur) != nil || cur.Cur != r.Soft || cur.Max != r.Hard {
			return false
		}
		if r.Resource == unix.RLIMIT_NOFILE && cur.Max != unix.RLIM_INFINITY && cur.Cur == cur.Max-1 {
			return false
		}
	}
	return true
}

// execSelfState is what children of pmd inherit without being told:
// the umask, and whether SIGPIPE is ignored (signal.Ignore leaves it so in
// children, where Go resets the signals it handles to the default).
type execSelfState struct {
	umask          int // -2 when unknown
	sigpipeIgnored bool
	known          bool // whether sigpipeIgnored could be read
}

// execSelf reads pmd's state once from /proc/self/status, without
// changing it. pmd sets its umask and SIGPIPE disposition before it
// starts anything and never changes them afterwards.
var execSelf = sync.OnceValue(func() execSelfState {
	st := execSelfState{umask: -2}
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return st
	}
	for line := range strings.Lines(string(b)) {
		k, v, _ := strings.Cut(line, ":")
		v = strings.TrimSpace(v)
		switch k {
		case "Umask":
			if n, err := strconv.ParseUint(v, 8, 32); err == nil {
				st.umask = int(n)
			}
		case "SigIgn":
			if n, err := strconv.ParseUint(v, 16, 64); err == nil {
				st.sigpipeIgnored = n&(1<<(syscall.SIGPIPE-1)) != 0
				st.known = true
			}
		}
	}
	return st
})

// execFDs are the descriptors a child gets, by child fd number, with -1
// for a closed one (as syscall.ProcAttr.Files wants them).
type execFDs []uintptr

// execFileFDs lists the fds of files for the child: stdio (a nil one is
// /dev/null, opened here and closed by cleanup) then the extra files. It
// reads the fd numbers without (*os.File).Fd, which would switch a
// non-blocking file (such as a socket pmd polls) to blocking mode.
func execFileFDs(files execFiles) (execFDs, func(), error) {
	fds := make(execFDs, 3+len(files.Extra))
	var devNull *os.File
	cleanup := func() {
		if devNull != nil {
			devNull.Close()
		}
		runtime.KeepAlive(files)
	}
	for i, f := range []*os.File{files.Stdin, files.Stdout, files.Stderr} {
		if f == nil {
			if devNull == nil {
				var err error
				if devNull, err = os.OpenFile(os.DevNull, os.O_RDWR, 0); err != nil {
					return nil, func() {}, fmt.Errorf("exec: %w", err)
				}
			}
			f = devNull
		}
		fd, err := execFD(f)
		if err != nil {
			cleanup()
			return nil, func() {}, err
		}
		fds[i] = fd
	}
	for i, f := range files.Extra {
		fds[3+i] = ^uintptr(0)
		if f == nil {
			continue
		}
		fd, err := execFD(f)
		if err != nil {
			cleanup()
			return nil, func() {}, err
		}
		fds[3+i] = fd
	}
	return fds, cleanup, nil
}

// execFD returns the descriptor number of f, leaving its mode alone.
func execFD(f *os.File) (uintptr, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, fmt.Errorf("exec: file %s: %w", f.Name(), err)
	}
	var fd uintptr
	if err := rc.Control(func(n uintptr) { fd = n }); err != nil {
		return 0, fmt.Errorf("exec: file %s: %w", f.Name(), err)
	}
	return fd, nil
}

// execStartDirect forks and execs the program with SysProcAttr only.
func execStartDirect(spec *execSpec, fds execFDs) (int, error) {
	path := spec.Path
	if !strings.Contains(path, "/") {
		p, err := execLookPath(path)
		if err != nil {
			return 0, err
		}
		path = p
	}
	sys := &syscall.SysProcAttr{
		Setsid: spec.Setsid,
		Chroot: spec.RootDir,
	}
	if c := spec.Credentials; c != nil {
		sys.Credential = &syscall.Credential{Uid: c.UID, Gid: c.GID, Groups: c.Groups, NoSetGroups: len(c.Groups) == 0}
	}
	for n := 0; n < 64; n++ {
		if spec.AmbientCaps.Has(n) {
			sys.AmbientCaps = append(sys.AmbientCaps, uintptr(n))
		}
	}
	if spec.CgroupFD >= 0 {
		sys.UseCgroupFD, sys.CgroupFD = true, spec.CgroupFD
	}
	dir := spec.Dir
	if dir == "" {
		dir = "/"
	}
	return syscall.ForkExec(path, execArgv(spec), &syscall.ProcAttr{
		Dir:   dir,
		Env:   spec.Env,
		Files: fds,
		Sys:   sys,
	})
}

// execArgv is the spec's argument vector, {Path} when it has none.
func execArgv(spec *execSpec) []string {
	if len(spec.Argv) == 0 {
		return []string{spec.Path}
	}
	return spec.Argv
}

// execStartHelper starts the exec helper for spec: pmd's own binary with
// the marker argument, the spec in a memfd and a status pipe, placed
// after the child's own fds so they cannot collide with listen fds.
func execStartHelper(spec *execSpec, fds execFDs) (int, <-chan error, error) {
	data, err := json.Marshal(spec)
	if err != nil {
		return 0, nil, fmt.Errorf("exec: encoding spec: %w", err)
	}
	mfd, err := unix.MemfdCreate("pm-exec-spec", unix.MFD_CLOEXEC)
	if err != nil {
		return 0, nil, fmt.Errorf("exec: memfd: %w", err)
	}
	defer unix.Close(mfd)
	for b := data; len(b) > 0; {
		n, err := unix.Write(mfd, b)
		if err != nil {
			return 0, nil, fmt.Errorf("exec: writing spec: %w", err)
		}
		b = b[n:]
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return 0, nil, fmt.Errorf("exec: status pipe: %w", err)
	}
	wfd, err := execFD(pw)
	if err != nil {
		pr.Close()
		pw.Close()
		return 0, nil, err
	}
	specFD := len(fds)
	all := append(fds[:len(fds):len(fds)], uintptr(mfd), wfd)
	sys := &syscall.SysProcAttr{Setsid: spec.Setsid}
	if spec.CgroupFD >= 0 {
		sys.UseCgroupFD, sys.CgroupFD = true, spec.CgroupFD
	}
	argv := []string{"pm-exec-helper", execHelperMarker, strconv.Itoa(specFD), strconv.Itoa(specFD + 1)}
	pid, err := syscall.ForkExec("/proc/self/exe", argv, &syscall.ProcAttr{Files: all, Sys: sys})
	pw.Close()
	if err != nil {
		pr.Close()
		return 0, nil, fmt.Errorf("exec: starting exec helper for %s: %w", spec.Path, err)
	}
	done := make(chan error, 1)
	go func() {
		b, err := io.ReadAll(pr)
		pr.Close()
		done <- execParseStatus(b, err)
		close(done)
	}()
	return pid, done, nil
}

// The status pipe carries execStatusReady just before the helper calls
// execve, then, if anything failed, one JSON-encoded execError. Reaching
// end of file after execStatusReady alone means execve succeeded (the
// pipe is close-on-exec).
const execStatusReady = 'x'

// execParseStatus turns what was read from the status pipe into done's
// value.
func execParseStatus(b []byte, readErr error) error {
	if readErr != nil {
		return fmt.Errorf("exec: reading helper status: %w", readErr)
	}
	rest, ready := bytes.CutPrefix(b, []byte{execStatusReady})
	switch {
	case len(rest) > 0:
		var e execError
		if err := json.Unmarshal(rest, &e); err != nil {
			return fmt.Errorf("exec: bad helper status %q: %w", rest, err)
		}
		return &e
	case ready:
		return nil
	}
	return errExecHelperLost
}
