package unit

// ServiceType is Type= of a service.
type ServiceType string

// Service types.
const (
	ServiceSimple  ServiceType = "simple"
	ServiceExec    ServiceType = "exec"
	ServiceForking ServiceType = "forking"
	ServiceOneshot ServiceType = "oneshot"
	ServiceNotify  ServiceType = "notify"
	ServiceIdle    ServiceType = "idle"
	ServiceDBus    ServiceType = "dbus"
)

// RestartPolicy is Restart=.
type RestartPolicy string

// Restart policies.
const (
	RestartNo         RestartPolicy = "no"
	RestartAlways     RestartPolicy = "always"
	RestartOnSuccess  RestartPolicy = "on-success"
	RestartOnFailure  RestartPolicy = "on-failure"
	RestartOnAbnormal RestartPolicy = "on-abnormal"
	RestartOnAbort    RestartPolicy = "on-abort"
	RestartOnWatchdog RestartPolicy = "on-watchdog"
)

// NotifyAccess is NotifyAccess=.
type NotifyAccess string

// Notify access values.
const (
	NotifyNone NotifyAccess = "none"
	NotifyMain NotifyAccess = "main"
	NotifyExec NotifyAccess = "exec"
	NotifyAll  NotifyAccess = "all"
)

// Service is the [Service] section.
type Service struct {
	Type ServiceType

	ExecCondition []ExecCommand `json:",omitempty"`
	ExecStartPre  []ExecCommand `json:",omitempty"`
	ExecStart     []ExecCommand `json:",omitempty"`
	ExecStartPost []ExecCommand `json:",omitempty"`
	ExecReload    []ExecCommand `json:",omitempty"`
	ExecStop      []ExecCommand `json:",omitempty"`
	ExecStopPost  []ExecCommand `json:",omitempty"`

	RemainAfterExit        bool
	GuessMainPID           bool
	PermissionsStartOnly   bool
	RootDirectoryStartOnly bool

	Restart            RestartPolicy
	RestartSec         Duration
	RestartSteps       uint
	RestartMaxDelaySec Duration

	TimeoutStartSec Duration
	TimeoutStopSec  Duration
	TimeoutAbortSec Duration
	// TimeoutAbortSet is false when TimeoutAbortSec= was not given, in which
	// case TimeoutStopSec applies (systemd's timeout_abort_set).
	TimeoutAbortSet           bool
	TimeoutStartFailureMode   string
	TimeoutStopFailureMode    string
	RuntimeMaxSec             Duration
	RuntimeRandomizedExtraSec Duration
	WatchdogSec               Duration

	PIDFile      string `json:",omitempty"`
	NotifyAccess NotifyAccess
	// NotifyAccessSet is true when NotifyAccess= was given explicitly.
	NotifyAccessSet bool `json:"-"`

	SuccessExitStatus        ExitStatusSet
	RestartPreventExitStatus ExitStatusSet
	RestartForceExitStatus   ExitStatusSet

	BusName                string `json:",omitempty"`
	FileDescriptorStoreMax uint
	Sockets                []string `json:",omitempty"`
	OOMPolicy              string
	ExitType               string
	NonBlocking            bool

	Exec      ExecContext
	Kill      KillContext
	Resources Resources
}

