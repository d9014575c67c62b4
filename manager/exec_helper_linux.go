package manager

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/pm-project/pm/unit"
)

// execHelperMarker is the argument that makes pmd's binary act as the exec
// helper: argv is {name, marker, spec fd, status fd}.
const execHelperMarker = "--pm-exec-helper-v1"

// InitExec prepares the process for starting services, and is the entry
// point of the exec helper. pmd's main must call it first thing, before
// doing anything else, and so must the TestMain of any test binary that
// starts services.
//
// When the process was started as the exec helper (by execStart), it
// never returns: it reads the child's spec, applies in systemd's order
// what Go cannot do between fork and exec (OOM score, nice, umask,
// rlimits, groups, chroot, capability bounding set, ambient capabilities,
// user, working directory, no_new_privs, listen fds and LISTEN_PID,
// SIGPIPE), then execs the program. If a step fails, it reports the step
// on the status pipe and exits with systemd's status for it (203 for
// EXEC, …).
//
// Otherwise it marks every descriptor from 3 on close-on-exec and returns.
// Those are the ones pmd inherited (Go opens its own close-on-exec), and
// Go's fork and exec close nothing themselves, so without this they would
// leak into every service, where systemd closes them. pmd keeps using
// them; only exec drops them.
//
// pmd should then ignore SIGPIPE (signal.Ignore) before it starts
// anything: services ignore it by default (IgnoreSIGPIPE=yes), and only
// take the fast path when pmd's disposition is theirs.
func InitExec() {
	if len(os.Args) != 4 || os.Args[1] != execHelperMarker {
		execCloseOnExecFrom(3)
		return
	}
	specFD, err1 := strconv.Atoi(os.Args[2])
	statusFD, err2 := strconv.Atoi(os.Args[3])
	if err1 != nil || err2 != nil || specFD < 3 || statusFD < 3 {
		os.Exit(execExitExec)
	}
	os.Exit(execHelperRun(specFD, statusFD))
}

// execCloseRangeCloexec is CLOSE_RANGE_CLOEXEC (linux/close_range.h).
const execCloseRangeCloexec = 1 << 2

// execCloseOnExecFrom marks every descriptor from first on close-on-exec:
// with one close_range(2) call, or on kernels older than 5.11 one by one
// as listed in /proc/self/fd.
func execCloseOnExecFrom(first int) {
	if unix.CloseRange(uint(first), ^uint(0), execCloseRangeCloexec) == nil {
		return
	}
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return
	}
	for _, e := range ents {
		if fd, err := strconv.Atoi(e.Name()); err == nil && fd >= first {
			unix.CloseOnExec(fd)
		}
	}
}

// execHelperRun is the helper; it returns the exit status when it could
// not exec the program.
func execHelperRun(specFD, statusFD int) int {
	// Credentials, capabilities, nice and no_new_privs are per thread in
	// Linux: set them on the thread that will call execve.
	runtime.LockOSThread()
	// What pmd leaked to the helper stays out of the program: nothing
	// from the spec fd on survives execve (the status pipe included).
	execCloseOnExecFrom(specFD)
	unix.CloseOnExec(statusFD)
	spec, err := execReadSpec(specFD)
	unix.Close(specFD)
	if err != nil {
		return execHelperFail(statusFD, newExecError(execExitExec, "", err))
	}
	path, env, e := execHelperSetup(spec)
	if e != nil {
		return execHelperFail(statusFD, e)
	}
	// The byte says every step before execve succeeded; if execve does
	// too, the close-on-exec pipe reaches end of file right after it.
	unix.Write(statusFD, []byte{execStatusReady})
	err = syscall.Exec(path, execArgv(spec), env)
	return execHelperFail(statusFD, newExecError(execExitExec, spec.Path, err))
}

// execHelperFail reports e on the status pipe and returns its exit status.
func execHelperFail(statusFD int, e *execError) int {
	if b, err := json.Marshal(e); err == nil {
		unix.Write(statusFD, b)
	}
	return e.ExitStatus
}

// execReadSpec reads and decodes the spec from its memfd.
func execReadSpec(fd int) (*execSpec, error) {
	var buf []byte
	chunk := make([]byte, 64<<10)
	for off := int64(0); ; {
		n, err := unix.Pread(fd, chunk, off)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n == 0 {
			break
		}
		buf = append(buf, chunk[:n]...)
		off += int64(n)
	}
	spec := &execSpec{CgroupFD: -1}
	if err := json.Unmarshal(buf, spec); err != nil {
		return nil, unix.EINVAL
	}
	if spec.Path == "" {
		return nil, unix.EINVAL
	}
	return spec, nil
}

