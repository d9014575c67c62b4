package e2e

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	out := pmdRefuses(t, append(pmdPaths(dir), "--system", "--unit-path", dir, "--config-dir", dir)...)
	if !strings.Contains(out, "in use by another service manager") {
		t.Fatalf("pmd's refusal does not name the socket; output:\n%s", out)
	}
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatalf("the other manager's socket is gone: %v", err)
	}
	c.Close()
}
