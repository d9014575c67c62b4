package unitprops

import (
	"math"
	"time"

	"golang.org/x/sys/unix"

	"github.com/pm-project/pm/unit"
)

// Properties are tables: one per systemd interface, in systemd's vtable
// order, each entry a name, the exact D-Bus type and a getter. Properties
// systemd hides are left out. The typed constructors (str, boolean, u32,
// …) tie each getter's Go type to its signature, so a table cannot say
// "t" and return a uint32.

// Prop is one property of an object whose state is read through V.
type Prop[V any] struct {
	Name string
	// Sig is the D-Bus signature of the value. Get returns the Go type
	// godbus encodes as Sig, except that object paths are plain strings
	// (JobRef, UnitRef).
	Sig string
	Get func(V) any
}

// Table is an interface's properties, in order, with an index by name.
// Tables are built once and only read.
type Table[V any] struct {
	// Iface is the name of the systemd interface the properties belong
	// to ("org.freedesktop.systemd1.Service").
	Iface string
	props []Prop[V]
	index map[string]int
}

func newTable[V any](iface string, groups ...[]Prop[V]) *Table[V] {
	t := &Table[V]{Iface: iface, index: map[string]int{}}
	for _, g := range groups {
		for _, p := range g {
			if _, dup := t.index[p.Name]; dup {
				continue // systemd's first entry of a name wins too
			}
			t.index[p.Name] = len(t.props)
			t.props = append(t.props, p)
		}
	}
	return t
}

// Props returns the properties in order. The slice is shared: callers
// must not modify it.
func (t *Table[V]) Props() []Prop[V] { return t.props }

// Index returns the position of the named property in Props.
func (t *Table[V]) Index(name string) (int, bool) {
	i, ok := t.index[name]
	return i, ok
}

// Lookup returns the named property.
func (t *Table[V]) Lookup(name string) (Prop[V], bool) {
	i, ok := t.index[name]
	if !ok {
		return Prop[V]{}, false
	}
	return t.props[i], true
}

func mk[V any](name, sig string, get func(V) any) Prop[V] {
	return Prop[V]{Name: name, Sig: sig, Get: get}
}

func str[V any](name string, f func(V) string) Prop[V] {
	return mk(name, "s", func(v V) any { return f(v) })
}
func boolean[V any](name string, f func(V) bool) Prop[V] {
	return mk(name, "b", func(v V) any { return f(v) })
}
func u32[V any](name string, f func(V) uint32) Prop[V] {
	return mk(name, "u", func(v V) any { return f(v) })
}
func i32[V any](name string, f func(V) int32) Prop[V] {
	return mk(name, "i", func(v V) any { return f(v) })
}
func u64[V any](name string, f func(V) uint64) Prop[V] {
	return mk(name, "t", func(v V) any { return f(v) })
}
func strv[V any](name string, f func(V) []string) Prop[V] {
	return mk(name, "as", func(v V) any { return nonNil(f(v)) })
}
func bytesProp[V any](name string, f func(V) []byte) Prop[V] {
	return mk(name, "ay", func(v V) any {
		if b := f(v); b != nil {
			return b
		}
		return []byte{}
	})
}

// constant is a property pm does not track, with systemd's value for
// "none" or "unknown".
func constant[V any](name, sig string, val any) Prop[V] {
	return mk(name, sig, func(V) any { return val })
}

// unknown is a counter pm does not know: UINT64_MAX, which systemctl
// takes as "not available".
func unknown[V any](name string) Prop[V] { return constant[V](name, "t", uint64(math.MaxUint64)) }

// stamps is systemd's dual timestamp: Name (µs since the epoch) and
// NameMonotonic (µs of CLOCK_MONOTONIC), 0 when it has not happened.
func stamps[V clocked](name string, f func(V) time.Time) []Prop[V] {
	return []Prop[V]{
		u64(name, func(v V) uint64 { return Realtime(f(v)) }),
		u64(name+"Monotonic", func(v V) uint64 { return v.clock().Monotonic(f(v)) }),
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Realtime is a time as systemd's realtime timestamps carry it: µs since
// the epoch, 0 for the zero time.
func Realtime(t time.Time) uint64 {
	if t.IsZero() {
		return 0
	}
	return uint64(t.UnixMicro())
}

// Clock relates the wall clock to CLOCK_MONOTONIC at one instant, to
// give a wall-clock time's monotonic reading.
type Clock struct {
	now  time.Time
	mono time.Duration
}

type clocked interface{ clock() Clock }

// NewClock reads both clocks now.
func NewClock() Clock {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return Clock{now: time.Now(), mono: time.Duration(ts.Nano())}
}

// Monotonic is t on CLOCK_MONOTONIC, in µs; 0 for the zero time and for
// times before the clock started.
func (c Clock) Monotonic(t time.Time) uint64 {
	if t.IsZero() {
		return 0
	}
	d := c.mono - c.now.Sub(t)
	if d < 0 {
		return 0
	}
	return uint64(d.Microseconds())
}

// usec is a time span as systemd's …USec properties carry it.
func usec(d unit.Duration) uint64 { return d.USec() }
