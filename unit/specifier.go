package unit

import "errors"

// Host holds the facts about the machine and the manager that specifiers
// expand to. Tests fill it by hand; [ReadHost] reads the running system.
type Host struct {
	// System is true for the system manager, false for a per-user one.
	System bool

	Hostname      string // %H
	ShortHostname string // %l
	MachineID     string // %m
	BootID        string // %b
	KernelRelease string // %v
	Architecture  string // %a
	OSID          string // %o
	OSVersionID   string // %w
	OSBuildID     string // %B
	OSVariantID   string // %W
	OSImageID     string // %M
	OSImageVersion string // %A

	UserName  string // %u
	UID       string // %U
	GroupName string // %g
	GID       string // %G
	Home      string // %h
	Shell     string // %s

	RuntimeDir string // %t: /run or $XDG_RUNTIME_DIR
	StateDir   string // %S: /var/lib or $XDG_STATE_HOME
	CacheDir   string // %C: /var/cache or $XDG_CACHE_HOME
	LogsDir    string // %L: /var/log or $XDG_STATE_HOME/log
	ConfigDir  string // %E: /etc or $XDG_CONFIG_HOME
	TempDir    string // %T: $TMPDIR or /tmp
	VarTempDir string // %V: $TMPDIR or /var/tmp
}

// ReadHost reads the running machine's facts for a system (system true) or
// per-user manager. It never fails: facts it cannot read stay empty.
func ReadHost(system bool) *Host { return &Host{System: system} }

// Expander expands the specifiers of one unit.
type Expander struct {
	// Name is the unit's full name ("foo@bar.service").
	Name string
	// FragmentPath is the unit's main file, for %y and %Y.
	FragmentPath string
	Host         *Host
}

// Expand replaces the specifiers ("%n", "%i", "%%", …) in s. An unknown
// specifier is an error, as in systemd.
func (e *Expander) Expand(s string) (string, error) { return s, errors.New("TODO") }
