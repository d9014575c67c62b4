package e2e

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// bin holds the binaries built for this test run.
var bin string

func TestMain(m *testing.M) {
	// The test binary plays an API client for tests that run it as
	// another user.
	if os.Getenv(clientEnv) != "" {
		os.Exit(clientMain())
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "pm-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	for _, b := range []string{"pmd", "pmctl"} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, b), "../../cmd/"+b)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "building", b, ":", err)
			return 1
		}
	}
	bin = dir
	return m.Run()
}

// repo returns a path inside the repository.
func repo(p string) string { return filepath.Join("..", "..", p) }

// lines collects a process's output and lets tests wait for a line.
type lines struct {
	mu   sync.Mutex // guards all and grew
	all  []string
	grew chan struct{}
}

func newLines(r io.Reader) *lines {
	l := &lines{grew: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			l.mu.Lock()
			l.all = append(l.all, sc.Text())
			close(l.grew)
			l.grew = make(chan struct{})
			l.mu.Unlock()
		}
	}()
	return l
}

// wait waits for a line containing s.
func (l *lines) wait(t testing.TB, s string, d time.Duration) string {
	t.Helper()
	deadline := time.After(d)
	for {
		l.mu.Lock()
		for _, line := range l.all {
			if strings.Contains(line, s) {
				l.mu.Unlock()
				return line
			}
		}
		grew := l.grew
		l.mu.Unlock()
		select {
		case <-grew:
		case <-deadline:
			t.Fatalf("no line containing %q within %v; output:\n%s", s, d, l.String())
		}
	}
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.all, "\n")
}

// startPmd runs pmd with args; it is stopped with SIGTERM when the test
// ends if it still runs. Its API socket is in its runtime directory
// (startPmdIn says where).
func startPmd(t testing.TB, args ...string) (*exec.Cmd, *lines) {
	t.Helper()
	cmd, out, _ := startPmdIn(t, t.TempDir(), args...)
	return cmd, out
}

// startPmdIn runs pmd with every path it writes below dir (so that a
// second pmd on the same dir finds the first one's state) and returns
// the path of its API socket, dir/pm/pm.sock.
func startPmdIn(t testing.TB, dir string, args ...string) (*exec.Cmd, *lines, string) {
	t.Helper()
	socket := filepath.Join(dir, "pm", "pm.sock")
	base := pmdPaths(dir)
	cmd, out := startCmd(t, filepath.Join(bin, "pmd"), append(base, args...)...)
	return cmd, out, socket
}

// pmdPaths are the flags that put every path pmd writes below dir: never
// the host's /run/systemd, /run/pm or /var/lib.
func pmdPaths(dir string) []string {
	return []string{
		"--runtime-dir", filepath.Join(dir, "pm"),
		"--state-dir", filepath.Join(dir, "state"),
		"--socket", filepath.Join(dir, "pm", "pm.sock"),
		"--run-systemd-dir", filepath.Join(dir, "run-systemd"),
		"--runtime-directory-root", filepath.Join(dir, "run"),
		"--state-directory-root", filepath.Join(dir, "lib"),
		"--cache-directory-root", filepath.Join(dir, "cache"),
		"--logs-directory-root", filepath.Join(dir, "log"),
		"--configuration-directory-root", filepath.Join(dir, "etc"),
	}
}

// startCmd runs a command with its output collected; it is stopped with
// SIGTERM when the test ends if it still runs.
func startCmd(t testing.TB, name string, args ...string) (*exec.Cmd, *lines) {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+dir, "HOME="+dir)
	return cmd, startCollected(t, cmd)
}

// startCollected starts cmd in a process group of its own with its output
// collected; it is stopped with SIGTERM (the group with SIGKILL after 30 s)
// when the test ends if it still runs.
func startCollected(t testing.TB, cmd *exec.Cmd) *lines {
	t.Helper()
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	out := newLines(pr)
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			done := make(chan struct{})
			go func() { _ = cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				<-done
			}
		}
		pw.Close()
		if t.Failed() {
			t.Logf("%s output:\n%s", filepath.Base(cmd.Path), out)
		}
	})
	return out
}

// pmdRefuses runs pmd with args, which must make it exit at once with a
// failure, and returns its output.
func pmdRefuses(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(bin, "pmd"), args...)
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("pmd did not exit; output:\n%s", out)
	}
	if err == nil || cmd.ProcessState.ExitCode() == 0 {
		t.Fatalf("pmd exited with %v, want a failure; output:\n%s", err, out)
	}
	return string(out)
}

// TestExampleConfiguration runs the README's command: pmd on the bundled
// example configuration starts the auto_start processes and stops them in
// order on SIGTERM.
func TestExampleConfiguration(t *testing.T) {
	cmd, out := startPmd(t, "--config-dir", repo("examples/processes.d"), "--unit-path", t.TempDir())
	out.wait(t, "pmd is running", 10*time.Second)
	out.wait(t, "ticker.service[", 10*time.Second)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("pmd exited with %v", err)
	}
	out.wait(t, "pmd exiting", 5*time.Second)
	if strings.Contains(out.String(), "level=ERROR") {
		t.Errorf("errors in the log:\n%s", out)
	}
}
