package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	sddbus "github.com/coreos/go-systemd/v22/dbus"
	godbus "github.com/godbus/dbus/v5"
)

// startPmdDBus runs pmd serving its private socket (and the bus, when
// given) at paths in a temporary directory; no namespace is needed, as
// no stock tool takes part. It returns the socket's path.
func startPmdDBus(t *testing.T, units map[string]string, extra ...string) (socket, root string, out *lines) {
	t.Helper()
	dir := t.TempDir()
	root = filepath.Join(dir, "root")
	writeUnits(t, filepath.Join(root, "lib", "systemd", "system"), units)
	if err := os.MkdirAll(filepath.Join(root, "etc", "systemd", "system"), 0o755); err != nil {
		t.Fatal(err)
	}
	socket = filepath.Join(dir, "private")
	args := []string{"--system", "--root", root, "--log-level", "debug",
		"--runtime-dir", filepath.Join(dir, "pm"), "--state-dir", filepath.Join(dir, "state"),
		"--run-systemd-dir", filepath.Join(dir, "run-systemd"), "--config-dir", filepath.Join(dir, "yaml"),
		"--runtime-directory-root", filepath.Join(dir, "rd"), "--state-directory-root", filepath.Join(dir, "sd"),
		"--cache-directory-root", filepath.Join(dir, "cd"), "--logs-directory-root", filepath.Join(dir, "ld"),
		"--configuration-directory-root", filepath.Join(dir, "cfd"),
		"--dbus-private-socket", socket}
	_, out = startCmd(t, pmdBinary(), append(args, extra...)...)
	out.wait(t, "pmd is running", 20*time.Second)
	return socket, root, out
}

