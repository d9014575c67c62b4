package unit

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const noteTimers = "timers are parsed now and run by a later part of pm"

func addTimerDirectives(t tableBuilder) {
	const s = SectionTimer
	tm := func(b *builder) *Timer { return b.u.Timer }
	t.later(s, "OnCalendar", noteTimers, func(b *builder, o Option) error {
		if o.Value == "" {
			tm(b).resetValues()
			return nil
		}
		v, err := b.expand(o.Value)
		if err != nil {
			return err
		}
		c, err := ParseCalendar(v)
		if err != nil {
			return badValue("failed to parse calendar specification")
		}
		tm(b).OnCalendar = append(tm(b).OnCalendar, *c)
		return nil
	})
	mono := []struct {
		key   string
		field func(*Timer) *[]Duration
	}{
		{"OnActiveSec", func(t *Timer) *[]Duration { return &t.OnActiveSec }},
		{"OnBootSec", func(t *Timer) *[]Duration { return &t.OnBootSec }},
		{"OnStartupSec", func(t *Timer) *[]Duration { return &t.OnStartupSec }},
		{"OnUnitActiveSec", func(t *Timer) *[]Duration { return &t.OnUnitActiveSec }},
		{"OnUnitInactiveSec", func(t *Timer) *[]Duration { return &t.OnUnitInactiveSec }},
	}
	for _, m := range mono {
		m := m
		t.later(s, m.key, noteTimers, func(b *builder, o Option) error {
			if o.Value == "" {
				tm(b).resetValues()
				return nil
			}
			v, err := b.expand(o.Value)
			if err != nil {
				return err
			}
			d, err := ParseDuration(v)
			if err != nil {
				return badValue("failed to parse timer value")
			}
			*m.field(tm(b)) = append(*m.field(tm(b)), d)
			return nil
		})
	}
	later := func(key string, set setter) { t.later(s, key, noteTimers, set) }
	later("OnClockChange", setBool(func(b *builder) *bool { return &tm(b).OnClockChange }))
	later("OnTimezoneChange", setBool(func(b *builder) *bool { return &tm(b).OnTimezoneChange }))
	later("AccuracySec", func(b *builder, o Option) error {
		d, err := ParseDuration(o.Value)
		if err != nil {
			return badValue("not a time span")
		}
		if d == 0 {
			// systemd raises 0 to 1µs.
			d = Duration(time.Microsecond)
		}
		tm(b).AccuracySec = d
		return nil
	})
	later("RandomizedDelaySec", setDuration(func(b *builder) *Duration { return &tm(b).RandomizedDelaySec }))
	later("FixedRandomDelay", setBool(func(b *builder) *bool { return &tm(b).FixedRandomDelay }))
	later("Persistent", setBool(func(b *builder) *bool { return &tm(b).Persistent }))
	later("WakeSystem", setBool(func(b *builder) *bool { return &tm(b).WakeSystem }))
	later("RemainAfterElapse", setBool(func(b *builder) *bool { return &tm(b).RemainAfterElapse }))
	later("Unit", func(b *builder, o Option) error {
		v, err := b.expandName(o.Value)
		if err != nil {
			return err
		}
		n, err := ParseName(v)
		if err != nil {
			return badValue("invalid unit name %q", v)
		}
		if n.Type == TypeTimer {
			return badValue("unit cannot be of type timer")
		}
		tm(b).Unit = v
		return nil
	})
}

// resetValues drops every trigger, as an empty On*= assignment does.
func (t *Timer) resetValues() {
	t.OnCalendar, t.OnActiveSec, t.OnBootSec, t.OnStartupSec = nil, nil, nil, nil
	t.OnUnitActiveSec, t.OnUnitInactiveSec = nil, nil
}

// Defaults of health probes, as Kubernetes' probes have them.
const (
	DefaultHealthInterval = Duration(10 * time.Second)
	DefaultHealthTimeout  = Duration(time.Second)
	DefaultHealthRetries  = 3
)