// execHelperSetup applies the spec to this process in the order of
// systemd 252's exec_child and returns the program to exec and its
// environment. The chroot comes before the program lookup (systemd looks
// the program up inside the new root too), and before the capability
// changes, which do not take CAP_SYS_CHROOT from the effective set.
func execHelperSetup(spec *execSpec) (string, []string, *execError) {
	fail := func(code int, err error) (string, []string, *execError) {
		return "", nil, newExecError(code, spec.Path, err)
	}
	if spec.OOMScoreAdjust != nil {
		// As systemd: a container may forbid this; go on without it.
		if err := execSetOOMScoreAdjust(*spec.OOMScoreAdjust); err != nil && !execIsPrivilegeError(err) {
			return fail(execExitOOMAdjust, err)
		}
	}
	if spec.Nice != nil {
		if err := execSetNiceClosest(*spec.Nice); err != nil {
			return fail(execExitNice, err)
		}
	}
	if spec.Umask >= 0 {
		unix.Umask(spec.Umask)
	}
	for _, r := range spec.Rlimits {
		if err := execSetrlimitClosest(r); err != nil {
			return fail(execExitLimits, err)
		}
	}
	cred := spec.Credentials
	if cred != nil {
		if err := execSetGroups(cred.GID, cred.Groups); err != nil {
			return fail(execExitGroup, err)
		}
	}
	if spec.RootDir != "" {
		if err := unix.Chroot(spec.RootDir); err != nil {
			return fail(execExitChroot, err)
		}
	}
	path, err := execLookPath(spec.Path)
	if err != nil {
		return fail(execExitExec, err)
	}
	if spec.CapabilityBoundingSet != unit.CapAll {
		if err := execDropBoundingSet(spec.CapabilityBoundingSet); err != nil {
			return fail(execExitCapabilities, err)
		}
	}
	ambient := spec.AmbientCaps
	if ambient != 0 {
		if err := execApplyAmbient(ambient, true); err != nil {
			return fail(execExitCapabilities, err)
		}
	}
	if cred != nil {
		if err := execSetUser(cred.UID, ambient != 0); err != nil {
			return fail(execExitUser, err)
		}
		// setresuid away from 0 cleared the ambient set; raise it again.
		if ambient != 0 {
			if err := execApplyAmbient(ambient, false); err != nil {
				return fail(execExitCapabilities, err)
			}
		}
	}
	dir := spec.Dir
	if dir == "" {
		dir = "/"
	}
	if err := unix.Chdir(dir); err != nil {
		if !spec.DirMissingOK {
			return fail(execExitChdir, err)
		}
		unix.Chdir("/")
	}
	if spec.NoNewPrivileges {
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return fail(execExitNoNewPrivs, err)
		}
	}
	env := spec.Env
	if len(spec.ChildPIDEnv) > 0 {
		env = envSetChildPID(env, spec.ChildPIDEnv, os.Getpid())
	}
	if spec.ListenFDs > 0 {
		if err := execFlagListenFDs(spec.ListenFDs, spec.NonBlocking); err != nil {
			return fail(execExitFDs, err)
		}
		env = execListenEnv(env, os.Getpid(), spec.ListenFDs, spec.ListenFDNames)
	}
	// Go handles SIGPIPE here, so execve resets it to the default action
	// unless it is ignored.
	if spec.IgnoreSIGPIPE {
		signal.Ignore(syscall.SIGPIPE)
	}
	return path, env, nil
}

// execIsPrivilegeError is systemd's ERRNO_IS_PRIVILEGE.
func execIsPrivilegeError(err error) bool {
	return errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES)
}

