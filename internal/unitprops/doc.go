// Package unitprops is the one table of the properties systemd's
// org.freedesktop.systemd1 objects carry: Unit, Service, Socket, Timer,
// Target, Manager and Job, each property with its D-Bus signature and a
// getter, in systemd 252's vtable order (src/core/dbus-*.c), and the
// per-call views the getters read (a unit's status and configuration,
// its dependencies, resource use and unit-file state, the clock).
//
// Both front doors read it: dbus wraps the values in variants and sends
// them as they are; api formats them as systemctl show prints them. So
// `pmctl show` and the stock `systemctl show` against pmd's D-Bus print
// the same properties in the same order with the same values.
//
// Signatures are plain strings and values plain Go types (object paths
// are strings in JobRef and UnitRef), so this package knows nothing of
// the wire; dbus converts.
package unitprops
