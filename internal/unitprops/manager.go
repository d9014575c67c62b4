package unitprops

import (
	"runtime"
	"time"

	"github.com/pm-project/pm/manager"
	"github.com/pm-project/pm/unit"
)

// The org.freedesktop.systemd1.Manager properties (bus_manager_vtable,
// src/core/dbus-manager.c) and the org.freedesktop.systemd1.Job ones
// (bus_job_vtable, src/core/dbus-job.c), in systemd 252's order.

// Version is the Version property: the systemd release whose
// interface pm implements.
const Version = "252"

type mv = *ManagerView

func (v mv) count(f func(*manager.UnitStatus) bool) uint32 {
	n := uint32(0)
	for _, st := range v.snap.All() {
		if f(st) {
			n++
		}
	}
	return n
}

// zeroStamps are the boot timestamps pm does not have.
func zeroStamps(names ...string) []Prop[mv] {
	var out []Prop[mv]
	for _, n := range names {
		out = append(out, constant[mv](n, "t", uint64(0)), constant[mv](n+"Monotonic", "t", uint64(0)))
	}
	return out
}

// ManagerTable is the Manager interface.
var ManagerTable = newTable("org.freedesktop.systemd1.Manager", []Prop[mv]{
	constant[mv]("Version", "s", Version),
	constant[mv]("Features", "s", ""),
	constant[mv]("Virtualization", "s", ""),
	constant[mv]("Architecture", "s", architecture()),
	constant[mv]("Tainted", "s", ""),
}, zeroStamps("FirmwareTimestamp", "LoaderTimestamp", "KernelTimestamp", "InitRDTimestamp"),
	stamps("UserspaceTimestamp", func(v mv) time.Time { return v.started }),
	stamps("FinishTimestamp", func(v mv) time.Time { return v.started }),
	zeroStamps("SecurityStartTimestamp", "SecurityFinishTimestamp", "GeneratorsStartTimestamp",
		"GeneratorsFinishTimestamp", "UnitsLoadStartTimestamp", "UnitsLoadFinishTimestamp",
		"UnitsLoadTimestamp", "InitRDSecurityStartTimestamp", "InitRDSecurityFinishTimestamp",
		"InitRDGeneratorsStartTimestamp", "InitRDGeneratorsFinishTimestamp",
		"InitRDUnitsLoadStartTimestamp", "InitRDUnitsLoadFinishTimestamp"),
	[]Prop[mv]{
		constant[mv]("LogLevel", "s", "info"),
		constant[mv]("LogTarget", "s", "console"),
		u32("NNames", func(v mv) uint32 { return uint32(len(v.snap.Names())) }),
		u32("NFailedUnits", func(v mv) uint32 {
			return v.count(func(st *manager.UnitStatus) bool { return st.ActiveState == manager.Failed })
		}),
		u32("NJobs", func(v mv) uint32 { return v.count(func(st *manager.UnitStatus) bool { return st.Job != nil }) }),
		u32("NInstalledJobs", func(v mv) uint32 {
			return v.count(func(st *manager.UnitStatus) bool { return st.Job != nil })
		}),
		constant[mv]("NFailedJobs", "u", uint32(0)),
		mk("Progress", "d", func(v mv) any { return 1.0 }),
		constant[mv]("Environment", "as", []string{}),
		constant[mv]("ConfirmSpawn", "b", false),
		constant[mv]("ShowStatus", "b", false),
		strv("UnitPath", func(v mv) []string { return v.unitPath }),
		constant[mv]("DefaultStandardOutput", "s", "journal"),
		constant[mv]("DefaultStandardError", "s", "inherit"),
		constant[mv]("WatchdogDevice", "s", ""),
	},
	zeroStamps("WatchdogLastPingTimestamp"),
	[]Prop[mv]{
		constant[mv]("RuntimeWatchdogUSec", "t", uint64(0)),
		constant[mv]("RuntimeWatchdogPreUSec", "t", uint64(0)),
		constant[mv]("RuntimeWatchdogPreGovernor", "s", ""),
		constant[mv]("RebootWatchdogUSec", "t", uint64(0)),
		constant[mv]("KExecWatchdogUSec", "t", uint64(0)),
		constant[mv]("ServiceWatchdogs", "b", true),
		constant[mv]("ControlGroup", "s", ""),
		str("SystemState", func(v mv) string { return v.m.SystemState() }),
		constant[mv]("ExitCode", "y", byte(0)),
		constant[mv]("DefaultTimerAccuracyUSec", "t", uint64(60e6)),
		constant[mv]("DefaultTimeoutStartUSec", "t", uint64(90e6)),
		constant[mv]("DefaultTimeoutStopUSec", "t", uint64(90e6)),
		constant[mv]("DefaultTimeoutAbortUSec", "t", uint64(90e6)),
		constant[mv]("DefaultDeviceTimeoutUSec", "t", uint64(90e6)),
		constant[mv]("DefaultRestartUSec", "t", uint64(100e3)),
		constant[mv]("DefaultStartLimitIntervalUSec", "t", uint64(10e6)),
		constant[mv]("DefaultStartLimitBurst", "u", uint32(5)),
		constant[mv]("DefaultCPUAccounting", "b", false),
		constant[mv]("DefaultBlockIOAccounting", "b", false),
		constant[mv]("DefaultMemoryAccounting", "b", false),
		constant[mv]("DefaultTasksAccounting", "b", false),
	},
	defaultLimits(),
	[]Prop[mv]{
		constant[mv]("DefaultTasksMax", "t", uint64(infinity)),
		constant[mv]("TimerSlackNSec", "t", uint64(50000)),
		constant[mv]("DefaultOOMPolicy", "s", "stop"),
		constant[mv]("DefaultOOMScoreAdjust", "i", int32(0)),
		constant[mv]("CtrlAltDelBurstAction", "s", "reboot-force"),
	})

// defaultLimits are DefaultLimit*= (and …Soft): pm sets none.
func defaultLimits() []Prop[mv] {
	var out []Prop[mv]
	for _, r := range unit.RlimitNames {
		out = append(out, constant[mv]("DefaultLimit"+r, "t", uint64(infinity)),
			constant[mv]("DefaultLimit"+r+"Soft", "t", uint64(infinity)))
	}
	return out
}

// architecture is systemd's name of the machine's architecture.
func architecture() string {
	switch runtime.GOARCH {
	case "amd64":
		return "x86-64"
	case "386":
		return "x86"
	case "arm64":
		return "arm64"
	case "arm":
		return "arm"
	case "riscv64":
		return "riscv64"
	case "ppc64le":
		return "ppc64-le"
	case "s390x":
		return "s390x"
	}
	return runtime.GOARCH
}

type jv = *JobView

// UnitRef is the Job's Unit property, (so).
type UnitRef struct {
	Name string
	Path string // an object path
}

// JobTable is the Job interface.
var JobTable = newTable("org.freedesktop.systemd1.Job", []Prop[jv]{
	u32("Id", func(v jv) uint32 { return v.Info.ID }),
	mk("Unit", "(so)", func(v jv) any { return UnitRef{v.Info.Unit, UnitPath(v.Info.Unit)} }),
	str("JobType", func(v jv) string { return v.Info.Type.String() }),
	str("State", func(v jv) string { return v.Info.State }),
	constant[jv]("ActivationDetails", "a(ss)", []Pair{}),
})
