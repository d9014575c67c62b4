package manager

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pm-project/pm/unit"
)

// job enqueues a job and waits for its result.
func (e *engine) job(typ JobType, name string, mode unit.JobMode) JobResult {
	e.t.Helper()
	_, res, err := e.m.Enqueue(context.Background(), name, typ, mode)
	if err != nil {
		e.t.Fatalf("%s %s: %v", typ, name, err)
	}
	select {
	case r := <-res:
		return r
	case <-time.After(15 * time.Second):
		e.t.Fatalf("%s %s: job did not finish", typ, name)
	}
	return ""
}

func (e *engine) state(name string) *UnitStatus {
	e.t.Helper()
	st := e.m.Snapshot().Unit(name)
	if st == nil {
		e.t.Fatalf("no unit %s", name)
	}
	return st
}

const (
	svcSleep   = "[Service]\nExecStart=/bin/sleep 1000\n"
	svcFail    = "[Service]\nExecStart=/bin/false\n"
	svcOneshot = "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/sleep 0.2\n"
)

func TestJobRequires(t *testing.T) {
	e := startEngine(t, map[string]string{
		"a.service": "[Unit]\nRequires=b.service\nAfter=b.service\n" + svcSleep,
		"b.service": svcSleep,
	})
	if r := e.job(JobStart, "a.service", unit.JobReplace); r != JobDone {
		t.Fatalf("start a: %s", r)
	}
	if e.state("b.service").ActiveState != Active {
		t.Fatal("Requires= did not start b")
	}
	// Stopping b stops a, which requires it.
	if r := e.job(JobStop, "b.service", unit.JobReplace); r != JobDone {
		t.Fatalf("stop b: %s", r)
	}
	if st := e.state("a.service").ActiveState; st != Inactive {
		t.Fatalf("a is %s after its requirement stopped", st)
	}
}

func TestJobRequiresFailure(t *testing.T) {
	e := startEngine(t, map[string]string{
		"a.service": "[Unit]\nRequires=b.service\nAfter=b.service\n" + svcSleep,
		"b.service": svcFail + "Type=oneshot\n",
	})
	if r := e.job(JobStart, "a.service", unit.JobReplace); r != JobDependency {
		t.Fatalf("start a with a failing requirement: %s, want dependency", r)
	}
	if st := e.state("a.service"); st.ActiveState != Inactive {
		t.Fatalf("a is %s", st.ActiveState)
	}
}

func TestJobRequiresMissing(t *testing.T) {
	e := startEngine(t, map[string]string{
		"a.service": "[Unit]\nRequires=nope.service\n" + svcSleep,
	})
	_, _, err := e.m.Enqueue(context.Background(), "a.service", JobStart, unit.JobReplace)
	if !errors.Is(err, ErrNoSuchUnit) || !strings.Contains(err.Error(), "nope.service") {
		t.Fatalf("got %v, want an error naming the missing unit", err)
	}
}

func TestJobWants(t *testing.T) {
	e := startEngine(t, map[string]string{
		"a.service": "[Unit]\nWants=b.service nope.service\nAfter=b.service\n" + svcSleep,
		"b.service": svcFail + "Type=oneshot\n",
	})
	if r := e.job(JobStart, "a.service", unit.JobReplace); r != JobDone {
		t.Fatalf("start a: %s (Wants= failures must be ignored)", r)
	}
	if e.state("b.service").ActiveState != Failed {
		t.Fatal("Wants= did not try to start b")
	}
}

func TestJobBindsTo(t *testing.T) {
	e := startEngine(t, map[string]string{
		"a.service": "[Unit]\nBindsTo=b.service\nAfter=b.service\n" + svcSleep,
		"b.service": svcSleep,
	})
	e.job(JobStart, "a.service", unit.JobReplace)
	// b crashes: a, bound to it, stops too.
	pid := e.state("b.service").MainPID
	if err := e.m.Kill(context.Background(), "b.service", "main", 9); err != nil {
		t.Fatal(err)
	}
	e.wait("a.service", 10*time.Second, "inactive", func(st *UnitStatus) bool { return st.ActiveState == Inactive })
	if pidAlive(pid) {
		t.Error("b still runs")
	}
}

