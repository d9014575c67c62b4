package manager

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pm-project/pm/unit"
)

// Conditions and asserts (systemd.unit(5) Condition*=, Assert*=), tested
// as systemd 252's src/shared/condition.c tests them.
//
// condCheck reads files under /proc, /sys, /etc and the paths the
// conditions name, and stats file systems: local, fast I/O that systemd
// also does in its main loop. Nothing in here forks or talks to a network
// service, except ConditionUser=/ConditionGroup= names, which go through
// the user database (NSS when pm is built with cgo), as in systemd.

// condState is the result of one condition as D-Bus shows it in the
// Conditions and Asserts properties (the "i" of "a(sbbsi)").
type condState int32

const (
	// condUntested: not evaluated, because an earlier non-triggering
	// condition failed (systemd stops at the first one).
	condUntested condState = 0
	// condSucceeded: the condition holds (negation applied).
	condSucceeded condState = 1
	// condFailed: the condition does not hold, or could not be evaluated
	// (systemd's CONDITION_ERROR, which D-Bus also shows as -1).
	condFailed condState = -1
)

// condResult is the outcome of testing a unit's Conditions (or Asserts)
// list with condCheck.
type condResult struct {
	// OK: every non-triggering condition holds and, if there are
	// triggering ('|') ones, at least one of them holds. An empty list is
	// OK.
	OK bool
	// States has one entry per condition of the list, in order.
	States []condState
	// Errors has one entry per condition: why it could not be evaluated
	// (then its state is condFailed and systemd logs "Couldn't determine
	// result for …, assuming failed"), or nil.
	Errors []error
	// Failed is the index of the condition systemd names when it reports
	// the failure (unit_find_failed_condition): the first non-triggering
	// condition that failed or, when only triggering ones failed, the
	// first of them. -1 when OK.
	Failed int
	// FailedTrigger: the failure is that no triggering condition held
	// ("… was skipped because no trigger condition checks were met.").
	FailedTrigger bool
}

// condCheck tests list with systemd's condition_test_list semantics:
// conditions are tested in order and the first non-triggering one that
// fails ends the test (the rest stay untested); triggering ones are all
// tested until then. A condition that cannot be evaluated (unreadable
// file, bad parameter) fails whether or not it is negated.
func condCheck(list []unit.Condition, c *condContext) condResult {
	r := condResult{
		OK:     true,
		States: make([]condState, len(list)),
		Errors: make([]error, len(list)),
		Failed: -1,
	}
	triggered := -1 // -1: no trigger seen; 0: none held so far; 1: one held
	for i, cond := range list {
		ok, err := condTest(c, cond)
		switch {
		case err != nil:
			r.States[i], r.Errors[i] = condFailed, err
		case ok:
			r.States[i] = condSucceeded
		default:
			r.States[i] = condFailed
		}
		if !cond.Trigger && !ok {
			r.OK = false
			r.Failed = i
			return r
		}
		if cond.Trigger && triggered <= 0 {
			triggered = 0
			if ok {
				triggered = 1
			}
		}
	}
	if triggered == 0 {
		r.OK, r.FailedTrigger = false, true
		for i, cond := range list {
			if cond.Trigger && r.States[i] != condSucceeded {
				r.Failed = i
				break
			}
		}
	}
	return r
}

// condTest tests one condition, negation applied. An error means the
// condition could not be evaluated and counts as failed.
func condTest(c *condContext, cond unit.Condition) (bool, error) {
	test, ok := condTests[cond.Type]
	if !ok {
		return false, fmt.Errorf("%w: %s", errCondUnsupported, cond.Type)
	}
	v, err := test(c, cond.Parameter)
	if err != nil {
		return false, err
	}
	return v != cond.Negate, nil
}

// errCondUnsupported marks a condition type pm cannot test; it fails, as
// a condition systemd cannot evaluate does.
var errCondUnsupported = errors.New("condition type not supported")

// condTests maps each type of unit.ConditionTypes to its test. A test
// returns the raw result, before negation.
var condTests = map[string]func(*condContext, string) (bool, error){
	"PathExists":             condPathExists,
	"PathExistsGlob":         condPathExistsGlob,
	"PathIsDirectory":        condPathIsDirectory,
	"PathIsSymbolicLink":     condPathIsSymbolicLink,
	"PathIsMountPoint":       condPathIsMountPoint,
	"PathIsReadWrite":        condPathIsReadWrite,
	"PathIsEncrypted":        condPathIsEncrypted,
	"DirectoryNotEmpty":      condDirectoryNotEmpty,
	"FileNotEmpty":           condFileNotEmpty,
	"FileIsExecutable":       condFileIsExecutable,
	"NeedsUpdate":            condNeedsUpdate,
	"FirstBoot":              condFirstBootTest,
	"Architecture":           condArchitecture,
	"Firmware":               condFirmware,
	"Virtualization":         condVirtualizationTest,
	"Host":                   condHost,
	"KernelCommandLine":      condKernelCommandLine,
	"KernelVersion":          condKernelVersion,
	"Credential":             condCredential,
	"Security":               condSecurity,
	"Capability":             condCapability,
	"ACPower":                condACPower,
	"Memory":                 condMemory,
	"CPUFeature":             condCPUFeature,
	"CPUs":                   condCPUs,
	"Environment":            condEnvironment,
	"User":                   condUser,
	"Group":                  condGroup,
	"ControlGroupController": condControlGroupController,
	"OSRelease":              condOSRelease,
	"MemoryPressure":         condPressure("memory"),
	"CPUPressure":            condPressure("cpu"),
	"IOPressure":             condPressure("io"),
}

