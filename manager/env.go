package manager

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pm-project/pm/unit"
)

// The environment of a spawned command, in systemd 252's order
// (service_spawn, then build_environment and exec_child's accum_env):
//
//  1. the manager's environment for children (envManagerDefault);
//  2. what the service adds: NOTIFY_SOCKET, MAINPID, MANAGERPID, PIDFILE,
//     REMOTE_ADDR/REMOTE_PORT, SERVICE_RESULT/EXIT_CODE/EXIT_STATUS;
//  3. what every command gets: LISTEN_FDS/LISTEN_FDNAMES, WATCHDOG_PID/
//     WATCHDOG_USEC, HOME, LOGNAME, USER, SHELL, INVOCATION_ID, TERM, the
//     *_DIRECTORY variables, SYSTEMD_EXEC_PID;
//  4. PassEnvironment=, 5. Environment=, 6. EnvironmentFile=;
//
// each later one replacing earlier assignments of the same name, then
// invalid assignments dropped and UnsetEnvironment= applied.
//
// Three variables hold the pid of the spawned process itself, which only
// the exec helper knows: LISTEN_PID (the helper sets it with the fds),
// WATCHDOG_PID and SYSTEMD_EXEC_PID (listed in envResult.ChildPID for the
// helper to fill in with envSetChildPID). $VAR references in the command
// line are expanded after that, as systemd expands them in the child.

// envDefaultPath is systemd's DEFAULT_PATH on Debian (split /usr).
const envDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// envSanitized are the variables systemd removes from the manager's
// environment before passing it on, as they describe the manager's own
// situation (sanitize_environment).
var envSanitized = []string{
	"CACHE_DIRECTORY", "CONFIGURATION_DIRECTORY", "CREDENTIALS_DIRECTORY", "EXIT_CODE",
	"EXIT_STATUS", "INVOCATION_ID", "JOURNAL_STREAM", "LISTEN_FDNAMES", "LISTEN_FDS",
	"LISTEN_PID", "LOGS_DIRECTORY", "MAINPID", "MANAGERPID", "NOTIFY_SOCKET", "PIDFILE",
	"REMOTE_ADDR", "REMOTE_PORT", "RUNTIME_DIRECTORY", "SERVICE_RESULT", "STATE_DIRECTORY",
	"WATCHDOG_PID", "WATCHDOG_USEC",
}

// envLocaleVars are the locale variables systemd passes on, in its order.
var envLocaleVars = []string{
	"LANG", "LANGUAGE", "LC_CTYPE", "LC_NUMERIC", "LC_TIME", "LC_COLLATE", "LC_MONETARY",
	"LC_MESSAGES", "LC_PAPER", "LC_NAME", "LC_ADDRESS", "LC_TELEPHONE", "LC_MEASUREMENT",
	"LC_IDENTIFICATION",
}

// envManagerDefault is the manager's environment for its children
// (systemd's manager_default_environment), computed once at start. The
// system manager passes PATH and the locale of /etc/locale.conf (or
// Debian's /etc/default/locale; LANG=C.UTF-8 without either), nothing of
// its own environment. A per-user pmd passes its own environment, keeping
// its PATH (systemd 252 resets it; pm keeps the caller's, as a user
// running pmd by hand expects). Variables that describe the manager's own
// service are removed in both cases. root prefixes the locale files.
func envManagerDefault(system bool, environ []string, root string) []string {
	var env []string
	if system {
		env = []string{"PATH=" + envDefaultPath}
		env = unit.MergeEnv(env, envLocale(root)...)
	} else {
		env = unit.MergeEnv(nil, environ...)
		if _, ok := envLookup(env, "PATH"); !ok {
			env = unit.MergeEnv(env, "PATH="+envDefaultPath)
		}
	}
	return envClean(envDelete(env, envSanitized))
}

// envLocale reads the system locale.
func envLocale(root string) []string {
	for _, p := range []string{"/etc/locale.conf", "/etc/default/locale"} {
		f, err := os.Open(filepath.Join("/", root, p))
		if err != nil {
			continue
		}
		vars, _, err := unit.ParseEnvFile(f)
		f.Close()
		if err != nil {
			break
		}
		var out []string
		for _, name := range envLocaleVars {
			if v, ok := envLookup(vars, name); ok && v != "" {
				out = append(out, name+"="+v)
			}
		}
		if len(out) > 0 {
			return out
		}
		break
	}
	return []string{"LANG=C.UTF-8"}
}