func TestJobConflicts(t *testing.T) {
	e := startEngine(t, map[string]string{
		"a.service": "[Unit]\nConflicts=b.service\n" + svcSleep,
		"b.service": svcSleep,
	})
	inactive := func(st *UnitStatus) bool { return st.ActiveState == Inactive }
	// Without ordering the stop runs beside the start, so wait for it.
	e.job(JobStart, "b.service", unit.JobReplace)
	e.job(JobStart, "a.service", unit.JobReplace)
	e.wait("b.service", 10*time.Second, "stopped by the conflict", inactive)
	// Conflicts are symmetric even when declared once.
	e.job(JobStart, "b.service", unit.JobReplace)
	e.wait("a.service", 10*time.Second, "stopped by the conflict", inactive)
}

func TestJobOrdering(t *testing.T) {
	e := startEngine(t, map[string]string{
		"first.service":  svcOneshot,
		"second.service": "[Unit]\nAfter=first.service\n" + svcOneshot,
		"third.service":  "[Unit]\nAfter=second.service\n" + svcOneshot,
		"all.target":     "[Unit]\nWants=first.service second.service third.service\n",
	})
	if r := e.job(JobStart, "all.target", unit.JobReplace); r != JobDone {
		t.Fatalf("start all: %s", r)
	}
	f, s, th := e.state("first.service"), e.state("second.service"), e.state("third.service")
	if s.ExecMain.StartAt.Before(f.ActiveEnterAt) || th.ExecMain.StartAt.Before(s.ActiveEnterAt) {
		t.Errorf("order broken: first active %v, second started %v, active %v, third started %v",
			f.ActiveEnterAt, s.ExecMain.StartAt, s.ActiveEnterAt, th.ExecMain.StartAt)
	}
	// The target waits for the units it pulls in (implicit After=).
	if tg := e.state("all.target"); tg.ActiveEnterAt.Before(th.ActiveEnterAt) {
		t.Errorf("all.target active before third.service")
	}
	// Stop runs in reverse order.
	e.job(JobStop, "first.service", unit.JobReplace)
	e.job(JobStop, "second.service", unit.JobReplace)
}

func TestJobParallelStart(t *testing.T) {
	e := startEngine(t, map[string]string{
		"p1.service": svcOneshot,
		"p2.service": svcOneshot,
		"p3.service": svcOneshot,
		"p.target":   "[Unit]\nWants=p1.service p2.service p3.service\n",
	})
	t0 := time.Now()
	e.job(JobStart, "p.target", unit.JobReplace)
	// Three 200 ms starts in parallel take far less than 600 ms.
	if el := time.Since(t0); el > 550*time.Millisecond {
		t.Errorf("independent units did not start in parallel: %v", el)
	}
	var starts []time.Time
	for _, n := range []string{"p1.service", "p2.service", "p3.service"} {
		starts = append(starts, e.state(n).ExecMain.StartAt)
	}
	for _, s := range starts[1:] {
		if d := s.Sub(starts[0]); d > 150*time.Millisecond || d < -150*time.Millisecond {
			t.Errorf("start times differ by %v", d)
		}
	}
}

func TestJobRequisite(t *testing.T) {
	e := startEngine(t, map[string]string{
		"a.service": "[Unit]\nRequisite=b.service\nAfter=b.service\n" + svcSleep,
		"b.service": svcSleep,
	})
	if r := e.job(JobStart, "a.service", unit.JobReplace); r != JobDependency {
		t.Fatalf("start a with inactive requisite: %s, want dependency", r)
	}
	e.job(JobStart, "b.service", unit.JobReplace)
	if r := e.job(JobStart, "a.service", unit.JobReplace); r != JobDone {
		t.Fatalf("start a with active requisite: %s", r)
	}
}

