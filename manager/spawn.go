package manager

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/pm-project/pm/unit"
)

// spawn starts the process an actSpawn asks for and registers it. A failure
// that systemd detects in the child (unknown user, missing program, a
// directory it cannot create) gives a process that "exits" with systemd's
// status for that step, so the machine handles it like any failed child;
// only a failure to start any process at all is returned.
func (l *loop) spawn(rec *unitRec, a actSpawn) (int, error) {
	s := rec.svc
	cfg := s.cfg
	cmds := a.kind.list(cfg)
	if a.index < 0 || a.index >= len(cmds) {
		return 0, fmt.Errorf("no command %d of %s", a.index, a.kind)
	}
	cmd := cmds[a.index]
	ex := &cfg.Exec
	// '+' (and PermissionsStartOnly= for everything but ExecStart=) runs
	// with full privileges; '!' keeps the manager's user.
	privileged := cmd.FullPrivileges || (cfg.PermissionsStartOnly && a.kind != kindStart)
	keepUser := privileged || cmd.NoSetuid

	creds := &userCreds{UID: -1, GID: -1}
	if !keepUser {
		c, err := userResolve(ex)
		if err != nil {
			if ex.DynamicUser {
				err = fmt.Errorf("%w (DynamicUser= is not supported by pm yet: create user %s, or set User=)", err, ex.User)
			}
			return l.failedChild(rec, a, exitUser(err), cmd.Path, err)
		}
		creds = c
	}
	roots := dirRoots(l.m.cfg.Dirs)
	in := envInput{
		Manager:      l.managerEnv(),
		Environ:      os.Environ(),
		Exec:         ex,
		User:         creds.User,
		InvocationID: rec.invocationID,
		Dirs:         &roots,
		PIDFile:      cfg.PIDFile,
	}
	if envNotifyAllowed(cfg.NotifyAccess, !a.main) {
		in.NotifySocket = l.notify.Path()
	}
	if !a.main && s.mainPID > 0 {
		in.MainPID = s.mainPID
	}
	if a.main {
		if wd := s.watchdog(); wd > 0 {
			in.WatchdogUSec = uint64(wd / time.Microsecond)
		}
	}
	if a.setResult {
		in.Result = string(s.result)
		if s.haveMainExit {
			in.ExitCode, in.ExitStatus = envExitStatus(s.mainExit.Code == exitExited, s.mainExit.Code == exitDumped, s.mainExit.Status)
		}
	}
	envr, err := envBuild(in)
	if err != nil {
		return 0, fmt.Errorf("failed to load environment files: %w", err)
	}
	for _, w := range envr.Warnings {
		l.log.Warn("ignoring invalid environment assignment", "unit", rec.name, "err", w)
	}

	argv := cmd.Argv
	if !cmd.NoEnvExpand {
		argv = unit.ExpandArgv(cmd.Argv, func(n string) (string, bool) { return envLookup(envr.Env, n) })
	}
	// A bare program name is looked up by execStart, inside
	// RootDirectory=; a miss is a child exiting with 203/EXEC.
	path := cmd.Path
	if len(argv) == 0 {
		argv = []string{path}
	}

	// The system manager gives the directories to the service's user
	// (root without User=); a per-user one leaves ownership alone.
	uid, gid := creds.UID, creds.GID
	if l.m.cfg.System {
		uid, gid = max(uid, 0), max(gid, 0)
	}
	if _, err := dirsPrepare(ex, roots, uid, gid); err != nil {
		var de *dirsError
		status := 233
		if errors.As(err, &de) {
			status = de.ExitStatus
		}
		l.log.Error(err.Error(), "unit", rec.name)
		return l.failedChild(rec, a, status, path, err)
	}

	spec := newExecSpec(path, argv, envr.Env)
	spec.ChildPIDEnv = envr.ChildPID
	spec.Dir, spec.DirMissingOK = l.workingDir(ex, creds)
	if ex.RootDirectory != "" && !privileged {
		spec.RootDir = ex.RootDirectory
	}
	if creds.UID >= 0 || creds.GID >= 0 || creds.SetGroups {
		c := &execCredentials{UID: uint32(os.Getuid()), GID: uint32(os.Getgid())}
		if creds.UID >= 0 {
			c.UID = uint32(creds.UID)
		}
		if creds.GID >= 0 {
			c.GID = uint32(creds.GID)
		}
		for _, g := range creds.Groups {
			c.Groups = append(c.Groups, uint32(g))
		}
		if !creds.SetGroups {
			c.Groups = nil
		}
		spec.Credentials = c
	}
	spec.Umask = int(ex.UMask)
	spec.Nice = ex.Nice
	spec.OOMScoreAdjust = ex.OOMScoreAdjust
	spec.Rlimits = execRlimitsFromLimits(ex.Limits)
	if !privileged {
		spec.AmbientCaps = ex.AmbientCapabilities
		spec.CapabilityBoundingSet = ex.CapabilityBoundingSet
		spec.NoNewPrivileges = ex.NoNewPrivileges
	}
	spec.NonBlocking = cfg.NonBlocking
	spec.IgnoreSIGPIPE = ex.IgnoreSIGPIPE

	if !execNeedsHelper(spec) {
		// Only the exec helper knows the child's pid before exec. pm does
		// not take the slow path for $SYSTEMD_EXEC_PID alone: children
		// started directly go without it.
		for _, n := range spec.ChildPIDEnv {
			spec.Env = envDelete(spec.Env, []string{n})
		}
		spec.ChildPIDEnv = nil
	}
	files, pipes, err := l.stdio(rec, ex)
	if err != nil {
		return l.failedChild(rec, a, 209, path, err) // 209/STDOUT
	}
	pid, done, err := execStart(spec, files.execFiles)
	files.close()
	if err != nil {
		pipes.abandon()
		return 0, err
	}
	l.track(rec, pid)
	for _, p := range pipes {
		rec.outputs[pid] = p
		go p.copyLines(l.m.out, rec.name, pid)
	}
	if a.main && a.kind == kindStart {
		rec.execMain = ProcessStatus{PID: pid, StartAt: time.Now()}
		if cfg.PIDFile != "" && cfg.Type != unit.ServiceForking {
			if err := pidFileWrite(cfg.PIDFile, pid); err != nil {
				l.log.Warn("cannot write PID file", "unit", rec.name, "path", cfg.PIDFile, "err", err)
			}
		}
	}
	l.watchExec(rec, pid, done)
	return pid, nil
}

