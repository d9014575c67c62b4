package manager

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pm-project/pm/compat"
	"github.com/pm-project/pm/unit"
)

// fakeFacts answers the machine's questions from a table, and the harness
// plays the loop: it answers spawns with increasing pids and kills with
// "something to wait for" while processes are alive.
type fakeFacts struct {
	alive   map[int]bool
	group   bool
	pidFile int
	guess   int
	t       time.Time
}

func (f *fakeFacts) groupAlive() bool { return f.group }
func (f *fakeFacts) pidAlive(pid int) bool {
	return f.alive[pid]
}
func (f *fakeFacts) loadPIDFile() (int, error) {
	if f.pidFile == 0 {
		return 0, errors.New("no pid file")
	}
	return f.pidFile, nil
}
func (f *fakeFacts) guessMainPID() int { return f.guess }
func (f *fakeFacts) now() time.Time    { return f.t }

// machine drives a svc the way the loop does and records what happened.
type machine struct {
	t        *testing.T
	s        *svc
	f        *fakeFacts
	nextPID  int
	trace    []string // "spawn ExecStart#0 main=123", "kill 0 main=123", "state running", …
	timer    time.Duration
	spawnErr error
}

func newMachine(t *testing.T, unitFile string) *machine {
	t.Helper()
	opts, d := unit.ParseINI("t.service", []byte(unitFile))
	if d.HasErrors() {
		t.Fatal(d)
	}
	u, d := unit.Build("t.service", []unit.File{{Path: "t.service", Options: opts}}, &unit.Host{})
	if d.HasErrors() {
		t.Fatal(d)
	}
	f := &fakeFacts{alive: map[int]bool{}}
	return &machine{t: t, s: newSvc(u, f), f: f, nextPID: 100}
}

// run performs a step and the loop's feedback.
func (m *machine) run(step func(s *svc)) {
	before := m.s.state
	step(m.s)
	for {
		acts := m.s.take()
		if len(acts) == 0 {
			break
		}
		for _, a := range acts {
			switch a := a.(type) {
			case actSpawn:
				if m.spawnErr != nil {
					m.trace = append(m.trace, fmt.Sprintf("spawn-failed %s#%d", a.kind, a.index))
					m.s.spawned(0, m.spawnErr)
					continue
				}
				m.nextPID++
				pid := m.nextPID
				m.f.alive[pid] = true
				m.trace = append(m.trace, fmt.Sprintf("spawn %s#%d main=%v", a.kind, a.index, a.main))
				m.s.spawned(pid, nil)
			case actKill:
				wait := m.f.alive[a.main] || m.f.alive[a.control] || m.f.group
				m.trace = append(m.trace, fmt.Sprintf("kill op=%d wait=%v", a.op, wait))
				m.s.killed(wait)
			case actTimer:
				m.timer = a.d
			case actDead:
				m.trace = append(m.trace, "cleanup")
			case actAutoRestart:
				m.trace = append(m.trace, "auto-restart")
			case actAction:
				m.trace = append(m.trace, "action "+string(a.action))
			case actWatchPIDFile:
				m.trace = append(m.trace, fmt.Sprintf("watch-pidfile %v", a.on))
			}
		}
	}
	if m.s.state != before {
		m.trace = append(m.trace, "state "+string(m.s.state))
	}
}

// exit ends a process the way the loop reports it.
func (m *machine) exit(pid int, e exitInfo) {
	m.f.alive[pid] = false
	switch pid {
	case m.s.mainPID:
		m.run(func(s *svc) { s.exited(roleMain, e) })
	case m.s.controlPID:
		m.run(func(s *svc) { s.exited(roleControl, e) })
	}
}

func (m *machine) want(state ServiceState, result Result) {
	m.t.Helper()
	if m.s.state != state || m.s.result != result {
		m.t.Fatalf("state %s result %s, want %s %s\ntrace:\n%s", m.s.state, m.s.result, state, result, strings.Join(m.trace, "\n"))
	}
}

var (
	exit0  = exitInfo{Code: exitExited, Status: 0}
	exit1  = exitInfo{Code: exitExited, Status: 1}
	killed = func(sig int) exitInfo { return exitInfo{Code: exitKilled, Status: sig} }
)

func TestSimpleLifecycle(t *testing.T) {
	m := newMachine(t, "[Service]\nExecStart=/bin/sleep 100\n")
	m.run(func(s *svc) { _ = s.start() })
	m.want(StateRunning, ResultSuccess)
	main := m.s.mainPID
	m.run(func(s *svc) { s.stop() })
	m.want(StateStopSigterm, ResultSuccess)
	m.exit(main, killed(15))
	m.want(StateDead, ResultSuccess)
}

