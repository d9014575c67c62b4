package e2e

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDBusKeepsLiveSocket: a private socket that another manager answers
// on (systemd, on a host) is never taken over: pmd refuses to start and
// the socket keeps working.
func TestDBusKeepsLiveSocket(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "run-systemd", "private")
	if err := os.MkdirAll(filepath.Dir(sock), 0o755); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	args := append(pmdPaths(dir), "--system", "--unit-path", dir, "--config-dir", dir)
	cmd := exec.Command(filepath.Join(bin, "pmd"), args...)
	done := make(chan struct{})
	var out []byte
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("pmd did not exit; output:\n%s", out)
	}
	if err == nil || !strings.Contains(string(out), "in use by another service manager") {
		t.Fatalf("pmd exited with %v; want a refusal naming the socket; output:\n%s", err, out)
	}
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatalf("the other manager's socket is gone: %v", err)
	}
	c.Close()
}