// watchExec reports the outcome of execve in the child: at once when it is
// known (the fast path), else from a goroutine when the exec helper tells.
func (l *loop) watchExec(rec *unitRec, pid int, done <-chan error) {
	select {
	case err := <-done:
		l.raise(evExecDone{rec: rec, pid: pid, err: err})
	default:
		go func() { l.m.post(evExecDone{rec: rec, pid: pid, err: <-done}) }()
	}
}

// track records a new process of the unit. Every process pm starts leads
// a session of its own, which finds its descendants later.
func (l *loop) track(rec *unitRec, pid int) {
	l.pids[pid] = rec
	rec.members[pid] = struct{}{}
	rec.sessions[pid] = struct{}{}
}

// failedChild stands for a child that failed before running its program:
// a synthetic pid that "exits" with status right after the current step,
// as systemd's child would. It logs systemd's message.
func (l *loop) failedChild(rec *unitRec, a actSpawn, status int, path string, err error) (int, error) {
	l.fakePID--
	pid := l.fakePID
	l.pids[pid] = rec
	step := unit.ExitStatusName(status)
	l.log.Error(fmt.Sprintf("Failed at step %s spawning %s: %v", step, path, err), "unit", rec.name)
	l.raise(evExit{pid: pid, info: exitInfo{Code: exitExited, Status: status}})
	if a.main && a.kind == kindStart {
		rec.execMain = ProcessStatus{PID: pid, StartAt: time.Now()}
	}
	return pid, nil
}

// exitUser picks GROUP or USER for a credentials failure.
func exitUser(err error) int {
	if errors.Is(err, errGroupCreds) {
		return execExitGroup
	}
	return execExitUser
}

// workingDir resolves WorkingDirectory=: "~" is the user's home (pmd's
// when there is no User=), the default is "/" for the system manager and
// the home directory for a per-user one.
func (l *loop) workingDir(ex *unit.ExecContext, creds *userCreds) (string, bool) {
	home := func() string {
		if creds.User != nil && creds.User.Home != "" {
			return creds.User.Home
		}
		if h := l.m.cfg.Host.Home; h != "" {
			return h
		}
		return "/"
	}
	switch ex.WorkingDirectory {
	case "~":
		return home(), ex.WorkingDirectoryMissingOK
	case "":
		if l.m.cfg.System {
			return "/", false
		}
		return home(), true
	}
	return ex.WorkingDirectory, ex.WorkingDirectoryMissingOK
}

