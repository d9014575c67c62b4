package e2e

import (
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	godbus "github.com/godbus/dbus/v5"
)

// rawConn authenticates to pmd's private socket with godbus, without
// Hello.
func rawConn(t *testing.T, socket string) *godbus.Conn {
	t.Helper()
	c, err := godbus.Dial("unix:path=" + socket)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Auth([]godbus.Auth{godbus.AuthExternal("0")}); err != nil {
		c.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func manager(c *godbus.Conn) godbus.BusObject {
	return c.Object("org.freedesktop.systemd1", "/org/freedesktop/systemd1")
}

// errName is the D-Bus error name of a failed call.
func errName(err error) string {
	var e godbus.Error
	if errors.As(err, &e) {
		return e.Name
	}
	return ""
}

// TestDBusBadInput sends pmd's private socket what a client should not:
// broken handshakes, garbage, wrong signatures, unknown objects, too many
// connections, a non-root peer. Each gets its answer and pmd keeps
// serving.
func TestDBusBadInput(t *testing.T) {
	needDBusTools(t, "busctl")
	socket, _, pmdOut := startPmdDBus(t, map[string]string{
		"a.service": "[Service]\nExecStart=/bin/sleep infinity\n",
	}, "--dbus-max-connections", "150")
	alive := func(t *testing.T) {
		t.Helper()
		var s string
		if err := manager(rawConn(t, socket)).Call("org.freedesktop.DBus.Properties.Get", 0,
			"org.freedesktop.systemd1.Manager", "SystemState").Store(&s); err != nil {
			t.Fatalf("pmd stopped serving: %v", err)
		}
	}
	// closedByPeer reads until the server closes the connection.
	closedByPeer := func(t *testing.T, nc net.Conn) {
		t.Helper()
		_ = nc.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.Copy(io.Discard, nc); err != nil {
			t.Errorf("the server did not close the connection: %v", err)
		}
	}
	dial := func(t *testing.T) net.Conn {
		t.Helper()
		nc, err := net.Dial("unix", socket)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { nc.Close() })
		return nc
	}

	t.Run("hangup-mid-handshake", func(t *testing.T) {
		for _, sent := range []string{"", "\x00", "\x00AUTH EXTERNAL\r\n", "\x00AUTH EXTERNAL\r\nDATA\r\n", "\x00AUTH EXTE"} {
			nc := dial(t)
			if _, err := nc.Write([]byte(sent)); err != nil {
				t.Fatal(err)
			}
			nc.Close()
		}
		alive(t)
	})
	t.Run("garbage-handshake", func(t *testing.T) {
		for _, sent := range []string{"GET / HTTP/1.1\r\n\r\n", "\x00BEGIN\r\n", "\x00" + strings.Repeat("A", 4000) + "\r\n"} {
			nc := dial(t)
			if _, err := nc.Write([]byte(sent)); err != nil {
				t.Fatal(err)
			}
			closedByPeer(t, nc)
		}
		alive(t)
	})
	t.Run("garbage-message", func(t *testing.T) {
		nc := dial(t)
		if _, err := nc.Write([]byte("\x00AUTH EXTERNAL\r\nDATA\r\nBEGIN\r\nthis is not a D-Bus message at all\r\n")); err != nil {
			t.Fatal(err)
		}
		closedByPeer(t, nc)
		alive(t)
	})
	t.Run("wrong-calls", func(t *testing.T) {
		c := rawConn(t, socket)
		for _, tc := range []struct {
			obj    godbus.BusObject
			method string
			args   []any
			want   string
		}{
			{manager(c), "org.freedesktop.systemd1.Manager.StartUnit", []any{"a.service"}, "org.freedesktop.DBus.Error.InvalidArgs"},
			{manager(c), "org.freedesktop.systemd1.Manager.StartUnit", []any{uint32(1), "replace"}, "org.freedesktop.DBus.Error.InvalidArgs"},
			{manager(c), "org.freedesktop.systemd1.Manager.StartUnit", []any{"a.service", "sideways"}, "org.freedesktop.DBus.Error.InvalidArgs"},
			{manager(c), "org.freedesktop.systemd1.Manager.StartUnit", []any{"not a unit", "replace"}, "org.freedesktop.DBus.Error.InvalidArgs"},
			{manager(c), "org.freedesktop.systemd1.Manager.NoSuchMethod", nil, "org.freedesktop.DBus.Error.UnknownMethod"},
			{manager(c), "org.example.Nothing.Method", nil, "org.freedesktop.DBus.Error.UnknownInterface"},
			{manager(c), "org.freedesktop.systemd1.Manager.GetUnit", []any{"nosuch.service"}, "org.freedesktop.systemd1.NoSuchUnit"},
			{manager(c), "org.freedesktop.systemd1.Manager.CancelJob", []any{uint32(4242)}, "org.freedesktop.systemd1.NoSuchJob"},
			{manager(c), "org.freedesktop.DBus.Properties.Get", []any{"org.freedesktop.systemd1.Manager", "Nope"}, "org.freedesktop.DBus.Error.UnknownProperty"},
			{manager(c), "org.freedesktop.DBus.Properties.Set", []any{"org.freedesktop.systemd1.Manager", "Version", godbus.MakeVariant("1")}, "org.freedesktop.DBus.Error.PropertyReadOnly"},
			{c.Object("org.freedesktop.systemd1", "/org/freedesktop/nothing"), "org.freedesktop.DBus.Properties.GetAll", []any{""}, "org.freedesktop.DBus.Error.UnknownObject"},
			{c.Object("org.freedesktop.systemd1", "/org/freedesktop/systemd1/job/99999"), "org.freedesktop.DBus.Properties.GetAll", []any{""}, "org.freedesktop.DBus.Error.UnknownObject"},
		} {
			err := tc.obj.Call(tc.method, 0, tc.args...).Err
			if got := errName(err); got != tc.want {
				t.Errorf("%s%v: error %v (%s), want %s", tc.method, tc.args, err, got, tc.want)
			}
		}
		// An unknown unit is a not-found unit, not an unknown object.
		var load string
		obj := c.Object("org.freedesktop.systemd1", "/org/freedesktop/systemd1/unit/nosuch_2eservice")
		if err := obj.Call("org.freedesktop.DBus.Properties.Get", 0, "org.freedesktop.systemd1.Unit", "LoadState").Store(&load); err != nil || load != "not-found" {
			t.Errorf("LoadState of an unknown unit: %q, %v; want not-found", load, err)
		}
		// A call that wants no reply gets none, not even an error.
		if err := manager(c).Call("org.freedesktop.systemd1.Manager.NoSuchMethod", godbus.FlagNoReplyExpected).Err; err != nil {
			t.Errorf("no-reply call: %v", err)
		}
		alive(t)
	})
	t.Run("100-connections", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make(chan error, 100)
		for i := 0; i < 100; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, err := godbus.Dial("unix:path=" + socket)
				if err != nil {
					errs <- err
					return
				}
				defer c.Close()
				if err := c.Auth([]godbus.Auth{godbus.AuthExternal("0")}); err != nil {
					errs <- err
					return
				}
				var units []any
				if err := manager(c).Call("org.freedesktop.systemd1.Manager.ListUnits", 0).Store(&units); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("one of 100 connections: %v", err)
		}
		alive(t)
	})
	t.Run("non-root-peer", func(t *testing.T) {
		nobody := &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		busctl := func() (string, error) {
			cmd := exec.Command("busctl", "--address=unix:path="+socket, "call", "org.freedesktop.systemd1",
				"/org/freedesktop/systemd1", "org.freedesktop.DBus.Peer", "Ping")
			cmd.SysProcAttr = nobody
			out, err := cmd.CombinedOutput()
			return string(out), err
		}
		// The socket is root's alone (0600)…
		if out, err := busctl(); err == nil {
			t.Errorf("nobody reached the private socket: %s", out)
		}
		// …and a peer that gets through anyway is refused by its uid.
		for _, p := range []string{filepath.Dir(filepath.Dir(socket)), filepath.Dir(socket)} {
			if err := os.Chmod(p, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Chmod(socket, 0o666); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(socket, 0o600)
		if out, err := busctl(); err == nil {
			t.Errorf("nobody was served on the private socket: %s", out)
		}
		pmdOut.wait(t, "refusing a private connection from an unprivileged client", 5*time.Second)
		alive(t)
	})
}

// TestDBusMaxConnections: past --dbus-max-connections a new peer is
// turned away, and served again once another leaves.
func TestDBusMaxConnections(t *testing.T) {
	needDBusTools(t)
	socket, _, out := startPmdDBus(t, nil, "--dbus-max-connections", "2")
	ping := func(c *godbus.Conn) error {
		return c.Object("org.freedesktop.systemd1", "/org/freedesktop/systemd1").Call("org.freedesktop.DBus.Peer.Ping", 0).Err
	}
	a, b := rawConn(t, socket), rawConn(t, socket)
	for _, c := range []*godbus.Conn{a, b} {
		if err := ping(c); err != nil {
			t.Fatalf("one of the first two connections: %v", err)
		}
	}
	c, err := godbus.Dial("unix:path=" + socket)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Auth([]godbus.Auth{godbus.AuthExternal("0")}); err == nil {
		if err := ping(c); err == nil {
			t.Error("a third connection was served")
		}
	}
	out.wait(t, "too many concurrent connections", 5*time.Second)
	a.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		d, err := godbus.Dial("unix:path=" + socket)
		if err == nil {
			if err = d.Auth([]godbus.Auth{godbus.AuthExternal("0")}); err == nil {
				err = ping(d)
			}
			d.Close()
		}
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no connection served after one of two left: %v", err)
		}
		time.Sleep(20 * time.Millisecond) // the server notices the hang-up on its own time
	}
}
