package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/pm-project/pm/dbus"
	"github.com/pm-project/pm/manager"
)

// dbusOptions are the flags of the D-Bus front door, and what it takes
// from pmd's other options (dbusSettings fills those in).
type dbusOptions struct {
	privateSocket   string
	noPrivateSocket bool
	systemBus       string
	maxConnections  int

	runSystemdDir string
	group         string
	root          string
	unitPath      []string
}

func addDBusFlags(fs *pflag.FlagSet, o *dbusOptions) {
	fs.StringVar(&o.privateSocket, "dbus-private-socket", "", "path of the private D-Bus socket the stock systemctl talks to as root (default RUN-SYSTEMD-DIR/private in system mode, none otherwise)")
	fs.BoolVar(&o.noPrivateSocket, "no-dbus-private-socket", false, "do not serve the private D-Bus socket")
	fs.StringVar(&o.systemBus, "dbus-system-bus", os.Getenv("DBUS_SYSTEM_BUS_ADDRESS"), "address of the system bus to own org.freedesktop.systemd1 on (default $DBUS_SYSTEM_BUS_ADDRESS; empty: none)")
	fs.IntVar(&o.maxConnections, "dbus-max-connections", 4096, "most concurrent connections on the private D-Bus socket")
}

// dbusSettings completes the D-Bus flags d from pmd's other options: the
// systemd runtime directory, the group allowed to change things (the
// API's), the root of the unit files and the unit path.
func (o *options) dbusSettings(d dbusOptions) dbusOptions {
	d.runSystemdDir = o.markerDir
	d.group = o.api.group
	d.root = o.unitFilesRoot()
	d.unitPath = o.unitPath
	return d
}

// startDBus serves org.freedesktop.systemd1: on the private socket (in
// system mode by default) and on the system bus when one is given. stop
// closes every connection.
func startDBus(ctx context.Context, m *manager.Manager, log *slog.Logger, o dbusOptions, systemMode bool) (stop func(), err error) {
	socket := o.privateSocket
	if socket == "" && systemMode && o.runSystemdDir != "" {
		socket = filepath.Join(o.runSystemdDir, "private")
	}
	if o.noPrivateSocket {
		socket = ""
	}
	if socket == "" && o.systemBus == "" {
		return func() {}, nil
	}
	srv, err := dbus.New(m, dbus.Options{
		PrivateSocket:  socket,
		SystemBus:      o.systemBus,
		MaxConnections: o.maxConnections,
		Group:          o.group,
		Root:           o.root,
		UnitPath:       o.unitPath,
		Logger:         log,
	})
	if err != nil {
		return nil, err
	}
	if err := srv.Start(ctx); err != nil {
		return nil, err
	}
	if socket != "" {
		log.Info("dbus: serving org.freedesktop.systemd1", "socket", socket)
	}
	return srv.Close, nil
}
