package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestDBusSystemBus runs pmd on a private dbus-daemon as the system bus:
// systemctl --wait (which always uses the bus), a non-root systemctl that
// may read but not change, and root's systemctl forced onto the bus.
func TestDBusSystemBus(t *testing.T) {
	needDBusTools(t, "dbus-daemon", "setpriv")
	n := newNS(t)
	n.writeUnit("short.service", "[Unit]\nDescription=Short\n[Service]\nExecStart=/bin/sleep 0.3\n")
	n.writeUnit("long.service", "[Unit]\nDescription=Long\n[Service]\nExecStart=/bin/sleep infinity\n")
	bus := n.startBus()
	out := n.startPmd("--dbus-system-bus", bus, "--no-dbus-private-socket")
	out.wait(t, "dbus: serving on the system bus", 10*time.Second)
	nobody := []string{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "systemctl"}

	t.Run("start-wait", func(t *testing.T) {
		start := time.Now()
		got := n.mustRun(0, "systemctl", "start", "--wait", "short")
		if d := time.Since(start); d < 300*time.Millisecond {
			t.Errorf("start --wait returned after %v, before the service ended (output %q)", d, got)
		}
		if got, _ := n.systemctl("is-active", "short"); strings.TrimSpace(got) != "inactive" {
			t.Errorf("after start --wait: %q, want inactive", got)
		}
	})
	t.Run("root-over-bus", func(t *testing.T) {
		n.env = append(n.env, "SYSTEMCTL_FORCE_BUS=1")
		defer func() { n.env = n.env[:len(n.env)-1] }()
		n.mustRun(0, "systemctl", "start", "long")
		if got := n.mustRun(0, "systemctl", "is-active", "long"); strings.TrimSpace(got) != "active" {
			t.Errorf("is-active long = %q", got)
		}
	})
	t.Run("busctl", func(t *testing.T) {
		out := n.mustRun(0, "busctl", "--system", "tree", "org.freedesktop.systemd1")
		if !strings.Contains(out, "/org/freedesktop/systemd1/unit/long_2eservice") {
			t.Errorf("busctl tree over the bus:\n%s", out)
		}
	})
	t.Run("non-root-reads", func(t *testing.T) {
		if got := n.mustRun(0, append(nobody, "is-active", "long")...); strings.TrimSpace(got) != "active" {
			t.Errorf("is-active long as nobody = %q, want active", got)
		}
		got := n.mustRun(0, append(nobody, "status", "long")...)
		if !strings.Contains(got, "Active: active (running)") {
			t.Errorf("status as nobody:\n%s", got)
		}
		got = n.mustRun(0, append(nobody, "list-units", "--all")...)
		if !strings.Contains(got, "long.service") {
			t.Errorf("list-units as nobody:\n%s", got)
		}
	})
	t.Run("non-root-refused", func(t *testing.T) {
		// Job verbs map AccessDenied to exit status 4; the others, as
		// with systemd, exit with 1.
		for _, c := range []struct {
			verb []string
			code int
		}{{[]string{"stop", "long"}, 4}, {[]string{"start", "short"}, 4}, {[]string{"restart", "long"}, 4},
			{[]string{"kill", "long"}, 1}, {[]string{"reset-failed"}, 1}, {[]string{"daemon-reload"}, 1},
			{[]string{"enable", "long"}, 1}} {
			verb := c.verb
			got, code := n.run(append(nobody, verb...)...)
			if code != c.code {
				t.Errorf("systemctl %s as nobody: exit status %d, want %d; output:\n%s", strings.Join(verb, " "), code, c.code, got)
			}
			if !strings.Contains(got, "Access denied") {
				t.Errorf("systemctl %s as nobody: output lacks \"Access denied\":\n%s", strings.Join(verb, " "), got)
			}
		}
		if got := n.mustRun(0, "systemctl", "is-active", "long"); strings.TrimSpace(got) != "active" {
			t.Errorf("long is %q after refused stops, want active", got)
		}
	})
}