func TestJobPartOf(t *testing.T) {
	e := startEngine(t, map[string]string{
		"a.service": "[Unit]\nPartOf=b.service\n" + svcSleep,
		"b.service": svcSleep,
	})
	e.job(JobStart, "a.service", unit.JobReplace)
	e.job(JobStart, "b.service", unit.JobReplace)
	pid := e.state("a.service").MainPID
	// No ordering between them: a's restart runs beside b's.
	e.job(JobRestart, "b.service", unit.JobReplace)
	e.wait("a.service", 10*time.Second, "restarted (PartOf=)", func(st *UnitStatus) bool {
		return st.ActiveState == Active && st.MainPID != pid && st.MainPID > 0
	})
	e.job(JobStop, "b.service", unit.JobReplace)
	e.wait("a.service", 10*time.Second, "stopped (PartOf=)", func(st *UnitStatus) bool { return st.ActiveState == Inactive })
}

func TestJobOnFailure(t *testing.T) {
	e := startEngine(t, map[string]string{
		"a.service":       "[Unit]\nOnFailure=handler.service\n" + svcFail,
		"handler.service": svcOneshot,
	})
	e.job(JobStart, "a.service", unit.JobReplace)
	e.wait("handler.service", 10*time.Second, "active", func(st *UnitStatus) bool { return st.ActiveState == Active })
}

func TestJobStopWhenUnneeded(t *testing.T) {
	e := startEngine(t, map[string]string{
		"a.service":   "[Unit]\nWants=dep.service\n" + svcSleep,
		"dep.service": "[Unit]\nStopWhenUnneeded=yes\n" + svcSleep,
	})
	e.job(JobStart, "a.service", unit.JobReplace)
	if e.state("dep.service").ActiveState != Active {
		t.Fatal("dep not started")
	}
	e.job(JobStop, "a.service", unit.JobReplace)
	e.wait("dep.service", 10*time.Second, "stopped", func(st *UnitStatus) bool { return st.ActiveState == Inactive })
}

func TestJobCycle(t *testing.T) {
	e := startEngine(t, map[string]string{
		"a.service": "[Unit]\nRequires=b.service\nAfter=b.service\n" + svcSleep,
		"b.service": "[Unit]\nRequires=a.service\nAfter=a.service\n" + svcSleep,
		"c.service": "[Unit]\nWants=d.service\nAfter=d.service\n" + svcSleep,
		"d.service": "[Unit]\nAfter=c.service\n" + svcSleep,
	})
	_, _, err := e.m.Enqueue(context.Background(), "a.service", JobStart, unit.JobReplace)
	if !errors.Is(err, ErrTransactionCycle) || !strings.Contains(err.Error(), "a.service") || !strings.Contains(err.Error(), "b.service") {
		t.Fatalf("got %v, want a cycle error naming a and b", err)
	}
	// A cycle through a job that does not matter is broken by dropping it.
	if r := e.job(JobStart, "c.service", unit.JobReplace); r != JobDone {
		t.Fatalf("start c: %s", r)
	}
	if e.state("d.service").ActiveState != Inactive {
		t.Error("the job breaking the cycle ran anyway")
	}
	if !e.logs.waitFor("found ordering cycle", time.Second) {
		t.Error("cycle not logged")
	}
}

func TestJobModeFail(t *testing.T) {
	e := startEngine(t, map[string]string{
		"slow.service": "[Service]\nType=notify\nExecStart=/bin/sleep 1000\nTimeoutStartSec=infinity\n",
	})
	if _, _, err := e.m.Enqueue(context.Background(), "slow.service", JobStart, unit.JobReplace); err != nil {
		t.Fatal(err)
	}
	_, _, err := e.m.Enqueue(context.Background(), "slow.service", JobStop, unit.JobFail)
	if !errors.Is(err, ErrDestructive) {
		t.Fatalf("stop in mode fail over a queued start: %v, want destructive", err)
	}
	if r := e.job(JobStop, "slow.service", unit.JobReplace); r != JobDone {
		t.Fatalf("stop in mode replace: %s", r)
	}
}