// managerEnv is the environment every command starts from.
func (l *loop) managerEnv() []string {
	if l.menv == nil {
		l.menv = envManagerDefault(l.m.cfg.System, os.Environ(), "")
	}
	return l.menv
}

// removeServiceFiles removes the runtime directories (unless preserved)
// and the PID file of a service that went down.
func (l *loop) removeServiceFiles(rec *unitRec, restarting bool) {
	cfg := rec.u.Service
	if err := dirsRemoveRuntime(&cfg.Exec, dirRoots(l.m.cfg.Dirs), restarting); err != nil {
		l.log.Warn("cannot remove runtime directory", "unit", rec.name, "err", err)
	}
	if cfg.PIDFile != "" {
		if err := pidFileRemove(cfg.PIDFile); err != nil && !errors.Is(err, os.ErrNotExist) {
			l.log.Debug("cannot remove PID file", "unit", rec.name, "err", err)
		}
	}
}

// stdioFiles are the files a child gets for fds 0-2, and which of them pm
// opened (closed after the spawn).
type stdioFiles struct {
	execFiles
	opened []*os.File
}

func (f stdioFiles) close() {
	for _, x := range f.opened {
		x.Close()
	}
}

type pipeList []*outputPipe

// abandon closes the read ends of pipes no process will write to.
func (p pipeList) abandon() {
	for _, x := range p {
		x.r.Close()
	}
}

// stdio opens the standard input, output and error of a command.
func (l *loop) stdio(rec *unitRec, ex *unit.ExecContext) (stdioFiles, pipeList, error) {
	var f stdioFiles
	var pipes pipeList
	fail := func(err error) (stdioFiles, pipeList, error) {
		f.close()
		pipes.abandon()
		return stdioFiles{}, nil, err
	}
	open := func(p string, flag int) (*os.File, error) {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil && flag != os.O_RDONLY {
			return nil, err
		}
		x, err := os.OpenFile(p, flag, 0o644)
		if err != nil {
			return nil, err
		}
		f.opened = append(f.opened, x)
		return x, nil
	}
	switch ex.StandardInput.Type {
	case "file":
		x, err := open(ex.StandardInput.Path, os.O_RDONLY)
		if err != nil {
			return fail(err)
		}
		f.Stdin = x
	case "tty", "tty-force", "tty-fail":
		x, err := open(ttyPath(ex), os.O_RDWR)
		if err != nil {
			return fail(err)
		}
		f.Stdin = x
	case "data":
		r, w, err := os.Pipe()
		if err != nil {
			return fail(err)
		}
		f.opened = append(f.opened, r)
		f.Stdin = r
		data := ex.StandardInputData
		go func() {
			_, _ = w.Write(data)
			w.Close()
		}()
	}
	var journal *os.File
	output := func(io unit.StdIO) (*os.File, error) {
		switch io.Type {
		case "null":
			return nil, nil
		case "file":
			return open(io.Path, os.O_WRONLY|os.O_CREATE)
		case "append":
			return open(io.Path, os.O_WRONLY|os.O_CREATE|os.O_APPEND)
		case "truncate":
			return open(io.Path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
		case "tty":
			return open(ttyPath(ex), os.O_WRONLY)
		}
		// journal, syslog, kmsg and their +console forms, inherit and
		// socket (for now): pm's output, line by line.
		if journal == nil {
			w, p, err := newOutputPipe()
			if err != nil {
				return nil, err
			}
			f.opened = append(f.opened, w)
			pipes = append(pipes, p)
			journal = w
		}
		return journal, nil
	}
	var err error
	if f.Stdout, err = output(ex.StandardOutput); err != nil {
		return fail(err)
	}
	if ex.StandardError.Type == "inherit" {
		f.Stderr = f.Stdout
	} else if f.Stderr, err = output(ex.StandardError); err != nil {
		return fail(err)
	}
	return f, pipes, nil
}

func ttyPath(ex *unit.ExecContext) string {
	if ex.TTYPath != "" {
		return ex.TTYPath
	}
	return "/dev/console"
}
