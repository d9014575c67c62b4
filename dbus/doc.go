// Package dbus serves org.freedesktop.systemd1 on D-Bus, so the stock
// systemctl, busctl and D-Bus clients such as go-systemd work against pm.
package dbus
