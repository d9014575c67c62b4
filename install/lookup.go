package install

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/pm-project/pm/unit"
)

// Directories of the system scope, relative to the root, as systemd 252
// on Debian has them (src/basic/path-lookup.c with split-usr).
const (
	dirPersistentConfig   = "/etc/systemd/system"
	dirRuntimeConfig      = "/run/systemd/system"
	dirPersistentControl  = "/etc/systemd/system.control"
	dirRuntimeControl     = "/run/systemd/system.control"
	dirPersistentAttached = "/etc/systemd/system.attached"
	dirRuntimeAttached    = "/run/systemd/system.attached"
	dirTransient          = "/run/systemd/transient"
	dirGenerator          = "/run/systemd/generator"
	dirGeneratorEarly     = "/run/systemd/generator.early"
	dirGeneratorLate      = "/run/systemd/generator.late"
)

// vendorDirs are the system scope's vendor unit directories, highest
// precedence first.
var vendorDirs = []string{
	"/usr/local/lib/systemd/system",
	"/lib/systemd/system",
	"/usr/lib/systemd/system",
}

// Lookup is the unit search path of the system scope below a root
// directory, and what systemd knows about each directory on it. All paths
// include the root prefix. The operations of this package are its
// methods; a Lookup is not changed by them and may be used from several
// goroutines, though concurrent operations on one tree race as two
// systemctl processes would.
type Lookup struct {
	// Root is the root directory, absolute and clean; "" is the host's.
	Root string
	// SearchPath lists the unit directories, highest precedence first:
	// system.control (/etc, /run), transient, generator.early,
	// /etc/systemd/system, system.attached, /run/systemd/system,
	// /run/systemd/system.attached, generator,
	// /usr/local/lib/systemd/system, /lib/systemd/system,
	// /usr/lib/systemd/system, generator.late.
	SearchPath []string

	// PersistentConfig is where enable, mask, link and set-default write
	// (/etc/systemd/system); RuntimeConfig is where they write with
	// Flags.Runtime (/run/systemd/system).
	PersistentConfig, RuntimeConfig string
	// PersistentControl and RuntimeControl are system.control, written by
	// set-property.
	PersistentControl, RuntimeControl string
	// PersistentAttached and RuntimeAttached are system.attached, for
	// portable services.
	PersistentAttached, RuntimeAttached string
	// Transient holds the units of transient services.
	Transient string
	// Generator, GeneratorEarly and GeneratorLate are the generators'
	// output directories.
	Generator, GeneratorEarly, GeneratorLate string

	// Host gives the values of the specifiers allowed in [Install]. New
	// reads the running system, except %m and the os-release specifiers,
	// which come from the root as in systemd.
	Host *unit.Host

	// Warn, if set, receives the warnings systemd logs while it reads unit
	// files (problems in [Install] sections, suspicious symlinks), worded
	// as systemctl prints them.
	Warn func(msg string)
}

// warnf passes a warning to l.Warn.
func (l *Lookup) warnf(format string, args ...any) {
	if l.Warn != nil {
		l.Warn(fmt.Sprintf(format, args...))
	}
}

// New returns the system scope's search path below root ("" or "/" for
// the host's own). A relative root is made absolute; it must be a
// directory.
func New(root string) (*Lookup, error) {
	if root == "" || simplify(root) == "/" {
		root = ""
	} else {
		abs, err := filepath.Abs(root)
		if err != nil {
			return nil, fmt.Errorf("root %s: %w", root, err)
		}
		root = simplify(abs)
		fi, err := os.Stat(root)
		if err != nil {
			return nil, &Error{Errno: errnoOf(errCode(err)), Path: root, class: ErrInvalid}
		}
		if !fi.IsDir() {
			return nil, &Error{Errno: syscall.ENOTDIR, Path: root, class: ErrInvalid}
		}
	}
	l := &Lookup{
		Root:               root,
		PersistentConfig:   root + dirPersistentConfig,
		RuntimeConfig:      root + dirRuntimeConfig,
		PersistentControl:  root + dirPersistentControl,
		RuntimeControl:     root + dirRuntimeControl,
		PersistentAttached: root + dirPersistentAttached,
		RuntimeAttached:    root + dirRuntimeAttached,
		Transient:          root + dirTransient,
		Generator:          root + dirGenerator,
		GeneratorEarly:     root + dirGeneratorEarly,
		GeneratorLate:      root + dirGeneratorLate,
	}
	l.SearchPath = []string{
		l.PersistentControl, l.RuntimeControl, l.Transient, l.GeneratorEarly,
		l.PersistentConfig, l.PersistentAttached,
		l.RuntimeConfig, l.RuntimeAttached, l.Generator,
	}
	for _, d := range vendorDirs {
		l.SearchPath = append(l.SearchPath, root+d)
	}
	l.SearchPath = append(l.SearchPath, l.GeneratorLate)
	l.Host = hostFor(root)
	return l, nil
}