// Socket is the [Socket] section.
type Socket struct {
	Listen []Listen `json:",omitempty"`

	Accept                  bool
	Service                 string `json:",omitempty"`
	SocketMode              Mode
	DirectoryMode           Mode
	SocketUser              string `json:",omitempty"`
	SocketGroup             string `json:",omitempty"`
	Backlog                 uint
	BindIPv6Only            string
	BindToDevice            string `json:",omitempty"`
	ReusePort               bool
	FreeBind                bool
	Transparent             bool
	Broadcast               bool
	NoDelay                 bool
	KeepAlive               bool
	KeepAliveTimeSec        Duration
	KeepAliveIntervalSec    Duration
	KeepAliveProbes         uint
	DeferAcceptSec          Duration
	PassCredentials         bool
	PassSecurity            bool
	PassPacketInfo          bool
	Writable                bool
	FlushPending            bool
	Priority                int
	ReceiveBuffer           uint64
	SendBuffer              uint64
	Mark                    int
	PipeSize                uint64
	FileDescriptorName      string `json:",omitempty"`
	MaxConnections          uint
	MaxConnectionsPerSource uint
	RemoveOnStop            bool
	Symlinks                []string `json:",omitempty"`
	TriggerLimitIntervalSec Duration
	TriggerLimitBurst       uint
	TimeoutSec              Duration

	ExecStartPre  []ExecCommand `json:",omitempty"`
	ExecStartPost []ExecCommand `json:",omitempty"`
	ExecStopPre   []ExecCommand `json:",omitempty"`
	ExecStopPost  []ExecCommand `json:",omitempty"`

	Exec      ExecContext
	Kill      KillContext
	Resources Resources
}

// ListenKind is which Listen*= directive a listener came from.
type ListenKind string

// Listener kinds.
const (
	ListenStream           ListenKind = "ListenStream"
	ListenDatagram         ListenKind = "ListenDatagram"
	ListenSequentialPacket ListenKind = "ListenSequentialPacket"
	ListenFIFO             ListenKind = "ListenFIFO"
	ListenNetlink          ListenKind = "ListenNetlink"
	ListenSpecial          ListenKind = "ListenSpecial"
	ListenMessageQueue     ListenKind = "ListenMessageQueue"
	ListenUSBFunction      ListenKind = "ListenUSBFunction"
)

// Listen is one Listen*= setting, parsed into its address family.
type Listen struct {
	Kind ListenKind
	// Family is "inet" (port or IPv4), "inet6", "unix" (path or
	// abstract), "vsock", "netlink", or "" for FIFOs and special files.
	Family string `json:",omitempty"`
	// Address is the normalised address: "0.0.0.0:80" style for IPv4,
	// "[::]:80" for IPv6 and bare ports, the path for files and unix
	// sockets, "@name" for abstract sockets, "family group" for netlink.
	Address string
	// Port is set for inet and inet6 listeners.
	Port int `json:",omitempty"`
	Pos  Pos
}

// Timer is the [Timer] section. pm parses timers; it runs them later.
type Timer struct {
	OnCalendar         []CalendarSpec `json:",omitempty"`
	OnActiveSec        []Duration     `json:",omitempty"`
	OnBootSec          []Duration     `json:",omitempty"`
	OnStartupSec       []Duration     `json:",omitempty"`
	OnUnitActiveSec    []Duration     `json:",omitempty"`
	OnUnitInactiveSec  []Duration     `json:",omitempty"`
	OnClockChange      bool
	OnTimezoneChange   bool
	AccuracySec        Duration
	RandomizedDelaySec Duration
	FixedRandomDelay   bool
	Persistent         bool
	WakeSystem         bool
	RemainAfterElapse  bool
	Unit               string `json:",omitempty"`
}

// Health is pm's health probes ([X-Health], YAML health_check).
type Health struct {
	// Probes run every Interval; each must answer within Timeout.
	Probes []Probe `json:",omitempty"`
	// IntervalSec is the time between probes.
	IntervalSec Duration
	// TimeoutSec bounds one probe.
	TimeoutSec Duration
	// Retries is how many failures in a row make the unit unhealthy.
	Retries uint
	// RestartAfter restarts the unit after this many failures in a row
	// (0: never restart for health).
	RestartAfter uint
}

// Probe is one health probe.
type Probe struct {
	// Kind is "http", "tcp" or "exec".
	Kind string
	// Target is the URL for http, host:port for tcp, and the command line
	// for exec.
	Target string
	// Exec is the parsed command of an exec probe.
	Exec *ExecCommand `json:",omitempty"`
	Pos  Pos
}
