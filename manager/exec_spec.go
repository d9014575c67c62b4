package manager

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"

	"github.com/pm-project/pm/unit"
)

// execSpec is everything a child process needs, as resolved by the loop:
// paths are final, users and groups are numbers, the environment is built.
// It is what the exec helper receives (as JSON); the files it inherits
// travel beside it in an [execFiles].
//
// Make one with [newExecSpec]: several zero values are not "unset" (an
// Umask of 0, an empty bounding set).
type execSpec struct {
	// Path is the program: absolute, or a bare file name looked up in
	// [execSearchPath] (inside RootDir) at each start, as systemd does.
	Path string
	// Argv is the argument vector including argv[0]; empty means {Path}.
	Argv []string
	// Env is the complete environment, KEY=VALUE.
	Env []string

	// Dir is the working directory, absolute and inside RootDir; "" is
	// "/". The caller resolves WorkingDirectory=~ to the user's home.
	Dir string
	// DirMissingOK is WorkingDirectory='-': a Dir that cannot be entered
	// leaves the child in "/" instead of failing with 200/CHDIR.
	DirMissingOK bool
	// RootDir is RootDirectory=: the child chroots there ("" = no chroot).
	RootDir string

	// Credentials are the user and groups to run as; nil keeps pmd's.
	Credentials *execCredentials
	// Umask is the file mode creation mask; -1 keeps pmd's.
	Umask int
	// Nice is Nice= (nil: unchanged).
	Nice *int
	// OOMScoreAdjust is OOMScoreAdjust= (nil: unchanged).
	OOMScoreAdjust *int
	// Rlimits are the Limit*= settings, applied in resource order.
	Rlimits []execRlimit
	// AmbientCaps is AmbientCapabilities=.
	AmbientCaps unit.CapSet
	// CapabilityBoundingSet is CapabilityBoundingSet=; unit.CapAll keeps
	// pmd's bounding set.
	CapabilityBoundingSet unit.CapSet
	// NoNewPrivileges is NoNewPrivileges= (or implied by other settings,
	// which the caller works out).
	NoNewPrivileges bool
	// Setsid makes the child a session leader (all services).
	Setsid bool
	// IgnoreSIGPIPE is IgnoreSIGPIPE= (systemd's default is true): the
	// program starts with SIGPIPE ignored. Otherwise it has the default
	// action, as every other signal does.
	IgnoreSIGPIPE bool

	// ListenFDs is how many of the extra files, from fd 3 on, are passed
	// as sockets with LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES.
	ListenFDs int
	// ListenFDNames are the names for LISTEN_FDNAMES, one per listen fd.
	ListenFDNames []string `json:",omitempty"`
	// NonBlocking is NonBlocking=: O_NONBLOCK is set on the listen fds,
	// otherwise cleared (the file description is shared with pmd's copy,
	// as in systemd).
	NonBlocking bool

	// CgroupFD is an open cgroup directory the child starts in
	// (clone3 CLONE_INTO_CGROUP), or -1. It is applied by the parent,
	// so it does not travel to the helper.
	CgroupFD int `json:"-"`
	// ChildPIDEnv names variables of Env to set to the child's own pid
	// (WATCHDOG_PID, SYSTEMD_EXEC_PID); only the helper knows it.
	ChildPIDEnv []string `json:",omitempty"`
}

// execCredentials are numeric credentials for a child.
type execCredentials struct {
	UID uint32
	GID uint32
	// Groups are the supplementary groups. Empty leaves pmd's supplementary
	// groups alone, as systemd does when it has none to set.
	Groups []uint32 `json:",omitempty"`
}

// execRlimit is one resource limit; Resource is a Linux RLIMIT_* number.
type execRlimit struct {
	Resource int
	Soft     uint64
	Hard     uint64
}

// execFiles are the open files a child gets: fds 0, 1, 2 and then Extra
// from fd 3 on (listen fds first). A nil stdio file is /dev/null; a nil
// Extra entry leaves that fd closed. The caller keeps ownership and may
// close them once execStart has returned.
type execFiles struct {
	Stdin, Stdout, Stderr *os.File
	Extra                 []*os.File
}

