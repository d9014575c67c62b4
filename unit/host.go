package unit

import (
	"bytes"
	"os"
	"os/user"
	"strconv"
	"strings"
)

// Paths ReadHost reads, as systemd 252 does.
const (
	machineIDPath   = "/etc/machine-id"
	bootIDPath      = "/proc/sys/kernel/random/boot_id"
	machineInfoPath = "/etc/machine-info"
	selfCgroupPath  = "/proc/self/cgroup"
)

// osReleasePaths are tried in order unless $SYSTEMD_OS_RELEASE names one.
var osReleasePaths = []string{"/etc/os-release", "/usr/lib/os-release"}

// ReadHost reads the running machine's facts for a system (system true) or
// per-user manager. It never fails: facts it cannot read stay empty.
func ReadHost(system bool) *Host {
	h := &Host{System: system}
	env := os.Getenv
	u := readUname()
	osr, ok := readOSRelease(env)
	h.NoOSRelease = !ok
	h.OSID = osr["ID"]
	h.OSVersionID = osr["VERSION_ID"]
	h.OSBuildID = osr["BUILD_ID"]
	h.OSVariantID = osr["VARIANT_ID"]
	h.OSImageID = osr["IMAGE_ID"]
	h.OSImageVersion = osr["IMAGE_VERSION"]

	h.Hostname, h.ShortHostname = hostnames(u.nodename, defaultHostname(env, osr))
	h.PrettyHostname = readEnvFile(machineInfoPath)["PRETTY_HOSTNAME"]
	h.MachineID = readMachineID(machineIDPath)
	h.BootID = readBootID(bootIDPath)
	h.KernelRelease = u.release
	h.Architecture = architectureName(u.machine)

	uid, gid := os.Getuid(), os.Getgid()
	if system {
		// systemd resolves these for the system scope as uid and gid 0,
		// whoever runs the manager.
		h.UserName, h.UID, h.GroupName, h.GID = "root", "0", "root", "0"
	} else {
		h.UserName, h.UID = uidName(uid), strconv.Itoa(uid)
		h.GroupName, h.GID = gidName(gid), strconv.Itoa(gid)
	}
	h.Home = homeDir(env, uid, os.Getpid() == 1)
	h.Shell = shell(env, uid)
	if system {
		h.RuntimeDir, h.StateDir, h.CacheDir, h.LogsDir, h.ConfigDir = "/run", "/var/lib", "/var/cache", "/var/log", "/etc"
	} else {
		h.RuntimeDir = absEnv(env, "XDG_RUNTIME_DIR")
		h.ConfigDir = xdgDir(env, "XDG_CONFIG_HOME", h.Home, ".config")
		h.CacheDir = xdgDir(env, "XDG_CACHE_HOME", h.Home, ".cache")
		// systemd 252 puts user state and logs under the configuration
		// directory (later versions use $XDG_STATE_HOME).
		h.StateDir = h.ConfigDir
		if h.ConfigDir != "" {
			h.LogsDir = pathJoin(h.ConfigDir, "log")
		}
	}
	h.TempDir = tempDir(env, "/tmp")
	h.VarTempDir = tempDir(env, "/var/tmp")
	h.CgroupRoot = cgroupRoot(selfCgroupPath, system)
	return h
}

// uname holds the fields of uname(2) ReadHost uses.
type uname struct {
	nodename, release, machine string
}

// hostnames returns the host name and short host name as systemd's
// gethostname_full does: the kernel's node name, or fallback when that is
// empty or "(none)"; the short name ends before the first '.' and also
// falls back when the node name starts with one.
func hostnames(nodename, fallback string) (full, short string) {
	full = nodename
	if full == "" || full == "(none)" {
		full = fallback
	}
	s := nodename
	if s == "" || s == "(none)" || s[0] == '.' {
		s = fallback
	}
	if s != "" && s[0] == '.' {
		return full, ""
	}
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s = s[:i]
	}
	return full, s
}

// defaultHostname is systemd's get_default_hostname:
// $SYSTEMD_DEFAULT_HOSTNAME, os-release's DEFAULT_HOSTNAME, or "localhost".
func defaultHostname(env func(string) string, osr map[string]string) string {
	if e := env("SYSTEMD_DEFAULT_HOSTNAME"); validHostname(e) {
		return e
	}
	if e := osr["DEFAULT_HOSTNAME"]; validHostname(e) {
		return e
	}
	return "localhost"
}