// envInput is what the environment of one command is built from.
type envInput struct {
	// Manager is the manager's environment for children
	// (envManagerDefault).
	Manager []string
	// Environ is pmd's own environment, which PassEnvironment= reads.
	Environ []string
	// Exec is the unit's exec context: PassEnvironment=, Environment=,
	// EnvironmentFile=, UnsetEnvironment= and the *Directory= lists.
	Exec *unit.ExecContext
	// User is the resolved User= (nil without one): USER, LOGNAME, HOME
	// and SHELL are set only then, as in systemd 252.
	User *userInfo

	// NotifySocket is NOTIFY_SOCKET, "" when this command may not notify
	// (see envNotifyAllowed).
	NotifySocket string
	// MainPID is MAINPID, set when > 0.
	MainPID int
	// ManagerPID is MANAGERPID, set when > 0; systemd sets it only in a
	// per-user manager.
	ManagerPID int
	// PIDFile is PIDFILE (PIDFile=).
	PIDFile string
	// RemoteAddr and RemotePort are REMOTE_ADDR and REMOTE_PORT of an
	// Accept=yes connection ("" for none).
	RemoteAddr, RemotePort string
	// Result, when not "", sets SERVICE_RESULT, and ExitCode/ExitStatus
	// (when the main process has exited) EXIT_CODE and EXIT_STATUS: for
	// ExecStop= and ExecStopPost= (see envExitStatus).
	Result               string
	ExitCode, ExitStatus string

	// FDNames has one name per passed file descriptor: LISTEN_FDS and
	// LISTEN_FDNAMES.
	FDNames []string
	// WatchdogUSec, when > 0, sets WATCHDOG_USEC and WATCHDOG_PID (for the
	// main process).
	WatchdogUSec uint64
	// InvocationID is INVOCATION_ID (32 hex digits), "" for none.
	InvocationID string
	// TERM is TERM, "" when the command has no terminal (envTerm).
	TERM string
	// Dirs are the roots of RuntimeDirectory= and friends, for
	// RUNTIME_DIRECTORY etc.; nil sets none.
	Dirs *dirRoots
}

// envResult is a built environment.
type envResult struct {
	// Env is the environment, KEY=VALUE.
	Env []string
	// ChildPID names the variables of Env that must hold the pid of the
	// spawned process (WATCHDOG_PID, SYSTEMD_EXEC_PID) unless the unit
	// replaced or unset them; their value in Env is empty until the exec
	// helper fills them in (envSetChildPID).
	ChildPID []string
	// Warnings are the invalid assignments dropped from environment files,
	// which systemd logs ("Ignoring invalid environment assignment").
	Warnings []error
}

// envChildPIDMark marks the child-pid variables while the environment is
// merged, to tell whether the unit replaced them.
const envChildPIDMark = "\x01pm-child-pid"