// newExecSpec returns a spec that runs path with argv and env, leaving
// everything else as pmd has it: no umask change, the full bounding set,
// no cgroup fd; with a new session and SIGPIPE ignored, as systemd does by
// default.
func newExecSpec(path string, argv, env []string) *execSpec {
	return &execSpec{
		Path:                  path,
		Argv:                  argv,
		Env:                   env,
		Umask:                 -1,
		CapabilityBoundingSet: unit.CapAll,
		Setsid:                true,
		IgnoreSIGPIPE:         true,
		CgroupFD:              -1,
	}
}

// execRlimitsFromLimits turns ExecContext.Limits into the spec's list,
// ordered by resource number. Unknown names are skipped (the parser has
// warned about them already).
func execRlimitsFromLimits(limits map[string]unit.Rlimit) []execRlimit {
	var out []execRlimit
	for name, l := range limits {
		r := unit.RlimitResource(name)
		if r < 0 {
			continue
		}
		out = append(out, execRlimit{Resource: r, Soft: l.Soft, Hard: l.Hard})
	}
	slices.SortFunc(out, func(a, b execRlimit) int { return a.Resource - b.Resource })
	return out
}

// Exit statuses systemd gives a child that fails before running its program
// (src/basic/exit-status.h); the names are unit.ExitStatusName's.
const (
	execExitChdir        = 200
	execExitNice         = 201
	execExitFDs          = 202
	execExitExec         = 203
	execExitLimits       = 205
	execExitOOMAdjust    = 206
	execExitChroot       = 210
	execExitGroup        = 216
	execExitUser         = 217
	execExitCapabilities = 218
	execExitNoNewPrivs   = 227
)

// execError is a child-side failure: the step that failed, the exit
// status the child exits with, and why.
type execError struct {
	// Step is systemd's name of the step ("EXEC", "CHDIR", …).
	Step string
	// ExitStatus is the child's exit status (203 for EXEC, …).
	ExitStatus int
	// Errno is the error of the failed system call.
	Errno syscall.Errno
	// Path is the program as the spec names it.
	Path string
}

// newExecError returns the error of a failed step with systemd's exit
// status code; err is reduced to its errno (EIO if it has none).
func newExecError(code int, path string, err error) *execError {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		errno = syscall.EIO
	}
	return &execError{Step: unit.ExitStatusName(code), ExitStatus: code, Errno: errno, Path: path}
}

// Error is systemd's log message for the failure.
func (e *execError) Error() string {
	return fmt.Sprintf("Failed at step %s spawning %s: %s", e.Step, e.Path, execStrerror(e.Errno))
}

// Unwrap returns the errno, so errors.Is(err, fs.ErrNotExist) works.
func (e *execError) Unwrap() error { return e.Errno }

// execStrerror is strerror(3) with glibc's capitalisation, which systemd's
// %m prints and Go's error strings lack ("no such file or directory").
func execStrerror(errno syscall.Errno) string {
	s := errno.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// execValidate checks what would make the spec unusable before anything
// is started; such a spec is a bug of the caller's, not a child failure.
func execValidate(spec *execSpec, files execFiles) error {
	switch {
	case spec.Path == "":
		return errors.New("exec: empty program path")
	case spec.ListenFDs < 0 || spec.ListenFDs > len(files.Extra):
		return fmt.Errorf("exec: %d listen fds but %d extra files", spec.ListenFDs, len(files.Extra))
	case spec.Dir != "" && !strings.HasPrefix(spec.Dir, "/"):
		return fmt.Errorf("exec: working directory %q is not absolute", spec.Dir)
	case spec.RootDir != "" && !strings.HasPrefix(spec.RootDir, "/"):
		return fmt.Errorf("exec: root directory %q is not absolute", spec.RootDir)
	}
	return nil
}