// validHostname checks s as a DNS host name: dot-separated labels of
// letters, digits and '-', at most 64 bytes (systemd's hostname_is_valid
// without flags, trailing dot aside).
func validHostname(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !isAlnum(c) && c != '-' {
				return false
			}
		}
	}
	return true
}

// readMachineID reads a machine ID file: 32 hex digits and an optional
// newline, not all zero. Anything else is no ID.
func readMachineID(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return parseID128(string(bytes.TrimSuffix(b, []byte("\n"))), false)
}

// readBootID reads the kernel's boot ID, which is in UUID form, and
// returns it as 32 hex digits as %b shows it.
func readBootID(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return parseID128(string(bytes.TrimSuffix(b, []byte("\n"))), true)
}

// parseID128 parses a 128-bit ID in plain form (32 hex digits) or, with
// uuid, in UUID form (8-4-4-4-12), returning 32 lower-case hex digits, or
// "" for anything else and for the all-zero ID.
func parseID128(s string, uuid bool) string {
	if uuid {
		if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return ""
		}
		s = s[:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	}
	if len(s) != 32 {
		return ""
	}
	zero := true
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		v, ok := unhexByte(s[i])
		if !ok {
			return ""
		}
		if v != 0 {
			zero = false
		}
		b.WriteByte(lowerHex[v])
	}
	if zero {
		return ""
	}
	return b.String()
}

// readOSRelease reads os-release(5) from $SYSTEMD_OS_RELEASE or the first
// of /etc/os-release and /usr/lib/os-release that exists. ok is false when
// there is none.
func readOSRelease(env func(string) string) (map[string]string, bool) {
	paths := osReleasePaths
	if e := env("SYSTEMD_OS_RELEASE"); e != "" {
		paths = []string{e}
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err == nil {
			return parseEnvFile(b), true
		}
	}
	return map[string]string{}, false
}

// readEnvFile reads an environment-like file; a missing file is empty.
func readEnvFile(path string) map[string]string {
	b, err := os.ReadFile(path)
	if err != nil {
		return map[string]string{}
	}
	return parseEnvFile(b)
}

// parseEnvFile parses files such as os-release and machine-info with
// systemd's environment file rules ([ParseEnvFile]); a file it cannot read
// is empty.
func parseEnvFile(b []byte) map[string]string {
	m := map[string]string{}
	env, _, err := ParseEnvFile(bytes.NewReader(b))
	if err != nil {
		return m
	}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

// nobodyUID is the uid (and gid) of the user systemd calls nobody.
const nobodyUID = 65534

// synthesizeNobody reports whether systemd would use its built-in nobody
// user rather than look it up.
func synthesizeNobody() bool {
	_, err := os.Stat("/etc/systemd/dont-synthesize-nobody")
	return err != nil
}

// uidName is systemd's uid_to_name: root and nobody without a lookup, the
// user database, else the number.
func uidName(uid int) string {
	switch {
	case uid == 0:
		return "root"
	case uid == nobodyUID && synthesizeNobody():
		return "nobody"
	}
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		return u.Username
	}
	return strconv.Itoa(uid)
}

// gidName is systemd's gid_to_name (Debian calls the nobody group nogroup).
func gidName(gid int) string {
	switch {
	case gid == 0:
		return "root"
	case gid == nobodyUID && synthesizeNobody():
		return "nogroup"
	}
	if g, err := user.LookupGroupId(strconv.Itoa(gid)); err == nil {
		return g.Name
	}
	return strconv.Itoa(gid)
}

// homeDir is systemd's get_home_dir: a valid absolute $HOME, "/root" for
// root, "/" for nobody, else the user database. PID 1 ignores the HOME=/
// the kernel gives it.
func homeDir(env func(string) string, uid int, pid1 bool) string {
	if e := env("HOME"); pathValid(e, true) && strings.HasPrefix(e, "/") && !(pid1 && simplifyPath(e) == "/") {
		return simplifyPath(e)
	}
	switch {
	case uid == 0:
		return "/root"
	case uid == nobodyUID && synthesizeNobody():
		return "/"
	}
	u, err := user.LookupId(strconv.Itoa(uid))
	if err != nil || !pathValid(u.HomeDir, true) || !strings.HasPrefix(u.HomeDir, "/") {
		return ""
	}
	return simplifyPath(u.HomeDir)
}

