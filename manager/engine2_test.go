package manager

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestEngineTypeExec(t *testing.T) {
	e := startEngine(t, map[string]string{
		"ok.service":  "[Service]\nType=exec\nExecStart=@EXE@\nEnvironment=PM_TEST_SVC=sleep\n",
		"bad.service": "[Service]\nType=exec\nExecStart=/nonexistent/x\n",
	})
	e.start("ok.service")
	e.waitSub("ok.service", "running", 5*time.Second)
	e.start("bad.service")
	st := e.waitSub("bad.service", "failed", 5*time.Second)
	if e.saw("bad.service", "running") {
		t.Error("Type=exec reached running although execve failed")
	}
	if st.ExecMain.Status != 203 {
		t.Errorf("exit status %d, want 203", st.ExecMain.Status)
	}
}

func TestEngineOneshot(t *testing.T) {
	e := startEngine(t, map[string]string{
		"o.service": "[Service]\nType=oneshot\nExecStart=/bin/sh -c 'echo one >> @DIR@/o'\nExecStart=/bin/sh -c 'echo two >> @DIR@/o'\nRemainAfterExit=yes\n",
	})
	e.start("o.service")
	e.waitSub("o.service", "exited", 5*time.Second)
	b, _ := os.ReadFile(filepath.Join(e.dir, "o"))
	if string(b) != "one\ntwo\n" {
		t.Errorf("commands ran as %q, want one then two", b)
	}
	e.stop("o.service")
	e.waitSub("o.service", "dead", 5*time.Second)
}

func TestEngineForkingPIDFile(t *testing.T) {
	e := startEngine(t, map[string]string{
		"f.service": "[Service]\nType=forking\nPIDFile=@DIR@/run/f.pid\nRuntimeDirectory=f\nExecStart=@EXE@\nEnvironment=PM_TEST_SVC=forking:@DIR@/run/f.pid\n",
	})
	e.start("f.service")
	st := e.waitSub("f.service", "running", 5*time.Second)
	b, err := os.ReadFile(filepath.Join(e.dir, "run", "f.pid"))
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := strconv.Atoi(strings.TrimSpace(string(b))); st.MainPID != want {
		t.Fatalf("main pid %d, want %d from the PID file", st.MainPID, want)
	}
	pid := st.MainPID
	e.stop("f.service")
	e.waitSub("f.service", "dead", 10*time.Second)
	if pidAlive(pid) {
		t.Errorf("daemon %d survived the stop", pid)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "run", "f")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("RuntimeDirectory= not removed on stop: %v", err)
	}
}

// TestEngineForkingLatePIDFile: the PID file appears (in a directory that
// does not exist yet) after the start process exited; the start waits for
// it.
func TestEngineForkingLatePIDFile(t *testing.T) {
	e := startEngine(t, map[string]string{
		"f.service": "[Service]\nType=forking\nPIDFile=@DIR@/late/sub/f.pid\nExecStart=@EXE@\nEnvironment=PM_TEST_SVC=forking-late:@DIR@/late/sub/f.pid\nTimeoutStartSec=10\n",
	})
	e.start("f.service")
	st := e.waitSub("f.service", "running", 5*time.Second)
	b, err := os.ReadFile(filepath.Join(e.dir, "late", "sub", "f.pid"))
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := strconv.Atoi(strings.TrimSpace(string(b))); st.MainPID != want {
		t.Fatalf("main pid %d, want %d from the PID file", st.MainPID, want)
	}
	if !e.saw("f.service", "start") {
		t.Error("never waited in start")
	}
}

func TestEngineWatchdog(t *testing.T) {
	e := startEngine(t, map[string]string{
		"w.service":  "[Service]\nType=notify\nExecStart=@EXE@\nEnvironment=PM_TEST_SVC=watchdog\nWatchdogSec=300ms\n",
		"wp.service": "[Service]\nType=notify\nExecStart=@EXE@\nEnvironment=PM_TEST_SVC=watchdog-ping\nWatchdogSec=300ms\n",
	})
	e.start("w.service")
	e.start("wp.service")
	st := e.waitSub("w.service", "failed", 5*time.Second)
	if st.Result != ResultWatchdog {
		t.Errorf("result %s, want watchdog", st.Result)
	}
	// WatchdogSignal=SIGABRT; a Go program turns it into exit status 2.
	if !(st.ExecMain.Code == "killed" && st.ExecMain.Status == 6) && !(st.ExecMain.Code == "exited" && st.ExecMain.Status == 2) {
		t.Errorf("main process ended %s/%d, want it ended by SIGABRT", st.ExecMain.Code, st.ExecMain.Status)
	}
	if st := e.m.Snapshot().Unit("wp.service"); st.SubState != "running" {
		t.Errorf("a service that pings its watchdog is %s", st.SubState)
	}
}

