package manager

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coreos/go-systemd/v22/daemon"
	"golang.org/x/sys/unix"
)

// notifyWait bounds every wait for an event in these tests.
const notifyWait = 10 * time.Second

// notifyRequire skips a test whose precondition this machine lacks, or
// fails it under CI, where every precondition must hold.
func notifyRequire(t *testing.T, ok bool, reason string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("CI: %s", reason)
	}
	t.Skip(reason)
}

// notifyListenTest opens a notify socket in a fresh temp dir and starts
// serve; the cleanup closes it and checks serve returned.
func notifyListenTest(t *testing.T, path string) (*notifySocket, <-chan notifyDatagram) {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "notify")
	}
	s, err := notifyListen(path)
	if err != nil {
		t.Fatalf("notifyListen(%q): %v", path, err)
	}
	ch := make(chan notifyDatagram, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.serve(func(d notifyDatagram) { ch <- d })
	}()
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		select {
		case <-done:
		case <-time.After(notifyWait):
			t.Errorf("serve did not return after Close")
		}
		for len(ch) > 0 {
			notifyCloseFiles((<-ch).FDs)
		}
	})
	return s, ch
}

// notifyRecv waits for the next delivered datagram.
func notifyRecv(t *testing.T, ch <-chan notifyDatagram) notifyDatagram {
	t.Helper()
	select {
	case d := <-ch:
		t.Cleanup(func() { notifyCloseFiles(d.FDs) })
		return d
	case <-time.After(notifyWait):
		t.Fatalf("no notification delivered within %v", notifyWait)
	}
	return notifyDatagram{}
}

// notifySend sends one datagram to the socket at path, with fds attached.
func notifySend(t *testing.T, path string, msg []byte, fds ...int) {
	t.Helper()
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	var oob []byte
	if len(fds) > 0 {
		oob = unix.UnixRights(fds...)
	}
	if err := unix.Sendmsg(fd, msg, oob, &unix.SockaddrUnix{Name: path}, 0); err != nil {
		t.Fatalf("sendmsg to %s: %v", path, err)
	}
}

// notifyPipe returns a pipe; the read end fails the test if it is not at
// EOF soon after notifyExpectEOF is called.
func notifyPipe(t *testing.T) (r, w *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}

// notifyExpectEOF closes our write end and waits for the read end to see
// EOF, which proves every other copy of the write end was closed.
func notifyExpectEOF(t *testing.T, r, w *os.File) {
	t.Helper()
	w.Close()
	if err := r.SetReadDeadline(time.Now().Add(notifyWait)); err != nil {
		t.Fatal(err)
	}
	var b [1]byte
	if n, err := r.Read(b[:]); n != 0 || !errors.Is(err, io.EOF) {
		t.Fatalf("read from pipe: got %d, %v, want EOF (received fd not closed)", n, err)
	}
}

// notifyRawFD is f's descriptor, reached without Fd's side effects.
func notifyRawFD(t *testing.T, f *os.File) int {
	t.Helper()
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var fd int
	if err := rc.Control(func(u uintptr) { fd = int(u) }); err != nil {
		t.Fatal(err)
	}
	return fd
}

