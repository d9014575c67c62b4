package unit

// ExecContext is how processes of a service or socket are run (the directives
// of systemd.exec(5)).
type ExecContext struct {
	User                string   `json:",omitempty"`
	Group               string   `json:",omitempty"`
	SupplementaryGroups []string `json:",omitempty"`
	DynamicUser         bool

	// WorkingDirectory is "" (the default: / for system services), "~"
	// (the user's home) or an absolute path.
	WorkingDirectory string `json:",omitempty"`
	// WorkingDirectoryMissingOK is the '-' prefix.
	WorkingDirectoryMissingOK bool   `json:",omitempty"`
	RootDirectory             string `json:",omitempty"`

	// Environment holds KEY=VALUE assignments in order; later ones win.
	Environment      []string          `json:",omitempty"`
	EnvironmentFiles []EnvironmentFile `json:",omitempty"`
	PassEnvironment  []string          `json:",omitempty"`
	UnsetEnvironment []string          `json:",omitempty"`

	UMask          Mode
	Nice           *int `json:",omitempty"`
	OOMScoreAdjust *int `json:",omitempty"`

	// Limits maps a resource name ("NOFILE", "CORE", …) to the limit set
	// by Limit<NAME>=.
	Limits map[string]Rlimit `json:",omitempty"`

	AmbientCapabilities   CapSet
	CapabilityBoundingSet CapSet
	NoNewPrivileges       bool
	SecureBits            []string `json:",omitempty"`

	RuntimeDirectory           []string `json:",omitempty"`
	StateDirectory             []string `json:",omitempty"`
	CacheDirectory             []string `json:",omitempty"`
	LogsDirectory              []string `json:",omitempty"`
	ConfigurationDirectory     []string `json:",omitempty"`
	RuntimeDirectoryMode       Mode
	StateDirectoryMode         Mode
	CacheDirectoryMode         Mode
	LogsDirectoryMode          Mode
	ConfigurationDirectoryMode Mode
	// RuntimeDirectoryPreserve is "no", "yes" or "restart".
	RuntimeDirectoryPreserve string

	StandardInput  StdIO
	StandardOutput StdIO
	StandardError  StdIO
	// StandardInputText and StandardInputData are the bytes given by
	// StandardInputText= and StandardInputData=.
	StandardInputData []byte `json:",omitempty"`

	SyslogIdentifier  string `json:",omitempty"`
	SyslogFacility    string
	SyslogLevel       string
	SyslogLevelPrefix bool
	TTYPath           string `json:",omitempty"`
	TTYReset          bool
	TTYVHangup        bool
	TTYVTDisallocate  bool

	IOSchedulingClass        string `json:",omitempty"`
	IOSchedulingPriority     *int   `json:",omitempty"`
	CPUSchedulingPolicy      string `json:",omitempty"`
	CPUSchedulingPriority    *int   `json:",omitempty"`
	CPUSchedulingResetOnFork bool
	CPUAffinity              []int `json:",omitempty"`
	TimerSlackNSec           Duration
	PAMName                  string `json:",omitempty"`
	IgnoreSIGPIPE            bool
}

// EnvironmentFile is one EnvironmentFile= setting.
type EnvironmentFile struct {
	Path string
	// Optional is the '-' prefix: a missing file is not an error.
	Optional bool `json:",omitempty"`
}

// StdIO is one of StandardInput=, StandardOutput=, StandardError=.
type StdIO struct {
	// Type is "null", "tty", "tty-force", "tty-fail", "data", "file",
	// "socket", "fd", "inherit", "journal", "syslog", "kmsg",
	// "journal+console", "syslog+console", "kmsg+console", "append",
	// "truncate".
	Type string
	// Path is the file of file:, append: and truncate:.
	Path string `json:",omitempty"`
	// FDName is the name of fd:.
	FDName string `json:",omitempty"`
}

// KillMode is KillMode=.
type KillMode string

// Kill modes.
const (
	KillControlGroup KillMode = "control-group"
	KillMixed        KillMode = "mixed"
	KillProcess      KillMode = "process"
	KillNone         KillMode = "none"
)

// KillContext is how processes are stopped (systemd.kill(5)).
type KillContext struct {
	KillMode          KillMode
	KillSignal        Signal
	RestartKillSignal Signal
	// RestartKillSignalSet is false when RestartKillSignal= was not given,
	// in which case KillSignal applies.
	RestartKillSignalSet bool `json:"-"`
	FinalKillSignal      Signal
	WatchdogSignal       Signal
	SendSIGKILL          bool
	SendSIGHUP           bool
}

// WeightUnset is the value of CPUWeight= and friends when not set
// (systemd's CGROUP_WEIGHT_INVALID, also what D-Bus shows).
const WeightUnset = 1<<64 - 1

// Resources is the resource control of a unit (systemd.resource-control(5)).
type Resources struct {
	// CPUQuotaPerSecSec is the CPU time allowed per second of wall time
	// (CPUQuota=150% is 1.5s); Infinity means no quota.
	CPUQuotaPerSecSec Duration
	CPUQuotaPeriodSec Duration
	// CPUWeight, StartupCPUWeight (1–10000, 0 for "idle"), CPUShares,
	// StartupCPUShares (cgroup v1, 2–262144), IOWeight and StartupIOWeight
	// (1–10000) are WeightUnset unless set.
	CPUWeight        uint64
	StartupCPUWeight uint64
	CPUShares        uint64
	StartupCPUShares uint64
	IOWeight         uint64
	StartupIOWeight  uint64
	MemoryMin        Limit
	MemoryLow        Limit
	MemoryHigh       Limit
	MemoryMax        Limit
	MemorySwapMax    Limit
	MemoryLimit      Limit
	TasksMax         Limit
	Slice            string `json:",omitempty"`
	Delegate         bool
	// DelegateControllers lists the controllers Delegate= names.
	DelegateControllers []string `json:",omitempty"`
	CPUAccounting       bool
	MemoryAccounting    bool
	TasksAccounting     bool
	IOAccounting        bool
	AllowedCPUs         []int `json:",omitempty"`
	AllowedMemoryNodes  []int `json:",omitempty"`
}
