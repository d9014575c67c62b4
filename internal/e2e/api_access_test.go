package e2e

import (
	"errors"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pm-project/pm/api/pmv1"
)

// needSetpriv skips (or fails under CI) unless the test runs as root with
// setpriv available.
func needSetpriv(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("setpriv")
	switch {
	case os.Geteuid() != 0:
		if os.Getenv("CI") != "" {
			t.Fatal("cannot run under CI: needs root")
		}
		t.Skip("skipping: needs root to run a client as another user")
	case err != nil:
		if os.Getenv("CI") != "" {
			t.Fatal("cannot run under CI: setpriv is missing")
		}
		t.Skip("skipping: setpriv is missing")
	}
	return p
}

// reachableDir makes a temporary directory that other users can enter,
// with a copy of the test binary in it (go test's build directory is
// private).
func reachableDir(t *testing.T) (dir, exe string) {
	t.Helper()
	dir = t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	exe = filepath.Join(dir, "client.test")
	if err := os.WriteFile(exe, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, exe
}

// asUser runs the test binary as an API client under setpriv and returns
// its answer for each call.
func asUser(t *testing.T, setpriv, exe, socket string, privs []string, calls ...string) map[string]string {
	t.Helper()
	args := append(append(privs, exe), calls...)
	cmd := exec.Command(setpriv, args...)
	cmd.Env = append(os.Environ(), clientEnv+"="+socket)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("client as %v: %v\n%s", privs, err, out)
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		call, res, _ := strings.Cut(line, " ")
		got[call] = res
	}
	return got
}

// TestAPIAccess: a user other than root may list and describe but not
// change units; a member of --api-group may.
func TestAPIAccess(t *testing.T) {
	setpriv := needSetpriv(t)
	dir, exe := reachableDir(t)
	units := filepath.Join(dir, "units")
	writeUnits(t, units, map[string]string{"web.service": "[Service]\nExecStart=/bin/sleep 1000\n"})
	group := existingGroup(t)
	_, out, socket := startPmdIn(t, dir, "--unit-path", units, "--config-dir", units, "--api-group", group)
	c := dial(t, out, socket)
	if _, err := c.Create(callCtx(t), &pmv1.CreateRequest{Name: "made", Spec: &pmv1.UnitSpec{Command: "/bin/sleep", Args: []string{"1000"}}}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(socket)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o666 {
		t.Errorf("got socket mode %v, want 0666", fi.Mode().Perm())
	}

	nobody := []string{"--reuid=65534", "--regid=65534", "--clear-groups"}
	got := asUser(t, setpriv, exe, socket, nobody,
		"List", "Describe:web", "Show:made", "Start:web", "Stop:web", "Create:evil", "Delete:made")
	want := map[string]string{
		"List":         "OK",
		"Describe:web": "OK",
		"Show:made":    "OK",
		"Start:web":    "PermissionDenied PERMISSION_DENIED",
		"Stop:web":     "PermissionDenied PERMISSION_DENIED",
		"Create:evil":  "PermissionDenied PERMISSION_DENIED",
		"Delete:made":  "PermissionDenied PERMISSION_DENIED",
	}
	for call, w := range want {
		if got[call] != w {
			t.Errorf("nobody %s: got %q, want %q", call, got[call], w)
		}
	}
	if d, err := c.Describe(callCtx(t), &pmv1.DescribeRequest{Unit: "web"}); err != nil || d.GetUnit().GetActiveState() != "inactive" {
		t.Errorf("web.service after nobody's start: %v %v, want inactive", d.GetUnit().GetActiveState(), err)
	}

	member := []string{"--reuid=65534", "--regid=65534", "--groups=" + group}
	got = asUser(t, setpriv, exe, socket, member, "Start:web", "Stop:web", "Delete:made")
	for _, call := range []string{"Start:web", "Stop:web", "Delete:made"} {
		if got[call] != "OK" {
			t.Errorf("group member %s: got %q, want OK", call, got[call])
		}
	}
}

// TestAPIRefusesPlainTCP: plaintext TCP on a non-loopback address stops
// pmd at once with a clear message.
func TestAPIRefusesPlainTCP(t *testing.T) {
	dir := t.TempDir()
	out := pmdRefuses(t, "--runtime-dir", filepath.Join(dir, "pm"), "--state-dir", filepath.Join(dir, "state"),
		"--unit-path", dir, "--config-dir", dir, "--run-systemd-dir", filepath.Join(dir, "run-systemd"),
		"--tcp", "--grpc-address", "0.0.0.0", "--grpc-port", "0")
	if !strings.Contains(out, "plaintext TCP on a non-loopback address is refused") {
		t.Errorf("got output\n%s\nwant it to say plaintext TCP is refused", out)
	}
}

// TestAPITCP: a loopback TCP listener answers reads; plaintext TCP
// clients may not change things without --insecure-tcp.
func TestAPITCP(t *testing.T) {
	dir := t.TempDir()
	units := filepath.Join(dir, "units")
	writeUnits(t, units, map[string]string{"web.service": "[Service]\nExecStart=/bin/sleep 1000\n"})
	cmd, out, socket := startPmdIn(t, dir, "--unit-path", units, "--config-dir", units, "--tcp", "--grpc-port", "0")
	dial(t, out, socket)
	line := out.wait(t, "addr=127.0.0.1:", 10*time.Second)
	addr := line[strings.Index(line, "addr=")+len("addr="):]
	if i := strings.IndexByte(addr, ' '); i >= 0 {
		addr = addr[:i]
	}
	tc := dialTCP(t, addr)
	if _, err := tc.List(callCtx(t), &pmv1.ListRequest{}); err != nil {
		t.Fatalf("List over TCP: %v", err)
	}
	_, err := tc.Start(callCtx(t), &pmv1.JobRequest{Unit: "web"})
	if got := describeErr(err); got != "PermissionDenied PERMISSION_DENIED" {
		t.Errorf("Start over plaintext TCP: got %s, want PermissionDenied", got)
	}
	// pmd removes its socket when it exits.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("pmd exited with %v", err)
	}
	if _, err := os.Lstat(socket); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket left after pmd exited: %v", err)
	}
}

// existingGroup returns the number of a group of the host that nobody is
// not in, for --api-group.
func existingGroup(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"users", "daemon", "bin", "sys", "adm"} {
		if g, err := user.LookupGroup(name); err == nil && g.Gid != "65534" {
			return g.Gid
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("cannot run under CI: no usable group on this host")
	}
	t.Skip("skipping: no usable group on this host")
	return ""
}