func TestSimpleCrashRestart(t *testing.T) {
	m := newMachine(t, "[Service]\nExecStart=/bin/false\nRestart=on-failure\nRestartSec=2s\n")
	m.run(func(s *svc) { _ = s.start() })
	m.exit(m.s.mainPID, exit1)
	m.want(StateAutoRestart, ResultExitCode)
	if m.timer != 2*time.Second {
		t.Errorf("restart timer %v, want 2s", m.timer)
	}
	m.run(func(s *svc) { s.timerFired() })
	if m.trace[len(m.trace)-1] != "auto-restart" {
		t.Errorf("timer in auto-restart did not ask for a restart: %v", m.trace)
	}
}

func TestOneshotSeveralExecStart(t *testing.T) {
	m := newMachine(t, "[Service]\nType=oneshot\nExecStart=/bin/a\nExecStart=/bin/b\nRemainAfterExit=yes\n")
	m.run(func(s *svc) { _ = s.start() })
	m.want(StateStart, ResultSuccess)
	m.exit(m.s.mainPID, exit0)
	m.want(StateStart, ResultSuccess)
	if m.s.mainIndex != 1 {
		t.Fatalf("second ExecStart not running: index %d", m.s.mainIndex)
	}
	m.exit(m.s.mainPID, exit0)
	m.want(StateExited, ResultSuccess)
}

func TestOneshotFailureStopsLaterCommands(t *testing.T) {
	m := newMachine(t, "[Service]\nType=oneshot\nExecStart=/bin/a\nExecStart=/bin/b\n")
	m.run(func(s *svc) { _ = s.start() })
	m.exit(m.s.mainPID, exit1)
	m.want(StateFailed, ResultExitCode)
}

func TestIgnoreFailurePrefix(t *testing.T) {
	m := newMachine(t, "[Service]\nType=oneshot\nExecStartPre=-/bin/false\nExecStart=/bin/true\n")
	m.run(func(s *svc) { _ = s.start() })
	m.want(StateStartPre, ResultSuccess)
	m.exit(m.s.controlPID, exit1)
	m.want(StateStart, ResultSuccess)
	m.exit(m.s.mainPID, exit0)
	m.want(StateDead, ResultSuccess)
}

func TestExecConditionSkips(t *testing.T) {
	for _, tt := range []struct {
		e      exitInfo
		state  ServiceState
		result Result
	}{
		{exitInfo{Code: exitExited, Status: 1}, StateDead, ResultExecCondition},
		{exitInfo{Code: exitExited, Status: 254}, StateDead, ResultExecCondition},
		{exitInfo{Code: exitExited, Status: 255}, StateFailed, ResultExitCode},
		{killed(9), StateFailed, ResultSignal},
	} {
		m := newMachine(t, "[Service]\nExecCondition=/bin/check\nExecStart=/bin/x\nRestart=always\n")
		m.run(func(s *svc) { _ = s.start() })
		m.want(StateCondition, ResultSuccess)
		m.exit(m.s.controlPID, tt.e)
		if tt.result == ResultExecCondition {
			m.want(tt.state, tt.result)
			continue
		}
		// A failed condition check restarts under Restart=always.
		if m.s.state != StateAutoRestart || m.s.result != tt.result {
			t.Errorf("%v: state %s result %s", tt.e, m.s.state, m.s.result)
		}
	}
}

func TestNotifyReady(t *testing.T) {
	m := newMachine(t, "[Service]\nType=notify\nExecStart=/bin/x\nExecStartPost=/bin/post\n")
	m.run(func(s *svc) { _ = s.start() })
	m.want(StateStart, ResultSuccess)
	st := "ok"
	m.run(func(s *svc) { s.notified(compat.Notify{Ready: true, Status: &st}, 0) })
	m.want(StateStartPost, ResultSuccess)
	m.exit(m.s.controlPID, exit0)
	m.want(StateRunning, ResultSuccess)
	if m.s.statusText != "ok" {
		t.Errorf("status %q", m.s.statusText)
	}
}

func TestNotifyExitBeforeReadyIsProtocolError(t *testing.T) {
	m := newMachine(t, "[Service]\nType=notify\nExecStart=/bin/x\n")
	m.run(func(s *svc) { _ = s.start() })
	m.exit(m.s.mainPID, exit0)
	m.want(StateFailed, ResultProtocol)
}

