package unit

import "time"

// Defaults of the system manager (systemd-system.conf(5)), which pm uses as
// its own.
const (
	DefaultTimeoutStartSec       = Duration(90 * time.Second)
	DefaultTimeoutStopSec        = Duration(90 * time.Second)
	DefaultRestartSec            = Duration(100 * time.Millisecond)
	DefaultStartLimitIntervalSec = Duration(10 * time.Second)
	DefaultStartLimitBurst       = 5
)

// newUnit returns a unit with systemd's defaults for its type.
func newUnit(name string, ty Type) *Unit {
	u := &Unit{
		Name:                    name,
		Type:                    ty,
		Names:                   []string{name},
		LoadState:               LoadLoaded,
		OnFailureJobMode:        JobReplace,
		OnSuccessJobMode:        JobFail,
		DefaultDependencies:     true,
		CollectMode:             "inactive",
		StartLimitIntervalSec:   DefaultStartLimitIntervalSec,
		StartLimitBurst:         DefaultStartLimitBurst,
		StartLimitAction:        ActionNone,
		FailureAction:           ActionNone,
		SuccessAction:           ActionNone,
		FailureActionExitStatus: -1,
		SuccessActionExitStatus: -1,
		JobTimeoutSec:           Infinity,
		JobRunningTimeoutSec:    Infinity,
		JobTimeoutAction:        ActionNone,
	}
	switch ty {
	case TypeService:
		u.Service = &Service{
			GuessMainPID:       true,
			Restart:            RestartNo,
			RestartSec:         DefaultRestartSec,
			RestartMaxDelaySec: Infinity,
			TimeoutStartSec:    DefaultTimeoutStartSec,
			TimeoutStopSec:     DefaultTimeoutStopSec,
			TimeoutAbortSec:    DefaultTimeoutStopSec,
			// systemd 252 prints these as "terminate" by default.
			TimeoutStartFailureMode: "terminate",
			TimeoutStopFailureMode:  "terminate",
			RuntimeMaxSec:           Infinity,
			NotifyAccess:            NotifyNone,
			ExitType:                "main",
			Exec:                    defaultExec(),
			Kill:                    defaultKill(),
			Resources:               defaultResources(),
		}
	case TypeSocket:
		u.Socket = &Socket{
			SocketMode:              0o666,
			DirectoryMode:           0o755,
			Backlog:                 1<<31 - 1, // the kernel caps it at net.core.somaxconn
			BindIPv6Only:            "default",
			MaxConnections:          64,
			TriggerLimitIntervalSec: Infinity,          // finish: 2s unless set
			TriggerLimitBurst:       triggerBurstUnset, // finish: 200 or 20
			Priority:                -1,
			Mark:                    -1,
			TimeoutSec:              DefaultTimeoutStartSec,
			KeepAliveProbes:         0,
			Exec:                    defaultExec(),
			Kill:                    defaultKill(),
			Resources:               defaultResources(),
		}
	case TypeTimer:
		u.Timer = &Timer{
			AccuracySec:       Duration(time.Minute),
			RemainAfterElapse: true,
		}
	case TypeTarget:
		// Targets have no section of their own.
	default:
		u.IgnoreOnIsolate = true
	}
	return u
}

func defaultExec() ExecContext {
	return ExecContext{
		UMask:                      0o022,
		CapabilityBoundingSet:      CapAll,
		RuntimeDirectoryMode:       0o755,
		StateDirectoryMode:         0o755,
		CacheDirectoryMode:         0o755,
		LogsDirectoryMode:          0o755,
		ConfigurationDirectoryMode: 0o755,
		RuntimeDirectoryPreserve:   "no",
		StandardInput:              StdIO{Type: "null"},
		StandardOutput:             StdIO{Type: "inherit"},
		StandardError:              StdIO{Type: "inherit"},
		SyslogFacility:             "daemon",
		SyslogLevel:                "info",
		SyslogLevelPrefix:          true,
		IgnoreSIGPIPE:              true,
		TimerSlackNSec:             Infinity,
	}
}

func defaultKill() KillContext {
	return KillContext{
		KillMode:        KillControlGroup,
		KillSignal:      sigterm,
		FinalKillSignal: sigkill,
		WatchdogSignal:  sigabrt,
		SendSIGKILL:     true,
	}
}

func defaultResources() Resources {
	return Resources{
		MemoryMin:         Limit{},
		MemoryLow:         Limit{},
		MemoryHigh:        LimitInfinity,
		MemoryMax:         LimitInfinity,
		MemorySwapMax:     LimitInfinity,
		MemoryLimit:       LimitInfinity,
		TasksMax:          Limit{Permyriad: 1500}, // DefaultTasksMax=15%
		CPUQuotaPerSecSec: Infinity,
		CPUQuotaPeriodSec: Infinity,
		CPUWeight:         WeightUnset,
		StartupCPUWeight:  WeightUnset,
		CPUShares:         WeightUnset,
		StartupCPUShares:  WeightUnset,
		IOWeight:          WeightUnset,
		StartupIOWeight:   WeightUnset,
		MemoryAccounting:  true,
		TasksAccounting:   true,
	}
}

const triggerBurstUnset = ^uint(0)

// Signal numbers used as defaults (Linux).
const (
	sighup  Signal = 1
	sigkill Signal = 9
	sigterm Signal = 15
	sigabrt Signal = 6
)
