package unit

import (
	"math"
	"strconv"
	"strings"
	"time"
)

func addKillDirectives(t tableBuilder, s string) {
	k := func(b *builder) *KillContext { return b.kill() }
	setMode := setEnum(func(b *builder) *KillMode { return &k(b).KillMode }, KillControlGroup, KillProcess, KillMixed, KillNone)
	t.enforced(s, "KillMode", func(b *builder, o Option) error {
		if err := setMode(b, o); err != nil {
			return err
		}
		if o.Value == string(KillNone) {
			b.warnf(o.ValuePos, nil, "unit configured to use KillMode=none: this is unsafe, as it disables process lifecycle management for the service; please use a safer KillMode=, such as 'mixed' or 'control-group'; support for KillMode=none is deprecated and will eventually be removed")
		}
		return nil
	})
	t.enforced(s, "KillSignal", setSignal(func(b *builder) *Signal { return &k(b).KillSignal }))
	t.enforced(s, "RestartKillSignal", func(b *builder, o Option) error {
		if err := setSignal(func(b *builder) *Signal { return &k(b).RestartKillSignal })(b, o); err != nil {
			return err
		}
		k(b).RestartKillSignalSet = true
		return nil
	})
	t.enforced(s, "FinalKillSignal", setSignal(func(b *builder) *Signal { return &k(b).FinalKillSignal }))
	t.enforced(s, "WatchdogSignal", setSignal(func(b *builder) *Signal { return &k(b).WatchdogSignal }))
	t.enforced(s, "SendSIGKILL", setBool(func(b *builder) *bool { return &k(b).SendSIGKILL }))
	t.enforced(s, "SendSIGHUP", setBool(func(b *builder) *bool { return &k(b).SendSIGHUP }))
}

func setSignal(field func(*builder) *Signal) setter {
	return func(b *builder, o Option) error {
		sig, err := ParseSignal(o.Value)
		if err != nil || sig <= 0 || sig > 64 {
			return badValue("invalid signal")
		}
		*field(b) = sig
		return nil
	}
}

func addResourceDirectives(t tableBuilder, s string) {
	r := func(b *builder) *Resources { return b.resources() }
	t.later(s, "CPUQuota", noteCgroups, func(b *builder, o Option) error {
		return setCPUQuota(r(b), o.Value)
	})
	t.later(s, "CPUQuotaPeriodSec", noteCgroups, func(b *builder, o Option) error {
		if o.Value == "" {
			r(b).CPUQuotaPeriodSec = Infinity
			return nil
		}
		return setDuration(func(b *builder) *Duration { return &r(b).CPUQuotaPeriodSec })(b, o)
	})
	weights := []struct {
		key      string
		field    func(*Resources) *uint64
		min, max uint64
		idle     bool
	}{
		{"CPUWeight", func(r *Resources) *uint64 { return &r.CPUWeight }, 1, 10000, true},
		{"StartupCPUWeight", func(r *Resources) *uint64 { return &r.StartupCPUWeight }, 1, 10000, true},
		{"CPUShares", func(r *Resources) *uint64 { return &r.CPUShares }, 2, 262144, false},
		{"StartupCPUShares", func(r *Resources) *uint64 { return &r.StartupCPUShares }, 2, 262144, false},
		{"IOWeight", func(r *Resources) *uint64 { return &r.IOWeight }, 1, 10000, false},
		{"StartupIOWeight", func(r *Resources) *uint64 { return &r.StartupIOWeight }, 1, 10000, false},
	}
	for _, w := range weights {
		w := w
		t.later(s, w.key, noteCgroups, func(b *builder, o Option) error {
			f := w.field(r(b))
			switch {
			case o.Value == "":
				*f = WeightUnset
				return nil
			case w.idle && o.Value == "idle":
				*f = 0
				return nil
			}
			v, err := parseUint(o.Value, 64)
			if err != nil || v < w.min || v > w.max {
				return badValue("must be between %d and %d", w.min, w.max)
			}
			if strings.HasSuffix(w.key, "Shares") {
				b.warnf(o.Pos, nil, "unit uses %s=; please use CPUWeight= instead", o.Key)
			}
			*f = v
			return nil
		})
	}
	mems := []struct {
		key   string
		field func(*Resources) *Limit
	}{
		{"MemoryMin", func(r *Resources) *Limit { return &r.MemoryMin }},
		{"MemoryLow", func(r *Resources) *Limit { return &r.MemoryLow }},
		{"MemoryHigh", func(r *Resources) *Limit { return &r.MemoryHigh }},
		{"MemoryMax", func(r *Resources) *Limit { return &r.MemoryMax }},
		{"MemorySwapMax", func(r *Resources) *Limit { return &r.MemorySwapMax }},
		{"MemoryLimit", func(r *Resources) *Limit { return &r.MemoryLimit }},
	}
	for _, m := range mems {
		m := m
		t.later(s, m.key, noteCgroups, func(b *builder, o Option) error {
			l, err := ParseMemoryLimitFor(m.key, o.Value)
			if err != nil {
				return err
			}
			if m.key == "MemoryLimit" {
				b.warnf(o.Pos, nil, "unit uses MemoryLimit=; please use MemoryMax= instead")
			}
			*m.field(r(b)) = l
			return nil
		})
	}
	t.later(s, "TasksMax", noteCgroups, func(b *builder, o Option) error {
		l, err := ParseTasksLimit(o.Value)
		if err != nil {
			return err
		}
		r(b).TasksMax = l
		return nil
	})
	t.later(s, "Slice", noteCgroups, func(b *builder, o Option) error {
		v, err := b.expandName(o.Value)
		if err != nil {
			return err
		}
		n, err := ParseName(v)
		if err != nil || n.Type != TypeSlice {
			return badValue("failed to load slice unit %s", v)
		}
		r(b).Slice = v
		return nil
	})
	t.later(s, "Delegate", noteCgroups, setDelegate)
	for _, a := range []string{"CPUAccounting", "MemoryAccounting", "TasksAccounting", "IOAccounting"} {
		a := a
		t.later(s, a, noteCgroups, setBool(func(b *builder) *bool { return accountingField(r(b), a) }))
	}
	for _, a := range []string{"AllowedCPUs", "AllowedMemoryNodes"} {
		a := a
		t.later(s, a, noteCgroups, func(b *builder, o Option) error {
			f := &r(b).AllowedCPUs
			if a == "AllowedMemoryNodes" {
				f = &r(b).AllowedMemoryNodes
			}
			if o.Value == "" {
				*f = nil
				return nil
			}
			v, err := parseCPUSet(o.Value)
			if err != nil {
				return err
			}
			*f = append(*f, v...)
			return nil
		})
	}
	t.ignored(s, noteCgroups+"; pm does not implement this controller setting",
		"StartupAllowedCPUs", "StartupAllowedMemoryNodes", "DefaultMemoryMin", "DefaultMemoryLow",
		"IODeviceWeight", "IOReadBandwidthMax", "IOWriteBandwidthMax", "IOReadIOPSMax", "IOWriteIOPSMax",
		"IODeviceLatencyTargetSec", "BlockIOAccounting", "BlockIOWeight", "StartupBlockIOWeight",
		"BlockIODeviceWeight", "BlockIOReadBandwidth", "BlockIOWriteBandwidth", "DisableControllers",
		"ManagedOOMSwap", "ManagedOOMMemoryPressure", "ManagedOOMMemoryPressureLimit", "ManagedOOMPreference")
	t.ignored(s, "pm does not filter devices", "DeviceAllow", "DevicePolicy")
	t.ignored(s, "pm does not filter or account network traffic",
		"IPAccounting", "IPAddressAllow", "IPAddressDeny", "IPIngressFilterPath", "IPEgressFilterPath",
		"BPFProgram", "SocketBindAllow", "SocketBindDeny", "RestrictNetworkInterfaces")
	t.ignored(s, noteNoEffect, "NetClass")
}

