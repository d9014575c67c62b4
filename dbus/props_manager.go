package dbus

import (
	"runtime"
	"time"

	"github.com/pm-project/pm/manager"
	"github.com/pm-project/pm/unit"
)

// The org.freedesktop.systemd1.Manager properties (bus_manager_vtable,
// src/core/dbus-manager.c) and the org.freedesktop.systemd1.Job ones
// (bus_job_vtable, src/core/dbus-job.c), in systemd 252's order.

// managerVersion is the Version property: the systemd release whose
// interface pm implements.
const managerVersion = "252"

// managerView is what the manager's properties are read from.
type managerView struct {
	srv  *Server
	snap *manager.Snapshot
	clk  clock
}

func (v *managerView) clock() clock { return v.clk }

type mv = *managerView

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
func zeroStamps(names ...string) []prop[mv] {
	var out []prop[mv]
	for _, n := range names {
		out = append(out, constant[mv](n, "t", uint64(0)), constant[mv](n+"Monotonic", "t", uint64(0)))
	}
	return out
}

var managerTable = newTable("org.freedesktop.systemd1.Manager", []prop[mv]{
	constant[mv]("Version", "s", managerVersion),
	constant[mv]("Features", "s", ""),
	constant[mv]("Virtualization", "s", ""),
	constant[mv]("Architecture", "s", architecture()),
	constant[mv]("Tainted", "s", ""),
}, zeroStamps("FirmwareTimestamp", "LoaderTimestamp", "KernelTimestamp", "InitRDTimestamp"),
	stamps("UserspaceTimestamp", func(v mv) time.Time { return v.srv.started }),
	stamps("FinishTimestamp", func(v mv) time.Time { return v.srv.started }),
	zeroStamps("SecurityStartTimestamp", "SecurityFinishTimestamp", "GeneratorsStartTimestamp",
		"GeneratorsFinishTimestamp", "UnitsLoadStartTimestamp", "UnitsLoadFinishTimestamp",
		"UnitsLoadTimestamp", "InitRDSecurityStartTimestamp", "InitRDSecurityFinishTimestamp",
		"InitRDGeneratorsStartTimestamp", "InitRDGeneratorsFinishTimestamp",
		"InitRDUnitsLoadStartTimestamp", "InitRDUnitsLoadFinishTimestamp"),
	[]prop[mv]{
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
		strv("UnitPath", func(v mv) []string { return v.srv.opts.UnitPath }),
		constant[mv]("DefaultStandardOutput", "s", "journal"),
		constant[mv]("DefaultStandardError", "s", "inherit"),
		constant[mv]("WatchdogDevice", "s", ""),
	},
	zeroStamps("WatchdogLastPingTimestamp"),
	[]prop[mv]{
		constant[mv]("RuntimeWatchdogUSec", "t", uint64(0)),
		constant[mv]("RuntimeWatchdogPreUSec", "t", uint64(0)),
		constant[mv]("RuntimeWatchdogPreGovernor", "s", ""),
		constant[mv]("RebootWatchdogUSec", "t", uint64(0)),
		constant[mv]("KExecWatchdogUSec", "t", uint64(0)),
		constant[mv]("ServiceWatchdogs", "b", true),
		constant[mv]("ControlGroup", "s", ""),
		str("SystemState", func(v mv) string { return v.srv.m.SystemState() }),
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
	[]prop[mv]{
		constant[mv]("DefaultTasksMax", "t", uint64(infinity)),
		constant[mv]("TimerSlackNSec", "t", uint64(50000)),
		constant[mv]("DefaultOOMPolicy", "s", "stop"),
		constant[mv]("DefaultOOMScoreAdjust", "i", int32(0)),
		constant[mv]("CtrlAltDelBurstAction", "s", "reboot-force"),
	})

// defaultLimits are DefaultLimit*= (and …Soft): pm sets none.
func defaultLimits() []prop[mv] {
	var out []prop[mv]
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

// jobView is what a job's properties are read from.
type jobView struct {
	info manager.JobInfo
}

type jv = *jobView

// unitRef is the Job's Unit property, (so).
type unitRef struct {
	Name string
	Path objectPath
}

var jobTable = newTable("org.freedesktop.systemd1.Job", []prop[jv]{
	u32("Id", func(v jv) uint32 { return v.info.ID }),
	mk("Unit", "(so)", func(v jv) any { return unitRef{v.info.Unit, unitPath(v.info.Unit)} }),
	str("JobType", func(v jv) string { return v.info.Type.String() }),
	str("State", func(v jv) string { return v.info.State }),
	constant[jv]("ActivationDetails", "a(ss)", []pair{}),
})
