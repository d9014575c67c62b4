package unitprops

import (
	"math"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/pm-project/pm/unit"
)

// The vtables that services and sockets share, in systemd's order:
// bus_unit_cgroup_vtable (the unit's control group and what it uses),
// bus_cgroup_vtable (resource control settings), bus_exec_vtable (the
// execution context) and bus_kill_vtable. Settings pm does not have are
// left out; counters it does not know are UINT64_MAX.

const infinity = math.MaxUint64

// cgroupUnitProps: until pm puts units in control groups, a unit with
// processes reports the cgroup systemd would give it, and its resource
// use is what /proc says of its processes.
var cgroupUnitProps = []Prop[uv]{
	str("Slice", func(v uv) string {
		if s := resourcesOf(v).Slice; s != "" {
			return s
		}
		return "system.slice"
	}),
	str("ControlGroup", func(v uv) string { return v.ControlGroup() }),
	constant[uv]("ControlGroupId", "t", uint64(0)),
	u64("MemoryCurrent", func(v uv) uint64 {
		if s := v.Stats(); len(s.PIDs) > 0 {
			return s.RSS
		}
		return infinity
	}),
	unknown[uv]("MemoryAvailable"),
	u64("CPUUsageNSec", func(v uv) uint64 {
		if s := v.Stats(); len(s.PIDs) > 0 {
			return uint64(s.CPUUser + s.CPUSystem)
		}
		return infinity
	}),
	constant[uv]("EffectiveCPUs", "ay", []byte{}),
	constant[uv]("EffectiveMemoryNodes", "ay", []byte{}),
	u64("TasksCurrent", func(v uv) uint64 {
		if s := v.Stats(); len(s.PIDs) > 0 {
			return s.Tasks
		}
		return infinity
	}),
	unknown[uv]("IPIngressBytes"), unknown[uv]("IPIngressPackets"),
	unknown[uv]("IPEgressBytes"), unknown[uv]("IPEgressPackets"),
	unknown[uv]("IOReadBytes"), unknown[uv]("IOReadOperations"),
	unknown[uv]("IOWriteBytes"), unknown[uv]("IOWriteOperations"),
}

// ControlGroup is the nominal cgroup of a unit with processes, "" for
// one without (so systemctl status prints no CGroup: block).
func (v *UnitView) ControlGroup() string {
	if !v.running() || (v.Status.MainPID == 0 && v.Status.ControlPID == 0 && len(v.Stats().PIDs) == 0) {
		return ""
	}
	slice := resourcesOf(v).Slice
	if slice == "" {
		slice = "system.slice"
	}
	return "/" + slice + "/" + v.Status.Name
}

func resourcesOf(v uv) *unit.Resources {
	switch {
	case v.Config.Service != nil:
		return &v.Config.Service.Resources
	case v.Config.Socket != nil:
		return &v.Config.Socket.Resources
	}
	return &unit.Resources{}
}

// limit is a memory limit in bytes; a percentage is of the machine's
// memory, in pages.
func limit(l unit.Limit) uint64 {
	if l.Permyriad == 0 {
		return l.Value
	}
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) != nil {
		return infinity
	}
	return l.Resolve(uint64(si.Totalram)*uint64(si.Unit), uint64(os.Getpagesize()))
}

// tasksLimit is TasksMax; a percentage is of the system's task limit, as
// systemd's system_tasks_max: the lower of pid_max and threads-max.
func tasksLimit(l unit.Limit) uint64 {
	if l.Permyriad == 0 {
		return l.Value
	}
	max := uint64(infinity)
	for _, f := range []string{"/proc/sys/kernel/pid_max", "/proc/sys/kernel/threads-max"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err == nil && n < max {
			max = n
		}
	}
	if max == infinity {
		return infinity
	}
	return l.Resolve(max-1, 1)
}

