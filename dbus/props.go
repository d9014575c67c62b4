package dbus

import (
	"context"
	"math"
	"time"

	godbus "github.com/godbus/dbus/v5"
	"golang.org/x/sys/unix"

	"github.com/pm-project/pm/manager"
	"github.com/pm-project/pm/unit"
)

// Properties are tables: one per D-Bus interface, in systemd's vtable
// order (src/core/dbus-*.c), each entry a name, the exact D-Bus type and
// a getter. GetAll sends a table's entries in order; Get looks one up by
// name; introspection lists them. Properties systemd hides are left out.
// The typed constructors (str, boolean, u32, …) tie each getter's Go type
// to its signature, so a table cannot say "t" and return a uint32.

// prop is one property of an object whose state is read through V.
type prop[V any] struct {
	name string
	sig  godbus.Signature
	get  func(V) any
}

// table is an interface's properties, in order, with an index by name.
type table[V any] struct {
	iface string
	props []prop[V]
	index map[string]int
}

func newTable[V any](iface string, groups ...[]prop[V]) *table[V] {
	t := &table[V]{iface: iface, index: map[string]int{}}
	for _, g := range groups {
		for _, p := range g {
			if _, dup := t.index[p.name]; dup {
				continue // systemd's first entry of a name wins too
			}
			t.index[p.name] = len(t.props)
			t.props = append(t.props, p)
		}
	}
	return t
}

// lookup returns the named property.
func (t *table[V]) lookup(name string) (prop[V], bool) {
	i, ok := t.index[name]
	if !ok {
		return prop[V]{}, false
	}
	return t.props[i], true
}

// appendAll appends every property's value to dst.
func (t *table[V]) appendAll(dst []propEntry, v V) []propEntry {
	for _, p := range t.props {
		dst = append(dst, propEntry{p.name, p.variant(v)})
	}
	return dst
}

// info describes the properties for introspection.
func (t *table[V]) info() []propInfo {
	out := make([]propInfo, len(t.props))
	for i, p := range t.props {
		out[i] = propInfo{p.name, p.sig.String()}
	}
	return out
}

func (p prop[V]) variant(v V) godbus.Variant {
	return godbus.MakeVariantWithSignature(p.get(v), p.sig)
}

// propInfo is a property's name and signature.
type propInfo struct{ name, sig string }

// propEntry is one entry of an a{sv}. godbus encodes a slice of these
// structs as a(sv), which is byte for byte what a{sv} is (both align
// entries to 8); the message's signature says a{sv}. Unlike a Go map,
// the slice keeps systemd's order.
type propEntry struct {
	Name  string
	Value godbus.Variant
}

func mk[V any](name, sig string, get func(V) any) prop[V] {
	return prop[V]{name: name, sig: godbus.ParseSignatureMust(sig), get: get}
}

func str[V any](name string, f func(V) string) prop[V] {
	return mk(name, "s", func(v V) any { return f(v) })
}
func boolean[V any](name string, f func(V) bool) prop[V] {
	return mk(name, "b", func(v V) any { return f(v) })
}
func u32[V any](name string, f func(V) uint32) prop[V] {
	return mk(name, "u", func(v V) any { return f(v) })
}
func i32[V any](name string, f func(V) int32) prop[V] {
	return mk(name, "i", func(v V) any { return f(v) })
}
func u64[V any](name string, f func(V) uint64) prop[V] {
	return mk(name, "t", func(v V) any { return f(v) })
}
func strv[V any](name string, f func(V) []string) prop[V] {
	return mk(name, "as", func(v V) any { return nonNil(f(v)) })
}
func bytesProp[V any](name string, f func(V) []byte) prop[V] {
	return mk(name, "ay", func(v V) any {
		if b := f(v); b != nil {
			return b
		}
		return []byte{}
	})
}

// constant is a property pm does not track, with systemd's value for
// "none" or "unknown".
func constant[V any](name, sig string, val any) prop[V] {
	return mk(name, sig, func(V) any { return val })
}

// unknown is a counter pm does not know: UINT64_MAX, which systemctl
// takes as "not available".
func unknown[V any](name string) prop[V] { return constant[V](name, "t", uint64(math.MaxUint64)) }

// stamps is systemd's dual timestamp: Name (µs since the epoch) and
// NameMonotonic (µs of CLOCK_MONOTONIC), 0 when it has not happened.
func stamps[V clocked](name string, f func(V) time.Time) []prop[V] {
	return []prop[V]{
		u64(name, func(v V) uint64 { return realtime(f(v)) }),
		u64(name+"Monotonic", func(v V) uint64 { return v.clock().monotonic(f(v)) }),
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func realtime(t time.Time) uint64 {
	if t.IsZero() {
		return 0
	}
	return uint64(t.UnixMicro())
}

// clock relates the wall clock to CLOCK_MONOTONIC at one instant, to
// give a wall-clock time's monotonic reading.
type clock struct {
	now  time.Time
	mono time.Duration
}

type clocked interface{ clock() clock }

func newClock() clock {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return clock{now: time.Now(), mono: time.Duration(ts.Nano())}
}

func (c clock) monotonic(t time.Time) uint64 {
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

// unitView is what the unit properties are read from: a snapshot of one
// unit (or a stand-in for a unit that does not exist), with what costs a
// call to the manager or the file system fetched once, on demand.
type unitView struct {
	srv *Server
	ctx context.Context
	st  *manager.UnitStatus
	cfg *unit.Unit
	clk clock

	deps      map[string][]string
	stats     *manager.Stats
	fileState *string
}

func (v *unitView) clock() clock { return v.clk }

// dep returns the unit's dependencies of one kind (a Unit property name).
func (v *unitView) dep(kind string) []string {
	if v.deps == nil {
		v.deps = map[string][]string{}
		if v.st.LoadState != unit.LoadNotFound {
			if d, err := v.srv.m.Dependencies(v.ctx, v.st.Name); err == nil {
				v.deps = d
			}
		}
	}
	return v.deps[kind]
}

// procStats returns the resource use of the unit's processes, or nil.
func (v *unitView) procStats() *manager.Stats {
	if v.stats == nil {
		v.stats = &manager.Stats{}
		if v.running() {
			if s, err := v.srv.m.Stats(v.ctx, v.st.Name); err == nil {
				v.stats = &s
			}
		}
	}
	return v.stats
}

// running reports whether the unit may have processes.
func (v *unitView) running() bool {
	switch v.st.ActiveState {
	case manager.Inactive, manager.Failed:
		return v.st.MainPID > 0 || v.st.ControlPID > 0
	}
	return v.st.Type == unit.TypeService || v.st.Type == unit.TypeSocket
}

// unitFileState is the UnitFileState property.
func (v *unitView) unitFileState() string {
	if v.fileState == nil {
		s := v.srv.unitFileState(v.st)
		v.fileState = &s
	}
	return *v.fileState
}
