// Package compat holds the small systemd protocols a service or a client
// sees, one file per protocol: sd_notify messages, LISTEN_FDS passing,
// systemctl exit codes and D-Bus object-path labels.
//
// It imports nothing else of pm's.
package compat