func cgroupProps(r func(uv) *unit.Resources) []Prop[uv] {
	return []Prop[uv]{
		boolean("Delegate", func(v uv) bool { return r(v).Delegate }),
		strv("DelegateControllers", func(v uv) []string { return r(v).DelegateControllers }),
		boolean("CPUAccounting", func(v uv) bool { return r(v).CPUAccounting }),
		u64("CPUWeight", func(v uv) uint64 { return r(v).CPUWeight }),
		u64("StartupCPUWeight", func(v uv) uint64 { return r(v).StartupCPUWeight }),
		u64("CPUShares", func(v uv) uint64 { return r(v).CPUShares }),
		u64("StartupCPUShares", func(v uv) uint64 { return r(v).StartupCPUShares }),
		u64("CPUQuotaPerSecUSec", func(v uv) uint64 { return usec(r(v).CPUQuotaPerSecSec) }),
		u64("CPUQuotaPeriodUSec", func(v uv) uint64 { return usec(r(v).CPUQuotaPeriodSec) }),
		bytesProp("AllowedCPUs", func(v uv) []byte { return cpuMask(r(v).AllowedCPUs) }),
		constant[uv]("StartupAllowedCPUs", "ay", []byte{}),
		bytesProp("AllowedMemoryNodes", func(v uv) []byte { return cpuMask(r(v).AllowedMemoryNodes) }),
		constant[uv]("StartupAllowedMemoryNodes", "ay", []byte{}),
		boolean("IOAccounting", func(v uv) bool { return r(v).IOAccounting }),
		u64("IOWeight", func(v uv) uint64 { return r(v).IOWeight }),
		u64("StartupIOWeight", func(v uv) uint64 { return r(v).StartupIOWeight }),
		boolean("MemoryAccounting", func(v uv) bool { return r(v).MemoryAccounting }),
		constant[uv]("DefaultMemoryLow", "t", uint64(0)),
		constant[uv]("DefaultMemoryMin", "t", uint64(0)),
		u64("MemoryMin", func(v uv) uint64 { return limit(r(v).MemoryMin) }),
		u64("MemoryLow", func(v uv) uint64 { return limit(r(v).MemoryLow) }),
		u64("MemoryHigh", func(v uv) uint64 { return limit(r(v).MemoryHigh) }),
		u64("MemoryMax", func(v uv) uint64 { return limit(r(v).MemoryMax) }),
		u64("MemorySwapMax", func(v uv) uint64 { return limit(r(v).MemorySwapMax) }),
		u64("MemoryLimit", func(v uv) uint64 { return limit(r(v).MemoryLimit) }),
		constant[uv]("DevicePolicy", "s", "auto"),
		boolean("TasksAccounting", func(v uv) bool { return r(v).TasksAccounting }),
		u64("TasksMax", func(v uv) uint64 { return tasksLimit(r(v).TasksMax) }),
		constant[uv]("IPAccounting", "b", false),
		constant[uv]("ManagedOOMSwap", "s", "auto"),
		constant[uv]("ManagedOOMMemoryPressure", "s", "auto"),
		constant[uv]("ManagedOOMMemoryPressureLimit", "u", uint32(0)),
		constant[uv]("ManagedOOMPreference", "s", "none"),
	}
}

// cpuMask is a CPU (or NUMA node) list as systemd's ay bitmask.
func cpuMask(cpus []int) []byte {
	var b []byte
	for _, c := range cpus {
		if c < 0 {
			continue
		}
		for len(b) <= c/8 {
			b = append(b, 0)
		}
		b[c/8] |= 1 << (c % 8)
	}
	return b
}