func TestStartTimeout(t *testing.T) {
	m := newMachine(t, "[Service]\nType=notify\nExecStart=/bin/x\nTimeoutStartSec=5\n")
	m.run(func(s *svc) { _ = s.start() })
	if m.timer != 5*time.Second {
		t.Fatalf("start timer %v", m.timer)
	}
	main := m.s.mainPID
	m.run(func(s *svc) { s.timerFired() })
	m.want(StateStopSigterm, ResultTimeout)
	m.exit(main, killed(15))
	m.want(StateFailed, ResultTimeout)
}

func TestStopEscalatesToSIGKILL(t *testing.T) {
	m := newMachine(t, "[Service]\nExecStart=/bin/x\nTimeoutStopSec=3\n")
	m.run(func(s *svc) { _ = s.start() })
	main := m.s.mainPID
	m.run(func(s *svc) { s.stop() })
	m.want(StateStopSigterm, ResultSuccess)
	if m.timer != 3*time.Second {
		t.Fatalf("stop timer %v", m.timer)
	}
	m.run(func(s *svc) { s.timerFired() })
	m.want(StateStopSigkill, ResultTimeout)
	m.exit(main, killed(9))
	m.want(StateFailed, ResultTimeout)
}

func TestExecStopAndStopPost(t *testing.T) {
	m := newMachine(t, "[Service]\nExecStart=/bin/x\nExecStop=/bin/stop\nExecStopPost=/bin/post\n")
	m.run(func(s *svc) { _ = s.start() })
	main := m.s.mainPID
	m.run(func(s *svc) { s.stop() })
	m.want(StateStop, ResultSuccess)
	m.exit(m.s.controlPID, exit0)
	m.want(StateStopSigterm, ResultSuccess)
	m.exit(main, killed(15))
	m.want(StateStopPost, ResultSuccess)
	m.exit(m.s.controlPID, exit0)
	m.want(StateDead, ResultSuccess)
}

func TestStopPostRunsAfterFailure(t *testing.T) {
	m := newMachine(t, "[Service]\nExecStart=/bin/x\nExecStopPost=/bin/post\n")
	m.run(func(s *svc) { _ = s.start() })
	m.exit(m.s.mainPID, exit1)
	m.want(StateStopPost, ResultExitCode)
	m.exit(m.s.controlPID, exit0)
	m.want(StateFailed, ResultExitCode)
}

func TestManualStopNeverRestarts(t *testing.T) {
	m := newMachine(t, "[Service]\nExecStart=/bin/x\nRestart=always\n")
	m.run(func(s *svc) { _ = s.start() })
	main := m.s.mainPID
	m.run(func(s *svc) { s.stop() })
	m.exit(main, killed(15))
	m.want(StateDead, ResultSuccess)
}

func TestWatchdogTimeout(t *testing.T) {
	m := newMachine(t, "[Service]\nType=notify\nExecStart=/bin/x\nWatchdogSec=2\nRestart=on-watchdog\n")
	m.run(func(s *svc) { _ = s.start() })
	m.run(func(s *svc) { s.notified(compat.Notify{Ready: true}, 0) })
	m.want(StateRunning, ResultSuccess)
	main := m.s.mainPID
	m.run(func(s *svc) { s.watchdogFired() })
	m.want(StateStopWatchdog, ResultWatchdog)
	m.exit(main, killed(6))
	m.want(StateAutoRestart, ResultWatchdog)
}

func TestForkingWithPIDFile(t *testing.T) {
	m := newMachine(t, "[Service]\nType=forking\nPIDFile=/run/x.pid\nExecStart=/bin/daemon\n")
	m.run(func(s *svc) { _ = s.start() })
	m.want(StateStart, ResultSuccess)
	if m.s.mainPID != 0 || m.s.controlPID == 0 {
		t.Fatalf("forking start should run as the control process: main %d control %d", m.s.mainPID, m.s.controlPID)
	}
	m.f.pidFile = 4242
	m.f.alive[4242] = true
	m.exit(m.s.controlPID, exit0)
	m.want(StateRunning, ResultSuccess)
	if m.s.mainPID != 4242 {
		t.Fatalf("main pid %d, want 4242 from the PID file", m.s.mainPID)
	}
}

