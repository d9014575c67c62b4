package manager

import (
	"testing"
	"time"

	"github.com/pm-project/pm/unit"
)

// TestShallRestartTable checks the table of systemd.service(5), "Table 2.
// Exit causes and the effect of the Restart= settings".
func TestShallRestartTable(t *testing.T) {
	causes := []struct {
		name   string
		result Result
		exit   exitInfo
	}{
		{"clean exit", ResultSuccess, exitInfo{Code: exitExited, Status: 0}},
		{"unclean exit code", ResultExitCode, exitInfo{Code: exitExited, Status: 1}},
		{"unclean signal", ResultSignal, exitInfo{Code: exitKilled, Status: 9}},
		{"core dump", ResultCoreDump, exitInfo{Code: exitDumped, Status: 11}},
		{"timeout", ResultTimeout, exitInfo{Code: exitKilled, Status: 15}},
		{"watchdog", ResultWatchdog, exitInfo{Code: exitKilled, Status: 6}},
	}
	//                               clean  code   signal core   timeout watchdog
	table := map[unit.RestartPolicy][6]bool{
		unit.RestartNo:         {false, false, false, false, false, false},
		unit.RestartAlways:     {true, true, true, true, true, true},
		unit.RestartOnSuccess:  {true, false, false, false, false, false},
		unit.RestartOnFailure:  {false, true, true, true, true, true},
		unit.RestartOnAbnormal: {false, false, true, true, true, true},
		unit.RestartOnAbort:    {false, false, true, true, false, false},
		unit.RestartOnWatchdog: {false, false, false, false, false, true},
	}
	for policy, want := range table {
		for i, c := range causes {
			s := &unit.Service{Restart: policy}
			got, _ := shallRestart(s, c.result, c.exit, true, false)
			if got != want[i] {
				t.Errorf("Restart=%s, %s: restart=%v, want %v", policy, c.name, got, want[i])
			}
			if got, _ := shallRestart(s, c.result, c.exit, true, true); got {
				t.Errorf("Restart=%s, %s: a manual stop must never restart", policy, c.name)
			}
		}
	}
}

func TestShallRestartExitStatusOverrides(t *testing.T) {
	s := &unit.Service{Restart: unit.RestartAlways}
	_ = unit.ParseExitStatusSet("42 SIGUSR1", &s.RestartPreventExitStatus)
	if ok, _ := shallRestart(s, ResultExitCode, exitInfo{Code: exitExited, Status: 42}, true, false); ok {
		t.Error("RestartPreventExitStatus=42 must prevent the restart")
	}
	if ok, _ := shallRestart(s, ResultSignal, exitInfo{Code: exitKilled, Status: 10}, true, false); ok {
		t.Error("RestartPreventExitStatus=SIGUSR1 must prevent the restart")
	}
	s = &unit.Service{Restart: unit.RestartNo}
	_ = unit.ParseExitStatusSet("7", &s.RestartForceExitStatus)
	if ok, _ := shallRestart(s, ResultExitCode, exitInfo{Code: exitExited, Status: 7}, true, false); !ok {
		t.Error("RestartForceExitStatus=7 must force the restart")
	}
	if ok, _ := shallRestart(&unit.Service{Restart: unit.RestartAlways}, ResultExecCondition, exitInfo{}, false, false); ok {
		t.Error("a skipped condition must not restart even with Restart=always")
	}
}

func TestRestartDelay(t *testing.T) {
	s := &unit.Service{RestartSec: unit.Duration(time.Second), RestartSteps: 4, RestartMaxDelaySec: unit.Duration(16 * time.Second)}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 16 * time.Second}
	for i, w := range want {
		if got := restartDelay(s, i+1); got < w-time.Millisecond || got > w+time.Millisecond {
			t.Errorf("restart %d: delay %v, want %v", i+1, got, w)
		}
	}
	flat := &unit.Service{RestartSec: unit.Duration(300 * time.Millisecond), RestartMaxDelaySec: unit.Infinity}
	if got := restartDelay(flat, 5); got != 300*time.Millisecond {
		t.Errorf("without RestartSteps the delay is RestartSec, got %v", got)
	}
	if !backoffReset(s, 17*time.Second) || backoffReset(s, 15*time.Second) {
		t.Error("a run longer than RestartMaxDelaySec must reset the backoff, a shorter one must not")
	}
}

func TestRateLimit(t *testing.T) {
	r := rateLimit{interval: 10 * time.Second, burst: 3}
	now := time.Unix(1000, 0)
	for i := 0; i < 3; i++ {
		if !r.allow(now.Add(time.Duration(i) * time.Second)) {
			t.Fatalf("start %d refused within the burst", i+1)
		}
	}
	if r.allow(now.Add(3 * time.Second)) {
		t.Fatal("fourth start within the interval allowed")
	}
	if !r.allow(now.Add(11 * time.Second)) {
		t.Fatal("start after the interval refused")
	}
	r.reset()
	if !r.allow(now.Add(12 * time.Second)) {
		t.Fatal("start after reset refused")
	}
	off := rateLimit{interval: 0, burst: 1}
	for i := 0; i < 5; i++ {
		if !off.allow(now) {
			t.Fatal("StartLimitIntervalSec=0 disables the limit")
		}
	}
}