func TestEngineRestartBackoff(t *testing.T) {
	e := startEngine(t, map[string]string{
		"c.service": "[Unit]\nStartLimitIntervalSec=0\n[Service]\nExecStart=@EXE@\nEnvironment=PM_TEST_SVC=exit:1\nRestart=on-failure\nRestartSec=100ms\nRestartSteps=3\nRestartMaxDelaySec=800ms\n",
	})
	events, cancel := e.m.Subscribe()
	defer cancel()
	e.start("c.service")
	// Record when each auto-restart wait begins and ends.
	var waits []time.Duration
	var began time.Time
	deadline := time.After(15 * time.Second)
	for len(waits) < 5 {
		select {
		case ev := <-events:
			if ev.Unit != "c.service" {
				continue
			}
			switch {
			case ev.SubState == "auto-restart":
				began = ev.Time
			case !began.IsZero() && ev.SubState != "auto-restart":
				waits = append(waits, ev.Time.Sub(began))
				began = time.Time{}
			}
		case <-deadline:
			t.Fatalf("only %d restarts: %v", len(waits), waits)
		}
	}
	// RestartSec=100ms doubling in 3 steps to 800ms.
	want := []time.Duration{100, 200, 400, 800, 800}
	for i, w := range want {
		w *= time.Millisecond
		if waits[i] < w-20*time.Millisecond || waits[i] > w+250*time.Millisecond {
			t.Errorf("restart %d waited %v, want about %v (all: %v)", i+1, waits[i], w, waits)
		}
	}
	if st := e.m.Snapshot().Unit("c.service"); st.NRestarts < 5 {
		t.Errorf("NRestarts = %d", st.NRestarts)
	}
}

func TestEngineStartLimit(t *testing.T) {
	e := startEngine(t, map[string]string{
		"l.service": "[Unit]\nStartLimitIntervalSec=10s\nStartLimitBurst=3\n[Service]\nExecStart=@EXE@\nEnvironment=PM_TEST_SVC=exit:1\nRestart=always\nRestartSec=0\n",
	})
	e.start("l.service")
	st := e.wait("l.service", 10*time.Second, "start-limit-hit", func(st *UnitStatus) bool { return st.Result == ResultStartLimitHit })
	if st.ActiveState != Failed || st.Starts != 3 {
		t.Fatalf("after the limit: %s, %d starts (want failed after 3)", st.ActiveState, st.Starts)
	}
	// It stays failed: no more restarts.
	time.Sleep(200 * time.Millisecond) // nothing to wait for: proving absence
	if st := e.m.Snapshot().Unit("l.service"); st.Starts != 3 {
		t.Fatalf("restarted after hitting the start limit: %d starts", st.Starts)
	}
	// reset-failed clears the failure; a manual start is allowed again.
	if err := e.m.ResetFailed(context.Background(), "l.service"); err != nil {
		t.Fatal(err)
	}
	if st := e.m.Snapshot().Unit("l.service"); st.ActiveState != Inactive || st.Result != ResultSuccess {
		t.Fatalf("after reset-failed: %s %s", st.ActiveState, st.Result)
	}
	e.start("l.service")
	e.wait("l.service", 10*time.Second, "a fresh start", func(st *UnitStatus) bool { return st.Starts > 3 })
}

func TestEngineUserAndCapabilities(t *testing.T) {
	e := startEngine(t, map[string]string{
		"cap.service":   "[Service]\nType=oneshot\nUser=nobody\nAmbientCapabilities=CAP_NET_BIND_SERVICE\nExecStart=@EXE@\nEnvironment=PM_TEST_SVC=bind80\n",
		"nocap.service": "[Service]\nType=oneshot\nUser=nobody\nExecStart=@EXE@\nEnvironment=PM_TEST_SVC=bind80\n",
	})
	e.start("cap.service")
	if st := e.wait("cap.service", 10*time.Second, "done", func(st *UnitStatus) bool { return st.ExecMain.Code != "" }); st.ExecMain.Status != 0 {
		t.Errorf("User=nobody with CAP_NET_BIND_SERVICE could not bind port 80 (status %d)\n%s", st.ExecMain.Status, e.out)
	}
	e.start("nocap.service")
	if st := e.wait("nocap.service", 10*time.Second, "done", func(st *UnitStatus) bool { return st.ExecMain.Code != "" }); st.ExecMain.Status != 1 {
		t.Errorf("User=nobody without the capability bound port 80 (status %d)", st.ExecMain.Status)
	}
}

