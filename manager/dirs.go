package manager

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/pm-project/pm/unit"
)

// RuntimeDirectory=, StateDirectory=, CacheDirectory=, LogsDirectory= and
// ConfigurationDirectory= (systemd 252's setup_exec_directory and
// exec_context_destroy_runtime_directory), without DynamicUser='s
// private/ directories, which pm does not support.

// dirRoots are the directories the *Directory= names are relative to.
// An empty root disables its kind (a per-user manager without
// $XDG_RUNTIME_DIR).
type dirRoots struct {
	Runtime, State, Cache, Logs, Configuration string
}

// dirRootsSystem are the system manager's roots.
var dirRootsSystem = dirRoots{
	Runtime: "/run", State: "/var/lib", Cache: "/var/cache", Logs: "/var/log", Configuration: "/etc",
}

// dirRootsFor returns the roots of a manager as systemd has them: the
// system ones, or for a per-user manager the host's $XDG_* based ones
// (unit.Host has computed them).
func dirRootsFor(host *unit.Host) dirRoots {
	if host == nil || host.System {
		return dirRootsSystem
	}
	return dirRoots{
		Runtime: host.RuntimeDir, State: host.StateDir, Cache: host.CacheDir,
		Logs: host.LogsDir, Configuration: host.ConfigDir,
	}
}

// dirKind is one kind of exec directory of a unit.
type dirKind struct {
	key   string // "RuntimeDirectory"
	env   string // "RUNTIME_DIRECTORY"
	root  string
	names []string
	mode  unit.Mode
	// exit is the status a child fails with when the directory cannot be
	// set up (233/RUNTIME_DIRECTORY …).
	exit int
}

// dirsKinds lists the five kinds in systemd's order.
func dirsKinds(ex *unit.ExecContext, r dirRoots) []dirKind {
	return []dirKind{
		{"RuntimeDirectory", "RUNTIME_DIRECTORY", r.Runtime, ex.RuntimeDirectory, ex.RuntimeDirectoryMode, 233},
		{"StateDirectory", "STATE_DIRECTORY", r.State, ex.StateDirectory, ex.StateDirectoryMode, 238},
		{"CacheDirectory", "CACHE_DIRECTORY", r.Cache, ex.CacheDirectory, ex.CacheDirectoryMode, 239},
		{"LogsDirectory", "LOGS_DIRECTORY", r.Logs, ex.LogsDirectory, ex.LogsDirectoryMode, 240},
		{"ConfigurationDirectory", "CONFIGURATION_DIRECTORY", r.Configuration, ex.ConfigurationDirectory, ex.ConfigurationDirectoryMode, 241},
	}
}

// dirsError is a directory that could not be set up. systemd fails the
// command with ExitStatus and logs "Failed to set up special execution
// directory in ROOT: …".
type dirsError struct {
	Key        string // "StateDirectory"
	Root       string
	Path       string
	ExitStatus int
	Err        error
}

func (e *dirsError) Error() string {
	return fmt.Sprintf("failed to set up special execution directory in %s: %s: %v", e.Root, e.Path, e.Err)
}

func (e *dirsError) Unwrap() error { return e.Err }

// dirsPrepare creates the *Directory= directories of an exec context below
// their roots, as systemd does for every command it spawns: missing
// parents are created with mode 0755 (owned by pmd, so root), each
// directory gets its *DirectoryMode= and the whole tree below it is given
// to uid and gid (ACLs dropped). Pass -1 to leave ownership as it is
// (systemd's per-user manager); the system manager passes 0 for a service
// without User=/Group=.
//
// A ConfigurationDirectory= that exists already is left alone, as it is
// not the service's to write; a mode that differs from
// ConfigurationDirectoryMode= is returned as a warning. One that is
// created now is set up like the others (systemd 252's code, although its
// manual says configuration directories are not chowned).
//
// An existing directory that is a symlink fails with ELOOP, as in systemd
// 252 (which only accepts its own DynamicUser= symlinks).
func dirsPrepare(ex *unit.ExecContext, roots dirRoots, uid, gid int) (warnings []string, err error) {
	for _, k := range dirsKinds(ex, roots) {
		if k.root == "" {
			continue
		}
		for _, name := range k.names {
			p := filepath.Join(k.root, name)
			w, err := dirsPrepareOne(k, p, uid, gid)
			if err != nil {
				return warnings, &dirsError{Key: k.key, Root: k.root, Path: p, ExitStatus: k.exit, Err: err}
			}
			if w != "" {
				warnings = append(warnings, w)
			}
		}
	}
	return warnings, nil
}

