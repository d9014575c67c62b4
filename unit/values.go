package unit

import "errors"

// ParseBool parses a systemd boolean: 1/yes/y/true/t/on and 0/no/n/false/f/off,
// case-insensitively.
func ParseBool(s string) (bool, error) { return false, errors.New("TODO") }

// Mode is a file mode or umask written in octal ("0755", "027").
type Mode uint32

// ParseMode parses an octal mode of at most 07777.
func ParseMode(s string) (Mode, error) { return 0, errors.New("TODO") }

// String renders the mode as four octal digits, "0755".
func (m Mode) String() string { return "TODO" }

// MarshalText renders the mode like String.
func (m Mode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// ParseSize parses a size with an optional 1024-based suffix (B, K, M, G, T,
// P, E), allowing a decimal fraction ("1.5G"), as systemd's parse_size.
func ParseSize(s string) (uint64, error) { return 0, errors.New("TODO") }

// Limit is a resource limit such as MemoryMax= or TasksMax=: a number of
// bytes (or tasks), a percentage of the physical total, or infinity.
type Limit struct {
	// Value is the absolute limit; math.MaxUint64 means infinity.
	Value uint64
	// Permyriad is set (1–10000) when the limit was given as a percentage;
	// Value is then 0 and the manager scales it to the machine.
	Permyriad uint32
}

// LimitInfinity is the "infinity" limit.
var LimitInfinity = Limit{Value: 1<<64 - 1}

// ParseMemoryLimit parses MemoryMax= and friends: a size, "N%", "N.N%",
// "N‰", "N‱" or "infinity".
func ParseMemoryLimit(s string) (Limit, error) { return Limit{}, errors.New("TODO") }

// ParseTasksLimit parses TasksMax=: a number, a percentage or "infinity".
func ParseTasksLimit(s string) (Limit, error) { return Limit{}, errors.New("TODO") }

// String renders the limit the way it would be written in a unit file.
func (l Limit) String() string { return "TODO" }

// MarshalText renders the limit like String.
func (l Limit) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// Signal is a signal number.
type Signal int

// ParseSignal parses a signal name ("SIGTERM", "TERM", "SIGRTMIN+3") or
// number, as systemd's signal_from_string.
func ParseSignal(s string) (Signal, error) { return 0, errors.New("TODO") }

// String renders the signal by name ("SIGTERM"), or its number.
func (s Signal) String() string { return "TODO" }

// MarshalText renders the signal like String.
func (s Signal) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// ExitStatusSet is SuccessExitStatus= and friends: exit codes and signals.
type ExitStatusSet struct {
	Status  []int    `json:",omitempty"`
	Signals []Signal `json:",omitempty"`
}

// ParseExitStatusSet parses a space-separated list of exit codes (0–255),
// exit status names (such as "EXIT_NOTINSTALLED") and signal names. The
// result is added to set, since the directives accumulate.
func ParseExitStatusSet(s string, set *ExitStatusSet) error { return errors.New("TODO") }

// ParseExitStatus parses one exit status (0–255) or its systemd name, as
// FailureActionExitStatus= takes.
func ParseExitStatus(s string) (int, error) { return 0, errors.New("TODO") }

// CapSet is a set of capabilities, bit n standing for capability n.
type CapSet uint64

// CapAll is every capability the kernel may know.
const CapAll CapSet = 1<<64 - 1

// ParseCapSet parses a capability list as CapabilityBoundingSet= does:
// names separated by blanks, a leading '~' inverting the list. It returns
// the named set and whether it was inverted.
func ParseCapSet(s string) (CapSet, bool, error) { return 0, false, errors.New("TODO") }

// String renders the set as capability names separated by blanks.
func (c CapSet) String() string { return "TODO" }

// MarshalText renders the set like String.
func (c CapSet) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// Rlimit is a soft and a hard resource limit; RlimInfinity is unlimited.
type Rlimit struct {
	Soft uint64
	Hard uint64
}

// RlimInfinity is an unlimited rlimit value.
const RlimInfinity uint64 = 1<<64 - 1

// RlimitNames lists the sixteen resources of Limit*= in systemd's order.
var RlimitNames = []string{"CPU", "FSIZE", "DATA", "STACK", "CORE", "RSS", "NOFILE", "AS", "NPROC", "MEMLOCK", "LOCKS", "SIGPENDING", "MSGQUEUE", "NICE", "RTPRIO", "RTTIME"}

// ParseRlimit parses the value of Limit<resource>=: "soft:hard" or one
// value for both, in the resource's unit (seconds for CPU, microseconds for
// RTTIME, bytes for sizes, a nice level for NICE), or "infinity".
func ParseRlimit(resource, s string) (Rlimit, error) { return Rlimit{}, errors.New("TODO") }
