package manager

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/pm-project/pm/unit"
)

// Benchmarks of the engine. Run them with `make bench`, or one at a time:
//
//	go test ./manager -run '^$' -bench BenchmarkRestartLatency
//	go test ./manager -run '^$' -bench BenchmarkCrashRestarts -benchtime 10000x
//	go test ./manager -run '^$' -bench BenchmarkIdle500 -benchtime 1x   (30 s)

// BenchmarkRestartLatency measures the time from SIGKILL of a service's
// main process to its replacement running (execve done), with
// Restart=always and RestartSec=0.
func BenchmarkRestartLatency(b *testing.B) {
	e := startEngine(b, map[string]string{
		"r.service": "[Unit]\nStartLimitIntervalSec=0\n[Service]\nExecStart=/bin/sleep 1000\nRestart=always\nRestartSec=0\nStandardOutput=null\n",
	})
	e.start("r.service")
	st := e.waitSub("r.service", "running", 5*time.Second)
	events, cancel := e.m.Subscribe()
	defer cancel()
	b.ResetTimer()
	var total, inLoop time.Duration
	for i := 0; i < b.N; i++ {
		old := st.MainPID
		t0 := time.Now()
		if err := unix.Kill(old, unix.SIGKILL); err != nil {
			b.Fatal(err)
		}
		for {
			ev := <-events
			if ev.Unit == "r.service" && ev.SubState == "running" && ev.MainPID != old && ev.MainPID > 0 {
				total += time.Since(t0)
				inLoop += ev.Time.Sub(t0)
				st = e.m.Snapshot().Unit("r.service")
				break
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(total.Microseconds())/float64(b.N), "µs/restart")
	b.ReportMetric(float64(inLoop.Microseconds())/float64(b.N), "µs/restart-in-loop")
}

// BenchmarkBareRestart is the baseline of BenchmarkRestartLatency: a loop
// that forks and execs /bin/sleep, SIGKILLs it, reaps it with wait4 and
// starts the next one.
func BenchmarkBareRestart(b *testing.B) {
	attr := &syscall.ProcAttr{Files: []uintptr{0, 1, 2}, Sys: &syscall.SysProcAttr{Setsid: true}}
	pid, err := syscall.ForkExec("/bin/sleep", []string{"sleep", "1000"}, attr)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = unix.Kill(pid, unix.SIGKILL)
		var ws unix.WaitStatus
		if _, err := unix.Wait4(pid, &ws, 0, nil); err != nil {
			b.Fatal(err)
		}
		if pid, err = syscall.ForkExec("/bin/sleep", []string{"sleep", "1000"}, attr); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	_ = unix.Kill(pid, unix.SIGKILL)
	var ws unix.WaitStatus
	_, _ = unix.Wait4(pid, &ws, 0, nil)
}

// sleepUnits makes n services running /bin/sleep.
func sleepUnits(n int) map[string]string {
	units := map[string]string{}
	for i := 0; i < n; i++ {
		units[fmt.Sprintf("s%03d.service", i)] = "[Service]\nExecStart=/bin/sleep 1000\nStandardOutput=null\n"
	}
	return units
}

func (e *engine) startAll(n int) {
	e.t.Helper()
	events, cancel := e.m.Subscribe()
	defer cancel()
	for i := 0; i < n; i++ {
		e.start(fmt.Sprintf("s%03d.service", i))
	}
	running := 0
	for _, st := range e.m.Snapshot().All() {
		if st.SubState == "running" {
			running++
		}
	}
	deadline := time.After(60 * time.Second)
	for running < n {
		select {
		case ev := <-events:
			if ev.SubState == "running" {
				running++
			}
		case <-deadline:
			e.t.Fatalf("only %d of %d running", running, n)
		}
	}
}

// BenchmarkStart500 measures starting 500 /bin/sleep services.
func BenchmarkStart500(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := startEngine(b, sleepUnits(500))
		b.StartTimer()
		e.startAll(500)
		b.StopTimer()
		e.close()
		b.StartTimer()
	}
}

// BenchmarkBareStart500 is the baseline of BenchmarkStart500: fork and
// exec 500 /bin/sleep in a tight loop.
func BenchmarkBareStart500(b *testing.B) {
	attr := &syscall.ProcAttr{Files: []uintptr{0, 1, 2}, Sys: &syscall.SysProcAttr{Setsid: true}}
	for i := 0; i < b.N; i++ {
		pids := make([]int, 0, 500)
		for j := 0; j < 500; j++ {
			pid, err := syscall.ForkExec("/bin/sleep", []string{"sleep", "1000"}, attr)
			if err != nil {
				b.Fatal(err)
			}
			pids = append(pids, pid)
		}
		b.StopTimer()
		for _, pid := range pids {
			_ = unix.Kill(pid, unix.SIGKILL)
			var ws unix.WaitStatus
			_, _ = unix.Wait4(pid, &ws, 0, nil)
		}
		b.StartTimer()
	}
}

// BenchmarkIdle500 starts 500 services, then reports pm's resident memory
// and the CPU time the whole process used over 30 s of idling.
func BenchmarkIdle500(b *testing.B) {
	idle := 30 * time.Second
	if v := os.Getenv("PM_BENCH_IDLE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatal(err)
		}
		idle = d
	}
	for i := 0; i < b.N; i++ {
		e := startEngine(b, sleepUnits(500))
		e.startAll(500)
		b.ReportMetric(float64(rssKiB())/1024, "MiB-rss")
		before := cpuTime()
		time.Sleep(idle) // measuring idleness: nothing to wait for
		b.ReportMetric(float64((cpuTime() - before).Milliseconds()), "cpu-ms/"+idle.String())
		e.close()
	}
}