func TestEngineExecContext(t *testing.T) {
	dump := "@DIR@/dump/dump.json"
	e := startEngine(t, map[string]string{
		"x.service": "[Service]\nType=oneshot\nUser=nobody\nExecStart=@EXE@\n" +
			"Environment=" + execTestDumpEnv + "=" + dump + "\n" +
			"EnvironmentFile=@DIR@/env\nEnvironmentFile=-@DIR@/missing\n" +
			"LimitNOFILE=512:1024\nLimitCORE=1K:4K\nLimitMSGQUEUE=1000:2000\nUMask=0027\nNice=5\nOOMScoreAdjust=300\n" +
			"RuntimeDirectory=x\nStateDirectory=x/y\nWorkingDirectory=/tmp\n",
	})
	if err := os.WriteFile(filepath.Join(e.dir, "env"), []byte("# comment\nFOO=\"bar baz\"\nexport=no\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The service runs as nobody and writes its state here.
	if err := os.Mkdir(filepath.Join(e.dir, "dump"), 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(e.dir, "dump"), 0o777); err != nil {
		t.Fatal(err)
	}
	e.start("x.service")
	e.wait("x.service", 10*time.Second, "done", func(st *UnitStatus) bool { return st.ExecMain.Code != "" })
	st := execTestReadDump(t, filepath.Join(e.dir, "dump", "dump.json"))
	if st.UID != 65534 {
		t.Errorf("uid %d, want nobody", st.UID)
	}
	// A Go service raises its own soft NOFILE limit at start, so only the
	// hard one tells what pm set.
	if st.Limits[7][1] != 1024 || st.Limits[4] != [2]uint64{1024, 4096} || st.Limits[12] != [2]uint64{1000, 2000} {
		t.Errorf("limits NOFILE %v CORE %v MSGQUEUE %v", st.Limits[7], st.Limits[4], st.Limits[12])
	}
	if st.Umask != "0027" || st.Nice != 5 || st.OOMScoreAdj != "300" || st.Cwd != "/tmp" {
		t.Errorf("umask %s nice %d oom %s cwd %s", st.Umask, st.Nice, st.OOMScoreAdj, st.Cwd)
	}
	env := strings.Join(st.Env, "\n")
	for _, want := range []string{"FOO=bar baz", "RUNTIME_DIRECTORY=" + filepath.Join(e.dir, "run", "x"), "STATE_DIRECTORY=" + filepath.Join(e.dir, "lib", "x/y"), "USER=nobody", "INVOCATION_ID="} {
		if !strings.Contains(env, want) {
			t.Errorf("environment lacks %q:\n%s", want, env)
		}
	}
	fi, err := os.Stat(filepath.Join(e.dir, "lib", "x", "y"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o755 {
		t.Errorf("StateDirectory mode %v", fi.Mode().Perm())
	}
}

// execTestReadDump reads what a service started in dump mode recorded.
func execTestReadDump(t *testing.T, path string) *execTestState {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the service wrote no state: %v", err)
	}
	var st execTestState
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	return &st
}

func TestEngineStopPostEnvironment(t *testing.T) {
	e := startEngine(t, map[string]string{
		"p.service": "[Service]\nExecStart=@EXE@\nEnvironment=PM_TEST_SVC=exit:3\n" +
			"ExecStopPost=/bin/sh -c 'echo \"$$SERVICE_RESULT $$EXIT_CODE $$EXIT_STATUS\" > @DIR@/post'\n" +
			"StandardOutput=append:@DIR@/out.log\n",
	})
	e.start("p.service")
	e.waitSub("p.service", "failed", 5*time.Second)
	b, err := os.ReadFile(filepath.Join(e.dir, "post"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(b)); got != "exit-code exited 3" {
		t.Errorf("ExecStopPost saw %q, want \"exit-code exited 3\"", got)
	}
}

func TestEngineOutputToFile(t *testing.T) {
	e := startEngine(t, map[string]string{
		"o.service": "[Service]\nType=oneshot\nExecStart=/bin/echo hello file\nStandardOutput=truncate:@DIR@/logs/o.log\n",
		"j.service": "[Service]\nType=oneshot\nExecStart=/bin/sh -c 'echo to the journal; echo and stderr >&2'\n",
	})
	e.start("o.service")
	e.start("j.service")
	e.waitSub("o.service", "dead", 5*time.Second)
	e.waitSub("j.service", "dead", 5*time.Second)
	b, err := os.ReadFile(filepath.Join(e.dir, "logs", "o.log"))
	if err != nil || string(b) != "hello file\n" {
		t.Errorf("file output %q, %v", b, err)
	}
	for _, want := range []string{"j.service[", "]: to the journal", "]: and stderr"} {
		if !e.out.waitFor(want, 5*time.Second) {
			t.Errorf("output lacks %q:\n%s", want, e.out)
		}
	}
}
