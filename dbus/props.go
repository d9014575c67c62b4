package dbus

import (
	godbus "github.com/godbus/dbus/v5"

	"github.com/pm-project/pm/internal/unitprops"
	"github.com/pm-project/pm/unit"
)

// The property tables, their order and their values are
// internal/unitprops'; this file gives them their wire form: signatures
// parsed once, values in variants (object paths as object paths), a{sv}
// in the tables' order, and what introspection lists.

type uv = *unitprops.UnitView

// table is a unitprops table with its signatures parsed.
type table[V any] struct {
	iface string
	src   *unitprops.Table[V]
	sigs  []godbus.Signature
}

func wrap[V any](t *unitprops.Table[V]) *table[V] {
	w := &table[V]{iface: t.Iface, src: t}
	for _, p := range t.Props() {
		w.sigs = append(w.sigs, godbus.ParseSignatureMust(p.Sig))
	}
	return w
}

// The tables as the server uses them; built once and only read.
var (
	managerTable = wrap(unitprops.ManagerTable)
	jobTable     = wrap(unitprops.JobTable)
	unitTable    = wrap(unitprops.UnitTable)
	typeTables   = func() map[unit.Type]*table[uv] {
		m := map[unit.Type]*table[uv]{}
		for t, tb := range unitprops.TypeTables() {
			m[t] = wrap(tb)
		}
		return m
	}()
	serviceTable = typeTables[unit.TypeService]
)

// typeTable is the table of a unit type's interface (Service, Socket, …),
// nil for an unknown type.
func typeTable(t unit.Type) *table[uv] { return typeTables[t] }

// typeInterface is the name of the interface of a unit type, "" for an
// unknown type.
func typeInterface(t unit.Type) string {
	if tt := typeTable(t); tt != nil {
		return tt.iface
	}
	return ""
}

// unitTables are the tables of a unit's interfaces, in GetAll order
// (unitprops.UnitTables): the type's interface, then Unit.
func unitTables(t unit.Type) []*table[uv] {
	if tt := typeTable(t); tt != nil {
		return []*table[uv]{tt, unitTable}
	}
	return []*table[uv]{unitTable}
}

// get returns the named property's value.
func (t *table[V]) get(name string, v V) (godbus.Variant, bool) {
	i, ok := t.src.Index(name)
	if !ok {
		return godbus.Variant{}, false
	}
	return t.variant(i, v), true
}

func (t *table[V]) variant(i int, v V) godbus.Variant {
	return godbus.MakeVariantWithSignature(wireValue(t.src.Props()[i].Get(v)), t.sigs[i])
}

// appendAll appends every property's value to dst.
func (t *table[V]) appendAll(dst []propEntry, v V) []propEntry {
	for i, p := range t.src.Props() {
		dst = append(dst, propEntry{p.Name, t.variant(i, v)})
	}
	return dst
}

// info describes the properties for introspection.
func (t *table[V]) info() []propInfo {
	props := t.src.Props()
	out := make([]propInfo, len(props))
	for i, p := range props {
		out[i] = propInfo{p.Name, p.Sig}
	}
	return out
}

// jobRef is the wire form of unitprops.JobRef, (uo).
type jobRef struct {
	ID   uint32
	Path objectPath
}

// unitRef is the wire form of unitprops.UnitRef, (so).
type unitRef struct {
	Name string
	Path objectPath
}

// wireValue is a property value as godbus encodes it: the values that
// carry object paths as plain strings get them as object paths.
func wireValue(x any) any {
	switch x := x.(type) {
	case unitprops.JobRef:
		return jobRef{x.ID, objectPath(x.Path)}
	case unitprops.UnitRef:
		return unitRef{x.Name, objectPath(x.Path)}
	}
	return x
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

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