func TestNotifyListen(t *testing.T) {
	dir := t.TempDir()

	t.Run("socket file mode and options", func(t *testing.T) {
		path := filepath.Join(dir, "mode")
		s, err := notifyListen(path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if s.Path() != path {
			t.Errorf("Path: got %q, want %q", s.Path(), path)
		}
		fi, err := os.Lstat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Type() != fs.ModeSocket || fi.Mode().Perm() != 0o777 {
			t.Errorf("mode: got %v, want socket 0777", fi.Mode())
		}
		fd := notifyRawFD(t, s.f)
		if v, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_PASSCRED); err != nil || v != 1 {
			t.Errorf("SO_PASSCRED: got %d, %v, want 1", v, err)
		}
		if v, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE); err != nil || v != unix.SOCK_DGRAM {
			t.Errorf("SO_TYPE: got %d, %v, want SOCK_DGRAM", v, err)
		}
		if v, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil || v&unix.FD_CLOEXEC == 0 {
			t.Errorf("FD_CLOEXEC: got flags %#x, %v, want set", v, err)
		}
		if v, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF); err != nil || v < 2*notifyRcvBuf {
			t.Logf("SO_RCVBUF is %d (%v); raising it is best effort", v, err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("socket file after Close: got %v, want it removed", err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("second Close: got %v, want nil", err)
		}
	})

	t.Run("stale socket replaced", func(t *testing.T) {
		path := filepath.Join(dir, "stale")
		// A socket bound and closed leaves its file behind, as a crash does.
		fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := unix.Bind(fd, &unix.SockaddrUnix{Name: path}); err != nil {
			t.Fatal(err)
		}
		unix.Close(fd)
		s, err := notifyListen(path)
		if err != nil {
			t.Fatalf("notifyListen over a stale socket: %v", err)
		}
		s.Close()
	})

	t.Run("replaced socket not removed by Close", func(t *testing.T) {
		path := filepath.Join(dir, "replaced")
		s, err := notifyListen(path)
		if err != nil {
			t.Fatal(err)
		}
		s2, err := notifyListen(path) // a successor takes the path over
		if err != nil {
			t.Fatal(err)
		}
		defer s2.Close()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Lstat(path); err != nil {
			t.Errorf("successor's socket file: got %v, want it kept", err)
		}
	})

	errCases := []struct {
		name  string
		setup func(path string) error
		path  string
	}{
		{name: "regular file in the way", path: filepath.Join(dir, "file"),
			setup: func(p string) error { return os.WriteFile(p, nil, 0o644) }},
		{name: "directory in the way", path: filepath.Join(dir, "dir"),
			setup: func(p string) error { return os.Mkdir(p, 0o755) }},
		{name: "missing parent", path: filepath.Join(dir, "nodir", "notify")},
		{name: "relative path", path: "notify"},
		{name: "too long", path: filepath.Join(dir, strings.Repeat("x", 120))},
		{name: "abstract too long", path: "@" + strings.Repeat("x", 120)},
	}
	for _, tt := range errCases {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setup != nil {
				if err := tt.setup(tt.path); err != nil {
					t.Fatal(err)
				}
			}
			s, err := notifyListen(tt.path)
			if err == nil {
				s.Close()
				t.Fatalf("notifyListen(%q): got nil error, want one", tt.path)
			}
			if tt.setup != nil {
				if _, err := os.Lstat(tt.path); err != nil {
					t.Errorf("what was at the path: got %v, want it left alone", err)
				}
			}
		})
	}
}

// TestNotifySdNotify: the client library services use reaches pmd, over a
// file socket and an abstract one, with the sender's credentials.
func TestNotifySdNotify(t *testing.T) {
	tests := []struct {
		name string
		path string
	}{
		{name: "file", path: ""},
		{name: "abstract", path: fmt.Sprintf("@pm-notify-test-%d-%d", os.Getpid(), time.Now().UnixNano())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ch := notifyListenTest(t, tt.path)
			t.Setenv("NOTIFY_SOCKET", s.Path())
			sent, err := daemon.SdNotify(false, "READY=1\nSTATUS=serving\nMAINPID=4711")
			if err != nil || !sent {
				t.Fatalf("SdNotify: got %v, %v, want true, nil", sent, err)
			}
			d := notifyRecv(t, ch)
			if d.PID != os.Getpid() || d.UID != os.Getuid() || d.GID != os.Getgid() {
				t.Errorf("credentials: got pid %d uid %d gid %d, want %d %d %d",
					d.PID, d.UID, d.GID, os.Getpid(), os.Getuid(), os.Getgid())
			}
			if !d.Msg.Ready || d.Msg.Status == nil || *d.Msg.Status != "serving" || d.Msg.MainPID != 4711 {
				t.Errorf("message: got %+v, want READY, STATUS=serving, MAINPID=4711", d.Msg)
			}
			if len(d.FDs) != 0 {
				t.Errorf("FDs: got %d, want 0", len(d.FDs))
			}
		})
	}
}

