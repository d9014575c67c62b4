package e2e

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// needRoot skips (or fails under CI) unless the test runs as root with
// unshare available.
func needRoot(t *testing.T) {
	t.Helper()
	_, err := exec.LookPath("unshare")
	switch {
	case os.Geteuid() != 0:
		if os.Getenv("CI") != "" {
			t.Fatal("cannot run under CI: needs root")
		}
		t.Skip("skipping: needs root for a new PID namespace")
	case err != nil:
		if os.Getenv("CI") != "" {
			t.Fatal("cannot run under CI: unshare is missing; run hack/install-deps.sh")
		}
		t.Skip("skipping: unshare is missing")
	}
}

// writeUnits writes name → content into dir.
func writeUnits(t *testing.T, dir string, units map[string]string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range units {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// startPID1 runs pmd as PID 1 of a new PID and mount namespace.
func startPID1(t *testing.T, units string, extra ...string) (*exec.Cmd, *lines) {
	t.Helper()
	args := append([]string{"--fork", "--kill-child", "--pid", "--mount-proc", filepath.Join(bin, "pmd"), "--unit-path", units, "--config-dir", units, "--log-level", "debug"},
		pmdPaths(t.TempDir())...)
	args = append(args, extra...)
	return startCmd(t, "unshare", args...)
}

// TestPID1 boots a unit tree with pmd as PID 1: everything wanted by the
// default target comes up in order, an orphaned grandchild is reaped, and
// SIGTERM stops everything in reverse order.
func TestPID1(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	log := filepath.Join(dir, "order.log")
	rec := func(what string) string { return "/bin/sh -c 'echo " + what + " >> " + log + "'" }
	units := filepath.Join(dir, "units")
	writeUnits(t, units, map[string]string{
		"a.service":   "[Unit]\nDescription=first\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=" + rec("start-a") + "\nExecStop=" + rec("stop-a") + "\n[X-PM]\nAutoStart=yes\n",
		"b.service":   "[Unit]\nAfter=a.service\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=" + rec("start-b") + "\nExecStop=" + rec("stop-b") + "\n[X-PM]\nAutoStart=yes\n",
		"c.service":   "[Unit]\nAfter=b.service\n[Service]\nExecStartPre=" + rec("start-c") + "\nExecStart=/bin/sh -c '(sleep 0.2 &); exec sleep 1000'\nExecStopPost=" + rec("stop-c") + "\n[X-PM]\nAutoStart=yes\n",
		"off.service": "[Service]\nExecStart=" + rec("never") + "\n",
	})
	cmd, out := startPID1(t, units)
	out.wait(t, "startup finished", 20*time.Second)
	// The orphan (sleep 0.2, whose parent exited) is adopted by PID 1
	// and must be reaped: wait until no zombie is left below pmd.
	pmd := pidOf(t, cmd.Process.Pid, "pmd")
	deadline := time.Now().Add(5 * time.Second)
	for zombiesBelow(pmd) > 0 || descendants(pmd, "sleep") != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("zombies %d, sleeps %d below pmd (want 0 and 1)", zombiesBelow(pmd), descendants(pmd, "sleep"))
		}
		time.Sleep(50 * time.Millisecond) // observing another process tree from outside
	}
	// unshare does not forward signals: signal pmd itself, as a container
	// runtime would. unshare exits with pmd's status.
	if err := syscall.Kill(pmd, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("pmd: %v\n%s", err, out)
	}
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Fields(string(b))
	want := []string{"start-a", "start-b", "start-c", "stop-c", "stop-b", "stop-a"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("order %v, want %v", got, want)
	}
}

// TestPID1FailureAction ends pmd with FailureActionExitStatus= when a unit
// with FailureAction=exit fails.
func TestPID1FailureAction(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	units := filepath.Join(dir, "units")
	writeUnits(t, units, map[string]string{
		"bad.service":   "[Unit]\nFailureAction=exit\nFailureActionExitStatus=42\n[Service]\nExecStart=/bin/sh -c 'sleep 0.2; exit 3'\n[X-PM]\nAutoStart=yes\n",
		"other.service": "[Service]\nExecStart=/bin/sleep 1000\n[X-PM]\nAutoStart=yes\n",
	})
	cmd, out := startPID1(t, units)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 42 {
			t.Fatalf("pmd exited with %v, want status 42\n%s", err, out)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("pmd did not exit\n%s", out)
	}
}

// pidOf finds the process named comm at or below pid.
func pidOf(t *testing.T, pid int, comm string) int {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, p := range append([]int{pid}, childrenOf(pid)...) {
			if c, _ := os.ReadFile("/proc/" + strconv.Itoa(p) + "/comm"); strings.TrimSpace(string(c)) == comm {
				return p
			}
		}
		time.Sleep(20 * time.Millisecond) // waiting for unshare to fork
	}
	t.Fatalf("no %s below %d", comm, pid)
	return 0
}

// childrenOf lists the pids whose parent is pid.
func childrenOf(pid int) []int {
	var out []int
	d, _ := os.ReadDir("/proc")
	for _, e := range d {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st := procStat(p); len(st) > 1 && st[1] == strconv.Itoa(pid) {
			out = append(out, p)
		}
	}
	return out
}

// procStat returns the fields of /proc/pid/stat after the command name.
func procStat(pid int) []string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 > len(s) {
		return nil
	}
	return strings.Fields(s[i+2:])
}

func zombiesBelow(pid int) int {
	n := 0
	for _, c := range childrenOf(pid) {
		if st := procStat(c); len(st) > 0 && st[0] == "Z" {
			n++
		}
	}
	return n
}

// descendants counts the live processes named comm below pid.
func descendants(pid int, comm string) int {
	n := 0
	for _, c := range childrenOf(pid) {
		if st := procStat(c); len(st) > 0 && st[0] != "Z" {
			if b, _ := os.ReadFile("/proc/" + strconv.Itoa(c) + "/comm"); strings.TrimSpace(string(b)) == comm {
				n++
			}
		}
		n += descendants(c, comm)
	}
	return n
}
