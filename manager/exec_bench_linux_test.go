package manager

import (
	"errors"
	"os"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// The benchmarks start /bin/true and reap it, with /dev/null as stdio:
// a bare fork and exec as the baseline, execStart's fast path, and the
// exec helper (which here is the test binary, so its start-up cost is the
// test binary's, not pmd's).

func execBenchNull(b *testing.B) *os.File {
	b.Helper()
	f, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	return f
}

func execBenchReap(b *testing.B, pid int) {
	var ws unix.WaitStatus
	for {
		_, err := unix.Wait4(pid, &ws, 0, nil)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			b.Fatal(err)
		}
		break
	}
	if !ws.Exited() || ws.ExitStatus() != 0 {
		b.Fatalf("status %#x, want exit 0", ws)
	}
}

func BenchmarkBareForkExec(b *testing.B) {
	null := execBenchNull(b)
	fd := null.Fd()
	attr := &syscall.ProcAttr{Files: []uintptr{fd, fd, fd}}
	for b.Loop() {
		pid, err := syscall.ForkExec("/bin/true", []string{"true"}, attr)
		if err != nil {
			b.Fatal(err)
		}
		execBenchReap(b, pid)
	}
}

func execBenchStart(b *testing.B, spec *execSpec) {
	null := execBenchNull(b)
	files := execFiles{Stdin: null, Stdout: null, Stderr: null}
	for b.Loop() {
		pid, done, err := execStart(spec, files)
		if err != nil {
			b.Fatal(err)
		}
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		execBenchReap(b, pid)
	}
}

func BenchmarkExecStartDirect(b *testing.B) {
	spec := newExecSpec("/bin/true", []string{"true"}, []string{"PATH=/usr/bin:/bin"})
	spec.IgnoreSIGPIPE = execSelf().sigpipeIgnored
	if execNeedsHelper(spec) {
		b.Fatal("spec needs the helper")
	}
	execBenchStart(b, spec)
}

func BenchmarkExecStartHelper(b *testing.B) {
	spec := newExecSpec("/bin/true", []string{"true"}, []string{"PATH=/usr/bin:/bin"})
	spec.IgnoreSIGPIPE = execSelf().sigpipeIgnored
	spec.NoNewPrivileges = true
	if !execNeedsHelper(spec) {
		b.Fatal("spec does not need the helper")
	}
	execBenchStart(b, spec)
}