// BenchmarkCrashRestarts restarts a crashing service b.N times (RestartSec=0)
// and reports zombies left and the growth of pm's heap and RSS.
func BenchmarkCrashRestarts(b *testing.B) {
	e := startEngine(b, map[string]string{
		"c.service": "[Unit]\nStartLimitIntervalSec=0\n[Service]\nExecStart=/bin/false\nRestart=always\nRestartSec=0\nStandardOutput=null\n",
	})
	events, cancel := e.m.Subscribe()
	defer cancel()
	rss0, heap0 := rssKiB(), heapInUse()
	b.ResetTimer()
	e.start("c.service")
	starts := uint64(0)
	for starts < uint64(b.N) {
		ev := <-events
		if ev.Unit == "c.service" && ev.SubState == "auto-restart" {
			starts++
		}
	}
	b.StopTimer()
	e.stop("c.service")
	e.wait("c.service", 10*time.Second, "stopped", func(st *UnitStatus) bool {
		return st.ActiveState == Inactive || st.ActiveState == Failed
	})
	b.ReportMetric(float64(zombies()), "zombies")
	b.ReportMetric(float64(rssKiB()-rss0)/1024, "MiB-rss-growth")
	b.ReportMetric(float64(heapInUse()-heap0)/1024, "KiB-heap-growth")
}

// rssKiB is this process's resident set size.
func rssKiB() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	return 0
}

// cpuTime is the user and system CPU time this process used.
func cpuTime() time.Duration {
	var ru unix.Rusage
	_ = unix.Getrusage(unix.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// zombies counts this process's children that are zombies.
func zombies() int {
	me := os.Getpid()
	n := 0
	d, _ := os.ReadDir("/proc")
	for _, e := range d {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if pi, err := readProcStat(pid); err == nil && pi.ppid == me && pi.state == 'Z' {
			n++
		}
	}
	return n
}

// heapInUse is the live heap after a collection.
func heapInUse() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapInuse)
}

// BenchmarkBoot500 boots 500 independent /bin/sleep services wanted by the
// default target (compare with BenchmarkBareStart500).
func BenchmarkBoot500(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		units := map[string]string{}
		for j := 0; j < 500; j++ {
			units[fmt.Sprintf("s%03d.service", j)] = "[Service]\nExecStart=/bin/sleep 1000\nStandardOutput=null\n[X-PM]\nAutoStart=yes\n"
		}
		e := startEngine(b, units)
		b.StartTimer()
		if r := e.job(JobStart, "default.target", unit.JobReplace); r != JobDone {
			b.Fatalf("boot: %s", r)
		}
		b.StopTimer()
		e.close()
		b.StartTimer()
	}
}

// BenchmarkChain100 starts a chain of 100 oneshot units, each ordered after
// the one before (After=) and all wanted by one target.
func BenchmarkChain100(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		units := map[string]string{}
		wants := ""
		for j := 0; j < 100; j++ {
			after := ""
			if j > 0 {
				after = fmt.Sprintf("[Unit]\nAfter=c%03d.service\n", j-1)
			}
			units[fmt.Sprintf("c%03d.service", j)] = after + "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\nStandardOutput=null\n"
			wants += fmt.Sprintf(" c%03d.service", j)
		}
		units["chain.target"] = "[Unit]\nWants=" + wants + "\n"
		e := startEngine(b, units)
		b.StartTimer()
		if r := e.job(JobStart, "chain.target", unit.JobReplace); r != JobDone {
			b.Fatalf("chain: %s", r)
		}
		b.StopTimer()
		e.close()
		b.StartTimer()
	}
}

// BenchmarkBareChain100 is the baseline of BenchmarkChain100: run
// /bin/true 100 times, one after the other.
func BenchmarkBareChain100(b *testing.B) {
	attr := &syscall.ProcAttr{Files: []uintptr{0, 1, 2}, Sys: &syscall.SysProcAttr{Setsid: true}}
	for i := 0; i < b.N; i++ {
		for j := 0; j < 100; j++ {
			pid, err := syscall.ForkExec("/bin/true", []string{"true"}, attr)
			if err != nil {
				b.Fatal(err)
			}
			var ws unix.WaitStatus
			if _, err := unix.Wait4(pid, &ws, 0, nil); err != nil {
				b.Fatal(err)
			}
		}
	}
}