func addPMDirectives(t tableBuilder) {
	t.enforced(SectionPM, "AutoStart", setBool(func(b *builder) *bool { return &b.u.AutoStart }))
	t.enforced(SectionPM, "UUID", setUUID)

	const h = SectionHealth
	health := func(b *builder) *Health {
		if b.u.Health == nil {
			b.u.Health = &Health{IntervalSec: DefaultHealthInterval, TimeoutSec: DefaultHealthTimeout, Retries: DefaultHealthRetries}
		}
		return b.u.Health
	}
	const noteHealth = "health probes come with the readiness model, a later part of pm"
	probe := func(kind string) setter {
		return func(b *builder, o Option) error {
			hc := health(b)
			if o.Value == "" {
				hc.Probes = nil
				return nil
			}
			v, err := b.expand(o.Value)
			if err != nil {
				return err
			}
			p := Probe{Kind: kind, Target: v, Pos: o.ValuePos}
			switch kind {
			case "http":
				u, err := url.Parse(v)
				if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
					return badValue("not an http:// or https:// URL")
				}
			case "tcp":
				if p.Target, err = parseProbeAddress(v); err != nil {
					return err
				}
			case "exec":
				cmds, problems := b.parseExec(o.Value)
				if len(problems) > 0 {
					return badValue("%s", trimSentinel(errors.Join(problems...)))
				}
				if len(cmds) != 1 {
					return badValue("exactly one command is needed")
				}
				p.Exec = &cmds[0]
			}
			hc.Probes = append(hc.Probes, p)
			return nil
		}
	}
	t.later(h, "HTTPGet", noteHealth, probe("http"))
	t.later(h, "TCPSocket", noteHealth, probe("tcp"))
	t.later(h, "Exec", noteHealth, probe("exec"))
	t.later(h, "IntervalSec", noteHealth, setPositiveDuration(func(b *builder) *Duration { return &health(b).IntervalSec }))
	t.later(h, "TimeoutSec", noteHealth, setPositiveDuration(func(b *builder) *Duration { return &health(b).TimeoutSec }))
	t.later(h, "Retries", noteHealth, setUint(func(b *builder) *uint { return &health(b).Retries }))
	t.later(h, "RestartAfter", noteHealth, setUint(func(b *builder) *uint { return &health(b).RestartAfter }))

	const r = SectionResources
	res := func(b *builder) (*Resources, error) {
		if x := b.resources(); x != nil {
			return x, nil
		}
		return nil, badValue("resources apply to services and sockets only")
	}
	t.later(r, "RequestsCPU", noteCgroups, func(b *builder, o Option) error {
		x, err := res(b)
		if err != nil {
			return err
		}
		m, err := parseMillicores(o.Value)
		if err != nil {
			return err
		}
		x.CPUWeight = cpuWeightFromMillicores(m)
		return nil
	})
	t.later(r, "LimitsCPU", noteCgroups, func(b *builder, o Option) error {
		x, err := res(b)
		if err != nil {
			return err
		}
		m, err := parseMillicores(o.Value)
		if err != nil {
			return err
		}
		if m == 0 {
			return badValue("a CPU limit must be above zero")
		}
		x.CPUQuotaPerSecSec = Duration(time.Duration(m) * time.Millisecond)
		return nil
	})
	mem := func(field func(*Resources) *Limit) setter {
		return func(b *builder, o Option) error {
			x, err := res(b)
			if err != nil {
				return err
			}
			n, err := parseQuantityBytes(o.Value)
			if err != nil {
				return err
			}
			*field(x) = Limit{Value: n}
			return nil
		}
	}
	t.later(r, "RequestsMemory", noteCgroups, mem(func(x *Resources) *Limit { return &x.MemoryLow }))
	t.later(r, "LimitsMemory", noteCgroups, mem(func(x *Resources) *Limit { return &x.MemoryMax }))
	t.later(r, "LimitsPids", noteCgroups, func(b *builder, o Option) error {
		x, err := res(b)
		if err != nil {
			return err
		}
		v, err := parseUint(o.Value, 64)
		if err != nil || v == 0 {
			return badValue("must be a positive number of tasks")
		}
		x.TasksMax = Limit{Value: v}
		return nil
	})
}

func setPositiveDuration(field func(*builder) *Duration) setter {
	return func(b *builder, o Option) error {
		d, err := ParseDuration(o.Value)
		if err != nil || d <= 0 || d == Infinity {
			return badValue("must be a time span above zero")
		}
		*field(b) = d
		return nil
	}
}

// parseProbeAddress accepts "host:port", "[v6]:port" or a bare port (meaning
// 127.0.0.1).
func parseProbeAddress(s string) (string, error) {
	if p, err := strconv.ParseUint(s, 10, 16); err == nil && p > 0 {
		return "127.0.0.1:" + s, nil
	}
	i := strings.LastIndexByte(s, ':')
	if i <= 0 {
		return "", badValue("want host:port or a port")
	}
	if p, err := strconv.ParseUint(s[i+1:], 10, 16); err != nil || p == 0 {
		return "", badValue("invalid port in %q", s)
	}
	return s, nil
}

// parseMillicores parses a Kubernetes CPU quantity: "250m" or cores ("1.5").
func parseMillicores(s string) (uint64, error) {
	if m, ok := strings.CutSuffix(s, "m"); ok {
		v, err := strconv.ParseUint(m, 10, 32)
		if err != nil {
			return 0, badValue("invalid CPU quantity %q", s)
		}
		return v, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 1e6 {
		return 0, badValue("invalid CPU quantity %q (cores such as 1.5, or millicores such as 250m)", s)
	}
	return uint64(f*1000 + 0.5), nil
}

// cpuWeightFromMillicores converts a CPU request into a cgroup v2 weight the
// way Kubernetes does: millicores to v1 shares, shares to weight.
func cpuWeightFromMillicores(m uint64) uint64 {
	shares := m * 1024 / 1000
	if shares < 2 {
		shares = 2
	}
	if shares > 262144 {
		shares = 262144
	}
	return 1 + (shares-2)*9999/262142
}

// parseQuantityBytes parses a memory quantity: systemd sizes (1024-based
// K, M, G, T) and Kubernetes' binary suffixes Ki, Mi, Gi, Ti.
func parseQuantityBytes(s string) (uint64, error) {
	v := s
	for _, suf := range []string{"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"} {
		if strings.HasSuffix(v, suf) {
			v = strings.TrimSuffix(v, "i")
			break
		}
	}
	n, err := ParseSize(v)
	if err != nil {
		return 0, badValue("invalid memory quantity %q", s)
	}
	return n, nil
}
