package main

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/pm-project/pm/api/client"
)

// Timeouts of calls, as systemctl's: 25 s for a call, 180 s for
// daemon-reload; job verbs wait for their job as long as it takes.
const (
	callTimeout   = 25 * time.Second
	reloadTimeout = 180 * time.Second
)

// target returns how to reach pmd: a TCP address, or the socket path.
func (e *cliEnv) target() (address, socket string) {
	if e.g.address != "" {
		return e.g.address, ""
	}
	if a := e.getenv("PM_ADDRESS"); a != "" && e.g.socket == "" {
		return a, ""
	}
	switch {
	case e.g.socket != "":
		return "", e.g.socket
	case e.getenv("PM_SOCKET") != "":
		return "", e.getenv("PM_SOCKET")
	case e.g.system:
		return "", client.SystemSocket
	case e.g.user:
		return "", userSocket(e.getenv)
	}
	if os.Geteuid() == 0 {
		return "", client.SystemSocket
	}
	// A user without a pmd of their own talks to the system's, as
	// systemctl talks to the system manager unless told --user.
	own := userSocket(e.getenv)
	if _, err := os.Stat(own); err != nil {
		return "", client.SystemSocket
	}
	return "", own
}

// userSocket is the socket of the calling user's pmd.
func userSocket(getenv func(string) string) string {
	return filepath.Join(client.UserRuntimeDir(getenv), "pm", client.SocketName)
}

// client connects to pmd on first use.
func (e *cliEnv) client() (*client.Client, error) {
	if e.cli != nil {
		return e.cli, nil
	}
	addr, sock := e.target()
	e.local = addr == ""
	c, err := client.Dial(client.Options{
		Socket: sock, Address: addr,
		CAFile: e.g.tlsCA, CertFile: e.g.tlsCert, KeyFile: e.g.tlsKey,
		ServerName: e.g.tlsName, Plaintext: e.g.plaintext,
	})
	if err != nil {
		return nil, failf(1, "Failed to connect to pmd: %v", err)
	}
	e.cli = c
	return c, nil
}

// ctx returns the context of one call.
func (e *cliEnv) ctx(d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(context.Background())
	}
	return context.WithTimeout(context.Background(), d)
}

// connectError explains a call that found no daemon: which socket, and
// why, in systemctl's words ("Failed to connect to bus: No such file or
// directory").
func (e *cliEnv) connectError() error {
	addr, sock := e.target()
	if addr != "" {
		return failf(1, "Failed to connect to pmd at %s: connection refused or unreachable", addr)
	}
	// Dial once more to learn why: no such file, permission denied,
	// connection refused.
	why := "Connection refused"
	if c, err := net.DialTimeout("unix", sock, time.Second); err != nil {
		why = errnoText(err)
	} else {
		c.Close()
		why = "the daemon did not answer"
	}
	return failf(1, "Failed to connect to pmd at %s: %s", sock, why)
}

// errnoText is strerror of an error's errno, capitalised as systemd
// prints it.
func errnoText(err error) string {
	var en syscall.Errno
	switch {
	case errors.As(err, &en):
		if s := en.Error(); s != "" {
			return strings.ToUpper(s[:1]) + s[1:]
		}
	case errors.Is(err, fs.ErrNotExist):
		return "No such file or directory"
	case errors.Is(err, fs.ErrPermission):
		return "Permission denied"
	}
	return err.Error()
}