// TestNotifyFDs: descriptors sent with SCM_RIGHTS arrive as close-on-exec
// files that refer to the sender's open files.
func TestNotifyFDs(t *testing.T) {
	s, ch := notifyListenTest(t, "")
	r1, w1 := notifyPipe(t)
	r2, w2 := notifyPipe(t)
	notifySend(t, s.Path(), []byte("FDSTORE=1\nFDNAME=pipes\n"), int(w1.Fd()), int(w2.Fd()))
	d := notifyRecv(t, ch)
	if !d.Msg.FDStore || d.Msg.FDName == nil || *d.Msg.FDName != "pipes" {
		t.Errorf("message: got %+v, want FDSTORE with FDNAME=pipes", d.Msg)
	}
	if len(d.FDs) != 2 {
		t.Fatalf("FDs: got %d, want 2", len(d.FDs))
	}
	for i, pair := range [][2]*os.File{{r1, w1}, {r2, w2}} {
		got := d.FDs[i]
		fd := notifyRawFD(t, got)
		if v, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil || v&unix.FD_CLOEXEC == 0 {
			t.Errorf("fd %d: FD_CLOEXEC: got flags %#x, %v, want set", i, v, err)
		}
		want := fmt.Sprintf("through fd %d", i)
		if _, err := got.Write([]byte(want)); err != nil {
			t.Fatalf("write through received fd %d: %v", i, err)
		}
		buf := make([]byte, 64)
		n, err := pair[0].Read(buf)
		if err != nil || string(buf[:n]) != want {
			t.Errorf("read: got %q, %v, want %q", buf[:n], err, want)
		}
		got.Close()
		notifyExpectEOF(t, pair[0], pair[1])
	}
}

// TestNotifyDrops: messages systemd drops are not delivered and their
// descriptors are closed; the next good message still arrives.
func TestNotifyDrops(t *testing.T) {
	s, ch := notifyListenTest(t, "")
	tests := []struct {
		name string
		msg  []byte
	}{
		{name: "oversize", msg: bytes.Repeat([]byte("a"), 5000)},
		{name: "one byte over", msg: append([]byte("X="), bytes.Repeat([]byte("a"), 4095)...)},
		{name: "embedded NUL", msg: []byte("READY=1\x00STATUS=x")},
		{name: "trailing backslash", msg: []byte("READY=1\\")},
		{name: "barrier", msg: []byte("BARRIER=1")},
		{name: "barrier with extras", msg: []byte("BARRIER=1\nREADY=1")},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, w := notifyPipe(t)
			notifySend(t, s.Path(), tt.msg, int(w.Fd()))
			mark := fmt.Sprintf("X_MARK=%d", i)
			notifySend(t, s.Path(), []byte(mark))
			d := notifyRecv(t, ch)
			if len(d.Msg.Fields) != 1 || d.Msg.Fields[0] != mark {
				t.Fatalf("first delivered: got %q, want only %q", d.Msg.Fields, mark)
			}
			notifyExpectEOF(t, r, w)
		})
	}

	t.Run("exactly max size accepted", func(t *testing.T) {
		msg := append([]byte("X="), bytes.Repeat([]byte("a"), 4094)...)
		notifySend(t, s.Path(), msg)
		d := notifyRecv(t, ch)
		if len(d.Msg.Fields) != 1 || len(d.Msg.Fields[0]) != 4096 {
			t.Fatalf("got %d fields, want one of 4096 bytes", len(d.Msg.Fields))
		}
	})
}

// TestNotifyHelperProcess is not a test: it is the child that
// TestNotifyChild runs, sending PM_NOTIFY_HELPER_MSG with go-systemd.
func TestNotifyHelperProcess(t *testing.T) {
	msg := os.Getenv("PM_NOTIFY_HELPER_MSG")
	if msg == "" {
		t.Skip("helper process for TestNotifyChild")
	}
	if sent, err := daemon.SdNotify(true, msg); err != nil || !sent {
		fmt.Fprintf(os.Stderr, "SdNotify: %v %v\n", sent, err)
		os.Exit(3)
	}
	os.Exit(0)
}