// shell is systemd's get_shell: a valid absolute $SHELL, /bin/bash (or
// /bin/sh where there is none) for root, nologin for nobody, else the user
// database.
func shell(env func(string) string, uid int) string {
	if e := env("SHELL"); pathValid(e, true) && strings.HasPrefix(e, "/") {
		return simplifyPath(e)
	}
	switch {
	case uid == 0:
		if _, err := os.Stat("/bin/bash"); err == nil {
			return "/bin/bash"
		}
		return "/bin/sh"
	case uid == nobodyUID && synthesizeNobody():
		return "/usr/sbin/nologin"
	}
	return passwdShell(uid)
}

// passwdShell returns the login shell of uid from /etc/passwd, which
// os/user does not expose.
func passwdShell(uid int) string {
	b, err := os.ReadFile("/etc/passwd")
	if err != nil {
		return ""
	}
	want := strconv.Itoa(uid)
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(line, ":")
		if len(f) == 7 && f[2] == want {
			if pathValid(f[6], true) && strings.HasPrefix(f[6], "/") {
				return simplifyPath(f[6])
			}
			return ""
		}
	}
	return ""
}

// absEnv returns the variable's value if it is an absolute path.
func absEnv(env func(string) string, name string) string {
	if e := env(name); strings.HasPrefix(e, "/") {
		return e
	}
	return ""
}

// xdgDir returns $name if absolute, else home/suffix ("" without a home).
func xdgDir(env func(string) string, name, home, suffix string) string {
	if e := absEnv(env, name); e != "" {
		return e
	}
	if home == "" {
		return ""
	}
	return pathJoin(home, suffix)
}

// tempDir is systemd's tmp_dir and var_tmp_dir: the first of $TMPDIR,
// $TEMP and $TMP that is a normalized absolute path of a directory, else
// def if that is a directory, else "".
func tempDir(env func(string) string, def string) string {
	for _, name := range []string{"TMPDIR", "TEMP", "TMP"} {
		e := env(name)
		if e == "" || !strings.HasPrefix(e, "/") || !pathNormalized(e) {
			continue
		}
		if isDir(e) {
			return e
		}
	}
	if isDir(def) {
		return def
	}
	return ""
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// cgroupRoot returns the manager's cgroup as systemd computes its
// cgroup_root: this process's cgroup of the unified hierarchy (or of the
// name=systemd one), without a final "/init.scope" (and, for the system
// manager, "/system.slice" or "/system"), and without a trailing '/'.
func cgroupRoot(path string, system bool) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	var unified, named string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) != 3 {
			continue
		}
		switch {
		case f[0] == "0" && f[1] == "":
			unified = f[2]
		case f[1] == "name=systemd":
			named = f[2]
		}
	}
	p := named
	if p == "" {
		p = unified
	}
	switch {
	case strings.HasSuffix(p, "/init.scope"):
		p = strings.TrimSuffix(p, "/init.scope")
	case system && strings.HasSuffix(p, "/system.slice"):
		p = strings.TrimSuffix(p, "/system.slice")
	case system && strings.HasSuffix(p, "/system"):
		p = strings.TrimSuffix(p, "/system")
	}
	return strings.TrimRight(p, "/")
}

// architectureName maps uname's machine field to systemd's architecture
// name (uname_architecture); an unknown machine is returned unchanged.
func architectureName(machine string) string {
	switch machine {
	case "":
		return ""
	case "x86_64":
		return "x86-64"
	case "i386", "i486", "i586", "i686":
		return "x86"
	case "aarch64":
		return "arm64"
	case "aarch64_be":
		return "arm64-be"
	case "armv8l", "armv7ml", "armv7l", "armv6l", "armv5tl", "armv5tel", "armv5tejl", "armv4tl", "armv4l":
		return "arm"
	case "armv8b", "armv7mb", "armv7b", "armv6b", "armv5tejb", "armv5teb", "armv5tb", "armv4tb", "armv4b":
		return "arm-be"
	case "arceb":
		return "arc-be"
	case "crisv32":
		return "cris"
	case "ppc64le":
		return "ppc64-le"
	case "ppcle":
		return "ppc-le"
	case "sh5":
		return "sh64"
	case "sh4a", "sh4", "sh3", "sh2a", "sh2":
		return "sh"
	case "riscv":
		if strconv.IntSize == 32 {
			return "riscv32"
		}
		return "riscv64"
	}
	// alpha, arc, ia64, loongarch64, m68k, mips, mips64, nios2, parisc,
	// parisc64, ppc, ppc64, riscv32, riscv64, s390, s390x, sparc, sparc64
	// and tilegx are spelled as uname spells them.
	return machine
}