func accountingField(r *Resources, key string) *bool {
	switch key {
	case "CPUAccounting":
		return &r.CPUAccounting
	case "MemoryAccounting":
		return &r.MemoryAccounting
	case "TasksAccounting":
		return &r.TasksAccounting
	}
	return &r.IOAccounting
}

// setCPUQuota parses CPUQuota=: a percentage ("20%", "150%", "12.5%",
// also ‰ and ‱); empty removes the quota.
func setCPUQuota(r *Resources, v string) error {
	if v == "" {
		r.CPUQuotaPerSecSec = Infinity
		return nil
	}
	pm, err := parsePermyriadUnbounded(v)
	if err != nil || pm <= 0 {
		return badValue("invalid CPU quota")
	}
	r.CPUQuotaPerSecSec = Duration(time.Duration(pm) * time.Second / 10000)
	return nil
}

// parsePermyriadUnbounded parses "N%", "N.NN%", "N‰", "N.N‰" or "N‱" into parts per
// ten thousand, with no upper bound.
func parsePermyriadUnbounded(s string) (int64, error) {
	type unit struct {
		suffix   string
		scale    int64
		decimals int
	}
	for _, u := range []unit{{"‱", 1, 0}, {"‰", 10, 1}, {"%", 100, 2}} {
		num, ok := strings.CutSuffix(s, u.suffix)
		if !ok {
			continue
		}
		whole, frac, hasFrac := strings.Cut(num, ".")
		w, err := strconv.ParseInt(whole, 10, 32)
		if err != nil || w < 0 || strings.HasPrefix(whole, "+") {
			return 0, badValue("invalid percentage")
		}
		v := w * u.scale
		if hasFrac {
			if len(frac) == 0 || len(frac) > u.decimals || strings.Trim(frac, "0123456789") != "" {
				return 0, badValue("invalid percentage")
			}
			f, _ := strconv.ParseInt(frac+strings.Repeat("0", u.decimals-len(frac)), 10, 32)
			v += f
		}
		if v > math.MaxInt32 {
			return 0, badValue("percentage too large")
		}
		return v, nil
	}
	return 0, badValue("not a percentage")
}

func setDelegate(b *builder, o Option) error {
	r := b.resources()
	if o.Value == "" {
		r.Delegate, r.DelegateControllers = true, nil
		return nil
	}
	if v, err := ParseBool(o.Value); err == nil {
		r.Delegate, r.DelegateControllers = v, nil
		return nil
	}
	words, err := splitQuoted(o.Value)
	if err != nil {
		return badValue("invalid syntax")
	}
	for _, w := range words {
		switch w {
		case "cpu", "cpuacct", "cpuset", "io", "blkio", "memory", "devices", "pids", "bpf-firewall", "bpf-devices", "bpf-foreign", "bpf-socket-bind", "bpf-restrict-network-interfaces":
			r.DelegateControllers = appendUnique(r.DelegateControllers, w)
		default:
			b.warnf(o.ValuePos, ErrBadValue, "Delegate=: invalid controller name %q, ignoring", w)
		}
	}
	r.Delegate = true
	return nil
}
