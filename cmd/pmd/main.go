// Command pmd is pm's daemon: it loads systemd unit files and pm's YAML,
// supervises the services with systemd's semantics and stops them in
// order when it is told to exit.
package main

import (
	"os"
	"os/signal"
	"syscall"

	"github.com/pm-project/pm/manager"
)

func main() {
	// pmd re-executes itself to set up a service's process before exec;
	// that must happen before anything else.
	manager.InitExec()
	// Services ignore SIGPIPE by default (IgnoreSIGPIPE=yes) and inherit
	// pmd's disposition on the fast spawn path.
	signal.Ignore(syscall.SIGPIPE)
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