// execSetOOMScoreAdjust writes /proc/self/oom_score_adj.
func execSetOOMScoreAdjust(v int) error {
	f, err := os.OpenFile("/proc/self/oom_score_adj", os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = io.WriteString(f, strconv.Itoa(v))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// execSetNiceClosest is systemd's setpriority_closest: set the nice level
// of this thread, or when that is not allowed, the lowest RLIMIT_NICE
// permits (never a higher one than asked for).
func execSetNiceClosest(nice int) error {
	err := unix.Setpriority(unix.PRIO_PROCESS, 0, nice)
	if err == nil || !execIsPrivilegeError(err) {
		return err
	}
	prio, gerr := unix.Getpriority(unix.PRIO_PROCESS, 0)
	if gerr != nil {
		return gerr
	}
	current := 20 - prio // the raw system call returns 20 - nice
	if nice == current {
		return nil
	}
	if nice > current {
		return err
	}
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NICE, &rl); err != nil {
		return err
	}
	limit := 20 - int(min(rl.Cur, 40))
	if rl.Cur <= 1 {
		limit = 19
	}
	if current < limit {
		return nil
	}
	return unix.Setpriority(unix.PRIO_PROCESS, 0, limit)
}

// execSetrlimitClosest is systemd's setrlimit_closest: when a limit above
// the current hard limit is refused, it sets the closest one allowed.
// syscall.Setrlimit (not unix's) is used so that a RLIMIT_NOFILE set here
// is the one the program gets: Go would otherwise restore its own saved
// value at exec.
func execSetrlimitClosest(r execRlimit) error {
	want := syscall.Rlimit{Cur: r.Soft, Max: r.Hard}
	err := syscall.Setrlimit(r.Resource, &want)
	if err == nil || !errors.Is(err, unix.EPERM) {
		return err
	}
	var have syscall.Rlimit
	if gerr := syscall.Getrlimit(r.Resource, &have); gerr != nil {
		return gerr
	}
	if have.Max == unix.RLIM_INFINITY {
		return err
	}
	fixed := syscall.Rlimit{Cur: min(want.Cur, have.Max), Max: min(want.Max, have.Max)}
	if fixed == have {
		return nil
	}
	return syscall.Setrlimit(r.Resource, &fixed)
}

// execSetGroups sets the supplementary groups (when there are any) and
// the gid of this thread only, with raw system calls: Go's own would
// change every thread, and fail when cgo is linked in.
func execSetGroups(gid uint32, groups []uint32) error {
	if len(groups) > 0 {
		_, _, e := unix.RawSyscall(execSysSetgroups, uintptr(len(groups)), uintptr(unsafe.Pointer(&groups[0])), 0)
		runtime.KeepAlive(groups)
		if e != 0 {
			return e
		}
	}
	if _, _, e := unix.RawSyscall(execSysSetresgid, uintptr(gid), uintptr(gid), uintptr(gid)); e != 0 {
		return e
	}
	return nil
}

// execSetUser sets the uid of this thread. With keepCaps (ambient
// capabilities wanted) the permitted set survives leaving uid 0, so
// the ambient capabilities can be raised again afterwards.
func execSetUser(uid uint32, keepCaps bool) error {
	if keepCaps && uid != 0 {
		if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 1, 0, 0, 0); err != nil {
			return err
		}
	}
	if _, _, e := unix.RawSyscall(execSysSetresuid, uintptr(uid), uintptr(uid), uintptr(uid)); e != 0 {
		return e
	}
	return nil
}

// execFlagListenFDs sets or clears O_NONBLOCK on the listen fds (3…) and
// makes sure they survive execve.
func execFlagListenFDs(n int, nonBlocking bool) error {
	for fd := 3; fd < 3+n; fd++ {
		if err := unix.SetNonblock(fd, nonBlocking); err != nil {
			return err
		}
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil {
			return err
		}
		if flags&unix.FD_CLOEXEC != 0 {
			if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFD, flags&^unix.FD_CLOEXEC); err != nil {
				return err
			}
		}
	}
	return nil
}

// execListenEnv returns env with LISTEN_PID, LISTEN_FDS and (when there
// are names) LISTEN_FDNAMES first, as systemd orders them, replacing any
// of them env already has.
func execListenEnv(env []string, pid, n int, names []string) []string {
	out := make([]string, 0, len(env)+3)
	out = append(out, "LISTEN_PID="+strconv.Itoa(pid), "LISTEN_FDS="+strconv.Itoa(n))
	if len(names) > 0 {
		out = append(out, "LISTEN_FDNAMES="+strings.Join(names, ":"))
	}
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if k == "LISTEN_PID" || k == "LISTEN_FDS" || k == "LISTEN_FDNAMES" {
			continue
		}
		out = append(out, kv)
	}
	return out
}