func TestForkingWithoutPIDFileFails(t *testing.T) {
	m := newMachine(t, "[Service]\nType=forking\nPIDFile=/run/x.pid\nExecStart=/bin/daemon\n")
	m.run(func(s *svc) { _ = s.start() })
	m.exit(m.s.controlPID, exit0)
	m.want(StateFailed, ResultProtocol)
}

// TestForkingAwaitsPIDFile: the daemon writes its PID file after the
// start process exited; the start waits for it (systemd's
// service_demand_pid_file) and runs once it is there.
func TestForkingAwaitsPIDFile(t *testing.T) {
	m := newMachine(t, "[Service]\nType=forking\nPIDFile=/run/x.pid\nExecStart=/bin/daemon\n")
	m.run(func(s *svc) { _ = s.start() })
	m.f.group = true // the daemon runs, the file is not there yet
	m.exit(m.s.controlPID, exit0)
	m.want(StateStart, ResultSuccess)
	if !strings.Contains(strings.Join(m.trace, "|"), "watch-pidfile true") {
		t.Fatalf("no watch started: %v", m.trace)
	}
	m.run(func(s *svc) { s.pidFileChanged() }) // a change, still no file
	m.want(StateStart, ResultSuccess)
	m.f.pidFile = 4242
	m.f.alive[4242] = true
	m.run(func(s *svc) { s.pidFileChanged() })
	m.want(StateRunning, ResultSuccess)
	if m.s.mainPID != 4242 {
		t.Fatalf("main pid %d, want 4242", m.s.mainPID)
	}
	if tr := strings.Join(m.trace, "|"); !strings.HasSuffix(tr, "watch-pidfile false|state running") {
		t.Errorf("watch not stopped on running: %v", m.trace)
	}
}

// TestForkingAwaitedPIDFileNeverComes: the daemon dies without writing
// it: protocol failure; the start timeout fails it too.
func TestForkingAwaitedPIDFileNeverComes(t *testing.T) {
	for _, how := range []string{"group empties", "timeout"} {
		t.Run(how, func(t *testing.T) {
			m := newMachine(t, "[Service]\nType=forking\nPIDFile=/run/x.pid\nExecStart=/bin/daemon\n")
			m.run(func(s *svc) { _ = s.start() })
			m.f.group = true
			m.exit(m.s.controlPID, exit0)
			m.want(StateStart, ResultSuccess)
			if how == "group empties" {
				m.f.group = false
				m.run(func(s *svc) { s.groupEmpty() })
				m.want(StateFailed, ResultProtocol)
			} else {
				m.run(func(s *svc) { s.timerFired() })
				if m.s.result != ResultTimeout {
					t.Fatalf("result %s after the start timeout; want timeout", m.s.result)
				}
			}
			if !strings.Contains(strings.Join(m.trace, "|"), "watch-pidfile false") {
				t.Errorf("watch not stopped: %v", m.trace)
			}
		})
	}
}

func TestSpawnFailureIsResources(t *testing.T) {
	m := newMachine(t, "[Service]\nExecStart=/bin/x\n")
	m.spawnErr = errors.New("fork failed")
	m.run(func(s *svc) { _ = s.start() })
	m.want(StateFailed, ResultResources)
}

func TestReload(t *testing.T) {
	m := newMachine(t, "[Service]\nExecStart=/bin/x\nExecReload=/bin/kill -HUP $MAINPID\n")
	m.run(func(s *svc) { _ = s.start() })
	m.run(func(s *svc) { s.reload() })
	m.want(StateReload, ResultSuccess)
	m.exit(m.s.controlPID, exit1)
	m.want(StateRunning, ResultSuccess)
	if m.s.reloadResult != ResultExitCode {
		t.Errorf("reload result %s, want exit-code", m.s.reloadResult)
	}
}

func TestSuccessExitStatus(t *testing.T) {
	m := newMachine(t, "[Service]\nExecStart=/bin/x\nSuccessExitStatus=42 SIGUSR1\n")
	m.run(func(s *svc) { _ = s.start() })
	m.exit(m.s.mainPID, exitInfo{Code: exitExited, Status: 42})
	m.want(StateDead, ResultSuccess)
	m.run(func(s *svc) { _ = s.start() })
	m.exit(m.s.mainPID, killed(10))
	m.want(StateDead, ResultSuccess)
}

func TestDBusRunsAsSimple(t *testing.T) {
	m := newMachine(t, "[Service]\nType=dbus\nBusName=org.example.Foo\nExecStart=/bin/x\n")
	m.run(func(s *svc) { _ = s.start() })
	m.want(StateRunning, ResultSuccess)
}