// hostFor returns the specifier values for a root: the running system's,
// with the machine ID and os-release fields read from the root when there
// is one (systemd reads those two from the root, everything else from the
// host).
func hostFor(root string) *unit.Host {
	h := unit.ReadHost(true)
	if root == "" {
		return h
	}
	h.MachineID = readMachineID(root + "/etc/machine-id")
	osr, ok := readOSRelease(root)
	h.NoOSRelease = !ok
	h.OSID, h.OSVersionID, h.OSBuildID = osr["ID"], osr["VERSION_ID"], osr["BUILD_ID"]
	h.OSVariantID, h.OSImageID, h.OSImageVersion = osr["VARIANT_ID"], osr["IMAGE_ID"], osr["IMAGE_VERSION"]
	return h
}

// readMachineID reads a machine-id file: 32 lower-case hex digits, else "".
func readMachineID(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	s := strings.TrimSpace(string(b))
	if len(s) != 32 {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return ""
		}
	}
	return s
}

// readOSRelease reads the root's os-release file, /etc first.
func readOSRelease(root string) (map[string]string, bool) {
	for _, p := range []string{"/etc/os-release", "/usr/lib/os-release"} {
		f, err := os.Open(root + p)
		if err != nil {
			continue
		}
		defer f.Close()
		env, _, err := unit.ParseEnvFile(f)
		if err != nil {
			continue
		}
		m := map[string]string{}
		for _, kv := range env {
			if k, v, ok := strings.Cut(kv, "="); ok {
				m[k] = v
			}
		}
		return m, true
	}
	return map[string]string{}, false
}

// configPath is where an operation with these flags writes.
func (l *Lookup) configPath(f Flags) string {
	if f.Runtime {
		return l.RuntimeConfig
	}
	return l.PersistentConfig
}

// skipRoot is systemd's skip_root: p without the root prefix (always
// starting with a slash), and false when p is not below the root.
func (l *Lookup) skipRoot(p string) (string, bool) {
	if l.Root == "" {
		return p, true
	}
	rest, ok := strings.CutPrefix(p, l.Root)
	if !ok || !strings.HasPrefix(rest, "/") {
		return "", false
	}
	return "/" + strings.TrimLeft(rest, "/"), true
}

// rootOrSlash is the root, "/" for the host.
func (l *Lookup) rootOrSlash() string {
	if l.Root == "" {
		return "/"
	}
	return l.Root
}

// parentIn reports whether the directory of p is one of dirs.
func parentIn(p string, dirs ...string) bool {
	d, ok := dirName(p)
	if !ok {
		return false
	}
	for _, x := range dirs {
		if x != "" && pathEqual(d, x) {
			return true
		}
	}
	return false
}

// inSearchPath reports whether p's directory is on the search path.
func (l *Lookup) inSearchPath(p string) bool {
	d, ok := dirName(p)
	return ok && containsPath(l.SearchPath, d)
}

// isGenerator reports whether p is in a generator directory.
func (l *Lookup) isGenerator(p string) bool {
	return parentIn(p, l.Generator, l.GeneratorEarly, l.GeneratorLate)
}

// isTransient reports whether p is in the transient directory.
func (l *Lookup) isTransient(p string) bool { return parentIn(p, l.Transient) }

// isConfig reports whether p (or its directory, with parent) is one of
// the configuration directories.
func (l *Lookup) isConfig(p string, parent bool) bool {
	if parent {
		return parentIn(p, l.PersistentConfig, l.RuntimeConfig)
	}
	return pathEqual(p, l.PersistentConfig) || pathEqual(p, l.RuntimeConfig)
}

// isRuntime reports whether p (or its directory, with parent) is runtime
// configuration: anything below /run, or one of the runtime directories.
func (l *Lookup) isRuntime(p string, parent bool) bool {
	if rp, ok := l.skipRoot(p); ok {
		if _, ok := startsWith(rp, "/run"); ok {
			return true
		}
	}
	dirs := []string{l.RuntimeConfig, l.Generator, l.GeneratorEarly, l.GeneratorLate, l.Transient, l.RuntimeControl}
	if parent {
		return parentIn(p, dirs...)
	}
	for _, d := range dirs {
		if pathEqual(p, d) {
			return true
		}
	}
	return false
}

// readDir returns the names and types of a directory's entries in the
// order the file system gives them, without the hidden and backup files
// systemd skips.
func readDir(dir string) ([]os.DirEntry, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	all, err := f.ReadDir(-1)
	out := all[:0]
	for _, e := range all {
		if !unit.HiddenOrBackup(e.Name()) {
			out = append(out, e)
		}
	}
	return out, err
}
