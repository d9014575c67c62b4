package manager

import (
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/coreos/go-systemd/v22/daemon"
)

// TestMain lets the test binary play the programs the tests start: pmd's
// exec helper, a service that reports how it was started (exec tests), and
// the services of the engine tests (svcTestMain).
func TestMain(m *testing.M) {
	InitExec()
	execTestChildMain()
	svcTestMain()
	// As pmd does: services ignore SIGPIPE by default and take the fast
	// spawn path only when pm's disposition matches.
	signal.Ignore(syscall.SIGPIPE)
	os.Exit(m.Run())
}

// svcModeEnv selects what the test binary does as a service.
const svcModeEnv = "PM_TEST_SVC"

// svcTestMain impersonates a service when $PM_TEST_SVC is set:
//
//	sleep            sleep until killed
//	exit:N           exit with status N
//	notify           READY=1 and STATUS=, then sleep
//	notify-late      sleep 300ms, then READY=1
//	notify-mainpid   start a sleeping child, report it as MAINPID=, READY=1, exit
//	ignore-term      ignore SIGTERM and sleep
//	double-fork      start a child that starts a grandchild (sleeping, same
//	                 session) and exits, then sleep
//	forking:PIDFILE  start a daemon in a new session, write its pid to
//	                 PIDFILE, exit 0
//	forking-late:PIDFILE  start a daemon that writes PIDFILE (creating its
//	                 directory) 200ms later, exit 0 at once
//	watchdog         READY=1, then never ping the watchdog
//	watchdog-ping    READY=1, then ping every WATCHDOG_USEC/4
//	bind80           listen on 127.0.0.1:80; exit 0 if it worked, 1 if not
//	crash            kill itself with SIGSEGV... (SIGKILL)
func svcTestMain() {
	mode := os.Getenv(svcModeEnv)
	if mode == "" {
		return
	}
	os.Unsetenv(svcModeEnv)
	sleep := func() {
		for {
			time.Sleep(time.Hour)
		}
	}
	arg := ""
	for i := 0; i < len(mode); i++ {
		if mode[i] == ':' {
			mode, arg = mode[:i], mode[i+1:]
			break
		}
	}
	switch mode {
	case "sleep":
		sleep()
	case "exit":
		n, _ := strconv.Atoi(arg)
		os.Exit(n)
	case "notify":
		_, _ = daemon.SdNotify(false, "READY=1\nSTATUS=serving")
		sleep()
	case "notify-late":
		time.Sleep(300 * time.Millisecond)
		_, _ = daemon.SdNotify(false, "READY=1")
		sleep()
	case "notify-mainpid":
		pid, err := svcTestSpawn("sleep", false)
		if err != nil {
			os.Exit(2)
		}
		_, _ = daemon.SdNotify(false, fmt.Sprintf("MAINPID=%d\nREADY=1", pid))
		os.Exit(0)
	case "ignore-term":
		signal.Ignore(syscall.SIGTERM)
		_, _ = daemon.SdNotify(false, "READY=1")
		sleep()
	case "double-fork":
		if _, err := svcTestSpawn("fork-then-exit", false); err != nil {
			os.Exit(2)
		}
		sleep()
	case "fork-then-exit":
		if _, err := svcTestSpawn("sleep", false); err != nil {
			os.Exit(2)
		}
		os.Exit(0)
	case "forking":
		pid, err := svcTestSpawn("sleep", true)
		if err != nil {
			os.Exit(2)
		}
		if err := os.WriteFile(arg, []byte(strconv.Itoa(pid)+"\n"), 0o644); err != nil {
			os.Exit(3)
		}
		os.Exit(0)
	case "forking-late":
		// The daemon writes its PID file after this start process exited.
		if _, err := svcTestSpawn("late-pid:"+arg, false); err != nil {
			os.Exit(2)
		}
		os.Exit(0)
	case "late-pid":
		time.Sleep(200 * time.Millisecond)
		if err := os.MkdirAll(filepath.Dir(arg), 0o755); err != nil {
			os.Exit(3)
		}
		if err := os.WriteFile(arg, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
			os.Exit(3)
		}
		sleep()
	case "watchdog":
		_, _ = daemon.SdNotify(false, "READY=1")
		sleep()
	case "watchdog-ping":
		_, _ = daemon.SdNotify(false, "READY=1")
		d, _ := daemon.SdWatchdogEnabled(false)
		for {
			time.Sleep(d / 4)
			_, _ = daemon.SdNotify(false, "WATCHDOG=1")
		}
	case "bind80":
		l, err := net.Listen("tcp", "127.0.0.1:80")
		if err != nil {
			fmt.Println("bind80:", err)
			os.Exit(1)
		}
		l.Close()
		fmt.Println("bind80: ok")
		os.Exit(0)
	case "crash":
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		sleep()
	}
	fmt.Fprintln(os.Stderr, "unknown test service mode", mode)
	os.Exit(99)
}

// svcTestSpawn starts the test binary in another mode and does not wait
// for it: its parent (this service) exits or sleeps, and pm reaps it.
func svcTestSpawn(mode string, setsid bool) (int, error) {
	exe, err := os.Executable()
	if err != nil {
		return 0, err
	}
	env := append(os.Environ(), svcModeEnv+"="+mode)
	attr := &os.ProcAttr{Env: env, Files: []*os.File{nil, os.Stdout, os.Stderr},
		Sys: &syscall.SysProcAttr{Setsid: setsid}}
	p, err := os.StartProcess(exe, []string{exe}, attr)
	if err != nil {
		return 0, err
	}
	pid := p.Pid
	_ = p.Release()
	return pid, nil
}