// privateConn connects go-systemd to pmd's private socket directly, as
// NewSystemdConnection does with /run/systemd/private.
func privateConn(t *testing.T, socket string) *sddbus.Conn {
	t.Helper()
	c, err := sddbus.NewConnection(func() (*godbus.Conn, error) {
		conn, err := godbus.Dial("unix:path=" + socket)
		if err != nil {
			return nil, err
		}
		if err := conn.Auth([]godbus.Auth{godbus.AuthExternal("0")}); err != nil {
			conn.Close()
			return nil, err
		}
		return conn, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// busConn connects go-systemd over a bus, as NewSystemConnection does.
func busConn(t *testing.T, address string) *sddbus.Conn {
	t.Helper()
	c, err := sddbus.NewConnection(func() (*godbus.Conn, error) {
		conn, err := godbus.Dial(address)
		if err != nil {
			return nil, err
		}
		if err := conn.Auth([]godbus.Auth{godbus.AuthExternal("0")}); err != nil {
			conn.Close()
			return nil, err
		}
		if err := conn.Hello(); err != nil {
			conn.Close()
			return nil, err
		}
		return conn, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// startDaemonBus runs a dbus-daemon with a permissive policy on a socket
// in a temporary directory and returns its address.
func startDaemonBus(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	sock := filepath.Join(dir, "bus")
	conf := filepath.Join(dir, "bus.conf")
	policy := `<busconfig><type>system</type><listen>unix:path=` + sock + `</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow own="*"/><allow send_type="method_call"/><allow send_type="signal"/>
<allow send_requested_reply="true" send_type="method_return"/><allow send_requested_reply="true" send_type="error"/>
<allow receive_type="method_call"/><allow receive_type="method_return"/><allow receive_type="error"/>
<allow receive_type="signal"/><allow send_destination="org.freedesktop.DBus"/></policy></busconfig>`
	if err := os.WriteFile(conf, []byte(policy), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("dbus-daemon", "--nofork", "--nopidfile", "--config-file="+conf)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := os.Stat(sock); err == nil {
			return "unix:path=" + sock
		}
		if time.Now().After(deadline) {
			t.Fatal("dbus-daemon did not create its socket")
		}
		time.Sleep(10 * time.Millisecond) // waiting for another process's socket
	}
}

var goSystemdUnits = map[string]string{
	"alpha.service":     "[Unit]\nDescription=Alpha\n[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n",
	"beta.service":      "[Unit]\nDescription=Beta\n[Service]\nType=oneshot\nExecStart=/bin/false\n",
	"multi-user.target": "[Unit]\nDescription=Multi-User System\n",
}

// TestDBusGoSystemd drives pmd with go-systemd's dbus package, over the
// private socket and over a bus.
func TestDBusGoSystemd(t *testing.T) {
	needDBusTools(t, "dbus-daemon")
	bus := startDaemonBus(t)
	socket, root, _ := startPmdDBus(t, goSystemdUnits, "--dbus-system-bus", bus)
	for _, tc := range []struct {
		name string
		conn func(t *testing.T) *sddbus.Conn
	}{
		{"private", func(t *testing.T) *sddbus.Conn { return privateConn(t, socket) }},
		{"bus", func(t *testing.T) *sddbus.Conn { return busConn(t, bus) }},
	} {
		t.Run(tc.name, func(t *testing.T) { goSystemdChecks(t, tc.conn(t), root) })
	}
}

func goSystemdChecks(t *testing.T, c *sddbus.Conn, root string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Subscribe(); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	updates, errs := c.SubscribeUnitsCustomContext(ctx, 10*time.Millisecond, 16,
		func(a, b *sddbus.UnitStatus) bool { return *a != *b },
		func(name string) bool { return name != "alpha.service" })
	job := func(what string, f func(ch chan<- string) (int, error)) {
		t.Helper()
		ch := make(chan string, 1)
		if _, err := f(ch); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		select {
		case r := <-ch:
			if r != "done" {
				t.Fatalf("%s: job result %q, want done", what, r)
			}
		case <-ctx.Done():
			t.Fatalf("%s: no JobRemoved", what)
		}
	}
	job("StartUnit", func(ch chan<- string) (int, error) { return c.StartUnitContext(ctx, "alpha.service", "replace", ch) })
	waitUpdate := func(state string) {
		t.Helper()
		for {
			select {
			case m := <-updates:
				if u := m["alpha.service"]; u != nil && u.ActiveState == state {
					return
				}
			case err := <-errs:
				t.Fatalf("SubscribeUnits: %v", err)
			case <-ctx.Done():
				t.Fatalf("SubscribeUnits sent no update with alpha.service %s", state)
			}
		}
	}
	waitUpdate("active")

	units, err := c.ListUnitsContext(ctx)
	if err != nil || !hasUnit(units, "alpha.service", "active") {
		t.Errorf("ListUnits: %v, alpha.service active missing from %d units", err, len(units))
	}
	units, err = c.ListUnitsByPatternsContext(ctx, []string{"active"}, []string{"al*"})
	if err != nil || len(units) != 1 || units[0].Name != "alpha.service" {
		t.Errorf("ListUnitsByPatterns: %v, %+v", err, units)
	}
	props, err := c.GetUnitPropertiesContext(ctx, "alpha.service")
	if err != nil || props["ActiveState"] != "active" || props["Id"] != "alpha.service" {
		t.Errorf("GetUnitProperties: %v, ActiveState %v, Id %v", err, props["ActiveState"], props["Id"])
	}
	sprops, err := c.GetUnitTypePropertiesContext(ctx, "alpha.service", "Service")
	if pid, _ := sprops["MainPID"].(uint32); err != nil || pid == 0 {
		t.Errorf("GetUnitTypeProperties: %v, MainPID %v", err, sprops["MainPID"])
	}
	job("RestartUnit", func(ch chan<- string) (int, error) { return c.RestartUnitContext(ctx, "alpha.service", "replace", ch) })
	c.KillUnitWithTarget(ctx, "alpha.service", sddbus.All, int32(syscall.SIGKILL))
	waitUpdate("failed")
	if err := c.ResetFailedUnitContext(ctx, "alpha.service"); err != nil {
		t.Errorf("ResetFailedUnit: %v", err)
	}
	waitUpdate("inactive")
	job("StartUnit again", func(ch chan<- string) (int, error) { return c.StartUnitContext(ctx, "alpha.service", "replace", ch) })
	job("StopUnit", func(ch chan<- string) (int, error) { return c.StopUnitContext(ctx, "alpha.service", "replace", ch) })

	ch := make(chan string, 1)
	if _, err := c.StartUnitContext(ctx, "beta.service", "replace", ch); err != nil {
		t.Fatalf("StartUnit beta: %v", err)
	}
	if r := <-ch; r != "failed" {
		t.Errorf("start of a failing unit: %q, want failed", r)
	}
	if _, err := c.StartUnitContext(ctx, "nosuch.service", "replace", nil); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("StartUnit nosuch: %v, want not found", err)
	}

	info, changes, err := c.EnableUnitFilesContext(ctx, []string{"alpha.service"}, false, false)
	if err != nil || !info || len(changes) != 1 || changes[0].Type != "symlink" {
		t.Fatalf("EnableUnitFiles: %v, %v, %+v", err, info, changes)
	}
	link := filepath.Join(root, "etc/systemd/system/multi-user.target.wants/alpha.service")
	if _, err := os.Lstat(link); err != nil {
		t.Errorf("enable made no symlink: %v", err)
	}
	if err := c.ReloadContext(ctx); err != nil {
		t.Errorf("Reload: %v", err)
	}
	dchanges, err := c.DisableUnitFilesContext(ctx, []string{"alpha.service"}, false)
	if err != nil || len(dchanges) != 1 || dchanges[0].Type != "unlink" {
		t.Errorf("DisableUnitFiles: %v, %+v", err, dchanges)
	}
	if _, err := os.Lstat(link); err == nil {
		t.Errorf("disable left %s", link)
	}
}

func hasUnit(units []sddbus.UnitStatus, name, state string) bool {
	for _, u := range units {
		if u.Name == name && u.ActiveState == state {
			return true
		}
	}
	return false
}
