package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkPmd500 runs the pmd binary with 500 /bin/sleep services wanted
// by default.target and reports pmd's own resident memory once they run,
// and the CPU time it uses over an idle period (30 s, or $PM_BENCH_IDLE).
//
//	go test ./internal/e2e -run '^$' -bench BenchmarkPmd500 -benchtime 1x
func BenchmarkPmd500(b *testing.B) {
	idle := 30 * time.Second
	if v := os.Getenv("PM_BENCH_IDLE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatal(err)
		}
		idle = d
	}
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		units := filepath.Join(dir, "units")
		if err := os.MkdirAll(units, 0o755); err != nil {
			b.Fatal(err)
		}
		for j := 0; j < 500; j++ {
			u := "[Service]\nExecStart=/bin/sleep 1000\nStandardOutput=null\n[X-PM]\nAutoStart=yes\n"
			if err := os.WriteFile(filepath.Join(units, fmt.Sprintf("s%03d.service", j)), []byte(u), 0o644); err != nil {
				b.Fatal(err)
			}
		}
		cmd, out := startPmd(b, "--unit-path", units, "--config-dir", dir)
		out.wait(b, "pmd is running", 30*time.Second)
		pid := cmd.Process.Pid
		deadline := time.Now().Add(60 * time.Second)
		for children(pid) < 500 {
			if time.Now().After(deadline) {
				b.Fatalf("only %d of 500 services running", children(pid))
			}
			time.Sleep(50 * time.Millisecond) // polling a count from outside pmd
		}
		b.ReportMetric(float64(procStatusKiB(pid, "VmRSS"))/1024, "MiB-rss")
		before := procCPU(pid)
		time.Sleep(idle) // measuring idleness: nothing to wait for
		b.ReportMetric(float64((procCPU(pid) - before).Milliseconds()), "cpu-ms/"+idle.String())
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			b.Fatal(err)
		}
		_ = cmd.Wait()
	}
}

// children counts the live processes whose parent is pid.
func children(pid int) int {
	d, _ := os.ReadDir("/proc")
	n := 0
	for _, e := range d {
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+2:])
		if len(f) > 1 && f[0] != "Z" && f[1] == strconv.Itoa(pid) {
			n++
		}
	}
	return n
}

func procStatusKiB(pid int, key string) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	return 0
}

// procCPU is the user and system time pid used.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	utime, _ := strconv.Atoi(f[11])
	stime, _ := strconv.Atoi(f[12])
	return time.Duration(utime+stime) * 10 * time.Millisecond // USER_HZ = 100
}