func TestJobBadInput(t *testing.T) {
	e := startEngine(t, map[string]string{
		"ok.service":     svcSleep,
		"tmpl@.service":  svcSleep,
		"masked.service": "",
	})
	for _, tt := range []struct {
		name string
		want error
	}{
		{"missing.service", ErrNoSuchUnit},
		{"tmpl@.service", ErrNoSuchUnit},
	} {
		if _, _, err := e.m.Enqueue(context.Background(), tt.name, JobStart, unit.JobReplace); !errors.Is(err, tt.want) || !strings.Contains(err.Error(), strings.TrimSuffix(tt.name, ".service")) {
			t.Errorf("start %s: %v, want %v naming the unit", tt.name, err, tt.want)
		}
	}
	if _, _, err := e.m.Enqueue(context.Background(), "masked.service", JobStart, unit.JobReplace); !errors.Is(err, ErrUnitMasked) || !strings.Contains(err.Error(), "masked.service") {
		t.Errorf("start a masked unit: %v, want ErrUnitMasked naming it", err)
	}
	if r := e.job(JobStart, "tmpl@x.service", unit.JobReplace); r != JobDone {
		t.Errorf("start an instance: %s", r)
	}
	if e.state("ok.service").ActiveState != Inactive {
		t.Error("bad requests disturbed another unit")
	}
}

func TestDaemonReload(t *testing.T) {
	e := startEngine(t, map[string]string{
		"a.service":    "[Unit]\nDescription=old\n" + svcSleep,
		"gone.service": svcSleep,
		"keep.service": svcSleep,
	})
	e.job(JobStart, "a.service", unit.JobReplace)
	e.job(JobStart, "keep.service", unit.JobReplace)
	pid := e.state("a.service").MainPID
	udir := e.dir + "/units/"
	if err := os.WriteFile(udir+"a.service", []byte("[Unit]\nDescription=new\n"+svcSleep), 0o644); err != nil {
		t.Fatal(err)
	}
	// Make sure the modification time moves.
	later := time.Now().Add(2 * time.Second)
	if err := os.Chtimes(udir+"a.service", later, later); err != nil {
		t.Fatal(err)
	}
	if !e.state("a.service").NeedDaemonReload() {
		t.Error("NeedDaemonReload is false after the file changed")
	}
	for _, f := range []string{"gone.service", "keep.service"} {
		if err := os.Remove(udir + f); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(udir+"new.service", []byte(svcSleep), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.DaemonReload(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := e.state("a.service")
	if st.Description != "new" || st.MainPID != pid || st.ActiveState != Active {
		t.Errorf("after reload: description %q, pid %d (was %d), %s", st.Description, st.MainPID, pid, st.ActiveState)
	}
	if st.NeedDaemonReload() {
		t.Error("NeedDaemonReload still true after daemon-reload")
	}
	if e.m.Snapshot().Unit("gone.service") != nil {
		t.Error("an inactive unit whose file vanished is still loaded")
	}
	if k := e.m.Snapshot().Unit("keep.service"); k == nil || k.ActiveState != Active {
		t.Error("a running unit whose file vanished must stay loaded until stopped")
	}
	if r := e.job(JobStart, "new.service", unit.JobReplace); r != JobDone {
		t.Errorf("start a unit added before the reload: %s", r)
	}
}

func TestJobTimeout(t *testing.T) {
	e := startEngine(t, map[string]string{
		"slow.service": "[Unit]\nJobTimeoutSec=300ms\n[Service]\nType=notify\nExecStart=/bin/sleep 1000\nTimeoutStartSec=infinity\n",
	})
	t0 := time.Now()
	if r := e.job(JobStart, "slow.service", unit.JobReplace); r != JobTimeout {
		t.Fatalf("start: %s, want timeout", r)
	}
	if el := time.Since(t0); el < 250*time.Millisecond {
		t.Errorf("timed out after %v", el)
	}
}
