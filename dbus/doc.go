// Package dbus serves org.freedesktop.systemd1 on D-Bus, so the stock
// systemctl, busctl and D-Bus clients such as go-systemd work against pm.
//
// A [Server] answers on the private socket systemctl uses as root
// (/run/systemd/private: the server side of the D-Bus authentication
// protocol, peers checked with SO_PEERCRED) and, when one is given, on the
// system bus, where it owns org.freedesktop.systemd1 and lets only
// privileged callers change anything. Messages are read and written with
// godbus's codec on connections of the package's own (conn.go says why).
//
// The objects are systemd's: the manager, one per unit (paths escaped as
// systemd's bus_label_escape; a unit that does not exist answers as
// not-found) and one per job. Their properties are tables in systemd's
// order with systemd's exact types (props*.go), served by Get and by
// GetAll, whose a{sv} keeps that order. Methods map to the manager's
// front-door API and to package install for unit files; errors carry
// systemd's names. The manager's events become JobNew, JobRemoved,
// PropertiesChanged, UnitNew and UnitRemoved, sent to every connection.
// docs/dbus.md lists what is served and what is not.
package dbus
