package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestShowParity runs `pmctl show` (the gRPC Show RPC) and the stock
// `systemctl show` (pmd's D-Bus) on the same units and checks that they
// print the same properties in the same order with the same values, but
// for the ones that change between two calls.
func TestShowParity(t *testing.T) {
	needDBusTools(t)
	n := newNS(t)
	n.writeUnit("par.service", `[Unit]
Description=Parity "test" service
Documentation=man:true(1) https://example.com/a\x20b
Wants=dep.service
After=dep.service
ConditionPathExists=/
[Service]
Environment="A=b c" Q=$HOME
EnvironmentFile=-/nonexistent
ExecStartPre=-/bin/true
ExecStart=/bin/sleep infinity
ExecReload=/bin/true
RestartPreventExitStatus=3 SIGUSR1
LimitNOFILE=100:200
CPUAffinity=0-1
UMask=0027
TimeoutStopSec=5
[Install]
WantedBy=multi-user.target
`)
	n.writeUnit("dep.service", "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n")
	n.writeUnit("bad.service", "[Service]\nType=oneshot\nExecStart=/bin/false\n")
	n.writeUnit("par.socket", "[Socket]\nListenStream=/run/par-test.sock\nSocketMode=0600\n")
	n.writeUnit("par.timer", "[Timer]\nOnCalendar=daily\nOnBootSec=5min\n")
	n.writeUnit("par.target", "[Unit]\nDescription=Parity target\nWants=par.service\n")
	sock := filepath.Join(n.dir, "pm.sock")
	n.startPmd("--socket", sock)
	n.mustRun(0, "systemctl", "start", "par.service")
	n.mustRun(1, "systemctl", "start", "bad.service")
	pmctl := func(args ...string) string {
		t.Helper()
		cmd := n.command(append([]string{filepath.Join(bin, "pmctl")}, args...)...)
		cmd.Env = append(cmd.Env, "PM_SOCKET="+sock)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("pmctl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	for _, name := range []string{"par.service", "dep.service", "bad.service", "par.socket", "par.timer", "par.target", "nosuch.service"} {
		for _, flags := range [][]string{nil, {"--all"}, {"-p", "Id,MainPID,StatusText,LoadError,ExecStart,Environment"}} {
			args := append([]string{"show", name}, flags...)
			t.Run(strings.Join(args[1:], " "), func(t *testing.T) {
				want := n.mustRun(0, append([]string{"systemctl"}, args...)...)
				got := pmctl(args...)
				compareShow(t, got, want)
			})
		}
	}
	// Without a unit: the manager's properties.
	t.Run("manager", func(t *testing.T) {
		compareShow(t, pmctl("show"), n.mustRun(0, "systemctl", "show"))
	})
}

// volatile are the properties whose values may change between two calls:
// monotonic readings derived from the wall clock, and resource use.
func volatile(name string) bool {
	switch name {
	case "MemoryCurrent", "CPUUsageNSec", "TasksCurrent":
		return true
	}
	return strings.HasSuffix(name, "Monotonic")
}

// compareShow compares pmctl's output (got) with systemctl's (want) line
// by line: names everywhere, values where they are stable.
func compareShow(t *testing.T, got, want string) {
	t.Helper()
	g, w := strings.Split(strings.TrimSuffix(got, "\n"), "\n"), strings.Split(strings.TrimSuffix(want, "\n"), "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		gn, gv, _ := strings.Cut(gl, "=")
		wn, wv, _ := strings.Cut(wl, "=")
		if gn != wn {
			t.Fatalf("line %d: pmctl prints %q, systemctl %q", i+1, gl, wl)
		}
		if gv != wv && !volatile(gn) {
			t.Errorf("line %d: pmctl prints %q, systemctl %q", i+1, gl, wl)
		}
	}
}