// condString renders a condition as systemd shows it ("was not met"
// lines of systemctl status, the job log): "ConditionPathExists=|!/x".
func condString(cond unit.Condition, assert bool) string {
	kind := "Condition"
	if assert {
		kind = "Assert"
	}
	var b strings.Builder
	b.WriteString(kind + cond.Type + "=")
	if cond.Trigger {
		b.WriteByte('|')
	}
	if cond.Negate {
		b.WriteByte('!')
	}
	b.WriteString(cond.Parameter)
	return b.String()
}

// condSkipMessage is the log line systemd writes when a start job ends
// because of a failed condition (job_log_done_status_message); ident is
// the unit's description or name. It is "" when r is OK.
func condSkipMessage(list []unit.Condition, r condResult, ident string) string {
	if r.OK || r.Failed < 0 || r.Failed >= len(list) {
		return ""
	}
	if r.FailedTrigger {
		return ident + " was skipped because no trigger condition checks were met."
	}
	c := list[r.Failed]
	neg := ""
	if c.Negate {
		neg = "!"
	}
	return fmt.Sprintf("%s was skipped because of an unmet condition check (Condition%s=%s%s).", ident, c.Type, neg, c.Parameter)
}

// condContext is what the tests read: a root directory prefixed to every
// path (tests point it at a fixture tree), the manager's environment, the
// host facts and the manager's credentials. Build it with condNewContext
// and override fields in tests. It caches the virtualization it detects,
// as systemd does for the life of the process, so it is not safe for
// concurrent use.
type condContext struct {
	// root is prefixed to every path read; "" is the real root.
	root string
	// environ is the manager process's environment ($CREDENTIALS_DIRECTORY,
	// $SYSTEMD_PROC_CMDLINE, $SYSTEMD_OS_RELEASE, $USER, $container when
	// PID 1).
	environ []string
	// block is the environment ConditionEnvironment= looks at: systemd's
	// "manager environment block", the environment it gives its children
	// (envManagerDefault plus set-environment), not its own. nil uses
	// environ.
	block []string
	// host gives the architecture, host name, machine ID and kernel
	// release.
	host *unit.Host
	// pid is the manager's pid; PID 1 skips user database lookups.
	pid int
	// The manager's credentials, for ConditionUser= and ConditionGroup=.
	uid, euid, gid, egid int
	groups               []int
	// firstBoot, when set, is the answer of ConditionFirstBoot=, decided
	// once at manager start (as systemd does); nil tests the files now.
	firstBoot *bool
	// cpus counts the CPUs in the manager's affinity mask.
	cpus func() (int, error)

	virt string // detected virtualization ("" until detected)
}

// condNewContext returns the context of the running manager.
func condNewContext(host *unit.Host) *condContext {
	groups, _ := os.Getgroups()
	return &condContext{
		environ: os.Environ(),
		host:    host,
		pid:     os.Getpid(),
		uid:     os.Getuid(),
		euid:    os.Geteuid(),
		gid:     os.Getgid(),
		egid:    os.Getegid(),
		groups:  groups,
		cpus:    condAffinityCPUs,
	}
}

// path maps an absolute path below the context's root.
func (c *condContext) path(p string) string {
	if c.root == "" {
		return p
	}
	return filepath.Join(c.root, p)
}

// getenv looks name up in the manager's environment.
func (c *condContext) getenv(name string) (string, bool) {
	for _, e := range c.environ {
		if v, ok := strings.CutPrefix(e, name+"="); ok {
			return v, true
		}
	}
	return "", false
}

// readLine reads the first line of a file below the root, without its
// newline (systemd's read_one_line_file).
func (c *condContext) readLine(p string) (string, error) {
	b, err := os.ReadFile(c.path(p))
	if err != nil {
		return "", err
	}
	s, _, _ := strings.Cut(string(b), "\n")
	return s, nil
}

// exists reports whether a path below the root exists (access F_OK).
func (c *condContext) exists(p string) bool {
	_, err := os.Stat(c.path(p))
	return err == nil
}