// TestNotifyChild: credentials are those of the process that sent the
// message, not ours.
func TestNotifyChild(t *testing.T) {
	s, ch := notifyListenTest(t, "")
	cmd := exec.Command(os.Args[0], "-test.run=^TestNotifyHelperProcess$")
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+s.Path(), "PM_NOTIFY_HELPER_MSG=READY=1\nSTATUS=child")
	out := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d := notifyRecv(t, ch)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	if d.PID != cmd.Process.Pid || d.PID == os.Getpid() {
		t.Errorf("PID: got %d, want the child's %d", d.PID, cmd.Process.Pid)
	}
	if !d.Msg.Ready || d.Msg.Status == nil || *d.Msg.Status != "child" {
		t.Errorf("message: got %q", d.Msg.Fields)
	}
}

// TestNotifySystemdNotify: systemd's own client, including a sender that
// is not root (the socket's mode must let it in) and root senders that
// claim other credentials (sd_pid_notify, --uid), which the kernel checks
// and pmd must take as given.
func TestNotifySystemdNotify(t *testing.T) {
	bin, err := exec.LookPath("systemd-notify")
	notifyRequire(t, err == nil, "systemd-notify not installed (Debian package systemd)")
	notifyRequire(t, os.Geteuid() == 0, "needs root to send other credentials")

	// Let an unprivileged sender reach the socket file.
	dir := t.TempDir()
	for d := dir; d != os.TempDir() && d != "/"; d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s, ch := notifyListenTest(t, filepath.Join(dir, "notify"))

	const nobody = 65534
	tests := []struct {
		name    string
		args    []string
		cred    *syscall.Credential
		wantPID func(child int) int
		wantUID int
		wantGID int
	}{
		{name: "self", args: []string{"--pid=self", "READY=1"},
			wantPID: func(child int) int { return child }, wantUID: 0, wantGID: 0},
		{name: "on behalf of parent", args: []string{"--pid=parent", "STATUS=parent"},
			wantPID: func(int) int { return os.Getpid() }, wantUID: 0, wantGID: 0},
		// --uid also takes the user's group.
		{name: "claimed uid", args: []string{"--pid=self", fmt.Sprintf("--uid=%d", nobody), "READY=1"},
			wantPID: func(child int) int { return child }, wantUID: nobody, wantGID: nobody},
		{name: "unprivileged sender", args: []string{"--pid=self", "READY=1"},
			cred:    &syscall.Credential{Uid: nobody, Gid: nobody},
			wantPID: func(child int) int { return child }, wantUID: nobody, wantGID: nobody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(bin, tt.args...)
			cmd.Env = []string{"NOTIFY_SOCKET=" + s.Path(), "PATH=/usr/bin:/bin"}
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: tt.cred}
			out := &bytes.Buffer{}
			cmd.Stdout, cmd.Stderr = out, out
			if err := cmd.Run(); err != nil {
				t.Fatalf("%s %q: %v\n%s", bin, tt.args, err, out)
			}
			d := notifyRecv(t, ch)
			want := tt.wantPID(cmd.Process.Pid)
			if d.PID != want || d.UID != tt.wantUID || d.GID != tt.wantGID {
				t.Errorf("credentials: got pid %d uid %d gid %d, want %d %d %d",
					d.PID, d.UID, d.GID, want, tt.wantUID, tt.wantGID)
			}
			// systemd-notify adds MAINPID= for the pid it sends as.
			if d.Msg.MainPID != want {
				t.Errorf("MAINPID: got %d, want %d (fields %q)", d.Msg.MainPID, want, d.Msg.Fields)
			}
		})
	}
}

