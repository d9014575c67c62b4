package e2e

import (
	"regexp"
	"strings"
	"testing"
)

// Units of the systemctl tests.
var dbusUnits = map[string]string{
	"foo.service":       "[Unit]\nDescription=Foo test daemon\n[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n",
	"bar.service":       "[Unit]\nDescription=Bar\n[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n",
	"rel.service":       "[Service]\nExecStart=/bin/sleep infinity\nExecReload=/bin/true\n",
	"once.service":      "[Unit]\nDescription=One shot\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n",
	"broken.service":    "[Unit]\nDescription=Fails\n[Service]\nType=oneshot\nExecStart=/bin/false\n",
	"multi-user.target": "[Unit]\nDescription=Multi-User System\nRequires=basic.target\nAfter=basic.target\nAllowIsolate=yes\n",
}

// TestDBusSystemctl runs the stock systemctl's verbs against pmd over
// /run/systemd/private and checks their output and exit statuses.
func TestDBusSystemctl(t *testing.T) {
	needDBusTools(t, "busctl")
	n := newNS(t)
	for name, content := range dbusUnits {
		n.writeUnit(name, content)
	}
	n.startPmd()

	type check struct {
		args []string
		code int
		want []string // substrings of the output
		not  []string
	}
	steps := []struct {
		name   string
		checks []check
	}{
		{"start", []check{
			{args: []string{"start", "foo"}},
			{args: []string{"is-active", "foo"}, want: []string{"active"}},
			{args: []string{"is-active", "nosuch"}, code: 3, want: []string{"inactive"}},
			{args: []string{"is-failed", "foo"}, code: 1, want: []string{"active"}},
			{args: []string{"start", "nosuch"}, code: 5, want: []string{"Failed to start nosuch.service: Unit nosuch.service not found."}},
		}},
		{"status", []check{
			{args: []string{"status", "foo"}, want: []string{
				"● foo.service - Foo test daemon",
				"Loaded: loaded (" + n.units + "/foo.service; disabled",
				"Active: active (running) since ",
				"Main PID: ",
				"CGroup: /system.slice/foo.service",
				"/bin/sleep infinity",
			}},
			{args: []string{"status", "nosuch"}, code: 4, want: []string{"Unit nosuch.service could not be found."}},
			{args: []string{"status", "once"}, code: 3, want: []string{"○ once.service - One shot", "Active: inactive (dead)"}},
		}},
		{"show", []check{
			{args: []string{"show", "foo", "-p", "ActiveState", "--value"}, want: []string{"active\n"}},
			{args: []string{"show", "foo", "-p", "SubState,LoadState"}, want: []string{"SubState=running\n", "LoadState=loaded\n"}},
			{args: []string{"show", "foo"}, want: []string{"Type=simple\n", "Id=foo.service\n", "ExecStart={ path=/bin/sleep ; argv[]=/bin/sleep infinity ;", "TasksMax="}},
			{args: []string{"show", "nosuch", "-p", "LoadState,ActiveState,SubState"}, want: []string{"LoadState=not-found", "ActiveState=inactive", "SubState=dead"}},
		}},
		{"stop-restart-reload", []check{
			{args: []string{"restart", "foo"}},
			{args: []string{"stop", "foo"}},
			{args: []string{"status", "foo"}, code: 3, want: []string{"Active: inactive (dead)"}},
			{args: []string{"try-restart", "foo"}},
			{args: []string{"is-active", "foo"}, code: 3, want: []string{"inactive"}},
			{args: []string{"start", "rel"}},
			{args: []string{"reload", "rel"}},
			{args: []string{"start", "foo"}},
			{args: []string{"reload", "foo"}, code: 3, want: []string{"Failed to reload foo.service: Job type reload is not applicable for unit foo.service."}},
			{args: []string{"try-restart", "foo"}},
			{args: []string{"is-active", "foo"}, want: []string{"active"}},
		}},
		{"failed", []check{
			{args: []string{"start", "broken"}, code: 1, want: []string{"Job for broken.service failed because the control process exited with error code."}},
			{args: []string{"is-failed", "broken"}, want: []string{"failed"}},
			{args: []string{"list-units", "--failed"}, want: []string{"broken.service", "failed"}, not: []string{"foo.service"}},
			{args: []string{"is-system-running"}, code: 1, want: []string{"degraded"}},
			{args: []string{"reset-failed", "broken"}},
			{args: []string{"is-failed", "broken"}, code: 1, want: []string{"inactive"}},
			{args: []string{"is-system-running"}, want: []string{"running"}},
		}},
		{"list-units", []check{
			{args: []string{"list-units"}, want: []string{"foo.service", "loaded active running Foo test daemon"}, not: []string{"once.service"}},
			{args: []string{"list-units", "--all"}, want: []string{"once.service", "foo.service", "multi-user.target"}},
			{args: []string{"list-units", "--all", "--type=target"}, want: []string{"multi-user.target"}, not: []string{"foo.service"}},
			{args: []string{"list-units", "--all", "f*"}, want: []string{"foo.service"}, not: []string{"once.service"}},
		}},
		{"unit-files", []check{
			{args: []string{"is-enabled", "foo"}, code: 1, want: []string{"disabled"}},
			{args: []string{"is-enabled", "nosuch.service"}, code: 1, want: []string{"Failed to get unit file state for nosuch.service: No such file or directory"}},
			{args: []string{"enable", "foo"}, want: []string{"Created symlink " + n.root + "/etc/systemd/system/multi-user.target.wants/foo.service → /lib/systemd/system/foo.service."}},
			{args: []string{"is-enabled", "foo"}, want: []string{"enabled"}},
			{args: []string{"list-unit-files"}, want: []string{"foo.service", "enabled", "once.service", "static"}},
			{args: []string{"list-unit-files", "b*"}, want: []string{"bar.service", "broken.service"}, not: []string{"foo.service"}},
			{args: []string{"disable", "foo"}, want: []string{"Removed \"" + n.root + "/etc/systemd/system/multi-user.target.wants/foo.service\"."}},
			{args: []string{"is-enabled", "foo"}, code: 1, want: []string{"disabled"}},
			{args: []string{"enable", "--now", "bar"}, want: []string{"Created symlink"}},
			{args: []string{"is-active", "bar"}, want: []string{"active"}},
			{args: []string{"disable", "--now", "bar"}, want: []string{"Removed"}},
			{args: []string{"is-active", "bar"}, code: 3, want: []string{"inactive"}},
			{args: []string{"mask", "once"}, want: []string{"Created symlink " + n.root + "/etc/systemd/system/once.service → /dev/null."}},
			{args: []string{"is-enabled", "once"}, code: 1, want: []string{"masked"}},
			{args: []string{"start", "once"}, code: 1, want: []string{"Failed to start once.service: Unit once.service is masked."}},
			{args: []string{"unmask", "once"}, want: []string{"Removed \"" + n.root + "/etc/systemd/system/once.service\"."}},
			{args: []string{"start", "once"}},
			{args: []string{"set-default", "multi-user.target"}, want: []string{"Created symlink " + n.root + "/etc/systemd/system/default.target → /lib/systemd/system/multi-user.target."}},
			{args: []string{"get-default"}, want: []string{"multi-user.target"}},
			{args: []string{"daemon-reload"}},
		}},
		{"kill", []check{
			{args: []string{"kill", "-s", "KILL", "foo"}},
		}},
		{"cat-deps-jobs", []check{
			{args: []string{"cat", "foo"}, want: []string{"# " + n.units + "/foo.service", "ExecStart=/bin/sleep infinity"}},
			{args: []string{"cat", "nosuch"}, code: 1, want: []string{"No files found for nosuch.service."}},
			{args: []string{"list-dependencies"}, want: []string{"default.target", "basic.target"}},
			{args: []string{"list-dependencies", "multi-user.target"}, want: []string{"multi-user.target", "basic.target"}},
			{args: []string{"list-jobs"}, want: []string{"No jobs running."}},
		}},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			for _, c := range step.checks {
				out, code := n.systemctl(c.args...)
				if code != c.code {
					t.Errorf("systemctl %s: exit status %d, want %d; output:\n%s", strings.Join(c.args, " "), code, c.code, out)
				}
				for _, w := range c.want {
					if !strings.Contains(out, w) {
						t.Errorf("systemctl %s: output lacks %q:\n%s", strings.Join(c.args, " "), w, out)
					}
				}
				for _, w := range c.not {
					if strings.Contains(out, w) {
						t.Errorf("systemctl %s: output has %q:\n%s", strings.Join(c.args, " "), w, out)
					}
				}
			}
		})
		if step.name == "cat-deps-jobs" {
			t.Run("busctl", func(t *testing.T) {
				addr := "--address=unix:path=/run/systemd/private"
				out := n.mustRun(0, "busctl", addr, "tree", "org.freedesktop.systemd1")
				for _, w := range []string{"/org/freedesktop/systemd1/unit/foo_2eservice", "/org/freedesktop/systemd1/unit/multi_2duser_2etarget"} {
					if !strings.Contains(out, w) {
						t.Errorf("busctl tree lacks %s:\n%s", w, out)
					}
				}
				out = n.mustRun(0, "busctl", addr, "introspect", "org.freedesktop.systemd1", "/org/freedesktop/systemd1/unit/foo_2eservice")
				for _, w := range []string{"org.freedesktop.systemd1.Unit", "org.freedesktop.systemd1.Service", ".ActiveState", `"foo.service"`, ".MainPID", ".Start "} {
					if !strings.Contains(out, w) {
						t.Errorf("busctl introspect lacks %q:\n%s", w, out)
					}
				}
			})
		}
		if step.name == "kill" {
			n.waitState("foo", "failed")
			out, _ := n.systemctl("status", "foo")
			if !regexp.MustCompile(`Main PID: \d+ \(code=killed, signal=KILL\)`).MatchString(out) {
				t.Errorf("status after kill -s KILL lacks the main process's end:\n%s", out)
			}
		}
	}
}
