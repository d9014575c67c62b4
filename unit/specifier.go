package unit

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// Host holds the facts about the machine and the manager that specifiers
// expand to. Tests fill it by hand; [ReadHost] reads the running system.
//
// An empty field means the fact is not known. Specifiers whose lookup can
// fail in systemd (%m, %b, %h, %s, %t, %d, %S, %C, %L, %E, %T, %V, and the
// os-release ones when there is no os-release file) then fail to expand;
// the others expand to the empty string, as systemd's do for empty values.
type Host struct {
	// System is true for the system manager, false for a per-user one.
	System bool

	Hostname       string // %H: uname's node name
	ShortHostname  string // %l: Hostname up to the first '.'
	PrettyHostname string // %q: PRETTY_HOSTNAME of /etc/machine-info; %l if empty
	MachineID      string // %m: 32 lower-case hex digits
	BootID         string // %b: 32 lower-case hex digits, no dashes
	KernelRelease  string // %v
	Architecture   string // %a: systemd's name ("x86-64", "arm64", …)

	// Fields of os-release(5). NoOSRelease is set when neither
	// /etc/os-release nor /usr/lib/os-release exists, which makes the
	// specifiers below fail rather than expand to "".
	OSID           string // %o: ID
	OSVersionID    string // %w: VERSION_ID
	OSBuildID      string // %B: BUILD_ID
	OSVariantID    string // %W: VARIANT_ID
	OSImageID      string // %M: IMAGE_ID
	OSImageVersion string // %A: IMAGE_VERSION
	NoOSRelease    bool

	// The user the manager runs as. For the system manager systemd 252
	// fixes %u %U %g %G to root, 0, root, 0 whoever runs it, while %h and
	// %s are the home and shell of the process ($HOME, $SHELL, else the
	// user database; "/root" and /bin/bash or /bin/sh for uid 0).
	UserName  string // %u
	UID       string // %U
	GroupName string // %g
	GID       string // %G
	Home      string // %h
	Shell     string // %s

	// Directory roots. For the system manager: /run, /var/lib, /var/cache,
	// /var/log, /etc. For a user manager, as systemd 252 has them:
	// $XDG_RUNTIME_DIR, $XDG_CONFIG_HOME (sic), $XDG_CACHE_HOME,
	// $XDG_CONFIG_HOME/log, $XDG_CONFIG_HOME, with ~/.cache and ~/.config
	// when the variables are unset.
	RuntimeDir string // %t (and %d: RuntimeDir/credentials/UNIT)
	StateDir   string // %S
	CacheDir   string // %C
	LogsDir    string // %L
	ConfigDir  string // %E
	TempDir    string // %T: $TMPDIR, $TEMP or $TMP, else /tmp
	VarTempDir string // %V: $TMPDIR, $TEMP or $TMP, else /var/tmp

	// CgroupRoot is the manager's own cgroup ("" at the root of the
	// hierarchy), for the deprecated %R, %r and %c.
	CgroupRoot string
}

// Maximum lengths of an expanded value, as systemd's callers of
// unit_full_printf_full pass them.
const (
	// ExpandMaxLine is the limit of [Expander.Expand] (LONG_LINE_MAX).
	ExpandMaxLine = 1 << 20
	// ExpandMaxPath is the limit of [Expander.ExpandPath] (PATH_MAX-1).
	ExpandMaxPath = pathMax - 1
	// ExpandMaxName is the limit of [Expander.ExpandName] and
	// [ExpandInstall] (UNIT_NAME_MAX).
	ExpandMaxName = NameMax + 1
)

// ErrUnknownSpecifier marks a '%' followed by a letter or digit that the
// setting does not know (systemd's -EBADSLT). A '%' followed by any other
// character, or ending the string, is kept as it is.
var ErrUnknownSpecifier = errors.New("unknown specifier")

// SpecifierError reports a specifier that could not be expanded. It wraps
// [ErrBadValue] and the reason (such as [ErrUnknownSpecifier]).
type SpecifierError struct {
	// Specifier is the character after the '%'.
	Specifier byte
	Err       error
}

func (e *SpecifierError) Error() string {
	return fmt.Sprintf("specifier %%%c: %v", e.Specifier, e.Err)
}

// Unwrap returns ErrBadValue and the reason.
func (e *SpecifierError) Unwrap() []error { return []error{ErrBadValue, e.Err} }

// Expander expands the specifiers of one unit, as systemd 252's
// unit_full_printf, unit_path_printf and unit_name_printf do.
type Expander struct {
	// Name is the unit's full name ("foo@bar.service").
	Name string
	// FragmentPath is the unit's main file, for %y and %Y.
	FragmentPath string
	Host         *Host
	// Slice is the unit's slice as far as known when a value is expanded
	// ("" for none), for the deprecated %c and %r. systemd assigns the
	// default slice only after loading, so only a Slice= setting read
	// earlier counts.
	Slice string
}