// TestNotifyClose: an idle serve sleeps in the netpoller (it does not
// spin), Close wakes it, and no goroutine is left behind.
func TestNotifyClose(t *testing.T) {
	before := runtime.NumGoroutine()
	s, err := notifyListen(filepath.Join(t.TempDir(), "notify"))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.serve(func(d notifyDatagram) { notifyCloseFiles(d.FDs) })
	}()

	deadline := time.Now().Add(notifyWait)
	for !notifyServeParked() {
		if time.Now().After(deadline) {
			t.Fatalf("serve is not parked in IO wait:\n%s", notifyStacks())
		}
		time.Sleep(time.Millisecond)
	}

	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case <-done:
	case <-time.After(notifyWait):
		t.Fatalf("serve did not return after Close:\n%s", notifyStacks())
	}
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("goroutines: got %d, want at most %d:\n%s", runtime.NumGoroutine(), before, notifyStacks())
		}
		time.Sleep(time.Millisecond)
	}

	// serve on a socket closed before it started returns at once.
	s2, err := notifyListen(filepath.Join(t.TempDir(), "notify"))
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
	done2 := make(chan struct{})
	go func() { defer close(done2); s2.serve(func(notifyDatagram) {}) }()
	select {
	case <-done2:
	case <-time.After(notifyWait):
		t.Fatal("serve on a closed socket did not return")
	}
}

func notifyStacks() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}

// notifyServeParked reports whether a goroutine running serve is blocked
// in the netpoller.
func notifyServeParked() bool {
	for _, g := range strings.Split(notifyStacks(), "\n\n") {
		if strings.Contains(g, "[IO wait") && strings.Contains(g, "(*notifySocket).serve") {
			return true
		}
	}
	return false
}

// TestNotifyDecode covers what a real socket cannot produce on demand:
// missing or invalid credentials and truncated control data.
func TestNotifyDecode(t *testing.T) {
	creds := func(pid int32) []byte {
		return unix.UnixCredentials(&unix.Ucred{Pid: pid, Uid: 1, Gid: 2})
	}
	tests := []struct {
		name    string
		msg     string
		n       int // datagram length; -1 means len(msg)
		creds   []byte
		fds     bool
		flags   int
		wantErr string
	}{
		{name: "ok", msg: "READY=1", n: -1, creds: creds(42)},
		{name: "ok with fds", msg: "FDSTORE=1", n: -1, creds: creds(42), fds: true},
		{name: "no credentials", msg: "READY=1", n: -1, fds: true, wantErr: "credentials"},
		{name: "pid 0", msg: "READY=1", n: -1, creds: creds(0), fds: true, wantErr: "credentials"},
		{name: "control truncated", msg: "READY=1", n: -1, creds: creds(42), fds: true, flags: unix.MSG_CTRUNC, wantErr: "truncated control"},
		{name: "data truncated", msg: "READY=1", n: -1, creds: creds(42), fds: true, flags: unix.MSG_TRUNC, wantErr: "maximum size"},
		{name: "longer than buffer", msg: "READY=1", n: 5000, creds: creds(42), fds: true, wantErr: "maximum size"},
		{name: "parse error", msg: "A\x00B", n: -1, creds: creds(42), fds: true, wantErr: "NUL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			oob := append([]byte(nil), tt.creds...)
			var r, w *os.File
			if tt.fds {
				r, w = notifyPipe(t)
				dup, err := unix.FcntlInt(w.Fd(), unix.F_DUPFD_CLOEXEC, 0)
				if err != nil {
					t.Fatal(err)
				}
				oob = append(oob, unix.UnixRights(dup)...)
			}
			n := tt.n
			if n < 0 {
				n = len(tt.msg)
			}
			d, err := notifyDecode([]byte(tt.msg), n, oob, tt.flags)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("got error %v, want nil", err)
				}
				if d.PID != 42 || d.UID != 1 || d.GID != 2 {
					t.Errorf("credentials: got %d %d %d, want 42 1 2", d.PID, d.UID, d.GID)
				}
				if tt.fds != (len(d.FDs) == 1) {
					t.Errorf("FDs: got %d", len(d.FDs))
				}
				notifyCloseFiles(d.FDs)
			} else if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
			}
			if tt.fds {
				notifyExpectEOF(t, r, w)
			}
		})
	}
}