func execContextProps(x func(uv) *unit.ExecContext) []Prop[uv] {
	out := []Prop[uv]{
		strv("Environment", func(v uv) []string { return x(v).Environment }),
		mk("EnvironmentFiles", "a(sb)", func(v uv) any {
			out := []EnvFile{}
			for _, f := range x(v).EnvironmentFiles {
				out = append(out, EnvFile{f.Path, f.Optional})
			}
			return out
		}),
		strv("PassEnvironment", func(v uv) []string { return x(v).PassEnvironment }),
		strv("UnsetEnvironment", func(v uv) []string { return x(v).UnsetEnvironment }),
		u32("UMask", func(v uv) uint32 { return uint32(x(v).UMask) }),
	}
	for _, res := range unit.RlimitNames {
		hard := func(v uv) uint64 { return rlimit(x(v), res).Hard }
		soft := func(v uv) uint64 { return rlimit(x(v), res).Soft }
		out = append(out, u64("Limit"+res, hard), u64("Limit"+res+"Soft", soft))
	}
	return append(out,
		str("WorkingDirectory", func(v uv) string {
			w := x(v).WorkingDirectory
			if w != "" && x(v).WorkingDirectoryMissingOK {
				w = "!" + w
			}
			return w
		}),
		str("RootDirectory", func(v uv) string { return x(v).RootDirectory }),
		i32("OOMScoreAdjust", func(v uv) int32 { return intOr(x(v).OOMScoreAdjust, 0) }),
		i32("Nice", func(v uv) int32 { return intOr(x(v).Nice, 0) }),
		i32("IOSchedulingPriority", func(v uv) int32 { return intOr(x(v).IOSchedulingPriority, 4) }),
		i32("CPUSchedulingPriority", func(v uv) int32 { return intOr(x(v).CPUSchedulingPriority, 0) }),
		bytesProp("CPUAffinity", func(v uv) []byte { return cpuMask(x(v).CPUAffinity) }),
		u64("TimerSlackNSec", func(v uv) uint64 {
			if d := x(v).TimerSlackNSec; d > 0 {
				return uint64(d)
			}
			return infinity
		}),
		boolean("CPUSchedulingResetOnFork", func(v uv) bool { return x(v).CPUSchedulingResetOnFork }),
		str("StandardInput", func(v uv) string { return orDefault(x(v).StandardInput.Type, "null") }),
		str("StandardOutput", func(v uv) string { return orDefault(x(v).StandardOutput.Type, "journal") }),
		str("StandardError", func(v uv) string { return orDefault(x(v).StandardError.Type, "inherit") }),
		str("TTYPath", func(v uv) string { return x(v).TTYPath }),
		boolean("TTYReset", func(v uv) bool { return x(v).TTYReset }),
		boolean("TTYVHangup", func(v uv) bool { return x(v).TTYVHangup }),
		boolean("TTYVTDisallocate", func(v uv) bool { return x(v).TTYVTDisallocate }),
		str("SyslogIdentifier", func(v uv) string { return x(v).SyslogIdentifier }),
		boolean("SyslogLevelPrefix", func(v uv) bool { return x(v).SyslogLevelPrefix }),
		u64("CapabilityBoundingSet", func(v uv) uint64 { return uint64(x(v).CapabilityBoundingSet) }),
		u64("AmbientCapabilities", func(v uv) uint64 { return uint64(x(v).AmbientCapabilities) }),
		str("User", func(v uv) string { return x(v).User }),
		str("Group", func(v uv) string { return x(v).Group }),
		boolean("DynamicUser", func(v uv) bool { return x(v).DynamicUser }),
		strv("SupplementaryGroups", func(v uv) []string { return x(v).SupplementaryGroups }),
		str("PAMName", func(v uv) string { return x(v).PAMName }),
		str("RuntimeDirectoryPreserve", func(v uv) string { return orDefault(x(v).RuntimeDirectoryPreserve, "no") }),
		u32("RuntimeDirectoryMode", func(v uv) uint32 { return uint32(x(v).RuntimeDirectoryMode) }),
		strv("RuntimeDirectory", func(v uv) []string { return x(v).RuntimeDirectory }),
		u32("StateDirectoryMode", func(v uv) uint32 { return uint32(x(v).StateDirectoryMode) }),
		strv("StateDirectory", func(v uv) []string { return x(v).StateDirectory }),
		u32("CacheDirectoryMode", func(v uv) uint32 { return uint32(x(v).CacheDirectoryMode) }),
		strv("CacheDirectory", func(v uv) []string { return x(v).CacheDirectory }),
		u32("LogsDirectoryMode", func(v uv) uint32 { return uint32(x(v).LogsDirectoryMode) }),
		strv("LogsDirectory", func(v uv) []string { return x(v).LogsDirectory }),
		u32("ConfigurationDirectoryMode", func(v uv) uint32 { return uint32(x(v).ConfigurationDirectoryMode) }),
		strv("ConfigurationDirectory", func(v uv) []string { return x(v).ConfigurationDirectory }),
		boolean("IgnoreSIGPIPE", func(v uv) bool { return x(v).IgnoreSIGPIPE }),
		boolean("NoNewPrivileges", func(v uv) bool { return x(v).NoNewPrivileges }),
	)
}

// EnvFile is an EnvironmentFiles entry, (sb): the path and whether a
// missing file is fine.
type EnvFile struct {
	Path     string
	Optional bool
}

func rlimit(x *unit.ExecContext, res string) unit.Rlimit {
	if l, ok := x.Limits[res]; ok {
		return l
	}
	return unit.Rlimit{Soft: unit.RlimInfinity, Hard: unit.RlimInfinity}
}

func intOr(p *int, def int) int32 {
	if p == nil {
		return int32(def)
	}
	return int32(*p)
}

func killProps(k func(uv) *unit.KillContext) []Prop[uv] {
	return []Prop[uv]{
		str("KillMode", func(v uv) string { return orDefault(string(k(v).KillMode), "control-group") }),
		i32("KillSignal", func(v uv) int32 { return sigOr(k(v).KillSignal, 15) }),
		i32("RestartKillSignal", func(v uv) int32 { return sigOr(k(v).RestartKillSignal, int(sigOr(k(v).KillSignal, 15))) }),
		i32("FinalKillSignal", func(v uv) int32 { return sigOr(k(v).FinalKillSignal, 9) }),
		boolean("SendSIGKILL", func(v uv) bool { return k(v).SendSIGKILL }),
		boolean("SendSIGHUP", func(v uv) bool { return k(v).SendSIGHUP }),
		i32("WatchdogSignal", func(v uv) int32 { return sigOr(k(v).WatchdogSignal, 6) }),
	}
}

func sigOr(s unit.Signal, def int) int32 {
	if s == 0 {
		return int32(def)
	}
	return int32(s)
}