// Expand replaces the specifiers ("%n", "%i", "%%", …) in s, allowing every
// specifier of unit files (unit_full_printf) and a result of up to
// [ExpandMaxLine] bytes. An unknown specifier, one that cannot be resolved,
// or a too long result is an error wrapping [ErrBadValue].
func (e *Expander) Expand(s string) (string, error) {
	return e.ExpandMax(s, ExpandMaxLine)
}

// ExpandPath is Expand for settings that take a path (unit_path_printf):
// the result may be at most [ExpandMaxPath] bytes.
func (e *Expander) ExpandPath(s string) (string, error) {
	return e.ExpandMax(s, ExpandMaxPath)
}

// ExpandMax is Expand with a limit of max bytes on the result, for the
// settings where systemd passes its own (NAME_MAX for some, 255 for file
// descriptor and credential names, 64 MiB for StandardInputText=).
func (e *Expander) ExpandMax(s string, max int) (string, error) {
	return printfSpecifiers(s, max, func(c byte) (string, bool, error) {
		if v, ok, err := e.nameSpecifier(c, true); ok {
			return v, ok, err
		}
		if v, ok, err := e.fullSpecifier(c); ok {
			return v, ok, err
		}
		if v, ok, err := e.host().systemSpecifier(c); ok {
			return v, ok, err
		}
		if v, ok := e.host().credsSpecifier(c); ok {
			return v, ok, nil
		}
		return e.host().tmpSpecifier(c)
	})
}

// ExpandName expands the specifiers allowed where a unit name is expected
// (unit_name_printf: Unit=, Slice=, the dependency lists …): %i %j %n %N %p,
// the host's %a %A %b %B %H %l %m %M %o %q %v %w %W, and %g %G %u %U. Any
// other specifier is unknown; the result may be at most [ExpandMaxName]
// bytes.
func (e *Expander) ExpandName(s string) (string, error) {
	return printfSpecifiers(s, ExpandMaxName, func(c byte) (string, bool, error) {
		if v, ok, err := e.nameSpecifier(c, false); ok {
			return v, ok, err
		}
		if v, ok, err := e.host().systemSpecifier(c); ok {
			return v, ok, err
		}
		v, ok := e.host().credsSpecifier(c)
		return v, ok, nil
	})
}

func (e *Expander) host() *Host {
	if e.Host == nil {
		return &Host{}
	}
	return e.Host
}

// printfSpecifiers is systemd's specifier_printf: lookup resolves one
// specifier character, reporting false when the setting does not know it.
func printfSpecifiers(s string, max int, lookup func(c byte) (string, bool, error)) (string, error) {
	var b strings.Builder
	tooLong := func() error {
		return fmt.Errorf("%w: expanded value is longer than %d bytes", ErrBadValue, max)
	}
	percent := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case percent:
			percent = false
			if c == '%' {
				b.WriteByte('%')
				break
			}
			v, ok, err := lookup(c)
			switch {
			case err != nil:
				return "", &SpecifierError{Specifier: c, Err: err}
			case ok:
				b.WriteString(v)
			case isAlnum(c):
				return "", &SpecifierError{Specifier: c, Err: ErrUnknownSpecifier}
			default:
				b.WriteByte('%')
				b.WriteByte(c)
			}
		case c == '%':
			percent = true
		default:
			b.WriteByte(c)
		}
		if b.Len() > max {
			return "", tooLong()
		}
	}
	if percent {
		b.WriteByte('%')
		if b.Len() > max {
			return "", tooLong()
		}
	}
	return b.String(), nil
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// parts splits the unit's name for the name specifiers; a name that does
// not parse makes them fail, as in systemd.
func (e *Expander) parts() (Name, error) { return ParseName(e.Name) }

// nameSpecifier resolves %i %j %n %N %p and, with unescaped, %I %J %P.
func (e *Expander) nameSpecifier(c byte, unescaped bool) (string, bool, error) {
	switch c {
	case 'n':
		return e.Name, true, nil
	case 'i', 'j', 'N', 'p':
	case 'I', 'J', 'P':
		if !unescaped {
			return "", false, nil
		}
	default:
		return "", false, nil
	}
	n, err := e.parts()
	if err != nil {
		if c == 'i' || c == 'I' {
			// The instance is a property of the unit, not derived from
			// its name at expansion time.
			return "", true, nil
		}
		return "", true, err
	}
	switch c {
	case 'i':
		return n.Instance, true, nil
	case 'I':
		v, err := Unescape(n.Instance)
		return v, true, err
	case 'N':
		return strings.TrimSuffix(e.Name, "."+string(n.Type)), true, nil
	case 'p':
		return n.Prefix, true, nil
	case 'P':
		v, err := Unescape(n.Prefix)
		return v, true, err
	case 'j':
		return lastComponent(n.Prefix), true, nil
	default: // 'J'
		v, err := Unescape(lastComponent(n.Prefix))
		return v, true, err
	}
}

// lastComponent is what follows the last '-' of prefix, or all of it.
func lastComponent(prefix string) string {
	if i := strings.LastIndexByte(prefix, '-'); i >= 0 {
		return prefix[i+1:]
	}
	return prefix
}