func dirsPrepareOne(k dirKind, p string, uid, gid int) (string, error) {
	if err := dirsMkdirParents(p); err != nil {
		return "", err
	}
	mode := uint32(k.mode) & 0o7777
	err := unix.Mkdir(p, mode)
	switch {
	case err == nil:
	case errors.Is(err, unix.EEXIST) && k.key == "ConfigurationDirectory":
		var st unix.Stat_t
		if err := unix.Stat(p, &st); err != nil {
			return "", err
		}
		if (st.Mode^mode)&0o7777 != 0 {
			return fmt.Sprintf("%s '%s' already exists but the mode is different. (File system: %o %sMode: %o)",
				k.key, p, st.Mode&0o7777, k.key, mode), nil
		}
		return "", nil
	case !errors.Is(err, unix.EEXIST):
		return "", err
	}
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		return "", err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFLNK && (st.Mode^mode)&0o7777 != 0 {
		if err := unix.Chmod(p, mode); err != nil {
			return "", err
		}
	}
	return "", dirsChownRecursive(p, uid, gid)
}

// dirsMkdirParents creates the missing parents of p with mode 0755 (less
// pmd's umask), as systemd's mkdir_parents.
func dirsMkdirParents(p string) error {
	parent := filepath.Dir(p)
	fi, err := os.Stat(parent)
	if err == nil {
		if !fi.IsDir() {
			return unix.ENOTDIR
		}
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := dirsMkdirParents(parent); err != nil {
		return err
	}
	if err := unix.Mkdir(parent, 0o755); err != nil && !errors.Is(err, unix.EEXIST) {
		return err
	}
	return nil
}

// dirsChownRecursive is systemd's path_chown_recursive: p must be a
// directory (not a symlink); unless it is owned by uid:gid already, it and
// everything below it get that owner, keeping their modes (set-id bits
// included) and losing their POSIX ACLs. -1 leaves uid or gid alone.
func dirsChownRecursive(p string, uid, gid int) error {
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		return err
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFLNK:
		return unix.ELOOP
	case unix.S_IFDIR:
	default:
		return unix.ENOTDIR
	}
	if uid < 0 && gid < 0 {
		return nil
	}
	if (uid < 0 || int(st.Uid) == uid) && (gid < 0 || int(st.Gid) == gid) {
		return nil // the tree is assumed to be right when its top is
	}
	return filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return dirsChownOne(path, uid, gid)
	})
}

func dirsChownOne(path string, uid, gid int) error {
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		return err
	}
	for _, attr := range []string{"system.posix_acl_access", "system.posix_acl_default"} {
		if err := unix.Lremovexattr(path, attr); err != nil &&
			!errors.Is(err, unix.ENODATA) && !errors.Is(err, unix.EOPNOTSUPP) && !errors.Is(err, unix.ENOTSUP) {
			return err
		}
	}
	if err := unix.Lchown(path, uid, gid); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFLNK {
		return nil
	}
	// chown(2) clears set-user-ID and set-group-ID bits; put them back.
	return unix.Chmod(path, st.Mode&0o7777)
}

// dirsKeepRuntime reports whether RuntimeDirectory= survives the unit
// going inactive: RuntimeDirectoryPreserve=yes always, restart only when
// the unit is about to be restarted automatically (systemd's
// unit_destroy_runtime_data, called as the service enters dead or failed,
// before an automatic restart).
func dirsKeepRuntime(preserve string, willRestart bool) bool {
	return preserve == "yes" || (preserve == "restart" && willRestart)
}

// dirsRemoveRuntime removes the RuntimeDirectory= directories of an exec
// context (and everything in them) unless dirsKeepRuntime says to keep
// them. Unlike systemd, which only empties temporary file systems, pm
// removes them on any file system, as /run in a container often is not
// one; it never descends into another mount, and never removes "/".
// Errors are returned for logging; systemd ignores them.
func dirsRemoveRuntime(ex *unit.ExecContext, roots dirRoots, willRestart bool) error {
	if roots.Runtime == "" || dirsKeepRuntime(ex.RuntimeDirectoryPreserve, willRestart) {
		return nil
	}
	var first error
	for _, name := range ex.RuntimeDirectory {
		if err := dirsRemoveTree(filepath.Join(roots.Runtime, name)); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// dirsRemoveTree removes p and what is below it on p's file system.
func dirsRemoveTree(p string) error {
	if filepath.Clean(p) == "/" {
		return unix.EPERM
	}
	var top unix.Stat_t
	if err := unix.Lstat(p, &top); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return nil
		}
		return err
	}
	if top.Mode&unix.S_IFMT != unix.S_IFDIR {
		return os.Remove(p)
	}
	return dirsRemoveBelow(p, top.Dev)
}

func dirsRemoveBelow(dir string, dev uint64) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var first error
	keep := func(err error) {
		if err != nil && first == nil && !errors.Is(err, fs.ErrNotExist) {
			first = err
		}
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if !e.IsDir() {
			keep(os.Remove(p))
			continue
		}
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			keep(err)
			continue
		}
		if st.Dev != dev {
			keep(fmt.Errorf("not removing %s: another file system is mounted there: %w", p, unix.EBUSY))
			continue
		}
		keep(dirsRemoveBelow(p, dev))
	}
	keep(os.Remove(dir))
	return first
}