// envBuild builds the environment of a command. It reads the
// EnvironmentFile= files (file I/O: systemd does this in the manager,
// right before forking); an error there fails the spawn ("Failed to load
// environment files"), systemd's result "resources".
func envBuild(in envInput) (envResult, error) {
	ex := in.Exec
	if ex == nil {
		ex = &unit.ExecContext{}
	}
	files, warnings, err := envLoadFiles(ex.EnvironmentFiles)
	if err != nil {
		return envResult{}, err
	}

	env := unit.MergeEnv(nil, in.Manager...)

	var svc []string
	add := func(list *[]string, name, value string) { *list = append(*list, name+"="+value) }
	if in.NotifySocket != "" {
		add(&svc, "NOTIFY_SOCKET", in.NotifySocket)
	}
	if in.MainPID > 0 {
		add(&svc, "MAINPID", strconv.Itoa(in.MainPID))
	}
	if in.ManagerPID > 0 {
		add(&svc, "MANAGERPID", strconv.Itoa(in.ManagerPID))
	}
	if in.PIDFile != "" {
		add(&svc, "PIDFILE", in.PIDFile)
	}
	if in.RemoteAddr != "" {
		add(&svc, "REMOTE_ADDR", in.RemoteAddr)
		if in.RemotePort != "" {
			add(&svc, "REMOTE_PORT", in.RemotePort)
		}
	}
	if in.Result != "" {
		add(&svc, "SERVICE_RESULT", in.Result)
		if in.ExitCode != "" {
			add(&svc, "EXIT_CODE", in.ExitCode)
			add(&svc, "EXIT_STATUS", in.ExitStatus)
		}
	}
	env = unit.MergeEnv(env, svc...)

	var our []string
	if n := len(in.FDNames); n > 0 {
		add(&our, "LISTEN_FDS", strconv.Itoa(n))
		add(&our, "LISTEN_FDNAMES", strings.Join(in.FDNames, ":"))
	}
	if in.WatchdogUSec > 0 {
		add(&our, "WATCHDOG_PID", envChildPIDMark)
		add(&our, "WATCHDOG_USEC", strconv.FormatUint(in.WatchdogUSec, 10))
	}
	if u := in.User; u != nil {
		if u.Home != "" {
			add(&our, "HOME", filepath.Clean(u.Home))
		}
		add(&our, "LOGNAME", u.Name)
		add(&our, "USER", u.Name)
		if u.Shell != "" {
			add(&our, "SHELL", filepath.Clean(u.Shell))
		}
	}
	if in.InvocationID != "" {
		add(&our, "INVOCATION_ID", in.InvocationID)
	}
	if in.TERM != "" {
		add(&our, "TERM", in.TERM)
	}
	if in.Dirs != nil {
		for _, d := range dirsKinds(ex, *in.Dirs) {
			if d.root == "" || len(d.names) == 0 {
				continue
			}
			paths := make([]string, len(d.names))
			for i, n := range d.names {
				paths[i] = filepath.Join(d.root, n)
			}
			add(&our, d.env, strings.Join(paths, ":"))
		}
	}
	add(&our, "SYSTEMD_EXEC_PID", envChildPIDMark)
	env = unit.MergeEnv(env, our...)

	var pass []string
	for _, name := range ex.PassEnvironment {
		if v, ok := envLookup(in.Environ, name); ok {
			pass = append(pass, name+"="+v)
		}
	}
	env = unit.MergeEnv(env, pass...)
	env = unit.MergeEnv(env, ex.Environment...)
	env = unit.MergeEnv(env, files...)
	env = envClean(env)
	env = envDelete(env, ex.UnsetEnvironment)

	var childPID []string
	for i, kv := range env {
		if name, v, _ := strings.Cut(kv, "="); v == envChildPIDMark {
			childPID = append(childPID, name)
			env[i] = name + "="
		}
	}
	return envResult{Env: env, ChildPID: childPID, Warnings: warnings}, nil
}

// envLoadFiles reads EnvironmentFile= settings as systemd's
// exec_context_load_environment: each path is a glob (relative paths are
// an error), matching files are read in order with later assignments
// winning; with '-' a path that matches nothing or cannot be read is
// skipped. Invalid assignments are dropped and returned as warnings.
func envLoadFiles(files []unit.EnvironmentFile) (env []string, warnings []error, err error) {
	for _, f := range files {
		if !strings.HasPrefix(f.Path, "/") {
			if f.Optional {
				continue
			}
			return nil, nil, fmt.Errorf("environment file %q: path is not absolute: %w", f.Path, os.ErrInvalid)
		}
		matches := condGlob(f.Path, false)
		if len(matches) == 0 {
			if f.Optional {
				continue
			}
			return nil, nil, fmt.Errorf("environment file %s: %w", f.Path, os.ErrNotExist)
		}
		for _, m := range matches {
			vars, problems, err := envReadFile(m)
			if err != nil {
				if f.Optional {
					continue
				}
				return nil, nil, fmt.Errorf("environment file %s: %w", m, err)
			}
			for _, p := range problems {
				warnings = append(warnings, fmt.Errorf("%s: %w", m, p))
			}
			env = unit.MergeEnv(env, vars...)
		}
	}
	return env, warnings, nil
}

func envReadFile(path string) ([]string, []error, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	return unit.ParseEnvFile(f)
}

// envLookup returns the value of the first assignment of name.
func envLookup(env []string, name string) (string, bool) {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			return v, true
		}
	}
	return "", false
}