// fullSpecifier resolves the specifiers only unit_full_printf knows:
// %f %y %Y %c %r %R %C %d %E %L %S %t %h %s.
func (e *Expander) fullSpecifier(c byte) (string, bool, error) {
	h := e.host()
	switch c {
	case 'f':
		v, err := e.filename()
		return v, true, err
	case 'y', 'Y':
		v, err := e.realFragment(c == 'Y')
		return v, true, err
	case 'c', 'r', 'R':
		v, err := e.cgroupSpecifier(c)
		return v, true, err
	case 'C':
		return known(h.CacheDir, "cache directory")
	case 'E':
		return known(h.ConfigDir, "configuration directory")
	case 'L':
		return known(h.LogsDir, "log directory")
	case 'S':
		return known(h.StateDir, "state directory")
	case 't':
		return known(h.RuntimeDir, "runtime directory")
	case 'd':
		if h.RuntimeDir == "" {
			return "", true, errors.New("runtime directory not known")
		}
		return h.RuntimeDir + "/credentials/" + e.Name, true, nil
	case 'h':
		return known(h.Home, "home directory")
	case 's':
		return known(h.Shell, "user shell")
	}
	return "", false, nil
}

// known returns v, or an error naming what is unknown when it is empty.
func known(v, what string) (string, bool, error) {
	if v == "" {
		return "", true, fmt.Errorf("%s not known", what)
	}
	return v, true, nil
}

// filename is %f: the instance, or else the prefix, unescaped as a path.
func (e *Expander) filename() (string, error) {
	n, err := e.parts()
	if err != nil {
		return "", err
	}
	if n.Instance != "" {
		return UnescapePath(n.Instance)
	}
	if nameHashed(e.Name) {
		return "", fmt.Errorf("%w: %q is a hashed name and has no path", ErrBadValue, e.Name)
	}
	return UnescapePath(n.Prefix)
}

// nameHashed reports whether name is a plain name that systemd shortened by
// appending "_" and 16 hex digits of a hash (unit_name_is_hashed).
func nameHashed(name string) bool {
	n, err := ParseName(name)
	if err != nil || n.Templated {
		return false
	}
	p := n.Prefix
	if len(p) < 17 || p[len(p)-17] != '_' {
		return false
	}
	for i := len(p) - 16; i < len(p); i++ {
		if !strings.ContainsRune(lowerHex, rune(p[i])) {
			return false
		}
	}
	return true
}

// realFragment is %y (the fragment's path with symbolic links resolved) or,
// with dir, %Y (its directory).
func (e *Expander) realFragment(dir bool) (string, error) {
	if e.FragmentPath == "" {
		return "", errors.New("unit has no fragment file")
	}
	p, err := filepath.Abs(e.FragmentPath)
	if err == nil {
		p, err = filepath.EvalSymlinks(p)
	}
	if err != nil {
		return "", fmt.Errorf("resolving fragment path: %w", err)
	}
	if dir {
		return filepath.Dir(p), nil
	}
	return p, nil
}

// systemSpecifier resolves the host specifiers every table has
// (COMMON_SYSTEM_SPECIFIERS).
func (h *Host) systemSpecifier(c byte) (string, bool, error) {
	switch c {
	case 'a':
		return h.Architecture, true, nil
	case 'b':
		return known(h.BootID, "boot ID")
	case 'H':
		return h.Hostname, true, nil
	case 'l':
		return h.ShortHostname, true, nil
	case 'q':
		if h.PrettyHostname != "" {
			return h.PrettyHostname, true, nil
		}
		return h.ShortHostname, true, nil
	case 'm':
		return known(h.MachineID, "machine ID")
	case 'v':
		return h.KernelRelease, true, nil
	case 'A', 'B', 'M', 'o', 'w', 'W':
		if h.NoOSRelease {
			return "", true, errors.New("no os-release file")
		}
		switch c {
		case 'A':
			return h.OSImageVersion, true, nil
		case 'B':
			return h.OSBuildID, true, nil
		case 'M':
			return h.OSImageID, true, nil
		case 'o':
			return h.OSID, true, nil
		case 'w':
			return h.OSVersionID, true, nil
		default:
			return h.OSVariantID, true, nil
		}
	}
	return "", false, nil
}

// credsSpecifier resolves %g %G %u %U (COMMON_CREDS_SPECIFIERS).
func (h *Host) credsSpecifier(c byte) (string, bool) {
	switch c {
	case 'g':
		return h.GroupName, true
	case 'G':
		return h.GID, true
	case 'u':
		return h.UserName, true
	case 'U':
		return h.UID, true
	}
	return "", false
}

// tmpSpecifier resolves %T and %V (COMMON_TMP_SPECIFIERS).
func (h *Host) tmpSpecifier(c byte) (string, bool, error) {
	switch c {
	case 'T':
		return known(h.TempDir, "temporary directory")
	case 'V':
		return known(h.VarTempDir, "variable temporary directory")
	}
	return "", false, nil
}
