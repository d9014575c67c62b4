package unit

// Type is a unit type, the suffix of a unit name.
type Type string

// Unit types. pm runs services, sockets, targets and timers; the others load
// their [Unit] and [Install] sections and report that the type is not
// supported.
const (
	TypeService   Type = "service"
	TypeSocket    Type = "socket"
	TypeTarget    Type = "target"
	TypeTimer     Type = "timer"
	TypePath      Type = "path"
	TypeMount     Type = "mount"
	TypeAutomount Type = "automount"
	TypeSwap      Type = "swap"
	TypeSlice     Type = "slice"
	TypeScope     Type = "scope"
	TypeDevice    Type = "device"
)

// Supported reports whether pm runs units of this type.
func (t Type) Supported() bool {
	switch t {
	case TypeService, TypeSocket, TypeTarget, TypeTimer:
		return true
	}
	return false
}

// Known reports whether t is one of systemd's unit types.
func (t Type) Known() bool {
	switch t {
	case TypeService, TypeSocket, TypeTarget, TypeTimer, TypePath, TypeMount,
		TypeAutomount, TypeSwap, TypeSlice, TypeScope, TypeDevice:
		return true
	}
	return false
}

// LoadState is systemd's LoadState property.
type LoadState string

// Load states, as systemd names them.
const (
	LoadLoaded     LoadState = "loaded"
	LoadNotFound   LoadState = "not-found"
	LoadBadSetting LoadState = "bad-setting"
	LoadError      LoadState = "error"
	LoadMasked     LoadState = "masked"
)

// Unit is one unit: the settings of its [Unit] and [Install] sections, and
// those of its type's section. Field names are systemd's directive names;
// zero values are replaced by systemd's defaults when the unit is loaded.
type Unit struct {
	// Name is the unit's primary name, such as "foo@bar.service".
	Name string
	Type Type
	// Names lists every name of the unit: Name first, then aliases.
	Names []string `json:",omitempty"`

	LoadState LoadState
	// LoadError says why LoadState is not "loaded".
	LoadError string `json:",omitempty"`

	// FragmentPath is the main unit file ("" for units without one).
	FragmentPath string `json:",omitempty"`
	// DropInPaths lists the drop-ins applied, in the order applied.
	DropInPaths []string `json:",omitempty"`
	// SourcePath is the file the unit was generated from (a YAML file).
	SourcePath string `json:",omitempty"`

	// [Unit]

	Description          string   `json:",omitempty"`
	Documentation        []string `json:",omitempty"`
	Requires             []string `json:",omitempty"`
	Requisite            []string `json:",omitempty"`
	Wants                []string `json:",omitempty"`
	BindsTo              []string `json:",omitempty"`
	PartOf               []string `json:",omitempty"`
	Upholds              []string `json:",omitempty"`
	Conflicts            []string `json:",omitempty"`
	Before               []string `json:",omitempty"`
	After                []string `json:",omitempty"`
	OnFailure            []string `json:",omitempty"`
	OnSuccess            []string `json:",omitempty"`
	PropagatesReloadTo   []string `json:",omitempty"`
	ReloadPropagatedFrom []string `json:",omitempty"`
	PropagatesStopTo     []string `json:",omitempty"`
	StopPropagatedFrom   []string `json:",omitempty"`
	JoinsNamespaceOf     []string `json:",omitempty"`
	RequiresMountsFor    []string `json:",omitempty"`
	OnFailureJobMode     JobMode
	OnSuccessJobMode     JobMode
	StopWhenUnneeded     bool
	RefuseManualStart    bool
	RefuseManualStop     bool
	AllowIsolate         bool
	DefaultDependencies  bool
	IgnoreOnIsolate      bool
	CollectMode          string

	StartLimitIntervalSec    Duration
	StartLimitBurst          uint
	StartLimitAction         EmergencyAction
	FailureAction            EmergencyAction
	SuccessAction            EmergencyAction
	FailureActionExitStatus  int    // -1: unset
	SuccessActionExitStatus  int    // -1: unset
	RebootArgument           string `json:",omitempty"`
	JobTimeoutSec            Duration
	JobRunningTimeoutSec     Duration
	JobTimeoutAction         EmergencyAction
	JobTimeoutRebootArgument string `json:",omitempty"`

	Conditions []Condition `json:",omitempty"`
	Asserts    []Condition `json:",omitempty"`

	Install Install

	// Type-specific sections; exactly one is set for services, sockets and
	// timers, none for targets and unsupported types.
	Service *Service `json:",omitempty"`
	Socket  *Socket  `json:",omitempty"`
	Timer   *Timer   `json:",omitempty"`

	// Health holds pm's health probes ([X-Health]).
	Health *Health `json:",omitempty"`
	// AutoStart means the unit is wanted by the default target without an
	// [Install] symlink ([X-PM] AutoStart=, YAML auto_start).
	AutoStart bool `json:",omitempty"`
	// UUID identifies the unit ([X-PM] UUID=), in canonical lower-case
	// form; pm writes it into the units it creates over its API.
	UUID string `json:",omitempty"`

	// Ignored lists the directives pm recognises but does not enforce, with
	// the reason, in the order they were set.
	Ignored []IgnoredSetting `json:",omitempty"`
}

// IgnoredSetting is a directive pm parsed and keeps but does not act on.
type IgnoredSetting struct {
	Section string
	Key     string
	Value   string
	Pos     Pos
	Reason  string
}

// Install is the [Install] section, used by enable and disable.
type Install struct {
	WantedBy        []string `json:",omitempty"`
	RequiredBy      []string `json:",omitempty"`
	Alias           []string `json:",omitempty"`
	Also            []string `json:",omitempty"`
	DefaultInstance string   `json:",omitempty"`
}

// JobMode is a job mode, as in OnFailureJobMode=.
type JobMode string

// Job modes of systemd.
const (
	JobReplace             JobMode = "replace"
	JobFail                JobMode = "fail"
	JobIsolate             JobMode = "isolate"
	JobIgnoreDependencies  JobMode = "ignore-dependencies"
	JobIgnoreRequirements  JobMode = "ignore-requirements"
	JobReplaceIrreversibly JobMode = "replace-irreversibly"
	JobFlush               JobMode = "flush"
	JobTriggering          JobMode = "triggering"
)

// EmergencyAction is what StartLimitAction=, FailureAction= and friends do.
type EmergencyAction string

// Emergency actions of systemd 252.
const (
	ActionNone              EmergencyAction = "none"
	ActionReboot            EmergencyAction = "reboot"
	ActionRebootForce       EmergencyAction = "reboot-force"
	ActionRebootImmediate   EmergencyAction = "reboot-immediate"
	ActionPoweroff          EmergencyAction = "poweroff"
	ActionPoweroffForce     EmergencyAction = "poweroff-force"
	ActionPoweroffImmediate EmergencyAction = "poweroff-immediate"
	ActionExit              EmergencyAction = "exit"
	ActionExitForce         EmergencyAction = "exit-force"
)

// Condition is one Condition*= or Assert*= setting.
type Condition struct {
	// Type is the directive name without its Condition or Assert prefix,
	// such as "PathExists".
	Type string
	// Trigger is the '|' prefix: the unit runs if any triggering condition
	// holds (and all the others do).
	Trigger bool `json:",omitempty"`
	// Negate is the '!' prefix.
	Negate    bool `json:",omitempty"`
	Parameter string
	Pos       Pos
}
