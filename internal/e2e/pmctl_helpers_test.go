package e2e

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// pmdAPI is a pmd started for pmctl's tests: its socket, its root (unit
// files below root/etc/systemd/system) and its output.
type pmdAPI struct {
	sock string
	root string
	dir  string
	cmd  *exec.Cmd
	out  *lines
}

// startPmdAPI runs pmd with its API on a socket in a temporary directory,
// the unit files below a root directory (files maps a path below the root,
// such as "etc/systemd/system/web.service", to its content; they are
// written before pmd starts) and a state directory of its own.
func startPmdAPI(t testing.TB, files map[string]string, args ...string) *pmdAPI {
	t.Helper()
	dir := t.TempDir()
	p := &pmdAPI{sock: filepath.Join(dir, "pm.sock"), root: filepath.Join(dir, "root"), dir: dir}
	units := filepath.Join(p.root, "etc", "systemd", "system")
	if err := os.MkdirAll(units, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		f := filepath.Join(p.root, name)
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(dir, "cfg")
	if err := os.MkdirAll(cfg, 0o755); err != nil {
		t.Fatal(err)
	}
	base := []string{"--socket", p.sock, "--root", p.root, "--state-dir", filepath.Join(dir, "state"), "--config-dir", cfg}
	p.cmd, p.out = startPmd(t, append(base, args...)...)
	p.out.wait(t, "pmd is running", 15*time.Second)
	return p
}

// result is what a pmctl run printed and its exit status.
type result struct {
	stdout, stderr string
	code           int
}

// pmctl runs the pmctl binary against p's socket.
func (p *pmdAPI) pmctl(t testing.TB, args ...string) result {
	t.Helper()
	return runCtl(t, filepath.Join(bin, "pmctl"), []string{"PM_SOCKET=" + p.sock}, args...)
}

// systemctl runs pmctl under the name systemctl.
func (p *pmdAPI) systemctl(t testing.TB, args ...string) result {
	t.Helper()
	link := filepath.Join(p.dir, "bin", "systemctl")
	if _, err := os.Lstat(link); err != nil {
		if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(bin, "pmctl"), link); err != nil {
			t.Fatal(err)
		}
	}
	return runCtl(t, link, []string{"PM_SOCKET=" + p.sock}, args...)
}

// sh runs a shell command line with pmctl (and systemctl) on PATH.
func (p *pmdAPI) sh(t testing.TB, line string) result {
	t.Helper()
	p.systemctl(t, "--version") // makes the systemctl link
	path := bin + ":" + filepath.Join(p.dir, "bin") + ":" + os.Getenv("PATH")
	return runCtl(t, "/bin/sh", []string{"PM_SOCKET=" + p.sock, "PATH=" + path}, "-c", line)
}

func runCtl(t testing.TB, name string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "PM_ADDRESS=")
	cmd.Env = append(cmd.Env, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("%s %q: %v", name, args, err)
	}
	return r
}

// want checks a result: its exit status, and that stdout and stderr
// contain the given strings.
func (r result) want(t testing.TB, what string, code int, stdout []string, stderr []string) {
	t.Helper()
	if r.code != code {
		t.Errorf("%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", what, r.code, code, r.stdout, r.stderr)
	}
	for _, s := range stdout {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("%s: stdout does not contain %q:\n%s", what, s, r.stdout)
		}
	}
	for _, s := range stderr {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("%s: stderr does not contain %q:\n%s", what, s, r.stderr)
		}
	}
}
