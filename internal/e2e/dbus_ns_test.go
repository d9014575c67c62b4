package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The D-Bus tests run the stock systemctl, busctl, dbus-daemon and
// go-systemd against the real pmd. systemctl only talks to
// /run/systemd/private or the system bus, so everything runs inside a
// private mount namespace with a tmpfs over /run: a holder process keeps
// the namespace alive and every command enters it with nsenter. The
// host's /run/systemd and system bus are never touched.

// needDBusTools skips (or fails under CI) unless the test runs as root
// with unshare, nsenter and systemctl available, plus any extra tools.
func needDBusTools(t testing.TB, extra ...string) {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("cannot run under CI: needs root for a private mount namespace")
		}
		t.Skip("skipping: needs root for a private mount namespace")
	}
	for _, tool := range append([]string{"unshare", "nsenter", "systemctl"}, extra...) {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("cannot run under CI: %s is missing; run hack/install-deps.sh", tool)
			}
			t.Skipf("skipping: %s is missing", tool)
		}
	}
}

// pmdBinary is the pmd under test.
func pmdBinary() string {
	if p := os.Getenv("PM_E2E_PMD"); p != "" {
		return p
	}
	return filepath.Join(bin, "pmd")
}

// nsEnv is a private mount namespace with pmd's unit-file root.
type nsEnv struct {
	t      testing.TB
	holder *exec.Cmd
	dir    string // a temporary directory, visible inside too
	root   string // the unit-file root pmd manages (--root)
	units  string // root/lib/systemd/system
	bus    string // the system bus address, once startBus ran
	env    []string
}

// newNS makes the namespace: /run there is an empty tmpfs.
func newNS(t testing.TB) *nsEnv {
	t.Helper()
	dir := t.TempDir()
	// Non-root clients must reach the bus socket below dir.
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	n := &nsEnv{t: t, dir: dir, root: filepath.Join(dir, "root")}
	n.units = filepath.Join(n.root, "lib", "systemd", "system")
	for _, d := range []string{n.units, filepath.Join(n.root, "etc", "systemd", "system")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	n.holder = exec.Command("unshare", "--mount", "--propagation", "private", "sh", "-c",
		"mount -t tmpfs -o mode=0755 tmpfs /run && echo ready && exec sleep 1000000")
	out, err := n.holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	n.holder.Stderr = os.Stderr
	if err := n.holder.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = n.holder.Process.Kill()
		_ = n.holder.Wait()
	})
	buf := make([]byte, 6)
	if _, err := io.ReadFull(out, buf); err != nil || string(buf) != "ready\n" {
		t.Fatalf("the namespace holder did not start: %q, %v", buf, err)
	}
	n.env = append(os.Environ(), "SYSTEMD_PAGER=", "SYSTEMD_COLORS=0", "LC_ALL=C.UTF-8", "TZ=UTC",
		"DBUS_SYSTEM_BUS_ADDRESS=")
	return n
}

// command makes a command that runs inside the namespace.
func (n *nsEnv) command(args ...string) *exec.Cmd {
	ns := fmt.Sprintf("--mount=/proc/%d/ns/mnt", n.holder.Process.Pid)
	cmd := exec.Command("nsenter", append([]string{ns, "--"}, args...)...)
	cmd.Env = append([]string(nil), n.env...)
	if n.bus != "" {
		cmd.Env = append(cmd.Env, "DBUS_SYSTEM_BUS_ADDRESS="+n.bus)
	}
	return cmd
}

// run runs a command inside and returns its combined output and exit
// status.
func (n *nsEnv) run(args ...string) (string, int) {
	n.t.Helper()
	cmd := n.command(args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &ee):
		return out.String(), ee.ExitCode()
	}
	n.t.Fatalf("%v: %v", args, err)
	return "", -1
}

// systemctl runs the stock systemctl inside.
func (n *nsEnv) systemctl(args ...string) (string, int) {
	n.t.Helper()
	return n.run(append([]string{"systemctl"}, args...)...)
}

// writeUnit writes a unit file into the root's vendor directory.
func (n *nsEnv) writeUnit(name, content string) {
	n.t.Helper()
	if err := os.WriteFile(filepath.Join(n.units, name), []byte(content), 0o644); err != nil {
		n.t.Fatal(err)
	}
}

// startPmd runs pmd inside, on the root's units, and waits until it
// serves D-Bus.
func (n *nsEnv) startPmd(extra ...string) *lines {
	n.t.Helper()
	args := []string{pmdBinary(), "--system", "--root", n.root, "--log-level", "debug",
		"--state-dir", filepath.Join(n.dir, "state"),
		"--runtime-directory-root", filepath.Join(n.dir, "rd"),
		"--state-directory-root", filepath.Join(n.dir, "sd"),
		"--cache-directory-root", filepath.Join(n.dir, "cd"),
		"--logs-directory-root", filepath.Join(n.dir, "ld"),
		"--configuration-directory-root", filepath.Join(n.dir, "cfd"),
		"--config-dir", filepath.Join(n.dir, "yaml")}
	out := startCollected(n.t, n.command(append(args, extra...)...))
	out.wait(n.t, "pmd is running", 20*time.Second)
	return out
}

// startBus runs a dbus-daemon as the system bus, with a policy that
// lets root own org.freedesktop.systemd1 and anyone call it (as the
// stock policy does: access is the manager's business). Commands run
// afterwards find it in DBUS_SYSTEM_BUS_ADDRESS.
func (n *nsEnv) startBus() string {
	n.t.Helper()
	dir := filepath.Join(n.dir, "bus")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		n.t.Fatal(err)
	}
	sock := filepath.Join(dir, "system_bus_socket")
	conf := filepath.Join(dir, "system.conf")
	policy := `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=` + sock + `</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus"/>
  </policy>
</busconfig>
`
	if err := os.WriteFile(conf, []byte(policy), 0o644); err != nil {
		n.t.Fatal(err)
	}
	cmd := n.command("dbus-daemon", "--nofork", "--nopidfile", "--config-file="+conf, "--print-address")
	out, err := cmd.StdoutPipe()
	if err != nil {
		n.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		n.t.Fatal(err)
	}
	n.t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := make([]byte, 0, 256)
	b := make([]byte, 1)
	for {
		if _, err := out.Read(b); err != nil {
			n.t.Fatalf("dbus-daemon did not print its address: %v", err)
		}
		if b[0] == '\n' {
			break
		}
		addr = append(addr, b[0])
	}
	n.bus = string(addr)
	return n.bus
}

// mustRun runs a command inside and fails unless it exits with want.
func (n *nsEnv) mustRun(want int, args ...string) string {
	n.t.Helper()
	out, code := n.run(args...)
	if code != want {
		n.t.Fatalf("%s: exit status %d, want %d; output:\n%s", strings.Join(args, " "), code, want, out)
	}
	return out
}

// waitState waits until systemctl is-active prints want for the unit.
func (n *nsEnv) waitState(name, want string) {
	n.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, _ := n.systemctl("is-active", name)
		if strings.TrimSpace(out) == want {
			return
		}
		if time.Now().After(deadline) {
			n.t.Fatalf("%s is %q, want %q", name, strings.TrimSpace(out), want)
		}
		time.Sleep(20 * time.Millisecond) // polling another process's state
	}
}