// envClean is systemd's strv_env_clean: invalid assignments are dropped,
// and of several assignments of a name only the last is kept.
func envClean(env []string) []string {
	out := env[:0:0]
	for i, kv := range env {
		if !unit.EnvAssignmentValid(kv) {
			continue
		}
		name, _, _ := strings.Cut(kv, "=")
		dup := false
		for _, later := range env[i+1:] {
			if strings.HasPrefix(later, name+"=") {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, kv)
		}
	}
	return out
}

// envDelete is systemd's strv_env_delete for UnsetEnvironment=: a NAME
// removes every assignment of NAME, a NAME=value only that exact one.
func envDelete(env, patterns []string) []string {
	if len(patterns) == 0 {
		return env
	}
	out := env[:0:0]
	for _, kv := range env {
		drop := false
		for _, p := range patterns {
			if kv == p || (!strings.Contains(p, "=") && strings.HasPrefix(kv, p+"=")) {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return out
}

// envSetChildPID sets the named variables to pid in place (for the exec
// helper, which knows its own pid).
func envSetChildPID(env, names []string, pid int) []string {
	for _, n := range names {
		env = unit.MergeEnv(env, n+"="+strconv.Itoa(pid))
	}
	return env
}

// envNotifyAllowed reports whether a command gets NOTIFY_SOCKET: the main
// process unless NotifyAccess=none, control processes (ExecStartPre= and
// the like) only with exec or all.
func envNotifyAllowed(access unit.NotifyAccess, control bool) bool {
	if control {
		return access == unit.NotifyExec || access == unit.NotifyAll
	}
	return access != unit.NotifyNone && access != ""
}

// envExitStatus returns EXIT_CODE and EXIT_STATUS for a main process that
// exited with status (exited) or was killed by signal status (dumped says
// whether it dumped core): "exited" and the number, or "killed"/"dumped"
// and the signal name without "SIG" ("TERM").
func envExitStatus(exited, dumped bool, status int) (code, value string) {
	if exited {
		return "exited", strconv.Itoa(status)
	}
	code = "killed"
	if dumped {
		code = "dumped"
	}
	return code, strings.TrimPrefix(unit.Signal(status).String(), "SIG")
}

// envTerm is the TERM a command gets (systemd's build_environment): none
// unless it uses a terminal (StandardInput=tty*, StandardOutput= or
// StandardError= tty, kmsg+console or journal+console, or TTYPath=);
// then pmd's own $TERM when the terminal is /dev/console and pmd is PID 1
// (a container manager's TERM), "linux" for a virtual console, else
// "vt220". root prefixes /sys for the console lookup.
func envTerm(ex *unit.ExecContext, pid1 bool, managerTERM, root string) string {
	term := func(t string) bool {
		return t == "tty" || t == "kmsg+console" || t == "journal+console"
	}
	in := ex.StandardInput.Type
	if !(in == "tty" || in == "tty-force" || in == "tty-fail" ||
		term(ex.StandardOutput.Type) || term(ex.StandardError.Type) || ex.TTYPath != "") {
		return ""
	}
	tty := ex.TTYPath
	if tty == "" {
		tty = "/dev/console"
	}
	if filepath.Clean(tty) == "/dev/console" && pid1 && managerTERM != "" {
		return managerTERM
	}
	if envTTYIsVC(tty, root) {
		return "linux"
	}
	return "vt220"
}

// envTTYIsVC is systemd's tty_is_vc_resolve: /dev/ttyN (0–63), with
// /dev/console resolved through /sys/class/tty/console/active unless /sys
// is read-only (a container).
func envTTYIsVC(tty, root string) bool {
	tty = strings.TrimPrefix(tty, "/dev/")
	if tty == "console" {
		sys := filepath.Join("/", root, "sys")
		if ro, err := condReadOnlyFS(sys); err != nil || ro {
			return false
		}
		active, err := os.ReadFile(filepath.Join(sys, "class/tty/console/active"))
		if err != nil {
			return false
		}
		f := strings.Fields(string(active))
		if len(f) == 0 {
			return false
		}
		tty = f[len(f)-1]
		if tty == "tty0" {
			b, err := os.ReadFile(filepath.Join(sys, "class/tty/tty0/active"))
			if err != nil {
				return false
			}
			tty = strings.TrimSpace(string(b))
		}
	}
	n, ok := strings.CutPrefix(tty, "tty")
	if !ok || n == "" || n[0] < '0' || n[0] > '9' {
		return false
	}
	v, err := strconv.Atoi(n)
	return err == nil && v >= 0 && v <= 63
}
