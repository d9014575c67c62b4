package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/pm-project/pm/manager"
	"github.com/pm-project/pm/unit"
)

// shutdownSignals end pmd: SIGTERM and SIGINT, and what a container
// runtime or init may send systemd to stop it: SIGRTMIN+3 (halt), SIGPWR.
var shutdownSignals = []os.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGPWR, syscall.Signal(34 + 3)}

// serve boots the default unit, runs until a shutdown signal or an exit
// action, stops every unit in order and returns pmd's exit status.
func serve(m *manager.Manager, log *slog.Logger, o options) int {
	started := time.Now()
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, shutdownSignals...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()

	select {
	case <-m.Ready():
	case err := <-done:
		log.Error("manager stopped", "err", err)
		return 1
	}
	// The API comes up before the boot, so that clients can watch it.
	lis, err := startAPI(m, log, o, started)
	if err != nil {
		log.Error("cannot start the API", "err", err)
		cancel()
		<-done
		return 1
	}
	stopAPI := func() {
		if lis != nil {
			lis.Stop(apiGrace)
			lis = nil
		}
	}
	defer stopAPI()
	stopDBus, err := startDBus(ctx, m, log, o.dbusSettings(o.dbus), o.system)
	if err != nil {
		log.Error("cannot start the D-Bus front door", "err", err)
		stopAPI()
		cancel()
		<-done
		return 1
	}
	dbusStopped := false
	stopFrontDoors := func() {
		stopAPI()
		if !dbusStopped {
			stopDBus()
			dbusStopped = true
		}
	}
	defer stopFrontDoors()
	boot(m, log, o.defaultUnit)
	log.Info("pmd is running", "units", len(m.Units()), "pid1", o.pid1)

	status, force := 0, false
	select {
	case err := <-done:
		if err != nil {
			log.Error("manager stopped", "err", err)
			return 1
		}
		return 0
	case sig := <-sigs:
		log.Info("stopping every unit", "signal", sig.String())
	case a := <-m.Actions():
		status, force = actionOutcome(a)
		log.Warn("unit requested an emergency action", "unit", a.Unit, "action", a.Action, "exit_status", status, "immediately", force)
	}
	// gRPC: health turns NOT_SERVING, streams end and waiting calls return
	// before the units stop, so that clients see pmd go down at once.
	// D-Bus stays up until the units stopped, as systemd's bus does, so
	// that a systemctl waiting for a stop job gets its JobRemoved.
	stopAPI()
	if force {
		m.KillAll(context.Background(), int(syscall.SIGKILL))
	} else {
		// A second signal skips the orderly stop.
		sctx, scancel := context.WithCancel(context.Background())
		go func() {
			select {
			case <-sigs:
				log.Warn("second signal: exiting without waiting")
				scancel()
			case <-sctx.Done():
			}
		}()
		if err := m.Shutdown(sctx); err != nil {
			log.Warn("shutdown did not finish", "err", err)
			m.KillAll(context.Background(), int(syscall.SIGKILL))
		}
		scancel()
	}
	stopFrontDoors()
	cancel()
	<-done
	if o.pid1 {
		killRest(log)
	}
	log.Info("pmd exiting", "status", status)
	return status
}

// boot starts the default unit, which wants every enabled unit and every
// YAML process with auto_start.
func boot(m *manager.Manager, log *slog.Logger, name string) {
	info, result, err := m.Enqueue(context.Background(), name, manager.JobStart, unit.JobReplace)
	if err != nil {
		log.Error("cannot start the default unit", "unit", name, "err", err)
		return
	}
	go func() {
		r := <-result
		level := slog.LevelInfo
		if r != manager.JobDone {
			level = slog.LevelWarn
		}
		log.Log(context.Background(), level, "startup finished", "unit", name, "job", info.ID, "result", string(r))
	}()
}

// actionOutcome is pmd's exit status for an emergency action, and whether
// to exit without stopping the units first. In a container every action
// ends pm: exit and poweroff with the given status (0 by default), the
// -force and -immediate ones at once.
func actionOutcome(a manager.ActionRequest) (status int, force bool) {
	if a.ExitStatus >= 0 {
		status = a.ExitStatus
	}
	switch a.Action {
	case unit.ActionExitForce, unit.ActionPoweroffForce, unit.ActionRebootForce,
		unit.ActionPoweroffImmediate, unit.ActionRebootImmediate:
		force = true
	}
	return status, force
}

// killRest ends the processes left once every unit stopped, as PID 1 must
// before it exits: SIGTERM, then SIGKILL after a grace period.
func killRest(log *slog.Logger) {
	if err := syscall.Kill(-1, syscall.SIGTERM); err != nil {
		return // nothing left
	}
	log.Info("sent SIGTERM to the remaining processes")
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, 0, nil)
		if err != nil || pid <= 0 {
			return // no children left
		}
	}
	log.Warn("sending SIGKILL to the remaining processes")
	_ = syscall.Kill(-1, syscall.SIGKILL)
	for {
		var ws syscall.WaitStatus
		if pid, err := syscall.Wait4(-1, &ws, 0, nil); err != nil || pid <= 0 {
			return
		}
	}
}

// createMarker creates dir/system/, which sd_booted() and systemctl test
// for, and returns a function that removes what it created.
func createMarker(dir string) (func(), error) {
	p := dir + "/system"
	if _, err := os.Stat(p); err == nil {
		return func() {}, nil
	}
	createdDir := false
	if _, err := os.Stat(dir); err != nil {
		createdDir = true
	}
	if err := os.MkdirAll(p, 0o755); err != nil {
		return func() {}, err
	}
	return func() {
		os.Remove(p)
		if createdDir {
			os.Remove(dir)
		}
	}, nil
}
